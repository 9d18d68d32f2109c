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
CHECK_SET = ROOT / "tests" / "data" / "extraction_check.jsonl"
ATTRIBUTION_DIR = ROOT.parent / "shared" / "eval" / "attribution"
POLNEAR_DEV = ATTRIBUTION_DIR / "dev.jsonl"

# Baselines from ../shared/eval/attribution/README.md (measured by the eval's authors on PolNeAR dev):
# name -> (quote F1, speaker right gold-named, speaker right silver, abstain).
POLNEAR_BASELINES: dict[str, tuple[float, float, float, float]] = {
    "coverage-bot main @ f81a876": (0.968, 0.893, 0.676, 0.105),
    "simple regex (README)": (0.948, 0.569, 0.143, 0.496),
}


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


def polnear_predict(articles: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Quotes only (what the attribution scorer reads) for each PolNeAR article."""
    from summarizer.quotes import quotes_from_prepared
    from summarizer.text import prepare

    return {
        a["id"]: [
            {"text": q.text, "speaker": q.speaker, "sentence": q.sentence}
            for q in quotes_from_prepared(prepare(a["text"]))
        ]
        for a in articles
    }


def evaluate_polnear(
    gold_path: Path = POLNEAR_DEV, limit: int | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """score_attribution.py's summary (no bootstrap) and wrong-speaker records on PolNeAR dev."""
    scorer = load_scorer(gold_path.parent / "score_attribution.py")
    articles = load_articles(gold_path)[:limit]
    preds = polnear_predict(articles)
    total: dict[str, int] = {}
    errors: list[dict[str, Any]] = []
    for g in articles:
        counts, errs = scorer.score_article(g, preds.get(g["id"], []))
        scorer.add(total, counts)
        errors += errs
    summary = scorer.summarise(total)
    summary["articles"] = len(articles)
    return summary, errors


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
    ap.add_argument("--all", action="store_true", help="DEV, the check set and PolNeAR dev side by side")
    ap.add_argument("--polnear-errors", type=int, default=0, metavar="N", help="print N wrong PolNeAR speakers")
    args = ap.parse_args(argv)
    if args.all:
        return report_all(args.polnear_errors)
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


def report_all(n_errors: int = 0) -> int:
    """One table: our DEV, check-set and PolNeAR-dev numbers beside the README baselines."""
    rows = []
    for name, path in (("DEV", DEFAULT_GOLD), ("check set", CHECK_SET)):
        if not path.exists():
            print(f"{name}: missing ({path})")
            continue
        s = evaluate(path)
        q, fa, fk = s["quotes"], s["figures_all"], s["figures_key"]
        rows.append((name, q["f1"], q["attribution_accuracy"], fa["f1"], fa["value_accuracy"], fk["f1"]))
    print(f"{'set':<12}{'quote F1':>10}{'speaker':>10}{'fig F1':>10}{'values':>10}{'key F1':>10}")
    for name, *nums in rows:
        print(f"{name:<12}" + "".join(f"{n:10.3f}" for n in nums))
    print()
    if not POLNEAR_DEV.exists():
        print(f"PolNeAR dev: missing ({POLNEAR_DEV})")
        return 0
    t = time.process_time()
    s, errors = evaluate_polnear()
    secs = time.process_time() - t
    q, sp, ab = s["quotes"], s["speaker"], s["abstain"]
    print(f"PolNeAR dev ({s['articles']} articles, {secs:.1f} s CPU)")
    print(f"{'system':<32}{'quote F1':>10}{'named':>10}{'silver':>10}{'abstain':>10}{'R mixed':>10}")
    ours = (q["f1"], sp["named"]["accuracy"], sp["silver"]["accuracy"], ab["all_predictions"])
    print(f"{'ours (this checkout)':<32}" + "".join(f"{n:10.3f}" for n in ours) + f"{q['recall_mixed']:10.3f}")
    for name, base in POLNEAR_BASELINES.items():
        ratios = "  ".join(f"{o / b:.2f}x" if b else "-" for o, b in zip(ours[:3], base[:3], strict=True))
        print(f"{name:<32}" + "".join(f"{n:10.3f}" for n in base) + f"   ours/base: {ratios}")
    print(
        f"quotes P {q['precision']:.3f} R {q['recall_direct']:.3f}; predicted {q['n_pred']}, on scare quotes/titles "
        f"{q['pred_on_unattributed']}; named {sp['named']['right']}/{sp['named']['n']}, "
        f"silver {sp['silver']['right']}/{sp['silver']['n']}"
    )
    for e in errors[:n_errors]:
        print(json.dumps(e, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
