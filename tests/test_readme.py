"""The README documents what the program reads and offers: every setting, key, command and option."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from bot.cli import build_parser
from bot.commands import COMMANDS, USAGE
from bot.settings import PollSettings, Settings, Topic

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_environment_variable_and_feeds_yaml_key_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in README, name.upper()
    for key in PollSettings.model_fields:
        assert f"`{key}`" in README or f"`poll.{key}`" in README, key
    for key in Topic.model_fields:
        assert f"`{key}`" in README, key


def test_every_command_and_option_is_documented() -> None:
    for name, sub in _subcommands().items():
        assert f"coverage-bot {name}" in README or f"`{name}`" in README, name
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and action.help != argparse.SUPPRESS and option != "--help":
                    assert option in README, f"{name} {option}"
    for command in COMMANDS:
        assert f"`/{command.name}" in README, command.name
    assert "`/enable" in README and "enable" in USAGE


def test_the_config_sentence_names_exactly_the_commands_that_take_it() -> None:
    with_config = {n for n, p in _subcommands().items() if any("--config" in a.option_strings for a in p._actions)}
    start = README.index("`--config FILE`")
    sentence = README[start : README.index("(to check `--topic`).", start)]
    named = set(re.findall(r"`([a-z][a-z-]*)`", sentence))
    assert named == with_config


def test_windows_defaults_and_formats_are_stated() -> None:
    for fact in (
        "top 5 stories of the last 24 h",
        "last **7 days**",
        "last **24 h**",
        "relative to the working directory",
    ):
        assert fact in README, fact
    assert '"summary": [sentences]' in README and '{"id", "error"}' in README  # --jsonl output
    assert "coverage-bot feeds --enable" in README and "ALLOW_PRIVATE_URLS=127.0.0.0/8,10.1.2.0/24" in README


def test_running_the_bot_states_one_run_per_token() -> None:
    """Two `run` on one token fight over getUpdates (409 Conflict); the log line names the rule the README states."""
    from bot.telegram import CONFLICT_MESSAGE

    running = README.split("## Running the bot", 1)[1].split("\n## ", 1)[0]
    assert "one `coverage-bot run` per bot token" in running and "`coverage-bot poll` workers" in running
    assert "one `coverage-bot run` per bot token" in CONFLICT_MESSAGE


def test_operators_read_what_the_code_does() -> None:
    """What operators tripped over: no alert from a feed's first poll (bot.candidates), the image's feeds.yaml baked
    in at build time, and a PostgreSQL port .ci/postgres.sh may not have taken."""
    assert "a feed's first poll (a feed just added, or a new database) is history" in README
    assert "-v ./feeds.yaml:/app/feeds.yaml:ro" in README
    compose = (Path(__file__).resolve().parents[1] / "docker-compose.yml").read_text(encoding="utf-8")
    assert "#   - ./feeds.yaml:/app/feeds.yaml:ro" in compose
    assert "--import-opml` edits the feeds.yaml it is given, so run it on the host's file" in " ".join(README.split())
    assert re.search(r"COVERAGE_BOT_TEST_PG=\S*:5543\d", README) is None  # the URL postgres.sh prints, not a guess
