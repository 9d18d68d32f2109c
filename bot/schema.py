"""The database schema (SQLAlchemy Core tables); the Alembic revisions in ``bot/migrations`` create it.

Only :mod:`bot.store` and the migrations use these tables; every other module sees :mod:`bot.models`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from .clock import as_utc_or_none


class UTCDateTime(sa.types.TypeDecorator):
    """A datetime column that takes and gives timezone-aware UTC on every backend."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the store; use timezone-aware UTC")
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        # SQLite compares datetimes as text: store one fixed, naive-UTC form so ordering is right.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return as_utc_or_none(value)


metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

feeds_t = sa.Table(
    "feeds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_url", sa.String(2048), nullable=False, unique=True),  # as written in feeds.yaml
    sa.Column("url", sa.String(2048), nullable=False),  # fetched; follows permanent redirects
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("title", sa.String(500)),  # the feed's own title
    sa.Column("topics", sa.JSON, nullable=False),
    sa.Column("interval", sa.Integer, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("in_config", sa.Boolean, nullable=False),
    sa.Column("etag", sa.String(1024)),
    sa.Column("last_modified", sa.String(200)),
    sa.Column("last_status", sa.Integer),
    sa.Column("last_success_at", UTCDateTime),
    sa.Column("last_attempt_at", UTCDateTime),
    sa.Column("next_poll_at", UTCDateTime, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("backoff", sa.Float, nullable=False),  # seconds of the current back-off step
    sa.Column("disabled_reason", sa.Text),
    sa.Column("last_error", sa.Text),
    sa.Column("initialised", sa.Boolean, nullable=False),  # first poll done: later items may alert
    sa.Column("lease_owner", sa.String(200)),
    sa.Column("lease_until", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index(None, "enabled", "next_poll_at"),
)

# The feed list the feeds table was last synced to (one row, id 1): instances sharing a database compare its
# fingerprint with their own feeds.yaml's, and one whose file differs does not sync its own over it (bot.poller)
# (migration 0010).
synced_feeds_t = sa.Table(
    "synced_feeds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),  # bot.store.feeds_fingerprint
    sa.Column("instance", sa.String(200), nullable=False),  # the lease owner name of the instance that synced it
    sa.Column("synced_at", UTCDateTime, nullable=False),
)

# A story's id is the number users type (/summary 12) from digests weeks old: never given twice, so on SQLite the table
# is AUTOINCREMENT (migration 0011), or the largest id kept plus one would go again once retention pruned it.
stories_t = sa.Table(
    "stories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("link", sa.String(2048)),
    sa.Column("topics", sa.JSON, nullable=False),
    sa.Column("terms", sa.JSON, nullable=False),  # topic -> matched terms
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("alertable", sa.Boolean, nullable=False),
    sa.Column("fingerprint", sa.JSON),  # bot/stories.py clustering data
    sa.Column("analysis", sa.JSON),  # {"summary": [...], "figures": [...], "quotes": [...]}
    sa.Column("needs_analysis", sa.Boolean, nullable=False),
    # Increases with every write to any story (max + 1 inside the serialised story transaction), so a
    # poller's cached clustering index can load just what other feeds or instances changed since.
    sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
    # The topics a member brought after the story began: {topic: [when that member happened, when it was stored]}
    # (ISO 8601), and the latest time one was stored, so a chat on such a topic is told the story then
    # (Store.undelivered). NULL: none.
    sa.Column("topics_gained", sa.JSON(none_as_null=True)),
    sa.Column("gained_at", UTCDateTime),
    # When the story became alertable: the poll cycle that stored its first telling from a feed past its first poll
    # (an alert chat is told what the bot found since its last alert; Store.undelivered). NULL: not alertable (0017).
    sa.Column("alertable_since", UTCDateTime),
    sa.Index(None, "first_seen"),
    sa.Index(None, "updated_at"),
    sa.Index(None, "revision"),
    sa.Index(None, "gained_at"),
    sqlite_autoincrement=True,
)

items_t = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("feed_id", sa.Integer, sa.ForeignKey("feeds.id"), nullable=False),
    # guid, else canonical link, else a title+date hash; a longer one is its sha256 digest (bot.feeds, migration 0012)
    sa.Column("identity", sa.String(128), nullable=False),
    sa.Column("guid", sa.String(2048)),
    sa.Column("link", sa.String(2048)),  # canonical
    sa.Column("feed_link", sa.String(2048)),  # as the feed gave it: what users click
    sa.Column("title_key", sa.String(64)),  # hash of normalised title + publication date
    sa.Column("title", sa.Text),
    sa.Column("summary", sa.Text),
    sa.Column("published_at", UTCDateTime),
    sa.Column("seen_at", UTCDateTime, nullable=False),
    # when a feed last listed the item (refreshed at most daily): retention keeps what a feed still lists (0006)
    sa.Column("listed_at", UTCDateTime),
    sa.Column("state", sa.String(8), nullable=False),  # pending (stored, not yet processed) | done
    sa.Column("text", sa.Text),
    sa.Column("text_source", sa.String(8)),  # page | feed
    sa.Column("topics", sa.JSON, nullable=False),
    sa.Column("terms", sa.JSON, nullable=False),
    sa.Column("relevance", sa.Float, nullable=False),
    sa.Column("near", sa.JSON(none_as_null=True)),  # topics title + summary nearly match (may join a story of one)
    sa.Column("analysis", sa.JSON),
    sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id")),
    sa.Column("alertable", sa.Boolean, nullable=False),
    sa.Index(None, "feed_id", "identity"),
    sa.Index(None, "feed_id", "guid"),
    sa.Index(None, "feed_id", "title_key"),
    sa.Index(None, "link"),
    # a story's items, and those seen since (a digest's grown_since), or the oldest on none (retention) (0018)
    sa.Index(None, "story_id", "seen_at"),
    sa.Index(None, "state", "feed_id"),
    sa.Index(None, "state", "seen_at"),  # each cycle reads the story window's processed items (migration 0005)
    sa.Index(None, "feed_id", "listed_at"),  # a feed's newest listing, read when it answers 304 (migration 0006)
)

chats_t = sa.Table(
    "chats",
    metadata,
    sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("chat_type", sa.String(20)),
    sa.Column("title", sa.String(300)),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("deactivated_reason", sa.Text),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

subscriptions_t = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("chat_id", sa.BigInteger, sa.ForeignKey("chats.chat_id"), nullable=False),
    sa.Column("thread_id", sa.BigInteger, nullable=False),  # 0 = the chat itself (no forum topic)
    sa.Column("topics", sa.JSON, nullable=False),
    sa.Column("mode", sa.String(10), nullable=False),
    sa.Column("at", sa.String(5), nullable=False),
    sa.Column("timezone", sa.String(64)),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # refusals in a row of its forum topic (deleted or closed): the third stops this subscription only, not the chat's
    # others, as chats.failures does for the chat (Store.record_topic_failure; migration 0016)
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    # when it began taking alerts (made, made active again, or switched to alerts): what was found before is not new
    # to it (Store.subscribe, Store.undelivered; migration 0017)
    sa.Column("alerts_since", UTCDateTime),
    # {topic: ISO time} of the topics added to it while it was active: their alerts begin then, not at alerts_since
    # (a topic not here began with the subscription; Store.subscribe, Store.undelivered; migration 0019)
    sa.Column("topics_since", sa.JSON(none_as_null=True)),
    sa.UniqueConstraint("chat_id", "thread_id"),
)

# The delivery batches that hold their key: a digest sent or being sent (bot.store's _batch_done reads the same).
LIVE_DIGEST = "kind = 'digest' AND status IN ('pending', 'sent')"
# An alert batch being sent: one per subscription at a time (Store.begin_delivery).
PENDING_ALERT = "kind = 'alert' AND status = 'pending'"

deliveries_t = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("subscription_id", sa.Integer, sa.ForeignKey("subscriptions.id"), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("key", sa.String(40), nullable=False),
    sa.Column(
        "status", sa.String(10), nullable=False
    ),  # pending | sent | failed | unsent (stories a batch sent in part did not carry)
    sa.Column("message_ids", sa.JSON, nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    # a pending batch is its sender's until then (renewed while it sends); past it, its sender died (0007)
    sa.Column("lease_until", UTCDateTime),
    # a pending batch's stories not sent yet, from its first answered message on (NULL before): should its sender die,
    # it is recovered as sent in part, and only these are offered again (Store.progress_delivery; 0015)
    sa.Column("unsent_stories", sa.JSON(none_as_null=True)),
    sa.Index(None, "subscription_id", "kind", "key"),
    sa.Index(None, "status"),
    # A subscription's batches of a kind and status, by when they finished (last_delivery, what undelivered and
    # grown_since take as sent): without it SQLite read every sent batch of every subscription through the index on
    # status; and finished batches by age, for retention (migration 0018).
    sa.Index(None, "subscription_id", "kind", "status", "finished_at"),
    sa.Index(None, "finished_at"),
    # A digest (or weekly chart) key is begun by one process only: of instances racing to send it, one inserts its
    # batch and the others skip (Store.begin_delivery). Alerts share the key "alert", and a failed or unsent batch
    # leaves its key free, so only live digest batches are unique (migration 0008).
    sa.Index(
        "uq_deliveries_digest_key",
        "subscription_id",
        "key",
        unique=True,
        sqlite_where=sa.text(LIVE_DIGEST),
        postgresql_where=sa.text(LIVE_DIGEST),
    ),
    # Alerts have no key of their own: a subscription has one alert batch pending at a time, so instances that read
    # the same undelivered stories cannot each send them (Store.begin_delivery; migration 0009).
    sa.Index(
        "uq_deliveries_alert_pending",
        "subscription_id",
        unique=True,
        sqlite_where=sa.text(PENDING_ALERT),
        postgresql_where=sa.text(PENDING_ALERT),
    ),
)

delivery_stories_t = sa.Table(
    "delivery_stories",
    metadata,
    sa.Column("delivery_id", sa.Integer, sa.ForeignKey("deliveries.id"), primary_key=True),
    sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id"), primary_key=True),
    sa.Index(None, "story_id"),
)
