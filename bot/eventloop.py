"""The event loop every async command runs on: uvloop where it is installed, else asyncio's own.

uvloop is libuv under asyncio's API. A poll cycle is mostly small HTTP exchanges and task switches, and the
loop's own overhead is a large share of each: bench/poll.py's unchanged cycle (500 conditional GETs) costs
about a fifth less CPU on uvloop. Set ``COVERAGE_BOT_EVENT_LOOP=asyncio`` to run on asyncio's loop instead.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

ENV = "COVERAGE_BOT_EVENT_LOOP"


def loop_name() -> str:
    """'uvloop' or 'asyncio': the loop `run` uses in this environment."""
    if os.environ.get(ENV, "").strip().lower() == "asyncio":
        return "asyncio"
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on the loop `loop_name` names."""
    if loop_name() == "uvloop":
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(coro)
    return asyncio.run(coro)
