"""Feed parsing, topic scoring, page extraction and article analysis in worker processes: feedparser, the topic
matcher, trafilatura and the summarizer are pure Python and hold the GIL, so threads cannot run two at once, while a
pool of processes works on every core as the event loop keeps fetching (the poller hands it bot.candidates.read_feed
and judge_page).

API::

    pool = ParsePool(workers=None)          # os.cpu_count() processes, started on first use (processes=False: threads)
    pool.start()                            # ... or now, in the background (a command, before it opens its store)
    result = await pool.call(fn, *args)     # any module-level function (pickled by reference), e.g. extraction
    result = await pool.call(fn, *args, size=len(body))   # the same, inline when the input is small
    result = await pool.call(fn, *args, timeout=10.0)     # TimeoutError after 10 s of its run (queueing not counted);
                                             # at 20 s its worker is killed and the pool replaced
    batch = pool.start_batch(fn, [args, ...], at_once=1)   # handed over by a thread, not the loop, one at a time;
    batch.at_once = 2; answers = await batch.answers        # ... two at a time from the next answer on
    pool.close()                             # or `async with ParsePool() as pool:`
    shared_parse_pool() -> ParsePool         # one per process, reused by every poll cycle, closed at exit

Small inputs (``size`` up to ``inline_bytes``) are worked on right here (a process hop costs more than they do). Where processes cannot be
started (no working semaphores, a sandbox), or after the pool broke twice (a worker killed), feeds are parsed in a
thread instead: slower, never wrong. A call that runs on past STUCK_AFTER_TIMEOUTS times its timeout (a page that
trafilatura never finishes) has its worker processes killed and the pool replaced; the other calls they held run
again in the new one, and that does not count as the pool breaking.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# Bodies up to this size are parsed on the event loop: a 4 kB feed takes about 1 ms, less than the round trip to a
# worker. (bench/poll.py feeds are 29 kB: about 7.3 ms each in parse_feed, 6.5 ms of it in feedparser.)
INLINE_PARSE_BYTES = 4 * 1024
# After this many broken pools (a worker killed by the OOM killer, say) parsing stays in threads.
MAX_POOL_FAILURES = 2
# Workers run this much nicer than the poller, whose event loop (storing what they parsed, answering Telegram) is the
# critical path; parsing fills the CPU it leaves. bench/poll.py first cycle, 2 cores, three interleaved rounds of
# --repeat 3: 4.19 / 4.24 / 6.41 s with it, 4.64 / 4.73 / 6.53 s without.
WORKER_NICENESS = 5
# What the fork server imports once for every worker: parsing, scoring, extraction, analysis (no database code). A
# module the workers run but the fork server did not import is imported by each worker, in memory of its own: without
# bot.story_analysis (the analysis' modules: numpy, regex, syntok ...) each worker held 64 against 52 MB PSS in the
# feeds phase of bench/poll.py's first cycle.
WORKER_MODULES = (
    "bot.feeds",
    "bot.candidates",
    "bot.articles",
    "bot.story_analysis",
    "trafilatura",
    "trafilatura.metadata",
    "summarizer",
)
# Work handed to the processes at once, per worker; the rest waits its turn here, so a call's timeout counts the
# time its work runs, not the time it queued behind a burst of feeds (bench/poll.py first cycle, before this bound:
# 129-272 of ~2,500 pages abandoned as "over 10 s" while their extraction had not even started). Two keep each
# worker fed while the next result travels back.
QUEUED_PER_WORKER = 2
# A call still running at this many times its timeout is stuck (its caller had its TimeoutError at 1x): its worker is
# killed, so work that never ends cannot hold a worker for good (pages are bounded before trafilatura, bot.articles:
# the worst shape measured takes about 2 s of the 10 s allowed).
STUCK_AFTER_TIMEOUTS = 2


class ParsePool:
    """Module-level functions (bot.feeds.parse_feed, bot.candidates.read_feed ...) in a lazily started pool of worker
    processes, reused until closed."""

    def __init__(
        self, workers: int | None = None, inline_bytes: int = INLINE_PARSE_BYTES, processes: bool = True
    ) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.inline_bytes = inline_bytes
        self._pool: ProcessPoolExecutor | None = None
        self._failures = 0 if processes else MAX_POOL_FAILURES  # processes=False: threads only
        self._lock = threading.Lock()  # the shared pool may be used from several event loops (threads)
        self._lifeline: Connection | None = None  # write end; see _executor
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )  # per event loop: work handed to the processes and not finished
        self._replaced: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()  # killed for a stuck call

    async def __aenter__(self) -> ParsePool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the worker processes now, in the background: a command calls this before it opens its store, so that
        they import their modules (0.6-0.9 s) meanwhile, not while its first cycle's first feeds wait for them. Once
        started (or in threads), nothing to do."""
        if self._pool is not None or not self.uses_processes:
            return
        pool = self._executor()
        if pool is None:
            return
        try:
            for _ in range(self.workers):  # a worker process is started for a call when none is idle
                pool.submit(_ready)
        except Exception as exc:  # as in call(): the pool is replaced, or the work goes to threads
            self._broken(pool, f"cannot start a worker ({type(exc).__name__}: {exc})")

    @property
    def uses_processes(self) -> bool:
        """Whether feeds go to worker processes (False once processes proved unavailable)."""
        return self._failures < MAX_POOL_FAILURES

    async def call(self, fn: Callable[..., T], *args: Any, size: int | None = None, timeout: float | None = None) -> T:
        """``fn(*args)`` in a worker process (a thread where processes are unavailable); ``fn`` must be importable.

        ``size``: the bytes the work reads; up to ``inline_bytes`` it runs right here (cheaper than the hop).
        ``timeout``: TimeoutError once the work has run this many seconds (waiting for a free worker not counted);
        a worker finishes abandoned work on its own, unless it is still at it at STUCK_AFTER_TIMEOUTS times that.
        """
        if size is not None and size <= self.inline_bytes:
            return fn(*args)
        if not self.uses_processes:
            return await _in_thread(fn, args, timeout)
        slots = self._slots_here()
        await slots.acquire()
        pool = self._executor()  # started here, after the wait: the pool may have been replaced meanwhile
        if pool is None:  # processes cannot be started
            slots.release()
            return await _in_thread(fn, args, timeout)
        try:
            future = asyncio.get_running_loop().run_in_executor(pool, fn, *args)
        except Exception as exc:  # a worker could not be started (no main guard in the script, fork limits, ...)
            slots.release()
            self._broken(pool, f"cannot start a worker ({type(exc).__name__}: {exc})")
            return await _in_thread(fn, args, timeout)
        future.add_done_callback(lambda _: slots.release())  # finished, failed or cancelled: the slot is free
        try:
            if timeout is None:
                return await future
            try:
                return await asyncio.wait_for(asyncio.shield(future), timeout)  # the slot stays taken until it ends
            except TimeoutError:
                self._watch(pool, future, timeout * (STUCK_AFTER_TIMEOUTS - 1))
                raise
            except asyncio.CancelledError:  # its caller gave up first (a cycle's deadline): watched all the same
                self._watch(pool, future, timeout * STUCK_AFTER_TIMEOUTS)
                raise
        except BrokenProcessPool:
            if pool in self._replaced:  # killed for another call that was stuck: this one runs again
                return await self.call(fn, *args, timeout=timeout)
            self._broken(pool, "a worker died")
            return await _in_thread(fn, args, timeout)

    def start_batch(self, fn: Callable[..., T], calls: Sequence[tuple[Any, ...]], at_once: int) -> Batch[T]:
        """``fn(*args)`` for each ``args`` of ``calls``, answers in order (``await batch.answers``): handed to the
        worker processes ``at_once`` at a time by a thread of this process, not by the event loop, so the work goes on
        while the loop is held (the poller's articles, analysed while it clusters: one worker fewer than the cores
        leaves a core to the clustering; ``batch.at_once`` may be raised once it is done). Started at once; cancel
        the answers to stop handing out the rest. No timeout; where processes are unavailable, or the pool breaks,
        the rest runs in that thread. Calls made meanwhile queue behind it. Each call's arguments are let go once it
        is answered (the batch holds its own list of them)."""
        stop = threading.Event()
        batch: Batch[T] = Batch(max(1, at_once))
        batch.answers = asyncio.get_running_loop().run_in_executor(None, self._feed, fn, list(calls), batch, stop)
        batch.answers.add_done_callback(lambda _: stop.set())  # (cancelled: the thread hands out no more)
        return batch

    def _feed(
        self, fn: Callable[..., T], calls: list[tuple[Any, ...]], batch: Batch[T], stop: threading.Event
    ) -> list[T]:
        """start_batch's thread: keeps ``batch.at_once`` calls in the workers until all are answered."""
        answers: list[Any] = [None] * len(calls)
        waiting = list(range(len(calls)))[::-1]  # popped from the end: first call first
        running: dict[concurrent.futures.Future[T], int] = {}
        pool = self._executor() if self.uses_processes else None
        while (waiting or running) and not stop.is_set():
            while pool is not None and waiting and len(running) < batch.at_once:
                try:
                    running[pool.submit(fn, *calls[waiting[-1]])] = waiting[-1]
                except Exception as exc:  # a worker could not be started, or the pool broke meanwhile
                    self._broken(pool, f"cannot hand work to the workers ({type(exc).__name__}: {exc})")
                    pool = None
                    break
                waiting.pop()
            if pool is None:  # processes unavailable or broken: the rest here
                for n in [*running.values(), *waiting]:
                    answers[n] = fn(*calls[n])
                return answers
            done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                try:
                    answers[running[future]] = future.result()
                    calls[running[future]] = ()  # its arguments are let go (a batch's texts, say)
                except BrokenProcessPool:
                    if pool not in self._replaced:  # (killed for another call that was stuck: not this pool's fault)
                        self._broken(pool, "a worker died")
                    pool = None
                    break
                del running[future]
        for future in running:  # stopped: what has not started is not wanted
            future.cancel()
        return answers

    def _watch(self, pool: ProcessPoolExecutor, future: asyncio.Future[Any], grace: float) -> None:
        """A call its caller gave up on: if it still runs ``grace`` seconds from now, replace the pool."""
        future.add_done_callback(_retrieved)  # nobody awaits it any more
        timer = asyncio.get_running_loop().call_later(grace, self._replace_if_running, pool, future)
        future.add_done_callback(lambda _: timer.cancel())

    def _replace_if_running(self, pool: ProcessPoolExecutor, future: asyncio.Future[Any]) -> None:
        if future.done():
            return
        log.warning("a call to the worker processes ran past %dx its timeout: replacing them", STUCK_AFTER_TIMEOUTS)
        with self._lock:
            self._replaced.add(pool)
            if self._pool is pool:
                self._pool = None
                self._cut_lifeline()
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()  # no public API stops a busy worker; the pool then breaks, failing what it held
        pool.shutdown(wait=False)

    def _slots_here(self) -> asyncio.Semaphore:
        """This event loop's bound on work handed to the processes (QUEUED_PER_WORKER per worker)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            slots = self._slots.get(loop)
            if slots is None:
                slots = self._slots[loop] = asyncio.Semaphore(self.workers * QUEUED_PER_WORKER)
            return slots

    def close(self) -> None:
        """Stop the worker processes (queued parses are cancelled); the pool starts again if used later."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        self._cut_lifeline()

    def _cut_lifeline(self) -> None:
        """Close the workers' lifeline (the workers of a pool shut down or broken exit, if they have not yet)."""
        lifeline, self._lifeline = self._lifeline, None
        if lifeline is not None:
            lifeline.close()

    def _executor(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._pool is not None or not self.uses_processes:
                return self._pool
            try:
                context = _context()
                # The workers' lifeline: they hold its read end, only this process its write end, so they see EOF and
                # exit when this process is gone, even SIGKILLed (they would otherwise wait on their queue for ever,
                # each holding the fork server open too).
                lifeline, self._lifeline = context.Pipe(duplex=False)
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=context,
                    initializer=_worker_start,
                    initargs=(lifeline, LogSetup.of_this_process()),
                )
            except (OSError, ImportError, NotImplementedError, ValueError) as exc:
                self._failures = MAX_POOL_FAILURES
                log.warning("feed parsing stays in threads: worker processes unavailable (%s)", exc)
            return self._pool

    def _broken(self, pool: ProcessPoolExecutor, why: str) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
                self._failures += 1
        pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            if self._pool is None:
                self._cut_lifeline()
        log.warning("%s; %s", why, "starting a new pool" if self.uses_processes else "parsing in threads from now on")


class Batch(Generic[T]):
    """Work started with ParsePool.start_batch: ``answers`` to await; ``at_once``, the calls kept in the workers at a
    time, read by the batch's thread each time a call is answered (so it may be raised while the batch runs)."""

    def __init__(self, at_once: int) -> None:
        self.at_once = at_once
        self.answers: asyncio.Future[list[T]]


def _retrieved(future: asyncio.Future[Any]) -> None:
    """Take an abandoned call's outcome, so that its failure is not reported as never retrieved."""
    if not future.cancelled():
        future.exception()


async def _in_thread(fn: Callable[..., T], args: tuple[Any, ...], timeout: float | None) -> T:
    """``fn(*args)`` in a thread of this process: where worker processes are unavailable or just broke."""
    return await asyncio.wait_for(asyncio.to_thread(fn, *args), timeout)


def _ready() -> None:
    """Nothing: the call ParsePool.start hands each worker so that it starts."""


@dataclass(frozen=True)
class LogSetup:
    """How this process logs (the root logger's level, and its handlers' format), for the worker processes to log the
    same way: a worker starts with logging unconfigured, where Python's last resort prints a warning bare and drops
    everything below it, whatever LOG_LEVEL says."""

    level: int
    format: str | None = None  # None: no handler here either (a library's caller that set none up)
    datefmt: str | None = None

    @classmethod
    def of_this_process(cls) -> LogSetup:
        root = logging.getLogger()
        formatter = next((h.formatter for h in root.handlers if h.formatter is not None), None)
        if formatter is None:
            return cls(root.level, logging.BASIC_FORMAT if root.handlers else None)
        return cls(root.level, formatter._fmt, formatter.datefmt)

    def apply(self) -> None:
        """Configure this (worker) process's root logger so."""
        if self.format is not None:
            logging.basicConfig(level=self.level, format=self.format, datefmt=self.datefmt, force=True)
        else:
            logging.getLogger().setLevel(self.level)


def _worker_start(lifeline: Connection, logs: LogSetup | None = None) -> None:
    """Runs in each worker as it starts: it logs as the poller does (``logs``), parsing yields the CPU to the poller,
    whose event loop is the critical path, and the worker exits as soon as the process that started the pool is
    gone.

    SIGINT is ignored: Ctrl-C at a terminal signals the whole process group, and each worker printed a
    KeyboardInterrupt traceback and died while the poller was stopping them itself (the fork server ignores it
    already)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if logs is not None:
        logs.apply()
    with contextlib.suppress(AttributeError, OSError):  # no nice() on this platform
        os.nice(WORKER_NICENESS)
    threading.Thread(target=_exit_with_owner, args=(lifeline,), name="lifeline", daemon=True).start()


def _exit_with_owner(lifeline: Connection) -> None:
    """Wait for the lifeline's end: nothing is ever sent, so EOF means its owner closed the pool or died."""
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv_bytes()
    os._exit(0)


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where there is one (workers fork from a clean process with bot.feeds imported; forking the poller
    itself, with its threads, is unsafe), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(WORKER_MODULES))
        return context
    return multiprocessing.get_context("spawn")


_shared: ParsePool | None = None
_shared_lock = threading.Lock()


def shared_parse_pool() -> ParsePool:
    """The process-wide pool every poll cycle uses unless given its own; closed when the interpreter exits."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ParsePool()
            atexit.register(_shared.close)
        return _shared
