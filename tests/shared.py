"""The shared evaluation data beside the checkout (``../shared``): present, skipped loudly, or failed in CI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared_path(relative: str) -> Path:
    """``../shared/<relative>``; when missing, fail under ``CI=true`` (a gate must measure) and skip loudly elsewhere."""
    return require(SHARED / relative)


def require(path: Path) -> Path:
    """``path`` (an input from ../shared), or :func:`missing` when it is absent."""
    if not path.exists():
        missing(str(path))
    return path


def missing(what: str) -> NoReturn:
    """The test's shared data is absent: a failure under ``CI=true``, a loud skip on a user's clone."""
    message = f"{what} is missing: this test needs ../shared beside the checkout (the evaluation data)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + "; under CI=true a missing quality-gate input is a failure")
    pytest.skip("SKIPPED LOUDLY: " + message)
