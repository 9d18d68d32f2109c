"""The matcher's quick first look: it rules out only fields where no rule can fire or nearly match.

Every result is compared with a matcher that skips the quick look (it scans every field in full): score() and
partial() must be the same on real items, the seed articles and generated tricky text.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from defusedxml import ElementTree
from shared import shared_path

from bot.feeds import parse_feed
from bot.settings import Topic, load_config
from bot.topics import TopicMatcher, normalize

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


class FullScan(TopicMatcher):
    """The same rules with no quick look: every field goes through the full scan."""

    def _may_match(self, value: str) -> bool:
        return True


def _topics(**spec: dict) -> dict[str, Topic]:
    return {name: Topic.model_validate(body) for name, body in spec.items()}


def _pair(topics: dict) -> tuple[TopicMatcher, FullScan]:
    return TopicMatcher(topics), FullScan(topics)


@pytest.fixture(scope="module")
def project() -> tuple[TopicMatcher, FullScan]:
    return _pair(load_config(ROOT / "feeds.yaml").topics)


def _same(quick: TopicMatcher, full: FullScan, title: str, summary: str = "", text: str = "") -> bool:
    """Whether both matchers say the same of one item, in every way it is asked (raises on a difference)."""
    assert quick.score(title, summary, text) == full.score(title, summary, text), (title, summary, text[:200])
    assert quick.partial(title, summary) == full.partial(title, summary), (title, summary)
    assert quick.score_and_partial(title, summary) == full.score_and_partial(title, summary), (title, summary)
    return True


def _ruled_out_with_hits(quick: TopicMatcher, full: FullScan, fields: list[str]) -> int:
    """How many of ``fields`` the quick look rules out although some term (a context word) occurs in them."""
    return sum(1 for f in fields if not quick._may_match(normalize(f)) and full._find(normalize(f)))


# --------------------------------------------------------------------------- real text


def _corpus_items() -> Iterator[tuple[str, str]]:
    for path in sorted(shared_path("feeds-corpus/items").glob("*.xml")):
        for item in ElementTree.parse(path).getroot().iter("item"):
            yield item.findtext("title") or "", item.findtext("description") or ""


def _real_feeds() -> Iterator[tuple[str, str, str]]:
    """Items of the real feeds as the poller reads them (many languages and encodings, Cyrillic among them)."""
    for path in sorted(shared_path("feeds-corpus/real").iterdir()):
        if path.suffix in (".tsv", ".gz"):  # the manifest; a gzip copy of a feed that is also there plain
            continue
        for item in parse_feed(path.read_bytes(), None, "http://feeds.test/").items:
            yield item.title, item.summary, item.content


def test_same_results_on_real_items(project: tuple[TopicMatcher, FullScan]) -> None:
    quick, full = project
    items = list(_corpus_items())
    assert len(items) >= 400
    assert all(_same(quick, full, title, summary) for title, summary in items)
    # Each field alone, and a summary as the body text (the sentence path of the third field).
    assert all(_same(quick, full, summary, "", title) for title, summary in items)
    # Not vacuous: topics are found, and fields holding only context words were ruled out by the quick look.
    assert sum(1 for t, s in items if quick.match(t, s)) >= 200
    assert _ruled_out_with_hits(quick, full, [f for item in items for f in item]) >= 30


def test_same_results_on_real_feeds(project: tuple[TopicMatcher, FullScan]) -> None:
    quick, full = project
    items = list(_real_feeds())
    assert len(items) >= 500
    assert any(any("\u0400" <= c <= "\u04ff" for c in t) for t, _, _ in items)  # Cyrillic is among them
    assert all(_same(quick, full, title, summary, content) for title, summary, content in items)
    assert any(quick.score(t, s, c) or quick.partial(t, s) for t, s, c in items)  # not an empty comparison
    assert _ruled_out_with_hits(quick, full, [f for t, s, _ in items for f in (t, s)]) >= 30


def test_same_results_on_the_seed_articles(project: tuple[TopicMatcher, FullScan]) -> None:
    quick, full = project
    assert SEEDS
    for path in SEEDS:
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        assert quick.match(title, "", body)
        assert _same(quick, full, title, "", body)
        lines = [line for line in body.splitlines() if line.strip()]
        assert all(_same(quick, full, line, line, line) for line in lines)
        assert all(_same(quick, full, a, b) for a, b in pairwise(lines))


# --------------------------------------------------------------------------- generated tricky text

TRICKY = _topics(
    names={
        "rules": [
            {
                "any": [
                    "Kreml",
                    "Straße",
                    "Россия",
                    "O'Brien",
                    "rare earth",
                    "Columbia Journal",
                    "D'Arcy Institute",
                    "permanent magnet*",
                ]
            },
            {"all_of": [["sanction*", "US-Russia*"], ["talks", "deal", "market*", "price*"]]},
            {
                "all_of": [["US", "U.S.", "White House", "State Department"], ["Moscow", "Putin"], ["spy", "swap*"]],
                "near": 6,
            },
        ],
        "exclude": ["ice hockey"],
        "ignore": ["Radio Free Europe", "Washington Post"],
        "threshold": 1,
    }
)

# Words from the terms of both configurations, context words and the look-alikes that must not match.
_WORDS = """
US U.S. us USB U.S.-Russia US–Russia us-russia Russia Russia's Russian Россия России Moscow Moscow’s Putin PUTIN
Kremlin Kreml Kremlinology Columbia Journal D'Arcy Institute Straße strasse O'Brien O’Brien's
sanction sanctions SANCTIONED unsanctioned talks Talks deal deals market markets pricey prices spy spying swap swapped
White House State Department state department Washington Post Radio Free Europe free ice hockey
rare earth rare-earth earths permanent magnet magnets lithium-ion lithium cobalt Cobalt Strike China export exports minerals
mineral deal critical minerals Energy Fuels energy fuel Wall Street Journal Gershkovich detained arrest tension
treaty New START start the a of and in said on — , ; : 2026 санкции переговоры Москва Ukraine Kyiv NdFeB REE REEs
"""
_VOCAB = _WORDS.split()
_STOPS = (". ", "! ", "? ", "\n", ". U.S. ", ", ", " ")


def _generated(seed: int) -> str:
    rng = random.Random(seed)
    out = []
    for _ in range(rng.randint(1, 40)):
        word = rng.choice(_VOCAB)
        if rng.random() < 0.1:
            word = word.upper() if rng.random() < 0.5 else word.capitalize()
        if rng.random() < 0.08:
            word += rng.choice(("'s", "’s", "-based", "s"))
        out.append(word + rng.choice(_STOPS) if rng.random() < 0.2 else word + " ")
    return "".join(out).strip()


@pytest.mark.parametrize("config", ["project", "tricky"])
def test_same_results_on_generated_text(config: str, project: tuple[TopicMatcher, FullScan]) -> None:
    quick, full = project if config == "project" else _pair(TRICKY)
    texts = [_generated(seed) for seed in range(1500)]
    assert all(_same(quick, full, a, b, c) for a, b, c in zip(texts, texts[500:], texts[1000:], strict=False))
    assert all(_same(quick, full, a, b) for a, b in zip(texts, reversed(texts), strict=True))
    assert sum(1 for t in texts if full.match(t)) >= 100
    assert sum(1 for t in texts if full.partial(t)) >= 20
    assert _ruled_out_with_hits(quick, full, texts) >= 50


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Россия и США: переговоры", "Санкции против России."),
        ("Der Kreml äußerte sich", "Die Straße wurde gesperrt; die STRASSE auch."),
        ("O’Brien’s remarks", ""),
        ("SANCTIONS widened as markets fall", ""),
        ("US-Russian talks resume", "U.S.-Russia ties: talks."),
        ("us russia talks", "tell us russia is talking"),
        ("White House says Moscow spy swap is near", ""),
        ("The White House's envoy met Putin", "a Moscow swap"),
        ("State Department", "state of the department"),
        ("Putin's swap", "Radio Free Europe reporter in a Moscow swap"),
        ("US and Russia meet in ice hockey spy swap", ""),
        ("rare-earth", "Rare\u00a0earth prices"),
        ("Кремль и Columbia Journal's", "Columbia JOURNAL’S Кремль"),  # a phrase's other word, possessive
        ("The D'Arcy Institute said", "Das D'Arcy Institute äußerte sich"),  # a phrase's other word, not one run
        ("Кремль: permanent magnets", "Permanent MAGNETS’ prices è"),  # a phrase's other word, a prefix
        ("", "US\u2013Russia talks and prices"),
    ],
)
def test_same_results_on_tricky_cases(title: str, summary: str) -> None:
    quick, full = _pair(TRICKY)
    assert _same(quick, full, title, summary, summary)


# --------------------------------------------------------------------------- which terms let a field through

TRIGGERS = _topics(
    t={
        "rules": [
            {"any": ["alpha", "omega point"]},
            # The group with fewer terms is the trigger; context words never fire alone.
            {"all_of": [["magnet", "magnets"], ["factory", "plant", "export*"]]},
            # Three groups: any near miss lacks one at most, so it has one of the two narrowest.
            {
                "all_of": [
                    ["Washington", "State Department", "envoy*", "senator"],
                    ["Moscow", "Kremlin", "Lavrov"],
                    ["talks", "summit", "treaty", "sanction*", "deal"],
                ]
            },
            # Equal sizes: the group with fewer wildcards.
            {"all_of": [["gamma*", "delta"], ["epsilon", "zeta"]]},
        ],
        "exclude": ["hockey"],
        "ignore": ["Washington Post"],
    }
)


@pytest.mark.parametrize(
    ("field", "passes"),
    [
        ("alpha", True),
        ("Omega point", True),
        ("omega", False),  # a phrase needs each of its words
        ("point", False),
        ("magnets", True),
        ("factory plant exports", False),
        ("Washington", True),
        ("the State Department said", True),
        ("state of the department", True),  # both words of the phrase are there: looked at in full
        ("state", False),
        ("envoys met", True),
        ("Kremlin", True),
        ("Lavrov's", True),
        ("talks summit treaty sanctions deal", False),
        ("epsilon", True),
        ("zeta", True),
        ("gammas delta", False),
        ("hockey", False),  # exclude and ignore terms never let a field through
        ("Post", False),
    ],
)
def test_trigger_terms_of_one_two_and_three_group_rules(field: str, passes: bool) -> None:
    quick, full = _pair(TRIGGERS)
    assert quick._may_match(field) is passes
    assert _same(quick, full, field, field, field)


def test_a_near_miss_needs_a_trigger_and_is_found_with_one() -> None:
    """A three-group rule's near miss (two groups of three) lacks one group: either way a trigger is there."""
    quick, full = _pair(TRIGGERS)
    for title in ("Washington talks", "Kremlin summit", "Washington and Moscow"):
        assert quick.partial(title) == full.partial(title) == ("t",), title
    assert quick.partial("talks and a summit") == full.partial("talks and a summit") == ()
