"""Retention (issue 12.10): old items, stories and finished deliveries pruned in short batches, never what a
pending delivery or a story still shown needs, without holding up a poll cycle's writes."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from botapi import StorySeeder
from databases import FULL_SCAN, query, sqlite_plans
from loopback import LoopbackServer, Request, Response

from bot.clock import utcnow
from bot.fetch import Fetcher, FetchLimits
from bot.models import FeedSuccess
from bot.poller import poll_once
from bot.retention import cutoff, prune_old
from bot.schema import deliveries_t, feeds_t, items_t, stories_t
from bot.settings import parse_config
from bot.store import Store

ALL_BACKENDS = True  # the store fixture: SQLite, and PostgreSQL when COVERAGE_BOT_TEST_PG is set (conftest.py)

OLD_ITEMS = 200_000


def _bulk_old_items(db: Path, feed_id: int, n: int, when: datetime) -> None:
    """``n`` off-topic items seen at ``when``, written straight into the SQLite file (fast set-up only)."""
    stamp = when.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO items (feed_id, identity, link, title, seen_at, state, topics, terms, relevance, alertable)"
            " VALUES (?, ?, ?, ?, ?, 'done', '[]', '{}', 0, 0)",
            ((feed_id, f"old-{k}", f"https://old.example/{k}", f"Old item {k}", stamp) for k in range(n)),
        )


@pytest.mark.slow
async def test_old_items_are_pruned_in_batches_without_holding_up_writes(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    store = await Store.open(f"sqlite+aiosqlite:///{db}")
    now = utcnow()
    old = now - timedelta(days=120)
    try:
        seeder = StorySeeder(store)
        kept_recent = await seeder.story("Fresh story", outlets=("Wire A", "Wire B"), when=now - timedelta(days=1))
        old_story = await seeder.story("Old story", outlets=("Wire A", "Wire B"), when=old)
        held = await seeder.story("Old story a pending delivery holds", when=old)
        ((feed_id,),) = await query(store, "SELECT id FROM feeds WHERE name = 'Wire A'")
        sub = await store.subscribe(42, ["rare-earths"])
        assert await store.begin_delivery(sub.id, "digest", "d-1", [held]) is not None  # still pending
        await store.close()
        _bulk_old_items(db, feed_id, OLD_ITEMS, old)
        store = await Store.open(f"sqlite+aiosqlite:///{db}")
        before = await store.size()
        assert before.items == OLD_ITEMS + 5 and before.stories == 3 and before.bytes and before.bytes > 10_000_000

        # A writer doing what a poll cycle does (a feed's transaction) while pruning runs: its worst wait.
        waits: list[float] = []
        done = asyncio.Event()

        async def poll_writes() -> None:
            while not done.is_set():
                started = time.perf_counter()
                async with store.feed_transaction() as tx:
                    outcome = FeedSuccess(status=304, etag=None, last_modified=None, next_poll_at=now)
                    await tx.record_outcome(feed_id, outcome, now)
                waits.append(time.perf_counter() - started)
                await asyncio.sleep(0.02)

        writer = asyncio.create_task(poll_writes())
        reports = []
        for _ in range(50):  # bounded: 200,000 rows need ~3 quiet moments of 20 batches
            report = await prune_old(store, days_kept=90, now=now)
            reports.append(report)
            if report.finished:
                break
        done.set()
        await writer
        assert reports[-1].finished and len(reports) >= 2  # spread over several quiet moments
        assert sum(r.items for r in reports) == OLD_ITEMS
        assert max(waits) < 1.0, f"a poll-cycle write waited {max(waits):.2f} s"  # issue 12.10's bound

        after = await store.size()
        stories = {r[0] for r in await query(store, "SELECT id FROM stories")}
        assert stories == {kept_recent, held}  # the old story went; the one a pending delivery holds stays
        assert old_story not in stories
        assert after.items == 3  # the fresh story's two members and the held story's one
        assert (await query(store, "SELECT count(*) FROM items WHERE story_id IS NULL"))[0][0] == 0
    finally:
        await store.close()


async def test_finished_deliveries_go_pending_ones_stay(store: Store) -> None:
    now = utcnow()
    seeder = StorySeeder(store)
    story = await seeder.story("Old story", when=now - timedelta(days=100))
    sub = await store.subscribe(7, ["rare-earths"])
    sent = await store.begin_delivery(sub.id, "digest", "sent-one", [story])
    assert sent is not None
    await store.finish_delivery(sent, [1])
    report = await store.prune(now + timedelta(days=1))  # everything is older than this cutoff
    assert report.deliveries == 1 and report.stories == 1 and report.finished
    assert await query(store, "SELECT count(*) FROM deliveries") == [(0,)]


async def test_pruning_searches_what_is_old_and_reads_nothing_when_nothing_is(tmp_path: Path) -> None:
    """qa16 F6: on SQLite retention with nothing to prune read every story and every delivery (SCAN), 46-50 ms a cycle
    at 90 days, and each batch of items sorted every prunable item again (USE TEMP B-TREE FOR ORDER BY): 6.7-12 s a
    call pruning 60 days. Every statement is now a range of an index, items and stories in the order they go."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    now = utcnow()
    try:
        seeder = StorySeeder(store)
        story = await seeder.story("Old story", when=now - timedelta(days=100))
        await seeder.story("Old rare earth story", when=now - timedelta(days=100))
        sub = await store.subscribe(7, ["rare-earths"])
        sent = await store.begin_delivery(sub.id, "digest", "sent-one", [story])
        assert sent is not None
        await store.finish_delivery(sent, [1])
        async with sqlite_plans(store) as plans:
            idle = await store.prune(now - timedelta(days=365))
            report = await store.prune(now + timedelta(days=1), batch=1)  # one row a batch: several batches each
        assert (idle.deliveries, idle.items, idle.stories) == (0, 0, 0)
        assert (report.deliveries, report.stories) == (1, 2) and report.finished
    finally:
        await store.close()
    scans = [(statement[:90], step) for statement, plan in plans for step in plan if FULL_SCAN.match(step)]
    assert plans and scans == []
    sorted_again = [
        statement[:90]
        for statement, plan in plans
        if statement.startswith(("SELECT items.id", "SELECT stories.id")) and "USE TEMP B-TREE FOR ORDER BY" in plan
    ]
    assert sorted_again == []


async def test_a_pruned_storys_number_is_never_given_again(store: Store) -> None:
    """Users type story numbers from old digests (/summary 3). On SQLite, once retention had pruned every story (as
    after a long idle spell), the next story took number 1 again, and an old digest's "/summary 1" showed it."""
    now = utcnow()
    seeder = StorySeeder(store)
    old = [await seeder.story(f"Old rare earth story {k}", when=now - timedelta(days=100)) for k in range(3)]
    report = await prune_old(store, days_kept=90, now=now)
    assert report.stories == 3 and await query(store, "SELECT count(*) FROM stories") == [(0,)]

    new = await seeder.story("Brand new rare earth story about Lynas", when=now - timedelta(hours=1))
    assert new > max(old)
    assert await store.last_story_id() == new  # what /summary N tells a pruned number by


def test_retention_never_cuts_into_what_the_bot_still_shows() -> None:
    now = datetime(2026, 12, 3, tzinfo=UTC)
    assert _kept(retention_days=1) == 15  # /trend's 15 days are kept whatever the setting
    assert cutoff(_kept(retention_days=90), now) == now - timedelta(days=90)


def _kept(**poll: float) -> float:
    """PollSettings.days_kept, the one rule for how long things are kept, of a feeds.yaml with these poll settings."""
    feeds = [{"name": "a", "url": "https://example.com/f"}]
    return parse_config({"topics": {"t": {"rules": [{"any": ["x"]}]}}, "feeds": feeds, "poll": poll}).poll.days_kept


async def test_poll_once_prunes_and_logs_the_period_in_force(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """retention_days 3 with max_age_days 7 keeps 15 days (/trend's): `poll --once` said it pruned what was "older than
    7 days" while it pruned what was older than 15 (the period was worked out three times, two ways)."""
    import logging

    from bot.app import poll_command
    from bot.netpolicy import PrivateNetworks
    from bot.settings import Settings

    db = tmp_path / "bot.db"
    with LoopbackServer() as server:
        server.route(
            "/feed", Response(200, {"Content-Type": "application/rss+xml"}, b"<rss version='2.0'><channel/></rss>")
        )
        config = parse_config(
            {
                "topics": {"t": {"rules": [{"any": ["rare earth"]}]}},
                "feeds": [{"name": "Blog", "url": server.url("/feed")}],
                "poll": {"retention_days": 3, "max_age_days": 7},
            }
        )
        settings = Settings(database_url=f"sqlite+aiosqlite:///{db}", allow_private_urls=PrivateNetworks.parse("true"))
        await poll_command(config, settings)  # the feed's row
        with sqlite3.connect(db) as conn:
            (feed_id,) = conn.execute("SELECT id FROM feeds").fetchone()
        _bulk_old_items(db, feed_id, 4, datetime.now(UTC) - timedelta(days=20))
        ten_days = (datetime.now(UTC) - timedelta(days=10)).replace(tzinfo=None).isoformat(sep=" ")
        with sqlite3.connect(db) as conn:  # one of them ten days old: kept, /trend still counts it
            conn.execute("UPDATE items SET identity = 'ten days', seen_at = ? WHERE identity = 'old-0'", (ten_days,))
        with caplog.at_level(logging.INFO, logger="bot.retention"):
            await poll_command(config, settings)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT identity FROM items").fetchall() == [("ten days",)]
    assert [r.getMessage() for r in caplog.records if r.name == "bot.retention"] == [
        "retention: deleted 3 items, 0 stories, 0 deliveries older than 15 days"
    ]


def test_items_are_kept_at_least_as_long_as_they_are_read() -> None:
    """An item is read while it is at most max_age_days old: a record pruned sooner (retention_days 20, max_age_days
    30) let a feed still listing the item bring it again as new, a new story and an alert for month-old news."""
    assert _kept(retention_days=20, max_age_days=30) == 30
    assert _kept(retention_days=90, max_age_days=7) == 90
    assert _kept() == 90  # the defaults


# ---------------------------------------------------------------- what a feed still lists is never new again

_AGED = {
    items_t: ("seen_at", "published_at", "listed_at"),
    stories_t: ("first_seen", "updated_at"),
    deliveries_t: ("created_at", "finished_at"),
    feeds_t: ("last_attempt_at", "last_success_at", "next_poll_at"),
}


async def _age(store: Store, by: timedelta) -> None:
    """Every date in the store moved ``by`` into the past: time passes without waiting (either backend)."""
    async with store.engine.begin() as conn:
        for table, columns in _AGED.items():
            for row in (await conn.execute(sa.select(table.c.id, *(table.c[c] for c in columns)))).mappings():
                moved = {c: row[c] - by for c in columns if row[c] is not None}
                await conn.execute(table.update().where(table.c.id == row["id"]).values(moved))


def _undated_rss(items: list[tuple[str, str, str]]) -> str:
    """An RSS feed whose items carry no date (link, title, description)."""
    entries = "".join(
        f"<item><guid>{link}</guid><link>{link}</link><title>{title}</title><description>{text}</description></item>"
        for link, title, text in items
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{entries}</channel></rss>"


async def test_an_item_a_feed_still_lists_is_never_new_again_after_retention(store: Store) -> None:
    """Undated items are read whatever their age (nothing says how old they are). Retention deleted the only record
    that one was seen, and a feed still listing it brought it back as a new story and an alert: now a feed's listing
    is noted on the item (a feed answering 304 lists what it listed) and what a feed listed within retention is
    kept, while what no feed lists any more is pruned as before."""
    magnets = ("Lynas to build rare earth magnet plant in Texas", "Lynas said it would build a rare earth plant.")
    quarter = (
        "Greenland approves Kvanefjeld mine",
        "Greenland's parliament approved the Kvanefjeld rare earth licence.",
    )
    dropped = ("Neodymium prices ease in Shanghai trading", "Neodymium oxide prices eased on weaker demand in China.")
    weather = ("Snow expected in the Alps", "Heavy snow is expected in the Alps this weekend.")
    with LoopbackServer() as server:
        listing = {"/a": [magnets, dropped], "/b": [quarter]}

        def serve(path: str):
            def handler(request: Request, conn: object) -> Response:
                body = _undated_rss([(server.url(f"{path}/{t.split()[0]}"), t, d) for t, d in listing[path]])
                etag = f'"{len(body)}"'  # the same listing, the same ETag: B answers 304 from its second poll
                if request.headers.get("if-none-match") == etag:
                    return Response(304, {"ETag": etag})
                return Response(200, {"Content-Type": "application/rss+xml", "ETag": etag}, body)

            return handler

        for path in listing:
            server.route(path, serve(path))
        feeds = [{"name": p.strip("/").upper(), "url": server.url(p), "interval": 600} for p in listing]
        cfg = parse_config(
            {"topics": {"rare-earths": {"rules": [{"any": ["rare earth*", "neodymium"]}]}}, "feeds": feeds}
        )
        async with Fetcher(FetchLimits(allow_private=True, page_delay=0, total_timeout=5)) as fetcher:

            async def cycle() -> int:
                async with store.engine.begin() as conn:  # every feed due now
                    await conn.execute(feeds_t.update().values(next_poll_at=utcnow() - timedelta(seconds=1)))
                report = await poll_once(cfg, store, fetcher=fetcher)
                return report.new_items

            assert await cycle() == 3
            listing["/a"] = [magnets]  # A stops listing one item
            assert await cycle() == 0
            assert await query(store, "SELECT count(*) FROM stories") == [(3,)]
            await _age(store, timedelta(days=20))  # 20 days pass; retention keeps 15
            listing["/a"] = [magnets, weather]
            assert await cycle() == 1  # A answers with its item and a new one, B answers 304: both still list theirs
            assert [h.last_status for h in await store.feed_health()] == [200, 304]
            report = await prune_old(store, days_kept=15)
            assert report.stories == 1 and report.finished  # what no feed lists any more is pruned
            titles = {t for (t,) in await query(store, "SELECT title FROM items")}
            assert titles == {magnets[0], quarter[0], weather[0]}
            assert await cycle() == 0  # nothing comes back as new
            assert await query(store, "SELECT count(*) FROM stories") == [(2,)]
