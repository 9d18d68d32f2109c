"""What a new user trips over on the command line: one-line errors, honest answers, no files made by reading."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from commandline import clean_env, run_cli, start_cli
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]


def one_message(out: subprocess.CompletedProcess) -> str:
    """stderr of a failed command: non-zero, no traceback, at most a few short lines."""
    assert out.returncode != 0, out.stdout
    assert "Traceback" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 3, out.stderr
    return out.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- item 3: messages, not tracebacks


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "garbage", "DATABASE_URL: not a database URL"),
        # a password holding "@" not percent-encoded (the password is never shown), a port that is no number
        ("DATABASE_URL", "postgresql://bot:p@ss:Secr3t@127.0.0.1/bot", "DATABASE_URL: not a valid database URL"),
        ("DATABASE_URL", "postgresql://bot:pw@db.example:notaport/bot", "DATABASE_URL: not a valid database URL"),
        # sqlite:///$UNSET: an in-memory database, which would keep nothing
        ("DATABASE_URL", "sqlite:///", "DATABASE_URL: names no database file"),
        ("DEFAULT_TIMEZONE", "America", "DEFAULT_TIMEZONE: 'America' is not an IANA time zone"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN: does not look like a bot token"),
        ("DEFAULT_TIMEZONE", "Mars/X", "DEFAULT_TIMEZONE: 'Mars/X' is not an IANA time zone"),
        ("ADMIN_IDS", "abc", "ADMIN_IDS: 'abc' is not a comma-separated list"),
        ("ALLOW_PRIVATE_URLS", "sometimes", "ALLOW_PRIVATE_URLS: 'sometimes' is neither true/false nor a network"),
        ("EVENT_LOOP", "tokio", "EVENT_LOOP: 'tokio' is not one of auto, uvloop, asyncio"),
    ],
)
def test_bad_environment_is_a_message_not_a_traceback(tmp_path, variable, value, expected):
    env = clean_env(**{"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", variable: value})
    err = one_message(run_cli("stories", env=env))
    assert expected in err
    assert "not-a-token" not in err and "Secr3t" not in err  # the token and a password are never shown


@pytest.mark.parametrize("command", [("check-config",), ("explain", "US sanctions Russian banks"), ("summarize", "-")])
def test_a_bad_log_level_stops_every_command(command):
    """README: "A bad value stops the command with one line naming the variable and what is valid". check-config,
    explain and summarize, which read no other setting, ignored a bad LOG_LEVEL and logged at WARNING."""
    out = run_cli(*command, stdin="Some text.", env=clean_env(LOG_LEVEL="loud"))
    assert (out.returncode, out.stdout) == (2, ""), out.stdout
    assert out.stderr == (
        "coverage-bot: environment: LOG_LEVEL: 'loud' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL\n"
    )
    out = run_cli(*command, stdin="Some text.", env=clean_env(LOG_LEVEL=" info "))  # any case, spaces aside
    assert out.returncode == 0, out.stderr


def test_a_database_from_a_newer_release_is_one_line(tmp_path):
    """A schema revision this release does not know (after rolling a deploy back): a message, exit 2."""
    import asyncio
    import sqlite3

    from bot.store import Store

    async def create() -> None:
        await (await Store.open(f"sqlite+aiosqlite:///{db}")).close()

    db = tmp_path / "bot.db"
    env = clean_env(DATABASE_URL=f"sqlite:///{db}")
    asyncio.run(create())
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    err = one_message(run_cli("stories", env=env))
    assert "cannot open SQLite database" in err and "newer release of coverage-bot" in err


def test_libpq_sslmode_is_asyncpgs_ssl() -> None:
    from bot.settings import normalize_database_url

    assert normalize_database_url("postgres://u:p@db/x?sslmode=require") == "postgresql+asyncpg://u:p@db/x?ssl=require"


def test_a_damaged_sqlite_file_is_one_line_naming_the_fix(tmp_path):
    """qa14 D4: a store damaged in the middle (a bad sector, a copy made while it was written) printed "unexpected
    error: DatabaseError: database disk image is malformed" and the statement's SQL and parameters."""
    db = tmp_path / "x.db"
    env = clean_env(DATABASE_URL=f"sqlite:///{db}")
    assert run_cli("subscribe", "777", "us-russia", "--config", str(ROOT / "feeds.yaml"), env=env).returncode == 0
    with db.open("r+b") as f:  # every page but the first (the schema) overwritten
        f.seek(4096)
        f.write(b"\xde\xad\xbe\xef" * (db.stat().st_size // 4 - 1024))
    for args in (["stories"], ["unsubscribe", "777"], ["poll", "--once", "--config", str(ROOT / "feeds.yaml")]):
        err = one_message(run_cli(*args, env=env))
        assert err == (
            f"coverage-bot: SQLite database {db} is damaged (SQLite: database disk image is malformed): restore it "
            f"from a backup, or recover what it holds with `sqlite3 {db} .recover | sqlite3 recovered.db` and set "
            "DATABASE_URL to the recovered file\n"
        ), (args, err)


def test_a_server_that_never_answers_is_one_line_naming_it(tmp_path):
    """qa14 D2: a PostgreSQL URL whose port accepts and never answers (a stalled network, another service) ended in
    "unexpected error: IndexError: list index out of range" (the timeout's message is empty)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        url = f"postgresql+asyncpg://u:secret@127.0.0.1:{port}/db?timeout=2"  # (asyncpg's own default is 60 s)
        err = one_message(run_cli("stories", env=clean_env(DATABASE_URL=url)))
    assert err == (
        f"coverage-bot: cannot open the database in DATABASE_URL: 127.0.0.1:{port} did not answer in 2 s (is a "
        "PostgreSQL server listening there? check DATABASE_URL's host and port, and the network)\n"
    )


def test_unreachable_postgres_and_unopenable_sqlite_are_one_line(tmp_path):
    port = free_port()
    err = one_message(run_cli("feeds", env=clean_env(DATABASE_URL=f"postgresql://u:secret@127.0.0.1:{port}/db")))
    assert "cannot open the database in DATABASE_URL" in err and "secret" not in err
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    err = one_message(
        run_cli(
            "subscribe",
            "5",
            "--config",
            str(ROOT / "feeds.yaml"),
            env=clean_env(DATABASE_URL=f"sqlite:///{blocker}/x.db"),
        )
    )
    assert f"cannot open SQLite database {blocker}/x.db" in err
    not_db = tmp_path / "not.db"
    not_db.write_text("hello")
    err = one_message(run_cli("feeds", env=clean_env(DATABASE_URL=f"sqlite:///{not_db}")))
    assert "file is not a database" in err
    # a folder named as the database: sqlite3's failed open in aiosqlite's thread printed that thread's traceback
    # ("Event loop is closed") after the one line
    folder = tmp_path / "folder"
    folder.mkdir()
    err = one_message(
        run_cli(
            "subscribe", "5", "--config", str(ROOT / "feeds.yaml"), env=clean_env(DATABASE_URL=f"sqlite:///{folder}")
        )
    )
    assert f"cannot open SQLite database {folder}: it is a directory" in err


def test_run_keeps_retrying_an_unreachable_telegram_and_polls_meanwhile(tmp_path):
    """`run` with Telegram down: one line per attempt with a growing wait, not a traceback and exit; and the feeds are
    polled while it waits (nothing was: the poll job started only once Telegram answered, so a blocked
    Bot API host lost every item that left its feed meanwhile). Telegram here is a loopback port nothing listens on."""
    import sqlite3

    from loopback import LoopbackServer, Response

    port = free_port()  # nothing listens here
    db = tmp_path / "bot.db"
    env = clean_env(
        DATABASE_URL=f"sqlite:///{db}",
        TELEGRAM_BOT_TOKEN="123456:TEST-token",
        TELEGRAM_BASE_URL=f"http://127.0.0.1:{port}/bot",
        TELEGRAM_BASE_FILE_URL=f"http://127.0.0.1:{port}/file/bot",
        ALLOW_PRIVATE_URLS="true",
    )
    rss = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>A</title><item><guid>a1</guid>"
        "<link>http://a.example/1</link><title>Foo news</title><description>Foo.</description></item>"
        "</channel></rss>"
    )
    with LoopbackServer() as server:
        server.route("/rss", Response(200, {"Content-Type": "application/rss+xml"}, rss))
        config = tmp_path / "feeds.yaml"
        config.write_text(
            f"topics:\n  x:\n    rules:\n      - any: [foo]\nfeeds:\n  - name: A\n    url: {server.url('/rss')}\n"
        )
        proc = start_cli("run", "--config", str(config), env=env)
        try:
            lines = []
            assert proc.stderr is not None
            while len([x for x in lines if "Telegram unreachable" in x]) < 2:
                line = proc.stderr.readline()
                assert line, f"run exited ({proc.poll()}) instead of retrying: {''.join(lines)}"
                lines.append(line)
            assert proc.poll() is None  # still running, retrying
            retries = [x for x in lines if "Telegram unreachable" in x]
            assert "retrying in 2 s" in retries[0] and "retrying in 4 s" in retries[1]
            assert not any("Traceback" in x for x in lines)
            with contextlib.closing(sqlite3.connect(db)) as conn:  # the first wait's cycle stored the feed's item
                assert conn.execute("SELECT count(*) FROM items").fetchone() == (1,)
            assert any(r.route == "/rss" for r in server.requests)
            proc.terminate()  # SIGTERM while waiting to retry: a clean stop
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=30)


async def test_run_command_rejected_token_is_a_message(tmp_path):
    """The Bot API answering 401 (a revoked token) ends `run` with a message saying what to do."""
    from botapi import FakeBotAPI
    from pydantic import SecretStr

    from bot.app import run_command
    from bot.errors import UserError
    from bot.settings import Settings, load_config

    async with FakeBotAPI(token="999:other") as api:
        settings = Settings(
            telegram_bot_token=SecretStr("123456:TEST-token"),
            telegram_base_url=api.base_url,
            telegram_base_file_url=api.base_file_url,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        )
        with pytest.raises(UserError, match="Telegram rejected TELEGRAM_BOT_TOKEN"):
            await asyncio.wait_for(run_command(load_config(ROOT / "feeds.yaml"), settings), 60)


async def test_poll_once_says_a_rejected_token_without_it_and_leaves_alerts_when_telegram_is_away(tmp_path, capsys):
    """`poll --once` (for cron) printed "unexpected error: InvalidToken: The token `...` was rejected", the token in
    cron's mail, and called an unreachable Telegram an unexpected error."""
    from botapi import FakeBotAPI
    from pydantic import SecretStr

    from bot.app import poll_command
    from bot.errors import UserError
    from bot.settings import Settings, parse_config

    feed = {"name": "Nowhere", "url": "http://127.0.0.1:9/feed.xml"}  # refused (not public): no fetch
    config = parse_config({"topics": {"t": {"rules": [{"any": ["x"]}]}}, "feeds": [feed]})
    token = "123456:TEST-secret-token"
    async with FakeBotAPI(token="999:other") as api:
        settings = Settings(
            telegram_bot_token=SecretStr(token),
            telegram_base_url=api.base_url,
            telegram_base_file_url=api.base_file_url,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        )
        with pytest.raises(UserError, match="Telegram rejected TELEGRAM_BOT_TOKEN") as refused:
            await asyncio.wait_for(poll_command(config, settings), 60)
        assert token not in str(refused.value)
    away = settings.model_copy(update={"telegram_base_url": "http://127.0.0.1:9/bot"})
    assert await asyncio.wait_for(poll_command(config, away), 60) == 0
    assert "Telegram unreachable" in capsys.readouterr().err


async def test_poll_once_with_telegram_away_counts_no_alerts_and_the_next_run_sends_them(tmp_path, capsys):
    """After "Telegram unreachable ...; alerts are left for the next run" it printed "alerts: 0 messages delivered",
    as if there had been none to send. Exit 0 (cron's next run sends them), and that run does."""
    from botapi import TOKEN, FakeBotAPI, StorySeeder, alerts_since
    from pydantic import SecretStr

    from bot.app import poll_command
    from bot.settings import Settings, parse_config

    feed = {"name": "Nowhere", "url": "http://127.0.0.1:9/feed.xml"}  # refused (not public): no fetch
    config = parse_config({"topics": {"t": {"rules": [{"any": ["x"]}]}}, "feeds": [feed]})
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    store = await Store.open(url)
    try:
        await StorySeeder(store).story("An alert waiting", topics=("t",), summary=("It happened.",))
        await store.subscribe(71, ["t"], mode="alerts")
        await alerts_since(store, datetime(2000, 1, 1, tzinfo=UTC))  # subscribed before the story was found
    finally:
        await store.close()
    away = Settings(
        telegram_bot_token=SecretStr(TOKEN), telegram_base_url=f"http://127.0.0.1:{free_port()}/bot", database_url=url
    )
    assert await asyncio.wait_for(poll_command(config, away), 60) == 0
    out = capsys.readouterr()
    assert "Telegram unreachable" in out.err and "alerts are left for the next run" in out.err
    assert "alerts:" not in out.out, out.out
    async with FakeBotAPI() as api:
        back = away.model_copy(update={"telegram_base_url": api.base_url, "telegram_base_file_url": api.base_file_url})
        assert await asyncio.wait_for(poll_command(config, back), 60) == 0
        assert "alerts: 1 messages delivered" in capsys.readouterr().out
        assert any("An alert waiting" in text for text in api.sent_texts(71))


# ---------------------------------------------------------------- item 4: answers that say what was wrong


def test_cli_answers_say_what_was_wrong(tmp_path):
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    out = run_cli("subscribe", "777", "--thread", "5", "us-russia", env=env)
    assert out.returncode == 0, out.stderr
    assert "chat 777 (thread 5): us-russia" in out.stdout
    err = one_message(run_cli("unsubscribe", "777", "bogus", "--thread", "5", env=env))
    assert "chat 777 (thread 5) does not follow 'bogus' (it follows: us-russia)" in err
    err = one_message(run_cli("unsubscribe", "777", "us-russia", env=env))
    assert "chat 777 has no subscription; its forum threads: 5 (--thread ID)" in err
    err = one_message(run_cli("stories", "--topic", "bogus", env=env))
    assert "--topic 'bogus': unknown topic; choose from rare-earths, us-russia" in err
    out = run_cli("unsubscribe", "777", "--thread", "5", "us-russia", env=env)
    assert out.returncode == 0 and "unsubscribed from us-russia" in out.stdout


def test_stories_topic_without_feeds_yaml_is_checked_against_the_stores_feeds(tmp_path):
    """Where no feeds.yaml is, `stories --topic nope` answered "no stories in the last 24h on nope", exit 0: it is
    checked against the topics of the feeds the poller synced; a store with no feeds says it could not check."""
    from types import SimpleNamespace

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env = clean_env(DATABASE_URL=url)

    async def create(feeds: list) -> None:
        store = await Store.open(url)
        try:
            await store.sync_feeds(feeds)
        finally:
            await store.close()

    asyncio.run(create([]))
    out = run_cli("stories", "--topic", "nope", env=env, cwd=tmp_path)
    assert out.returncode == 0 and out.stdout == (
        "no stories in the last 24h on nope (the topic is not checked: no feeds.yaml here and no feeds in the store)\n"
    ), out.stderr
    feeds = [SimpleNamespace(name="A", url="https://a.example/rss", topics=("us-russia", "rare-earths"), interval=900)]
    asyncio.run(create(feeds))
    err = one_message(run_cli("stories", "--topic", "nope", env=env, cwd=tmp_path))
    assert err == (
        "coverage-bot: --topic 'nope': unknown topic; the store's feeds follow us-russia, rare-earths "
        "(no feeds.yaml here to check it against: --config FILE)\n"
    )
    assert one_message(run_cli("stories", "--topic", "nope", "--json", env=env, cwd=tmp_path)) == err
    out = run_cli("stories", "--topic", "rare-earths", env=env, cwd=tmp_path)
    assert (out.returncode, out.stdout) == (0, "no stories in the last 24h on rare-earths\n"), out.stderr


def test_stories_of_a_topic_removed_from_feeds_yaml_are_listed_with_a_note(tmp_path):
    """us-russia removed from feeds.yaml: `stories --topic us-russia` refused it as unknown, while `stories` listed the
    stories stored with it (qa9 f10). They are listed, with a note on stderr; a name no story carries is refused."""
    from datetime import UTC, datetime

    from botapi import StorySeeder

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env = clean_env(DATABASE_URL=url)
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "topics:\n  rare-earths:\n    rules:\n      - any: [rare earth]\n"
        "feeds:\n  - name: A\n    url: https://a.example/rss\n"
    )

    async def seed() -> None:
        store = await Store.open(url)
        try:
            await StorySeeder(store).story("Kremlin rebuffs Washington", ("us-russia",), when=datetime.now(UTC))
        finally:
            await store.close()

    asyncio.run(seed())
    for json_out in ((), ("--json",)):
        out = run_cli("stories", "--topic", "us-russia", *json_out, "--config", str(config), env=env, cwd=tmp_path)
        assert out.returncode == 0 and "Kremlin rebuffs Washington" in out.stdout, out.stderr
        assert out.stderr == (
            "coverage-bot: --topic 'us-russia' is no longer in feeds.yaml (topics: rare-earths); "
            "listing the stories stored with it\n"
        )
    err = one_message(run_cli("stories", "--topic", "bogus", "--config", str(config), env=env, cwd=tmp_path))
    assert err == "coverage-bot: --topic 'bogus': unknown topic; choose from rare-earths\n"
    nowhere = clean_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")  # no store: the name is wrong
    err = one_message(run_cli("stories", "--topic", "bogus", "--config", str(config), env=nowhere, cwd=tmp_path))
    assert err == "coverage-bot: --topic 'bogus': unknown topic; choose from rare-earths\n"
    assert not (tmp_path / "none.db").exists()


def test_out_of_range_windows_are_messages_not_tracebacks(tmp_path):
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    for age in ("0", "-5", "99999999999999"):
        err = one_message(run_cli("healthcheck", f"--max-age={age}", env=env))
        assert f"--max-age {int(age)}: give the minutes since the last poll, 1 to 1,000,000" in err
    assert not (tmp_path / "x.db").exists()  # refused before the store is opened
    err = one_message(run_cli("subscribe", "99999999999999999999999", "us-russia", env=env))
    assert "99999999999999999999999: not a Telegram chat id" in err and "OverflowError" not in err
    err = one_message(run_cli("unsubscribe", "777", "--thread", "-1", env=env))
    assert "--thread -1: a forum topic's id is a positive number" in err
    assert not (tmp_path / "x.db").exists()


def test_the_consoles_chat_0_is_refused_from_the_shell(tmp_path):
    """Chat 0 is the console's own, never a Telegram chat (qa2 console_chat0_alerts.py): `subscribe 0` was taken.
    Unsubscribing it stays possible, to clean up what was stored there (a topic no longer configured)."""
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    for chat in ("0", "-0"):
        err = one_message(run_cli("subscribe", chat, "us-russia", env=env))
        assert err == (
            "coverage-bot: 0: not a Telegram chat id (0 is the console's own chat: subscribe it with /subscribe in "
            "`coverage-bot console`)\n"
        )
    assert not (tmp_path / "x.db").exists()
    out = run_cli("console", stdin="/subscribe us-russia\n", env=env)
    assert "Subscribed to us-russia" in out.stdout, out.stdout
    out = run_cli("unsubscribe", "0", "us-russia", env=env)
    assert out.returncode == 0 and out.stdout == "chat 0: unsubscribed from us-russia\n", out.stderr


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` read-only for this user: immutable for root (chattr +i; root writes past file modes), else mode 0444."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(mode)


def test_a_read_only_database_is_one_line_for_writes_and_read_for_reads(tmp_path):
    """A read-only SQLite file opens; the first write, long after, was an "unexpected error" of five lines with the
    statement's SQL (qa2 readonly_db.py). Each command that writes says the file is read-only and the fix, in one line;
    the commands that only read work on it as before."""
    db = tmp_path / "x.db"
    env = clean_env(DATABASE_URL=f"sqlite:///{db}", TELEGRAM_BOT_TOKEN="123456:TEST-token-never-logged")
    feeds = ["--config", str(ROOT / "feeds.yaml")]
    assert run_cli("subscribe", "777", "us-russia", *feeds, env=env).returncode == 0
    expected = f"coverage-bot: SQLite database {db} is read-only: make the file and its folder writable by the user"
    with read_only(db):
        for args in (["subscribe", "4242"], ["unsubscribe", "777"], ["poll", "--once"], ["run"]):
            out = run_cli(*args, *(feeds if args[0] != "unsubscribe" else []), env=env)
            err = one_message(out)
            assert out.returncode == 2 and err.startswith(expected) and len(err.splitlines()) == 1, (args, err)
        out = run_cli("console", *feeds, stdin="/subscribe rare-earths\n/settings 777\n", env=env)
        assert f"Sorry, that failed: SQLite database {db} is read-only: make" in out.stdout, out.stdout
        assert "[SQL:" not in out.stdout and "• us-russia — daily at 08:00" in out.stdout  # /settings read it
        out = run_cli("stories", env=env)
        assert out.returncode == 0 and "no stories in the last 24h" in out.stdout, out.stderr
        out = run_cli("feeds", env=env)
        assert out.returncode == 0 and "no feeds yet" in out.stdout, out.stderr
        out = run_cli("healthcheck", env=env)
        assert out.stderr == "unhealthy: no poll has run yet\n"  # it read the store: no poll is recorded
    assert run_cli("unsubscribe", "777", env=env).returncode == 0  # writable again: nothing was left broken


# ---------------------------------------------------------------- item 9: reading creates nothing


@pytest.mark.parametrize("command", ["stories", "feeds", "healthcheck"])
def test_read_only_commands_do_not_create_a_database(tmp_path, command):
    env = clean_env()
    env.pop("DATABASE_URL", None)
    err = one_message(run_cli(command, env=env, cwd=tmp_path))
    assert f"no database at {tmp_path / 'data' / 'coverage-bot.db'}" in err
    assert "relative to the working directory" in err
    assert not (tmp_path / "data").exists()
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    err = one_message(run_cli(command, env=clean_env(DATABASE_URL=f"sqlite:///{missing}"), cwd=tmp_path))
    assert f"no database at {missing}" in err
    assert not (tmp_path / "nonexistent").exists()


def test_healthcheck_that_cannot_open_the_store_exits_1(tmp_path):
    """Docker reserves exit status 2 of a HEALTHCHECK command: a store that cannot be opened (no file, a bad URL)
    answered 2, as every command's user error does. Every unhealthy answer is 1 now."""
    missing = tmp_path / "x.db"
    out = run_cli("healthcheck", env=clean_env(DATABASE_URL=f"sqlite:///{missing}"))
    assert out.returncode == 1 and one_message(out).startswith(f"coverage-bot: unhealthy: no database at {missing}")
    out = run_cli("healthcheck", env=clean_env(DATABASE_URL="not a url"))
    assert (
        out.returncode == 1
        and "unhealthy: environment: 1 problem\n  DATABASE_URL: not a database URL" in one_message(out)
    )
    assert not missing.exists()


@pytest.mark.parametrize("command", ["stories", "feeds", "healthcheck", "check-config"])
async def test_read_only_commands_do_not_create_the_schema_in_an_empty_server_database(tmp_path, command):
    """`feeds` and `healthcheck` (and `stories`, `check-config`) created every table in an empty PostgreSQL database,
    though they only read: they refuse it in one line as they refuse a missing SQLite file (check-config: nothing to
    check, as without the file)."""
    from databases import database_url

    async with database_url("postgresql", tmp_path) as url:
        args = [command, "--config", str(ROOT / "feeds.yaml")] if command == "check-config" else [command]
        out = await asyncio.to_thread(run_cli, *args, env=clean_env(DATABASE_URL=url))
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                tables = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
        finally:
            await engine.dispose()
    assert tables == [], tables
    if command == "check-config":
        assert out.returncode == 0 and "subscriptions not checked" not in out.stdout + out.stderr, out.stderr
        return
    err = one_message(out)
    assert "the database in DATABASE_URL holds no coverage-bot tables yet: run `coverage-bot poll --once`" in err
    assert out.returncode == (1 if command == "healthcheck" else 2)


def test_read_only_commands_read_an_existing_database(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'there.db'}"

    async def create() -> None:
        await (await Store.open(url)).close()

    asyncio.run(create())
    out = run_cli("stories", env=clean_env(DATABASE_URL=url))
    assert out.returncode == 0 and "no stories in the last 24h" in out.stdout


def _old_store(path: Path, revision: str) -> None:
    """A SQLite store left at ``revision`` by an older release (checkpointed, nothing open: no -wal beside it)."""
    from alembic import command

    from bot.migrations import alembic_config

    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
    finally:
        engine.dispose()


def _revision(path: Path) -> str:
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


READING = (["stories"], ["feeds"], ["healthcheck"])


def test_reading_commands_write_nothing(tmp_path):
    """README: `stories`, `feeds` and `healthcheck` only read (qa14 D7). They migrated as the writers do: an older
    release's store was upgraded by a look with the new CLI (and the older release, still deployed, then refused it),
    a 0-byte file was given every table, and a reader waited 30 s for another process's write lock, then failed
    "database is locked". Now an older store is refused in one line naming the command that upgrades it, a 0-byte
    file holds no tables, and a write lock held elsewhere does not stop a read; the files are left as they were."""
    import sqlite3

    old = tmp_path / "old.db"
    _old_store(old, "0015")
    before = old.read_bytes()
    env = clean_env(DATABASE_URL=f"sqlite:///{old}")
    for args in READING:
        err = one_message(run_cli(*args, env=env))
        assert f"SQLite database {old} is at schema revision 0015 of an older coverage-bot" in err, err
        assert "`coverage-bot poll --once`" in err and "Nothing was changed" in err
    assert old.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["old.db"]
    out = run_cli("subscribe", "777", "us-russia", "--config", str(ROOT / "feeds.yaml"), env=env)
    assert out.returncode == 0, out.stderr  # a writer still upgrades it
    assert _revision(old) != "0015"

    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for args in READING:
        err = one_message(run_cli(*args, env=clean_env(DATABASE_URL=f"sqlite:///{empty}")))
        assert f"SQLite database {empty} holds no coverage-bot tables yet: run `coverage-bot poll --once`" in err
    assert empty.stat().st_size == 0

    writer = sqlite3.connect(old, isolation_level=None)  # another process's long write (the store is in WAL mode)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE subscriptions SET topics = topics")
        out = run_cli("stories", env=env)
        assert (out.returncode, out.stdout, out.stderr) == (0, "no stories in the last 24h\n", "")
        out = run_cli("feeds", env=env)
        assert out.returncode == 0 and "no feeds yet" in out.stdout, out.stderr
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def _as_a_user(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` as a user file modes bind: nobody (65534, through setpriv) when the tests run as root (root
    writes past them), else the user running them."""
    command = [sys.executable, *args]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("run as root without setpriv (util-linux): no user for whom a read-only file is read-only")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)


def test_a_read_only_file_or_folder_is_read_and_nothing_is_left_behind():
    """README: the reading commands work on a read-only database file (qa14 D5, D6). In a folder the user may not
    write (a read-only volume, a backup copy) every command failed "attempt to write a readonly database": SQLite's
    WAL needs -wal and -shm files beside the file. On a read-only file in a writable folder they were created with the
    file's mode 0444 and left behind, so after the advised `chmod 644` every command still failed, the -shm named
    nowhere. Now the reading commands read, a writing one says what is not writable, and nothing is created."""
    with tempfile.TemporaryDirectory() as name:  # (not tmp_path: nobody must be able to reach it)
        top = Path(name)
        top.chmod(0o755)
        folder = top / "data"
        folder.mkdir()
        db = folder / "x.db"
        env = clean_env(DATABASE_URL=f"sqlite:///{db}")
        subscribe = ["-m", "bot.cli", "subscribe", "777", "us-russia", "--config", str(ROOT / "feeds.yaml")]
        assert run_cli(*subscribe[2:], env=env).returncode == 0
        if os.geteuid() == 0:
            os.chown(folder, 65534, 65534)
            os.chown(db, 65534, 65534)
        read_only = f"SQLite database {db} is read-only: make the file and its folder writable by the user running"

        db.chmod(0o444)  # a read-only file in a writable folder
        for args in READING:
            out = _as_a_user("-m", "bot.cli", *args, env=env)
            assert out.returncode in (0, 1) and "read-only" not in out.stderr and "Traceback" not in out.stderr, args
        assert "no stories in the last 24h" in _as_a_user("-m", "bot.cli", "stories", env=env).stdout
        assert sorted(p.name for p in folder.iterdir()) == ["x.db"]  # no -wal, no -shm left behind
        err = one_message(_as_a_user(*subscribe, env=env))
        assert (
            err == f"coverage-bot: {read_only} coverage-bot (not writable now: {db}), or set DATABASE_URL to a "
            "database it may write\n"
        )
        assert sorted(p.name for p in folder.iterdir()) == ["x.db"]
        db.chmod(0o644)  # the fix said
        out = _as_a_user(*subscribe, env=env)
        assert out.returncode == 0, out.stderr

        folder.chmod(0o555)  # a writable file in a read-only folder (a read-only volume, a backup copy)
        try:
            out = _as_a_user("-m", "bot.cli", "stories", env=env)
            assert (out.returncode, out.stderr) == (0, "") and "no stories" in out.stdout, out.stderr
            err = one_message(_as_a_user(*subscribe, env=env))
            assert err.startswith(f"coverage-bot: {read_only} coverage-bot (not writable now: its folder {folder} ")
            assert sorted(p.name for p in folder.iterdir()) == ["x.db"]
        finally:
            folder.chmod(0o755)

        # a -shm left read-only by another program's reader (the releases before this one left them 0444): named
        db.chmod(0o444)
        script = f"import sqlite3; c = sqlite3.connect({str(db)!r}); c.execute('SELECT 1 FROM feeds').fetchall()"
        assert _as_a_user("-c", script + "; c.close()", env=env).returncode == 0
        db.chmod(0o644)
        assert (folder / "x.db-shm").stat().st_mode & 0o777 == 0o444
        err = one_message(_as_a_user(*subscribe, env=env))
        assert f"(not writable now: {db}-" in err and f"{db}-shm" in err, err


def test_a_seed_that_is_not_utf8_is_one_line(tmp_path):
    (tmp_path / "000_seed.txt").write_bytes("Title\n\nПутин и Трамп провели переговоры.".encode("cp1251"))
    out = run_cli("demo", "--seeds", str(tmp_path), env=clean_env())
    assert out.returncode == 2 and "000_seed.txt: not UTF-8 text" in one_message(out), out.stderr


@pytest.mark.parametrize("tz", ["America", "x" * 300])
def test_subscribe_with_a_timezone_area_is_one_line(tmp_path, tz):
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    out = run_cli("subscribe", "123", "--config", str(ROOT / "feeds.yaml"), "--timezone", tz, env=env)
    assert out.returncode == 2 and "--timezone" in one_message(out), out.stderr


# ---------------------------------------------------------------- feeds --enable: a wrong file changes nothing

MY_FEEDS = """\
topics:
  us-russia:
    rules:
      - any: [Kremlin]
feeds:
  - name: Good
    url: http://127.0.0.1:8765/good.xml
  - name: Bad
    url: http://127.0.0.1:8765/404.xml
"""


def _store_with_a_disabled_feed(tmp_path: Path) -> tuple[Path, str]:
    """My feeds.yaml and a store that follows it, where the poller disabled 'Bad' after failures."""
    from bot.settings import load_config
    from bot.store import feeds_t

    mine = tmp_path / "mine.yaml"
    mine.write_text(MY_FEEDS)
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"

    async def prepare() -> None:
        store = await Store.open(url)
        try:
            await store.sync_feeds(load_config(mine).feeds)
            async with store.engine.begin() as conn:
                await conn.execute(
                    feeds_t.update()
                    .where(feeds_t.c.name == "Bad")
                    .values(enabled=False, failures=20, disabled_reason="disabled after 20 consecutive failures")
                )
        finally:
            await store.close()

    asyncio.run(prepare())
    return mine, url


def _feed_rows(db: Path) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT * FROM feeds ORDER BY id").fetchall()


def test_enable_with_the_wrong_feeds_yaml_changes_nothing_and_names_the_file(tmp_path):
    """A forgotten --config reads the shipped feeds.yaml: the store's feeds were marked removed and its 28 added."""
    _, url = _store_with_a_disabled_feed(tmp_path)
    before = _feed_rows(tmp_path / "bot.db")
    out = run_cli("feeds", "--enable", "Good", env=clean_env(DATABASE_URL=url), cwd=ROOT)
    assert _feed_rows(tmp_path / "bot.db") == before
    assert out.returncode == 2 and out.stdout == "", out.stdout  # an error as every command's: stderr, prefixed
    assert f"coverage-bot: no feed 'Good' in feeds.yaml (read {ROOT / 'feeds.yaml'};" in one_message(out)
    assert "--config FILE" in out.stderr


def test_enable_answers_an_empty_name_an_enabled_feed_and_a_url_spelt_otherwise(tmp_path):
    mine, url = _store_with_a_disabled_feed(tmp_path)
    env = clean_env(DATABASE_URL=url)
    err = one_message(run_cli("feeds", "--enable", "", "--config", str(mine), env=env))
    assert "feeds --enable: give the name or URL of a feed" in err
    out = run_cli("feeds", "--enable", "good", "--config", str(mine), env=env)
    assert (out.returncode, out.stdout) == (0, "Good is not disabled.\n")  # nothing to do is no failure
    out = run_cli("feeds", "--enable", "HTTP://127.0.0.1:8765/404.xml/", "--config", str(mine), env=env)
    assert (out.returncode, out.stdout) == (0, "Bad re-enabled; it is polled in the next cycle.\n"), out.stderr
    out = run_cli("feeds", "--enable", "http://127.0.0.1:99999/404.xml", "--config", str(mine), env=env)
    assert "coverage-bot: no feed 'http://127.0.0.1:99999/404.xml' in feeds.yaml" in one_message(out)
    assert out.stdout == ""
    # in feeds.yaml but not yet in the store (the poller syncs it): the store's answer, as an error too
    mine.write_text(MY_FEEDS + "  - name: New\n    url: http://127.0.0.1:8765/new.xml\n")
    out = run_cli("feeds", "--enable", "New", "--config", str(mine), env=env)
    assert out.returncode == 2 and out.stdout == "" and one_message(out).startswith("coverage-bot: No feed 'New'")


# ---------------------------------------------------------------- standard input closed or empty


@pytest.mark.parametrize(
    "args",
    [
        ("summarize", "-"),
        ("summarize", "--jsonl"),
        ("summarize", "--stories-jsonl"),
        ("feeds", "--import-opml", "-"),
        ("console",),
    ],
)
def test_reading_a_closed_standard_input_is_one_line_naming_the_option(tmp_path, args):
    """`summarize - <&-` said "unexpected error: AttributeError: 'NoneType' object has no attribute 'buffer'"."""
    config = tmp_path / "feeds.yaml"
    config.write_text(MY_FEEDS)
    command = args if args[0] == "summarize" else (*args, "--config", str(config))
    out = run_cli(*command, env=clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}"), closed=[0])
    option = " ".join(args)
    assert out.returncode == 2
    assert one_message(out).startswith(f"coverage-bot: {option}: standard input is closed ("), out.stderr
    assert config.read_text() == MY_FEEDS


def test_an_empty_standard_input_is_said(tmp_path):
    """`summarize --jsonl </dev/null` succeeded saying nothing; `feeds --import-opml - </dev/null` said "not valid XML:
    no element found: line 1, column 0". `summarize -` answers for an empty text as for an empty file."""
    config = tmp_path / "feeds.yaml"
    config.write_text(MY_FEEDS)
    for args, said in (
        (("summarize", "--jsonl"), 'summarize --jsonl: no articles on standard input (one JSON object a line: {"id"'),
        (("summarize", "--stories-jsonl"), "summarize --stories-jsonl: no stories on standard input"),
        (("feeds", "--import-opml", "-", "--config", str(config)), "feeds --import-opml -: standard input is empty"),
    ):
        out = run_cli(*args, stdin=" \n\n", env=clean_env())
        assert out.returncode == 2 and out.stdout == ""
        assert said in one_message(out)
    assert config.read_text() == MY_FEEDS
    out = run_cli("summarize", "-", stdin="", env=clean_env())
    assert (out.returncode, out.stderr) == (0, "") and "No summary: empty text" in out.stdout


# ---------------------------------------------------------------- one-shot commands: their message, no library logs


def test_a_failing_summarize_url_is_its_one_line_without_library_log_lines():
    """A page that is no article printed trafilatura's two ERRORs and a WARNING, an HTTP 404 the fetcher's WARNING,
    before the one-line error; LOG_LEVEL or -v still shows them."""
    from loopback import LoopbackServer, Response

    rss = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    env = clean_env(ALLOW_PRIVATE_URLS="true")
    env.pop("LOG_LEVEL", None)
    with LoopbackServer({"/feed.xml": Response(200, {"Content-Type": "application/rss+xml"}, rss)}) as server:
        for path, said in (("/feed.xml", "no article text found on the page"), ("/missing.html", "HTTP 404")):
            out = run_cli("summarize", server.url(path), env=env)
            assert (out.returncode, out.stderr) == (2, f"coverage-bot: {server.url(path)}: {said}\n")
        out = run_cli("summarize", server.url("/missing.html"), env={**env, "LOG_LEVEL": "WARNING"})
        assert out.returncode == 2 and "WARNING bot.fetch: fetch" in out.stderr, out.stderr


def test_a_folder_it_may_not_write_is_refused_before_sqlite_tries(tmp_path, monkeypatch):
    """The image runs as uid 10001: a bind-mounted /data owned by another user made sqlite3's open fail in aiosqlite's
    thread, whose traceback followed the one-line error. The folder is checked first. (Root may write anywhere, so the
    kernel's answer is stood in for: os.access, as a non-root user would get it.)"""
    from bot.app import _check_sqlite_path
    from bot.errors import UserError

    folder = tmp_path / "data"
    folder.mkdir()
    _check_sqlite_path(folder / "coverage-bot.db")  # writable: nothing to say
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == folder else real_access(p, mode))
    with pytest.raises(
        UserError, match=r"cannot create SQLite database .*coverage-bot\.db: its folder is not writable"
    ):
        _check_sqlite_path(folder / "coverage-bot.db")
    (folder / "coverage-bot.db").write_bytes(b"")
    _check_sqlite_path(folder / "coverage-bot.db")  # an existing file: the read-only check of its own decides


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc/PID/maps to see the import under way")
def test_ctrl_c_while_importing_ends_quietly():
    """Importing the command line takes about half a second; a Ctrl-C in it printed a KeyboardInterrupt traceback
    through the import machinery (or an ImportError from a half-imported numpy). The signal is sent once numpy's core
    is loaded, which is in the middle of importing bot.cli; the process ends as interrupted, saying nothing."""
    import signal
    import time
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["coverage-bot"] == "bot.entry:main"  # what the installed `coverage-bot` runs
    for _ in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", "import sys; from bot.entry import main; sys.exit(main())", "feeds"],
            env=clean_env(DATABASE_URL="sqlite+aiosqlite:////nonexistent/x.db"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and child.poll() is None:
            with contextlib.suppress(OSError):  # (before exec, the child's maps are this process's, numpy and all)
                proc = Path(f"/proc/{child.pid}")
                if (
                    b"bot.entry" in (proc / "cmdline").read_bytes()
                    and "_multiarray_umath" in (proc / "maps").read_text()
                ):
                    break
            time.sleep(0.002)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=30)
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
        assert child.returncode in (-signal.SIGINT, 130), (child.returncode, err)
