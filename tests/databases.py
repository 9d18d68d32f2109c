"""Database URLs for store and poller tests: a SQLite file always, PostgreSQL when one is configured.

Set ``COVERAGE_BOT_TEST_PG`` to an admin URL (``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``) to run
the same tests on PostgreSQL too: each test gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get("COVERAGE_BOT_TEST_PG")
BACKENDS = ("sqlite", "postgresql")


@asynccontextmanager
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A URL of an empty database of ``backend`` (a PostgreSQL one is dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return
    if not PG_ADMIN_URL:
        pytest.skip("PostgreSQL not configured (set COVERAGE_BOT_TEST_PG)")
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"covbot_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def query(store: Any, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a raw SQL query on the store's database (either backend)."""
    async with store.engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(sa.text(sql))]
