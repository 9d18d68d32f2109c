"""Quality gate: quotes (and figures) on the labelled extraction DEV set stay above recorded floors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from extraction_bench import bench

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV = SHARED / "eval" / "extraction" / "dev.jsonl"

# Quote floors: just under what `.venv/bin/python bench/extraction.py` measures on DEV (69 gold quotes:
# F1 1.000, attribution accuracy 0.986). One lost quote costs ~0.007 F1, one wrong speaker ~0.015.
QUOTE_F1_FLOOR = 0.97
QUOTE_ATTRIBUTION_FLOOR = 0.95
# Figure floors: just under DEV's measured F1 1.000, key F1 1.000 and value accuracy 1.000 (115 gold
# figures, 64 key: one miss costs ~0.005 F1, one wrong key flag ~0.008 key F1).
FIGURE_F1_FLOOR = 0.97
FIGURE_KEY_F1_FLOOR = 0.95
FIGURE_VALUE_ACCURACY_FLOOR = 0.97


@pytest.fixture(scope="module")
def summary() -> dict[str, Any]:
    if not DEV.exists():
        pytest.skip("../shared not present")
    return bench().evaluate(DEV)


def test_every_article_is_scored(summary: dict[str, Any]) -> None:
    assert summary["articles"] == summary["articles_predicted"] >= 10


def test_quote_floors(summary: dict[str, Any]) -> None:
    q = summary["quotes"]
    assert q["f1"] >= QUOTE_F1_FLOOR, q
    assert q["attribution_accuracy"] >= QUOTE_ATTRIBUTION_FLOOR, q


def test_figure_floors(summary: dict[str, Any]) -> None:
    assert summary["figures_all"]["f1"] >= FIGURE_F1_FLOOR, summary["figures_all"]
    assert summary["figures_key"]["f1"] >= FIGURE_KEY_F1_FLOOR, summary["figures_key"]
    assert summary["figures_all"]["value_accuracy"] >= FIGURE_VALUE_ACCURACY_FLOOR, summary["figures_all"]
