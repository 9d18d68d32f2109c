"""A story's merged analysis: figures and quotes merged across outlets, the typed JSON round trip."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.models import ArticleAnalysis, MemberArticle, Source, StoryAnalysis, StoryFigure, StoryQuote
from bot.story_analysis import _first_article_summary, article_facts, story_analysis
from summarizer import analyze

SEED = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))[0]  # its title, then its text


def figs(rows: list[dict[str, Any]]) -> list[StoryFigure]:
    return [StoryFigure.from_json({"sentence": "", **r}) for r in rows]


def quotes(rows: list[dict[str, Any]]) -> list[StoryQuote]:
    return [StoryQuote.from_json({"sentence": "", **r}) for r in rows]


def test_a_story_merges_its_members_figures_and_quotes_across_outlets() -> None:
    """story_analysis: one speaker per person, one quote with both sources, disagreeing values side by side."""
    when = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    putin = "“We are ready to work with American partners,” Russian President Vladimir Putin said on Tuesday."
    a = ArticleAnalysis(
        summary=("A.",),
        figures=tuple(
            figs(
                [
                    {
                        "surface": "$500 billion",
                        "kind": "money",
                        "value": 5e11,
                        "unit": "USD",
                        "key": True,
                        "sentence": "The minerals deal is worth $500 billion, officials said.",
                    }
                ]
            )
        ),
        quotes=tuple(
            quotes(
                [
                    {
                        "text": "We are ready to work with American partners",
                        "speaker": "Vladimir Putin",
                        "sentence": putin,
                    }
                ]
            )
        ),
    )
    b = ArticleAnalysis(
        summary=("B.",),
        figures=tuple(
            figs(
                [
                    {
                        "surface": "$350 billion",
                        "kind": "money",
                        "value": 3.5e11,
                        "unit": "USD",
                        "key": True,
                        "sentence": "The minerals deal is worth $350 billion, a source said.",
                    }
                ]
            )
        ),
        quotes=tuple(
            quotes(
                [
                    {
                        "text": "We are ready to work with American partners",
                        "speaker": "Putin",
                        "sentence": "“We are ready to work with American partners,” Putin said.",
                    }
                ]
            )
        ),
    )
    members = [
        MemberArticle(1, "Reuters", "https://r.example/1", "Putin offers deal", when, putin, "page", a),
        MemberArticle(
            2, "TASS", "https://t.example/1", "Putin ready for deal", when, "Putin said he is ready.", "feed", b
        ),
    ]
    story = story_analysis(members)
    (quote,) = story.quotes
    assert quote.speaker == "Vladimir Putin" and {s.outlet for s in quote.sources} == {"Reuters", "TASS"}
    money = [f for f in story.figures if f.kind == "money"]
    assert {f.surface for f in money} == {"$500 billion", "$350 billion"}
    assert all(f.disagrees for f in money)  # marked: the outlets give different values
    assert story.summary and all(line.outlet in ("Reuters", "TASS") for line in story.summary)


def test_stored_analysis_round_trips_and_tolerates_older_shapes() -> None:
    figure = StoryFigure("$5", "money", 5.0, "USD", None, True, "It cost $5.", 1.0, "A", "a", (Source("A", "a"),))
    quote = StoryQuote("We will", "Jane Doe", "said", "“We will,” she said.", "she", "B", "b")
    story = StoryAnalysis(figures=(figure,), quotes=(quote,))
    assert StoryAnalysis.from_json(story.to_json()) == story
    item = ArticleAnalysis(summary=("One.",), figures=(figure,), quotes=(quote,))
    assert ArticleAnalysis.from_json(item.to_json()) == item
    # what older versions stored, and rubbish, never raise
    assert StoryAnalysis.from_json(None) == StoryAnalysis()
    assert ArticleAnalysis.from_json(None) is None
    odd = StoryAnalysis.from_json({"summary": ["not a dict", {"text": "Kept."}], "figures": [3], "quotes": None})
    assert [s.text for s in odd.summary] == ["Kept."] and odd.figures == () and odd.quotes == ()


def test_the_pollers_analysis_is_an_articles_figures_and_quotes_without_its_own_summary() -> None:
    """A story's summary is chosen across its members; each article's own would only be its fallback."""
    title, text = SEED.read_text(encoding="utf-8").split("\n", 1)
    full, facts = analyze(text, title), article_facts(text, title)
    assert full.summary.sentences and not facts.summary.sentences
    assert facts.summary.reason == "no summary asked for"
    assert facts.figures == full.figures and facts.quotes == full.quotes and facts.figures and facts.quotes


def test_a_story_without_a_summary_of_its_own_falls_back_to_its_first_articles() -> None:
    when = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    text = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    no_text = MemberArticle(1, "Wire", "https://w.example/1", "Headline only", when, None, None, ArticleAnalysis())
    with_text = MemberArticle(2, "Daily", "https://d.example/2", "Story", when, text, "page", ArticleAnalysis())
    lines = _first_article_summary([no_text, with_text])  # analysed by article_facts: nothing stored to fall back on
    assert lines and all(line.outlet == "Daily" and line.text in text for line in lines)
    stored = MemberArticle(3, "Old", None, "Story", when, text, "page", ArticleAnalysis(summary=("Stored one.",)))
    assert [line.text for line in _first_article_summary([stored, with_text])] == [
        "Stored one."
    ]  # items analysed before
