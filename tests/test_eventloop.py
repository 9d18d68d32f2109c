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


# ---------------------------------------------------------------- closed standard streams, the loop's end


def test_commands_run_to_their_end_with_stdin_or_stdout_closed(tmp_path: Path) -> None:
    """`coverage-bot healthcheck <&-` (a supervisor's probe) did its work, then uvloop, which had taken the free fd 0
    for its own use, aborted closing it (SIGABRT, exit 134: "uv__close: Assertion `fd > STDERR_FILENO' failed")."""
    from commandline import clean_env, run_cli
    from loopback import LoopbackServer, Response

    rss = b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title></channel></rss>"
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}", ALLOW_PRIVATE_URLS="true")
    env.pop(ENV, None)  # the default loop: uvloop where it is installed
    with LoopbackServer({"/f.xml": Response(200, {"Content-Type": "application/rss+xml"}, rss)}) as server:
        config = {
            "topics": {"t": {"rules": [{"any": ["rare earth"]}]}},
            "feeds": [{"name": "A", "url": server.url("/f.xml")}],
        }
        (tmp_path / "feeds.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        polled = run_cli("poll", "--once", env=env, cwd=tmp_path, closed=[0])
    assert (polled.returncode, polled.stderr) == (0, ""), polled.stderr
    assert "poll: 1 feeds due, 1 fetched" in polled.stdout
    healthy = run_cli("healthcheck", env=env, cwd=tmp_path, closed=[0])
    assert (healthy.returncode, healthy.stderr) == (0, ""), healthy.stderr
    assert healthy.stdout.startswith("healthy: last poll")
    for closed in ([1], [0, 1]):
        out = run_cli("stories", env=env, cwd=tmp_path, closed=closed)
        assert (out.returncode, out.stdout, out.stderr) == (0, "", ""), (closed, out.stderr)


def test_run_with_stdin_closed_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """`coverage-bot run <&-` (as some daemonizers start it) exited -6 (SIGABRT in uvloop) instead of 0 on SIGTERM."""
    import signal
    import socket

    from commandline import ROOT, clean_env

    with socket.socket() as s:  # a port nothing listens on: Telegram unreachable, `run` retries
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        TELEGRAM_BOT_TOKEN="123456:TEST-token",
        TELEGRAM_BASE_URL=f"http://127.0.0.1:{port}/bot",
        TELEGRAM_BASE_FILE_URL=f"http://127.0.0.1:{port}/file/bot",
    )
    env.pop(ENV, None)
    config = {"topics": {"t": {"rules": [{"any": ["x"]}]}}, "feeds": [{"name": "A", "url": "http://127.0.0.1:9/f"}]}
    (tmp_path / "feeds.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    command = [sys.executable, "-m", "bot.cli", "run", "--config", str(tmp_path / "feeds.yaml")]
    proc = subprocess.Popen(
        ["sh", "-c", 'exec "$@" <&-', "sh", *command], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        assert "Telegram unreachable" in first, f"{first}{proc.stderr.read()}"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)
