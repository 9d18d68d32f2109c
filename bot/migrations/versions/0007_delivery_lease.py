"""A pending delivery batch is leased to the process sending it (``lease_until``, renewed while it sends), so a batch
whose process died (SIGKILL mid-send: `docker stop` past its grace period) is recovered once its lease runs out,
and another instance's batch being sent right now is not. Batches pending before this revision have no lease: they
count from their creation. Indexed by status: each delivery round looks for the pending ones.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_deliveries_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index(batch.f("ix_deliveries_status"))
        batch.drop_column("lease_until")
