"""Tests for summarizer/story.py: cluster-wide story summaries with outlet and link per sentence."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from summarizer.story import StoryMember, StorySummary, summarize_members
from summarizer.text import normalize

ROOT = Path(__file__).resolve().parents[1]
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]

WIRE = "Tesla said on Tuesday it will remove rare earth elements from the motors of its next-generation vehicles."
# three outlets retell the wire story; only the first adds the supplier detail, only the last the analyst
A = (
    f"{WIRE} The company gave no timeline for the change at its investor day in Austin.\n\n"
    "A supplier in Ningbo, which makes 1,500 motors a day, said it had not been told of the plan."
)
B = (
    "Tesla said on Tuesday it will remove rare-earth elements from the motors of its next generation vehicles, "
    "a move that could cut its reliance on China.\n\n"
    "The company gave no timeline for the change at its investor day in Austin, Texas."
)
C = (
    "Tesla said on Tuesday it would remove “rare earth elements” from the motors of its next-generation vehicles.\n\n"
    "The company gave no timeline for the change at its investor day.\n\n"
    "Analysts at Morgan Stanley said rare earth prices fell 4% after the announcement."
)
MEMBERS = [
    StoryMember(A, title="Tesla to drop rare earths - Reuters", outlet="Reuters", link="https://example.org/a"),
    StoryMember(B, title="Tesla drops rare earths", outlet="CNBC", link="https://example.org/b"),
    StoryMember(C, title="Tesla and rare earths", outlet="Mining.com", link="https://example.org/c"),
]


def _content(s: str) -> set[str]:
    return {w.strip(".,“”\"'").lower() for w in s.split() if len(w) > 3}


def test_each_sentence_keeps_its_outlet_link_and_offsets() -> None:
    summary = summarize_members(MEMBERS, sentences=3)
    assert isinstance(summary, StorySummary) and summary.sentences
    for s in summary.sentences:
        m = MEMBERS[s.doc]
        assert (s.outlet, s.link) == (m.outlet, m.link)
        assert normalize(m.text[s.start : s.end]) == s.text


def test_what_all_outlets_say_comes_first_and_only_once() -> None:
    summary = summarize_members(MEMBERS, sentences=3)
    texts = [s.text for s in summary.sentences]
    assert "rare" in texts[0] and "Tesla" in texts[0]  # the fact every outlet reports leads
    # the wire sentence and its retellings (quote marks, hyphens, "will"/"would") appear once
    assert sum("remove rare" in t for t in texts) == 1
    assert sum("no timeline" in t for t in texts) <= 1
    for i, a in enumerate(texts):
        for b in texts[:i]:
            shared = _content(a) & _content(b)
            assert len(shared) < 0.6 * min(len(_content(a)), len(_content(b))), (a, b)


def test_the_newest_development_is_visible() -> None:
    t0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
    news = "The company said on Wednesday that its board had approved a $2 billion plant in Nevada for the new motors."
    dated = [
        StoryMember(A, outlet="Reuters", published=t0),
        StoryMember(B, outlet="CNBC", published=t0 + timedelta(hours=1)),
        StoryMember(f"{WIRE}\n\n{news}", outlet="AP", published=t0 + timedelta(days=1)),
    ]
    summary = summarize_members(dated, sentences=2)
    assert news in [s.text for s in summary.sentences]
    undated = summarize_members([StoryMember(m.text, outlet=m.outlet) for m in dated], sentences=2)
    assert len(undated.sentences) == 2


def test_title_and_description_members_without_feed_furniture() -> None:
    members = [
        StoryMember(
            "US authorities are investigating how an alleged stowaway flew to the United States from Denmark "
            "without any valid documentation Read Full Article at RT.com",
            title="Stowaway flew from Denmark to US",
            outlet="RT",
        ),
        StoryMember(
            "Article URL: https://example.org/x Comments URL: https://news.ycombinator.com/item?id=1 Points: 27 # Comments: 9",
            title="Stowaway flew from Denmark to US",
            outlet="Hacker News",
        ),
        StoryMember(
            "An alleged stowaway flew to the United States from Denmark without valid documents, officials said. "
            "Investigators are checking how he boarded the plane in Copenhagen. The airline said it was…",
            outlet="ABC News",
        ),
    ]
    summary = summarize_members(members, words=60)
    text = summary.text
    assert summary.sentences and summary.words <= 60
    for junk in ("Read Full Article", "Article URL", "Points:", "it was…", "…"):
        assert junk not in text
    assert "stowaway" in text
    assert all(s.doc != 1 for s in summary.sentences)


def test_words_budget_takes_whole_sentences_only() -> None:
    members = [StoryMember(t, outlet=f"o{i}") for i, t in enumerate(SEED_TEXTS)]
    for budget in (25, 60, 100):
        summary = summarize_members(members, words=budget)
        assert summary.sentences and summary.words <= budget
        for s in summary.sentences:
            assert normalize(members[s.doc].text[s.start : s.end]) == s.text
    assert len(summarize_members(members, sentences=2).sentences) == 2
    both = summarize_members(members, sentences=1, words=1000)
    assert len(both.sentences) == 1


def test_a_words_budget_no_sentence_fits_gives_a_reason() -> None:
    """--words below every sentence's length gave an empty summary with no reason, where every other empty
    summary says why."""
    from summarizer.story import _candidates, _predecessors

    members = [StoryMember(t, outlet=f"o{i}") for i, t in enumerate(SEED_TEXTS)]
    cands = _candidates(members)
    leaning = _predecessors(cands)  # a sentence that leans on the one before it is never told alone
    shortest = min(c.n_words for i, c in enumerate(cands) if i not in leaning)
    tight = summarize_members(members, words=shortest - 1)
    assert tight.sentences == ()
    assert tight.reason == f"no sentence fits in {shortest - 1} words: the shortest usable one has {shortest}"
    headlines = summarize_members(
        [StoryMember("Read more...", title="Russia and US agree to talks in Riyadh")], words=3
    )
    assert (
        headlines.sentences == () and headlines.reason == "no sentence fits in 3 words: the shortest usable one has 8"
    )
    assert summarize_members(members, words=shortest).reason is None


def test_deterministic_and_ties_go_to_the_first_telling() -> None:
    one = summarize_members(MEMBERS, words=100)
    assert one == summarize_members(MEMBERS, words=100)
    copies = summarize_members([MEMBERS[0]] * 3, sentences=2)
    assert {s.doc for s in copies.sentences} == {0} and len({s.text for s in copies.sentences}) == 2


def test_empty_and_bad_input() -> None:
    assert summarize_members([]).reason == "no articles"
    assert summarize_members([StoryMember(""), StoryMember("Read more...")]).sentences == ()
    with pytest.raises(TypeError):
        summarize_members("text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"members\[0\]"):
        summarize_members([A])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        summarize_members(MEMBERS, words=0)
    with pytest.raises(TypeError):
        summarize_members(MEMBERS, sentences=True)


def test_a_ten_outlet_story_is_cheap() -> None:
    members = [
        StoryMember(SEED_TEXTS[i % len(SEED_TEXTS)] + f"\n\nOutlet {i} adds a line of its own today.")
        for i in range(10)
    ]
    t0 = time.process_time()
    for _ in range(5):
        summarize_members(members, words=100)
    assert (time.process_time() - t0) / 5 < 1.0  # about 20 ms measured; a generous bound on a shared machine


def test_a_story_of_headlines_only_is_told_by_its_headlines() -> None:
    members = [
        StoryMember(
            "Read more...", title="Putin says Ukraine opened 'Pandora's box' with strikes - Reuters", outlet="Reuters"
        ),
        StoryMember("", title="Putin warns Ukraine opened Pandora's box with strikes on economy - CNET", outlet="CNET"),
        StoryMember("", title="Weather today - Example", outlet="Example"),
    ]
    summary = summarize_members(members, sentences=2)
    assert summary.reason == "only headlines: the articles have no usable sentences"
    assert summary.sentences[0].text in ("Putin says Ukraine opened 'Pandora's box' with strikes",
                                         "Putin warns Ukraine opened Pandora's box with strikes on economy")  # fmt: skip
    assert all(s.index == -1 for s in summary.sentences)


def test_a_fact_retold_with_other_names_numbers_and_quotes_is_said_once() -> None:
    members = [
        StoryMember(
            "President Vladimir Putin said on Monday that 1,500 troops had left the border region near Belgorod.\n\n"
            "The Kremlin gave no reason for the withdrawal of the troops from the border region.",
            outlet="Reuters",
        ),
        StoryMember(
            "Mr. Putin said on Monday that 1500 troops had left the “border region” near Belgorod.\n\n"
            "Officials in Kyiv said they could not confirm the withdrawal of troops from the border region.",
            outlet="AP",
        ),
    ]
    texts = [s.text for s in summarize_members(members, sentences=3).sentences]
    assert sum("Putin said on Monday" in t for t in texts) == 1, texts
    assert len(texts) >= 2


def test_the_repeat_key_folds_names_numbers_and_quote_marks() -> None:
    from summarizer.story import _content_key

    a = _content_key("President Vladimir Putin said on Monday that 1,500 troops had “left” the region.")
    b = _content_key('Mr. Putin said on Monday that 2,000 troops had "left" the region.')
    assert a == b and "putin" in a and "<num>" in a
    assert _content_key("Ford said it will drop rare earths.") != _content_key("Tesla said it will drop rare earths.")


def test_datelines_and_interface_words_leave_the_sentence() -> None:
    text = (
        "WASHINGTON -- The Senate voted on Tuesday to extend sanctions on Russian oil exports for a year.\n\n"
        "CLOSE The measure now goes to the House, where leaders said they would take it up next week."
    )
    other = (
        "The Senate voted to extend sanctions on Russian oil exports, and the House will take up the measure next week."
    )
    members = [StoryMember(text, outlet="A"), StoryMember(other, outlet="B")]
    summary = summarize_members(members, sentences=3)
    texts = [s.text for s in summary.sentences]
    assert texts[0].startswith("The Senate voted on Tuesday") or texts[0].startswith("The Senate voted to")
    assert not any(t.startswith(("WASHINGTON", "CLOSE")) for t in texts)
    for s in summary.sentences:
        assert normalize(members[s.doc].text[s.start : s.end]) == s.text


def test_headlines_in_the_body_are_not_summary_sentences() -> None:
    from summarizer.story import _headline_case

    assert _headline_case("Will Sacha Baron Cohen’s ‘The Dictator’ Walk The Oscar Red Carpet?")
    assert not _headline_case("Sen. Ted Cruz leads his Democratic challenger, Rep. Beto O’Rourke, by just 1 point.")


def test_the_newest_members_news_repeats_no_sentence_kept() -> None:
    """The newest telling's news replaces the last sentence chosen; it was never checked against the ones kept, so
    it could repeat one (the newest member's own) and push out another outlet's only fact."""
    from datetime import UTC, datetime

    from summarizer.story import REDUNDANCY, StoryMember, _content_key, summarize_members

    a = StoryMember(
        text="The old bridge in Genoa collapsed on Tuesday during heavy rain, officials said. "
        "Rescue teams searched the rubble for survivors through the night.",
        outlet="A", link="a", published=datetime(2024, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    b = StoryMember(
        text="The old bridge in Genoa collapsed on Tuesday during heavy rain, officials said, and investigators "
        "blamed corroded steel cables. Investigators blamed corroded steel cables for the failure.",
        outlet="B", link="b", published=datetime(2024, 1, 2, tzinfo=UTC),
    )  # fmt: skip
    texts = [s.text for s in summarize_members([a, b], sentences=3).sentences]
    for i, s in enumerate(texts):
        for t in texts[:i] + texts[i + 1 :]:
            assert len(_content_key(s) & _content_key(t)) < REDUNDANCY * len(_content_key(s)), texts


def test_a_newsletters_other_stories_are_no_summary_of_this_one() -> None:
    """A briefing's description ends with its other stories ("Plus, the women leading R&B’s new wave."; "Also in
    today’s newsletter: ..."), and that was the story's whole summary. An article's own "Plus, ..." is prose."""
    from summarizer.story import StoryMember, _member_sentences, summarize_members

    briefing = StoryMember(
        text="Plus, the women leading R&B’s new wave.", title="Wednesday Briefing: U.S. and Russia Discuss Cooperation"
    )
    told = StoryMember(text="The U.S. and Russia agreed on Tuesday to hold talks in Riyadh next week.", title="Talks")
    assert [s.text for s in summarize_members([briefing, told]).sentences] == [
        "The U.S. and Russia agreed on Tuesday to hold talks in Riyadh next week."
    ]
    said = [f"The striker spoke to reporters about match number {k}." for k in range(40)]
    prose = " ".join([*said[:8], "Plus, it's not as if anyone listens to him.", *said[8:]])
    assert any(t.startswith("Plus,") for _, t, _, _ in _member_sentences(StoryMember(text=prose, title="Striker")))


def test_a_teaser_cut_off_with_dots_is_no_summary_sentence() -> None:
    """The story path took "..." for a sentence's end (it refused only "…"): an AP caption's cut-off teaser was a
    one-article story's first bullet."""
    caption = (
        "A refrigerated train loaded with bodies of the passengers of flight MH17 departs Kharkiv railway station, "
        "Ukraine, Tuesday, July 22, 2014. The train carrying the remains of people killed... (Associated Press)"
    )
    text = "\n\n".join(
        [
            caption,
            "A train carrying the remains of victims of the Malaysia Airlines crash left eastern Ukraine on Tuesday.",
            "Dutch officials said the bodies would be flown to the Netherlands for identification.",
        ]
    )
    texts = [s.text for s in summarize_members([StoryMember(text, outlet="AP")], sentences=3).sentences]
    assert texts and not any(t.endswith("...") for t in texts), texts


# Feed descriptions of real stories (../shared/feeds-corpus items), where the summary told one fact in two outlets' words.
WHELAN = [
    StoryMember(
        "U.S. negotiators made a fresh offer to Russia in recent weeks to secure the release of detained Americans "
        "Evan Gershkovich and Paul Whelan, but Moscow rejected the proposal, the State Department said.",
        title="Russia Rejects 'Significant Proposal' to Trade for WSJ's Gershkovich, Whelan, U.S. Says",
        outlet="The Wall Street Journal",
    ),
    StoryMember(
        'The U.S. on Tuesday said Russia rejected a "significant proposal" that would have freed two detained '
        "Americans, Wall Street Journal reporter Evan Gershkovich and former Marine Paul Whelan. State Department "
        'spokesperson Matthew Miller said in recent weeks the U.S. "made a new and significant proposal to secure '
        'Paul and Evan’s release." "That proposal was rejected...',
        title="US says Russia rejected a deal to free Evan Gershkovich, Paul Whelan",
        outlet="The Hill",
    ),
    StoryMember(
        "According to the State Department, Russia has recently rejected a substantial new proposal for the release "
        "of former Marine Paul Whelan and Wall Street Journal reporter Evan Gershkovich.",
        title="US says Russia rejected proposal for release of Paul Whelan, Evan Gershkovich",
        outlet="Fox News",
    ),
]
GRINER = [
    StoryMember(
        "The US basketball star Brittney Griner has been freed from prison in Russia in a dramatic high-level prisoner "
        "swap for the notorious Russian arms dealer Viktor Bout, who has been held in an American prison for 12 years. "
        "The swap, at a time of heightened tensions over Ukraine, achieved a top goal for Joe Biden but carried a heavy "
        "price and left behind an American jailed for nearly four years.",
        title="Brittney Griner freed from Russian prison in exchange for Viktor Bout",
        outlet="The Guardian",
    ),
    StoryMember(
        "Brittney Griner was released from prison in a one-for-one swap with convicted arms dealer Viktor Bout.",
        title="Brittney Griner released from Russian prison in swap for convicted arms dealer",
        outlet="Fox News",
    ),
]
BIDEN = [
    StoryMember(
        "President Biden called on Russia to free Wall Street Journal reporter Evan Gershkovich, who has been accused "
        "of spying on behalf of the U.S. government.",
        outlet="Fox News",
    ),
    StoryMember(
        "Wall Street Journal reporter Evan Gershkovich is the first American journalist to have been detained in "
        "Russian on spying accusations since the Cold War.",
        outlet="Le Monde",
    ),
    StoryMember(
        "President Joe Biden has called on Russia to release Evan Gershkovich, a Wall Street Journal reporter arrested "
        "earlier this week on espionage charges and facing 20 years in jail. “Let him go,” said Biden, when asked about "
        "the case on Friday. Previously, the White House press secretary, Karine Jean-Pierre, described the espionage "
        "charges levelled against Gershkovich as “ridiculous”.",
        outlet="The Guardian",
    ),
]


def test_a_fact_retold_in_other_words_is_told_once() -> None:
    whelan = [s.text for s in summarize_members(WHELAN, sentences=3).sentences]
    # the Journal's and Fox's sentences both say Russia rejected the proposal for the two men's release
    assert sum(t.startswith(("U.S. negotiators made", "According to the State Department")) for t in whelan) == 1, (
        whelan
    )
    griner = [s.text for s in summarize_members(GRINER, sentences=3).sentences]
    assert sum("swap" in t and "Bout" in t for t in griner) == 1, griner
    assert any(t.startswith("The swap, at a time") for t in griner), griner  # what the swap meant is another fact


def test_distinct_facts_about_the_same_people_are_all_kept() -> None:
    # Biden's call and "the first American journalist detained since the Cold War" share the reporter, his paper
    # and the spying accusation (5 content words): two facts, both told
    texts = [s.text for s in summarize_members(BIDEN, words=100).sentences]
    assert any(t.startswith("President Biden called") for t in texts), texts
    assert any("first American journalist" in t for t in texts), texts


def test_a_sentence_that_leans_on_the_one_before_follows_it() -> None:
    texts = [s.text for s in summarize_members(BIDEN, words=100).sentences]
    leaning = [i for i, t in enumerate(texts) if t.startswith("Previously, the White House")]
    for i in leaning:  # told only right after the sentence it leans on
        assert i > 0 and texts[i - 1].startswith("“Let him go,” said Biden"), texts
    # and a summary with room for only a few sentences picks ones that stand alone
    for n in (1, 2, 3):
        first = [s.text for s in summarize_members(BIDEN, sentences=n).sentences]
        assert not any(t.startswith("Previously") for t in first[:1]), first
