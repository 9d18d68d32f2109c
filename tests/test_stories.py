"""Story clustering: fingerprints, the index, the labelled pairs and corpus, and figure/quote merging.

Run as a script to print the threshold sweep the STORY_THRESHOLD comment quotes:
    .venv/bin/python tests/test_stories.py
"""

from __future__ import annotations

import itertools
import json
import math
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from defusedxml import ElementTree
from shared import SHARED, missing

from bot import stories
from bot.clustering import StoryClusterer, outlet_key
from bot.poller import PollOptions
from bot.settings import load_config
from bot.stories import (
    ANCHOR_PENALTY,
    COMMON_MIN_ITEMS,
    COMMON_SHARE,
    DF_HOURS,
    MERGE_THRESHOLD,
    PLACES_APART,
    SAME_OUTLET,
    SHARED_TITLE_WORDS,
    STORY_THRESHOLD,
    TIME_DECAY_HOURS,
    WALK_TERMS,
    Fingerprint,
    StoryIndex,
    _Anchors,
    _can_anchor,
    _rarest,
    _Weights,
    fingerprint,
    is_newsletter_name,
    is_question_headline,
    is_two_headlines,
    title_without_short_suffix,
    tokens,
)
from summarizer import furniture

DATA = Path(__file__).resolve().parent / "data" / "stories"

ITEMS = SHARED / "feeds-corpus" / "items"
COVERAGE = SHARED / "eval" / "coverage"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]

# Floors: measured values at STORY_THRESHOLD (see the report / the sweep) minus a small margin.
# Measured 0.841 / 0.771 on pairs.yaml (all its pairs are scored as if published at once, so the time decay
# cannot part its written same-entity traps: 0.714 precision on those; the guideline-labelled coverage set,
# tests/test_coverage_gate.py, is the measure that counts).
PAIRS_FLOOR = {"precision": 0.82, "recall": 0.74}
CORPUS_FLOOR = {"precision": 0.96, "recall": 0.70}  # measured 0.978 / 0.724 streaming the items corpus
# The corpus as one planned batch (StoryIndex.plan: the joins above, the mean-link merge, lone items placed last):
# measured 0.981 / 0.846 (0.980 / 0.822 before the merge pass anchored on words another item has, eighteenth session).
CORPUS_PLAN_FLOOR = {"precision": 0.96, "recall": 0.83}
# The coverage set's gold on-topic items planned in hourly cycles, as the running bot plans (coverage_replay):
# measured pairwise 0.977 / 0.933 / 0.954, B-cubed F1 0.965 (F1 0.949, B-cubed 0.960 before SAME_OUTLET; 0.957 / 0.914
# / 0.935, 0.959 when DF_HOURS came in, 0.935 / 0.914 / 0.925, 0.956 with the window's document frequencies before it;
# 0.965 / 0.825 / 0.889, 0.934 before the merge pass's shared anchors).
CYCLES_FLOOR = {"precision": 0.95, "f1": 0.93, "bcubed_f1": 0.955}


# --------------------------------------------------------------------------- evaluation helpers


def pair_scores(threshold: float) -> dict[str, tuple[float, float]]:
    """Precision and recall on tests/data/stories/pairs.yaml, by source and overall."""
    pairs = yaml.safe_load((DATA / "pairs.yaml").read_text(encoding="utf-8"))
    index = StoryIndex()
    fps = []
    for n, p in enumerate(pairs):
        a, b = fingerprint(p["a"]["title"], p["a"]["lead"]), fingerprint(p["b"]["title"], p["b"]["lead"])
        index.load(("a", n), ("a", n), a, T0)  # the pairs' own items give the document frequencies
        index.load(("b", n), ("b", n), b, T0)
        fps.append((a, b))
    out = {}
    for source in ("corpus", "written", "all"):
        tp = fp = pos = 0
        for (a, b), p in zip(fps, pairs, strict=True):
            if source != "all" and p["source"] != source:
                continue
            hit = index.similarity(a, b) >= threshold
            tp += hit and p["same"]
            fp += hit and not p["same"]
            pos += p["same"]
        out[source] = (tp / max(1, tp + fp), tp / max(1, pos))
    return out


def corpus_items() -> list[dict]:
    """The items corpus with hand labels (corpus_clusters.tsv); unlabelled items are stories of their own."""
    labels = {}
    for line in (DATA / "corpus_clusters.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            story, file, title = line.split("\t")
            labels[(file, title)] = story
    items = []
    for path in sorted(ITEMS.glob("*.xml")):
        for node in ElementTree.parse(path).getroot().iter("item"):
            title = node.findtext("title") or ""
            items.append(
                {
                    "key": len(items),
                    "title": title,
                    "lead": node.findtext("description") or "",
                    "published": parsedate_to_datetime(node.findtext("pubDate")),
                    "label": labels.pop((path.name, title), f"single-{len(items)}"),
                }
            )
    assert not labels, f"labelled items not in the corpus: {list(labels)[:3]}"
    return items


def corpus_stream(threshold: float, items: list[dict]) -> tuple[float, float, StoryIndex]:
    """Feed the corpus through a StoryIndex in time order; pairwise precision/recall within 72 h.

    Pairs between a story and its offshoot ('a' and 'a/b' labels) are ambiguous and not scored.
    """
    index = StoryIndex(threshold=threshold)
    for it in sorted(items, key=lambda it: it["published"]):
        index.add(it["key"], it["title"], it["lead"], it["published"])
    precision, recall = corpus_scores(items, index.story_of)
    return precision, recall, index


def corpus_scores(items: list[dict], story_of: Callable[[str], object]) -> tuple[float, float]:
    """Pairwise precision/recall within 72 h of the stories ``story_of`` gives the labelled corpus items."""
    tp = fp = fn = 0
    for a, b in itertools.combinations(items, 2):
        if abs(a["published"] - b["published"]) > timedelta(hours=72):
            continue
        same_label = a["label"] == b["label"]
        if not same_label and a["label"].split("/")[0] == b["label"].split("/")[0]:
            continue
        merged = story_of(a["key"]) == story_of(b["key"])
        tp += merged and same_label
        fp += merged and not same_label
        fn += same_label and not merged
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


# --------------------------------------------------------------------------- fingerprints


def test_tokens_fold_demonyms_stems_and_stop_words() -> None:
    assert tokens("Russia frees U.S. national") == ["russia", "free", "usa", "national"]
    assert tokens("Russian court releases American") == ["russia", "court", "free", "usa"]
    assert tokens("tell us about it") == []  # the pronoun is a stop word; only "US" is the country
    assert tokens("$37BILLION treasure") == ["37", "billion", "treasur"]
    # One spelling of a transliterated name's ending, whichever the outlet uses.
    assert tokens("Zelenskiy") == tokens("Zelenskyy") == tokens("Zelensky") == ["zelensky"]
    assert tokens("Sergei Lavrov") == tokens("Sergey Lavrov") and tokens("Dmitrii") == tokens("Dmitry")
    # Headline verbs outlets swap for one act (bot/data/synonyms.txt).
    assert tokens("FBI sabotaged") == tokens("FBI disrupts") == tokens("FBI dismantled") == ["fbi", "disrupt"]
    assert tokens("secretly warned") == tokens("privately warned") == ["secret", "warn"]
    assert tokens("Senate probe") == tokens("Senate inquiry") == tokens("Senate investigation")
    assert tokens("Sen. Lindsey Graham") == tokens("Senator Lindsey Graham")  # a lawmaker's abbreviated title
    assert tokens("prices soar") == tokens("prices surged") == tokens("prices jump") == ["pric", "rise"]
    assert tokens("shares plunge") == tokens("shares slumped") == tokens("shares fell") == ["shar", "fall"]
    assert tokens("US slaps tariffs") == tokens("US imposes tariffs") and tokens("inks deal") == tokens("signs deal")
    # A compound whose last part folds folds alike, so it meets the two words' bigram (Fingerprint.features).
    assert tokens("cyberespionage") == ["cyberspy"] and tokens("airstrike") == ["airattack"]
    assert fingerprint("cyberespionage").features().keys() & fingerprint("cyber espionage").features().keys() == {
        "cyberspy"
    }
    # A word written closed or open by house style meets itself: the closed form folds to the open form's bigram
    # (bot/data/compounds.txt), which the stemmer's final "e" kept apart ("ceasefir" / "ceas" + "fire").
    for closed, hyphenated in (
        ("ceasefire", "cease-fire"),
        ("peacekeepers", "peace-keepers"),
        ("hardline", "hard-line"),
    ):
        assert set(tokens(closed)) <= fingerprint(hyphenated).features().keys(), closed
    assert tokens("Islam") == ["islam"]  # a part of three letters at least is left before the fold
    # A country's name and its demonyms fold alike, whatever the stemmer makes of the name.
    assert tokens("Ukraine Ukrainians") == ["ukraine", "ukraine"] and tokens("Europe European") == ["europe", "europe"]
    assert tokens("Russia Russian Kremlin") == ["russia"] * 3
    # A capital stands for its government in headlines: "Tokyo and Washington sign pact" / "Japan, US sign pact".
    assert tokens("Tokyo Japanese Japan") == ["japan"] * 3 and tokens("Kinshasa Congolese Congo") == ["congo"] * 3
    assert tokens("Riyadh Saudis") == tokens("Saudi Saudi") and tokens("Ankara Turkish") == tokens("Turkey Turkey")
    # An acronym's plural is the acronym ("EVs" / "EV batteries"), as a word's plural is the word.
    assert tokens("EVs") == tokens("EV") == ["ev"] and tokens("SUVs and CEOs") == ["suv", "ceo"]
    # A stop word's contraction is a stop word, and so is a negated auxiliary; a name's possessive is the name.
    assert tokens("he's willing, they're here, we've won, I'm sure") == ["will", "won", "sure"]
    assert tokens("don't won't isn't can't") == [] and tokens("Putin's O'Brien") == ["putin", "obrien"]


def test_a_lead_is_read_only_as_far_as_its_first_words_and_says_what_all_of_it_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(3)
    words = ["Russia's", "U.S.", "the", "a", "Zelenskiy", "naïve", "Café", "1,200", "x", "released", "of", "Kyiv’s"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 400))) for _ in range(300)]
    texts += ["word" * 300, "the " * 500 + "Lithium", "é" * 50 + " Russia " * 10, ""]
    for text in texts:
        whole = tokens(text)
        for limit in (1, 5, 40):
            assert tokens(text, limit) == whole[:limit], (text[:60], limit)
    # Words are remembered as normalised; a full memory starts again and answers the same.
    monkeypatch.setattr("bot.stories._NORMALISED_MAX", 3)
    memory: dict[str, str] = {}
    monkeypatch.setattr("bot.stories._NORMALISED", memory)
    for text in texts[:50]:
        assert tokens(text) == _plain_tokens(text)
        assert len(memory) <= 3  # bounded: cleared when full


def _plain_tokens(text: str) -> list[str]:
    """tokens() without its memory or its prefix: each word through the rules."""
    from bot.stories import _TOKEN, _fold, _normalised

    return [w for w in map(_normalised, _TOKEN.findall(_fold(text))) if w]


def test_a_fingerprints_title_drops_any_short_suffix() -> None:
    assert title_without_short_suffix("Moscow's fuel stations limit sales amid shortages - Reuters") == (
        "Moscow's fuel stations limit sales amid shortages"
    )
    assert title_without_short_suffix("Critical Metals' Greenland Project - Bloomberg.com") == (
        "Critical Metals' Greenland Project"
    )
    assert title_without_short_suffix("Russia-Ukraine war: talks resume") == "Russia-Ukraine war: talks resume"
    # not only an outlet's: a speaker's too (display keeps it: summarizer.furniture.clean_title)
    assert title_without_short_suffix("Ukraine ready to talk to Russia about prisoners - Zelensky") == (
        "Ukraine ready to talk to Russia about prisoners"
    )


def test_a_newsletter_joins_no_story() -> None:
    # A digest of the day ("Wednesday Briefing") reports no one event: an empty fingerprint, so it starts its own story
    # and nothing joins it, though its summary names an event another item tells.
    assert is_newsletter_name("Wednesday Briefing") and is_newsletter_name(" your thursday briefing ")
    assert not is_newsletter_name("Friday Briefing: Trump Tells Putin to 'STOP!'") and not is_newsletter_name(None)
    digest = fingerprint("Wednesday Briefing", "A Putin-Trump call about Ukraine.")
    assert digest.features() == {}
    index = StoryIndex()
    call = fingerprint("Putin and Trump discuss Ukraine in a call", "A Putin-Trump call about Ukraine.")
    plan = index.plan([("call", call, T0), ("digest", digest, T0 + timedelta(hours=1))], keep=True)
    assert plan["digest"] != plan["call"]
    headline = fingerprint("Putin-Trump call about Ukraine", "A Putin-Trump call about Ukraine.")
    assert index.find(headline, T0 + timedelta(hours=2)) is not None  # the same words under a headline do join


def test_two_headlines_in_one_title_join_no_story() -> None:
    # NPR's Up First (set CD): a day's two headlines, the second after "And,". Its readers keep it apart from the
    # permission's tellings, which it joined on the first headline's words.
    title = "U.S. allows Ukraine to use long-range weapons in Russia. And, Trump's fentanyl plan"
    lead = "President Biden has authorized Ukraine to use U.S.-supplied long-range missiles to strike inside Russia."
    assert is_two_headlines(title) and is_two_headlines("Who are the Americans freed? And, Simone Biles is GOAT")
    assert not is_two_headlines("Trump and Putin talk. And then?") and not is_two_headlines("Russia, US and, China")
    assert not is_two_headlines(None)
    digest = fingerprint(title, lead)
    assert digest.features() == {}
    news = fingerprint("Biden allows Ukraine to strike Russia with long-range U.S. missiles", lead)
    plan = StoryIndex().plan([("news", news, T0), ("digest", digest, T0 + timedelta(hours=1))])
    assert plan["digest"] != plan["news"]


@pytest.mark.parametrize(
    ("title", "asks"),
    [
        # real titles of the fresh sets: yes-or-no questions, analyses that their readers keep apart
        ("Is the US-Ukraine mineral deal a win-win agreement?", True),
        ("Can Donald Trump end Russia\u2019s war in Ukraine?", True),
        ("Analysis: Will Trump fall into Putin\u2019s trap?", True),
        ("Is Russia running out of weapons and manpower for its war in Ukraine? - Al Jazeera", True),
        # explainers asking what or who join their event; a colon is no question; nor is a title without a title
        ("What are the terms of the US-Ukraine minerals deal?", False),
        ("Who is Marc Fogel, the US teacher released by Russia?", False),
        ("Trump says: will talk to Putin", False),
        (None, False),
    ],
)
def test_a_yes_or_no_question_is_an_analysis(title: str | None, asks: bool) -> None:
    assert is_question_headline(title) is asks


def test_a_question_headline_joins_no_story() -> None:
    # Same words as the event's news, asked as a question: the analysis stays apart, while an explainer asking what
    # the deal's terms are joins the news it explains.
    lead = "Ukraine and the United States agreed the terms of a deal on Ukraine's critical minerals."
    news = fingerprint("Ukraine agrees minerals deal with US", lead)
    question = fingerprint("Is the US-Ukraine minerals deal a win-win agreement?", lead)
    explainer = fingerprint("What are the terms of the US-Ukraine minerals deal?", lead)
    assert question.features() == {}
    plan = StoryIndex().plan(
        [
            ("news", news, T0),
            ("question", question, T0 + timedelta(hours=1)),
            ("what", explainer, T0 + timedelta(hours=2)),
        ]
    )
    assert plan["question"] != plan["news"] and plan["what"] == plan["news"]


# Another day's news, then one call told as news, as an explainer and as a video: the kicker names the kind of piece.
OTHER_NEWS = [
    "Fed holds interest rates steady as inflation cools",
    "Hurricane makes landfall in Florida",
    "Apple unveils new iPhone",
    "Stocks rally on jobs report",
    "Wildfires spread across California",
    "Election results in Germany",
    "Oil prices climb after OPEC cut",
    "Court blocks tariff order",
    "Tesla recalls cars over software flaw",
    "Putin hosts Modi in Moscow",
    "Trump signs order on tariffs",
]
ONE_CALL = [
    "Putin agrees to 30-day pause on energy strikes in call with Trump",
    "Key takeaways: what to know about Putin's call with Trump",
    "Watch: Trump and Putin hold phone call",
]  # fmt: skip


def test_the_kind_of_piece_is_no_word_of_its_event() -> None:
    # "What to know", "key takeaways", "explained", "watch", "in pictures", a briefing: a title's rarest words were
    # these, so they were its anchors and it missed the event it tells (bot/data/stop_words.txt).
    assert tokens("Key takeaways: what to know about the sanctions, explained") == ["sanction"]
    assert tokens("Watch: in pictures, the podcast and newsletter briefing") == []
    titles = [*OTHER_NEWS, *ONE_CALL]
    batch = [(f"t{n}", fingerprint(title), T0 + timedelta(minutes=n)) for n, title in enumerate(titles)]
    plan = StoryIndex().plan(batch)
    call = {plan[f"t{n}"] for n in range(len(OTHER_NEWS), len(titles))}
    assert len(call) == 1 and not any(plan[f"t{n}"] in call for n in range(len(OTHER_NEWS)))


def test_fingerprint_json_roundtrip_and_staleness() -> None:
    fp = fingerprint(
        "Russia expels two US diplomats", "Envoys of the US and Britain, Moscow said, have a week to leave."
    )
    assert fp.names == ("russia", "usa")
    again = Fingerprint.from_json(fp.to_json())
    assert again == fp
    assert Fingerprint.from_json(fp.to_json().encode()) == fp
    # Stored before names were kept: none.
    assert Fingerprint.from_json(json.dumps({"v": fp.version, "t": ["a"], "l": []})).names == ()
    with pytest.raises(ValueError, match="stale"):
        Fingerprint.from_json('{"v": 0, "t": [], "l": []}')


def test_names_are_title_words_capitalised_inside_a_sentence() -> None:
    # In the lead, past a sentence's first word; a title in title case says nothing, one in sentence case does.
    lead = "Lynas said it would open a plant in Kalgoorlie. Shares rose."
    assert fingerprint("Lynas to open rare earth plant in Kalgoorlie", lead).names == ("kalgoorli",)
    assert fingerprint("Lynas To Open Rare Earth Plant In Kalgoorlie", "Shares rose.").names == ()
    assert fingerprint("Miner to open a plant in Kalgoorlie", "Shares rose.").names == ("kalgoorli",)
    # The word after an abbreviation reads as a sentence's start; a word the title does not have is no title name.
    assert fingerprint("Mark Milley won't call it war", "Gen. Mark Milley spoke to the Pentagon press.").names == (
        "milley",
    )


def test_a_compound_meets_its_two_words() -> None:
    joined, split = fingerprint("ExxonMobil's lithium move"), fingerprint("Exxon Mobil plans lithium production")
    assert "exxonmobil" in joined.features() and "exxonmobil" in split.features()
    index = StoryIndex()
    index.load("a", "a", fingerprint("Valdoran cyberespionage ring dismantled"), T0)
    index.load("b", "b", fingerprint("Harbour minister opens a dock"), T0)
    probe = fingerprint("Police take apart Valdoran cyber espionage ring")
    assert index.similarity(probe, fingerprint("Valdoran cyberespionage ring dismantled")) > index.similarity(
        probe, fingerprint("Valdoran cyberwar ring dismantled")
    )


def test_repeated_title_in_lead_is_not_double_counted() -> None:
    title = "Moscow's fuel stations limit sales amid shortages"
    assert fingerprint(title + " - Reuters", title + " Reuters").lead == ("reuter",)


# --------------------------------------------------------------------------- the index


def test_add_creates_then_joins() -> None:
    index = StoryIndex()
    first = index.add("reuters-1", "Russian jet collides with US drone over Black Sea", "", T0)
    assert first.created and first.story_key == "reuters-1"
    second = index.add("bbc-1", "Russian fighter jet forces down US drone over Black Sea", "", T0 + timedelta(hours=1))
    assert not second.created and second.story_key == "reuters-1"
    assert second.matched_item == "reuters-1" and second.similarity >= STORY_THRESHOLD
    other = index.add("ap-1", "Sweden finds Europe's largest rare earth deposit", "", T0 + timedelta(hours=2))
    assert other.created
    assert index.stories() == {"reuters-1": ["reuters-1", "bbc-1"], "ap-1": ["ap-1"]}


def test_re_adding_an_item_keeps_its_story() -> None:
    index = StoryIndex()
    index.add("x", "Lynas posts record revenue", "", T0)
    again = index.add("x", "Lynas posts record revenue", "", T0)
    assert not again.created and again.story_key == "x" and len(index) == 1


def test_window_limits_joining() -> None:
    index = StoryIndex(window_hours=72)
    index.add("a", "Russia expels two US diplomats", "", T0)
    late = index.add("b", "Russia expels two US diplomats", "", T0 + timedelta(hours=73))
    assert late.created
    # A story spans one window from its first item: chaining cannot stretch it for ever.
    index = StoryIndex(window_hours=72)
    index.add("a", "Russia expels two US diplomats", "", T0)
    assert not index.add("b", "Russia expels two US diplomats", "", T0 + timedelta(hours=20)).created
    assert not index.add("c", "Russia expels two US diplomats", "", T0 + timedelta(hours=40)).created
    fourth = index.add("d", "Russia expels two US diplomats", "", T0 + timedelta(hours=76))
    assert fourth.created


def test_time_decay_splits_a_later_telling() -> None:
    # The same words two and a half days later are another event (a reaction, a follow-up), not a new outlet.
    index = StoryIndex(window_hours=72)
    index.add("a", "Russia expels two US diplomats", "", T0)
    assert index.add("b", "Russia expels two US diplomats", "", T0 + timedelta(hours=60)).created


def test_find_does_not_mutate_and_load_reloads_known_stories() -> None:
    index = StoryIndex()
    fp = fingerprint("China bans export of rare earth processing technology")
    index.load(41, "cna-9", fp, T0)  # as reloaded from the store: story id 41
    probe = fingerprint("China Bans Exports of Some Rare-Earth Processing Technology")
    found = index.find(probe, T0 + timedelta(hours=2))
    assert found is not None and found.story_key == 41 and len(index) == 1
    assert index.add_fingerprint("bloomberg-3", probe, T0).story_key == 41
    assert index.find(fingerprint("Titanic sub search: what happens next"), T0) is None


# One event told four ways, its first two tellings sharing few words; outlets' other news about the same people.
EVENT = [
    ("Harbour minister presses Valdoran envoy over trawler seizure", "The harbour minister met the Valdoran envoy in Lisbon."),
    ("Lisbon talks on seized trawler end without deal", "Negotiators left the port summit without an agreement on the blockade."),
    ("Harbour minister and Valdoran envoy fail to reach deal on seized trawler", "Talks in Lisbon ended without an agreement on the blockade."),
    ("No deal as Valdoran envoy meets harbour minister on trawler seizure", "The port summit talks in Lisbon ended without agreement."),
]  # fmt: skip
SAME_PEOPLE = [
    ("Harbour minister opens a new container dock", "The harbour minister opened the dock on Monday."),
    ("Valdoran envoy visits a school in Porto", "The Valdoran envoy spoke to pupils."),
    ("Harbour minister faces questions over dredging costs", "Lawmakers questioned the harbour minister."),
    ("Valdoran envoy presents credentials to the president", "The envoy arrived last week."),
    ("Port summit to open in Lisbon on Thursday", "Ministers from twenty countries are expected at the port summit."),
    ("Harbour minister and Valdoran envoy to attend port summit", "Both are expected in Lisbon."),
]  # fmt: skip


def _event_batch() -> list[tuple[str, Fingerprint, datetime]]:
    batch = [
        (f"other-{n}", fingerprint(t, lead), T0 - timedelta(hours=30, minutes=n))
        for n, (t, lead) in enumerate(SAME_PEOPLE)
    ]
    batch += [(f"event-{n}", fingerprint(t, lead), T0 + timedelta(minutes=20 * n)) for n, (t, lead) in enumerate(EVENT)]
    return sorted(batch, key=lambda b: (b[2], b[0]))


def test_plan_merges_the_stories_an_events_first_tellings_started() -> None:
    batch = _event_batch()
    streamed = StoryIndex()
    for key, fp, published in batch:
        streamed.add_fingerprint(key, fp, published)
    # One item at a time, the first two tellings start two stories and the later ones split between them ...
    assert len({streamed.story_of(f"event-{n}") for n in range(4)}) == 2
    index = StoryIndex()
    plan = index.plan(batch)
    # ... planned as a batch, the two stories merge by mean link; the same people's other news stays out of it.
    assert len({plan[f"event-{n}"] for n in range(4)}) == 1
    assert plan["event-0"] == ("new", "event-0")  # the story that started first keeps its key
    assert not any(plan[f"other-{n}"] == plan["event-0"] for n in range(len(SAME_PEOPLE)))
    assert len(index) == 0 and not index.stories()  # the index is left as it was


# An event whose first two tellings share no word (the minister pressing the envoy; the talks ending without a deal),
# while their later tellings both name the trawler and its captain.
SPLIT_EVENT = [
    ("a1", "Harbour minister presses Valdoran envoy", "The harbour minister pressed the Valdoran envoy in a tense meeting."),
    ("b1", "Lisbon talks end without deal", "Negotiators left Lisbon on Friday without a deal."),
    ("a2", "Harbour minister presses Valdoran envoy over trawler Marisol and captain Ferreira", "The harbour minister pressed the Valdoran envoy over the trawler Marisol and its captain Ferreira."),
    ("b2", "Lisbon talks end without deal on trawler Marisol and captain Ferreira", "Negotiators left Lisbon without a deal on the trawler Marisol and its captain Ferreira."),
    ("a3", "Harbour minister presses Valdoran envoy to free trawler Marisol captain Ferreira", "The harbour minister pressed the Valdoran envoy to free the trawler Marisol and captain Ferreira."),
    ("b3", "Lisbon talks on trawler Marisol captain Ferreira end without deal", "Negotiators left Lisbon without a deal to free the trawler Marisol and captain Ferreira."),
]  # fmt: skip


def test_the_merge_pass_finds_partners_through_every_item_of_a_storys_sample() -> None:
    """The first tellings are nobody's neighbours in the other story: only the later items of each story's sample
    (MERGE_SAMPLE) lead to the partner, so a merge pass that looked from fewer of them would keep two stories."""
    batch = [
        (f"other-{n}", fingerprint(t, lead), T0 - timedelta(hours=30, minutes=n))
        for n, (t, lead) in enumerate(SAME_PEOPLE)
    ]
    batch += [
        (key, fingerprint(t, lead), T0 + timedelta(minutes=15 * n)) for n, (key, t, lead) in enumerate(SPLIT_EVENT)
    ]
    batch.sort(key=lambda b: (b[2], b[0]))
    streamed = StoryIndex()
    for key, fp, published in batch:
        streamed.add_fingerprint(key, fp, published)
    assert {streamed.story_of(k) for k in ("a1", "a2", "a3")} == {"a1"}  # one at a time: two stories
    assert {streamed.story_of(k) for k in ("b1", "b2", "b3")} == {"b1"}
    fps = {key: fp for key, fp, _ in batch}
    assert streamed.similarity(fps["a1"], fps["b1"]) < STORY_THRESHOLD
    plan = StoryIndex().plan(batch)
    assert {plan[key] for key, _, _ in SPLIT_EVENT} == {("new", "a1")}


# An event's first telling names the boat and the skipper ("Marisol", "Ferreira"); of the three later tellings only one
# does, the other two say "a fishing boat" and "its skipper".
FIRST_TELLING = (
    "first",
    "Coastguard boards trawler Marisol, detains captain Ferreira",
    "The trawler Marisol was boarded at dawn and captain Ferreira detained.",
)
LATER_TELLINGS = [
    ("l1", "Valdoran coastguard seizes Portuguese fishing boat and arrests its skipper", "Valdora's coastguard seized a Portuguese fishing boat in disputed waters and arrested its skipper."),
    ("l2", "Portugal protests Valdora's seizure of fishing boat, arrest of skipper", "Lisbon summoned Valdora's ambassador after the coastguard seized a fishing boat and arrested its skipper."),
    ("l3", "Valdora seizes Portuguese fishing boat Marisol, arrests skipper Ferreira", "The coastguard seized the fishing boat Marisol in disputed waters and arrested its skipper, Ferreira."),
]  # fmt: skip


@pytest.mark.parametrize("first_at", [0, 90])
def test_a_lone_item_joins_the_story_it_would_have_joined_last_whichever_came_first(first_at: int) -> None:
    """Published first, the telling has no story to join, and the mean of its links to the later tellings' story is
    under the threshold (only one of them names the boat); published last, it joins that one teller's story. Planned
    as a batch, it is placed the same either way; the same people's other news stays out."""
    batch = [
        (f"other-{n}", fingerprint(t, lead), T0 - timedelta(hours=30, minutes=n))
        for n, (t, lead) in enumerate(SAME_PEOPLE)
    ]
    batch += [
        (key, fingerprint(t, lead), T0 + timedelta(minutes=20 * (n + 1)))
        for n, (key, t, lead) in enumerate(LATER_TELLINGS)
    ]
    key, title, lead = FIRST_TELLING
    batch.append((key, fingerprint(title, lead), T0 + timedelta(minutes=first_at)))
    batch.sort(key=lambda b: (b[2], b[0]))
    index = StoryIndex()
    plan = index.plan(batch, keep=True)
    fps = {key: fp for key, fp, _ in batch}
    links = [index.similarity(fps["first"], fps[k]) for k, _, _ in LATER_TELLINGS]
    assert sum(links) / len(links) < MERGE_THRESHOLD <= max(links)  # the mean link alone would leave it out
    assert len({plan[k] for k in ("first", "l1", "l2", "l3")}) == 1
    assert not any(plan[f"other-{n}"] == plan["first"] for n in range(len(SAME_PEOPLE)))


# A company's first telling of its plan says "play" and "bet"; the later tellings name the place. The one that also says
# "drone" (l1) has "coming" and "Tasmania" as its two rarest words, and its third is tied among "drone", "mine" and
# "Norvex", two of which the first telling has: three anchors meet, two do not.
PLAN_TELLINGS = [
    ("first", "Norvex Makes Cobalt Play in Long-Term Bet on Drone Battery Demand", "The chemicals company aims to become a major supplier of the metal for drone battery makers by 2035.", 0),
    ("l1", "A cobalt mine for drone batteries is coming to Tasmania, says Norvex", "With drone incentives tied to domestic battery content, cobalt mines are needed.", 100),
    ("l2", "Norvex Plans to Produce Cobalt in Tasmania", "The move is the chemical giant's first foray in the production of a metal vital for drone batteries.", 200),
    ("l3", "Norvex's 'Back-To-The Future' Mining Move", "Mining has not been a comfortable business for chemical giant Norvex in the past but its plan to produce cobalt, an important battery metal, should wipe away memories.", 750),
]  # fmt: skip
SAME_MARKET = [
    ("m1", "Kalvik cuts cobalt price outlook as drone sales slow", "The chemicals maker said prices for the battery metal would stay weak.", -27 * 60),
    ("m2", "Oresund state miner and Brightsalt near cobalt mine partnership deal", "The state copper miner is in talks with the cobalt producer over the northern salt flat.", -23 * 60),
    ("m3", "Magnet maker Tervola posts lower quarterly profit at its mines", "Prices for the magnet metals fell during the quarter.", -4 * 60),
    ("m4", "Dravia tightens graphite export rules for battery makers", "New permits are needed for shipments of the battery material from December.", -2 * 60),
]  # fmt: skip


def test_a_lone_first_telling_reads_as_many_anchors_as_the_mean_link() -> None:
    """Placed after the merges, an event's first telling joins the story its later tellings made when it meets one of
    them on one of that item's MERGE_ANCHORS rarest words (with two, as joining reads, it stayed alone); the same
    market's other news stays apart."""
    batch = sorted(
        ((key, fingerprint(t, lead), T0 + timedelta(minutes=m)) for key, t, lead, m in PLAN_TELLINGS + SAME_MARKET),
        key=lambda b: b[2],
    )
    plan = StoryIndex().plan(batch)
    assert len({plan[key] for key, *_ in PLAN_TELLINGS}) == 1
    assert len({plan[key] for key, *_ in SAME_MARKET} | {plan["first"]}) == len(SAME_MARKET) + 1


# Six tellings of one seizure and a late seventh; only e6 says that Lisbon summoned the ambassador. Hours later, Lisbon
# summons him again and weighs sanctions: a next step, close to that one telling (0.27) and to none of the others.
SEIZURE = [
    ("e1", "Valdora seizes Portuguese fishing boat Marisol in disputed waters", "The Valdoran coastguard boarded the trawler Marisol at dawn and escorted it to port.", 0),
    ("e2", "Valdoran coastguard seizes Portuguese trawler Marisol, arrests skipper", "The trawler Marisol and its skipper were taken to the port of Sarna.", 40),
    ("e3", "Seized Portuguese trawler Marisol held at Sarna port", "The boat Marisol and its crew of nine are held in Sarna, the coastguard said.", 60),
    ("e4", "Fishing boat Marisol seized by Valdora; skipper Ferreira held in Sarna", "Valdora's coastguard says the Marisol was fishing illegally in its waters.", 80),
    ("e5", "Coastguard boards trawler Marisol, detains captain Ferreira", "The trawler Marisol was boarded at dawn and captain Ferreira detained.", 100),
    ("e6", "Valdora seizes Portuguese boat Marisol; Lisbon summons ambassador", "The Valdoran coastguard seized the fishing boat Marisol; Lisbon summoned the ambassador.", 120),
    ("late", "Valdora keeps trawler Marisol and skipper Ferreira in Sarna", "The Valdoran coastguard said the fishing boat Marisol and its skipper stay in Sarna.", 300),
]  # fmt: skip
NEXT_STEP = (
    "next",
    "Lisbon summons ambassador again, weighs trade sanctions on Valdora",
    "Portugal's foreign minister said Lisbon was weighing trade sanctions after summoning the ambassador for a second time.",
    600,
)


@pytest.mark.parametrize("planned", [True, False])
def test_an_item_close_to_one_telling_only_does_not_chain_into_its_story(planned: bool) -> None:
    """Joining follows the single most similar item, but the item must also be close enough to the story's first
    items on the whole (JOIN_MEAN): the next step stays apart, a late telling like the others joins. Planned as one
    batch and added one at a time alike."""
    batch = [(key, fingerprint(t, lead), T0 + timedelta(minutes=m)) for key, t, lead, m in [*SEIZURE, NEXT_STEP]]
    index = StoryIndex()
    if planned:
        story = index.plan(batch)
    else:
        story = {key: index.add_fingerprint(key, fp, at).story_key for key, fp, at in batch}
    assert len({story[key] for key, *_ in SEIZURE}) == 1
    assert story["next"] != story["e1"]


# A general's press conference told three times, each telling with words of its own, and the same day's other news.
PRESS = [
    ("p1", "General Okoro 'not sure yet' whether jet's collision with drone was deliberate", "Army chief Amara Okoro told reporters the Talvan fighter's collision with the surveillance drone over the Keld Sea may not have been intentional.", 0),
    ("p2", "'Incidents happen': Okoro won't call Talvan jet's downing of drone an act of war", "General Okoro said the Talvan pilot's collision with the drone over the Keld Sea was no act of war.", 50),
    ("p3", "Okoro: drone downed by Talvan jet may never be recovered from Keld Sea", "The drone that a Talvan fighter forced down lies in deep water, General Okoro said, and may not be recovered.", 300),
]  # fmt: skip
PRESS_DAY = [
    ("d1", "Talvan fighter jet forces down surveillance drone over Keld Sea", "A Talvan fighter collided with an unmanned surveillance drone, which crashed into the Keld Sea, the military said.", -1300),
    ("d2", "Talvan jet collides with drone, which crashes into Keld Sea", "An unmanned drone crashed into the Keld Sea after a Talvan fighter jet struck its propeller, officials said.", -1250),
    ("x1", "Talvan navy begins week of drills in the Keld Sea", "Warships and submarines of the Talvan navy began exercises off the coast on Wednesday.", 100),
    ("x3", "Army chief Okoro to visit troops in the north next week", "General Amara Okoro will tour the northern garrisons, the ministry said.", 400),
]  # fmt: skip


def test_the_merge_pass_anchors_on_words_another_item_has() -> None:
    """In the merge pass every item of the batch is in the index: a title's anchors are its rarest words that another
    item has too. A word of its own can only miss, so with such words as anchors two tellings that each have some
    ("not sure yet", "may never be recovered") never shared one, and the last telling stayed a story of its own."""
    batch = sorted(
        ((key, fingerprint(t, lead), T0 + timedelta(minutes=m)) for key, t, lead, m in PRESS + PRESS_DAY),
        key=lambda b: b[2],
    )
    plan = StoryIndex().plan(batch)
    press = {plan[key] for key, *_ in PRESS}
    assert len(press) == 1
    assert not any(plan[key] in press for key, *_ in PRESS_DAY)  # the downing the day before, the drills, the tour


def _press_day(outlets: dict[str, str], rewrite: bool = False) -> list[tuple[str, Fingerprint, datetime]]:
    """PRESS and PRESS_DAY in time order, each item told by ``outlets[key]``; ``rewrite``: p3 is p1 told again."""
    texts = {key: (t, lead) for key, t, lead, _ in PRESS + PRESS_DAY}
    if rewrite:
        texts["p3"] = (
            "General Okoro 'not yet sure' whether the jet's collision with drone was deliberate",
            texts["p1"][1],
        )
    return sorted(
        (
            (key, replace(fingerprint(*texts[key]), outlet=outlets[key]), T0 + timedelta(minutes=m))
            for key, _, _, m in PRESS + PRESS_DAY
        ),
        key=lambda b: b[2],
    )


@pytest.mark.parametrize("planned", [True, False])
def test_an_outlet_tells_an_event_once_unless_it_tells_it_again(planned: bool) -> None:
    """SAME_OUTLET: the press conference's third telling joins the story of the first two when a third outlet tells it,
    but not when it comes from the first telling's outlet and is not close to that telling (its later news, its
    analysis); a rewrite of that telling joins. Planned as one batch and added one at a time alike."""
    outlets = {"p1": "a", "p2": "b", "p3": "c", "d1": "d", "d2": "e", "x1": "a", "x3": "b"}

    def stories_of(batch: list[tuple[str, Fingerprint, datetime]]) -> dict[str, Hashable]:
        index = StoryIndex()
        if planned:
            return index.plan(batch)
        return {key: index.add_fingerprint(key, fp, at).story_key for key, fp, at in batch}

    third_outlet = stories_of(_press_day(outlets))
    assert third_outlet["p3"] == third_outlet["p1"] == third_outlet["p2"]
    first_outlet = stories_of(_press_day(outlets | {"p3": "a"}))
    assert first_outlet["p2"] == first_outlet["p1"] != first_outlet["p3"]
    index = StoryIndex()
    for key, fp, at in _press_day(outlets):
        index.load(key, key, fp, at)
    (p1, first), (p3, rewrite) = ((fp, at) for key, fp, at in _press_day(outlets, rewrite=True) if key in ("p1", "p3"))
    decay = math.exp(-(rewrite - first) / timedelta(hours=TIME_DECAY_HOURS))
    assert index.similarity(p1, p3) * decay >= SAME_OUTLET  # the rewrite is close, five hours on
    rewritten = stories_of(_press_day(outlets | {"p3": "a"}, rewrite=True))
    assert rewritten["p3"] == rewritten["p1"]


def test_outlet_keys_and_their_fingerprints() -> None:
    """An item is its feed's, and within an aggregator's feed the outlet its summary names after repeating the title
    (the stored title has lost its suffix); the key is kept in the stored fingerprint, and a fingerprint stored before
    it was has none."""
    title = "Russia expels two US diplomats"
    assert outlet_key(title, f"{title}  Reuters", 3) == "feed:3:reuters"
    assert outlet_key(title, f"{title}  The Washington Ledger", 3) == "feed:3:the washington ledger"
    assert outlet_key(title, "Moscow ordered two American diplomats to leave within a week.", 3) == "feed:3"
    assert outlet_key(title, title, 3) == outlet_key(title, None, 3) == outlet_key(None, None, 3) == "feed:3"
    assert outlet_key(title, None, 3) != outlet_key(title, None, 4)
    # a title's own " - report" or " - PM" is a word or a speaker, never an outlet
    assert outlet_key("Talks to resume - report", "Officials said talks would resume.", 3) == "feed:3"
    fp = replace(fingerprint("Russia expels two US diplomats", "Moscow ordered them out."), outlet="feed:3")
    assert Fingerprint.from_json(fp.to_json()) == fp
    old = json.loads(fp.to_json())
    del old["o"]
    assert Fingerprint.from_json(json.dumps(old)).outlet is None


def test_plan_joins_known_stories_but_never_merges_two() -> None:
    batch = _event_batch()
    index = StoryIndex()
    for key, fp, published in batch:
        if key in ("event-0", "event-1"):
            index.load(key.upper(), key, fp, published)  # two known stories, as reloaded from the store
    plan = index.plan([b for b in batch if b[0] not in ("event-0", "event-1")])
    assert {plan["event-2"], plan["event-3"]} <= {"EVENT-0", "EVENT-1"}  # later tellings join them ...
    assert index.stories() == {"EVENT-0": ["event-0"], "EVENT-1": ["event-1"]}  # ... which stay two, unchanged
    # Planning is deterministic: the same batch gives the same plan; an item already in the index stays where it is.
    assert index.plan([b for b in batch if b[0] not in ("event-0", "event-1")]) == plan
    assert index.plan(batch[-1:] + [b for b in batch if b[0] == "event-0"])["event-0"] == "EVENT-0"


def test_a_kept_plan_leaves_the_index_as_loading_the_planned_items_would() -> None:
    """plan(keep=True), then each new story renamed and each item rekeyed, is the index that plan() and loading
    every item into its story gives; the next batch is planned the same on both."""
    batch = _event_batch()
    first, later = batch[:-2], batch[-2:]

    def stored(plan: dict[Any, Any]) -> dict[Any, Any]:  # the story ids a store would give
        return {key: f"S{target[1]}" if isinstance(target, tuple) else target for key, target in plan.items()}

    loaded, kept = StoryIndex(), StoryIndex()
    plan = loaded.plan(first)
    assert kept.plan(first, keep=True) == plan
    for key, fp, published in first:
        loaded.load(stored(plan)[key], ("item", key), fp, published)
    assert kept.story_of("event-0") == ("new", "event-0") and len(kept) == len(first)  # held as planned
    for target in {t for t in plan.values() if isinstance(t, tuple)}:
        kept.rename(target, f"S{target[1]}")
    for key, _, _ in first:
        kept.rekey(key, ("item", key))
    assert kept.stories() == loaded.stories() and kept._first == loaded._first
    assert kept._members == loaded._members == {s: set(keys) for s, keys in loaded.stories().items()}
    assert kept.plan(later) == loaded.plan(later)
    kept.rekey(("item", "event-0"), ("item", "event-1"))  # a key already held is replaced, as load() replaces it
    assert len(kept) == len(first) - 1 and kept.story_of(("item", "event-1")) == stored(plan)["event-0"]


def _template_batch(companies: list[str], cities: list[str]) -> list[tuple[int, Fingerprint, datetime]]:
    """Different companies' announcements in one wire template, at one moment: different events, however alike."""
    verbs = ["open", "expand", "build", "restart", "license", "refit", "upgrade", "insure"]
    batch = []
    for k, (c, city, verb) in enumerate(zip(companies, cities, verbs, strict=True)):
        lead = (
            f"{c} said it would {verb} a rare earth facility in {city} as buyers seek supply outside China. "
            f"The {city} project will cost ${(k + 2) * 37} million and is expected to produce {(k + 1) * 450} tonnes "
            f'of neodymium oxide a year. "We are building the supply chain the West needs," the chief executive said.'
        )
        title = f"{c} to {verb} rare earth {['magnet', 'separation', 'refining', 'oxide'][k % 4]} plant in {city}"
        batch.append((k, fingerprint(title, lead), T0))
    return batch


def test_plan_keeps_same_day_announcements_in_one_template_apart_whatever_their_names_spell() -> None:
    # A cold start: in an index of a few items, a company's name, its city and the template's "magnet" are each in one
    # document, tied as anchors. Which of them anchors must not depend on the alphabet: with ties broken
    # alphabetically, these names kept seven stories and the same names spelled late in the alphabet five.
    plain = _template_batch(
        ["Lynas", "MP Materials", "Iluka", "Arafura", "Neo", "Ucore", "Energy Fuels", "Rainbow Rare Earths"],
        ["Kalgoorlie", "Fort Worth", "Perth", "Narva", "Tokyo", "Louisiana", "Utah", "Phalaborwa"],
    )
    late = _template_batch(
        ["Zylas", "Wolf Materials", "Yluka", "Xarafura", "Vneo", "Wucore", "Zenergy Fuels", "Yrainbow Rare Earths"],
        ["Zalgoorlie", "Yort Worth", "Xerth", "Wnarva", "Tokyo", "Youisiana", "Utah", "Zhalaborwa"],
    )
    partitions = []
    for batch in (plain, late):
        streamed = StoryIndex()
        for key, fp, published in batch:
            streamed.add_fingerprint(key, fp, published)
        planned = StoryIndex().plan(batch)
        assert len(set(planned.values())) == len(streamed.stories())
        partitions.append(sorted(sorted(map(str, members)) for members in streamed.stories().values()))
    assert partitions[0] == partitions[1]
    # 4 today: in so small an index "magnet" is as rare as a name, and the template's leads weigh as much as the names
    # (docs/CLUSTERING.md, eleventh session).
    assert len(partitions[0]) >= len(plain) // 2


def test_a_story_told_by_a_large_share_of_the_index_still_gains_tellings() -> None:
    # Words in more than COMMON_SHARE of a large index are not walked for candidates (speed). When one event is told
    # by that many items (a big day's story; the scale-out test's worker batches), every word of its next telling
    # is such a word: its title's rarest words are walked anyway, or it would start a second story of the event.
    index = StoryIndex()
    for n in range(COMMON_MIN_ITEMS):
        words = " ".join(f"w{n}x{k}" for k in range(4))
        index.add(f"filler-{n}", f"Filler {words}", "", T0)
    title, lead = "Hastings drought blocks Gascoyne", "Officials in Gascoyne said the drought would reach Hastings."
    told = [index.add(f"outlet-{k}", title, lead, T0 + timedelta(minutes=k)) for k in range(COMMON_MIN_ITEMS // 5)]
    assert len(told) > COMMON_SHARE * len(index)  # the event's words are all "common" now
    assert told[0].created and not any(a.created for a in told[1:])
    assert {a.story_key for a in told} == {"outlet-0"}


def test_a_plan_does_not_depend_on_the_keys_of_items_published_at_once() -> None:
    # The poller plans with store ids, which follow the order in which feeds answered; items published at the same
    # moment (wire copies, aggregators) must be grouped alike whatever their ids. Random batches of one small
    # vocabulary, ids in batch order and reversed. Before plan() worked by place in the batch, ties among equal
    # publication times were broken by key, and seed 30 grouped differently.
    words = ["russia", "usa", "sanction", "oil", "bank", "talks", "summit", "drone", "black", "sea", "jet", "nuclear"]
    words += ["treaty", "lavrov", "blinken", "moscow", "kyiv", "grain", "deal"]
    for seed in range(40):
        rng = random.Random(seed)
        items = []
        for n in range(rng.randint(10, 24)):
            title = " ".join(rng.sample(words, rng.randint(3, 6)))
            lead = " ".join(rng.sample(words, rng.randint(4, 10)))
            items.append((f"item-{n:02d}", fingerprint(title, lead), T0 + timedelta(minutes=rng.choice([0, 0, 0, 30]))))
        items.sort(key=lambda i: (i[2], i[0]))
        groupings = []
        for ids in ([100 + n for n in range(len(items))], [1000 - n for n in range(len(items))]):
            plan = StoryIndex().plan([(i, fp, published) for i, (_, fp, published) in zip(ids, items, strict=True)])
            story_of = {name: plan[i] for i, (name, _, _) in zip(ids, items, strict=True)}
            groups: dict[Any, set[str]] = {}
            for name, story in story_of.items():
                groups.setdefault(story, set()).add(name)
            groupings.append(sorted(sorted(g) for g in groups.values()))
        assert groupings[0] == groupings[1], seed


def test_rename_and_prune() -> None:
    index = StoryIndex(window_hours=24)
    created = index.add("item-1", "Russia expels two US diplomats", "", T0)
    assert index.rename(created.story_key, 7) == 1
    assert index.add("item-2", "Moscow expels two U.S. diplomats", "", T0 + timedelta(hours=1)).story_key == 7
    assert index._members == {7: {"item-1", "item-2"}}
    assert index.prune(T0 + timedelta(hours=49)) == 1  # older than two windows
    assert index.prune(T0 + timedelta(hours=51)) == 1 and len(index) == 0
    assert not index._members  # a story's members go with its items


def test_older_items_count_in_the_document_frequencies_and_are_never_candidates() -> None:
    """The IDF counts the DF_HOURS before the window (StoryIndex.count, and prune for the items it retires): an event's
    words that older stories used weigh less, but an old item is never joined."""
    old = fingerprint("Lithium prices slump as Chile expands output", "Chile's lithium output rose.")
    index = StoryIndex(window_hours=24)
    before = index._idf("lithium")
    index.count("old-1", old, T0 - timedelta(days=10))
    index.count("old-1", old, T0 - timedelta(days=10))  # counted once, however often it is reloaded
    assert index._idf("lithium") < before and index._documents() == 1 and len(index) == 0
    assert index.find(old, T0) is None  # counted only: nothing to join
    index.load("story-1", "old-1", old, T0 - timedelta(hours=1))  # its story was updated: a candidate again
    assert len(index) == 1 and index._documents() == 1 and index._vectors.count("lithium") == 1
    assert index.find(old, T0) is not None
    # prune: out of the candidates after two windows, out of the counts after DF_HOURS
    assert index.prune(T0 + timedelta(days=3)) == 1 and len(index) == 0 and index._documents() == 1
    assert index.prune(T0 + timedelta(hours=DF_HOURS)) == 0 and index._documents() == 0
    assert "lithium" not in index._vectors.ids


def test_array_scoring_agrees_with_the_python_cosine_and_reuses_term_numbers() -> None:
    """Lookups score their candidates with numpy (bot.stories._Vectors): the same cosines as the Python form, and a
    long-running index (items pruned, new ones loaded) keeps numbers only for the terms it holds."""
    index = StoryIndex(window_hours=24)
    texts = SAME_PEOPLE + EVENT
    for n, (title, lead) in enumerate(texts):
        fp = fingerprint(title, lead)
        index.load(f"s{n}", f"i{n}", fp, T0 + timedelta(minutes=n))
        length = math.sqrt(sum((v * index._idf(t)) ** 2 for t, v in fp.features().items()))
        assert index._norms[index._items[f"i{n}"].slot] == pytest.approx(length, rel=1e-12)
    items = list(index._items.values())
    idf = index._idf
    for a in items:
        weights = _Weights({t: v * idf(t) for t, v in a.tf.items()})
        arrays = index._vectors.cosines(weights, items, len(index))
        python = [index._cosine(weights, {t: v * idf(t) for t, v in b.tf.items()}) for b in items]
        assert arrays == pytest.approx(python, rel=1e-12, abs=1e-15)
        assert max(arrays) == pytest.approx(1.0) and min(arrays) >= 0.0

    days = int(DF_HOURS // 24) + 2
    numbered = 0
    for day in range(1, 2 * days):  # a new set of words every day, the old ones pruned, then no longer counted
        when = T0 + timedelta(days=day)
        for n in range(3):
            index.add(
                f"d{day}-{n}", f"Quarry{day} council{day} votes on dredging plan {n}", f"Lead{day} words{n}", when
            )
        index.prune(when)
        held = Counter(t for item in index._items.values() for t in item.tf)
        held.update(index._vectors.terms[i] for _, ids in index._counted.values() for i in ids.tolist())
        assert set(index._vectors.ids) == set(held)  # a number for each term held or counted, no more
        assert all(index._vectors.count(t) == n for t, n in held.items())  # the document frequencies the IDF reads
        assert all(item.published >= when - 2 * index.window for item in index._items.values())
        assert all(published >= when - timedelta(hours=DF_HOURS) for published, _ in index._counted.values())
        if day == days:
            numbered = len(index._vectors.terms)  # how many numbers were ever given out
    # Past the horizon a day's words leave as the next day's come: their numbers are given out again, no new ones.
    assert len(index._vectors.terms) == numbered


def test_postings_by_slot_sum_as_the_terms_say_through_removals_and_compaction() -> None:
    """A lookup's dot products (summed in numpy over slot-numbered postings) are each indexed item's TF-IDF dot
    product over the terms walked, however many items came and went (slots compacted in load order)."""
    rng = random.Random(7)
    vocabulary = sorted({"".join(rng.choices("bcdfghklmnprstvz", k=4)) + "ax" for _ in range(300)})
    index = StoryIndex(window_hours=24)
    compactions = 0
    for day in range(12):  # 12 x 250 items loaded, those older than two windows pruned: slots compacted
        when = T0 + timedelta(days=day)
        for n in range(250):
            index.add(f"d{day}-{n}", " ".join(rng.sample(vocabulary, 8)), " ".join(rng.sample(vocabulary, 6)), when)
        before, norms = len(index._keys), {key: index._norms[item.slot] for key, item in index._items.items()}
        index.prune(when)
        compactions += len(index._keys) < before
        assert all(index._norms[item.slot] == norms[key] for key, item in index._items.items())  # moved with them
        assert len(index._keys) <= 2 * len(index) + 1024
        assert all(index._keys[item.slot] == key for key, item in index._items.items())
    assert compactions > 0
    idf = index._idf
    for _ in range(20):
        tf = fingerprint(" ".join(rng.sample(vocabulary, 5)), " ".join(rng.sample(vocabulary, 3))).features()
        walked = [t for t in tf if 0 < len(index._postings.get(t, ())) <= COMMON_SHARE * len(index)]  # candidates'
        assert len(tf) <= WALK_TERMS
        acc = index._dot_products(tf, {t: v * idf(t) for t, v in tf.items()}, idf)
        got = {key: acc[item.slot] for key, item in index._items.items() if acc[item.slot]}
        expected = {
            key: dot
            for key, item in index._items.items()
            if (dot := sum(tf[t] * idf(t) ** 2 * item.tf[t] for t in walked if t in item.tf))
        }
        assert got.keys() == expected.keys()
        assert [got[k] for k in got] == pytest.approx([expected[k] for k in got], rel=1e-12)


def test_anchors_tied_in_rarity_do_not_depend_on_the_order_words_come_in() -> None:
    # A title reaches _rarest as a frozenset, whose order follows the process's string hashing: ties must not.
    words = ["treaty", "exit", "nuclear", "ban"]
    counts = [1.0, 1.0, 3.0, 1.0]
    answers = {_rarest([words[i] for i in p], [counts[i] for i in p], 2) for p in itertools.permutations(range(4))}
    assert answers == {_Anchors(sure=(), tied=("ban", "exit", "treaty"), need=2)}


def test_tied_anchors_count_by_their_chance_over_every_choice() -> None:
    anchors = _rarest(["treaty", "exit", "nuclear", "ban", "russia"], [1.0, 1.0, 3.0, 1.0, 0.0], 2)
    assert anchors == _Anchors(sure=("russia",), tied=("ban", "exit", "treaty"), need=1)
    assert anchors.miss({"russia"}) == 0.0  # a sure anchor found
    assert anchors.miss({"nuclear"}) == 1.0  # not an anchor in any choice
    assert anchors.miss({"ban"}) == pytest.approx(2 / 3)  # the one tied anchor is "ban" in one choice of three
    assert anchors.miss({"ban", "exit", "treaty"}) == 0.0
    assert _rarest(["exit", "ban"], [1.0, 1.0], 2) == _Anchors(sure=("ban", "exit"), tied=(), need=0)
    # A similarity is its mean over the choices. Item a's one anchor is "exit" or "ban", alike; b has "ban" in its lead
    # (not its title) and none of b's anchors is in a: in half the choices the pair is anchored, in half penalised.
    title_a, title_b = frozenset({"exit", "ban", "nuclear"}), frozenset({"duma", "vote"})
    a, b = dict.fromkeys(title_a, 1.0), dict.fromkeys({*title_b, "ban"}, 1.0)
    anchors_a, anchors_b = _Anchors((), ("ban", "exit"), 1), _Anchors(("duma",), (), 0)
    got = StoryIndex()._anchored(0.4, a, title_a, b, title_b, lambda t: 1.0, anchors_a, 2, anchors_b)
    assert got == pytest.approx(0.5 * 0.4 + 0.5 * 0.4 * ANCHOR_PENALTY)


def test_titles_sharing_five_words_are_anchored_whatever_their_rarest_words() -> None:
    """Each title's two rarest words are its own, but five words in common say one event: no anchor penalty, and the
    titles' own overlap counts."""
    a = fingerprint("Putin backs U.S. ceasefire idea for Ukraine in principle, but suggests it needs reworking")
    b = fingerprint("Russia's Putin backs idea of Ukraine ceasefire, but voices doubts")
    assert len(set(a.title) & set(b.title)) == SHARED_TITLE_WORDS
    index = StoryIndex()
    for n, title in enumerate(
        ["Putin meets Xi in Beijing", "Ukraine war: Kyiv hit by drones", "US weighs new tariffs"]
    ):
        index.add(f"bg-{n}", title, "", T0 - timedelta(hours=n + 1))
    fa, fb = a.features(), b.features()
    idf = index._idf
    cosine = index._cosine({t: v * idf(t) for t, v in fa.items()}, {t: v * idf(t) for t, v in fb.items()})
    assert index.similarity(a, b) >= cosine > STORY_THRESHOLD
    # four words in common (no "Ukraine" in the first): the anchors decide, as before, and mostly miss
    c = fingerprint("Putin backs U.S. ceasefire idea in principle, but suggests it needs reworking")
    assert len(set(c.title) & set(b.title)) == SHARED_TITLE_WORDS - 1
    fc = c.features()
    cosine = index._cosine({t: v * idf(t) for t, v in fc.items()}, {t: v * idf(t) for t, v in fb.items()})
    assert index.similarity(c, b) < cosine


def test_titles_naming_places_the_other_never_names_are_news_from_two_places(monkeypatch: pytest.MonkeyPatch) -> None:
    """One kind of news from two countries (a minerals deal with Ukraine, one with Congo) is two stories: their
    similarity is multiplied by PLACES_APART. Not when the other item names the country in its lead, or by one of its
    leaders ("Putin" for Russia), and not when only one title names a place the other does not."""
    index = StoryIndex()
    for n, title in enumerate(
        ["Putin meets Xi in Beijing", "Ukraine war: Kyiv hit by drones", "US weighs new tariffs"]
    ):
        index.add(f"bg-{n}", title, "", T0 - timedelta(hours=n + 1))

    def penalised(a: Fingerprint, b: Fingerprint) -> bool:
        with monkeypatch.context() as m:
            m.setattr(stories, "PLACES_APART", 1.0)
            unpenalised = index.similarity(a, b)
        got = index.similarity(a, b)
        assert got == pytest.approx(unpenalised) or got == pytest.approx(PLACES_APART * unpenalised)
        return unpenalised > 0 and got < unpenalised

    ukraine = fingerprint("What is in the US-Ukraine minerals deal?", "The deal sets up a reconstruction fund.")
    congo = fingerprint("US pushes Congo, Rwanda for minerals deal", "Washington wants a peace accord first.")
    assert penalised(ukraine, congo)
    # the Congo deal's telling that names Ukraine in its lead: Ukraine is not unknown to it
    assert not penalised(ukraine, fingerprint("US pushes Congo, Rwanda for minerals deal", "After the Ukraine deal."))
    # Russia named by its leader: "Putin backs U.S. ceasefire idea" names Russia for the other title
    a = fingerprint("Putin backs U.S. ceasefire idea for Ukraine in principle, but suggests it needs reworking")
    b = fingerprint("Russia's Putin backs idea of Ukraine ceasefire, but voices doubts")
    assert not penalised(a, b)
    # only one title names a place the other never names
    assert not penalised(fingerprint("US and Ukraine sign minerals deal"), fingerprint("Minerals deal signed at last"))
    # every leader stands for a country of the list (a country missing there would leave its leaders unread)
    assert set(stories._LEADERS) <= stories._COUNTRIES and all(stories._LEADERS.values())


def test_a_slow_topics_tellings_decay_over_its_own_hours_and_a_mixed_pair_at_the_faster() -> None:
    """``hours``: an item's time decay reaches 1/e after that many hours apart; a pair decays at the faster of its two
    items' rates, so only two tellings of slow topics are joined across more hours."""
    title, lead = "Norway finds rare earths on its seabed", "The study found copper, zinc and rare earth metals."
    later = T0 + timedelta(hours=40)
    for first, second, expected in ((24.0, 24.0, 24.0), (48.0, 48.0, 48.0), (48.0, 24.0, 24.0), (24.0, 48.0, 24.0)):
        index = StoryIndex()
        index.add("bg", "US weighs new tariffs", "", T0 - timedelta(hours=2))
        index.add("first", title, lead, T0, hours=first)
        same_moment = index.find(fingerprint(title, lead), T0, hours=second)
        found = index.find(fingerprint(title, lead), later, hours=second)
        assert same_moment is not None and found is not None and found.matched_item == "first"
        assert found.similarity == pytest.approx(
            same_moment.similarity * math.exp(-40 / expected), abs=2e-4
        )  # (rounded)


def test_two_lone_items_of_one_outlet_are_not_both_placed_in_one_story() -> None:
    """The merge pass places each lone item in a story that began after it, as it would have coming last. Two lone
    tellings of one outlet sharing no word can each be placed in the same later story; the second must then meet the
    outlet rule against the first, as every join and merge does (SAME_OUTLET): one at a time, they never meet."""
    rows = [  # key, outlet, title, lead, minutes
        ("x1", "O", "mendix gandor pirno kavrol dormat", "", 0),
        ("x2", "O", "yelvin pasket zarbin brosko", "", 5),
        ("t0", "o0", "sulvat brosko gandor", "tindal", 10),
        ("t1", "o1", "nuvrel yelvin sulvat", "quenby yelvin", 15),
        ("t2", "o2", "velisk fensik nuvrel", "crambo fensik sulvat lopret", 20),
    ]
    batch = [(k, replace(fingerprint(t, lead), outlet=o), T0 + timedelta(minutes=m)) for k, o, t, lead, m in rows]
    fps = {k: fp for k, fp, _ in batch}
    assert StoryIndex().similarity(fps["x1"], fps["x2"]) == 0.0 < SAME_OUTLET
    streamed = StoryIndex()
    one_at_a_time = {k: streamed.add_fingerprint(k, fp, at).story_key for k, fp, at in batch}
    assert one_at_a_time["x1"] != one_at_a_time["x2"]
    planned = StoryIndex().plan(batch)
    assert planned["x1"] != planned["x2"], planned
    assert planned["t0"] == planned["t1"] == planned["t2"]  # the later story itself stands


def test_a_discarded_plan_leaves_a_known_storys_start_as_it_was() -> None:
    """plan() without keep leaves the index as it was: a batch item published before a known story's first telling
    moves the story's start back while it is planned, and not after. With the start left moved, a telling 65 hours
    after the story's first would be 75 hours into it, beyond the 72-hour window, and join nothing."""
    title, lead = "Russia expels two US diplomats over spying row", "Moscow ordered two American diplomats out."
    earlier = ("early", fingerprint("Moscow expels two U.S. diplomats in spying row", lead), T0 - timedelta(hours=10))

    def later_join(discarded_plan: bool) -> Hashable | None:
        index = StoryIndex()
        index.load("S", "known", fingerprint(title, lead), T0, hours=1000.0)
        if discarded_plan:
            assert index.plan([earlier])["early"] == "S" and len(index) == 1
        found = index.find(fingerprint(title, lead), T0 + timedelta(hours=65), hours=1000.0)
        return found.story_key if found else None

    assert later_join(False) == later_join(True) == "S"


def test_the_clusterer_gives_an_item_the_fastest_decay_of_its_topics() -> None:
    clusterer = StoryClusterer(72, {"rare-earths": 48.0})
    assert clusterer.hours(("rare-earths",)) == 48.0
    assert clusterer.hours(("rare-earths", "us-russia")) == TIME_DECAY_HOURS
    assert clusterer.hours(("us-russia",)) == clusterer.hours(()) == TIME_DECAY_HOURS
    # the project's own topics: minerals stories are retold over days
    assert PollOptions.from_config(load_config(ROOT / "feeds.yaml")).story_decay_hours == {"rare-earths": 48.0}


def test_numbers_that_tell_events_apart_can_anchor_and_chance_ones_cannot() -> None:
    assert [_can_anchor(w) for w in ("gershkovich", "42", "28", "5.9", "797")] == [True] * 5
    assert [_can_anchor(w) for w in ("7", "500", "20", "2023", "1990")] == [False] * 5
    # Two tellings of one blacklisting, a day apart, whose rarest shared title word is its count of companies.
    index = StoryIndex()
    background = [
        ("US blacklists Chinese firms over chips", "The Commerce Department added companies to its entity list."),
        ("Chinese companies face new US export curbs", "Washington tightened rules on chip exports."),
        ("US adds Chinese entities to trade blacklist", "The entity list grew again."),
    ]
    for n, (title, lead) in enumerate(background):
        index.add(f"bg-{n}", title, lead, T0 - timedelta(days=2, hours=n))
    first = index.add("a", "US adds 42 more Chinese companies to its entities economic blacklist", "", T0)
    second = index.add(
        "b", "US blacklists 42 Chinese entities for aiding Russia's defense industry", "", T0 + timedelta(hours=16)
    )
    assert first.created and not second.created and second.story_key == "a"


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        StoryIndex(window_hours=0)
    with pytest.raises(ValueError):
        StoryIndex(threshold=1.5)


def test_labelled_pairs_precision_recall() -> None:
    scores = pair_scores(STORY_THRESHOLD)
    precision, recall = scores["all"]
    assert precision >= PAIRS_FLOOR["precision"], scores
    assert recall >= PAIRS_FLOOR["recall"], scores


def corpus_plan(items: list[dict]) -> tuple[float, float]:
    """corpus_stream's scores when the whole corpus is one planned batch (joins, then the mean-link merge pass)."""
    order = sorted(items, key=lambda it: (it["published"], it["key"]))
    plan = StoryIndex().plan([(it["key"], fingerprint(it["title"], it["lead"]), it["published"]) for it in order])
    return corpus_scores(items, plan.__getitem__)


def test_corpus_plan_precision_recall() -> None:
    if not ITEMS.is_dir():
        missing("../shared")
    precision, recall = corpus_plan(corpus_items())
    assert precision >= CORPUS_PLAN_FLOOR["precision"], (precision, recall)
    assert recall >= CORPUS_PLAN_FLOOR["recall"], (precision, recall)


def test_coverage_set_in_hourly_cycles_above_floors() -> None:
    """The running bot plans each poll cycle's few items against the stories it holds: the merge pass then joins a
    cycle's new stories into known ones, where a story's later tellings meet its first."""
    if not COVERAGE.is_dir() or not ITEMS.is_dir():
        missing("../shared")
    st = coverage_replay(cycle_hours=1.0)
    assert st["pairwise"]["precision"] >= CYCLES_FLOOR["precision"], st
    assert st["pairwise"]["f1"] >= CYCLES_FLOOR["f1"], st
    assert st["bcubed"]["f1"] >= CYCLES_FLOOR["bcubed_f1"], st


def test_corpus_stream_precision_recall() -> None:
    if not ITEMS.is_dir():
        missing("../shared")
    precision, recall, index = corpus_stream(STORY_THRESHOLD, corpus_items())
    assert precision >= CORPUS_FLOOR["precision"], (precision, recall)
    assert recall >= CORPUS_FLOOR["recall"], (precision, recall)
    assert len(index.stories()) < len(index)  # some merging happened at all


# --------------------------------------------------------------------------- the sweep, as a script


def main() -> None:
    """Print precision/recall against the threshold on both labelled sets."""
    items = corpus_items() if ITEMS.is_dir() else None
    print(
        f"{'threshold':>9}  {'pairs P':>7} {'pairs R':>7}  {'written P':>9} {'written R':>9}  {'corpus P':>8} {'corpus R':>8}"
    )
    for threshold in (0.10, 0.15, 0.20, 0.25, 0.30, 0.35):
        pairs = pair_scores(threshold)
        line = f"{threshold:9.2f}  {pairs['all'][0]:7.3f} {pairs['all'][1]:7.3f}  {pairs['written'][0]:9.3f} {pairs['written'][1]:9.3f}"
        if items is not None:
            p, r, _ = corpus_stream(threshold, items)
            line += f"  {p:8.3f} {r:8.3f}"
        print(line + ("   <- STORY_THRESHOLD" if abs(threshold - STORY_THRESHOLD) < 1e-9 else ""))


def coverage_replay(seed: int | None = None, cycle_hours: float | None = None) -> dict[str, dict[str, float]]:
    """The coverage set's gold on-topic items planned as bench/coverage.py's poll path does (one batch per era of
    run_project.py, oldest first), or in a random arrival order (``seed``), or as the running bot plans them
    (``cycle_hours``: each cycle's items by publication time as one batch, the index kept between cycles and pruned
    as the bot's is: StoryIndex.prune); each item's time decay that of its gold topics, as bot.clustering gives it
    (feeds.yaml's story_decay_hours); score.py's on-topic story scores."""
    import importlib.util
    import random
    import re

    def shared_module(name: str) -> Any:
        spec = importlib.util.spec_from_file_location(f"coverage_{name}", COVERAGE / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    score, run_project = shared_module("score"), shared_module("run_project")
    gold = score.read_jsonl(str(COVERAGE / "labels.jsonl"))
    on_topic = {g["guid"] for g in gold if g["topics"] and not g.get("borderline")}
    clusterer = StoryClusterer(72, PollOptions.from_config(load_config(ROOT / "feeds.yaml")).story_decay_hours)
    hours = {g["guid"]: clusterer.hours(g["topics"]) for g in gold if g["guid"] in on_topic}
    items = []
    for path in sorted(ITEMS.glob("*.xml")):
        for node in ElementTree.parse(path).getroot().iter("item"):
            if (guid := (node.findtext("guid") or "").strip()) in on_topic:
                lead = re.sub(r"<[^>]+>", " ", node.findtext("description") or "")
                title = node.findtext("title")
                stored = furniture.clean_title(title, outlet=furniture.echoed_outlet(title, lead))  # as candidates do
                fp = replace(fingerprint(title, lead), outlet=outlet_key(stored, lead, path.stem))  # a file is a feed
                items.append((guid, fp, parsedate_to_datetime(node.findtext("pubDate"))))
    story: dict[str, str] = {}
    for n, (lo, hi) in enumerate(run_project.eras([when for _, _, when in items])):
        era = sorted((it for it in items if lo <= it[2] < hi), key=lambda it: (it[2], it[0]))
        if seed is not None:
            random.Random(seed + n).shuffle(era)
        if cycle_hours is None:
            story.update({guid: f"{n}:{key}" for guid, key in StoryIndex().plan(era, hours=hours).items()})
            continue
        index, cycles = StoryIndex(), defaultdict(list)
        for it in era:
            cycles[int((it[2] - era[0][2]) / timedelta(hours=cycle_hours))].append(it)
        for c in sorted(cycles):
            index.prune(era[0][2] + timedelta(hours=cycle_hours * (c + 1)))
            story.update({guid: f"{n}:{key}" for guid, key in index.plan(cycles[c], keep=True, hours=hours).items()})
    result = score.score(gold, [{"guid": g, "topics": ["x"], "story_id": s} for g, s in story.items()])
    return result["stories_on_topic"]


def bench() -> None:
    """Print the cost of add() into a 72 h index of ~2,300 items (the corpus five times over)."""
    import statistics
    import time

    items = corpus_items()
    index, times, n = StoryIndex(), [], 0
    for rep in range(5):
        for it in items:
            start = time.perf_counter()
            index.add((rep, it["key"]), f"{it['title']} {rep}", it["lead"], T0 + timedelta(minutes=n % 4000))
            times.append(time.perf_counter() - start)
            n += 1
    p95 = sorted(times)[int(0.95 * len(times))]
    print(f"add(): median {1000 * statistics.median(times):.2f} ms, p95 {1000 * p95:.2f} ms, {len(index)} items")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if sys.argv[1:] == ["--coverage"]:  # the shuffled-order rows of the MERGE_THRESHOLD comment
        for name, seed, hours in (("time order", None, None), ("shuffle 1", 1, None), ("shuffle 2", 2, None),
                                  ("1 h cycles", None, 1.0), ("6 h cycles", None, 6.0)):  # fmt: skip
            st = coverage_replay(seed, hours)
            pw, b3 = st["pairwise"], st["bcubed"]
            print(
                f"{name:>10}  pairwise P/R/F1 "
                f"{pw['precision']:.3f}/{pw['recall']:.3f}/{pw['f1']:.3f}  B-cubed F1 {b3['f1']:.3f}"
            )
        sys.exit(0)
    main()
    if ITEMS.is_dir():
        bench()
