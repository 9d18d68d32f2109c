"""A story's merged analysis: figures and quotes merged across outlets, the typed JSON round trip."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.models import ArticleAnalysis, MemberArticle, Source, StoryAnalysis, StoryFigure, StoryQuote
from bot.story_analysis import _first_article_summary, article_facts, story_analysis
from summarizer import analyze
from summarizer.furniture import clean_description
from summarizer.text import with_headline

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
    # the headline read too, and the text cleaned of feed furniture and its dateline as a story's summary reads it
    full, facts = analyze(with_headline(clean_description(text), title), title), article_facts(text, title)
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


async def test_a_members_analysis_reaches_its_story_after_another_instances_refresh(store) -> None:  # type: ignore[no-untyped-def]
    """Two pollers on one database. Instance 1 clusters a new member into a story while its article is analysed;
    instance 2 refreshes the story meanwhile, without that analysis. Instance 1's write of the analysis marked only
    the stories the article was in before clustering: the story was never analysed again, the member's figures never
    in it. The stories an article is in when its analysis is written are marked."""
    import json
    from datetime import UTC, datetime, timedelta

    from botapi import StorySeeder

    from bot.models import ItemKey, NewItem, StoryFingerprints, title_key
    from bot.story_analysis import analyse_articles, article_facts, refresh_stories

    texts = (
        "The company said on Monday it would invest $5 billion in a new rare earth refinery in Texas. "
        "The plant is expected to open in 2027, officials said.",
        "The company will invest $5 billion in a rare earth refinery in Texas, its chief executive said. "
        "The refinery will employ 1,200 workers when it opens, according to the state governor.",
    )
    feeds = await StorySeeder(store)._feed_ids(("Wire A", "Wire B"), ("rare-earths",))
    t1 = datetime.now(UTC) - timedelta(hours=2)
    t2 = t1 + timedelta(hours=1)

    def item(link: str, text: str, when: datetime) -> NewItem:
        return NewItem(ItemKey(link, link, link, title_key("Refinery", when)), "Company to build rare earth refinery",
                       None, when, True, text=text, topics=("rare-earths",), terms={"rare-earths": ["rare"]},
                       relevance=1.0)  # fmt: skip

    async with store.feed_transaction() as tx:  # cycle 1: the first telling, its story, its analysis
        (first,) = await tx.add_items(feeds["Wire A"], [item("https://a.example/1", texts[0], t1)], t1)
        story = await tx.create_story(
            "Refinery", "https://a.example/1", ("rare-earths",), {}, StoryFingerprints(), t1, True
        )
        await tx.set_item_stories([(first, story.id)])
    arts = await store.articles_to_analyse(t1 - timedelta(hours=1), 100)
    await store.set_item_analyses(
        list(zip([a.item_id for a in arts], analyse_articles(article_facts, arts), strict=True))
    )
    assert await refresh_stories(store) == 1
    async with store.feed_transaction() as tx:  # cycle 2, instance 1: the second telling stored, analysed ...
        (second,) = await tx.add_items(feeds["Wire B"], [item("https://b.example/2", texts[1], t2)], t2)
    arts = await store.articles_to_analyse(t1 - timedelta(hours=1), 100)
    answers = analyse_articles(article_facts, arts)
    async with store.feed_transaction() as tx:  # ... and clustered meanwhile
        await tx.update_story(story.id, ("rare-earths",), {}, StoryFingerprints(), t2)
        await tx.set_item_stories([(second, story.id)])
    await refresh_stories(store)  # instance 2's refresh, without the second analysis
    await store.set_item_analyses([(second, answers[0])])
    await refresh_stories(store)  # instance 1's
    assert "1,200" in " ".join(f["surface"] for f in json.loads(answers[0])["figures"])
    view = await store.story(story.id)
    assert view is not None and "Wire B" in {s.outlet for f in view.figures for s in f.sources}


def test_a_figure_only_the_headline_gives_is_the_articles() -> None:
    # a feed's description (or a page's extracted text) does not repeat its headline, where the news's figure often is
    title = "Ford Invests in $4.5 Billion Indonesia Facility to Secure Nickel for EV Batteries"
    description = "The auto maker is seeking to secure a supply of key minerals used in electric-vehicle batteries."
    facts = article_facts(description, title)
    assert [(f.surface, f.key, f.sentence) for f in facts.figures] == [("$4.5 Billion", True, title)]
    # a text that already opens with its headline reads it once
    again = article_facts(f"{title}\n\n{description}", title)
    assert [f.surface for f in again.figures] == ["$4.5 Billion"]


def test_a_dateline_is_not_a_speaker() -> None:
    """The poller read an article as it came: its dateline ("SEOUL, South Korea —") became the speaker of the quote
    after it, shown to subscribers as "SEOUL"; a story's summary (and `summarize --stories-jsonl`) read it cleaned."""
    text = (
        "SEOUL, South Korea — North Korea is stepping up its propaganda campaign ahead of annual U.S.-South Korea war "
        "games next month, saying the peninsula is “on the verge of war.”\n\n"
        "Such rhetoric is common from Pyongyang at times of crisis."
    )
    facts = article_facts(text, "North Korea steps up propaganda")
    assert [(q.speaker, q.text) for q in facts.quotes] == [("North Korea", "on the verge of war.")]
