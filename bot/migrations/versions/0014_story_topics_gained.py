"""A story remembers when a member brought it a topic it did not have (``topics_gained``: topic -> [when that member
happened, when it was stored]; ``gained_at``: the latest time one was stored, indexed). A story first on rare-earths that a later telling made
us-russia too was never sent to a us-russia chat whose digest had gone out since the story began, nor alerted
once the gain came more than the alert lookback after its first telling: both look at ``first_seen`` only. Stories
stored before this revision have no record of a gain (NULL), as if their topics were all there from the start.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # recreate="never": plain ALTER TABLE ADD COLUMN (a SQLite rebuild would have to restate AUTOINCREMENT: 0011)
    with op.batch_alter_table("stories", recreate="never") as batch:
        batch.add_column(sa.Column("topics_gained", sa.JSON(none_as_null=True), nullable=True))
        batch.add_column(sa.Column("gained_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_stories_gained_at"), "stories", ["gained_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_stories_gained_at"), table_name="stories")
    # a SQLite rebuild restates AUTOINCREMENT (0011)
    with op.batch_alter_table("stories", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("gained_at")
        batch.drop_column("topics_gained")
