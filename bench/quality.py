"""Summary quality on the DEV set: ROUGE-1/2/Lsum and articles/s for ours, Lead-3 and every sumy algorithm.

Usage: .venv/bin/python bench/quality.py [--methods default,lead,...] [--data PATH] [--sentences 3] [--json]

Scoring convention of ../shared/eval/summarization/README.md (its own rouge_eval.py is used):
rouge-score with stemming, F1 x 100 averaged over documents, one sentence per line, a document
with no summary scores 0. Ends with a paired bootstrap of ours against Lead-3 (same resamples
and seed as ``rouge_eval.py --baseline``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EVAL_DIR = SHARED / "eval" / "summarization"
sys.path.insert(0, str(ROOT))

from summarizer.extractive import METHODS, summarize  # noqa: E402


def load_rouge_eval() -> ModuleType:
    """Import ../shared/eval/summarization/rouge_eval.py by path (exit with a message when absent)."""
    path = EVAL_DIR / "rouge_eval.py"
    if not path.exists():
        sys.exit(f"bench/quality.py: {path} not found; the eval data lives in ../shared next to the repo")
    spec = importlib.util.spec_from_file_location("rouge_eval", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_method(docs: list[dict[str, Any]], method: str, sentences: int) -> tuple[dict[str, str], float]:
    """Summaries (one sentence per line) of every document, and the wall time."""
    out: dict[str, str] = {}
    t0 = time.perf_counter()
    for d in docs:
        out[d["id"]] = "\n".join(s.text for s in summarize(d["text"], sentences=sentences, method=method).sentences)
    return out, time.perf_counter() - t0


def evaluate(rouge: ModuleType, docs: list[dict[str, Any]], methods: list[str], sentences: int) -> dict[str, Any]:
    """Scores of each method plus the paired bootstrap of ``default`` against ``lead``."""
    import numpy as np

    idx = rouge.bootstrap_idx(len(docs), 1000, 12345)
    result: dict[str, Any] = {"n_docs": len(docs), "methods": {}}
    values = {}
    for m in methods:
        summaries, wall = run_method(docs, m, sentences)
        values[m] = rouge.score(docs, summaries)
        means = values[m].mean(axis=0)
        result["methods"][m] = {
            **{name: round(float(means[k]), 2) for k, (name, _) in enumerate(rouge.METRICS)},
            "words": round(float(np.mean([len(s.split()) for s in summaries.values()])), 1),
            "docs_per_s": round(len(docs) / wall, 1),
        }
    if "default" in values and "lead" in values:
        diff = values["default"] - values["lead"]
        boot = diff[idx].mean(axis=1)
        lo, hi = np.percentile(boot, [2.5, 97.5], axis=0)
        result["default_vs_lead"] = {
            name: {
                "diff": round(float(diff[:, k].mean()), 2),
                "ci95": [round(float(lo[k]), 2), round(float(hi[k]), 2)],
                "p_not_better": round(float((boot[:, k] <= 0).mean()), 4),
            }
            for k, (name, _) in enumerate(rouge.METRICS)
        }
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(EVAL_DIR / "dev.jsonl"))
    ap.add_argument("--methods", default=",".join(METHODS), help="comma-separated; default: all")
    ap.add_argument("--sentences", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rouge = load_rouge_eval()
    if not Path(args.data).exists():
        sys.exit(f"bench/quality.py: {args.data} not found")
    docs = rouge.load_jsonl(args.data)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        sys.exit(f"bench/quality.py: unknown method(s) {', '.join(unknown)}; choose from {', '.join(METHODS)}")
    result = evaluate(rouge, docs, methods, args.sentences)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"data: {args.data}  docs: {len(docs)}  sentences: {args.sentences}")
    lead = result["methods"].get("lead")
    print(f"{'method':10s} {'R1':>6s} {'R2':>6s} {'RLsum':>6s} {'words':>6s} {'docs/s':>8s} {'R1 vs lead':>10s}")
    for m, r in sorted(result["methods"].items(), key=lambda kv: -kv[1]["R1"]):
        rel = f"{r['R1'] - lead['R1']:+.2f}" if lead else ""
        print(
            f"{m:10s} {r['R1']:6.2f} {r['R2']:6.2f} {r['RLsum']:6.2f} {r['words']:6.1f} {r['docs_per_s']:8.1f} {rel:>10s}"
        )
    if "default_vs_lead" in result:
        print("paired bootstrap, default minus lead (1000 resamples, seed 12345):")
        for name, v in result["default_vs_lead"].items():
            print(
                f"  {name:6s} {v['diff']:+6.2f}  95% CI [{v['ci95'][0]:+.2f}, {v['ci95'][1]:+.2f}]"
                f"  P(not better) {v['p_not_better']:.3f}"
            )


if __name__ == "__main__":
    main()
