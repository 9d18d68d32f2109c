"""`python -m bot.migrations` (bot/migrations/__main__.py), run as a developer runs it: DATABASE_URL read as
coverage-bot reads it (bot.settings.database_url_from_env)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from commandline import ROOT, clean_env


def migrations(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(DATABASE_URL=database_url)
    command = [sys.executable, "-m", "bot.migrations", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_upgrade_takes_the_database_url_form_readme_shows(tmp_path: Path) -> None:
    """README's sqlite:////srv/bot/coverage-bot.db works for every coverage-bot command; the migrations tool read
    DATABASE_URL raw and died on it ("The asyncio extension requires an async driver")."""
    db = tmp_path / "coverage-bot.db"
    out = migrations("upgrade", database_url=f"sqlite:///{db}")
    assert out.returncode == 0, out.stderr
    heads = sorted(p.name.split("_")[0] for p in (ROOT / "bot" / "migrations" / "versions").glob("0*.py"))
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(heads[-1],)]


def test_a_database_url_it_cannot_use_is_one_line() -> None:
    out = migrations("current", database_url="mysql://u:secret@db/x")
    assert out.returncode == 1 and "Traceback" not in out.stderr and "secret" not in out.stderr
    assert out.stderr.strip() == (
        "python -m bot.migrations: DATABASE_URL: scheme 'mysql' is not supported; "
        "use sqlite+aiosqlite:// or postgresql+asyncpg://"
    )
