"""CPU-time budgets for tests (time.process_time, never wall-clock, so a busy shared machine cannot fail them).

Line coverage (``make test``) traces every line and makes CPU-bound code about twice as slow; the budget is
scaled when a tracer is active, so the same test holds with and without coverage.
"""

from __future__ import annotations

import sys

TRACED_FACTOR = 3.0  # the 2 MB figure, quote and text tests ran 1.7-2.2x slower with --cov (pytest --durations)


def scale(seconds: float) -> float:
    """The budget in force: ``seconds``, or more when coverage (or a debugger) traces this process."""
    return seconds * TRACED_FACTOR if sys.gettrace() is not None else seconds
