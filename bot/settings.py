"""Configuration, validated once at the edge: feeds.yaml (topics, feeds, poll limits) and the environment.

Why one module over 600 lines: every setting, its validation and the error message that names its file, line
and key live together, so a new setting is added in one place (the pydantic models, then the environment).

API::

    config = load_config("feeds.yaml")  -> Config            # raises ConfigError (file, key path, fix)
    config.topics: dict[str, Topic]        # Topic(label, description, threshold, rules, exclude, ignore,
                                           #       title_required, story_decay_hours)
    config.feeds: tuple[FeedConfig, ...]   # FeedConfig(name, url, topics: tuple[str, ...], interval: int s, enabled)
    config.poll: PollSettings              # limits: concurrency, per_host, deadline_seconds, max_bytes, ...
    config.enabled_feeds() / config.feed(name)
    check_config("feeds.yaml") -> list[str]                  # summary lines for `coverage-bot check-config`
    settings = Settings.from_env(os.environ) -> Settings     # raises ConfigError naming the variable
    settings.telegram_bot_token: SecretStr | None            # never printed; settings.require_token() -> str
    parse_duration("1h30m") -> 5400; parse_size("5MB") -> 5_000_000
    canonical_url("http://A.org:80/f/") -> "//a.org/f"      # duplicate feeds: feeds.yaml's check and OPML import

Topic rules use the term syntax of :mod:`bot.topics` (checked here, term by term). A feed without
``topics`` is matched against every topic; a feed without ``interval`` uses ``poll.interval``.
"""

from __future__ import annotations

import difflib
import functools
import math
import os
import re
import socket
import types
import typing
import unicodedata
import zoneinfo
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .netpolicy import PrivateNetworks, as_private_networks
from .topics import DEFAULT_THRESHOLD, parse_term

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/coverage-bot.db"
DEFAULT_TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_TELEGRAM_BASE_FILE_URL = "https://api.telegram.org/file/bot"
MIN_INTERVAL = 60  # seconds; polling a feed more often than this is impolite and pointless
MAX_INTERVAL = 7 * 24 * 3600
TOPIC_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
# poll.retention_days below this is raised to it (PollSettings.days_kept): /trend charts the last 14 days and today.
MIN_RETENTION_DAYS = 15


class ConfigError(Exception):
    """A configuration problem a user can fix; the message names the file, the key and what is valid."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]


# --------------------------------------------------------------------------- value parsers

# A duration's units, in seconds. A month and a year are systemd.time(7)'s: 30.44 and 365.25 days.
_DAY = 86400
_UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), _DAY),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 7 * _DAY),
    **dict.fromkeys(("mo", "month", "months"), 2_630_016),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), 31_557_600),
}
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
_PART = re.compile(rf"({_NUMBER})\s*([a-z]+)")
_PARTS = re.compile(rf"(?:\s*{_NUMBER}\s*[a-z]+)+\s*")
# ISO 8601's form: P1DT12H, PT90M, P2W
_ISO_DURATION = re.compile(
    rf"p(?:({_NUMBER})y)?(?:({_NUMBER})m)?(?:({_NUMBER})w)?(?:({_NUMBER})d)?"
    rf"(?:t(?=.)(?:({_NUMBER})h)?(?:({_NUMBER})m)?(?:({_NUMBER})s)?)?"
)
_ISO_UNITS = ("y", "mo", "w", "d", "h", "m", "s")
DURATION_EXAMPLES = "900 (seconds), 15m, 1h30m, 1.5h, 2 days, 1w or ISO 8601's PT36H"
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {None: 1, "b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}


def _shown(value: object) -> str:
    """A value as an error message quotes it: a scalar as Python writes it, a list or a mapping by its kind only (one
    nesting YAML aliases a few levels deep is written out as hundreds of megabytes)."""
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def parse_duration(value: object) -> int:
    """Whole seconds from 900, "900", "15m", "1h30m", "1.5h", "2 days", "1 week, 2 days", "P1DT12H"; ValueError says
    what is valid."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration; use {DURATION_EXAMPLES}")
    if isinstance(value, int | float):
        if not math.isfinite(value):  # YAML's .nan and .inf
            raise ValueError(f"{value!r} is not a duration; use {DURATION_EXAMPLES}")
        if value != int(value):
            raise ValueError(f"{value!r} is not a whole number of seconds")
        return int(value)
    if isinstance(value, str):
        s = value.strip().lower()
        if s.isdigit():
            return int(s)
        if (iso := _ISO_DURATION.fullmatch(s)) and any(iso.groups()):
            parts = [(n, unit) for n, unit in zip(iso.groups(), _ISO_UNITS, strict=True) if n]
        else:
            s = re.sub(r"\band\b|,", " ", s)
            parts = _PART.findall(s) if _PARTS.fullmatch(s) else []
        if parts:
            return _seconds(value, parts)
    raise ValueError(f"{_shown(value)} is not a duration; use {DURATION_EXAMPLES}")


def _seconds(value: str, parts: list[tuple[str, str]]) -> int:
    """The whole seconds of (number, unit) parts, each unit once."""
    for _, unit in parts:
        if unit not in _UNITS:
            raise ValueError(f"{value!r}: unknown unit {unit!r}; use s, m, h, d, w, mo or y (or their names)")
    units = [_UNITS[unit] for _, unit in parts]
    if len(set(units)) < len(units):
        raise ValueError(f"{value!r} names a unit twice")
    total = sum((Fraction(n) * u for (n, _), u in zip(parts, units, strict=True)), Fraction(0))
    if total.denominator != 1:
        raise ValueError(f"{value!r} is {float(total):g} s, not a whole number of seconds")
    return int(total)


def parse_size(value: object) -> int:
    """Bytes from 5000000, "5MB", "512 KiB"; ValueError says what is valid."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and (m := _SIZE.match(value)) and len(m.group(1)) <= 30:  # (a float of 400 digits
        return int(float(m.group(1)) * _SIZE_UNITS[m.group(2).lower() if m.group(2) else None])  # is inf)
    raise ValueError(f"{_shown(value)} is not a size; use bytes (5000000) or 5MB / 512KB")


def _check_interval(seconds: int) -> int:
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise ValueError(f"{seconds} s is out of range; use between {MIN_INTERVAL} s (1m) and 7d")
    return seconds


def _check_term(term: str) -> str:
    parse_term(term)
    return unicodedata.normalize("NFC", term.strip())  # as the matcher reads it: "Gdańsk" typed decomposed is "Gdańsk"


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        shown = f"scheme {parts.scheme!r}" if parts.scheme else "no scheme"
        raise ValueError(f"{url!r} has {shown}; a feed URL must start with http:// or https://")
    if not parts.hostname or any(c.isspace() for c in url):
        raise ValueError(f"{url!r} is not a valid URL (no host, or spaces in it)")
    try:
        port = parts.port  # a port out of range raises only when read
    except ValueError:
        port = 0
    if port == 0:  # (none given is None; 0 is no port a server listens on)
        raise ValueError(f"{url!r} has no valid port (a number from 1 to 65535 after the host's colon)")
    return url


def _check_feed_name(name: str) -> str:
    if not name.strip():
        raise ValueError("a feed's name cannot be blank: stories and `coverage-bot feeds` show it; e.g. name: Reuters")
    return name


Duration = Annotated[int, BeforeValidator(parse_duration), AfterValidator(_check_interval)]
Size = Annotated[int, BeforeValidator(parse_size), Field(ge=1024)]
Term = Annotated[str, AfterValidator(_check_term)]
# A list of terms; one term may be written bare (any: lithium), as a feed's topics may (topics: rare-earths)
Terms = Annotated[tuple[Term, ...], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- feeds.yaml models


class JointSubjects(_Strict):
    """Third parties that, named with the rule's second party before its first ("Putin and Kim sign a pact ... a
    move likely to unsettle the US"), make a sentence about their own relationship, unless one of ``unless`` is there."""

    parties: Terms = Field(min_length=1)
    unless: Terms = ()


class ThirdStates(_Strict):
    """Other parties that are states (or regions) of their own: a title naming one of them and not the rule's second
    party is about that state and the first, and its summary does not count for the topic (``title_required``), unless
    one of ``unless`` is in the title ("US adds 42 more Chinese companies to its 'entities' economic blacklist": the
    secondary measures aimed at Russia). They are other parties too (``other_parties``). A sentence naming one of them
    and the second party only right after one of ``aid`` ("warns China against helping Russia") tells that state's aid
    to it, not the rule's relationship, unless one of ``unless`` is there."""

    parties: Terms = Field(min_length=1)
    unless: Terms = ()
    aid: Terms = ()


class TimedActs(_Strict):
    """Acts of the rule's second party that, told before a connective of time with every party of its first group after
    it ("Russia launches 'massive' attack on Kyiv as Trump touts 'peace deal'"), are the second party's news: the first
    party only dates them. In an ``any`` rule, an act told before a connective with every term of the rule after it
    ("8 dead in Kyiv after fiercest Russian attack since Trump-Putin summit")."""

    acts: Terms = Field(min_length=1)
    connectives: Terms = Field(min_length=1)


class Rule(_Strict):
    """One keyword rule: ``any`` term, or one term of each ``all_of`` group in the same sentence."""

    name: str | None = None
    any: Terms = ()
    all_of: tuple[Terms, ...] = ()
    near: int | None = Field(default=None, ge=1, le=200)  # all_of terms within this many words
    weight: float = Field(default=1.0, gt=0, le=10)
    # parties beside the rule's own (its groups before the last): a sentence naming one first is about that party
    other_parties: Terms = ()
    # words of a dispute ("slams"): aimed at a party of the first group by no other party, the rule does not fire
    disputes: Terms = ()
    # third parties named with the second group's party, before the first's: their relationship, not the rule's
    joint_subjects: JointSubjects | None = None
    # the second group's acts dated by a first-group event after a connective ("... as Trump touts peace"): not the rule's
    timed_acts: TimedActs | None = None
    # other parties that are states of their own: a title naming one and not the second group is about that state
    third_states: ThirdStates | None = None
    # false: a sentence with all groups but one is no near miss (which would let a summary count, and join a story)
    near_misses: bool = True

    @model_validator(mode="after")
    def _one_kind(self) -> Rule:
        if bool(self.any) == bool(self.all_of):
            raise ValueError("a rule needs exactly one of 'any: [terms]' or 'all_of: [[terms], [terms], ...]'")
        if self.all_of and (len(self.all_of) < 2 or not all(self.all_of)):
            raise ValueError("'all_of' needs at least two non-empty groups of terms (else use 'any')")
        if self.near is not None and not self.all_of:
            raise ValueError("'near' only applies to 'all_of' rules")
        if not self.near_misses and not self.all_of:
            raise ValueError("'near_misses' only applies to 'all_of' rules (an 'any' rule has no near miss)")
        for key in ("other_parties", "disputes", "joint_subjects", "third_states"):
            if getattr(self, key) and len(self.all_of) < 3:
                raise ValueError(
                    f"'{key}' applies to 'all_of' rules of three or more groups (parties, then what they do)"
                )
        if self.timed_acts and len(self.all_of) == 2:
            raise ValueError(
                "'timed_acts' applies to 'any' rules and to 'all_of' rules of three or more groups (parties, then what "
                "they do)"
            )
        return self


class Topic(_Strict):
    """A subject the bot follows: keyword rules, exclusions and the score an item needs."""

    label: str | None = None
    description: str | None = None
    threshold: float = Field(default=DEFAULT_THRESHOLD, gt=0)
    rules: tuple[Rule, ...] = Field(min_length=1)
    exclude: Terms = ()  # a sentence holding one of these counts for nothing
    ignore: Terms = ()  # phrases blanked out before matching ("Radio Free Europe")
    # the summary and the page count only when the title fires a rule or nearly matches one (bot.topics)
    title_required: bool = False
    # how slowly the topic's events are retold: two tellings of one lose 1/e of their similarity per this many hours
    # apart (bot.stories.TIME_DECAY_HOURS when not set; a pair on other topics too decays at the faster rate)
    story_decay_hours: float | None = Field(default=None, gt=0, le=24 * 30)


class FeedConfig(_Strict):
    """One feed to poll."""

    name: Annotated[str, Field(max_length=100), AfterValidator(_check_feed_name)]
    url: Annotated[str, AfterValidator(_check_url)]
    topics: tuple[str, ...] = ()  # empty only when built by hand: load_config fills in every topic
    interval: Duration = 900
    enabled: bool = True

    @field_validator("topics", mode="before")
    @classmethod
    def _listify(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    @property
    def host(self) -> str:
        """The feed's host name (for per-host limits)."""
        return (urlsplit(self.url).hostname or "").lower()


class PollSettings(_Strict):
    """Limits of one poll cycle; every key is optional in feeds.yaml."""

    interval: Duration = 900  # default interval of a feed
    concurrency: int = Field(default=8, ge=1, le=256)  # requests in flight
    per_host: int = Field(default=2, ge=1, le=32)  # requests in flight per host
    timeout_seconds: float = Field(default=20.0, gt=0, le=300)  # one request
    deadline_seconds: float = Field(default=300.0, gt=0, le=3600)  # one whole cycle
    # A feed's lease lasts deadline_seconds + this: a killed instance's feeds are taken over that long after its
    # cycle began. Keep it above the time a cycle needs to write its results after the deadline.
    lease_margin_seconds: float = Field(default=60.0, ge=1, le=3600)
    max_bytes: Size = 5_000_000  # a feed body
    max_page_bytes: Size = 3_000_000  # an article page
    max_items_per_cycle: int = Field(default=500, ge=1, le=100_000)
    max_items_per_feed: int = Field(default=100, ge=1, le=10_000)
    max_age_days: float = Field(default=7, gt=0, le=365)  # older items are ignored
    fetch_full_text: bool = True
    failure_disable_after: int = Field(default=20, ge=1, le=10_000)  # consecutive failures
    story_window_hours: float = Field(default=72, gt=0, le=24 * 30)
    retention_days: int = Field(default=90, ge=1, le=3650)
    user_agent: str = "coverage-bot/0.1 (+https://github.com/coverage-bot/coverage-bot)"

    @field_validator("user_agent")
    @classmethod
    def _header_value(cls, value: str) -> str:
        """A header value: printable ASCII on one line (anything else fails every request, and disables every feed)."""
        if not value.strip() or not all(" " <= c <= "~" for c in value):
            raise ValueError("must be printable ASCII on one line, e.g. 'coverage-bot/0.1 (+https://example.org/bot)'")
        return value.strip()

    @property
    def days_kept(self) -> float:
        """How many days stories and items are kept, as bot.retention prunes: retention_days, raised to max_age_days
        (items that old are read) and to MIN_RETENTION_DAYS (/trend's two weeks)."""
        return max(self.retention_days, self.max_age_days, MIN_RETENTION_DAYS)


class Config(_Strict):
    """The whole of feeds.yaml, validated."""

    topics: dict[str, Topic] = Field(min_length=1)
    feeds: tuple[FeedConfig, ...] = Field(min_length=1)
    poll: PollSettings = PollSettings()
    path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _feed_defaults(cls, data: Any) -> Any:
        """Feeds without topics follow every topic; without interval, poll.interval."""
        if not isinstance(data, dict) or not isinstance(data.get("feeds"), list):
            return data
        # (a topic name YAML read as a number is that key's one problem, not one more per feed: _describe)
        topics = [t for t in data["topics"] if isinstance(t, str)] if isinstance(data.get("topics"), dict) else []
        poll: dict[str, Any] = data["poll"] if isinstance(data.get("poll"), dict) else {}
        try:  # only a valid poll.interval: a bad one is poll.interval's one problem, not one more per feed
            interval = _check_interval(parse_duration(poll["interval"])) if "interval" in poll else None
        except ValueError:
            interval = None
        feeds = []
        for feed in data["feeds"]:
            if isinstance(feed, dict):
                feed = dict(feed)
                if "topics" not in feed and topics:
                    feed["topics"] = topics
                if "interval" not in feed and interval is not None:
                    feed["interval"] = interval
            feeds.append(feed)
        return {**data, "feeds": feeds}

    @model_validator(mode="after")
    def _cross_check(self) -> Config:
        problems = _cross_problems(list(self.topics), [(f.name, f.url, f.topics) for f in self.feeds])
        if problems:
            raise PydanticCustomError(
                "config_cross", "{count} problems", {"count": len(problems), "problems": problems}
            )
        return self

    def enabled_feeds(self) -> tuple[FeedConfig, ...]:
        """Feeds to poll."""
        return tuple(f for f in self.feeds if f.enabled)

    def topic_names(self) -> dict[str, str]:
        """Each topic's label, as digests show it ("rare-earths": "Rare earths & critical minerals")."""
        return {name: t.label for name, t in self.topics.items() if t.label}

    def feed(self, name: str) -> FeedConfig | None:
        """A feed by name (case-insensitive)."""
        key = name.strip().casefold()
        return next((f for f in self.feeds if f.name.casefold() == key), None)


def canonical_url(url: str) -> str:
    """A feed URL as compared for duplicates, here and by OPML import: host case, a default port (80 for http, 443
    for https), a trailing slash, the fragment and the scheme do not count (http:// and https:// of one feed are one)."""
    p = urlsplit(url.strip())
    host = (p.hostname or "").lower()
    if ":" in host:  # IPv6 keeps its brackets: [::1]:8080 is not [::1:8080]
        host = f"[{host}]"
    if p.port is not None and p.port != {"http": 80, "https": 443}.get(p.scheme.lower()):
        host = f"{host}:{p.port}"
    return urlunsplit(("", host, p.path.rstrip("/") or "/", p.query, ""))


_FeedKeys = tuple[str | None, str | None, tuple[str, ...] | None]  # a feed's name, url and topics; None: not checked


def _cross_problems(topics: list[str], feeds: list[_FeedKeys]) -> list[tuple[tuple[Any, ...], str]]:
    """Problems between keys: topic names, the topics a feed names, duplicate feed names and URLs."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    for name in topics:
        if not TOPIC_NAME.match(name):
            fixed = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:40].rstrip("-")
            fix = f"rename it {fixed!r}" if TOPIC_NAME.match(fixed) and fixed not in topics else "e.g. rare-earths"
            problems.append(
                (("topics", name), f"topic name {name!r} must be lower-case letters, digits and '-': {fix}")
            )
    names: dict[str, int] = {}
    urls: dict[str, int] = {}
    for i, (feed_name, url, feed_topics) in enumerate(feeds):
        if feed_topics is not None and not feed_topics:
            problems.append((("feeds", i, "topics"), "empty; omit the key to follow every topic"))
        for j, t in enumerate(feed_topics or ()):
            if t in topics:
                continue
            if "," in t:  # `topics: us-russia, rare-earths`, which YAML reads as one name
                listed = ", ".join(n.strip() for n in t.split(",") if n.strip())
                loc = ("feeds", i, "topics") if len(feed_topics or ()) == 1 else ("feeds", i, "topics", j)
                problems.append((loc, f"{t!r} is one name with commas in it: write a list, topics: [{listed}]"))
            else:
                problems.append((("feeds", i, "topics", j), _unknown("topic", t, topics)))
        if feed_name is not None:
            key = feed_name.strip().casefold()
            if key in names:
                problems.append((("feeds", i, "name"), f"duplicate feed name {feed_name!r} (also feeds[{names[key]}])"))
            names.setdefault(key, i)
        if url is not None:
            norm = canonical_url(url)
            if norm in urls:
                problems.append((("feeds", i, "url"), f"duplicate feed URL {url!r} (also feeds[{urls[norm]}])"))
            urls.setdefault(norm, i)
    return problems


def _raw_cross_problems(data: dict[Any, Any], failed: set[tuple[Any, ...]]) -> list[tuple[tuple[Any, ...], str]]:
    """Config's cross checks on YAML data that failed validation (so they did not run), over the values valid on
    their own: one run of check-config lists every problem. `failed`: the key paths of the validation errors."""
    below = {loc[:k] for loc in failed for k in range(1, len(loc) + 1)}  # a key with an error at or under it

    def valid(*loc: Any) -> bool:
        return loc not in below and not any(loc[:k] in failed for k in range(1, len(loc)))

    raw_topics = data.get("topics")
    topics = [t for t in raw_topics if isinstance(t, str)] if isinstance(raw_topics, dict) else []
    known = bool(topics)  # with no topics (the problem reported), every topic a feed names would be "unknown"
    raw_feeds = data.get("feeds")
    feeds: list[_FeedKeys] = []
    for i, feed in enumerate(raw_feeds if isinstance(raw_feeds, list) else []):
        feed = feed if isinstance(feed, dict) else {}
        name, url, feed_topics = feed.get("name"), feed.get("url"), feed.get("topics")
        feed_topics = [feed_topics] if isinstance(feed_topics, str) else feed_topics  # as FeedConfig reads it
        feeds.append(
            (
                name if isinstance(name, str) and valid("feeds", i, "name") else None,
                url.strip() if isinstance(url, str) and valid("feeds", i, "url") else None,
                tuple(feed_topics) if isinstance(feed_topics, list) and known and valid("feeds", i, "topics") else None,
            )
        )
    return _cross_problems(topics, feeds)


def _unknown(what: str, value: object, valid: typing.Iterable[str]) -> str:
    valid = list(valid)
    close = difflib.get_close_matches(str(value), valid, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {what} {value!r}{hint} (valid: {', '.join(valid)})"


# --------------------------------------------------------------------------- loading


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, typing.Hashable) and key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r} (first at line {seen[key] + 1})",
                key_node.start_mark,
            )
        if isinstance(key, typing.Hashable):
            seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Source(typing.NamedTuple):
    """Where feeds.yaml's keys are, and how it wrote the plain scalars YAML 1.1 reads as no text (on, NO, null,
    2024), for error messages: pydantic names a topic ``on:`` as ``topics.1`` and says a term ``NO`` is False."""

    lines: dict[tuple[Any, ...], int]  # key path, keys as written -> 1-based line
    # (a mapping's key path, one of its keys that is no text, as pydantic's loc gives it) -> the key as written
    keys: dict[tuple[Any, ...], str]
    values: dict[tuple[Any, ...], str]  # key path -> a value that is no text, as written


_STR_TAG = "tag:yaml.org,2002:str"


def _loc_key(key: object) -> object:
    """A mapping key as pydantic's error locations give it (True is 1, None is 'None')."""
    return int(key) if isinstance(key, int) else repr(key)


def _line_map(text: str) -> _Source:
    """Each key path's 1-based line in the YAML source, and the spelling of its scalars that are no text.

    Each node is walked once: an alias is the node its anchor names, and walking it again at every alias would
    expand aliases of aliases (323 bytes nesting them 8 deep make 48 million paths: a MemoryError under 2 GB).
    A path below a second alias is not in the map: its error names the alias's line, the nearest key above it."""
    source = _Source({}, {}, {})
    lines = source.lines
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:
        return source
    finally:
        loader.dispose()
    walked: set[int] = set()

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if id(node) in walked:
            return
        walked.add(id(node))
        if isinstance(node, yaml.ScalarNode) and node.tag != _STR_TAG:
            source.values[path] = node.value
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else None
                if isinstance(k, yaml.ScalarNode) and k.tag != _STR_TAG:  # (the file loaded: it constructs)
                    source.keys[(*path, _loc_key(loader.construct_object(k)))] = k.value
                lines[(*path, key)] = k.start_mark.line + 1
                walk(v, (*path, key))
                lines[(*path, key)] = k.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, (*path, i))

    if root is not None:
        walk(root, ())
    return source


def _as_written(loc: typing.Iterable[Any], keys: dict[tuple[Any, ...], str]) -> tuple[Any, ...]:
    """A pydantic error location with its keys that are no text as the file wrote them (topics.1 is topics.on)."""
    out: tuple[Any, ...] = ()
    for part in loc:
        out = (*out, keys.get((*out, part), part))
    return out


def _path(loc: typing.Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the key at ``loc`` (for "did you mean" on unknown keys)."""
    cursor: Any = Config
    for part in loc:
        cursor = _unwrap(cursor)
        if isinstance(cursor, type) and issubclass(cursor, BaseModel):
            field = cursor.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            cursor = field.annotation
        else:
            origin, args = typing.get_origin(cursor), typing.get_args(cursor)
            if origin in (tuple, list) and args:
                cursor = args[0]
            elif origin is dict and len(args) == 2:
                cursor = args[1]
            else:
                return None
    cursor = _unwrap(cursor)
    return cursor if isinstance(cursor, type) and issubclass(cursor, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0] if len(args) == 1 else tp
            if len(args) != 1:
                return tp
        else:
            return tp


# What one entry of a list is called in an error message ("topics.x.rules: at least one rule is required").
_ITEM_NOUNS = {"topics": "topic", "feeds": "feed", "rules": "rule"}


def _read_as(value: object) -> str:
    """What YAML 1.1 made of a plain scalar that is no text, for a message that says to quote it ("" for a number)."""
    if isinstance(value, bool):
        return f" as {str(value).lower()}"
    return " as no value" if value is None else ""


def _describe(err: dict[str, Any], values: dict[tuple[Any, ...], str]) -> list[tuple[tuple[Any, ...], str]]:
    """(key path, message) pairs for one pydantic error (its location as the file wrote its keys: _as_written), in
    words a user can act on; ``values``: the scalars that are no text, as written (_Source.values)."""
    loc = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    if len(loc) > 1 and loc[0] == "topics" and not isinstance(loc[1], str):  # no source text: topics.2024 as a number
        loc = ("topics", str(loc[1]), *loc[2:])
    if loc[2:] == ("[key]",) and loc[0] == "topics":  # `on:`, `2024:`, `null:`: YAML 1.1 reads them as no text
        written = loc[1] if loc[1] != str(_loc_key(value)) else _yaml_word(value)
        reads = f", and YAML reads {written}{_read_as(value)}" if _read_as(value) else ""
        return [(loc[:2], f"topic names are text{reads}: quote it, {written!r}")]
    if kind == "string_type" and (isinstance(value, int | float) or (value is None and values.get(loc))):
        written = values.get(loc) or _yaml_word(value)
        what = "topic names are" if loc[0::2] == ("feeds", "topics") and len(loc) == 4 else "should be"  # [2024]
        reads = f", and YAML reads {written}{_read_as(value)}" if _read_as(value) else ""
        return [(loc, f"{what} text{reads}: quote it, {written!r}")]  # a term NO (false), a feed name 2024
    if kind == "model_type" and value is None and len(loc) == 2 and loc[0] == "topics":  # `arctic:` and nothing
        return [(loc, "empty: a topic needs its rules, e.g. 'rules: [{any: [a term]}]'; write them or delete it")]
    if kind == "model_type" and (model := _model_at(loc)) is not None:  # pydantic: "... instance of Topic"
        keys = ", ".join(k for k in model.model_fields if k != "path")
        got = "it is empty" if value is None else f"got {_shown(value)}"
        return [(loc, f"should be a mapping of keys ({keys}); {got}")]
    if kind == "config_cross":
        return [(tuple(p), m) for p, m in err["ctx"]["problems"]]
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        valid = list(model.model_fields) if model else []
        valid = [v for v in valid if v != "path"]
        return [(loc, _unknown("key", loc[-1], valid) if valid else f"unknown key {loc[-1]!r}")]
    if kind == "missing":
        return [(loc, "required key is missing")]
    msg = err["msg"]
    if kind == "tuple_type":  # a YAML list, read as a tuple: "tuple" is Python's word
        msg = "Input should be a valid list"
    if kind == "value_error":
        msg = msg.removeprefix("Value error, ")
    elif "input" in err and not isinstance(err["input"], dict | list):
        msg = f"{msg} (got {err['input']!r})"
    if kind == "too_short" and err.get("ctx", {}).get("min_length") == 1:  # pydantic: "should have at least 1 item"
        msg = f"at least one {_ITEM_NOUNS.get(str(loc[-1]) if loc else '', 'entry')} is required"
    return [(loc, msg)]


def _yaml_word(value: object) -> str:
    """A scalar as YAML writes it (true, null, 2024): how a message quotes one whose spelling in the file is unknown."""
    if value is None:
        return "null"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _line_of(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int | None:
    """The line of a key path, or of the nearest key above it that the line map knows."""
    return next((lines[loc[:k]] for k in range(len(loc), -1, -1) if loc[:k] in lines), None)


def _format(path: Path | str, errors: list[tuple[tuple[Any, ...], str]], lines: dict[tuple[Any, ...], int]) -> str:
    out = [f"{path}: {len(errors)} problem{'s' if len(errors) != 1 else ''}"]
    for loc, msg in errors:
        line = _line_of(loc, lines)
        where = f"line {line}: " if line else ""
        out.append(f"  {where}{_path(loc)}: {msg}")
    return "\n".join(out)


def parse_config(data: object, source: Path | str = "<config>", text: str | None = None) -> Config:
    """Validate already-loaded YAML data; ConfigError lists every problem with its key path."""
    if data is None:
        raise ConfigError(f"{source}: the file is empty; it needs 'topics:' and 'feeds:'")
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping with 'topics:' and 'feeds:'")
    try:
        config = Config.model_validate({**data, "path": Path(source) if isinstance(source, Path) else None})
    except ValidationError as exc:
        written = _line_map(text) if text else _Source({}, {}, {})
        errors: list[dict[str, Any]] = [{**e, "loc": _as_written(e["loc"], written.keys)} for e in exc.errors()]
        # A list whose items failed also reports "too short": noise next to the real problems.
        deeper = {tuple(e["loc"][:k]) for e in errors for k in range(1, len(e["loc"]))}
        errors = [e for e in errors if not (e["type"] == "too_short" and tuple(e["loc"]) in deeper)]
        problems = [p for err in errors for p in _describe(err, written.values)]
        if not any(e["type"] == "config_cross" for e in errors):  # a field error stopped Config's cross checks
            problems += _raw_cross_problems(data, {tuple(e["loc"]) for e in errors})
        message = _format(source, problems, written.lines)
        raise ConfigError(message, [line.strip() for line in message.splitlines()[1:]]) from None
    return config


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate feeds.yaml; ConfigError names the file, the key path and what would be valid."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such file (pass --config PATH, or copy feeds.yaml from the repository)") from None
    except UnicodeDecodeError as exc:  # (its message gives a byte offset: the line is what an editor shows)
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{p}: line {line}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read it: {exc}") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        raise ConfigError(f"{p}: YAML syntax error at {where}{what}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: YAML syntax error: {exc}") from None
    return parse_config(data, p, text)


def check_config(
    path: str | os.PathLike[str], private: PrivateNetworks | None = None, *, resolve: bool = True
) -> list[str]:
    """Summary lines of a valid feeds.yaml (raises ConfigError when it is not) for `check-config`.

    `private` is ALLOW_PRIVATE_URLS: a feed whose host is a non-public address outside it gets a warning
    (host names are looked up unless `resolve` is False; lookups that fail or take long are skipped)."""
    config = load_config(path)
    enabled = config.enabled_feeds()
    lines = [f"{path}: OK"]
    lines.append(f"topics: {len(config.topics)}")
    for name, topic in config.topics.items():
        terms = sum(len(r.any) + sum(len(g) for g in r.all_of) for r in topic.rules)
        n = sum(1 for f in enabled if name in f.topics)
        label = f" ({topic.label})" if topic.label else ""
        lines.append(
            f"  {name}{label}: {_n(len(topic.rules), 'rule')}, {_n(terms, 'term')}, "
            f"{_n(len(topic.exclude), 'exclusion')}, {_n(len(topic.ignore), 'ignored phrase')}, "
            f"threshold {topic.threshold:g}{', title required' if topic.title_required else ''}"
            f"{f', stories decay over {topic.story_decay_hours:g} h' if topic.story_decay_hours else ''}, "
            f"{_n(n, 'enabled feed')}"
        )
    hosts = {f.host for f in enabled}
    shortest = min((f.interval for f in enabled), default=0)
    lines.append(
        f"feeds: {len(config.feeds)} ({len(enabled)} enabled, {len(config.feeds) - len(enabled)} disabled) "
        f"on {_n(len(hosts), 'host')}; shortest interval {_human(shortest)}"
    )
    p = config.poll
    lines.append(
        f"poll: concurrency {p.concurrency}, {p.per_host} per host, timeout {p.timeout_seconds:g} s, "
        f"deadline {p.deadline_seconds:g} s, feed <= {p.max_bytes / 1e6:g} MB, page <= {p.max_page_bytes / 1e6:g} MB, "
        f"{p.max_items_per_cycle} items per cycle, items <= {p.max_age_days:g} days old, "
        f"disable after {p.failure_disable_after} failures, story window {p.story_window_hours:g} h"
    )
    kept = p.days_kept
    if kept > p.retention_days:
        why = (
            "/trend charts the last 14 days and today"
            if kept == MIN_RETENTION_DAYS
            else f"items up to poll.max_age_days ({p.max_age_days:g}) old are read, and one pruned sooner that a feed "
            "still lists would come again as new"
        )
        lines.append(f"note: poll.retention_days {p.retention_days} is raised to {kept:g}: {why}")
    for name in config.topics:
        if not any(name in f.topics for f in enabled):
            lines.append(f"warning: topic {name!r} is followed by no enabled feed")
    lines.extend(_unspaced_term_warnings(path, config))
    if not enabled:
        lines.append("warning: every feed is disabled; nothing will be polled")
    lines.extend(_private_feed_warnings(enabled, private or PrivateNetworks(), resolve))
    return lines


# Scripts written without spaces between words: Thai and Lao, Myanmar, Khmer, Japanese kana, CJK ideographs (Hangul is
# written with spaces). bot.topics cuts text into words at spaces and punctuation, so "中国限制稀土出口" is one word.
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _unspaced_term_warnings(path: str | os.PathLike[str], config: Config) -> list[str]:
    """A warning per topic with a term in a script written without spaces between words (Chinese, Japanese, Thai): the
    matcher finds such a term only where a text sets it apart with spaces or punctuation, so it almost never matches."""
    unspaced: dict[str, list[tuple[tuple[Any, ...], str]]] = {}
    for name, topic in config.topics.items():
        for loc, term in _terms(topic, ("topics", name)):
            if _UNSPACED.search(term):
                unspaced.setdefault(name, []).append((loc, term))
    if not unspaced:
        return []
    lines = _line_map(Path(path).read_text(encoding="utf-8")).lines
    out = []
    for terms in unspaced.values():
        loc, term = terms[0]
        more = f" (and {_n(len(terms) - 1, 'other term')} of this topic)" if len(terms) > 1 else ""
        out.append(
            f"warning: {path}: line {_line_of(loc, lines)}: {_path(loc)}: term {term!r}{more} is in a script written "
            "without spaces between words: it matches only where a text sets it apart with spaces or punctuation, so "
            "almost never; follow the subject with terms in a language written with spaces, or remove it"
        )
    return out


def _terms(value: object, loc: tuple[Any, ...]) -> typing.Iterator[tuple[tuple[Any, ...], str]]:
    """Every term of a topic (its rules' terms, exclude, ignore, ...) with its key path: its strings but names."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, BaseModel):
        for key in type(value).model_fields:
            if key not in ("label", "description", "name"):
                yield from _terms(getattr(value, key), (*loc, key))
    elif isinstance(value, tuple):
        for i, v in enumerate(value):
            yield from _terms(v, (*loc, i))


RESOLVE_SECONDS = 3.0  # check-config waits this long in all for feed host lookups (a dead DNS must not hang it)


def _private_feed_warnings(feeds: typing.Sequence[FeedConfig], private: PrivateNetworks, resolve: bool) -> list[str]:
    """A warning per feed whose host is a non-public address that ALLOW_PRIVATE_URLS does not allow."""
    import concurrent.futures
    import ipaddress

    from .fetch import is_public_address

    def addresses(host: str) -> list[Any]:
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        if not resolve:
            return []
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return []
        return [ipaddress.ip_address(str(i[4][0]).split("%", 1)[0]) for i in infos]

    hosts = sorted({f.host for f in feeds})
    found: dict[str, list[Any]] = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=8)
    futures = {pool.submit(addresses, h): h for h in hosts}
    try:
        for fut in concurrent.futures.as_completed(futures, timeout=RESOLVE_SECONDS):
            found[futures[fut]] = fut.result()
    except TimeoutError:
        pass
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    lines = []
    for feed in feeds:
        refused = [a for a in found.get(feed.host, []) if not is_public_address(a) and not private.allows(a)]
        if refused:
            ip = refused[0]
            network = f"ALLOW_PRIVATE_URLS={ip}/{ip.max_prefixlen}"
            how = f"ALLOW_PRIVATE_URLS=true or {network}" if PrivateNetworks.parse(True).allows(ip) else network
            lines.append(
                f"warning: feed {feed.name!r}: {feed.host} is a non-public address ({ip}) and will be refused; "
                f"allow it with {how}"
            )
    return lines


def _n(count: int, noun: str) -> str:
    """'1 host', '2 hosts' (check-config's counts)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _human(seconds: int) -> str:
    if seconds and seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds and seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


# --------------------------------------------------------------------------- environment

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")  # (bot.cli names them too: it starts without pydantic)
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,200}$")


class Settings(_Strict):
    """Process settings from the environment; the bot token is a SecretStr and never printed."""

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = DEFAULT_TELEGRAM_BASE_URL
    telegram_base_file_url: str = DEFAULT_TELEGRAM_BASE_FILE_URL
    database_url: str = DEFAULT_DATABASE_URL
    admin_ids: frozenset[int] = frozenset()
    default_timezone: str = "UTC"
    # Non-public networks feeds and /summary links may reach: ALLOW_PRIVATE_URLS=true (loopback and private LANs)
    # or a CIDR list; default none. bool(settings.allow_private_urls) says whether any is allowed.
    allow_private_urls: Annotated[
        PrivateNetworks,
        PlainValidator(as_private_networks),
        PlainSerializer(lambda p: [str(n) for n in p.networks], return_type=list[str]),
    ] = PrivateNetworks()
    instance_id: str = Field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    log_level: str = "WARNING"  # (bot.cli applies LOG_LEVEL before the settings are read)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from environment variables; ConfigError names the variable and what is valid."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        problems: list[str] = []

        def get(name: str) -> str | None:
            v = env.get(name)
            return v.strip() if v is not None and v.strip() != "" else None

        token = get("TELEGRAM_BOT_TOKEN")
        if token is not None:
            if _TOKEN.match(token):
                values["telegram_bot_token"] = SecretStr(token)
            else:
                problems.append(
                    "TELEGRAM_BOT_TOKEN: does not look like a bot token (expected digits:characters, "
                    "as @BotFather gives it); value not shown"
                )
        for var, key in (
            ("TELEGRAM_BASE_URL", "telegram_base_url"),
            ("TELEGRAM_BASE_FILE_URL", "telegram_base_file_url"),
        ):
            if (v := get(var)) is not None:
                if urlsplit(v).scheme in ("http", "https") and urlsplit(v).hostname:
                    values[key] = v
                else:
                    problems.append(f"{var}: {v!r} is not an http(s) URL (e.g. http://127.0.0.1:8081/bot)")
        try:
            values["database_url"] = database_url_from_env(env)
        except ValueError as exc:
            problems.append(f"DATABASE_URL: {exc}")
        if (v := get("ADMIN_IDS")) is not None:
            parts = [p.strip() for p in v.split(",") if p.strip()]
            if all(re.fullmatch(r"-?\d+", p) for p in parts):
                values["admin_ids"] = frozenset(int(p) for p in parts)
            else:
                problems.append(f"ADMIN_IDS: {v!r} is not a comma-separated list of Telegram user ids (123,456)")
        if (v := get("DEFAULT_TIMEZONE")) is not None:
            try:
                values["default_timezone"] = check_timezone(v)
            except ValueError as exc:
                problems.append(f"DEFAULT_TIMEZONE: {exc}")
        raw = env.get("ALLOW_PRIVATE_URLS")
        if raw is not None:
            try:
                values["allow_private_urls"] = PrivateNetworks.parse(raw)
            except ValueError as exc:
                problems.append(f"ALLOW_PRIVATE_URLS: {exc}")
        if (v := get("INSTANCE_ID")) is not None:
            values["instance_id"] = v
        if (v := get("LOG_LEVEL")) is not None:
            if v.upper() in LOG_LEVELS:
                values["log_level"] = v.upper()
            else:
                problems.append(f"LOG_LEVEL: {v!r} is not one of {', '.join(LOG_LEVELS)}")
        if problems:
            plural = "s" if len(problems) > 1 else ""
            raise ConfigError(
                f"environment: {len(problems)} problem{plural}\n" + "\n".join(f"  {p}" for p in problems), problems
            )
        return cls(**values)

    def require_token(self) -> str:
        """The bot token, or ConfigError saying how to set it (the token itself is never in a message)."""
        if self.telegram_bot_token is None:
            raise ConfigError("environment: TELEGRAM_BOT_TOKEN is not set; create a bot with @BotFather and export it")
        return self.telegram_bot_token.get_secret_value()

    def is_admin(self, user_id: int | None) -> bool:
        """Whether a Telegram user may run admin commands."""
        return user_id is not None and user_id in self.admin_ids


@functools.cache
def _zone_names() -> dict[str, str]:
    """The IANA names of places (Area/Location, and UTC, GMT), by their lower-case form; not the Etc/GMT±N offsets,
    whose sign is reversed (Etc/GMT+3 is UTC-03:00) and which keep no daylight saving time."""
    return {
        z.lower(): z
        for z in zoneinfo.available_timezones()
        if ("/" in z and not z.startswith("Etc/")) or z in ("UTC", "GMT", "Etc/UTC")
    }


def timezone_hint(name: str) -> str:
    """Why a name that reads as an abbreviation is no time zone here ("EST", "CET"), or nothing."""
    return " (name a place: an abbreviation such as EST may keep no daylight saving time)" if name.isupper() else ""


def check_timezone(name: str) -> str:
    """An IANA time zone name, spelled as the database spells it ("europe/moscow" is Europe/Moscow), or ValueError
    with an example of a valid one. Abbreviations ("EST", a fixed UTC-05:00 that keeps no daylight saving time, so a
    New York digest would come an hour late all summer) and the database's own entries ("localtime", "Factory") are
    no place's time."""
    canonical = _zone_names().get(name.lower())
    if canonical is None:
        raise ValueError(
            f"{name!r} is not an IANA time zone{timezone_hint(name)} (e.g. UTC, Europe/Berlin, America/New_York)"
        )
    try:
        ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # listed, but its file is not readable here
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)") from None
    return canonical


def database_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """``DATABASE_URL`` as the store opens it (normalize_database_url), or the default SQLite file: the one reader of
    the variable, for Settings.from_env, `check-config` and `python -m bot.migrations`. ValueError says what is wrong
    (never the URL, which may hold a password)."""
    value = (os.environ if environ is None else environ).get("DATABASE_URL", "").strip()
    return normalize_database_url(value) if value else DEFAULT_DATABASE_URL


def normalize_database_url(url: str) -> str:
    """A SQLAlchemy async URL: plain sqlite:// and postgres:// get their async drivers."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme:  # the URL itself is not shown: it may hold a password
        raise ValueError(f"not a database URL (expected scheme://..., e.g. {DEFAULT_DATABASE_URL})")
    scheme = scheme.lower()
    if scheme == "sqlite":
        scheme = "sqlite+aiosqlite"
    elif scheme in ("postgres", "postgresql"):
        scheme = "postgresql+asyncpg"
    if scheme not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise ValueError(f"scheme {scheme!r} is not supported; use sqlite+aiosqlite:// or postgresql+asyncpg://")
    normalized = f"{scheme}://{rest}"
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:  # parsed here, once, so that no later error prints the URL (it may hold a password)
        parsed = make_url(normalized)
        parsed.port  # noqa: B018 (a port that is no number raises only when read)
    except (ArgumentError, ValueError):
        raise ValueError(
            "not a valid database URL (a password holding @, : or / must be percent-encoded: p@ss is p%40ss)"
        ) from None
    if scheme == "sqlite+aiosqlite" and (parsed.database or ":memory:") == ":memory:":
        raise ValueError(
            f"names no database file: an in-memory database loses everything at exit (e.g. {DEFAULT_DATABASE_URL})"
        )
    if scheme == "postgresql+asyncpg" and "sslmode" in parsed.query:  # libpq's name; asyncpg's is ssl
        query = {k: v for k, v in parsed.query.items() if k != "sslmode"} | {"ssl": parsed.query["sslmode"]}
        normalized = parsed.set(query=query).render_as_string(hide_password=False)
    return normalized
