"""Items indexed by state and when they were seen: every cycle reads the processed items of the story window
(unclustered, near misses, articles not analysed yet), a few days of a store that keeps ninety. Without the index
SQLite's planner took the index on state alone (done: nearly every item) and read them all: 100-120 ms for each of
those reads at 300,000 items, every cycle, idle ones included; with it, about 10 ms.

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
