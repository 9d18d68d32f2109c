"""The console: the same commands as Telegram, typed in a terminal and answered in plain text."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botapi import StorySeeder

from bot.console import answer, demo_answers, make_commands, run_console
from bot.settings import parse_config
from bot.store import Store

REPO = Path(__file__).resolve().parents[1]

CONFIG = parse_config(
    {
        "topics": {
            "rare-earths": {"rules": [{"any": ["rare earth*"]}]},
            "us-russia": {"rules": [{"any": ["Kremlin"]}]},
        },
        "feeds": [{"name": "Wire A", "url": "https://a.example/rss"}],
    }
)


@pytest.fixture
async def seeded(store: Store) -> Store:
    """A store holding one two-outlet story with a summary, a figure and a quote."""
    s = store
    await StorySeeder(s).story(
        "Kremlin rejects US <proposal> & more",
        ("us-russia",),
        outlets=("Wire A", "Wire B"),
        when=datetime.now(UTC) - timedelta(hours=1),
        summary=("The Kremlin rejected the proposal.",),
        figures=({"surface": "$40 billion", "sentence": "The package is worth $40 billion."},),
        quotes=({"text": "This is unacceptable", "speaker": "Dmitry Peskov"},),
    )
    return s


async def test_session_answers_each_line_and_saves_the_chart(seeded: Store, tmp_path: Path) -> None:
    stdin = io.StringIO("help\n/summary\n\n/trend\n/frobnicate\nquit\n/status\n")
    stdout = io.StringIO()
    assert await run_console(CONFIG, store=seeded, stdin=stdin, stdout=stdout, photo_dir=tmp_path / "charts") == 0
    out = stdout.getvalue()
    assert "coverage-bot> help\nCommands" in out  # a line without / is taken as a command
    assert "Kremlin rejects US <proposal> & more <https://wirea.example/" in out  # plain text, not escaped
    assert "&lt;" not in out and "<b>" not in out
    assert "Unknown command /frobnicate" in out
    assert "Status" not in out  # nothing after quit
    (chart,) = (tmp_path / "charts").iterdir()
    assert chart.read_bytes().startswith(b"\x89PNG") and f"[chart saved to {chart}]" in out


async def test_demo_shows_summary_quotes_and_figures(seeded: Store) -> None:
    printed: list[str] = []
    summary, quotes, figures = await demo_answers(seeded, CONFIG, out=printed.append)
    assert "The Kremlin rejected the proposal." in summary and "2 outlets" in summary
    assert "Dmitry Peskov" in quotes and "“This is unacceptable” — Wire B <https://wireb.example/" in quotes
    assert "$40 billion — The package is worth $40 billion. (Wire A" in figures
    assert printed[0].startswith("coverage-bot> /summary\n")


async def test_console_has_a_chat_of_its_own_and_can_name_others(store: Store, tmp_path: Path) -> None:
    """Driven through the real input loop: subscribe, settings and timezone work on the console's own chat."""
    stdin = io.StringIO(
        "/start\n"
        "/subscribe rare-earths daily 25:00\n"
        "/subscribe rare-earths daily 07:30\n"
        "/timezone Europe/Moscow\n"
        "/settings\n"
        "/subscribe -1001234567 us-russia alerts\n"
        "/settings -1001234567\n"
        "/settings 12345\n"
        "/unsubscribe\n"
        "/settings\n"
    )
    stdout = io.StringIO()
    assert await run_console(CONFIG, store=store, stdin=stdin, stdout=stdout, photo_dir=tmp_path) == 0
    out = stdout.getvalue()
    assert "Not subscribed yet." in out
    assert "'25:00' is not a time of day; use HH:MM from 00:00 to 23:59." in out
    assert "Subscribed to rare-earths — daily at 07:30 (UTC)." in out
    assert "Timezone set to Europe/Moscow." in out
    assert "• rare-earths — daily at 07:30 (Europe/Moscow)" in out
    assert "Subscriptions of -1001234567\n• us-russia — alerts" in out
    assert "12345 has no subscriptions." in out
    assert "Unsubscribed from everything." in out  # one topic: /unsubscribe without a word stops it
    assert out.rstrip().endswith(
        "This chat has no subscriptions.\nStart with /subscribe rare-earths or tap a topic in /start."
    )
    (channel,) = await store.subscriptions(-1001234567)
    assert channel.mode == "alerts" and channel.chat_type == "channel"


async def test_the_buttons_hint_names_a_topic_feeds_yaml_has(store: Store) -> None:
    """Under a keyboard the console said "here type e.g. /subscribe rare-earths" whatever feeds.yaml followed (qa9 f9:
    "Unknown topic" with an operator's own topics). It names the keyboard's first topic, a configured one."""
    own = parse_config(
        {
            "topics": {"arctic": {"rules": [{"any": ["Svalbard"]}]}, "energy": {"rules": [{"any": ["OPEC"]}]}},
            "feeds": [{"name": "Wire A", "url": "https://a.example/rss"}],
        }
    )
    commands = make_commands(store, own)
    start = await answer(commands, "/start")
    assert start.endswith("(buttons in Telegram; here type e.g. /subscribe arctic or /unsubscribe arctic)"), start
    assert "Subscribed to arctic" in await answer(commands, "/subscribe arctic")
    assert "rare-earths" not in start + await answer(commands, "/subscribe")
    shipped = await answer(make_commands(store, CONFIG), "/start")
    assert shipped.endswith("here type e.g. /subscribe rare-earths or /unsubscribe rare-earths)")


async def test_console_settings_of_a_chat_it_subscribed(store: Store) -> None:
    commands = make_commands(store, CONFIG)
    assert "Subscribed to" in await answer(commands, "/subscribe 12345 rare-earths us-russia daily 09:15")
    shown = await answer(commands, "/settings 12345")
    assert "Subscriptions of 12345\n• rare-earths, us-russia — daily at 09:15 (UTC)" in shown
    assert "Name one chat" in await answer(commands, "/settings 12345 67890")
    # A chat id no chat can have is not found (it was a failure from the store), and one mode is asked for.
    huge = "-99999999999999999999999"
    assert await answer(commands, f"/settings {huge}") == f"I can't find {huge}."
    assert f"I can't find {huge}." in await answer(commands, f"/subscribe {huge} us-russia")
    both = await answer(commands, "/subscribe rare-earths alerts daily 08:00")
    assert "Choose one: daily HH:MM (a digest a day) or alerts (each new story)." in both
    assert [s.mode for s in await store.subscriptions(0)] == []  # nothing was written for the console's own chat


async def test_coverage_bot_console_command(seeded: Store, tmp_path: Path) -> None:
    """The installed entry point: commands piped in, answers from the SQLite file named by DATABASE_URL."""
    repo = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "console",
        "--config",
        str(repo / "feeds.yaml"),
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(b"/quotes peskov\n/figures us-russia\n"), 120)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
        pytest.fail(f"console did not finish in 120 s; stdout {out[-2000:]!r}; stderr {err[-2000:]!r}")
    assert proc.returncode == 0, err.decode()
    text = out.decode()
    assert "coverage-bot> /quotes peskov\nQuotes — peskov" in text and "“This is unacceptable”" in text
    assert "$40 billion — The package is worth $40 billion." in text


def _console_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "ALLOW_PRIVATE_URLS")}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


async def test_console_keeps_library_logs_out_of_the_answers(store: Store, tmp_path: Path) -> None:
    """A page trafilatura cannot parse: the answer says so, and trafilatura's ERROR lines are not printed."""
    from loopback import LoopbackServer

    with LoopbackServer({"/garbage": (200, {"Content-Type": "text/html"}, b"\x00\x01\x02 garbage")}) as server:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "console",
            "--config",
            str(REPO / "feeds.yaml"),
            cwd=tmp_path,
            env=_console_env(tmp_path, ALLOW_PRIVATE_URLS="127.0.0.1/32"),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(f"/summary {server.url('/garbage')}\n".encode()), 120)
    assert proc.returncode == 0, err.decode()
    assert "no article text found on the page" in out.decode()
    assert "trafilatura" not in err.decode() and "ERROR" not in err.decode() and "ERROR" not in out.decode()


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_console_at_a_terminal_has_history_and_ctrl_c_leaves_at_once(tmp_path: Path) -> None:
    """The real console on a pty: the up arrow recalls the last line (readline), Ctrl-C ends it with status 130."""
    import fcntl
    import pty
    import select
    import signal
    import subprocess
    import termios
    import time

    master, slave = pty.openpty()

    def controlling_terminal() -> None:  # Ctrl-C on a terminal signals its foreground process group
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "console", "--config", str(REPO / "feeds.yaml")],
        cwd=tmp_path,
        env={**_console_env(tmp_path), "TERM": "dumb", "PYTHONFAULTHANDLER": "1"},
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
        preexec_fn=controlling_terminal,
    )
    os.close(slave)
    seen = b""

    def read_until(marker: bytes, count: int = 1, limit: float = 120) -> None:
        nonlocal seen
        end = time.monotonic() + limit
        while seen.count(marker) < count:
            if time.monotonic() > end:
                raise AssertionError(f"no {marker!r} x{count} in {seen[-1500:]!r}")
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break

    try:
        read_until(b"coverage-bot> ")
        os.write(master, b"/timezone\r")
        read_until(b"Current timezone: UTC.")
        os.write(master, b"\x1b[A\r")  # up arrow: the same line again
        read_until(b"Current timezone: UTC.", 2)
        os.write(master, b"\x03")  # Ctrl-C
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGABRT)  # faulthandler prints every thread's stack
            time.sleep(2)
            ready, _, _ = select.select([master], [], [], 1)
            tail = os.read(master, 65536) if ready else b""
            raise AssertionError(f"Ctrl-C did not end the console: {(seen + tail)[-4000:]!r}") from None
        assert code == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


def test_two_charts_in_one_second_are_two_files(tmp_path: Path) -> None:
    """Two /trend answers in the same second were written to one file name, the second over the first."""
    from bot.console import render
    from bot.message import Reply

    first, second = (render(Reply(photo=bytes([k]) * 8), photo_dir=tmp_path) for k in (1, 2))
    paths = sorted(tmp_path.glob("trend-*.png"))
    assert len(paths) == 2 and {p.read_bytes() for p in paths} == {b"\x01" * 8, b"\x02" * 8}
    assert first.split("\n")[0] != second.split("\n")[0]
