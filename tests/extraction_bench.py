"""bench/extraction.py as a module, for the extraction gates (one loader, one scoring path)."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


@cache
def bench() -> ModuleType:
    """The benchmark module: predict() with analyze(), evaluate() with the eval's score.py."""
    spec = importlib.util.spec_from_file_location("bench_extraction", ROOT / "bench" / "extraction.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
