"""Item identities longer than items.identity's 128 characters become ``sha256:`` and the digest of the whole
identity, as bot.feeds.storable_identity now gives them. PostgreSQL refused a longer guid or link, failing the feed's
transaction at every poll until the feed was disabled (94 items of feeds-corpus/real have one); SQLite stored them
whole, and a feed still listing those items must find them under the new identity rather than store them again.
No row is added or removed; identities that fit are untouched (on PostgreSQL there are no others).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# bot.feeds.MAX_IDENTITY and storable_identity when this revision was written (a migration never follows later code).
MAX_IDENTITY = 128

items = sa.table("items", sa.column("id", sa.Integer), sa.column("identity", sa.String))


def _digest(identity: str) -> str:
    return "sha256:" + hashlib.sha256(identity.encode(errors="surrogatepass")).hexdigest()


def upgrade() -> None:
    conn = op.get_bind()
    long = conn.execute(sa.select(items.c.id, items.c.identity).where(sa.func.length(items.c.identity) > MAX_IDENTITY))
    rows = [{"item_id": item_id, "digest": _digest(identity)} for item_id, identity in long]
    if rows:
        update = items.update().where(items.c.id == sa.bindparam("item_id")).values(identity=sa.bindparam("digest"))
        conn.execute(update, rows)


def downgrade() -> None:
    # A digest cannot be turned back into its identity: an older release finds those items by guid or link instead.
    pass
