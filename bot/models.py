"""The value types that cross module boundaries, and their one JSON form.

Frozen dataclasses, free of SQLAlchemy and Telegram: the store returns them, the poller and the story layer
build them, commands and digests read them. The JSON a story or an item carries in the database (its
analysis, its clustering fingerprints) is written and read only by the ``to_json``/``from_json`` pair here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from summarizer.models import Analysis, Figure, Quote

from .clock import as_utc

JSON = dict[str, Any]

# ------------------------------------------------------------------------------ analysis: figures, quotes


@dataclass(frozen=True)
class Source:
    """An outlet and the link of its article."""

    outlet: str | None
    link: str | None

    def to_json(self) -> JSON:
        return {"outlet": self.outlet, "link": self.link}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Source:
        return cls(outlet=_str_or_none(data.get("outlet")), link=_str_or_none(data.get("link")))


@dataclass(frozen=True)
class FigureVariant:
    """Another outlet's value for the same quantity ("$350 billion" where this one says "$500 billion")."""

    surface: str
    value: float | str | None
    outlet: str | None
    link: str | None

    def to_json(self) -> JSON:
        return {"surface": self.surface, "value": self.value, "outlet": self.outlet, "link": self.link}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FigureVariant:
        value = data.get("value")
        return cls(
            surface=str(data.get("surface") or ""),
            value=value if isinstance(value, int | float | str) and not isinstance(value, bool) else None,
            outlet=_str_or_none(data.get("outlet")),
            link=_str_or_none(data.get("link")),
        )


@dataclass(frozen=True)
class StoryFigure:
    """A key figure as stored and shown: summarizer.models.Figure plus where it was read (all outlets)."""

    surface: str
    kind: str
    value: float | str | None
    unit: str | None
    qualifier: str | None
    key: bool
    sentence: str
    score: float = 0.0
    outlet: str | None = None  # the first outlet that gave it
    link: str | None = None
    sources: tuple[Source, ...] = ()  # every outlet that gave it (story level)
    disagrees: tuple[FigureVariant, ...] = ()  # other outlets' different values for the same quantity

    def to_json(self) -> JSON:
        return _with_sources(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoryFigure:
        value = data.get("value")
        return cls(
            surface=str(data.get("surface") or ""),
            kind=str(data.get("kind") or ""),
            value=value if isinstance(value, int | float | str) and not isinstance(value, bool) else None,
            unit=_str_or_none(data.get("unit")),
            qualifier=_str_or_none(data.get("qualifier")),
            key=bool(data.get("key")),
            sentence=str(data.get("sentence") or ""),
            score=float(data.get("score") or 0.0),
            outlet=_str_or_none(data.get("outlet")),
            link=_str_or_none(data.get("link")),
            sources=_sources(data.get("sources")),
            disagrees=tuple(FigureVariant.from_json(d) for d in data.get("disagrees") or () if isinstance(d, Mapping)),
        )


@dataclass(frozen=True)
class StoryQuote:
    """An attributed quote as stored and shown: summarizer.models.Quote plus where it was read."""

    text: str
    speaker: str | None
    cue: str | None
    sentence: str
    speaker_mention: str | None = None
    outlet: str | None = None
    link: str | None = None
    sources: tuple[Source, ...] = ()
    speaker_as_written: str | None = None  # the article's words when the story names the speaker otherwise

    def to_json(self) -> JSON:
        return _with_sources(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoryQuote:
        return cls(
            text=str(data.get("text") or ""),
            speaker=_str_or_none(data.get("speaker")),
            cue=_str_or_none(data.get("cue")),
            sentence=str(data.get("sentence") or ""),
            speaker_mention=_str_or_none(data.get("speaker_mention")),
            outlet=_str_or_none(data.get("outlet")),
            link=_str_or_none(data.get("link")),
            sources=_sources(data.get("sources")),
            speaker_as_written=_str_or_none(data.get("speaker_as_written")),
        )


@dataclass(frozen=True)
class SummaryLine:
    """One summary sentence with the outlet and link it was taken from."""

    text: str
    outlet: str | None
    link: str | None

    def to_json(self) -> JSON:
        return {"text": self.text, "outlet": self.outlet, "link": self.link}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SummaryLine:
        return cls(
            text=str(data.get("text") or ""),
            outlet=_str_or_none(data.get("outlet")),
            link=_str_or_none(data.get("link")),
        )


@dataclass(frozen=True)
class ArticleAnalysis:
    """One item's analysis as stored: summary sentences, figures and quotes tagged with outlet and link."""

    summary: tuple[str, ...] = ()
    figures: tuple[StoryFigure, ...] = ()
    quotes: tuple[StoryQuote, ...] = ()

    @classmethod
    def of(cls, analysis: Analysis, outlet: str | None, link: str | None) -> ArticleAnalysis:
        """The summarizer's Analysis of one article, each figure and quote tagged with its outlet and link."""
        return cls(
            summary=tuple(s.text for s in analysis.summary.sentences),
            figures=tuple(
                StoryFigure(**_shared_fields(StoryFigure, f), outlet=outlet, link=link) for f in analysis.figures
            ),
            quotes=tuple(
                StoryQuote(**_shared_fields(StoryQuote, q), outlet=outlet, link=link) for q in analysis.quotes
            ),
        )

    def to_json(self) -> JSON:
        return {
            "summary": list(self.summary),
            "figures": [f.to_json() for f in self.figures],
            "quotes": [q.to_json() for q in self.quotes],
        }

    @classmethod
    def from_json(cls, data: Any) -> ArticleAnalysis | None:
        """The stored form back (None for no analysis; entries of an unknown shape are skipped)."""
        if not isinstance(data, Mapping):
            return None
        return cls(
            summary=tuple(str(s) for s in data.get("summary") or () if isinstance(s, str)),
            figures=tuple(StoryFigure.from_json(f) for f in data.get("figures") or () if isinstance(f, Mapping)),
            quotes=tuple(StoryQuote.from_json(q) for q in data.get("quotes") or () if isinstance(q, Mapping)),
        )


@dataclass(frozen=True)
class StoryAnalysis:
    """A story's merged analysis: summary lines across outlets, merged figures and quotes."""

    summary: tuple[SummaryLine, ...] = ()
    figures: tuple[StoryFigure, ...] = ()
    quotes: tuple[StoryQuote, ...] = ()

    def to_json(self) -> JSON:
        return {
            "summary": [s.to_json() for s in self.summary],
            "figures": [f.to_json() for f in self.figures],
            "quotes": [q.to_json() for q in self.quotes],
        }

    @classmethod
    def from_json(cls, data: Any) -> StoryAnalysis:
        """The stored form back (an empty analysis for none; entries of an unknown shape are skipped)."""
        if not isinstance(data, Mapping):
            return cls()
        return cls(
            summary=tuple(SummaryLine.from_json(s) for s in data.get("summary") or () if isinstance(s, Mapping)),
            figures=tuple(StoryFigure.from_json(f) for f in data.get("figures") or () if isinstance(f, Mapping)),
            quotes=tuple(StoryQuote.from_json(q) for q in data.get("quotes") or () if isinstance(q, Mapping)),
        )


def _with_sources(value: StoryFigure | StoryQuote) -> JSON:
    """Every field as JSON; the story-level ones (sources, disagreeing values, the speaker as written) only
    when set, so an item's own figures and quotes keep their original, smaller form."""
    out: JSON = {name: getattr(value, name) for name in _item_level_fields(type(value))}
    if value.sources:
        out["sources"] = [s.to_json() for s in value.sources]
    if isinstance(value, StoryFigure) and value.disagrees:
        out["disagrees"] = [d.to_json() for d in value.disagrees]
    if isinstance(value, StoryQuote) and value.speaker_as_written:
        out["speaker_as_written"] = value.speaker_as_written
    return out


def _item_level_fields(cls: type[StoryFigure] | type[StoryQuote]) -> tuple[str, ...]:
    """The fields _with_sources always writes, once per class (dataclasses.fields is slow, and a big cycle writes
    thousands of figures and quotes)."""
    names = _ITEM_LEVEL_FIELDS.get(cls)
    if names is None:
        story_level = ("sources", "disagrees", "speaker_as_written")
        names = _ITEM_LEVEL_FIELDS[cls] = tuple(f.name for f in fields(cls) if f.name not in story_level)
    return names


_ITEM_LEVEL_FIELDS: dict[type, tuple[str, ...]] = {}


def _shared_fields(cls: type[StoryFigure] | type[StoryQuote], value: Figure | Quote) -> dict[str, Any]:
    """The fields of the summarizer's Figure or Quote that the stored form keeps (not its offsets)."""
    story_level = ("outlet", "link", "sources", "disagrees", "speaker_as_written")
    return {f.name: getattr(value, f.name) for f in fields(cls) if f.name not in story_level}


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _sources(data: Any) -> tuple[Source, ...]:
    if not isinstance(data, Sequence) or isinstance(data, str):
        return ()
    return tuple(Source.from_json(s) for s in data if isinstance(s, Mapping))


# ------------------------------------------------------------------------------ story fingerprints


@dataclass(frozen=True)
class StoryFingerprints:
    """The clustering fingerprints of a story's members, as stored in the story's ``fingerprint`` column.

    Each entry is ``(fingerprint JSON, publication time, topics)``: bot.stories.Fingerprint's own JSON, so the
    story layer can compare a new item with every telling of a story, and the topics whose time decay the
    member was indexed with (its own; None in entries stored before they were kept: the story's then stand in).
    Only the first tellings and the latest ones are kept (``MAX_MEMBERS``).
    """

    members: tuple[tuple[str, datetime, tuple[str, ...] | None], ...] = ()

    MAX_MEMBERS = 30  # the first tellings and the latest ones suffice to recognise a story

    def add(
        self, fingerprint_json: str, published: datetime, topics: tuple[str, ...] | None = None
    ) -> StoryFingerprints:
        members = [*self.members, (fingerprint_json, published, topics)]
        if len(members) > self.MAX_MEMBERS:
            first = self.MAX_MEMBERS // 3
            members = members[:first] + members[first - self.MAX_MEMBERS :]
        return StoryFingerprints(tuple(members))

    def to_json(self) -> JSON:
        return {
            "members": [
                [fp, published.isoformat()] + ([list(topics)] if topics is not None else [])
                for fp, published, topics in self.members
            ]
        }

    @classmethod
    def from_json(cls, data: Any) -> StoryFingerprints:
        """The stored form back; entries of an older or unknown shape are skipped (an entry without topics, stored
        before they were kept, has None)."""
        out: list[tuple[str, datetime, tuple[str, ...] | None]] = []
        entries = data.get("members", ()) if isinstance(data, Mapping) else ()
        for entry in entries if isinstance(entries, Sequence) else ():
            try:
                topics = entry[2] if len(entry) > 2 else None
                if topics is not None and (isinstance(topics, str) or not all(isinstance(t, str) for t in topics)):
                    raise TypeError("topics are a list of names")
                out.append(
                    (
                        str(entry[0]),
                        as_utc(datetime.fromisoformat(entry[1])),
                        tuple(topics) if topics is not None else None,
                    )
                )
            except (ValueError, TypeError, IndexError, KeyError):
                continue
        return cls(tuple(out))


# ------------------------------------------------------------------------------ feeds, items, stories, chats


@dataclass(frozen=True)
class Member:
    """One outlet's article in a story."""

    outlet: str
    link: str | None  # as the feed gave it (the canonical form when the feed's is unknown)
    title: str | None
    published: datetime | None
    guid: str | None = None
    relayed: bool = False  # an aggregator's item: its link is the aggregator's redirect to the outlet's article


# A feed's name is "<outlet>" or "<outlet> – <section>" (feeds.yaml): the section is no outlet of its own.
_FEED_SECTION = re.compile(r"\s+[–—|]\s+")


def member_outlet(feed: str, title: str | None, summary: str | None) -> tuple[str, bool]:
    """Who told an item, as readers are shown it, and whether an aggregator relayed it: the outlet an aggregator
    names (Google News repeats the title and adds it: "<title> Bloomberg.com"), else the feed's name without its
    section ("BBC News – World": BBC News)."""
    from summarizer.furniture import echoed_outlet_name  # not at import: `stories` and `healthcheck` start without it

    named = echoed_outlet_name(title, summary) if title and summary else None
    return (named, True) if named else (_FEED_SECTION.split(feed, maxsplit=1)[0] or feed, False)


def own_links(members: Sequence[Member]) -> dict[str, str]:
    """outlet_id -> the link of the outlet's first own (not relayed) telling among ``members`` (StoryView.own_sources;
    a story's title link, bot.store)."""
    out: dict[str, str] = {}
    for m in members:
        if m.link and not m.relayed:
            out.setdefault(outlet_id(m.outlet), m.link)
    return out


# A headline's words for comparing headlines: letters, three or more, without the words every headline may use.
_HEADLINE_WORD = re.compile(r"[^\W\d_]{3,}")
_HEADLINE_COMMON = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "after",
        "over",
        "into",
        "says",
        "said",
        "amid",
        "its",
        "their",
        "has",
        "have",
    ]
)
HEADLINE_MEMBERS = 3  # from this many titled tellings, a story is headed by the one most of them tell


def headline(members: Sequence[Member], title: str, link: str | None) -> tuple[str, str | None]:
    """The title and link a story is shown under: its first telling's (``title``, ``link``, as stored), unless three or
    more tellings have titles and another shares more words with the rest (the sum of its word overlap, Jaccard, with
    each other title) than the first: a story of twelve tellings of China's export curbs that an odd first item
    joined was headed by that item. Ties keep the first telling."""
    titled = [m for m in members if m.title]
    if len(titled) < HEADLINE_MEMBERS:
        return title, link
    words = [set(_HEADLINE_WORD.findall(m.title.casefold())) - _HEADLINE_COMMON for m in titled]  # type: ignore[union-attr]

    agreement = [
        sum(len(mine & theirs) / len(mine | theirs) for j, theirs in enumerate(words) if j != k and mine | theirs)
        for k, mine in enumerate(words)
    ]
    first = next((k for k, m in enumerate(titled) if m.link == link and m.title == title), None)
    best = max(range(len(titled)), key=lambda k: (agreement[k], k == first, -k))
    if first is not None and agreement[best] <= agreement[first]:
        return title, link
    return str(titled[best].title), titled[best].link


def outlet_id(name: str) -> str:
    """One outlet's names compared as one ("Bloomberg.com", "Bloomberg"; summarizer.furniture.outlet_name_key), the
    name itself when it has no letters to compare."""
    from summarizer.furniture import outlet_name_key

    return outlet_name_key(name) or name


@dataclass(frozen=True)
class TrendStory:
    """What /trend and the weekly chart count of a story (Store.trend_stories): when it was first seen, its topics and
    who told it (each member's outlet, in the members' order); not its text, headline or analysis, which the chart
    never shows and whose reading was most of a chart's time (qa16 F4)."""

    first_seen: datetime
    topics: tuple[str, ...]
    outlets: tuple[str, ...]


@dataclass(frozen=True)
class StoryView:
    """A story as commands and digests see it."""

    id: int
    title: str
    link: str | None
    topics: tuple[str, ...]
    first_seen: datetime
    updated_at: datetime
    alertable: bool
    members: tuple[Member, ...]
    summary: tuple[SummaryLine, ...]
    figures: tuple[StoryFigure, ...]
    quotes: tuple[StoryQuote, ...]
    terms: dict[str, list[str]]

    def outlets(self) -> list[str]:
        """The outlets that told it, each once (one outlet's feeds, "Bloomberg.com" and "Bloomberg" alike), in the
        members' order, each by the name of its own telling when one is here (by_outlet)."""
        return [ms[0].outlet for ms in self.by_outlet()]

    def own_sources(self) -> dict[str, Source]:
        """Each outlet (outlet_id) as the Sources line shows it: the name and link of its own telling where one is
        here, so a figure first told through Google News ("Bloomberg.com") reads as the outlet does ("Bloomberg")."""
        return {
            outlet_id(ms[0].outlet): Source(ms[0].outlet, ms[0].link) for ms in self.by_outlet() if not ms[0].relayed
        }

    def by_outlet(self) -> list[list[Member]]:
        """The members of each outlet, outlets in the members' order; an aggregator's relay of an outlet is left out
        when the outlet's own telling is here (readers click what the outlet published, not the redirect)."""
        groups: dict[str, list[Member]] = {}
        for m in self.members:
            groups.setdefault(outlet_id(m.outlet), []).append(m)
        return [[m for m in ms if not m.relayed] or ms for ms in groups.values()]


@dataclass(frozen=True)
class FeedHealth:
    """How one configured feed is doing (for /status and `coverage-bot feeds`)."""

    name: str
    url: str  # where it is polled: source_url, or where a permanent redirect moved it
    enabled: bool
    last_success_at: datetime | None
    last_status: int | None
    items: int
    failures: int
    disabled_reason: str | None
    next_poll_at: datetime | None
    last_error: str | None
    source_url: str  # as written in feeds.yaml

    @property
    def moved(self) -> bool:
        """Polled elsewhere than feeds.yaml says: a permanent redirect moved it."""
        return self.url != self.source_url


@dataclass(frozen=True)
class FeedCounts:
    """The configured feeds by state and the last poll: what `coverage-bot healthcheck` says, read from the feeds
    table alone (Store.feed_health counts every feed's items, which neither it nor /status shows)."""

    feeds_total: int
    healthy: int
    failing: int
    disabled: int
    last_poll_at: datetime | None


@dataclass(frozen=True)
class StatusView:
    """The bot at a glance."""

    feeds_total: int
    healthy: int
    failing: int
    disabled: int
    last_poll_at: datetime | None
    stories_today: int
    deactivated_chats: list[tuple[int, str]]
    size: StoreSize | None = None


@dataclass(frozen=True)
class StoreSize:
    """How much the store holds (``coverage-bot feeds`` and /status show it)."""

    items: int
    stories: int
    deliveries: int
    bytes: int | None  # the database file (SQLite) or database (PostgreSQL), when it can be read

    def describe(self) -> str:
        """'12,345 items, 321 stories, 40 deliveries, 18.2 MB'."""
        text = f"{self.items:,} items, {self.stories:,} stories, {self.deliveries:,} deliveries"
        return text + (f", {self.bytes / 1e6:.1f} MB" if self.bytes is not None else "")


@dataclass(frozen=True)
class PruneReport:
    """What one pruning pass deleted, and whether anything older than the cutoff is left."""

    deliveries: int = 0
    items: int = 0
    stories: int = 0
    finished: bool = True  # False: stopped at its batch limit; the next quiet moment goes on


# The console's own chat (bot.console): its subscriptions are stored like any chat's, and never sent to Telegram, where
# no chat has this id (Store.subscriptions(deliverable=True) leaves it out; the shell refuses it).
CONSOLE_CHAT_ID = 0


def is_chat_id(n: int) -> bool:
    """Whether ``n`` can name a chat: Telegram's ids fit a signed 64-bit integer, as the store's column does."""
    return -(2**63) < n < 2**63


@dataclass(frozen=True)
class SubscriptionView:
    """One chat's (or forum topic's) subscription."""

    id: int
    chat_id: int
    thread_id: int | None
    topics: tuple[str, ...]
    mode: str
    at: str
    timezone: str | None
    active: bool
    failures: int  # the chat's refused sends in a row (a forum topic's own: subscriptions.failures, bot.store)
    deactivated_reason: str | None
    chat_type: str | None
    title: str | None
    # when it was created or last changed (subscribing again sets its time, /timezone its zone; dropping a topic counts
    # too): a digest due before it was not missed (bot.delivery)
    changed_at: datetime | None = None


@dataclass(frozen=True)
class FeedSpec:
    """A feed as configured (what :meth:`Store.sync_feeds` needs of ``settings.FeedConfig``)."""

    name: str
    url: str
    topics: tuple[str, ...] = ()
    interval: int = 900
    enabled: bool = True


@dataclass(frozen=True)
class SyncReport:
    """What syncing feeds.yaml into the store changed."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class SyncedFeeds:
    """The feed list the feeds table was last synced to (:meth:`Store.sync_feeds`): its fingerprint
    (bot.store.feeds_fingerprint), the instance that synced it (a lease owner name, bot.store.default_owner) and when.
    Instances sharing a database compare it with their own feeds.yaml (bot.poller)."""

    fingerprint: str
    instance: str
    synced_at: datetime


@dataclass(frozen=True)
class FeedState:
    """A feed as the poller needs it (a leased feed)."""

    id: int
    name: str
    url: str
    source_url: str
    topics: tuple[str, ...]
    interval: int
    etag: str | None
    last_modified: str | None
    failures: int
    backoff: float
    initialised: bool
    next_poll_at: datetime
    lease_until: datetime | None
    last_attempt_at: datetime | None = None
    backlog: bool = True  # items kept for a later cycle may exist (False only when known to be none)


@dataclass(frozen=True)
class ItemKey:
    """What identifies a feed item: its identity, guid, canonical link, and title + date."""

    identity: str
    guid: str | None
    link: str | None
    title_key: str | None


@dataclass(frozen=True)
class NewItem:
    """An item to store; ``state='pending'`` when it is kept for a later cycle."""

    key: ItemKey
    title: str | None
    summary: str | None
    published_at: datetime | None
    alertable: bool
    state: str = "done"
    text: str | None = None
    text_source: str | None = None
    topics: tuple[str, ...] = ()
    terms: dict[str, list[str]] = field(default_factory=dict)
    relevance: float = 0.0
    analysis: ArticleAnalysis | None = None
    feed_link: str | None = None  # the link as the feed gave it (key.link is canonical)
    near: tuple[str, ...] = ()  # topics title + summary nearly match (bot.topics.TopicMatcher.partial)
    feed_id: int | None = None  # its feed, as read back from the store (clustering tells outlets apart by it)


@dataclass(frozen=True)
class StoredCopy:
    """The stored copy of an item (by its canonical link), as a feed that carries the same link sees it: an item's
    topics are judged against those of every feed that carries it, and the item is stored, clustered and told once.

    ``carriers``: each feed holding a row of the link, with the topics it follows (empty: every topic); the first row
    is the copy (``item_id``), the others only record that their feed carries it and was judged for."""

    item_id: int
    pending: bool  # kept for a later cycle by its feed: not judged yet
    topics: tuple[str, ...]
    terms: dict[str, list[str]]
    relevance: float
    has_text: bool
    story_id: int | None
    carriers: dict[int, tuple[str, ...]]

    def unjudged(self, topics: Iterable[str]) -> set[str]:
        """The topics among ``topics`` that no carrier follows (none when one follows every topic): the copy was not
        judged against them."""
        if any(not followed for followed in self.carriers.values()):
            return set()
        judged = {t for followed in self.carriers.values() for t in followed}
        return set(topics) - judged


@dataclass(frozen=True)
class PendingItem:
    """A stored item kept for a later cycle (the per-cycle cap was reached)."""

    id: int
    key: ItemKey
    title: str | None
    summary: str | None
    published_at: datetime | None
    alertable: bool
    text: str | None = None  # the feed's own full content, when it had one


@dataclass(frozen=True)
class StoryRecord:
    """A recent story as clustering sees it."""

    id: int
    title: str
    link: str | None
    topics: tuple[str, ...]
    terms: dict[str, list[str]]
    fingerprint: StoryFingerprints
    first_seen: datetime
    updated_at: datetime
    alertable: bool
    revision: int = 0


@dataclass(frozen=True)
class ArticleToAnalyse:
    """A stored on-topic item whose article's figures and quotes are still to be found (bot.story_analysis)."""

    item_id: int
    text: str
    title: str | None
    outlet: str
    link: str | None
    story_id: int | None = None  # the story it is in already (a cycle killed after clustering, before analysing)


@dataclass(frozen=True)
class MemberArticle:
    """A story member with what story analysis needs: text, per-article analysis, outlet and link."""

    item_id: int
    outlet: str
    link: str | None
    title: str | None
    published: datetime | None
    text: str | None
    text_source: str | None
    analysis: ArticleAnalysis | None


_TITLE_WORDS = re.compile(r"\w+")


def title_key(title: str | None, published: datetime | None) -> str | None:
    """Hash of a normalised title and its publication day (None without both)."""
    if not title or published is None:
        return None
    norm = " ".join(_TITLE_WORDS.findall(title.casefold()))
    if not norm:
        return None
    day = as_utc(published).date().isoformat()
    return hashlib.sha1(f"{norm}|{day}".encode()).hexdigest()[:32]


# ------------------------------------------------------------------------------ a poll's outcome for one feed


@dataclass(frozen=True)
class FeedSuccess:
    """The feed answered (200 or 304): health reset, validators kept, next poll scheduled."""

    status: int
    etag: str | None
    last_modified: str | None
    next_poll_at: datetime
    url: str | None = None  # set when the feed moved permanently
    title: str | None = None  # the feed's own title, when it gave one


@dataclass(frozen=True)
class FeedFailure:
    """The fetch failed: counted, backed off, and disabled when ``disabled_reason`` is set."""

    status: int | None
    error: str
    failures: int
    backoff: float
    next_poll_at: datetime
    disabled_reason: str | None = None
    url: str | None = None  # set when a moved feed goes back to its configured URL (bot.feed_health.failed)


@dataclass(frozen=True)
class FeedBacklog:
    """The feed was not fetched, only its kept items worked through: just the next poll changes."""

    next_poll_at: datetime


FeedOutcome = FeedSuccess | FeedFailure | FeedBacklog
