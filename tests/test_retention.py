"""Retention (issue 12.10): old items, stories and finished deliveries pruned in short batches, never what a
pending delivery or a story still shown needs, without holding up a poll cycle's writes."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botapi import StorySeeder
from databases import query

from bot.clock import utcnow
from bot.models import FeedSuccess
from bot.retention import MIN_RETENTION, cutoff, prune_old
from bot.store import Store

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
            report = await prune_old(store, retention_days=90, now=now)
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


def test_retention_never_cuts_into_what_the_bot_still_shows() -> None:
    now = datetime(2026, 12, 3, tzinfo=UTC)
    assert cutoff(1, now) == now - MIN_RETENTION  # /trend's 15 days are kept whatever the setting
    assert cutoff(90, now) == now - timedelta(days=90)


def test_items_are_kept_at_least_as_long_as_they_are_read() -> None:
    """An item is read while it is at most max_age_days old: a record pruned sooner (retention_days 20, max_age_days
    30) let a feed still listing the item bring it again as new, a new story and an alert for month-old news."""
    from bot.poller import PollOptions
    from bot.settings import parse_config

    def kept(**poll: float) -> float:
        feeds = [{"name": "a", "url": "https://example.com/f"}]
        return PollOptions.from_config(
            parse_config({"topics": {"t": {"rules": [{"any": ["x"]}]}}, "feeds": feeds, "poll": poll})
        ).kept_days

    assert kept(retention_days=20, max_age_days=30) == 30
    assert kept(retention_days=90, max_age_days=7) == 90
    assert kept() == 90  # the defaults
