"""`coverage-bot summarize --stories-jsonl`, run as a user runs it (a subprocess of the entry point)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from commandline import run_cli

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]


def run(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return run_cli("summarize", *args, stdin=stdin)


def _story(sid: str) -> dict:
    return {
        "id": sid,
        "docs": [
            {
                "id": "a",
                "title": "One - Reuters",
                "text": SEEDS[0],
                "outlet": "Blitz",
                "published": "2026-03-01T09:00:00Z",
            },
            {"id": "b", "title": None, "text": SEEDS[1], "link": "https://example.org/b"},
        ],
    }


def test_one_line_out_per_story_and_bad_lines_are_errors() -> None:
    lines = [
        json.dumps(_story("s1")),
        "not json",
        json.dumps({"id": "s3", "docs": "x"}),
        json.dumps({"id": "s4", "docs": [{"id": "a", "text": 5}]}),
        json.dumps({"id": "s5", "docs": [{"id": "a", "text": "x", "published": "yesterday"}]}),
        json.dumps({"id": "s6", "docs": []}),
    ]
    out = run("--stories-jsonl", "--sentences", "2", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["s1", None, "s3", "s4", "s5", "s6"]
    first = rows[0]
    assert len(first["summary"]) == 2 and all(isinstance(s, str) for s in first["summary"])
    assert len(first["sources"]) == 2 and {s["doc"] for s in first["sources"]} <= {"a", "b"}
    for src in first["sources"]:
        assert src["outlet"] == "Blitz" if src["doc"] == "a" else src["link"] == "https://example.org/b"
    assert isinstance(first["figures"], list) and isinstance(first["quotes"], list)
    for f in first["figures"]:
        assert f["sources"] and f["surface"]
    assert "invalid JSON" in rows[1]["error"]
    assert "'docs'" in rows[2]["error"] and "docs[0].text" in rows[3]["error"] and "ISO 8601" in rows[4]["error"]
    assert rows[5]["summary"] == [] and rows[5]["reason"] == "no articles"


def test_half_an_emoji_does_not_end_the_batch_and_errors_name_their_line() -> None:
    """A lone surrogate escape ("\\ud83d": valid JSON) in a story's text ended the batch with a UnicodeEncodeError."""
    lines = [
        json.dumps(
            {"id": "s1\ud83d", "docs": [{"id": "a", "text": "Exports rose 12% on Monday \ud83d, officials said."}]}
        ),
        "not json",
        json.dumps({"id": "s3", "docs": [{"id": "a", "text": "Officials said exports rose 5% on Monday in Beijing."}]}),
    ]
    out = run("--stories-jsonl", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["s1\ud83d", None, "s3"]
    assert rows[0]["summary"] == ["Exports rose 12% on Monday , officials said."]
    assert rows[1]["error"] == "line 2: invalid JSON: Expecting value at column 1"
    assert rows[2]["summary"] == ["Officials said exports rose 5% on Monday in Beijing."]


def test_words_gives_whole_sentences_within_the_budget() -> None:
    out = run("--stories-jsonl", "--words", "50", stdin=json.dumps(_story("w")) + "\n")
    assert out.returncode == 0, out.stderr
    row = json.loads(out.stdout)
    assert row["summary"] and sum(len(s.split()) for s in row["summary"]) <= 50
    joined = SEEDS[0] + SEEDS[1]
    for s in row["summary"]:  # every sentence is a whole sentence of one of the articles
        assert s.split()[0] in joined and s.split()[-1] in joined and s.rstrip()[-1] in ".!?”\"'’)"


def test_words_below_every_sentence_gives_a_reason() -> None:
    out = run("--stories-jsonl", "--words", "5", stdin=json.dumps(_story("w")) + "\n")
    assert out.returncode == 0, out.stderr
    row = json.loads(out.stdout)
    assert row["summary"] == [] and row["reason"].startswith("no sentence fits in 5 words")


def test_words_and_sentences_together_is_a_usage_error() -> None:
    out = run("--stories-jsonl", "--words", "50", "--sentences", "2", stdin="")
    assert out.returncode == 2 and "not both" in out.stderr and "Traceback" not in out.stderr
    out = run("--stories-jsonl", "--words", "0", stdin="")
    assert out.returncode == 2 and "at least 1" in out.stderr


def test_a_story_is_told_as_subscribers_get_it() -> None:
    """The command re-implemented the bot's story analysis and drifted from it: "the Russian president" stayed the
    speaker here, where the bot names him from the other article ("Russian President Vladimir Putin")."""
    from bot.models import ArticleAnalysis, MemberArticle
    from bot.story_analysis import article_facts, story_analysis

    docs = [
        {
            "id": "a",
            "title": "Putin visits Minsk",
            "outlet": "Outlet A",
            "text": "Russian President Vladimir Putin arrived in Minsk on Tuesday for talks with Alexander Lukashenko. "
            "The two leaders discussed a gas deal worth $3 billion and the 2 million tonnes of grain shipped last year.",
        },
        {
            "id": "b",
            "title": "Putin in Minsk: talks with Lukashenko",
            "outlet": "Outlet B",
            "text": '"We will never give up our interests in the region," the Russian president said at a press '
            "conference in Minsk. Officials said about 40 agreements were prepared for the visit.",
        },
    ]
    out = run("--stories-jsonl", stdin=json.dumps({"id": "s1", "docs": docs}) + "\n")
    assert out.returncode == 0, out.stderr
    row = json.loads(out.stdout)
    assert [q["speaker"] for q in row["quotes"]] == ["Vladimir Putin"]
    # what the bot stores for the same story (the poller's per-article analysis, then story_analysis)
    members = [
        MemberArticle(
            k,
            d["outlet"],
            None,
            d["title"],
            None,
            d["text"],
            "page",
            ArticleAnalysis.of(article_facts(d["text"], d["title"]), d["outlet"], None),
        )
        for k, d in enumerate(docs)
    ]
    bot = story_analysis(members)
    assert row["summary"] == [s.text for s in bot.summary]
    assert [(q["speaker"], q["text"]) for q in row["quotes"]] == [(q.speaker, q.text) for q in bot.quotes]
    assert [f["surface"] for f in row["figures"]] == [f.surface for f in bot.figures if f.key]
    assert row["figures"] and row["summary"]
