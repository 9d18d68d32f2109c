"""Summary quality on the DEV sets: single articles (default) and multi-outlet stories (--story).

Usage: .venv/bin/python bench/quality.py [--methods default,lead,...] [--data PATH] [--sentences 3] [--json]
       .venv/bin/python bench/quality.py --story [--words 100] [--fast] [--json]

Single articles: ROUGE-1/2/Lsum and articles/s for ours, Lead-3 and every sumy algorithm.

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

MULTIDOC_DIR = SHARED / "eval" / "multidoc"


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


# --------------------------------------------------------------------------- stories (multi-document)
#
# Conventions of ../shared/eval/multidoc (BASELINES.md, rouge_mds.py at its defaults): every summary
# and reference cut to the first N words (100), ROUGE-1/2 RECALL with stemming, averaged over the
# references and then over clusters. Baselines follow BASELINES.md's recipes, measured in this run
# at N words: sentences from our syntok-based splitter, whole sentences added in order until there
# are at least N words (the scorer cuts the last one, which helps them), repeated sentences skipped.
# Ours never cuts a sentence: it returns the best whole sentences that fit N words. (The summarize_story
# this replaced, 8 sentences cut by the scorer, measured 37.81 / 10.53 on DEV at commit f81a876.)

STORY_METHODS = ("ours", "lead", "firstk", "lexrank", "textrank", "centroid", "oracle")
SLOW_STORY_METHODS = ("lexrank", "textrank")


def load_rouge_mds() -> ModuleType:
    """Import ../shared/eval/multidoc/rouge_mds.py by path (exit with a message when absent)."""
    path = MULTIDOC_DIR / "rouge_mds.py"
    if not path.exists():
        sys.exit(f"bench/quality.py: {path} not found; the eval data lives in ../shared next to the repo")
    spec = importlib.util.spec_from_file_location("rouge_mds", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def doc_sentences(text: str) -> list[str]:
    """Sentences of a raw article (our syntok-based splitter, never across a paragraph)."""
    from summarizer.text import sentence_spans

    return [text[a:b].strip() for a, b in sentence_spans(text) if text[a:b].strip()]


def fill(ranked: list[str], words: int) -> list[str]:
    """Whole sentences in the given order, repeats skipped, until there are at least ``words`` words."""
    out: list[str] = []
    seen: set[str] = set()
    n = 0
    for s in ranked:
        key = " ".join(s.lower().split())
        if key in seen:
            continue
        seen.add(key)
        out.append(s)
        n += len(s.split())
        if n >= words:
            break
    return out


def _lead(docs: list[list[str]]) -> list[str]:
    return [s for d in docs for s in d]


def _firstk(docs: list[list[str]]) -> list[str]:
    longest = max((len(d) for d in docs), default=0)
    return [d[i] for i in range(longest) for d in docs if i < len(d)]


def _sumy_ranked(sents: list[str], method: str) -> list[str]:
    """sumy LexRank / TextRank over all sentences of the cluster, in rank order (default parameters)."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as SumySentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    from summarizer.extractive import SumyTokenizer

    tok = SumyTokenizer()
    objs = [SumySentence(s, tok) for s in sents]
    summarizer = (LexRankSummarizer if method == "lexrank" else TextRankSummarizer)(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    ranked: list[Any] = []

    def grab(infos: list[Any]) -> list[Any]:  # sumy hands the count callable the sentences best first
        ranked.extend(infos)
        return []

    summarizer(ObjectDocumentModel([Paragraph(objs)]), grab)
    where = {id(o): i for i, o in enumerate(objs)}
    return [sents[where[id(info.sentence)]] for info in ranked]


def _centroid_mmr(sents: list[str], words: int) -> list[str]:
    """Centroid TF-IDF + MMR as BASELINES.md describes it (stemmed non-stop words, 0.7/0.3, skip < 9 words)."""
    import numpy as np

    from summarizer.extractive import _lower_words, _terms

    terms = [_terms(_lower_words(s)) for s in sents]
    vocab: dict[str, int] = {}
    for ts in terms:
        for t in ts:
            vocab.setdefault(t, len(vocab))
    if not vocab:
        return fill(sents, words)
    m = np.zeros((len(sents), len(vocab)))
    for i, ts in enumerate(terms):
        for t in ts:
            m[i, vocab[t]] += 1
    df = (m > 0).sum(axis=0)
    x = m * np.log(len(sents) / df)
    centroid = x.sum(axis=0)
    norm = np.linalg.norm(x, axis=1)
    norm[norm == 0] = 1.0
    xn = x / norm[:, None]
    cn = centroid / (np.linalg.norm(centroid) or 1.0)
    rel = xn @ cn
    ok = [len(s.split()) >= 9 for s in sents]
    chosen: list[int] = []
    n = 0
    seen: set[str] = set()
    while n < words:
        best, best_v = -1, -np.inf
        for i in range(len(sents)):
            if not ok[i] or i in chosen or " ".join(sents[i].lower().split()) in seen:
                continue
            red = float((xn[chosen] @ xn[i]).max()) if chosen else 0.0
            v = 0.7 * rel[i] - 0.3 * red
            if v > best_v:
                best, best_v = i, v
        if best < 0:
            break
        chosen.append(best)
        seen.add(" ".join(sents[best].lower().split()))
        n += len(sents[best].split())
    return [sents[i] for i in chosen]


def _oracle(sents: list[str], references: list[str], words: int) -> list[str]:
    """Greedy oracle: add the sentence that most raises ROUGE-2 recall (first ``words`` words), reading the references."""
    from collections import Counter
    from itertools import pairwise

    from rouge_score import tokenizers

    tok = tokenizers.DefaultTokenizer(use_stemmer=True)
    refs = [Counter(pairwise(tok.tokenize(" ".join(r.split()[:words])))) for r in references]
    stoks = [tok.tokenize(s) for s in sents]

    def r2(tokens: list[str]) -> float:
        grams = Counter(pairwise(tokens))
        return sum(sum((grams & r).values()) / max(1, sum(r.values())) for r in refs)

    chosen: list[int] = []
    toks: list[str] = []
    n = 0
    base = 0.0
    while n < words:
        best, best_v = -1, base
        for i in range(len(sents)):
            if i in chosen:
                continue
            cand = " ".join([*(sents[j] for j in chosen), sents[i]]).split()[:words]
            v = r2(tok.tokenize(" ".join(cand)))
            if v > best_v:
                best, best_v = i, v
        if best < 0:
            break
        chosen.append(best)
        toks += stoks[best]
        base = best_v
        n += len(sents[best].split())
    return [sents[i] for i in chosen]


def story_summary(cluster: dict[str, Any], method: str, words: int) -> list[str]:
    """One cluster's summary (sentences) by one method."""
    from summarizer.story import StoryMember, summarize_members

    docs = cluster["docs"]
    if method == "ours":
        members = [StoryMember(d["text"], d.get("title"), d.get("outlet")) for d in docs]
        return [s.text for s in summarize_members(members, words=words).sentences]
    sents = [doc_sentences(d["text"]) for d in docs]
    if method == "lead":
        return fill(_lead(sents), words)
    if method == "firstk":
        return fill(_firstk(sents), words)
    flat = _lead(sents)
    if method in ("lexrank", "textrank"):
        return fill(_sumy_ranked(flat, method), words)
    if method == "centroid":
        return _centroid_mmr(flat, words)
    if method == "oracle":
        return _oracle(flat, cluster["references"], words)
    raise ValueError(method)


def evaluate_story(clusters: list[dict[str, Any]], methods: list[str], words: int) -> dict[str, Any]:
    """R1/R2 recall (and F1) of each method at ``words`` words, ms per story, and ours vs each baseline (paired)."""
    import numpy as np

    rm = load_rouge_mds()
    scorer = rm.MdsScorer(clusters, words)
    idx = rm.bootstrap_idx(len(clusters), 1000, 12345)
    result: dict[str, Any] = {"n_clusters": len(clusters), "words": words, "methods": {}}
    values: dict[str, Any] = {}
    for m in methods:
        t0 = time.process_time()
        preds = {c["id"]: "\n".join(story_summary(c, m, words)) for c in clusters}
        cpu = time.process_time() - t0
        values[m] = scorer.score(preds)
        means = values[m].mean(axis=0)
        result["methods"][m] = {
            **{k: round(float(means[j]), 2) for j, k in enumerate(rm.KEYS)},
            "words": round(float(np.mean([len(p.split()) for p in preds.values()])), 1),
            "ms_per_story": round(1000 * cpu / len(clusters), 1),
        }
    if "ours" in values:
        result["ours_vs"] = {
            b: {k: v for k, v in rm.compare(values["ours"], values[b], idx).items() if k in ("R1_R", "R2_R")}
            for b in methods
            if b not in ("ours", "oracle")
        }
    return result


def story_main(data: str, words: int, fast: bool, as_json: bool) -> None:
    """Print ours beside the multidoc baselines, as points and as ratios to Centroid+MMR."""
    if not Path(data).exists():
        sys.exit(f"bench/quality.py: {data} not found")
    clusters = load_rouge_mds().load_jsonl(data)
    methods = [m for m in STORY_METHODS if not (fast and m in SLOW_STORY_METHODS)]
    result = evaluate_story(clusters, methods, words)
    if as_json:
        print(json.dumps(result, indent=2))
        return
    print(f"data: {data}  clusters: {len(clusters)}  summaries cut to {words} words, ROUGE recall x100 (rouge_mds.py)")
    ref = result["methods"].get("centroid")
    print(
        f"{'method':10s} {'R1_R':>6s} {'R2_R':>6s} {'R1_F':>6s} {'R2_F':>6s} {'R1/cent':>8s} {'R2/cent':>8s} {'words':>6s} {'ms/story':>9s}"
    )
    for m, r in result["methods"].items():
        r1 = f"{r['R1_R'] / ref['R1_R']:.3f}" if ref else ""
        r2 = f"{r['R2_R'] / ref['R2_R']:.3f}" if ref else ""
        print(
            f"{m:10s} {r['R1_R']:6.2f} {r['R2_R']:6.2f} {r['R1_F']:6.2f} {r['R2_F']:6.2f} {r1:>8s} {r2:>8s}"
            f" {r['words']:6.1f} {r['ms_per_story']:9.1f}"
        )
    print("paired bootstrap, ours minus baseline (1000 resamples, seed 12345):")
    for b, v in result.get("ours_vs", {}).items():
        print(
            f"  vs {b:9s} R1_R {v['R1_R']['diff']:+5.2f} [{v['R1_R']['ci95'][0]:+.2f}, {v['R1_R']['ci95'][1]:+.2f}]"
            f" P(not better) {v['R1_R']['p_not_better']:.3f}   R2_R {v['R2_R']['diff']:+5.2f}"
            f" [{v['R2_R']['ci95'][0]:+.2f}, {v['R2_R']['ci95'][1]:+.2f}] P(not better) {v['R2_R']['p_not_better']:.3f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--story", action="store_true", help="story summaries on ../shared/eval/multidoc (see story_main)")
    ap.add_argument("--words", type=int, default=100, help="--story: summary budget in words (default 100)")
    ap.add_argument("--fast", action="store_true", help="--story: leave out the slow sumy baselines")
    ap.add_argument("--data", default=None)
    ap.add_argument("--methods", default=",".join(METHODS), help="comma-separated; default: all")
    ap.add_argument("--sentences", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.story:
        story_main(args.data or str(MULTIDOC_DIR / "dev.jsonl"), args.words, args.fast, args.json)
        return
    args.data = args.data or str(EVAL_DIR / "dev.jsonl")
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
