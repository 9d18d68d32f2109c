"""Digest composition and splitting: escaped HTML, story boundaries, UTF-16 and entity limits."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from botapi import StorySeeder, check_html, html_text, utf16_len

from bot import digest as d
from bot import message as m
from bot.models import Member, StoryFigure, StoryQuote, StoryView, SummaryLine
from bot.store import Store
from summarizer import analyze

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def make_story(
    n: int, *, topics=("rare-earths",), outlets=2, title=None, summary=None, figures=(), quotes=()
) -> StoryView:
    """A story value as the store returns it (the store's own frozen dataclass)."""
    members = tuple(
        Member(outlet=f"Outlet {k}", link=f"https://news{k}.example/{n}", title=f"Title {n}", published=NOW)
        for k in range(outlets)
    )
    lines = summary if summary is not None else (f"Sentence one of story {n}.", f"Sentence two of story {n}.")
    return StoryView(
        id=n,
        title=title or f"Story number {n} about magnets",
        link=f"https://news0.example/{n}",
        topics=tuple(topics),
        first_seen=NOW - timedelta(minutes=n),
        updated_at=NOW,
        alertable=True,
        members=members,
        summary=tuple(SummaryLine(t, "Outlet 0", f"https://news0.example/{n}") for t in lines),
        figures=tuple(f if isinstance(f, StoryFigure) else StoryFigure.from_json(f) for f in figures),
        quotes=tuple(q if isinstance(q, StoryQuote) else StoryQuote.from_json(q) for q in quotes),
        terms={"rare-earths": ["rare earths"]},
    )


def fig(surface: str, sentence: str, key: bool = True) -> StoryFigure:
    return StoryFigure.from_json(
        {
            "surface": surface,
            "kind": "money",
            "value": 1.0,
            "unit": "USD",
            "key": key,
            "sentence": sentence,
            "outlet": "Outlet 0",
            "link": "https://news0.example/x",
        }
    )


def test_html_is_escaped_and_valid() -> None:
    story = make_story(
        1,
        title='<script>alert("x")</script> & Co',
        summary=("Prices rose 5% <b>not bold</b> & more.",),
        figures=[fig("$1.2 billion", "A deal worth $1.2 billion <i>was</i> signed.")],
        quotes=[
            {
                "text": 'We <won> "it"',
                "speaker": "Jane O'Neil & Sons",
                "outlet": "A&B",
                "link": "https://a.example/?a=1&b=2",
            }
        ],
    )
    messages = m.split_html(d.compose_digest([story], ["rare-earths"], NOW.date()))
    assert len(messages) == 1
    assert check_html(messages[0]) is None
    text = html_text(messages[0])
    assert '<script>alert("x")</script> & Co' in text  # shown literally, not as markup
    assert "<b>not bold</b>" in text
    assert "<script>" not in messages[0]


def test_header_has_date_and_counts_per_topic() -> None:
    stories = [make_story(1), make_story(2, topics=("rare-earths", "us-russia")), make_story(3, topics=("us-russia",))]
    blocks = d.compose_digest(stories, ["rare-earths", "us-russia"], date(2026, 11, 23))
    header = m.block_plain(blocks[0])
    assert "Monday 23 November 2026" in header
    assert "rare-earths: 2 stories" in header and "us-russia: 2 stories" in header
    assert "(1 story on more than one topic, shown once)" in header  # the counts add up for the reader
    # each story once; the one on both topics carries both labels
    shown = d.digest_story_ids(blocks, stories)
    assert sorted(shown) == [1, 2, 3]
    text = "\n".join(m.block_plain(b) for b in blocks)
    assert text.count("2. Story number 2") == 1 and text.count(" · also ") == 1  # labelled with its other topic


def test_a_digest_of_updates_only_says_no_new_stories_once_and_how_to_read_them() -> None:
    """A day with no new story but more outlets on one sent before read "Rare earths: 0 stories", then "+8 outlets
    (11 in all)", then "No new stories on these topics since the last digest." (qa3). The header says what the digest
    holds; it closes, as any digest of numbered stories, with how to read one."""
    grown = [(make_story(12, outlets=11), 8)]
    for topics in (["rare-earths"], ["rare-earths", "us-russia"]):
        text = [m.block_plain(b) for b in d.compose_digest([], topics, date(2026, 11, 24), grown=grown)]
        assert text[0].splitlines()[1] == "No new stories · 1 story sent before, told by more outlets"
        assert "12. Story number 12 about magnets" in text[1] and "+8 outlets (11 in all)" in text[1]
        assert text[2] == "Send /summary N (the story's number) for a story in full."
        assert "0 stories" not in "".join(text) and len(text) == 3
    nothing = [m.block_plain(b) for b in d.compose_digest([], ["rare-earths"], date(2026, 11, 24))]
    assert nothing[1:] == ["No new stories on these topics since the last digest."]  # as before


def test_busy_day_gives_every_topic_its_share_and_counts_the_rest() -> None:
    """Issue 12.1: 80 stories in each topic must not fill the cap from the first topic."""
    rare = [make_story(n, topics=("rare-earths",), outlets=1 + n % 4) for n in range(1, 81)]
    russia = [make_story(n, topics=("us-russia",), outlets=1 + n % 5) for n in range(101, 181)]
    blocks = d.compose_digest([*rare, *russia], ["rare-earths", "us-russia"], NOW.date(), max_stories=20)
    text = "\n".join(m.block_plain(b) for b in blocks)
    shown = d.digest_story_ids(blocks, [*rare, *russia])
    assert len(shown) == 20
    assert sum(1 for sid in shown if sid < 100) == 10 and sum(1 for sid in shown if sid > 100) == 10
    assert "▍rare-earths" in text and "▍us-russia" in text
    assert "rare-earths: 80 stories · us-russia: 80 stories" in text
    assert "…and 70 stories more on rare-earths." in text and "…and 70 stories more on us-russia." in text
    # each topic's share is its most important: the best-covered stories of that topic
    best_russia = sorted(russia, key=lambda s: (-len(s.members), -s.first_seen.timestamp()))[:10]
    assert {s.id for s in best_russia} == {sid for sid in shown if sid > 100}


def test_a_quiet_topic_leaves_its_share_to_a_busy_one() -> None:
    stories = [make_story(n) for n in range(1, 31)] + [make_story(99, topics=("us-russia",))]
    blocks = d.compose_digest(stories, ["rare-earths", "us-russia"], NOW.date(), max_stories=20)
    shown = d.digest_story_ids(blocks, stories)
    assert len(shown) == 20 and 99 in shown


def test_story_shows_outlets_summary_figures_quotes_sources() -> None:
    story = make_story(
        7,
        outlets=3,
        figures=[fig("$50 million", "The plant will cost $50 million to build.")],
        quotes=[
            {"text": "We are ready", "speaker": "Lynas CEO", "outlet": "Outlet 1", "link": "https://news1.example/7"}
        ],
    )
    html = m.block_html(d.story_block(story))
    assert html.startswith('<b>7.</b> <a href="https://news0.example/7">')
    assert "3 outlets" in html
    assert "<b>$50 million</b> — The plant will cost $50 million to build." in html
    assert "“We are ready” — <i>Lynas CEO</i>" in html
    assert html.count('<a href="https://news') == 4  # title + three sources


def _story_spread(messages: list[str], ids: list[int]) -> dict[int, int]:
    """Which message each story's number line landed in (and check it is whole: its sources line too)."""
    where = {}
    for n, msg in enumerate(messages):
        for sid in ids:
            if f"<b>{sid}.</b>" in msg:
                assert sid not in where, f"story {sid} appears twice"
                where[sid] = n
                tail = msg.split(f"<b>{sid}.</b>", 1)[1].split("\n\n", 1)[0]
                assert "Sources: " in tail, f"story {sid} was cut from its sources"
    return where


def test_long_digest_splits_on_story_boundaries_within_limits() -> None:
    long = tuple(f"Sentence {k} " + "word " * 60 for k in range(3))
    stories = [
        make_story(n, summary=long, figures=[fig(f"${n} million", f"It cost ${n} million.")]) for n in range(1, 19)
    ]
    messages = m.split_html(d.compose_digest(stories, ["rare-earths"], NOW.date()))
    assert len(messages) > 1
    for msg in messages:
        assert check_html(msg) is None, msg[:200]
        assert utf16_len(msg) <= m.MESSAGE_LIMIT
    assert sorted(_story_spread(messages, list(range(1, 19)))) == list(range(1, 19))


def test_utf16_units_not_code_points() -> None:
    emoji = "😀" * 900  # 900 code points, 1800 UTF-16 units
    stories = [make_story(n, summary=(emoji,)) for n in range(1, 4)]
    blocks = d.compose_digest(stories, ["rare-earths"], NOW.date())
    assert len("\n\n".join(m.block_html(b) for b in blocks)) < m.MESSAGE_LIMIT  # fits in code points...
    messages = m.split_html(blocks)
    assert len(messages) == 2  # ...but not in UTF-16 units
    assert all(utf16_len(msg) <= m.MESSAGE_LIMIT for msg in messages)


def test_oversized_single_story_is_truncated_safely() -> None:
    huge = ("Big <&> sentence 😀 " * 600,)
    story = make_story(1, summary=huge, figures=[fig("$1", "x $1 y")])
    messages = m.split_html([d.story_block(story)])
    assert len(messages) == 1
    assert utf16_len(messages[0]) <= m.MESSAGE_LIMIT
    assert check_html(messages[0]) is None
    assert messages[0].endswith(m.ELLIPSIS)
    assert not re.search(r"&[a-z]*…", messages[0])  # never cut inside an escape


def test_oversized_span_inside_tag_is_cut_and_closed() -> None:
    blk = m.block(m.line(m.b("bold " * 2000)))
    out = m.split_html([blk], limit=500)
    assert len(out) == 1 and utf16_len(out[0]) <= 500
    assert out[0].startswith("<b>bold") and out[0].endswith("</b> …")
    assert check_html(out[0]) is None


def test_entity_limit_per_message() -> None:
    many = [fig(f"${k} million", f"Item {k} cost ${k} million.") for k in range(1, 40)]
    stories = [make_story(n, figures=many) for n in range(1, 6)]
    blocks = [m.Block((*d.story_block(s).lines, *(d.figure_line(f) for f in many))) for s in stories]
    assert all(m.block_entities(b) > m.ENTITY_LIMIT / 2 for b in blocks)
    messages = m.split_html(blocks)
    for msg in messages:
        assert check_html(msg) is None  # check_html enforces <= 100 entities
        assert msg.count("<b>") + msg.count("<a ") + msg.count("<i>") <= m.ENTITY_LIMIT


def test_auto_detected_entities_are_counted() -> None:
    blk = m.block(m.line("/summary " * 150))
    fitted = m.fit_block(blk)
    assert m.block_entities(fitted) <= m.ENTITY_LIMIT
    assert m.block_entities(blk) == 150


def test_figure_context_window_is_centred_and_trimmed() -> None:
    sentence = "Alpha " * 40 + "the contract is worth $7.5 billion over ten years" + " omega" * 40
    ctx = d.figure_context(StoryFigure.from_json({"surface": "$7.5 billion", "sentence": sentence}))
    assert "$7.5 billion" in ctx
    assert len(ctx) <= d.FIGURE_CONTEXT_CHARS + 2
    assert ctx.startswith("…") and ctx.endswith("…")


def test_alert_is_one_message_and_leaves_the_rest() -> None:
    long = tuple("Long sentence " + "word " * 120 for _ in range(3))
    stories = [make_story(n, summary=long) for n in range(1, 10)]
    blocks, ids = d.compose_alert(stories)
    messages = m.split_html(blocks)
    assert len(messages) == 1 and check_html(messages[0]) is None
    assert 0 < len(ids) < len(stories)
    # oldest first (story n was first seen n minutes ago): the newest are left for the next cycle
    assert ids == list(range(9, 9 - len(ids), -1))


def test_an_alert_header_names_only_the_chats_topics() -> None:
    """A story on both topics alerted a rare-earths-only chat under "New: Rare earths & critical minerals, US–Russia
    relations" (qa9 f3): the header names the chat's topics the stories are on."""
    names = {"rare-earths": "Rare earths", "us-russia": "US–Russia"}
    stories = [make_story(1, topics=("rare-earths", "us-russia")), make_story(2)]
    blocks, _ = d.compose_alert(stories, topic_names=names, topics=("rare-earths",))
    assert m.block_plain(blocks[0]) == "New: Rare earths"
    blocks, _ = d.compose_alert(stories[:1], topic_names=names, topics=("us-russia",))
    assert m.block_plain(blocks[0]) == "New: US–Russia"
    blocks, _ = d.compose_alert(stories, topic_names=names, topics=("rare-earths", "us-russia"))
    assert m.block_plain(blocks[0]) == "New: Rare earths, US–Russia"


def test_a_digest_header_marks_a_topic_feeds_yaml_no_longer_has() -> None:
    """A header of "us-russia: 0 stories" read as a quiet day for a topic no story can get any more (qa9 f5)."""
    blocks = d.compose_digest([make_story(1)], ["us-russia", "rare-earths"], NOW.date(), configured=["rare-earths"])
    header = m.block_plain(blocks[0]).splitlines()[1]
    assert header == "us-russia (no longer configured): 0 stories · rare-earths: 1 story"
    blocks = d.compose_digest([make_story(1)], ["us-russia", "rare-earths"], NOW.date())  # not known: as before
    assert m.block_plain(blocks[0]).splitlines()[1] == "us-russia: 0 stories · rare-earths: 1 story"


def test_kept_for_shows_each_word_once_case_and_plural_aside() -> None:
    """A line "Kept for: rare-earths: rare earth, Rare Earths" (qa9 f11): the members' spellings of a term, once."""
    story = replace(
        make_story(1),
        terms={"rare-earths": ["rare earth", "Rare Earths", "rare earths", "Lynas", "Lynas's"], "us-russia": ["US"]},
    )
    full = "\n".join(m.block_plain(blk) for blk in d.story_full_blocks(story))
    assert "Kept for: rare-earths: rare earth, Lynas; us-russia: US" in full, full


def test_plain_rendering_shows_links() -> None:
    reply = m.Reply(blocks=(d.story_block(make_story(3)),), keyboard=((m.Button("➕ x", "t:x"),),))
    text = m.reply_plain(reply)
    assert "Story number 3 about magnets <https://news0.example/3>" in text
    assert "[➕ x]" in text
    assert "<b>" not in text


def test_link_with_unsafe_scheme_is_plain_text() -> None:
    html = m.line_html(m.line(m.link("click", "javascript:alert(1)")))
    assert html == "click"


def test_figures_from_one_sentence_share_a_line_and_summary_sentences_are_cut_short() -> None:
    shown = (
        "The plant will cost $50 million and make 900 tonnes of magnets a year, the company said on Monday in Perth."
    )
    other = "Shares rose 4 percent."
    story = make_story(
        1,
        summary=(shown,),
        figures=[fig("$50 million", shown), fig("900 tonnes", shown), fig("4 percent", other)],
    )
    lines = [m.line_plain(ln) for ln in d.story_block(story).lines]
    figure_lines = [ln for ln in lines if ln.startswith("• ")]
    assert figure_lines[0].startswith("• $50 million · 900 tonnes — ")
    assert len(figure_lines[0]) < len(shown) and "…" in figure_lines[0]  # the summary already shows it
    assert figure_lines[1] == "• 4 percent — Shares rose 4 percent."


def test_a_figure_two_outlets_gave_is_shown_once_with_both_and_a_disagreement_is_marked() -> None:
    both = StoryFigure.from_json(
        {
            "surface": "$500 billion",
            "kind": "money",
            "value": 5e11,
            "key": True,
            "sentence": "The deal is worth $500 billion.",
            "outlet": "Reuters",
            "link": "https://r.example/1",
            "sources": [
                {"outlet": "Reuters", "link": "https://r.example/1"},
                {"outlet": "AP", "link": "https://ap.example/1"},
            ],
            "disagrees": [
                {"surface": "$350 billion", "value": 3.5e11, "outlet": "TASS", "link": "https://t.example/1"}
            ],
        }
    )
    quote = StoryQuote.from_json(
        {
            "text": "We are ready",
            "speaker": "Vladimir Putin",
            "sources": [
                {"outlet": "Reuters", "link": "https://r.example/1"},
                {"outlet": "TASS", "link": "https://t.example/1"},
                {"outlet": "Reuters.com", "link": "https://news.google.example/1"},  # Reuters through Google News
            ],
        }
    )
    story = make_story(3, figures=[both], quotes=[quote])
    full = "\n".join(m.block_plain(blk) for blk in d.story_full_blocks(story))
    assert full.count("$500 billion") == 2  # the figure line and its context, once
    assert "(Reuters <https://r.example/1>, AP <https://ap.example/1>)" in full
    assert "⚠ outlets differ: TASS says $350 billion" in full
    assert "— Vladimir Putin (Reuters <https://r.example/1>, TASS <https://t.example/1>)" in full
    digest = m.block_plain(d.story_block(story))
    assert "⚠ outlets differ: TASS says $350 billion" in digest


def test_a_quote_the_summary_already_shows_is_not_repeated_and_one_outlet_is_one_source() -> None:
    said = "We could do deals there, they have very valuable land"
    story = make_story(
        4,
        summary=(f"“{said},” Trump told reporters.",),
        quotes=[
            {"text": said, "speaker": "Donald Trump"},
            {"text": "Something else entirely", "speaker": "Vladimir Putin"},
        ],
        figures=[
            StoryFigure.from_json(
                {
                    "surface": "70%",
                    "kind": "percent",
                    "sentence": "About 70% of it.",
                    "sources": [
                        {"outlet": "Seed News", "link": "https://s.example/1"},
                        {"outlet": "Seed News", "link": "https://s.example/2"},
                    ],
                }
            )
        ],
    )
    digest = m.block_plain(d.story_block(story))
    assert digest.count(said) == 1 and "Something else entirely" in digest
    full = "\n".join(m.block_plain(blk) for blk in d.story_full_blocks(story))
    assert "(Seed News <https://s.example/1>)" in full and "https://s.example/2" not in full


def test_only_key_figures_are_shown_as_key_and_the_full_story_keeps_the_others_apart() -> None:
    key = fig("$50 million", "The plant will cost $50 million to build.")
    incidental = fig("two sources", "The plant will open in Texas, two sources said.", key=False)
    story = make_story(7, figures=[incidental, key])
    html = m.block_html(d.story_block(story))
    assert "<b>$50 million</b>" in html and "two sources" not in html
    assert d.key_figures(story, 10) == [key]
    full = [m.block_html(b) for b in d.story_full_blocks(story)]
    (key_block,) = [h for h in full if h.startswith("<b>Key figures</b>")]
    (other_block,) = [h for h in full if h.startswith("<b>Other figures</b>")]
    assert "$50 million" in key_block and "two sources" not in key_block
    assert "two sources" in other_block

    # a story with no key figure shows no figure line at all, rather than padding "Key figures" with what is there
    bare = make_story(8, figures=[incidental])
    assert d.key_figures(bare, 10) == []
    assert "two sources" not in m.block_html(d.story_block(bare))
    assert not [h for h in map(m.block_html, d.story_full_blocks(bare)) if h.startswith("<b>Key figures</b>")]


def test_one_articles_key_figures_are_its_key_ones() -> None:
    analysis = analyze(
        "Lynas will spend $500 million on a new rare earths plant in Texas, two sources said on Tuesday. The company,"
        " whose 56-year-old chief executive spoke to reporters, said output would rise 20% next year.",
        title="Lynas to build Texas plant",
    )
    assert {f.surface for f in analysis.figures} >= {"$500 million", "two sources", "56-year-old"}
    html = "\n".join(m.block_html(b) for b in d.analysis_blocks(analysis))
    assert "<b>$500 million</b>" in html and "<b>20%</b>" in html
    assert "<b>two sources</b>" not in html and "<b>56-year-old</b>" not in html  # in a shown figure's context only


def test_a_story_in_full_goes_on_in_the_next_message_not_cut() -> None:
    """/summary N ("the story in full") cut a long section at the message limit with "…": a story with many figures
    and quotes lost the rest of them, and its sources. Its sections go on in the next message, split between lines."""
    figures = [
        fig(f"${k} million", f"Project {k} will cost ${k} million, " + "the company said " * 8) for k in range(40)
    ]
    quotes = [
        StoryQuote.from_json(
            {"text": f"Quote number {k} " + "about supply chains " * 6, "speaker": f"Speaker {k}",
             "sources": [{"outlet": "Outlet 0", "link": f"https://news0.example/q{k}"}]}
        )
        for k in range(40)
    ]  # fmt: skip
    story = make_story(7, outlets=30, figures=figures, quotes=quotes)
    messages = m.split_html(d.story_full_blocks(story))
    assert len(messages) > 2
    for msg in messages:
        assert check_html(msg) is None and utf16_len(msg) <= m.MESSAGE_LIMIT
    text = "\n".join(html_text(msg) for msg in messages)
    assert all(f"${k} million" in text for k in range(40))
    assert all(f"Quote number {k} " in text for k in range(40))
    assert all(f"Outlet {k}" in text for k in range(30))
    assert m.ELLIPSIS + "\n" not in text and not text.endswith(m.ELLIPSIS)  # nothing cut


def test_sources_link_the_outlets_own_article_not_an_aggregators_relay_of_it() -> None:
    """A story whose outlet came first through Google News linked its sources line to the redirect, and /summary N
    listed both tellings of the one article ("1 outlet" above them)."""
    relay = Member(outlet="Bloomberg.com", link="https://news.google.com/rss/articles/CBM1", title="Nickel deal",
                   published=NOW, relayed=True)  # fmt: skip
    own = Member(outlet="Bloomberg", link="https://www.bloomberg.com/news/nickel", title="Nickel deal", published=NOW)
    other = Member(outlet="Reuters", link="https://www.reuters.com/nickel", title="Nickel deal", published=NOW)
    story = replace(make_story(4), members=(relay, other, own))
    assert m.line_plain(d.sources_line(story)) == (
        "Sources: Bloomberg <https://www.bloomberg.com/news/nickel> · Reuters <https://www.reuters.com/nickel>"
    )
    full = "\n".join(m.block_plain(blk) for blk in d.story_full_blocks(story))
    assert "news.google.com" not in full and full.count("bloomberg.com/news/nickel") == 1
    alone = replace(story, members=(relay, other))  # the relay is all there is of that outlet: it stays
    assert "news.google.com/rss/articles/CBM1" in m.line_plain(d.sources_line(alone))


def test_a_figure_first_told_through_an_aggregator_names_the_outlet_as_its_sources_line_does() -> None:
    """Sources said "Bloomberg" while the figure Google News relayed first said "Bloomberg.com": one outlet under two
    names in one story (QA of /summary N on real stories). Where the outlet's own telling is here, its name and link."""
    relay = Member(outlet="Bloomberg.com", link="https://news.google.com/rss/articles/CBM1", title="Nickel deal",
                   published=NOW, relayed=True)  # fmt: skip
    own = Member(outlet="Bloomberg", link="https://www.bloomberg.com/news/nickel", title="Nickel deal", published=NOW)
    figure = StoryFigure.from_json({
        "surface": "$2 billion", "kind": "money", "value": 2e9, "unit": "USD", "key": True,
        "sentence": "The deal is worth $2 billion.",
        "sources": [{"outlet": "Bloomberg.com", "link": "https://news.google.com/rss/articles/CBM1"}],
    })  # fmt: skip
    story = replace(make_story(9), members=(relay, own), figures=(figure,))
    full = "\n".join(m.block_plain(blk) for blk in d.story_full_blocks(story))
    assert "($2 billion" not in full and "Bloomberg <https://www.bloomberg.com/news/nickel>)" in full, full
    assert "Bloomberg.com" not in full and story.outlets() == ["Bloomberg"]


def test_whole_remarks_come_before_scare_quotes_and_a_quote_is_not_given_twice() -> None:
    """A story's quotes opened with "Lloyd Austin: “unsafe”, “risky”", and gave "unsafe and unprofessional" again,
    unattributed, after "an unsafe and unprofessional intercept" (QA of /summary and /quotes on real stories)."""

    def q(text: str, speaker: str | None) -> StoryQuote:
        return StoryQuote.from_json({"text": text, "speaker": speaker, "sources": [{"outlet": "Wire", "link": None}]})

    story = make_story(5, quotes=[
        q("unsafe", "Lloyd Austin"), q("risky", "Lloyd Austin"), q("unsafe and unprofessional", None),
        q("We will continue to fly and operate wherever international law allows", "Lloyd Austin"),
        q("an unsafe and unprofessional intercept", "U.S. military"),
    ])  # fmt: skip
    shown = [(x.text, x.speaker) for x in d.attributed_quotes(story, 10)]
    assert shown == [
        ("We will continue to fly and operate wherever international law allows", "Lloyd Austin"),
        ("an unsafe and unprofessional intercept", "U.S. military"),
        ("risky", "Lloyd Austin"),
    ]


def test_headlines_read_as_sentences_and_a_figure_links_the_outlets_own_site() -> None:
    """A story told only by headlines read as one run-on sentence ("Biden talks climate, minerals with Indonesian
    president Tea and nickel on the agenda ..."); a figure first told through Google News linked the redirect."""
    story = make_story(8, summary=("Biden talks climate, minerals with Indonesian president",
                                   "Tea and nickel on the agenda as Biden hosts Indonesian president"))  # fmt: skip
    text = m.block_plain(d.story_block(story))
    assert "Indonesian president. Tea and nickel on the agenda as Biden hosts Indonesian president." in text
    both = StoryFigure.from_json({
        "surface": "more than $500 million", "kind": "money", "value": 5e8, "unit": "USD", "key": True,
        "sentence": "The group will invest more than $500 million in the project.",
        "sources": [{"outlet": "Associated Press", "link": "https://news.google.com/rss/articles/CBM1"},
                    {"outlet": "Associated Press", "link": "https://apnews.com/article/nickel"}],
    })  # fmt: skip
    relay = Member(outlet="Associated Press", link="https://news.google.com/rss/articles/CBM1", title="Nickel",
                   published=NOW, relayed=True)  # fmt: skip
    own = Member(outlet="Associated Press", link="https://apnews.com/article/nickel", title="Nickel", published=NOW)
    full = "\n".join(
        m.block_plain(blk) for blk in d.story_full_blocks(replace(story, members=(relay, own), figures=(both,)))
    )
    assert "apnews.com/article/nickel" in full and "news.google.com" not in full


def test_an_unattributed_telling_does_not_hide_an_attributed_quote() -> None:
    """Found by review: "We will respond to any provocation" by Vladimir Putin was dropped for a longer telling with no
    speaker, and /quotes (which shows only attributed quotes) lost Putin's remark."""
    putin = StoryQuote.from_json({"text": "We will respond to any provocation", "speaker": "Vladimir Putin"})
    longer = StoryQuote.from_json({"text": "We will respond to any provocation, and harshly", "speaker": None})
    assert [(q.text, q.speaker) for q in d.readable_quotes([putin, longer])] == [
        ("We will respond to any provocation", "Vladimir Putin"),
        ("We will respond to any provocation, and harshly", None),
    ]


def test_a_story_is_headed_by_what_most_of_its_tellings_tell() -> None:
    """A story whose first telling was the odd one (a Lynas plant opening, joined to twelve tellings of China's export
    curbs in a cold start) was headed and linked by that telling, over a summary of the curbs (QA of digests)."""
    from bot.models import headline

    def member(n: int, title: str) -> Member:
        return Member(outlet=f"Outlet {n}", link=f"https://o{n}.example/a", title=title, published=NOW)

    odd = member(0, "Lynas opens rare earth separation plant in Texas")
    told = [
        member(1, "China restricts exports of rare earth magnets"),
        member(2, "China curbs rare earth magnet exports, tightening grip on supply"),
        member(3, "China imposes new rare earth export restrictions on magnets"),
    ]
    assert headline([odd, *told], odd.title or "", odd.link) == (told[0].title, told[0].link)
    assert headline([odd, *told[:1]], odd.title or "", odd.link) == (odd.title, odd.link)  # two tellings: the first
    # a tie keeps the first telling: two outlets' same title, the second of them stored first, and an odd third
    same = [member(4, "Trump, Putin hold call on Ukraine"), member(5, "Trump, Putin hold call on Ukraine")]
    call = [*same, member(6, "Kremlin says nothing agreed")]
    assert headline(call, same[1].title or "", same[1].link) == (same[1].title, same[1].link)


async def test_the_trend_chart_reads_what_it_counts_not_whole_stories(store: Store) -> None:
    """qa16 F4: /trend and the Monday chart read 15 days of whole stories (analysis and fingerprint JSON, terms, every
    member's text): 5 of a chart's 7 s on a 90-day store. It reads a story's first sighting, topics and outlets."""
    await StorySeeder(store).story("Quota cut", when=NOW - timedelta(hours=1), summary=("It happened.",))
    statements: list[str] = []
    sa.event.listen(store.engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    reply = await d.trend_reply(store, ["rare-earths"], NOW, UTC)
    assert reply.photo is not None and reply.photo.startswith(b"\x89PNG")
    assert reply.caption is not None and "rare-earths: 1 story" in m.block_plain(reply.caption)
    read = [s for s in statements if "FROM stories" in s]
    assert read and not [s for s in read if re.search(r"\b(analysis|fingerprint|terms)\b", s)], read
