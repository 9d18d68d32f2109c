"""bot.plainrss against feedparser, the reader it stands in for: parse_feed must give the same result either way.

Three sets: every feed of ../shared/feeds-corpus with the headers its manifest gives; small feeds written to probe
each rule (what is read, what is declined); and seeded random feeds mixing the elements plainrss reads with ones it
must decline, in random order, with text that escapes, nests, repeats and pads. A check that plainrss read the feed
keeps each set from passing by declining everything.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from feeds_corpus import CORPUS, corpus_cases
from shared import shared_path

from bot.feeds import ParsedFeed, parse_feed

NOW = datetime(2026, 1, 1, tzinfo=UTC)
URL = "https://example.com/news/feed.xml"


def read_both_ways(body: bytes, headers: dict[str, str] | None = None) -> tuple[ParsedFeed, ParsedFeed, bool]:
    """parse_feed through feedparser only, as it runs (plainrss first), and whether plainrss read it: the two
    results with the reader each used set aside (``stats["reader"]``), so that they compare."""
    headers = headers or {"Content-Type": "application/rss+xml"}
    reference, ours = parse_feed(body, headers, URL, NOW, fast=False), parse_feed(body, headers, URL, NOW)
    assert reference.stats.get("reader") in ("feedparser", None)  # None: unusable, no stats
    taken = ours.stats.get("reader") == "plainrss"
    return _without_reader(reference), _without_reader(ours), taken


def _without_reader(parsed: ParsedFeed) -> ParsedFeed:
    return replace(parsed, stats={k: v for k, v in parsed.stats.items() if k != "reader"})


# --------------------------------------------------------------------------- the corpus


def test_every_corpus_feed_parses_the_same_either_way() -> None:
    shared_path("feeds-corpus")  # fails under CI=true, skips loudly elsewhere
    feeds = [c for c in corpus_cases() if c.expected != "page"]
    read_here = 0
    for case in feeds:
        reference, ours, taken = read_both_ways((CORPUS / case.folder / case.path).read_bytes(), case.headers)
        assert ours == reference, f"{case.folder}/{case.path}: plainrss and feedparser disagree"
        read_here += taken
    # Most real news feeds are plain RSS 2.0: the gold set's 46 outlet files all are, and so is part of real/.
    assert read_here >= 55, f"plainrss read only {read_here} of {len(feeds)} corpus feeds"


# --------------------------------------------------------------------------- one rule at a time


def rss(items: str, channel: str = "<title>News</title><link>https://example.com/</link>", head: str = "") -> bytes:
    namespaces = (
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom"'
    )
    return f'{head}<rss version="2.0" {namespaces}><channel>{channel}{items}</channel></rss>'.encode()


ITEM = "<title>Lynas signs supply deal</title><link>https://example.com/a</link>"
READ = {
    "plain": ITEM + "<guid>https://example.com/a</guid><pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate>",
    "escaped markup": ITEM + "<description>&lt;p&gt;Supply &amp;amp; demand&lt;/p&gt;</description>",
    "CDATA": ITEM + "<description><![CDATA[<p>Rare <b>earths</b> &amp; magnets</p>]]></description>",
    "content only": ITEM + "<content:encoded><![CDATA[<p>The whole article.</p>]]></content:encoded>",
    "summary and content": ITEM + "<description>Short.</description><content:encoded>Long text.</content:encoded>",
    "content first": ITEM + "<content:encoded>Long text here.</content:encoded><description>Short.</description>",
    "dc fields": ITEM + "<dc:creator>Jane Roe</dc:creator><dc:date>2025-06-10T04:00:00+02:00</dc:date>",
    "rss author": ITEM + "<author>jdoe@example.com (John Doe)</author>",
    "odd date": ITEM + "<pubDate>2025-06-10 04:00</pubDate>",
    "bad date": ITEM + "<pubDate>yesterday</pubDate>",
    "padded": "<title>\n  Lynas  signs\n</title><link>\n https://example.com/a?utm_source=x \n</link>",
    "guid not a permalink first": '<guid isPermaLink="false">42</guid>' + ITEM,
    "media": ITEM + '<media:content url="https://example.com/i.jpg"/><category>Mining</category><enclosure url="x"/>',
    "empty title": "<title></title><link>https://example.com/a</link><description>Only words.</description>",
    "comment and language": '<title xml:lang="en">Lynas <!-- note --> deal</title><link>https://example.com/a</link>',
    "permalink guid after the link": ITEM + "<guid>https://example.com/a-permalink</guid>",
    "declared 1251": ITEM,
}
DECLINED = {
    "guid for the link": "<title>t</title><guid>https://example.com/a</guid>",
    "guid before the link": "<guid>https://example.com/g</guid>" + ITEM,
    "two titles": ITEM + "<title>Second</title>",
    "markup inside": ITEM + "<description>An <b>inline</b> tag</description>",
    "element feedparser maps": ITEM + "<dc:title>Another title</dc:title>",
    "atom author": ITEM + "<atom:author><atom:name>X</atom:name></atom:author>",
    "nested media title": ITEM + '<media:content url="x"><media:title>Caption</media:title></media:content>',
    "unknown element": ITEM + "<byline>Jane</byline>",
    "html entity": ITEM + "<description>Caf&eacute; talks</description>",
    "xml:base": '<title>t</title><link xml:base="https://other.example/">a</link>',
}


@pytest.mark.parametrize("name", sorted(READ))
def test_plain_items_are_read_here_as_feedparser_reads_them(name: str) -> None:
    head = '<?xml version="1.0" encoding="windows-1251"?>' if name == "declared 1251" else ""
    body = rss(f"<item>{READ[name]}</item><item>{ITEM.replace('/a', '/b')}</item>", head=head)
    reference, ours, taken = read_both_ways(body)
    assert taken
    assert ours == reference and reference.items


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_other_shapes_are_left_to_feedparser(name: str) -> None:
    body = rss(f"<item>{ITEM.replace('/a', '/b')}</item><item>{DECLINED[name]}</item>")
    reference, ours, taken = read_both_ways(body)
    assert not taken
    assert ours == reference


@pytest.mark.parametrize(
    "body",
    [
        b'<rss version="0.91"><channel><title>t</title><item><title>a</title><link>https://e.com/a</link></item>'
        b"</channel></rss>",
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>',
        b'<rss version="2.0"><channel><title>t</title><item><title>a</title><link>https://e.com/a</link></item>',
        b'<rss version="2.0"><channel><title>t</title></channel><channel><title>u</title></channel></rss>',
        rss(f"<item>{ITEM}</item>", channel="<dc:title>Other</dc:title><title>News</title>"),
        rss(f"<item>{ITEM}</item>", channel="<title>News</title><title>Other</title>"),
        rss(f"<item>{ITEM}</item>", channel='<title>News</title><atom:link href="https://example.com/other"/>'),
    ],
    ids=["rss 0.91", "atom", "ill-formed", "two channels", "channel dc:title", "channel title twice", "atom link"],
)
def test_other_formats_are_left_to_feedparser(body: bytes) -> None:
    reference, ours, taken = read_both_ways(body)
    assert not taken
    assert ours == reference


def test_the_channel_title_is_its_own_not_its_images() -> None:
    channel = "<image><title>Logo</title><url>https://example.com/l.png</url></image><title>News</title>"
    channel += '<atom:link href="https://example.com/news/feed.xml" rel="self" type="application/rss+xml"/>'
    body = rss(f"<item>{ITEM}</item>", channel=channel + "<link>https://example.com/</link>")
    reference, ours, taken = read_both_ways(body)
    assert taken
    assert ours == reference and reference.title == "News"


def test_an_empty_channel_is_a_feed_either_way() -> None:
    body = rss("", channel="<title>Quiet</title>")
    reference, ours, taken = read_both_ways(body)
    assert taken
    assert ours == reference and reference.error is None and reference.title == "Quiet"


# --------------------------------------------------------------------------- random feeds

TEXTS = [
    "Rare earths",
    "  padded   words  ",
    "&lt;b&gt;escaped&lt;/b&gt; markup",
    "AT&amp;T &amp;amp; more",
    "<![CDATA[<p>cdata <i>html</i></p>]]>",
    "Ünïcödé — “quotes” ’s",
    "",
    "a &lt; b &gt; c",
    "&#8220;numeric&#8221; &#x2014; refs",
    "line\nbreaks\n\n here",
]
LINKS = ["https://example.com/{n}", " https://example.com/{n}?utm_medium=rss ", "/relative/{n}", "ftp://x/{n}", ""]
DATES = ["Tue, 10 Jun 2025 04:00:00 GMT", "2025-06-10T04:00:00Z", "10 Jun 2025", "not a date", "", "Mon, 31 Feb 2025"]
OPTIONAL = [
    "<description>{t}</description>",
    "<content:encoded>{t}</content:encoded>",
    "<pubDate>{d}</pubDate>",
    "<dc:date>{d}</dc:date>",
    "<dc:creator>{t}</dc:creator>",
    "<author>{t}</author>",
    '<guid isPermaLink="false">id-{n}</guid>',
    "<guid>https://example.com/g/{n}</guid>",
    "<category>{t}</category>",
    '<media:content url="https://example.com/{n}.jpg"/>',
    "<title>{t}</title>",  # a second title: declined
    "<dc:title>{t}</dc:title>",  # mapped by feedparser: declined
    "<description>with <b>markup</b></description>",  # nested: declined
]


def _random_item(rng: random.Random, n: int) -> str:
    parts = [f"<title>{rng.choice(TEXTS)}</title>", f"<link>{rng.choice(LINKS).format(n=n % 7)}</link>"]
    parts += [
        rng.choice(OPTIONAL).format(t=rng.choice(TEXTS), d=rng.choice(DATES), n=n % 5) for _ in range(rng.randint(0, 4))
    ]
    rng.shuffle(parts)
    return "<item>" + "".join(parts) + "</item>"


def test_random_feeds_parse_the_same_either_way() -> None:
    rng = random.Random(20261204)
    read_here = 0
    for case in range(300):
        body = rss("".join(_random_item(rng, case * 10 + i) for i in range(rng.randint(0, 6))))
        reference, ours, taken = read_both_ways(body)
        assert ours == reference, f"random feed {case}:\n{body.decode()}"
        read_here += taken
    assert 60 <= read_here <= 240, f"{read_here} of 300 random feeds read by plainrss: the mix no longer tests both"
