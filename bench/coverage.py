"""Topics and stories on the coverage gold set: ours (the real poll path) beside the baselines, as ratios.

Usage: .venv/bin/python bench/coverage.py [--config feeds.yaml] [--keep DIR] [--json] [--items DIR --labels FILE]
       .venv/bin/python bench/coverage.py [--config feeds.yaml] [--keep DIR] [--json] --sets SET_DIR...

Runs ../shared/eval/coverage/run_project.py (description-only items, eras replayed with shifted dates,
one `coverage-bot poll --once` per era into a fresh store, then `coverage-bot stories --json`) and
../shared/eval/coverage/score.py on its predictions; in the same run, ../shared/eval/coverage/baselines.py
gives the keyword topics and the TF-IDF clusterers (cosine >= 0.3 and >= 0.5 within 72 h; they need
scikit-learn, a dev extra), scored by the same scorer. --items and --labels measure another set labelled by the
same guideline (one RSS 2.0 file per outlet, labels.jsonl's format) with the same harness. --sets measures
several such sets (each a folder with items/ and labels.jsonl), one row each, then all of them pooled: the topics'
and the pairs' counts summed, B-cubed averaged over every set's scored items (no pair or story spans two sets).

A set whose labels.jsonl has a second_reading.jsonl beside it (the same items labelled again by another reader who
never saw the first labels) gets one more row, that reader scored against the first by the same scorer: how far two
readers of the guideline agree, a yardstick for what a system can be expected to reach on that set. With --sets,
the sets that have one are pooled again in a table of their own, ours and the baselines beside the second reader,
and ours is scored once more where the two readers agree (agreed()): on the items neither calls borderline, each
topic where both give the same verdict, and the pairs of items both put on a topic that both join or both keep apart.
Where they agree, an error is ours, not the labels' noise.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import functools
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from labelled import rows  # bench/labelled.py: a script run from bench/ finds it beside itself

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EVAL_DIR = SHARED / "eval" / "coverage"
ITEMS_DIR = SHARED / "feeds-corpus" / "items"
LABELS = EVAL_DIR / "labels.jsonl"
TFIDF_THRESHOLDS = (0.3, 0.5)
SECOND_READING = "second_reading.jsonl"
SECOND_ROW = "a second reader, blind"
HEAD = ("rare-earths P/R", "us-russia P/R", "macro F1", "pairs P/R/F1", "B-cubed P/R/F1", "ours/it (F1s)")


@functools.cache
def _module(name: str) -> ModuleType:
    """One of the coverage set's scripts, loaded once per process (every prediction file is scored with it)."""
    spec = importlib.util.spec_from_file_location(f"coverage_{name}", EVAL_DIR / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def available() -> bool:
    """Whether the gold set and its scripts are next to the checkout."""
    return all((EVAL_DIR / f).exists() for f in ("run_project.py", "score.py", "labels.jsonl")) and ITEMS_DIR.is_dir()


def run_ours(
    config: Path,
    out_dir: Path,
    cli: Path | None = None,
    items_dir: Path = ITEMS_DIR,
    labels: Path = LABELS,
) -> dict[str, Any]:
    """run_project.py over the gold items with our CLI and ``config``, scored; raises when the run fails."""
    cli = cli or Path(sys.executable).with_name("coverage-bot")
    pred = out_dir / "pred_ours.jsonl"
    r = subprocess.run(
        [sys.executable, str(EVAL_DIR / "run_project.py"), str(cli), str(config), str(items_dir), str(pred)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if r.returncode != 0:
        raise RuntimeError(f"run_project.py failed:\n{r.stdout}\n{r.stderr}")
    return _score(pred, labels)


def _score(pred: Path, labels: Path) -> dict[str, Any]:
    score = _module("score")
    return score.score(score.read_jsonl(str(labels)), score.read_jsonl(str(pred)))


def run_baselines(out_dir: Path, items_dir: Path = ITEMS_DIR, labels: Path = LABELS) -> dict[str, dict[str, Any]]:
    """The keyword topics (always) and the TF-IDF clusterers (when scikit-learn is installed), scored."""
    base = _module("baselines")
    items = base.load(str(items_dir))
    for i in items:
        i["topics"] = base.keyword_topics(i["title"] + " " + i["desc"])
    out: dict[str, dict[str, Any]] = {}
    path = out_dir / "pred_keywords.jsonl"
    base.write(str(path), items, ["s:" + i["guid"] for i in items])
    out["keyword topics, items alone"] = _score(path, labels)
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return out
    for t in TFIDF_THRESHOLDS:
        path = out_dir / f"pred_tfidf_{t}.jsonl"
        base.write(str(path), items, base.tfidf_clusters(items, t, 72.0))
        out[f"TF-IDF >= {t} within 72 h"] = _score(path, labels)
    return out


def run_second_reading(labels: Path) -> dict[str, dict[str, Any]]:
    """The set's second reading scored against its labels, when labels.jsonl has one beside it."""
    path = labels.with_name(SECOND_READING)
    return {SECOND_ROW: _score(path, labels)} if path.is_file() else {}


def agreed(labels: Path, pred: Path) -> dict[str, dict[str, int]]:
    """Ours (``pred``, score.py's format) where a set's two readers agree (labels.jsonl and the second reading beside
    it): true and false positives and misses for each topic, over the items neither reader calls borderline on which
    both give that topic the same verdict; and for the stories, over the pairs of items both put on a topic (and
    neither calls borderline) that both join or both keep apart. A predicted story counts only for items we kept on
    a topic, as score.py's stories over the gold on-topic items do."""
    first, second, ours = rows(labels), rows(labels.with_name(SECOND_READING)), rows(pred)
    topics = _module("score").TOPICS
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in (*topics, "pairs")}

    def count(row: str, first_says: bool, second_says: bool, said: bool) -> None:  # the readers' verdict, if one
        if first_says == second_says and (first_says or said):
            counts[row]["tp" if first_says and said else "fn" if first_says else "fp"] += 1

    both = [g for g, r in first.items() if g in second and not r.get("borderline") and not second[g].get("borderline")]
    for g in both:
        for topic in topics:
            count(
                topic,
                topic in first[g]["topics"],
                topic in second[g]["topics"],
                topic in ours.get(g, {}).get("topics", ()),
            )
    kept = {g: ours[g]["story_id"] for g in both if g in ours and ours[g].get("topics")}
    on = sorted(g for g in both if first[g]["topics"] and second[g]["topics"])
    for i, a in enumerate(on):
        for b in on[i + 1 :]:
            said = a in kept and b in kept and kept[a] == kept[b]
            count(
                "pairs",
                first[a]["story_id"] == first[b]["story_id"],
                second[a]["story_id"] == second[b]["story_id"],
                said,
            )
    return counts


def pooled(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Several sets' scores as one set's: what score.py gives over all their items together, since no pair and no
    story spans two sets (the topics' and the pairs' counts summed; B-cubed, a mean over items, weighted by them)."""

    def prf(tp: int, fp: int, fn: int) -> dict[str, float]:  # as score.py computes them
        return dict(zip(("precision", "recall", "f1"), _module("score").prf(tp, fp, fn), strict=True))

    topics: dict[str, dict[str, Any]] = {}
    for t in results[0]["topics"]:
        tp, fp, fn = (sum(res["topics"][t][k] for res in results) for k in ("tp", "fp", "fn"))
        topics[t] = prf(tp, fp, fn) | {"tp": tp, "fp": fp, "fn": fn}
    out: dict[str, Any] = {
        "items_scored": sum(res["items_scored"] for res in results),
        "topics": topics,
        "macro_f1": sum(t["f1"] for t in topics.values()) / len(topics),
    }
    for key in ("stories", "stories_on_topic"):
        common, pred, gold = (
            sum(res[key]["pairwise"][k] for res in results) for k in ("common_pairs", "pred_pairs", "gold_pairs")
        )
        pairwise = prf(common, pred - common, gold - common)
        items = sum(res[key]["items"] for res in results)
        bp, br = (
            sum(res[key]["bcubed"][k] * res[key]["items"] for res in results) / items if items else 0.0
            for k in ("precision", "recall")
        )
        out[key] = {
            "items": items,
            "pairwise": pairwise | {"gold_pairs": gold, "pred_pairs": pred, "common_pairs": common},
            "bcubed": {"precision": bp, "recall": br, "f1": 2 * bp * br / (bp + br) if bp + br else 0.0},
        }
    return out


def _measure(
    config: Path, out_dir: Path, items_dir: Path, labels: Path, cli: Path | None = None, baselines: bool = True
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    ours = run_ours(config, out_dir, cli, items_dir=items_dir, labels=labels)
    return ours, (run_baselines(out_dir, items_dir, labels) | run_second_reading(labels) if baselines else {})


def run_sets(
    config: Path, out_dir: Path, sets: list[Path], cli: Path | None = None, baselines: bool = True
) -> list[tuple[dict[str, Any], dict[str, dict[str, Any]]]]:
    """Each set (a folder with items/ and labels.jsonl) measured as run_ours does, in parallel (each run is a
    subprocess), its predictions under ``out_dir``/<the set's name>; with ``baselines``, each set's baseline rows and
    second reading too. In the order of ``sets``."""
    jobs = max(1, min(len(sets), os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        return list(
            pool.map(
                lambda d: _measure(config, out_dir / d.name, d / "items", d / "labels.jsonl", cli, baselines), sets
            )
        )


def _row(name: str, res: dict[str, Any], ours: dict[str, Any] | None) -> str:
    re_, ru = res["topics"]["rare-earths"], res["topics"]["us-russia"]
    st = res["stories_on_topic"]
    pw, b3 = st["pairwise"], st["bcubed"]
    cells = [
        f"{re_['precision']:.3f}/{re_['recall']:.3f}",
        f"{ru['precision']:.3f}/{ru['recall']:.3f}",
        f"{res['macro_f1']:.3f}",
        f"{pw['precision']:.3f}/{pw['recall']:.3f}/{pw['f1']:.3f}",
        f"{b3['precision']:.3f}/{b3['recall']:.3f}/{b3['f1']:.3f}",
    ]
    if ours is not None and res is not ours:
        o = ours["stories_on_topic"]
        ratios = (
            ours["macro_f1"] / res["macro_f1"] if res["macro_f1"] else float("inf"),
            o["pairwise"]["f1"] / pw["f1"] if pw["f1"] else float("inf"),
            o["bcubed"]["f1"] / b3["f1"] if b3["f1"] else float("inf"),
        )
        cells.append("  ".join(f"{x:.2f}x" for x in ratios))
    else:
        cells.append("")
    return f"{name:<30} " + " ".join(f"{c:>17}" for c in cells)


def _header(title: str, head: tuple[str, ...]) -> None:
    print(f"{title:<30} " + " ".join(f"{h:>17}" for h in head))


def _table(title: str, ours: dict[str, Any], baselines: dict[str, dict[str, Any]]) -> None:
    _header(f"{title} ({ours['items_scored']} scored)", HEAD)
    print(_row("coverage-bot", ours, ours))
    for name, res in baselines.items():
        print(_row(name, res, ours))


def _pool(
    runs: list[tuple[dict[str, Any], dict[str, dict[str, Any]]]],
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Ours and every row that all of ``runs`` have, each pooled over them (a second reading is not in every set)."""
    names = [name for name in runs[0][1] if all(name in rows for _, rows in runs)]
    return pooled([o for o, _ in runs]), {name: pooled([rows[name] for _, rows in runs]) for name in names}


def _summed(counts: list[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    """agreed()'s counts of several sets, added up."""
    out: dict[str, dict[str, int]] = {}
    for c in counts:
        for key, row in c.items():
            total = out.setdefault(key, {"tp": 0, "fp": 0, "fn": 0})
            for k, v in row.items():
                total[k] += v
    return out


def _agreed_line(counts: dict[str, dict[str, int]]) -> str:
    """rare-earths P/R, us-russia P/R and pairs P/R/F1 of agreed()'s summed counts, with the counts."""
    prf = _module("score").prf
    cells = []
    for key, name in (("rare-earths", "rare-earths"), ("us-russia", "us-russia"), ("pairs", "pairs")):
        c = counts.get(key, {"tp": 0, "fp": 0, "fn": 0})
        p, r, f = prf(c["tp"], c["fp"], c["fn"])
        scores = f"{p:.3f}/{r:.3f}" + (f"/{f:.3f}" if key == "pairs" else "")
        cells.append(f"{name} {scores} ({c['tp']} right, {c['fp']} wrong, {c['fn']} missed)")
    return "; ".join(cells)


def _sets(a: argparse.Namespace, out_dir: Path) -> int:
    for d in a.sets:
        if not (d / "items").is_dir() or not (d / "labels.jsonl").is_file():
            print(f"bench/coverage.py: {d} holds no items/ folder and labels.jsonl beside it", file=sys.stderr)
            return 2
    names = [d.name for d in a.sets]
    if len(set(names)) != len(names):
        print(
            "bench/coverage.py: two sets share a folder name; their predictions would share a folder", file=sys.stderr
        )
        return 2
    runs = run_sets(Path(a.config), out_dir, a.sets)
    ours, baselines = _pool(runs)
    read = [(name, run) for name, run in zip(names, runs, strict=True) if SECOND_ROW in run[1]]
    read_ours, read_rows = _pool([run for _, run in read]) if read else ({}, {})
    agreement = _summed(
        [
            agreed(d / "labels.jsonl", out_dir / d.name / "pred_ours.jsonl")
            for d in a.sets
            if d.name in {name for name, _ in read}
        ]
    )
    if a.json:
        out = {"sets": dict(zip(names, runs, strict=True)), "ours": ours, "baselines": baselines}
        if read:
            out["second_reading"] = {
                "sets": [name for name, _ in read],
                "ours": read_ours,
                "rows": read_rows,
                "ours_where_agreed": agreement,
            }
        print(json.dumps(out, indent=2))
        return 0
    _header("coverage-bot, set by set", HEAD[:-1])
    for name, (o, _) in zip(names, runs, strict=True):
        print(_row(name, o, o))
    print()
    _table(f"{len(names)} sets pooled", ours, baselines)
    if read and len(read) < len(runs):  # (when every set was read twice, the table above has the row already)
        print()
        _table(f"{len(read)} of them read twice", read_ours, read_rows)
        print(f"({', '.join(name for name, _ in read)}; the second reader scored against the first)")
    if read:
        print()
        print(f"coverage-bot where the two readers agree ({len(read)} sets): " + _agreed_line(agreement))
    print("stories are over the gold on-topic items; ratios: macro F1, pairwise F1, B-cubed F1 of ours / the row's")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", default=str(ROOT / "feeds.yaml"), help="the feeds.yaml whose topics are used")
    ap.add_argument("--keep", help="keep the prediction files in this folder (with --sets, one folder per set)")
    ap.add_argument("--json", action="store_true", help="print every score as JSON")
    ap.add_argument("--items", type=Path, default=ITEMS_DIR, help="another set's items: one RSS 2.0 file per outlet")
    ap.add_argument("--labels", type=Path, default=LABELS, help="that set's labels, in labels.jsonl's format")
    ap.add_argument("--sets", type=Path, nargs="+", help="several sets, each a folder with items/ and labels.jsonl")
    a = ap.parse_args()
    if not available():
        print(f"bench/coverage.py: the coverage gold set is not at {EVAL_DIR} / {ITEMS_DIR}", file=sys.stderr)
        return 2
    for path in (a.items, a.labels):
        if not path.exists():
            print(f"bench/coverage.py: {path} does not exist", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(a.keep) if a.keep else Path(tmp)
        if a.sets:
            return _sets(a, out_dir)
        ours, baselines = _measure(Path(a.config), out_dir, a.items, a.labels)
    if a.json:
        print(json.dumps({"ours": ours, "baselines": baselines}, indent=2))
        return 0
    _table("development set" if a.labels == LABELS else a.labels.name, ours, baselines)
    print("stories are over the gold on-topic items; ratios: macro F1, pairwise F1, B-cubed F1 of ours / the row's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
