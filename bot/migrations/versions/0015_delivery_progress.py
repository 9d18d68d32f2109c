"""A pending delivery batch records its stories not sent yet as its messages are answered (``unsent_stories``), so a
batch whose sender was killed after its first messages went out (SIGKILL, `docker stop` past its grace period) is
recovered as sent in part: what went out is not sent again, the rest is offered to the next batch. Progress was kept
in the sender's memory only, and such a batch was sent again whole. Batches stored before this revision have none
(NULL): recovered as before, sent again whole.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # recreate="never": plain ALTER TABLE ADD COLUMN, every row kept as it is
    with op.batch_alter_table("deliveries", recreate="never") as batch:
        batch.add_column(sa.Column("unsent_stories", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    # recreate="never": ALTER TABLE DROP COLUMN (SQLite 3.35+); a rebuild would have to restate the partial unique
    # indexes of 0008 and 0009
    with op.batch_alter_table("deliveries", recreate="never") as batch:
        batch.drop_column("unsent_stories")
