"""`coverage-bot console`: the bot's commands typed in a terminal, answered from the local store as plain text.

The answers come from :mod:`bot.commands`, the same code Telegram uses; only the rendering differs
(plain text, links as ``text <url>``, a chart saved as a PNG file). The console is a private chat of
its own (chat id 0, in the same database): ``/subscribe rare-earths daily 08:00``, ``/settings`` and
``/timezone`` work on it as ``/start`` says; naming a chat (``/subscribe -1001234567890 rare-earths``,
``/settings -1001234567890``) works on that chat, as from a Telegram private chat of one of its admins.
At a terminal lines are edited and recalled with readline; Ctrl-C or Ctrl-D leaves at once; library
log lines are kept out of the answers (``-v`` shows them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .commands import START, STOP, ChatRef, Commands, LocalPlatform
from .errors import UserError
from .message import Reply, reply_plain
from .models import CONSOLE_CHAT_ID

if TYPE_CHECKING:
    from .settings import Config, Settings
    from .store import Store


CONSOLE = ChatRef(chat_id=CONSOLE_CHAT_ID, chat_type="console", user_id=0, title="console")
DEMO_COMMANDS = ("/summary", "/quotes", "/figures")
PROMPT = "coverage-bot> "


def make_commands(store: Store, config: Config, settings: Settings | None = None) -> Commands:
    """Commands over the local store: every topic of feeds.yaml, the person at the terminal as admin."""

    def fetcher(private: bool = True) -> Any:
        from .fetch import Fetcher, fetch_limits

        # the networks ALLOW_PRIVATE_URLS names, as they are (bool() of a CIDR list opened every private network);
        # the console is the operator's own shell, so Commands asks for them (`private`)
        allowed = getattr(settings, "allow_private_urls", False) if private else False
        return Fetcher(fetch_limits(config, allow_private=allowed))

    return Commands(
        store,
        list(config.topics),
        admin_ids={CONSOLE.user_id or 0},
        default_timezone=getattr(settings, "default_timezone", "UTC"),
        platform=LocalPlatform(),
        fetcher_factory=fetcher,
        topic_names=config.topic_names(),
        days_kept=config.poll.days_kept,
    )


def render(reply: Reply, photo_dir: Path | None = None) -> str:
    """A reply as terminal text; a photo is written to `photo_dir` and its path shown."""
    text = reply_plain(reply)
    if reply.photo is not None:
        target = photo_dir or Path(".")
        target.mkdir(parents=True, exist_ok=True)
        stamp = f"{datetime.now(UTC):%Y%m%d-%H%M%S}"
        path, n = target / f"trend-{stamp}.png", 1
        while path.exists():  # two charts in one second: the second does not overwrite the first
            n += 1
            path = target / f"trend-{stamp}-{n}.png"
        path.write_bytes(reply.photo)
        text = f"[chart saved to {path}]\n{text}"
    if reply.keyboard:
        # the first topic the buttons offer: a configured one (bot.commands lists those first), which typed works
        buttons = [btn.data.partition(":") for row in reply.keyboard for btn in row]
        topic = next((value for kind, _, value in buttons if kind in (START, STOP)), "TOPIC")
        text += f"\n(buttons in Telegram; here type e.g. /subscribe {topic} or /unsubscribe {topic})"
    return text


async def answer(commands: Commands, line: str, photo_dir: Path | None = None) -> str:
    """One typed line answered as Telegram would answer it, in plain text."""
    line = line.strip()
    if not line.startswith("/"):
        line = "/" + line
    try:
        reply = await commands.handle(line, CONSOLE)
    except UserError as exc:  # e.g. a read-only database (bot.app.open_store): its message says the fix
        return f"Sorry, that failed: {exc}"
    except Exception as exc:  # a bug answering one line must not end the session
        logging.getLogger(__name__).debug("console: %r failed", line, exc_info=True)
        return f"Sorry, that failed: {type(exc).__name__}: {exc}"
    return render(reply, photo_dir)


async def demo_answers(
    store: Store,
    config: Config,
    settings: Settings | None = None,
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
    config: Config,
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    photo_dir: Path | None = None,
) -> int:
    """Read commands until 'quit' or end of input; answer each from the store (opened from settings when not given)."""
    if store is None:
        from .app import open_store
        from .settings import DEFAULT_DATABASE_URL

        opened = await open_store(settings.database_url if settings is not None else DEFAULT_DATABASE_URL)
        try:
            return await _session(opened, config, settings, stdin or sys.stdin, stdout or sys.stdout, photo_dir)
        finally:
            await opened.close()
    return await _session(store, config, settings, stdin or sys.stdin, stdout or sys.stdout, photo_dir)


async def _session(
    store: Store, config: Config, settings: Settings | None, stdin: TextIO, stdout: TextIO, photo_dir: Path | None
) -> int:
    commands = make_commands(store, config, settings)
    interactive = stdin.isatty() and stdout.isatty()
    stdout.write("coverage-bot console: the bot's commands against the local store. /help lists them; quit to leave.\n")
    stdout.flush()
    lines = _reader(stdin, interactive)
    with _quiet_library_logs():
        while True:
            line = await lines.get()
            if line is None:
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
            lines.ready()
    if interactive:
        stdout.write("\n")
    return 0


class _Lines:
    """Lines typed or piped in, read by a daemon thread: Ctrl-C never waits for a blocked read to return."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.prompt = threading.Event()  # at a terminal: show the next prompt only after the answer
        self.prompt.set()

    async def get(self) -> str | None:
        return await self.queue.get()

    def ready(self) -> None:
        self.prompt.set()


def _reader(stdin: TextIO, interactive: bool) -> _Lines:
    """Start the thread that reads `stdin` (with readline's editing and history at a terminal)."""
    loop = asyncio.get_running_loop()
    lines = _Lines()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (input() edits lines and keeps history once it is imported)

    def read() -> None:
        # Ctrl-C must reach the main thread: a SIGINT the kernel delivered to this thread (blocked in readline) would
        # not wake the event loop's select(), and the console would hang instead of ending (status 130).
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        while True:
            try:
                if interactive:
                    lines.prompt.wait()
                    lines.prompt.clear()
                    line: str | None = input(PROMPT) + "\n"
                else:
                    line = stdin.readline() or None
            except (EOFError, OSError, ValueError):
                line = None
            loop.call_soon_threadsafe(lines.queue.put_nowait, line)
            if line is None:
                return

    threading.Thread(target=read, name="console-input", daemon=True).start()
    return lines


@contextlib.contextmanager
def _quiet_library_logs() -> Iterator[None]:
    """Keep library log lines (trafilatura's ERRORs on odd pages) out of the answers, unless -v asked for them."""
    root = logging.getLogger()
    if root.level <= logging.DEBUG:
        yield
        return
    saved = [(h, h.level) for h in root.handlers]
    for handler, _ in saved:
        handler.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for handler, level in saved:
            handler.setLevel(level)
