"""The `coverage-bot` command line, run as a user runs it (a subprocess of the installed entry point)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from commandline import clean_env, run_cli

pytestmark = pytest.mark.slow  # the installed command in subprocesses

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_13480b5b247e7fca.txt"


@pytest.fixture
def db_env(tmp_path, monkeypatch) -> dict:
    import os

    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return env


def test_summarize_seed_prints_summary_figures_and_quotes():
    out = run_cli("summarize", str(SEED))
    assert out.returncode == 0, out.stderr
    assert "Summary" in out.stdout
    assert "up to $500 billion" in out.stdout
    assert "Donald Trump" in out.stdout
    for junk in ("Leave a Reply", "All rights reserved", "Please Share"):
        assert junk not in out.stdout


def test_summarize_json_is_the_analysis():
    out = run_cli("summarize", "--json", "--sentences", "2", str(SEED))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert len(data["summary"]["sentences"]) == 2
    assert {"surface", "kind", "value", "unit", "key", "sentence"} <= set(data["figures"][0])
    assert any(q["speaker"] == "Donald Trump" for q in data["quotes"])


def test_summarize_jsonl_one_line_out_per_line_in_and_bad_lines_are_errors():
    text = SEED.read_text(encoding="utf-8")
    lines = [
        json.dumps({"id": "a", "text": text}),
        "not json",
        json.dumps({"id": "b", "text": 42}),
        json.dumps({"id": "c", "text": ""}),
        json.dumps(["a list"]),
    ]
    out = run_cli("summarize", "--jsonl", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", None, "b", "c", None]
    assert len(rows[0]["summary"]) == 3 and rows[0]["figures"] and rows[0]["quotes"]
    assert set(rows[0]["quotes"][0]) >= {"text", "speaker", "cue", "sentence"}
    assert "error" in rows[1] and "error" in rows[2] and "error" in rows[4]
    assert rows[3]["summary"] == [] and rows[3].get("reason")


def test_summarize_jsonl_half_an_emoji_does_not_end_the_batch():
    """A lone surrogate escape ("\\ud83d", an emoji cut in half: valid JSON) in a line's text or id ended the batch with
    "unexpected error: UnicodeEncodeError ... surrogates not allowed": the lines after it were never read."""
    lines = [
        json.dumps({"id": "1", "text": "Officials said exports rose 5% on Monday in Beijing."}),
        json.dumps({"id": "2\ud83d", "text": "Shares jumped 20% after the deal \ud83d, traders said on Monday."}),
        json.dumps({"id": "3", "text": 'Imports fell 3% on Monday, "a blow\ud83d," Li Wei said.'}),
    ]
    out = run_cli("summarize", "--jsonl", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["1", "2\ud83d", "3"]  # the id as given, written as the JSON escape it came in
    assert rows[1]["summary"] == ["Shares jumped 20% after the deal , traders said on Monday."]
    assert rows[2]["quotes"][0]["speaker"] == "Li Wei" and rows[2]["quotes"][0]["text"] == "a blow\ud83d,"


def test_summarize_jsonl_errors_name_their_input_line_and_a_bom_is_read_past():
    """Errors said nothing of where they were ("invalid JSON: ... at at column 29", id null, and blank lines shifted the
    output), and a file a Windows editor saved as "UTF-8" lost its first record to the BOM."""
    lines = [
        "\ufeff" + json.dumps({"id": "a", "text": "Exports rose 12% to $3bn, the ministry said on Monday."}),
        "",
        "   ",
        '{"id":"b","text":"Trade grew',
        json.dumps({"id": "c", "text": 42}),
        '{"id": "d", "text": "bad \\escape"}',
        '{"id":"e","text":"Trade grew',  # the last line, with no line break after it
    ]
    out = run_cli("summarize", "--jsonl", stdin="\n".join(lines))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert rows[0]["id"] == "a" and rows[0]["summary"] and "error" not in rows[0]
    assert [r.get("error") for r in rows[1:]] == [
        "line 4: invalid JSON: Invalid control character at column 29",
        "line 5: 'text' must be a string",
        "line 6: invalid JSON: Invalid \\escape at column 26",
        "line 7: invalid JSON: Unterminated string starting at column 18",
    ]


def _saved_page(charset: str = "utf-8") -> str:
    """The first seed article as a site serves it: navigation, a cookie notice and a footer around the article."""
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n\n")[2:8] if len(p) > 80]
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="{charset}">'
        "<title>Trump’s push for a rare-earths deal with Russia | Weekly Blitz</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></nav>'
        '<div class="cookies"><p>We use cookies to improve our service for you. You can find more information in our'
        " data protection declaration, which explains how we store your data.</p></div>"
        "<article><h1>Trump’s push for a rare-earths deal with Russia</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article><footer><p>© 2025 Weekly Blitz. All rights reserved.</p></footer></body></html>"
    )


def test_summarize_a_saved_web_page_reads_its_article_as_a_fetched_page_does(tmp_path):
    from loopback import LoopbackServer, Response

    page = _saved_page()
    saved = tmp_path / "article.html"
    saved.write_text(page, encoding="utf-8")
    out = run_cli("summarize", str(saved))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Trump’s push for a rare-earths deal with Russia")
    assert "Summary" in out.stdout and "up to $500 billion" in out.stdout
    for junk in ("cookies", "data protection", "All rights reserved", "Home", "<p>", "DOCTYPE"):
        assert junk not in out.stdout

    # the same page fetched by URL gives the same summary, figures and quotes (the title line names the URL)
    headers = {"Content-Type": "text/html; charset=utf-8"}
    with LoopbackServer({"/article": Response(200, headers, page.encode())}) as server:
        fetched = run_cli("summarize", server.url("/article"), env=clean_env(ALLOW_PRIVATE_URLS="1"))
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout.split("\n", 1)[1] == out.stdout.split("\n", 1)[1]

    # from standard input, and in the charset its <meta> names (a cp1251 page is no longer "not UTF-8 text")
    piped = run_cli("summarize", "-", stdin=page.encode(), text=False)
    assert piped.returncode == 0 and piped.stdout.decode() == out.stdout
    cp1251 = tmp_path / "saved"
    cp1251.write_bytes(_saved_page("windows-1251").replace("’", "'").encode("cp1251"))
    other = run_cli("summarize", str(cp1251))
    assert other.returncode == 0, other.stderr
    assert "up to $500 billion" in other.stdout and "cookies" not in other.stdout


def test_summarize_a_web_page_without_an_article_says_so(tmp_path):
    wall = tmp_path / "wall.html"
    wall.write_text("<!doctype html><html><body><p>Please accept cookies to continue.</p></body></html>")
    out = run_cli("summarize", str(wall))
    assert out.returncode == 2
    assert "no article text" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("summarize", "/no/such/file.txt"), "no such file"),
        (("summarize", "ftp://example.com/x"), "only http"),
        (("summarize", "--method", "nope", str(SEED)), "unknown method"),
        (("check-config", "--config", "/no/such.yaml"), "no such file"),
        (("poll", "--config", "/no/such.yaml"), "no such file"),
    ],
)
def test_user_errors_are_one_line_messages_not_tracebacks(args, message):
    out = run_cli(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_summarize_refuses_a_loopback_url():
    out = run_cli("summarize", "http://127.0.0.1:9/article")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and out.stderr.strip()


def test_check_config_on_the_shipped_feeds_yaml():
    out = run_cli("check-config")
    assert out.returncode == 0, out.stderr
    assert "feeds.yaml: OK" in out.stdout
    lines = {line.split(":")[0].strip().split(" ")[0]: line for line in out.stdout.splitlines()}
    assert "title required" in lines["us-russia"] and "title required" not in lines["rare-earths"]


def test_check_config_names_file_key_and_fix(tmp_path):
    bad = tmp_path / "feeds.yaml"
    bad.write_text("topics:\n  x:\n    rules:\n      - any: [foo]\nfeeds:\n  - name: A\n    url: ftp://a.example/rss\n")
    out = run_cli("check-config", "--config", str(bad))
    assert out.returncode == 2
    assert str(bad) in out.stderr and "feeds[0].url" in out.stderr


def test_explain_says_which_rule_keeps_a_headline_and_what_drops_another():
    out = run_cli("explain", "US sanctions Russian banks")
    assert out.returncode == 0, out.stderr
    assert "us-russia: kept, score 3 (needs 2)" in out.stdout
    assert 'fired: "a US actor and a Russian actor' in out.stdout and "[US, sanctions, Russian]" in out.stdout
    out = run_cli("explain", "North Korean troops in Ukraine 'fair game', US warns Russia")
    assert out.returncode == 0, out.stderr
    assert "us-russia: not kept" in out.stdout and "another party leads the sentence (North Korean)" in out.stdout
    out = run_cli("explain", "--json", "Exxon bets on lithium", "The oil major plans a plant in Arkansas.")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    (minerals,) = [t for t in data["topics"] if t["topic"] == "rare-earths"]
    (verdict,) = minerals["verdicts"]
    assert minerals["kept"] is False and verdict["outcome"] == "near miss" and verdict["terms"] == ["lithium"]
    assert "export*" in verdict["missing"]  # the business words the rule also needs, as feeds.yaml writes them


def test_explain_reads_a_title_without_the_feeds_name_as_the_poll_does():
    """--feed names the feed: its name ending a title is the outlet's, not news (here not "Washington", a US actor)."""
    title = "Russia detains reporter - Washington Wire"
    assert "us-russia: kept" in run_cli("explain", title).stdout  # a suffix that names no known outlet stays
    out = run_cli("explain", "--feed", "Washington Wire", title)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "(the title is read without its outlet's name: Russia detains reporter)"
    assert "us-russia: not kept, score 0" in out.stdout


def test_explain_without_a_title_or_with_a_broken_config_is_a_message(tmp_path):
    out = run_cli("explain", "  ")
    assert out.returncode == 2 and "give the item's title" in out.stderr and "Traceback" not in out.stderr
    bad = tmp_path / "feeds.yaml"
    bad.write_text("topics: {}\n")
    out = run_cli("explain", "--config", str(bad), "US sanctions Russian banks")
    assert out.returncode == 2 and str(bad) in out.stderr and "at least one topic" in out.stderr


def test_subscribe_and_unsubscribe_from_the_shell(db_env):
    out = run_cli("subscribe", "-1001234", "rare-earths", "--daily", "7:05", "--timezone", "Europe/Moscow", env=db_env)
    assert out.returncode == 0, out.stderr
    assert "07:05" in out.stdout and "Europe/Moscow" in out.stdout
    out = run_cli("subscribe", "-1001234", "no-such-topic", env=db_env)
    assert out.returncode == 2 and "unknown topic" in out.stderr
    out = run_cli("subscribe", "-1001234", "--daily", "25:00", env=db_env)
    assert out.returncode == 2 and "HH:MM" in out.stderr
    out = run_cli("unsubscribe", "-1001234", env=db_env)
    assert out.returncode == 0 and "unsubscribed" in out.stdout
    out = run_cli("unsubscribe", "-1001234", env=db_env)
    assert out.returncode == 2 and "chat -1001234 has no subscription" in out.stderr


def test_unsubscribe_all_as_telegram_takes_it_and_a_topic_named_twice_once(db_env):
    """`unsubscribe CHAT all` was refused ("does not follow 'all'") though Telegram's /unsubscribe all works, and
    `unsubscribe 5 a b a` answered "unsubscribed from a, b, a"."""
    assert run_cli("subscribe", "5", env=db_env).returncode == 0
    out = run_cli("unsubscribe", "5", "us-russia", "rare-earths", "us-russia", env=db_env)
    assert (out.returncode, out.stdout) == (0, "chat 5: unsubscribed from us-russia, rare-earths\n"), out.stderr
    assert run_cli("subscribe", "5", env=db_env).returncode == 0
    out = run_cli("unsubscribe", "5", "All", env=db_env)
    assert (out.returncode, out.stdout) == (0, "chat 5: unsubscribed from rare-earths, us-russia\n"), out.stderr
    out = run_cli("unsubscribe", "5", "all", env=db_env)
    assert out.returncode == 2 and "chat 5 has no subscription" in out.stderr


def test_stories_times_say_their_zone(db_env):
    """`feeds` says "(UTC)" over its times; `stories` printed "2026-12-07 14:11" with no zone."""
    import asyncio
    from datetime import UTC, datetime

    from botapi import StorySeeder

    from bot.store import Store

    when = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)

    async def seed() -> None:
        store = await Store.open(db_env["DATABASE_URL"])
        try:
            await StorySeeder(store).story("Rare earth quotas cut", when=when)
        finally:
            await store.close()

    asyncio.run(seed())
    out = run_cli("stories", "--since", "100y", env=db_env)
    assert out.returncode == 0, out.stderr
    assert "· 2026-01-02 03:04 UTC\n" in out.stdout, out.stdout


def test_stories_lists_every_story_of_the_window_not_the_newest_500(db_env):
    """`stories --since 30d [--json]` stopped at 500 stories, silently (qa16 F3): every one is listed now, read a page
    at a time (stories first seen at one time are split between pages), --json printing the same array as before."""
    import asyncio
    from datetime import UTC, datetime, timedelta

    from bot.models import StoryFingerprints
    from bot.store import Store

    now = datetime.now(UTC)

    async def seed() -> None:
        store = await Store.open(db_env["DATABASE_URL"])
        try:
            async with store.feed_transaction() as tx:
                for n in range(520):  # three at each minute
                    when = now - timedelta(minutes=n // 3)
                    await tx.create_story(f"Quota {n}", None, ["rare-earths"], {}, StoryFingerprints(), when, True)
        finally:
            await store.close()

    asyncio.run(seed())
    out = run_cli("stories", "--since", "30d", "--json", env=db_env)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    listed = json.loads(out.stdout)
    assert sorted(s["id"] for s in listed) == list(range(1, 521))
    assert [s["id"] for s in listed] == sorted((s["id"] for s in listed), key=lambda i: ((i - 1) // 3, -i))
    assert out.stdout == json.dumps(listed, ensure_ascii=False, indent=2) + "\n"
    text = run_cli("stories", "--since", "30d", "--topic", "rare-earths", env=db_env).stdout
    assert [line.split()[0] for line in text.splitlines() if line.startswith("#")] == [f"#{s['id']}" for s in listed]


def test_subscribe_again_keeps_the_mode_and_time_not_given(db_env):
    """As /subscribe in a chat does: adding a topic reset a 21:30 digest (or alerts) to daily at 08:00."""
    db_env = {**db_env, "DEFAULT_TIMEZONE": "UTC"}
    assert run_cli("subscribe", "6", "us-russia", "--daily", "21:30", env=db_env).returncode == 0
    out = run_cli("subscribe", "6", "us-russia", env=db_env)
    assert out.stdout == "chat 6: us-russia — daily digest at 21:30 (UTC)\n", out.stderr
    assert "alerts as stories are found" in run_cli("subscribe", "6", "--alerts", env=db_env).stdout
    out = run_cli("subscribe", "6", "rare-earths", env=db_env)
    assert out.stdout == "chat 6: us-russia, rare-earths — alerts as stories are found (UTC)\n", out.stderr
    out = run_cli("subscribe", "6", "--daily", "7:05", env=db_env)
    assert out.stdout == "chat 6: us-russia, rare-earths — daily digest at 07:05 (UTC)\n", out.stderr


def test_a_topic_renamed_in_feeds_yaml_is_named_with_its_subscribers_and_the_fix(db_env, tmp_path):
    """us-russia renamed usa-russia (qa2 topic_rename_orphans.sh): check-config said OK and poll said nothing while
    the chat following us-russia got nothing more. check-config and poll name the topic, how many follow it and the
    fix; the subscription is kept; `unsubscribe CHAT us-russia` drops it, after which nothing is said."""
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "topics:\n  us-russia: {rules: [{any: [Kremlin]}]}\n  rare-earths: {rules: [{any: [rare earth]}]}\n"
        "feeds: [{name: A, url: 'https://a.example/rss', enabled: false}]\n"  # (poll fetches nothing)
    )
    config = ["--config", str(feeds)]
    assert run_cli("subscribe", "777", "us-russia", "--alerts", *config, env=db_env).returncode == 0
    assert run_cli("subscribe", "-100200", "us-russia", "rare-earths", *config, env=db_env).returncode == 0
    assert "subscription" not in run_cli("check-config", *config, env=db_env).stdout
    feeds.write_text(feeds.read_text().replace("us-russia:", "usa-russia:"))
    warning = (
        f"topic 'us-russia' is not in {feeds}, but 2 subscriptions follow it (chat ids: -100200, 777), getting "
        f"nothing on it: rename the topic back in {feeds}, or drop it with `coverage-bot unsubscribe CHAT us-russia`"
    )
    out = run_cli("check-config", *config, env=db_env)
    assert out.returncode == 0 and f"\nwarning: {warning}\n" in out.stdout, out.stdout
    out = run_cli("poll", "--once", *config, env=db_env)
    assert out.stderr.count(warning) == 1, out.stderr  # logged once, as the cycle starts
    out = run_cli("unsubscribe", "777", "us-russia", env=db_env)
    assert out.returncode == 0 and out.stdout == "chat 777: unsubscribed from us-russia\n", out.stderr
    out = run_cli("unsubscribe", "-100200", "us-russia", env=db_env)
    assert out.stdout == "chat -100200: unsubscribed from us-russia; still follows rare-earths\n", out.stderr
    assert "subscription" not in run_cli("check-config", *config, env=db_env).stdout
    # with no database there, check-config makes none
    missing = tmp_path / "none" / "x.db"
    out = run_cli("check-config", *config, env={**db_env, "DATABASE_URL": f"sqlite:///{missing}"})
    assert out.returncode == 0 and "subscription" not in out.stdout and not missing.parent.exists()


def test_run_without_token_explains_botfather(db_env):
    out = run_cli("run", env=db_env)
    assert out.returncode == 2
    assert "BotFather" in out.stderr and "coverage-bot demo" in out.stderr


def test_stories_feeds_and_healthcheck_on_an_empty_store(db_env):
    import asyncio

    from bot.store import Store

    async def create() -> None:
        await (await Store.open(db_env["DATABASE_URL"])).close()

    asyncio.run(create())
    assert "no stories" in run_cli("stories", env=db_env).stdout
    assert json.loads(run_cli("stories", "--json", env=db_env).stdout) == []
    assert "no feeds yet" in run_cli("feeds", env=db_env).stdout
    assert run_cli("healthcheck", env=db_env).returncode == 1


async def test_healthcheck_follows_the_feeds_intervals(tmp_path: Path) -> None:
    """The Docker HEALTHCHECK said a bot whose feeds poll every 3 hours was unhealthy 2 hours after a poll (a fixed
    120 minutes since the last one), cycles with nothing due included. It now asks whether a feed is overdue."""
    import sqlite3

    from loopback import LoopbackServer, Response

    from bot.app import poll_command
    from bot.netpolicy import PrivateNetworks
    from bot.settings import Settings, parse_config

    db = tmp_path / "bot.db"
    env = clean_env(DATABASE_URL=f"sqlite+aiosqlite:///{db}")

    def hours_pass(minutes: int) -> None:  # the store's clock moved back instead of waiting
        with sqlite3.connect(db) as conn:
            for column in ("last_attempt_at", "last_success_at", "next_poll_at"):
                conn.execute(f"UPDATE feeds SET {column} = datetime({column}, '-{minutes} minutes')")

    def healthcheck(*args: str) -> tuple[int, str]:
        out = run_cli("healthcheck", *args, env=env)
        return out.returncode, out.stdout + out.stderr

    with LoopbackServer() as server:
        server.route("/feed", Response(200, {"Content-Type": "application/rss+xml"}, _EMPTY_RSS))
        config = parse_config(
            {
                "topics": {"t": {"rules": [{"any": ["rare earth"]}]}},
                "feeds": [{"name": "Slow", "url": server.url("/feed"), "interval": "3h"}],
            }
        )
        settings = Settings(database_url=f"sqlite+aiosqlite:///{db}", allow_private_urls=PrivateNetworks.parse("true"))
        await poll_command(config, settings)
        hours_pass(150)
        await poll_command(config, settings)  # a cycle with nothing due
    assert healthcheck()[0] == 0  # 150 minutes since the poll; the feed is due in 30
    hours_pass(180)  # no poll for 5.5 hours: the feed is 150 minutes overdue
    code, said = healthcheck()
    assert code == 1 and "150 minutes overdue" in said, said
    assert healthcheck("--max-age", "200")[0] == 0  # the bar, given


async def test_healthcheck_reads_the_feeds_table_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """healthcheck read Store.status to print the last poll and the healthy feeds: every feed's items grouped and
    counted, and items, stories and deliveries counted (qa16 F5: a GROUP BY over 675k items every Docker check)."""
    import re
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa
    from databases import query
    from sqlalchemy import event

    from bot.app import healthcheck_command
    from bot.models import FeedFailure, FeedSpec, FeedSuccess
    from bot.settings import Settings
    from bot.store import Store

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    store = await Store.open(url)
    now = datetime.now(UTC)
    try:
        await store.sync_feeds([FeedSpec(name, f"https://{name}.example/rss") for name in ("a", "b", "c")])
        ids = dict(await query(store, "SELECT name, id FROM feeds"))
        async with store.feed_transaction() as tx:
            ok = FeedSuccess(status=200, etag=None, last_modified=None, next_poll_at=now + timedelta(minutes=15))
            failed = FeedFailure(500, "HTTP 500", failures=1, backoff=900.0, next_poll_at=now + timedelta(minutes=15))
            await tx.record_outcomes([(ids["a"], ok), (ids["b"], ok), (ids["c"], failed)], now)
    finally:
        await store.close()
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(sa.engine.Engine, "before_cursor_execute", seen)
    try:
        code = await healthcheck_command(Settings(database_url=url), 60)
    finally:
        event.remove(sa.engine.Engine, "before_cursor_execute", seen)
    said = capsys.readouterr().out
    assert code == 0 and said.startswith("healthy: last poll ") and said.endswith(", 2/3 feeds healthy\n"), said
    assert any(re.search(r"\bFROM feeds\b", s) for s in statements), statements
    assert [s for s in statements if re.search(r"\bFROM (items|stories|deliveries)\b", s)] == []


def test_feeds_shows_whole_names_and_the_problems_fix_hint(db_env):
    """Names were cut at 30 characters (not what --enable takes) and problems at 60, the fix hint lost, with no '…'."""
    import asyncio
    from types import SimpleNamespace

    from bot.store import Store, feeds_t

    long_name = "Ministry of Foreign Affairs of the Russian Federation – news"
    refused = (
        "refused: localhost resolves to non-public address 127.0.0.1"
        " (set ALLOW_PRIVATE_URLS to fetch from local addresses)"
    )

    async def prepare() -> None:
        store = await Store.open(db_env["DATABASE_URL"])
        try:
            feeds = [
                ("Local", "http://localhost/feed"),
                (long_name, "https://mid.example/rss"),
                ("Noisy", "https://n.example/"),
            ]
            await store.sync_feeds([SimpleNamespace(name=n, url=u, topics=(), interval=900) for n, u in feeds])
            async with store.engine.begin() as conn:
                await conn.execute(
                    feeds_t.update().where(feeds_t.c.name == "Local").values(failures=1, last_error=refused)
                )
                await conn.execute(
                    feeds_t.update()
                    .where(feeds_t.c.name == "Noisy")
                    .values(failures=1, last_error="not a feed: " + "x " * 500)
                )
        finally:
            await store.close()

    asyncio.run(prepare())
    out = run_cli("feeds", env=db_env)
    assert out.returncode == 0, out.stderr
    rows = {line.split("  ")[0]: line.rstrip() for line in out.stdout.splitlines()}
    assert long_name in rows
    assert rows["Local"].endswith(refused)
    problem = rows["Noisy"].split("  ")[-1].strip()  # a stored error may be 2,000 characters: cut, with "…"
    assert problem.startswith("not a feed: x x") and problem.endswith("x x…") and len(problem) <= 200


async def test_feeds_shows_where_failing_and_moved_feeds_are_polled_and_when_each_is_tried_next(tmp_path: Path) -> None:
    """`coverage-bot feeds` showed neither the URL polled nor the next try: a feed held back 6 h by a 429's Retry-After
    looked like any failure, a 404 behind a 301 came from an address nothing named, a moved feed showed its name."""
    from loopback import LoopbackServer, Response, redirect

    from bot.app import poll_command
    from bot.netpolicy import PrivateNetworks
    from bot.settings import Settings, parse_config

    db = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    rss = {"Content-Type": "application/rss+xml"}
    with LoopbackServer() as server:
        url = server.url
        server.route("/busy", Response(429, {"Retry-After": "21600"}, b""))
        server.route("/business", redirect(url("/gone"), 301))  # nothing at /gone: 404
        server.route("/old", redirect(url("/new"), 301))
        server.route("/new", Response(200, rss, _EMPTY_RSS))
        server.route("/wire", Response(200, rss, _EMPTY_RSS))
        names = {"Sport": "/busy", "Business": "/business", "Moved": "/old", "Wire": "/wire"}
        config = parse_config(
            {
                "topics": {"t": {"rules": [{"any": ["rare earth"]}]}},
                "feeds": [{"name": n, "url": url(path), "interval": "15m"} for n, path in names.items()],
            }
        )
        await poll_command(config, Settings(database_url=db, allow_private_urls=PrivateNetworks.parse("true")))
    out = run_cli("feeds", env=clean_env(DATABASE_URL=db))
    assert out.returncode == 0, out.stderr
    lines = [line.rstrip() for line in out.stdout.splitlines()]
    assert "next try" in lines[0]
    row = {line.split("  ")[0]: n for n, line in enumerate(lines) if line.split("  ")[0] in names}

    def shown(name: str) -> tuple[str, str]:  # a feed's row, and the line under it
        return lines[row[name]], lines[row[name] + 1]

    sport, under = shown("Sport")
    assert " in 6 h " in sport and sport.endswith("HTTP 429 (retry after 21600 s)")
    assert under == f"  polled at {url('/busy')}"
    business, under = shown("Business")
    assert " in 15 min " in business and business.endswith(f"HTTP 404 (from {url('/gone')})")
    assert under == f"  polled at {url('/business')}"
    moved, under = shown("Moved")
    assert moved.endswith("moved permanently: put its new URL in feeds.yaml")
    assert under == f"  polled at {url('/new')}, where a permanent redirect moved it from {url('/old')} (in feeds.yaml)"
    wire, under = shown("Wire")
    assert " in 15 min" in wire and "polled at" not in under  # a healthy feed: its row alone


def test_each_feed_failure_is_one_warning(tmp_path: Path) -> None:
    """Each failing feed logged two WARNINGs a poll (bot.fetch's or bot.feeds', then bot.feed_health's): a cron
    `poll --once` mailed both, every run. One line, with the feed's name, URL and error."""
    from loopback import LoopbackServer, Response

    with LoopbackServer() as server:
        server.route("/500", Response(500, {}, b"oops"))
        server.route(
            "/html", Response(200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><html><body>Home</body></html>")
        )
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(
            "topics:\n  t:\n    rules:\n      - any: [x]\nfeeds:\n"
            f"  - name: A\n    url: {server.url('/500')}\n  - name: B\n    url: {server.url('/html')}\n"
        )
        env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", ALLOW_PRIVATE_URLS="true")
        env.pop("LOG_LEVEL", None)
        out = run_cli("poll", "--once", "--config", str(feeds), env=env)
    assert out.returncode == 0, out.stderr
    warnings = [line for line in out.stderr.splitlines() if "WARNING" in line]
    assert len(warnings) == 2, warnings
    (a,) = [w for w in warnings if f"feed A ({server.url('/500')}) failed" in w]  # the feeds are polled at once
    (b,) = [w for w in warnings if f"feed B ({server.url('/html')}) failed" in w]
    assert a.endswith("HTTP 500") and b.endswith("not a feed: the server sent an HTML page")


def test_demo_runs_the_real_pipeline_offline():
    out = run_cli("demo", timeout=300)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "poll cycle: 2 feeds fetched, 2 new items, 2 on topic" in text
    assert "Coverage digest" in text
    # the story's first telling is the earlier published seed (004, five hours old): its figures lead (the later seed's
    # "up to $500 billion" led while members were read in the order the feed listed them)
    first_figure = next(line for line in text.splitlines() if line.startswith("• "))
    assert first_figure.startswith("• over 20% — ")
    assert "Donald Trump" in text
    for cmd in ("/summary", "/quotes", "/figures"):
        assert f"coverage-bot> {cmd}" in text
    for junk in ("Leave a Reply", "All rights reserved", "cookies", "Related stories"):
        assert junk not in text


# ---------------------------------------------------------------- operations: retention, LOG_LEVEL, INSTANCE_ID

_EMPTY_RSS = b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title></channel></rss>"


def _one_feed(url: str) -> object:
    from bot.settings import parse_config

    return parse_config(
        {
            "topics": {"t": {"rules": [{"any": ["rare earth"]}]}},
            "feeds": [{"name": "Blog", "url": url}],
            "poll": {"retention_days": 30},
        }
    )


async def test_poll_once_prunes_as_every_cycle_of_run_does(tmp_path: Path) -> None:
    """`poll --once`, the cron path, prunes what retention_days no longer keeps (a cron deployment grew without end)."""
    import sqlite3
    from datetime import UTC, datetime, timedelta

    from loopback import LoopbackServer, Response

    from bot.app import poll_command
    from bot.netpolicy import PrivateNetworks
    from bot.settings import Settings

    db = tmp_path / "bot.db"
    with LoopbackServer() as server:
        server.route("/feed", Response(200, {"Content-Type": "application/rss+xml"}, _EMPTY_RSS))
        config = _one_feed(server.url("/feed"))
        settings = Settings(database_url=f"sqlite+aiosqlite:///{db}", allow_private_urls=PrivateNetworks.parse("true"))
        await poll_command(config, settings)  # the feed's row
        old = (datetime.now(UTC) - timedelta(days=200)).replace(tzinfo=None).isoformat(sep=" ")
        with sqlite3.connect(db) as conn:
            (feed_id,) = conn.execute("SELECT id FROM feeds").fetchone()
            conn.executemany(
                "INSERT INTO items (feed_id, identity, link, title, seen_at, state, topics, terms, relevance, alertable)"
                " VALUES (?, ?, ?, ?, ?, 'done', '[]', '{}', 0, 0)",
                [(feed_id, f"old-{k}", f"https://old.example/{k}", "Old", old) for k in range(20)],
            )
        await poll_command(config, settings)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (0,)


async def test_instance_id_names_this_process_in_its_leases(tmp_path: Path) -> None:
    import asyncio
    import sqlite3

    from loopback import LoopbackServer, Response

    from bot.app import poll_command
    from bot.netpolicy import PrivateNetworks
    from bot.settings import Settings

    db = tmp_path / "bot.db"
    owners: list[str] = []
    with LoopbackServer() as server:
        server.route("/feed", Response(200, {"Content-Type": "application/rss+xml"}, _EMPTY_RSS, delay=1.0))
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{db}",
            allow_private_urls=PrivateNetworks.parse("true"),
            instance_id="worker-7",
        )
        task = asyncio.create_task(poll_command(_one_feed(server.url("/feed")), settings))
        while not task.done():  # the lease is held while the slow feed answers
            await asyncio.sleep(0.05)
            if db.exists():
                try:
                    with sqlite3.connect(db) as conn:
                        owners += [o for (o,) in conn.execute("SELECT lease_owner FROM feeds") if o]
                except sqlite3.OperationalError:
                    pass
        await task
    assert owners and all(o.startswith("worker-7:") for o in owners), owners


def test_log_level_is_applied(tmp_path: Path) -> None:
    """LOG_LEVEL sets what the commands log: CRITICAL hides the warning a refused feed logs, the default shows it."""
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "topics:\n  t:\n    rules:\n      - any: [x]\nfeeds:\n  - name: a\n    url: http://127.0.0.1:1/f\n"
    )
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    env.pop("LOG_LEVEL", None)
    default = run_cli("poll", "--once", "--config", str(feeds), env=env)
    quiet = run_cli("poll", "--once", "--config", str(feeds), env={**env, "LOG_LEVEL": "CRITICAL"})
    assert "WARNING" in default.stderr and "WARNING" not in quiet.stderr, (default.stderr, quiet.stderr)


def test_log_level_info_is_not_alembics_chatter(tmp_path: Path) -> None:
    """A newcomer's reading: LOG_LEVEL=INFO "adds a line per poll cycle", but a fresh database printed about 15 of
    Alembic's INFO lines (its plugins, every migration's docstring) first."""
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", LOG_LEVEL="INFO")
    out = run_cli("subscribe", "777", "us-russia", env=env)
    assert out.returncode == 0, out.stderr
    assert "alembic" not in out.stderr


def test_poll_worker_stops_on_sigterm_mid_cycle(tmp_path: Path) -> None:
    """`poll` (the scale path's worker) cancels its cycle on SIGTERM, as `run` does, and releases its feeds: it waited
    for the cycle to end (up to the request timeout or the cycle's deadline), past docker's grace period. What the
    cancelled cycle stored is not lost."""
    import signal
    import sqlite3
    import time

    from commandline import start_cli
    from loopback import LoopbackServer, Response, stall

    db = tmp_path / "bot.db"
    env = clean_env(DATABASE_URL=f"sqlite:///{db}", ALLOW_PRIVATE_URLS="true")
    item = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title><item><guid>g1</guid>"
        b"<link>https://example.com/lithium</link><title>Lithium prices jump as mines cut output</title>"
        b"<description>Lithium producers cut output again.</description></item></channel></rss>"
    )

    config = tmp_path / "feeds.yaml"
    with LoopbackServer() as server:
        server.route("/slow", stall())
        server.route("/fast", Response(200, {"Content-Type": "application/rss+xml"}, item))
        config.write_text(
            "topics:\n  t:\n    rules:\n      - any: [lithium]\n"
            f"feeds:\n  - name: Fast\n    url: {server.url('/fast')}\n  - name: Slow\n    url: {server.url('/slow')}\n"
            "poll:\n  timeout_seconds: 120\n  deadline_seconds: 300\n  fetch_full_text: false\n"
        )
        proc = start_cli("poll", "--config", str(config), env=env)
        try:
            began = time.monotonic()
            while not (db.exists() and _stored_items(db)) or not any(r.route == "/slow" for r in server.requests):
                assert proc.poll() is None, proc.communicate()  # the cycle is waiting on the stalled feed
                assert time.monotonic() - began < 60, "the worker never stored the fast feed's item"
                time.sleep(0.05)
            with sqlite3.connect(db) as conn:
                assert conn.execute("SELECT lease_owner FROM feeds WHERE name = 'Slow'").fetchone()[0]  # still held
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=20) == 0, proc.communicate()  # the request timeout is 120 s
        finally:
            if proc.poll() is None:
                proc.kill()
            _, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, err
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL").fetchone() == (0,)
    # what the cycle had stored is clustered before it stops (the cancel reaches it waiting on the stalled feed)
    assert _stored_items(db) == [("Lithium prices jump as mines cut output", True)]


def _stored_items(db: Path) -> list[tuple[str, bool]]:
    """(title, has a story) of every stored item; [] while the schema is not there yet."""
    import sqlite3

    try:
        with sqlite3.connect(db) as conn:
            return [(t, s is not None) for t, s in conn.execute("SELECT title, story_id FROM items")]
    except sqlite3.OperationalError:
        return []


def test_an_idle_poll_worker_prints_nothing(tmp_path: Path) -> None:
    """A `poll` worker beside one holding every due feed printed "poll: 0 fetched, ..." at each wake-up; a cycle with
    nothing due is a DEBUG line now, and the worker's stdout stays for cycles that polled something."""
    import asyncio
    import signal
    import subprocess
    import sys
    import time
    from datetime import UTC, datetime

    from commandline import ROOT

    from bot.settings import load_config
    from bot.store import Store

    db = tmp_path / "bot.db"
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "topics:\n  t:\n    rules:\n      - any: [x]\nfeeds:\n  - name: a\n    url: http://127.0.0.1:1/f\n"
    )

    async def held_by_another_worker() -> None:
        store = await Store.open(f"sqlite+aiosqlite:///{db}")
        try:
            await store.sync_feeds(load_config(feeds).feeds)
            assert len(await store.lease_due_feeds("another-worker", datetime.now(UTC), 600)) == 1
        finally:
            await store.close()

    asyncio.run(held_by_another_worker())
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    env = clean_env(DATABASE_URL=f"sqlite:///{db}", LOG_LEVEL="DEBUG")
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "poll", "--config", str(feeds)],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
            text=True,
        )
        try:
            began = time.monotonic()
            while "poll:" not in out.read_text() + err.read_text():  # the first cycle's line, wherever it goes
                assert proc.poll() is None and time.monotonic() - began < 60, err.read_text()[-2000:]
                time.sleep(0.1)
            time.sleep(1.5)  # the worker woke every second
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0, err.read_text()[-2000:]
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert "poll:" not in out.read_text(), out.read_text()
    assert "DEBUG bot.app: poll: no feed due that another worker does not hold" in err.read_text()
