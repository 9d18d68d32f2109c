"""What a feed's answer holds that is new: parsed items turned into this cycle's candidates.

An item is identified by its guid, its canonical link and its title + publication day (bot.models.ItemKey);
items past the age limit, and repeats within one feed's answer, are dropped here. A title loses its outlet's
suffix (" - Reuters") before anything reads it: relevance, clustering and display alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from summarizer.furniture import clean_title

from .clock import as_utc_or_none
from .models import FeedState, ItemKey, NewItem, PendingItem, title_key
from .topics import TopicMatch

Hints = Callable[[str | None, str | None], tuple[TopicMatch, ...]]


@dataclass(frozen=True)
class Candidate:
    """An item to look at this cycle: freshly parsed (``pending_id`` None) or from the backlog."""

    key: ItemKey
    title: str | None
    summary: str | None
    published: datetime | None
    alertable: bool
    pending_id: int | None = None
    content: str | None = None  # the feed's full content (content:encoded), a fallback for the page
    hints: tuple[TopicMatch, ...] = ()  # topics title + summary point at (the feed's topics only); scored once
    feed_link: str | None = None  # the link as the feed gave it (key.link is canonical)


def fresh_candidates(feed: FeedState, items: Sequence[Any], oldest: datetime, hints: Hints) -> list[Candidate]:
    """Parsed items published since ``oldest`` (or undated), each once, keyed by guid / canonical link / title+date.

    Descriptions stay as the feed gave them (clustering was tuned on them: cleaning them cost 0.05 pairwise F1
    on the coverage set); the story summarizer removes their furniture itself.
    """
    seen_identities: set[str] = set()
    seen_guids: set[str] = set()
    seen_links: set[str] = set()
    out = []
    for item in items:
        published = as_utc_or_none(getattr(item, "published", None))
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
        title = getattr(item, "title", None)
        if title:
            title = clean_title(title, feed=feed.name) or title
        summary = getattr(item, "summary", None)
        out.append(
            Candidate(
                key=key,
                title=title,
                summary=summary,
                published=published,
                alertable=feed.initialised,  # a feed's first poll is history, never an alert
                content=getattr(item, "content", None) or None,
                hints=hints(title, summary),
                feed_link=getattr(item, "feed_link", None) or None,
            )
        )
    return out


def from_pending(p: PendingItem, hints: tuple[TopicMatch, ...]) -> Candidate:
    """A stored backlog item as this cycle's candidate."""
    return Candidate(
        p.key, p.title, p.summary, p.published_at, p.alertable, pending_id=p.id, content=p.text, hints=hints
    )


def as_new(c: Candidate, state: str, **fields: Any) -> NewItem:
    """The item to store for a candidate (``fields``: what processing found: text, topics, analysis …)."""
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
