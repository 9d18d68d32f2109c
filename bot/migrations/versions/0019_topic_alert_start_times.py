"""Alerts of a topic added to a chat's alerts begin when it was added.

``subscriptions.topics_since``: {topic: ISO time} of the topics added to the subscription while it was active. Alerts
began with the subscription (``alerts_since``, 0017) for every topic, so a chat taking rare-earths alerts that added
us-russia was sent, as "New:", the us-russia stories the bot had found before it added the topic. Subscriptions stored
before this revision get no entries (NULL): each topic's alerts began with the subscription's, as before.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # recreate="never": plain ALTER TABLE ADD COLUMN, every row kept
    with op.batch_alter_table("subscriptions", recreate="never") as batch:
        batch.add_column(sa.Column("topics_since", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    # ALTER TABLE DROP COLUMN (SQLite 3.35+), every row kept
    with op.batch_alter_table("subscriptions", recreate="never") as batch:
        batch.drop_column("topics_since")
