"""Database URLs for store and poller tests: a SQLite file always, PostgreSQL when one is configured.

Set ``COVERAGE_BOT_TEST_PG`` to an admin URL (``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``) to run
the same tests on PostgreSQL too: each test gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

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


# A plan step that reads a whole table of the store, or all of one of its indexes (SQLite 3.36+: "SCAN t", before:
# "SCAN TABLE t")
FULL_SCAN = re.compile(r"^SCAN (TABLE )?(stories|items|deliveries|delivery_stories)\b")


@asynccontextmanager
async def sqlite_plans(store: Any) -> AsyncIterator[list[tuple[str, list[str]]]]:
    """The SELECTs a block runs on a SQLite store, each with SQLite's plan for it (EXPLAIN QUERY PLAN on the same file,
    with the same parameters), in the list yielded once the block ends. Nothing runs ANALYZE on the store, so SQLite's
    plans do not depend on how many rows a table holds: a test's small store gets the plans of a store a year old
    (qa16: the same plans on stores of 1,000 and 45,000 deliveries)."""
    ran: list[tuple[str, tuple[Any, ...]]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            ran.append((statement, tuple(parameters or ())))

    event.listen(store.engine.sync_engine, "after_cursor_execute", record)
    plans: list[tuple[str, list[str]]] = []
    try:
        yield plans
    finally:
        event.remove(store.engine.sync_engine, "after_cursor_execute", record)
    with sqlite3.connect(store.engine.url.database) as conn:
        for statement, parameters in ran:
            steps = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
            plans.append((" ".join(statement.split()), steps))
