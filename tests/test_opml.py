"""OPML export and import (`coverage-bot feeds --export-opml / --import-opml`) and re-enabling feeds."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from commandline import clean_env, run_cli

from bot.opml import OpmlError, canonical_url, export_opml, merge_opml, read_opml
from bot.settings import ConfigError, load_config
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]

FEEDS_YAML = """\
# my feeds
topics:
  rare-earths:
    rules:
      - any: [rare earth*]
  us-russia:
    rules:
      - any: [Kremlin]

feeds:
  # wires
  - name: Wire A
    url: https://a.example/rss
  - name: Wire B
    url: https://b.example/feed/
    topics: [us-russia]
    enabled: false

  # the poll section follows
poll:
  interval: 15m
"""

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Reader export</title></head>
  <body>
    <outline text="News">
      <outline type="rss" text="Wire A again" xmlUrl="HTTPS://A.example:443/rss/"/>
      <outline type="rss" text="Wire C: world" title="Wire C: world" xmlUrl="https://c.example/world.xml"/>
      <outline type="rss" text="Wire A" xmlUrl="https://other.example/a.xml"/>
    </outline>
    <outline type="rss" text="Gopher" xmlUrl="gopher://old.example/feed"/>
    <outline type="rss" text="Wire C twice" xmlUrl="https://c.example/world.xml"/>
    <outline text="a folder without a feed"/>
  </body>
</opml>
"""


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return run_cli(*args, cwd=cwd, env=clean_env(**(env or {})), stdin=stdin, text=False)


def test_canonical_url_ignores_case_default_port_and_trailing_slash() -> None:
    assert canonical_url("HTTPS://A.example:443/rss/") == canonical_url("https://a.example/rss")
    assert canonical_url("http://a.example:8080/rss") != canonical_url("http://a.example/rss")
    assert canonical_url("https://a.example/rss?x=1") != canonical_url("https://a.example/rss")
    # one feed over either scheme, as feeds.yaml's check of duplicate URLs reads it (an import once failed whole)
    assert canonical_url("http://a.example/rss") == canonical_url("https://a.example/rss")


def test_export_round_trips_through_read(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(FEEDS_YAML)
    text = export_opml(load_config(path))
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert 'isDisabled="true"' in text and 'category="us-russia"' in text
    feeds = read_opml(text.encode())
    assert [(f.name, f.url) for f in feeds] == [
        ("Wire A", "https://a.example/rss"),
        ("Wire B", "https://b.example/feed/"),
    ]


def test_import_merges_validated_without_duplicates_and_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(FEEDS_YAML)
    report = merge_opml(path, read_opml(OPML))
    assert [(f.name, f.url) for f in report.added] == [
        ("Wire C: world", "https://c.example/world.xml"),
        ("Wire A (2)", "https://other.example/a.xml"),
    ]
    assert [f.name for f in report.duplicates] == ["Wire A again"]  # in feeds.yaml
    assert [(f.name, first) for f, first in report.repeats] == [("Wire C twice", "Wire C: world")]  # twice in the file
    assert [f.name for f, _ in report.invalid] == ["Gopher"]
    text = path.read_text()
    kept = FEEDS_YAML.split("enabled: false\n")[0] + "enabled: false\n"
    assert text.startswith(kept + "  - name: 'Wire C: world'\n    url: https://c.example/world.xml\n")  # appended
    assert "  # the poll section follows\npoll:\n  interval: 15m\n" in text
    config = load_config(path)
    assert [f.name for f in config.feeds] == ["Wire A", "Wire B", "Wire C: world", "Wire A (2)"]
    assert config.feeds[2].topics == ("rare-earths", "us-russia") and config.feeds[2].interval == 900
    again = merge_opml(path, read_opml(OPML))
    assert again.added == () and path.read_text() == text  # nothing new: the file is untouched


def test_import_refuses_what_is_not_opml(tmp_path: Path) -> None:
    with pytest.raises(OpmlError, match="not valid XML"):
        read_opml(b"<opml><body>")
    with pytest.raises(OpmlError, match="root element is <rss>"):
        read_opml(b"<rss/>")
    with pytest.raises(OpmlError, match="refused"):
        read_opml(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body><outline xmlUrl="&a;"/></body></opml>')
    flow = tmp_path / "feeds.yaml"
    flow.write_text("topics: {x: {rules: [{any: [foo]}]}}\nfeeds: [{name: A, url: 'https://a.example/'}]\n")
    with pytest.raises(ConfigError, match="block list"):
        merge_opml(flow, read_opml(OPML))


def test_cli_export_and_import(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(FEEDS_YAML)
    out = cli("feeds", "--export-opml", "--config", str(path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert b'xmlUrl="https://a.example/rss"' in out.stdout
    (tmp_path / "reader.opml").write_bytes(OPML)
    out = cli("feeds", "--import-opml", "reader.opml", "--config", str(path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert b"added: Wire C: world <https://c.example/world.xml>" in out.stdout
    assert b"2 feeds added, 1 already there, 1 listed twice in the file, 1 invalid" in out.stdout
    twice = "skipped (listed twice in the file): Wire C twice <https://c.example/world.xml>, the same feed as "
    assert (twice + "Wire C: world\n").encode() in out.stdout
    assert out.stdout.decode().splitlines()[-1] == (  # the bot reads feeds.yaml when it starts (README, One feeds.yaml)
        "restart the bot (coverage-bot run, or its container) to poll the new feeds: it reads feeds.yaml at start"
    )
    out = cli("feeds", "--import-opml", "-", "--config", str(path), cwd=tmp_path, stdin=b"not xml")
    assert out.returncode == 2 and out.stderr.startswith(b"coverage-bot: -: not valid XML")
    assert b"Traceback" not in out.stderr


# ---------------------------------------------------------------- item 7: disabled feeds come back


def _spec(name: str, url: str, interval: int = 900) -> SimpleNamespace:
    return SimpleNamespace(name=name, url=url, topics=("rare-earths",), interval=interval, enabled=True)


async def _disable(store: Store, name: str) -> None:
    from bot.store import feeds_t

    async with store.engine.begin() as conn:  # the poller's own words for a feed that failed too often
        await conn.execute(
            feeds_t.update()
            .where(feeds_t.c.name == name)
            .values(
                enabled=False, failures=20, disabled_reason="disabled after 20 consecutive failures; last: HTTP 500"
            )
        )


async def test_a_changed_entry_in_feeds_yaml_re_enables_a_failed_feed(tmp_path: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        await store.sync_feeds([_spec("A", "https://a.example/rss"), _spec("B", "https://b.example/rss")])
        await _disable(store, "A")
        await _disable(store, "B")
        await store.sync_feeds([_spec("A", "https://a.example/rss"), _spec("B", "https://b.example/rss")])
        assert [f.enabled for f in await store.feed_health()] == [False, False]  # nothing changed: still off
        await store.sync_feeds([_spec("A", "https://a.example/rss", interval=1800), _spec("B", "https://b.example/x")])
        health = {f.name: f for f in await store.feed_health()}
        assert health["A"].enabled and health["A"].failures == 0  # its entry changed
        assert health["B"].enabled and health["B"].url == "https://b.example/x"  # its URL changed
    finally:
        await store.close()


def test_cli_feeds_enable(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(FEEDS_YAML)
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}

    async def prepare() -> None:
        store = await Store.open(env["DATABASE_URL"])
        try:
            config = load_config(path)
            await store.sync_feeds(config.feeds)
            await _disable(store, "Wire A")
        finally:
            await store.close()

    asyncio.run(prepare())
    out = cli("feeds", "--enable", "https://b.example/feed/", "--config", str(path), cwd=tmp_path, env=env)
    assert out.returncode == 2 and out.stdout == b""  # errors: on stderr, as every command's
    assert out.stderr == b"coverage-bot: Wire B is disabled in feeds.yaml: set 'enabled: true' there.\n"
    out = cli("feeds", "--enable", "nope", "--config", str(path), cwd=tmp_path, env=env)
    assert out.returncode == 2 and out.stderr.startswith(b"coverage-bot: no feed 'nope' in feeds.yaml")
    out = cli("feeds", "--enable", "wire a", "--config", str(path), cwd=tmp_path, env=env)
    assert out.returncode == 0 and b"Wire A re-enabled" in out.stdout
    table = cli("feeds", cwd=tmp_path, env=env).stdout.decode()
    assert [line.split("  ")[0:2] for line in table.splitlines() if line.startswith("Wire A")] == [["Wire A", "yes"]]


def test_a_feed_under_the_other_scheme_is_a_duplicate_and_an_impossible_port_invalid(tmp_path: Path) -> None:
    """Each outline is judged on its own: one already in feeds.yaml over http:// (the import once failed whole on
    feeds.yaml's own duplicate check), one whose port is out of range (it raised out of the import), one added."""
    from bot.opml import OpmlFeed

    path = tmp_path / "feeds.yaml"
    path.write_text(
        "topics:\n  t:\n    rules:\n      - any: [rare earth]\nfeeds:\n  - name: A\n    url: http://e.com/feed\n"
    )
    report = merge_opml(
        path,
        [
            OpmlFeed("A over TLS", "https://e.com/feed"),
            OpmlFeed("Bad", "https://e.org:99999/f"),
            OpmlFeed("C", "https://c.example/rss"),
        ],
    )
    assert [f.name for f in report.added] == ["C"]
    assert [f.name for f in report.duplicates] == ["A over TLS"] and [f.name for f, _ in report.invalid] == ["Bad"]
    assert [f.name for f in load_config(path).feeds] == ["A", "C"]


def test_import_through_a_symlink_updates_the_file_it_points_at_and_keeps_modes(tmp_path: Path) -> None:
    """feeds.yaml kept elsewhere and linked (a config repository, a mounted secret): the import once replaced the
    link with a plain file, leaving the real one as it was, and wrote 644 over a 600 or 640 file."""
    real_dir, link_dir = tmp_path / "config", tmp_path / "deploy"
    real_dir.mkdir()
    link_dir.mkdir()
    real = real_dir / "feeds.yaml"
    real.write_text(FEEDS_YAML)
    real.chmod(0o640)
    link = link_dir / "link.yaml"
    link.symlink_to(real)
    report = merge_opml(link, read_opml(OPML))
    assert len(report.added) == 2
    assert link.is_symlink() and link.resolve() == real  # still the link
    assert [f.name for f in load_config(real).feeds][2:] == ["Wire C: world", "Wire A (2)"]  # the target updated
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["config", "deploy", "feeds.yaml", "link.yaml"]
    plain = tmp_path / "plain.yaml"
    plain.write_text(FEEDS_YAML)
    plain.chmod(0o600)
    merge_opml(plain, read_opml(OPML))
    assert plain.stat().st_mode & 0o777 == 0o600 and "Wire A (2)" in plain.read_text()


TOPICS_YAML = "topics:\n  t:\n    rules:\n      - any: [rare earth]\n"


@pytest.mark.parametrize(
    ("feeds", "appended"),
    [
        (
            "feeds:\n    -   name: A\n        url: http://a.example/x\n",
            "    -   name: C\n        url: https://c.example/rss\n",
        ),
        ("feeds:\n-   url: http://a.example/x\n    name: A\n", "-   name: C\n    url: https://c.example/rss\n"),
        ("feeds:\n-\n name: A\n url: http://a.example/x\n", "- name: C\n  url: https://c.example/rss\n"),
    ],
)
def test_import_appends_in_the_lists_own_layout(tmp_path: Path, feeds: str, appended: str) -> None:
    """More than one space after the dash, or a list at column 0: check-config takes these, and the import once
    failed on them with a YAML ParserError (the dash was taken to sit two columns before the key)."""
    from bot.opml import OpmlFeed

    path = tmp_path / "feeds.yaml"
    path.write_text(TOPICS_YAML + feeds)
    report = merge_opml(path, [OpmlFeed("C", "https://c.example/rss")])
    assert [f.name for f in report.added] == ["C"]
    assert path.read_text() == TOPICS_YAML + feeds + appended
    assert [f.name for f in load_config(path).feeds] == ["A", "C"]


def test_a_refused_import_names_the_config_file_and_leaves_it_alone(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    flow = "topics: {x: {rules: [{any: [foo]}]}}\nfeeds: [{name: A, url: 'https://a.example/'}]\n"
    path.write_text(flow)
    (tmp_path / "reader.opml").write_bytes(OPML)
    out = cli("feeds", "--import-opml", "reader.opml", "--config", str(path), cwd=tmp_path)
    assert out.returncode == 2 and out.stderr.decode().splitlines() == [
        f"coverage-bot: {path}: the 'feeds:' list must be a block list ('  - name: …') to import into"
    ]
    assert path.read_text() == flow


def test_new_feeds_follow_the_last_feeds_own_comment(tmp_path: Path) -> None:
    """A comment indented as the last feed's keys is about that feed: new feeds once went in between (the comment
    then read as the new feed's). One at the dash's column still leads the next section."""
    from bot.opml import OpmlFeed

    path = tmp_path / "feeds.yaml"
    head = TOPICS_YAML + "feeds:\n  - name: A\n    url: http://a.example/x\n    # comment about A\n"
    tail = "\n  # the poll section follows\npoll:\n  interval: 15m\n"
    path.write_text(head + tail)
    merge_opml(path, [OpmlFeed("C", "https://c.example/rss")])
    assert path.read_text() == head + "  - name: C\n    url: https://c.example/rss\n" + tail


def test_feed_scheme_urls_are_read_as_http_and_an_entity_bomb_is_refused_in_words(tmp_path: Path) -> None:
    """Some readers export feed://host/x (and feed:https://…): they were skipped as invalid. An entity declaration
    was refused with defusedxml's repr ("EntitiesForbidden(name='lol', system_id=None, public_id=None)")."""
    opml = b"""<opml version="2.0"><body>
      <outline text="F" xmlUrl="feed://f.example/rss"/>
      <outline text="G" xmlUrl="FEED:https://g.example/rss"/>
      <outline xmlUrl="feed:gopher://h.example/rss"/>
    </body></opml>"""
    assert [(f.name, f.url) for f in read_opml(opml)] == [
        ("F", "http://f.example/rss"),
        ("G", "https://g.example/rss"),
        ("feed:gopher://h.example/rss", "feed:gopher://h.example/rss"),  # not a web feed: skipped as invalid later
    ]
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    bomb += b'<opml version="2.0"><body><outline text="&lol2;" xmlUrl="https://x.example/"/></body></opml>'
    (tmp_path / "bomb.opml").write_bytes(bomb)
    (tmp_path / "feeds.yaml").write_text(FEEDS_YAML)
    out = cli("feeds", "--import-opml", "bomb.opml", cwd=tmp_path)
    assert out.returncode == 2 and out.stderr.decode().splitlines() == [
        "coverage-bot: bomb.opml: refused: the OPML file declares XML entities (<!ENTITY …>), which are refused for "
        "safety; export it again from the feed reader, or delete its <!DOCTYPE …> part"
    ]
    assert (tmp_path / "feeds.yaml").read_text() == FEEDS_YAML


# ---------------------------------------------------------------- an export imports back as it was

SOURCE_YAML = """\
topics:
  rare-earths:
    rules:
      - any: [rare earth*]
  us-russia:
    rules:
      - any: [Kremlin]
feeds:
  - name: Every topic
    url: https://a.example/rss
  - name: Le Monde
    url: https://www.lemonde.fr/international/rss_full.xml
    enabled: false
  - name: 'Only US-Russia: slow'
    url: https://b.example/x.xml
    topics: [us-russia]
    interval: 3h
  - name: Both, backwards, every 15m
    url: https://c.example/feed/
    topics: [us-russia, rare-earths]
    interval: 15m
    enabled: false
poll:
  interval: 30m
"""


@pytest.mark.parametrize(
    ("empty", "started"),
    [("feeds: []  # none yet\n", "feeds:  # none yet\n"), ("feeds:\n", "feeds:\n"), ("feeds: ~\n", "feeds:\n")],
)
def test_an_export_imports_back_as_it_was_into_an_empty_list(tmp_path: Path, empty: str, started: str) -> None:
    """Exported isDisabled="true", category= and the interval were dropped on import: a disabled feed came back
    enabled and polled, following every topic at poll.interval; an empty feeds list could not be imported into."""
    source = tmp_path / "source.yaml"
    source.write_text(SOURCE_YAML)
    target = tmp_path / "feeds.yaml"
    head = SOURCE_YAML.split("feeds:\n")[0]
    target.write_text(head + empty + "poll:\n  interval: 30m\n")
    report = merge_opml(target, read_opml(export_opml(load_config(source)).encode()))
    assert len(report.added) == 4 and report.ignored_categories == ()
    assert load_config(target).feeds == load_config(source).feeds  # names, URLs, topics, enabled, intervals
    text = target.read_text()
    # only what differs from the defaults is written: this feed follows every topic, a topic added later too
    assert text.startswith(
        head + started + "  - name: Every topic\n    url: https://a.example/rss\n  - name: Le Monde\n"
    )
    assert "    topics: [us-russia]\n    interval: 3h\n" in text
    assert "    topics: [us-russia, rare-earths]\n    interval: 15m\n    enabled: false\n" in text


def test_cli_export_then_import_keeps_disabled_feeds_disabled(tmp_path: Path) -> None:
    """The QA reader's reproduction: "1 enabled, 1 disabled; shortest interval 3h" came back as "3 enabled, 0
    disabled; shortest interval 15m" beside the one feed already there."""
    (tmp_path / "source.yaml").write_text(SOURCE_YAML)
    target = tmp_path / "feeds.yaml"
    target.write_text(SOURCE_YAML.split("feeds:\n")[0] + "feeds:\n  - name: Existing\n    url: https://e.example/rss\n")
    out = cli("feeds", "--export-opml", "--config", "source.yaml", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    out = cli("feeds", "--import-opml", "-", "--config", "feeds.yaml", cwd=tmp_path, stdin=out.stdout)
    assert out.returncode == 0, out.stderr
    assert load_config(target).feeds[1:] == load_config(tmp_path / "source.yaml").feeds
    assert b"added: Le Monde <https://www.lemonde.fr/international/rss_full.xml> (disabled)\n" in out.stdout
    out = cli("check-config", "--config", "feeds.yaml", cwd=tmp_path)
    assert b"feeds: 5 (3 enabled, 2 disabled) on 3 hosts; shortest interval 15m" in out.stdout, out.stderr


def test_an_empty_list_with_another_problem_is_refused_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "feeds.yaml"
    target.write_text(TOPICS_YAML + "feeds: []\npoll:\n  interval: 5 parsecs\n")
    with pytest.raises(ConfigError, match=r"poll\.interval") as refused:
        merge_opml(target, read_opml(OPML))
    assert "feeds" not in str(refused.value).split("\n", 1)[1]  # the list's emptiness is no problem to import into
    assert target.read_text() == TOPICS_YAML + "feeds: []\npoll:\n  interval: 5 parsecs\n"
    target.write_text(TOPICS_YAML + "poll:\n  interval: 15m\n")  # no 'feeds:' key at all: nothing to append to
    with pytest.raises(ConfigError, match="feeds: required key is missing"):
        merge_opml(target, read_opml(OPML))


def test_other_readers_categories_name_topics_only_by_id_and_the_rest_is_reported(tmp_path: Path) -> None:
    """Category words that are topic ids are the feed's topics; another reader's folders and tags ("/tech",
    "News/World") are ignored, named in one line; a feed with none of ours still follows every topic."""
    opml = b"""<opml version="2.0"><body>
      <outline text="Tech">
        <outline text="T" xmlUrl="https://t.example/rss" category="/tech"/>
        <outline text="W" xmlUrl="https://w.example/rss" category="News/World, us-russia,/tech" isDisabled="TRUE"/>
      </outline>
      <outline text="X" xmlUrl="https://x.example/rss" category="rare-earths" isDisabled="false" interval="2h"/>
      <outline text="Bad" xmlUrl="https://bad.example/rss" interval="every now and then"/>
      <outline text="Wire A" xmlUrl="https://a.example/rss" category="Dupes/Ignored"/>
    </body></opml>"""
    path = tmp_path / "feeds.yaml"
    path.write_text(FEEDS_YAML)
    (tmp_path / "reader.opml").write_bytes(opml)
    out = cli("feeds", "--import-opml", "reader.opml", "--config", str(path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().splitlines() == [
        "added: T <https://t.example/rss>",
        "added: W <https://w.example/rss> (disabled)",
        "added: X <https://x.example/rss>",
        "skipped (invalid): Bad: interval: 'every now and then' is not a duration; use 900 (seconds), 15m, 1h30m, "
        "1.5h, 2 days, 1w or ISO 8601's PT36H",
        f"categories ignored (no topic of that id in {path}): /tech, News/World",
        f"{path}: 3 feeds added, 1 already there, 1 invalid",
        "restart the bot (coverage-bot run, or its container) to poll the new feeds: it reads feeds.yaml at start",
    ]
    feeds = {f.name: f for f in load_config(path).feeds}
    assert (feeds["T"].topics, feeds["T"].interval, feeds["T"].enabled) == (("rare-earths", "us-russia"), 900, True)
    assert (feeds["W"].topics, feeds["W"].enabled) == (("us-russia",), False)
    assert (feeds["X"].topics, feeds["X"].interval, feeds["X"].enabled) == (("rare-earths",), 7200, True)


# ---------------------------------------------------------------- qa15: what an import skips is said, and why


def test_a_readers_rss_outline_with_url_is_a_feed_and_one_without_an_address_is_reported(tmp_path: Path) -> None:
    """type="rss" with its address in url= (no xmlUrl), as some readers write it, was dropped without a word; a
    link outline (type="link" url=) is a web page, no feed."""
    opml = b"""<opml version="1.0"><body><outline text="News">
      <outline type="rss" text="Example Wire" htmlUrl="https://wire.example.org/" url="https://wire.example.org/feed"/>
      <outline type="RSS" text="No address" htmlUrl="https://none.example.org/"/>
      <outline type="link" text="A page" url="https://page.example.org/"/>
    </outline></body></opml>"""
    path = tmp_path / "feeds.yaml"
    path.write_text(FEEDS_YAML)
    (tmp_path / "reader.opml").write_bytes(opml)
    out = cli("feeds", "--import-opml", "reader.opml", "--config", str(path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.decode().splitlines()
    assert lines[:2] == [
        "added: Example Wire <https://wire.example.org/feed>",
        "skipped (invalid): No address: no address (neither xmlUrl nor url)",
    ]
    assert f"{path}: 1 feeds added, 0 already there, 1 invalid" in lines
    assert [f.name for f in load_config(path).feeds] == ["Wire A", "Wire B", "Example Wire"]


def _import_as_a_user(folder: Path, config: Path) -> subprocess.CompletedProcess[bytes]:
    """`feeds --import-opml` of a new feed into ``config`` as a user without root's right to write anything: as
    nobody (65534, through setpriv) when the tests run as root, else as the user running them."""
    (folder / "new.opml").write_bytes(
        b'<opml version="2.0"><body><outline text="N" xmlUrl="https://n.example/rss"/></body></opml>'
    )
    command = [sys.executable, "-m", "bot.cli", "feeds", "--import-opml", str(folder / "new.opml"), "--config"]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("run as root without setpriv (util-linux): no user to try the import as")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run([*command, str(config)], capture_output=True, cwd=folder, env=clean_env(), timeout=120)


def test_a_read_only_feeds_yaml_or_folder_is_refused_in_one_line_and_left_alone() -> None:
    """README's Docker case (a read-only feeds.yaml) and a feeds.yaml in a folder its user cannot write failed with
    "unexpected error: PermissionError ... feeds.yaml.tmp"; a feeds.yaml chmod 444 in a writable folder was
    rewritten."""
    with tempfile.TemporaryDirectory() as name:  # (not tmp_path: nobody must be able to reach it)
        folder = Path(name)
        folder.chmod(0o755)
        if os.geteuid() == 0:
            os.chown(folder, 65534, 65534)  # nobody's own folder, as a user's home is theirs
        locked = folder / "feeds.yaml"
        locked.write_text(FEEDS_YAML)
        locked.chmod(0o444)
        out = _import_as_a_user(folder, locked)
        assert out.returncode == 2 and out.stderr.decode().splitlines() == [
            f"coverage-bot: {locked}: cannot be written (read-only); nothing was changed: make it writable "
            "(chmod u+w), or import into the file it is copied or mounted from (Docker: the host's feeds.yaml), "
            "then restart the bot"
        ]
        assert locked.read_text() == FEEDS_YAML and locked.stat().st_mode & 0o777 == 0o444
        # root may write a 444 file: its owner said not to, and the import listens
        with pytest.raises(ConfigError, match="read-only"):
            merge_opml(locked, read_opml(OPML))
        assert locked.read_text() == FEEDS_YAML
        etc = folder / "etc"
        etc.mkdir()
        config = etc / "feeds.yaml"
        config.write_text(FEEDS_YAML)
        config.chmod(0o666)  # the file may be written; the folder takes no new file
        etc.chmod(0o555)
        try:
            out = _import_as_a_user(folder, config)
        finally:
            etc.chmod(0o755)
        assert out.returncode == 2 and out.stderr.decode().splitlines() == [
            f"coverage-bot: {config}: cannot be written: its folder {etc} is not writable (Permission denied; the new "
            "file is written beside it, then renamed over it); nothing was changed: make the folder writable, or "
            "import into a copy elsewhere and copy it back"
        ]
        assert config.read_text() == FEEDS_YAML and sorted(p.name for p in etc.iterdir()) == ["feeds.yaml"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
def test_an_import_by_root_leaves_the_bot_users_file_the_bot_users(tmp_path: Path) -> None:
    """The new feeds.yaml replaces the old one: written by root, it was root's, and a 600 file the bot could no
    longer read."""
    path = tmp_path / "feeds.yaml"
    path.write_text(FEEDS_YAML)
    path.chmod(0o600)
    os.chown(path, 65534, 65534)
    assert len(merge_opml(path, read_opml(OPML)).added) == 2
    st = path.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (65534, 65534, 0o600)
