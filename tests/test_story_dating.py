"""Stories dated when they happened, and `coverage-bot stories --json` members as the feeds gave them (CLI, black box)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

import pytest
import yaml
from loopback import LoopbackServer, Response

NOW = datetime.now(UTC).replace(microsecond=0)
CLI = Path(sys.executable).with_name("coverage-bot")


def _rss(items: list[tuple[str, str, str, str, datetime]]) -> str:
    body = "".join(
        f"<item><guid isPermaLink='false'>{escape(guid)}</guid><link>{escape(link)}</link><title>{escape(title)}</title>"
        f"<description>{escape(desc)}</description><pubDate>{format_datetime(when, usegmt=True)}</pubDate></item>"
        for guid, link, title, desc, when in items
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{body}</channel></rss>"


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", ALLOW_PRIVATE_URLS="1")
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run([str(CLI), *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)


def _poll_two_outlets(
    loopback: LoopbackServer,
    tmp_path: Path,
    wire: list,
    paper: list,
    feeds: tuple[str, ...] = ("Wire", "Paper"),
    **poll: object,
) -> None:
    """Serve two outlets' feeds, write feeds.yaml (the project's topics, ``feeds`` of the two, ``poll`` settings) and
    poll once."""
    rss = "application/rss+xml; charset=utf-8"
    loopback.route("/wire.xml", Response(200, {"Content-Type": rss}, _rss(wire)))
    loopback.route("/paper.xml", Response(200, {"Content-Type": rss}, _rss(paper)))
    config = yaml.safe_load((Path(__file__).resolve().parents[1] / "feeds.yaml").read_text(encoding="utf-8"))
    config["feeds"] = [{"name": name, "url": loopback.url(f"/{name.lower()}.xml")} for name in feeds]
    config["poll"] = poll
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(yaml.safe_dump(config), encoding="utf-8")
    polled = _run(tmp_path, "poll", "--once", "--config", str(cfg))
    assert polled.returncode == 0, polled.stderr


def test_backlog_is_dated_by_publication_and_members_keep_the_feeds_links(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    old = NOW - timedelta(days=5)
    # The same event told by two outlets five days ago (the second an hour later), and a fresh event today.
    wire = [
        (
            "w-1",
            "https://Example.com/world/expel/?utm_source=rss&id=7",
            "Russia expels two US diplomats",
            "Moscow ordered two American diplomats to leave within a week, the foreign ministry said.",
            old,
        ),
        (
            "w-2",
            "https://example.com/markets/gallium",
            "China curbs gallium and germanium exports",
            "Beijing will require export licences for the two chipmaking metals from August.",
            NOW - timedelta(hours=2),
        ),
    ]
    paper = [
        (
            "p-1",
            "https://paper.example.org/a/123#top",
            "Moscow expels two U.S. diplomats",
            "Russia ordered two US diplomats to leave the country within a week.",
            old + timedelta(hours=1),
        ),
    ]
    _poll_two_outlets(loopback, tmp_path, wire, paper, max_age_days=30, fetch_full_text=False)

    out = _run(tmp_path, "stories", "--since", "400d", "--json")
    assert out.returncode == 0, out.stderr
    stories = {tuple(sorted(m["guid"] for m in s["members"])): s for s in json.loads(out.stdout)}
    assert set(stories) == {("p-1", "w-1"), ("w-2",)}, stories
    expel, gallium = stories[("p-1", "w-1")], stories[("w-2",)]
    assert expel["topics"] == ["us-russia"] and gallium["topics"] == ["rare-earths"]
    # Dated by its earliest member's publication time, not by when the bot first saw it.
    assert datetime.fromisoformat(expel["first_seen"]) == old
    members = {m["guid"]: m for m in expel["members"]}
    # The link exactly as the feed gave it (the canonical form is for identity only), the outlet, the date.
    assert members["w-1"]["link"] == "https://Example.com/world/expel/?utm_source=rss&id=7"
    assert members["p-1"]["link"] == "https://paper.example.org/a/123#top"
    assert expel["link"] == members["w-1"]["link"]  # the story's link too: its first telling's, as the feed gave it
    assert members["w-1"]["outlet"] == "Wire" and members["p-1"]["outlet"] == "Paper"
    assert datetime.fromisoformat(members["p-1"]["published"]) == old + timedelta(hours=1)

    # A backlog from five days ago is not "the last 24 h"; any duration is accepted.
    recent = _run(tmp_path, "stories", "--since", "24h", "--json")
    assert [s["members"][0]["guid"] for s in json.loads(recent.stdout)] == ["w-2"]
    for since in ("1d12h", "1.5d", "36 hours", "PT36H"):
        compound = _run(tmp_path, "stories", "--since", since, "--json")
        assert compound.returncode == 0 and len(json.loads(compound.stdout)) == 1, (since, compound.stderr)
    # A window longer than anything stored reads everything (not a traceback from a date before year 1).
    everything = _run(tmp_path, "stories", "--since", "99999999999d", "--json")
    assert everything.returncode == 0 and len(json.loads(everything.stdout)) == 2, everything.stderr
    bad = _run(tmp_path, "stories", "--since", "soon")
    assert bad.returncode != 0 and "--since 'soon' is not a duration; use 900 (seconds), 15m" in bad.stderr
    unit = _run(tmp_path, "stories", "--since", "2 fortnights")
    assert unit.returncode != 0 and "--since '2 fortnights': unknown unit 'fortnights'" in unit.stderr
    assert "Traceback" not in bad.stderr


def _polled_stories(
    loopback: LoopbackServer, tmp_path: Path, wire: list, paper: list
) -> list[tuple[list[str], list[str]]]:
    """Poll the two outlets once (no full text); each story of the last day as (its members' guids, its topics)."""
    _poll_two_outlets(loopback, tmp_path, wire, paper, fetch_full_text=False)
    return _stories(tmp_path)


def _stories(tmp_path: Path) -> list[tuple[list[str], list[str]]]:
    """Each story of the last day in the store as (its members' guids, its topics)."""
    out = _run(tmp_path, "stories", "--since", "1d", "--json")
    return [(sorted(m["guid"] for m in s["members"]), s["topics"]) for s in json.loads(out.stdout)]


def _arrest_told_twice(at: datetime) -> tuple[tuple, tuple]:
    """One arrest in two tellings: the wire's names no US actor (a near miss), the paper's says "US journalist"."""
    wire = (
        "w-1",
        "https://wire.example.com/a",
        "Russia detains journalist Jane Roe on spying charges",
        "The security service said Jane Roe, a reporter for a newspaper, was detained in Yekaterinburg.",
        at,
    )
    paper = (
        "p-1",
        "https://paper.example.org/a",
        "Russia detains US journalist Jane Roe, accused of spying",
        "Jane Roe was detained in Yekaterinburg by the security service on espionage charges.",
        at + timedelta(minutes=40),
    )
    return wire, paper


def test_a_near_miss_joins_the_story_another_telling_put_on_topic(loopback: LoopbackServer, tmp_path: Path) -> None:
    # One outlet names no US actor; the other says "US journalist": the story is US-Russia for both members. A
    # near miss about another event (war news) stays out, and so does one with nothing to join.
    at = NOW - timedelta(hours=3)
    arrest, arrest_us = _arrest_told_twice(at)
    wire = [
        arrest,
        (
            "w-2",
            "https://wire.example.com/b",
            "Russia detains three activists in Kazan",
            "Police detained three activists after a protest in Kazan, a court said.",
            at,
        ),
    ]
    assert _polled_stories(loopback, tmp_path, wire, [arrest_us]) == [(["p-1", "w-1"], ["us-russia"])]


@pytest.mark.parametrize("first_seen_hours_ago", [0, 48])
def test_a_near_miss_joins_a_story_a_later_cycle_puts_on_topic(
    loopback: LoopbackServer, tmp_path: Path, first_seen_hours_ago: int
) -> None:
    # The wire's telling (no US actor) comes one cycle before the paper's ("US journalist"): it waits as a near miss
    # and joins the story when the paper's telling starts it; not when it was first seen two days before (past
    # NEAR_MISS_HOURS: its seen time is moved back in the store between the cycles).
    wire, paper = _arrest_told_twice(NOW - timedelta(hours=3))
    _poll_two_outlets(loopback, tmp_path, [wire], [paper], feeds=("Wire",), fetch_full_text=False)
    first = _stories(tmp_path)
    with sqlite3.connect(tmp_path / "c.db") as db:
        moved = db.execute(
            "UPDATE items SET seen_at = datetime(seen_at, ?) WHERE guid = 'w-1'", (f"-{first_seen_hours_ago} hours",)
        ).rowcount
    assert moved == 1
    # The second cycle: Paper is new, so due; Wire, polled a moment ago, is not.
    _poll_two_outlets(loopback, tmp_path, [wire], [paper], fetch_full_text=False)
    joined = ["p-1", "w-1"] if first_seen_hours_ago < 24 else ["p-1"]
    assert first == [] and _stories(tmp_path) == [(joined, ["us-russia"])]


def test_a_two_group_rules_subject_alone_joins_its_story(loopback: LoopbackServer, tmp_path: Path) -> None:
    # An aggregator's title names the mineral but no business word ("Exxon bets on lithium"): alone it is not kept,
    # but it is the same event as the other outlet's kept item, so it joins that story. Another lithium item about
    # something else stays out.
    at = NOW - timedelta(hours=2)
    wire = [
        ("w-1", "https://wire.example.com/a", "Exxon Mobil bets on lithium in Arkansas", "", at),
        ("w-2", "https://wire.example.com/b", "Lithium, the song, tops the streaming charts", "", at),
    ]
    paper = [
        (
            "p-1",
            "https://paper.example.org/a",
            "Exxon Mobil plans to produce lithium in Arkansas",
            "The oil company will drill for lithium brine in southern Arkansas.",
            at + timedelta(minutes=30),
        ),
    ]
    assert _polled_stories(loopback, tmp_path, wire, paper) == [(["p-1", "w-1"], ["rare-earths"])]


def test_an_aggregators_outlet_is_not_the_items_words(loopback: LoopbackServer, tmp_path: Path) -> None:
    # An aggregator (Google News) ends each title with " - Outlet" and gives the title again, then the outlet, as the
    # summary. An outlet no list knows, whose name says "Washington", must not make an EU decision US-Russia; a
    # telling of a US-Russia event from the same outlet stays, its title without the suffix.
    at = NOW - timedelta(hours=2)
    outlet = "The Washington Ledger"
    told = {"g-1": "EU agrees new package of Russia sanctions", "g-2": "Russia frees US journalist in prisoner swap"}
    wire = [(g, f"https://news.example.com/{g}", f"{t} - {outlet}", f"{t}  {outlet}", at) for g, t in told.items()]
    _poll_two_outlets(loopback, tmp_path, wire, [], fetch_full_text=False)
    stories = json.loads(_run(tmp_path, "stories", "--since", "1d", "--json").stdout)
    assert [(s["topics"], [(m["guid"], m["title"]) for m in s["members"]]) for s in stories] == [
        (["us-russia"], [("g-2", "Russia frees US journalist in prisoner swap")])
    ]


# The expulsion and, three hours later, Washington's answer, which shares the paper's words ("a week to leave", "vows
# a response") and hardly any of the first telling's; the paper tells the expulsion an hour after the first telling.
EXPULSION = "Russia expels two US diplomats"
ANSWER = "State Department vows response as Moscow gives US envoys a week to leave"


def _expulsion_told_by_the_paper(at: datetime) -> list[tuple[str, str, str, str, datetime]]:
    return [
        (
            "p-1",
            "https://paper.example.org/a",
            "Russia expels two US diplomats, gives them a week to leave",
            "The State Department said Moscow gave the pair a week to leave and vowed a response.",
            at + timedelta(hours=1),
        )
    ]


def test_an_outlet_tells_an_event_once(loopback: LoopbackServer, tmp_path: Path) -> None:
    # The wire tells the expulsion, then its next step. The paper's telling joins the wire's first; the wire's next
    # step does not chain in through the paper's (bot.stories.SAME_OUTLET).
    at = NOW - timedelta(hours=6)
    wire = [
        (
            "w-1",
            "https://wire.example.com/a",
            EXPULSION,
            "The foreign ministry declared the pair persona non grata on Tuesday.",
            at,
        ),
        (
            "w-2",
            "https://wire.example.com/b",
            ANSWER,
            "A spokesman said Washington would answer the order; the pair prepared to leave within a week.",
            at + timedelta(hours=3),
        ),
    ]
    assert sorted(_polled_stories(loopback, tmp_path, wire, _expulsion_told_by_the_paper(at))) == [
        (["p-1", "w-1"], ["us-russia"]),
        (["w-2"], ["us-russia"]),
    ]


def test_an_aggregators_items_are_their_outlets(loopback: LoopbackServer, tmp_path: Path) -> None:
    # One aggregator's feed (Google News: "<title> - <outlet>", the summary the title again and the outlet) carries the
    # expulsion and the answer, told by two outlets. They are two outlets' tellings, not one outlet's two: the answer
    # joins through the paper's telling (bot.clustering.outlet_key), though it shares few words with the expulsion.
    at = NOW - timedelta(hours=6)
    told = [("g-1", EXPULSION, "Reuters", at), ("g-2", ANSWER, "AP News", at + timedelta(hours=3))]
    wire = [(g, f"https://news.example.com/{g}", f"{t} - {o}", f"{t}  {o}", when) for g, t, o, when in told]
    stories = _polled_stories(loopback, tmp_path, wire, _expulsion_told_by_the_paper(at))
    assert stories == [(["g-1", "g-2", "p-1"], ["us-russia"])]
