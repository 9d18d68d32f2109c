"""Quality gates on ../shared DEV: single-article summaries above their ROUGE floors and Lead-3, story
summaries above their 100-word recall floors and Centroid+MMR (measured in the same run)."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from shared import require

from summarizer.extractive import summarize

pytestmark = pytest.mark.slow  # ROUGE over the DEV sets: about 35 s

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EVAL_DIR = SHARED / "eval" / "summarization"
MULTIDOC_DIR = SHARED / "eval" / "multidoc"

# Floors just under what `python bench/quality.py` measured on DEV (ours 32.11 / 12.10 / 28.52,
# lead 30.21 / 11.76 / 26.94); the margin absorbs small changes in rouge-score, the stemmer or syntok.
FLOORS = {"R1": 31.8, "R2": 11.9, "RLsum": 28.2}
MIN_R1_GAIN_OVER_LEAD = 1.0  # the requirement, in ROUGE-1 points

# Story summaries, 100-word ROUGE recall on multidoc DEV: `python bench/quality.py --story` measured
# ours 38.47 / 12.24, Centroid+MMR 36.07 / 10.02 (recorded in README); floors about 0.2-0.3 below ours. (38.57 / 12.33
# before a retold fact was told once and a sentence leaning on the one before only right after it: 0.10 / 0.09 less.)
STORY_FLOORS = {"R1_R": 38.2, "R2_R": 12.0}
STORY_WORDS = 100


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def _bench() -> ModuleType:
    """bench/quality.py as a module (one scoring path for the bench and the gate)."""
    return _load("bench_quality", ROOT / "bench" / "quality.py")


def test_dev_rouge_above_floors_and_above_lead() -> None:
    require(EVAL_DIR / "dev.jsonl")
    rouge = _load("rouge_eval", EVAL_DIR / "rouge_eval.py")
    docs = rouge.load_jsonl(str(EVAL_DIR / "dev.jsonl"))
    means = {}
    for method in ("default", "lead"):
        summaries = {d["id"]: "\n".join(s.text for s in summarize(d["text"], 3, method).sentences) for d in docs}
        values = rouge.score(docs, summaries).mean(axis=0)
        means[method] = {name: float(values[k]) for k, (name, _) in enumerate(rouge.METRICS)}
    ours, lead = means["default"], means["lead"]
    for name, floor in FLOORS.items():
        assert ours[name] >= floor, f"DEV {name} {ours[name]:.2f} fell below its floor {floor}"
    assert ours["R1"] - lead["R1"] >= MIN_R1_GAIN_OVER_LEAD, (ours, lead)
    assert ours["R2"] >= lead["R2"] and ours["RLsum"] >= lead["RLsum"], (ours, lead)


def test_story_summaries_above_floors_and_above_centroid_mmr() -> None:
    require(MULTIDOC_DIR / "dev.jsonl")
    require(MULTIDOC_DIR / "rouge_mds.py")
    bench = _bench()
    clusters = bench.load_rouge_mds().load_jsonl(str(MULTIDOC_DIR / "dev.jsonl"))
    result = bench.evaluate_story(clusters, ["ours", "centroid"], STORY_WORDS)["methods"]
    ours, centroid = result["ours"], result["centroid"]
    for key, floor in STORY_FLOORS.items():
        assert ours[key] >= floor, f"story DEV {key} {ours[key]:.2f} fell below its floor {floor}"
        assert ours[key] > centroid[key], (key, ours, centroid)
    assert ours["words"] <= STORY_WORDS  # whole sentences within the budget, never a cut one
