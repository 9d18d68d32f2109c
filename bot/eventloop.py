"""The event loop every async command runs on: uvloop where it is installed, else asyncio's own.

uvloop is libuv under asyncio's API. A poll cycle is mostly small HTTP exchanges and task switches, and the
loop's own overhead is a large share of each: 500 conditional GETs to bench/poll.py's server with one plain httpx
client (32 at once, 2 per host) cost 0.35 s of CPU on uvloop against 0.45 s on asyncio's loop, medians of 5; through
bot.fetch's Fetcher, 0.21 s against 0.22 s (its pools per host left less for the loop to save). A whole cycle of
bench/poll.py, three interleaved runs each, medians: first cycle 16.1 s against 17.6 s (the poller's own CPU 11.6 s
against 13.4 s), unchanged cycle 0.27 s against 0.30 s.
``EVENT_LOOP=asyncio`` selects asyncio's loop; ``uvloop`` insists on uvloop; unset or ``auto`` takes uvloop
when it is installed.

`tune_gc` sets the cyclic garbage collector up for a process that polls (GC_YOUNG below).
"""

from __future__ import annotations

import asyncio
import functools
import gc
import os
from collections.abc import Coroutine
from typing import Any, TypeVar

from .errors import UserError

T = TypeVar("T")

ENV = "EVENT_LOOP"
CHOICES = ("auto", "uvloop", "asyncio")

# A poll cycle allocates in bursts (bench/poll.py's first cycle parses, stores and scores 25,000 items), and under
# Python's default young threshold (700 allocations) the poller's process spent 0.92-0.98 s of its ~11 s of CPU in
# ~1,040 collections, 7-8 of them full ones walking every object start-up made (modules, the configuration; 0.54-0.62 s).
# So a process that polls (`coverage-bot poll`, `run`) collects once and freezes what exists (gc.freeze: never walked
# again), and young collections come every GC_YOUNG allocations: 0.28-0.33 s in 246 collections (gc.callbacks timing
# the bench's ours phase, two runs each). That one collection takes tens of milliseconds (75 ms on a loaded machine,
# with the poller's modules imported), which the one-shot commands need not pay. First cycle against the defaults,
# bench/poll_ab.py, interleaved: wall 12.52 -> 12.00 s (0.96x, 4 rounds in a quiet hour; 7 of 9 rounds over two
# sessions faster), clustering 0.93x.
GC_YOUNG = 20_000


def _uvloop_installed() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def loop_name() -> str:
    """'uvloop' or 'asyncio': the loop `run` uses under this environment (UserError for a bad EVENT_LOOP)."""
    wanted = os.environ.get(ENV, "").strip().lower() or "auto"
    if wanted not in CHOICES:
        raise UserError(f"{ENV}: {os.environ[ENV]!r} is not one of {', '.join(CHOICES)} (or leave it unset)")
    if wanted == "asyncio":
        return "asyncio"
    if _uvloop_installed():
        return "uvloop"
    if wanted == "uvloop":
        raise UserError(f"{ENV}: uvloop is asked for but not installed (pip install uvloop, or unset {ENV})")
    return "asyncio"


def run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on the loop `loop_name` names."""
    try:
        name = loop_name()
    except UserError:
        coro.close()  # never awaited: say nothing more about it than the error
        raise
    if name == "uvloop":
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(coro)
    return asyncio.run(coro)


@functools.cache  # once per process
def tune_gc() -> None:
    """For a process that polls: start-up's objects frozen (after a collection, so no garbage is kept), young
    collections every GC_YOUNG allocations (the older generations keep their thresholds)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
