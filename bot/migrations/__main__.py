"""Developer entry point: ``python -m bot.migrations revision -m "message"`` / ``upgrade`` / ``current``."""

from __future__ import annotations

import argparse

from alembic import command

from bot.migrations import alembic_config
from bot.settings import database_url_from_env


def main() -> None:
    """Run one Alembic command against ``DATABASE_URL``."""
    parser = argparse.ArgumentParser(prog="python -m bot.migrations")
    sub = parser.add_subparsers(dest="cmd", required=True)
    rev = sub.add_parser("revision", help="autogenerate a new revision")
    rev.add_argument("-m", "--message", required=True)
    sub.add_parser("upgrade", help="upgrade to head")
    sub.add_parser("current", help="show the current revision")
    args = parser.parse_args()
    try:
        url = database_url_from_env()  # as coverage-bot reads it: sqlite:// and postgres:// get their async drivers
    except ValueError as exc:
        raise SystemExit(f"python -m bot.migrations: DATABASE_URL: {exc}") from None
    cfg = alembic_config(url=url)
    if args.cmd == "revision":
        command.revision(cfg, message=args.message, autogenerate=True)
    elif args.cmd == "upgrade":
        command.upgrade(cfg, "head")
    else:
        command.current(cfg)


if __name__ == "__main__":
    main()
