"""The shared evaluation data beside the checkout (``../shared``): present, skipped loudly, or failed in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared_path(relative: str) -> Path:
    """``../shared/<relative>``; when missing, fail under ``CI=true`` (a gate must measure) and skip loudly elsewhere."""
    path = SHARED / relative
    if not path.exists():
        message = f"{path} is missing: this test needs ../shared beside the checkout (the evaluation data)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; under CI=true a missing quality-gate input is a failure")
        pytest.skip("SKIPPED LOUDLY: " + message)
    return path
