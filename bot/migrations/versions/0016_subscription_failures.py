"""A subscription counts the refusals of its own forum topic (``failures``): a topic that was deleted or closed
(Telegram: "message thread not found", "TOPIC_CLOSED") stops that subscription after three in a row, and the chat's
other topics go on. They were counted against the chat (``chats.failures``), so a deleted topic deactivated every
subscription of the supergroup, and a digest sent to another topic reset the count, so a deleted topic was tried for
ever. Subscriptions stored before this revision start at 0.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # recreate="never": plain ALTER TABLE ADD COLUMN, every row kept as it is (and given 0)
    with op.batch_alter_table("subscriptions", recreate="never") as batch:
        batch.add_column(sa.Column("failures", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    # recreate="never": ALTER TABLE DROP COLUMN (SQLite 3.35+), every row kept
    with op.batch_alter_table("subscriptions", recreate="never") as batch:
        batch.drop_column("failures")
