"""Shared fixtures: a loopback HTTP server, the store on a real database, and the shared evaluation data.

- ``loopback``: a fresh loopback HTTP server (tests/loopback.py).
- ``db_url`` / ``store``: an empty database and a :class:`bot.store.Store` on it: a SQLite file, and in
  modules that set ``ALL_BACKENDS = True`` also PostgreSQL when ``COVERAGE_BOT_TEST_PG`` is set
  (tests/databases.py; CI starts one).
- ``shared_path(relative)`` (tests/shared.py): a file of ``../shared``, or a loud skip on a user's clone and a
  failure under ``CI=true``, so a green CI run always measured what its gates claim.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from databases import BACKENDS, database_url
from loopback import LoopbackServer

from bot.store import Store


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``db_url``: SQLite everywhere; PostgreSQL too in modules that set ALL_BACKENDS = True."""
    if "db_url" in metafunc.fixturenames:
        backends = BACKENDS if getattr(metafunc.module, "ALL_BACKENDS", False) else ("sqlite",)
        metafunc.parametrize("db_url", backends, indirect=True)


@pytest.fixture
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database of the backend this test runs on."""
    async with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    """A store on an empty, migrated database."""
    s = await Store.open(db_url)
    yield s
    await s.close()


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A fresh loopback HTTP server with no routes; add them with `loopback.route(path, ...)`."""
    with LoopbackServer() as server:
        yield server
