"""A digest key is begun by one process only: a unique index on the live digest batches (pending or sent) of a
subscription and key. Several instances on one PostgreSQL each checked for the batch and then inserted it (READ
COMMITTED, no lock), and some chats got a digest twice; now the losing insert fails and that instance skips the send.

A database where that already happened keeps every batch: of each subscription's live batches of one key the first
sent one (else the first) keeps the key, and the others' keys get their id appended, so their stories still count as
sent and their sends as the last digest.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LIVE_DIGEST = "kind = 'digest' AND status IN ('pending', 'sent')"  # as bot.schema.LIVE_DIGEST, frozen here


def _rekey_duplicates() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(f"SELECT id, subscription_id, key, status FROM deliveries WHERE {LIVE_DIGEST} ORDER BY id")
    ).all()
    keeper: dict[tuple[int, str], tuple[int, str]] = {}
    for row in rows:  # the first sent batch of a key keeps it, else the first pending one
        held = keeper.get((row.subscription_id, row.key))
        if held is None or (held[1] != "sent" and row.status == "sent"):
            keeper[(row.subscription_id, row.key)] = (row.id, row.status)
    kept = {batch_id for batch_id, _ in keeper.values()}
    for row in rows:
        if row.id not in kept:
            conn.execute(
                sa.text("UPDATE deliveries SET key = :key WHERE id = :id"), {"key": f"{row.key}#{row.id}", "id": row.id}
            )


def upgrade() -> None:
    _rekey_duplicates()
    with op.batch_alter_table("deliveries") as batch:
        batch.create_index(
            "uq_deliveries_digest_key",
            ["subscription_id", "key"],
            unique=True,
            sqlite_where=sa.text(LIVE_DIGEST),
            postgresql_where=sa.text(LIVE_DIGEST),
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("uq_deliveries_digest_key")
