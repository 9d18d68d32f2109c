"""Full article text from a downloaded page (trafilatura), bounded in time, with the feed as the fallback.

API:

    await fetch_article(fetcher, url, worker=None, then=None) -> FetchedArticle  # the one "fetch a page, extract it" path
    await fetch_articles(fetcher, [(url, then), ...], worker=None) -> [FetchedArticle, ...]  # ... for a feed's pages
    extract_article(html: bytes, url: str, headers: Mapping[str, str] | None = None) -> ArticleText | None
    from_feed(title, summary, content="") -> ArticleText | None        # source="feed", when the page cannot be had
    ArticleText(text, title, source: "page" | "feed")                  # title: the headline, not the site's name or date

The page is decoded with the HTTP charset, then its <meta> charset, then heuristics (`bot.charset`), and handed to
trafilatura as text (main text only: no comments, no navigation). trafilatura's time grows faster than linearly
with the number of elements on some shapes (100k paragraphs: 45 s; 2,500 small tables: 2.8 s), so before it runs,
script/style blocks and comments are removed and the page is cut after MAX_ELEMENTS start tags and MAX_CHARS
characters (the article body comes first on real pages; the largest page of feeds-corpus/pages has 1,763
elements). In the poller's worker processes (bot.parse_pool) a page still being extracted at twice ARTICLE_TIMEOUT
has its worker killed: the bound for shapes we have not met. None when nothing usable (under MIN_TEXT characters)
came out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from bot.charset import decode_body
from bot.feeds import drop_blocks, html_to_text
from bot.fetch import Fetcher
from bot.parse_pool import ParsePool
from summarizer.furniture import OUTLET_NAME_WORDS, clean_title

log = logging.getLogger(__name__)

T = TypeVar("T")

# Tuning, measured with trafilatura 2.3 on this machine (see the module docstring): 8,000 start tags keep the worst
# shape we found (tables) near 2 s and are 4.5x the largest real page in feeds-corpus/pages.
MAX_ELEMENTS = 8000
MAX_CHARS = 2_000_000  # one 5 MB paragraph took 1.5 s; real article pages hold under 100 kB of text
MIN_TEXT = 200  # characters; below this the "article" is a teaser, a paywall or a cookie wall
MAX_TEXT = 100_000  # characters kept; the longest real article in the corpus is about 15,000
# Most seconds one page's extraction may take before it is abandoned (pages are cut to MAX_ELEMENTS first, which
# keeps the worst shapes measured above near 2 s).
ARTICLE_TIMEOUT = 10.0

_START_TAG = re.compile(r"<[A-Za-z]")
# What a site puts between a page title's headline and its own furniture ("… | DW | 19.01.2020", "… - Site"); not
# ":", which is the headline's own ("Ukraine war: …").
_FURNITURE_SEPARATOR = re.compile(r"\s*\|\s*|\s+[-–—•·]\s+")
_NOISE_OPEN = re.compile(r"<(script|style|noscript|svg|template)\b", re.I)
# A page built by script in the reader's browser leaves its template's expressions as its only "text"
# ("{{nrco.contentDetailController.content.status === …}}", lanouvellerepublique.fr): never an article's words.
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
# A consent, cookie or sign-in wall speaks to the reader about the site itself ("If you click 'Accept all', we and
# our partners …", "You can change your choices at any time …"); news prose does neither. A sentence that addresses
# "you" and names the wall's business is the wall's (over the 1,750 articles of ../shared/eval, such sentences hold
# at most 19% of one text's words; 0% in most).
_WALL_WORDS = re.compile(
    r"\b(?:cookies?|personal\s+data|privacy|consent|our\s+partners|accept\s+all|reject\s+all|subscri(?:be|ption)"
    r"|sign\s+in|log\s+in|javascript|ad[\s-]?blocker|your\s+browser)\b",
    re.I,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")  # rough, and enough to weigh the wall's sentences against the rest
_YOU = re.compile(r"\byou(?:r)?\b", re.I)
WALL_SHARE = 0.5  # of the text's words in the wall's sentences: the page is the wall, not the article behind it


@dataclass(frozen=True)
class ArticleText:
    """The text of one article and where it came from."""

    text: str
    title: str | None
    source: Literal["page", "feed"] = "page"


def extract_article(html: bytes, url: str, headers: Mapping[str, str] | None = None) -> ArticleText | None:
    """Main text and title of an article page, or None when the page yields nothing usable."""
    if not html or not html.strip():
        return None
    import trafilatura  # ~25 MB: loaded where pages are extracted (the worker processes), not by every importer

    content_type = {k.lower(): v for k, v in (headers or {}).items()}.get("content-type")
    page = _bounded(decode_body(html, content_type, html=True).text)
    try:
        tree = trafilatura.load_html(page)
        # Without metadata: trafilatura's metadata pass dates the page (htmldate, dateparser: about 40 ms a page)
        # and we use only its title, which _page_headline takes the same way. bare_extraction works on a copy.
        doc = trafilatura.bare_extraction(
            tree if tree is not None else page,
            url=url,
            include_comments=False,
            include_tables=True,
            with_metadata=False,
            deduplicate=False,
        )
    except Exception as exc:  # trafilatura/lxml raise many kinds on hostile markup; a bad page is not fatal
        log.warning("article %s: extraction failed: %s: %s", url, type(exc).__name__, exc)
        return None
    text = _TEMPLATE.sub("", (getattr(doc, "text", None) or "") if doc is not None else "").strip()
    if len(text) < MIN_TEXT:
        log.info("article %s: no usable text (%d characters)", url, len(text))
        return None
    if _is_wall(text):
        log.info("article %s: a consent or sign-in wall, not the article", url)
        return None
    return ArticleText(text=text[:MAX_TEXT], title=_page_headline(tree, url), source="page")


def _is_wall(text: str) -> bool:
    """True when most of the text's words are in sentences that speak to the reader about cookies, consent,
    subscriptions or signing in: the page a site shows instead of its article (the item's feed text is better)."""
    sentences = [sentence.split() for sentence in _SENTENCE_END.split(text)]
    total = sum(len(words) for words in sentences)
    wall = sum(
        len(words) for words in sentences if _WALL_WORDS.search(" ".join(words)) and _YOU.search(" ".join(words))
    )
    return total > 0 and wall >= WALL_SHARE * total


def _page_headline(tree: Any, url: str) -> str | None:
    """The page's headline: its title as trafilatura's metadata pass finds it (meta tags, then JSON-LD, then
    h1/<title>), without the site's furniture after it (the page title is written for search engines and tabs:
    "Berlin confronts … initiative | DW | 19.01.2020", "Meta Outage Hits … | Kulu Media")."""
    if tree is None:
        return None
    from trafilatura.metadata import examine_meta, extract_meta_json, extract_title

    try:
        meta = examine_meta(tree)
        with contextlib.suppress(Exception):  # trafilatura's own metadata pass tolerates broken JSON-LD the same way
            meta = extract_meta_json(tree, meta)
        title = html_to_text(meta.title or extract_title(tree) or "", 500)
        host = urlsplit(url).hostname  # ValueError on a malformed address ("http://[x")
    except Exception as exc:
        log.info("page title not found: %s: %s", type(exc).__name__, exc)
        return None
    if not title:
        return None
    # The site's name goes only where it is named (og:site_name, the host), so a headline's own " - " part stays.
    return clean_title(_own_heading(tree, title), outlet=meta.sitename, feed=host) or title


def _own_heading(tree: Any, title: str) -> str:
    """The page's own <h1> when the title is that heading plus a shorter tail of at most OUTLET_NAME_WORDS words after
    a separator: the tail is the site's furniture, whatever it says (a date, a section: no list of names needed);
    else the title. A heading that is only the start of the headline ("Kremlin talks" of "Kremlin talks - the first
    in two years and the last before the vote") is shorter than its tail and leaves the title whole."""
    for h1 in tree.iter("h1"):
        heading = " ".join(h1.text_content().split())
        if not heading or not title.startswith(heading):
            continue
        sep = _FURNITURE_SEPARATOR.match(title, len(heading))
        tail = title[sep.end() :].split() if sep else []
        if tail and len(tail) <= OUTLET_NAME_WORDS and len(tail) < len(heading.split()):
            return heading
    return title


def from_feed(title: str | None, summary: str | None, content: str | None = "") -> ArticleText | None:
    """The feed's own text (content:encoded if longer, else the summary) as the article, marked source="feed"."""
    text = max((content or "", summary or ""), key=len).strip()
    if not text:
        return None
    return ArticleText(text=text[:MAX_TEXT], title=title or None, source="feed")


def _bounded(page: str) -> str:
    """The page without script-like blocks and comments, cut to MAX_ELEMENTS start tags and MAX_CHARS."""
    page = drop_blocks(page, _NOISE_OPEN)
    for tags, match in enumerate(_START_TAG.finditer(page), 1):
        if tags > MAX_ELEMENTS:
            page = page[: match.start()]
            break
    return page[:MAX_CHARS]


@dataclass(frozen=True)
class FetchedArticle:
    """A page fetched and its article extracted, or why not (``error``, a message for the user)."""

    url: str  # the final URL, after redirects
    article: ArticleText | None
    error: str | None = None
    then: Any = None  # fetch_article's ``then`` applied to the text, where it ran in the extraction's call


def extract_then(
    then: Callable[[str], T] | None, html: bytes, url: str, headers: Mapping[str, str] | None = None
) -> tuple[ArticleText | None, T | None]:
    """extract_article, then ``then`` on the article's text (None when there is no text): one worker call."""
    article = extract_article(html, url, headers)
    if article is None or then is None or not article.text.strip():
        return article, None
    return article, then(article.text)


def extract_then_many(calls: Sequence[tuple[Any, bytes, str, Mapping[str, str]]]) -> list[tuple[Any, Any]]:
    """extract_then for each (then, html, url, headers): the pages of one feed in one worker call."""
    return [extract_then(then, html, url, headers) for then, html, url, headers in calls]


async def fetch_article(
    fetcher: Fetcher,
    url: str,
    *,
    worker: ParsePool | None = None,
    timeout: float = ARTICLE_TIMEOUT,
    then: Callable[[str], Any] | None = None,
) -> FetchedArticle:
    """Fetch ``url`` under the fetcher's limits and extract its article, never on the event loop.

    With a ParsePool the extraction runs in one of its worker processes (on every core); without, in a thread.
    After ``timeout`` seconds of extraction (waiting for a free pool worker not counted) the caller is answered; a
    thread finishes that page on its own (pages are bounded by MAX_ELEMENTS), a pool worker too unless it is still
    at it at twice the timeout (then it is killed: bot.parse_pool).

    ``then`` (picklable, for a ParsePool): what the caller does next with the article's text, run in the same call
    as the extraction (the text need not travel back and out again); its answer is ``FetchedArticle.then``.
    """
    return (await fetch_articles(fetcher, [(url, then)], worker=worker, timeout=timeout))[0]


async def fetch_articles(
    fetcher: Fetcher,
    pages: Sequence[tuple[str, Callable[[str], Any] | None]],
    *,
    worker: ParsePool | None = None,
    timeout: float = ARTICLE_TIMEOUT,
    linked_from_public: bool = False,
) -> list[FetchedArticle]:
    """fetch_article for each (url, then) of ``pages``, in their order: fetched at once, then extracted together in
    one worker call. A call costs the poller's process about 0.3 ms (a quarter of extracting one of bench/poll.py's
    pages, 1.2 ms, but the poller's process is what paces a cycle): a feed's pages in one call, the first cycle's
    2,513 page calls are 500. The batch has ``timeout`` for each page; if it runs over, each page is extracted again
    on its own, so only a page that is itself too slow goes without text. ``linked_from_public``: the pages are a
    public feed's links (Fetcher.get)."""
    results = await asyncio.gather(
        *(fetcher.get(url, kind="page", linked_from_public=linked_from_public) for url, _ in pages)
    )
    out: dict[int, FetchedArticle] = {}
    todo: list[tuple[int, tuple[Any, bytes, str, dict[str, str]]]] = []
    for k, ((url, then), result) in enumerate(zip(pages, results, strict=True)):
        final = result.final_url or url
        if result.error:
            out[k] = FetchedArticle(final, None, result.error)
        elif not result.body:
            out[k] = FetchedArticle(final, None, "the page was empty")
        else:
            todo.append((k, (then, result.body, final, dict(result.headers))))
    if todo:
        calls = [call for _, call in todo]
        try:
            answers: list[tuple[Any, Any] | None] = list(await _extract(worker, calls, timeout * len(calls)))
        except TimeoutError:
            answers = [None] * len(calls)
            if len(calls) > 1:  # which page was slow: each on its own, with its own timeout
                alone = await asyncio.gather(*(_extract_one(worker, call, timeout) for call in calls))
                answers = list(alone)
        for (k, (_, _, final, _)), answer in zip(todo, answers, strict=True):
            out[k] = _fetched(final, answer, timeout)
    return [out[k] for k in range(len(pages))]


async def _extract(
    worker: ParsePool | None, calls: list[tuple[Any, bytes, str, dict[str, str]]], timeout: float
) -> list[tuple[Any, Any]]:
    """extract_then_many in a pool worker (the timeout counts the extraction, not its wait for a free worker) or in a
    thread."""
    if worker is not None:
        return await worker.call(extract_then_many, calls, timeout=timeout)
    return await asyncio.wait_for(asyncio.to_thread(extract_then_many, calls), timeout)


async def _extract_one(
    worker: ParsePool | None, call: tuple[Any, bytes, str, dict[str, str]], timeout: float
) -> tuple[Any, Any] | None:
    try:
        return (await _extract(worker, [call], timeout))[0]
    except TimeoutError:
        return None


def _fetched(final: str, answer: tuple[Any, Any] | None, timeout: float) -> FetchedArticle:
    """A page's FetchedArticle from its extraction's answer (None: it ran over ``timeout``)."""
    if answer is None:
        log.warning("article %s: extraction took over %.0f s, abandoned", final, timeout)
        return FetchedArticle(final, None, "the page took too long to read")
    article, after = answer
    if article is None or not article.text.strip():
        return FetchedArticle(final, None, "no article text found on the page")
    return FetchedArticle(final, article, then=after)
