"""What a feed's answer holds that is new: parsed items turned into this cycle's candidates, and their relevance.

API::

    read_feed(body, headers, base_url, now, feed, oldest, matcher) -> FeedCandidates   # parse + candidates + hints
    fresh_candidates(feed, items, oldest, judge) -> list[Candidate]
    topic_hints(matcher, topics, title, summary) -> (hints, near)   # title + summary: the feed's topics, near misses
    item_title(title, summary, feed) -> str | None   # a parsed item's title as stored and read: no outlet's suffix
    topic_text(title, summary) -> (title, summary)   # what of them the topics read (topic_hints, judge_page, explain)
    beyond_title(title, summary) -> str | None   # what of the summary is evidence of topics (topic_text reads it)
    judge_page(matcher, topics, title, summary, text, hints=None) -> PageVerdict   # the page's words: topics, fingerprint

An item is identified by its guid, its canonical link and its title + publication day (bot.models.ItemKey);
items past the age limit, and repeats within one feed's answer, are dropped here. A title loses its outlet's
suffix (" - Reuters", summarizer.furniture.clean_title) before anything reads it: relevance, clustering and display;
an aggregator's outlet is known by name or because its summary names it again (Google News: "<title> Washington
Examiner"). A suffix that names no outlet ("- Zelensky") stays; only clustering's fingerprint drops it, with any short
suffix (bot.stories.title_without_short_suffix).

``read_feed`` and ``judge_page`` are what the poller runs in its worker processes (bot.parse_pool), so that
parsing, scoring every item's title + summary, and scoring an on-topic item's page stay off the event loop; the
same functions run inline (small feeds) or in a thread (no worker processes), so every path gives the same hints.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from summarizer.furniture import (
    clean_title,
    echoed_outlet,
    title_echo,
    without_dateline,
    without_newsletter_extras,
    without_tail,
)

from .clock import as_utc_or_none
from .feeds import parse_feed
from .models import FeedState, ItemKey, NewItem, PendingItem, title_key
from .stories import Fingerprint, fingerprint, is_newsletter_name, item_lead
from .topics import TopicMatch, TopicMatcher

# title, summary -> the topics they point at (hints) and the topics they nearly match (near)
Judge = Callable[[str | None, str | None], tuple[tuple[TopicMatch, ...], tuple[str, ...]]]


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
    near: tuple[str, ...] = ()  # topics title + summary nearly match (TopicMatcher.partial); scored with the hints


@dataclass(frozen=True)
class FeedCandidates:
    """A feed's answer as this cycle's candidates, or why it is unusable."""

    title: str | None
    error: str | None  # from parse_feed: set when the body is not a usable feed
    parsed: int  # items parsed (before the age limit and repeats)
    candidates: list[Candidate]


@dataclass(frozen=True)
class PageVerdict:
    """The topics an item's title, summary and page text put it on, and its clustering fingerprint when it is on one."""

    matches: tuple[TopicMatch, ...]
    fingerprint: Fingerprint | None = None


def read_feed(
    body: bytes,
    headers: Mapping[str, str],
    base_url: str,
    now: datetime,
    feed: FeedState,
    oldest: datetime,
    matcher: TopicMatcher,
) -> FeedCandidates:
    """parse_feed, then fresh_candidates with each one's topic hints (title + summary, the feed's topics)."""
    parsed = parse_feed(body, headers, base_url, now=now)
    items = list(parsed.items or ())
    candidates = fresh_candidates(
        feed, items, oldest, lambda title, summary: topic_hints(matcher, feed.topics, title, summary)
    )
    return FeedCandidates(parsed.title, parsed.error, len(items), candidates)


def topic_hints(
    matcher: TopicMatcher, topics: Collection[str], title: str | None, summary: str | None
) -> tuple[tuple[TopicMatch, ...], tuple[str, ...]]:
    """Topics (of ``topics``; empty: all) that title + summary point at, kept or not: the page then decides; and the
    topics (any) they nearly match (TopicMatcher.partial: such an item may join a story of one)."""
    scores, near = matcher.score_and_partial(*topic_text(title, summary))
    return tuple(m for m in scores if not topics or m.topic in topics), near


def item_title(title: str | None, summary: str | None, feed: str | None = None) -> str | None:
    """A parsed item's title as it is stored, scored, clustered and shown: without the suffix that names its outlet
    (clean_title), one the summary names again (an aggregator's: Google News' "<title> The Wall Street Journal"), the
    feed's name or a known outlet's."""
    if not title:
        return title
    return clean_title(title, outlet=echoed_outlet(title, summary), feed=feed) or title


def topic_text(title: str | None, summary: str | None) -> tuple[str | None, str | None]:
    """What of an item's title (item_title's) and summary the topic rules read: every scoring of them goes through
    here (the poll's hints, the page's verdict, ``coverage-bot explain``), so they cannot disagree."""
    return headline(title), beyond_title(title, summary)


def headline(title: str | None) -> str | None:
    """The title as evidence of the item's topics: None when it is only a newsletter's name ("Wednesday Briefing"), so
    the item is judged on its summary, as an untitled one is (title_required does not apply)."""
    return None if is_newsletter_name(title) else title


def beyond_title(title: str | None, summary: str | None) -> str | None:
    """The summary as evidence of the item's topics: without the feed's additions at its end (summarizer.furniture:
    "The post ... appeared first on ...", "Read more at ..."), nor a newsletter's list of its other stories ("Also in
    today's newsletter, ..."), and None when that leaves nothing or it only repeats the title and names the
    outlet (title_echo; Google News gives "<title> The Wall Street Journal"). An outlet's name is not the item's words:
    "Wall Street Journal" is a US actor of the us-russia rule, "Washington Examiner" names Washington; nor is the
    dateline it files from ("MOSCOW, Dec 5 (Reuters) - U.S. lawmakers ...")."""
    if not summary:
        return summary
    summary = without_dateline(summary)  # where the reporter stands is no party to the news
    summary = without_tail(summary)  # "The post ... appeared first on American Military News" is furniture
    summary = without_newsletter_extras(summary)  # "Also in today's newsletter, ...": the newsletter's other stories
    return None if not summary or (title and title_echo(title, summary) is not None) else summary


def judge_page(
    matcher: TopicMatcher,
    topics: Collection[str],
    title: str | None,
    summary: str | None,
    text: str,
    *,
    hints: Sequence[TopicMatch] | None = None,
) -> PageVerdict:
    """The kept topics (of ``topics``; empty: all) of title, summary and page text; the fingerprint if any.
    ``hints``: topic_hints' scores of this title and summary, when the caller has them (only the text is scored)."""
    words = without_dateline(text)  # a wire story's page opens "WASHINGTON (Reuters) - ": no party to the news
    read_title, read_summary = topic_text(title, summary)
    scored = (
        matcher.score(read_title, read_summary, words) if hints is None else matcher.rescore(hints, words, read_title)
    )
    matches = tuple(m for m in scored if m.kept and (not topics or m.topic in topics))
    if not matches:
        return PageVerdict(matches)
    return PageVerdict(matches, fingerprint(title, item_lead(summary, text)))  # clustering's, made here


def fresh_candidates(feed: FeedState, items: Sequence[Any], oldest: datetime, judge: Judge) -> list[Candidate]:
    """Parsed items published since ``oldest`` (or undated), each once, keyed by guid / canonical link / title+date,
    with the topics their title and summary point at and nearly match (``judge``). An undated item is read whatever
    its age: the store keeps the record of what a feed still lists (Store.known_keys notes it) so it is not new again.

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
        summary = getattr(item, "summary", None)
        title = item_title(getattr(item, "title", None), summary, feed.name)
        hints, near = judge(title, summary)
        out.append(
            Candidate(
                key=key,
                title=title,
                summary=summary,
                published=published,
                alertable=feed.initialised,  # a feed's first poll is history, never an alert
                content=getattr(item, "content", None) or None,
                hints=hints,
                feed_link=getattr(item, "feed_link", None) or None,
                near=near,
            )
        )
    return out


def from_pending(p: PendingItem, hints: tuple[TopicMatch, ...], near: tuple[str, ...]) -> Candidate:
    """A stored backlog item as this cycle's candidate."""
    return Candidate(
        p.key, p.title, p.summary, p.published_at, p.alertable, pending_id=p.id, content=p.text, hints=hints, near=near
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
        near=c.near,
        **fields,
    )
