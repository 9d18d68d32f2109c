"""Configuration: the shipped feeds.yaml, error messages a user can act on, and the environment."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.netpolicy import PrivateNetworks
from bot.poller import PollOptions
from bot.settings import (
    DEFAULT_DATABASE_URL,
    Config,
    ConfigError,
    FeedConfig,
    Settings,
    check_config,
    load_config,
    parse_duration,
    parse_size,
)

ROOT = Path(__file__).resolve().parents[1]

MINIMAL = """\
topics:
  rare-earths:
    rules:
      - any: [rare earth]
  us-russia:
    rules:
      - all_of: [[US], [Russia], [talks]]
feeds:
  - name: One
    url: https://example.com/one.xml
  - name: Two
    url: https://example.com/two.xml
    topics: [us-russia]
    interval: 1h
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text))
    message = str(exc.value)
    assert "feeds.yaml" in message  # always names the file
    return message


# --------------------------------------------------------------------------- the shipped file


def test_shipped_config_is_valid_and_rich_enough() -> None:
    config = load_config(ROOT / "feeds.yaml")
    assert set(config.topics) == {"rare-earths", "us-russia"}
    assert len(config.feeds) >= 15
    assert all(urlsplit(f.url).scheme == "https" for f in config.feeds)
    for topic in config.topics:
        followers = [f for f in config.enabled_feeds() if topic in f.topics]
        assert len(followers) >= 8, topic
        assert any("news.google.com/rss/search" in f.url for f in followers), topic
    hosts = {f.host for f in config.feeds}
    assert {"tass.com", "meduza.io", "www.themoscowtimes.com", "kyivindependent.com", "www.mining.com"} <= hosts
    assert config.poll.story_window_hours == 72


def test_check_config_summarises(tmp_path: Path) -> None:
    lines = check_config(ROOT / "feeds.yaml")
    assert lines[0].endswith("OK")
    assert any(line.strip().startswith("rare-earths") and "threshold 2" in line for line in lines)
    assert any(line.startswith("feeds:") and "enabled" in line for line in lines)
    assert not [line for line in lines if line.startswith("warning")]
    text = MINIMAL.replace(
        "    url: https://example.com/two.xml\n", "    url: https://example.com/two.xml\n    enabled: false\n"
    )
    text = text.replace(
        "    url: https://example.com/one.xml\n", "    url: https://example.com/one.xml\n    topics: [rare-earths]\n"
    )
    lines = check_config(write(tmp_path, text))
    assert any("warning" in line and "us-russia" in line for line in lines)


def test_check_config_counts_one_in_the_singular(tmp_path: Path) -> None:
    """check-config said "on 1 hosts" (and "1 rules, 1 terms, ... 1 enabled feeds")."""
    lines = check_config(write(tmp_path, MINIMAL), resolve=False)
    assert any(line.startswith("  rare-earths: 1 rule, 1 term, 0 exclusions, 0 ignored phrases,") for line in lines)
    assert any(line.startswith("  rare-earths") and line.endswith(", 1 enabled feed") for line in lines)
    assert any(
        line.startswith("  us-russia: 1 rule, 3 terms,") and line.endswith(", 2 enabled feeds") for line in lines
    )
    assert any(line.startswith("feeds: 2 (2 enabled, 0 disabled) on 1 host;") for line in lines)


# --------------------------------------------------------------------------- defaults


def test_defaults_are_filled_in(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    one, two = config.feeds
    assert one.topics == ("rare-earths", "us-russia")  # no topics: every topic
    assert one.interval == 900 and two.interval == 3600
    assert config.poll.concurrency == 8 and config.poll.max_bytes == 5_000_000
    assert config.feed("ONE") is one and config.feed("nope") is None
    text = MINIMAL + "poll:\n  interval: 30m\n  max_bytes: 2MB\n"
    config = load_config(write(tmp_path, text))
    assert config.feeds[0].interval == 1800 and config.poll.max_bytes == 2_000_000


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (900, 900),
        ("900", 900),
        ("15m", 900),
        ("1h", 3600),
        ("1h30m", 5400),
        ("2d", 172800),
        # decimals, unit names, separators, in any case
        ("1.5h", 5400),
        (".5h", 1800),
        ("15 mins", 900),
        ("2 days", 172800),
        ("1 Week, 2 days", 9 * 86400),
        ("1 day and 12 hours", 129600),
        ("2 hrs 30 min", 9000),
        ("1y", 31_557_600),  # systemd.time's year and month: 365.25 and 30.44 days
        ("1 month", 2_630_016),
        # ISO 8601
        ("PT36H", 129600),
        ("P1DT12H", 129600),
        ("pt90m", 5400),
        ("P2W", 1_209_600),
        ("P1M", 2_630_016),
        ("PT1.5H", 5400),
    ],
)
def test_parse_duration(value: object, seconds: int) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("soon", "is not a duration; use 900 (seconds), 15m"),
        ("", "is not a duration"),
        (True, "is not a duration"),
        (None, "is not a duration"),
        (1.5, "not a whole number of seconds"),
        ("1.5s", "is 1.5 s, not a whole number of seconds"),
        ("15 fortnights", "unknown unit 'fortnights'"),
        ("1h 2h", "names a unit twice"),
        ("P", "is not a duration"),
        ("P1DT", "is not a duration"),
        ("h", "is not a duration"),
        ("1h x", "is not a duration"),
    ],
)
def test_parse_duration_rejects(value: object, says: str) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        parse_duration(value)


def test_parse_size() -> None:
    assert parse_size("5MB") == 5_000_000
    assert parse_size("512 KiB") == 524_288
    assert parse_size(1000) == 1000
    with pytest.raises(ValueError, match="5MB"):
        parse_size("lots")


# --------------------------------------------------------------------------- errors


def test_unknown_topic_in_feed_suggests_the_right_one(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("topics: [us-russia]", "topics: [rare-earth]"))
    assert "feeds[1].topics[0]" in message
    assert "did you mean 'rare-earths'" in message
    assert "line 13" in message


def test_bad_url_scheme(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("https://example.com/one.xml", "ftp://example.com/one.xml"))
    assert "feeds[0].url" in message and "http:// or https://" in message


def test_duplicate_feed_url_and_name(tmp_path: Path) -> None:
    text = MINIMAL + "  - name: one\n    url: https://EXAMPLE.com/one.xml/\n"
    message = error_of(tmp_path, text)
    assert "feeds[2].name: duplicate feed name 'one' (also feeds[0])" in message
    assert "feeds[2].url: duplicate feed URL" in message


def test_a_feed_url_with_its_default_port_is_a_duplicate_as_opml_import_reads_it(tmp_path: Path) -> None:
    from bot.opml import canonical_url

    urls = [
        "http://example.org/a.xml",
        "http://EXAMPLE.org:80/a.xml/",  # the default port: the same feed
        "https://example.org:443/a.xml",  # the other scheme, its default port: the same feed (as OPML import reads it)
        "http://example.org:8080/a.xml",  # another port: another feed
    ]
    feeds = "".join(f"  - name: F{i}\n    url: {url}\n" for i, url in enumerate(urls))
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, MINIMAL.split("feeds:")[0] + "feeds:\n" + feeds))
    assert exc.value.problems == [
        "line 12: feeds[1].url: duplicate feed URL 'http://EXAMPLE.org:80/a.xml/' (also feeds[0])",
        "line 14: feeds[2].url: duplicate feed URL 'https://example.org:443/a.xml' (also feeds[0])",
    ]
    assert len({canonical_url(url) for url in urls}) == 2  # OPML import's duplicates are the same
    assert canonical_url("http://[::1]:8080/a.xml") != canonical_url("http://[::1:8080]/a.xml")


def test_bad_interval(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("interval: 1h", "interval: 15 fortnights"))
    assert "feeds[1].interval" in message and "unknown unit 'fortnights'" in message
    message = error_of(tmp_path, MINIMAL.replace("interval: 1h", "interval: 10s"))
    assert "feeds[1].interval" in message and "out of range" in message


def test_a_bad_poll_interval_is_one_problem_at_its_own_line(tmp_path: Path) -> None:
    # feed One has no interval of its own: it was reported too, at its own line, as if it had a bad one
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, MINIMAL + "poll:\n  interval: 30s\n"))
    assert exc.value.problems == ["line 16: poll.interval: 30 s is out of range; use between 60 s (1m) and 7d"]
    config = load_config(write(tmp_path, MINIMAL + "poll:\n  interval: 2h\n"))
    assert [f.interval for f in config.feeds] == [7200, 3600]  # a valid one still reaches feeds without their own


def test_lease_margin_sets_how_soon_a_dead_instances_feeds_are_taken_over(tmp_path: Path) -> None:
    from bot.poller import PollOptions

    config = load_config(write(tmp_path, MINIMAL + "poll:\n  deadline_seconds: 20\n  lease_margin_seconds: 5\n"))
    assert PollOptions.from_config(config).lease_seconds == 25
    assert PollOptions.from_config(load_config(write(tmp_path, MINIMAL))).lease_seconds == 300 + 60  # the defaults
    message = error_of(tmp_path, MINIMAL + "poll:\n  lease_margin_seconds: 0\n")
    assert "poll.lease_margin_seconds" in message and "greater than or equal to 1" in message


def test_empty_topics_and_feeds(tmp_path: Path) -> None:
    message = error_of(tmp_path, "topics: {}\nfeeds: []\n")
    assert "topics: at least one topic is required" in message
    assert "feeds: at least one feed is required" in message
    assert "feed URL" not in message


def test_empty_topic_list_on_a_feed(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("topics: [us-russia]", "topics: []"))
    assert "feeds[1].topics: empty; omit the key to follow every topic" in message


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("    interval: 1h", "    interval: [1h"))
    assert "YAML syntax error" in message and "line" in message


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("    interval: 1h", "    interval: 1h\n    interval: 2h"))
    assert "duplicate key 'interval'" in message


def test_unknown_keys_get_a_suggestion(tmp_path: Path) -> None:
    message = error_of(
        tmp_path, MINIMAL.replace("    url: https://example.com/two.xml", "    urll: https://example.com/two.xml")
    )
    assert "feeds[1].urll: unknown key 'urll'; did you mean 'url'?" in message
    assert "feeds[1].url: required key is missing" in message
    message = error_of(tmp_path, MINIMAL + "poll:\n  concurency: 4\n")
    assert "poll.concurency: unknown key 'concurency'; did you mean 'concurrency'?" in message
    message = error_of(tmp_path, MINIMAL.replace("      - any: [rare earth]", "      - anyy: [rare earth]"))
    assert "topics.rare-earths.rules[0].anyy" in message and "did you mean 'any'" in message


def test_bad_term_names_its_place(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("[rare earth]", "[rare earth, AT&T]"))
    assert "topics.rare-earths.rules[0].any[1]" in message and "&" in message


def test_one_term_may_be_written_without_a_list(tmp_path: Path) -> None:
    # as a feed's topics may; "any: lithium" was refused as "Input should be a valid tuple"
    text = MINIMAL.replace("[rare earth]", "rare earth").replace("[[US], [Russia], [talks]]", "[[US], Russia, talks]")
    config = load_config(write(tmp_path, text))
    assert config.topics["rare-earths"].rules[0].any == ("rare earth",)
    assert config.topics["us-russia"].rules[0].all_of == (("US",), ("Russia",), ("talks",))
    message = error_of(tmp_path, MINIMAL.replace("[rare earth]", "5"))
    assert "line 4: topics.rare-earths.rules[0].any: Input should be a valid list (got 5)" in message
    assert "tuple" not in message  # Python's word


_ANY_RULE = "      - any: [rare earth]"
_ALL_OF_RULE = "all_of: [[US], [Russia], [talks]]"


@pytest.mark.parametrize(
    ("rule", "written", "said"),
    [
        (_ANY_RULE, f"{_ANY_RULE}\n        all_of: [[a], [b]]", ("topics.rare-earths.rules[0]", "exactly one of")),
        (_ALL_OF_RULE, "all_of: [[US]]", ("at least two",)),
        (_ANY_RULE, f"{_ANY_RULE}\n        near_misses: false", ("topics.rare-earths.rules[0]", "'near_misses' only")),
        (_ALL_OF_RULE, f"{_ALL_OF_RULE}\n        near_misses: maybe", ("near_misses", "valid boolean")),
        # the keys of a rule of parties and what they do, on a rule of one group
        *[
            (_ANY_RULE, f"{_ANY_RULE}\n        {key}: {value}", ("topics.rare-earths.rules[0]", f"'{key}' applies"))
            for key, value in (
                ("other_parties", "[China]"),
                ("disputes", "[slams]"),
                ("joint_subjects", "{parties: [China]}"),
                ("third_states", "{parties: [China]}"),
            )
        ],
        # timed acts on a two-group rule (an 'any' rule may have them: its terms after the connective)
        (
            _ALL_OF_RULE,
            "all_of: [[US], [Russia]]\n        timed_acts: {acts: [strikes], connectives: [as]}",
            ("topics.us-russia.rules[0]", "'timed_acts' applies to 'any' rules"),
        ),
        (_ALL_OF_RULE, f"{_ALL_OF_RULE}\n        third_states: {{parties: []}}", ("third_states.parties",)),
        (_ALL_OF_RULE, f"{_ALL_OF_RULE}\n        joint_subjects: {{parties: []}}", ("joint_subjects.parties",)),
        (
            _ALL_OF_RULE,
            f"{_ALL_OF_RULE}\n        timed_acts: {{acts: [strikes], connectives: []}}",
            ("timed_acts.connectives",),
        ),
    ],
)
def test_rule_shape(tmp_path: Path, rule: str, written: str, said: tuple[str, ...]) -> None:
    assert rule in MINIMAL
    message = error_of(tmp_path, MINIMAL.replace(rule, written))
    assert all(words in message for words in said), message


def test_title_required_is_a_boolean(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("  us-russia:\n", "  us-russia:\n    title_required: maybe\n"))
    assert "topics.us-russia.title_required" in message and "boolean" in message
    config = load_config(write(tmp_path, MINIMAL.replace("  us-russia:\n", "  us-russia:\n    title_required: true\n")))
    assert config.topics["us-russia"].title_required and not config.topics["rare-earths"].title_required


def test_story_decay_hours_is_a_positive_number_of_hours_and_reaches_the_poll(tmp_path: Path) -> None:
    for bad, said in (("-3", "greater than 0"), ("soon", "valid number"), ("1000", "less than or equal")):
        message = error_of(tmp_path, MINIMAL.replace("  us-russia:\n", f"  us-russia:\n    story_decay_hours: {bad}\n"))
        assert "topics.us-russia.story_decay_hours" in message and said in message, message
    path = write(tmp_path, MINIMAL.replace("  us-russia:\n", "  us-russia:\n    story_decay_hours: 36\n"))
    config = load_config(path)
    assert config.topics["us-russia"].story_decay_hours == 36 and config.topics["rare-earths"].story_decay_hours is None
    assert PollOptions.from_config(config).story_decay_hours == {"us-russia": 36}
    assert any("us-russia" in line and "stories decay over 36 h" in line for line in check_config(path, resolve=False))


def test_bad_topic_name(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("  us-russia:", "  US Russia:").replace("[us-russia]", "[US Russia]"))
    assert "topic name 'US Russia'" in message


@pytest.mark.parametrize(
    ("name", "fix"),
    [
        ("Arctic", "rename it 'arctic'"),  # was "(rare-earths)": a did-you-mean with no resemblance to the name
        ("US Russia", "rename it 'us-russia'"),
        ("rare_earths", "e.g. rare-earths"),  # its lower-case form is another topic's name: no rename into it
        ("__", "e.g. rare-earths"),  # nothing of it would do
    ],
)
def test_a_bad_topic_name_gets_its_valid_form_as_the_fix(tmp_path: Path, name: str, fix: str) -> None:
    text = MINIMAL.replace("  us-russia:", f"  {name}:").replace("[us-russia]", "[rare-earths]")
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text))
    assert exc.value.problems == [
        f"line 5: topics.{name}: topic name {name!r} must be lower-case letters, digits and '-': {fix}"
    ]


def test_top_level_shape(tmp_path: Path) -> None:
    assert "empty" in error_of(tmp_path, "")
    assert "top level must be a mapping" in error_of(tmp_path, "- a\n- b\n")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "absent.yaml")


def test_every_problem_is_listed(tmp_path: Path) -> None:
    text = MINIMAL.replace("https://example.com/one.xml", "gopher://x").replace("interval: 1h", "interval: never")
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text))
    assert len(exc.value.problems) == 2
    assert str(exc.value).splitlines()[0].endswith("2 problems")


def test_field_errors_do_not_hide_the_problems_between_keys(tmp_path: Path) -> None:
    # a bad topic name, an unknown topic and a duplicate name were reported only once the interval was fixed
    text = MINIMAL.replace("  us-russia:", "  Bad_Name:").replace("interval: 1h", "interval: 10s")
    text += (
        "  - name: ONE\n    url: https://example.com/three.xml\n  - name: Four\n    url: gopher://example.com/one.xml\n"
    )
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text))
    assert exc.value.problems == [
        "line 14: feeds[1].interval: 10 s is out of range; use between 60 s (1m) and 7d",
        "line 18: feeds[3].url: 'gopher://example.com/one.xml' has scheme 'gopher'; a feed URL must start with "
        "http:// or https://",  # (and is not checked again as a duplicate of feeds[0])
        "line 5: topics.Bad_Name: topic name 'Bad_Name' must be lower-case letters, digits and '-': rename it 'bad-name'",
        "line 13: feeds[1].topics[0]: unknown topic 'us-russia' (valid: rare-earths, Bad_Name)",
        "line 15: feeds[2].name: duplicate feed name 'ONE' (also feeds[0])",
    ]


def test_models_are_frozen() -> None:
    feed = FeedConfig(name="x", url="https://example.com/feed")
    with pytest.raises(ValueError):
        feed.name = "y"  # type: ignore[misc]
    assert isinstance(Config.model_validate({**_minimal_dict()}), Config)


def _minimal_dict() -> dict:
    import yaml

    return yaml.safe_load(MINIMAL)


# --------------------------------------------------------------------------- environment


def test_settings_defaults() -> None:
    s = Settings.from_env({})
    assert s.telegram_bot_token is None
    assert s.database_url == DEFAULT_DATABASE_URL
    assert s.default_timezone == "UTC"
    assert s.admin_ids == frozenset() and not s.allow_private_urls
    assert s.instance_id
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        s.require_token()


def test_settings_from_env() -> None:
    token = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    s = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot",
            "TELEGRAM_BASE_FILE_URL": "http://127.0.0.1:8081/file/bot",
            "DATABASE_URL": "sqlite:///tmp/x.db",
            "ADMIN_IDS": "1, 22,333",
            "DEFAULT_TIMEZONE": "Europe/Berlin",
            "ALLOW_PRIVATE_URLS": "yes",
            "INSTANCE_ID": "worker-1",
            "LOG_LEVEL": "debug",
        }
    )
    assert s.require_token() == token
    assert token not in repr(s) and token not in str(s) and token not in str(s.model_dump())
    assert s.database_url == "sqlite+aiosqlite:///tmp/x.db"
    assert s.admin_ids == frozenset({1, 22, 333}) and s.is_admin(22) and not s.is_admin(4)
    assert (s.default_timezone, s.allow_private_urls, s.instance_id, s.log_level) == (
        "Europe/Berlin",
        PrivateNetworks.parse(True),
        "worker-1",
        "DEBUG",
    )


def test_settings_errors_name_the_variable_and_hide_secrets() -> None:
    with pytest.raises(ConfigError) as exc:
        Settings.from_env(
            {
                "TELEGRAM_BOT_TOKEN": "not a token s3cr3t",
                "ADMIN_IDS": "1,two",
                "DEFAULT_TIMEZONE": "Mars/Olympus",
                "ALLOW_PRIVATE_URLS": "maybe",
                "DATABASE_URL": "mysql://root:hunter2@db/x",
                "TELEGRAM_BASE_URL": "ftp://x",
            }
        )
    message = str(exc.value)
    for var in ("TELEGRAM_BOT_TOKEN", "ADMIN_IDS", "DEFAULT_TIMEZONE", "ALLOW_PRIVATE_URLS", "DATABASE_URL"):
        assert var in message
    assert "TELEGRAM_BASE_URL" in message
    assert "s3cr3t" not in message and "hunter2" not in message
    assert "Europe/Berlin" in message  # an example of what is valid
    assert len(exc.value.problems) == 6


def test_postgres_url_gets_the_async_driver() -> None:
    s = Settings.from_env({"DATABASE_URL": "postgres://u:p@db:5432/cov"})
    assert s.database_url == "postgresql+asyncpg://u:p@db:5432/cov"


def test_an_empty_list_is_named_in_the_users_words(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("    rules:\n      - any: [rare earth]\n", "    rules: []\n"))
    assert "line 3: topics.rare-earths.rules: at least one rule is required" in message
    assert "Tuple should have" not in message  # pydantic's own words


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # no request can carry it (not ASCII, two lines): every feed would fail and be disabled, in every cycle
        ("  user_agent: 'coverage-bot (contact: José Müller)'", "poll.user_agent"),
        ('  user_agent: "bot\\nX-Injected: 1"', "poll.user_agent"),
        # YAML's infinity, and a size whose digits no float holds (they crashed validation)
        ("  interval: .inf", "poll.interval"),
        ("  max_bytes: '" + "9" * 400 + "'", "poll.max_bytes"),
    ],
)
def test_poll_settings_no_request_could_use_are_refused_by_name(tmp_path: Path, line: str, expected: str) -> None:
    assert expected in error_of(tmp_path, MINIMAL + "poll:\n" + line + "\n")


def test_the_shipped_topics_labels_are_what_digests_show() -> None:
    names = load_config(ROOT / "feeds.yaml").topic_names()
    assert names == {"rare-earths": "Rare earths & critical minerals", "us-russia": "US–Russia relations"}


# --------------------------------------------------------------------------- mistakes that were accepted or misreported


def test_a_blank_feed_name_is_refused(tmp_path: Path) -> None:
    """A name of spaces passed (min_length counts them): stories and the feeds table then showed a blank outlet."""
    message = error_of(tmp_path, MINIMAL.replace("name: One", "name: '   '"))
    assert "line 9: feeds[0].name: a feed's name cannot be blank" in message and "e.g. name: Reuters" in message


@pytest.mark.parametrize("port", ["99999", "0"])
def test_a_feed_url_with_an_impossible_port_names_its_key(tmp_path: Path, port: str) -> None:
    """Port 0 passed, though the message for 99999 says 1 to 65535: no server listens there."""
    message = error_of(tmp_path, MINIMAL.replace("https://example.com/one.xml", f"https://example.com:{port}/one.xml"))
    assert "line 10: feeds[0].url:" in message and "no valid port (a number from 1 to 65535" in message


def test_a_topic_name_yaml_reads_as_a_number_is_one_problem_saying_quote_it(tmp_path: Path) -> None:
    """`2024:` gave "topics[2024].[key]: Input should be a valid string" and the same again for a feed without topics
    (which follows every topic, the number among them)."""
    text = MINIMAL.replace("  us-russia:\n", "  2024:\n").replace("topics: [us-russia]", "topics: [rare-earths]")
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text))
    assert exc.value.problems == ["line 5: topics.2024: topic names are text: quote it, '2024'"]
    with pytest.raises(ConfigError) as exc:  # and where a feed names it
        load_config(write(tmp_path, text.replace("  2024:\n", "  '2024':\n").replace("[rare-earths]", "[2024]")))
    assert exc.value.problems == ["line 13: feeds[1].topics[0]: topic names are text: quote it, '2024'"]


@pytest.mark.parametrize(
    ("written", "said"),
    [
        # YAML 1.1 reads on/yes as true, null/~ as no value: pydantic's "topics.1", at the line of 'topics:'
        ("  on:\n", "line 5: topics.on: topic names are text, and YAML reads on as true: quote it, 'on'"),
        ("  yes:\n", "line 5: topics.yes: topic names are text, and YAML reads yes as true: quote it, 'yes'"),
        ("  null:\n", "line 5: topics.null: topic names are text, and YAML reads null as no value: quote it, 'null'"),
        ("  ~:\n", "line 5: topics.~: topic names are text, and YAML reads ~ as no value: quote it, '~'"),
    ],
)
def test_a_topic_name_yaml_reads_as_no_text_is_named_as_written_at_its_line(
    tmp_path: Path, written: str, said: str
) -> None:
    text = MINIMAL.replace("  us-russia:\n", written).replace("topics: [us-russia]", "topics: [rare-earths]")
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text))
    assert exc.value.problems == [said]


def test_a_term_yaml_reads_as_no_text_says_quote_it(tmp_path: Path) -> None:
    """`any: [Norway, NO]` said "Input should be a valid string (got False)": no word of YAML, nor of the fix."""
    text = MINIMAL.replace("any: [rare earth]", "any: [rare earth, NO, Off, 1984]")
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text))
    assert exc.value.problems == [
        "line 4: topics.rare-earths.rules[0].any[1]: should be text, and YAML reads NO as false: quote it, 'NO'",
        "line 4: topics.rare-earths.rules[0].any[2]: should be text, and YAML reads Off as false: quote it, 'Off'",
        "line 4: topics.rare-earths.rules[0].any[3]: should be text: quote it, '1984'",
    ]
    assert load_config(write(tmp_path, text.replace(", NO, Off, 1984", ", 'NO', 'Off', '1984'"))).topics


def test_a_topic_left_empty_or_not_a_mapping_says_what_it_needs(tmp_path: Path) -> None:
    """A topic left empty while editing said "Input should be a valid dictionary or instance of Topic (got None)"."""
    text = MINIMAL.replace("feeds:\n", "  arctic:\nfeeds:\n")
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text))
    assert exc.value.problems == [
        "line 8: topics.arctic: empty: a topic needs its rules, e.g. 'rules: [{any: [a term]}]'; write them or delete it"
    ]
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, MINIMAL.replace("      - any: [rare earth]", "      - rare earth")))
    assert exc.value.problems == [
        "line 4: topics.rare-earths.rules[0]: should be a mapping of keys (name, any, all_of, near, weight, "
        "other_parties, disputes, joint_subjects, timed_acts, third_states, near_misses); got 'rare earth'"
    ]


def test_a_feeds_topics_written_as_one_comma_separated_string_says_write_a_list(tmp_path: Path) -> None:
    """`topics: us-russia, rare-earths` got "did you mean 'rare-earths'?", a fix that drops one of the two."""
    text = MINIMAL.replace("topics: [us-russia]", "topics: us-russia, rare-earths")
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text))
    assert exc.value.problems == [
        "line 13: feeds[1].topics: 'us-russia, rare-earths' is one name with commas in it: write a list, "
        "topics: [us-russia, rare-earths]"
    ]
    with pytest.raises(ConfigError) as exc:  # one entry of a list
        load_config(
            write(tmp_path, MINIMAL.replace("topics: [us-russia]", "topics: [rare-earths, 'us-russia,arctic']"))
        )
    assert exc.value.problems == [
        "line 13: feeds[1].topics[1]: 'us-russia,arctic' is one name with commas in it: write a list, "
        "topics: [us-russia, arctic]"
    ]


def test_a_decomposed_accented_term_is_read_composed(tmp_path: Path) -> None:
    """ "Gdańsk" typed decomposed ("n" and U+0301, as some editors save it) was refused: "characters the rule syntax
    does not allow: ́", an invisible mark as the reason."""
    decomposed = unicodedata.normalize("NFD", "Gdańsk")
    config = load_config(write(tmp_path, MINIMAL.replace("any: [rare earth]", f"any: [rare earth, {decomposed}]")))
    assert config.topics["rare-earths"].rules[0].any == ("rare earth", "Gdańsk")


def test_check_config_warns_of_a_term_in_a_script_written_without_spaces(tmp_path: Path) -> None:
    """A Chinese term was accepted without a word, but the matcher cuts words at spaces and punctuation:
    "中国限制稀土出口" is one word, and "稀土" in it never matches."""
    text = MINIMAL.replace("any: [rare earth]", "any: [rare earth, 稀土, レアアース]\n    exclude: [稀土元素]")
    path = write(tmp_path, text)
    warnings = [line for line in check_config(path, resolve=False) if line.startswith("warning")]
    assert warnings == [
        f"warning: {path}: line 4: topics.rare-earths.rules[0].any[1]: term '稀土' (and 2 other terms of this topic) "
        "is in a script written without spaces between words: it matches only where a text sets it apart with spaces "
        "or punctuation, so almost never; follow the subject with terms in a language written with spaces, or remove it"
    ]
    assert not [
        line
        for line in check_config(write(tmp_path, MINIMAL.replace("rare earth", "희토류, Ελλάδα")), resolve=False)
        if line.startswith("warning")
    ]  # written with spaces


def test_check_config_says_the_retention_in_force(tmp_path: Path) -> None:
    """retention_days below 15 (or below max_age_days) is raised when pruning: check-config says so, as a note."""

    def notes(poll: str) -> list[str]:
        lines = check_config(write(tmp_path, MINIMAL + "poll:\n" + poll), resolve=False)
        assert lines[0].endswith(": OK")
        return [line for line in lines if line.startswith("note:")]

    assert notes("  retention_days: 5\n") == [
        "note: poll.retention_days 5 is raised to 15: /trend charts the last 14 days and today"
    ]
    (note,) = notes("  retention_days: 20\n  max_age_days: 30\n")
    assert note.startswith("note: poll.retention_days 20 is raised to 30: items up to poll.max_age_days (30) old")
    assert notes("  retention_days: 15\n") == [] and notes("  interval: 15m\n") == []


def test_a_feeds_yaml_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    """A Latin-1 file gave the codec's message: "can't decode byte 0xe9 in position 35", no line and no fix."""
    path = tmp_path / "feeds.yaml"
    path.write_bytes(MINIMAL.replace("[rare earth]", "[terres rares, café]").encode("latin-1"))
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert str(exc.value) == f"{path}: line 4: not UTF-8 text (byte 0xe9); save it as UTF-8"


# A list nesting YAML aliases 8 deep: 323 bytes, 9**8 strings when every alias is followed.
ALIAS_BOMB = '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"  {c}: &{c} [{','.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True)
)


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("bomb:\n" + ALIAS_BOMB, "line 15: bomb: unknown key 'bomb'"),
        # a duration or a size wrote the value it refused into the message: 312 MB of it
        ("anchors:\n" + ALIAS_BOMB + "poll:\n  interval: *h\n", "line 25: poll.interval: a list is not a duration"),
        ("anchors:\n" + ALIAS_BOMB + "poll:\n  max_bytes: *h\n", "line 25: poll.max_bytes: a list is not a size"),
    ],
)
def test_aliases_nested_deep_are_an_error_message_not_a_memory_error(tmp_path: Path, where: str, said: str) -> None:
    """The line map of an invalid file walked every alias again (48 million key paths): MemoryError under 2 GB, after
    11 s. Each node is walked once now; checked in a child process limited to 512 MB of address space."""
    import subprocess
    import sys

    path = write(tmp_path, MINIMAL + where)
    child = (
        "import resource, sys, time\n"
        "resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))\n"
        "from bot.settings import ConfigError, load_config\n"
        "t = time.process_time()\n"
        "try:\n"
        "    load_config(sys.argv[1])\n"
        "except ConfigError as exc:\n"
        "    print(round(time.process_time() - t, 2), len(str(exc)))\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", child, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert out.returncode == 0 and "MemoryError" not in out.stderr, out.stderr[-2000:]
    seconds, size = out.stdout.splitlines()[0].split()
    assert float(seconds) < 2 and int(size) < 2000, out.stdout[:2000]
    assert said in out.stdout, out.stdout
