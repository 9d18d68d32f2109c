"""The installed command line, run as a user runs it: ``python -m bot.cli`` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without the settings a developer's shell may hold (token, database, private URLs)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "ALLOW_PRIVATE_URLS")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def run_cli(
    *args: str,
    stdin: str | bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    timeout: float = 120,
    text: bool = True,
    closed: Sequence[int] = (),
) -> subprocess.CompletedProcess[Any]:
    """``coverage-bot ARGS`` with ``stdin``; output captured (text, or bytes with ``text=False``); the fds in
    ``closed`` closed as ``coverage-bot ARGS <&-`` (0) or ``>&-`` (1) leaves them."""
    command = [sys.executable, "-m", "bot.cli", *args]
    if closed:
        command = ["sh", "-c", 'exec "$@" ' + " ".join(f"{fd}>&-" for fd in closed), "sh", *command]
    return subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=text,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def start_cli(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.Popen[str]:
    """``coverage-bot ARGS`` started, not waited for (a long-running command to signal); text stdout and stderr piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
