"""What each bot command answers, transport-free: Telegram and the console share this code path.

``Commands.handle("/quotes zelensky", chat)`` returns a :class:`bot.message.Reply`; ``bot.telegram``
renders it as HTML, ``bot.console`` as plain text. What differs between transports (is this user a
chat admin? which chat is ``@channel``?) comes through a :class:`Platform`.

Why one module over 600 lines: it is the table of commands, each a short method (arguments checked at the
edge, an answer built from the store and bot.digest); splitting it would scatter the usage lines and the
argument conventions every command shares.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from summarizer.speakers import fold, speaker_matches, surname_owners

from . import digest as d
from .clock import local_zone, utcnow
from .digest import analysis_blocks, digest_for, trend_reply
from .message import CALLBACK_DATA_LIMIT, Block, Button, Reply, b, block, code, i, line, link, text_reply, trim
from .models import StoryQuote, StoryView, SubscriptionView, is_chat_id
from .settings import check_timezone, timezone_hint
from .store import Store
from .textcut import echo

log = logging.getLogger(__name__)

# How much each command shows. Chosen so one answer fits one phone screen or two.
SUMMARY_STORIES = 5  # /summary without a number: the latest stories of the last 24 h
WINDOW = timedelta(hours=24)  # "latest": /summary, /figures, /digest for a chat without subscription
QUOTES_WINDOW = timedelta(days=7)  # quotes are rarer than stories: look back a week
QUOTES_SPEAKERS = 8
QUOTES_PER_SPEAKER = 3
FIGURES_STORIES = 8
FIGURES_PER_STORY = 3
STATUS_FEEDS_LISTED = 10
DEFAULT_TIME = "08:00"
# A topic button's callback data: what the tap does, as its label shows it. Buttons sent before these carry 't:topic'
# (a toggle of whatever the store held when pressed); press redraws them, changing nothing.
START = "+"  # "➕ topic": '+:topic'
STOP = "-"  # "✅ topic": '-:topic'

GROUP_TYPES = ("group", "supergroup")


@dataclass(frozen=True)
class ChatRef:
    """Where a command came from: the chat, the forum topic (thread), the user."""

    chat_id: int
    chat_type: str = "private"  # private | group | supergroup | channel
    thread_id: int | None = None
    user_id: int | None = None
    title: str | None = None
    sender_is_chat: bool = False  # an anonymous group admin or a channel post: speaks for the chat


@dataclass(frozen=True)
class CallbackAnswer:
    """What a button press gets: a short notice and, when something changed, the message's new content."""

    notice: str
    reply: Reply | None = None


class PlatformUnreachable(Exception):
    """The transport could not answer a question about a chat (Telegram down or slow, after its retries): the command
    is answered with this exception's message ("try again"), not refused as if the sender had no right to it."""


class Platform(Protocol):
    """What the transport knows that the store does not. A question it cannot get answered now raises
    PlatformUnreachable: a False or None is an answer (not an admin, no such chat)."""

    async def is_admin(self, chat_id: int, user_id: int) -> bool: ...

    async def resolve_chat(self, ref: str) -> ChatRef | None: ...

    async def bot_can_post(self, chat_id: int) -> bool: ...


class LocalPlatform:
    """The console: the person at the terminal owns the store and every chat in it."""

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        return True

    async def resolve_chat(self, ref: str) -> ChatRef | None:
        try:
            chat_id = int(ref)
        except ValueError:
            return None  # @names need Telegram to resolve
        if not is_chat_id(chat_id):
            return None
        kind = "channel" if ref.startswith("-100") else ("group" if chat_id < 0 else "private")
        return ChatRef(chat_id, kind, title=ref)

    async def bot_can_post(self, chat_id: int) -> bool:
        return True


@dataclass(frozen=True)
class CommandInfo:
    """A command for /help and setMyCommands; ``example`` names its topics as {first} and {second} (example_topics)."""

    name: str
    description: str
    usage: str
    example: str

    def example_for(self, topics: Sequence[str]) -> str:
        """The example with the configured topics in it: one typed as shown must work."""
        first, second = example_topics(topics)
        return self.example.format(first=first, second=second)


def example_topics(topics: Sequence[str]) -> tuple[str, str]:
    """The two topics examples name: the first two configured (rare-earths and us-russia in the shipped feeds.yaml),
    so that an operator's own topics are what /start and /help tell users to type; one topic serves as both."""
    first = topics[0] if topics else "TOPIC"
    return first, topics[1] if len(topics) > 1 else first


COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("start", "What this bot does, and subscribe", "/start", "/start"),
    CommandInfo(
        "subscribe",
        "Subscribe to topics: daily digest or alerts",
        "/subscribe [@channel] [topic…] [daily HH:MM | alerts]",
        "/subscribe {first} daily 08:00",
    ),
    CommandInfo("unsubscribe", "Stop a topic or everything", "/unsubscribe [topic | all]", "/unsubscribe {second}"),
    CommandInfo("settings", "This chat's subscriptions", "/settings [@channel]", "/settings"),
    CommandInfo("timezone", "Set the digest timezone", "/timezone [@channel] Area/City", "/timezone Europe/Moscow"),
    CommandInfo(
        "summary",
        "Latest stories summarised, one story, or any article",
        "/summary [topic | story number | URL]",
        "/summary 12",
    ),
    CommandInfo("quotes", "Latest quotes grouped by speaker", "/quotes [speaker] [topic…]", "/quotes zelensky"),
    CommandInfo("figures", "Key figures of the last 24 h", "/figures [topic]", "/figures {first}"),
    CommandInfo("digest", "The digest now, as scheduled", "/digest", "/digest"),
    CommandInfo("status", "Feeds, last poll, stories today", "/status", "/status"),
    CommandInfo("trend", "Chart: stories per day, 14 days", "/trend [topic]", "/trend {second}"),
    CommandInfo("help", "Every command with an example", "/help", "/help"),
)
USAGE = {c.name: c.usage for c in COMMANDS} | {
    "enable": "/enable feed name or URL (admins: a feed disabled after failures)"
}


def usage(name: str) -> Reply:
    """The one-line usage answer for bad arguments."""
    return text_reply(f"Usage: {USAGE[name]}")


# ---------------------------------------------------------------- argument parsing

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
_TIME_LIKE = re.compile(r"^\d{1,4}[:.h]\d{1,4}$")  # shaped like a time but out of range: 25:00, 8:75
_BARE_LINK = re.compile(r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/")  # "example.com/article", no scheme
_CHAT = re.compile(r"^(@[A-Za-z]\w{3,}|-?\d{3,})$")  # "@channel" or a chat id naming another chat


@dataclass(frozen=True)
class SubscribeArgs:
    """Parsed /subscribe arguments."""

    target: str | None  # "@channel" or a chat id, subscribing another chat from a private chat
    topics: tuple[str, ...]
    mode: str | None
    at: str | None


class BadArguments(ValueError):
    """Arguments a command cannot use; the message says which."""


_TIME_12H = re.compile(r"^(1[0-2]|0?[1-9])(?:[:.]([0-5]\d))?\s*([ap])\.?m\.?$", re.IGNORECASE)  # 8am, 7:30 p.m.


def parse_time(text: str) -> str | None:
    """A time of day as HH:MM, from 08:00, 7.30, 6h15, 8am or 7:30pm; None when the text is none."""
    if m := _TIME.match(text):
        return f"{int(m.group(1)):02d}:{m.group(2)}"
    if m := _TIME_12H.match(text):
        hour = int(m.group(1)) % 12 + (12 if m.group(3).lower() == "p" else 0)
        return f"{hour:02d}:{m.group(2) or '00'}"
    return None


MAX_STORY_NUMBER = 2**63 - 1  # the database's integer range; longer numbers are no story
MAX_URL_CHARS = 2048  # longer links are refused before fetching (browsers and servers stop near here too)


def _story_number(word: str) -> int | None:
    """A story number typed as digits (a sign allowed, so '-3' is answered as a number); None when not a number."""
    if not re.fullmatch(r"[-+]?[0-9]+", word):
        return None
    digits = word.lstrip("+-").lstrip("0") or "0"
    if len(digits) > 19:
        return MAX_STORY_NUMBER + 1  # never int() thousands of digits
    return int(word)


def url_problem(url: str) -> str | None:
    """Why a /summary URL is refused before fetching (scheme, missing host, too long), or None."""
    if len(url) > MAX_URL_CHARS:
        return f"the link is longer than {MAX_URL_CHARS} characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return "it is not a valid link"
    if parts.scheme not in ("http", "https"):
        return "only http:// and https:// links can be summarised"
    if not host:
        return "the link has no host name"
    if len(host) > 253 or any(not 0 < len(label) <= 63 for label in host.rstrip(".").split(".")):
        return "the link's host name is not valid (too long, or an empty part)"
    if port == 0:
        return "the link's port is not valid"
    return None


_ERRNO = re.compile(r"\s*\[Errno -?\d+\]\s*")


# bot.fetch's refusal of an address that is not public ("refused: HOST resolves to non-public address IP (set …)",
# "refused: redirect from a public address to non-public IP (HOST)"): it names the address a host resolved to.
_NOT_PUBLIC = re.compile(r"^refused: .*\bnon-public\b")


def chat_error(error: str, *, detail: bool = True) -> str:
    """A fetch error in words for a chat user: no errno numbers, socket tuples or library class names. Without
    ``detail`` (anyone but the bot's admins) a refused non-public address is only that: what an internal name
    resolves to, and the operator's ALLOW_PRIVATE_URLS, are the log's and the admins' to see."""
    if not detail and _NOT_PUBLIC.match(error):
        return "it is not a public address"
    m = re.match(r"cannot resolve host '(.*?)': (.*)", error)
    if m:
        host = echo(m.group(1))  # a host name may be 253 characters
        return f"there is no site called {host}" if m.group(2) == "no such host" else f"{host}: {m.group(2)}"
    if error.startswith("connection failed") or error.startswith("network error"):
        return "the site could not be reached"
    if error.startswith("connection reset") or error.startswith("connection closed"):
        return "the site closed the connection"
    if error.startswith("timeout"):
        return "the site did not answer in time"
    return _ERRNO.sub(" ", error).strip()


# ---------------------------------------------------------------- the commands


class Commands:
    """Every command's answer, computed from the store."""

    def __init__(
        self,
        store: Store,
        topics: Sequence[str],
        *,
        admin_ids: frozenset[int] | set[int] = frozenset(),
        default_timezone: str = "UTC",
        platform: Platform | None = None,
        fetcher_factory: Callable[[bool], Any] | None = None,
        on_change: Callable[[int], Awaitable[None]] | None = None,
        now: Callable[[], datetime] = utcnow,
        topic_names: Mapping[str, str] | None = None,
        days_kept: float | None = None,
    ) -> None:
        self.store = store
        self.topics = list(topics)
        self.topic_names = dict(topic_names or {})  # feeds.yaml's labels, as the digest shows them
        self.days_kept = days_kept  # how long retention keeps stories (PollSettings.days_kept), for /summary N
        self.admin_ids = frozenset(admin_ids)
        self.default_timezone = default_timezone
        self.platform: Platform = platform or LocalPlatform()
        # /summary URL's fetcher, called with whether the sender may reach the non-public networks ALLOW_PRIVATE_URLS
        # opens (the bot's admins and the console: _bot_admin); anyone else's link reaches public addresses only
        self.fetcher_factory = fetcher_factory
        self.on_change = on_change
        self.now = now
        self._handlers: dict[str, Callable[[list[str], ChatRef], Awaitable[Reply]]] = {
            "start": self.start,
            "help": self.help,
            "subscribe": self.subscribe,
            "unsubscribe": self.unsubscribe,
            "settings": self.settings,
            "timezone": self.timezone,
            "summary": self.summary,
            "quotes": self.quotes,
            "figures": self.figures,
            "digest": self.digest,
            "status": self.status,
            "trend": self.trend,
            "enable": self.enable,
        }

    # ------------------------------------------------------------ dispatch

    async def handle(self, text: str, chat: ChatRef) -> Reply:
        """The answer to one command line such as '/quotes putin us-russia'."""
        words = text.strip().split()
        if not words or not words[0].startswith("/"):
            return text_reply(
                "Commands start with /. Send /help for the list, or /summary and a link to summarise an article."
            )
        name = words[0][1:].split("@", 1)[0].lower()
        handler = self._handlers.get(name)
        if handler is None:
            return text_reply(f"Unknown command /{echo(name)}. Send /help for the list.")
        try:
            return await handler(words[1:], chat)
        except BadArguments as exc:
            return text_reply(f"{exc} Usage: {USAGE[name]}" if str(exc) else f"Usage: {USAGE[name]}")
        except PlatformUnreachable as exc:  # who is an admin, which chat @name is: unknown now, not "no"
            return text_reply(str(exc))

    # ------------------------------------------------------------ helpers

    def _topic(self, word: str) -> str | None:
        """A configured topic from what the user typed (case, underscores and spaces forgiven)."""
        key = "-".join(word.lower().replace("_", " ").split())
        if key in self.topics:
            return key
        squashed = {t.replace("-", ""): t for t in self.topics}
        return squashed.get(key.replace("-", ""))

    def _known_topic(self, word: str) -> str:
        """The configured topic the user named, or a one-line answer listing the topics."""
        topic = self._topic(word)
        if topic is None:
            raise BadArguments(f"Unknown topic {echo(word)!r} (topics: {', '.join(self.topics)}).")
        return topic

    async def _topic_arg(self, word: str, chat: ChatRef) -> str:
        """The configured topic a command's argument names; a topic feeds.yaml no longer has (renamed or removed) is
        answered as that, not as an unknown word (_retired_topic)."""
        topic = self._topic(word)
        if topic is None and (retired := await self._retired_topic(word, chat)):
            raise BadArguments(f"The topic {retired} is no longer configured; topics: {', '.join(self.topics)}.")
        return self._known_topic(word)

    async def _retired_topic(self, word: str, chat: ChatRef) -> str | None:
        """The topic `word` names when feeds.yaml no longer has it (renamed or removed) but this chat still follows it
        or stored stories still carry it: typed, it means that topic, not a speaker. None otherwise."""
        key = word.lower().replace("_", "-")
        sub = await self._subscription(chat)
        if (sub is not None and key in sub.topics) or await self.store.has_topic(key):
            return key
        return None

    def _tz(self, name: str | None) -> ZoneInfo:
        return local_zone(name, self.default_timezone)

    async def _subscription(self, chat: ChatRef, active: bool | None = True) -> SubscriptionView | None:
        """The (chat, thread) subscription; ``active=None``: active or not (its mode and time are kept while the chat is
        unsubscribed, as its zone is, and subscribing again without naming them brings them back)."""
        for sub in await self.store.subscriptions(chat.chat_id, active=active):
            if sub.thread_id == chat.thread_id:
                return sub
        return None

    async def _zone_name(self, chat: ChatRef) -> str:
        """The zone the chat's digests and dates use: its subscription's, kept while it is unsubscribed (subscribing
        again brings it back, as Store.subscribe keeps it), else the default. One reading for every answer."""
        sub = await self._subscription(chat, active=None)
        return sub.timezone if sub is not None and sub.timezone else self.default_timezone

    async def _elsewhere(self, chat: ChatRef, command: str) -> str:
        """Where the chat's subscriptions are when this forum topic (or the General topic) has none: " This chat
        follows us-russia in forum topic 77: send /unsubscribe there." ('' when it has none anywhere else). /settings
        lists every topic's, and a command that works per topic answered as though there were none."""
        others = [s for s in await self.store.subscriptions(chat.chat_id) if s.thread_id != chat.thread_id]
        if not others:
            return ""
        where = "; ".join(
            f"{', '.join(s.topics)} in {f'forum topic {s.thread_id}' if s.thread_id else 'the General topic'}"
            for s in others
        )
        return f" This chat follows {where}: send {command} there."

    async def _chat_topics(self, chat: ChatRef) -> list[str]:
        """The chat's subscribed topics, or every topic when it has none."""
        sub = await self._subscription(chat)
        topics = [t for t in (sub.topics if sub else ()) if t in self.topics]
        return topics or list(self.topics)

    async def _may_change(self, chat: ChatRef) -> bool:
        """In groups and channels only their admins change subscriptions: a channel's posts and an anonymous admin
        speak for the chat; a person (a button pressed under a channel's post is a reader's) must be an admin.
        Private chats always may."""
        if chat.sender_is_chat or chat.chat_type not in (*GROUP_TYPES, "channel"):
            return True
        if chat.user_id is None:
            return False
        return await self.platform.is_admin(chat.chat_id, chat.user_id)

    def _bot_admin(self, chat: ChatRef) -> bool:
        """An ADMIN_IDS user or the console (the operator's own shell): sees /status details and fetch errors whole,
        may /enable feeds, and may have /summary fetch what ALLOW_PRIVATE_URLS opens."""
        return chat.user_id in self.admin_ids or chat.chat_type == "console"

    async def _changed(self, chat_id: int) -> None:
        if self.on_change is not None:
            await self.on_change(chat_id)

    async def _recent(self, topics: Sequence[str], since: datetime, limit: int = 200) -> list[StoryView]:
        """Stories on any of `topics` since `since`, newest first, each once."""
        seen: dict[int, StoryView] = {}
        for topic in topics:
            for story in await self.store.stories(since, topic=topic, limit=limit):
                seen.setdefault(story.id, story)
        return sorted(seen.values(), key=lambda s: s.first_seen, reverse=True)

    def keyboard(self, subscribed: Sequence[str]) -> tuple[tuple[Button, ...], ...]:
        """One button per topic, two to a row, then the mode buttons: "✅ topic" stops it ('-:topic'), "➕ topic"
        starts it ('+:topic'); the data says which (press). A subscribed topic feeds.yaml no longer has (renamed or
        removed) gets a button too, after the others: a tap stops it."""
        gone = [t for t in subscribed if t not in self.topics]
        marked = {t: f"{t} (no longer configured)" for t in gone}
        buttons = [
            Button(f"✅ {marked.get(t, t)}", f"{STOP}:{t}") if t in subscribed else Button(f"➕ {t}", f"{START}:{t}")
            for t in (*self.topics, *gone)
            if len(f"{START}:{t}".encode()) <= CALLBACK_DATA_LIMIT
        ]
        rows = [tuple(buttons[n : n + 2]) for n in range(0, len(buttons), 2)]
        rows.append((Button("Daily digest", "m:daily"), Button("Alerts", "m:alerts")))
        return tuple(rows)

    def _describe(self, sub: SubscriptionView) -> str:
        when = f"daily at {sub.at} ({sub.timezone or self.default_timezone})" if sub.mode == "daily" else "alerts"
        topics = [t if t in self.topics else f"{t} (no longer configured)" for t in sub.topics]  # renamed or removed
        return f"{', '.join(topics) or 'no topics'} — {when}"

    # ------------------------------------------------------------ /start, /help

    async def start(self, args: list[str], chat: ChatRef) -> Reply:
        """What the bot does, how to subscribe, and the topic keyboard."""
        sub = await self._subscription(chat)
        first, second = example_topics(self.topics)
        return Reply(
            blocks=(
                block(
                    line(b("coverage-bot"), " follows the news on ", ", ".join(self.topics) + "."),
                    "It merges the same story from several outlets, summarises it, and picks out key figures "
                    "and who said what.",
                ),
                block(
                    "Tap a topic to subscribe this chat (a daily digest at 08:00), or type for example",
                    line(code(f"/subscribe {first} daily 07:30"), " or ", code(f"/subscribe {second} alerts")),
                    "Send /help for every command.",
                ),
                block(line(i("Subscribed: " + self._describe(sub)))) if sub else block(line(i("Not subscribed yet."))),
            ),
            keyboard=self.keyboard(sub.topics if sub else ()),
        )

    async def help(self, args: list[str], chat: ChatRef) -> Reply:
        """Every command with its usage and an example."""
        lines = [line(b("Commands"))]
        for c in COMMANDS:
            lines.append(line(c.usage, " — ", c.description, ". ", i("e.g. " + c.example_for(self.topics))))
        lines.append(line("Topics: ", ", ".join(self.topics)))
        return Reply(blocks=(Block(tuple(lines)),))

    # ------------------------------------------------------------ subscriptions

    def parse_subscribe(self, args: Sequence[str], *, private: bool) -> SubscribeArgs:
        """'[@channel] [topic…] [daily HH:MM | alerts]' into its parts; BadArguments names the first bad word."""
        target = None
        rest = list(args)
        if rest and _CHAT.match(rest[0]):
            if not private:
                raise BadArguments("Subscribe a channel from a private chat with me.")
            target = rest.pop(0)
        topics: list[str] = []
        mode = at = None
        n = 0
        while n < len(rest):
            word = rest[n].lower()
            if (word == "daily" and mode == "alerts") or (word in ("alerts", "alert") and mode == "daily"):
                raise BadArguments("Choose one: daily HH:MM (a digest a day) or alerts (each new story).")
            if word == "daily":
                mode = "daily"
                if n + 1 < len(rest) and parse_time(rest[n + 1]):
                    at = parse_time(rest[n + 1])
                    n += 1
            elif word in ("alerts", "alert"):
                mode = "alerts"
            elif parse_time(word) and mode == "daily":
                at = parse_time(word)
            elif word == "all":
                topics.extend(self.topics)
            elif self._topic(word):
                topics.append(self._topic(word) or word)
            elif parse_time(word):
                raise BadArguments(f"Write the time after 'daily' (daily {parse_time(word)}).")
            elif _TIME_LIKE.match(word):
                raise BadArguments(f"{rest[n]!r} is not a time of day; use HH:MM from 00:00 to 23:59.")
            else:
                self._known_topic(rest[n])  # not a topic: answers with the list of topics
            n += 1
        return SubscribeArgs(target, tuple(dict.fromkeys(topics)), mode, at)

    async def _target(
        self, parsed: SubscribeArgs, chat: ChatRef, *, posting: bool = True, action: str = "subscribe it"
    ) -> ChatRef | Reply:
        """The chat to change: this one, or a channel/group named from a private chat (sender must be its admin;
        ``posting``: and the bot must be able to post there, which unsubscribing does not need). ``action`` is what
        the sender tried, as a refusal names it ("unsubscribe it", "change its timezone")."""
        if parsed.target is None:
            if not await self._may_change(chat):
                return text_reply("Only chat admins can change subscriptions here.")
            return chat
        named = echo(parsed.target)
        target = await self.platform.resolve_chat(parsed.target)
        if target is None:
            return text_reply(f"I can't find {named}. Add me to it as an admin first.")
        if target.chat_type == "private" and parsed.target.startswith("@"):
            return text_reply(f"{named} is a person, not a channel or group.")
        # the bot's own rights first: until it is an admin there, Telegram does not show it the chat's admins, and the
        # sender would be told they are not one
        if posting and not await self.platform.bot_can_post(target.chat_id):
            return text_reply(f"Make me an admin of {named} who may post messages, then try again.")
        if chat.user_id is None or not await self.platform.is_admin(target.chat_id, chat.user_id):
            return text_reply(f"Only admins of {named} can {action}, and you are not one.")
        return target

    async def subscribe(self, args: list[str], chat: ChatRef) -> Reply:
        """Subscribe this chat (or a channel) to topics, daily at a time or as alerts; no arguments: the keyboard."""
        parsed = self.parse_subscribe(args, private=chat.chat_type in ("private", "console"))
        if not args:
            if not await self._may_change(chat):
                return text_reply("Only chat admins can change subscriptions here.")
            sub = await self._subscription(chat)
            return Reply(
                blocks=(block("Tap the topics this chat should follow:"),),
                keyboard=self.keyboard(sub.topics if sub else ()),
            )
        target = await self._target(parsed, chat)
        if isinstance(target, Reply):
            return target
        current = await self._subscription(target)
        topics = list(parsed.topics)
        if not topics:
            topics = list(current.topics) if current and current.active else list(self.topics)
        kept = current or await self._subscription(target, active=None)
        sub = await self.store.subscribe(
            target.chat_id,
            topics,
            mode=parsed.mode or (kept.mode if kept else "daily"),
            at=parsed.at or (kept.at if kept else DEFAULT_TIME),
            thread_id=target.thread_id,
            chat_type=target.chat_type,
            title=target.title,
        )
        await self._changed(target.chat_id)
        where = f"{parsed.target}: " if parsed.target else ""
        return text_reply(
            line("✅ ", where, "Subscribed to ", self._describe(sub), "."), "Change it any time: /settings"
        )

    async def unsubscribe(self, args: list[str], chat: ChatRef) -> Reply:
        """Drop one or more topics, or everything."""
        rest = list(args)
        target: ChatRef | Reply = chat
        if rest and _CHAT.match(rest[0]):
            if chat.chat_type not in ("private", "console"):
                raise BadArguments("Unsubscribe a channel from a private chat with me.")
            parsed = SubscribeArgs(rest.pop(0), (), None, None)
            target = await self._target(parsed, chat, posting=False, action="unsubscribe it")
        elif not await self._may_change(chat):
            return text_reply("Only chat admins can change subscriptions here.")
        if isinstance(target, Reply):
            return target
        current = await self._subscription(target)
        following = list(current.topics) if current is not None and current.active else []
        if not following:
            elsewhere = await self._elsewhere(target, "/unsubscribe")
            if elsewhere:
                return text_reply("Not subscribed here, so nothing to stop." + elsewhere)
            return text_reply("Not subscribed, so nothing to stop. /subscribe to start.")
        if not rest:
            if len(following) > 1:  # several: ask, with the topic buttons (✅ = subscribed; a tap stops it)
                return Reply(
                    blocks=(
                        block(
                            f"This chat follows {', '.join(following)}. Tap a topic to stop it, "
                            "or send /unsubscribe all."
                        ),
                    ),
                    keyboard=self.keyboard(following),
                )
            rest = list(following)
        if [w.lower() for w in rest] == ["all"]:
            topics = None
        else:
            # a topic the chat follows counts though feeds.yaml no longer has it (renamed or removed): it can be dropped
            topics = [word if word in following else self._known_topic(word) for word in rest]
            missing = [t for t in topics if t not in following]
            if missing:
                return text_reply(f"Not subscribed to {', '.join(missing)}; this chat follows {', '.join(following)}.")
        changed = await self.store.unsubscribe(target.chat_id, topics, thread_id=target.thread_id)
        await self._changed(target.chat_id)
        if not changed:
            return text_reply("Nothing to change: not subscribed to that.")
        sub = await self._subscription(target)
        whose = f"{target.title or target.chat_id}: " if target is not chat else ""  # another chat: name it
        if sub is None or not sub.active:
            return text_reply(f"{whose}Unsubscribed from everything. /subscribe to start again.")
        return text_reply(f"{whose}Unsubscribed. Still following: {self._describe(sub)}.")

    async def settings(self, args: list[str], chat: ChatRef) -> Reply:
        """This chat's subscriptions (every forum topic), mode, time and timezone; '/settings @channel' for another."""
        if len(args) > 1 or (args and not _CHAT.match(args[0])):
            raise BadArguments("Name one chat (@channel or its id), or nothing for this chat.")
        if args:
            if chat.chat_type not in ("private", "console"):
                raise BadArguments("Ask about another chat in a private chat with me.")
            other = await self.platform.resolve_chat(args[0])
            if other is None:
                return text_reply(f"I can't find {echo(args[0])}.")
            if chat.user_id is None or not await self.platform.is_admin(other.chat_id, chat.user_id):
                return text_reply(f"Only admins of {echo(args[0])} can see its subscriptions.")
            chat = other
        subs = await self.store.subscriptions(chat.chat_id)
        if not subs:
            return text_reply(
                f"{args[0] if args else 'This chat'} has no subscriptions.",
                line("Start with ", code(f"/subscribe {example_topics(self.topics)[0]}"), " or tap a topic in /start."),
            )
        lines = [line(b("Subscriptions" + (f" of {args[0]}" if args else "")))]
        for sub in subs:
            thread = f" (forum topic {sub.thread_id})" if sub.thread_id else ""
            lines.append(line("• ", self._describe(sub), thread))
        lines.append(line("Change: /subscribe, /unsubscribe, /timezone"))
        return Reply(blocks=(Block(tuple(lines)),))

    async def timezone(self, args: list[str], chat: ChatRef) -> Reply:
        """Set (or, without a name, show) the timezone of this chat's digests (this forum topic's, as its subscription
        is), or of a channel or group named from a private chat as /subscribe names one."""
        rest = list(args)
        named = rest.pop(0) if rest and _CHAT.match(rest[0]) else None
        if named is not None and chat.chat_type not in ("private", "console"):
            raise BadArguments("Set a channel's timezone from a private chat with me.")
        if len(rest) > 1:
            raise BadArguments("Name one timezone, such as Europe/Moscow.")
        name = None
        if rest:
            try:
                name = check_timezone(rest[0])
            except ValueError:
                raise BadArguments(
                    f"Unknown timezone {echo(rest[0])!r}; use an IANA name such as Europe/Moscow or America/New_York"
                    + timezone_hint(rest[0])
                    + "."
                ) from None
        target = chat
        if named is not None:
            action = "change its timezone" if name else "see its timezone"
            other = await self._target(SubscribeArgs(named, (), None, None), chat, posting=False, action=action)
            if isinstance(other, Reply):
                return other
            target = other
        whose = f"{echo(named)}: " if named else ""
        if name is None:  # reading needs no admin: the zone shows in the chat's digests anyway
            raise BadArguments(f"{whose}Current timezone: {await self._zone_name(target)}.")
        if named is None and not await self._may_change(chat):
            return text_reply("Only chat admins can change subscriptions here.")
        # each forum topic has its own subscription, and its own zone: the answer says which one changed
        changed = await self.store.set_timezone(target.chat_id, name, thread_id=target.thread_id)
        if not changed:
            if named:
                first = f"{whose}Subscribe it first (/subscribe {echo(named)}); the timezone applies to its digests."
            elif target.thread_id is not None:
                first = "Subscribe this forum topic first (/subscribe); the timezone applies to its digests."
            else:
                first = "Subscribe first (/subscribe); the timezone applies to this chat's digests."
            return text_reply(first + await self._elsewhere(target, "/timezone"))
        await self._changed(target.chat_id)
        if target.thread_id is not None:
            return text_reply(f"Timezone set to {name} for this forum topic. Its digests follow it from now on.")
        if await self._elsewhere(target, "/timezone"):
            return text_reply(f"{whose}Timezone set to {name} for the General topic; each forum topic keeps its own.")
        return text_reply(f"{whose}Timezone set to {name}. Digests follow it from now on.")

    async def press(self, data: str, chat: ChatRef) -> CallbackAnswer:
        """A keyboard button: start a topic ('+:topic'), stop one ('-:topic'), or choose the mode ('m:daily' /
        'm:alerts'). A button does what its label says or nothing: a double tap on "✅ topic", or a tap on a prompt
        older than the chat's state, toggled the topic back on (a stop that subscribed). An old toggle ('t:topic',
        label unknown) redraws the keyboard as it stands now, so that the next tap says what it means."""
        try:
            if not await self._may_change(chat):
                return CallbackAnswer("Only chat admins can change subscriptions here.")
        except PlatformUnreachable as exc:
            return CallbackAnswer(str(exc))
        kind, _, value = data.partition(":")
        sub = await self._subscription(chat)
        active = sub is not None and sub.active
        followed = sub is not None and active and value in sub.topics  # (maybe a topic feeds.yaml no longer has)
        if kind == STOP and not followed:
            return CallbackAnswer(f"{value} was already stopped", self._keyboard_reply(sub))
        elif kind == START and followed:
            return CallbackAnswer(f"Already subscribed to {value}", self._keyboard_reply(sub))
        elif kind == "t" and (value in self.topics or followed):
            return CallbackAnswer(
                "Those buttons were out of date; here they are now. Tap again.", self._keyboard_reply(sub)
            )
        elif kind == STOP:
            await self.store.unsubscribe(chat.chat_id, [value], thread_id=chat.thread_id)
            notice = f"Unsubscribed from {value}"
        elif kind == START and value in self.topics:
            kept = sub or await self._subscription(chat, active=None)
            await self.store.subscribe(
                chat.chat_id,
                [value],
                mode=kept.mode if kept else "daily",
                at=kept.at if kept else DEFAULT_TIME,
                thread_id=chat.thread_id,
                chat_type=chat.chat_type,
                title=chat.title,
            )
            notice = f"Subscribed to {value}"
        elif kind == "m" and value in ("daily", "alerts"):
            if sub is None or not active:
                return CallbackAnswer("Pick a topic first.")
            await self.store.subscribe(
                chat.chat_id,
                list(sub.topics),
                mode=value,
                at=sub.at,
                thread_id=chat.thread_id,
                chat_type=chat.chat_type,
            )
            notice = "Daily digest" if value == "daily" else "Alerts as stories appear"
        else:
            return CallbackAnswer("That button is out of date; send /subscribe again.")
        await self._changed(chat.chat_id)
        return CallbackAnswer(notice, self._keyboard_reply(await self._subscription(chat)))

    def _keyboard_reply(self, sub: SubscriptionView | None) -> Reply:
        """A pressed keyboard's message redrawn: the chat's state now and the buttons that change it."""
        state = self._describe(sub) if sub and sub.active else "not subscribed"
        return Reply(
            blocks=(block("Tap the topics this chat should follow:", line(i("Now: " + state))),),
            keyboard=self.keyboard(sub.topics if sub and sub.active else ()),
        )

    # ------------------------------------------------------------ reading

    async def summary(self, args: list[str], chat: ChatRef) -> Reply:
        """Latest stories summarised, one story in full, or an article fetched and summarised on the spot."""
        if len(args) > 1:
            topic = self._topic(" ".join(args))  # "/summary rare earths"
            if topic is None:
                raise BadArguments("Name one topic, one story number or one link.")
            args = [topic]
        number = _story_number(args[0]) if args else None
        if number is not None:
            story = await self.store.story(number) if 0 < number <= MAX_STORY_NUMBER else None
            if story is None:
                shown = args[0] if len(args[0]) <= 24 else args[0][:20] + "…"
                if 0 < number <= await self.store.last_story_id():  # given once, and numbers are never given twice
                    kept = f"the {self.days_kept:g} days" if self.days_kept else "what"
                    return text_reply(
                        f"Story {shown} is no longer kept: it is older than {kept} this bot keeps (poll.retention_days)."
                    )
                return text_reply(f"No story {shown}. Story numbers are shown in digests and /summary.")
            tz = self._tz(await self._zone_name(chat))
            return Reply(blocks=tuple(d.story_full_blocks(story, tz)), story_ids=(story.id,))
        if args and ("://" in args[0] or args[0].startswith("www.") or _BARE_LINK.match(args[0])):
            return await self.summarize_url(args[0], chat)
        if args:
            topics = [await self._topic_arg(args[0], chat)]
        else:
            topics = await self._chat_topics(chat)
        stories = await self._recent(topics, self.now() - WINDOW)
        if not stories:
            return text_reply(f"No stories on {', '.join(topics)} in the last 24 hours.")
        chosen = sorted(stories, key=lambda s: (-d.outlet_count(s), -s.first_seen.timestamp()))[:SUMMARY_STORIES]
        header = block(line(b(f"Latest on {', '.join(topics)}")), f"{len(chosen)} of {len(stories)} stories, last 24 h")
        footer = block(line(i("Send /summary N (the story's number) for a story in full.")))
        return Reply(
            blocks=(header, *(d.story_block(s) for s in chosen), footer), story_ids=tuple(s.id for s in chosen)
        )

    async def summarize_url(self, url: str, chat: ChatRef) -> Reply:
        """Fetch an article (feed size and time limits), extract it, summarise it. Only the bot's admins' links may
        reach private addresses (ALLOW_PRIVATE_URLS): anyone else could read the LAN, and probe its ports, through
        the bot."""
        if "://" not in url:  # "www.example.com/a", "example.com/a"
            url = "https://" + url
        problem = url_problem(url)
        if problem:
            return text_reply(f"Can't summarise that link: {problem}.")
        if self.fetcher_factory is None:
            return text_reply("Summarising links is not available here.")
        from .articles import fetch_article  # trafilatura: loaded only when a link is summarised

        admin = self._bot_admin(chat)
        async with self.fetcher_factory(admin) as fetcher:
            fetched = await fetch_article(fetcher, url)
        if fetched.article is None:
            error = fetched.error or "no article text"
            log.info("chat %s: /summary %s: %s", chat.chat_id, url, error)
            return text_reply(f"Can't summarise that link: {chat_error(error, detail=admin)}")
        from summarizer import analyze
        from summarizer.text import with_headline

        final, text, title = fetched.url, fetched.article.text, fetched.article.title
        analysis = await asyncio.to_thread(analyze, with_headline(str(text), title), title)
        host = urlsplit(final).hostname or "source"
        return Reply(blocks=tuple(analysis_blocks(analysis, final, host)))

    async def quotes(self, args: list[str], chat: ChatRef) -> Reply:
        """Latest attributed quotes grouped by speaker, with source links; forgiving speaker filter."""
        words = list(args)
        named: list[str] = []
        while words and (topic := self._topic(words[-1])) is not None:  # "/quotes putin us-russia rare-earths"
            named.insert(0, topic)
            words.pop()
        speaker = " ".join(words).strip() or None
        if speaker and len(speaker) > 80:
            raise BadArguments("That speaker name is too long.")
        topics = list(dict.fromkeys(named)) or await self._chat_topics(chat)
        told = await self.store.story_quotes(self.now() - QUOTES_WINDOW, topics)  # the whole week, quotes alone
        said = [(q.speaker, q) for quotes in told for q in d.readable_quotes(quotes) if q.speaker and q.text]
        # one heading per person: "Trump" is shown as "Donald Trump" when he is the only full-named Trump of the week
        owners = surname_owners(said_by for said_by, _q in said)
        grouped: dict[str, list[StoryQuote]] = {}
        seen: set[str] = set()
        for said_by, q in said:  # newest first
            who = owners.get(said_by, said_by)
            if speaker and not (speaker_matches(speaker, said_by) or speaker_matches(speaker, who)):
                continue
            key = fold(q.text)
            if key in seen:
                continue
            seen.add(key)
            grouped.setdefault(who, []).append(q)
        if not grouped:
            retired = await self._retired_topic(speaker.split()[-1], chat) if speaker else None
            if retired:  # "/quotes us-russia" after feeds.yaml dropped it: a topic, not a speaker
                return text_reply(f"The topic {retired} is no longer configured; topics: {', '.join(self.topics)}.")
            who = f" by {echo(speaker)}" if speaker else ""
            return text_reply(f"No quotes{who} on {', '.join(topics)} in the last 7 days.")
        blocks = [
            block(line(b("Quotes" + (f" — {speaker}" if speaker else "")), f" · {', '.join(topics)}, last 7 days"))
        ]
        for who, quotes in list(grouped.items())[:QUOTES_SPEAKERS]:
            lines = [line(b(who))]
            for q in quotes[:QUOTES_PER_SPEAKER]:
                lines.append(
                    line(
                        "“" + trim(q.text, d.QUOTE_CHARS).rstrip(",;: ") + "” — ",
                        link(str(q.outlet or "source"), q.link),
                    )
                )
            blocks.append(Block(tuple(lines)))
        return Reply(blocks=tuple(blocks))

    async def figures(self, args: list[str], chat: ChatRef) -> Reply:
        """Key figures of the last 24 hours with their context and source."""
        if len(args) > 1:
            raise BadArguments("")
        if args:
            topics = [await self._topic_arg(args[0], chat)]
        else:
            topics = await self._chat_topics(chat)
        stories = await self._recent(topics, self.now() - WINDOW)
        blocks = [block(line(b("Key figures"), f" · {', '.join(topics)}, last 24 h"))]
        for story in stories:
            figures = [f for f in d.key_figures(story, FIGURES_PER_STORY) if f.kind != "date"]
            if not figures:
                continue
            lines = [line(b(f"{story.id}."), " ", link(story.title, story.link))]
            own = story.own_sources()
            lines.extend(d.figure_line(f, own=own) for f in figures)
            blocks.append(Block(tuple(lines)))
            if len(blocks) > FIGURES_STORIES:
                break
        if len(blocks) == 1:
            return text_reply(f"No key figures on {', '.join(topics)} in the last 24 hours.")
        return Reply(blocks=tuple(blocks))

    async def digest(self, args: list[str], chat: ChatRef) -> Reply:
        """The digest now, exactly as the scheduled one would be (nothing is marked as sent)."""
        if args:
            raise BadArguments("")
        sub = await self._subscription(chat)
        now = self.now()
        if sub is not None and sub.active:
            blocks, ids, _ = await digest_for(
                self.store,
                sub,
                now,
                default_timezone=self.default_timezone,
                topic_names=self.topic_names,
                configured=self.topics,
            )
        else:
            tz = self._tz(await self._zone_name(chat))
            stories = await self._recent(self.topics, now - WINDOW)
            blocks = d.compose_digest(
                stories,
                self.topics,
                now.astimezone(tz).date(),
                empty="No stories on these topics in the last 24 hours. /subscribe for a daily digest.",
                topic_names=self.topic_names,
            )
            ids = d.digest_story_ids(blocks, stories)
        return Reply(blocks=tuple(blocks), story_ids=tuple(ids))

    async def status(self, args: list[str], chat: ChatRef) -> Reply:
        """Feeds healthy/failing/disabled, the last poll, stories today; deactivated chats for admins."""
        st = await self.store.status()
        last = f"{st.last_poll_at:%Y-%m-%d %H:%M} UTC" if st.last_poll_at else "never"
        blocks = [
            block(
                line(b("Status")),
                f"Feeds: {st.feeds_total} — {st.healthy} healthy, {st.failing} failing, {st.disabled} disabled",
                f"Last poll: {last}",
                f"Stories today: {st.stories_today}",
                f"Store: {st.size.describe() if st.size else 'unknown'}",
            )
        ]
        health = await self.store.feed_health()
        # failing, disabled, or moved by a permanent redirect (only feeds.yaml's URL lasts: it should say the new one)
        bad = [h for h in health if not h.enabled or h.failures or h.moved][:STATUS_FEEDS_LISTED]
        # the details (a feed's error, where it moved) are the admins': an error names internal hosts and the
        # addresses they resolve to, and quotes what a server chose to send
        is_admin = self._bot_admin(chat)
        if bad:
            lines = [line(b("Feeds needing attention"))]
            for h in bad:
                if h.enabled and not h.failures:
                    where = (" to ", trim(h.url, 120), ": put it in feeds.yaml") if is_admin else ()
                    lines.append(line("• ", h.name, " — moved permanently", *where))
                    continue
                state = "disabled" if not h.enabled else f"{h.failures} failures"
                why = h.disabled_reason if not h.enabled else (h.last_error or f"HTTP {h.last_status}")
                detail = (": ", trim(str(why or "unknown"), 120)) if is_admin else ()
                lines.append(line("• ", h.name, f" — {state}", *detail))
            if any(not h.enabled for h in bad) and is_admin:
                lines.append(line(i("Re-enable one: /enable feed name")))
            blocks.append(Block(tuple(lines)))
        if is_admin:
            if st.deactivated_chats:
                lines = [line(b("Deactivated chats"))]
                lines.extend(line(f"• {cid}: {reason}") for cid, reason in st.deactivated_chats[:20])
                blocks.append(Block(tuple(lines)))
            else:
                blocks.append(block("No deactivated chats."))
        return Reply(blocks=tuple(blocks))

    async def enable(self, args: list[str], chat: ChatRef) -> Reply:
        """Admins: re-enable a feed the poller disabled after repeated failures (by name or URL)."""
        if not self._bot_admin(chat):
            return text_reply("Only the bot's admins (ADMIN_IDS) can re-enable feeds.")
        if not args:
            raise BadArguments("")
        from .feedadmin import enable_feed

        answer = await enable_feed(self.store, " ".join(args))
        return text_reply(answer.message)

    async def trend(self, args: list[str], chat: ChatRef) -> Reply:
        """A PNG chart of stories per day over 14 days per topic, with the top outlets."""
        if len(args) > 1:
            raise BadArguments("")
        if args:
            topics = [await self._topic_arg(args[0], chat)]
        else:
            topics = await self._chat_topics(chat)
        tz = self._tz(await self._zone_name(chat))
        return await trend_reply(self.store, topics, self.now(), tz, topic_names=self.topic_names)
