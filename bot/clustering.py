"""Attaching on-topic items to stories: the same event told by several outlets becomes one story.

:class:`StoryClusterer` keeps one cycle's clustering index (bot.stories.StoryIndex) and writes inside the
feed's transaction: a new story, or a member joining one (topics and matched terms widened, the member's
fingerprint stored with the story as :class:`~bot.models.StoryFingerprints`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import cast

from .models import NewItem, StoryFingerprints, StoryRecord
from .store import FeedTransaction
from .stories import NEAR_MISS_THRESHOLD, Assignment, Fingerprint, StoryIndex, fingerprint
from .topics import TopicMatcher


@dataclass
class ClusterCounts:
    """Stories created and updated (for the cycle's report)."""

    created: int = 0
    updated: int = 0


class StoryClusterer:
    """One cycle's clustering index, kept up to date with story writes committed by other feeds or instances."""

    def __init__(self, window_hours: float) -> None:
        self.window_hours = window_hours
        self.counts = ClusterCounts()
        self._index: StoryIndex | None = None
        self._recent: dict[int, StoryRecord] = {}
        self._revision = 0

    def reset(self) -> None:
        """Forget the index (after a rolled-back transaction, which may have added stories that do not exist)."""
        self._index = None

    async def attach_unclustered(self, tx: FeedTransaction, matcher: TopicMatcher, now: datetime) -> None:
        """Cluster the on-topic items stored without a story (this cycle's, and any a dead cycle left), then let
        this cycle's near misses join a story that another telling put on their topic: a story's topics come
        from all its members. Run once every feed is done, so stories do not depend on the order feeds answer."""
        members = await tx.unclustered_items(now - timedelta(hours=self.window_hours))
        if members:
            await self.attach(tx, members, now)
        near = [
            (item_id, replace(item, topics=partial))
            for item_id, item in await tx.unclustered_items(now, on_topic=False)
            if (partial := matcher.partial(item.title, item.summary))
        ]
        if near:
            await self.attach(tx, near, now, join_only=True)

    async def attach(
        self, tx: FeedTransaction, members: Sequence[tuple[int, NewItem]], now: datetime, join_only: bool = False
    ) -> None:
        """Attach each item to a recent story or start one, oldest publication first, as StoryIndex.plan decides for
        the batch (joins, then the stories it started merged by mean link). ``join_only``: the items (near misses,
        their ``topics`` the ones they nearly match) only join stories on one of those topics, one at a time."""
        index = await self._refresh(tx, now)
        batch = [
            (item_id, item, fingerprint(item.title, item.summary or (item.text or "")[:1000]), item.published_at or now)
            for item_id, item in sorted(members, key=lambda m: (m[1].published_at or now, m[1].key.identity, m[0]))
        ]
        # Where each item goes, decided for the whole batch (joins, then mean-link merging of the stories it starts).
        plan = {} if join_only else index.plan([(item_id, fp, published) for item_id, _, fp, published in batch])
        started: dict[Hashable, int] = {}  # plan's new-story key -> the story created for it
        joined: list[tuple[int, int]] = []  # (item id, story id)
        for item_id, item, fp, published in batch:
            target = plan.get(item_id)
            if not join_only:
                story_key = started.get(target) if isinstance(target, tuple) else target
                found = None if story_key is None else Assignment(story_key, False)
            else:
                found = index.find(fp, published)
                if (
                    found is None
                    or found.similarity < NEAR_MISS_THRESHOLD
                    or not set(item.topics) & set(self._recent[cast(int, found.story_key)].topics)
                ):
                    continue
                item = replace(item, topics=(), terms={})  # the story's topics stand; the item adds none
            if found is None:
                story = await tx.create_story(
                    item.title or item.key.link or "(untitled)",
                    item.key.link,
                    item.topics,
                    item.terms,
                    StoryFingerprints().add(fp.to_json(), published),
                    now,
                    item.alertable,
                    happened=published,
                )
                self.counts.created += 1
            else:
                story = self._recent[cast(int, found.story_key)]  # stories are loaded into the index by id
                story = replace(
                    story,
                    topics=tuple(dict.fromkeys([*story.topics, *item.topics])),
                    terms=merge_terms(story.terms, item.terms),
                    fingerprint=story.fingerprint.add(fp.to_json(), published),
                    updated_at=now,
                )
                revision = await tx.update_story(
                    story.id, story.topics, story.terms, story.fingerprint, now, happened=published
                )
                story = replace(story, revision=revision)
                self.counts.updated += 1
            if isinstance(target, tuple):
                started[target] = story.id
            index.load(story.id, ("story", story.id, fp.to_json()), fp, published)
            self._recent[story.id] = story
            self._revision = max(self._revision, story.revision)
            joined.append((item_id, story.id))
        await tx.set_item_stories(joined)  # one statement for all the members

    async def _refresh(self, tx: FeedTransaction, now: datetime) -> StoryIndex:
        """Built once per cycle from the stories of the window; afterwards only stories with a newer revision
        (written by another feed's transaction or another instance) are loaded; our own writes apply directly."""
        if self._index is None:
            self._index, self._recent, self._revision = StoryIndex(window_hours=self.window_hours), {}, 0
        since = now - timedelta(hours=self.window_hours)
        for story in await tx.recent_stories(since, after_revision=self._revision):
            self._recent[story.id] = story
            self._revision = max(self._revision, story.revision)
            for key, published in story.fingerprint.members:
                try:
                    fp = Fingerprint.from_json(key)
                except (ValueError, TypeError, KeyError):
                    continue  # a fingerprint of an older version: that member no longer attracts items
                self._index.load(story.id, ("story", story.id, key), fp, published)
        return self._index


def merge_terms(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, list[str]]:
    """Matched terms per topic, ``b``'s added to ``a``'s without repeats (case-insensitive)."""
    out = {k: list(v) for k, v in a.items()}
    for topic, terms in b.items():
        have = out.setdefault(topic, [])
        low = {t.casefold() for t in have}
        have.extend(t for t in terms if t.casefold() not in low)
    return out
