"""bot.explain: `coverage-bot explain` gives an item the topics the poll gives it (its rendering is tested in
test_topics.py, beside TopicMatcher.explain)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from shared import SHARED, missing

from bot.candidates import fresh_candidates, read_feed, topic_hints
from bot.explain import ItemExplanation, explain_item, render
from bot.feeds import parse_feed
from bot.models import FeedState
from bot.settings import load_config
from bot.topics import TopicMatch, TopicMatcher

ROOT = Path(__file__).resolve().parents[1]
ITEMS = SHARED / "feeds-corpus" / "items"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OLDEST = datetime(1990, 1, 1, tzinfo=UTC)  # every item of a file is read, whatever its date
HEADERS = {"content-type": "application/rss+xml"}

# Google News items as its feed gives them: the title ends with the outlet, the description links the title and names
# the outlet again. "Wall Street Journal" and "Washington" are US actors of the us-russia rules: only the outlet's name
# made the first two look like US-Russia news to explain, while the poll (which drops the suffix) stored no topic.
GOOGLE_NEWS = [
    ("Russia detains reporter - The Wall Street Journal", "The Wall Street Journal"),
    ("Russia expels two diplomats over spying claims - Washington Examiner", "Washington Examiner"),
    ("Russia and US hold talks on prisoner swap - Reuters", "Reuters"),
    ("Lavrov says Moscow is ready for talks with Washington - Bloomberg.com", "Bloomberg.com"),
]


@pytest.fixture(scope="module")
def matcher() -> TopicMatcher:
    return TopicMatcher(load_config(ROOT / "feeds.yaml").topics)


def _feed(name: str) -> FeedState:
    return FeedState(1, name, "https://e.com/rss", "https://e.com/rss", (), 900, None, None, 0, 0.0, True, NOW, None)


def _kept(topics: Iterable[TopicMatch] | ItemExplanation) -> list[tuple[str, float]]:
    """The topics kept, with their scores: the poll's hints, or explain's verdicts."""
    verdicts = topics.topics if isinstance(topics, ItemExplanation) else topics
    return sorted((v.topic, v.score) for v in verdicts if v.kept)


def _google_news(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>https://news.google.com/articles/{i}</link><guid>g{i}</guid>"
        f"<description>{escape(_description(i, title, outlet))}</description>"
        f"<pubDate>{format_datetime(NOW - timedelta(hours=1))}</pubDate></item>"
        for i, (title, outlet) in enumerate(items)
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>Google News</title>{entries}</channel></rss>".encode()
    )


def _description(i: int, title: str, outlet: str) -> str:
    head = title.rsplit(" - ", 1)[0]
    return (
        f'<a href="https://news.google.com/articles/{i}" target="_blank">{escape(head)}</a>'
        f'&nbsp;&nbsp;<font color="#6f6f6f">{escape(outlet)}</font>'
    )


def test_explain_gives_an_aggregators_item_the_topics_the_poll_gives_it(matcher: TopicMatcher) -> None:
    """The item as the poll reads it (read_feed: parse, drop the outlet's suffix, score) and as a user copies it from
    the feed into `coverage-bot explain` (title and description with their markup): the same topics, same scores."""
    read = read_feed(_google_news(GOOGLE_NEWS), HEADERS, "https://news.google.com/rss", NOW, _feed("Google News"),
                     OLDEST, matcher)  # fmt: skip
    assert read.error is None and len(read.candidates) == len(GOOGLE_NEWS)
    for i, ((title, outlet), polled) in enumerate(zip(GOOGLE_NEWS, read.candidates, strict=True)):
        explained = explain_item(matcher, title, _description(i, title, outlet))
        assert _kept(explained) == _kept(polled.hints), title
        assert explained.title == polled.title == title.rsplit(" - ", 1)[0] and explained.outlet_dropped
    kept = [_kept(c.hints) for c in read.candidates]
    assert kept[0] == kept[1] == [] and kept[2] and kept[3]  # "Wall Street Journal" was a US actor: us-russia, score 3
    wsj = explain_item(matcher, GOOGLE_NEWS[0][0], _description(0, *GOOGLE_NEWS[0]))
    assert render(wsj, load_config(ROOT / "feeds.yaml").topics).splitlines()[0] == (
        "(the title is read without its outlet's name: Russia detains reporter)"
    )
    # Not every suffix is an outlet: "- Zelensky" says who spoke, and stays.
    said = explain_item(matcher, "US must keep pressure on Russia - Zelensky", None)
    assert said.title == "US must keep pressure on Russia - Zelensky" and not said.outlet_dropped


def test_explain_agrees_with_the_poll_on_every_item_of_the_feeds_corpus(matcher: TopicMatcher) -> None:
    """Every item of ../shared/feeds-corpus/items, parsed as the poll parses it, judged by the poll's candidates
    (fresh_candidates + topic_hints under the outlet's name as the feed's) and by explain_item: the same topics."""
    if not (ITEMS / "MANIFEST.tsv").exists():
        missing(str(ITEMS))
    with (ITEMS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as f:
        outlets = {row["file"]: row["outlet"] for row in csv.DictReader(f, delimiter="\t")}
    compared = on_topic = 0
    for file, outlet in sorted(outlets.items()):
        feed = _feed(outlet)
        parsed = parse_feed((ITEMS / file).read_bytes(), {}, f"https://{file}/", now=NOW)
        for item in parsed.items or ():
            (polled,) = fresh_candidates(feed, [item], OLDEST, lambda t, s: topic_hints(matcher, (), t, s))
            explained = explain_item(matcher, item.title, item.summary, feed=outlet)
            assert _kept(explained) == _kept(polled.hints), (file, item.title)
            compared += 1
            on_topic += bool(_kept(explained))
    assert compared >= 400 and on_topic >= 100  # the corpus's 464 items, about 260 on a topic
