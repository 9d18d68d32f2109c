"""bot.parse_pool: feeds parsed in real worker processes give what parse_feed gives, and a dead worker costs nothing."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime

import pytest

from bot.feeds import parse_feed
from bot.parse_pool import INLINE_PARSE_BYTES, WORKER_NICENESS, ParsePool

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
HEADERS = {"content-type": "application/rss+xml"}


def feed(items: int) -> bytes:
    entries = "".join(
        f"<item><title>Rare earth quota {i}</title><link>/news/{i}?utm_source=x</link><guid>{i}</guid>"
        f"<description>&lt;p&gt;Neodymium &amp;amp; more, part {i}&lt;/p&gt;</description>"
        f"<pubDate>Mon, 23 Nov 2026 0{i % 10}:00:00 GMT</pubDate></item>"
        for i in range(items)
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{entries}</channel></rss>".encode()


@pytest.fixture
def pool():
    p = ParsePool(workers=1, inline_bytes=0)  # every body goes to the worker process
    yield p
    p.close()


def _worker_pids(pool: ParsePool) -> list[int]:
    executor = pool._pool
    return [] if executor is None else list(executor._processes)


async def test_worker_parse_equals_parse_feed_and_the_worker_is_reused(pool: ParsePool) -> None:
    body = feed(30)
    expected = parse_feed(body, HEADERS, "https://e.com/rss/feed.xml", now=NOW)
    first = await pool.parse(body, HEADERS, "https://e.com/rss/feed.xml", NOW)
    pids = _worker_pids(pool)
    second = await pool.parse(body, HEADERS, "https://e.com/rss/feed.xml", NOW)
    assert first == expected == second and len(first.items) == 30
    assert first.items[3].link == "https://e.com/news/3" and first.items[3].guid == "https://e.com/rss/3"
    assert len(pids) == 1 and pids[0] != os.getpid() and _worker_pids(pool) == pids
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    assert os.getpriority(os.PRIO_PROCESS, pids[0]) == min(19, mine + WORKER_NICENESS)  # parsing yields the CPU


async def test_a_killed_worker_falls_back_then_a_new_pool_starts(pool: ParsePool) -> None:
    body = feed(5)
    await pool.parse(body, HEADERS, "https://e.com/feed", NOW)
    (pid,) = _worker_pids(pool)
    os.kill(pid, signal.SIGKILL)
    parsed = await pool.parse(body, HEADERS, "https://e.com/feed", NOW)  # BrokenProcessPool -> parsed in a thread
    assert len(parsed.items) == 5 and pool.uses_processes
    again = await pool.parse(body, HEADERS, "https://e.com/feed", NOW)
    assert again == parsed and _worker_pids(pool) not in ([], [pid])


async def test_small_bodies_stay_inline_and_close_stops_the_workers() -> None:
    pool = ParsePool(workers=1)
    small = feed(1)
    assert len(small) <= INLINE_PARSE_BYTES
    assert (await pool.parse(small, HEADERS, "https://e.com/feed", NOW)).items and pool._pool is None
    big = feed(200)
    assert len(big) > INLINE_PARSE_BYTES
    assert len((await pool.parse(big, HEADERS, "https://e.com/feed", NOW)).items) == 200
    (pid,) = _worker_pids(pool)
    pool.close()
    assert pool._pool is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
