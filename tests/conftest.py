"""Shared fixtures: a loopback HTTP server (see tests/loopback.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loopback import LoopbackServer


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A fresh loopback HTTP server with no routes; add them with `loopback.route(path, ...)`."""
    with LoopbackServer() as server:
        yield server
