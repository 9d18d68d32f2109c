"""Indexes the per-subscription delivery reads and retention search instead of scanning whole tables.

``deliveries (subscription_id, kind, status, finished_at)``: every poll cycle the delivery job reads when each daily
subscription last got its digest (last_delivery), and each digest and alert reads what the subscription was sent
(undelivered, grown_since). SQLite's planner took the index on status alone ("sent": nearly every batch) and read
every sent batch of every subscription: at 45,000 batches (500 subscriptions, 90 days) last_delivery took 11.8 ms a
subscription instead of 0.5 at 1,000. ``deliveries (finished_at)``: retention read every batch for the finished ones
past the cutoff.

``items (story_id, seen_at)`` in place of ``items (story_id)``, whose lookups it serves as well: grown_since reads
the items of the stories a subscription was sent seen since a time, and retention the oldest items on no story, in
the order it prunes them (it sorted every prunable item again for each batch).

Indexes only: every row is kept, either way.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

SENT = ["subscription_id", "kind", "status", "finished_at"]


def upgrade() -> None:
    # recreate="never": CREATE and DROP INDEX only, no SQLite table rebuild
    with op.batch_alter_table("deliveries", recreate="never") as batch:
        batch.create_index(batch.f("ix_deliveries_subscription_id_kind_status_finished_at"), SENT, unique=False)
        batch.create_index(batch.f("ix_deliveries_finished_at"), ["finished_at"], unique=False)
    with op.batch_alter_table("items", recreate="never") as batch:
        batch.create_index(batch.f("ix_items_story_id_seen_at"), ["story_id", "seen_at"], unique=False)
        batch.drop_index(batch.f("ix_items_story_id"))


def downgrade() -> None:
    with op.batch_alter_table("items", recreate="never") as batch:
        batch.create_index(batch.f("ix_items_story_id"), ["story_id"], unique=False)
        batch.drop_index(batch.f("ix_items_story_id_seen_at"))
    with op.batch_alter_table("deliveries", recreate="never") as batch:
        batch.drop_index(batch.f("ix_deliveries_finished_at"))
        batch.drop_index(batch.f("ix_deliveries_subscription_id_kind_status_finished_at"))
