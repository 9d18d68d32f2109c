"""bot.feeds: hostile and messy feeds, served through the real fetch path from a loopback server."""

from __future__ import annotations

import gzip
import logging
import time
import tracemalloc
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest
from budget import scale
from loopback import LoopbackServer
from shared import shared_path

from bot.feeds import MAX_TITLE, ParsedFeed, canonical_link, html_to_text, parse_feed
from bot.fetch import Fetcher, FetchLimits

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
XML = {"Content-Type": "application/rss+xml"}


def rss(items: str, channel: str = "<title>Feed</title><link>https://example.com/</link>", prolog: str = "") -> bytes:
    head = '<?xml version="1.0" encoding="utf-8"?>\n' + prolog
    return f'{head}<rss version="2.0"><channel>{channel}{items}</channel></rss>'.encode()


async def served(loopback: LoopbackServer, body: bytes, headers: dict[str, str] | None = None) -> ParsedFeed:
    """Serve `body` at /feed.xml, fetch it for real and parse what arrived."""
    loopback.route("/feed.xml", (200, XML if headers is None else headers, body))
    async with Fetcher(FetchLimits(allow_private=True, total_timeout=5)) as fetcher:
        result = await fetcher.get(loopback.url("/feed.xml"))
    assert result.ok, result.error
    return parse_feed(result.body, result.headers, result.final_url, now=NOW)


def billion_laughs() -> bytes:
    lines = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    ]
    return rss(
        "<item><title>&lol9;</title><link>https://example.com/a</link></item>",
        prolog="<!DOCTYPE rss [\n" + "\n".join(lines) + "\n]>\n",
    )


def quadratic_bomb(value_chars: int = 100_000, refs: int = 30_000) -> bytes:
    """One big literal entity referenced many times: raw feedparser expands it (3 GB, 95 s for this 193 kB feed)."""
    body = "&q;" * (refs // 50)
    items = "".join(f"<item><title>t{i}</title><description>{body}</description></item>" for i in range(50))
    return rss(items, prolog=f'<!DOCTYPE rss [\n<!ENTITY q "{"a" * value_chars}">\n]>\n')


async def test_billion_laughs_is_not_expanded(loopback: LoopbackServer) -> None:
    tracemalloc.start()
    try:
        started = time.process_time()  # CPU time (this process, server thread included), never wall-clock
        parsed = await served(loopback, billion_laughs())
        elapsed = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert parsed.error is None and len(parsed.items) == 1
    assert "lollol" not in parsed.items[0].title and len(parsed.items[0].title) < 100
    assert elapsed < scale(2) and peak < 20 << 20


async def test_quadratic_entity_bomb_is_defused(loopback: LoopbackServer) -> None:
    bomb = quadratic_bomb()
    assert 150_000 < len(bomb) < 250_000
    started = time.process_time()
    parsed = await served(loopback, bomb)
    elapsed = time.process_time() - started
    assert parsed.error is None and len(parsed.items) == 50
    assert all("aaaa" not in item.summary for item in parsed.items)
    assert elapsed < scale(5)  # unprotected feedparser: ~95 s and ~3 GB
    tracemalloc.start()
    try:
        again = parse_feed(bomb, XML, "https://e.com/feed", now=NOW)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(again.items) == 50 and peak < 50 << 20


def test_short_literal_entities_still_work_within_a_budget() -> None:
    ok = rss(
        "<item><guid isPermaLink='false'>&id;2006-05-04:/blog/</guid><title>&co; news</title></item>",
        prolog='<!DOCTYPE rss [\n  <!ENTITY id "tag:example.com,">\n  <!ENTITY co "&#169; ACME">\n]>\n',
    )
    parsed = parse_feed(ok, XML, "https://example.com/feed", now=NOW)
    assert parsed.items[0].guid == "tag:example.com,2006-05-04:/blog/"
    assert parsed.items[0].title == "© ACME news"

    value = "x" * 200
    bomb = rss(
        "<item><title>&e;</title></item>" * 20 + "<item><title>" + "&e;" * 5000 + "</title></item>",
        prolog=f'<!DOCTYPE rss [<!ENTITY e "{value}">]>\n',
    )
    refused = parse_feed(bomb, XML, "https://example.com/feed", now=NOW)
    assert refused.error == "entity expansion would outgrow the document (an entity bomb?)"


def test_entities_are_expanded_outside_comments_and_cdata_found_in_one_pass() -> None:
    """The comments and CDATA sections an entity is not expanded in are found in one pass: one left open runs to
    the end of the text (a lazy regex scanned to the end again from each unclosed "<!--", quadratic: a hostile
    feed of 200 kB of them took 25 s)."""
    from bot.feeds import _opaque_spans, defuse_entities

    text = "a<!--x-->b<![CDATA[y]]>c<!--z"
    assert list(_opaque_spans(text)) == [(1, 9), (10, 23), (24, len(text))]
    assert list(_opaque_spans("<!--" * 5)) == [(0, 20)]  # the first never closes: one span, not five scans
    prolog = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY co "ACME">]>'
    body = prolog + "<rss><t>&co;</t><!-- &co; --><t>&co;</t><![CDATA[&co;]]><!-- &co;"
    assert defuse_entities(body) == (
        '<?xml version="1.0"?><!DOCTYPE rss><rss><t>ACME</t><!-- &co; --><t>ACME</t><![CDATA[&co;]]><!-- &co;'
    )


def test_external_and_parameter_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = rss(
        "<item><title>&ext;</title><description>&ext; %pe;</description><link>https://example.com/a</link></item>",
        prolog=f'<!DOCTYPE rss [\n<!ENTITY ext SYSTEM "file://{secret}">\n<!ENTITY % pe SYSTEM "file://{secret}">\n%pe;\n]>\n',
    )
    parsed = parse_feed(body, XML, "https://example.com/feed", now=NOW)
    assert parsed.error is None and parsed.items
    assert all("TOP-SECRET" not in (i.title + i.summary) for i in parsed.items)


def test_unterminated_internal_subset_is_an_error() -> None:
    parsed = parse_feed(b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">', XML, "https://e.com/f", now=NOW)
    assert parsed.error == "malformed DOCTYPE: its internal subset never ends"


async def test_html_page_instead_of_feed(loopback: LoopbackServer) -> None:
    page = b"<!DOCTYPE html><html><head><title>Subscribe!</title></head><body><p>Paywall</p></body></html>"
    parsed = await served(loopback, page, {"Content-Type": "text/html; charset=utf-8"})
    assert parsed.error == "not a feed: the server sent an HTML page" and parsed.items == []


@pytest.mark.parametrize("body", [b"", b"  \n\t ", b"\x1f\x8b" + b"not really gzip"])
async def test_empty_or_broken_body(loopback: LoopbackServer, body: bytes) -> None:
    parsed = await served(loopback, body)
    assert (parsed.error is not None and parsed.error in ("empty body",)) or parsed.error.startswith("corrupt gzip")


async def test_not_a_feed_at_all(loopback: LoopbackServer) -> None:
    parsed = await served(loopback, b'<?xml version="1.0"?><config><x>1</x></config>')
    assert parsed.error is not None and parsed.error.startswith("not a feed")


def _real(name: str) -> bytes:
    return shared_path(f"feeds-corpus/real/{name}").read_bytes()


def _assert_orenburg(parsed: ParsedFeed) -> None:
    assert parsed.error is None and len(parsed.items) == 10 and parsed.encoding == "cp1251"
    text = " ".join(i.title for i in parsed.items)
    cyrillic = sum("а" <= c.lower() <= "я" or c in "ёЁ" for c in text)
    letters = sum(c.isalpha() for c in text)
    assert cyrillic / letters > 0.9, text[:200]
    assert "\ufffd" not in text and "Ð" not in text


async def test_cp1251_feed_declared(loopback: LoopbackServer) -> None:
    _assert_orenburg(await served(loopback, _real("oren-ru_news_cp1251.xml")))


async def test_cp1251_feed_gzip_with_and_without_content_encoding(loopback: LoopbackServer) -> None:
    gz = _real("oren-ru_news_cp1251.xml.gz")
    _assert_orenburg(await served(loopback, gz, {"Content-Type": "application/xml", "Content-Encoding": "gzip"}))
    _assert_orenburg(await served(loopback, gz, {"Content-Type": "application/xml"}))


@pytest.mark.parametrize(
    "content_type", ["application/xml", "text/xml; charset=iso-8859-1", "application/rss+xml; charset=utf-8"]
)
async def test_cp1251_feed_undeclared_or_mislabelled(loopback: LoopbackServer, content_type: str) -> None:
    body = _real("oren-ru_news_cp1251.xml")
    undeclared = body.replace(b'encoding="windows-1251"', b"").replace(b"encoding='windows-1251'", b"")
    assert b"windows-1251" not in undeclared[:200]
    _assert_orenburg(await served(loopback, undeclared, {"Content-Type": content_type}))


@pytest.mark.parametrize("declaration", ['<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>'])
async def test_cp1251_headlines_without_descriptions_undeclared_or_mislabelled(
    loopback: LoopbackServer, declaration: str
) -> None:
    """The Orenburg feed's titles and links alone: mostly markup and addresses in ASCII, whose letters once outweighed
    the Cyrillic ones (0.34 of the letters) and had it read as windows-1252."""
    parsed = parse_feed(_real("oren-ru_news_cp1251.xml"), XML, "http://www.oren.ru/rss", now=NOW)
    items = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.link or '')}</link>"
        f"<guid>{escape(i.guid or '')}</guid></item>\n"
        for i in parsed.items
    )
    body = f"{declaration}<rss version='2.0'><channel><title>Новости</title>{items}</channel></rss>".encode("cp1251")
    again = await served(loopback, body, {"Content-Type": "application/rss+xml"})
    assert again.encoding == "cp1251" and [i.title for i in again.items] == [i.title for i in parsed.items]


@pytest.mark.parametrize("content_type", ["text/xml; charset=koi8-r", "text/xml; charset=KOI8-U", "text/xml"])
async def test_a_cp1251_feed_under_another_russian_charset_reads_as_russian(loopback, content_type) -> None:
    """A windows-1251 feed (declared so) from a host whose default charset is KOI8-R (a classic Russian Apache set-up):
    read in KOI8-R its letters come out case-swapped ("б бХГСКСЙЕ ..."); it is read in the charset that gives Russian
    text. The same words in KOI8-R under the feed's windows-1251 declaration (and header) read as KOI8-R."""
    body = _real("oren-ru_news_cp1251.xml")
    _assert_orenburg(await served(loopback, body, {"Content-Type": content_type}))
    koi8 = body.decode("cp1251").encode("koi8-r", "replace")
    parsed = parse_feed(koi8, {"Content-Type": "text/xml; charset=windows-1251"}, "http://www.oren.ru/rss", now=NOW)
    assert parsed.encoding == "koi8-r"
    titles = [i.title for i in parse_feed(body, XML, "http://a/", now=NOW).items]
    assert [i.title for i in parsed.items] == [t.encode("koi8-r", "replace").decode("koi8-r") for t in titles]


def test_an_undeclared_koi8r_feed_reads_as_koi8r() -> None:
    """feedparser's KOI8-R feed with no charset named anywhere: it was read as windows-1251, every letter wrong."""
    body = shared_path("feeds-corpus/feedparser/tests/illformed/chardet/koi8r.xml").read_bytes()
    parsed = parse_feed(body, {"Content-Type": "application/rss+xml"}, "https://e.com/f", now=NOW)
    assert parsed.encoding == "koi8-r" and parsed.items[0].title == body.split(b"<title>")[1].split(b"<")[0].decode(
        "koi8-r"
    )


def test_a_utf8_feed_served_with_a_single_byte_charset_is_read_as_utf8() -> None:
    """Old Russian hosting adds "charset=windows-1251" to every response, a UTF-8 feed's too: bytes that are valid
    UTF-8 throughout are UTF-8, whatever single-byte charset a label names (windows-1251 decodes any bytes)."""
    body = rss("<item><title>Путин и Трамп</title><link>https://e.com/a</link></item>")
    for content_type in ("text/xml; charset=windows-1251", "text/xml; charset=koi8-r", "text/xml; charset=iso-8859-1"):
        parsed = parse_feed(body, {"Content-Type": content_type}, "https://e.com/f", now=NOW)
        assert (parsed.encoding, parsed.items[0].title) == ("utf-8", "Путин и Трамп"), content_type


async def test_undeclared_latin1_feed(loopback: LoopbackServer) -> None:
    parsed = await served(loopback, _real("uol-noticias_pt_latin1-undeclared.rss"), {"Content-Type": "text/xml"})
    text = " ".join(i.title + " " + i.summary for i in parsed.items)
    assert parsed.error is None and len(parsed.items) == 15
    assert "\ufffd" not in text and any(c in text for c in "çãéáõ")


def test_utf8_with_a_stray_byte_stays_utf8() -> None:
    body = rss("<item><title>Путин и Трамп</title><link>https://e.com/a</link></item>").replace(
        b"</title>", b"\xff</title>", 1
    )
    parsed = parse_feed(body, {"Content-Type": "application/xml"}, "https://e.com/f", now=NOW)
    assert parsed.items[0].title.startswith("Путин и Трамп")


def test_utf16_with_bom() -> None:
    text = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Ж</title><item><title>Привет</title><link>https://e.com/a</link></item></channel></rss>'
    parsed = parse_feed(text.encode("utf-16"), {"Content-Type": "application/xml"}, "https://e.com/f", now=NOW)
    assert parsed.title == "Ж" and parsed.items[0].title == "Привет"


async def test_items_without_guid_or_link_get_stable_identities(loopback: LoopbackServer) -> None:
    body = rss(
        "<item><title>Has link</title><link>https://Example.com:443/a/?utm_source=x&amp;id=3#top</link></item>"
        "<item><title>Only a title</title><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate></item>"
        "<item><guid isPermaLink='false'>urn:x:1</guid><title>Has guid</title></item>"
    )
    first = await served(loopback, body)
    second = parse_feed(body, XML, loopback.url("/feed.xml"), now=NOW)
    ids = [i.identity for i in first.items]
    assert ids[0] == "https://example.com/a?id=3" and ids[2] == "urn:x:1"
    assert ids[1].startswith("sha1:") and ids == [i.identity for i in second.items]
    assert first.items[1].link is None and first.items[2].guid == "urn:x:1"


def test_long_guids_and_links_fit_the_store_and_stay_apart() -> None:
    """items.identity holds 128 characters and the link columns 2048 (PostgreSQL enforces both; 94 of the 636 items
    of feeds-corpus/real have longer guids or links): guids that differ only past the width are two items, a link
    longer than its column is no link (the item stays, known by its guid or title and date), and the same feed
    parsed again gives the same identities."""
    prefix = "tag:news.example,2026:" + "long-guid-" * 30
    body = rss(
        f"<item><guid isPermaLink='false'>{prefix}1</guid><title>First</title><link>https://e.com/1</link></item>"
        f"<item><guid isPermaLink='false'>{prefix}2</guid><title>Second</title><link>https://e.com/2</link></item>"
        f"<item><title>Third</title><link>https://e.com/3?ref={'x' * 3000}</link>"
        "<pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate></item>"
    )
    first = parse_feed(body, XML, "https://e.com/feed", now=NOW)
    again = parse_feed(body, XML, "https://e.com/feed", now=NOW)
    assert [i.title for i in first.items] == ["First", "Second", "Third"]
    ids = [i.identity for i in first.items]
    assert len(set(ids)) == 3 and all(len(i) <= 128 for i in ids) and ids == [i.identity for i in again.items]
    assert first.items[0].guid == f"{prefix}1"  # kept whole: it fits its column
    assert first.items[2].link is None and first.items[2].feed_link is None


def test_duplicate_guids_are_collapsed_but_a_shared_guid_is_not_trusted() -> None:
    body = rss(
        "<item><guid isPermaLink='false'>g1</guid><title>One</title><link>https://e.com/1</link></item>"
        "<item><guid isPermaLink='false'>g1</guid><title>One again</title><link>https://e.com/1</link></item>"
        "<item><guid>same</guid><title>A</title><link>https://e.com/a</link></item>"
        "<item><guid>same</guid><title>B</title><link>https://e.com/b</link></item>"
    )
    parsed = parse_feed(body, XML, "https://e.com/feed", now=NOW)
    assert [i.title for i in parsed.items] == ["One", "A", "B"] and parsed.duplicates == 1
    assert [i.identity for i in parsed.items] == ["g1", "https://e.com/a", "https://e.com/b"]


def test_titles_and_summaries_are_plain_text() -> None:
    body = rss(
        "<item><title>&lt;b&gt;Rare&lt;/b&gt; earths &amp;amp; &lt;script&gt;alert('x')&lt;/script&gt;magnets</title>"
        "<description><![CDATA[<p>First&nbsp;para.</p><style>p{color:red}</style><script>evil()</script>"
        "<p>Second <a href='x'>link</a>.</p><!-- hidden -->]]></description><link>https://e.com/1</link></item>"
    )
    item = parse_feed(body, XML, "https://e.com/feed", now=NOW).items[0]
    assert item.title == "Rare earths & magnets"
    assert item.summary == "First para.\nSecond link."  # a paragraph ends a line


def test_huge_title_is_capped_and_unclosed_scripts_stay_linear() -> None:
    body = rss(f"<item><title>{'word ' * 14_000}</title><link>https://e.com/1</link></item>")
    item = parse_feed(body, XML, "https://e.com/feed", now=NOW).items[0]
    assert len(item.title) <= MAX_TITLE and item.title.endswith("…")
    started = time.process_time()
    dropped = html_to_text('<script src="a.js">' * 20_000 + "x" * 50_000)  # a script never closed: to the end
    kept = html_to_text("<script>" * 20_000 + "x" * 50_000)  # a bare "<script>" never closed is text
    assert dropped == "" and kept.startswith("<script><script>") and len(kept) <= 4000
    assert time.process_time() - started < scale(1.0)


def test_items_with_nothing_are_dropped_and_titles_never_empty() -> None:
    body = rss(
        "<item><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate></item>"
        "<item><title> <![CDATA[<b></b>]]> </title><description>Moscow and Washington agreed on a new round of "
        "talks about strategic stability next month in Geneva</description></item>"
        "<item><link>https://e.com/news/rare-earth-prices-surge.html</link></item>"
    )
    parsed = parse_feed(body, XML, "https://e.com/feed", now=NOW)
    assert parsed.dropped == 1 and len(parsed.items) == 2
    assert parsed.items[0].title == "Moscow and Washington agreed on a new round of talks about strategic…"
    assert parsed.items[1].title == "rare earth prices surge"


def test_a_title_that_is_only_an_address_reads_as_the_summary() -> None:
    """A video feed gives the page's address as the title: the digest would show a URL for a headline."""
    body = rss(
        "<item><title>https://www.cnn.com/videos/world/2024/02/22/exp-american-detained-russia.cnn</title>"
        "<description>Ksenia Karelina of Los Angeles has been accused of treason.</description>"
        "<link>https://www.cnn.com/videos/world/2024/02/22/exp-american-detained-russia.cnn</link></item>"
        "<item><title>www.example.com/news/rare-earth-prices-surge</title><link>https://e.com/1</link></item>"
        "<item><title>Watch: https://e.com/live and more</title><link>https://e.com/2</link></item>"
    )
    titles = [i.title for i in parse_feed(body, XML, "https://e.com/feed", now=NOW).items]
    assert titles == [
        "Ksenia Karelina of Los Angeles has been accused of treason.",
        "rare earth prices surge",
        "Watch: https://e.com/live and more",
    ]


async def test_relative_links_resolve_against_feed_url_and_xml_base(loopback: LoopbackServer) -> None:
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b'<entry><title>one</title><link href="/news/1"/><id>1</id></entry>'
        b'<entry xml:base="https://other.example/base/"><title>two</title><link href="2"/><id>2</id></entry>'
        b'<entry><title>three</title><link href="javascript:alert(1)"/><id>3</id></entry></feed>'
    )
    parsed = await served(loopback, body, {"Content-Type": "application/atom+xml"})
    assert [i.link for i in parsed.items] == [loopback.url("/news/1"), "https://other.example/base/2", None]


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Mon, 23 Nov 2026 08:00:00 +0300", datetime(2026, 11, 23, 5, 0, tzinfo=UTC)),
        ("2026-11-22T10:30:00Z", datetime(2026, 11, 22, 10, 30, tzinfo=UTC)),
        ("not a date", None),
        ("Thu, 01 Jan 1970 00:00:00 GMT", None),
        ("Fri, 31 Dec 2099 00:00:00 GMT", None),
        ("Mon, 30 Feb 2026 99:99:99 GMT", None),
    ],
)
def test_dates(date: str, expected: datetime | None) -> None:
    body = rss(f"<item><title>t</title><link>https://e.com/1</link><pubDate>{date}</pubDate></item>")
    item = parse_feed(body, XML, "https://e.com/feed", now=NOW).items[0]
    assert item.published == expected
    if item.published is not None:
        assert item.published.tzinfo is not None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM:443/Path/?utm_source=tw&utm_medium=x&id=7#frag", "https://example.com/Path?id=7"),
        ("http://example.com:80/", "http://example.com"),
        ("http://example.com:8080/a/", "http://example.com:8080/a"),
        ("https://e.com/a?fbclid=1&gclid=2", "https://e.com/a"),
        ("https://e.com/a?b=1&a=2", "https://e.com/a?b=1&a=2"),
        # the other parameters as written, a tracking one taken out: a page's address still works
        ("https://e.com/news?123&utm_source=x", "https://e.com/news?123"),
        ("https://e.com/a?q=a%20b&utm_campaign=y&p=%7E", "https://e.com/a?q=a%20b&p=%7E"),
        ("ftp://e.com/a", None),
        ("javascript:alert(1)", None),
        ("", None),
        ("http://[::1]:99999/", None),
    ],
)
def test_canonical_link(url: str, expected: str | None) -> None:
    assert canonical_link(url) == expected


def test_gzip_body_without_content_encoding_is_capped() -> None:
    bomb = gzip.compress(bytes(20 << 20))
    parsed = parse_feed(bomb, XML, "https://e.com/feed", now=NOW)
    assert parsed.error == "gzip body inflates past 8388608 bytes"


def test_ids_resolve_like_feedparser_and_markup_in_attributes_is_not_text() -> None:
    """Relative permalink guids are joined with the base (as feedparser did when it resolved links itself);
    isPermaLink="false" ids stay as written; a quoted ">" inside an attribute does not end the tag."""
    permalink = rss(
        "<item><title>One</title><guid>1983@example.org</guid></item>"
        "<item><title>Two</title><guid>tag:example.org,2026:2</guid><link>/two</link></item>",
        channel="<title>F</title><link>/home</link>",
    )
    parsed = parse_feed(permalink, XML, "https://e.com/feeds/main.xml", now=NOW)
    assert [i.guid for i in parsed.items] == ["https://e.com/feeds/1983@example.org", "tag:example.org,2026:2"]
    assert parsed.items[1].link == "https://e.com/two" and parsed.link == "https://e.com/home"
    opaque = rss('<item><title>One</title><guid isPermaLink="false">1983@example.org</guid></item>')
    assert parse_feed(opaque, XML, "https://e.com/feed", now=NOW).items[0].guid == "1983@example.org"
    assert html_to_text('<img alt="cat<br />dog" src="x.jpg">A caption') == "A caption"
    assert html_to_text('<a href="http://e.com/?a=1&amp;b=2?>Broken quote</a> text') == "Broken quote text"


def test_a_cdata_section_escaped_once_more_keeps_its_text() -> None:
    """A field written as "&lt;![CDATA[...]]&gt;" (a CMS escaping its own CDATA) is its text, not a tag to drop:
    the title was lost, and the item took its link for a title."""
    body = rss(
        "<item><title>&lt;![CDATA[Putin and Trump to meet in Alaska]]&gt;</title><link>https://e.com/a</link>"
        "<description>&lt;![CDATA[&lt;p&gt;The summit is set for Friday.&lt;/p&gt;]]&gt;</description></item>"
    )
    (item,) = parse_feed(body, XML, "https://e.com/feed", now=NOW).items
    assert (item.title, item.summary) == ("Putin and Trump to meet in Alaska", "The summit is set for Friday.")


def test_feed_level_xml_base_resolves_the_feed_link() -> None:
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://other.example/news/">'
        b'<title>A</title><link href="home"/><entry><title>t</title><link href="a/1"/><id>urn:1</id></entry></feed>'
    )
    parsed = parse_feed(body, {"Content-Type": "application/atom+xml"}, "https://e.com/feed", now=NOW)
    assert parsed.link == "https://other.example/news/home"
    assert parsed.items[0].link == "https://other.example/news/a/1"


# Two extension elements feedparser's own handlers raise on when malformed (found by mutating its test feeds).
_CRASHING_EXTENSIONS = {
    "a Podlove chapter without its start": b'<psc:chapters version="1.2"><psc:chapter title="Intro"/></psc:chapters>',
    "a GML position outside georss:where": b"<gml:pos>1 2</gml:pos>",
}


@pytest.mark.parametrize("extension", _CRASHING_EXTENSIONS)
def test_a_malformed_extension_element_costs_no_item(extension: str) -> None:
    """parse_feed never raises: the item is read without the extension feedparser fails on."""
    body = (
        b'<?xml version="1.0"?><rss version="2.0" xmlns:psc="http://podlove.org/simple-chapters"'
        b' xmlns:gml="http://www.opengis.net/gml"><channel><title>T</title><item><title>A</title>'
        b"<link>https://e.example/a</link>" + _CRASHING_EXTENSIONS[extension] + b"</item></channel></rss>"
    )
    parsed = parse_feed(body, {"content-type": "application/rss+xml"}, "https://e.example/feed")
    assert parsed.error is None and [(i.title, i.link) for i in parsed.items] == [("A", "https://e.example/a")]


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        # zones feedparser does not know by name (it read them as UTC): Moscow's first, for a Russia-watching bot
        ("Mon, 23 Nov 2026 10:00:00 MSK", datetime(2026, 11, 23, 7, tzinfo=UTC)),
        ("Mon, 23 Nov 2026 10:00:00 CET", datetime(2026, 11, 23, 9, tzinfo=UTC)),
        ("Mon, 23 Nov 2026 10:00:00 JST", datetime(2026, 11, 23, 1, tzinfo=UTC)),
        # a 12-hour clock (NBC's local stations: feeds-corpus real/nbc-newyork.xml), with a zone and without one
        ("Mon, Nov 23 2026 02:02:33 AM", datetime(2026, 11, 23, 2, 2, 33, tzinfo=UTC)),
        ("Sun, Nov 22 2026 02:02:33 PM", datetime(2026, 11, 22, 14, 2, 33, tzinfo=UTC)),
        ("Sun, Nov 22 2026 02:02:33 PM EST", datetime(2026, 11, 22, 19, 2, 33, tzinfo=UTC)),
        ("Sun, 22 Nov 2026 12:30:00 PM -0500", datetime(2026, 11, 22, 17, 30, tzinfo=UTC)),
        # more zones by name, US and not, on a 24-hour clock (feedparser read them as UTC)
        ("Wed, 18 Nov 2026 08:00:00 HST", datetime(2026, 11, 18, 18, tzinfo=UTC)),
        ("Wed, 18 Nov 2026 08:00:00 AKST", datetime(2026, 11, 18, 17, tzinfo=UTC)),
        ("Wed, 18 Nov 2026 08:00:00 EAT", datetime(2026, 11, 18, 5, tzinfo=UTC)),
        ("Wed, 18 Nov 2026 08:00:00 WAT", datetime(2026, 11, 18, 7, tzinfo=UTC)),
        ("Wed, 18 Nov 2026 08:00:00 BRT", datetime(2026, 11, 18, 11, tzinfo=UTC)),
        ("Wed, 18 Nov 2026 08:00:00 IST", datetime(2026, 11, 18, 2, 30, tzinfo=UTC)),
        ("Wed, 18 Nov 2026 08:00:00 UTC+03:00", datetime(2026, 11, 18, 5, tzinfo=UTC)),
        # two-digit offsets are hours (feedparser dropped the date: the item was dated at fetch time)
        ("Wed, 18 Nov 2026 08:00:00 +03", datetime(2026, 11, 18, 5, tzinfo=UTC)),
        ("Wed, 18 Nov 2026 08:00:00 -05", datetime(2026, 11, 18, 13, tzinfo=UTC)),
        # a weekday and no zone is UTC, as the same date without its weekday (feedparser dropped it: the item was dated
        # at fetch time); the weekday is not checked
        ("Wed, 18 Nov 2026 08:00:00", datetime(2026, 11, 18, 8, tzinfo=UTC)),
        ("18 Nov 2026 08:00:00", datetime(2026, 11, 18, 8, tzinfo=UTC)),
        ("Mon, 18 Nov 2026 08:00:00", datetime(2026, 11, 18, 8, tzinfo=UTC)),
        # nor its language (Il Messaggero's 'mer', mercoledì: feeds-corpus real/ilmessaggero_mondo_it.xml; dropped)
        ("mer, 18 nov 2026 08:00:00 +0100", datetime(2026, 11, 18, 7, tzinfo=UTC)),
        # what feedparser reads right stays its reading
        ("Mon, 23 Nov 2026 10:00:00 +0300", datetime(2026, 11, 23, 7, tzinfo=UTC)),
        ("Mon, 23 Nov 2026 10:00:00 EST", datetime(2026, 11, 23, 15, tzinfo=UTC)),
        ("Mon, 23 Nov 2026 10:00:00 GMT", datetime(2026, 11, 23, 10, tzinfo=UTC)),
        ("2026-11-23T10:00:00+01:00", datetime(2026, 11, 23, 9, tzinfo=UTC)),
    ],
)
@pytest.mark.parametrize("fast", [True, False])
def test_publication_times_in_the_zone_and_clock_the_feed_wrote(written: str, utc: datetime, fast: bool) -> None:
    """Both readers (bot.plainrss and feedparser) read a date alike, zones by other names and 12-hour clocks too."""
    body = rss(f"<item><title>A</title><link>https://example.com/a</link><pubDate>{written}</pubDate></item>")
    (item,) = parse_feed(body, XML, "https://example.com/feed", now=NOW, fast=fast).items
    assert item.published == utc


def test_a_zone_of_no_known_name_is_read_as_utc_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Not dropped (an old item would be dated at fetch time, as news), not silent; AMT is no 'AM' and a zone 'T'."""
    body = rss(
        "<item><title>A</title><link>https://example.com/a</link><pubDate>Wed, 18 Nov 2026 08:00:00 XYZT</pubDate>"
        "</item><item><title>B</title><link>https://example.com/b</link><pubDate>Wed, 18 Nov 2026 08:00:00 AMT"
        "</pubDate></item>"
    )
    with caplog.at_level(logging.WARNING, logger="bot.feeddates"):
        items = parse_feed(body, XML, "https://example.com/feed", now=NOW).items
    assert [item.published for item in items] == [datetime(2026, 11, 18, 8, tzinfo=UTC)] * 2
    assert "time zone XYZT unknown" in caplog.text and "time zone AMT unknown" in caplog.text


def test_an_implausible_publication_time_gives_way_to_the_update_time() -> None:
    body = (
        b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>T</title><entry><title>A</title>"
        b"<link href='https://example.com/a'/><id>urn:a</id><published>1970-01-01T00:00:00Z</published>"
        b"<updated>2026-11-23T10:00:00Z</updated></entry></feed>"
    )
    (item,) = parse_feed(body, {"Content-Type": "application/atom+xml"}, "https://example.com/feed", now=NOW).items
    assert item.published == datetime(2026, 11, 23, 10, tzinfo=UTC)


def test_comments_and_script_blocks_are_dropped_in_one_pass() -> None:
    """drop_blocks (every feed field, every article page): the next comment and block are looked for again only once
    passed. Searched afresh at every comment, a page of many comments and no script scanned to its end each time:
    280 kB of "<!---->" took 40 s in extract_article; now 0.012 s for 40,000 (measured by hand, not timed here)."""
    from bot.feeds import drop_blocks

    assert drop_blocks("a<!--x-->b<script>s</script>c<!-- y -->d<style>z</style>e<!--unclosed") == "abcde"
    assert drop_blocks("<script>x<!-- </script>y") == "y"  # a comment inside a block is the block's
    assert drop_blocks("<!-- <script> -->z<script>w</script>") == "z"  # a block inside a comment is the comment's
    assert drop_blocks("<!---->" * 40_000 + "kept") == "kept"


def test_a_headline_naming_an_element_keeps_it_and_the_words_after_it() -> None:
    """qa11 D5: "Hackers hide &lt;script&gt; tags in rare earth ads" became "Hackers hide": the unescaped "<script>"
    was read as a script never closed, dropped to the end with the topic words. A bare opening tag never closed is
    text, escaped once (XML) or twice; a closed element, an attributed tag and double-escaped markup are markup."""
    cases = {
        "Hackers hide &lt;script&gt; tags in rare earth ads, researchers say": (
            "Hackers hide <script> tags in rare earth ads, researchers say"
        ),
        "Hackers hide &amp;lt;script&amp;gt; tags in rare earth ads": "Hackers hide <script> tags in rare earth ads",
        "Why the &amp;lt;SVG&amp;gt; element and &lt;style&gt; matter for rare earth maps": (
            "Why the <SVG> element and <style> matter for rare earth maps"
        ),
        "&amp;lt;b&amp;gt;Rare earth&amp;lt;/b&amp;gt; quotas &amp;lt;br/&amp;gt;rise": "Rare earth quotas rise",
        "Rare earth &amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;quotas": "Rare earth quotas",
        "Rare earth quotas &lt;script src='x.js'&gt;var a = 1;": "Rare earth quotas",
    }
    items = "".join(f"<item><title>{raw}</title><link>https://e.com/{i}</link></item>" for i, raw in enumerate(cases))
    for fast in (True, False):  # bot.plainrss and feedparser
        parsed = parse_feed(rss(items), XML, "https://e.com/feed", now=NOW, fast=fast)
        assert [i.title for i in parsed.items] == list(cases.values())
    summary = "<p>Analysts say &lt;script&gt; tags hid the rare earth ads.</p><script>track()</script><p>More.</p>"
    assert html_to_text(summary, paragraphs=True) == "Analysts say <script> tags hid the rare earth ads.\nMore."


def test_bidi_controls_are_removed_from_titles_and_descriptions() -> None:
    """qa11 D6: an unterminated RIGHT-TO-LEFT OVERRIDE in a title reached subscribers and reversed the bot's own
    " · 1 outlet" after it. Embeddings, overrides and isolates go where zero-width characters do; right-to-left
    text itself stays."""
    controls = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
    body = rss(
        f"<item><title>Lynas rare earth plant \u202eopens in Texas{controls}</title>"
        f"<description>Lynas will open \u2067a plant{controls} خبر\u200b</description>"
        "<link>https://e.com/1</link></item>"
    )
    for fast in (True, False):
        (item,) = parse_feed(body, XML, "https://e.com/feed", now=NOW, fast=fast).items
        assert (item.title, item.summary) == ("Lynas rare earth plant opens in Texas", "Lynas will open a plant خبر")


def test_a_source_line_break_is_a_space_and_only_a_block_ends_a_line() -> None:
    """Found by review: with paragraphs kept, a line break inside a <p> (wrapped HTML) split a sentence in two
    ("… told reporters in" / "London.")."""
    from bot.feeds import html_to_text

    html = "<p>Starmer told reporters in\nLondon on Monday.</p><ul><li>Latest news</li></ul><p>He left.</p>"
    assert html_to_text(html, paragraphs=True) == "Starmer told reporters in London on Monday.\nLatest news\nHe left."
    assert html_to_text("a wrapped\nplain text", paragraphs=True) == "a wrapped plain text"
