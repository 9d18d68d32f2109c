"""bench/extraction.py as a module, for the extraction gates (one loader, one scoring path)."""

from __future__ import annotations

import importlib.util
import os
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@cache
def bench() -> ModuleType:
    """The benchmark module: predict() with analyze(), evaluate() with the eval's score.py."""
    spec = importlib.util.spec_from_file_location("bench_extraction", ROOT / "bench" / "extraction.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def require(path: Path) -> None:
    """Skip loudly when eval data is absent; under CI=true its absence is a failure."""
    if path.exists():
        return
    reason = f"eval data missing: {path} (the ../shared checkout beside the project)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)
