"""Initial schema: feeds, items, stories, chats, subscriptions, deliveries.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chats",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_type", sa.String(length=20), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("deactivated_reason", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_chats")),
    )
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.String(length=2048), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("in_config", sa.Boolean(), nullable=False),
        sa.Column("etag", sa.String(length=1024), nullable=True),
        sa.Column("last_modified", sa.String(length=200), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("backoff", sa.Float(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("initialised", sa.Boolean(), nullable=False),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feeds")),
        sa.UniqueConstraint("source_url", name=op.f("uq_feeds_source_url")),
    )
    op.create_index(op.f("ix_feeds_enabled_next_poll_at"), "feeds", ["enabled", "next_poll_at"], unique=False)

    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=2048), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alertable", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.JSON(), nullable=True),
        sa.Column("analysis", sa.JSON(), nullable=True),
        sa.Column("needs_analysis", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
    )
    op.create_index(op.f("ix_stories_first_seen"), "stories", ["first_seen"], unique=False)
    op.create_index(op.f("ix_stories_updated_at"), "stories", ["updated_at"], unique=False)

    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=128), nullable=False),
        sa.Column("guid", sa.String(length=2048), nullable=True),
        sa.Column("link", sa.String(length=2048), nullable=True),
        sa.Column("title_key", sa.String(length=64), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("text_source", sa.String(length=8), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("relevance", sa.Float(), nullable=False),
        sa.Column("analysis", sa.JSON(), nullable=True),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("alertable", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"], name=op.f("fk_items_feed_id_feeds")),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name=op.f("fk_items_story_id_stories")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
    )
    op.create_index(op.f("ix_items_feed_id_guid"), "items", ["feed_id", "guid"], unique=False)
    op.create_index(op.f("ix_items_feed_id_identity"), "items", ["feed_id", "identity"], unique=False)
    op.create_index(op.f("ix_items_feed_id_title_key"), "items", ["feed_id", "title_key"], unique=False)
    op.create_index(op.f("ix_items_link"), "items", ["link"], unique=False)
    op.create_index(op.f("ix_items_state_feed_id"), "items", ["state", "feed_id"], unique=False)
    op.create_index(op.f("ix_items_story_id"), "items", ["story_id"], unique=False)

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("at", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.chat_id"], name=op.f("fk_subscriptions_chat_id_chats")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("chat_id", "thread_id", name=op.f("uq_subscriptions_chat_id_thread_id")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("message_ids", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["subscriptions.id"], name=op.f("fk_deliveries_subscription_id_subscriptions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    op.create_index(
        op.f("ix_deliveries_subscription_id_kind_key"), "deliveries", ["subscription_id", "kind", "key"], unique=False
    )

    op.create_table(
        "delivery_stories",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["deliveries.id"], name=op.f("fk_delivery_stories_delivery_id_deliveries")
        ),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name=op.f("fk_delivery_stories_story_id_stories")),
        sa.PrimaryKeyConstraint("delivery_id", "story_id", name=op.f("pk_delivery_stories")),
    )
    op.create_index(op.f("ix_delivery_stories_story_id"), "delivery_stories", ["story_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_stories_story_id"), table_name="delivery_stories")

    op.drop_table("delivery_stories")
    op.drop_index(op.f("ix_deliveries_subscription_id_kind_key"), table_name="deliveries")

    op.drop_table("deliveries")
    op.drop_table("subscriptions")
    op.drop_index(op.f("ix_items_story_id"), table_name="items")
    op.drop_index(op.f("ix_items_state_feed_id"), table_name="items")
    op.drop_index(op.f("ix_items_link"), table_name="items")
    op.drop_index(op.f("ix_items_feed_id_title_key"), table_name="items")
    op.drop_index(op.f("ix_items_feed_id_identity"), table_name="items")
    op.drop_index(op.f("ix_items_feed_id_guid"), table_name="items")

    op.drop_table("items")
    op.drop_index(op.f("ix_stories_updated_at"), table_name="stories")
    op.drop_index(op.f("ix_stories_first_seen"), table_name="stories")

    op.drop_table("stories")
    op.drop_index(op.f("ix_feeds_enabled_next_poll_at"), table_name="feeds")

    op.drop_table("feeds")
    op.drop_table("chats")
