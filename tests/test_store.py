"""The store on a real SQLite file: migrations, feeds, items, stories, chats, subscriptions, deliveries."""

from __future__ import annotations

import asyncio
import sqlite3
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from botapi import StorySeeder, alerts_since
from databases import FULL_SCAN, query, sqlite_plans

from bot.clock import utcnow
from bot.migrations import current_revision, head_revision
from bot.models import (
    FeedFailure,
    FeedSpec,
    FeedSuccess,
    ItemKey,
    NewItem,
    StoryAnalysis,
    StoryFingerprints,
    StoryQuote,
    SummaryLine,
    TrendStory,
    title_key,
)
from bot.settings import parse_config
from bot.store import Store, feeds_fingerprint

ALL_BACKENDS = True  # store and db_url: SQLite, and PostgreSQL when COVERAGE_BOT_TEST_PG is set (conftest.py)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def add_story(
    store: Store,
    title: str,
    topics: list[str],
    when: datetime = T0,
    alertable: bool = True,
    outlet: str = "Outlet A",
    link: str | None = None,
) -> int:
    """One feed item turned into a one-member story, with a finished analysis."""
    link = link or f"https://news.example/{title.replace(' ', '-')}"
    feeds = dict(await query(store, "SELECT name, id FROM feeds WHERE in_config"))
    if outlet not in feeds:  # add the outlet's feed, keeping the configured ones
        specs = [FeedSpec(n, u) for n, u in await query(store, "SELECT name, source_url FROM feeds WHERE in_config")]
        await store.sync_feeds([*specs, FeedSpec(outlet, f"https://{outlet.replace(' ', '').lower()}.example/rss")])
        feeds = dict(await query(store, "SELECT name, id FROM feeds WHERE in_config"))
    async with store.feed_transaction() as tx:
        feed_id = feeds[outlet]
        item = NewItem(
            key=ItemKey(identity=link, guid=link, link=link, title_key=title_key(title, when)),
            title=title,
            summary="summary",
            published_at=when,
            alertable=alertable,
            topics=tuple(topics),
            terms={t: ["term"] for t in topics},
        )
        (item_id,) = await tx.add_items(feed_id, [item], when)
        story = await tx.create_story(title, link, topics, item.terms, StoryFingerprints(), when, alertable)
        await tx.set_item_stories([(item_id, story.id)])
    await store.set_story_analysis(
        story.id,
        StoryAnalysis(summary=(SummaryLine("A sentence.", outlet, link),)),
        None,
    )
    return story.id


async def test_open_creates_directory_migrates_to_head_and_reopens_with_data(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "bot.db"
    url = f"sqlite+aiosqlite:///{path}"
    store = await Store.open(url)
    try:
        assert path.exists()
        async with store.engine.connect() as conn:
            assert await conn.run_sync(current_revision) == head_revision()
            mode = (await conn.execute(sa.text("PRAGMA journal_mode"))).scalar()
        assert mode == "wal"
        await store.subscribe(42, ["rare-earths"], mode="alerts", timezone="Europe/Berlin")
        sid = await add_story(store, "Lynas expands output", ["rare-earths"])
    finally:
        await store.close()

    # An upgrade on an existing database (here: already at head) keeps the user's data.
    store = await Store.open(url)
    try:
        subs = await store.subscriptions(42)
        assert [(s.topics, s.mode, s.timezone) for s in subs] == [(("rare-earths",), "alerts", "Europe/Berlin")]
        story = await store.story(sid)
        assert story is not None and story.title == "Lynas expands output"
        assert story.first_seen == T0 and story.first_seen.tzinfo is not None
    finally:
        await store.close()

    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]


async def test_upgrading_from_the_first_revision_keeps_data(tmp_path: Path) -> None:
    """A database created by revision 0001 (an older release) is upgraded in place by Store.open."""
    from alembic import command
    from sqlalchemy import create_engine

    from bot.migrations import alembic_config

    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
        conn.execute(
            sa.text(
                "INSERT INTO stories (id, title, topics, terms, first_seen, updated_at, alertable, needs_analysis)"
                " VALUES (7, 'Old story', '[\"rare-earths\"]', '{}', '2026-11-20 10:00:00', '2026-11-20 10:00:00', 1, 0)"
            )
        )
        assert current_revision(conn) == "0001"
    engine.dispose()

    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    try:
        async with store.engine.connect() as conn:
            assert await conn.run_sync(current_revision) == head_revision() != "0001"
        story = await store.story(7)
        assert story is not None and story.title == "Old story" and story.topics == ("rare-earths",)
        assert story.first_seen == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
        async with store.feed_transaction() as tx:
            assert [s.revision for s in await tx.recent_stories(datetime(2026, 11, 1, tzinfo=UTC))] == [7]
    finally:
        await store.close()


async def test_upgrading_from_0010_keeps_every_story_and_never_gives_a_pruned_number_again(tmp_path: Path) -> None:
    """Before migration 0011 a SQLite story took the largest id kept plus one, so a story retention pruned lent its
    number (typed from old digests: /summary 9) to the next new one. A database at 0010 upgrades keeping every story,
    its id, its items and the digests that carried it, and numbers go on above the largest id it held."""
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from bot.migrations import alembic_config
    from bot.schema import metadata

    path = tmp_path / "0010.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0010")
        conn.execute(sa.text("PRAGMA foreign_keys = ON"))  # as the bot writes: every reference below resolves
        conn.execute(
            sa.text(
                "INSERT INTO feeds (id, source_url, url, name, topics, interval, enabled, in_config, next_poll_at,"
                " failures, backoff, initialised, created_at) VALUES (1, 'https://a.example/rss',"
                " 'https://a.example/rss', 'Outlet A', '[]', 900, 1, 1, '2026-11-20 10:00:00', 0, 0, 1,"
                " '2026-11-20 10:00:00')"
            )
        )
        for sid in (3, 5, 9):  # 1, 2, 4, 6, 7 and 8 already pruned
            conn.execute(
                sa.text(
                    "INSERT INTO stories (id, title, topics, terms, first_seen, updated_at, alertable, needs_analysis,"
                    " revision) VALUES (:id, :title, '[\"rare-earths\"]', '{}', '2026-11-20 10:00:00',"
                    " '2026-11-20 10:00:00', 1, 0, :id)"
                ),
                {"id": sid, "title": f"Story {sid}"},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO items (feed_id, identity, seen_at, state, topics, terms, relevance, story_id,"
                    " alertable) VALUES (1, :identity, '2026-11-20 10:00:00', 'done', '[]', '{}', 1, :id, 1)"
                ),
                {"identity": f"item-{sid}", "id": sid},
            )
        conn.execute(
            sa.text("INSERT INTO chats (chat_id, active, failures, updated_at) VALUES (8, 1, 0, '2026-11-20')")
        )
        conn.execute(
            sa.text(
                "INSERT INTO subscriptions (id, chat_id, thread_id, topics, mode, at, active, created_at, updated_at)"
                " VALUES (1, 8, 0, '[\"rare-earths\"]', 'daily', '08:00', 1, '2026-11-20', '2026-11-20')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO deliveries (id, subscription_id, kind, key, status, message_ids, created_at)"
                " VALUES (1, 1, 'digest', '2026-11-20', 'sent', '[]', '2026-11-20 10:00:00')"
            )
        )
        conn.execute(sa.text("INSERT INTO delivery_stories (delivery_id, story_id) VALUES (1, 5), (1, 9)"))
    engine.dispose()

    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    try:
        async with store.engine.connect() as conn:
            assert await conn.run_sync(current_revision) == head_revision()
            assert (await conn.execute(sa.text("PRAGMA foreign_keys"))).scalar() == 1  # on again after the upgrade
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), metadata)
            )
        assert diff == []  # the rebuilt table kept its columns, defaults and indexes
        assert await query(store, "SELECT id, title, revision FROM stories ORDER BY id") == [
            (3, "Story 3", 3),
            (5, "Story 5", 5),
            (9, "Story 9", 9),
        ]
        assert await query(store, "SELECT identity, story_id FROM items ORDER BY id") == [
            ("item-3", 3),
            ("item-5", 5),
            ("item-9", 9),
        ]
        carried = await query(store, "SELECT delivery_id, story_id FROM delivery_stories ORDER BY story_id")
        assert carried == [(1, 5), (1, 9)]
        story = await store.story(9)
        assert story is not None and story.title == "Story 9" and [m.outlet for m in story.members] == ["Outlet A"]

        await store.prune(datetime(2026, 12, 31, tzinfo=UTC))  # every story, as after a long idle spell
        assert await query(store, "SELECT count(*) FROM stories") == [(0,)]
        assert await add_story(store, "A new story", ["rare-earths"]) == 10  # was 1: a pruned story's number
        assert await store.last_story_id() == 10
    finally:
        await store.close()


async def test_upgrading_turns_long_identities_into_what_the_parser_now_gives(tmp_path: Path) -> None:
    """Before 0012, SQLite held identities longer than items.identity's 128 characters verbatim (PostgreSQL refused
    them): the upgrade rewrites each as the parser now gives it, so a feed still listing those items finds every one
    of them by identity alone: none is stored twice, none is lost, short ones are untouched."""
    from alembic import command
    from sqlalchemy import create_engine

    from bot.feeds import parse_feed
    from bot.migrations import alembic_config

    long_guid = "tag:news.example,2026:" + "long-guid-" * 30
    long_link = "https://news.example/2026/11/23/" + "a-very-long-slug-" * 12
    body = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>"
        f"<item><guid isPermaLink='false'>{long_guid}</guid><title>One</title><link>https://news.example/1</link></item>"
        f"<item><title>Two</title><link>{long_link}</link></item>"
        "<item><guid isPermaLink='false'>urn:short:3</guid><title>Three</title></item>"
        "</channel></rss>"
    ).encode()
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0010")
        conn.execute(
            sa.text(
                "INSERT INTO feeds (id, source_url, url, name, topics, interval, enabled, in_config, next_poll_at,"
                " failures, backoff, initialised, created_at) VALUES (1, 'https://news.example/feed',"
                " 'https://news.example/feed', 'Wire', '[]', 600, 1, 1, '2026-11-23 09:00:00', 0, 0, 1,"
                " '2026-11-20 10:00:00')"
            )
        )
        for identity in (long_guid, long_link, "urn:short:3"):  # as the release before stored them
            conn.execute(
                sa.text(
                    "INSERT INTO items (feed_id, identity, seen_at, state, topics, terms, relevance, alertable)"
                    " VALUES (1, :identity, '2026-11-23 09:00:00', 'done', '[]', '{}', 0.0, 0)"
                ),
                {"identity": identity},
            )
    engine.dispose()

    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    try:
        stored = [i for (i,) in await query(store, "SELECT identity FROM items ORDER BY id")]
        assert len(stored) == 3 and stored[2] == "urn:short:3" and all(len(i) <= 128 for i in stored)
        items = parse_feed(body, {"Content-Type": "application/rss+xml"}, "https://news.example/feed").items
        keys = [ItemKey(item.identity, None, None, None) for item in items]
        assert await store.known_keys(1, keys) == {item.identity for item in items}
    finally:
        await store.close()


async def test_schema_matches_the_models(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.schema import metadata

    async with store.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), metadata)
        )
    assert diff == []


async def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        await store.stories(since=datetime(2026, 1, 1))


async def test_subscribe_merges_topics_and_reactivates(store: Store) -> None:
    first = await store.subscribe(1, ["rare-earths"], chat_type="group", title="Metals desk")
    second = await store.subscribe(1, ["us-russia", "rare-earths"], mode="alerts", at="07:30")
    assert second.id == first.id
    assert second.topics == ("rare-earths", "us-russia")
    assert (second.mode, second.at, second.chat_type, second.title) == ("alerts", "07:30", "group", "Metals desk")

    other_thread = await store.subscribe(1, ["us-russia"], thread_id=77)
    assert other_thread.id != first.id and other_thread.thread_id == 77

    assert await store.unsubscribe(1, ["rare-earths"]) == 1
    assert (await store.subscriptions(1))[0].topics == ("us-russia",)
    assert await store.unsubscribe(1) == 1
    assert [s.thread_id for s in await store.subscriptions(1)] == [77]
    assert [s.active for s in await store.subscriptions(1, active=False)] == [False]

    again = await store.subscribe(1, ["rare-earths"])
    assert again.id == first.id and again.active and again.topics == ("rare-earths",)

    with pytest.raises(ValueError, match="HH:MM"):
        await store.subscribe(1, ["rare-earths"], at="25:00")


async def test_set_timezone_and_migrate_chat(store: Store) -> None:
    """A timezone is a subscription's: one forum topic's /timezone moved every topic's digests (qa13 D5)."""
    await store.subscribe(-100, ["rare-earths"], chat_type="group", title="Desk")
    await store.subscribe(-100, ["us-russia"], thread_id=5)
    assert await store.set_timezone(-100, "Asia/Tokyo") == 1  # the chat's own (no forum topic)
    assert await store.set_timezone(-100, "Europe/Paris", thread_id=5) == 1
    assert await store.set_timezone(-100, "Europe/Paris", thread_id=6) == 0  # no subscription in forum topic 6
    await store.migrate_chat(-100, -1009)
    moved = await store.subscriptions(-1009)
    assert {(s.thread_id, s.timezone, s.chat_type) for s in moved} == {
        (None, "Asia/Tokyo", "supergroup"),
        (5, "Europe/Paris", "supergroup"),
    }
    assert await store.subscriptions(-100, active=None) == []


async def test_migrate_chat_into_a_supergroup_that_subscribed_meanwhile(store: Store) -> None:
    """A supergroup an admin subscribed before the bot heard of the upgrade: both subscriptions had sent that day's
    digest, and moving the old one's history broke the unique index on digest keys (IntegrityError). The supergroup's
    subscription absorbs the old group's: both topics, its own mode and time, the old /timezone unless it set one; an
    inactive one adds nothing. What the old group was sent is not sent again; what it was being sent is dropped."""
    sent_old = await add_story(store, "Rare earth quota cut", ["rare-earths"])
    sent_new = await add_story(store, "Talks in Moscow", ["us-russia"])
    unsent = await add_story(store, "Rare earth prices rise", ["rare-earths"])
    old = await store.subscribe(-100, ["rare-earths"], at="07:00", chat_type="group")
    await store.subscribe(-100, ["rare-earths"], mode="alerts", thread_id=5)
    await store.set_timezone(-100, "Asia/Tokyo")
    await store.set_timezone(-100, "Asia/Tokyo", thread_id=5)
    new = await store.subscribe(-1009, ["us-russia"], at="09:30", chat_type="supergroup")
    await store.subscribe(-1009, ["us-russia"], thread_id=5)
    await store.unsubscribe(-1009, thread_id=5)  # the forum topic's: subscribed there, then unsubscribed
    for sub, story in ((old, sent_old), (new, sent_new)):
        batch = await store.begin_delivery(sub.id, "digest", "2026-11-23", [story])
        assert batch is not None
        await store.finish_delivery(batch, [1])
    sending = await store.begin_delivery(old.id, "digest", "2026-11-24", [unsent])  # when the group was upgraded
    assert sending is not None

    assert await store.migrate_chat(-100, -1009) == 2
    merged, topic = await store.subscriptions(-1009)
    assert (merged.id, merged.topics, merged.mode, merged.at, merged.timezone) == (
        new.id, ("rare-earths", "us-russia"), "daily", "09:30", "Asia/Tokyo",
    )  # fmt: skip
    assert (topic.thread_id, topic.topics, topic.mode, topic.timezone) == (5, ("rare-earths",), "alerts", "Asia/Tokyo")
    assert await store.subscription(old.id) is None
    assert await store.delivery_done(new.id, "digest", "2026-11-23")
    assert not await store.hold_delivery(sending)  # its sender stops: the supergroup's own digest carries its story
    assert [s.id for s in await store.undelivered(new.id, "digest", T0 - timedelta(days=1))] == [unsent]
    assert await store.begin_delivery(old.id, "digest", "2026-11-25", []) is None  # no batch of a deleted row

    assert await store.migrate_chat(-100, -1009) == 0  # Telegram tells of an upgrade more than once
    assert [s.id for s in await store.subscriptions(-1009)] == [new.id, topic.id]
    assert await store.subscriptions(-100, active=None) == []


async def test_the_upgrades_service_messages_handled_at_once_move_the_chat_once(store: Store) -> None:
    """The old group's and the new supergroup's service messages are handled at once (different chats): on PostgreSQL
    both moves read the new chat missing and the second insert of it failed (in 2 runs of 3 for one group)."""
    groups = range(-200, -205, -1)
    subs = [await store.subscribe(g, ["rare-earths"], chat_type="group") for g in groups]
    moves = await asyncio.gather(*(store.migrate_chat(g, g * 10) for g in groups for _ in range(2)))
    assert [sorted(moves[n : n + 2]) for n in range(0, 10, 2)] == [[0, 1]] * 5  # each group moved by one of its two
    for g, sub in zip(groups, subs, strict=True):
        assert [s.id for s in await store.subscriptions(g * 10)] == [sub.id]


async def test_three_consecutive_failures_deactivate_a_chat(store: Store) -> None:
    await store.subscribe(9, ["rare-earths", "us-russia"])
    assert await store.record_send_failure(9, "Forbidden: bot was blocked by the user") is False
    await store.record_send_success(9)  # resets the streak
    assert await store.record_send_failure(9, "Forbidden: bot was blocked by the user") is False
    assert await store.record_send_failure(9, "Forbidden: bot was blocked by the user") is False
    assert await store.record_send_failure(9, "Forbidden: bot was blocked by the user") is True
    assert await store.record_send_failure(9, "Forbidden: bot was blocked by the user") is False  # already off
    assert await store.subscriptions(9) == []
    (sub,) = await store.subscriptions(9, active=None)
    assert not sub.active and sub.deactivated_reason == "Forbidden: bot was blocked by the user"
    status = await store.status()
    assert status.deactivated_chats == [(9, "Forbidden: bot was blocked by the user")]
    # /subscribe again brings it back, with the topics asked for: the chat had none (/start and /settings said so),
    # and the ones it had before it was deactivated are not revived
    again = await store.subscribe(9, ["rare-earths"])
    assert again.active and again.topics == ("rare-earths",)


async def test_an_added_topic_begins_its_alerts_when_added_also_for_a_story_that_gains_it(store: Store) -> None:
    """qa17 r3: alerts of a topic added to an active subscription begin when it is added (Store.subscribe writes
    subscriptions.topics_since), for a story that gains the topic too: gained before the topic was added, it is not
    new to the chat; gained after, it is. Made active again, or switched to alerts, every topic starts afresh."""
    from bot.schema import stories_t, subscriptions_t

    now = utcnow()
    seeder = StorySeeder(store)
    sub = await store.subscribe(12, ["china"], mode="alerts")
    await alerts_since(store, now - timedelta(days=1))
    early = await seeder.story("Rare earth quota one", when=now - timedelta(hours=3), seen=now - timedelta(hours=3))
    late = await seeder.story("Rare earth quota two", when=now - timedelta(hours=3), seen=now - timedelta(hours=3))
    early_gain = [(now - timedelta(hours=2)).isoformat()] * 2
    async with store.engine.begin() as conn:
        await conn.execute(
            stories_t.update()
            .where(stories_t.c.id == early)
            .values(
                topics=["rare-earths", "us-russia"],
                topics_gained={"us-russia": early_gain},
                gained_at=now - timedelta(hours=2),
            )
        )
    await store.subscribe(12, ["us-russia"], mode="alerts")
    gained = utcnow()
    async with store.engine.begin() as conn:
        await conn.execute(
            stories_t.update()
            .where(stories_t.c.id == late)
            .values(
                topics=["rare-earths", "us-russia"],
                topics_gained={"us-russia": [gained.isoformat()] * 2},
                gained_at=gained,
            )
        )
    assert [s.id for s in await store.undelivered(sub.id, "alert", now - timedelta(hours=6))] == [late]

    async def began() -> object:
        async with store.engine.connect() as conn:
            return (await conn.execute(sa.select(subscriptions_t.c.topics_since))).scalar_one()

    assert list(await began()) == ["us-russia"]  # type: ignore[call-overload]
    await store.subscribe(12, ["china"], mode="daily")
    await store.subscribe(12, ["china"], mode="alerts")
    assert await began() is None


async def test_undelivered_and_delivery_batches(store: Store) -> None:
    sub = await store.subscribe(5, ["rare-earths"], mode="alerts")
    await alerts_since(store, T0 - timedelta(days=3))
    old = await add_story(store, "Old news", ["rare-earths"], when=T0 - timedelta(days=2))
    quiet = await add_story(store, "From first poll", ["rare-earths"], when=T0, alertable=False)
    fresh = await add_story(store, "Fresh news", ["rare-earths"], when=T0 + timedelta(hours=1))
    await add_story(store, "Off topic for this chat", ["us-russia"], when=T0 + timedelta(hours=2))
    since = T0 - timedelta(days=1)

    assert [s.id for s in await store.undelivered(sub.id, "alert", since)] == [fresh]
    assert [s.id for s in await store.undelivered(sub.id, "digest", since)] == [quiet, fresh]
    assert old in [s.id for s in await store.undelivered(sub.id, "digest", since - timedelta(days=5))]

    batch = await store.begin_delivery(sub.id, "alert", "alert", [fresh])
    assert batch is not None
    assert await store.undelivered(sub.id, "alert", since) == []  # pending counts: never posted twice
    await store.fail_delivery(batch, "timed out")
    assert [s.id for s in await store.undelivered(sub.id, "alert", since)] == [fresh]  # retried
    batch2 = await store.begin_delivery(sub.id, "alert", "alert", [fresh])
    await store.finish_delivery(batch2, [1001])
    assert await store.undelivered(sub.id, "alert", since) == []
    assert await store.last_delivery(sub.id, "alert") is not None
    assert await store.last_delivery(sub.id, "digest") is None

    digest = await store.begin_delivery(sub.id, "digest", "2026-11-23", [quiet, fresh])
    assert digest is not None
    assert await store.begin_delivery(sub.id, "digest", "2026-11-23", [quiet, fresh]) is None
    await store.finish_delivery(digest, [1002, 1003])
    assert await store.begin_delivery(sub.id, "digest", "2026-11-23", [quiet]) is None
    assert await store.begin_delivery(sub.id, "digest", "2026-11-24", []) is not None


async def test_a_pending_batch_is_its_senders_while_its_lease_runs(store: Store) -> None:
    """A batch's sender renews its lease while it sends; one whose lease ran out (its sender died) is recovered as
    unsent, its stories offered again and its digest key free, and a renewal after that says so."""
    from bot.schema import deliveries_t
    from bot.store import DELIVERY_LEASE, UNSENT

    sub = await store.subscribe(6, ["rare-earths"])
    story = await add_story(store, "Fresh news", ["rare-earths"], when=T0)
    since = T0 - timedelta(days=1)
    batch = await store.begin_delivery(sub.id, "digest", "2026-11-23", [story])
    assert batch is not None and await store.undelivered(sub.id, "digest", since) == []

    async def lease_ran_out() -> None:
        async with store.engine.begin() as conn:
            await conn.execute(deliveries_t.update().values(lease_until=utcnow() - timedelta(seconds=1)))

    assert await store.recover_deliveries() == 0  # its sender holds it
    await lease_ran_out()
    assert await store.hold_delivery(batch)  # renewed in time: still its sender's
    assert await store.recover_deliveries() == 0
    assert await store.recover_deliveries(utcnow() + DELIVERY_LEASE + timedelta(seconds=1)) == 1  # not renewed
    assert not await store.hold_delivery(batch)  # its late sender learns it is no longer pending
    assert await query(store, "SELECT status FROM deliveries") == [(UNSENT,)]
    assert [s.id for s in await store.undelivered(sub.id, "digest", since)] == [story]
    assert await store.begin_delivery(sub.id, "digest", "2026-11-23", [story]) is not None


async def test_instances_racing_to_begin_a_digest_let_one_send_it(db_url: str) -> None:
    """Several instances on one database begin the same digest (and weekly chart) at once: one batch each, the others
    skip. PostgreSQL's check-then-insert let several in (qa2 dup_digest.sh: 67 sends for 60)."""
    stores = [await Store.open(db_url) for _ in range(4)]
    try:
        sub = await stores[0].subscribe(8, ["rare-earths"])
        story = await add_story(stores[0], "Fresh news", ["rare-earths"], when=T0)
        for key in ("2026-11-23", "weekly-2026-W48"):
            begun = await asyncio.gather(
                *(s.begin_delivery(sub.id, "digest", key, [story]) for s in stores for _ in range(3))
            )
            assert len([b for b in begun if b is not None]) == 1, key
        rows = await query(stores[0], "SELECT key, count(*) FROM deliveries GROUP BY key ORDER BY key")
        assert rows == [("2026-11-23", 1), ("weekly-2026-W48", 1)]
    finally:
        for s in stores:
            await s.close()


async def test_instances_racing_to_begin_an_alert_let_one_send_each_story(db_url: str) -> None:
    """Alerts all share the key "alert": instances that read the same undelivered stories each began a batch of them
    and each sent it. One alert batch per subscription is pending at a time: of racing begins one gets it; a begin
    while it is pending, or with a story another batch sent since it was read, gets none (the next cycle reads again);
    and a batch whose sender died frees the subscription once its lease runs out."""
    from bot.store import DELIVERY_LEASE

    stores = [await Store.open(db_url) for _ in range(4)]
    try:
        first, other = stores[0], stores[1]
        sub = await first.subscribe(8, ["rare-earths"], mode="alerts")
        since = T0 - timedelta(days=1)
        await alerts_since(first, since)
        a = await add_story(first, "Fresh news", ["rare-earths"], when=T0)
        stale = [s.id for s in await other.undelivered(sub.id, "alert", since)]  # read before a batch of it was begun
        begun = await asyncio.gather(
            *(s.begin_delivery(sub.id, "alert", "alert", [a]) for s in stores for _ in range(3))
        )
        (batch,) = [b for b in begun if b is not None]
        b = await add_story(first, "Later news", ["rare-earths"], when=T0 + timedelta(minutes=5))
        assert [s.id for s in await other.undelivered(sub.id, "alert", since)] == [b]
        assert await other.begin_delivery(sub.id, "alert", "alert", [b]) is None  # the pending batch holds the chat
        await first.finish_delivery(batch, [1])
        assert stale == [a] and await other.begin_delivery(sub.id, "alert", "alert", stale) is None  # a went out
        assert await other.begin_delivery(sub.id, "alert", "alert", [a, b]) is None  # not b without a's message either
        assert await query(first, "SELECT count(*) FROM deliveries") == [(1,)]
        late = await other.begin_delivery(sub.id, "alert", "alert", [b])
        assert late is not None  # (its sender dies here)
        assert await other.recover_deliveries(utcnow() + DELIVERY_LEASE + timedelta(seconds=1)) == 1
        assert [s.id for s in await first.undelivered(sub.id, "alert", since)] == [b]
        assert await first.begin_delivery(sub.id, "alert", "alert", [b]) is not None
    finally:
        for s in stores:
            await s.close()


async def test_upgrade_keeps_digests_already_sent_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database where instances already sent a digest twice upgrades: every batch stays, its stories sent; one of
    each key's live batches keeps the key (a sent one before a pending one), so the unique index can be built. (0013
    then makes each date key its slot: the subscription's 08:00 UTC that day.)"""
    monkeypatch.delenv("DEFAULT_TIMEZONE", raising=False)
    from alembic import command
    from sqlalchemy import create_engine

    from bot.migrations import alembic_config

    path = tmp_path / "dup.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0007")
        conn.execute(
            sa.text(
                "INSERT INTO chats (chat_id, active, failures, updated_at) VALUES (8, 1, 0, '2026-11-23 09:00:00');"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO subscriptions (id, chat_id, thread_id, topics, mode, at, active, created_at, updated_at)"
                " VALUES (1, 8, 0, '[\"rare-earths\"]', 'daily', '08:00', 1, '2026-11-20 09:00:00',"
                " '2026-11-20 09:00:00')"
            )
        )
        batches = [  # id, kind, key, status
            (1, "digest", "2026-11-23", "pending"),
            (2, "digest", "2026-11-23", "sent"),
            (3, "digest", "2026-11-23", "sent"),
            (4, "digest", "2026-11-24", "failed"),
            (5, "digest", "2026-11-24", "sent"),
            (6, "alert", "alert", "sent"),
            (7, "alert", "alert", "sent"),
        ]
        for batch_id, kind, key, status in batches:
            conn.execute(
                sa.text(
                    "INSERT INTO deliveries (id, subscription_id, kind, key, status, message_ids, created_at)"
                    " VALUES (:id, 1, :kind, :key, :status, '[]', :began)"
                ),  # begun at its 08:00
                {"id": batch_id, "kind": kind, "key": key, "status": status, "began": f"{key[:10]} 08:00:01"},
            )
    engine.dispose()

    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    try:
        assert await query(store, "SELECT id, key, status FROM deliveries ORDER BY id") == [
            (1, "2026-11-23#1", "pending"),
            (2, "2026-11-23T08:00Z", "sent"),
            (3, "2026-11-23#3", "sent"),
            (4, "2026-11-24T08:00Z", "failed"),
            (5, "2026-11-24T08:00Z", "sent"),
            (6, "alert", "sent"),
            (7, "alert", "sent"),
        ]
        assert await store.begin_delivery(1, "digest", "2026-11-23T08:00Z", []) is None
        assert await store.begin_delivery(1, "digest", "2026-11-25T08:00Z", []) is not None
    finally:
        await store.close()


async def test_upgrade_makes_digest_dates_slots_that_keep_meaning_sent(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0013: a digest's key was its local date, now its slot. Stored dates become the slot each batch was
    begun for, by the subscription's time and zone now (DEFAULT_TIMEZONE for one with none), so a digest sent, or
    tried, is still found so; a chat that moved west since its last digest (Asia/Tokyo, then UTC) is not found to have
    had its next one. Keys 0008 made unique and weekly keys stay; the downgrade gives the dates back."""
    from alembic import command
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.migrations import alembic_config
    from bot.schema import chats_t, deliveries_t, subscriptions_t

    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/Moscow")
    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "0012"))
        await conn.execute(
            chats_t.insert(), [{"chat_id": c, "active": True, "failures": 0, "updated_at": T0} for c in (8, 9)]
        )
        await conn.execute(
            subscriptions_t.insert(),
            [  # 1: moved from Asia/Tokyo to UTC; 2: DEFAULT_TIMEZONE's 08:00
                {"id": n, "chat_id": c, "thread_id": 0, "topics": ["rare-earths"], "mode": "daily", "at": "08:00",
                 "timezone": tz, "active": True, "created_at": T0, "updated_at": T0}
                for n, c, tz in ((1, 8, "UTC"), (2, 9, None))
            ],
        )  # fmt: skip
        batches = [  # subscription, key, status, begun: ids 1 to 8 in this order
            (1, "2026-11-23", "sent", datetime(2026, 11, 23, 8, 0, 2, tzinfo=UTC)),  # 08:00 UTC, on the 23rd
            (1, "2026-11-24", "sent", datetime(2026, 11, 23, 23, 0, 2, tzinfo=UTC)),  # 08:00 in Tokyo, on the 24th
            (2, "2026-11-22", "sent", datetime(2026, 11, 22, 5, 0, 1, tzinfo=UTC)),  # 08:00 in Moscow
            (2, "2026-11-23", "failed", datetime(2026, 11, 23, 5, 0, 1, tzinfo=UTC)),
            (2, "2026-11-23", "sent", datetime(2026, 11, 23, 5, 10, tzinfo=UTC)),  # the catch-up's retry
            (2, "2026-11-23", "unsent", datetime(2026, 11, 23, 5, 10, 9, tzinfo=UTC)),  # what it left for the next
            (2, "2026-11-22#3", "sent", datetime(2026, 11, 22, 5, 0, 1, tzinfo=UTC)),  # made unique by 0008
            (2, "weekly-2026-W48", "sent", datetime(2026, 11, 23, 5, 10, tzinfo=UTC)),
        ]
        for n, (sub, key, status, began) in enumerate(batches, 1):
            values = {"subscription_id": sub, "kind": "digest", "key": key, "status": status, "message_ids": []}
            inserted = deliveries_t.insert().values(**values, created_at=began, finished_at=began)
            assert (await conn.execute(inserted.returning(deliveries_t.c.id))).scalar_one() == n
    await engine.dispose()

    store = await Store.open(db_url)
    try:
        assert await query(store, "SELECT id, key FROM deliveries ORDER BY id") == [
            (1, "2026-11-23T08:00Z"),
            (2, "2026-11-23T08:00Z#2"),  # its slot in UTC is the 23rd's: kept, sent, beside the first
            (3, "2026-11-22T05:00Z"),
            (4, "2026-11-23T05:00Z"),
            (5, "2026-11-23T05:00Z"),
            (6, "2026-11-23T05:00Z"),
            (7, "2026-11-22#3"),
            (8, "weekly-2026-W48"),
        ]
        assert await store.begin_delivery(1, "digest", "2026-11-24T08:00Z", []) is not None  # the next UTC digest
        assert await store.begin_delivery(2, "digest", "2026-11-23T05:00Z", []) is None  # sent
    finally:
        await store.close()

    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0012"))
        keys = (await conn.execute(sa.select(deliveries_t.c.key).order_by(deliveries_t.c.id))).scalars().all()
    await engine.dispose()
    assert keys[2:8] == ["2026-11-22", "2026-11-23", "2026-11-23", "2026-11-23", "2026-11-22#3", "weekly-2026-W48"]


async def test_upgrade_leaves_one_pending_alert_batch_per_subscription(db_url: str) -> None:
    """A database whose subscription holds several pending alert batches (instances that raced, or a batch a killed
    sender left beside the next) upgrades: the newest stays pending, the older ones become unsent and their stories
    are offered again, so the one-pending-alert index can be built."""
    from alembic import command
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.migrations import alembic_config
    from bot.schema import chats_t, deliveries_t, delivery_stories_t, stories_t, subscriptions_t
    from bot.store import UNSENT

    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "0008"))
        await conn.execute(
            chats_t.insert(), [{"chat_id": c, "active": True, "failures": 0, "updated_at": T0} for c in (8, 9)]
        )
        await conn.execute(
            subscriptions_t.insert(),
            [
                {"id": n, "chat_id": c, "thread_id": 0, "topics": ["rare-earths"], "mode": "alerts", "at": "08:00",
                 "active": True, "created_at": T0 - timedelta(hours=1), "updated_at": T0}
                for n, c in ((1, 8), (2, 9))
            ],
        )  # fmt: skip
        await conn.execute(
            stories_t.insert().values(
                id=7, title="Held by an old batch", topics=["rare-earths"], terms={}, first_seen=T0, updated_at=T0,
                alertable=True, needs_analysis=False,
            )
        )  # fmt: skip
        batches = [  # subscription, kind, key, status: ids 1 to 6 in this order
            (1, "alert", "alert", "pending"),
            (1, "alert", "alert", "pending"),
            (1, "alert", "alert", "sent"),
            (1, "alert", "alert", "pending"),
            (2, "alert", "alert", "pending"),
            (1, "digest", "2026-11-23", "pending"),
        ]
        for n, (sub, kind, key, status) in enumerate(batches, 1):
            values = {"subscription_id": sub, "kind": kind, "key": key, "status": status, "message_ids": []}
            inserted = deliveries_t.insert().values(**values, created_at=T0, lease_until=T0 + timedelta(minutes=n))
            assert (await conn.execute(inserted.returning(deliveries_t.c.id))).scalar_one() == n
        await conn.execute(delivery_stories_t.insert().values(delivery_id=1, story_id=7))
    await engine.dispose()

    store = await Store.open(db_url)
    try:
        async with store.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(deliveries_t.c.id, deliveries_t.c.status, deliveries_t.c.finished_at).order_by("id")
                )
            ).all()
        assert [(n, status) for n, status, _ in rows] == [
            (1, UNSENT),
            (2, UNSENT),
            (3, "sent"),
            (4, "pending"),
            (5, "pending"),
            (6, "pending"),
        ]
        assert all(isinstance(rows[n].finished_at, datetime) for n in (0, 1))  # read as the store writes it
        assert [s.id for s in await store.undelivered(1, "alert", T0 - timedelta(days=1))] == [7]
        assert await store.begin_delivery(1, "alert", "alert", [7]) is None  # batch 4 is being sent
        assert await store.recover_deliveries(T0 + timedelta(hours=1)) == 3  # 4, 5 and the digest
        assert await store.begin_delivery(1, "alert", "alert", [7]) is not None
    finally:
        await store.close()


async def test_upgrade_gives_subscriptions_a_failure_count_of_their_own(db_url: str) -> None:
    """Migration 0016: a forum topic's refusals count against its subscription (subscriptions.failures), not the
    chat. Subscriptions of a database at 0015 are kept, each at 0, and the downgrade keeps them too."""
    from alembic import command
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.migrations import alembic_config
    from bot.schema import chats_t, subscriptions_t

    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "0015"))
        await conn.execute(chats_t.insert().values(chat_id=-100, active=True, failures=2, updated_at=T0))
        await conn.execute(
            subscriptions_t.insert(),
            [
                {"id": n, "chat_id": -100, "thread_id": thread, "topics": [topic], "mode": "daily", "at": "08:00",
                 "active": True, "created_at": T0, "updated_at": T0}
                for n, thread, topic in ((1, 0, "rare-earths"), (2, 77, "us-russia"))
            ],
        )  # fmt: skip
    await engine.dispose()

    store = await Store.open(db_url)
    try:
        assert await query(store, "SELECT id, thread_id, failures FROM subscriptions ORDER BY id") == [
            (1, 0, 0),
            (2, 77, 0),
        ]
        refused = [await store.record_topic_failure(2, "Bad Request: message thread not found") for _ in range(3)]
        assert refused == [False, False, True]
        assert [s.thread_id for s in await store.subscriptions(-100)] == [None]  # forum topic 77's alone stopped
    finally:
        await store.close()

    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0015"))
        kept = (await conn.execute(sa.select(subscriptions_t.c.id, subscriptions_t.c.thread_id).order_by("id"))).all()
    await engine.dispose()
    assert [tuple(r) for r in kept] == [(1, 0), (2, 77)]


async def test_upgrade_dates_when_stories_were_found_and_alerts_began(db_url: str) -> None:
    """Migration 0017: alerts take what the bot found (stories.alertable_since) since the chat began taking them
    (subscriptions.alerts_since). A database at 0016 keeps its rows: an alertable story counts as found when it was
    published, as alerts took it before, and a subscription began when it was made; the downgrade keeps them too."""
    from alembic import command
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.migrations import alembic_config
    from bot.schema import chats_t, stories_t, subscriptions_t

    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "0016"))
        await conn.execute(chats_t.insert().values(chat_id=8, active=True, failures=0, updated_at=T0))
        await conn.execute(
            subscriptions_t.insert().values(
                id=1, chat_id=8, thread_id=0, topics=["rare-earths"], mode="alerts", at="08:00", active=True,
                created_at=T0 - timedelta(hours=2), updated_at=T0, failures=0,
            )
        )  # fmt: skip
        await conn.execute(
            stories_t.insert(),
            [
                {"id": n, "title": title, "topics": ["rare-earths"], "terms": {}, "first_seen": when,
                 "updated_at": when, "alertable": alertable, "needs_analysis": False}
                for n, title, when, alertable in (
                    (1, "Before the chat subscribed", T0 - timedelta(hours=3), True),
                    (2, "Fresh news", T0, True),
                    (3, "From a first poll", T0, False),
                )
            ],
        )  # fmt: skip
    await engine.dispose()

    store = await Store.open(db_url)
    try:
        async with store.engine.connect() as conn:
            found = (await conn.execute(sa.select(stories_t.c.id, stories_t.c.alertable_since).order_by("id"))).all()
            began = (await conn.execute(sa.select(subscriptions_t.c.alerts_since))).scalar_one()
        assert [tuple(r) for r in found] == [(1, T0 - timedelta(hours=3)), (2, T0), (3, None)]
        assert began == T0 - timedelta(hours=2)
        assert [s.id for s in await store.undelivered(1, "alert", T0 - timedelta(days=1))] == [2]
    finally:
        await store.close()

    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0016"))
        kept = (await conn.execute(sa.select(stories_t.c.id, stories_t.c.title).order_by("id"))).all()
    await engine.dispose()
    assert [r.id for r in kept] == [1, 2, 3]


async def test_upgrade_indexes_deliveries_by_subscription_and_items_by_story_and_time(db_url: str) -> None:
    """Migration 0018 only adds and swaps indexes: a database at 0017 keeps its rows, gets deliveries by subscription,
    kind, status and finish time and by finish time, and items by story and time in place of items by story; the
    downgrade gives the indexes of 0017 back and keeps the rows too."""
    from alembic import command
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.migrations import alembic_config

    def indexes(c: sa.Connection) -> dict[str, set[str]]:
        return {t: {i["name"] for i in sa.inspect(c).get_indexes(t)} for t in ("deliveries", "items")}

    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "0017"))
        before = await conn.run_sync(indexes)
    await engine.dispose()
    store = await Store.open(db_url)
    try:
        story = await add_story(store, "Rare earth quota", ["rare-earths"])
        sub = await store.subscribe(1, ["rare-earths"])
        batch = await store.begin_delivery(sub.id, "digest", "d1", [story])
        assert batch is not None
        await store.finish_delivery(batch, [10])
        upgraded = await query(store, "SELECT version_num FROM alembic_version")
    finally:
        await store.close()
    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        after = await conn.run_sync(indexes)
        await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0017"))
        again = await conn.run_sync(indexes)
        kept = [
            (await conn.execute(sa.text(f"SELECT count(*) FROM {t}"))).scalar_one()
            for t in ("stories", "items", "deliveries", "delivery_stories")
        ]
    await engine.dispose()
    assert upgraded == [("0019",)] and "ix_items_story_id" in before["items"]
    assert after["deliveries"] - before["deliveries"] == {
        "ix_deliveries_subscription_id_kind_status_finished_at",
        "ix_deliveries_finished_at",
    }
    assert after["items"] ^ before["items"] == {"ix_items_story_id", "ix_items_story_id_seen_at"}
    assert again == before and kept == [1, 1, 1, 1]


async def test_upgrade_keeps_subscriptions_whose_topics_began_with_them(db_url: str) -> None:
    """Migration 0019: a subscription stored at 0018 keeps its row and gets no topic start (subscriptions.topics_since
    NULL): every topic's alerts began with the subscription's, as before; the downgrade keeps the row too."""
    from alembic import command
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.migrations import alembic_config
    from bot.schema import chats_t, subscriptions_t

    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "0018"))
        await conn.execute(chats_t.insert().values(chat_id=8, active=True, failures=0, updated_at=T0))
        await conn.execute(
            subscriptions_t.insert().values(
                id=1, chat_id=8, thread_id=0, topics=["rare-earths", "us-russia"], mode="alerts", at="08:00",
                active=True, created_at=T0 - timedelta(hours=2), updated_at=T0, failures=0,
                alerts_since=T0 - timedelta(hours=2),
            )
        )  # fmt: skip
    await engine.dispose()

    store = await Store.open(db_url)
    try:
        story = await add_story(store, "Kremlin talks", ["us-russia"], when=T0)
        async with store.engine.connect() as conn:
            began = (await conn.execute(sa.select(subscriptions_t.c.topics_since))).scalar_one()
        assert began is None
        assert [s.id for s in await store.undelivered(1, "alert", T0 - timedelta(days=1))] == [story]
    finally:
        await store.close()

    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0018"))
        kept = (await conn.execute(sa.select(subscriptions_t.c.id, subscriptions_t.c.alerts_since))).all()
    await engine.dispose()
    assert [tuple(r) for r in kept] == [(1, T0 - timedelta(hours=2))]


async def test_a_subscriptions_delivery_reads_search_its_own_batches_and_the_recent_stories(tmp_path: Path) -> None:
    """qa16 F2: on SQLite a subscription's delivery reads read every sent batch of every subscription (through the
    index on status: "sent" is nearly every batch) and undelivered every story kept (SCAN stories: an OR of when a
    story began and when it gained a topic), so each cost grew with the history: last_delivery 0.5 -> 11.8 ms,
    undelivered 13 -> 88 ms at 45,000 batches, and the catch-up read last_delivery for ~250 subscriptions a cycle.
    Every statement is now a search of the subscription's own batches or of a range of recent stories."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        story = await add_story(store, "Rare earth quota", ["rare-earths"], when=T0 - timedelta(days=1))
        await add_story(store, "Lynas expands", ["rare-earths"], when=T0, outlet="Outlet B")
        sub = await store.subscribe(1, ["rare-earths"], mode="alerts")
        batch = await store.begin_delivery(sub.id, "digest", "d1", [story])
        assert batch is not None
        await store.finish_delivery(batch, [10])
        async with sqlite_plans(store) as plans:
            last = await store.last_delivery(sub.id, "digest")
            assert last is not None and await store.delivery_done(sub.id, "digest", "d1")
            digest = await store.undelivered(
                sub.id, "digest", T0 - timedelta(hours=24), arrived_after=(last, last - timedelta(hours=24)),
                failed_after=T0 - timedelta(days=7),
            )  # fmt: skip
            await store.undelivered(sub.id, "alert", T0 - timedelta(hours=6))
            await store.grown_since(sub.id, T0 - timedelta(hours=28))
        assert [s.title for s in digest] == ["Lynas expands"]
    finally:
        await store.close()
    assert len(plans) >= 6
    scans = [(statement[:90], step) for statement, plan in plans for step in plan if FULL_SCAN.match(step)]
    by_status = [(statement[:90], step) for statement, plan in plans for step in plan if "ix_deliveries_status" in step]
    assert scans == [] and by_status == []
    # grown_since: the items of the stories the subscription was sent, seen since: a range of each story's items
    (grown,) = [
        plan for statement, plan in plans if statement.startswith("SELECT items.story_id, feeds.name, items.title")
    ]
    assert any("(story_id=? AND seen_at>?)" in step for step in grown), grown


async def test_stories_read_side(store: Store) -> None:
    a = await add_story(store, "Rare earth quota", ["rare-earths"], when=T0)
    b = await add_story(store, "Summit planned", ["us-russia"], when=T0 + timedelta(hours=1), outlet="Outlet B")
    assert [s.id for s in await store.stories(T0 - timedelta(hours=1))] == [b, a]
    assert [s.id for s in await store.stories(T0 - timedelta(hours=1), topic="rare-earths")] == [a]
    assert [s.id for s in await store.stories(T0 - timedelta(hours=1), limit=1)] == [b]
    view = await store.story(b)
    assert view is not None
    assert [m.outlet for m in view.members] == ["Outlet B"]
    assert view.summary[0].outlet == "Outlet B" and view.terms == {"us-russia": ["term"]}
    assert await store.story(10_000) is None


async def test_trend_stories_are_what_the_chart_counted_of_whole_stories(store: Store) -> None:
    """The trend chart's own read (qa16 F4: it read 15 days of whole stories) gives what it counted of Store.stories:
    each topic's newest ``limit`` stories in the topics' order, each once, with its first sighting, topics and members'
    outlets in order (a feed's section dropped, an outlet Google News names)."""
    seeder = StorySeeder(store)
    await seeder.story("Quota cut", ("rare-earths",), outlets=("Wire A",), when=T0)
    await seeder.story("Summit set", ("rare-earths", "us-russia"), outlets=("Wire B – World", "Wire A"), when=T0 + HOUR)
    relayed = ("Quota cut again Bloomberg.com",)  # Google News: the title, then the outlet
    await seeder.story("Quota cut again", outlets=("Google News – rare earths",), when=T0 + 2 * HOUR, summary=relayed)
    await seeder.story("Old summit", ("us-russia",), when=T0 - timedelta(days=2))
    since, topics = T0 - HOUR, ["us-russia", "rare-earths"]
    whole = {}
    for topic in topics:
        for s in await store.stories(since, topic=topic, limit=2):
            whole.setdefault(s.id, s)
    trend = await store.trend_stories(since, topics, limit=2)
    assert trend == [TrendStory(s.first_seen, s.topics, tuple(m.outlet for m in s.members)) for s in whole.values()]
    assert [(t.first_seen, t.outlets) for t in trend] == [
        (T0 + HOUR, ("Wire A", "Wire B")),  # one poll, one time: by link
        (T0 + 2 * HOUR, ("Bloomberg.com",)),
    ]


async def test_a_topics_stories_are_read_up_to_the_limit_not_every_story_since(store: Store) -> None:
    """Store.stories with a topic read every story since ``since`` (fingerprints and analyses) into Python and cut the
    list there: the newest story of a topic, or none of a word no story carries, cost 134 MB and 1.1 s on a 90-day
    store (qa16 F1). The topic and the limit are SQL's: what is read is what is returned."""
    bulky = StoryFingerprints(tuple(("x" * 2000, T0, ("us-russia",)) for _ in range(20)))  # 40 kB a story
    async with store.feed_transaction() as tx:
        for n in range(200):  # 8 MB of fingerprints, all newer than the one rare-earths story
            await tx.create_story(f"Summit {n}", None, ["us-russia"], {}, bulky, T0 + timedelta(minutes=n), True)
    rare = await add_story(store, "Rare earth quota", ["rare-earths"], when=T0 - timedelta(days=1))
    since = T0 - timedelta(days=30)
    await store.stories(since, topic="rare-earths", limit=1)  # the first story read imports the summarizer (5 MB)
    tracemalloc.start()
    try:
        found = await store.stories(since, topic="rare-earths", limit=1)
        missing = await store.stories(since, topic="arctic", limit=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [s.id for s in found] == [rare] and missing == []
    # 8 MB of fingerprints unread: 0.04 MB on SQLite, 0.3 on PostgreSQL (read, they took 8.5 and 10 MB)
    assert peak < 2_000_000, peak
    newest = await store.stories(since, topic="us-russia", limit=3)
    assert [s.title for s in newest] == ["Summit 199", "Summit 198", "Summit 197"]


async def test_story_quotes_are_every_quoted_story_of_the_topics_once_newest_first(store: Store) -> None:
    """/quotes' read (qa16 F8): the quotes alone, a story on two of the topics once, stories without quotes left out."""
    both = await add_story(store, "Both", ["rare-earths", "us-russia"], when=T0 + timedelta(hours=2))
    russia = await add_story(store, "Russia", ["us-russia"], when=T0 + timedelta(hours=1))
    await add_story(store, "Unquoted", ["rare-earths"], when=T0 + timedelta(hours=3))
    other = await add_story(store, "Arctic", ["arctic"], when=T0 + timedelta(hours=4))
    early = await add_story(store, "Early", ["rare-earths"], when=T0 - timedelta(days=2))
    for sid in (both, russia, other, early):
        said = StoryQuote(
            f"Words {sid}", f"Speaker {sid}", "said", "x", outlet="Outlet A", link=f"https://a.example/{sid}"
        )
        await store.set_story_analysis(sid, StoryAnalysis(quotes=(said,)), None)
    told = await store.story_quotes(T0 - timedelta(days=1), ["rare-earths", "us-russia"])
    assert [[(q.speaker, q.link) for q in quotes] for quotes in told] == [
        [(f"Speaker {both}", f"https://a.example/{both}")],
        [(f"Speaker {russia}", f"https://a.example/{russia}")],
    ]
    assert await store.story_quotes(T0 - timedelta(days=1), []) == []


async def test_a_topic_is_matched_whole_in_the_stories_topics(store: Store) -> None:
    """The topic is an element of the story's topics (a JSON array), matched in SQL on either backend: not a part of
    one, and LIKE's wildcards and JSON's escapes are plain characters."""
    odd = await add_story(store, "Odd topics", ["rare-earths", "a%b", 'say "hi"', "ünï"], when=T0)
    since = T0 - timedelta(days=1)
    for topic in ("rare-earths", "a%b", 'say "hi"', "ünï"):
        assert [s.id for s in await store.stories(since, topic=topic)] == [odd], topic
        assert await store.has_topic(topic), topic
    for word in ("rare", "earths", "a_b", "ab", "say", "hi", '"hi"', "%", "rare-earths, a%b"):
        assert await store.stories(since, topic=word) == [], word
        assert not await store.has_topic(word), word


async def test_sync_feeds_adds_updates_and_disables_without_deleting(store: Store) -> None:
    a = FeedSpec("A", "https://a.example/rss", ("rare-earths",), 600)
    b = FeedSpec("B", "https://b.example/rss", ("us-russia",), 900)
    report = await store.sync_feeds([a, b], now=T0)
    assert report.added == ("A", "B")
    await add_story(store, "Kept after removal", ["us-russia"], outlet="B")
    report = await store.sync_feeds([FeedSpec("A", a.url, ("rare-earths",), 300)], now=T0)
    assert report.removed == ("B",) and report.updated == ("A",)
    health = await store.feed_health()
    assert [(h.name, h.enabled) for h in health] == [("A", True)]
    assert await store.item_count() == 1  # B's item is still there
    report = await store.sync_feeds([a, b], now=T0)
    assert report.updated == ("A", "B")
    assert [(h.name, h.enabled, h.items) for h in await store.feed_health()] == [("A", True, 0), ("B", True, 1)]


async def test_sync_feeds_records_the_lists_fingerprint_who_synced_it_and_when(db_url: str) -> None:
    """What instances sharing the database compare their feeds.yaml with (bot.poller.sync_feeds): the fingerprint of
    what the sync wrote, whatever the file's order, and changed by any field the sync writes."""
    a = FeedSpec("A", "https://a.example/rss", ("rare-earths",), 600)
    b = FeedSpec("B", "https://b.example/rss", ("us-russia",), 900)
    one, two = await Store.open(db_url), await Store.open(db_url)
    try:
        assert await one.synced_feeds() is None and one.synced_fingerprint is None
        await one.sync_feeds([a, b], now=T0, instance="worker-a:1f2e3d4c")
        await two.sync_feeds([b, a, replace(a, name="A again")], now=T0 + timedelta(minutes=5), instance="worker-b")
        synced = await one.synced_feeds()
        assert synced is not None and (synced.instance, synced.synced_at) == ("worker-b", T0 + timedelta(minutes=5))
        # the same list reordered, with a URL given twice (the first entry counts, as in the sync): the same fingerprint
        assert synced.fingerprint == feeds_fingerprint([a, b]) == one.synced_fingerprint == two.synced_fingerprint
        assert await query(one, "SELECT COUNT(*) FROM synced_feeds") == [(1,)]
    finally:
        await one.close()
        await two.close()
    changed = [
        [a],
        [a, replace(b, url="https://b.example/feed")],
        [a, replace(b, name="B2")],
        [a, replace(b, topics=("rare-earths",))],
        [a, replace(b, interval=600)],
        [a, replace(b, enabled=False)],
    ]
    assert len({feeds_fingerprint([a, b]), *map(feeds_fingerprint, changed)}) == 1 + len(changed)


def test_the_lists_fingerprint_covers_the_topics_definitions_as_parsed() -> None:
    """Two instances whose topics judge items differently (a rule, the threshold, an exclusion, a label) had the same
    fingerprint: only the feeds were hashed. A topic's definition as parsed is now part of it, so the same definition
    in other words (a default written out, a bare term, another order of topics or keys) is still the same list."""
    feeds = [{"name": "A", "url": "https://a.example/rss", "topics": ["mines", "gardens"]}]
    mines = {"rules": [{"any": "lithium"}]}
    gardens = {"label": "Gardens", "rules": [{"any": ["roses", "garden show"], "weight": 2}]}

    def fingerprint(topics: dict) -> str:
        config = parse_config({"topics": topics, "feeds": feeds})
        return feeds_fingerprint(config.feeds, config.topics)

    same = fingerprint({"mines": mines, "gardens": gardens})
    assert same == fingerprint(
        {"gardens": {"rules": [{"weight": 2, "any": ["roses", "garden show"]}], "label": "Gardens"}, "mines": mines}
    )
    assert same == fingerprint(
        {"mines": {"threshold": 2, "rules": [{"any": ["lithium"], "weight": 1}]}, "gardens": gardens}
    )
    edits = [
        {"threshold": 3},
        {"rules": [{"any": ["roses"], "weight": 2}]},
        {"exclude": ["rose bowl"]},
        {"title_required": True},
        {"label": "Garden news"},
    ]
    changed = [fingerprint({"mines": mines, "gardens": {**gardens, **edit}}) for edit in edits]
    assert len({same, *changed}) == 1 + len(edits)
    config = parse_config({"topics": {"mines": mines, "gardens": gardens}, "feeds": feeds})
    assert feeds_fingerprint(config.feeds) != same  # (without topics: the feeds alone, as before)


async def test_leases_split_feeds_between_owners_and_expire(store: Store) -> None:
    await store.sync_feeds([FeedSpec(f"F{i}", f"https://f{i}.example/rss") for i in range(6)], now=T0)
    first = await store.lease_due_feeds("instance-1", T0, lease_seconds=60, limit=4)
    second = await store.lease_due_feeds("instance-2", T0, lease_seconds=60)
    assert len(first) == 4 and len(second) == 2
    assert not {f.id for f in first} & {f.id for f in second}
    assert await store.lease_due_feeds("instance-3", T0 + timedelta(seconds=30), lease_seconds=60) == []
    expired = await store.lease_due_feeds("instance-3", T0 + timedelta(seconds=61), lease_seconds=60)
    assert len(expired) == 6
    await store.release_feeds("instance-3")
    assert len(await store.lease_due_feeds("instance-1", T0 + timedelta(seconds=62), lease_seconds=60)) == 6


async def test_concurrent_leasers_never_share_a_feed(db_url: str) -> None:
    stores = [await Store.open(db_url) for _ in range(3)]
    try:
        await stores[0].sync_feeds([FeedSpec(f"F{i}", f"https://f{i}.example/rss") for i in range(30)], now=T0)
        results = await asyncio.gather(
            *(s.lease_due_feeds(f"owner-{i}", T0, 60, limit=5) for i, s in enumerate(stores) for _ in range(3))
        )
        ids = [f.id for r in results for f in r]
        assert len(ids) == len(set(ids)) == 30
    finally:
        for s in stores:
            await s.close()


async def test_known_keys_match_guid_in_feed_link_anywhere_and_title_date(store: Store) -> None:
    await store.sync_feeds([FeedSpec("A", "https://a.example/rss"), FeedSpec("B", "https://b.example/rss")], now=T0)
    ids = dict(await query(store, "SELECT name, id FROM feeds"))
    stored = ItemKey("id-1", "guid-1", "https://x.example/1", title_key("Quota cut", T0))
    async with store.feed_transaction() as tx:
        await tx.add_items(ids["A"], [NewItem(stored, "Quota cut", None, T0, alertable=False)], T0)
    same_guid = ItemKey("id-2", "guid-1", "https://x.example/other", None)
    same_link_other_feed = ItemKey("id-3", "guid-9", "https://x.example/1", None)
    same_title_day = ItemKey(
        "id-4", "guid-8", "https://x.example/4", title_key("  QUOTA cut!", T0 + timedelta(hours=3))
    )
    new = ItemKey("id-5", "guid-5", "https://x.example/5", title_key("Quota cut", T0 + timedelta(days=1)))
    assert await store.known_keys(ids["A"], [same_guid, same_title_day, new]) == {"id-2", "id-4"}
    # guid and title are per feed; a link is the same article wherever it appears
    assert await store.known_keys(ids["B"], [same_guid, same_link_other_feed, same_title_day]) == {"id-3"}
    # No feed (one not polled successfully yet, so with no items of its own): by link only.
    assert await store.known_keys(None, [same_guid, same_link_other_feed, same_title_day, new]) == {"id-3"}
    # Inside a feed's transaction, the same look-up (the poller's _store_plain and _write_feed).
    async with store.feed_transaction() as tx:
        assert await tx.known(ids["A"], [same_guid, same_title_day, new]) == {"id-2", "id-4"}
        assert await tx.known(None, [same_guid, same_link_other_feed, same_title_day, new]) == {"id-3"}


async def test_batch_writes_add_items_in_order_and_update_many_feeds(store: Store) -> None:
    await store.sync_feeds([FeedSpec("A", "https://a.example/rss"), FeedSpec("B", "https://b.example/rss")], now=T0)
    ids = dict(await query(store, "SELECT name, id FROM feeds"))
    items = [
        NewItem(ItemKey(f"id-{i}", None, f"https://x.example/{i}", None), f"Title {i}", None, T0, alertable=False)
        for i in range(5)
    ]
    later = T0 + timedelta(minutes=15)
    async with store.feed_transaction() as tx:
        item_ids = await tx.add_items(ids["A"], items, T0)
        await tx.record_outcomes(
            [
                (ids["A"], FeedSuccess(status=304, etag='"a"', last_modified=None, next_poll_at=later)),
                (ids["B"], FeedSuccess(status=304, etag='"b"', last_modified=None, next_poll_at=later, title="Bee")),
            ],
            T0,
        )
    assert len(set(item_ids)) == 5
    by_id = dict(await query(store, "SELECT id, identity FROM items"))
    assert [by_id[i] for i in item_ids] == [f"id-{i}" for i in range(5)]
    rows = await query(store, "SELECT name, last_status, etag, title, lease_owner FROM feeds ORDER BY name")
    assert [tuple(r) for r in rows] == [("A", 304, '"a"', None, None), ("B", 304, '"b"', "Bee", None)]
    async with store.feed_transaction() as tx:
        await tx.record_outcome(
            ids["A"],
            FeedFailure(status=500, error="boom", failures=3, backoff=60.0, next_poll_at=later, disabled_reason="off"),
            later,
        )
    rows = await query(store, "SELECT failures, last_error, enabled, disabled_reason FROM feeds WHERE name = 'A'")
    assert tuple(rows[0]) == (3, "boom", False, "off")


async def test_add_items_gives_ids_in_order_even_when_identities_repeat(store: Store) -> None:
    await store.sync_feeds([FeedSpec("A", "https://a.example/rss")], now=T0)
    ((feed_id,),) = await query(store, "SELECT id FROM feeds")
    items = [
        NewItem(ItemKey(identity, None, f"https://x.example/{n}", None), f"Title {n}", None, T0, alertable=False)
        for n, identity in enumerate(["same", "other", "same"])
    ]
    async with store.feed_transaction() as tx:
        item_ids = await tx.add_items(feed_id, items, T0)
    by_id = dict(await query(store, "SELECT id, title FROM items"))
    assert len(set(item_ids)) == 3 and [by_id[i] for i in item_ids] == ["Title 0", "Title 1", "Title 2"]


async def test_unclustered_items_are_what_clustering_reads(store: Store) -> None:
    await store.sync_feeds([FeedSpec("A", "https://a.example/rss")], now=T0)
    ((feed_id,),) = await query(store, "SELECT id FROM feeds")
    text = "Beijing cut rare earth export quotas again, officials said. " * 40
    on = NewItem(ItemKey("on", None, "https://x.example/on", None), "Quota cut", None, T0, alertable=True)
    on = replace(on, text=text, topics=("rare-earths",), terms={"rare-earths": ["rare earth"]}, relevance=1.0)
    near = NewItem(ItemKey("near", None, "https://x.example/near", None), "Russia holds reporter", "", T0, False)
    plain = NewItem(ItemKey("plain", None, "https://x.example/plain", None), "Weather", "", T0, False)
    async with store.feed_transaction() as tx:
        await tx.add_items(feed_id, [on, replace(near, near=("us-russia",)), plain], T0)
        (got_on,) = await tx.unclustered_items(T0, text_chars=100)
        (whole,) = await tx.unclustered_items(T0)
        (got_near,) = await tx.unclustered_items(T0, on_topic=False, text_chars=100)  # not "plain": it is near nothing
    # ... and which feed brought each (clustering tells outlets apart by it)
    assert got_on[1] == replace(on, text=text[:100], feed_id=feed_id) and whole[1] == replace(on, feed_id=feed_id)
    assert got_near[1].key.identity == "near" and got_near[1].near == ("us-russia",) and got_near[1].feed_id == feed_id


async def test_story_members_can_be_bounded_to_the_first_and_latest_tellings(store: Store) -> None:
    from botapi import StorySeeder

    outlets = tuple(f"Outlet {n:02d}" for n in range(12))
    story = await StorySeeder(store).story("A story many outlets told", outlets=outlets, when=T0)
    _, everyone = await store.story_members(story)
    _, some = await store.story_members(story, first=2, latest=3)
    assert len(everyone) == 12
    assert [m.item_id for m in some] == [m.item_id for m in everyone[:2] + everyone[-3:]]


async def test_members_of_one_cycle_are_listed_by_publication_then_link_whatever_order_feeds_answered(
    store: Store,
) -> None:
    # Item ids follow the order in which feeds answered; within one poll cycle (one seen_at) that order must not
    # decide the listing (stories --json) or which tellings a summary reads first.
    tellings = [  # (outlet, link, published), in the order the feeds answered
        ("Outlet C", "https://c.example/late", T0 + timedelta(minutes=30)),
        ("Outlet B", "https://b.example/same-minute", T0),
        ("Outlet A", "https://a.example/same-minute", T0),
        ("Outlet D", "https://d.example/undated", None),
    ]
    await store.sync_feeds([FeedSpec(o, f"https://{o[-1].lower()}.example/rss") for o, _, _ in tellings])
    feeds = dict(await query(store, "SELECT name, id FROM feeds"))
    async with store.feed_transaction() as tx:
        ids = []
        for outlet, link, published in tellings:
            key = ItemKey(identity=link, guid=link, link=link, title_key=None)
            ids += await tx.add_items(feeds[outlet], [NewItem(key, "Summit planned", "", published, True)], T0)
        story = await tx.create_story(
            "Summit planned", tellings[0][1], ["us-russia"], {}, StoryFingerprints(), T0, True
        )
        await tx.set_item_stories([(i, story.id) for i in ids])
    expected = ["Outlet A", "Outlet B", "Outlet C", "Outlet D"]
    view = await store.story(story.id)
    assert view is not None and [m.outlet for m in view.members] == expected
    assert [m.outlet for m in (await store.story_members(story.id))[1]] == expected
    assert [m.outlet for m in (await store.story_members(story.id, first=1, latest=1))[1]] == ["Outlet A", "Outlet D"]


async def test_sqlite_statements_answer_the_same_in_one_trip_as_with_the_stock_cursor(
    store: Store, tmp_path: Path
) -> None:
    if store.dialect != "sqlite":
        pytest.skip("the one-trip cursor is SQLite's (aiosqlite)")
    from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

    from bot.store import one_trip_connection_class

    one_trip = one_trip_connection_class()
    assert one_trip is not None, "this SQLAlchemy's aiosqlite adapter is not the one the cursor knows"
    async with store.engine.connect() as conn:
        assert type((await conn.get_raw_connection()).dbapi_connection) is one_trip

    async def script(engine: AsyncEngine) -> list[object]:
        out: list[object] = []
        async with engine.begin() as conn:
            await conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER)"))
            insert = sa.text("INSERT INTO t (name, n) VALUES (:name, :n)")
            out.append((await conn.execute(insert, [{"name": "a", "n": 1}, {"name": "b", "n": 2}])).rowcount)
            out.append((await conn.execute(insert, {"name": "c", "n": 3})).lastrowid)
            out.append(
                (await conn.execute(sa.text("INSERT INTO t (name, n) VALUES ('d', 4) RETURNING id, name"))).all()
            )
            out.append((await conn.execute(sa.text("UPDATE t SET n = n + 1 WHERE n >= 2"))).rowcount)
            rows = await conn.execute(sa.text("SELECT name, n FROM t ORDER BY id"))
            out += [list(rows.keys()), rows.mappings().all()]
            out.append((await conn.execute(sa.text("SELECT name FROM t WHERE n > 99"))).all())
        with pytest.raises(sa.exc.IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(sa.text("INSERT INTO t (name, n) VALUES ('e', 5)"))
                await conn.execute(sa.text("INSERT INTO t (name, n) VALUES ('a', 9)"))  # rolls 'e' back too
        async with engine.connect() as conn:
            out.append((await conn.execute(sa.text("SELECT group_concat(name) FROM t"))).scalar())
        return out

    stock = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'stock.db'}")
    try:
        expected = await script(stock)
        async with stock.connect() as conn:
            assert type((await conn.get_raw_connection()).dbapi_connection) is not one_trip
    finally:
        await stock.dispose()
    assert expected[-1] == "a,b,c,d" and expected[0] == 2  # the script does what it says
    assert await script(store.engine) == expected


async def test_only_a_refusal_the_setting_decides_is_retried_at_start(store: Store) -> None:
    """Found by review: every "refused: …" feed was retried (and a disabled one enabled) at each start, a redirect to
    a private address and an invalid URL too, which no setting lets through: under cron they never backed off."""
    from bot.schema import feeds_t

    await store.sync_feeds([FeedSpec("Lan", "https://lan.example/rss"), FeedSpec("Hop", "https://hop.example/rss")])
    errors = {
        "Lan": "refused: lan.example resolves to non-public address 10.0.0.5",
        "Hop": "refused: redirect from a public address to non-public 10.0.0.5",
    }
    async with store.engine.begin() as conn:
        for name, error in errors.items():
            await conn.execute(
                feeds_t.update()
                .where(feeds_t.c.name == name)
                .values(
                    enabled=False,
                    failures=20,
                    last_error=error,
                    disabled_reason=f"disabled after 20 consecutive failures; last: {error}",
                )
            )
    assert await store.retry_refused_feeds() == 1
    assert {h.name: h.enabled for h in await store.feed_health()} == {"Lan": True, "Hop": False}


async def test_a_read_only_open_migrates_nothing(db_url: str) -> None:
    """Store.open(read_only=True), the reading commands' (qa14 D7): a store at an older revision is refused
    (SchemaNotCurrent) and left at it, an empty database is given no table, one of a newer release is told apart;
    at head it reads. The writers' open still upgrades."""
    from alembic import command
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.migrations import alembic_config
    from bot.store import SchemaNotCurrent

    async def revision() -> str | None:
        engine = create_async_engine(db_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(current_revision)
        finally:
            await engine.dispose()

    if db_url.startswith("sqlite"):
        Path(sa.make_url(db_url).database or "").touch()  # (a missing file is open_store's to refuse)
    with pytest.raises(SchemaNotCurrent) as empty:
        await Store.open(db_url, read_only=True)
    assert (empty.value.found, empty.value.newer) == (None, False) and await revision() is None
    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "0015"))
    await engine.dispose()
    with pytest.raises(SchemaNotCurrent) as older:
        await Store.open(db_url, read_only=True)
    assert (older.value.found, older.value.head, older.value.newer) == ("0015", head_revision(), False)
    assert await revision() == "0015"
    await (await Store.open(db_url)).close()
    assert await revision() == head_revision()
    store = await Store.open(db_url, read_only=True)
    try:
        assert await store.subscriptions() == []
    finally:
        await store.close()
    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        await conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    await engine.dispose()
    with pytest.raises(SchemaNotCurrent) as newer:
        await Store.open(db_url, read_only=True)
    assert (newer.value.found, newer.value.newer) == ("0099", True)
