"""CPU-time budgets for tests: time.process_time, never wall-clock, so a busy shared machine cannot fail them.

Line coverage (``make test``) traces every line and makes CPU-bound code about twice as slow; the budget is
scaled when a tracer is active, so the same test holds with and without coverage.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

TRACED_FACTOR = 3.0  # measured: the 2 MB figure/quote/text tests ran 2.2-2.6x slower under coverage


def scale(seconds: float) -> float:
    """The budget in force: ``seconds``, or more when coverage (or a debugger) traces this process."""
    return seconds * TRACED_FACTOR if sys.gettrace() is not None else seconds


@contextmanager
def cpu_budget(seconds: float, what: str = "") -> Iterator[None]:
    """Fail when the block uses more CPU seconds (this process, all threads) than ``seconds`` (scaled)."""
    started = time.process_time()
    yield
    used = time.process_time() - started
    limit = scale(seconds)
    assert used < limit, f"{what or 'block'} used {used:.2f} CPU s, budget {limit:.2f} s"
