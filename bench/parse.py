"""Feed parsing speed: parse_feed as it runs (bot.plainrss first) against feedparser, in one process (run by hand).

Usage: .venv/bin/python bench/parse.py [--repeats 5]

Three rows per feed set, alternating in every repeat, medians of CPU time per feed:

- feedparser alone: ``feedparser.parse`` on the bytes, what a naive loop pays (bench/poll.py's naive rows);
- parse_feed through feedparser (``fast=False``): decoding, defusing, feedparser, and our clean items;
- parse_feed as it runs: the same, with plain RSS 2.0 read by bot.plainrss instead of feedparser.

Feed sets: bench/poll.py's generated feeds (50 items of story-shaped RSS 2.0, the first cycle's workload) and the
real feeds of ../shared/feeds-corpus (real/ and items/; about half of real/ is not plain RSS 2.0 and goes to
feedparser either way). Every parse of a set is checked to give the same items both ways.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import feedparser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import poll  # noqa: E402  (bench/poll.py: the generated feeds)

from bot.feeds import parse_feed  # noqa: E402

CORPUS = ROOT.parent / "shared" / "feeds-corpus"
HEADERS = {"Content-Type": "application/rss+xml"}
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def generated(feeds: int = 100) -> list[bytes]:
    """bench/poll.py's first-cycle feeds: 50 items each, 10% on topic."""
    return [poll.rss(f"http://127.0.0.1:8000/f{f}", f, poll.feed_items(f, 50, 0.1)) for f in range(feeds)]


def corpus() -> list[bytes]:
    files = sorted([*CORPUS.glob("real/*.xml"), *CORPUS.glob("items/*.xml")])
    if not files:
        sys.exit(f"{CORPUS} is missing: this benchmark reads ../shared/feeds-corpus beside the checkout")
    return [f.read_bytes() for f in files]


def cpu_per_feed(fn: Callable[[bytes], object], bodies: list[bytes]) -> float:
    started = time.process_time()
    for body in bodies:
        fn(body)
    return (time.process_time() - started) / len(bodies)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    rows: dict[str, Callable[[bytes], object]] = {
        "feedparser alone": lambda body: feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False),
        "parse_feed via feedparser": lambda body: parse_feed(body, HEADERS, "https://example.com/f", NOW, fast=False),
        "parse_feed (plainrss first)": lambda body: parse_feed(body, HEADERS, "https://example.com/f", NOW),
    }
    for name, bodies in (("bench/poll.py feeds", generated()), ("feeds-corpus real + items", corpus())):
        for body in bodies:  # the comparison is only worth making if both ways agree (the reader each used aside)
            ours, theirs = (parse_feed(body, HEADERS, "https://example.com/f", NOW, fast=f) for f in (True, False))
            assert replace(ours, stats={**ours.stats, "reader": "feedparser"}) == theirs
        times: dict[str, list[float]] = {row: [] for row in rows}
        for _ in range(args.repeats):
            for row, fn in rows.items():
                times[row].append(cpu_per_feed(fn, bodies))
        base = statistics.median(times["feedparser alone"])
        print(f"{name}: {len(bodies)} feeds, {sum(map(len, bodies)) / len(bodies) / 1024:.0f} kB each on average")
        for row in rows:
            ms = statistics.median(times[row])
            print(f"  {row:30} {ms * 1000:6.2f} ms/feed  {ms / base:5.2f}x feedparser alone")


if __name__ == "__main__":
    main()
