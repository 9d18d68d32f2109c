"""A subscription has one alert batch pending at a time: a unique index on its pending alert batches. Alerts all share
the key "alert", so instances on one PostgreSQL that read the same undelivered stories each began a batch of them and
each sent it; now the second insert finds the first batch pending and that instance skips the send
(Store.begin_delivery).

A database may already hold several pending alert batches of one subscription (instances that raced before this
revision, or a batch a killed sender left beside the next one): the newest stays pending, the older ones become
"unsent", as a batch recovered from a dead sender does, so their stories are offered again. Their senders, if any is
still at it, mark them sent when done, as before.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PENDING_ALERT = "kind = 'alert' AND status = 'pending'"  # as bot.schema.PENDING_ALERT, frozen here
UNSENT = "unsent"  # as bot.store.UNSENT
SUPERSEDED = "pending beside a newer alert batch at upgrade (migration 0009)"


def _unpend_older_alerts() -> None:
    """Of each subscription's pending alert batches, all but the newest become unsent."""
    newest = (
        "SELECT max(newer.id) FROM deliveries AS newer WHERE newer.subscription_id = deliveries.subscription_id"
        " AND newer.kind = 'alert' AND newer.status = 'pending'"
    )
    op.get_bind().execute(
        sa.text(
            "UPDATE deliveries SET status = :status, error = :error, finished_at = CURRENT_TIMESTAMP"
            f" WHERE {PENDING_ALERT} AND id < ({newest})"
        ),
        {"status": UNSENT, "error": SUPERSEDED},
    )


def upgrade() -> None:
    _unpend_older_alerts()
    with op.batch_alter_table("deliveries") as batch:
        batch.create_index(
            "uq_deliveries_alert_pending",
            ["subscription_id"],
            unique=True,
            sqlite_where=sa.text(PENDING_ALERT),
            postgresql_where=sa.text(PENDING_ALERT),
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("uq_deliveries_alert_pending")
