"""One poll cycle: due feeds → fetch → parse → new items → relevance → full text → stories, articles' facts → stories'
analysis.

API::

    report = await poll_once(config, store, limits=FetchLimits(...), now=None, matcher=None, analyzer=article_facts)
    await run_forever(config, store, limits=..., stop=asyncio.Event())

A cycle syncs feeds.yaml into the store when this process has not synced that list yet (at start, or given another
file: _sync_feeds), leases the feeds that are due (so instances sharing a database split them; not a feed following
a topic this instance's feeds.yaml does not define, whose items it would store without that topic for good:
_leave_to_others), fetches them concurrently with their ETag/Last-Modified, and writes everything one feed produced
in one transaction: a process killed at any moment loses nothing and repeats nothing on restart (unfinished work is
simply redone; items are only "seen" once their transaction commits). One answer stores at most its newest
max_items_per_answer items (a feed listing 100,000 at every poll would fill the disk).
Feeds are parsed and their items scored for topics in worker processes (bot.parse_pool), as are the pages of
possible matches (extraction, scoring); feeds that answered 304 have nothing to write but their health, which is
recorded for all of them in one statement after the feeds. Once the feeds are stored, the new on-topic articles'
figures and quotes are found in the worker processes while the event loop clusters (clustering is serial and
would leave the other cores idle; one worker fewer than the cores, so it keeps one); then stories whose members
changed get their merged analysis recomputed, there too. A cycle killed before then leaves its articles unanalysed
(and maybe unclustered): the next one finds them in the store and does what is missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from . import feed_health
from .articles import ArticleText, FetchedArticle, fetch_articles, from_feed
from .candidates import (
    Candidate,
    FeedCandidates,
    PageVerdict,
    as_new,
    from_pending,
    judge_page,
    read_feed,
    topic_hints,
)
from .clustering import StoryClusterer, merge_terms
from .errors import StoreUnusable
from .fetch import Fetcher, FetchLimits, FetchResult, fetch_limits
from .models import ArticleToAnalyse, FeedState, NewItem, PendingItem, StoredCopy, title_key
from .parse_pool import Batch, ParsePool, shared_parse_pool
from .retention import prune_old
from .store import FeedTransaction, Store, default_owner, feeds_fingerprint
from .story_analysis import Analyzer, analyse_articles, article_facts, refresh_stories
from .topics import TopicMatcher

if TYPE_CHECKING:
    from .settings import Config


log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- tuning (see each comment)
# A lease lasts the cycle's deadline plus this margin (a cycle cancels its work at the deadline), so a
# killed instance's feeds are free again a few minutes later and never polled twice at once.
LEASE_MARGIN_SECONDS = 60
# run_forever sleeps until a feed is due that no other worker leases (or such a lease ends), but at least / at most
# this long.
MIN_SLEEP_SECONDS = 1.0
MAX_SLEEP_SECONDS = 60.0
# A log line names this many feeds of a list (unfinished at the deadline, left to other instances), then their count.
FEEDS_NAMED = 5
# One answer of a feed stores at most its newest max(ANSWER_ITEMS_FLOOR, ANSWER_ITEMS_PER_FEED x max_items_per_feed)
# items (PollOptions.max_items_per_answer); the rest are left out, logged. Uncapped, a feed listing 100,000 new tiny
# items at every poll (4.2 MB, under max_bytes) stored them all as backlog: SQLite +42 MB a poll, ~4 GB a day at
# 15 minutes (qa11 D3). Real feeds list far fewer: feeds-corpus/real's largest 100 (TUT.BY), Google News 100, a few
# hundred at most, so 1,000 at the defaults (max_items_per_feed 100) cuts none of them; and what one answer may leave
# pending is worked through by nine backlog cycles (an operator who raises max_items_per_feed raises the cap with it).
ANSWER_ITEMS_FLOOR = 1000
ANSWER_ITEMS_PER_FEED = 10


@dataclass(frozen=True)
class PollOptions:
    """The poll limits the cycle uses (from ``config.poll``; defaults match bot.settings.PollSettings), and each topic's
    own time decay for its stories (``story_decay_hours`` of config.topics)."""

    max_items_per_feed: int = 100
    max_items_per_cycle: int = 500
    max_age_days: float = 7.0
    fetch_full_text: bool = True
    failure_disable_after: int = 20
    story_window_hours: float = 72.0
    story_decay_hours: Mapping[str, float] = field(default_factory=dict)  # topic -> its own time decay (config.topics)
    deadline_seconds: float = 300.0
    lease_margin_seconds: float = LEASE_MARGIN_SECONDS

    @property
    def lease_seconds(self) -> float:
        """A lease outlives the cycle's deadline (work past it is cancelled), so a crashed owner's expire soon."""
        return self.deadline_seconds + self.lease_margin_seconds

    @property
    def max_items_per_answer(self) -> int:
        """How many of one feed answer's items may be stored (the newest): ANSWER_ITEMS_FLOOR's comment says why."""
        return max(ANSWER_ITEMS_FLOOR, ANSWER_ITEMS_PER_FEED * self.max_items_per_feed)

    @classmethod
    def from_config(cls, config: Config) -> PollOptions:
        """Read the limits from ``config.poll`` (any attribute missing keeps its default)."""
        poll = getattr(config, "poll", None)
        topics = getattr(config, "topics", None) or {}
        decay = {name: t.story_decay_hours for name, t in topics.items() if getattr(t, "story_decay_hours", None)}
        return cls(
            **{n: getattr(poll, n) for n in cls.__dataclass_fields__ if hasattr(poll, n)}, story_decay_hours=decay
        )


# Feeds past their fetch (waiting for a worker to parse them, fetching pages, waiting to be stored) hold their bodies
# and items in memory: at most FEEDS_IN_FLIGHT per request the fetcher allows in flight are started at once, so a big
# cycle's memory does not grow with its number of feeds. bench/poll.py first cycle (500 feeds, 32 requests in flight),
# peak PSS of poller + workers: 301 MB unbounded, 281 MB at 2 (64 feeds), 281-283 MB at 1; wall 19.1 / 18.6 / 20-22 s.
FEEDS_IN_FLIGHT = 2
# A feed's body is read in a worker within this many seconds (a 5 MB feed reads in well under one; the 5,000 items of
# tests/test_poller.py in about two): past it the feed is not read this cycle, and a worker still at it after twice
# as long is replaced, so one hostile feed cannot hold the pool for the cycles after.
FEED_PARSE_TIMEOUT = 30.0
# A cycle's articles go to the worker processes this many a call once its feeds are stored (start_analysis): about
# 30 ms of work a call on bench/poll.py's pages, so the pool's threads, which share the interpreter with clustering,
# hand out the next call seldom.
ANALYSIS_CHUNK = 32


def _known_in(feed: FeedState) -> int | None:
    """The feed whose guids, identities and titles may be stored already: none before its first successful poll (its
    items are written with it), so then only links, shared with other feeds, can be known (Store.known_keys)."""
    return feed.id if feed.initialised else None


@dataclass(frozen=True)
class CycleReport:
    """What one cycle did (for logs, /status and the benchmark)."""

    started_at: datetime
    elapsed: float
    feeds_due: int
    fetched: int  # 200 answers parsed
    not_modified: int  # 304 answers
    failed: int
    backlog_only: int  # due before their interval (for items kept for later): not fetched, the kept items worked on
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
    # Enabled feeds (ids) that follow a topic this instance's feeds.yaml does not define: not leased, left to the
    # instances that define it (_leave_to_others), and not waited for (run_forever).
    left_to_others: tuple[int, ...] = ()
    # Wall seconds of the cycle's three phases: the feeds (fetch, parse, relevance, pages, store), clustering,
    # and story analysis; where a slow cycle spent its time, in the log line.
    feeds_seconds: float = 0.0
    cluster_seconds: float = 0.0
    analysis_seconds: float = 0.0


@dataclass
class _Counters:
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    backlog_only: int = 0
    disabled: list[str] = field(default_factory=list)
    new_items: int = 0
    processed: int = 0
    on_topic: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # feeds given a topic we do not define while leased: not stored


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
        parser: ParsePool,
        known: Collection[str],
    ) -> None:
        self.store = store
        self.known = frozenset(known)  # the topics of this instance's feeds.yaml: what the matcher judges
        self.fetcher = fetcher
        self.matcher = matcher
        self.analyzer = analyzer
        self.options = options
        self.owner = owner
        self.now = now
        self.parser = parser
        self.unchanged: list[tuple[FeedState, FetchResult]] = []  # 304s, recorded together at the end
        self.budget = _Budget(options.max_items_per_cycle)
        self.counters = _Counters()
        self.clusterer = StoryClusterer(options.story_window_hours, options.story_decay_hours)
        limits = getattr(fetcher, "limits", None)  # FEEDS_IN_FLIGHT
        self._in_flight = asyncio.Semaphore(FEEDS_IN_FLIGHT * max(1, getattr(limits, "max_connections", 8)))

    # ------------------------------------------------------------------ one feed

    async def poll_feed(self, feed: FeedState) -> None:
        """Fetch, parse and store one feed; any unexpected error is recorded as the feed's failure, in one line (a
        database error's text goes on with the statement and its parameters: the log has them)."""
        try:
            async with self._in_flight:
                await self._poll_feed(feed)
        except (asyncio.CancelledError, StoreUnusable):  # (every other feed would fail the same)
            raise
        except Exception as exc:
            log.exception("feed %s (%s): unexpected error", feed.name, feed.url)
            first_line = next(iter(str(exc).strip().splitlines()), "")
            await self._record_failure(feed, f"internal error: {type(exc).__name__}: {first_line}", None, 0)

    async def _poll_feed(self, feed: FeedState) -> None:
        now = self.now
        backlog_only = (
            feed.backlog  # due early with nothing kept: re-enabled (feeds --enable, /enable), to be fetched now
            and feed.last_attempt_at is not None
            and feed.initialised
            and feed.failures == 0
            and now < feed.last_attempt_at + timedelta(seconds=feed.interval)
        )
        if backlog_only:  # brought back early only to work through items kept for later
            self.counters.backlog_only += 1
            await self._store_feed(feed, None, None, [])
            return
        failure = await self._fetch_and_store(feed, feed.url, feed.etag, feed.last_modified)
        if failure is not None and feed.url != feed.source_url:
            # A permanent redirect moved the feed, and it fails there: the configured URL may serve it again (the
            # outlet dropped the feed proxy it had moved to). Tried at once, without the moved address's validators;
            # its answer decides where the feed is polled next (bot.feed_health).
            log.info(
                "feed %s: its moved address %s failed (%s); trying its configured URL %s",
                feed.name,
                feed.url,
                failure.error,
                feed.source_url,
            )
            failure = await self._fetch_and_store(feed, feed.source_url, None, None)
        if failure is not None:
            assert failure.error is not None
            await self._record_failure(feed, failure.error, failure.retry_after, failure.status, failure)

    async def _fetch_and_store(
        self, feed: FeedState, url: str, etag: str | None, last_modified: str | None
    ) -> FetchResult | None:
        """Fetch the feed at ``url`` and store what it gave (None), or return the failed fetch for the caller to
        record, its ``error`` saying why (no answer, an HTTP error, or an answer that is no feed)."""
        result = await self.fetcher.get(url, etag=etag, last_modified=last_modified, kind="feed")
        if result.error:
            if result.status >= 400 and result.final_url != url:  # an answer from where redirects led: named
                return replace(result, error=f"{result.error} (from {result.final_url})")
            return result
        if result.not_modified:
            self.counters.not_modified += 1
            if feed.backlog or feed_health.new_url(feed, result):
                await self._store_feed(feed, result, None, [])
            else:  # nothing to write but the feed's health: one statement for all of them, after the feeds
                self.unchanged.append((feed, result))
            return None
        answer = await self._fresh_candidates(feed, result)
        if not answer.parsed and answer.error:
            error = answer.error
            return replace(result, error=error if error.startswith("not a feed") else f"not a feed: {error}")
        self.counters.fetched += 1
        await self._store_feed(feed, result, answer.title, answer.candidates)
        return None

    def _newest(self, feed: FeedState, fresh: list[Candidate]) -> list[Candidate]:
        """The newest ``max_items_per_answer`` of one answer's items not stored yet, by publication time (an undated
        item counts as published now, as _store_feed orders them; ties keep the feed's order); how many were left out
        is logged. Capped after what is known is set aside, so a new item is never cut for old ones the feed still
        lists (an undated feed listed oldest first); one left out is stored at a later poll if still listed."""
        cap = self.options.max_items_per_answer
        if len(fresh) <= cap:
            return fresh
        log.warning(
            "feed %s (%s) listed %d new items, more than one answer may store (%d: %d x poll.max_items_per_feed, at "
            "least %d): %d are kept, %d left for a later poll",
            feed.name,
            feed.url,
            len(fresh),
            cap,
            ANSWER_ITEMS_PER_FEED,
            ANSWER_ITEMS_FLOOR,
            cap,
            len(fresh) - cap,
        )
        return sorted(fresh, key=lambda c: c.published or self.now, reverse=True)[:cap]

    async def _store_feed(
        self, feed: FeedState, result: FetchResult | None, feed_title: str | None, candidates: list[Candidate]
    ) -> None:
        """Pick this cycle's work, process it, and write the whole outcome in one transaction."""
        opts = self.options
        candidates = [self._undated_key(c) for c in candidates]
        if not feed.backlog and not any(c.hints for c in candidates):
            await self._store_plain(feed, result, feed_title, candidates)
            return
        fresh_keys = [c.key for c in candidates]
        known = await self.store.known_keys(_known_in(feed), fresh_keys)
        fresh = self._newest(feed, [c for c in candidates if c.key.identity not in known])
        # Known by the link another feed stored it under, but on a topic of ours that feed does not follow: judged
        # for it too (the stored copy is widened), unless that copy waits in its feed's backlog, not judged yet.
        copies = await self._copies_to_judge([c for c in candidates if c.key.identity in known])
        carried = [c for c in candidates if c.key.identity in copies and not copies[c.key.identity].pending]
        backlog = await self.store.pending_items(feed.id, opts.max_items_per_feed + 1) if feed.backlog else []
        more_backlog = len(backlog) > opts.max_items_per_feed
        backlog = backlog[: opts.max_items_per_feed]
        pool = sorted(
            [*fresh, *carried, *(self._from_pending(feed, p) for p in backlog)],
            key=lambda c: (c.published or self.now, c.pending_id is None),
            reverse=True,
        )
        take = self.budget.take(min(len(pool), opts.max_items_per_feed))
        chosen, rest = pool[:take], pool[take:]
        processed = await self._process_all(feed, chosen)
        later = [c for c in rest if c.pending_id is None and c.key.identity not in copies]
        unjudged = len(copies) - len(carried) + sum(1 for c in rest if c.key.identity in copies)

        try:
            await self._write_feed(
                feed, result, feed_title, chosen, processed, later, bool(rest) or more_backlog, unjudged
            )
        except BaseException:
            self.clusterer.reset()  # it may hold stories of the transaction that was rolled back
            raise

    async def _store_plain(
        self, feed: FeedState, result: FetchResult | None, feed_title: str | None, candidates: list[Candidate]
    ) -> None:
        """Items none of which can be on topic: no page to fetch, nothing to analyse, so what is already known is
        looked up inside the one transaction that stores the new ones as seen (one query instead of two)."""
        opts = self.options
        async with self.store.feed_transaction() as tx:
            if await self._now_beyond(tx, feed):
                return
            known = await tx.known(_known_in(feed), [c.key for c in candidates])
            fresh = sorted(
                self._newest(feed, [c for c in candidates if c.key.identity not in known]),
                key=lambda c: c.published or self.now,
                reverse=True,
            )
            take = self.budget.take(min(len(fresh), opts.max_items_per_feed))
            new = [as_new(c, state="done") for c in fresh[:take]]
            new += [
                as_new(c, state="pending", text=c.content, text_source="feed" if c.content else None)
                for c in fresh[take:]
            ]
            await tx.add_many(feed.id, new, self.now)
            outcome = feed_health.answered(feed, result, feed_title, take < len(fresh), self.now)
            await tx.record_outcome(feed.id, outcome, self.now)
        self.counters.new_items += len(fresh)
        self.counters.processed += take

    async def _write_feed(
        self,
        feed: FeedState,
        result: FetchResult | None,
        feed_title: str | None,
        chosen: list[Candidate],
        processed: Sequence[NewItem],
        later: list[Candidate],
        still_pending: bool,
        unjudged: int = 0,
    ) -> None:
        """Everything this poll of the feed produced, in one transaction. ``unjudged``: items another feed stored that
        are still to be judged for this feed's topics (_copies_to_judge), which the next poll reads again."""
        async with self.store.feed_transaction() as tx:
            if await self._now_beyond(tx, feed):
                return
            # Checked again inside the transaction: another feed may have stored the same link meanwhile (guid,
            # identity and title+date are per feed, and this feed is ours alone while we hold its lease).
            fresh_keys = [c.key for c in chosen if c.pending_id is None] + [c.key for c in later]
            known_now = await tx.known(None, fresh_keys)  # by link
            pairs = list(zip(chosen, processed, strict=True))
            shared = [(c, item) for c, item in pairs if c.pending_id is None and c.key.identity in known_now]
            done = [(c, item) for c, item in pairs if c.key.identity not in known_now]
            copies = await self._copies_to_judge([*(c for c, _ in shared), *later], tx)
            unjudged += sum(1 for c in later if c.key.identity in copies)
            later = [c for c in later if c.key.identity not in known_now]
            widened = await self._judge_copies(tx, feed, shared, copies)
            unjudged += len([c for c, _ in shared if c.key.identity in copies]) - len(widened)
            plain = [item for c, item in done if c.pending_id is None and not item.topics]
            kept = [
                as_new(c, state="pending", text=c.content, text_source="feed" if c.content else None) for c in later
            ]
            fresh_hits = [item for c, item in done if c.pending_id is None and item.topics]
            # One statement for every new item, the on-topic ones last: their ids are the ones clustering wants.
            ids = await tx.add_items(feed.id, [*plain, *kept, *fresh_hits], self.now)
            hit_ids = ids[len(plain) + len(kept) :]
            on_topic: list[tuple[int, NewItem]] = []
            for c, item in done:
                if c.pending_id is not None:
                    await tx.complete_item(c.pending_id, item)
                    if item.topics:
                        on_topic.append((c.pending_id, item))
            on_topic.extend(zip(hit_ids, fresh_hits, strict=True))
            if unjudged and result is not None:  # no 304 next time: the feed is read again, those items judged then
                result = replace(result, etag=None, last_modified=None)
            outcome = feed_health.answered(feed, result, feed_title, still_pending, self.now)
            await tx.record_outcome(feed.id, outcome, self.now)
        counts = self.counters
        counts.new_items += sum(1 for cand, _ in done if cand.pending_id is None) + len(later)
        counts.processed += len(done) + len(widened)
        counts.on_topic += len(on_topic) + sum(1 for gained in widened.values() if gained)

    async def _now_beyond(self, tx: FeedTransaction, feed: FeedState) -> bool:
        """Whether the feed follows, now, a topic this instance does not define: another instance synced a new
        feeds.yaml since the feed was leased (a rolling deploy). Then nothing of this poll is written: its items would
        be stored without that topic, and items are judged once. The feed stays due, and unleased at the cycle's end
        an instance that defines the topic polls it (this one leaves it from its next cycle on: _leave_to_others)."""
        if self.known.issuperset(await tx.feed_topics(feed.id)):
            return False
        self.counters.left.append(feed.name)
        return True

    async def _copies_to_judge(
        self, candidates: Sequence[Candidate], tx: FeedTransaction | None = None
    ) -> dict[str, StoredCopy]:
        """The stored copies (by the candidate's identity) of those of ``candidates`` whose title and summary point at
        a topic that no feed holding their link follows: an item's topics are judged against those of every feed
        that carries it, so the copy is judged for that topic too, whichever feed stored it first."""
        hinted = [c for c in candidates if c.hints and c.key.link]
        if not hinted:
            return {}
        copies = await (tx or self.store).stored_copies([c.key.link or "" for c in hinted])
        out: dict[str, StoredCopy] = {}
        for c in hinted:
            copy = copies.get(c.key.link or "")
            if copy is not None and copy.unjudged(m.topic for m in c.hints):
                out[c.key.identity] = copy
        return out

    async def _judge_copies(
        self,
        tx: FeedTransaction,
        feed: FeedState,
        shared: Sequence[tuple[Candidate, NewItem]],
        copies: Mapping[str, StoredCopy],
    ) -> dict[int, bool]:
        """This feed's verdicts on items another feed stored (``shared``, judged here for this feed's topics) added to
        the stored copies in ``copies``: their topics, terms and relevance widened (and text, which an off-topic copy
        lacks), and so the topics of the story a copy is in (a story's topics are its members'; a copy in none is
        clustered with this cycle's items). A row of this feed records that it carries the item (no topics, no
        story: the copy is the item), so it is not judged again. A copy its feed still keeps for later is left to
        a later poll. Returns {copy id: whether it gained a topic}."""
        judged = [(c, item, copies[c.key.identity]) for c, item in shared if c.key.identity in copies]
        judged = [(c, item, copy) for c, item, copy in judged if not copy.pending]
        await tx.add_many(feed.id, [replace(as_new(c, state="done"), near=()) for c, _, _ in judged], self.now)
        widened: dict[int, bool] = {}
        for _, item, copy in judged:
            gained = [t for t in item.topics if t not in copy.topics]
            widened[copy.item_id] = bool(gained)
            if not gained:
                continue
            text = (item.text, item.text_source) if item.text is not None and not copy.has_text else None
            topics = (*copy.topics, *gained)
            terms = merge_terms(copy.terms, item.terms)
            await tx.widen_item(copy.item_id, topics, terms, max(copy.relevance, item.relevance), text)
            story = await tx.story_record(copy.story_id) if copy.story_id is not None else None
            if story is not None:
                story_topics = tuple(dict.fromkeys([*story.topics, *gained]))
                story_terms = merge_terms(story.terms, item.terms)
                await tx.update_story(
                    story.id,
                    story_topics,
                    story_terms,
                    story.fingerprint,
                    self.now,
                    gained=dict.fromkeys(gained, item.published_at or self.now),
                )
        return widened

    async def _fresh_candidates(self, feed: FeedState, result: FetchResult) -> FeedCandidates:
        """The answer's items within the age limit, each once, with the topics their title and summary point at:
        parsed and scored in a worker process (inline when the body is small)."""
        oldest = self.now - timedelta(days=self.options.max_age_days)
        args = (result.body, dict(result.headers), result.final_url, self.now, feed, oldest, self.matcher)
        try:  # with a timeout, a worker still at it long after is replaced (parse_pool): it held the pool for good
            return await self.parser.call(read_feed, *args, size=len(result.body), timeout=FEED_PARSE_TIMEOUT)
        except TimeoutError:
            return FeedCandidates(None, f"it took over {FEED_PARSE_TIMEOUT:g} s to read: not read", 0, [])

    def _undated_key(self, c: Candidate) -> Candidate:
        """An undated item's title key, dated by the day this cycle sees it (a dated item's is its title and publication
        day): an undated item whose guid and link change at every poll (a session parameter) is then known by its
        title in its feed for the rest of the day, stored once a day, not at every poll. Not by its title alone: a
        feed's recurring titles ("Morning briefing", "Featured Advertiser" in feeds-corpus/real/washingtonpost) are
        new items on another day."""
        if c.published is not None or c.key.title_key is not None:
            return c
        key = title_key(c.title, self.now)
        return c if key is None else replace(c, key=replace(c.key, title_key=key))

    def _from_pending(self, feed: FeedState, p: PendingItem) -> Candidate:
        """A backlog item as this cycle's candidate (scored here: backlog items are few)."""
        return from_pending(p, *topic_hints(self.matcher, feed.topics, p.title, p.summary))

    async def _process_all(self, feed: FeedState, chosen: list[Candidate]) -> list[NewItem]:
        """Relevance for every chosen item: title + summary were scored with the feed (``c.hints``); an item they point
        at a topic has its page fetched, and the feed's pages are read together in one worker call, where each page's
        words are scored (judge_page: added to what title and summary scored; the text need not travel back and out
        again). Its figures and quotes are found once the feeds are stored (start_analysis)."""
        wanted = [i for i, c in enumerate(chosen) if c.hints and self.options.fetch_full_text and c.key.link]
        fetched: dict[int, FetchedArticle] = {}
        if wanted:
            pages = [(chosen[i].key.link or "", self._page_judge(feed, chosen[i])) for i in wanted]
            # a public feed's links may not lead inside the network, whatever ALLOW_PRIVATE_URLS lets feeds reach
            public = await self.fetcher.public_host(feed.url) if self.fetcher.private else False
            articles = await fetch_articles(self.fetcher, pages, worker=self.parser, linked_from_public=public)
            fetched = dict(zip(wanted, articles, strict=True))
        # Nothing points at any topic: stored as seen, no page fetched.
        return [self._judged(c, fetched.get(i)) if c.hints else as_new(c, state="done") for i, c in enumerate(chosen)]

    def _page_judge(self, feed: FeedState, c: Candidate) -> Callable[[str], PageVerdict]:
        """What the extraction's call does with the page's text: its topics, added to what title and summary scored
        (``c.hints``), and the item's fingerprint."""
        return partial(judge_page, self.matcher, feed.topics, c.title, c.summary, hints=c.hints)

    def _judged(self, c: Candidate, fetched: FetchedArticle | None) -> NewItem:
        """An item that title + summary point at a topic, with its page (``fetched``) if it could be had."""
        article: ArticleText | None = fetched.article if fetched is not None else None
        verdict: PageVerdict | None = fetched.then if fetched is not None else None
        if article is not None and verdict is not None:
            matches = verdict.matches
            if verdict.fingerprint is not None:
                self.clusterer.remember(c.title, c.summary, article.text, verdict.fingerprint)
        else:
            matches = tuple(m for m in c.hints if m.kept)
        if not matches:
            return as_new(c, state="done")
        article = article or from_feed(c.title, c.summary, c.content)  # the feed's words, marked as such
        return as_new(
            c,
            state="done",
            text=article.text if article else None,
            text_source=article.source if article else None,
            topics=tuple(m.topic for m in matches),
            terms={m.topic: list(m.terms) for m in matches},
            relevance=max(m.score for m in matches),
        )

    async def start_analysis(self) -> _Analysing | None:
        """Start finding the figures and quotes of the stored on-topic articles not analysed yet (this cycle's, and
        any a cycle killed before writing them left), in the worker processes while clustering holds the event loop:
        ANALYSIS_CHUNK articles a call, handed to the workers by a thread (ParsePool.start_batch), not by the loop,
        one worker fewer than there are (the clustering keeps a core), all of them once it is done (widen)."""
        analyzer = self.analyzer
        if analyzer is None:
            return None
        since = self.now - timedelta(hours=self.options.story_window_hours)
        articles = await self.store.articles_to_analyse(since, self.options.max_items_per_cycle)
        if not articles:
            return None
        if not self._poolable:  # a caller's analyzer (tests), which cannot be sent to the worker processes: a thread
            batch: Batch[list[str]] = Batch(1)
            batch.answers = asyncio.ensure_future(asyncio.to_thread(lambda: [analyse_articles(analyzer, articles)]))
            return _Analysing([articles], batch, 1)
        chunks = [articles[i : i + ANALYSIS_CHUNK] for i in range(0, len(articles), ANALYSIS_CHUNK)]
        workers = self.parser.workers
        batch = self.parser.start_batch(analyse_articles, [(analyzer, chunk) for chunk in chunks], at_once=workers - 1)
        return _Analysing(chunks, batch, workers)

    @property
    def _poolable(self) -> bool:
        """Whether the analysis can go to the worker processes: not with an analyzer of the caller's (tests), which
        cannot be sent there."""
        return self.analyzer is None or self.analyzer is article_facts

    async def cluster_collected(self) -> None:
        """Cluster this cycle's on-topic items (and near misses) in one transaction once every feed is done."""
        try:
            async with self.store.feed_transaction() as tx:
                await self.clusterer.attach_unclustered(tx, self.now)
        except BaseException:
            self.clusterer.reset()  # it may hold stories of the transaction that was rolled back
            raise

    async def _record_failure(
        self, feed: FeedState, error: str, retry_after: float | None, status: int, polled: FetchResult | None = None
    ) -> None:
        """Count a failure (bot.feed_health decides the back-off, whether the feed is disabled, and its URL)."""
        outcome = feed_health.failed(
            feed,
            error,
            retry_after,
            status,
            self.now,
            disable_after=self.options.failure_disable_after,
            polled=polled,
        )
        if outcome.disabled_reason:
            self.counters.disabled.append(feed.name)
        self.counters.failed += 1
        self.counters.errors.append((feed.name, error))
        async with self.store.feed_transaction() as tx:
            await tx.record_outcome(feed.id, outcome, self.now)

    async def record_unchanged(self) -> None:
        """The health of every feed that answered 304 this cycle, in one transaction (nothing else changed)."""
        unchanged, self.unchanged = self.unchanged, []
        if not unchanged:
            return
        outcomes = [(feed.id, feed_health.answered(feed, result, None, False, self.now)) for feed, result in unchanged]
        async with self.store.feed_transaction() as tx:
            await tx.record_outcomes(outcomes, self.now)


class _Analysing:
    """A cycle's articles being analysed (_Cycle.start_analysis): their item ids, chunk by chunk as handed out. Not
    the articles: their texts are let go as each chunk is answered (ParsePool.start_batch)."""

    def __init__(self, chunks: list[list[ArticleToAnalyse]], batch: Batch[list[str]], workers: int) -> None:
        self.ids = [[a.item_id for a in chunk] for chunk in chunks]
        self.batch, self.workers = batch, workers

    def widen(self) -> None:
        """Clustering is done: every worker from the next answer on."""
        self.batch.at_once = self.workers

    async def result(self) -> list[tuple[int, str]]:
        """(item id, analysis as JSON text) pairs."""
        found = await self.batch.answers
        return [pair for ids, got in zip(self.ids, found, strict=True) for pair in zip(ids, got, strict=True)]


# --------------------------------------------------------------------------- the cycle


async def poll_once(
    config: Config,
    store: Store,
    *,
    fetcher: Fetcher | None = None,
    limits: FetchLimits | None = None,
    now: datetime | None = None,
    matcher: TopicMatcher | None = None,
    analyzer: Analyzer | None = article_facts,
    owner: str | None = None,
    options: PollOptions | None = None,
    parser: ParsePool | None = None,
) -> CycleReport:
    """Run one poll cycle over the due feeds of ``config``.

    ``fetcher``: a shared Fetcher (else one is made from ``limits`` or ``config.poll`` for this cycle);
    ``analyzer=None`` skips analysis; ``owner``: the lease owner name; ``parser``: the worker processes feeds and
    pages are read in (default: this process's shared ParsePool).
    """
    started = time.perf_counter()
    parser = parser or shared_parse_pool()
    parser.start()  # the workers start while the feeds are synced, leased and fetched
    now = now or datetime.now(UTC)
    owner = owner or default_owner()
    options = options or PollOptions.from_config(config)
    matcher = matcher or TopicMatcher(config.topics)
    await _sync_feeds(config, store, owner, now)
    left = await _leave_to_others(config, store)
    feeds = await store.lease_due_feeds(owner, now, options.lease_seconds, skip=left)
    if fetcher is None:
        async with Fetcher(limits or fetch_limits(config)) as own:
            cycle = _Cycle(store, own, matcher, analyzer, options, owner, now, parser, config.topics)
            return replace(await _run_cycle(cycle, feeds, started), left_to_others=left)
    cycle = _Cycle(store, fetcher, matcher, analyzer, options, owner, now, parser, config.topics)
    return replace(await _run_cycle(cycle, feeds, started), left_to_others=left)


async def _sync_feeds(config: Config, store: Store, owner: str, now: datetime) -> None:
    """Sync feeds.yaml's feeds into the store when they differ from the list this process (``store``) last synced:
    when it starts (`poll --once`: every run), and when it is given another file. Not at every cycle: two instances
    sharing a database with different files would undo each other's sync, the feeds one file lacks disabled and enabled
    in turn, silently. So the last one started wins, and an instance that finds another's list synced over its own
    leaves it, polls the feeds as the database has them, and warns once (and once more for yet another list). The
    list's fingerprint covers the topics' definitions too: instances whose rules differ judge items differently."""
    mine = feeds_fingerprint(config.feeds, config.topics)
    if store.synced_fingerprint != mine:
        await store.sync_feeds(config.feeds, now=now, instance=owner, topics=config.topics)
        store.warned_fingerprint = None
        return
    synced = await store.synced_feeds()
    if synced is None or synced.fingerprint == mine:
        store.warned_fingerprint = None
        return
    if store.warned_fingerprint == synced.fingerprint:
        return
    store.warned_fingerprint = synced.fingerprint
    where = getattr(config, "path", None)
    path = f" ({where.resolve()})" if where is not None else ""
    log.warning(
        "feeds.yaml%s differs from the feed list (feeds and topic definitions) instance %s synced into the database at "
        "%s UTC: this instance polls the feeds as the database has them and does not sync its own. Instances sharing a "
        "database must run the same feeds.yaml; restart this instance with the new file (or that one with this file)",
        path,
        synced.instance,
        synced.synced_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    )


async def _leave_to_others(config: Config, store: Store) -> tuple[int, ...]:
    """The enabled feeds (ids) that follow a topic this instance's feeds.yaml does not define: another instance
    synced a newer file that added it. Not polled here: this instance's matcher would store their items without that
    topic, for good (items are judged once), and the topic's subscribers would never see them; an instance that
    defines the topic polls them. Warned about once per such set of feeds, naming the topics and the fix."""
    beyond = await store.feeds_beyond(config.topics)
    left = tuple(feed_id for feed_id, _, _ in beyond)
    if left and left != store.warned_left:
        unknown = dict.fromkeys(t for _, _, topics in beyond for t in topics if t not in config.topics)
        where = getattr(config, "path", None)
        path = f" ({where.resolve()})" if where is not None else ""
        log.warning(
            "feeds.yaml%s does not define the topic(s) %s, which %d feed(s) follow in the feed list another instance "
            "synced into the database (%s): this instance leaves those feeds to the instances that define the topics "
            "(it would store their items without them, for good). Restart this instance with the new feeds.yaml",
            path,
            ", ".join(unknown),
            len(beyond),
            _some([name for _, name, _ in beyond]),
        )
    store.warned_left = left
    return left


def _some(names: Sequence[str]) -> str:
    """Feed names for a log line: the first FEEDS_NAMED, then how many more ("A, B, C, D, E and 7 more")."""
    shown = ", ".join(names[:FEEDS_NAMED])
    return f"{shown} and {len(names) - FEEDS_NAMED} more" if len(names) > FEEDS_NAMED else shown


async def _run_cycle(cycle: _Cycle, feeds: list[FeedState], started: float) -> CycleReport:
    store, options, owner, now = cycle.store, cycle.options, cycle.owner, cycle.now
    tasks = [asyncio.create_task(cycle.poll_feed(f), name=f"poll:{f.name}") for f in feeds]
    timed_out = False
    try:
        async with asyncio.timeout(options.deadline_seconds):
            await asyncio.gather(*tasks)
    except TimeoutError:
        timed_out = True
        # (the timeout cancelled the gather, and so the feeds it was waiting for)
        unfinished = [f.name for f, t in zip(feeds, tasks, strict=True) if not t.done() or t.cancelled()]
        log.warning(
            "poll cycle hit its %.0f s deadline with %d feed(s) unfinished, retried next cycle: %s",
            options.deadline_seconds,
            len(unfinished),
            _some(unfinished),
        )
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        feeds_done = time.perf_counter()
        analysing = None
        try:
            await cycle.fetcher.close_idle()  # its keep-alive connections would expire before the next cycle
            await cycle.record_unchanged()
            analysing = await cycle.start_analysis()
            await cycle.cluster_collected()
        except BaseException:
            if analysing is not None:
                analysing.batch.answers.cancel()
            raise
        finally:
            await store.release_feeds(owner, [f.id for f in feeds])
    if cycle.counters.left:
        log.warning(
            "%d feed(s) were given a topic this instance's feeds.yaml does not define while it polled them (another "
            "instance synced a new file): nothing of their poll was stored, and the instances that define the topic "
            "poll them: %s. Restart this instance with the new feeds.yaml",
            len(cycle.counters.left),
            _some(cycle.counters.left),
        )
    clustered = time.perf_counter()
    if analysing is not None:
        analysing.widen()
        await store.set_item_analyses(await analysing.result())
    analysed = await refresh_stories(store, cycle.analyzer is not None, pool=cycle.parser)
    analysis_done = time.perf_counter()
    c = cycle.counters
    report = CycleReport(
        started_at=now,
        elapsed=time.perf_counter() - started,
        feeds_due=len(feeds),
        fetched=c.fetched,
        not_modified=c.not_modified,
        failed=c.failed,
        backlog_only=c.backlog_only,
        disabled=tuple(c.disabled),
        new_items=c.new_items,
        processed=c.processed,
        on_topic=c.on_topic,
        pending=await store.count_pending(),
        stories_created=cycle.clusterer.counts.created,
        stories_updated=cycle.clusterer.counts.updated,
        stories_analysed=analysed,
        errors=tuple(c.errors),
        timed_out=timed_out,
        feeds_seconds=feeds_done - started,
        cluster_seconds=clustered - feeds_done,
        analysis_seconds=analysis_done - clustered,
    )
    if feeds:
        log.info(
            "poll cycle: %d feeds (%d fetched, %d not modified, %d failed, %d within their interval), %d new items, "
            "%d on topic, %d stories new, %d updated, %d pending, %.1f s (feeds %.1f s, clustering %.1f s, "
            "analysis %.1f s)",
            report.feeds_due,
            report.fetched,
            report.not_modified,
            report.failed,
            report.backlog_only,
            report.new_items,
            report.on_topic,
            report.stories_created,
            report.stories_updated,
            report.pending,
            report.elapsed,
            report.feeds_seconds,
            report.cluster_seconds,
            report.analysis_seconds,
        )
    return report


async def run_forever(
    config: Config,
    store: Store,
    *,
    limits: FetchLimits | None = None,
    stop: asyncio.Event | None = None,
    analyzer: Analyzer | None = article_facts,
    owner: str | None = None,
    on_cycle: Callable[[CycleReport], Any] | None = None,
) -> None:
    """Poll until ``stop`` is set: a cycle, then sleep until the next feed is due."""
    stop = stop or asyncio.Event()
    owner = owner or default_owner()
    matcher = TopicMatcher(config.topics)
    options = PollOptions.from_config(config)
    left: tuple[int, ...] = ()  # the last cycle's feeds left to other instances: not waited for
    async with (
        Fetcher(limits or fetch_limits(config)) as fetcher,
        ParsePool() as parser,
    ):

        async def cycle() -> None:
            nonlocal left
            report = await poll_once(
                config,
                store,
                fetcher=fetcher,
                matcher=matcher,
                analyzer=analyzer,
                owner=owner,
                options=options,
                parser=parser,
            )
            left = report.left_to_others
            await prune_old(store, config.poll.days_kept)  # the quiet moment after a cycle
            if on_cycle is not None:
                result = on_cycle(report)
                if asyncio.iscoroutine(result):
                    await result

        try:
            while not stop.is_set():
                try:
                    if not await _unless_stopped(cycle(), stop):
                        break
                except asyncio.CancelledError:
                    raise
                except StoreUnusable as exc:  # its message says what and the fix; a traceback adds nothing
                    log.error("poll cycle failed; trying again shortly: %s", exc)
                except Exception:
                    log.exception("poll cycle failed; trying again shortly")
                now = datetime.now(UTC)
                due = await store.next_claimable(now, skip=left)  # (another worker's leased: when their leases end)
                wait = MAX_SLEEP_SECONDS if due is None else (due - now).total_seconds()
                wait = min(MAX_SLEEP_SECONDS, max(MIN_SLEEP_SECONDS, wait))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=wait)
        finally:
            await store.release_feeds(owner)


async def _unless_stopped(work: Coroutine[Any, Any, None], stop: asyncio.Event) -> bool:
    """Run ``work`` until it ends (True) or ``stop`` is set (False): then it is cancelled, as `run` cancels its cycle
    on SIGTERM, rather than waited for up to the cycle's deadline. Nothing is lost: a feed's items land in one
    transaction, a cancelled cycle still clusters what its feeds stored (_run_cycle), and items a stop left without a
    story are clustered by the next cycle of any instance (StoryClusterer.attach_unclustered)."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if task.cancelled():
        return False
    task.result()  # the cycle's own error, if any
    return True
