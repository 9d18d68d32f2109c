"""Every file of ../shared/feeds-corpus through the real fetch path (loopback) and parse_feed / extract_article.

Expectations come from the manifests: `parse-ok` and `bozo-but-usable` feeds parse without error and give back
every entry the manifest counts (as items, dropped empties or collapsed duplicates: many of feedparser's own test
files hold one entry with a single field, such as a date, which we drop); `unusable` ones end in a logged error. items/ feeds give one item per manifest row; pages/ mostly give article text. Each file is time-bounded.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from budget import scale
from feeds_corpus import CORPUS, Case, corpus_cases
from loopback import Connection, LoopbackServer, Request, Response
from shared import shared_path

from bot.articles import MIN_TEXT, extract_article
from bot.feeds import parse_feed
from bot.fetch import Fetcher, FetchLimits

pytestmark = pytest.mark.slow  # every file of the corpus through the real fetch path

PER_FILE_SECONDS = 5.0

# feedparser flags these `unusable` because it applies RFC 3023 (text/xml without a charset is US-ASCII) and so
# fails on the declared charset; bot.charset honours the declaration, so the document reads as a valid feed that
# happens to be empty (no entries, title or link). Kept explicit so a change in behaviour shows up here.
RECOVERED = {
    "tests/illformed/http_high_bit_date.xml": "declared iso-8859-7 honoured; an empty but valid RSS channel",
}


@pytest.fixture(scope="module")
def corpus() -> Iterator[tuple[LoopbackServer, list[Case]]]:
    shared_path("feeds-corpus")  # fails under CI=true, skips loudly elsewhere
    cases = list(corpus_cases())
    by_route = {f"/{c.folder}/{c.path}": c for c in cases}

    def serve(request: Request, conn: Connection) -> Response:
        case = by_route.get(request.route)
        if case is None:
            return Response(404, {}, b"")
        return Response(200, case.headers, (CORPUS / case.folder / case.path).read_bytes())

    with LoopbackServer(default=serve) as server:
        yield server, cases


def _check_feed(case: Case, body: bytes, headers: dict[str, str], url: str) -> tuple[str | None, bool]:
    """A problem with this file's result (or None), and whether the feed was usable."""
    parsed = parse_feed(body, headers, url)
    usable = parsed.error is None
    if case.expected == "unusable":
        if case.path in RECOVERED:
            if parsed.error or parsed.items or parsed.title:
                return f"recovered file changed: {parsed}", usable
            return None, usable
        return (None if parsed.error else "expected an error, got a usable feed"), usable
    if parsed.error:
        return f"unexpected error: {parsed.error}", usable
    accounted = len(parsed.items) + parsed.dropped + parsed.duplicates
    if case.expected == "items":
        if len(parsed.items) != case.entries or not parsed.title:
            return f"{len(parsed.items)} items (manifest {case.entries}), title {parsed.title!r}", usable
    elif accounted != case.entries:
        return f"{accounted} entries accounted for, manifest says {case.entries}", usable
    for item in parsed.items:
        if not item.title or len(item.title) > 500 or not item.identity:
            return f"bad item {item}", usable
    return None, usable


async def _sweep(server: LoopbackServer, cases: list[Case]) -> tuple[list[str], list[tuple[float, str]], Counter[str]]:
    problems: list[str] = []
    timings: list[tuple[float, str]] = []
    tally: Counter[str] = Counter()
    async with Fetcher(FetchLimits(allow_private=True, total_timeout=PER_FILE_SECONDS, page_delay=0)) as fetcher:
        for case in cases:
            url = server.url(f"/{case.folder}/{case.path}")
            started = time.process_time()  # CPU time: load on the shared machine does not count
            result = await fetcher.get(url, kind="page" if case.expected == "page" else "feed")
            if not result.ok:
                problems.append(f"{case.folder}/{case.path}: fetch failed: {result.error}")
                continue
            if case.expected == "page":
                article = extract_article(result.body, url, result.headers)
                tally["page-text" if article else "page-none"] += 1
                problem = None if article is None or len(article.text) >= MIN_TEXT else "short text"
            else:
                problem, usable = _check_feed(case, result.body, dict(result.headers), url)
                tally["usable" if usable else "unusable"] += 1
            elapsed = time.process_time() - started
            timings.append((elapsed, f"{case.folder}/{case.path}"))
            if elapsed > scale(PER_FILE_SECONDS):
                problem = f"took {elapsed:.1f} s"
            if problem:
                problems.append(f"{case.folder}/{case.path} [{case.expected}]: {problem}")
    return problems, timings, tally


async def test_feeds_corpus_sweep(corpus: tuple[LoopbackServer, list[Case]], caplog: pytest.LogCaptureFixture) -> None:
    server, cases = corpus
    feeds = [c for c in cases if c.expected != "page"]
    with caplog.at_level(logging.DEBUG, logger="bot.feeds"):  # (a DEBUG line: the poller's WARNING names the feed)
        problems, timings, tally = await _sweep(server, feeds)
    assert not problems, "\n".join(problems)
    unusable = [c for c in feeds if c.expected == "unusable" and c.path not in RECOVERED]
    logged = [r for r in caplog.records if "unusable" in r.getMessage()]  # one line for each, no more
    assert len(logged) == len(unusable) == tally["unusable"]
    assert len(feeds) > 300 and tally["usable"] == len(feeds) - len(unusable)
    slowest = max(timings)
    print(
        f"\nfeeds: {len(feeds)} files, {tally['usable']} usable, {tally['unusable']} unusable; slowest {slowest[1]} {slowest[0]:.3f} s"
    )


async def test_pages_corpus_sweep(corpus: tuple[LoopbackServer, list[Case]]) -> None:
    server, cases = corpus
    pages = [c for c in cases if c.expected == "page"]
    problems, timings, tally = await _sweep(server, pages)
    assert not problems, "\n".join(problems)
    assert len(pages) >= 20 and tally["page-text"] >= 0.9 * len(pages), tally
    slowest = max(timings)
    print(f"\npages: {len(pages)} files, {tally['page-text']} with text; slowest {slowest[1]} {slowest[0]:.3f} s")
