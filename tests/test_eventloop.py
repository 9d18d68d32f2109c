"""bot.eventloop: the commands' loop is uvloop where installed, asyncio's on request, a bad choice a message."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

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


def test_the_first_run_tunes_the_garbage_collector_once() -> None:
    """A fresh process (this one's collector may have been tuned by earlier tests): frozen start-up objects, the young
    threshold raised, and a second run leaves both alone."""
    script = (
        "import asyncio, gc\n"
        "from bot.eventloop import run\n"
        "before = gc.get_threshold()[0], gc.get_freeze_count()\n"
        "run(asyncio.sleep(0))\n"
        "first = gc.get_threshold()[0], gc.get_freeze_count()\n"
        "gc.set_threshold(1234)\n"
        "run(asyncio.sleep(0))\n"
        "print(*before, *first, gc.get_threshold()[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    young_before, frozen_before, young, frozen, young_after_second = map(int, out)
    assert (young_before, frozen_before) == (700, 0)
    assert young == GC_YOUNG and frozen > 1000  # start-up's objects (modules, their functions) frozen
    assert young_after_second == 1234  # the second run did not tune again
