"""One poll cycle: due feeds → fetch → parse → new items → relevance → full text → analysis → stories.

API::

    report = await poll_once(config, store, limits=FetchLimits(...), now=None, matcher=None, analyzer=analyze)
    await run_forever(config, store, limits=..., stop=asyncio.Event())

A cycle syncs feeds.yaml into the store, leases the feeds that are due (so instances sharing a database
split them), fetches them concurrently with their ETag/Last-Modified, and writes everything one feed
produced in one transaction: a process killed at any moment loses nothing and repeats nothing on
restart (unfinished work is simply redone; items are only "seen" once their transaction commits).
Feeds are parsed in worker processes (bot.parse_pool); feeds that answered 304 have nothing to write but their
health, which is recorded for all of them in one statement after the feeds. Stories whose members changed get
their merged analysis recomputed after the feeds, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from summarizer import analyze as default_analyze
from summarizer import summarize_story
from summarizer.models import Analysis, StoryArticle

from .articles import ArticleText, ArticleWorker, extract_article, from_feed
from .fetch import Fetcher, FetchLimits, FetchResult
from .parse_pool import ParsePool, shared_parse_pool
from .store import FeedState, ItemKey, NewItem, PendingItem, Store, title_key
from .stories import NEAR_MISS_THRESHOLD, Fingerprint, StoryIndex, fingerprint, merge_figures, merge_quotes
from .topics import TopicMatcher

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- tuning (see each comment)
# Back-off after a failed fetch: the feed's interval doubled per consecutive failure, capped. Six hours
# keeps a broken feed visible in /status within a working day without hammering its server.
MAX_BACKOFF_SECONDS = 6 * 3600
# A lease lasts the cycle's deadline plus this margin (a cycle cancels its work at the deadline), so a
# killed instance's feeds are free again a few minutes later and never polled twice at once.
LEASE_MARGIN_SECONDS = 60
# A feed with items kept for later (per-cycle cap) comes back this soon, without re-fetching the feed.
BACKLOG_DELAY_SECONDS = 60
# Story summary length (sentences), as in the digest (bot/digest.py DIGEST_SUMMARY_SENTENCES).
STORY_SUMMARY_SENTENCES = 3
# Most figures / quotes kept on a story after merging outlets: more is never shown (bot/digest.py).
STORY_MAX_FIGURES = 12
STORY_MAX_QUOTES = 12
# Member fingerprints kept per story for clustering: the first tellings and the latest ones suffice.
STORY_MAX_FINGERPRINTS = 30
# Most seconds one page's text extraction may take in the worker process before it is abandoned (pages are
# cut to bot.articles.MAX_ELEMENTS first, which keeps the worst shapes measured there near 2 s).
ARTICLE_TIMEOUT = 10.0
# run_forever sleeps until the next feed is due, but at least / at most this long.
MIN_SLEEP_SECONDS = 1.0
MAX_SLEEP_SECONDS = 60.0

Analyzer = Callable[[str, str | None], Analysis]


@dataclass(frozen=True)
class PollOptions:
    """The poll limits the cycle uses (from ``config.poll``; defaults match bot.settings.PollSettings)."""

    max_items_per_feed: int = 100
    max_items_per_cycle: int = 500
    max_age_days: float = 7.0
    fetch_full_text: bool = True
    failure_disable_after: int = 20
    story_window_hours: float = 72.0
    deadline_seconds: float = 300.0

    @property
    def lease_seconds(self) -> float:
        """A lease outlives the cycle's deadline (work past it is cancelled), so a crashed owner's expire soon."""
        return self.deadline_seconds + LEASE_MARGIN_SECONDS

    @classmethod
    def from_config(cls, config: Any) -> PollOptions:
        """Read the limits from ``config.poll`` (any attribute missing keeps its default)."""
        poll = getattr(config, "poll", None)
        return cls(**{n: getattr(poll, n) for n in cls.__dataclass_fields__ if hasattr(poll, n)})


def fetch_limits(config: Any, allow_private: bool = False) -> FetchLimits:
    """FetchLimits from ``config.poll`` (concurrency, per-host, timeouts, sizes, user agent)."""
    poll = getattr(config, "poll", None)
    if poll is None:
        return FetchLimits(allow_private=allow_private)
    return FetchLimits(
        total_timeout=float(poll.timeout_seconds),
        max_bytes=max(int(poll.max_bytes), int(poll.max_page_bytes)),
        max_connections=int(poll.concurrency),
        per_host=int(poll.per_host),
        allow_private=allow_private,
        user_agent=poll.user_agent,
    )


def default_owner() -> str:
    """A lease owner name unique to this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class CycleReport:
    """What one cycle did (for logs, /status and the benchmark)."""

    started_at: datetime
    elapsed: float
    feeds_due: int
    fetched: int  # 200 answers parsed
    not_modified: int  # 304 answers
    failed: int
    disabled: tuple[str, ...]  # feeds disabled by this cycle
    new_items: int  # stored this cycle (processed or kept for later)
    processed: int  # items that went through relevance this cycle
    on_topic: int
    pending: int  # items kept for a later cycle, all feeds
    stories_created: int
    stories_updated: int
    stories_analysed: int
    errors: tuple[tuple[str, str], ...]  # (feed name, error)
    timed_out: bool = False


@dataclass
class _Counters:
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    disabled: list[str] = field(default_factory=list)
    new_items: int = 0
    processed: int = 0
    on_topic: int = 0
    stories_created: int = 0
    stories_updated: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Candidate:
    """An item to look at this cycle: freshly parsed (``pending_id`` None) or from the backlog."""

    key: ItemKey
    title: str | None
    summary: str | None
    published: datetime | None
    alertable: bool
    pending_id: int | None = None
    content: str | None = None  # the feed's full content (content:encoded), a fallback for the page
    feed_link: str | None = None  # the link as the feed gave it (key.link is canonical)


class _Budget:
    """The cycle-wide cap on items processed (``max_items_per_cycle``), shared by concurrent feeds."""

    def __init__(self, total: int) -> None:
        self.left = total

    def take(self, wanted: int) -> int:
        got = max(0, min(wanted, self.left))
        self.left -= got
        return got


class _Cycle:
    """Everything one cycle shares: store, fetcher, matcher, analyzer, options, counters."""

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        matcher: TopicMatcher,
        analyzer: Analyzer | None,
        options: PollOptions,
        owner: str,
        now: datetime,
        articles: ArticleWorker | None = None,
        parser: ParsePool | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.matcher = matcher
        self.analyzer = analyzer
        self.options = options
        self.owner = owner
        self.now = now
        self.articles = articles  # None: pages are extracted in a thread of this process
        self.parser = parser or shared_parse_pool()
        self.unchanged: list[tuple[FeedState, FetchResult]] = []  # 304s, recorded together at the end
        self._extract_lock = asyncio.Lock()
        self.budget = _Budget(options.max_items_per_cycle)
        self.counters = _Counters()
        self._index: StoryIndex | None = None  # see _story_index
        self._recent: dict[int, Any] = {}
        self._story_revision = 0

    # ------------------------------------------------------------------ one feed

    async def poll_feed(self, feed: FeedState) -> None:
        """Fetch, parse and store one feed; any unexpected error is recorded as the feed's failure."""
        try:
            await self._poll_feed(feed)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("feed %s (%s): unexpected error", feed.name, feed.url)
            await self._record_failure(feed, f"internal error: {type(exc).__name__}: {exc}", None, 0)

    async def _poll_feed(self, feed: FeedState) -> None:
        now = self.now
        backlog_only = (
            feed.last_attempt_at is not None
            and feed.initialised
            and feed.failures == 0
            and now < feed.last_attempt_at + timedelta(seconds=feed.interval)
        )
        if backlog_only:  # brought back early only to work through items kept for later
            await self._store_feed(feed, None, None, [])
            return
        result = await self.fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified, kind="feed")
        if result.error:
            await self._record_failure(feed, result.error, result.retry_after, result.status)
            return
        if result.not_modified:
            self.counters.not_modified += 1
            if feed.backlog or (result.permanent_redirect and result.permanent_redirect != feed.url):
                await self._store_feed(feed, result, None, [])
            else:  # nothing to write but the feed's health: one statement for all of them, after the feeds
                self.unchanged.append((feed, result))
            return
        parsed = await self.parser.parse(result.body, result.headers, result.final_url, self.now)
        items = list(getattr(parsed, "items", ()) or ())
        if not items and getattr(parsed, "error", None):
            error = str(parsed.error)
            await self._record_failure(
                feed, error if error.startswith("not a feed") else f"not a feed: {error}", None, result.status
            )
            return
        self.counters.fetched += 1
        await self._store_feed(feed, result, getattr(parsed, "title", None), items)

    async def _store_feed(
        self, feed: FeedState, result: FetchResult | None, feed_title: str | None, items: Sequence[Any]
    ) -> None:
        """Pick this cycle's work, process it, and write the whole outcome in one transaction."""
        opts = self.options
        candidates = self._fresh_candidates(feed, items)
        if not feed.backlog and not any(self._may_be_relevant(feed, c) for c in candidates):
            await self._store_plain(feed, result, feed_title, candidates)
            return
        fresh_keys = [c.key for c in candidates]
        known = await self.store.known_keys(feed.id, fresh_keys)
        fresh = [c for c in candidates if c.key.identity not in known]
        backlog = await self.store.pending_items(feed.id, opts.max_items_per_feed + 1) if feed.backlog else []
        more_backlog = len(backlog) > opts.max_items_per_feed
        backlog = backlog[: opts.max_items_per_feed]
        pool = sorted(
            [*fresh, *(_from_pending(p) for p in backlog)],
            key=lambda c: (c.published or self.now, c.pending_id is None),
            reverse=True,
        )
        take = self.budget.take(min(len(pool), opts.max_items_per_feed))
        chosen, rest = pool[:take], pool[take:]
        processed = await self._process_all(feed, chosen)
        later = [c for c in rest if c.pending_id is None]

        try:
            await self._write_feed(feed, result, feed_title, chosen, processed, later, bool(rest) or more_backlog)
        except BaseException:
            self._index = None  # it may hold stories of the transaction that was rolled back
            raise

    async def _store_plain(
        self, feed: FeedState, result: FetchResult | None, feed_title: str | None, candidates: list[_Candidate]
    ) -> None:
        """Items none of which can be on topic: no page to fetch, nothing to analyse, so what is already known is
        looked up inside the one transaction that stores the new ones as seen (one query instead of two)."""
        opts = self.options
        async with self.store.feed_transaction() as tx:
            keys = [c.key for c in candidates]
            # A feed's items are written with its first successful poll, so before it only links (shared with
            # other feeds) can be known already.
            known = await (tx.known(feed.id, keys) if feed.initialised else tx.known_links(keys))
            fresh = sorted(
                (c for c in candidates if c.key.identity not in known),
                key=lambda c: c.published or self.now,
                reverse=True,
            )
            take = self.budget.take(min(len(fresh), opts.max_items_per_feed))
            new = [_as_new(c, state="done") for c in fresh[:take]]
            new += [
                _as_new(c, state="pending", text=c.content, text_source="feed" if c.content else None)
                for c in fresh[take:]
            ]
            await tx.add_many(feed.id, new, self.now)
            await tx.update_feed(feed.id, **self._feed_values(feed, result, feed_title, take < len(fresh)))
        self.counters.new_items += len(fresh)
        self.counters.processed += take
        if result is not None and feed.failures:
            log.info("feed %s recovered after %d failures", feed.name, feed.failures)

    async def _write_feed(
        self,
        feed: FeedState,
        result: FetchResult | None,
        feed_title: str | None,
        chosen: list[_Candidate],
        processed: Sequence[NewItem],
        later: list[_Candidate],
        still_pending: bool,
    ) -> None:
        """Everything this poll of the feed produced, in one transaction."""
        async with self.store.feed_transaction() as tx:
            # Checked again inside the transaction: another feed may have stored the same link meanwhile (guid,
            # identity and title+date are per feed, and this feed is ours alone while we hold its lease).
            fresh_keys = [c.key for c in chosen if c.pending_id is None] + [c.key for c in later]
            known_now = await tx.known_links(fresh_keys)
            done = [(c, item) for c, item in zip(chosen, processed, strict=True) if c.key.identity not in known_now]
            later = [c for c in later if c.key.identity not in known_now]
            plain = [item for c, item in done if c.pending_id is None and not item.topics]
            kept = [
                _as_new(c, state="pending", text=c.content, text_source="feed" if c.content else None) for c in later
            ]
            await tx.add_many(feed.id, plain + kept, self.now)  # one statement for every item nobody waits on
            on_topic: list[tuple[int, NewItem]] = []
            for c, item in done:
                if c.pending_id is not None:
                    await tx.complete_item(c.pending_id, item)
                    if item.topics:
                        on_topic.append((c.pending_id, item))
            fresh_hits = [item for c, item in done if c.pending_id is None and item.topics]
            if fresh_hits:
                ids = await tx.add_items(feed.id, fresh_hits, self.now)
                on_topic.extend(zip(ids, fresh_hits, strict=True))
            await tx.update_feed(feed.id, **self._feed_values(feed, result, feed_title, still_pending))
        c = self.counters
        c.new_items += sum(1 for cand, _ in done if cand.pending_id is None) + len(later)
        c.processed += len(done)
        c.on_topic += len(on_topic)
        if result is not None and feed.failures:
            log.info("feed %s recovered after %d failures", feed.name, feed.failures)

    def _fresh_candidates(self, feed: FeedState, items: Sequence[Any]) -> list[_Candidate]:
        """Parsed items within the age limit, each once, keyed by guid / canonical link / title+date."""
        oldest = self.now - timedelta(days=self.options.max_age_days)
        seen_identities: set[str] = set()
        seen_guids: set[str] = set()
        seen_links: set[str] = set()
        out = []
        for item in items:
            published = _utc(getattr(item, "published", None))
            if published is not None and published < oldest:
                continue
            link = getattr(item, "link", None) or None  # already canonical (bot.feeds)
            key = ItemKey(
                identity=str(getattr(item, "identity", None) or link or getattr(item, "guid", None) or ""),
                guid=getattr(item, "guid", None) or None,
                link=link,
                title_key=title_key(getattr(item, "title", None), published),
            )
            if (
                not key.identity
                or key.identity in seen_identities
                or (key.guid and key.guid in seen_guids)
                or (key.link and key.link in seen_links)
            ):
                continue
            seen_identities.add(key.identity)
            if key.guid:
                seen_guids.add(key.guid)
            if key.link:
                seen_links.add(key.link)
            out.append(
                _Candidate(
                    key=key,
                    title=getattr(item, "title", None),
                    summary=getattr(item, "summary", None),
                    published=published,
                    alertable=feed.initialised,  # a feed's first poll is history, never an alert
                    content=getattr(item, "content", None) or None,
                    feed_link=getattr(item, "feed_link", None) or None,
                )
            )
        return out

    def _may_be_relevant(self, feed: FeedState, c: _Candidate) -> bool:
        """Whether title + summary point at one of the feed's topics (then the page decides; else it is off topic)."""
        return any(not feed.topics or m.topic in feed.topics for m in self.matcher.score(c.title, c.summary, ""))

    async def _process_all(self, feed: FeedState, chosen: list[_Candidate]) -> list[NewItem]:
        """Relevance for every chosen item: a quick look at title + summary here, the rest only for possible matches."""
        out: list[NewItem | None] = []
        hot: list[int] = []
        for i, c in enumerate(chosen):
            if self._may_be_relevant(feed, c):
                hot.append(i)
                out.append(None)
            else:  # nothing points at any topic: stored as seen, no page fetched
                out.append(_as_new(c, state="done"))
        if hot:
            for i, item in zip(hot, await asyncio.gather(*(self._process(feed, chosen[i]) for i in hot)), strict=True):
                out[i] = item
        return [item for item in out if item is not None]

    async def _process(self, feed: FeedState, c: _Candidate) -> NewItem:
        """Relevance on title + summary; for a possible match, the page's full text; then analysis."""
        topics = set(feed.topics)
        first = [m for m in self.matcher.score(c.title, c.summary, "") if not topics or m.topic in topics]
        if not first:  # nothing points at any topic: stored as seen, no page fetched
            return _as_new(c, state="done")
        article = None
        if self.options.fetch_full_text and c.key.link:
            article = await self._full_text(c.key.link)
        page_text = article.text if article else ""
        matches = [m for m in self.matcher.match(c.title, c.summary, page_text) if not topics or m.topic in topics]
        if not matches:
            return _as_new(c, state="done")
        article = article or from_feed(c.title, c.summary, c.content)  # the feed's words, marked as such
        item = _as_new(
            c,
            state="done",
            text=article.text if article else None,
            text_source=article.source if article else None,
            topics=tuple(m.topic for m in matches),
            terms={m.topic: list(m.terms) for m in matches},
            relevance=max(m.score for m in matches),
        )
        if article and self.analyzer is not None:
            analysis = await asyncio.to_thread(_analyse, self.analyzer, article.text, c.title, feed.name, c.key.link)
            item = replace(item, analysis=analysis)
        return item

    async def _full_text(self, link: str) -> ArticleText | None:
        """The article page's main text, or None (fetch failed, nothing usable, extraction too slow)."""
        result = await self.fetcher.get(link, kind="page")
        if result.error or not result.body:
            return None
        headers = dict(result.headers)
        if self.articles is None:
            return await asyncio.to_thread(extract_article, result.body, result.final_url, headers)
        async with self._extract_lock:  # one page at a time, so the worker's timeout covers only that page
            return await self.articles.extract(result.body, result.final_url, headers)

    async def cluster_collected(self) -> None:
        """Cluster the on-topic items stored without a story, in one transaction, when every feed is done: stories
        do not depend on the order in which feeds answer, and a cycle killed before this point loses nothing."""
        try:
            async with self.store.feed_transaction() as tx:
                since = self.now - timedelta(hours=self.options.story_window_hours)
                members = await tx.unclustered_items(since)  # this cycle's, and any a dead cycle left
                if members:
                    await self._cluster(tx, members)
                # This cycle's near misses (a Russian actor and an arrest, no US actor named) join a story that
                # another telling put on their topic: a story's topics come from all its members.
                near = [
                    (item_id, replace(item, topics=partial))
                    for item_id, item in await tx.unclustered_items(self.now, on_topic=False)
                    if (partial := self.matcher.partial(item.title, item.summary))
                ]
                if near:
                    await self._cluster(tx, near, join_only=True)
        except BaseException:
            self._index = None  # it may hold stories of the transaction that was rolled back
            raise

    async def _cluster(self, tx: Any, members: list[tuple[int, NewItem]], join_only: bool = False) -> None:
        """Attach each on-topic item to a recent story or start one, oldest publication first. ``join_only``: the
        items (near misses, their ``topics`` the ones they nearly match) only join stories on one of those topics."""
        index, recent = await self._story_index(tx)
        members = sorted(members, key=lambda m: (m[1].published_at or self.now, m[1].key.identity, m[0]))
        for item_id, item in members:
            published = item.published_at or self.now
            fp = fingerprint(item.title, _lead(item))
            found = index.find(fp, published)
            if join_only:
                if (
                    found is None
                    or found.similarity < NEAR_MISS_THRESHOLD
                    or not set(item.topics) & set(recent[found.story_key].topics)
                ):
                    continue
                item = replace(item, topics=(), terms={})  # the story's topics stand; the item adds none
            if found is None:
                story = await tx.create_story(
                    item.title or item.key.link or "(untitled)",
                    item.key.link,
                    item.topics,
                    item.terms,
                    _add_member(None, fp, published),
                    self.now,
                    item.alertable,
                    happened=published,
                )
                self.counters.stories_created += 1
            else:
                story = recent[found.story_key]
                story = replace(
                    story,
                    topics=tuple(dict.fromkeys([*story.topics, *item.topics])),
                    terms=_merge_terms(story.terms, item.terms),
                    fingerprint=_add_member(story.fingerprint, fp, published),
                    updated_at=self.now,
                )
                revision = await tx.update_story(
                    story.id, story.topics, story.terms, story.fingerprint, self.now, happened=published
                )
                story = replace(story, revision=revision)
                self.counters.stories_updated += 1
            index.load(story.id, ("story", story.id, fp.to_json()), fp, published)
            recent[story.id] = story
            self._story_revision = max(self._story_revision, story.revision)
            await tx.set_item_story(item_id, story.id)

    async def _story_index(self, tx: Any) -> tuple[StoryIndex, dict[int, Any]]:
        """The cycle's clustering index, brought up to date with story writes committed since it was built.

        Built once per cycle from the stories of the window, then only stories with a newer revision (written
        by another feed's transaction or another instance) are loaded; our own writes are applied directly.
        """
        window = self.options.story_window_hours
        if self._index is None:
            self._index, self._recent, self._story_revision = StoryIndex(window_hours=window), {}, 0
        changed = await tx.recent_stories(self.now - timedelta(hours=window), after_revision=self._story_revision)
        for story in changed:
            self._recent[story.id] = story
            self._story_revision = max(self._story_revision, story.revision)
            for key, fp, published in _members_of(story.fingerprint):
                self._index.load(story.id, ("story", story.id, key), fp, published)
        return self._index, self._recent

    def _feed_values(
        self, feed: FeedState, result: FetchResult | None, feed_title: str | None, still_pending: bool
    ) -> dict[str, Any]:
        now = self.now
        if result is None:  # backlog only: the feed itself was not fetched
            assert feed.last_attempt_at is not None
            regular = feed.last_attempt_at + timedelta(seconds=feed.interval)
            return {
                "next_poll_at": min(regular, now + timedelta(seconds=BACKLOG_DELAY_SECONDS))
                if still_pending
                else regular
            }
        values: dict[str, Any] = {
            "last_status": result.status,
            "last_attempt_at": now,
            "last_success_at": now,
            "failures": 0,
            "backoff": 0.0,
            "last_error": None,
            "initialised": True,
            "etag": result.etag,
            "last_modified": result.last_modified,
            "next_poll_at": now
            + timedelta(
                seconds=BACKLOG_DELAY_SECONDS if still_pending else max(feed.interval, result.retry_after or 0)
            ),
        }
        if result.permanent_redirect and result.permanent_redirect != feed.url:
            log.info("feed %s moved permanently: %s -> %s", feed.name, feed.url, result.permanent_redirect)
            values["url"] = result.permanent_redirect
        if feed_title:
            values["title"] = feed_title[:500]
        return values

    async def _record_failure(self, feed: FeedState, error: str, retry_after: float | None, status: int) -> None:
        """Count a failure: exponential back-off, Retry-After honoured, disabled after too many in a row."""
        failures = feed.failures + 1
        backoff = float(min(MAX_BACKOFF_SECONDS, feed.interval * 2 ** (failures - 1)))
        wait = max(backoff, retry_after or 0.0)
        values: dict[str, Any] = {
            "last_status": status or None,
            "last_attempt_at": self.now,
            "failures": failures,
            "backoff": backoff,
            "last_error": error[:2000],
            "next_poll_at": self.now + timedelta(seconds=wait),
        }
        if failures >= self.options.failure_disable_after:
            values["enabled"] = False
            values["disabled_reason"] = f"disabled after {failures} consecutive failures; last: {error}"[:2000]
            self.counters.disabled.append(feed.name)
            log.warning("feed %s (%s) disabled after %d failures: %s", feed.name, feed.url, failures, error)
        else:
            log.warning(
                "feed %s (%s) failed (%d in a row, next try in %.0f s): %s", feed.name, feed.url, failures, wait, error
            )
        self.counters.failed += 1
        self.counters.errors.append((feed.name, error))
        async with self.store.feed_transaction() as tx:
            await tx.update_feed(feed.id, **values)

    async def record_unchanged(self) -> None:
        """The health of every feed that answered 304 this cycle, in one transaction (nothing else changed)."""
        unchanged, self.unchanged = self.unchanged, []
        if not unchanged:
            return
        for feed, _ in unchanged:
            if feed.failures:
                log.info("feed %s recovered after %d failures", feed.name, feed.failures)
        async with self.store.feed_transaction() as tx:
            await tx.update_feeds(
                [(feed.id, self._feed_values(feed, result, None, False)) for feed, result in unchanged]
            )


# --------------------------------------------------------------------------- the cycle


async def poll_once(
    config: Any,
    store: Store,
    *,
    fetcher: Fetcher | None = None,
    limits: FetchLimits | None = None,
    now: datetime | None = None,
    matcher: TopicMatcher | None = None,
    analyzer: Analyzer | None = default_analyze,
    articles: ArticleWorker | None = None,
    owner: str | None = None,
    options: PollOptions | None = None,
    parser: ParsePool | None = None,
) -> CycleReport:
    """Run one poll cycle over the due feeds of ``config``.

    ``fetcher``: a shared Fetcher (else one is made from ``limits`` or ``config.poll`` for this cycle);
    ``analyzer=None`` skips analysis; ``articles``: an ArticleWorker (a child process with a hard time
    limit) for page extraction, else pages are extracted in a thread; ``owner``: the lease owner name;
    ``parser``: the worker processes feeds are parsed in (default: this process's shared ParsePool).
    """
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    owner = owner or default_owner()
    options = options or PollOptions.from_config(config)
    matcher = matcher or TopicMatcher(config.topics)
    await store.sync_feeds(config.feeds, now=now)
    feeds = await store.lease_due_feeds(owner, now, options.lease_seconds)
    if fetcher is None:
        async with Fetcher(limits or fetch_limits(config)) as own:
            cycle = _Cycle(store, own, matcher, analyzer, options, owner, now, articles, parser)
            return await _run_cycle(cycle, feeds, started)
    cycle = _Cycle(store, fetcher, matcher, analyzer, options, owner, now, articles, parser)
    return await _run_cycle(cycle, feeds, started)


async def _run_cycle(cycle: _Cycle, feeds: list[FeedState], started: float) -> CycleReport:
    store, options, owner, now = cycle.store, cycle.options, cycle.owner, cycle.now
    tasks = [asyncio.create_task(cycle.poll_feed(f), name=f"poll:{f.name}") for f in feeds]
    timed_out = False
    try:
        async with asyncio.timeout(options.deadline_seconds):
            await asyncio.gather(*tasks)
    except TimeoutError:
        timed_out = True
        log.warning(
            "poll cycle hit its %.0f s deadline; unfinished feeds are retried next cycle", options.deadline_seconds
        )
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await cycle.record_unchanged()
            await cycle.cluster_collected()
        finally:
            await store.release_feeds(owner, [f.id for f in feeds])
    analysed = await refresh_stories(store, cycle.analyzer is not None)
    c = cycle.counters
    report = CycleReport(
        started_at=now,
        elapsed=time.perf_counter() - started,
        feeds_due=len(feeds),
        fetched=c.fetched,
        not_modified=c.not_modified,
        failed=c.failed,
        disabled=tuple(c.disabled),
        new_items=c.new_items,
        processed=c.processed,
        on_topic=c.on_topic,
        pending=await store.count_pending(),
        stories_created=c.stories_created,
        stories_updated=c.stories_updated,
        stories_analysed=analysed,
        errors=tuple(c.errors),
        timed_out=timed_out,
    )
    if feeds:
        log.info(
            "poll cycle: %d feeds (%d fetched, %d not modified, %d failed), %d new items, %d on topic, "
            "%d stories new, %d updated, %d pending, %.1f s",
            report.feeds_due,
            report.fetched,
            report.not_modified,
            report.failed,
            report.new_items,
            report.on_topic,
            report.stories_created,
            report.stories_updated,
            report.pending,
            report.elapsed,
        )
    return report


async def refresh_stories(store: Store, with_analysis: bool = True, limit: int = 200) -> int:
    """Recompute the merged analysis of stories whose members changed; returns how many were done."""
    done = 0
    for story_id in await store.stories_needing_analysis(limit):
        updated_at, members = await store.story_members(story_id)
        analysis = await asyncio.to_thread(story_analysis, members) if with_analysis else _empty_analysis()
        if await store.set_story_analysis(story_id, analysis, updated_at):
            done += 1
    return done


def story_analysis(members: Sequence[Any]) -> dict[str, Any]:
    """A story's summary lines, figures and quotes, each with the outlet and link it came from."""
    usable = [m for m in members if m.text]
    lines: list[dict[str, Any]] = []
    if usable:
        try:
            summary = summarize_story(
                [StoryArticle(text=m.text, title=m.title, source=m.link) for m in usable],
                sentences=STORY_SUMMARY_SENTENCES,
            )
            lines = [
                {"text": s.text, "outlet": usable[s.article].outlet, "link": usable[s.article].link}
                for s in summary.sentences
            ]
        except Exception:
            log.exception("story summary failed; using the first article's summary")
    if not lines:
        for m in members:
            if m.analysis and m.analysis.get("summary"):
                lines = [{"text": t, "outlet": m.outlet, "link": m.link} for t in m.analysis["summary"]]
                break
    per_figures = [(m.outlet, m.link, list((m.analysis or {}).get("figures", ()))) for m in members]
    per_quotes = [(m.outlet, m.link, list((m.analysis or {}).get("quotes", ()))) for m in members]
    return {
        "summary": lines,
        "figures": merge_figures(per_figures)[:STORY_MAX_FIGURES],
        "quotes": merge_quotes(per_quotes)[:STORY_MAX_QUOTES],
    }


def _empty_analysis() -> dict[str, Any]:
    return {"summary": [], "figures": [], "quotes": []}


async def run_forever(
    config: Any,
    store: Store,
    *,
    limits: FetchLimits | None = None,
    stop: asyncio.Event | None = None,
    analyzer: Analyzer | None = default_analyze,
    owner: str | None = None,
    on_cycle: Callable[[CycleReport], Any] | None = None,
) -> None:
    """Poll until ``stop`` is set: a cycle, then sleep until the next feed is due."""
    stop = stop or asyncio.Event()
    owner = owner or default_owner()
    matcher = TopicMatcher(config.topics)
    async with (
        Fetcher(limits or fetch_limits(config)) as fetcher,
        ArticleWorker(timeout=ARTICLE_TIMEOUT) as articles,
        ParsePool() as parser,
    ):
        try:
            while not stop.is_set():
                try:
                    report = await poll_once(
                        config,
                        store,
                        fetcher=fetcher,
                        matcher=matcher,
                        analyzer=analyzer,
                        articles=articles,
                        owner=owner,
                        parser=parser,
                    )
                    if on_cycle is not None:
                        result = on_cycle(report)
                        if asyncio.iscoroutine(result):
                            await result
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("poll cycle failed; trying again shortly")
                due = await store.next_due()
                wait = MAX_SLEEP_SECONDS if due is None else (due - datetime.now(UTC)).total_seconds()
                wait = min(MAX_SLEEP_SECONDS, max(MIN_SLEEP_SECONDS, wait))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=wait)
        finally:
            await store.release_feeds(owner)


# --------------------------------------------------------------------------- helpers


def _analyse(analyzer: Analyzer, text: str, title: str | None, outlet: str, link: str | None) -> dict[str, Any]:
    """One article's analysis as JSON: summary sentences, figures and quotes tagged with outlet and link."""
    try:
        a = analyzer(text, title)
    except Exception:
        log.exception("analysis failed for %s", link)
        return _empty_analysis()
    return {
        "summary": [s.text for s in a.summary.sentences],
        "figures": [
            {
                "surface": f.surface,
                "kind": f.kind,
                "value": f.value,
                "unit": f.unit,
                "qualifier": f.qualifier,
                "key": f.key,
                "sentence": f.sentence,
                "score": f.score,
                "outlet": outlet,
                "link": link,
            }
            for f in a.figures
        ],
        "quotes": [
            {
                "text": q.text,
                "speaker": q.speaker,
                "cue": q.cue,
                "sentence": q.sentence,
                "speaker_mention": q.speaker_mention,
                "outlet": outlet,
                "link": link,
            }
            for q in a.quotes
        ],
    }


def _as_new(c: _Candidate, state: str, **fields: Any) -> NewItem:
    return NewItem(
        key=c.key,
        title=c.title,
        summary=c.summary,
        published_at=c.published,
        alertable=c.alertable,
        state=state,
        feed_link=c.feed_link,
        **fields,
    )


def _from_pending(p: PendingItem) -> _Candidate:
    return _Candidate(p.key, p.title, p.summary, p.published_at, p.alertable, pending_id=p.id, content=p.text)


def _merge_terms(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in a.items()}
    for topic, terms in b.items():
        have = out.setdefault(topic, [])
        low = {t.casefold() for t in have}
        have.extend(t for t in terms if t.casefold() not in low)
    return out


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --------------------------------------------------------------------------- story fingerprints
# A story's ``fingerprint`` column holds its members' bot.stories fingerprints (with publication times), so
# clustering compares a new item with every telling of a story, as bot.stories.StoryIndex expects.


def _lead(item: NewItem) -> str:
    return item.summary or (item.text or "")[:1000]


def _members_of(data: Any) -> list[tuple[str, Fingerprint, datetime]]:
    out = []
    for entry in (data or {}).get("members", ()) if isinstance(data, dict) else ():
        try:
            out.append((entry[0], Fingerprint.from_json(entry[0]), datetime.fromisoformat(entry[1])))
        except (ValueError, TypeError, IndexError, KeyError):
            continue  # a fingerprint of an older version: that member no longer attracts items
    return out


def _add_member(data: Any, fp: Fingerprint, published: datetime) -> dict[str, Any]:
    members = list((data or {}).get("members", ())) if isinstance(data, dict) else []
    members.append([fp.to_json(), published.isoformat()])
    if len(members) > STORY_MAX_FINGERPRINTS:
        first = STORY_MAX_FINGERPRINTS // 3
        members = members[:first] + members[first - STORY_MAX_FINGERPRINTS :]
    return {"members": members}
