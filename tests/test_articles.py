"""bot.articles: real pages over loopback, charsets, hostile markup, the feed fallback and the worker bound."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest
from budget import scale
from loopback import LoopbackServer
from shared import shared_path

from bot.articles import MAX_TEXT, ArticleText, extract_article, fetch_article, fetch_articles, from_feed
from bot.charset import is_html_page
from bot.fetch import Fetcher, FetchLimits
from bot.parse_pool import WORKER_MODULES, ParsePool

PARAGRAPH = (
    "The Kremlin said on Tuesday that talks with Washington on strategic stability would resume next month, "
    "after a pause of almost two years, according to a statement published by the foreign ministry. "
)


def article_html(body: str, title: str = "Talks resume", head: str = "") -> str:
    return (
        f"<html><head>{head}<title>{title}</title></head><body><nav><a href='/'>Home</a><a href='/w'>World</a></nav>"
        f"<article><h1>{title}</h1>{body}</article><footer>© News Corp. All rights reserved.</footer></body></html>"
    )


def _page(name: str) -> bytes:
    return shared_path(f"feeds-corpus/pages/{name}").read_bytes()


async def test_real_page_through_fetch(loopback: LoopbackServer) -> None:
    loopback.route("/story", (200, {"Content-Type": "text/html; charset=utf-8"}, _page("reuters.com.parasite.html")))
    async with Fetcher(FetchLimits(allow_private=True, total_timeout=5)) as fetcher:
        result = await fetcher.get(loopback.url("/story"), kind="page")
    article = extract_article(result.body, result.final_url, result.headers)
    assert article is not None and article.source == "page"
    assert article.title is not None and article.title.startswith("'Parasite' scores historic upset at SAG awards")
    assert "Parasite" in article.text and len(article.text) > 2000
    assert "cookie" not in article.text.lower()


def test_largest_page_is_fast() -> None:
    page = _page("faz.net.streaming.html")
    assert len(page) > 850_000
    started = time.process_time()  # CPU time: a busy shared machine does not make it fail
    article = extract_article(page, "https://www.faz.net/a", {"Content-Type": "text/html"})
    assert article is not None and len(article.text) > 2000
    assert time.process_time() - started < scale(3.0)  # measured ~0.1 s


@pytest.mark.parametrize(
    ("name", "headline"),
    [
        # the page's <h1> plus the site's furniture: the <h1>, whatever the tail says (a date, a section)
        ("dw.com.colonial.html", "Berlin confronts Germany's colonial past with new initiative"),
        ("dw.com.uncork.html", "Uncork the mystery of Germany's Frühburgunder"),
        # the site's name as og:site_name gives it
        ("kulu-media.com.meta-outage.html", "Meta Outage Hits Facebook, Instagram and Messenger"),
        # a headline's own "|" and " - " stay
        (
            "mercurynews.com.letters.html",
            "Letters: Coddling criminals | Undermining road | Tax dollars | Recount cost | Predicting climate",
        ),
        ("boingboing.net.millenials.html", "Hating Millennials - the prejudice you're allowed to boast about"),
        ("zeit.de.zugverkehr.html", "Zugverkehr: Im ICE von Frankfurt nach Barcelona"),
    ],
)
def test_a_page_title_is_the_headline_without_the_sites_furniture(name: str, headline: str) -> None:
    article = extract_article(_page(name), f"https://{name.rsplit('.', 2)[0]}/a", {"Content-Type": "text/html"})
    assert article is not None and article.title == headline


@pytest.mark.parametrize(
    ("title", "h1", "headline"),
    [
        ("Talks resume in Geneva | World | 19.01.2020", "Talks resume in Geneva", "Talks resume in Geneva"),
        ("Talks resume in Geneva - Example Gazette", "Talks", "Talks resume in Geneva"),  # the site's name
        # a heading that is the headline's first part (a kicker) leaves the title whole
        (
            "Kremlin talks - the first in two years and the last before the vote",
            "Kremlin talks",
            "Kremlin talks - the first in two years and the last before the vote",
        ),
        ("Ukraine war: talks resume", "Ukraine war", "Ukraine war: talks resume"),  # ":" is the headline's own
    ],
)
def test_the_headline_is_the_pages_heading_only_when_the_rest_is_a_short_tail(
    title: str, h1: str, headline: str
) -> None:
    body = "".join(f"<p>{PARAGRAPH} Paragraph {i}.</p>" for i in range(4))
    html = (
        f"<html><head><meta property='og:title' content='{title}'><meta property='og:site_name' content='Example Gazette'>"
        f"</head><body>"
        f"<article><h1>{h1}</h1>{body}</article></body></html>"
    )
    article = extract_article(html.encode(), "https://gazette.example/a", {"Content-Type": "text/html"})
    assert article is not None and article.title == headline


@pytest.mark.parametrize(
    ("headers", "head"),
    [
        ({"Content-Type": "text/html"}, '<meta charset="windows-1251">'),
        ({"Content-Type": "text/html"}, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'),
        ({"Content-Type": "text/html; charset=windows-1251"}, '<meta charset="utf-8">'),  # HTTP wins
        ({}, ""),  # nothing declared: heuristics
        # a host's default Russian charset, not the page's: the one that reads as Russian text wins
        ({"Content-Type": "text/html; charset=koi8-r"}, '<meta charset="windows-1251">'),
        ({"Content-Type": "text/html; charset=koi8-r"}, ""),
    ],
)
def test_cp1251_page(headers: dict[str, str], head: str) -> None:
    body = "".join(
        f"<p>Москва и Вашингтон возобновят переговоры о стратегической стабильности, абзац {i}.</p>" for i in range(8)
    )
    html = article_html(body, title="Переговоры возобновятся", head=head).encode("cp1251")
    article = extract_article(html, "https://e.ru/a", headers)
    assert article is not None and "Вашингтон возобновят переговоры" in article.text


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"   ",
        article_html("<p>Subscribe to read.</p>").encode(),
        b"<html><body><script>" + b"x" * 100_000 + b"</script></body></html>",
        b"\x00\x01\x02binary garbage\xff\xfe",
    ],
)
def test_nothing_usable_gives_none(html: bytes) -> None:
    assert extract_article(html, "https://e.com/a", {"Content-Type": "text/html"}) is None


@pytest.mark.parametrize(
    "shape",
    [
        "".join(f"<p>{PARAGRAPH} Paragraph {i}.</p>" for i in range(100_000)),  # 20 MB; unbounded trafilatura: minutes
        "<table><tr><td>x</td><td>y</td></tr></table>" * 30_000,  # superlinear in trafilatura
        "<div>" * 50_000 + PARAGRAPH * 5 + "</div>" * 50_000,
        "<p>" + "word " * 1_000_000 + "</p>",
        "<script>" * 20_000 + "<p>" + PARAGRAPH * 3 + "</p>",
    ],
    ids=["100k-paragraphs", "30k-tables", "deep-nesting", "5MB-paragraph", "unclosed-scripts"],
)
def test_hostile_markup_is_bounded_in_time(shape: str) -> None:
    started = time.process_time()
    article = extract_article(article_html(shape).encode(), "https://e.com/a", {"Content-Type": "text/html"})
    elapsed = time.process_time() - started
    assert elapsed < scale(6.0), elapsed
    assert article is None or len(article.text) <= MAX_TEXT


def test_feed_fallback() -> None:
    assert from_feed("T", "short summary", "a much longer content:encoded text") == ArticleText(
        text="a much longer content:encoded text", title="T", source="feed"
    )
    assert from_feed("T", "summary only") == ArticleText(text="summary only", title="T", source="feed")
    assert from_feed("T", "", "") is None


def test_the_poller_loads_without_trafilatura_which_the_workers_preload() -> None:
    probe = "import sys, bot.poller; print('trafilatura' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["False"], out.stdout  # its event loop never extracts a page: ~11 MB less
    assert "trafilatura" in WORKER_MODULES and "bot.articles" in WORKER_MODULES


class _CountingPool(ParsePool):
    """A real pool that counts the calls handed to it."""

    calls = 0

    async def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return await super().call(fn, *args, **kwargs)


def _slow_on_marked_text(text: str) -> int:
    if "SLOW" in text:
        time.sleep(0.6)
    return len(text)


async def test_a_feeds_pages_are_extracted_in_one_call_each_answered_in_order(loopback: LoopbackServer) -> None:
    html = article_html("".join(f"<p>{PARAGRAPH}</p>" for _ in range(4))).encode()
    other = article_html("".join(f"<p>{PARAGRAPH} Second story.</p>" for _ in range(4)), title="Other").encode()
    kind = {"Content-Type": "text/html; charset=utf-8"}
    loopback.route("/a", (200, kind, html))
    loopback.route("/b", (200, kind, other))
    loopback.route("/empty", (200, kind, b""))
    loopback.route("/gone", (404, kind, b"no"))
    urls = [loopback.url(p) for p in ("/a", "/gone", "/b", "/empty")]
    async with (
        Fetcher(FetchLimits(allow_private=True, total_timeout=30, page_delay=0)) as fetcher,
        _CountingPool(workers=1, inline_bytes=0) as pool,
    ):
        got = await fetch_articles(fetcher, [(u, len) for u in urls], worker=pool)
        assert pool.calls == 1  # two pages to read, one worker call
        alone = [await fetch_article(fetcher, u, worker=pool, then=len) for u in urls]
    assert [f.url for f in got] == urls
    assert got == alone  # the same answers as one page at a time
    assert got[0].article is not None and got[0].then == len(got[0].article.text)
    assert got[2].article is not None and "Second story" in got[2].article.text
    assert got[1].article is None and got[1].error and got[3].error == "the page was empty"


async def test_a_slow_page_in_a_batch_costs_only_its_own_text(loopback: LoopbackServer) -> None:
    """The batch has the timeout of each of its pages; over it, each page is read again on its own."""
    kind = {"Content-Type": "text/html; charset=utf-8"}
    loopback.route("/fast", (200, kind, article_html("".join(f"<p>{PARAGRAPH}</p>" for _ in range(4))).encode()))
    loopback.route("/slow", (200, kind, article_html("".join(f"<p>SLOW {PARAGRAPH}</p>" for _ in range(4))).encode()))
    async with Fetcher(FetchLimits(allow_private=True, total_timeout=30, page_delay=0)) as fetcher:
        pages = [(loopback.url("/slow"), _slow_on_marked_text), (loopback.url("/fast"), _slow_on_marked_text)]
        got = await fetch_articles(fetcher, pages, worker=None, timeout=0.25)
    assert got[0].article is None and got[0].error == "the page took too long to read"
    assert got[1].article is not None and got[1].then == len(got[1].article.text)


async def test_what_the_caller_does_next_runs_in_the_extractions_call(loopback: LoopbackServer) -> None:
    """fetch_article's ``then`` goes with the extraction to a pool worker or a thread, and comes back answered."""
    html = article_html("".join(f"<p>{PARAGRAPH}</p>" for _ in range(4))).encode()
    loopback.route("/story", (200, {"Content-Type": "text/html; charset=utf-8"}, html))
    expected = extract_article(html, loopback.url("/story"), {"Content-Type": "text/html; charset=utf-8"})
    assert expected is not None
    async with (
        Fetcher(FetchLimits(allow_private=True, total_timeout=30, page_delay=0)) as fetcher,
        ParsePool(workers=1, inline_bytes=0) as pool,
    ):
        for worker in (pool, None):
            fetched = await fetch_article(fetcher, loopback.url("/story"), worker=worker, then=len)
            assert fetched.article == expected and fetched.then == len(expected.text), worker
        plain = await fetch_article(fetcher, loopback.url("/story"), worker=pool)
        assert plain.article == expected and plain.then is None


@pytest.mark.parametrize(
    ("data", "page"),
    [
        (b"<!DOCTYPE html><html><body><p>x</p></body></html>", True),
        (b"\xef\xbb\xbf\n  <!doctype HTML>\n<html>", True),
        (b'<?xml version="1.0"?>\n<!-- saved by a browser -->\n<html xmlns="http://www.w3.org/1999/xhtml">', True),
        (b"<html>\n<head><title>t</title>", True),
        (b"The <html> tag opens every page, the reporter wrote.", False),
        (b"<3 rare earths", False),
        (b'<?xml version="1.0"?><rss version="2.0"><channel>', False),
        (b"", False),
    ],
)
def test_a_saved_page_is_told_from_plain_text(data: bytes, page: bool) -> None:
    assert is_html_page(data) is page


CONSENT_WALL = (
    "<h1>Yahoo is part of the Yahoo family of brands</h1>"
    "<p>When you use our sites and apps, we use cookies to provide our sites and apps to you, authenticate users, "
    "apply security measures, and prevent spam and abuse, and measure your use of our sites and apps.</p>"
    "<p>If you click 'Accept all', we and our partners, including 238 who are part of the IAB Transparency &amp; "
    "Consent Framework, will also store and/or access information on a device (in other words, use cookies) and use "
    "precise geolocation data and other personal data for personalised advertising and content.</p>"
    "<p>If you do not want us and our partners to use cookies and personal data for these additional purposes, "
    "click 'Reject all'.</p><p>If you would like to customise your choices, click 'Manage privacy settings'.</p>"
    "<p>You can change your choices at any time by clicking on the 'Privacy &amp; cookie settings' links on our "
    "sites and apps. Find out more about how we use your personal data in our privacy policy and cookie policy.</p>"
)


def test_a_consent_wall_is_no_article() -> None:
    # What EU visitors and bots get from Yahoo, AOL, TechRadar …: the item's feed text is better than the wall.
    assert extract_article(article_html(CONSENT_WALL).encode(), "https://e.com/a") is None


def test_news_about_cookies_and_privacy_is_an_article() -> None:
    # The wall is told by its second person, not by its subject.
    body = (
        "<p>European regulators fined the company 150 million euros on Thursday over a cookie consent banner that "
        "made refusing harder than accepting, the privacy watchdog said in a statement.</p>"
        "<p>The company said it would appeal. Its banner asks: “Do you accept all cookies?” Critics said the "
        "design nudged users toward sharing personal data with advertising partners.</p>"
    )
    article = extract_article(article_html(body, title="Regulators fine company over cookie banner").encode(), "u")
    assert article is not None and "150 million euros" in article.text


def test_a_page_built_by_script_leaves_no_template_as_its_text() -> None:
    # The real page holds its article only as the template a browser fills in: "{{nrco.contentDetailController…}}".
    assert (
        extract_article(_page("lanouvellerepublique.fr.martin.html"), "https://www.lanouvellerepublique.fr/a") is None
    )
