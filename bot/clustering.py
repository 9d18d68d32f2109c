"""Attaching on-topic items to stories: the same event told by several outlets becomes one story.

:class:`StoryClusterer` keeps one cycle's clustering index (bot.stories.StoryIndex) and writes inside the
feed's transaction: a new story, or a member joining one (topics and matched terms widened, the member's
fingerprint stored with the story as :class:`~bot.models.StoryFingerprints`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import cast

from summarizer.furniture import title_echo

from .models import NewItem, StoryFingerprints, StoryRecord
from .store import FeedTransaction
from .stories import (
    DF_HOURS,
    LEAD_TEXT_CHARS,
    NEAR_MISS_HOURS,
    NEAR_MISS_THRESHOLD,
    TIME_DECAY_HOURS,
    Fingerprint,
    StoryIndex,
    fingerprint,
    item_lead,
)


def outlet_key(title: str | None, summary: str | None, feed: Hashable) -> str:
    """Who told an item, as clustering tells outlets apart (bot.stories.SAME_OUTLET): its feed, and within the feed the
    outlet an aggregator names after repeating the title as the summary (Google News: "<title> <outlet>", the words
    summarizer.furniture.title_echo finds; the stored title has lost its " - Outlet" suffix by then)."""
    added = title_echo(title, summary) if title and summary else None
    return f"feed:{feed}:" + " ".join(added) if added else f"feed:{feed}"


@dataclass
class ClusterCounts:
    """Stories created and updated (for the cycle's report)."""

    created: int = 0
    updated: int = 0


class StoryClusterer:
    """One cycle's clustering index, kept up to date with story writes committed by other feeds or instances."""

    def __init__(self, window_hours: float, decay_hours: Mapping[str, float] | None = None) -> None:
        self.window_hours = window_hours
        self.decay_hours = dict(decay_hours or {})  # topic -> its stories' time decay (Topic.story_decay_hours)
        self.counts = ClusterCounts()
        self._index: StoryIndex | None = None
        self._recent: dict[int, StoryRecord] = {}
        self._revision = 0
        # Fingerprints made in the worker processes with the page's verdict, by their inputs (title, lead).
        self._fingerprints: dict[tuple[str | None, str], Fingerprint] = {}

    def remember(self, title: str | None, summary: str | None, text: str | None, fp: Fingerprint) -> None:
        """An item's fingerprint made elsewhere (bot.candidates.judge_page), so clustering need not make it again."""
        self._fingerprints[(title, item_lead(summary, text))] = fp

    def _fingerprint(self, item: NewItem) -> Fingerprint:
        """The item's fingerprint, with who told it (an outlet tells an event once: bot.stories.SAME_OUTLET)."""
        lead = item_lead(item.summary, item.text)
        fp = self._fingerprints.pop((item.title, lead), None) or fingerprint(item.title, lead)
        return fp if item.feed_id is None else replace(fp, outlet=outlet_key(item.title, item.summary, item.feed_id))

    def hours(self, topics: Sequence[str]) -> float:
        """The time decay of an item or story on ``topics``: the fastest of theirs (a topic without its own decays at
        TIME_DECAY_HOURS), so that only tellings of slow topics alone are joined across more hours."""
        return min((self.decay_hours.get(t, TIME_DECAY_HOURS) for t in topics), default=TIME_DECAY_HOURS)

    def reset(self) -> None:
        """Forget the index (after a rolled-back transaction, which may have added stories that do not exist)."""
        self._index = None

    async def attach_unclustered(self, tx: FeedTransaction, now: datetime) -> None:
        """Cluster the on-topic items stored without a story (this cycle's, and any a dead cycle left), then let
        the near misses of the last NEAR_MISS_HOURS (this cycle's and earlier ones') join a story that another
        telling put on their topic: a story's topics come from all its members, whichever cycle brought them. Run
        once every feed is done, so stories do not depend on the order feeds answer."""
        members = await tx.unclustered_items(now - timedelta(hours=self.window_hours), text_chars=LEAD_TEXT_CHARS)
        if members:
            await self.attach(tx, members, now)
        # Near misses: their ``near`` topics were found when they were scored (bot.candidates; TopicMatcher.partial).
        since = now - timedelta(hours=min(self.window_hours, NEAR_MISS_HOURS))
        near = [
            (item_id, replace(item, topics=item.near))
            for item_id, item in await tx.unclustered_items(since, on_topic=False, text_chars=LEAD_TEXT_CHARS)
        ]
        if near:
            await self.attach(tx, near, now, join_only=True)

    async def attach(
        self, tx: FeedTransaction, members: Sequence[tuple[int, NewItem]], now: datetime, join_only: bool = False
    ) -> None:
        """Attach each item to a recent story or start one, oldest publication first, as StoryIndex.plan decides for
        the batch (joins, then the stories it started merged by mean link). ``join_only``: the items (near misses,
        their ``topics`` the ones they nearly match) only join stories on one of those topics, one at a time.
        Each story the batch touches is written once, however many members it gains."""
        index = await self._refresh(tx, now)
        batch = [
            (item_id, item, self._fingerprint(item), item.published_at or now)
            for item_id, item in sorted(members, key=lambda m: (m[1].published_at or now, m[1].key.identity, m[0]))
        ]
        drafts: dict[Hashable, _Draft] = {}  # plan's story key (a story id, or ("new", first item)) -> its draft
        if join_only:
            for item_id, item, fp, published in batch:
                found = index.find(fp, published, self.hours(item.topics))
                if (
                    found is None
                    or found.similarity < NEAR_MISS_THRESHOLD
                    or not set(item.topics) & set(self._recent[cast(int, found.story_key)].topics)
                ):
                    continue
                story_id = cast(int, found.story_key)
                draft = drafts.setdefault(story_id, _Draft(self._recent[story_id], item))
                # The story's topics stand; the item adds none. Later near misses may match this one.
                fp_json = draft.add(item_id, replace(item, topics=(), terms={}), fp, published, draft.topics)
                index.load(story_id, ("story", story_id, fp_json), fp, published, self.hours(draft.topics))
        else:
            # The planned items stay in the index, renamed and rekeyed below once their stories are written.
            plan = index.plan(
                [(item_id, fp, published) for item_id, _, fp, published in batch],
                keep=True,
                hours={item_id: self.hours(item.topics) for item_id, item, _, _ in batch},
            )
            for item_id, item, fp, published in batch:
                target = plan[item_id]
                if target not in drafts:
                    known = None if isinstance(target, tuple) else self._recent[cast(int, target)]
                    drafts[target] = _Draft(known, item)
                drafts[target].add(item_id, item, fp, published)
        joined: list[tuple[int, int]] = []  # (item id, story id)
        for target, draft in drafts.items():
            story = await self._write(tx, draft, now)
            if draft.story is None:  # a new story (never a near miss's): ("new", its first item) in the index until now
                index.rename(target, story.id)
            for item_id, _, fp_json, _ in draft.members:
                if not join_only:  # (near misses are in the index already, under their story's key)
                    index.rekey(item_id, ("story", story.id, fp_json))
                joined.append((item_id, story.id))
        await tx.set_item_stories(joined)  # one statement for all the members

    async def _write(self, tx: FeedTransaction, draft: _Draft, now: datetime) -> StoryRecord:
        """One statement for a story the batch touched: created with all its members, or updated with the new ones."""
        if draft.story is None:
            first = draft.first
            story = await tx.create_story(
                first.title or first.key.link or "(untitled)",
                first.feed_link or first.key.link,  # what the outlet published (the canonical form is identity only)
                draft.topics,
                draft.terms,
                draft.fingerprint,
                now,
                draft.alertable,
                happened=draft.happened,
            )
            self.counts.created += 1
        else:
            story = replace(
                draft.story,
                topics=draft.topics,
                terms=draft.terms,
                fingerprint=draft.fingerprint,
                updated_at=now,
                alertable=draft.alertable,
            )
            revision = await tx.update_story(
                story.id,
                story.topics,
                story.terms,
                story.fingerprint,
                now,
                happened=draft.happened,
                gained=draft.gained,
                alertable=draft.alertable and not draft.story.alertable,
            )
            story = replace(story, revision=revision)
            self.counts.updated += 1
        self._recent[story.id] = story
        self._revision = max(self._revision, story.revision)
        return story

    async def _refresh(self, tx: FeedTransaction, now: datetime) -> StoryIndex:
        """Built once per cycle from the stories of the window, and the members of those updated in the DF_HOURS
        before it counted in the document frequencies only (StoryIndex.count); afterwards only stories with a newer
        revision (written by another feed's transaction or another instance) are loaded; our own writes apply
        directly."""
        if self._index is None:
            self._index, self._recent, self._revision = StoryIndex(window_hours=self.window_hours), {}, 0
        since = now - timedelta(hours=self.window_hours)
        counted_since = min(since, now - timedelta(hours=DF_HOURS))
        for story in await tx.recent_stories(counted_since, after_revision=self._revision):
            recent = story.updated_at >= since
            if recent:
                self._recent[story.id] = story
            self._revision = max(self._revision, story.revision)
            for key, published, topics in story.fingerprint.members:
                try:
                    fp = Fingerprint.from_json(key)
                except (ValueError, TypeError, KeyError):
                    continue  # a fingerprint of an older version: that member no longer attracts items
                if recent:
                    # each member decays as it did when it was planned (its own topics), whichever cycle reloads it
                    hours = self.hours(topics if topics is not None else story.topics)
                    self._index.load(story.id, ("story", story.id, key), fp, published, hours)
                else:
                    self._index.count(("story", story.id, key), fp, published)
        return self._index


class _Draft:
    """A story as one batch leaves it: a known story (``story``) or a new one started by ``first``, with its members."""

    def __init__(self, story: StoryRecord | None, first: NewItem) -> None:
        self.story, self.first = story, first
        self.topics: tuple[str, ...] = story.topics if story else ()
        self.terms: dict[str, list[str]] = story.terms if story else {}
        self.fingerprint = story.fingerprint if story else StoryFingerprints()
        self.happened: datetime | None = None  # the earliest member's publication time
        # alertable when any member is (a feed past its first poll told it), whichever told it first: a feed just
        # added (its first poll is history) telling an event a minute before another feed left it never alerted
        self.alertable = story.alertable if story else False
        self.gained: dict[str, datetime] = {}  # a topic the known story lacked: when its first bringer was published
        self.members: list[tuple[int, Fingerprint, str, datetime]] = []  # (item id, fingerprint, its JSON, published)

    def add(
        self, item_id: int, item: NewItem, fp: Fingerprint, published: datetime, decay: tuple[str, ...] | None = None
    ) -> str:
        """A member joins: topics and matched terms widened, its fingerprint kept with the story's (returned as JSON),
        and the topics whose time decay the index gave it (``decay``; its own topics unless given)."""
        fp_json = fp.to_json()
        self.topics = tuple(dict.fromkeys([*self.topics, *item.topics]))
        self.terms = merge_terms(self.terms, item.terms)
        self.fingerprint = self.fingerprint.add(fp_json, published, item.topics if decay is None else decay)
        self.happened = published if self.happened is None else min(self.happened, published)
        self.alertable = self.alertable or item.alertable
        if self.story is not None:
            for topic in item.topics:
                if topic not in self.story.topics:
                    self.gained[topic] = min(self.gained.get(topic, published), published)
        self.members.append((item_id, fp, fp_json, published))
        return fp_json


def merge_terms(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, list[str]]:
    """Matched terms per topic, ``b``'s added to ``a``'s without repeats (case-insensitive)."""
    out = {k: list(v) for k, v in a.items()}
    for topic, terms in b.items():
        have = out.setdefault(topic, [])
        low = {t.casefold() for t in have}
        have.extend(t for t in terms if t.casefold() not in low)
    return out
