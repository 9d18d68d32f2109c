"""A story's merged analysis: figures and quotes merged across outlets, the typed JSON round trip."""

from __future__ import annotations

from typing import Any

from bot.models import ArticleAnalysis, Source, StoryAnalysis, StoryFigure, StoryQuote
from bot.story_analysis import merge_figures, merge_quotes


def figs(rows: list[dict[str, Any]]) -> list[StoryFigure]:
    return [StoryFigure.from_json({"sentence": "", **r}) for r in rows]


def quotes(rows: list[dict[str, Any]]) -> list[StoryQuote]:
    return [StoryQuote.from_json({"sentence": "", **r}) for r in rows]


def test_merge_figures_dedups_and_ranks() -> None:
    reuters = [
        {"surface": "$500 million", "kind": "money", "value": 5e8, "unit": "USD", "key": True, "score": 2.0},
        {"surface": "2030", "kind": "date", "value": "2030", "unit": None, "key": False, "score": 0.1},
    ]
    bloomberg = [
        {"surface": "$0.5bn", "kind": "money", "value": 500_000_000, "unit": "usd", "key": False, "score": 1.0},
        {"surface": "12%", "kind": "percent", "value": 12.0, "unit": "percent", "key": False, "score": 3.0},
    ]
    ft = [{"surface": "12 per cent", "kind": "percent", "value": 12, "unit": "percent", "key": True, "score": 0.5}]
    merged = merge_figures(
        [
            ("Reuters", "https://r/1", figs(reuters)),
            ("Bloomberg", "https://b/1", figs(bloomberg)),
            ("FT", "https://f/1", figs(ft)),
        ]
    )
    # Key first; among key figures, more outlets first, then the higher score; incidental last.
    assert [m.surface for m in merged] == ["12%", "$500 million", "2030"]
    money = merged[1]
    assert money.sources == (Source("Reuters", "https://r/1"), Source("Bloomberg", "https://b/1"))
    assert money.outlet == "Reuters" and money.key is True and money.score == 2.0
    assert merged[0].key is True and len(merged[0].sources) == 2  # key if any outlet says so
    assert merged[2].sources == (Source("Reuters", "https://r/1"),) and merged[2].key is False


def test_merge_quotes_by_speaker_and_overlap() -> None:
    a = [
        {
            "text": "There's not much that happens in Russia that Putin's not behind",
            "speaker": "Joe Biden",
            "cue": "said",
        },
        {"text": "We will respond", "speaker": "Dmitry Peskov", "cue": "said"},
    ]
    b = [
        {"text": "not much that happens in Russia that Putin's not behind", "speaker": "Biden", "cue": "told"},
        {"text": "We will respond", "speaker": "Maria Zakharova", "cue": "said"},  # same words, other speaker
        {"text": "It was a tragedy", "speaker": None, "cue": None},
    ]
    c = [
        {
            "text": "There's not much that happens in Russia that Putin's not behind, but I don't know enough",
            "speaker": "Joe Biden",
            "cue": "said",
        }
    ]
    merged = merge_quotes([("Guardian", "g", quotes(a)), ("The Hill", "h", quotes(b)), ("NBC", "n", quotes(c))])
    assert len(merged) == 4
    top = merged[0]
    assert top.text.endswith("I don't know enough")  # the fullest wording is kept
    assert top.outlet == "NBC"
    assert [s.outlet for s in top.sources] == ["Guardian", "The Hill", "NBC"]
    assert merged[-1].speaker is None  # unattributed last
    assert {m.speaker for m in merged[1:3]} == {"Dmitry Peskov", "Maria Zakharova"}


def test_merge_of_nothing() -> None:
    assert merge_figures([]) == [] and merge_quotes([("x", "y", [])]) == []


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
