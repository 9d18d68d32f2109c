"""A labelled set's files as the bench scripts read them (bench/errors.py, bench/verdicts.py).

    rows(path) -> {guid: row}                  # labels.jsonl, second_reading.jsonl or a prediction, one JSON a line
    feed_items(items_dir) -> (outlet, <item>)  # every item of the folder's RSS files, files in name order

An item is the RSS element as written (its title and description unparsed): each script reads what it needs. The
outlet is the channel's title, else the file's name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from defusedxml import ElementTree


def rows(path: Path) -> dict[str, dict[str, Any]]:
    """guid -> row of a JSON-lines file of labels or predictions."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[row["guid"]] = row
    return out


def feed_items(items_dir: Path) -> Iterator[tuple[str, Any]]:
    """(outlet, item element) for every item of the folder's RSS files."""
    for path in sorted(items_dir.glob("*.xml")):
        root = ElementTree.parse(path).getroot()
        channel = root.find("channel")
        outlet = (channel.findtext("title") if channel is not None else None) or path.stem
        for item in root.iter("item"):
            yield outlet, item
