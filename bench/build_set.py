"""A labelled set's folder from a reader's raw.jsonl: items/ (one RSS 2.0 file per outlet), labels.jsonl, MANIFEST.tsv.

Usage: .venv/bin/python bench/build_set.py SET_DIR

SET_DIR/raw.jsonl holds one item a line, copied from the feed archive and labelled by
../shared/eval/coverage/GUIDELINES.md::

    {"outlet": "NBC News", "title": "...", "link": "https://...", "date_published": "2024-03-12T22:44:44+00:00",
     "description": "...", "origin": "rumca-js/RSS-Link-Database-2024:2024/03/2024-03-12/<feed file>",
     "topics": [] | ["us-russia"] | ["rare-earths"] | both, "story_id": "S-short-slug" (a story of two or more
     items) | "S1" (an item alone), "borderline": false, "note": "why (required when borderline)"}

The set is checked first (fields, topics, dates with a time zone, no link twice, a story of two to seven items, a
note on every borderline item); each problem is printed with its line and nothing is written. An item's guid is the
first 16 hex digits of the SHA-1 of its link, as in the development set. bench/sets/README.md tells how the sets
were drawn; tests/test_coverage_sets.py checks the folders this writes.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

TOPICS = {"rare-earths", "us-russia"}
FIELDS = ("outlet", "title", "link", "date_published", "description", "origin", "topics", "story_id")
MAX_STORY = 7  # the guideline's cap on a story's items


def problems(rows: list[dict[str, Any]]) -> list[str]:
    """Everything wrong with the rows, one line each (none: the set can be written)."""
    out: list[str] = []
    links: dict[str, int] = {}
    for n, r in enumerate(rows, 1):
        missing = [k for k in FIELDS if k not in r]
        if missing:
            out.append(f"line {n}: missing {', '.join(missing)}")
            continue
        if not set(r["topics"]) <= TOPICS:
            out.append(f"line {n}: unknown topic in {r['topics']} (use {sorted(TOPICS)})")
        if r.get("borderline") and not r.get("note"):
            out.append(f"line {n}: a borderline item needs a note saying why")
        try:
            if datetime.fromisoformat(r["date_published"]).tzinfo is None:
                out.append(f"line {n}: date_published {r['date_published']!r} has no time zone")
        except ValueError:
            out.append(f"line {n}: date_published {r['date_published']!r} is not an ISO 8601 date")
        link = r["link"].strip()
        if link in links:
            out.append(f"line {n}: the same link as line {links[link]}")
        links[link] = n
    sizes = Counter(r["story_id"] for r in rows if r.get("story_id") not in (None, "S1"))
    for story, size in sorted(sizes.items()):
        if size == 1:
            out.append(f'story {story}: one item (an item alone is "S1")')
        elif size > MAX_STORY:
            out.append(f"story {story}: {size} items (at most {MAX_STORY})")
    return out


def guid(link: str) -> str:
    return hashlib.sha1(link.strip().encode()).hexdigest()[:16]


def _rfc822(date: str) -> str:
    when = datetime.fromisoformat(date)
    return format_datetime(when, usegmt=when.utcoffset() == timedelta(0))


def _rss(outlet: str, rows: list[dict[str, Any]]) -> str:
    esc = lambda s: html.escape(s.strip(), quote=False)  # noqa: E731
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0">',
        "  <channel>",
        f"    <title>{esc(outlet)}</title>",
        "    <link>https://example.invalid/</link>",
        f"    <description>{esc(outlet)}: archived news items</description>",
        "    <language>en</language>",
    ]
    for r in rows:
        lines += [
            "    <item>",
            f"      <title>{esc(r['title'])}</title>",
            f"      <link>{esc(r['link'])}</link>",
            f'      <guid isPermaLink="false">{guid(r["link"])}</guid>',
            f"      <pubDate>{_rfc822(r['date_published'])}</pubDate>",
            f"      <description>{esc(r['description'])}</description>",
            "    </item>",
        ]
    return "\n".join([*lines, "  </channel>", "</rss>", ""])


def build(folder: Path) -> str:
    """Writes the set's files from its raw.jsonl; returns a one-line summary. Raises ValueError with the problems."""
    raw = folder / "raw.jsonl"
    rows = [json.loads(line) for line in raw.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = problems(rows)
    if found:
        raise ValueError(f"{raw}: nothing written:\n" + "\n".join(found))
    by_outlet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_outlet[r["outlet"]].append(r)
    items = folder / "items"
    items.mkdir(exist_ok=True)
    for old in items.glob("*.xml"):
        old.unlink()
    labels: list[dict[str, Any]] = []
    manifest = ["file\toutlet\torigin\titems"]
    for outlet, mine in sorted(by_outlet.items()):
        mine.sort(key=lambda r: datetime.fromisoformat(r["date_published"]), reverse=True)
        name = re.sub(r"[^a-z0-9]+", "-", outlet.lower()).strip("-") + ".xml"
        (items / name).write_text(_rss(outlet, mine), encoding="utf-8")
        for r in mine:
            g = guid(r["link"])
            label: dict[str, Any] = {
                "guid": g,
                "outlet": outlet,
                "topics": sorted(r["topics"]),
                "story_id": f"S1-{g[:10]}" if r["story_id"] == "S1" else r["story_id"],
                "borderline": bool(r.get("borderline", False)),
            }
            if r.get("note"):
                label["note"] = r["note"]
            labels.append(label)
            manifest.append(f"{name}\t{outlet}\t{r['origin']}\t1")
    (folder / "labels.jsonl").write_text("".join(json.dumps(x) + "\n" for x in labels), encoding="utf-8")
    (folder / "MANIFEST.tsv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    scored = [x for x in labels if not x["borderline"]]
    positives = Counter(t for x in scored for t in x["topics"])
    stories = Counter(r["story_id"] for r in rows if r["story_id"] != "S1")
    return (
        f"{len(labels)} items, {len(by_outlet)} outlets, {len(labels) - len(scored)} borderline, "
        f"positives {dict(positives)}, stories of 2+: {len(stories)} ({sum(stories.values())} items)"
    )


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        print(build(Path(sys.argv[1])))
    except (OSError, ValueError) as exc:
        print(f"build_set: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
