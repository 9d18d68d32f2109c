"""Alerts are chosen by when the bot found a story, and start when a chat began taking them.

``stories.alertable_since``: when the story became alertable (the poll cycle that stored its first telling from a feed
past its first poll). Alerts took stories by ``first_seen``, their earliest publication time, over the last 6 h, so a
story published more than 6 h before the poll that found it (a 12-hourly feed, a feed in back-off, an outlet whose
dates lag) never reached an alert chat. Stories stored before this revision count as found when they were published,
as alerts took them until now (NULL: not alertable).

``subscriptions.alerts_since``: when the subscription began taking alerts (made, made active again, or switched to
alerts); a chat that just subscribed was sent the previous 6 h of stories as new. Subscriptions stored before this
revision began when they were made.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # recreate="never": plain ALTER TABLE ADD COLUMN, every row kept (a SQLite rebuild of stories would have to restate
    # AUTOINCREMENT: 0011)
    with op.batch_alter_table("stories", recreate="never") as batch:
        batch.add_column(sa.Column("alertable_since", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("subscriptions", recreate="never") as batch:
        batch.add_column(sa.Column("alerts_since", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE stories SET alertable_since = first_seen WHERE alertable")
    op.execute("UPDATE subscriptions SET alerts_since = created_at")


def downgrade() -> None:
    # ALTER TABLE DROP COLUMN (SQLite 3.35+), every row kept
    with op.batch_alter_table("subscriptions", recreate="never") as batch:
        batch.drop_column("alerts_since")
    # a SQLite rebuild restates AUTOINCREMENT (0011)
    with op.batch_alter_table("stories", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("alertable_since")
