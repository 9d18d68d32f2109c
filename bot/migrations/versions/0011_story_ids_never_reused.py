"""Story numbers are never given twice: the SQLite stories table is rebuilt with AUTOINCREMENT. Users type a story's
number (/summary 12) from a digest that may be weeks old; SQLite without AUTOINCREMENT gives the next row the largest
id kept plus one, so once retention had pruned the newest stories (or every story, after an idle spell) their numbers
went to new, unrelated stories, and an old digest's "/summary 1" showed one of them. PostgreSQL's sequence never goes
back and is left as it is.

Every row is copied with its id, so sqlite_sequence starts at the largest id kept and the next story is numbered
above it. Numbers above that given before the upgrade and already pruned left no trace and cannot be held back.

Alembic's batch rebuild drops the old table, which the items and delivery_stories foreign keys name: it needs
``PRAGMA foreign_keys`` off, which SQLite ignores inside a transaction, so :meth:`bot.store.Store.open` turns it off
around the upgrade; this revision checks every reference still resolves before it ends.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _rebuild_stories(autoincrement: bool) -> None:
    """Copy the stories table, every row and id, into one declared with or without AUTOINCREMENT (SQLite only)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    with op.batch_alter_table("stories", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass
    for child in ("items", "delivery_stories"):  # the tables whose foreign keys name stories
        if broken := bind.exec_driver_sql(f"PRAGMA foreign_key_check({child})").fetchall():
            raise RuntimeError(f"migration 0011: {len(broken)} {child} rows name a missing story after the rebuild")


def upgrade() -> None:
    _rebuild_stories(autoincrement=True)


def downgrade() -> None:
    _rebuild_stories(autoincrement=False)
