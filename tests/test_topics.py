"""Topic relevance: corpus-as-data cases, hand-checked real headlines, term syntax and scoring rules."""

from __future__ import annotations

import functools
import pickle
import random
import re
import time
import unicodedata
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from budget import cpu_seconds, scale
from defusedxml import ElementTree
from shared import SHARED, missing

from bot.candidates import judge_page, topic_hints
from bot.settings import Topic, load_config
from bot.topics import (
    _TERM_WORD,
    _WORD,
    DEFAULT_THRESHOLD,
    FIRED,
    NEAR_MISS,
    TopicMatcher,
    _by_segment,
    parse_term,
    segments,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data" / "topics"

ITEMS = SHARED / "feeds-corpus" / "items"
CASES = sorted((DATA / "cases").glob("*.yaml"))


@pytest.fixture(scope="module")
def matcher() -> TopicMatcher:
    return TopicMatcher(load_config(ROOT / "feeds.yaml").topics)


def _keeps(matcher: TopicMatcher, title: str, summary: str | None = None, topic: str = "us-russia") -> bool:
    """Whether the matcher keeps ``title`` and ``summary`` on ``topic``."""
    return topic in {m.topic for m in matcher.score(title, summary) if m.kept}


def _topics(**spec: dict) -> dict[str, Topic]:
    return {name: Topic.model_validate(body) for name, body in spec.items()}


def _corpus_items() -> dict[tuple[str, str], dict[str, str]]:
    out = {}
    for path in sorted(ITEMS.glob("*.xml")):
        for item in ElementTree.parse(path).getroot().iter("item"):
            title = item.findtext("title") or ""
            out[(path.name, title)] = {"title": title, "summary": item.findtext("description") or ""}
    return out


# --------------------------------------------------------------------------- corpus-as-data


def test_cases_exist() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path, matcher: TopicMatcher) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = matcher.match(case["title"], case.get("summary", ""), case.get("text", ""))
    assert sorted(m.topic for m in found) == sorted(case["expect"]), found
    for topic, terms in (case.get("terms") or {}).items():
        got = next(m for m in found if m.topic == topic)
        assert set(terms) <= set(got.terms), got


def test_items_corpus_hand_checked(matcher: TopicMatcher) -> None:
    if not ITEMS.is_dir():
        missing("../shared")
    corpus = _corpus_items()
    picks = yaml.safe_load((DATA / "items_corpus.yaml").read_text(encoding="utf-8"))
    wrong = []
    for pick in picks:
        item = corpus[(pick["file"], pick["title"])]
        got = sorted(m.topic for m in matcher.match(item["title"], item["summary"]))
        if got != sorted(pick["expect"]):
            wrong.append((pick["title"], got, pick["expect"]))
    assert not wrong, wrong
    assert {t for p in picks for t in p["expect"]} == {"rare-earths", "us-russia"}
    assert sum(1 for p in picks if not p["expect"]) >= 15  # the traps are most of the point


# Each topic's precision and recall over tests/data/topics/guideline_probes.txt must stay at or above these (measured
# 5 December, eighth session, over 891 lines: rare-earths 0.981 / 0.985 and us-russia 0.980 / 0.968, with the disputes,
# joint subjects and timed acts of feeds.yaml; the sixth session's 876 lines gave 0.981 / 0.981 and 0.975 / 0.967, the
# fifth's 848 lines 0.981 / 0.981 and 0.959 / 0.967). The lines it gets wrong say it in words a rule cannot tell apart:
# a band called Rare Earth, "Tungsten Capital", the US and Russia both urging calm in a third country's war, "critical
# mines" (missed). The eleventh session's 952 lines: 0.982 / 0.985 and 0.975 / 0.972; it added a third state's talks
# with the White House that name Russia in passing (kept), so us-russia precision's floor is 0.97, not 0.975. The
# twelfth session's 954 lines: the same.
PROBE_FLOORS = {"rare-earths": (0.975, 0.98), "us-russia": (0.97, 0.96)}


def _probes() -> list[tuple[str, bool, str, str]]:
    out = []
    for line in (DATA / "guideline_probes.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, _, text = line.partition(" | ")
        title, _, summary = text.partition(" || ")
        assert label[:1] in "+-" and label[1:].strip() in PROBE_FLOORS and title.strip(), f"malformed probe: {line}"
        out.append((label[1:].strip(), label.startswith("+"), title.strip(), summary.strip()))
    return out


def test_guideline_probes(matcher: TopicMatcher) -> None:
    """Headlines written to the guideline for the families the labelled set lacks: each topic's precision and
    recall over them stay above their floors; the lines it gets wrong are printed when it fails."""
    probes = _probes()
    for topic, (p_floor, r_floor) in PROBE_FLOORS.items():
        mine = [(want, title, summary) for t, want, title, summary in probes if t == topic]
        assert sum(want for want, _, _ in mine) >= 40 and sum(not want for want, _, _ in mine) >= 20
        wrong, tp, fp, fn = [], 0, 0, 0
        for want, title, summary in mine:
            got = topic in {m.topic for m in matcher.match(title, summary)}
            tp, fp, fn = tp + (got and want), fp + (got and not want), fn + (want and not got)
            if got != want:
                wrong.append(("missed" if want else "kept", title))
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        assert precision >= p_floor and recall >= r_floor, (topic, precision, recall, wrong)


def test_items_corpus_sweep_is_plausible(matcher: TopicMatcher) -> None:
    """Over all 464 real items: each topic keeps a minority, and every kept item says why."""
    if not ITEMS.is_dir():
        missing("../shared")
    corpus = _corpus_items()
    kept: dict[str, int] = {"rare-earths": 0, "us-russia": 0}
    for item in corpus.values():
        for m in matcher.match(item["title"], item["summary"]):
            kept[m.topic] += 1
            assert m.terms and m.fields and m.score >= DEFAULT_THRESHOLD
    # Measured 116 and 147 of 464 (the corpus was pooled around these subjects; 107 and 142 gold positives);
    # a big jump either way means a rule change let in noise or lost a family of stories.
    assert 100 <= kept["rare-earths"] <= 130, kept
    assert 125 <= kept["us-russia"] <= 165, kept


# --------------------------------------------------------------------------- term syntax


@pytest.mark.parametrize(
    ("term", "text", "hit"),
    [
        ("Kremlin", "The Kremlin's view", True),
        ("Kremlin", "Kremlinology is a craft", False),
        ("sanction*", "new sanctions were imposed", True),
        ("sanction*", "unsanctioned rally", False),
        ("rare earth", "rare-earth magnets", True),
        ("rare earth", "a rare earthquake", False),
        ("rare earth", "rare, earth", False),  # other punctuation does not join a phrase
        ("US", "the US and allies", True),
        ("US", "tell us more", False),
        ("US", "a USB stick", False),
        ("U.S.", "U.S.-Russia talks", True),
        ("US-Russia", "US–Russia ties", True),  # en dash folded
        ("US-Russia", "tell us Russia is", False),  # "US" is case-sensitive inside a phrase too
        ("New START", "the New START treaty", True),
        ("New START", "a new start for talks", False),
        ("magnet*", "Magnets and magnetism", True),
        ("Russia's invasion", "against Russia's invasion", True),  # a term's possessive, as the text's, is dropped
        ("Russia's invasion", "against Russia’s invasion", True),
        ("Russia's invasion", "Russia's war", False),
    ],
)
def test_term_syntax(term: str, text: str, hit: bool) -> None:
    topics = _topics(t={"rules": [{"any": [term]}], "threshold": 1})
    assert bool(TopicMatcher(topics).match(text)) is hit


OTHER_PARTIES = {
    "rules": [
        {
            "all_of": [["US", "Biden"], ["Russia", "Putin"], ["condemned", "warns", "meddling", "bans"]],
            "other_parties": ["North Korea", "Kim Jong Un", "China", "Ukraine", "NATO"],
        }
    ],
}


@pytest.mark.parametrize(
    ("title", "hit"),
    [
        ("US warns Russia over nuclear threats", True),
        # another party named first, the rule's own far after it: that party's sentence
        ("North Korea's Kim Jong Un visits arms factories as the US condemned its trade with Russia", False),
        ("Ukraine's president, in an interview on Sunday, warns the US about Russia", False),
        ("NATO chief warns Biden over Russia", False),
        # a list of parties is not another party's sentence
        ("China, Russia and Iran tried meddling in US elections", True),
        ("China and the US condemned Russia over nuclear threats", True),
        ("China and Ukraine condemned the US and Russia", False),  # "and" joins two other parties
        # nor is a headline's kicker
        ("Ukraine war: Biden warns Putin over nuclear threats", True),
        ("Ukraine: Hollywood stars are among the US citizens Russia bans", True),
        ("Ukraine war: Hollywood actors Ben Stiller and Sean Penn among the US citizens Russia bans", True),
    ],
)
def test_other_parties(title: str, hit: bool) -> None:
    matcher = TopicMatcher(_topics(t=OTHER_PARTIES))
    assert bool(matcher.match(title)) is hit


DISPUTES = {
    "rules": [
        {
            "all_of": [["US", "Trump", "Biden", "Pence"], ["Russia", "Putin", "Kremlin"], ["praise", "slams", "talks"]],
            "disputes": ["slams", "blasts", "denounces"],
        }
    ],
}


JOINT = {
    "rules": [
        {
            "all_of": [["US", "Trump"], ["Russia", "Putin"], ["talks", "pact", "meddling", "warns"]],
            "joint_subjects": {"parties": ["Kim", "China", "Ukraine"], "unless": ["meddling"]},
        }
    ],
}


TIMED = {
    "rules": [
        {
            "all_of": [["US", "Trump"], ["Russia", "Putin"], ["talks", "peace", "sanctions", "attack"]],
            "timed_acts": {"acts": ["attack", "strikes"], "connectives": ["as", "ahead of"]},
        }
    ],
}


@pytest.mark.parametrize(
    ("veto", "title", "hit"),
    [
        # disputes: one aimed at the first group's party by none of the other's is a row on one side, or a bystander's
        ("disputes", "Haley blasts Trump's praise for Putin", False),
        ("disputes", "Pence denounces Trump's talks with Putin", False),
        # the other side speaking is the relationship itself
        ("disputes", "Kremlin slams Trump's praise for Putin's critics", True),
        ("disputes", "Putin slams Biden over talks", True),
        # aimed at the other side's party: left alone (its critics are often bodies no list names)
        ("disputes", "House resolution slams Russia over talks with the US", True),
        # the dispute word aimed at no party
        ("disputes", "Trump slams talks with Russia as a waste", True),
        # joint_subjects: a third party named with Russia, before the US, tells their relationship
        ("joint_subjects", "Putin and Kim sign a pact, a move likely to unsettle the US", False),
        ("joint_subjects", "Russia, China pact worries US", False),
        ("joint_subjects", "China's Russia pact worries Trump", False),
        # unless what they do is aimed at the US (an unless term)
        ("joint_subjects", "China, Russia tried meddling in US elections", True),
        # the US named first, or the third party not next to Russia ("and" is the only word allowed between them)
        ("joint_subjects", "US warns Russia and China over pact", True),
        ("joint_subjects", "Putin, in China, warns US over talks", True),
        ("joint_subjects", "Putin warns Trump after Kim talks", True),
        # timed_acts: the second party's act before a connective of time, every first-party actor after it
        ("timed_acts", "Russia launches attack on Kyiv as Trump touts peace", False),
        ("timed_acts", "Russia strikes Kyiv ahead of US talks", False),
        # a first-party actor before the connective, or no act of the list: the two dealing with each other
        ("timed_acts", "Russia warns US of attack as talks stall", True),
        ("timed_acts", "Russia rejects US sanctions as talks stall", True),
        ("timed_acts", "Trump warns Russia as attack on Kyiv kills dozens", True),
    ],
)
def test_sentence_vetoes(veto: str, title: str, hit: bool) -> None:
    spec = {"disputes": DISPUTES, "joint_subjects": JOINT, "timed_acts": TIMED}[veto]
    assert bool(TopicMatcher(_topics(t=spec)).match(title)) is hit
    without = {"rules": [{"all_of": spec["rules"][0]["all_of"]}]}
    assert TopicMatcher(_topics(t=without)).match(title), f"every case fires without {veto}"


@pytest.mark.parametrize(
    ("title", "hit"),
    [
        # an act told before a connective of time, the rule's term after it: the act's news, dated by the relationship
        ("8 dead in Kyiv after fiercest Russian attack since Trump-Putin summit", False),
        # no act before the connective, or the term before it: the relationship itself
        ("Zelenskyy demands Ukraine involvement after US-Russia talks on war", True),
        ("Blinken, Lavrov meet briefly as US-Russia tensions soar", True),
        ("US-Russia talks stall as Russia launches attack", True),
    ],
)
def test_timed_acts_in_a_rule_of_one_group(title: str, hit: bool) -> None:
    timed = {"acts": ["attack", "attacks"], "connectives": ["as", "after", "since"]}
    spec = {"rules": [{"any": ["US-Russia", "Trump-Putin"], "timed_acts": timed}]}
    assert bool(TopicMatcher(_topics(t=spec)).match(title)) is hit
    assert TopicMatcher(_topics(t={"rules": [{"any": ["US-Russia", "Trump-Putin"]}]})).match(title)


@pytest.mark.parametrize(
    ("spec", "near_miss", "vetoed"),
    [
        (
            OTHER_PARTIES,
            "Russia warns the US over missiles",
            "North Korea's Kim Jong Un visits arms factories, warns the US over drills",
        ),
        # their pact names no US actor: it joins no US-Russia story that another item put on the topic
        (JOINT, "Putin signs a pact", "Putin and Kim sign a pact"),
        (JOINT, "Putin signs a pact", "Putin and Kim meet as US looks on"),
        # the other side speaking is a near miss (no act word)
        (DISPUTES, "Putin blasts Trump", "Pence blasts Trump's Putin talks"),
    ],
    ids=["other_parties", "joint_subjects", "joint_subjects_and_us", "disputes"],
)
def test_vetoes_also_apply_to_near_misses(spec: dict, near_miss: str, vetoed: str) -> None:
    matcher = TopicMatcher(_topics(t=spec))
    assert matcher.partial(near_miss) == ("t",)
    assert matcher.partial(vetoed) == ()


def test_a_rule_without_near_misses_fires_or_says_nothing() -> None:
    """near_misses: false: all the groups but one are no near miss, so they neither let a summary count
    (title_required) nor make the item a near miss that may join a story."""
    rule = {"all_of": [["US", "Trump"], ["Ukraine", "Kyiv"], ["peace plan"]], "near_misses": False}
    body = {"rules": [rule], "threshold": 1, "title_required": True}
    without, default = (
        TopicMatcher(_topics(t=body)),
        TopicMatcher(_topics(t={**body, "rules": [{**rule, "near_misses": True}]})),
    )
    assert [m.topic for m in without.match("Trump and Kyiv agree on a peace plan")] == ["t"]
    assert default.partial("Trump visits Kyiv") == ("t",)
    assert without.partial("Trump visits Kyiv") == ()
    # the summary counts only when the title fires or nearly matches a rule
    assert [m.topic for m in default.match("Trump visits Kyiv", "Talks on the US peace plan for Ukraine go on.")] == [
        "t"
    ]
    assert without.match("Trump visits Kyiv", "Talks on the US peace plan for Ukraine go on.") == []


@pytest.mark.parametrize(
    ("term", "message"),
    [
        ("", "empty"),
        ("*", "only end a word"),
        ("mag*net", "only end a word"),
        ("ma*", "at least 3 letters"),
        ("AT&T", "does not allow: &"),
        ("rare / earth", "does not allow: /"),
    ],
)
def test_bad_terms(term: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_term(term)


# --------------------------------------------------------------------------- scoring rules


def test_all_of_needs_every_group_in_one_sentence() -> None:
    topics = _topics(t={"rules": [{"all_of": [["alpha"], ["beta"]]}]})
    m = TopicMatcher(topics)
    assert m.match("alpha and beta")
    assert not m.match("Nothing here.", "", "Alpha came first. Beta came later.")
    assert m.match("Nothing here.", "", "Alpha met beta. Then alpha met beta again.")


def test_near_limits_the_distance_in_words() -> None:
    topics = _topics(t={"rules": [{"all_of": [["magnet"], ["factory"]], "near": 3}]})
    m = TopicMatcher(topics)
    assert m.match("A magnet factory opens")
    assert not m.match("A magnet was found in a river far away from the old factory")


def test_exclude_vetoes_the_sentence_and_ignore_masks_the_phrase() -> None:
    topics = _topics(
        t={
            "rules": [{"all_of": [["US"], ["Russia"], ["free", "talks"]]}],
            "exclude": ["hockey"],
            "ignore": ["Radio Free Europe"],
        }
    )
    m = TopicMatcher(topics)
    assert m.match("US and Russia hold talks")
    assert not m.match("US and Russia hold talks after the hockey final")
    assert not m.match("US-funded Radio Free Europe expands in Russia")
    assert m.match("US-funded Radio Free Europe expands in Russia as talks resume")
    # A phrase ignored is blanked for the exclude terms too: the name "Penny Wong" is not the coin "penny".
    coin = TopicMatcher(
        _topics(t={"rules": [{"all_of": [["nickel"], ["mine"]]}], "exclude": ["penny"], "ignore": ["Penny Wong"]})
    )
    assert not coin.match("A penny is cheaper to mint than a nickel from the mine")
    assert coin.match("Penny Wong visits a nickel mine")
    assert coin.partial("Penny Wong praises nickel") and not coin.partial("A penny of nickel")


def test_a_word_counts_once_as_the_longest_term_it_is_part_of() -> None:
    # "Radio Free Europe" is a US actor; its "Free" is not also the relationship word "free" (a release).
    m = TopicMatcher(
        _topics(t={"rules": [{"all_of": [["US", "Radio Free Europe"], ["Russia", "Russian"], ["free", "detains"]]}]})
    )
    assert not m.match("Radio Free Europe reports on Russian elections")
    assert m.match("Russia detains Radio Free Europe journalist")
    assert m.partial("Radio Free Europe reports on Russian elections")  # two groups of three: a near miss
    assert m.match("US urges Russia to free Radio Free Europe journalist")


def test_a_longer_term_hides_a_word_only_from_its_own_rule() -> None:
    # A rule added to feeds.yaml only adds matches: its phrase "prisoner swap" does not take the word "swap" from
    # another rule, which fired on "U.S., Russia complete biggest prisoner swap" before it was added.
    first = {"all_of": [["US", "U.S."], ["Russia"], ["swap"]]}
    second = {"all_of": [["West"], ["Russia"], ["prisoner swap"]]}
    alone, both = (TopicMatcher(_topics(t={"rules": rules})) for rules in ([first], [first, second]))
    for m in (alone, both):
        assert m.match("U.S., Russia complete biggest prisoner swap")
        assert m.partial("U.S. in prisoner swap talks")
    assert both.match("Who was freed in the Russia-West prisoner swap?")
    assert not alone.match("Who was freed in the Russia-West prisoner swap?")


def test_score_weights_title_over_summary_over_text() -> None:
    m = TopicMatcher(_topics(t={"rules": [{"any": ["lanthanum"]}]}))
    title = m.score("Lanthanum news")[0]
    summary = m.score("News", "Lanthanum today.")[0]
    text_one = m.score("News", "", "Lanthanum today. Other things.")[0]
    assert title.score > summary.score > text_one.score
    assert (title.kept, summary.kept, text_one.kept) == (True, True, False)
    assert title.fields == ("title",) and text_one.fields == ("text",)


def test_text_contribution_is_capped() -> None:
    m = TopicMatcher(_topics(t={"rules": [{"any": ["cerium"]}], "threshold": 100}))
    few = m.score("x", "", "Cerium one. Cerium two. Cerium three.")[0].score
    many = m.score("x", "", " ".join(f"Cerium {i}." for i in range(50)))[0].score
    assert few == many


def test_rule_weight_and_topic_threshold() -> None:
    topics = _topics(
        strong={"rules": [{"any": ["yttrium"], "weight": 2}], "threshold": 5},
        weak={"rules": [{"any": ["yttrium"]}], "threshold": 5},
    )
    found = {m.topic: m for m in TopicMatcher(topics).score("Yttrium exports")}
    assert found["strong"].score == 6 and found["strong"].kept
    assert found["weak"].score == 3 and not found["weak"].kept


def test_terms_are_reported_as_written_once_title_first(matcher: TopicMatcher) -> None:
    m = matcher.match("Putin dangles rare earth deals for the U.S.", "Russia's offer to the US: rare earth deposits.")
    ree = next(x for x in m if x.topic == "rare-earths")
    assert ree.terms[0] == "rare earth"
    assert len({t.casefold() for t in ree.terms}) == len(ree.terms)
    usr = next(x for x in m if x.topic == "us-russia")
    assert "Russia" in usr.terms  # possessive dropped


def test_segments_keep_abbreviations_inside_a_sentence() -> None:
    text = "U.S. Secretary Rubio met Mr. Lavrov. They talked. Then they left!"
    spans = [text[a:b] for a, b in segments(text)]
    assert spans == ["U.S. Secretary Rubio met Mr. Lavrov.", "They talked.", "Then they left!"]


def test_empty_and_missing_fields(matcher: TopicMatcher) -> None:
    assert matcher.match(None, None, None) == []
    assert matcher.match("") == []


def test_fast_enough(matcher: TopicMatcher) -> None:
    """Thousands of items per second: 2,000 title+summary items well under a second (measured ~0.15 s). CPU time,
    not wall-clock: a busy shared machine made the wall-clock version of this test fail (2.9 s)."""
    title = "Russia expels two U.S. diplomats over contacts with a Russian contractor"
    summary = "Moscow said the two diplomats had seven days to leave; Washington called the move unjustified. " * 2
    with cpu_seconds() as spent:
        for i in range(2000):
            matcher.match(f"{title} {i}", summary)
    assert spent[0] < scale(2.0)


# --------------------------------------------------------------------------- throughput, as a script


def main() -> None:
    """Print the matcher's throughput (median of 5 runs) and what it keeps of the items corpus."""
    import json
    import statistics

    matcher = TopicMatcher(load_config(ROOT / "feeds.yaml").topics)
    items = list(_corpus_items().values())
    texts = [json.loads(line)["text"] for line in (SHARED / "eval/summarization/dev.jsonl").open(encoding="utf-8")]

    def rate(run, n: int) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        return n / statistics.median(times)

    per_s = rate(lambda: [matcher.match(i["title"], i["summary"]) for i in items], len(items))
    print(f"title + summary: {per_s:,.0f} items/s ({len(items)} corpus items)")
    with_text = rate(lambda: [matcher.match("A title", "", t) for t in texts], len(texts))
    print(f"with full text ({statistics.median(map(len, texts)):,.0f} chars median): {with_text:,.0f} items/s")
    kept: dict[str, int] = {}
    for i in items:
        for m in matcher.match(i["title"], i["summary"]):
            kept[m.topic] = kept.get(m.topic, 0) + 1
    print(f"kept of {len(items)}: {kept}")


if __name__ == "__main__":
    main()


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("Russia", "Russia's envoy arrived"),  # possessive, ASCII path
        ("US", "The US's position"),  # case-sensitive possessive
        ("U.S.", "said the U.S. envoy"),  # a first word that is not one \w run
        ("O'Brien", "O'Brien's remarks"),
        ("sanction*", "SANCTIONS were widened"),  # prefix, upper case
        ("magnet*", "Magnetfabrik — große Pläne"),  # prefix, non-ASCII text
        ("Kreml", "Der Kreml äußerte sich"),  # exact word, non-ASCII text
        ("kremlin", "«Kremlin» said"),
        ("neodymium", "NEODYMIUM_PRICES neodymium"),
        ("Straße", "die straße wurde gesperrt"),  # a non-ASCII term
    ],
)
def test_the_quick_first_look_never_hides_a_match(term: str, text: str) -> None:
    """Fields are ruled out by a cheap look at their words first; every shape of hit still gets through."""
    topics = _topics(t={"rules": [{"any": [term]}], "threshold": 1})
    matcher = TopicMatcher(topics)
    assert matcher.match(text), (term, text)
    assert matcher.match("Nothing here", text), (term, text)  # the summary field too


def test_partial_names_near_misses(matcher: TopicMatcher) -> None:
    """A near miss may join a story another telling put on its topic: a Russian actor and an arrest with no US actor
    named (two groups of three), or the mineral with no business word (a two-group rule's subject)."""
    assert matcher.match("Russia detains journalist on spying charges") == []
    assert matcher.partial("Russia detains journalist on spying charges") == ("us-russia",)
    assert matcher.partial("Trump and Zelensky talk about peace", "") == ("us-russia",)
    # A two-group rule's subject alone (the mineral, no business word) is a near miss; its context alone says
    # nothing (the context group is the long one), and neither do excluded or blanked-out words.
    assert matcher.match("Exxon bets on lithium") == []
    assert matcher.partial("Exxon bets on lithium") == ("rare-earths",)
    assert matcher.partial("Prices, supply and exports rise") == ()
    assert matcher.partial("Russian missiles strike Kyiv overnight") == ()
    assert matcher.partial("Lithium-ion battery fire destroys shop") == ()
    assert matcher.partial("Russia beats US in ice hockey semifinal talks") == ()
    assert matcher.partial("Cute cat video") == ()


def test_score_and_partial_is_score_and_partial_from_one_look(matcher: TopicMatcher) -> None:
    items = [
        ("Russia detains journalist on spying charges", "A Wall Street Journal reporter was held in Yekaterinburg."),
        ("Putin dangles rare earth deals for the U.S.", "Russia's offer to the US: rare earth deposits. Talks go on."),
        ("Lithium-ion battery fire destroys shop", "Firefighters said the blaze started overnight."),
        ("Trump and Zelensky talk about peace", ""),
        ("Cute cat video", None),
        (None, "Russia and the United States agreed to a prisoner swap, officials said."),
    ]
    for title, summary in items:
        scores, near = matcher.score_and_partial(title, summary)
        assert scores == matcher.score(title, summary) and near == matcher.partial(title, summary), title
    # What each says, pinned: one look gives what the two separate looks gave before they shared _found.
    said = {title: matcher.score_and_partial(title, summary) for title, summary in items}
    assert said["Russia detains journalist on spying charges"][1] == ("us-russia",)
    assert said["Trump and Zelensky talk about peace"][1] == ("us-russia",)
    assert said["Lithium-ion battery fire destroys shop"] == ([], ())
    assert said["Cute cat video"] == ([], ())
    putin = said["Putin dangles rare earth deals for the U.S."][0]
    assert {m.topic for m in putin if m.kept} >= {"rare-earths"}


def test_rescore_adds_the_text_to_what_title_and_summary_scored(matcher: TopicMatcher) -> None:
    """A page's worker call scores only the page's text (bot.candidates.judge_page): the same answer as scoring all
    three fields at once, on every corpus case and the seed articles, with the prior whole or cut to one topic."""
    triples = []
    for path in CASES:
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        triples.append((case["title"], case.get("summary", ""), case.get("text", "")))
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        title, _, body = text.partition("\n")
        triples += [(title, body[:300], body), (title, "", body), ("", "", body)]
    changed = 0
    for title, summary, text in triples:
        prior = matcher.score(title, summary)
        whole = matcher.score(title, summary, text)
        assert matcher.rescore(prior, text, title) == whole, title
        for topic in matcher.topics:
            one = [m for m in prior if m.topic == topic]
            assert [m for m in matcher.rescore(one, text, title) if m.topic == topic] == [
                m for m in whole if m.topic == topic
            ]
        changed += whole != prior
    assert changed >= 5  # the texts change scores: the comparison is not of two empty answers
    body = "Japan and Australia signed an accord. The deal covers dysprosium and terbium from Western Australia."
    assert [m.topic for m in matcher.rescore([], body, None) if m.kept] == []  # one body sentence: not enough
    assert [m.topic for m in matcher.rescore([], body + " It also funds processing of critical minerals.", None)] == [
        "rare-earths"
    ]


# --------------------------------------------------------------------------- crossing to worker processes


def test_a_pickled_matcher_is_its_rules_compiled_once_per_process(matcher: TopicMatcher) -> None:
    data = pickle.dumps(matcher)
    copy = pickle.loads(data)
    assert pickle.loads(data) is copy  # compiled once, then taken from the process's cache
    assert len(data) < len(pickle.dumps(matcher.__dict__)) / 4  # the rules, not the compiled tables
    item = ("Putin dangles rare earth deals for the U.S.", "Russia's offer to the US: rare earth deposits.", "")
    assert copy.score(*item) == matcher.score(*item) and copy.score(*item)
    assert copy.topics == matcher.topics
    other = TopicMatcher(_topics(t={"rules": [{"any": ["zorblax"]}]}))
    other_copy = pickle.loads(pickle.dumps(other))  # other rules: a matcher of their own
    assert other_copy is not copy and other_copy.match("Zorblax news") and not copy.match("Zorblax news")
    renamed = TopicMatcher({f"{name}-2": t for name, t in load_config(ROOT / "feeds.yaml").topics.items()})
    assert pickle.loads(pickle.dumps(renamed)).topics == tuple(f"{t}-2" for t in matcher.topics)


# --------------------------------------------------------------------------- the fast forms give the plain forms' answers


def test_the_word_pattern_cuts_text_as_its_plain_form() -> None:
    # bot.topics._WORD is written for speed; the plain form says what a word is.
    plain = re.compile(r"(?:[^\W\d_]\.){2,}|\w+(?:'\w+)*")
    fixed = [
        "U.S.-Russia talks",
        "the U.S. and the E.U.",
        "N.W.T. 3.5% a.b A. x.y.z. 1.2.3",
        "Russia's envoy's car",
        "rock'n'roll '90s don't",
        "Ä.Ö. É.U. naïve Kyiv-born",
        "snake_case __init__ _x_",
        "a.1.b. 2.a.b. ab.cd.",
    ]
    rng = random.Random(11)
    alphabet = "aZé1_.'- \nÄ"
    randoms = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(5000)]
    for text in fixed + randoms:
        assert _WORD.findall(text) == plain.findall(text), text
    # A rule's term word is one word of that pattern, maybe ending in a wildcard.
    plain_term = re.compile(rf"^(?:{plain.pattern})\*?$")
    words = ["U.S.", "U.S", "Russia's", "magnet*", "rare-earth", "a.b.c.*", "*", "x'", "'90s"]
    words += ["".join(rng.choice("aZé1_.'*Ä") for _ in range(rng.randint(1, 9))) for _ in range(20000)]
    for w in words:
        assert bool(_TERM_WORD.match(w)) == bool(plain_term.match(w)), w


def test_matches_are_grouped_by_sentence_as_a_scan_of_each_sentence_would() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        cuts = sorted(rng.sample(range(1, 200), rng.randint(0, 8)))
        bounds = [0, *cuts, 200]
        segs = [(a + rng.randint(0, 2), b) for a, b in pairwise(bounds) if b - a > 2]  # gaps, as segments() leaves
        hits: dict[int, list[tuple[int, int, int, str]]] = {}
        for g in range(4):
            starts = sorted(rng.sample(range(200), rng.randint(0, 6)))
            hits[g] = [(s, s + rng.randint(1, 12), i, "w") for i, s in enumerate(starts)]
        got = _by_segment(hits, segs, [0, 1, 2, 5])
        want = {}
        for k, (a, b) in enumerate(segs):
            inside = {g: [m for m in hits.get(g, []) if a <= m[0] and m[1] <= b] for g in (0, 1, 2, 5)}
            if any(inside.values()):
                want[k] = {g: ms for g, ms in inside.items() if ms}
        assert list(got) == list(want) and {k: dict(v) for k, v in got.items()} == want


def test_a_summarys_later_sentence_gives_background_and_does_not_keep_an_item_alone(matcher: TopicMatcher) -> None:
    """The summary's lead says what the item reports; one later sentence alone ("This comes as ...") makes a near
    miss, not a kept item (AFTER_LEAD); the same sentence as the lead, or two later ones, keep it."""
    title = "Three Americans freed from detention in Belarus"
    lead = "Officials say three people were released from prison in Minsk."
    later = "This comes as President Trump held a call with Russian President Vladimir Putin."
    another = "Washington also sanctioned Moscow's banks."

    def kept(summary: str) -> list[str]:
        return [m.topic for m in matcher.match(title, summary)]

    assert kept(f"{lead} {later}") == []
    assert matcher.partial(title, f"{lead} {later}") == ("us-russia",)
    assert kept(f"{later} {lead}") == ["us-russia"]
    assert kept(f"{lead} {later} {another}") == ["us-russia"]
    # Only a summary's sentences: a page's text counts each sentence once already, a title is one sentence.
    assert [m.topic for m in matcher.match(later, lead)] == ["us-russia"]


def test_a_title_required_topic_counts_the_summary_and_page_only_under_a_title_that_supports_it() -> None:
    """title_required: the summary and the page count when the title fires a rule or nearly matches one (two groups
    of three, even in a sentence another party leads); a headline naming neither side is about something else."""
    rule = SimpleNamespace(
        any=(),
        all_of=(("US",), ("Russia",), ("talks", "sanctions")),
        near=None,
        weight=1.0,
        other_parties=("West", "Poland"),
    )
    treaty = SimpleNamespace(any=("New START",), all_of=(), near=None, weight=0.5, other_parties=())
    gated = SimpleNamespace(rules=(rule, treaty), exclude=(), ignore=(), threshold=2.0, title_required=True)
    m = TopicMatcher({"us-russia": gated, "open": SimpleNamespace(**{**vars(gated), "title_required": False})})
    summary = "US officials said the sanctions on Russia would stay."
    page = "US officials met on Monday. The US and Russia held talks. The US will keep sanctions on Russia."

    def kept(title: str, summary: str = summary, text: str = "") -> list[str]:
        return sorted(x.topic for x in m.match(title, summary, text))

    assert kept("Poland buys tanks") == ["open"]  # the title names neither side
    assert m.partial("Poland buys tanks", summary) == ("us-russia", "open")  # a near miss all the same
    assert kept("Poland buys tanks", "", page) == ["open"]  # the page does not count either
    assert kept("US weighs its options on Russia") == ["open", "us-russia"]  # two groups of three: a near match
    assert kept("West tightens Russia sanctions") == ["open", "us-russia"]  # led by another party: still supports
    assert kept("Tanks") == kept("Tanks", summary) == ["open"]  # one group is not enough
    assert kept("New START lapses", "") == []  # an ``any`` rule's term: the title scores 1.5 of 2 ...
    assert kept("New START lapses") == ["open", "us-russia"]  # ... and supports the summary, as a rule that fires
    assert kept("") == ["open", "us-russia"]  # an item without a title is judged on the rest, as before
    # rescore (a page's text after the feed's fields) honours it the same way
    for title in ("Poland buys tanks", "US weighs its options on Russia", "New START lapses", ""):
        assert m.rescore(m.score(title, ""), page, title) == m.score(title, "", page), title


def test_a_newsletters_name_is_no_headline(matcher: TopicMatcher) -> None:
    """A title that is only a newsletter's name ("Wednesday Briefing") is judged as no title (bot.candidates.headline):
    its summary names the day's news, and title_required does not veto it."""

    def kept(title: str, summary: str) -> list[str]:
        hinted = [m.topic for m in topic_hints(matcher, (), title, summary)[0] if m.kept]
        judged = [m.topic for m in judge_page(matcher, (), title, summary, "").matches]
        assert hinted == judged, (title, summary)
        return hinted

    call = "President Trump's call with Vladimir Putin."
    assert kept("Wednesday Briefing", call) == ["us-russia"]
    assert kept("Your Thursday Briefing", call) == ["us-russia"]
    assert kept("Markets wrap", call) == []  # a headline naming neither side: title_required, as before
    assert kept("Wednesday Briefing", "Russia fires the leader of its navy.") == []


def test_a_feeds_additions_to_a_summary_are_not_the_items_words(matcher: TopicMatcher) -> None:
    """Topic hints read the summary without the feed's own additions (bot.candidates.beyond_title): a WordPress tail
    naming the site, or an aggregator's summary that is the title again and the outlet's name."""
    title = "Russia expels Estonian diplomat"

    def kept(summary: str) -> list[str]:
        return [m.topic for m in topic_hints(matcher, (), title, summary)[0] if m.kept]

    said = "Moscow said the diplomat had interfered in its affairs."
    assert kept(f"{said} The post {title} appeared first on American Military News.") == []
    assert kept(f"{title}  The Wall Street Journal") == []
    assert kept(f"Washington condemned Moscow for the expulsion. {said}") == ["us-russia"]  # the summary says more
    # A page judged without hints reads the summary the same way (bot.candidates.judge_page).
    assert judge_page(matcher, (), title, f"{title}  The Wall Street Journal", "").matches == ()
    assert [m.topic for m in judge_page(matcher, (), title, f"Washington condemned Moscow. {said}", "").matches] == [
        "us-russia"
    ]


def test_the_dateline_a_wire_story_files_from_is_no_party(matcher: TopicMatcher) -> None:
    """A summary "MOSCOW, Dec 5 (Reuters) - U.S. lawmakers agreed a deal" names no Russian actor: the dateline is where the
    reporter stands (summarizer.furniture.without_dateline), in a feed's summary and in the page's text alike."""
    title = "US lawmakers agree on budget deal"
    body = "U.S. lawmakers agreed a deal on Tuesday to fund the government through March."
    said = "Moscow said the " + body  # the same words as the news itself count
    for dateline in ("MOSCOW, Dec 5 (Reuters) - ", "MOSCOW (AP) — ", "MOSCOW — ", "MOSCOW—"):
        assert not any(m.kept for m in topic_hints(matcher, (), title, dateline + body)[0]), dateline
        # a page's sentence counts 1 of the 2 needed: the dateline's would have been the second
        page = f"Budget deal\n{dateline}{body} {said}"
        assert judge_page(matcher, (), title, None, page).matches == (), dateline
    assert [m.topic for m in topic_hints(matcher, (), title, said)[0] if m.kept] == ["us-russia"]
    page = f"Budget deal\n{said} {said}"
    assert [m.topic for m in judge_page(matcher, (), title, None, page).matches] == ["us-russia"]


def test_a_newsletters_other_stories_are_not_the_items_words(matcher: TopicMatcher) -> None:
    """A newsletter's summary lists its other stories after its lead one ("Also in today's newsletter, ..."; "Plus,
    ..."): they do not put the item on a topic, nor make it a near miss (real items of the fresh sets, labelled off
    both topics, and a development-set item labelled us-russia by its lead)."""

    def hints(title: str, summary: str) -> tuple[list[str], tuple[str, ...]]:
        scores, near = topic_hints(matcher, (), title, summary)
        return [m.topic for m in scores if m.kept], near

    nippon = (
        "FirstFT: Nippon Steel’s last-gasp push to save US Steel deal",
        "Also in today’s newsletter, US says Russia is helping China develop military technologies, and Tata’s "
        "investment plans in the UK",
    )
    assert hints(*nippon)[0] == []  # (its title, "US Steel deal", is still a near miss of its own)
    deflation = (
        "Prospect of China deflation fuels concerns over economy",
        "Also in this newsletter: US banks’ loan losses, deep sea mining and waking up to the benefit of staff naps",
    )
    assert hints(*deflation) == ([], ())
    assert hints("Wednesday Briefing", "Plus, the U.S. says Russia is struggling in Ukraine.") == ([], ())
    # the lead story still counts
    warsaw = (
        "Biden goes to Warsaw to reassure allies and warn Putin",
        "Also in today’s newsletter: should the EU have a centralised sanctions agency?",
    )
    assert hints(*warsaw)[0] == ["us-russia"]
    assert hints("Wednesday Briefing", "President Trump's call with Vladimir Putin. Plus, a rare bird.")[0] == [
        "us-russia"
    ]


def test_a_change_of_course_toward_the_other_side_is_the_relationship(matcher: TopicMatcher) -> None:
    """A US leader turning toward Russia, or a stance or a message to the other, relates the two states (real titles
    of the fresh sets, labelled us-russia; thirteenth session)."""

    assert _keeps(matcher, "Trump turns toward Russia, breaking with decades of U.S. policy")
    assert _keeps(matcher, "Trump toughens his stance on Russia")
    assert _keeps(matcher, "Trump’s attack on Zelensky stirs fear of major U.S. shift on Russia")
    assert _keeps(matcher, "Kremlin Message to Trump: There’s Money to Be Made in Russia")


def test_the_trump_russia_inquiry_is_excluded_not_trumps_russia_policy(matcher: TopicMatcher) -> None:
    """The name "Trump-Russia" is the investigation (US domestic politics); a possessive matches a term's word, so the
    bare phrase excluded every "Trump's Russia ..." headline too (a fresh set of the thirteenth session)."""

    assert _keeps(matcher, "Oil Price Jumps on Trump’s Russia Sanctions")
    assert not _keeps(matcher, "Alongside the Trump-Russia Inquiry, Senators Weigh New Sanctions")
    assert not _keeps(matcher, "Durham trial returns spotlight to Trump-Russia dossier as Kremlin denies ties")


def test_russia_and_china_at_the_us_edge_are_a_military_incident_with_the_us(matcher: TopicMatcher) -> None:
    """Russia named with a third state tells their relationship (joint_subjects), unless their forces meet the US's:
    the guideline's Alaska intercepts (real titles of a fresh set, labelled us-russia; fourteenth session)."""

    assert _keeps(matcher, "Russian, Chinese jets buzz near US airspace")
    assert _keeps(
        matcher,
        "Russia and China Conduct First Joint Bomber Patrol Near Alaska",
        "Two Russian and two Chinese bombers patrolled the airspace near American territory and were intercepted by U.S. "
        "and Canadian jets.",
    )
    assert not _keeps(matcher, "Putin and Xi sign a pact that worries the US")  # their relationship, as before


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        # real titles of the fresh sets, labelled us-russia: one side answering or blaming the other
        ("Russia hits back at Trump after his abrupt swing toward Ukraine", True),
        ("US points finger at Russia over gas pipeline sabotage", True),
        # a US rival hitting back at a US actor is US politics (disputes)
        ("Haley hits back at Trump over Putin praise", False),
    ],
)
def test_hitting_back_and_pointing_the_finger_are_the_relationship(
    matcher: TopicMatcher, title: str, kept: bool
) -> None:
    assert _keeps(matcher, title) is kept


def test_nato_as_british_outlets_write_it_is_another_party(matcher: TopicMatcher) -> None:
    for title in ("NATO chief warns Biden over Russia", "Nato chief warns Biden over Russia"):
        assert not _keeps(matcher, title), title


def test_another_party_named_as_the_titles_place_is_its_setting(matcher: TopicMatcher) -> None:
    """ "In Ukraine", "in Kyiv": the place where the title's news happens does not lead its sentence (_led_by_others), as
    a third state named as a place does not (real titles of the fresh sets, labelled us-russia; thirteenth session)."""

    assert _keeps(matcher, "War rages on in Ukraine as Trump and Putin meet but don’t announce deal")
    assert _keeps(matcher, "Fear and loathing in Kyiv as Trump and Putin shut Ukraine out of peace talks")
    assert not _keeps(matcher, "Ukraine rages as Trump and Putin meet")  # named as the subject, it still leads


def test_a_quotation_heading_a_title_is_a_sentence_of_its_own(matcher: TopicMatcher) -> None:
    """Someone's words, then the news told by its own subject: the speaker's "warns" is not the quotation's
    relationship word (a real item of set HD, labelled off; twenty-fifth session). The news after the colon still
    counts (a real item of the labelled set, labelled on)."""
    assert not _keeps(
        matcher, "‘Only Trump can stop Russia’: Millions face freezing winter, Ukraine energy executive warns"
    )
    assert _keeps(matcher, "'Let him go': Joe Biden tells Russia to release detained US journalist")
    rule = {"rules": [{"all_of": [["Trump"], ["Russia"], ["warns"]]}]}
    # no quotation: one sentence
    assert TopicMatcher(_topics(t=rule)).match("Trump and Russia: a plan, the envoy warns")
    assert not TopicMatcher(_topics(t=rule)).match("'Trump and Russia': a plan, the envoy warns")


def test_a_summary_that_opens_with_a_clause_of_time_tells_its_news_after_the_comma(matcher: TopicMatcher) -> None:
    def kept(summary: str) -> bool:
        return _keeps(matcher, "Trump pushes peace plan", summary)

    # The clause dates the news; its place (another state, which would otherwise lead) is not the sentence's party.
    assert kept("As talks opened in Poland, President Trump said Russia must agree to a ceasefire.")
    assert not kept("Talks opened in Poland, where President Trump said Russia must agree to a ceasefire.")
    # A clause of circumstance sets the news as a clause of time dates it (real items of the fresh sets, labelled us-russia).
    assert kept("With Ukraine in serious trouble and amid questions about U.S. funding, there is a fresh push to unlock "
                "more of the nearly $300 billion in seized Russian assets.")  # fmt: skip
    assert _keeps(matcher, "With Ukraine in the Balance, Trump and Putin Head Into Summit With Mismatched Goals")
    # ... and so does a participle's ("Slammed by ..., "): the news is the state named after it (labelled not us-russia).
    assert not _keeps(matcher, "Slammed by Russian missiles, Ukraine seeks more U.S. air defense systems")
    # Only a clause inside the first sentence moves: the next sentence is read as written, Poland's (no score at all).
    later = "As expected. Poland said, with Trump, that Russia must agree to a ceasefire."
    assert [m for m in matcher.score("Trump pushes peace plan", later) if m.topic == "us-russia"] == []


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        # real titles of the fresh sets, labelled not us-russia: a third state's aid to Russia, and the US warning it
        ("Blinken meets China’s Wang Yi, warns against helping Russia", False),
        ("Antony Blinken warns China there will be 'consequences' if Beijing supplies weapons to Russia", False),
        ("Ukraine live briefing: U.S. warns China of ‘real costs’ of giving lethal aid to Russia", False),
        ("U.S. Warnings to China on Arms Aid for Russia’s War Portend Global Rift", False),
        # labelled us-russia: a secondary measure aimed at Russia, and Russia named as a party of its own
        ("US Sanctions Iran for Providing Hundreds of Missiles to Russia", True),
        ("Washington to crack down on Chinese firms supplying Russia's military", True),
        ("Blinken warns China over its support for Russia as Lavrov meets Wang Yi", True),
    ],
)  # fmt: skip
def test_russia_named_only_as_the_one_a_third_state_aids_is_that_states_news(
    matcher: TopicMatcher, title: str, kept: bool
) -> None:
    assert _keeps(matcher, title) is kept


@pytest.mark.parametrize(
    ("title", "summary", "kept"),
    [
        # real items of the fresh sets, labelled not us-russia: a product's origin is no party (war news with no US role)
        ("Russia says it destroyed U.S.-supplied Bradley fighting vehicles in Kursk",
         "The Russian Defense Ministry posted a video of what it said was the destruction of a U.S.-supplied Bradley "
         "infantry fighting vehicle and other Ukrainian armor by Lancet attack drones in the border area of the Kursk "
         "region.", False),
        ("WATCH Russian drone take out US-made howitzer", "", False),
        ("US sanctions target Myanmar junta-linked businessman for procuring Russian-made weapons", "", False),
        # the compound as a term of its own still counts: the US letting Ukraine fire its weapons into Russia
        ("As U.S. Shifts Policy on Striking Into Russia, Kharkiv Is Hit Again",
         "After weeks of entreaties, Ukraine won permission to hit targets inside Russia with American-made weapons.",
         True),
        # and a name that is a party stays one, hyphen or not
        ("Russia warns US over supplied missiles", "", True),
        # RT's name for NATO is another party (a real item of a fresh set, labelled not us-russia) ...
        ("Russia has never threatened NATO – Shoigu",
         "Russian Defense Minister Sergey Shoigu has accused the US-led bloc of creating military risks for his country",
         False),
        # ... but sanctions the US leads are the US's (a real title, labelled us-russia)
        ("Why US-Led Sanctions on Russia Haven’t Stopped the War", "", True),
    ],
)  # fmt: skip
def test_a_name_that_says_where_a_product_comes_from_is_no_party(
    matcher: TopicMatcher, title: str, summary: str, kept: bool
) -> None:
    assert _keeps(matcher, title, summary) is kept


def test_a_joint_subject_that_extends_another_party_is_another_party_too(matcher: TopicMatcher) -> None:
    """A word counts once in a rule, as the longest of the rule's terms it is part of: were "Xi Jinping" a joint
    subject only, it would hide the other party "Xi", and "Xi Jinping used two days of talks in Moscow to align with
    Russia against the US" would be the rule's (a fresh set of the twelfth session)."""
    for topic in load_config(ROOT / "feeds.yaml").topics.values():
        for rule in topic.rules:
            if not rule.other_parties or rule.joint_subjects is None:
                continue
            states = rule.third_states.parties if rule.third_states else ()
            others = {str(t).lower() for t in (*rule.other_parties, *states)}
            for party in rule.joint_subjects.parties:
                words = str(party).lower()
                if any(re.search(rf"\b{re.escape(o)}\b", words) for o in others):
                    assert words in others, (rule.name, party)
    kept = matcher.score(
        "Xi Aligns With Putin Against US", "Xi Jinping used talks in Moscow to align with Russia against the US."
    )
    assert "us-russia" not in {m.topic for m in kept if m.kept}


@pytest.mark.parametrize(
    ("title", "summary", "kept"),
    [
        # a title about the US and another state: Russia in its summary is background
        ("US announces plans to resume security ties with Niger",
         "The US says it intends to resume a partnership with Niger after the African nation and Moscow signed a defense deal.",
         False),
        ("What to Know About Modi's Visit and U.S.-India Relations",
         "The visit has big implications for U.S.-India relations as President Biden seeks to shore up an alliance against "
         "Russia's aggression and China's economic influence.", False),
        # ... unless the title sanctions or blacklists: a secondary measure aimed at Russia
        ("US adds 42 more Chinese companies to its 'entities' economic blacklist",
         "US Commerce Department says the businesses support Russia's military by supplying microelectronics that can be "
         "used for missile and drone guidance systems.", True),
        # the war's other party and the blocs are not third states
        ("Trump's promise for a quick end to Ukraine war gets a reality check after talks end with no deal",
         "United States, Russia and Ukraine continued talks in Saudi Arabia, as Putin laid out his conditions.", True),
        # a title naming Russia as well is not about the third state alone (even as the one aided: its summary's
        # sanctions count), nor is one naming a state as a place
        ("US warns China over its support for Russia", "Blinken said the US would sanction Chinese firms arming Moscow.",
         True),
        ("U.S. presses for truce in Syria despite policy snags",
         "Obama and Putin fail to find common ground during meeting in China.", True),
    ],
)  # fmt: skip
def test_a_title_about_a_third_state_and_the_us_does_not_support_its_summary(
    matcher: TopicMatcher, title: str, summary: str, kept: bool
) -> None:
    assert _keeps(matcher, title, summary) is kept


@pytest.mark.parametrize(
    ("topic", "title", "summary", "kept"),
    [
        # real items of the fresh sets (fifteenth session), labelled on their topics: words their rules' lists lacked,
        # one side calling the other its enemy, lithium with the Democratic Republic of Congo as the rule's "Congo"
        ("us-russia", "Kremlin calls US ‘an enemy’ for first time",
         "Kremlin spokesman Dmitry Peskov has referred to the United States as an “enemy” while talking to "
         "reporters on Tuesday", True),
        ("rare-earths", "Glencore to expand DRC exposure as it pushes into lithium", "", True),
        # one side turning away from the other (a real title, labelled us-russia)
        ("us-russia", "Why Trump has turned his back on Putin - somewhat", "", True),
        # one leader inviting the other (a real title, labelled us-russia)
        ("us-russia", "Russians cheer Putin\u2019s Alaska invitation, envision no concessions on Ukraine", "", True),
        # the third states the US calls its adversaries are theirs, not Russia's relationship with the US
        ("us-russia", "How Putin Rebuilt Russia's War Machine With Help From U.S. Adversaries", "", False),
        # real titles of the fresh sets (sixteenth session), labelled us-russia: one side opposing the other's words,
        # rivals facing each other, and what one leader calls the other
        ("us-russia", "FirstFT: US opposes language on \u2018Russian aggression\u2019 in G7 statement on Ukraine", "", True),
        ("us-russia", "Putin and Biden Shore Up Alliances in Dueling Appearances", "", True),
        ("us-russia", "Biden calls Putin \u2018a butcher\u2019", "", True),
        # a US determination that Russia committed atrocity crimes (real items of set FD, labelled us-russia); the
        # same words from a court or the UN are not the US's
        ("us-russia", "US says Russia committed \u2018crimes against humanity\u2019 in Ukraine",
         "US Vice President Kamala Harris says Russian forces have carried out widespread and systemic attacks on "
         "civilians.", True),
        ("us-russia", "ICC issues arrest warrants for Russian army chief, former defence minister",
         "Court accuses them of war crimes and crimes against humanity for directing attacks on civilian targets in "
         "Ukraine.", False),
        ("us-russia", "Russia is a 'paper tiger' and Ukraine could regain territory, Trump says", "", True),
        # (a set drawn after those words, AT)
        ("us-russia", "Putin won\u2019t descend to Biden\u2019s level \u2013 Kremlin",
         "US President Joe Biden has once again disparaged his Russian counterpart Vladimir Putin, calling him a "
         "\u201cdictator\u201d on Thursday", True),
        # Russia's opposition is its dissidents, not one side opposing the other
        ("us-russia", "Americans rally behind Russia's opposition in New York", "", False),
        # real titles of a fresh set (fifteenth session), labelled us-russia: influence in any form of the word
        ("us-russia", "Russia has spent over $300 million on influencing foreign elections since 2014, US officials say", "", True),
        ("us-russia", "U.S. to Accuse Russia of Using Its State Media to Influence 2024 Election", "", True),
        ("us-russia", "Putin and Zelenskiy Vie to Sway Trump Over War in Ukraine", "", True),
        # influence that is neither side's on the other is not the relationship
        ("us-russia", "Europe, sidelined by U.S. and Russia, seeks influence in Ukraine talks", "", False),
        # real items of the fresh sets, labelled us-russia: the US pressing the buyers of Russia's oil ...
        ("us-russia", "Trump says India will stop buying Russian oil. New Delhi won\u2019t confirm.", "", True),
        ("us-russia", "Why is the US sparing China, but not India, for importing Russian oil?", "", True),
        # ... and the price cap (the G7's, the US among them) with Russia, named or not, and Russia's answer to it
        ("us-russia", "EU Embargo of Russian Oil and G7\u2019s Price Cap Take Effect", "", True),
        ("us-russia", "As EU price cap on Russian oil kicks in, questions remain over whether it will work", "", True),
        ("us-russia", "Putin bans Russian oil exports to countries that imposed price caps, Kremlin says", "", True),
        # labelled not us-russia: a third state's own trade
        ("us-russia", "India buying more US oil amid Russia sanctions",
         "India has ramped up purchases of US oil after stricter enforcement of sanctions slowed deliveries of Russian "
         "crude, Reuters has said", False),
        # a cap on something else is not the price cap
        ("us-russia", "Russia caps bread prices as inflation bites", "", False),
        # real items of the fresh sets (sixteenth session), labelled not us-russia: a US campaign's debate, whom Russia
        # roots for, an opinion poll and a cable host's row, the guideline's "US domestic politics that invokes Russia"
        ("us-russia", "Kremlin comments on Biden-Trump debate",
         "Kremlin spokesman Dmitry Peskov has reacted to the televised US debate between Donald Trump and Joe Biden",
         False),
        ("us-russia", "Putin snored through Biden debate disaster, Kremlin says",
         "While the Russian leader's team affected disinterest in Trump vs. Biden, his agents of chaos in state media "
         "sprung into action.", False),
        ("us-russia", "Trump reacts to Putin rooting for Harris", "", False),
        ("us-russia", "Americans are now split on whether Russia is an \u2018enemy,\u2019 poll finds", "", False),
        ("us-russia", "MSNBC host fact-checked after declaring that Trump failed to get Americans freed from Russia", "", False),
        # Washington's budget fights (a set drawn after those words, AS)
        ("us-russia", "Debt ceiling standoff could derail Biden's G-7 trip where Russia and China are on the agenda", "", False),
        # "debate" as what states do is not the campaign's (labelled us-russia)
        ("us-russia", "Thursday Briefing: G7 Leaders Prepare to Debate Frozen Russian Assets", "", True),
        # real items of the fresh sets (seventeenth session), labelled us-russia: one side urging the other, and the
        # relationship souring
        ("us-russia", "Trump Urges Russia to \u2018STOP!\u2019 After Deadly Attack on Ukraine\u2019s Capital", "", True),
        ("us-russia", "Trump calls for Russia to reach 'immediate' settlement with Ukraine", "", True),
        ("us-russia", "Trump Starts to Sour on Putin Over Ukraine", "", True),
        # the two urging a third party together is the guideline's co-mention
        ("us-russia", "U.S., Russia urge against spiral into war in Nagorno-Karabakh", "", False),
        # a real item of set FI (twenty-fifth session), labelled us-russia: a military encounter in the words the US
        # military tells it in
        ("us-russia", "Video shows Russian jet flying close to plane off Alaska: \"Endangered all\"",
         "\"The conduct of one Russian Su-35 was unsafe, unprofessional, and endangered all,\" a NORAD commander said.",
         True),
        # a real item of set FJ (twenty-fifth session), labelled us-russia: one leader yielding to the other
        ("us-russia", "Backing Off Tomahawk Suggestion, Trump Again Defers to Putin", "", True),
        # a real item of set HA (twenty-fifth session), labelled us-russia: a citizen held as a hostage
        ("us-russia", "Brittney Griner case throws spotlight on hostage diplomacy", "", True),
        # a real item of set GC (twenty-fifth session), labelled not us-russia: culture, a prisoner's memoir
        ("us-russia", "Evan Gershkovich, U.S. Journalist Imprisoned in Russia, Will Publish a Memoir",
         "The memoir, which will cover his time in prison and Russia’s move toward autocracy, will be published by "
         "Crown", False),
        # real items of the sets read in the twenty-sixth session, each kept as labelled once its rule had the word:
        # (IA) deterring the other side
        ("us-russia", "The order comes as Russian troops mass at Ukraine's border, Pentagon spokesman says",
         "The Biden administration is in the final stages of identifying specific military units it wants to send to "
         "Eastern Europe and writing up the military orders in an effort to deter Russia, which has massed tens of "
         "thousands of troops on the border with Ukraine, according to multiple US and defense officials.", True),
        # (IC) the incidents that befell US diplomats
        ("us-russia", "Russian intelligence unit 'could be behind mysterious Havana syndrome'",
         "US diplomats who suffered from the mysterious \"Havana syndrome\" may have been targeted by Russian sonic "
         "weaponry, according to a new joint media investigation.", True),
        # (FE) the 2025 deal told by what it trades
        ("rare-earths", "What does Ukraine have that the US wants?",
         "Donald Trump pushed Volodymyr Zelenskyy to repay US aid with Ukraine's minerals. But the deal fell through.",
         True),
        # (FG) a critical-minerals project named by its company
        ("rare-earths", "Trump Approves Road Project in Alaska, Stake in Trilogy Metals", "", True),
        ("rare-earths", "Police appeal after stabbing on Ambler Road", "", False),
        # (CD) a state barring the metals' trade; not the toxins
        ("rare-earths", "China Dials Up US Trade Tension With Tit-for-Tat Metals Ban", "", True),
        ("rare-earths", "Heavy metals ban approved for cosmetics", "", False),
    ],
)  # fmt: skip
def test_words_their_lists_lacked(matcher: TopicMatcher, topic: str, title: str, summary: str, kept: bool) -> None:
    """Real items of the fresh sets (fifteenth and sixteenth sessions), each kept or not as labelled once a word its
    rule's list (or the exclude list) lacked was added: one table, the families in its comments."""
    assert _keeps(matcher, title, summary, topic) is kept


# --------------------------------------------------------------------------- explain


def test_explain_says_what_score_decides_and_why_on_every_probe_and_corpus_item(matcher: TopicMatcher) -> None:
    """explain() is score() with its reasons: the same score and verdict for every topic, a rule fired wherever a topic
    scores, none fired in a field that counted where it scores nothing, and every near miss it names is one partial()
    names. Over the guideline probes and the items corpus (its titles and summaries as the feeds give them)."""
    texts = [(title, summary) for _, _, title, summary in _probes()]
    if ITEMS.is_dir():
        texts += [(item["title"], item["summary"]) for item in _corpus_items().values()]
    assert len(texts) > 900
    kinds = set()
    for title, summary in texts:
        scored = {m.topic: m for m in matcher.score(title, summary)}
        near = set(matcher.partial(title, summary))
        for e in matcher.explain(title, summary):
            m = scored.get(e.topic)
            assert (e.score, e.kept) == ((m.score, m.kept) if m else (0.0, False)), (title, e.topic)
            counted = [v for v in e.verdicts if not e.unsupported or v.field == "title"]
            assert (e.score > 0) == any(v.outcome == FIRED for v in counted), (title, e.topic)
            assert all(v.outcome != NEAR_MISS or e.topic in near for v in e.verdicts), (title, e.topic)
            kinds.update(v.outcome.split(" (")[0] for v in e.verdicts)
    # the corpus and the probes show every kind of verdict the shipped rules can give
    assert {FIRED, NEAR_MISS, "another party leads the sentence"} <= kinds


def test_explain_names_the_veto_the_missing_group_and_the_excluded_sentence(matcher: TopicMatcher) -> None:
    led = matcher.explain("North Korean troops in Ukraine 'fair game', US warns Russia as war rages on")
    (us_russia,) = [e for e in led if e.topic == "us-russia"]
    assert not us_russia.kept
    (v,) = us_russia.verdicts
    assert v.field == "title" and v.outcome == "another party leads the sentence (North Korean)"
    assert v.terms == ("US", "warns", "Russia")
    rule = v.rule

    (near,) = [e for e in matcher.explain("Russia expels two diplomats") if e.topic == "us-russia"]
    (v,) = near.verdicts
    assert (v.outcome, v.terms, v.rule) == (NEAR_MISS, ("Russia", "expels", "diplomats"), rule)
    topic = load_config(ROOT / "feeds.yaml").topics["us-russia"]
    assert "US" in topic.rules[v.rule].all_of[v.missing]  # the group that has none of its words: the US actors

    (hockey,) = [
        e for e in matcher.explain(None, "Russia beat the US in an ice hockey semifinal.") if e.topic == "us-russia"
    ]
    assert hockey.excluded == (("summary", 0, "ice hockey"),) and hockey.verdicts == ()

    # A title that supports nothing: the summary's rule fires, and does not count (title_required).
    (tanks,) = [
        e
        for e in matcher.explain(
            "Poland and Britain Consider Sending Leopard Tanks to Ukraine",
            "U.S. and European officials said Russia would respond.",
        )
        if e.topic == "us-russia"
    ]
    assert tanks.unsupported and not tanks.kept and tanks.score == 0
    assert [(v.field, v.outcome) for v in tanks.verdicts] == [("summary", FIRED)]


def test_explain_item_reads_an_item_as_the_poll_does_and_renders_sentences_in_order(matcher: TopicMatcher) -> None:
    from bot.explain import explain_item, render

    topics = load_config(ROOT / "feeds.yaml").topics
    # An aggregator's summary that only repeats the title is not read; a newsletter's name is no title.
    echo = explain_item(matcher, "Russia expels US diplomats - Reuters", "Russia expels US diplomats  Reuters")
    assert echo.summary is None and echo.summary_dropped
    assert render(echo, topics).splitlines()[:2] == [
        "(the title is read without its outlet's name: Russia expels US diplomats)",
        "(the summary is not read: it only repeats the title, or is the feed's furniture)",
    ]
    letter = explain_item(
        matcher, "Wednesday Briefing", "The US and Russia agreed to hold talks on nuclear arms. Also: ice hockey."
    )
    assert letter.title is None and not letter.summary_dropped
    text = render(letter, topics).splitlines()
    assert text[0] == "(the title is a newsletter's name: the item is judged on its summary)"
    at = text.index("us-russia: kept, score 2 (needs 2)")
    assert text[at + 1] == "  summary, sentence 1: The US and Russia agreed to hold talks on nuclear arms."
    assert text[at + 2].startswith('    fired: "') and text[at + 2].endswith("[US, Russia, talks, nuclear]")
    assert text[at + 3] == "  summary, sentence 2: counts for nothing (exclude: ice hockey)"


def test_explain_item_reads_markup_and_entities_as_the_feed_parser_leaves_them(matcher: TopicMatcher) -> None:
    from bot.explain import explain_item
    from bot.feeds import html_to_text

    # Set CF (Sky News): the feed file escapes a no-break space between two sentences. The feed parser leaves plain
    # text, two sentences; read raw, "&#160;" glued them into one that fired the relationship rule.
    title = "Putin has wriggled off the hook yet again, Trump is the clear loser, and Ukrainians are furious"
    summary = (
        "<p>The clear winner in Alaska is Vladimir Putin.&#160;A day in a global spotlight, equal billing with a"
        "&#160;true superpower leader, a red carpet welcome and most importantly for him no need to agree to a "
        "ceasefire.</p>"
    )
    raw = explain_item(matcher, title, summary)
    plain = explain_item(matcher, title, html_to_text(summary))
    assert raw == plain
    assert raw.summary is not None and "&" not in raw.summary and "<" not in raw.summary
    assert not {e.topic for e in raw.topics if e.kept}
    assert (
        explain_item(matcher, "Russia&#039;s envoy meets US officials", None).title
        == "Russia's envoy meets US officials"
    )


def test_explain_names_an_unnamed_rule_by_its_place_and_shows_what_a_near_miss_lacks() -> None:
    from bot.explain import as_json, explain_item, render

    topics = _topics(
        t={
            "rules": [
                {"any": ["zebra"]},
                {"all_of": [["Alpha"], ["Beta"], ["gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota"]]},
            ]
        }
    )
    explained = explain_item(TopicMatcher(topics), "Alpha meets Beta", "")
    assert render(explained, topics).splitlines() == [
        "t: not kept, score 0 (needs 2)",
        "  title: Alpha meets Beta",
        "    near miss: rule 2 [Alpha, Beta]; none of: gamma, delta, epsilon, zeta, eta, theta, … (7 terms)",
    ]
    (verdict,) = as_json(explained, topics)["topics"][0]["verdicts"]
    assert (verdict["rule"], verdict["rule_name"], verdict["missing"][-1]) == (2, None, "iota")


def test_the_house_by_its_parties_is_a_us_actor(matcher: TopicMatcher) -> None:
    assert _keeps(matcher, "House Republicans Look to Frozen Russian Assets to Fund Ukraine")
    assert _keeps(matcher, "House Democrats demand new sanctions on Russia")
    assert not _keeps(matcher, "House Republicans pass border bill")
    assert not _keeps(matcher, "Britain's House of Lords debates Russian assets")


def test_critical_materials_are_the_critical_minerals(matcher: TopicMatcher) -> None:
    assert _keeps(matcher, "Germany Eyes Critical Materials Fund of as Much as $1.1 Billion", topic="rare-earths")
    assert _keeps(matcher, "DOE announces $150 million for critical materials innovation", topic="rare-earths")
    assert not _keeps(matcher, "Critical reviews of the new building materials", topic="rare-earths")


def test_a_response_is_one_side_answering_the_other_and_in_response_to_is_a_connective(matcher: TopicMatcher) -> None:
    assert _keeps(matcher, "Russia vows response if U.S. puts longer-range missiles in Germany")
    assert _keeps(matcher, "Russia vows 'appropriate and tangible' response if US missiles used against its territory")
    assert not _keeps(
        matcher,
        "Raskin compares Trump to Putin's Russia in response to veiled threats against opponents",
    )


def test_plural_messages_guilty_pleas_and_a_single_us_ally(matcher: TopicMatcher) -> None:
    assert _keeps(matcher, "Biden's State of the Union sends potent messages to Zelensky and Putin")
    assert _keeps(matcher, "Brittney Griner pleads guilty to drug charges in Russian court")
    assert not _keeps(matcher, "Former US Marine pleads guilty in Idaho robbery case")
    assert not _keeps(matcher, "Putin threatens to arm North Korea, warns U.S. ally South against 'big mistake'")
    assert _keeps(matcher, "Putin warns the U.S. against 'big mistake' over missiles")


def test_conflict_minerals_are_the_critical_minerals(matcher: TopicMatcher) -> None:
    assert _keeps(matcher, "DR Congo accuses Apple of using conflict minerals", topic="rare-earths")
    assert not _keeps(matcher, "Conflict in eastern Congo displaces thousands", topic="rare-earths")


def test_the_us_pressing_the_buyers_of_russias_oil(matcher: TopicMatcher) -> None:
    assert _keeps(matcher, "Indian conglomerate to stop Russian oil imports amid pressure from Trump")
    assert _keeps(matcher, "Can Trump force India to give up buying Russian oil?")
    assert not _keeps(matcher, "Refiners under pressure as Russian oil discounts narrow")


def test_less_common_critical_minerals_with_their_mining_or_control(matcher: TopicMatcher) -> None:
    title = "Inside a Ukrainian titanium mine - one of the minerals Donald Trump may well be after"
    assert _keeps(matcher, title, topic="rare-earths")
    assert _keeps(matcher, "China's magnesium shortage threatens Europe's carmakers", topic="rare-earths")
    assert _keeps(matcher, "Tin prices jump as Myanmar's Wa State halts mining", topic="rare-earths")
    # the same words in other senses: a watch case, jewellery, a can
    assert not _keeps(matcher, "Apple Watch with titanium case sees strong demand", topic="rare-earths")
    assert not _keeps(matcher, "Platinum jewelry demand rises in China", topic="rare-earths")
    assert not _keeps(matcher, "Tin can prices rise as steel costs climb", topic="rare-earths")


def test_the_us_brokering_peace_in_russias_war(matcher: TopicMatcher) -> None:
    assert _keeps(matcher, "Zelenskyy ready to meet Trump to discuss Ukraine peace plan")
    assert _keeps(matcher, "US and Ukraine announce revised peace plan: this is what we know")
    # not a near miss: a US-Ukraine title does not let its summary count
    assert not _keeps(
        matcher,
        "Russia strikes Kyiv overnight as US envoy tours Europe",
        "Russian missiles hit energy sites; Kellogg met officials in Berlin on an unrelated trip.",
    )
    # war news dated by the talks, Europe's own moves, and another war's peace plan
    assert not _keeps(matcher, "Russia pounds Kharkiv with missiles as Trump hails progress on peace talks")
    assert not _keeps(matcher, "European leaders back Ukraine ahead of Trump's peace talks")
    assert not _keeps(matcher, "Trump unveils Gaza peace plan at White House")


# --------------------------------------------------------------------------- a review's mechanical bugs


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        ("Jacob Rees-Mogg attacks Labour budget", False),  # "REEs" was read in any case: "Rees"
        ("Lord Rees warns on asteroid risk", False),
        ("Demand for REEs soars as China limits supply", True),
    ],
)
def test_a_term_in_capitals_with_a_plurals_s_is_case_sensitive(matcher: TopicMatcher, title: str, kept: bool) -> None:
    assert _keeps(matcher, title, None, topic="rare-earths") is kept


def test_a_pages_score_after_the_feeds_reads_us_led_as_score_does(matcher: TopicMatcher) -> None:
    """rescore (the poller's page after its feed's title and summary) skipped "US-led bloc" as no US actor, which
    score() applies: a page the one dropped, the other kept."""
    title, page = "Kremlin warns of escalation", "Russia condemned the US-led bloc. Moscow accused the US-led alliance."
    direct = {m.topic for m in matcher.score(title, None, page) if m.kept}
    after = {m.topic for m in matcher.rescore(matcher.score(title, None), page, title) if m.kept}
    assert direct == after == set()


def test_an_accented_term_matches_its_word_written_composed_or_decomposed() -> None:
    """A feed (some CMSs, text made on a Mac) may write "Gdańsk" decomposed: "n" and U+0301, a mark that is no word
    character, so the word split there and the term missed it; the term typed so was refused. Both are read composed
    (NFC) now, and the word is reported as the rules read it."""
    nfd = functools.partial(unicodedata.normalize, "NFD")
    assert nfd("Gdańsk") != "Gdańsk" and nfd("Klaipėda") != "Klaipėda"
    for terms in (["Gdańsk", "Klaipėda"], [nfd("Gdańsk"), nfd("Klaipėda")]):
        m = TopicMatcher(_topics(t={"rules": [{"any": terms, "weight": 2}]}))
        for title, word in (
            ("Port of Gdańsk expands LNG terminal", "Gdańsk"),
            (nfd("Port of Gdańsk opens new container quay"), "Gdańsk"),
            (nfd("Klaipėda's LNG terminal extends its lease"), "Klaipėda"),
        ):
            assert [(x.topic, x.terms) for x in m.match(title)] == [("t", (word,))], (terms, title)
        assert m.match(None, nfd("Ships left the port. Gdańsk said its quay was ready.")), terms  # a summary too
        assert not m.match(nfd("Gdańskie Zakłady Nawozów")), terms  # still a whole word


def test_curly_double_quotes_end_and_open_sentences() -> None:
    """Curly double quotes were no sentence end: two sentences read as one, and a rule fired across them."""
    m = TopicMatcher(_topics(t={"rules": [{"all_of": [["Alpha"], ["Beta"]]}]}))
    for summary in ("Alpha spoke.” Beta replied.", "Alpha spoke. “Beta replied.", 'Alpha spoke." Beta replied.'):
        assert not [x for x in m.score(None, summary) if x.kept], summary
    assert [x.topic for x in m.score(None, "Alpha spoke and Beta replied.") if x.kept] == ["t"]


@pytest.mark.parametrize(
    ("title", "kept"),
    [("China courts Washington — Moscow watches warily", False), ("Washington-Moscow hotline reopened", True)],
)
def test_a_dash_between_spaces_joins_no_phrase(matcher: TopicMatcher, title: str, kept: bool) -> None:
    assert _keeps(matcher, title, None) is kept


def test_ignored_and_longer_spans_are_found_as_by_comparing_every_pair() -> None:
    """_Spans answers what comparing a match with every ignore phrase and every longer phrase answered (quadratic:
    30 kB of "US ally, " took 3 s to score, 6 s to explain), for random spans."""
    from bot.topics import _Spans

    rng = random.Random(28)
    for _ in range(2000):
        spans = [(a, a + rng.randint(1, 10)) for a in (rng.randint(0, 50) for _ in range(rng.randint(1, 8)))]
        found = _Spans(spans)
        for _ in range(10):
            s = rng.randint(0, 55)
            e = s + rng.randint(1, 10)
            assert found.overlaps(s, e) == any(s < b and a < e for a, b in spans)
            assert found.holds_longer(s, e) == any(x <= s and e <= y and y - x > e - s for x, y in spans)
