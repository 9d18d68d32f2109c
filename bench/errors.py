"""A labelled set's errors, read against a prediction: what to read before changing a rule or a story constant.

Usage: .venv/bin/python bench/errors.py SET_DIR PRED.jsonl

SET_DIR holds items/ (RSS 2.0 files) and labels.jsonl, as bench/sets/*/ do (the development set:
``../shared/eval/coverage --items ../shared/feeds-corpus/items``). PRED.jsonl is a prediction
in score.py's format, e.g. the ``pred_ours.jsonl`` that ``bench/coverage.py --sets SET_DIR --keep OUT`` leaves in
OUT/<set>/. Prints, for items not labelled borderline:

- each topic's false positives (FP) and false negatives (FN), with outlet, time, title and the summary's start;
- the story errors over the gold on-topic items: pairs we join that the labels keep apart (WRONG), and pairs the
  labels join that we keep apart (MISSED; "topic lost" when we left one of the two off every topic, so it is in no
  story), each with the hours between them;
- the counts of each.
"""

from __future__ import annotations

import argparse
import html
import itertools
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from labelled import feed_items, rows

TOPICS = ("rare-earths", "us-russia")


@dataclass(frozen=True)
class Item:
    outlet: str
    title: str
    summary: str
    published: datetime | None


def _text(value: str | None) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(value or "")).split())


def read_items(items_dir: Path) -> dict[str, Item]:
    """guid -> item, over every RSS file of the folder (the outlet: the channel's title, else the file's name)."""
    out = {}
    for outlet, item in feed_items(items_dir):
        date = item.findtext("pubDate")
        try:
            published = parsedate_to_datetime(date) if date else None
        except (TypeError, ValueError):
            published = None
        out[item.findtext("guid") or ""] = Item(
            outlet, _text(item.findtext("title")), _text(item.findtext("description")), published
        )
    return out


def _show(item: Item) -> str:
    when = item.published.strftime("%Y-%m-%d %H:%M") if item.published else "no date"
    summary = f" || {item.summary[:120]}" if item.summary else ""
    return f"[{item.outlet} | {when}] {item.title}{summary}"


def _hours(a: Item, b: Item) -> str:
    if a.published is None or b.published is None:
        return "?"
    return f"{abs((a.published - b.published).total_seconds()) / 3600:.1f}"


def errors(items: dict[str, Item], labels: dict[str, dict], pred: dict[str, dict]) -> tuple[list[str], Counter[str]]:
    """The lines to print and the count of each kind of error."""
    lines: list[str] = []
    counts: Counter[str] = Counter()
    scored = [g for g, r in labels.items() if not r.get("borderline") and g in items]
    for topic in TOPICS:
        for guid in scored:
            want = topic in labels[guid]["topics"]
            got = topic in (pred.get(guid, {}).get("topics") or [])
            if want != got:
                kind = f"{'FP' if got else 'FN'} {topic}"
                counts[kind] += 1
                lines.append(f"{kind}: {_show(items[guid])}")
    on_topic = sorted(g for g in scored if labels[g]["topics"])

    def story(guid: str) -> str:  # an item in no story is a story of its own
        return (pred.get(guid) or {}).get("story_id") or f"alone:{guid}"

    def kept(guid: str) -> bool:
        return bool((pred.get(guid) or {}).get("topics"))

    for a, b in itertools.combinations(on_topic, 2):
        same_gold, same_ours = labels[a]["story_id"] == labels[b]["story_id"], story(a) == story(b)
        if same_gold == same_ours:
            continue
        kind = "MISSED" if same_gold else "WRONG"
        if same_gold and not (kept(a) and kept(b)):
            kind += " (topic lost)"
        counts[kind] += 1
        lines.append(
            f"{kind}, {_hours(items[a], items[b])} h apart: {labels[a]['story_id']} / {labels[b]['story_id']}\n"
            f"    {_show(items[a])}\n    {_show(items[b])}"
        )
    return lines, counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("set_dir", type=Path, help="a folder with labels.jsonl and items/")
    ap.add_argument("pred", type=Path, help="the prediction, in score.py's format")
    ap.add_argument("--items", type=Path, help="the items' folder, when it is not SET_DIR/items")
    a = ap.parse_args()
    items_dir, labels_path = a.items or a.set_dir / "items", a.set_dir / "labels.jsonl"
    for what, path in (("items", items_dir), ("labels", labels_path), ("prediction", a.pred)):
        if not path.exists():
            print(f"errors.py: no {what} at {path}", file=sys.stderr)
            return 2
    lines, counts = errors(read_items(items_dir), rows(labels_path), rows(a.pred))
    print("\n".join(lines))
    print("\n" + (", ".join(f"{kind}: {n}" for kind, n in sorted(counts.items())) or "no errors"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
