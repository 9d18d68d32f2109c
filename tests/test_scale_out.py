"""The scale path as a whole: three `coverage-bot poll` workers on one PostgreSQL database, one of them SIGKILLed.

One loopback site serves 120 feeds (each worker is told apart by its User-Agent, set per worker in its feeds.yaml);
every feed carries off-topic items, a link it shares with another feed, and an on-topic item of one of 16 stories,
each story told by many outlets. Round 1: the first worker leases every due feed and is killed mid-cycle, after it
committed 100 feeds and while it waits on the other 20 (their server holds its requests); the two live workers take
those 20 over once the dead worker's leases expire (``poll.lease_margin_seconds`` keeps that short). Round 2: every
feed gains items (a new story, and new outlets for old stories) and the interval elapses: the feeds' schedule in the
database is moved back by one interval (the only thing the test writes there), in three slices, so the live workers
share the work. Then the server's request log and the database must show: every feed fetched in each round, none
fetched by two workers within a round (the dead worker's unanswered requests aside, re-fetched only after its leases
expired), every item stored once, every story once.

PostgreSQL only (``COVERAGE_BOT_TEST_PG``, which .ci/run sets): skipped with a reason without it, failed under CI.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from databases import PG_ADMIN_URL, database_url
from loopback import Connection, LoopbackServer, Request, Response
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

pytestmark = pytest.mark.slow

N_FEEDS = 120
STALLED = range(100, 120)  # the feeds the first worker is waiting on when it is killed
WORKERS = ("worker-0", "worker-1", "worker-2")  # worker-0 is killed
INTERVAL = 60  # seconds: the shortest interval feeds.yaml allows
UNCLUSTERED = (
    "SELECT COUNT(*) FROM items WHERE CAST(topics AS TEXT) <> '[]' AND story_id IS NULL"  # on topic, no story yet
)
# poll.deadline_seconds, a whole cycle: the first worker commits its 100 feeds in ~5 s on a busy machine.
DEADLINE = 15.0
LEASE_MARGIN = 2.0  # poll.lease_margin_seconds: a lease lasts DEADLINE + LEASE_MARGIN
WAIT = 60.0  # seconds any one step may take before the test gives up (loops are bounded by it)
TOPICS = {"rare-earths": {"rules": [{"any": ["rare earth*", "neodymium"]}]}}
# Sixteen events distinct in every name; the words they share weigh little (tests/test_stories.py tunes the clustering).
COMPANIES = ["Lynas", "MP Materials", "Iluka", "Neo Performance", "Arafura", "Energy Fuels", "Ucore", "Vulcan Elements",
             "Solvay", "Shin-Etsu", "Torngat Metals", "Mkango", "Pensana", "Hastings", "Ionic", "Peak"]  # fmt: skip
CITIES = ["Kalgoorlie", "Fort Worth", "Perth", "Narva", "Darwin", "Utah", "Louisiana", "Benson",
          "La Rochelle", "Tokyo", "Quebec", "Warsaw", "Hull", "Gascoyne", "Phalaborwa", "Tanga"]  # fmt: skip
EVENTS = ["strike", "flood", "merger", "lawsuit", "auction", "recall", "tender", "audit",
          "fire", "election", "boycott", "subsidy", "blockade", "drought", "bailout", "patent"]  # fmt: skip


VERBS = ["hits", "halts", "rocks", "delays", "shakes", "stalls", "slows", "upends",
         "disrupts", "threatens", "clouds", "lifts", "boosts", "blocks", "freezes", "spurs"]  # fmt: skip
LEADS = [
    "{company} confirmed the {event} near {city}, a setback for its rare earth plans.",
    "Officials in {city} said the {event} would reach {company}'s rare earth output within weeks.",
    "Analysts expect the {event} to cost {company} part of this year's rare earth sales in {city}.",
    "The {event} leaves {company} weighing how to keep rare earth shipments from {city} moving.",
]


def story(k: int) -> tuple[str, str]:
    """Title and lead of story ``k`` (0-15), as every outlet telling it words it (worded apart, as real events
    are: a fresh store's first items give the clustering no document frequencies to discount a shared template)."""
    company, city, event = COMPANIES[k], CITIES[k], EVENTS[k]
    lead = LEADS[k % len(LEADS)].format(company=company, city=city, event=event)
    return f"{company} {event} {VERBS[k]} {city}", lead


@dataclass(frozen=True)
class Item:
    guid: str
    link: str
    title: str
    summary: str
    published: datetime


@dataclass
class Site:
    """The 120 feeds; ``round`` 2 adds items to every one; the first worker's requests for STALLED are held."""

    server: LoopbackServer
    start: datetime
    round: int = 1
    killed: bool = False
    feeds: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i in range(N_FEEDS):
            self.server.route(f"/feed/{i}", self._handler(i))
            self.feeds[i] = self.server.url(f"/feed/{i}")

    def items(self, i: int, round_: int) -> list[Item]:
        """What feed ``i`` lists in a round (round 2 keeps round 1's items and adds three)."""
        url, t1, t2 = self.server.url, self.start - timedelta(minutes=30), self.start - timedelta(minutes=1)
        off = "Visitors admired roses and tulips at the spring garden show."
        out = [Item(f"{i}-o{n}", url(f"/a/{i}/o{n}"), f"Garden show {i}-{n} draws crowds", off, t1) for n in range(3)]
        shared = i % 60  # feeds i and i + 60 both list this article: stored once
        out.append(Item(f"shared-{shared}", url(f"/a/shared/{shared}"), f"Town fair number {shared} opens", off, t1))
        out.append(Item(f"{i}-s{i % 12}", url(f"/a/{i}/s{i % 12}"), *story(i % 12), t1))
        if round_ >= 2:
            out.append(Item(f"{i}-o3", url(f"/a/{i}/o3"), f"Garden show {i}-3 draws crowds", off, t2))
            new, old = 12 + i % 4, (i + 5) % 12  # a new story; a new outlet for an old one
            out.append(Item(f"{i}-s{new}", url(f"/a/{i}/s{new}"), *story(new), t2))
            out.append(Item(f"{i}-s{old}", url(f"/a/{i}/s{old}"), *story(old), t2))
        return out

    def _handler(self, i: int) -> Any:
        async def handler(request: Request, conn: Connection) -> Response | None:
            if i in STALLED and request.headers.get("user-agent") == WORKERS[0]:
                await conn.stall(WAIT)  # the first worker never gets these: it is killed waiting
                return None
            return Response(200, {"Content-Type": "application/rss+xml"}, rss(self.items(i, self.round)))

        return handler


def rss(items: list[Item]) -> bytes:
    body = "".join(
        f"<item><guid isPermaLink='false'>{escape(e.guid)}</guid><link>{escape(e.link)}</link>"
        f"<title>{escape(e.title)}</title><description>{escape(e.summary)}</description>"
        f"<pubDate>{format_datetime(e.published)}</pubDate></item>"
        for e in items
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{body}</channel></rss>".encode()


def worker_command() -> list[str]:
    """The installed console script next to this interpreter, else the module."""
    script = Path(sys.executable).with_name("coverage-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


@dataclass
class Worker:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path


@pytest.fixture
async def pg_url(tmp_path: Path) -> AsyncIterator[str]:
    if not PG_ADMIN_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("COVERAGE_BOT_TEST_PG is not set under CI: .ci/run starts PostgreSQL for this test")
        pytest.skip("the scale path needs PostgreSQL: set COVERAGE_BOT_TEST_PG (.ci/run does)")
    async with database_url("postgresql", tmp_path) as url:
        yield url


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """Started workers; any still running at the end are killed with their process group."""
    started: list[Worker] = []
    yield started
    for w in started:
        if w.proc.poll() is None:
            os.killpg(w.proc.pid, signal.SIGKILL)
            w.proc.wait(10)


def start_worker(name: str, site: Site, db: str, tmp_path: Path) -> Worker:
    config = {
        "topics": TOPICS,
        "feeds": [{"name": f"F{i:03d}", "url": url, "interval": INTERVAL} for i, url in site.feeds.items()],
        "poll": {
            "interval": INTERVAL,
            "concurrency": 32,
            "per_host": 32,  # one loopback host; the held requests must not block the rest
            "deadline_seconds": DEADLINE,
            "lease_margin_seconds": LEASE_MARGIN,
            "fetch_full_text": False,
            "max_items_per_cycle": 5000,
            "user_agent": name,
        },
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    env = {**os.environ, "DATABASE_URL": db, "ALLOW_PRIVATE_URLS": "1", "INSTANCE_ID": name}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    log = tmp_path / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*worker_command(), "poll", "--config", str(path)],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the kill takes its parse workers with it
        )
    return Worker(name, proc, log)


async def until(what: str, check: Any, workers: list[Worker]) -> float:
    """Wait (bounded by WAIT) until ``await check()`` is true; the seconds it took. A dead live worker fails fast."""
    started = time.monotonic()
    while not await check():
        for w in workers:
            if w.name != WORKERS[0] and w.proc.poll() is not None:
                raise AssertionError(f"{w.name} exited ({w.proc.returncode}): {w.log.read_text()[-2000:]}")
        if time.monotonic() - started > WAIT:
            logs = "\n".join(f"--- {w.name}\n{w.log.read_text()[-1500:]}" for w in workers)
            raise AssertionError(f"timed out waiting for {what}\n{logs}")
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def rows(engine: AsyncEngine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(sa.text(sql), params)]


async def count(engine: AsyncEngine, sql: str, **params: Any) -> int:
    return int((await rows(engine, sql, **params))[0][0])


async def test_three_workers_one_killed_fetch_each_feed_once_per_interval_and_store_each_item_once(
    pg_url: str, tmp_path: Path, workers: list[Worker]
) -> None:
    engine = create_async_engine(pg_url)
    began = time.monotonic()
    with LoopbackServer() as server:
        site = Site(server, datetime.now(UTC).replace(microsecond=0))
        log = server.requests
        try:
            # ---------------------------------------------------------------- round 1: a worker dies mid-cycle
            workers.append(start_worker(WORKERS[0], site, pg_url, tmp_path))

            async def victim_started() -> bool:
                return any(r.headers.get("user-agent") == WORKERS[0] for r in log)

            await until("the first worker's first request", victim_started, workers)
            workers += [start_worker(name, site, pg_url, tmp_path) for name in WORKERS[1:]]

            async def victim_mid_cycle() -> bool:
                held = sum(1 for r in log if r.headers.get("user-agent") == WORKERS[0] and _feed(r) in STALLED)
                done = await count(engine, "SELECT COUNT(*) FROM feeds WHERE last_success_at IS NOT NULL")
                return held > 0 and done == N_FEEDS - len(STALLED)

            committed_in = await until("the first worker to commit its other feeds", victim_mid_cycle, workers)
            assert workers[0].proc.poll() is None, "the first worker finished its cycle before it could be killed"
            os.killpg(workers[0].proc.pid, signal.SIGKILL)
            killed_at, killed_wall = time.monotonic(), datetime.now(UTC)
            workers[0].proc.wait(10)
            leases = await rows(
                engine, "SELECT id, name, lease_owner, lease_until FROM feeds WHERE lease_owner IS NOT NULL"
            )
            # Everything the dead worker still holds: exactly the feeds it was waiting on.
            assert sorted(int(name[1:]) for _, name, _, _ in leases) == list(STALLED), workers[0].log.read_text()[
                -2000:
            ]
            assert len({owner for _, _, owner, _ in leases}) == 1
            expiry = max(until_ for *_, until_ in leases)

            async def taken_over() -> bool:
                return await count(engine, "SELECT COUNT(*) FROM feeds WHERE last_success_at IS NOT NULL") == N_FEEDS

            await until("the dead worker's feeds to be taken over", taken_over, workers)
            # Taken over only after the leases expired: each was leased by a cycle that began after lease_until.
            later = await rows(
                engine, "SELECT name, last_attempt_at FROM feeds WHERE name = ANY(:n)", n=_names(STALLED)
            )
            assert all(attempt > expiry for _, attempt in later), (expiry, later)
            expires_after_kill = (expiry - killed_wall).total_seconds()

            async def quiet() -> bool:
                return await count(engine, "SELECT COUNT(*) FROM feeds WHERE lease_owner IS NOT NULL") == 0

            await until("the takeover cycle to finish", quiet, workers)

            # ---------------------------------------------------------------- round 2: the interval elapses
            site.round = 2
            round2 = time.monotonic()
            for part in range(3):  # in slices, so both live workers get some
                async with engine.begin() as conn:
                    await conn.execute(
                        sa.text(
                            "UPDATE feeds SET next_poll_at = next_poll_at - make_interval(secs => :s), "
                            "last_attempt_at = last_attempt_at - make_interval(secs => :s) WHERE id % 3 = :p"
                        ),
                        {"s": INTERVAL, "p": part},
                    )
                await asyncio.sleep(0.7)
            since = datetime.now(UTC) - timedelta(seconds=5)

            async def round_done() -> bool:
                # a feed's lease is freed with its items; the cycle clusters them once every feed is done, and a
                # worker stopped before that leaves them to the next cycle (the SIGTERM below cancels its cycle)
                return (
                    await count(engine, "SELECT COUNT(*) FROM feeds WHERE last_attempt_at > :t", t=since) == N_FEEDS
                    and await count(engine, "SELECT COUNT(*) FROM feeds WHERE lease_owner IS NOT NULL") == 0
                    and await count(engine, UNCLUSTERED) == 0
                )

            await until("every feed polled again", round_done, workers)
            for w in workers[1:]:
                w.proc.send_signal(signal.SIGTERM)
            for w in workers[1:]:
                assert w.proc.wait(30) == 0, w.log.read_text()[-2000:]
        finally:
            requests = [
                (r.received_at, _feed(r), r.headers.get("user-agent")) for r in log if r.route.startswith("/feed/")
            ]
        stored = await rows(engine, "SELECT link, COUNT(*) FROM items GROUP BY link")
        stories = await rows(engine, "SELECT id, title FROM stories")
        members = await rows(
            engine,
            "SELECT title, COUNT(DISTINCT story_id), COUNT(*) FROM items WHERE story_id IS NOT NULL GROUP BY title",
        )
        expected_links = {e.link for i in range(N_FEEDS) for e in site.items(i, 2)}
    await engine.dispose()

    # ---------------------------------------------------------------- the request log
    by_round: dict[int, dict[int, list[tuple[float, str]]]] = {1: {}, 2: {}}
    for at, feed, agent in requests:
        by_round[1 if at < round2 else 2].setdefault(feed, []).append((at, agent))
    live = set(WORKERS[1:])
    for i in range(N_FEEDS):
        first, second = sorted(by_round[1].get(i, [])), sorted(by_round[2].get(i, []))
        if i in STALLED:  # held for the dead worker (if it got to ask), then fetched once by a live one, later
            dead = [at for at, agent in first if agent == WORKERS[0]]
            taken = [(at, agent) for at, agent in first if agent != WORKERS[0]]
            assert len(dead) <= 1 and len(taken) == 1 and taken[0][1] in live, (i, first)
            assert taken[0][0] > killed_at, (i, first)
        else:  # answered to the first worker, committed, and due again only after the interval
            assert [agent for _, agent in first] == [WORKERS[0]], (i, first)
        assert len(second) == 1 and second[0][1] in live, (i, second)  # the round after: once, by a live worker
    takeover = min(at for at, feed, agent in requests if feed in STALLED and agent != WORKERS[0]) - killed_at
    round2_share = {w: sum(1 for f in by_round[2].values() for _, a in f if a == w) for w in WORKERS[1:]}

    # ---------------------------------------------------------------- the database
    assert {link for link, _ in stored} == expected_links
    assert all(n == 1 for _, n in stored), [x for x in stored if x[1] != 1]
    assert len(stories) == 16 and len({title for _, title in stories}) == 16, stories
    assert len(members) == 16 and all(n_stories == 1 for _, n_stories, _ in members), members
    assert sum(n for *_, n in members) == N_FEEDS * 3  # one on-topic item per feed in round 1, two more in round 2

    print(
        f"\nscale-out: {N_FEEDS} feeds (the first worker committed {N_FEEDS - len(STALLED)} in {committed_in:.1f} s), {len(requests)} feed requests "
        f"({len(requests) / N_FEEDS:.2f} per feed over 2 rounds; {len(STALLED)} held for the killed worker), "
        f"{len(expected_links)} items stored once, 16 stories; the dead worker's leases ({DEADLINE:g} + {LEASE_MARGIN:g} s) "
        f"expired {expires_after_kill:.1f} s after the kill, taken over {takeover - expires_after_kill:.1f} s later; "
        f"round 2 by worker: {round2_share}; wall {time.monotonic() - began:.1f} s"
    )


def _feed(request: Request) -> int:
    return int(request.route.rsplit("/", 1)[1]) if request.route.startswith("/feed/") else -1


def _names(feeds: range) -> list[str]:
    return [f"F{i:03d}" for i in feeds]
