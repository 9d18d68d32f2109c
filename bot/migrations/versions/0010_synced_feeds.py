"""The feed list the feeds table was last synced to: its fingerprint, the instance that synced it, and when (one row).
Instances sharing a database with different feeds.yaml files each synced their own at every poll cycle, enabling the
feeds the other had disabled and the reverse, silently; now an instance syncs its file when it starts (or its file
changes), and one that finds another's list here leaves it and says so. Nothing existing changes: the first sync after
the upgrade writes the row.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "synced_feeds",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("instance", sa.String(length=200), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synced_feeds")),
    )


def downgrade() -> None:
    op.drop_table("synced_feeds")
