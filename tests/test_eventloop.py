"""bot.eventloop: the commands' loop is uvloop where installed, asyncio's on request, a bad choice a message."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import UserError
from bot.eventloop import ENV, loop_name, run


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
