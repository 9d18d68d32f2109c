"""Items indexed by state and when they were seen: every cycle reads the processed items of the story window
(unclustered, near misses, articles not analysed yet), a few days of a store that keeps ninety. Without the index
SQLite's planner took the index on state alone (done: nearly every item) and read them all. At 300,000 items, every
cycle, idle ones included: the articles' read 100-170 ms and the two clustering reads 210-300 ms; with it, 10-16 and
15-22 ms.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.create_index(batch.f("ix_items_state_seen_at"), ["state", "seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_index(batch.f("ix_items_state_seen_at"))
