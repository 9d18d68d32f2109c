"""CPU-time budgets for tests (time.process_time, never wall-clock, so a busy shared machine cannot fail them).

Line coverage (``make test``) traces every line and makes CPU-bound code about twice as slow; the budget is
scaled when a tracer is active, so the same test holds with and without coverage.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

TRACED_FACTOR = 3.0  # the 2 MB figure, quote and text tests ran 1.7-2.2x slower with --cov (pytest --durations)


def scale(seconds: float) -> float:
    """The budget in force: ``seconds``, or more when coverage (or a debugger) traces this process."""
    return seconds * TRACED_FACTOR if sys.gettrace() is not None else seconds


@contextmanager
def cpu_seconds() -> Iterator[list[float]]:
    """The CPU seconds of the block, in the yielded list once it ends. The objects the test session has built up so
    far are frozen out of garbage collection meanwhile: a full collection inside the block would walk the whole
    suite's heap, which is not the code under test (the 2 MB figure test took 5+ s inside the suite, 3.7 s alone)."""
    gc.collect()
    gc.freeze()
    out: list[float] = []
    t0 = time.process_time()
    try:
        yield out
    finally:
        out.append(time.process_time() - t0)
        gc.unfreeze()
