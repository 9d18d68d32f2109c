"""bot.eventloop: the commands' loop is uvloop where installed, asyncio's on request, a bad choice a message."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.errors import UserError
from bot.eventloop import ENV, GC_YOUNG, loop_name, run


async def _running_loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__.split(".")[0]


def test_commands_run_on_uvloop_where_it_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("uvloop", reason="uvloop is a dependency on this platform; without it asyncio's loop runs")
    monkeypatch.delenv(ENV, raising=False)
    assert loop_name() == "uvloop"
    assert run(_running_loop_module()) == "uvloop"


def test_the_environment_can_ask_for_asyncios_own_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "asyncio")
    assert loop_name() == "asyncio"
    assert run(_running_loop_module()) == "asyncio"


def test_a_bad_choice_is_a_message_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "tokio")
    with pytest.raises(UserError, match="EVENT_LOOP: 'tokio' is not one of auto, uvloop, asyncio"):
        run(_running_loop_module())


def _fresh_process(script: str, **env: str) -> list[str]:
    """What a fresh interpreter prints (this one's collector may have been tuned by earlier tests)."""
    environ = dict(os.environ, **env)
    environ.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environ, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_tune_gc_freezes_start_up_and_raises_the_young_threshold_once() -> None:
    script = (
        "import asyncio, gc\n"
        "from bot.eventloop import run, tune_gc\n"
        "before = gc.get_threshold()[0], gc.get_freeze_count()\n"
        "run(asyncio.sleep(0))\n"
        "after_run = gc.get_threshold()[0], gc.get_freeze_count()\n"
        "tune_gc()\n"
        "tuned = gc.get_threshold()[0], gc.get_freeze_count()\n"
        "gc.set_threshold(1234)\n"
        "tune_gc()\n"
        "print(*before, *after_run, *tuned, gc.get_threshold()[0])\n"
    )
    young0, frozen0, young_run, frozen_run, young, frozen, young_again = map(int, _fresh_process(script))
    assert (young0, frozen0) == (700, 0)
    assert (young_run, frozen_run) == (700, 0)  # a one-shot command's loop leaves the collector alone
    assert young == GC_YOUNG and frozen > 1000  # start-up's objects (modules, their functions) frozen
    assert young_again == 1234  # tuned once per process


def test_the_polling_commands_tune_the_collector_and_the_others_do_not(tmp_path: Path) -> None:
    config = {
        "topics": {"t": {"rules": [{"any": ["rare earth"]}]}},
        "feeds": [{"name": "Closed", "url": "http://127.0.0.1:9/f.xml"}],
    }
    (tmp_path / "feeds.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", "ALLOW_PRIVATE_URLS": "1"}
    script = (
        "import gc, sys\n"
        "from bot.cli import main\n"
        "code = main(sys.argv[1:] if len(sys.argv) > 1 else {args!r})\n"
        "print(code, gc.get_threshold()[0])\n"
    )
    cfg = str(tmp_path / "feeds.yaml")
    polled = _fresh_process(script.format(args=["poll", "--once", "--config", cfg]), **env)
    listed = _fresh_process(script.format(args=["stories", "--json"]), **env)
    assert polled[-2:] == ["0", str(GC_YOUNG)]  # (after the cycle's report)
    assert listed[-2:] == ["0", "700"]
