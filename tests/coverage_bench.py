"""The bench scripts loaded as modules, and the installed coverage-bot they run: what the coverage gates share."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from shared import missing

ROOT = Path(__file__).resolve().parents[1]


def script(name: str) -> ModuleType:
    """bench/<name>.py loaded as a module (the bench scripts are files run by hand, not a package; they import each
    other's modules, such as bench/labelled.py, as a script run from bench/ does)."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (a dataclass looks its module up there)
    spec.loader.exec_module(module)
    return module


def harness(what: str) -> tuple[ModuleType, Path]:
    """bench/coverage.py and the coverage-bot it runs, when ../shared's coverage set is there (else shared.missing:
    ``what`` names what is missing)."""
    module = bench()
    if not module.available():
        missing(f"{what} at {module.EVAL_DIR}")
    return module, cli()


def assert_above(ours: dict[str, Any], floors: Mapping[str, float]) -> None:
    """score.py's result at or above ``floors``: macro_f1, each topic's precision (topic_precision), and the stories
    over the gold on-topic items (pairwise_f1, bcubed_f1, and pairwise_precision when given)."""
    assert ours["macro_f1"] >= floors["macro_f1"], ours["topics"]
    for topic, m in ours["topics"].items():
        assert m["precision"] >= floors["topic_precision"], (topic, m)
    st = ours["stories_on_topic"]
    assert st["pairwise"]["f1"] >= floors["pairwise_f1"], st
    assert st["pairwise"]["precision"] >= floors.get("pairwise_precision", 0.0), st
    assert st["bcubed"]["f1"] >= floors["bcubed_f1"], st


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
