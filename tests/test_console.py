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


async def test_console_subscribes_a_named_chat_only(seeded: Store) -> None:
    commands = make_commands(seeded, CONFIG)
    assert "no chat of its own" in await answer(commands, "/subscribe rare-earths")
    assert "Subscribed to rare-earths" in await answer(commands, "/subscribe -1001234567 rare-earths daily 09:15")
    (sub,) = await seeded.subscriptions(-1001234567)
    assert sub.at == "09:15" and sub.chat_type == "channel"
    assert await seeded.subscriptions(0) == []


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
