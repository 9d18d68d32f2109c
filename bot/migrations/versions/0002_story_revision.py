"""Story revision: a counter bumped on every story write, for incremental clustering indexes.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("revision", sa.BigInteger(), nullable=False, server_default="0"))
        batch.create_index(batch.f("ix_stories_revision"), ["revision"], unique=False)
    # Existing stories get distinct revisions in id order, so nothing written before the upgrade is missed.
    op.execute("UPDATE stories SET revision = id")


def downgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.drop_index(batch.f("ix_stories_revision"))
        batch.drop_column("revision")
