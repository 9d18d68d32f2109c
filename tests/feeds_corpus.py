"""The files of ../shared/feeds-corpus as their manifests describe them (test_feeds_corpus, test_plainrss)."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "feeds-corpus"


@dataclass(frozen=True)
class Case:
    folder: str
    path: str
    expected: str  # parse-ok | bozo-but-usable | unusable | items | page
    entries: int
    headers: dict[str, str]


def _headers(path: str, http_headers: str | None) -> dict[str, str]:
    headers = {"Content-Type": "text/html" if path.endswith(".html") else "application/xml"}
    if path.endswith(".gz"):
        headers["Content-Encoding"] = "gzip"
    if http_headers and http_headers.strip() not in ("", "-"):
        for part in http_headers.split(" | "):
            name, _, value = part.partition(":")
            if name.strip().lower() == "content-type":
                headers.pop("Content-Type")
            headers[name.strip()] = value.strip()
    return headers


def _manifest(folder: str) -> list[dict[str, str]]:
    with (CORPUS / folder / "MANIFEST.tsv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def corpus_cases() -> Iterator[Case]:
    """Every file of the corpus with what its manifest expects and the headers it is served with."""
    for folder in ("feedparser", "real"):
        for row in _manifest(folder):
            yield Case(
                folder,
                row["path"],
                row["expected"],
                int(row["entries"] or 0),
                _headers(row["path"], row.get("http_headers")),
            )
    counts: Counter[str] = Counter()
    for row in _manifest("items"):  # one row per origin of the pooled items, with how many it gave
        counts[row["file"]] += int(row["items"])
    for name, rows in sorted(counts.items()):
        yield Case("items", name, "items", rows, _headers(name, None))
    for row in _manifest("pages"):
        yield Case("pages", row["path"], "page", 0, _headers(row["path"], None))
