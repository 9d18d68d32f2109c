"""Developer entry point: ``python -m bot.migrations revision -m "message"`` / ``upgrade`` / ``current``."""

from __future__ import annotations

import argparse

from alembic import command

from bot.migrations import alembic_config
from bot.store import database_url_from_env


def main() -> None:
    """Run one Alembic command against ``DATABASE_URL``."""
    parser = argparse.ArgumentParser(prog="python -m bot.migrations")
    sub = parser.add_subparsers(dest="cmd", required=True)
    rev = sub.add_parser("revision", help="autogenerate a new revision")
    rev.add_argument("-m", "--message", required=True)
    sub.add_parser("upgrade", help="upgrade to head")
    sub.add_parser("current", help="show the current revision")
    args = parser.parse_args()
    cfg = alembic_config(url=database_url_from_env())
    if args.cmd == "revision":
        command.revision(cfg, message=args.message, autogenerate=True)
    elif args.cmd == "upgrade":
        command.upgrade(cfg, "head")
    else:
        command.current(cfg)


if __name__ == "__main__":
    main()
