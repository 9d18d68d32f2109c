"""The one persistence module: feeds, items, stories, chats, subscriptions and deliveries.

SQLAlchemy 2 (async, Core) over ``sqlite+aiosqlite`` by default or PostgreSQL (``postgresql+asyncpg``).
The tables are in :mod:`bot.schema` and owned by the Alembic revisions in ``bot/migrations``;
:meth:`Store.open` upgrades to head. Every method returns the frozen dataclasses of :mod:`bot.models`,
never rows. All datetimes are timezone-aware UTC.

Why one module of this size: every query that touches a table lives beside the others that touch it, so a
change of schema is reviewed in one file; :class:`Store` (reads and single writes) and
:class:`FeedTransaction` (everything one feed's poll writes, in one transaction) are its two classes.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import hashlib
import json
import logging
import os
import re
import socket
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from .clock import as_utc, as_utc_or_none, utcnow
from .models import (
    CONSOLE_CHAT_ID,
    ArticleAnalysis,
    ArticleToAnalyse,
    FeedBacklog,
    FeedCounts,
    FeedFailure,
    FeedHealth,
    FeedOutcome,
    FeedState,
    FeedSuccess,
    ItemKey,
    Member,
    MemberArticle,
    NewItem,
    PendingItem,
    PruneReport,
    StatusView,
    StoredCopy,
    StoreSize,
    StoryAnalysis,
    StoryFingerprints,
    StoryQuote,
    StoryRecord,
    StoryView,
    SubscriptionView,
    SyncedFeeds,
    SyncReport,
    TrendStory,
    headline,
    member_outlet,
    outlet_id,
    own_links,
)
from .schema import (
    PENDING_ALERT,
    chats_t,
    deliveries_t,
    delivery_stories_t,
    feeds_t,
    items_t,
    metadata,
    stories_t,
    subscriptions_t,
    synced_feeds_t,
)

log = logging.getLogger(__name__)

# A feed's disabled_reason when feeds.yaml says `enabled: false` (only feeds.yaml undoes it, not /enable).
DISABLED_IN_CONFIG = "disabled in feeds.yaml"
# Chats are deactivated after this many consecutive permanent send failures (e.g. 403 Forbidden), and a forum topic's
# subscription after this many refusals in a row of its topic (deleted or closed).
CHAT_FAILURE_LIMIT = 3
# SQLite waits this long for another writer (another process) before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Retention prunes in transactions of at most this many rows, so a poll cycle waiting for the database waits
# for one short batch (tests/test_retention.py: 5,000 item rows deleted in well under a second on SQLite).
PRUNE_BATCH = 5000
# An item's listed_at (when a feed last listed it) is refreshed once it is this old: a feed answering every few minutes
# costs a write per item a day, and retention (15 days at least) keeps what a feed listed within it.
LISTED_REFRESH = timedelta(days=1)
NOT_MODIFIED = 304  # a feed's HTTP answer when it is unchanged since its last body (FeedSuccess.status)
# A pending delivery batch is its sender's this long, renewed while it sends (bot.delivery: every quarter of it): past
# it the sender died mid-send (SIGKILL), and the batch is recovered (Store.recover_deliveries). Long enough for a
# database busy with a poll cycle's writes to take a renewal late; short enough that the next cycles recover it.
DELIVERY_LEASE = timedelta(minutes=4)
ABANDONED = "abandoned: its sender stopped before it finished"  # a recovered batch's error
# The keys of the Monday weekly charts (bot.delivery.weekly_key): batches of kind "digest", but not the day's digest.
WEEKLY_PREFIX = "weekly-"
# Most stories a digest's "Since the last digest" reads for new outlets (sent stories with items since; newest first).
GROWN_SCAN = 500
# Key of the PostgreSQL advisory lock that serialises story clustering between instances.
_PG_STORY_LOCK = 0x636F7662  # "covb"
_PG_MIGRATION_LOCK = 0x636F766D  # "covm"
_PG_FEEDS_LOCK = 0x636F7666  # "covf": syncing feeds.yaml into the feeds table
# The highest story id ever given, kept or pruned: SQLite's AUTOINCREMENT counter (migration 0011), PostgreSQL's
# sequence (NULL before its first use).
_LAST_STORY_ID_SQLITE = "SELECT seq FROM sqlite_sequence WHERE name = 'stories'"
_LAST_STORY_ID_PG = "SELECT pg_sequence_last_value(pg_get_serial_sequence('stories', 'id')::regclass)"

__all__ = [
    "DISABLED_IN_CONFIG",
    "FeedTransaction",
    "SchemaNotCurrent",
    "Store",
    "default_owner",
    "feeds_fingerprint",
    "metadata",
]


class SchemaNotCurrent(Exception):
    """A store opened read-only whose schema is not this release's head: ``found`` None when it holds no coverage-bot
    schema, ``newer`` when this release does not know the revision (written by a newer release)."""

    def __init__(self, found: str | None, head: str | None, *, newer: bool) -> None:
        super().__init__(f"schema revision {found or 'none'}, this release's is {head}")
        self.found, self.head, self.newer = found, head, newer


_EMPTY_JSON = {type(None): "null", list: "[]", dict: "{}", tuple: "[]"}
# A story's members in the order they arrived, and within one poll cycle (one seen_at) by publication time, then
# link: the order in which feeds answered gives item ids, and must not decide what a listing or a summary shows first.
_MEMBER_ORDER = (items_t.c.seen_at, items_t.c.published_at.nulls_last(), items_t.c.link, items_t.c.id)


class JSONText(str):
    """A value already in its JSON form (made in a worker process), written to a JSON column as it is."""


def _json_dumps(value: Any) -> str:
    """json.dumps, with the empty values most items carry (no topics, no terms, no analysis) answered at once, and
    JSONText as it is."""
    if isinstance(value, JSONText):
        return str(value)
    if not value and type(value) in _EMPTY_JSON:
        return _EMPTY_JSON[type(value)]
    return json.dumps(value)


def _tuple(value: Any) -> tuple[str, ...]:
    return tuple(value or ())


def _gained_since(
    story: sa.RowMapping,
    topics: set[str],
    since: datetime,
    late: tuple[datetime, datetime] | None,
    found_after: datetime | None = None,
) -> bool:
    """Whether a member brought the story one of ``topics`` after ``since`` (stories.topics_gained: the member's
    publication time and when it was stored); with ``late`` (the last delivery, and how far back before it), also a
    member published before that delivery but stored after it, as :meth:`Store.undelivered` takes a late story. With
    ``found_after`` (alerts): a member stored after it and published after ``since``, as an alert takes a story."""
    gained = story["topics_gained"] or {}
    for topic in topics & gained.keys():
        stamps = gained[topic]
        # one time, not [published, stored]: a store written by the commits between 80e1b09 and 0a46070 (the
        # format changed inside migration 0014); read as both, or every digest of the topic's chats failed
        happened, stored = (datetime.fromisoformat(t) for t in ([stamps] * 2 if isinstance(stamps, str) else stamps))
        if found_after is not None:
            if stored > found_after and happened > since:
                return True
        elif happened > since or (late is not None and stored > late[0] and happened > late[1]):
            return True
    return False


def _found_since(story: sa.RowMapping, topic: str, since: datetime, start: datetime) -> bool:
    """Whether an alert counts the story (a row of :meth:`Store.undelivered`) for one of the chat's topics that began
    at ``start``: found after it (and first seen after ``since``), or ``topic`` brought to it by a member stored after
    it and published after ``since``."""
    return bool(story["dated"] and story["alertable_since"] > start) or _gained_since(
        story, {topic}, since, None, start
    )


def _batch_done(subscription_id: int, kind: str, key: str, pending: bool = True) -> sa.Select[Any]:
    """The batch with this key, sent or (``pending``) being sent (begin_delivery, delivery_done)."""
    return sa.select(deliveries_t.c.id).where(
        deliveries_t.c.subscription_id == subscription_id,
        deliveries_t.c.kind == kind,
        deliveries_t.c.key == key,
        deliveries_t.c.status.in_(("pending", "sent") if pending else ("sent",)),
    )


def _of_kind(subscription_id: int, kind: str) -> sa.ColumnElement[bool]:
    """The subscription's batches of this kind; of digests, the daily ones (a weekly chart is no digest of the day's
    stories: counted as one, it hid a digest its killed sender left unsent)."""
    return sa.and_(
        deliveries_t.c.subscription_id == subscription_id,
        deliveries_t.c.kind == kind,
        ~deliveries_t.c.key.startswith(WEEKLY_PREFIX, autoescape=True),
    )


def default_owner(instance_id: str | None = None) -> str:
    """A lease owner name unique to this process: INSTANCE_ID (else host:pid), and a suffix of its own, so two
    processes given one INSTANCE_ID by mistake still hold their leases apart."""
    return f"{instance_id or f'{socket.gethostname()}:{os.getpid()}'}:{uuid.uuid4().hex[:8]}"


def _insert_pending_alert(dialect: str) -> Any:
    """An insert of a pending alert batch that does nothing (returns no id) while another alert batch of the
    subscription is pending: the unique index on PENDING_ALERT arbitrates instances racing to send its alerts."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(deliveries_t).on_conflict_do_nothing(
        index_elements=[deliveries_t.c.subscription_id], index_where=sa.text(PENDING_ALERT)
    )


UNSENT = "unsent"  # a delivery batch's status: the stories a batch sent in part did not carry (finish_delivery)


def _batch_stories(subscription_id: int, kind: str | None, *where: Any) -> sa.Select[Any]:
    """The stories of the subscription's batches of this kind (None: of either) that meet ``where`` (their status,
    their time)."""
    of_kind = () if kind is None else (deliveries_t.c.kind == kind,)
    return (
        sa.select(delivery_stories_t.c.story_id)
        .join(deliveries_t, deliveries_t.c.id == delivery_stories_t.c.delivery_id)
        .where(deliveries_t.c.subscription_id == subscription_id, *of_kind, *where)
    )


class Store:
    """Async persistence over one SQLAlchemy engine; open with :meth:`Store.open`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        # Writes on SQLite start with BEGIN IMMEDIATE so a read never has to be upgraded to a write lock.
        self._writer = engine.execution_options(coverage_bot_write=True)
        self._reader = engine.execution_options(coverage_bot_read=True)
        self._write_lock = asyncio.Lock()
        # This process's side of the feed list (bot.poller): the fingerprint of the list this Store last synced
        # (sync_feeds), and of another instance's list found synced over it that the poller has warned about; the
        # feeds it has warned it leaves to other instances (their topics are not its feeds.yaml's).
        self.synced_fingerprint: str | None = None
        self.warned_fingerprint: str | None = None
        self.warned_left: tuple[int, ...] = ()

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    async def open(cls, database_url: str, *, read_only: bool = False) -> Store:
        """Connect, create the SQLite directory when needed, and migrate the schema to head.

        ``read_only`` (the reading commands, a SQLite file this user may not write) writes nothing: the schema is not
        migrated but checked (SchemaNotCurrent: a store at an older revision is left for the writers to upgrade, so
        a look with a newer CLI does not make an older release's store unreadable to it), and a SQLite file is
        opened read-only, taking no write lock and waiting for none (_read_only_sqlite_url)."""
        url = make_url(database_url)  # (bot.settings.database_url_from_env reads DATABASE_URL and its default)
        kwargs: dict[str, Any] = {}
        if url.get_backend_name() == "sqlite":
            if read_only:
                url = _read_only_sqlite_url(url)
            elif url.database and url.database != ":memory:" and not url.database.startswith("file:"):
                Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        else:
            kwargs["pool_pre_ping"] = True
            if "timeout" in url.query:  # asyncpg's connect timeout (default 60 s) is a number, not the URL's string
                kwargs["connect_args"] = {"timeout": float(str(url.query["timeout"]))}
                url = url.difference_update_query(["timeout"])
        engine = create_async_engine(url, json_serializer=_json_dumps, **kwargs)
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, read_only=read_only)
        store = cls(engine)
        try:
            await (store._check_revision() if read_only else store._migrate())
        except BaseException:
            await engine.dispose()
            raise
        return store

    @staticmethod
    async def revision(database_url: str) -> str | None:
        """The schema revision a database is at, None when it holds no coverage-bot schema; nothing is created (the
        reading commands refuse an empty database rather than create every table in it, as :meth:`open` would)."""
        from bot.migrations import current_revision

        engine = create_async_engine(make_url(database_url))
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(current_revision)
        finally:
            await engine.dispose()

    async def close(self) -> None:
        """Close every connection."""
        await self.engine.dispose()

    async def _check_revision(self) -> None:
        """The schema is this release's (read-only stores are not migrated), else SchemaNotCurrent."""
        from bot.migrations import current_revision, head_revision, known_revisions

        async with self.engine.connect() as conn:
            found = await conn.run_sync(current_revision)
        head = head_revision()
        if found != head:
            raise SchemaNotCurrent(found, head, newer=found is not None and found not in known_revisions())

    async def _migrate(self) -> None:
        from bot.migrations import upgrade_to_head

        async with self._writer.connect() as conn:
            if self.dialect == "postgresql":
                await conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
                await conn.commit()
            elif self.dialect == "sqlite":  # a revision rebuilding a table others reference (0011) drops it
                await conn.run_sync(_sqlite_foreign_keys, False)
            try:
                await conn.run_sync(upgrade_to_head)
                await conn.commit()
            finally:
                if self.dialect == "postgresql":
                    await conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
                    await conn.commit()
                elif self.dialect == "sqlite":
                    await conn.rollback()  # (after a failed upgrade) the pragma is ignored inside a transaction
                    await conn.run_sync(_sqlite_foreign_keys, True)

    @asynccontextmanager
    async def _read(self, consistent: bool = False) -> AsyncIterator[AsyncConnection]:
        """A connection for reading; ``consistent`` gives several statements one snapshot (a transaction)."""
        async with (self.engine if consistent else self._reader).connect() as conn:
            yield conn

    @asynccontextmanager
    async def _write(self, pg_lock: int | None = None) -> AsyncIterator[AsyncConnection]:
        """A write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: optionally under an advisory lock)."""
        if self.dialect == "sqlite":
            async with self._write_lock, self._writer.begin() as conn:
                yield conn
        else:
            async with self._writer.begin() as conn:
                if pg_lock is not None:
                    await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": pg_lock})
                yield conn

    # ------------------------------------------------------------------ stories (read side)

    async def stories(
        self, since: datetime, topic: str | None = None, limit: int = 50, *, after: StoryView | None = None
    ) -> list[StoryView]:
        """Stories first seen since ``since`` (optionally on one topic), newest first. The topic and the limit are
        applied in SQL: `limit` rows are read, not every story since ``since`` (a 90-day store's 23k stories,
        fingerprints and analyses, were read into Python for one story of a topic). ``after``: the listing goes on
        past this story (the last of the previous page), so a long listing is read a page at a time."""
        query = sa.select(stories_t).where(stories_t.c.first_seen >= since)
        if topic is not None:
            query = query.where(self._carries(topic))
        if after is not None:
            at, sid = stories_t.c.first_seen, stories_t.c.id
            query = query.where(sa.or_(at < after.first_seen, sa.and_(at == after.first_seen, sid < after.id)))
        query = query.order_by(stories_t.c.first_seen.desc(), stories_t.c.id.desc()).limit(limit)
        async with self._read(consistent=True) as conn:
            rows = (await conn.execute(query)).mappings().all()
            return await self._story_views(conn, rows)

    async def trend_stories(self, since: datetime, topics: Sequence[str], limit: int) -> list[TrendStory]:
        """The newest ``limit`` stories of each topic first seen since ``since``, each once (the topics' order, newest
        first), as the trend chart counts them: a story's first sighting, topics and members' outlets, not the whole
        story (its analysis JSON and headline were 5 of a 15-day chart's 7 s on a 675k-item store, qa16 F4)."""
        query = (
            sa.select(stories_t.c.id, stories_t.c.first_seen, stories_t.c.topics)
            .where(stories_t.c.first_seen >= since)
            .order_by(stories_t.c.first_seen.desc(), stories_t.c.id.desc())
        )
        async with self._read(consistent=True) as conn:
            chosen: dict[int, Any] = {}
            for topic in topics:  # the topic and the limit SQL's (_carries), as Store.stories reads a topic
                for r in await conn.execute(query.where(self._carries(topic)).limit(limit)):
                    chosen.setdefault(r.id, r)
            outlets: dict[int, list[str]] = {i: [] for i in chosen}
            ids = list(chosen)
            for start in range(0, len(ids), _IN_CHUNK):
                q = (
                    sa.select(items_t.c.story_id, feeds_t.c.name, items_t.c.title, items_t.c.summary)
                    .join(feeds_t, feeds_t.c.id == items_t.c.feed_id)
                    .where(items_t.c.story_id.in_(ids[start : start + _IN_CHUNK]))
                    .order_by(items_t.c.story_id, *_MEMBER_ORDER)
                )
                for sid, feed, title, summary in await conn.execute(q):
                    outlets[sid].append(member_outlet(feed, title, summary)[0])
        return [TrendStory(r.first_seen, _tuple(r.topics), tuple(outlets[r.id])) for r in chosen.values()]

    async def story_quotes(self, since: datetime, topics: Sequence[str]) -> list[tuple[StoryQuote, ...]]:
        """The quotes of every story on any of ``topics`` first seen since ``since``, a story's together, newest story
        first (stories without quotes left out): /quotes' whole week, reading the analyses' quotes alone, not each
        story's members, fingerprint and summary (the newest 500 stories a topic were 4.5 days of a busy store)."""
        if not topics:
            return []
        query = (
            sa.select(stories_t.c.analysis["quotes"])
            .where(stories_t.c.first_seen >= since, sa.or_(*(self._carries(t) for t in topics)))
            .order_by(stories_t.c.first_seen.desc(), stories_t.c.id.desc())
        )
        async with self._read() as conn:
            told = [StoryAnalysis.from_json({"quotes": q}).quotes for (q,) in await conn.execute(query)]
        return [quotes for quotes in told if quotes]

    async def has_topic(self, topic: str) -> bool:
        """Whether a kept story carries ``topic`` (one feeds.yaml no longer has may still label stories): a scan of
        the topics column that stops at the first story, no story read."""
        async with self._read() as conn:
            found = await conn.execute(sa.select(stories_t.c.id).where(self._carries(topic)).limit(1))
            return found.first() is not None

    def _carries(self, topic: str) -> sa.ColumnElement[bool]:
        """A story's topics (a JSON array) hold ``topic``: jsonb containment on PostgreSQL, json_each on SQLite."""
        if self.dialect == "postgresql":
            return sa.cast(stories_t.c.topics, JSONB).contains([topic])
        each = sa.func.json_each(stories_t.c.topics).table_valued("value")
        return sa.exists().where(each.c.value == topic)

    async def story(self, story_id: int) -> StoryView | None:
        """One story by id."""
        async with self._read(consistent=True) as conn:
            rows = (await conn.execute(sa.select(stories_t).where(stories_t.c.id == story_id))).mappings().all()
            views = await self._story_views(conn, rows)
            return views[0] if views else None

    async def last_story_id(self) -> int:
        """The highest story number ever given (0 before the first story): a missing number at or below it was pruned
        by retention, since numbers are never given twice (migration 0011). On PostgreSQL a number taken by an insert
        that was rolled back is counted too, although no story and no digest ever showed it."""
        given = _LAST_STORY_ID_SQLITE if self.dialect == "sqlite" else _LAST_STORY_ID_PG
        async with self._read(consistent=True) as conn:
            last = (await conn.execute(sa.text(given))).scalar()
            kept = (await conn.execute(sa.select(sa.func.max(stories_t.c.id)))).scalar()
        return max(int(last or 0), int(kept or 0))

    async def _story_views(self, conn: AsyncConnection, rows: Sequence[Any]) -> list[StoryView]:
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        members: dict[int, list[Member]] = {i: [] for i in ids}
        q = (
            sa.select(
                items_t.c.story_id,
                feeds_t.c.name,
                sa.func.coalesce(items_t.c.feed_link, items_t.c.link),
                items_t.c.title,
                items_t.c.published_at,
                items_t.c.guid,
                items_t.c.summary,
            )
            .join(feeds_t, feeds_t.c.id == items_t.c.feed_id)
            .where(items_t.c.story_id.in_(ids))
            .order_by(items_t.c.story_id, *_MEMBER_ORDER)
        )
        for sid, feed, link, title, published, guid, summary in await conn.execute(q):
            outlet, relayed = member_outlet(feed, title, summary)
            members[sid].append(Member(outlet, link, title, published, guid, relayed))
        out = []
        for r in rows:
            analysis = StoryAnalysis.from_json(r["analysis"])
            title, link = headline(members[r["id"]], r["title"], r["link"])
            out.append(
                StoryView(
                    id=r["id"],
                    title=title,
                    link=_own_link(link, members[r["id"]]),
                    topics=_tuple(r["topics"]),
                    first_seen=r["first_seen"],
                    updated_at=r["updated_at"],
                    alertable=bool(r["alertable"]),
                    members=tuple(members[r["id"]]),
                    summary=analysis.summary,
                    figures=analysis.figures,
                    quotes=analysis.quotes,
                    terms={k: list(v) for k, v in (r["terms"] or {}).items()},
                )
            )
        return out

    # ------------------------------------------------------------------ feed health

    async def feed_health(self) -> list[FeedHealth]:
        """Every feed in feeds.yaml with its health, in configuration order."""
        counts = sa.select(items_t.c.feed_id, sa.func.count().label("n")).group_by(items_t.c.feed_id).subquery("counts")
        q = (
            sa.select(feeds_t, sa.func.coalesce(counts.c.n, 0).label("n_items"))
            .outerjoin(counts, counts.c.feed_id == feeds_t.c.id)
            .where(feeds_t.c.in_config)
            .order_by(feeds_t.c.id)
        )
        async with self._read() as conn:
            return [
                FeedHealth(
                    name=r["name"],
                    url=r["url"],
                    enabled=bool(r["enabled"]),
                    last_success_at=r["last_success_at"],
                    last_status=r["last_status"],
                    items=int(r["n_items"]),
                    failures=r["failures"],
                    disabled_reason=r["disabled_reason"],
                    next_poll_at=r["next_poll_at"] if r["enabled"] else None,
                    last_error=r["last_error"],
                    source_url=r["source_url"],
                )
                for r in (await conn.execute(q)).mappings()
            ]

    async def feed_counts(self) -> FeedCounts:
        """The configured feeds healthy (enabled, no failure in a row), failing and disabled, and the last poll."""
        async with self._read(consistent=True) as conn:
            feeds = (
                await conn.execute(sa.select(feeds_t.c.enabled, feeds_t.c.failures).where(feeds_t.c.in_config))
            ).all()
            last_poll = (
                await conn.execute(sa.select(sa.func.max(feeds_t.c.last_attempt_at)).where(feeds_t.c.in_config))
            ).scalar()
        return FeedCounts(
            feeds_total=len(feeds),
            healthy=sum(1 for enabled, failures in feeds if enabled and failures == 0),
            failing=sum(1 for enabled, failures in feeds if enabled and failures > 0),
            disabled=sum(1 for enabled, _ in feeds if not enabled),
            last_poll_at=as_utc_or_none(last_poll) if isinstance(last_poll, datetime) else _parse_dt(last_poll),
        )

    async def status(self, now: datetime | None = None) -> StatusView:
        """Feed counts, the last poll, today's stories, the chats that were deactivated and the store's size."""
        now = now or utcnow()
        feeds = await self.feed_counts()
        midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        async with self._read(consistent=True) as conn:
            today = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(stories_t).where(stories_t.c.first_seen >= midnight)
                )
            ).scalar()
            dead = (
                await conn.execute(
                    sa.select(chats_t.c.chat_id, chats_t.c.deactivated_reason)
                    .where(~chats_t.c.active)
                    .order_by(chats_t.c.chat_id)
                )
            ).all()
        return StatusView(
            feeds_total=feeds.feeds_total,
            healthy=feeds.healthy,
            failing=feeds.failing,
            disabled=feeds.disabled,
            last_poll_at=feeds.last_poll_at,
            stories_today=int(today or 0),
            deactivated_chats=[(int(c), r or "") for c, r in dead],
            size=await self.size(),
        )

    # ------------------------------------------------------------------ chats and subscriptions

    async def subscribe(
        self,
        chat_id: int,
        topics: list[str],
        mode: str = "daily",
        at: str = "08:00",
        timezone: str | None = None,
        thread_id: int | None = None,
        chat_type: str | None = None,
        title: str | None = None,
    ) -> SubscriptionView:
        """Create or update the (chat, thread) subscription: topics merged, mode/time set, reactivated."""
        if mode not in ("daily", "alerts"):
            raise ValueError(f"mode must be 'daily' or 'alerts', not {mode!r}")
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", at):
            raise ValueError(f"time must be HH:MM (24-hour), not {at!r}")
        now = utcnow()
        thread = thread_id or 0
        async with self._write() as conn:
            # a chat deactivated (the bot blocked or removed) had, as /start and /settings say, no subscriptions
            was_active = (
                await conn.execute(sa.select(chats_t.c.active).where(chats_t.c.chat_id == chat_id))
            ).scalar_one_or_none() is not False
            await self._upsert_chat(conn, chat_id, chat_type, title, now, reactivate=True)
            row = (
                (
                    await conn.execute(
                        sa.select(subscriptions_t).where(
                            subscriptions_t.c.chat_id == chat_id, subscriptions_t.c.thread_id == thread
                        )
                    )
                )
                .mappings()
                .first()
            )
            if row is None:
                await conn.execute(
                    subscriptions_t.insert().values(
                        chat_id=chat_id,
                        thread_id=thread,
                        topics=_merge_topics([], topics),
                        mode=mode,
                        at=at,
                        timezone=timezone,
                        active=True,
                        created_at=now,
                        updated_at=now,
                        failures=0,
                        alerts_since=now,
                    )
                )
            else:
                restarted = not (row["active"] and was_active)
                old = [] if restarted else list(row["topics"] or [])
                # alerts start now for a subscription made active again or switched to alerts, every topic's with them;
                # a topic added to an active one starts its own now (Store.undelivered)
                start: dict[str, Any] = {}
                if restarted or (mode == "alerts" and row["mode"] != "alerts"):
                    start = {"alerts_since": now, "topics_since": None}
                elif added := [t for t in topics if t not in old]:
                    start = {"topics_since": {**(row["topics_since"] or {}), **dict.fromkeys(added, now.isoformat())}}
                await conn.execute(
                    subscriptions_t.update()
                    .where(subscriptions_t.c.id == row["id"])
                    .values(
                        topics=_merge_topics(old, topics),
                        mode=mode,
                        at=at,
                        timezone=timezone if timezone is not None else row["timezone"],
                        active=True,
                        updated_at=now,
                        failures=0,
                        **start,
                    )
                )
            views = await self._subscription_views(
                conn, (subscriptions_t.c.chat_id == chat_id) & (subscriptions_t.c.thread_id == thread)
            )
        return views[0]

    async def unsubscribe(self, chat_id: int, topics: list[str] | None = None, thread_id: int | None = None) -> int:
        """Drop topics from the (chat, thread) subscription (None = all); returns subscriptions changed."""
        thread = thread_id or 0
        now = utcnow()
        async with self._write() as conn:
            rows = (
                (
                    await conn.execute(
                        sa.select(subscriptions_t).where(
                            subscriptions_t.c.chat_id == chat_id,
                            subscriptions_t.c.thread_id == thread,
                            subscriptions_t.c.active,
                        )
                    )
                )
                .mappings()
                .all()
            )
            changed = 0
            for row in rows:
                current = list(row["topics"] or [])
                remaining = [] if topics is None else [t for t in current if t not in set(topics)]
                if remaining == current:
                    continue
                await conn.execute(
                    subscriptions_t.update()
                    .where(subscriptions_t.c.id == row["id"])
                    .values(topics=remaining, active=bool(remaining), updated_at=now)
                )
                changed += 1
        return changed

    async def subscriptions(
        self, chat_id: int | None = None, active: bool | None = True, *, deliverable: bool = False
    ) -> list[SubscriptionView]:
        """Subscriptions of one chat or of all chats; ``active=None`` for active and inactive ones; ``deliverable``: only
        those Telegram can be sent to, not the console's own chat (CONSOLE_CHAT_ID), as digests and alerts pick them."""
        cond: sa.ColumnElement[bool] = sa.true()
        if deliverable:
            cond = cond & (subscriptions_t.c.chat_id != CONSOLE_CHAT_ID)
        if chat_id is not None:
            cond = cond & (subscriptions_t.c.chat_id == chat_id)
        if active is True:
            cond = cond & subscriptions_t.c.active & chats_t.c.active
        elif active is False:
            cond = cond & ~(subscriptions_t.c.active & chats_t.c.active)
        async with self._read() as conn:
            return await self._subscription_views(conn, cond)

    async def subscription(self, subscription_id: int) -> SubscriptionView | None:
        """One subscription as it is now, active or not; None once it is gone (merged away by :meth:`migrate_chat`)."""
        async with self._read() as conn:
            views = await self._subscription_views(conn, subscriptions_t.c.id == subscription_id)
        return views[0] if views else None

    async def _subscription_views(self, conn: AsyncConnection, cond: Any) -> list[SubscriptionView]:
        q = (
            sa.select(
                subscriptions_t,
                chats_t.c.active.label("chat_active"),
                chats_t.c.failures.label("chat_failures"),  # (subscriptions.failures is the forum topic's)
                chats_t.c.deactivated_reason,
                chats_t.c.chat_type,
                chats_t.c.title,
            )
            .join(chats_t, chats_t.c.chat_id == subscriptions_t.c.chat_id)
            .where(cond)
            .order_by(subscriptions_t.c.chat_id, subscriptions_t.c.thread_id)
        )
        return [
            SubscriptionView(
                id=r["id"],
                chat_id=int(r["chat_id"]),
                thread_id=int(r["thread_id"]) or None,
                topics=_tuple(r["topics"]),
                mode=r["mode"],
                at=r["at"],
                timezone=r["timezone"],
                active=bool(r["active"] and r["chat_active"]),
                failures=r["chat_failures"],
                deactivated_reason=r["deactivated_reason"],
                chat_type=r["chat_type"],
                title=r["title"],
                changed_at=as_utc_or_none(r["updated_at"]),
            )
            for r in (await conn.execute(q)).mappings()
        ]

    async def _upsert_chat(
        self,
        conn: AsyncConnection,
        chat_id: int,
        chat_type: str | None,
        title: str | None,
        now: datetime,
        reactivate: bool,
    ) -> None:
        row = (await conn.execute(sa.select(chats_t).where(chats_t.c.chat_id == chat_id))).mappings().first()
        if row is None:
            await conn.execute(
                chats_t.insert().values(
                    chat_id=chat_id, chat_type=chat_type, title=title, active=True, failures=0, updated_at=now
                )
            )
            return
        values: dict[str, Any] = {"updated_at": now}
        if chat_type is not None:
            values["chat_type"] = chat_type
        if title is not None:
            values["title"] = title
        if reactivate:
            values.update(active=True, failures=0, deactivated_reason=None)
        await conn.execute(chats_t.update().where(chats_t.c.chat_id == chat_id).values(**values))

    async def set_timezone(self, chat_id: int, tz: str, thread_id: int | None = None) -> int:
        """Set the timezone of the (chat, thread) subscription, active or not (a new subscription there uses it again);
        how many were updated, 0 when it has none. Per forum topic, as subscriptions are and as commands read it: one
        topic's /timezone moved every topic's digests before."""
        async with self._write() as conn:
            result = await conn.execute(
                subscriptions_t.update()
                .where(subscriptions_t.c.chat_id == chat_id, subscriptions_t.c.thread_id == (thread_id or 0))
                .values(timezone=tz, updated_at=utcnow())
            )
            return result.rowcount or 0

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Move a chat (group upgraded to supergroup) with its subscriptions to its new id; how many subscriptions moved.

        Idempotent: Telegram tells of one upgrade up to three times (the old group's service message, the new
        supergroup's, a send refused with ChatMigrated), and every telling after the first finds nothing left to move.
        A subscription the new chat has already (made there before the bot heard of the upgrade) absorbs the old
        one's (:func:`_merged`), with its delivery history (:func:`_move_deliveries`)."""
        if old_chat_id == new_chat_id:
            return 0
        now = utcnow()
        async with self._write() as conn:
            # locked: the two service messages are handled at once (two chats), and on PostgreSQL both moves read the
            # new chat missing and inserted it; the second now waits for the first, then finds nothing left to move
            old = (
                (await conn.execute(sa.select(chats_t).where(chats_t.c.chat_id == old_chat_id).with_for_update()))
                .mappings()
                .first()
            )
            if old is None:
                return 0
            new = (await conn.execute(sa.select(chats_t).where(chats_t.c.chat_id == new_chat_id))).mappings().first()
            if new is None:
                await conn.execute(
                    chats_t.insert().values(
                        chat_id=new_chat_id,
                        chat_type="supergroup" if old["chat_type"] == "group" else old["chat_type"],
                        title=old["title"],
                        active=True,
                        failures=0,
                        updated_at=now,
                    )
                )
            old_subs = (
                (await conn.execute(sa.select(subscriptions_t).where(subscriptions_t.c.chat_id == old_chat_id)))
                .mappings()
                .all()
            )
            for sub in old_subs:
                clash = (
                    (
                        await conn.execute(
                            sa.select(subscriptions_t).where(
                                subscriptions_t.c.chat_id == new_chat_id,
                                subscriptions_t.c.thread_id == sub["thread_id"],
                            )
                        )
                    )
                    .mappings()
                    .first()
                )
                if clash is None:
                    await conn.execute(
                        subscriptions_t.update()
                        .where(subscriptions_t.c.id == sub["id"])
                        .values(chat_id=new_chat_id, updated_at=now)
                    )
                    continue
                await conn.execute(
                    subscriptions_t.update()
                    .where(subscriptions_t.c.id == clash["id"])
                    .values(**_merged(clash, sub), updated_at=now)
                )
                await _move_deliveries(conn, sub["id"], clash["id"])
                await conn.execute(subscriptions_t.delete().where(subscriptions_t.c.id == sub["id"]))
            await conn.execute(
                chats_t.update()
                .where(chats_t.c.chat_id == old_chat_id)
                .values(active=False, deactivated_reason=f"migrated to {new_chat_id}", updated_at=now)
            )
        return len(old_subs)

    async def record_send_failure(self, chat_id: int, reason: str) -> bool:
        """Count a permanent send failure of the whole chat (403 Forbidden, chat not found; a forum topic's own refusal
        is :meth:`record_topic_failure`'s).

        Returns True when this failure deactivated the chat (the third in a row).
        """
        now = utcnow()
        async with self._write() as conn:
            row = (await conn.execute(sa.select(chats_t).where(chats_t.c.chat_id == chat_id))).mappings().first()
            if row is None:
                await self._upsert_chat(conn, chat_id, None, None, now, reactivate=False)
                row = (await conn.execute(sa.select(chats_t).where(chats_t.c.chat_id == chat_id))).mappings().one()
            failures = row["failures"] + 1
            deactivate = bool(row["active"]) and failures >= CHAT_FAILURE_LIMIT
            values: dict[str, Any] = {"failures": failures, "updated_at": now}
            if deactivate:
                values.update(active=False, deactivated_reason=reason)
            await conn.execute(chats_t.update().where(chats_t.c.chat_id == chat_id).values(**values))
        if deactivate:
            log.warning("chat %s deactivated after %d failed sends: %s", chat_id, failures, reason)
        return deactivate

    async def record_topic_failure(self, subscription_id: int, reason: str) -> bool:
        """Count a refusal of the subscription's forum topic (deleted: "message thread not found", or closed) against
        that subscription only: the chat and its other topics are fine.

        Returns True when this refusal deactivated the subscription (the third in a row).
        """
        async with self._write() as conn:
            row = (
                (await conn.execute(sa.select(subscriptions_t).where(subscriptions_t.c.id == subscription_id)))
                .mappings()
                .first()
            )
            if row is None:  # merged away meanwhile (migrate_chat)
                return False
            failures = row["failures"] + 1
            deactivate = bool(row["active"]) and failures >= CHAT_FAILURE_LIMIT
            values: dict[str, Any] = {"failures": failures}
            if deactivate:
                values["active"] = False
            await conn.execute(subscriptions_t.update().where(subscriptions_t.c.id == subscription_id).values(**values))
        if deactivate:
            log.warning(
                "chat %s: subscription %s of forum topic %s deactivated after %d refusals: %s",
                row["chat_id"], subscription_id, row["thread_id"], failures, reason,
            )  # fmt: skip
        return deactivate

    async def record_send_success(self, chat_id: int, subscription_id: int | None = None) -> None:
        """A message reached the chat (and the subscription's forum topic): reset their failure counts. Another topic's
        count stays: its topic may be gone though this one is fine."""
        async with self._write() as conn:
            await conn.execute(
                chats_t.update().where(chats_t.c.chat_id == chat_id, chats_t.c.failures != 0).values(failures=0)
            )
            if subscription_id is not None:
                await conn.execute(
                    subscriptions_t.update()
                    .where(subscriptions_t.c.id == subscription_id, subscriptions_t.c.failures != 0)
                    .values(failures=0)
                )

    # added by telegram engineer: the bot was removed from a chat (my_chat_member kicked/left)
    async def deactivate_chat(self, chat_id: int, reason: str) -> bool:
        """Stop delivering to a chat at once; returns False when the chat was unknown or already inactive."""
        async with self._write() as conn:
            result = await conn.execute(
                chats_t.update()
                .where(chats_t.c.chat_id == chat_id, chats_t.c.active)
                .values(active=False, deactivated_reason=reason, updated_at=utcnow())
            )
            return bool(result.rowcount)

    # ------------------------------------------------------------------ deliveries

    async def undelivered(
        self,
        subscription_id: int,
        kind: str,
        since: datetime,
        arrived_after: tuple[datetime, datetime] | None = None,
        failed_after: datetime | None = None,
        found_after: datetime | None = None,
    ) -> list[StoryView]:
        """Stories on the subscription's topics first seen after ``since`` and never sent to it, in a digest or an
        alert (a chat that switched from one to the other is not told a story again as new).

        ``arrived_after`` (the last delivery, and how far back before it): also the stories dated before ``since``
        whose every telling the bot stored after that delivery, dated after the earlier bound (a feed that answers
        late: published before the last digest, fetched after it, it was in neither digest).

        ``failed_after``: also the stories first seen after it that a batch of this kind sent in part left over (they
        wait for the next digest, whose window no longer holds them).

        Alerts only take alertable stories the bot found (``alertable_since``) after ``found_after`` (default:
        ``since``) and after the subscription began taking alerts (``alerts_since``): what a feed lists hours after
        publishing it is new when the bot finds it, and what was found before a chat subscribed is not new to it. A
        gained topic counts for alerts when its member was stored after those and published after ``since``. A topic
        added to the subscription begins when it was added (``topics_since``): its stories found before are not new;
        a story on two of the chat's topics counts from the earlier start.

        Stories in a pending batch count as sent (a crash mid-send must not post twice) until its sender's lease runs
        out (:meth:`recover_deliveries`); stories whose analysis is still being computed wait for the next call.
        """
        _check_kind(kind)
        async with self._read(consistent=True) as conn:
            sub = (
                (await conn.execute(sa.select(subscriptions_t).where(subscriptions_t.c.id == subscription_id)))
                .mappings()
                .first()
            )
            if sub is None:
                return []
            wanted = set(sub["topics"] or [])
            done = _batch_stories(subscription_id, None, deliveries_t.c.status.in_(("pending", "sent")))
            dated: sa.ColumnElement[bool] = stories_t.c.first_seen > since
            # the stories that may be new, each part a range of an index or the subscription's own batches: the OR
            # below made SQLite read every story kept, per subscription
            lowest = since if arrived_after is None else min(since, arrived_after[1])
            may_be: list[sa.Select[Any]] = [sa.select(stories_t.c.id).where(stories_t.c.first_seen > lowest)]
            found: datetime | None = None
            if kind == "alert":
                found = max(found_after or since, sub["alerts_since"] or since)
                dated = sa.and_(dated, stories_t.c.alertable_since > found)
            if arrived_after is not None:
                last, earliest = arrived_after
                told_before = sa.exists().where(items_t.c.story_id == stories_t.c.id, items_t.c.seen_at <= last)
                dated = sa.or_(dated, sa.and_(stories_t.c.first_seen > earliest, ~told_before))
            if failed_after is not None:
                # only what a batch sent in part left over, and only as long as the story is recent: a story whose
                # message Telegram refuses fails every digest it is in, and is not offered for ever
                unsent = _batch_stories(subscription_id, kind, deliveries_t.c.status == UNSENT)
                dated = sa.or_(dated, sa.and_(stories_t.c.id.in_(unsent), stories_t.c.first_seen > failed_after))
                may_be.append(unsent)
            # a story that gained one of the chat's topics since (a later telling made it us-russia too) is new to
            # the chat then, however long ago it began
            gained = stories_t.c.gained_at > (
                found if found is not None else min(since, arrived_after[0]) if arrived_after is not None else since
            )
            may_be.append(sa.select(stories_t.c.id).where(gained))
            q = (
                sa.select(stories_t, dated.label("dated"))
                .where(
                    stories_t.c.id.in_(sa.union_all(*may_be)),
                    sa.or_(dated, gained),
                    ~stories_t.c.needs_analysis,
                    stories_t.c.id.not_in(done),
                )
                .order_by(stories_t.c.first_seen, stories_t.c.id)
            )
            if kind == "alert":
                q = q.where(stories_t.c.alertable)
            # a topic added to the chat's alerts begins when it was added (subscriptions.topics_since), the others
            # with the subscription: a story counts from the earliest start of the chat's topics it is on
            began: dict[str, datetime] = {}
            if found is not None:
                began = {t: max(found, datetime.fromisoformat(at)) for t, at in (sub["topics_since"] or {}).items()}
            rows = [
                r
                for r in (await conn.execute(q)).mappings()
                if (on := wanted & set(r["topics"] or ()))
                and (
                    any(_found_since(r, t, since, began.get(t, found)) for t in on)
                    if found is not None and began.keys() & on
                    else r["dated"] or _gained_since(r, on, since, arrived_after, found)
                )
            ]
            return await self._story_views(conn, rows)

    async def grown_since(self, subscription_id: int, since: datetime, limit: int = 20) -> list[tuple[StoryView, int]]:
        """Stories this subscription already got in a digest that outlets new to them have told since ``since``:
        each with how many new outlets (most first), so a digest can say so instead of repeating the story."""
        async with self._read(consistent=True) as conn:
            sent = (
                sa.select(delivery_stories_t.c.story_id)
                .join(deliveries_t, deliveries_t.c.id == delivery_stories_t.c.delivery_id)
                .where(
                    deliveries_t.c.subscription_id == subscription_id,
                    deliveries_t.c.kind == "digest",
                    deliveries_t.c.status == "sent",
                )
            )
            # an outlet is new when none of its items was seen before ``since`` (one outlet's feeds are one outlet:
            # bot.models.member_outlet), so the outlets are told apart here, not by the feeds in SQL
            touched = (
                sa.select(items_t.c.story_id)
                .where(items_t.c.story_id.in_(sent), items_t.c.seen_at > since)
                .group_by(items_t.c.story_id)
                .order_by(items_t.c.story_id.desc())
                .limit(GROWN_SCAN)
            )
            q = (
                sa.select(items_t.c.story_id, feeds_t.c.name, items_t.c.title, items_t.c.summary, items_t.c.seen_at)
                .join(feeds_t, feeds_t.c.id == items_t.c.feed_id)
                .where(items_t.c.story_id.in_(touched))
            )
            before: dict[int, set[str]] = collections.defaultdict(set)
            after: dict[int, set[str]] = collections.defaultdict(set)
            for sid, feed, title, summary, seen in await conn.execute(q):
                outlet, _ = member_outlet(feed, title, summary)
                (after if as_utc(seen) > since else before)[sid].add(outlet_id(outlet))
            grown = {sid: len(keys - before[sid]) for sid, keys in after.items()}
            ranked = sorted((sid for sid, n in grown.items() if n), key=lambda sid: (-grown[sid], sid))[:limit]
            counts = {sid: grown[sid] for sid in ranked}
            if not counts:
                return []
            rows = (await conn.execute(sa.select(stories_t).where(stories_t.c.id.in_(list(counts))))).mappings().all()
            views = await self._story_views(conn, rows)
        return sorted(((v, counts[v.id]) for v in views), key=lambda x: (-x[1], x[0].id))

    async def begin_delivery(self, subscription_id: int, kind: str, key: str, story_ids: list[int]) -> int | None:
        """Record a batch as pending, leased to its sender for DELIVERY_LEASE (:meth:`hold_delivery` renews it); None
        when a digest with this key was already sent (or is being sent), by this process or another: of instances
        racing to begin one, the unique index on live digest batches (migration 0008) lets one insert it.

        Alerts all share one key: None while another alert batch of the subscription is pending (one at a time,
        migration 0009), or when an alert batch sent or being sent holds one of ``story_ids`` (read before another
        instance sent it). Such a batch is not begun at all rather than begun without those stories, so the message
        composed for it is the message sent; what it alone held is read again at the next cycle.

        None too when the subscription is gone: merged into another when its group became a supergroup
        (:meth:`migrate_chat`) while a job that had read it was still at work."""
        _check_kind(kind)
        try:
            return await self._begin_delivery(subscription_id, kind, key, story_ids)
        except sa.exc.IntegrityError:
            # PostgreSQL's READ COMMITTED let another instance insert the key between our check and our insert
            if kind == "digest" and await self.delivery_done(subscription_id, kind, key):
                return None
            if await self.subscription(subscription_id) is None:  # the foreign key refused it: the row is gone
                return None
            raise

    async def _begin_delivery(self, subscription_id: int, kind: str, key: str, story_ids: list[int]) -> int | None:
        now = utcnow()
        ids = sorted(set(story_ids))
        async with self._write() as conn:
            if kind == "digest" and (await conn.execute(_batch_done(subscription_id, kind, key))).first() is not None:
                return None
            # an alert takes the subscription's one pending slot first, then looks for its stories in the other batches:
            # one another instance finished before the slot was ours is seen there (READ COMMITTED reads it)
            insert = deliveries_t.insert() if kind == "digest" else _insert_pending_alert(self.dialect)
            batch_id = (
                await conn.execute(
                    insert.values(
                        subscription_id=subscription_id,
                        kind=kind,
                        key=key,
                        status="pending",
                        message_ids=[],
                        created_at=now,
                        lease_until=now + DELIVERY_LEASE,
                    ).returning(deliveries_t.c.id)
                )
            ).scalar_one_or_none()
            if batch_id is None:  # another instance is sending this subscription's alerts
                return None
            if kind == "alert" and ids:
                held = _batch_stories(
                    subscription_id,
                    kind,
                    deliveries_t.c.status.in_(("pending", "sent")),
                    delivery_stories_t.c.story_id.in_(ids),
                )
                if (await conn.execute(held.limit(1))).first() is not None:
                    await conn.execute(deliveries_t.delete().where(deliveries_t.c.id == batch_id))
                    return None
            if ids:
                await conn.execute(delivery_stories_t.insert(), [{"delivery_id": batch_id, "story_id": s} for s in ids])
            return batch_id

    async def finish_delivery(
        self, batch_id: int, message_ids: list[int], *, unsent: Iterable[int] = (), error: str | None = None
    ) -> None:
        """Mark a batch as sent; ``unsent``: stories of it that did not go out after all (a batch sent in part). They
        move to a batch of the same key with status "unsent" and the ``error`` that stopped them, which
        :meth:`undelivered` offers again (``failed_after``)."""
        now = utcnow()
        async with self._write() as conn:
            await conn.execute(
                deliveries_t.update()
                .where(deliveries_t.c.id == batch_id)
                .values(status="sent", message_ids=list(message_ids), error=error, finished_at=now)
            )
            if unsent := list(unsent):
                await _move_unsent(conn, batch_id, unsent, error or "sent in part", now)

    async def progress_delivery(self, batch_id: int, message_ids: list[int], unsent: Iterable[int]) -> None:
        """A pending batch's messages answered so far, and its stories not sent yet: should its sender die before it
        finishes (SIGKILL), :meth:`recover_deliveries` takes the batch as sent in part, and what went out is not sent
        again. One write per message, before the next is sent."""
        async with self._write() as conn:
            await conn.execute(
                deliveries_t.update()
                .where(deliveries_t.c.id == batch_id, deliveries_t.c.status == "pending")
                .values(message_ids=list(message_ids), unsent_stories=sorted(set(unsent)))
            )

    async def hold_delivery(self, batch_id: int) -> bool:
        """Renew a pending batch's lease (its sender is still at it); False when it is pending no more."""
        async with self._write() as conn:
            result = await conn.execute(
                deliveries_t.update()
                .where(deliveries_t.c.id == batch_id, deliveries_t.c.status == "pending")
                .values(lease_until=utcnow() + DELIVERY_LEASE)
            )
            return bool(result.rowcount)

    async def recover_deliveries(self, now: datetime | None = None) -> int:
        """Pending batches whose lease ran out (their sender died mid-send) become "unsent", as the stories a batch
        sent in part did not carry: offered to the next batch of their kind (:meth:`undelivered`), and a digest's
        key is free to be sent again. One whose first messages were answered (:meth:`progress_delivery`) is sent in
        part, as :meth:`finish_delivery` records it: only its stories not sent are offered again. Another instance's
        batch being sent now holds its lease and is left alone. How many were recovered."""
        now = now or utcnow()
        pending = (
            sa.select(deliveries_t.c.id, deliveries_t.c.lease_until, deliveries_t.c.created_at)
            .where(deliveries_t.c.status == "pending")
            .order_by(deliveries_t.c.id)
        )
        async with self._read() as conn:  # a read first: nearly always nothing to do, and no write lock taken
            rows = (await conn.execute(pending)).all()
        # a batch from before migration 0007 has no lease: it counts from its creation
        expired = [r.id for r in rows if (r.lease_until or r.created_at + DELIVERY_LEASE) < now]
        if not expired:
            return 0
        async with self._write() as conn:
            lapsed = sa.func.coalesce(deliveries_t.c.lease_until, deliveries_t.c.created_at) < now
            answered = deliveries_t.c.unsent_stories.is_not(None)  # its first messages went out: sent in part
            recovered = (
                await conn.execute(
                    deliveries_t.update()
                    .where(deliveries_t.c.id.in_(expired), deliveries_t.c.status == "pending", lapsed)
                    .values(
                        status=sa.case((answered, "sent"), else_=UNSENT),
                        error=ABANDONED,
                        # sent in part: sent when it began (last_delivery), not when found hours later: a story
                        # published before it and fetched meanwhile is a late one for the next digest
                        finished_at=sa.case((answered, deliveries_t.c.created_at), else_=now),
                    )
                    .returning(deliveries_t.c.id, deliveries_t.c.unsent_stories)
                )
            ).all()
            for batch_id, unsent in recovered:
                if unsent:
                    await _move_unsent(conn, batch_id, unsent, ABANDONED, now)
        return len(recovered)

    async def fail_delivery(self, batch_id: int, error: str) -> None:
        """Mark a pending batch as failed: its stories are offered again by :meth:`undelivered`."""
        async with self._write() as conn:
            await conn.execute(
                deliveries_t.update()
                .where(deliveries_t.c.id == batch_id, deliveries_t.c.status == "pending")
                .values(status="failed", error=error[:2000], finished_at=utcnow())
            )

    async def delivery_done(self, subscription_id: int, kind: str, key: str, *, pending: bool = True) -> bool:
        """Whether the batch with this key was sent (or, with ``pending``, is being sent) to the subscription."""
        _check_kind(kind)
        async with self._read() as conn:
            return (await conn.execute(_batch_done(subscription_id, kind, key, pending))).first() is not None

    async def delivery_tried(self, subscription_id: int, kind: str, since: datetime) -> bool:
        """Whether a batch of this kind (a daily digest, not a weekly chart) was begun for the subscription at or after
        ``since``, whatever became of it."""
        _check_kind(kind)
        tried = sa.select(deliveries_t.c.id).where(_of_kind(subscription_id, kind), deliveries_t.c.created_at >= since)
        async with self._read() as conn:
            return (await conn.execute(tried.limit(1))).first() is not None

    async def last_delivery(self, subscription_id: int, kind: str) -> datetime | None:
        """When a batch of this kind (a daily digest, not a weekly chart) was last sent to the subscription."""
        _check_kind(kind)
        async with self._read() as conn:
            value = (
                await conn.execute(
                    sa.select(sa.func.max(deliveries_t.c.finished_at)).where(
                        _of_kind(subscription_id, kind), deliveries_t.c.status == "sent"
                    )
                )
            ).scalar()
        return as_utc_or_none(value) if isinstance(value, datetime) else _parse_dt(value)

    # ------------------------------------------------------------------ poller side: feeds

    async def sync_feeds(
        self,
        feeds: Iterable[Any],
        now: datetime | None = None,
        instance: str | None = None,
        topics: Mapping[str, Any] | None = None,
    ) -> SyncReport:
        """Make the feeds table follow feeds.yaml: add new feeds, update changed ones, disable removed ones.

        Removed feeds are disabled, never deleted, so their items and stories stay. The list's fingerprint (of the
        feeds, and of feeds.yaml's ``topics`` definitions when given: :func:`feeds_fingerprint`), the ``instance``
        syncing it (default: this process's :func:`default_owner`) and the time are recorded with it
        (:meth:`synced_feeds`).
        """
        now = now or utcnow()
        specs = _configured_feeds(feeds)
        synced = SyncedFeeds(_fingerprint(specs, topics), (instance or default_owner())[:200], now)
        added: list[str] = []
        updated: list[str] = []
        removed: list[str] = []
        async with self._write(pg_lock=_PG_FEEDS_LOCK) as conn:  # instances starting together sync one by one
            rows = {r["source_url"]: r for r in (await conn.execute(sa.select(feeds_t))).mappings()}
            new_rows: list[dict[str, Any]] = []  # inserted together, in feeds.yaml order
            for url, spec in specs.items():
                enabled = spec["enabled"]
                values = {k: spec[k] for k in ("name", "topics", "interval")}
                row = rows.get(url)
                if row is None:
                    new_rows.append(
                        dict(
                            source_url=url,
                            url=url,
                            enabled=enabled,
                            in_config=True,
                            next_poll_at=now,
                            failures=0,
                            backoff=0.0,
                            initialised=False,
                            created_at=now,
                            disabled_reason=None if enabled else DISABLED_IN_CONFIG,
                            **values,
                        )
                    )
                    added.append(spec["name"])
                    continue
                change: dict[str, Any] = {k: v for k, v in values.items() if row[k] != v}
                if not row["in_config"]:
                    change["in_config"] = True
                if not enabled and row["enabled"]:
                    change.update(enabled=False, disabled_reason=DISABLED_IN_CONFIG)
                elif (
                    enabled
                    and not row["enabled"]
                    and (not row["in_config"] or row["disabled_reason"] in _CONFIG_REASONS or change)
                ):
                    # Re-enabled (or re-added) by the user. Feeds disabled for failing stay disabled until the
                    # user changes their entry or URL (a new URL is a new feed), or runs `feeds --enable`. Polled
                    # at the configured URL again, as `feeds --enable` does: a redirect may have moved it to the
                    # address that failed. (A feed that moved and works keeps its new address across syncs: the
                    # old one may have stopped redirecting, and the move's WARNING asks for the URL in feeds.yaml.)
                    change.update(
                        enabled=True, disabled_reason=None, failures=0, backoff=0.0, next_poll_at=now, url=url
                    )
                if change:
                    await conn.execute(feeds_t.update().where(feeds_t.c.id == row["id"]).values(**change))
                    updated.append(spec["name"])
            for url, row in rows.items():
                if url not in specs and row["in_config"]:
                    await conn.execute(
                        feeds_t.update()
                        .where(feeds_t.c.id == row["id"])
                        .values(in_config=False, enabled=False, disabled_reason=_REMOVED)
                    )
                    removed.append(row["name"])
            if new_rows:
                await conn.execute(feeds_t.insert(), new_rows)
            await _record_synced(conn, synced)
        self.synced_fingerprint = synced.fingerprint
        if added or removed:
            log.info("feeds synced: %d added, %d removed, %d updated", len(added), len(removed), len(updated))
        return SyncReport(added=tuple(added), updated=tuple(updated), removed=tuple(removed))

    async def feed_topics(self) -> list[str]:
        """The topics the feeds of feeds.yaml, as last synced, follow (in feed order): what `stories --topic` is
        checked against where that file is not at hand."""
        q = sa.select(feeds_t.c.topics).where(feeds_t.c.in_config).order_by(feeds_t.c.id)
        async with self._read() as conn:
            return list(dict.fromkeys(t for topics in (await conn.execute(q)).scalars() for t in topics or ()))

    async def synced_feeds(self) -> SyncedFeeds | None:
        """The feed list the feeds table was last synced to, by whichever instance (None before the first sync)."""
        async with self._read() as conn:
            row = (await conn.execute(sa.select(synced_feeds_t).where(synced_feeds_t.c.id == 1))).first()
        return None if row is None else SyncedFeeds(row.fingerprint, row.instance, as_utc(row.synced_at))

    async def enable_feed(self, url: str, now: datetime | None = None) -> bool:
        """Re-enable an automatically disabled feed (by configured or current URL), due now at its configured URL: a
        permanent redirect may have moved it to the address that failed."""
        async with self._write() as conn:
            result = await conn.execute(
                feeds_t.update()
                .where((feeds_t.c.source_url == url) | (feeds_t.c.url == url), feeds_t.c.in_config)
                .values(
                    enabled=True,
                    disabled_reason=None,
                    failures=0,
                    backoff=0.0,
                    next_poll_at=now or utcnow(),
                    url=feeds_t.c.source_url,
                )
            )
            return bool(result.rowcount)

    async def retry_refused_feeds(self, now: datetime | None = None) -> int:
        """Make feeds whose last fetch was refused (a private address) due now, without back-off: the setting that
        refused them (ALLOW_PRIVATE_URLS) may have changed since. Called when a process starts. A feed the refusals
        disabled is enabled again (set or not, the setting is the operator's to change, not the feed's failure); one
        disabled in or removed from feeds.yaml stays as it is."""
        # (only the refusal the setting decides: a redirect to a private address or an invalid URL is refused anyway)
        refused = feeds_t.c.last_error.like("refused: % resolves to non-public address %")
        by_failures = sa.and_(
            ~feeds_t.c.enabled, feeds_t.c.in_config, feeds_t.c.disabled_reason.like("disabled after%")
        )
        async with self._write() as conn:
            result = await conn.execute(
                feeds_t.update()
                .where(refused, feeds_t.c.failures > 0, sa.or_(feeds_t.c.enabled, by_failures))
                .values(enabled=True, disabled_reason=None, failures=0, backoff=0.0, next_poll_at=now or utcnow())
            )
            return int(result.rowcount or 0)

    async def lease_due_feeds(
        self, owner: str, now: datetime, lease_seconds: float, limit: int | None = None, skip: Collection[int] = ()
    ) -> list[FeedState]:
        """Claim the enabled feeds that are due and not leased by a live owner, for ``lease_seconds``; not those of
        ``skip`` (feed ids: left to other instances, :meth:`feeds_beyond`).

        PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` so instances sharing the database split the feeds.
        SQLite: a conditional UPDATE inside a write transaction (writers are serialised by SQLite itself).
        """
        until = now + timedelta(seconds=lease_seconds)
        free = sa.or_(feeds_t.c.lease_until.is_(None), feeds_t.c.lease_until < now)
        due = (
            sa.select(feeds_t.c.id)
            .where(feeds_t.c.enabled, feeds_t.c.next_poll_at <= now, free)
            .order_by(feeds_t.c.next_poll_at, feeds_t.c.id)
        )
        if skip:
            due = due.where(feeds_t.c.id.not_in(list(skip)))
        if limit is not None:
            due = due.limit(limit)
        async with self._write() as conn:
            if self.dialect == "postgresql":
                ids = [r[0] for r in await conn.execute(due.with_for_update(skip_locked=True))]
            else:
                ids = [r[0] for r in await conn.execute(due)]
            if not ids:
                return []
            await conn.execute(
                feeds_t.update().where(feeds_t.c.id.in_(ids), free).values(lease_owner=owner, lease_until=until)
            )
            backlog = (
                sa.exists().where(items_t.c.state == "pending", items_t.c.feed_id == feeds_t.c.id).label("backlog")
            )
            rows = (
                await conn.execute(
                    sa.select(feeds_t, backlog)
                    .where(feeds_t.c.id.in_(ids), feeds_t.c.lease_owner == owner)
                    .order_by(feeds_t.c.next_poll_at, feeds_t.c.id)
                )
            ).mappings()
            return [_feed_state(r) for r in rows]

    async def release_feeds(self, owner: str, feed_ids: Iterable[int] | None = None) -> None:
        """Give up leases (on shutdown, or after a cycle that could not finish a feed)."""
        cond = feeds_t.c.lease_owner == owner
        if feed_ids is not None:
            cond = cond & feeds_t.c.id.in_(list(feed_ids))
        async with self._write() as conn:
            await conn.execute(feeds_t.update().where(cond).values(lease_owner=None, lease_until=None))

    async def feeds_beyond(self, topics: Collection[str]) -> list[tuple[int, str, tuple[str, ...]]]:
        """The enabled feeds (id, name, topics) that follow a topic not among ``topics`` (an instance's feeds.yaml's),
        in feed order: the feed list another instance synced (a rolling deploy of a new feeds.yaml) added it. An
        instance that polled them would judge their items without that topic, and items are judged once (bot.poller
        leaves them). Read at every cycle: three columns, not the feeds' whole state."""
        known = set(topics)
        q = sa.select(feeds_t.c.id, feeds_t.c.name, feeds_t.c.topics).where(feeds_t.c.enabled).order_by(feeds_t.c.id)
        async with self._read() as conn:
            rows = (await conn.execute(q)).all()
        return [(r.id, r.name, _tuple(r.topics)) for r in rows if not known.issuperset(_tuple(r.topics))]

    async def next_due(self) -> datetime | None:
        """When the next enabled feed is due."""
        async with self._read() as conn:
            value = (
                await conn.execute(sa.select(sa.func.min(feeds_t.c.next_poll_at)).where(feeds_t.c.enabled))
            ).scalar()
        return as_utc_or_none(value) if isinstance(value, datetime) else _parse_dt(value)

    async def next_claimable(self, now: datetime, skip: Collection[int] = ()) -> datetime | None:
        """When :meth:`lease_due_feeds` may next find work: the earliest due time of a feed nobody leases, or the
        earliest end of another owner's lease (a live lease hides its feed however overdue: a worker woken by its due
        time would find nothing, and ask again at once). Feeds of ``skip`` are not counted: the caller does not lease
        them, and would wake for them at once, and again, while they stay due. None: no feed is enabled."""
        free = sa.or_(feeds_t.c.lease_until.is_(None), feeds_t.c.lease_until < now)
        counted = sa.and_(feeds_t.c.enabled, feeds_t.c.id.not_in(list(skip))) if skip else feeds_t.c.enabled
        async with self._read() as conn:
            due, lease_ends = (
                await conn.execute(
                    sa.select(
                        sa.func.min(sa.case((free, feeds_t.c.next_poll_at))),
                        sa.func.min(sa.case((sa.not_(free), feeds_t.c.lease_until))),
                    ).where(counted)
                )
            ).one()
        times = [t for t in (_parse_dt(due), _parse_dt(lease_ends)) if t is not None]
        return min(times, default=None)

    # ------------------------------------------------------------------ poller side: items and stories

    async def known_keys(self, feed_id: int | None, keys: Sequence[ItemKey]) -> set[str]:
        """Identities among ``keys`` the store already holds (outside a transaction; a hint only). ``feed_id`` None:
        by link only (any feed's), all a feed not polled successfully yet can have stored.

        ``keys`` are what a feed lists now: the items they match are noted as listed (``listed_at``, a short write
        at most once a day per item), so retention keeps them (:meth:`prune`)."""
        now = utcnow()
        async with self._read() as conn:
            found, stale = await _known(conn, feed_id, keys, now - LISTED_REFRESH)
        if stale:
            async with self._write() as conn:
                await _note_listed(conn, stale, now)
        return found

    async def pending_items(self, feed_id: int, limit: int) -> list[PendingItem]:
        """Stored items of a feed kept for a later cycle, newest first."""
        q = (
            sa.select(items_t)
            .where(items_t.c.feed_id == feed_id, items_t.c.state == "pending")
            .order_by(items_t.c.published_at.desc().nulls_last(), items_t.c.id.desc())
            .limit(limit)
        )
        async with self._read() as conn:
            return [
                PendingItem(
                    id=r["id"],
                    key=ItemKey(r["identity"], r["guid"], r["link"], r["title_key"]),
                    title=r["title"],
                    summary=r["summary"],
                    published_at=r["published_at"],
                    alertable=bool(r["alertable"]),
                    text=r["text"],
                )
                for r in (await conn.execute(q)).mappings()
            ]

    async def count_pending(self, feed_id: int | None = None) -> int:
        """Items stored but not processed yet."""
        q = sa.select(sa.func.count()).select_from(items_t).where(items_t.c.state == "pending")
        if feed_id is not None:
            q = q.where(items_t.c.feed_id == feed_id)
        async with self._read() as conn:
            return int((await conn.execute(q)).scalar() or 0)

    @asynccontextmanager
    async def feed_transaction(self) -> AsyncIterator[FeedTransaction]:
        """One transaction for everything a poll of one feed writes, serialised with other feeds' writes.

        Clustering reads recent stories and writes new ones in it, so two feeds (or two instances, through
        a PostgreSQL advisory lock) never create the same story twice.
        """
        async with self._write_lock, self._writer.begin() as conn:
            if self.dialect == "postgresql":
                await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_STORY_LOCK})
            yield FeedTransaction(conn)

    async def stories_needing_analysis(self, limit: int = 100) -> list[int]:
        """Stories whose members changed since their analysis was computed."""
        async with self._read() as conn:
            q = (
                sa.select(stories_t.c.id)
                .where(stories_t.c.needs_analysis)
                .order_by(stories_t.c.updated_at, stories_t.c.id)
                .limit(limit)
            )
            return [r[0] for r in await conn.execute(q)]

    async def articles_to_analyse(self, since: datetime, limit: int) -> list[ArticleToAnalyse]:
        """On-topic items seen since ``since`` whose article has not been analysed: a cycle's new ones (stored by its
        feeds, analysed while it clusters), and any that a cycle killed before writing their analysis left. Oldest
        first, at most ``limit``."""
        c = items_t.c
        q = (
            sa.select(c.id, c.text, c.title, feeds_t.c.name, c.link, c.story_id)
            .join(feeds_t, feeds_t.c.id == c.feed_id)
            .where(
                c.state == "done",
                c.relevance > 0,
                c.seen_at >= since,
                c.text.is_not(None),
                sa.or_(c.analysis.is_(None), sa.cast(c.analysis, sa.Text) == "null"),  # JSON null: never analysed
            )
            .order_by(c.id)
            .limit(limit)
        )
        async with self._read() as conn:
            return [ArticleToAnalyse(*r) for r in await conn.execute(q)]

    async def set_item_analyses(self, pairs: Sequence[tuple[int, str]]) -> None:
        """Store articles' figures and quotes: (item id, the analysis as JSON text) pairs, in one executemany. The
        stories those articles are in now are analysed again, whoever clustered them and whenever: another instance's
        refresh may have analysed a story this cycle clustered an article into before the article's analysis was
        here, and a cycle killed after clustering left its articles' stories without their analysis."""
        if not pairs:
            return
        q = items_t.update().where(items_t.c.id == sa.bindparam("item_id")).values(analysis=sa.bindparam("found"))
        ids = [i for i, _ in pairs]
        async with self._write() as conn:
            await conn.execute(q, [{"item_id": i, "found": JSONText(a)} for i, a in pairs])
            for start in range(0, len(ids), _IN_CHUNK):
                theirs = sa.select(items_t.c.story_id).where(
                    items_t.c.id.in_(ids[start : start + _IN_CHUNK]), items_t.c.story_id.is_not(None)
                )
                await conn.execute(stories_t.update().where(stories_t.c.id.in_(theirs)).values(needs_analysis=True))

    async def story_members(
        self, story_id: int, first: int | None = None, latest: int | None = None
    ) -> tuple[datetime | None, list[MemberArticle]]:
        """A story's ``updated_at`` and its member articles (text and analysis) in arrival order (``_MEMBER_ORDER``).

        With ``first`` and ``latest``, only the first and the latest tellings are loaded, so the work on a story
        that grew to hundreds of members stays bounded.
        """
        async with self._read(consistent=True) as conn:
            updated = (await conn.execute(sa.select(stories_t.c.updated_at).where(stories_t.c.id == story_id))).scalar()
            where = items_t.c.story_id == story_id
            if first is not None and latest is not None:
                ids = [r[0] for r in await conn.execute(sa.select(items_t.c.id).where(where).order_by(*_MEMBER_ORDER))]
                if len(ids) > first + latest:
                    where = items_t.c.id.in_(ids[:first] + ids[-latest:])
            q = (
                sa.select(items_t, feeds_t.c.name.label("outlet"))
                .join(feeds_t, feeds_t.c.id == items_t.c.feed_id)
                .where(where)
                .order_by(*_MEMBER_ORDER)
            )
            members = [
                MemberArticle(
                    item_id=r["id"],
                    outlet=member_outlet(r["outlet"], r["title"], r["summary"])[0],
                    link=r["feed_link"] or r["link"],
                    title=r["title"],
                    published=r["published_at"],
                    text=r["text"],
                    text_source=r["text_source"],
                    analysis=ArticleAnalysis.from_json(r["analysis"]),
                )
                for r in (await conn.execute(q)).mappings()
            ]
        return as_utc_or_none(updated) if isinstance(updated, datetime) else _parse_dt(updated), members

    async def set_story_analysis(self, story_id: int, analysis: StoryAnalysis, computed_for: datetime | None) -> bool:
        """Store a story's merged analysis unless new members arrived meanwhile (then it is recomputed)."""
        async with self._write() as conn:
            cond = stories_t.c.id == story_id
            if computed_for is not None:
                cond = cond & (stories_t.c.updated_at == computed_for)
            result = await conn.execute(
                stories_t.update().where(cond).values(analysis=analysis.to_json(), needs_analysis=False)
            )
            return bool(result.rowcount)

    # ------------------------------------------------------------------ retention and size

    async def prune(self, older_than: datetime, *, batch: int = PRUNE_BATCH, max_batches: int = 20) -> PruneReport:
        """Delete what is older than ``older_than``, in small transactions, oldest first; never a pending delivery.

        In this order: finished deliveries (and their story links); items on no story; stories not updated since
        the cutoff that no pending delivery holds, with their items. At most ``max_batches`` transactions of at
        most ``batch`` rows; ``finished`` says whether anything old is left for the next call.
        """
        counts = {"deliveries": 0, "items": 0, "stories": 0}
        steps = (
            ("deliveries", self._prune_deliveries),
            ("items", self._prune_items),
            ("stories", self._prune_stories),
        )
        batches = 0
        for name, step in steps:
            while batches < max_batches:
                deleted, more = await step(older_than, batch)
                batches += 1
                counts[name] += deleted
                await asyncio.sleep(0)  # let a poll cycle's transaction in between batches
                if not more:
                    break
            else:
                return PruneReport(**counts, finished=False)
        return PruneReport(**counts, finished=True)

    async def _prune_deliveries(self, older_than: datetime, batch: int) -> tuple[int, bool]:
        # finished before the cutoff, or (finished_at NULL) begun before it: two ranges of the index on finished_at, as
        # coalesce(finished_at, created_at) was not, and SQLite read every batch kept each cycle to find none
        finished = deliveries_t.c.status != "pending"
        old = sa.union_all(
            sa.select(deliveries_t.c.id, deliveries_t.c.finished_at.label("ended")).where(
                finished, deliveries_t.c.finished_at < older_than
            ),
            sa.select(deliveries_t.c.id, deliveries_t.c.created_at).where(
                finished, deliveries_t.c.finished_at.is_(None), deliveries_t.c.created_at < older_than
            ),
        )
        async with self._write() as conn:
            chosen = [r[0] for r in await conn.execute(old.order_by("ended", "id").limit(batch))]
            if chosen:
                await conn.execute(delivery_stories_t.delete().where(delivery_stories_t.c.delivery_id.in_(chosen)))
                await conn.execute(deliveries_t.delete().where(deliveries_t.c.id.in_(chosen)))
        return len(chosen), len(chosen) == batch

    async def _prune_items(self, older_than: datetime, batch: int) -> tuple[int, bool]:
        ids = sa.select(items_t.c.id).where(
            items_t.c.story_id.is_(None),
            items_t.c.state == "done",
            items_t.c.seen_at < older_than,
            _unlisted(older_than),
        )
        async with self._write() as conn:
            # oldest first, in the order an index gives them ((state, seen_at) or (story_id, seen_at)): each batch
            # reads its own rows, not every prunable item sorted again
            chosen = [r[0] for r in await conn.execute(ids.order_by(items_t.c.seen_at, items_t.c.id).limit(batch))]
            if chosen:
                await conn.execute(items_t.delete().where(items_t.c.id.in_(chosen)))
        return len(chosen), len(chosen) == batch

    async def _prune_stories(self, older_than: datetime, batch: int) -> tuple[int, bool]:
        pending = (
            sa.select(delivery_stories_t.c.story_id)
            .join(deliveries_t, deliveries_t.c.id == delivery_stories_t.c.delivery_id)
            .where(deliveries_t.c.status == "pending")
        )
        # a story one of whose items a feed still lists stays: pruned, the item would come back as a new story
        listed = sa.exists().where(items_t.c.story_id == stories_t.c.id, ~_unlisted(older_than))
        ids = sa.select(stories_t.c.id).where(
            stories_t.c.updated_at < older_than, stories_t.c.id.not_in(pending), ~listed
        )
        async with self._write(pg_lock=_PG_STORY_LOCK) as conn:
            # a story takes its members with it: a twentieth of the batch in stories keeps the rows per transaction
            # near the batch for stories of up to twenty members
            limit = max(1, batch // 20)
            # oldest first, along the index on updated_at: nothing to prune reads nothing
            order = (stories_t.c.updated_at, stories_t.c.id)
            chosen = [r[0] for r in await conn.execute(ids.order_by(*order).limit(limit))]
            if chosen:
                await conn.execute(items_t.delete().where(items_t.c.story_id.in_(chosen)))
                await conn.execute(delivery_stories_t.delete().where(delivery_stories_t.c.story_id.in_(chosen)))
                await conn.execute(stories_t.delete().where(stories_t.c.id.in_(chosen)))
        return len(chosen), len(chosen) == limit

    async def size(self) -> StoreSize:
        """Rows kept and, where the backend tells, bytes on disk."""
        async with self._read(consistent=True) as conn:
            counts = [
                int((await conn.execute(sa.select(sa.func.count()).select_from(t))).scalar() or 0)
                for t in (items_t, stories_t, deliveries_t)
            ]
            size: int | None = None
            if self.dialect == "postgresql":
                size = int((await conn.execute(sa.text("SELECT pg_database_size(current_database())"))).scalar() or 0)
        if self.dialect == "sqlite":
            path = self.engine.url.database
            if path and path != ":memory:" and os.path.exists(path):
                size = sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
        return StoreSize(items=counts[0], stories=counts[1], deliveries=counts[2], bytes=size)

    async def item_count(self) -> int:
        """How many items are stored (all feeds)."""
        async with self._read() as conn:
            return int((await conn.execute(sa.select(sa.func.count()).select_from(items_t))).scalar() or 0)

    # ------------------------------------------------------------------ poller side: an item several feeds carry

    async def stored_copies(self, links: Sequence[str]) -> dict[str, StoredCopy]:
        """The stored copy of each of ``links`` that has one (its first row), with every feed holding a row of the
        link and the topics that feed follows (bot.models.StoredCopy); FeedTransaction.stored_copies in a poll's
        transaction."""
        async with self._read() as conn:
            return await _stored_copies(conn, links)


_REMOVED = "removed from feeds.yaml"
_CONFIG_REASONS = (DISABLED_IN_CONFIG, _REMOVED)


def _configured_feeds(feeds: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """feeds.yaml's feeds as Store.sync_feeds writes them (name, topics, interval, enabled), by URL: the first entry
    of a URL listed twice."""
    specs: dict[str, dict[str, Any]] = {}
    for f in feeds:
        specs.setdefault(
            str(f.url),
            {
                "name": f.name,
                "topics": list(getattr(f, "topics", ()) or ()),
                "interval": int(getattr(f, "interval", 900)),
                "enabled": bool(getattr(f, "enabled", True)),
            },
        )
    return specs


def _fingerprint(specs: dict[str, dict[str, Any]], topics: Mapping[str, Any] | None = None) -> str:
    """SHA-256 of what syncing the feeds writes, in URL order, and of the ``topics`` definitions (_topic_definitions)
    when given: a file's order and comments do not change it."""
    listed: Any = sorted(specs.items())
    if topics is not None:
        listed = {"feeds": listed, "topics": _topic_definitions(topics)}
    return hashlib.sha256(json.dumps(listed, separators=(",", ":")).encode()).hexdigest()


def _topic_definitions(topics: Mapping[str, Any]) -> dict[str, Any]:
    """Each topic as parsed (a pydantic model's JSON form, every default spelled out), by name: what judges items,
    so two files defining the topics alike in other words (a default written out or left out, a term written bare
    or as a list, another order of keys) compare equal, and files whose rules, threshold or exclusions differ not."""
    out: dict[str, Any] = {}
    for name, topic in sorted(topics.items()):
        out[str(name)] = topic.model_dump(mode="json")
    return out


def feeds_fingerprint(feeds: Iterable[Any], topics: Mapping[str, Any] | None = None) -> str:
    """The fingerprint Store.sync_feeds records for ``feeds`` (feeds.yaml's) and, when given, its ``topics``: equal
    for two files whose sync writes the same feeds table and whose topics judge items alike."""
    return _fingerprint(_configured_feeds(feeds), topics)


async def _record_synced(conn: AsyncConnection, synced: SyncedFeeds) -> None:
    """Write the one row of synced_feeds (inside sync_feeds' transaction, which instances take one at a time)."""
    values = {"fingerprint": synced.fingerprint, "instance": synced.instance, "synced_at": synced.synced_at}
    result = await conn.execute(synced_feeds_t.update().where(synced_feeds_t.c.id == 1).values(**values))
    if not result.rowcount:
        await conn.execute(synced_feeds_t.insert().values(id=1, **values))


class FeedTransaction:
    """The writes of one feed's poll, inside one database transaction (see :meth:`Store.feed_transaction`)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._revision: int | None = None

    async def known(self, feed_id: int | None, keys: Sequence[ItemKey]) -> set[str]:
        """Identities among ``keys`` already stored: guid or identity or title+date in this feed, link anywhere
        (``feed_id`` None: by link only). The items they match are noted as listed now (Store.known_keys)."""
        now = utcnow()
        found, stale = await _known(self.conn, feed_id, keys, now - LISTED_REFRESH)
        if stale:
            await _note_listed(self.conn, stale, now)
        return found

    async def stored_copies(self, links: Sequence[str]) -> dict[str, StoredCopy]:
        """Store.stored_copies, read in this transaction (another feed may have stored a link meanwhile)."""
        return await _stored_copies(self.conn, links)

    async def feed_topics(self, feed_id: int) -> tuple[str, ...]:
        """The topics the feed follows now (another instance may have synced a new feeds.yaml since it was leased)."""
        value = (await self.conn.execute(sa.select(feeds_t.c.topics).where(feeds_t.c.id == feed_id))).scalar()
        return _tuple(value)

    async def widen_item(
        self,
        item_id: int,
        topics: Sequence[str],
        terms: dict[str, list[str]],
        relevance: float,
        text: tuple[str, str | None] | None = None,
    ) -> None:
        """A stored item judged on topics of another feed carrying it: its topics, terms and relevance as merged, and
        ``text`` (text, source) when it had none (an off-topic item is stored without its page)."""
        values: dict[str, Any] = {"topics": list(topics), "terms": terms, "relevance": float(relevance)}
        if text is not None:
            values.update(text=text[0], text_source=text[1])
        await self.conn.execute(items_t.update().where(items_t.c.id == item_id).values(**values))

    async def story_record(self, story_id: int) -> StoryRecord | None:
        """One story as clustering sees it (to widen its topics: :meth:`update_story`)."""
        row = (await self.conn.execute(sa.select(stories_t).where(stories_t.c.id == story_id))).mappings().first()
        return _story_record(row) if row is not None else None

    async def add_items(self, feed_id: int, items: Sequence[NewItem], now: datetime) -> list[int]:
        """Insert items in one statement (a statement each where identities repeat); returns their ids in order."""
        if not items:
            return []
        rows = [dict(feed_id=feed_id, seen_at=now, listed_at=now, **_item_values(i)) for i in items]
        if len(rows) == 1:
            return [(await self.conn.execute(_INSERT_ID, rows[0])).scalar_one()]
        identities = [r["identity"] for r in rows]
        if len(set(identities)) < len(identities):  # ids cannot be told apart by identity: in order, row by row
            result = await self.conn.execute(_INSERT_IDS_IN_ORDER, rows)
            return [r[0] for r in result]
        # RETURNING in parameter order is a statement per row on SQLite (SQLAlchemy cannot sort a multi-row
        # INSERT's RETURNING there): one statement, its rows matched back by identity (distinct within the call).
        ids = {identity: item_id for item_id, identity in await self.conn.execute(_INSERT_ID_IDENTITY, rows)}
        return [ids[i] for i in identities]

    async def add_many(self, feed_id: int, items: Sequence[NewItem], now: datetime) -> None:
        """Insert many items in one statement (off-topic ones, and ones kept for a later cycle)."""
        if items:
            await self.conn.execute(
                items_t.insert(), [dict(feed_id=feed_id, seen_at=now, listed_at=now, **_item_values(i)) for i in items]
            )

    async def complete_item(self, item_id: int, item: NewItem) -> None:
        """Store the processing result of a pending item."""
        values = _item_values(item)
        for k in ("identity", "guid", "link", "feed_link", "title_key", "alertable"):
            values.pop(k)
        await self.conn.execute(items_t.update().where(items_t.c.id == item_id).values(**values))

    async def unclustered_items(
        self, since: datetime, on_topic: bool = True, text_chars: int | None = None
    ) -> list[tuple[int, NewItem]]:
        """Items seen since ``since`` in no story yet: the on-topic ones (clustered at the end of a cycle; a dead
        cycle's too), or with ``on_topic=False`` the off-topic ones that nearly match a topic (``near``: they may
        join a story of that topic). What clustering reads: no analysis, and with ``text_chars`` only the start of
        the text (a cycle's pages can be megabytes)."""
        c = items_t.c
        text = c.text if text_chars is None else sa.func.substr(c.text, 1, text_chars).label("text")
        columns = [c.id, c.identity, c.guid, c.link, c.feed_link, c.title_key, c.title, c.summary, c.published_at]
        q = sa.select(*columns, c.alertable, text, c.topics, c.terms, c.relevance, c.near, c.feed_id).where(
            items_t.c.story_id.is_(None),
            items_t.c.state == "done",
            items_t.c.relevance > 0 if on_topic else sa.and_(items_t.c.relevance <= 0, items_t.c.near.is_not(None)),
            items_t.c.seen_at >= since,
        )
        out = []
        for r in (await self.conn.execute(q)).mappings():
            if on_topic and not r["topics"]:
                continue
            key = ItemKey(r["identity"], r["guid"], r["link"], r["title_key"])
            item = NewItem(
                key,
                r["title"],
                r["summary"],
                r["published_at"],
                r["alertable"],
                text=r["text"],
                topics=tuple(r["topics"]),
                terms=dict(r["terms"] or {}),
                relevance=r["relevance"],
                near=tuple(r["near"] or ()),
                feed_id=r["feed_id"],
                feed_link=r["feed_link"],
            )
            out.append((r["id"], item))
        return out

    async def set_item_stories(self, pairs: Sequence[tuple[int, int]]) -> None:
        """Attach items to stories: (item id, story id) pairs, in one executemany."""
        if not pairs:
            return
        q = items_t.update().where(items_t.c.id == sa.bindparam("item_id")).values(story_id=sa.bindparam("sid"))
        await self.conn.execute(q, [{"item_id": i, "sid": s} for i, s in pairs])

    async def recent_stories(self, since: datetime, after_revision: int = 0) -> list[StoryRecord]:
        """Stories updated since ``since`` (the clustering window) and written after ``after_revision``."""
        q = sa.select(stories_t).where(stories_t.c.updated_at >= since, stories_t.c.revision > after_revision)
        rows = (await self.conn.execute(q.order_by(stories_t.c.first_seen, stories_t.c.id))).mappings()
        return [_story_record(r) for r in rows]

    async def story_revision(self) -> int:
        """The revision of the latest story write (0 when there is none)."""
        q = sa.select(sa.func.coalesce(sa.func.max(stories_t.c.revision), 0))
        return int((await self.conn.execute(q)).scalar() or 0)

    async def _next_revision(self) -> int:
        if self._revision is None:
            self._revision = await self.story_revision()
        self._revision += 1
        return self._revision

    async def create_story(
        self,
        title: str,
        link: str | None,
        topics: Sequence[str],
        terms: dict[str, list[str]],
        fingerprint: StoryFingerprints,
        now: datetime,
        alertable: bool,
        happened: datetime | None = None,
    ) -> StoryRecord:
        """A new story (its analysis is computed after the transaction); ``first_seen`` is when it happened (its
        first member's publication time, never later than ``now``); ``alertable`` (a member from a feed past its first
        poll): found ``now``, as alerts take it (``alertable_since``)."""
        revision = await self._next_revision()
        first = min(happened, now) if happened is not None else now
        sid = (
            await self.conn.execute(
                stories_t.insert()
                .values(
                    title=title,
                    link=link,
                    topics=list(topics),
                    terms=terms,
                    first_seen=first,
                    updated_at=now,
                    alertable=alertable,
                    alertable_since=now if alertable else None,
                    fingerprint=fingerprint.to_json(),
                    analysis=None,
                    needs_analysis=True,
                    revision=revision,
                )
                .returning(stories_t.c.id)
            )
        ).scalar_one()
        return StoryRecord(sid, title, link, tuple(topics), terms, fingerprint, first, now, alertable, revision)

    async def update_story(
        self,
        story_id: int,
        topics: Sequence[str],
        terms: dict[str, list[str]],
        fingerprint: StoryFingerprints,
        now: datetime,
        happened: datetime | None = None,
        gained: Mapping[str, datetime] | None = None,
        alertable: bool = False,
    ) -> int:
        """A new member joined: topics/terms widened, fingerprint updated; ``first_seen`` moves back to the member's
        publication time when that is earlier (never later than ``now``). ``gained``: the topics the story did not
        have before, each with when the member that brought it happened (never later than ``now``), recorded with
        ``now``, when the bot learnt of it (see :meth:`undelivered`). ``alertable``: a member from a feed past its
        first poll joined, and a story of history becomes alertable, found ``now``. Returns the revision."""
        revision = await self._next_revision()
        extra: dict[str, Any] = {}
        if alertable:
            extra["alertable"] = True
            extra["alertable_since"] = sa.func.coalesce(
                stories_t.c.alertable_since, sa.literal(now, stories_t.c.alertable_since.type)
            )
        if happened is not None:
            when = min(happened, now)
            extra["first_seen"] = sa.case((stories_t.c.first_seen > when, when), else_=stories_t.c.first_seen)
        if gained:  # rare (a story's topics seldom grow): read the record and write it back in this transaction
            known = (
                await self.conn.execute(sa.select(stories_t.c.topics_gained).where(stories_t.c.id == story_id))
            ).scalar_one_or_none() or {}
            stamps = {t: [min(at, now).isoformat(), now.isoformat()] for t, at in gained.items() if t not in known}
            if stamps:
                extra["topics_gained"] = {**known, **stamps}
                extra["gained_at"] = sa.case(
                    (sa.or_(stories_t.c.gained_at.is_(None), stories_t.c.gained_at < now), now),
                    else_=stories_t.c.gained_at,
                )
        await self.conn.execute(
            stories_t.update()
            .where(stories_t.c.id == story_id)
            .values(
                **extra,
                topics=list(topics),
                terms=terms,
                fingerprint=fingerprint.to_json(),
                updated_at=now,
                needs_analysis=True,
                revision=revision,
            )
        )
        return revision

    async def record_outcome(self, feed_id: int, outcome: FeedOutcome, now: datetime) -> None:
        """Record one feed's poll outcome and release its lease."""
        await self.record_outcomes([(feed_id, outcome)], now)

    async def record_outcomes(self, outcomes: Sequence[tuple[int, FeedOutcome]], now: datetime) -> None:
        """Record many feeds' outcomes and release their leases: one executemany per set of columns."""
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        unchanged = [f for f, o in outcomes if isinstance(o, FeedSuccess) and o.status == NOT_MODIFIED]
        await self._still_listed(unchanged, now)
        for feed_id, outcome in outcomes:
            values = {"lease_owner": None, "lease_until": None, **_outcome_values(outcome, now)}
            columns = tuple(sorted(values))
            groups.setdefault(columns, []).append({"b_id": feed_id, **{f"b_{k}": v for k, v in values.items()}})
        for columns, rows in groups.items():
            await self.conn.execute(_feed_update(columns), rows[0] if len(rows) == 1 else rows)

    async def _still_listed(self, feed_ids: Sequence[int], now: datetime) -> None:
        """Feeds that answered 304 Not Modified list what they listed at their last answer with a body: items noted
        listed then (Store.known_keys) are noted again once the feed's newest note is LISTED_REFRESH old.

        Every item that answer listed was noted within LISTED_REFRESH before the feed's newest note (a note older than
        that is refreshed when its item is listed, and the newest note is at most that answer's), so the items noted
        within LISTED_REFRESH before it are these, and at most a few the feed dropped shortly before."""
        if not feed_ids:
            return
        stale = now - LISTED_REFRESH
        newest_note = (
            sa.select(items_t.c.feed_id, sa.func.max(items_t.c.listed_at))
            .where(items_t.c.feed_id.in_(feed_ids))
            .group_by(items_t.c.feed_id)
        )
        for feed_id, newest in (await self.conn.execute(newest_note)).all():  # one read for every 304 of the cycle
            newest = _parse_dt(newest)
            if newest is None or newest >= stale:
                continue
            await self.conn.execute(
                items_t.update()
                .where(items_t.c.feed_id == feed_id, items_t.c.listed_at >= newest - LISTED_REFRESH)
                .values(listed_at=now)
            )


async def _stored_copies(conn: AsyncConnection, links: Sequence[str]) -> dict[str, StoredCopy]:
    """Store.stored_copies on one connection: one statement per chunk of links, each on the link index."""
    c = items_t.c
    q = (
        sa.select(
            c.id,
            c.link,
            c.feed_id,
            c.state,
            c.topics,
            c.terms,
            c.relevance,
            c.text.is_not(None),
            c.story_id,
            feeds_t.c.topics,
        )
        .join(feeds_t, feeds_t.c.id == c.feed_id)
        .where(c.link.in_(sa.bindparam("links", expanding=True)))
        .order_by(c.id)
    )
    unique = list(dict.fromkeys(links))
    out: dict[str, StoredCopy] = {}
    for start in range(0, len(unique), _IN_CHUNK):
        rows = await conn.execute(q, {"links": unique[start : start + _IN_CHUNK]})
        for item_id, link, feed_id, state, topics, terms, relevance, has_text, story_id, followed in rows:
            copy = out.get(link)
            if copy is None:
                out[link] = StoredCopy(
                    item_id=item_id,
                    pending=state == "pending",
                    topics=_tuple(topics),
                    terms={k: list(v) for k, v in (terms or {}).items()},
                    relevance=float(relevance),
                    has_text=bool(has_text),
                    story_id=story_id,
                    carriers={feed_id: _tuple(followed)},
                )
            else:
                copy.carriers.setdefault(feed_id, _tuple(followed))
    return out


def _unlisted(older_than: datetime) -> Any:
    """Items no feed has listed since ``older_than`` (NULL: rows older than migration 0006 wrote nothing there)."""
    return sa.or_(items_t.c.listed_at.is_(None), items_t.c.listed_at < older_than)


async def _note_listed(conn: AsyncConnection, item_ids: Sequence[int], now: datetime) -> None:
    """Items a feed lists now: noted, so retention keeps them."""
    for start in range(0, len(item_ids), _IN_CHUNK):
        chunk = item_ids[start : start + _IN_CHUNK]
        await conn.execute(items_t.update().where(items_t.c.id.in_(chunk)).values(listed_at=now))


def _outcome_values(outcome: FeedOutcome, now: datetime) -> dict[str, Any]:
    """The feeds-table columns one outcome sets."""
    if isinstance(outcome, FeedBacklog):
        return {"next_poll_at": outcome.next_poll_at}
    if isinstance(outcome, FeedFailure):
        values: dict[str, Any] = {
            "last_status": outcome.status,
            "last_attempt_at": now,
            "failures": outcome.failures,
            "backoff": outcome.backoff,
            "last_error": outcome.error,
            "next_poll_at": outcome.next_poll_at,
        }
        if outcome.disabled_reason:
            values.update(enabled=False, disabled_reason=outcome.disabled_reason)
        if outcome.url:
            values["url"] = outcome.url
        return values
    values = {
        "last_status": outcome.status,
        "last_attempt_at": now,
        "last_success_at": now,
        "failures": 0,
        "backoff": 0.0,
        "last_error": None,
        "initialised": True,
        "etag": outcome.etag,
        "last_modified": outcome.last_modified,
        "next_poll_at": outcome.next_poll_at,
    }
    if outcome.url:
        values["url"] = outcome.url
    if outcome.title:
        values["title"] = outcome.title
    return values


_FEED_UPDATES: dict[tuple[str, ...], sa.Update] = {}


def _feed_update(columns: tuple[str, ...]) -> sa.Update:
    """UPDATE feeds SET <columns> WHERE id = :b_id, built once per set of columns (a cycle uses a handful)."""
    stmt = _FEED_UPDATES.get(columns)
    if stmt is None:
        stmt = _FEED_UPDATES[columns] = (
            feeds_t.update()
            .where(feeds_t.c.id == sa.bindparam("b_id"))
            .values({k: sa.bindparam(f"b_{k}") for k in columns})
        )
    return stmt


def _item_values(item: NewItem) -> dict[str, Any]:
    return {
        "identity": item.key.identity,
        "guid": item.key.guid,
        "link": item.key.link,
        "feed_link": item.feed_link,
        "title_key": item.key.title_key,
        "title": item.title,
        "summary": item.summary,
        "published_at": item.published_at,
        "state": item.state,
        "text": item.text,
        "text_source": item.text_source,
        "topics": list(item.topics),
        "terms": {k: list(v) for k, v in item.terms.items()},
        "relevance": float(item.relevance),
        "near": list(item.near) or None,
        "analysis": item.analysis.to_json() if item.analysis is not None else None,
        "alertable": item.alertable,
    }


_INSERT_ID = items_t.insert().returning(items_t.c.id)
_INSERT_IDS_IN_ORDER = items_t.insert().returning(items_t.c.id, sort_by_parameter_order=True)
_INSERT_ID_IDENTITY = items_t.insert().returning(items_t.c.id, items_t.c.identity)

_IN_CHUNK = 200  # keys per query: 4 x 200 bound parameters stays under the 999 of old SQLite builds


def _known_statements() -> tuple[sa.CompoundSelect, sa.Select]:
    """The known-item look-ups, built once (building and caching a statement per call cost more than running it).

    One statement, each part on its own index (an OR would make SQLite scan the feed's items).
    """
    c = items_t.c
    feed = c.feed_id == sa.bindparam("feed_id")

    def part(tag: str, column: sa.Column, name: str, *cond: Any) -> sa.Select:
        return sa.select(sa.literal(tag).label("tag"), column.label("value"), c.id, c.listed_at).where(
            *cond, column.in_(sa.bindparam(name, expanding=True))
        )

    links = part("l", c.link, "links")
    in_feed = sa.union(
        part("i", c.identity, "identities", feed),
        part("g", c.guid, "guids", feed),
        part("t", c.title_key, "title_keys", feed),
        links,
    )
    return in_feed, links


_KNOWN_IN_FEED, _KNOWN_LINKS = _known_statements()


async def _known(
    conn: AsyncConnection, feed_id: int | None, keys: Sequence[ItemKey], stale: datetime
) -> tuple[set[str], list[int]]:
    """Identities of ``keys`` already stored: by identity, guid or title+date in the feed, by link in any feed; and the
    ids of the items they matched whose ``listed_at`` is before ``stale`` (to note as listed again).

    ``feed_id=None`` checks links only. One statement per chunk of keys.
    """
    found: set[str] = set()
    old: set[int] = set()
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = keys[start : start + _IN_CHUNK]
        tables: dict[str, dict[str, list[str]]] = {"i": {}, "g": {}, "t": {}, "l": {}}
        for k in chunk:
            if feed_id is not None:
                tables["i"].setdefault(k.identity, []).append(k.identity)
                if k.guid:
                    tables["g"].setdefault(k.guid, []).append(k.identity)
                if k.title_key:
                    tables["t"].setdefault(k.title_key, []).append(k.identity)
            if k.link:
                tables["l"].setdefault(k.link, []).append(k.identity)
        if feed_id is not None:
            params: dict[str, Any] = {
                "feed_id": feed_id,
                "identities": list(tables["i"]),
                "guids": list(tables["g"]),
                "title_keys": list(tables["t"]),
                "links": list(tables["l"]),
            }
            rows = await conn.execute(_KNOWN_IN_FEED, params)
        elif tables["l"]:
            rows = await conn.execute(_KNOWN_LINKS, {"links": list(tables["l"])})
        else:
            continue
        for tag, value, item_id, listed_at in rows:
            found.update(tables[tag].get(value, ()))
            listed = _parse_dt(listed_at)
            if listed is None or listed < stale:
                old.add(item_id)
    return found, sorted(old)


def _feed_state(r: Any) -> FeedState:
    return FeedState(
        id=r["id"],
        name=r["name"],
        url=r["url"],
        source_url=r["source_url"],
        topics=_tuple(r["topics"]),
        interval=r["interval"],
        etag=r["etag"],
        last_modified=r["last_modified"],
        failures=r["failures"],
        backoff=r["backoff"],
        initialised=bool(r["initialised"]),
        next_poll_at=r["next_poll_at"],
        lease_until=r["lease_until"],
        last_attempt_at=r["last_attempt_at"],
        backlog=bool(r.get("backlog", True)),
    )


def _story_record(r: Any) -> StoryRecord:
    return StoryRecord(
        id=r["id"],
        title=r["title"],
        link=r["link"],
        topics=_tuple(r["topics"]),
        terms={k: list(v) for k, v in (r["terms"] or {}).items()},
        fingerprint=StoryFingerprints.from_json(r["fingerprint"]),
        first_seen=r["first_seen"],
        updated_at=r["updated_at"],
        alertable=bool(r["alertable"]),
        revision=int(r["revision"]),
    )


def _merge_topics(old: list[str], new: Iterable[str]) -> list[str]:
    out = list(old)
    for t in new:
        if t not in out:
            out.append(t)
    return out


def _merged(kept: Any, old: Any) -> dict[str, Any]:
    """The new values of a supergroup's subscription (``kept``, made there before the bot heard of the upgrade, by an
    admin whom /settings showed none) that absorbs the old group's (``old``): as if the old one had moved at once and
    the admin's /subscribe come after (Store.subscribe): the topics of both, the kept one's mode and time (chosen last,
    and what /settings there has shown since), its timezone unless it never set one (the old group's /timezone was
    never undone). An inactive subscription adds nothing: the active one's settings carry on."""
    if not old["active"]:
        return {}
    if not kept["active"]:
        return {key: old[key] for key in ("topics", "mode", "at", "timezone", "active", "alerts_since", "topics_since")}
    return {
        "topics": _merge_topics(list(old["topics"] or []), kept["topics"] or []),
        "timezone": kept["timezone"] if kept["timezone"] is not None else old["timezone"],
    }


async def _move_deliveries(conn: AsyncConnection, from_id: int, to_id: int) -> None:
    """A merged subscription's delivery history, moved to the one that absorbs it (what the old group was sent is not
    sent again). Its batches still being sent are dropped, their stories left to the kept subscription's next batch:
    their senders learn it from :meth:`Store.hold_delivery` and send nothing (a digest composed for the old settings).
    A sent digest whose key the kept subscription holds too (the unique index allows one) joins its stories to that
    batch, as sent in it."""
    dropped = [
        r.id
        for r in await conn.execute(
            sa.select(deliveries_t.c.id).where(
                deliveries_t.c.subscription_id == from_id, deliveries_t.c.status == "pending"
            )
        )
    ]
    live = sa.select(deliveries_t.c.id, deliveries_t.c.key).where(
        deliveries_t.c.kind == "digest", deliveries_t.c.status.in_(("pending", "sent"))
    )
    kept = {r.key: r.id for r in (await conn.execute(live.where(deliveries_t.c.subscription_id == to_id))).all()}
    sent = live.where(deliveries_t.c.subscription_id == from_id, deliveries_t.c.status == "sent")
    for r in (await conn.execute(sent)).all():
        if r.key not in kept:
            continue
        has = sa.select(delivery_stories_t.c.story_id).where(delivery_stories_t.c.delivery_id == kept[r.key])
        await conn.execute(
            delivery_stories_t.insert().from_select(
                ["delivery_id", "story_id"],
                sa.select(sa.literal(kept[r.key]), delivery_stories_t.c.story_id).where(
                    delivery_stories_t.c.delivery_id == r.id, delivery_stories_t.c.story_id.not_in(has)
                ),
            )
        )
        dropped.append(r.id)
    if dropped:
        await conn.execute(delivery_stories_t.delete().where(delivery_stories_t.c.delivery_id.in_(dropped)))
        await conn.execute(deliveries_t.delete().where(deliveries_t.c.id.in_(dropped)))
    await conn.execute(
        deliveries_t.update().where(deliveries_t.c.subscription_id == from_id).values(subscription_id=to_id)
    )


async def _move_unsent(conn: AsyncConnection, batch_id: int, unsent: Sequence[int], error: str, now: datetime) -> None:
    """The stories of a batch sent in part that did not go out, moved to a batch of its key with status UNSENT and the
    ``error`` that stopped them (Store.undelivered offers them again)."""
    sent = (
        await conn.execute(
            sa.select(deliveries_t.c.subscription_id, deliveries_t.c.kind, deliveries_t.c.key).where(
                deliveries_t.c.id == batch_id
            )
        )
    ).one()
    failed_id = (
        await conn.execute(
            deliveries_t.insert()
            .values(
                subscription_id=sent.subscription_id,
                kind=sent.kind,
                key=sent.key,
                status=UNSENT,
                message_ids=[],
                error=error[:2000],
                created_at=now,
                finished_at=now,
            )
            .returning(deliveries_t.c.id)
        )
    ).scalar_one()
    await conn.execute(
        delivery_stories_t.update()
        .where(delivery_stories_t.c.delivery_id == batch_id, delivery_stories_t.c.story_id.in_(unsent))
        .values(delivery_id=failed_id)
    )


def _own_link(link: str | None, members: Sequence[Member]) -> str | None:
    """A story's link: the outlet's own article when the story's first telling came through an aggregator and that
    article is in the story too (readers click what the outlet published, not Google News' redirect to it)."""
    first = next((m for m in members if m.link == link), None)
    if first is None or not first.relayed:
        return link
    return own_links(members).get(outlet_id(first.outlet), link)


def _check_kind(kind: str) -> None:
    if kind not in ("alert", "digest"):
        raise ValueError(f"delivery kind must be 'alert' or 'digest', not {kind!r}")


def _parse_dt(value: Any) -> datetime | None:
    """Aggregates (max/min) on SQLite come back as text; parse them."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc_or_none(value)
    return as_utc_or_none(datetime.fromisoformat(str(value)))


def _sqlite_foreign_keys(conn: sa.Connection, on: bool) -> None:
    """Foreign keys on or off for one SQLite connection, sent to its driver as is: SQLite ignores the pragma inside a
    transaction, and a statement through SQLAlchemy would begin one (BEGIN, _configure_sqlite)."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]  # (None only once closed)
    try:
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    finally:
        cursor.close()


def _read_only_sqlite_url(url: sa.URL) -> sa.URL:
    """A SQLite file's URL opened read-only (SQLite's URI ``mode=ro``): no statement writes, and no write lock is
    taken or waited for (in WAL mode a reader never waits for a writer).

    With no ``-wal`` (nor ``-journal``) beside the file no connection has it open (every connection of ours puts it
    in WAL mode, which keeps ``-wal`` while one is open and deletes it as the last one closes), so it is read as
    ``immutable``: a reader in WAL mode must otherwise create ``-shm`` and ``-wal``, which a read-only folder refuses
    ("attempt to write a readonly database") and a writable one keeps afterwards, with the mode of a read-only file
    (0444) and the reader's owner, where the bot's next write then failed. A writer starting during the read would be
    unseen by it, as any read's snapshot is. A URL given as ``file:...`` is the user's own and left as it is."""
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        return url
    path = Path(url.database).expanduser().resolve()
    query = {**url.query, "uri": "true", "mode": "ro"}
    if not any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-journal")):
        query["immutable"] = "1"
    return url.set(database="file:" + urllib.parse.quote(str(path)), query=query)


def _configure_sqlite(engine: AsyncEngine, *, read_only: bool = False) -> None:
    """WAL, a busy timeout and foreign keys on every connection; explicit BEGIN (IMMEDIATE for writes). A read-only
    connection keeps the file's journal mode (setting one is a write)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        _one_trip_cursors(dbapi_connection)
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (pysqlite's own is unreliable)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a killed process loses nothing committed
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("coverage_bot_read"):
            return  # single-statement reads run in autocommit: one round trip to the driver thread, not three
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("coverage_bot_write") else "BEGIN")


# --------------------------------------------------------------------------- SQLite statements in one trip
# aiosqlite runs each call on its connection's thread and hands the answer back through the event loop, and
# SQLAlchemy's cursor for it makes four such calls a statement (open a cursor, execute, fetch, close): under a busy
# poll cycle every call waits for a turn of the loop, and feed transactions, one at a time on SQLite, waited ~15
# turns each. This cursor does the four in one call on the connection's thread (same statements, same rows, same
# errors). It leans on SQLAlchemy's and aiosqlite's private adapter attributes, so it is used only where they are
# as expected (tests/test_store.py checks it is on here); otherwise the stock cursor runs, as before. pyproject.toml
# bounds both packages to the versions it was tested with (SQLAlchemy 2.1, aiosqlite 0.20-0.22).
# bench/poll.py first cycle against the stock cursor (bench/poll_ab.py, six interleaved rounds, medians, the same 127
# stories): wall 18.2 -> 16.4 s and feeds phase 12.1 -> 10.5 s in a quiet hour, 20.4 -> 19.6 s and 14.6 -> 14.1 s in a
# busy one; aiosqlite calls over the bench's two cycles 15,186 -> 5,532 (counted by wrapping aiosqlite's _execute).


def _run_statement(conn: Any, operation: Any, parameters: Any, many: bool) -> tuple[Any, list[Any], int, Any]:
    """One statement on aiosqlite's thread: description, every row, rowcount, lastrowid (the cursor closed)."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        return description, cursor.fetchall() if description else [], cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


@functools.cache
def one_trip_connection_class() -> type | None:
    """SQLAlchemy's aiosqlite connection with the one-trip cursor, or None where this SQLAlchemy's adapter differs."""
    try:
        from sqlalchemy.dialects.sqlite import aiosqlite as adapter
        from sqlalchemy.util import EMPTY_DICT, concurrency
    except ImportError:
        return None
    found = getattr(concurrency, "await_", None) or getattr(concurrency, "await_only", None)
    if found is None:
        return None
    await_only: Callable[[Any], Any] = found
    base = getattr(adapter, "AsyncAdapt_aiosqlite_cursor", None)
    connection = getattr(adapter, "AsyncAdapt_aiosqlite_connection", None)
    needed = ("_async_soft_close", "_adapt_connection", "_soft_closed_memoized", "_rows")
    if base is None or connection is None or not all(hasattr(base, n) for n in needed):
        return None
    if getattr(connection, "_cursor_cls", None) is not base or not hasattr(connection, "_handle_exception"):
        return None

    class OneTripCursor(base):  # type: ignore[misc,valid-type]
        """SQLAlchemy's aiosqlite cursor, each statement one call on the connection's thread."""

        def __init__(self, adapt_connection: Any) -> None:
            self._adapt_connection = adapt_connection
            self._connection = adapt_connection._connection
            self._cursor = None
            self._soft_closed_memoized = EMPTY_DICT
            self._rows: collections.deque[Any] = collections.deque()
            self._description: Any = None
            self._rowcount = -1
            self._lastrowid: Any = None

        @property
        def description(self) -> Any:
            return self._description

        @property
        def rowcount(self) -> int:
            return self._rowcount

        @property
        def lastrowid(self) -> Any:
            return self._lastrowid

        @property
        def arraysize(self) -> int:
            return 1

        @arraysize.setter
        def arraysize(self, value: int) -> None:
            pass

        async def _async_soft_close(self) -> None:
            return None  # nothing is open between statements

        def close(self) -> None:
            self._rows.clear()

        async def _one_trip(self, operation: Any, parameters: Any, many: bool) -> Any:
            driver = self._connection
            async with self._adapt_connection._execute_mutex:
                return await driver._execute(_run_statement, driver._conn, operation, parameters, many)

        def _run(self, operation: Any, parameters: Any, many: bool) -> None:
            try:
                answer = await_only(self._one_trip(operation, parameters, many))
            except Exception as error:
                self._adapt_connection._handle_exception(error)
            self._description, rows, self._rowcount, self._lastrowid = answer
            self._rows = collections.deque(rows)

        def execute(self, operation: Any, parameters: Any = None) -> None:
            self._run(operation, parameters, False)

        def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
            self._run(operation, seq_of_parameters, True)

    class OneTripConnection(connection):  # type: ignore[misc,valid-type]
        """SQLAlchemy's aiosqlite connection with the one-trip cursor."""

        __slots__ = ()
        _cursor_cls = OneTripCursor

    return OneTripConnection


def _one_trip_cursors(dbapi_connection: Any) -> None:
    """Give a new SQLAlchemy aiosqlite connection the one-trip cursor (where this SQLAlchemy allows it)."""
    one_trip = one_trip_connection_class()
    if one_trip is not None and type(dbapi_connection) is one_trip.__mro__[1]:
        driver = getattr(dbapi_connection, "_connection", None)
        if hasattr(driver, "_execute") and hasattr(driver, "_conn"):
            dbapi_connection.__class__ = one_trip
