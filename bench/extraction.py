"""Score quote and figure extraction on the labelled extraction set, and time it.

    .venv/bin/python bench/extraction.py                      # ../shared/eval/extraction/dev.jsonl
    .venv/bin/python bench/extraction.py GOLD.jsonl --out pred.jsonl --errors

Runs ``summarizer.analyze`` on every article, writes predictions in score.py's format, scores them
with the eval's own score.py (imported by path, so the numbers are the judge's numbers) and prints
the quote and figure scores and the engine's speed in articles per second.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer import analyze  # noqa: E402
from summarizer.models import Analysis  # noqa: E402

EVAL_DIR = ROOT.parent / "shared" / "eval" / "extraction"
DEFAULT_GOLD = EVAL_DIR / "dev.jsonl"


def scorer_for(gold: Path) -> Path:
    """The score.py next to a labelled file, else the eval's own."""
    local = gold.parent / "score.py"
    return local if local.exists() else EVAL_DIR / "score.py"


def load_scorer(path: Path = EVAL_DIR / "score.py") -> ModuleType:
    """A score.py as a module."""
    if not path.exists():
        raise FileNotFoundError(f"no scorer at {path} (the eval's score.py; pass --scorer PATH)")
    spec = importlib.util.spec_from_file_location("extraction_score", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no scorer at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_articles(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def prediction(article_id: str, analysis: Analysis) -> dict[str, Any]:
    """One line of score.py's prediction format."""
    return {
        "id": article_id,
        "quotes": [{"text": q.text, "speaker": q.speaker} for q in analysis.quotes],
        "figures": [
            {
                "surface": f.surface,
                "value": f.value,
                "unit": f.unit,
                "kind": f.kind,
                "key": f.key,
                "start": f.start,
                "end": f.end,
            }
            for f in analysis.figures
        ],
    }


def predict(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [prediction(a["id"], analyze(a["text"])) for a in articles]


def evaluate(gold_path: Path = DEFAULT_GOLD) -> dict[str, Any]:
    """score.py's summary of our predictions on ``gold_path`` (used by the quality gate)."""
    scorer = load_scorer(scorer_for(gold_path))
    articles = load_articles(gold_path)
    preds = {p["id"]: p for p in predict(articles)}
    gold = {a["id"]: a for a in articles}
    summary, _per = scorer.score(gold, preds)
    return summary


def speed(articles: list[dict[str, Any]], rounds: int) -> tuple[float, float]:
    """Median articles/s of analyze() and of quote extraction alone over ``rounds`` passes."""
    from summarizer.quotes import quotes_from_prepared
    from summarizer.text import prepare

    whole, quotes = [], []
    prepared = [prepare(a["text"]) for a in articles]
    for _ in range(rounds):
        t = time.perf_counter()
        for a in articles:
            analyze(a["text"])
        whole.append(len(articles) / (time.perf_counter() - t))
        t = time.perf_counter()
        for p in prepared:
            quotes_from_prepared(p)
        quotes.append(len(articles) / (time.perf_counter() - t))
    return statistics.median(whole), statistics.median(quotes)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="?", type=Path, default=DEFAULT_GOLD, help="labelled JSONL (default: DEV)")
    ap.add_argument("--out", type=Path, help="write predictions here (default: a temporary file)")
    ap.add_argument("--errors", action="store_true", help="per-article misses, false positives, wrong speakers")
    ap.add_argument("--rounds", type=int, default=5, help="timing passes (median reported)")
    ap.add_argument("--scorer", type=Path, help="score.py to use (default: ../shared/eval/extraction/score.py)")
    args = ap.parse_args(argv)
    if not args.gold.exists():
        print(f"error: no labelled file at {args.gold} (pass a path to a JSONL like dev.jsonl)", file=sys.stderr)
        return 2
    try:
        scorer = load_scorer(args.scorer or scorer_for(args.gold))
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    articles = load_articles(args.gold)
    preds = predict(articles)
    out = args.out or Path(tempfile.mkstemp(suffix=".jsonl", prefix="extraction-pred-")[1])
    with out.open("w", encoding="utf-8") as fh:
        for p in preds:
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    score_argv = [str(args.gold), str(out)] + (["--errors"] if args.errors else [])
    scorer.main(score_argv)
    whole, quotes_only = speed(articles, args.rounds)
    print()
    print(f"predictions: {out}")
    print(f"speed ({len(articles)} articles, median of {args.rounds} passes):")
    print(f"  analyze()               {whole:8.0f} articles/s")
    print(f"  quotes_from_prepared()  {quotes_only:8.0f} articles/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
