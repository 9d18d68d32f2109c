"""Items remember when a feed last listed them (``listed_at``), so retention keeps the record of an item a feed still
lists: pruned, it would come back as a new item, a new story and an alert (an undated item is read whatever its age).
Existing items take their ``seen_at``. Indexed by feed: a feed answering 304 Not Modified still lists what it listed,
and its newest ``listed_at`` is read then (Store: FeedTransaction.record_outcomes).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE items SET listed_at = seen_at")
    with op.batch_alter_table("items") as batch:
        batch.create_index(batch.f("ix_items_feed_id_listed_at"), ["feed_id", "listed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_index(batch.f("ix_items_feed_id_listed_at"))
        batch.drop_column("listed_at")
