"""The bench scripts loaded as modules, and the installed coverage-bot they run: what the coverage gates share."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def script(name: str) -> ModuleType:
    """bench/<name>.py loaded as a module (the bench scripts are files run by hand, not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench() -> ModuleType:
    """bench/coverage.py (its run_ours, run_baselines, pooled and the shared set's paths)."""
    return script("coverage")


def cli() -> Path:
    """The coverage-bot console script beside this interpreter, or on PATH."""
    path = Path(sys.executable).with_name("coverage-bot")
    if path.exists():
        return path
    found = shutil.which("coverage-bot")
    assert found, "the coverage-bot console script is not installed (make .venv/.installed-dev)"
    return Path(found)
