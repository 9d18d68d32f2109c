"""The async bodies of the store-backed CLI subcommands (`poll`, `run`, `stories`, `feeds`, `subscribe` …).

Each opens the store, calls the module that does the work and prints, so the CLI, the console and Telegram share one
code path. Beyond argument checks, what is decided here is how a command runs: `run` retrying Telegram with a growing
wait while it polls the feeds, `poll --once` pruning and sending its alerts. Telegram's types stay in bot.telegram
(serve, send_alerts_once), which sorts its errors into a UserError or TelegramUnreachable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import signal
import sqlite3
import sys
import textwrap
import time
from argparse import Namespace
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import StoreUnusable, UserError
from .settings import check_timezone, parse_duration
from .store import Store
from .textcut import shorten

if TYPE_CHECKING:
    from .models import StoryView
    from .poller import CycleReport
    from .settings import Config, FeedConfig, Settings


log = logging.getLogger(__name__)

# `run` when Telegram cannot be reached: wait this long before the first retry, doubling up to the maximum.
TELEGRAM_RETRY_FIRST = 2.0
TELEGRAM_RETRY_MAX = 300.0


# --since longer than this reads everything stored: a window reaching before year 1 (or past what a timedelta holds)
# cannot be subtracted from today, and no store is that old.
MAX_SINCE = timedelta(days=100 * 365)


def parse_since(value: str) -> timedelta:
    """'30m', '24h', '1.5h', '2 days', '1d12h', 'PT36H' → timedelta (settings.parse_duration's syntax); at most
    MAX_SINCE."""
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise UserError(f"--since {exc}") from None
    if seconds <= 0:
        raise UserError(f"--since {value!r}: the window must be longer than zero")
    return timedelta(seconds=min(seconds, int(MAX_SINCE.total_seconds())))


def _when(dt: datetime | None) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if dt else "never"


def _table(headers: list[str], rows: Iterable[list[str]]) -> str:
    rows = [[str(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([line, "  ".join("-" * w for w in widths), *body])


# ---------------------------------------------------------------- opening the store


def _sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or in-memory databases)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None
    return Path(url.database).expanduser()


class EmptyDatabase(UserError):
    """A reading command's database server answers, but holds no coverage-bot schema yet (not created for it)."""


async def open_store(database_url: str, *, must_exist: bool = False, read_only: bool = False) -> Store:
    """Store.open with failures as one-line UserErrors, and so a write a read-only SQLite file refuses later, whenever
    it comes (_read_only_is_a_user_error); `must_exist`: a missing SQLite file, or a server database without our
    schema, is an error, not created; `read_only` (the reading commands: `stories`, `feeds`, `healthcheck`; implies
    `must_exist`): nothing is written, the schema not migrated (Store.open). A SQLite file this user may not write
    (the file, its folder, its -wal or -shm) is opened read-only for every command: reads work, and the first write
    says what to make writable, where SQLite's own open left -wal and -shm behind with the file's read-only mode."""
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

    from .store import SchemaNotCurrent

    must_exist = must_exist or read_only
    try:
        path = _sqlite_file(database_url)
    except (ArgumentError, ValueError):  # (the URL is not shown: it may hold a password)
        raise UserError(
            "DATABASE_URL is not a database URL (e.g. sqlite+aiosqlite:///./data/coverage-bot.db)"
        ) from None
    if must_exist and path is not None and not path.is_file():
        raise UserError(
            f"no database at {path.resolve()} (DATABASE_URL; the default ./data/coverage-bot.db is relative to the "
            "working directory): run `coverage-bot poll --once` there first, or set DATABASE_URL"
        )
    if path is not None:
        _check_sqlite_path(path)
    where = f"SQLite database {path.resolve()}" if path is not None else "the database in DATABASE_URL"
    no_tables = (
        f"{where} holds no coverage-bot tables yet: run `coverage-bot poll --once` (or `coverage-bot run`) with this "
        "DATABASE_URL first, or set DATABASE_URL to the bot's database"
    )
    locked = path is not None and path.is_file() and bool(_not_writable(path))
    started = time.monotonic()
    try:
        if must_exist and not read_only and path is None and await Store.revision(database_url) is None:
            raise EmptyDatabase(no_tables)
        store = await Store.open(database_url, read_only=read_only or locked)
    except SchemaNotCurrent as exc:
        if exc.found is None:
            raise EmptyDatabase(no_tables) from None
        if exc.newer:
            raise UserError(
                f"cannot open {where}: its schema revision {exc.found!r} is not one this release knows (written by a "
                "newer release of coverage-bot? upgrade coverage-bot, or set DATABASE_URL to another database)"
            ) from None
        if not read_only:  # (a read-only file) upgrading it is a write
            raise UserError(_read_only_message(path)) from None  # type: ignore[arg-type]  # (locked: path is set)
        raise UserError(
            f"{where} is at schema revision {exc.found} of an older coverage-bot, this one reads {exc.head}: upgrade "
            "it first with the new release's `coverage-bot poll --once` (or `coverage-bot run`, or `python -m "
            "bot.migrations upgrade`); an older release no longer opens it after that. Nothing was changed"
        ) from None
    except ModuleNotFoundError as exc:
        raise UserError(
            f"cannot open {where}: the driver {exc.name!r} is not installed (pip install 'coverage-bot[postgres]')"
        ) from None
    except CommandError as exc:  # alembic: a schema revision this release does not know
        raise UserError(
            f"cannot open {where}: {str(exc).splitlines()[0][:200]} (written by a newer release of coverage-bot? "
            "upgrade coverage-bot, or set DATABASE_URL to another database)"
        ) from None
    except (OSError, DBAPIError, SQLAlchemyError) as exc:
        detail = getattr(exc, "orig", None) or exc
        said = _sqlite_failure(path, detail) if path is not None else None
        if said is not None:
            raise StoreUnusable(said) from None
        if isinstance(detail, TimeoutError):  # (its message is empty) a server that accepts and never answers
            raise UserError(
                f"cannot open {where}: {_server(database_url)} did not answer in {time.monotonic() - started:.0f} s "
                "(is a PostgreSQL server listening there? check DATABASE_URL's host and port, and the network)"
            ) from None
        reason = getattr(detail, "strerror", None) or next(iter(str(detail).splitlines()), "") or type(detail).__name__
        raise UserError(f"cannot open {where}: {reason[:200]} (check DATABASE_URL, the path and permissions)") from None
    if path is not None:
        _sqlite_failures_are_user_errors(store, path)
    return store


def _server(database_url: str) -> str:
    """host:port of a server's database URL (never its password)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    return f"{url.host or 'localhost'}:{url.port or 5432}"


def _sqlite_code(exc: BaseException | None) -> int | None:
    """SQLite's primary result code of a sqlite3 error (its extended code's low byte), None for any other."""
    code = getattr(exc, "sqlite_errorcode", None)  # the extended code (Python 3.11+)
    return code & 0xFF if isinstance(code, int) else None


def _sidecars(path: Path) -> list[Path]:
    """The files SQLite keeps beside a database in WAL mode, where they exist."""
    return [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def _not_writable(path: Path) -> list[str]:
    """What keeps this user from writing the SQLite database ``path``: the file, its -wal and -shm files, and its
    folder (where SQLite creates them), each not writable. (Root may write anything but an immutable file.)"""
    blocked = [str(p.resolve()) for p in (path, *_sidecars(path)) if not os.access(p, os.W_OK)]
    folder = path.resolve().parent
    if not os.access(folder, os.W_OK | os.X_OK):
        blocked.append(f"its folder {folder} (SQLite writes {path.name}-wal and {path.name}-shm there)")
    return blocked


def _read_only_message(path: Path) -> str:
    """One line: the SQLite database is read-only, naming what this user may not write (the file, its folder, a -wal
    or -shm file left with a read-only mode) and the fix."""
    blocked = _not_writable(path)
    named = f" (not writable now: {', '.join(blocked)})" if blocked else ""
    return (
        f"SQLite database {path.resolve()} is read-only: make the file and its folder writable by the user running "
        f"coverage-bot{named}, or set DATABASE_URL to a database it may write"
    )


def _check_sqlite_path(path: Path) -> None:
    """The SQLite paths sqlite3 cannot open, refused before it tries: its failed open in aiosqlite's thread would print
    that thread's traceback after the one-line error (the thread answers to an event loop already closed)."""
    where = path.resolve()
    if path.is_dir():
        raise UserError(
            f"cannot open SQLite database {where}: it is a directory (DATABASE_URL names the database file, e.g. "
            f"sqlite+aiosqlite:///{where / 'coverage-bot.db'})"
        )
    folder = path.parent
    if not path.exists() and folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(
            f"cannot create SQLite database {where}: its folder is not writable by this user (make {folder.resolve()} "
            "writable, or set DATABASE_URL to a file in a folder it may write)"
        )


def _sqlite_failure(path: Path, exc: BaseException | None) -> str | None:
    """One line for the SQLite failures every statement would meet alike, naming the file and the fix: read-only, the
    disk full, the file damaged or no database. SQLite's own text came with the statement's SQL and parameters."""
    code = _sqlite_code(exc)
    where = path.resolve()
    if code == sqlite3.SQLITE_READONLY:
        return _read_only_message(path)
    if code == sqlite3.SQLITE_FULL:
        return (
            f"the disk holding SQLite database {where} is full (SQLite: database or disk is full): free space on it "
            f"(df -h {where.parent}), then run the command again; what was stored before is kept"
        )
    if code == sqlite3.SQLITE_CORRUPT:
        return (
            f"SQLite database {where} is damaged (SQLite: database disk image is malformed): restore it from a backup, "
            f"or recover what it holds with `sqlite3 {where} .recover | sqlite3 recovered.db` and set DATABASE_URL to "
            "the recovered file"
        )
    if code == sqlite3.SQLITE_NOTADB:
        return (
            f"{where} is not a SQLite database (SQLite: file is not a database): check DATABASE_URL, or restore the "
            "file from a backup"
        )
    return None


def _sqlite_failures_are_user_errors(store: Store, path: Path) -> None:
    """A read-only SQLite file opens, and reading commands work on it; its first write (any statement of any command,
    long after the open) fails with SQLITE_READONLY, and a full disk or a damaged page is met as late. Those failures
    become one line naming the file and the fix (_sqlite_failure), not the statement's SQL and parameters; a
    StoreUnusable, which ends a poll cycle rather than failing every feed alike."""
    from sqlalchemy import event

    @event.listens_for(store.engine.sync_engine, "handle_error")
    def _one_line(context: Any) -> None:
        said = _sqlite_failure(path, context.original_exception)
        if said is not None:
            raise StoreUnusable(said)


# ---------------------------------------------------------------- subscriptions to topics no longer configured

ORPHAN_CHATS_SHOWN = 5  # chats named in an orphaned topic's warning; more are counted


async def orphaned_topics(store: Store, config: Config) -> list[str]:
    """A line per topic that subscriptions follow and feeds.yaml no longer defines (renamed or removed): its followers
    get nothing more on it, and nothing said so. The subscriptions are kept (renamed back, the topic is theirs again);
    the line names the topic, how many follow it and the two fixes."""
    followers: dict[str, list[str]] = {}
    for sub in await store.subscriptions(active=True):
        chat = f"{sub.chat_id} thread {sub.thread_id}" if sub.thread_id else str(sub.chat_id)
        for topic in sub.topics:
            if topic not in config.topics:
                followers.setdefault(topic, []).append(chat)
    where = config.path or "feeds.yaml"
    lines = []
    for topic, chats in sorted(followers.items()):
        n = len(chats)
        count = "1 subscription follows" if n == 1 else f"{n} subscriptions follow"
        more = f" and {n - ORPHAN_CHATS_SHOWN} more" if n > ORPHAN_CHATS_SHOWN else ""
        lines.append(
            f"topic {topic!r} is not in {where}, but {count} it (chat ids: {', '.join(chats[:ORPHAN_CHATS_SHOWN])}"
            f"{more}), getting nothing on it: rename the topic back in {where}, or drop it with "
            f"`coverage-bot unsubscribe CHAT {topic}`"
        )
    return lines


async def _warn_orphaned_topics(store: Store, config: Config) -> None:
    """Logged once as `run` and `poll` start (orphaned_topics)."""
    for line in await orphaned_topics(store, config):
        log.warning("%s", line)


async def check_subscriptions(config: Config, database_url: str) -> list[str]:
    """`check-config`: orphaned_topics of the configured database, when it exists (a SQLite file, or our schema in an
    empty server database, is not created)."""
    path = _sqlite_file(database_url)
    if path is not None and not path.is_file():
        return []
    try:
        store = await open_store(database_url, read_only=True)
    except EmptyDatabase:  # no subscriptions yet, as with no SQLite file
        return []
    except UserError as exc:
        return [f"subscriptions not checked: {exc}"]
    try:
        return await orphaned_topics(store, config)
    finally:
        await store.close()


# ---------------------------------------------------------------- polling


async def poll_command(config: Config, settings: Settings) -> int:
    """One cycle; with a token configured, the cycle's alerts are delivered before exiting."""
    from .fetch import fetch_limits
    from .parse_pool import shared_parse_pool
    from .poller import default_owner, poll_once
    from .retention import prune_old

    shared_parse_pool().start()  # its workers start while the store opens
    store = await open_store(settings.database_url)
    try:
        await store.retry_refused_feeds()
        await _warn_orphaned_topics(store, config)
        report = await poll_once(
            config,
            store,
            limits=fetch_limits(config, allow_private=settings.allow_private_urls),
            owner=default_owner(settings.instance_id),
        )
        await prune_old(store, config.poll.days_kept)  # as after every cycle of `run`
        # every due feed is counted once: one due before its interval (for items kept for later) is not fetched
        backlog = f", {report.backlog_only} not fetched (within their interval)" if report.backlog_only else ""
        print(
            f"poll: {report.feeds_due} feeds due, {report.fetched} fetched, {report.not_modified} unchanged, "
            f"{report.failed} failed{backlog}; {report.new_items} new items, {report.on_topic} on topic, "
            f"{report.stories_created} new stories; {report.pending} kept for later ({report.elapsed:.1f} s)"
        )
        for name in report.disabled:
            print(f"feed disabled after repeated failures: {name} (see `coverage-bot feeds`)")
        token = settings.telegram_bot_token
        if token is not None and token.get_secret_value():
            from .telegram import TelegramUnreachable, send_alerts_once

            try:
                sent = await send_alerts_once(settings, store, config.topic_names())
            except TelegramUnreachable as exc:  # nothing was taken: the next run sends the alerts
                print(f"coverage-bot: Telegram unreachable ({exc}); alerts are left for the next run", file=sys.stderr)
            else:
                print(f"alerts: {sent} messages delivered")
    finally:
        await store.close()
    return 0


async def poll_forever_command(config: Config, settings: Settings) -> int:
    """A poll-only worker (no Telegram): the scale path runs several of these on one PostgreSQL."""
    from .fetch import fetch_limits
    from .poller import default_owner, run_forever

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    store = await open_store(settings.database_url)
    try:
        await store.retry_refused_feeds()
        await _warn_orphaned_topics(store, config)
        await run_forever(
            config,
            store,
            limits=fetch_limits(config, allow_private=settings.allow_private_urls),
            stop=stop,
            owner=default_owner(settings.instance_id),
            on_cycle=_worker_cycle_line,
        )
    finally:
        await store.close()
    return 0


def _worker_cycle_line(r: CycleReport) -> None:
    """A `poll` worker's line per cycle that polled a feed; a cycle with none due (each leased by another worker, or
    none due yet) is DEBUG: idle workers beside a busy one would print a line of zeros at every wake-up."""
    if not r.feeds_due:
        log.debug("poll: no feed due that another worker does not hold")
        return
    print(
        f"poll: {r.fetched} fetched, {r.not_modified} unchanged, {r.failed} failed, "
        f"{r.new_items} new items, {r.stories_created} new stories",
        flush=True,
    )


async def run_command(
    config: Config, settings: Settings, webhook: Any = None, *, stop: asyncio.Event | None = None
) -> int:
    """Poll continuously and serve Telegram until SIGTERM / Ctrl-C; Telegram unreachable: retry with back-off.

    ``webhook``: a bot.webhook.WebhookConfig to take updates by webhook instead of long polling.
    """
    from .parse_pool import shared_parse_pool
    from .telegram import TelegramUnreachable, default_poll, missing_token_message, serve

    token = settings.telegram_bot_token
    if token is None or not token.get_secret_value():
        print(missing_token_message(), file=sys.stderr)
        return 2
    if webhook is not None:
        from .webhook import check_listen

        check_listen(webhook)  # before the store, the poller and setWebhook: refused in one line
    stop = stop or asyncio.Event()
    shared_parse_pool().start()  # the poller's workers start while the store opens and the bot connects
    store = await open_store(settings.database_url)
    delay = TELEGRAM_RETRY_FIRST
    poll, owner = default_poll(config, store, settings)
    try:
        await store.retry_refused_feeds()
        await _warn_orphaned_topics(store, config)
        while not stop.is_set():
            try:
                await serve(settings, store, config, poll=poll, stop_event=stop, webhook=webhook)
                break
            except TelegramUnreachable as exc:  # (a rejected token or a refused start is a UserError: not retried)
                loop = asyncio.get_running_loop()
                for sig in (signal.SIGINT, signal.SIGTERM):  # run_bot removed its handlers: stop while waiting too
                    with contextlib.suppress(NotImplementedError, RuntimeError):
                        loop.add_signal_handler(sig, stop.set)
                print(f"coverage-bot: Telegram unreachable ({exc}); retrying in {delay:.0f} s", file=sys.stderr)
                await _poll_while_waiting(poll, stop, delay)
                delay = min(delay * 2, TELEGRAM_RETRY_MAX)
    finally:
        await store.release_feeds(owner)  # (a cycle a stop cancelled leaves its leases)
        await store.close()
    return 0


async def _poll_while_waiting(poll: Callable[[], Awaitable[Any]], stop: asyncio.Event, wait: float) -> None:
    """Wait to retry Telegram, polling the feeds meanwhile: one cycle (the feeds due), then the rest of the wait. The
    news goes on while Telegram is unreachable (api.telegram.org blocked, the news sites not), and an item that left
    its feed meanwhile was lost; alerts and digests wait for Telegram. A stop cancels the cycle, as `poll` does."""
    started = asyncio.get_running_loop().time()
    cycle = asyncio.ensure_future(poll())
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({cycle, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (cycle, stopped):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await cycle  # its failure is the cycle's own log line; the wait goes on
    if cycle.done() and not cycle.cancelled() and cycle.exception() is not None:
        log.warning("poll cycle failed while Telegram is unreachable: %s", cycle.exception())
    left = wait - (asyncio.get_running_loop().time() - started)
    if left > 0 and not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), left)


# ---------------------------------------------------------------- reading the store

# `stories` reads and prints this many stories at a time: a month of a busy store is thousands (every one is listed;
# 500 were, silently: qa16 F3), each with its members.
STORIES_PAGE = 200


async def stories_command(
    settings: Settings, since: str, topic: str | None, as_json: bool, *, topics: Sequence[str] | None = None
) -> int:
    """`coverage-bot stories`: what the monitor kept, newest first (`topics`: the configured ones, to check --topic).

    Without feeds.yaml (`topics` None) a --topic no story has is checked against the topics of the store's feeds, the
    feeds.yaml the poller last synced: a typo is refused there too, not answered "no stories" (and a topic renamed
    since still lists its old stories). A store with no feeds yet cannot check it, and the answer says so. A --topic
    feeds.yaml no longer has (renamed or removed) is listed while stored stories carry it, with a note saying so."""
    window = parse_since(since)
    unknown = f"--topic {topic!r}: unknown topic; choose from {', '.join(topics or ())}"
    retired = topic is not None and topics is not None and topic not in topics
    unchecked = ""
    try:
        store = await open_store(settings.database_url, read_only=True)
    except UserError:
        if retired:  # no store to find it in: the name is what is wrong
            raise UserError(unknown) from None
        raise
    try:
        if retired:
            if topic is None or not await store.has_topic(topic):  # (retired: never None)
                raise UserError(unknown)
            print(
                f"coverage-bot: --topic {topic!r} is no longer in feeds.yaml (topics: {', '.join(topics or ())}); "
                "listing the stories stored with it",
                file=sys.stderr,
            )
        since_at = datetime.now(UTC) - window
        page = await store.stories(since_at, topic=topic, limit=STORIES_PAGE)
        if topic is not None and topics is None and not page:
            followed = await store.feed_topics()
            if followed and topic not in followed:
                raise UserError(
                    f"--topic {topic!r}: unknown topic; the store's feeds follow {', '.join(followed)} "
                    "(no feeds.yaml here to check it against: --config FILE)"
                )
            unchecked = "" if followed else " (the topic is not checked: no feeds.yaml here and no feeds in the store)"
        if not page and as_json:
            print("[]")
        elif not page:
            print(f"no stories in the last {since}" + (f" on {topic}{unchecked}" if topic else ""))
        separator = "[\n"  # --json: the array json.dumps(indent=2) prints, written a story at a time
        while page:
            for s in page:
                if as_json:
                    item = json.dumps(_story_json(s), ensure_ascii=False, indent=2, default=str)
                    sys.stdout.write(separator + textwrap.indent(item, "  "))
                    separator = ",\n"
                else:
                    _print_story(s)
            full = len(page) == STORIES_PAGE
            page = await store.stories(since_at, topic=topic, limit=STORIES_PAGE, after=page[-1]) if full else []
        if as_json and separator != "[\n":
            print("\n]")
    finally:
        await store.close()
    return 0


def _print_story(s: StoryView) -> None:
    outlets = s.outlets()
    print(f"#{s.id}  {s.title}")
    print(f"     {', '.join(s.topics)} · {len(outlets)} outlet(s): {', '.join(outlets)} · {_when(s.first_seen)} UTC")
    for line in s.summary[:2]:
        print(textwrap.fill(line.text, width=100, initial_indent="     ", subsequent_indent="     "))


def _story_json(s: Any) -> dict:
    return {
        "id": s.id,
        "title": s.title,
        "link": s.link,
        "topics": list(s.topics),
        "first_seen": s.first_seen.isoformat(),
        "updated_at": s.updated_at.isoformat(),
        "members": [
            {
                "guid": m.guid,
                "link": m.link,
                "outlet": m.outlet,
                "title": m.title,
                "published": m.published.isoformat() if m.published else None,
            }
            for m in s.members
        ],
        "summary": [x.to_json() for x in s.summary],
        "figures": [f.to_json() for f in s.figures],
        "quotes": [q.to_json() for q in s.quotes],
        "terms": s.terms,
    }


# `feeds`: the problem column (the last) is cut only past this, so an error's fix hint such as "(set ALLOW_PRIVATE_URLS
# to fetch from local addresses)" shows whole; a stored error may be up to 2,000 characters.
PROBLEM_CHARS = 200


async def feeds_command(settings: Settings) -> int:
    """`coverage-bot feeds`: a health table."""
    store = await open_store(settings.database_url, read_only=True)
    try:
        feeds = await store.feed_health()
        size = await store.size()
    finally:
        await store.close()
    if not feeds:
        print("no feeds yet: run `coverage-bot poll --once` first")
        return 0
    now = datetime.now(UTC)
    rows = [
        [
            f.name,  # whole: it is what `feeds --enable` takes
            "yes" if f.enabled else "no",
            _when(f.last_success_at),
            str(f.last_status) if f.last_status is not None else "-",
            str(f.items),
            str(f.failures),
            _next_try(f.next_poll_at, now),  # a Retry-After of hours is not the next cycle
            shorten(f.disabled_reason or f.last_error or (MOVED if f.moved else ""), PROBLEM_CHARS),
        ]
        for f in feeds
    ]
    headers = ["feed", "enabled", "last success (UTC)", "http", "items", "failures", "next try", "problem"]
    head, rule, *lines = _table(headers, rows).split("\n")
    print(head, rule, sep="\n")
    for f, row_line in zip(feeds, lines, strict=True):
        print(row_line)
        # where it is polled, under the feeds that fail or moved (two feeds of one outlet look alike by name; a URL
        # column would widen every row by the longest URL)
        if f.moved:
            print(f"  polled at {f.url}, where a permanent redirect moved it from {f.source_url} (in feeds.yaml)")
        elif f.failures or f.last_error:
            print(f"  polled at {f.url}")
    print(f"\nstore: {size.describe()}")
    return 0


MOVED = "moved permanently: put its new URL in feeds.yaml"


def _next_try(when: datetime | None, now: datetime) -> str:
    """'in 14 min', 'in 6 h', 'in 2 d', 'due'; '-' for a feed not polled (disabled)."""
    if when is None:
        return "-"
    minutes = round((when - now).total_seconds() / 60)
    if minutes < 1:
        return "due"
    if minutes < 120:
        return f"in {minutes} min"
    hours = round(minutes / 60)
    return f"in {hours} h" if hours < 48 else f"in {round(hours / 24)} d"


async def healthcheck_command(settings: Settings, max_age_minutes: int) -> int:
    """Exit 0 when the store opens and polling keeps up (Docker HEALTHCHECK): no enabled feed is more than
    ``max_age_minutes`` past the time it was due (each feed's interval, back-off and Retry-After decide it), or, with
    no feed enabled, a poll ran within that long.

    How long ago the last poll was says nothing alone: feeds polled every 3 hours leave hours between polls, and a
    cycle with nothing due polls nothing, while the poller is well."""
    store = await open_store(settings.database_url, read_only=True)
    try:
        status = await store.feed_counts()  # the feeds table alone: no item, story or delivery is counted
        due = await store.next_due()
    finally:
        await store.close()
    if status.last_poll_at is None:
        print("unhealthy: no poll has run yet", file=sys.stderr)
        return 1
    now = datetime.now(UTC)
    late = now - (due if due is not None else status.last_poll_at)
    if late > timedelta(minutes=max_age_minutes):
        minutes = late.total_seconds() / 60
        why = (
            f"a feed due at {_when(due)} UTC is {minutes:.0f} minutes overdue"
            if due is not None
            else f"no feed is enabled and the last poll was {minutes:.0f} minutes ago"
        )
        print(f"unhealthy: {why} (last poll {_when(status.last_poll_at)} UTC)", file=sys.stderr)
        return 1
    next_poll = f", next due {_when(due)} UTC" if due is not None else ""
    print(
        f"healthy: last poll {_when(status.last_poll_at)} UTC{next_poll}, "
        f"{status.healthy}/{status.feeds_total} feeds healthy"
    )
    return 0


# ---------------------------------------------------------------- subscriptions from the shell


_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


async def subscribe_command(config: Config, settings: Settings, args: Namespace) -> int:
    """`coverage-bot subscribe CHAT_ID [topic…] [--alerts | --daily HH:MM] [--thread ID]`."""
    known = list(config.topics)
    topics = list(args.topics) or known
    unknown = [t for t in topics if t not in known]
    if unknown:
        raise UserError(f"unknown topic(s): {', '.join(unknown)}; choose from {', '.join(known)}")
    at = None
    if args.daily is not None:
        m = _HHMM.match(args.daily)
        if not m:
            raise UserError(f"--daily {args.daily!r}: give a time as HH:MM, e.g. 08:00")
        at = f"{int(m.group(1)):02d}:{m.group(2)}"
    tz = args.timezone
    if tz:
        try:
            tz = check_timezone(tz)
        except ValueError:
            raise UserError(f"--timezone {tz!r}: not an IANA time zone, e.g. Europe/Moscow") from None
    store = await open_store(settings.database_url)
    try:
        # what is not given stays as it is, as with /subscribe in a chat: adding a topic kept no digest time
        current = next((s for s in await store.subscriptions(args.chat_id) if s.thread_id == args.thread), None)
        sub = await store.subscribe(
            args.chat_id,
            topics,
            mode="alerts" if args.alerts else "daily" if at or current is None else current.mode,
            at=at or (current.at if current else "08:00"),
            timezone=tz,
            thread_id=args.thread,
        )
    finally:
        await store.close()
    when = "alerts as stories are found" if sub.mode == "alerts" else f"daily digest at {sub.at}"
    zone = sub.timezone or settings.default_timezone
    thread = f" (thread {sub.thread_id})" if sub.thread_id else ""
    print(f"chat {sub.chat_id}{thread}: {', '.join(sub.topics)} — {when} ({zone})")
    return 0


async def unsubscribe_command(settings: Settings, args: Namespace) -> int:
    """`coverage-bot unsubscribe CHAT_ID [topic…|all]`: says what was wrong when nothing matches. `all` alone is every
    topic, as Telegram's /unsubscribe all; a topic named twice is dropped once."""
    wanted = [] if [t.lower() for t in args.topics] == ["all"] else list(dict.fromkeys(args.topics))
    store = await open_store(settings.database_url, must_exist=True)
    try:
        subs = [s for s in await store.subscriptions(args.chat_id) if s.thread_id == args.thread]
        thread = f" (thread {args.thread})" if args.thread else ""
        if not subs:
            others = sorted({s.thread_id for s in await store.subscriptions(args.chat_id) if s.thread_id})
            hint = f"; its forum threads: {', '.join(map(str, others))} (--thread ID)" if others else ""
            raise UserError(f"chat {args.chat_id}{thread} has no subscription{hint}")
        following = sorted({t for s in subs for t in s.topics})
        not_followed = [t for t in wanted if t not in following]
        if not_followed:
            raise UserError(
                f"chat {args.chat_id}{thread} does not follow {', '.join(map(repr, not_followed))} "
                f"(it follows: {', '.join(following) or 'nothing'})"
            )
        await store.unsubscribe(args.chat_id, wanted or None, thread_id=args.thread)
    finally:
        await store.close()
    dropped = wanted or following
    left = [t for t in following if t not in dropped]
    still = f"; still follows {', '.join(left)}" if left else ""
    print(f"chat {args.chat_id}{thread}: unsubscribed from {', '.join(dropped)}{still}")
    return 0


async def enable_feed_command(config: Config, settings: Settings, which: str) -> int:
    """`coverage-bot feeds --enable NAME|URL`: a feed disabled after repeated failures is polled again.

    The feed is looked up in the feeds.yaml given and the store is not synced to that file (the poller syncs it):
    a wrong file, a forgotten --config, would have marked the store's feeds removed and re-enabled them later.
    """
    from .feedadmin import did_you_mean, enable_feed

    key = " ".join(which.split())
    if not key:
        raise UserError("feeds --enable: give the name or URL of a feed (`coverage-bot feeds` lists them)")
    feed = _configured_feed(config, key)
    if feed is None:
        hint = did_you_mean(key, [f.name for f in config.feeds])
        read = config.path.resolve() if config.path else "feeds.yaml"
        raise UserError(
            f"no feed {key!r} in feeds.yaml{hint} (read {read}; if the bot reads another file, give it with --config FILE)"
        )
    store = await open_store(settings.database_url, must_exist=True)
    try:
        # by its name, whichever spelling of its URL was typed (the store keeps a moved feed's new URL)
        answer = await enable_feed(store, feed.name)  # the same answer as the admin chat command /enable
    finally:
        await store.close()
    if not answer.ok:  # an error, as every command's: on stderr after "coverage-bot:", exit 2
        raise UserError(answer.message)
    print(answer.message)
    return 0


def _configured_feed(config: Config, key: str) -> FeedConfig | None:
    """The feed of feeds.yaml named ``key`` (case-insensitive) or at URL ``key``, compared as feeds.yaml's check of
    duplicate URLs does (settings.canonical_url)."""
    from .settings import canonical_url

    if not key.lower().startswith(("http://", "https://")):
        return config.feed(key)
    try:
        wanted = canonical_url(key)
        return next((f for f in config.feeds if canonical_url(f.url) == wanted), None)
    except ValueError:  # a port out of range: no feed has it
        return None
