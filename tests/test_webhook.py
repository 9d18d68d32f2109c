"""Webhook mode: the real Application's listener on loopback, real Update JSON posted with and without the secret.

The bot talks to the local Bot API (tests/botapi.py) through ``base_url``: setWebhook goes there, and a handled
/start answers there. Arguments are checked at the edge (`coverage-bot run --webhook-url ... --listen ...`).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from botapi import TOKEN, FakeBotAPI
from pydantic import SecretStr

from bot import telegram as tg
from bot.cli import main
from bot.settings import Settings, parse_config
from bot.store import Store
from bot.webhook import SECRET_ENV, webhook_config

TOPICS = {"rare-earths": {"rules": [{"any": ["rare earth*", "neodymium"]}]}}
_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_update(chat_id: int) -> dict[str, Any]:
    """The JSON Telegram posts for a user sending /start in a private chat."""
    return {
        "update_id": next(_ids),
        "message": {
            "message_id": next(_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Tester"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Tester"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    server = await FakeBotAPI().start()
    yield server
    await server.close()


async def test_updates_with_the_secret_are_handled_and_others_refused(api: FakeBotAPI, tmp_path: Path) -> None:
    port = free_port()
    hook = webhook_config("https://bot.example.org/tg/hook", f"127.0.0.1:{port}", {})
    assert len(hook.secret) >= 32 and hook.secret not in repr(hook)  # generated, never shown
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN), telegram_base_url=api.base_url, telegram_base_file_url=api.base_file_url
    )
    config = parse_config({"topics": TOPICS, "feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed"}]})
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    polled = asyncio.Event()

    async def poll() -> None:
        polled.set()

    stop = asyncio.Event()
    bot = asyncio.ensure_future(tg.run_bot(settings, store, config, poll=poll, stop_event=stop, webhook=hook))
    try:
        (setup,) = await api.wait_for("setWebhook")
        assert setup.params["url"] == hook.url and setup.params["secret_token"] == hook.secret
        await asyncio.wait_for(polled.wait(), 10)
        url = f"http://127.0.0.1:{port}/tg/hook"
        async with httpx.AsyncClient(timeout=10) as client:
            missing = await client.post(url, json=start_update(2001))
            wrong = await client.post(
                url, json=start_update(2002), headers={"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}
            )
            right = await client.post(
                url, json=start_update(2003), headers={"X-Telegram-Bot-Api-Secret-Token": hook.secret}
            )
            elsewhere = await client.post(
                f"http://127.0.0.1:{port}/other",
                json=start_update(2004),
                headers={"X-Telegram-Bot-Api-Secret-Token": hook.secret},
            )
        assert (missing.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
        assert elsewhere.status_code == 404
        (answer,) = await api.wait_for("sendMessage", chat_id=2003)
        assert answer.params["text"]
        # Updates are handled in order: the refused ones, posted first, would have been answered by now.
        assert [c.chat_id() for c in api.calls_to("sendMessage")] == [2003]
        assert not api.calls_to("getUpdates", ok=False)  # no long polling beside the webhook
    finally:
        stop.set()
        await asyncio.wait_for(bot, 15)
        await store.close()
    with pytest.raises(httpx.ConnectError):  # the listener is closed on stop
        httpx.post(f"http://127.0.0.1:{port}/tg/hook", json=start_update(2005), timeout=5)


def test_the_secret_comes_from_the_environment_when_set() -> None:
    hook = webhook_config("https://h.example/x", "0.0.0.0:8443", {SECRET_ENV: "s3cret_-token"})
    assert (hook.secret, hook.host, hook.port, hook.url_path) == ("s3cret_-token", "0.0.0.0", 8443, "/x")
    assert webhook_config("https://h.example", "[::]:443", {}).host == "::"
    assert webhook_config("https://h.example", "localhost:80", {}).url_path == "/"


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--webhook-url", "http://h.example/x"], {}, "only posts to https://"),
        (["--webhook-url", "https:///x"], {}, "not a valid URL"),
        (["--webhook-url", "https://h.example:99999/x"], {}, "port is not a number"),
        (["--webhook-url", "https://h.example:9000/x"], {}, "Telegram posts only to ports 80, 88, 443 and 8443"),
        (["--webhook-url", "https://h.example/x", "--listen", "8443"], {}, "give HOST:PORT"),
        (["--webhook-url", "https://h.example/x", "--listen", "0.0.0.0:0"], {}, "give HOST:PORT"),
        (["--webhook-url", "https://h.example/x", "--listen", "bad host:80"], {}, "give HOST:PORT"),
        (["--listen", "127.0.0.1:8443"], {}, "only applies with --webhook-url"),
        (["--webhook-url", "https://h.example/x"], {SECRET_ENV: "has spaces"}, SECRET_ENV),
    ],
)
def test_bad_webhook_arguments_are_one_line_messages(
    args: list[str],
    env: dict[str, str],
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["run", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coverage-bot: ") and expected in err and err.count("\n") == 1
    assert "has spaces" not in err  # a secret is never echoed


@pytest.mark.parametrize(
    ("listen", "expected"),
    [("in use", "the port is in use"), ("203.0.113.5:8443", "not an address of this machine")],
)
def test_a_listen_address_this_machine_cannot_take_is_refused_before_anything_starts(
    listen: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--listen on a port in use, or on an address not this machine's, failed after the store, the poller and
    setWebhook had started: "unexpected error: OSError: [Errno 98] Address already in use"."""
    db = tmp_path / "bot.db"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:9/bot")  # nothing there: Telegram is never asked
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    config = tmp_path / "feeds.yaml"
    config.write_text(yaml.safe_dump({"topics": TOPICS, "feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed"}]}))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        if listen == "in use":
            listen = f"127.0.0.1:{busy.getsockname()[1]}"
        args = ["run", "--config", str(config), "--webhook-url", "https://bot.example.org/tg", "--listen", listen]
        assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"coverage-bot: --listen {listen}: ") and expected in err and err.count("\n") == 1, err
    assert not db.exists()  # refused before the store was opened


async def test_a_webhook_telegram_refuses_is_one_line_not_retried_for_ever(api: FakeBotAPI, tmp_path: Path) -> None:
    """setWebhook answered 400 ("bad webhook: ...") was called "Telegram unreachable" and retried for ever, a PTB
    traceback each time (BadRequest is a NetworkError to PTB): it is a UserError naming --webhook-url and the reason."""
    from bot.app import run_command
    from bot.errors import UserError

    reason = "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
    api.fail_next("setWebhook", "bad", description=reason, times=100)
    config = parse_config({"topics": TOPICS, "feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed"}]})
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        telegram_base_url=api.base_url,
        telegram_base_file_url=api.base_file_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    )
    hook = webhook_config("https://bot.example.org/tg", f"127.0.0.1:{free_port()}", {})
    with pytest.raises(UserError) as refused:
        await asyncio.wait_for(run_command(config, settings, hook), 20)
    message = str(refused.value)
    assert "--webhook-url https://bot.example.org/tg" in message and "failed to resolve host" in message.lower(), (
        message
    )
    assert "\n" not in message and TOKEN not in message
    assert len(api.calls_to("setWebhook", ok=False)) == 1  # asked once, not again and again


async def test_the_webhook_secret_never_reaches_the_log(
    api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """PTB logs each Bot API call's parameters at DEBUG, setWebhook's secret_token too: the secret reached the log at
    LOG_LEVEL=DEBUG, though WebhookConfig's repr promises it never does. It is masked as the token is."""
    caplog.set_level(logging.DEBUG)
    hook = webhook_config("https://bot.example.org/tg", f"127.0.0.1:{free_port()}", {SECRET_ENV: "WebhookSecret_0123"})
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN), telegram_base_url=api.base_url, telegram_base_file_url=api.base_file_url
    )
    config = parse_config({"topics": TOPICS, "feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed"}]})
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    stop = asyncio.Event()

    async def poll() -> None:
        return None

    bot = asyncio.ensure_future(tg.run_bot(settings, store, config, poll=poll, stop_event=stop, webhook=hook))
    try:
        (setup,) = await api.wait_for("setWebhook")
        assert setup.params["secret_token"] == hook.secret  # Telegram is given it
    finally:
        stop.set()
        await asyncio.wait_for(bot, 15)
        await store.close()
    said = [r for r in caplog.records if "setWebhook" in r.getMessage()]
    assert any("'secret_token': '<webhook secret>'" in r.getMessage() for r in said), [r.getMessage() for r in said]
    assert hook.secret not in caplog.text
    assert all(hook.secret not in repr(r.args) and hook.secret not in (r.exc_text or "") for r in caplog.records)


async def test_the_installed_command_serves_a_webhook_until_sigterm(api: FakeBotAPI, tmp_path: Path) -> None:
    """`coverage-bot run --webhook-url ... --listen ...` as a user runs it: setWebhook, a handled /start, clean stop."""
    port = free_port()
    config = tmp_path / "feeds.yaml"
    config.write_text(yaml.safe_dump({"topics": TOPICS, "feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed"}]}))
    secret = "webhook-secret_0123456789"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "TELEGRAM_BASE_FILE_URL": api.base_file_url,
        "TELEGRAM_WEBHOOK_SECRET": secret,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    }
    script = Path(sys.executable).with_name("coverage-bot")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]
    proc = await asyncio.create_subprocess_exec(
        *command,
        "run",
        "--config",
        str(config),
        "--webhook-url",
        "https://bot.example.org/telegram",
        "--listen",
        f"127.0.0.1:{port}",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        (setup,) = await api.wait_for("setWebhook", timeout=60)
        assert setup.params["url"] == "https://bot.example.org/telegram" and setup.params["secret_token"] == secret
        async with httpx.AsyncClient(timeout=10) as client:
            for _ in range(100):  # setWebhook comes just before the listener opens
                try:
                    refused = await client.post(f"http://127.0.0.1:{port}/telegram", json=start_update(3001))
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("the webhook listener never opened")
            handled = await client.post(
                f"http://127.0.0.1:{port}/telegram",
                json=start_update(3002),
                headers={"X-Telegram-Bot-Api-Secret-Token": secret},
            )
        assert (refused.status_code, handled.status_code) == (403, 200)
        await api.wait_for("sendMessage", chat_id=3002, timeout=30)
        assert [c.chat_id() for c in api.calls_to("sendMessage")] == [3002]
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        output = (await asyncio.wait_for(proc.communicate(), 30))[0].decode()
    assert proc.returncode == 0, output
    assert secret not in output and TOKEN not in output


@pytest.mark.parametrize("path", ["/tg+hook", "/hook$1"])
async def test_a_webhook_path_is_that_path_not_a_pattern(tmp_path: Path, path: str) -> None:
    """python-telegram-bot reads url_path as a regular expression: Telegram's posts to "/tg+hook" got 404, never
    handled. The path is passed escaped."""
    api = await FakeBotAPI().start()
    port = free_port()
    hook = webhook_config(f"https://bot.example.org{path}", f"127.0.0.1:{port}", {})
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN), telegram_base_url=api.base_url, telegram_base_file_url=api.base_file_url
    )
    config = parse_config({"topics": TOPICS, "feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed"}]})
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")

    async def poll() -> None:
        return None

    stop = asyncio.Event()
    bot = asyncio.ensure_future(tg.run_bot(settings, store, config, poll=poll, stop_event=stop, webhook=hook))
    try:
        await api.wait_for("setWebhook")
        await asyncio.sleep(0.3)
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.post(
                f"http://127.0.0.1:{port}{path}",
                json=start_update(3001),
                headers={"X-Telegram-Bot-Api-Secret-Token": hook.secret},
            )
        assert answer.status_code == 200
    finally:
        stop.set()
        await asyncio.wait_for(bot, 15)
        await store.close()
        await api.close()
