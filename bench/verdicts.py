"""Which labelled texts a change of feeds.yaml keeps or drops, with their labels: how a rule change is judged (by hand).

Usage: .venv/bin/python bench/verdicts.py BEFORE.yaml [AFTER.yaml] [--sets SET_DIR...]

e.g. ``git show HEAD:feeds.yaml > /tmp/before.yaml && .venv/bin/python bench/verdicts.py /tmp/before.yaml``. AFTER
defaults to this checkout's feeds.yaml. Each text is read as the poll path reads it (``coverage-bot explain``'s
verdicts: title and summary, bot.candidates). The texts: the guideline probes (tests/data/topics), the development
set (../shared/eval/coverage, when it is there) and the labelled sets (bench/sets/*/ unless --sets names others).
Prints one line per topic whose verdict differs: the set, the topic, on or off after the change, the label (+ on the
topic, - off it, B borderline) and the text; then how many texts were read and the changes by label.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from labelled import feed_items, rows

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.explain import explain_item  # noqa: E402  (the checkout's bot, not an installed one)
from bot.settings import load_config  # noqa: E402
from bot.topics import TopicMatcher  # noqa: E402

PROBES = ROOT / "tests" / "data" / "topics" / "guideline_probes.txt"
DEV_ITEMS = ROOT.parent / "shared" / "feeds-corpus" / "items"
DEV_LABELS = ROOT.parent / "shared" / "eval" / "coverage" / "labels.jsonl"


class Text(NamedTuple):
    source: str  # "probes", "development" or the set's folder name
    title: str
    summary: str
    labels: dict[str, str]  # topic -> "+", "-" or "B"; a probe labels only its own topic


def _probes() -> Iterator[Text]:
    for line in PROBES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, _, text = line.partition(" | ")
        title, _, summary = text.partition(" || ")
        yield Text("probes", title.strip(), summary.strip(), {label[1:].strip(): label[:1]})


def _labelled(source: str, items: Path, labels: Path) -> Iterator[Text]:
    gold = rows(labels)
    for _, item in feed_items(items):
        row = gold.get(item.findtext("guid") or "")
        if row is None:
            continue
        marks = {
            t: "B" if row.get("borderline") else ("+" if t in row["topics"] else "-")
            for t in ("rare-earths", "us-russia")
        }
        yield Text(source, item.findtext("title") or "", item.findtext("description") or "", marks)


def texts(sets: list[Path]) -> Iterator[Text]:
    """The probes, the development set when it is beside the checkout, and ``sets``."""
    yield from _probes()
    if DEV_LABELS.is_file() and DEV_ITEMS.is_dir():
        yield from _labelled("development", DEV_ITEMS, DEV_LABELS)
    for folder in sets:
        yield from _labelled(folder.name, folder / "items", folder / "labels.jsonl")


def kept(matcher: TopicMatcher, text: Text) -> dict[str, bool]:
    return {e.topic: e.kept for e in explain_item(matcher, text.title, text.summary).topics}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path, nargs="?", default=ROOT / "feeds.yaml")
    ap.add_argument("--sets", type=Path, nargs="+", help="labelled sets (default: bench/sets/*/)")
    a = ap.parse_args()
    sets = a.sets or sorted(p.parent for p in (ROOT / "bench" / "sets").glob("*/labels.jsonl"))
    before, after = (TopicMatcher(load_config(p).topics) for p in (a.before, a.after))
    read, changes = 0, Counter[tuple[str, str, str]]()
    for text in texts(sets):
        read += 1
        old, new = kept(before, text), kept(after, text)
        for topic in new:
            if old.get(topic) == new[topic]:
                continue
            label = text.labels.get(topic, "?")
            state = "on " if new[topic] else "off"
            changes[(topic, state.strip(), label)] += 1
            print(
                f"{text.source:12.12} {topic:11} {state} {label} :: {' '.join(text.title.split())[:110]} || {' '.join(text.summary.split())[:80]}"
            )
    print(
        f"{read} texts read; changed: "
        + (", ".join(f"{t} {s} {lab}: {n}" for (t, s, lab), n in sorted(changes.items())) or "none")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
