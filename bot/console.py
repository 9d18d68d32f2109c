"""`coverage-bot console`: the bot's commands typed in a terminal, answered from the local store as plain text.

The answers come from :mod:`bot.commands`, the same code Telegram uses; only the rendering differs
(plain text, links as ``text <url>``, a chart saved as a PNG file). The console has no chat of its
own, so subscriptions name the chat: ``/subscribe -1001234567890 rare-earths daily 08:00``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from .commands import ChatRef, Commands, LocalPlatform
from .message import Reply, reply_plain

CONSOLE = ChatRef(chat_id=0, chat_type="console", user_id=0, title="console")
DEMO_COMMANDS = ("/summary", "/quotes", "/figures")
PROMPT = "coverage-bot> "


def make_commands(store: Any, config: Any, settings: Any = None) -> Commands:
    """Commands over the local store: every topic of feeds.yaml, the person at the terminal as admin."""

    def fetcher() -> Any:
        from .fetch import Fetcher, fetch_limits

        return Fetcher(fetch_limits(config, allow_private=bool(getattr(settings, "allow_private_urls", False))))

    return Commands(
        store,
        list(config.topics),
        admin_ids={CONSOLE.user_id or 0},
        default_timezone=getattr(settings, "default_timezone", "UTC"),
        platform=LocalPlatform(),
        fetcher_factory=fetcher,
    )


def render(reply: Reply, photo_dir: Path | None = None) -> str:
    """A reply as terminal text; a photo is written to `photo_dir` and its path shown."""
    text = reply_plain(reply)
    if reply.photo is not None:
        target = photo_dir or Path(".")
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"trend-{datetime.now(UTC):%Y%m%d-%H%M%S}.png"
        path.write_bytes(reply.photo)
        text = f"[chart saved to {path}]\n{text}"
    if reply.keyboard:
        text += "\n(buttons in Telegram; here type e.g. /subscribe <chat id> rare-earths)"
    return text


async def answer(commands: Commands, line: str, photo_dir: Path | None = None) -> str:
    """One typed line answered as Telegram would answer it, in plain text."""
    line = line.strip()
    if not line.startswith("/"):
        line = "/" + line
    return render(await commands.handle(line, CONSOLE), photo_dir)


async def demo_answers(
    store: Any,
    config: Any,
    settings: Any = None,
    *,
    lines: Sequence[str] = DEMO_COMMANDS,
    out: Callable[[str], Any] = print,
) -> list[str]:
    """For `coverage-bot demo`: show commands (default /summary, /quotes, /figures) answered as in Telegram."""
    commands = make_commands(store, config, settings)
    answers = []
    for line in lines:
        text = await answer(commands, line)
        out(f"{PROMPT}{line}\n{text}\n")
        answers.append(text)
    return answers


async def run_console(
    config: Any,
    settings: Any = None,
    *,
    store: Any = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    photo_dir: Path | None = None,
) -> int:
    """Read commands until 'quit' or end of input; answer each from the store (opened from settings when not given)."""
    own = store is None
    if own:
        from .store import Store

        store = await Store.open(getattr(settings, "database_url", None))
    try:
        return await _session(store, config, settings, stdin or sys.stdin, stdout or sys.stdout, photo_dir)
    finally:
        if own:
            await store.close()


async def _session(
    store: Any, config: Any, settings: Any, stdin: TextIO, stdout: TextIO, photo_dir: Path | None
) -> int:
    commands = make_commands(store, config, settings)
    interactive = stdin.isatty()
    stdout.write("coverage-bot console: the bot's commands against the local store. /help lists them; quit to leave.\n")
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        line = line.strip()
        if not line:
            continue
        if line.lower() in ("quit", "exit", "/quit", "/exit"):
            break
        if not interactive:
            stdout.write(f"{PROMPT}{line}\n")
        stdout.write(await answer(commands, line, photo_dir) + "\n\n")
        stdout.flush()
    return 0
