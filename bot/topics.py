"""Topic relevance: keyword rules compiled once, scored on an item's title, feed summary and full text.

API::

    matcher = TopicMatcher(config.topics)            # Mapping[str, Topic] (bot.settings.Topic or alike)
    matcher.match(title, summary="", text="") -> list[TopicMatch]   # kept topics, best first
    matcher.score(title, summary="", text="") -> list[TopicMatch]   # every topic with a score > 0
    matcher.rescore(matcher.score(title, summary), text, title)   # == score(title, summary, text): the text looked at
    pickle.dumps(matcher)                           # its rules and their digest: a process compiles them once
    TopicMatch(topic, score, terms, fields, kept)   # terms: the words that matched, as written
    matcher.explain(title, summary="", text="") -> list[Explanation]   # rule by rule, every topic
    parse_term(term) -> Term                        # ValueError says what is wrong with a term

Term syntax (the same everywhere a term is written in feeds.yaml):

- ``Kremlin``: a whole word, case-insensitive (``Kremlin's`` matches, ``Kremlinology`` does not).
- ``sanction*``: a word starting with ``sanction`` (sanctions, sanctioned). ``*`` only ends a word.
- ``rare earth``: a phrase; its words may be separated by spaces or hyphens (``rare-earth`` too), not
  by other punctuation. ``US-Russia`` is the same phrase as ``US Russia``. A name joined by a hyphen to "made",
  "supplied", "provided", ... ("US-made howitzer") says where a product comes from, and one joined to "led" before
  "bloc" or "alliance" ("the US-led bloc") names NATO: only a term that holds the whole compound (``US-made``)
  matches there (_without_qualifiers).
- ``US``: a word written all in capitals is case-sensitive (``US`` is not ``us``; ``USB`` never matches;
  ``US-Russia`` needs "US" in capitals, "russia" in any case).
- Letters, digits, ``'``, ``.`` (``U.S.``), spaces and hyphens; nothing else. An accented letter is the same
  letter however a feed or feeds.yaml encodes it, composed or decomposed (both are read as NFC: normalize).
- Words are cut at spaces and punctuation: a term in a script written without spaces between words (Chinese,
  Japanese, Thai) matches only where a text sets it apart so (``check-config`` warns of one).

A rule fires in one *segment*: the title, or one sentence of the summary or the text. ``any:`` fires
when one of its terms occurs; ``all_of:`` when every group has a term in the same sentence (and, with
``near: N``, within N words of each other) — so "US" and "Russia" must meet around a relationship
word in one sentence, not merely both appear somewhere in a long article. A sentence holding a
topic's ``exclude`` term ("ice hockey") counts for nothing for that topic; an ``ignore`` term is
blanked out before the rules look ("Penny Wong" is not the coin "penny"). A word counts once in a rule, as the longest
of the rule's terms it is part of: the actor "Radio Free Europe" does not also supply the relationship word "free"
(another rule's longer term takes nothing from it, so adding a rule never removes a match). An ``all_of``
rule of parties and what they do (its last group) may list ``other_parties``: a sentence that names one of them
first, with none of the rule's own parties in the next word or after an "and" (a list: "China, Russia"; "Britain
and the US"), is about that party and does not fire the rule ("North Korea's Kim ... as the US condemned its trade
with Russia"); a headline's kicker ("Ukraine war: ...") does not count as naming it. Such a rule may also list
``disputes``: a dispute word aimed at a party of its first group by none of its other parties ("Haley blasts Trump's
praise for Putin") is a row on one side; and
``joint_subjects``: a third party named together with a party of its second group before any of the first ("Putin
and Kim sign a pact ... likely to unsettle the US") tells their relationship, unless an ``unless`` term is there
("China, Russia and Iran tried meddling in US elections"); and ``timed_acts``: a second-group party's act told before
a connective of time, every first-group party after it ("Russia launches attack on Kyiv as Trump touts peace"), is
the second party's news. None of these sentences fires the rule. A topic with
``title_required`` counts its summary and text only when the title fires one of its rules or nearly matches one
(partial; a sentence led by another party counts there): a headline naming neither side is about something else
("Poland and Britain Consider Sending Leopard Tanks to Ukraine", whose summary names U.S. officials and Russia). A
rule's ``third_states`` are other parties that are states of their own: a title naming one of them and none of the
rule's second group, nor an ``unless`` term, is about that state and the first party, and supports nothing ("US
announces plans to resume security ties with Niger"); a state named as a place ("in Syria") does not count there.
And a sentence naming one of them and the second group only right after one of their ``aid`` words tells that
state's aid ("Blinken meets China's Wang Yi, warns against helping Russia"): it does not fire the rule either.

A segment scores the largest weight among its firing rules; the topic's score is
``3 x title + 2 x summary (capped) + 1 x text (capped)`` and the topic is kept at ``score >= threshold``
(default 2: a title hit or the summary's first sentence is enough; a later sentence of the summary counts half, it
gives the background; the body alone needs two sentences).

Matching is one pass over the words of each field with dictionary look-ups (no regex alternation), so
it costs about the same for 10 terms or 1,000. Before it, a cheaper look at the field's distinct words rules
the field out unless it holds a *trigger* term (a word of each rule's narrowest group or two, see _triggers):
context words alone ("talks", "market*") cannot make a rule fire, so they do not cost a full pass.

A matcher crosses to worker processes (bot.parse_pool) as its rules, pickled once, and their digest: a process
compiles a given set of rules once and reuses that matcher for every later call (pickling the compiled tables cost
1.2 ms and 48 kB per call with the project's topics; compiling them, 3 ms).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import operator
import pickle
import re
import threading
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any, Protocol

# --------------------------------------------------------------------------- quality-tuning constants
# Chosen on the 464 real items of ../shared/feeds-corpus/items (title + feed summary) and the cases in
# tests/data/topics/: a match in the title or the summary is a strong signal, a single body sentence is
# not (wire stories mention "rare earths" or "Moscow" in passing). With these numbers the default topics
# classify every hand-checked item of tests/data/topics/items_corpus.yaml right (see tests/test_topics.py).
FIELD_WEIGHTS = {"title": 3.0, "summary": 2.0, "text": 1.0}
# Most a field may contribute (in segment-weight units, before FIELD_WEIGHTS): a long article repeating
# a term forty times is no more relevant than one stating it three times.
FIELD_CAPS = {"title": 2.0, "summary": 2.0, "text": 3.0}
DEFAULT_THRESHOLD = 2.0
# A summary's lead sentence says what the item reports; its later sentences give the background ("... released from
# detention in Belarus. This comes as news emerges of President Trump holding a call with Russian President Vladimir
# Putin"). Each later sentence counts this much of a lead sentence, so one alone does not keep an item (two do, and
# it still makes a near miss). Measured 5 December (seventh session): the development set unchanged; us-russia
# precision on the fresh sets 0.867 -> 0.889 (dense) and 0.868 -> 0.878 (sparse), recall the same and 0.917 -> 0.903
# (a newsletter whose first sentence is its name); rare-earths unchanged.
AFTER_LEAD = {"summary": 0.5}
# Only the start of a very long text is scanned: relevance shows early, and this bounds the cost.
MAX_TEXT_CHARS = 30_000
MAX_SUMMARY_CHARS = 4_000

FIELDS = ("title", "summary", "text")
# Compiled matchers a process keeps, by the digest of their rules (a reload of feeds.yaml adds one).
MAX_CACHED_MATCHERS = 4


class RuleLike(Protocol):
    """What the matcher reads from one rule (bot.settings.Rule has these attributes; read-only here)."""

    @property
    def any(self) -> Sequence[str]: ...
    @property
    def all_of(self) -> Sequence[Sequence[str]]: ...
    @property
    def near(self) -> int | None: ...
    @property
    def weight(self) -> float: ...
    @property
    def other_parties(self) -> Sequence[str]: ...


class TopicLike(Protocol):
    """What the matcher reads from one topic (bot.settings.Topic has these attributes; read-only here)."""

    @property
    def rules(self) -> Sequence[RuleLike]: ...
    @property
    def exclude(self) -> Sequence[str]: ...
    @property
    def ignore(self) -> Sequence[str]: ...
    @property
    def threshold(self) -> float: ...
    @property
    def title_required(self) -> bool: ...


@dataclass(frozen=True)
class TopicMatch:
    """Why an item belongs to a topic: its score and the words that matched."""

    topic: str
    score: float
    terms: tuple[str, ...]  # as written in the item, title first, each once
    fields: tuple[str, ...]  # where the rules fired: "title", "summary", "text"
    kept: bool = True  # score reached the topic's threshold


FIRED = "fired"
NEAR_MISS = "near miss"


@dataclass(frozen=True, slots=True)
class RuleVerdict:
    """What one rule of a topic made of one segment of an item (TopicMatcher.explain)."""

    field: str  # "title", "summary" or "text"
    segment: int  # the segment's index in its field: a title is one segment, a summary or a text one per sentence
    text: str  # the segment as the rules read it
    rule: int  # the rule's index in its topic, in configuration order
    outcome: str  # FIRED, NEAR_MISS, or why the rule did not fire although all its groups are there
    terms: tuple[str, ...]  # the rule's words found in the segment, as written, in text order
    missing: int | None = None  # NEAR_MISS: the index of the rule's group that has none of its terms here


@dataclass(frozen=True, slots=True)
class Explanation:
    """A topic's verdict on an item, rule by rule (TopicMatcher.explain): what ``score`` decides, and why."""

    topic: str
    score: float
    threshold: float
    kept: bool
    verdicts: tuple[RuleVerdict, ...]  # every segment where a rule fired, was vetoed, or nearly matched
    # segments that count for nothing: (field, segment, the exclude term as written)
    excluded: tuple[tuple[str, int, str], ...]
    unsupported: bool = False  # title_required, and the title fires and nearly matches none: the rest did not count


# --------------------------------------------------------------------------- text and terms

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_TRANSLATE = str.maketrans(
    {
        **{c: "-" for c in _DASHES},
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',  # (curly double quotes as straight ones: they close and open sentences, _BOUNDARY)
        "\u201d": '"',
        "\u201e": '"',
        "\u201b": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "\u00a0": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\u2060": "",
        "\ufeff": "",
        "\u00ad": "",
    }
)

# Words: abbreviations with dots (U.S., N.W.T.), else letters/digits with inner apostrophes (Russia's). Written as "a
# word character, then either form": the same tokens as (?:[^\W\d_]\.){2,}|\w+(?:'\w+)* in 0.6x the time (the regex
# engine tests one character class at each position of the text instead of trying two alternatives).
_WORD = re.compile(r"\w(?:(?<=[^\W\d_])\.(?:[^\W\d_]\.)+|\w*(?:'\w+)*)")
_WHOLE = operator.itemgetter(0)  # a match's text
_JOIN = re.compile(r"[\s-]+")  # what separates the words of a term as written
# ... and of a phrase in a text: spaces, or a hyphen between two words; a dash between spaces is punctuation ("China
# courts Washington — Moscow watches" is no "Washington-Moscow", "rare — earth" no "rare earth")
_PHRASE_GAP = re.compile(r"\s+|-")
_PREFIX_KEY = 3  # wildcard terms are looked up by their first letters, so a prefix has at least this many
_TERM_WORD = re.compile(rf"^(?:{_WORD.pattern})\*?$")  # a word of a rule's term, maybe ending in a wildcard


def normalize(text: str) -> str:
    """Text in the form terms are matched against: dashes, apostrophes and odd spaces folded, and accented letters
    composed (NFC), so that a "Gdańsk" some CMS or a Mac wrote decomposed ("n" and U+0301) is the term "Gdańsk" (a
    bare mark is no word character: it split the word). ASCII text is returned as it is; composed text costs a quick
    check (967 real items, 55% not ASCII, with long texts: normalize's CPU within 2 ms of 430 ms either way;
    TopicMatcher.score 0.98-1.05x of before in five runs, as noisy as two runs of the old code, 0.96-1.03x)."""
    if text.isascii():  # every folded character is non-ASCII, and ASCII is NFC
        return text
    return unicodedata.normalize("NFC", text.translate(_TRANSLATE))


# bytes.translate table for ASCII text: letters lower-cased, digits and "_" kept, anything else a space, so that
# split() gives the text's \w+ runs (every word _WORD finds starts one, and a term's first run starts it).
_ASCII_RUNS = bytes(
    c + 32 if 65 <= c <= 90 else c if (97 <= c <= 122 or 48 <= c <= 57 or c == 95) else 32 for c in range(256)
)
_RUN = re.compile(r"\w+")


def _first_run(word: str) -> bytes:
    """The first \\w+ run of a casefolded ASCII term word, as bytes ("u.s." -> b"u")."""
    match = _RUN.match(word)
    return match.group(0).encode("ascii") if match else word.encode("ascii")


@dataclass(frozen=True)
class Word:
    """One word of a term: the text to compare (casefolded unless case-sensitive), maybe a prefix."""

    text: str
    prefix: bool
    case_sensitive: bool

    def matches(self, base: str, folded: str) -> bool:
        """Whether a word of the text (without possessive; and casefolded) is this word."""
        got = base if self.case_sensitive else folded
        return got.startswith(self.text) if self.prefix else got == self.text


@dataclass(frozen=True)
class Term:
    """One parsed term: its words."""

    text: str
    words: tuple[Word, ...]


def parse_term(term: str) -> Term:
    """Parse one term of the rule syntax; ValueError says what is wrong with it."""
    t = normalize(term).strip()
    if not t:
        raise ValueError("empty term")
    words = [w for w in _JOIN.split(t) if w]
    if not words:
        raise ValueError(f"term {term!r} has no words")
    out = []
    for w in words:
        if "*" in w[:-1] or w == "*":
            raise ValueError(f"term {term!r}: '*' may only end a word, as in 'magnet*'")
        if w.endswith("*") and len(w) - 1 < _PREFIX_KEY:
            raise ValueError(f"term {term!r}: a wildcard needs at least {_PREFIX_KEY} letters before '*'")
        if not _TERM_WORD.match(w):
            bad = sorted({c for c in w if not (c.isalnum() or c in "'.*")})
            what = f"characters the rule syntax does not allow: {' '.join(bad)}" if bad else f"a malformed word {w!r}"
            raise ValueError(f"term {term!r} has {what} (letters, digits, ' . - spaces and a final *)")
        letters = [c for c in w if c.isalpha()]
        # in capitals, or capitals and a plural's "s" ("REEs", "EVs"; not "Rees" of Rees-Mogg): case-sensitive
        caps = letters[:-1] if len(letters) >= 3 and letters[-1] == "s" else letters
        cs = len(caps) >= 2 and all(c.isupper() for c in caps)
        body = w.removesuffix("*")
        if body.endswith(("'s", "'S")) and not w.endswith("*"):  # "Russia's": the text's words lose theirs (_find)
            body = body[:-2]
        out.append(Word(body if cs else body.casefold(), w.endswith("*"), cs))
    return Term(t, tuple(out))


# --------------------------------------------------------------------------- segments

# A sentence ends at . ! ? (plus closing quotes) before a space and a capital, a quote or a digit —
# unless the word before the stop is an abbreviation ("U.S. Secretary", "Mr. Putin", "Gen. Milley").
_BOUNDARY = re.compile(r"[.!?]+['\")\]]*(?:\s+)(?=[\"'(\[A-Z0-9])|\n\s*")
_ABBREV = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Capt|Sgt|Adm|Sen|Rep|Gov|Pres|St|Jr|Sr|No|Vol|"
    r"Inc|Corp|Co|Ltd|vs|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|approx|est)\.)$"
)


def segments(text: str) -> list[tuple[int, int]]:
    """Sentence-like [start, end) spans of a normalised text (fast; no NLP model)."""
    spans = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(0)[0] in ".!?" and _ABBREV.search(text, max(0, m.start() - 12), m.start() + 1):
            continue
        if m.start() > start:
            spans.append((start, m.start() + (1 if text[m.start()] in ".!?" else 0)))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


# --------------------------------------------------------------------------- compiled topics


@dataclass(frozen=True)
class _Rule:
    weight: float
    groups: tuple[int, ...]  # group ids
    near: int | None
    subject: int | None  # a two-group rule's narrowest group (_trigger_groups): alone, it is a near miss
    others: int | None = None  # group id of its other_parties (_led_by_others)
    disputes: int | None = None  # group id of its disputes (_someone_elses_dispute)
    joint: tuple[int, int | None] | None = None  # group ids of its joint_subjects' parties and unless terms
    timed: tuple[int, int] | None = None  # group ids of its timed_acts' acts and connectives (_timed_act)
    conjunction: int | None = None  # group id of the word "and", with other parties or joint subjects: lists of parties
    # group ids of its third_states' parties, unless terms and words of aid (_third_state, _aided_by_third)
    third: tuple[int, int | None, int | None] | None = None
    near_misses: bool = True  # False: all groups but one are no near miss (_nearly)


@dataclass(frozen=True)
class _Topic:
    name: str
    threshold: float
    rules: tuple[_Rule, ...]
    exclude: int | None
    ignore: int | None
    groups: frozenset[int]  # every group its rules use
    title_required: bool = False  # its summary and text count only under a title that supports it (_title_supports)
    # each group's partners: the groups of the rules it is in (itself included); a longer match hides a shorter one
    # only from its partners (_counted_matches)
    partners: Mapping[int, frozenset[int]] = field(default_factory=dict)


# A match: (start offset, end offset, word index of its first word, surface text).
_Match = tuple[int, int, int, str]
# Per field (title, summary, text): its matches by group id, and its segments (a title is one; else its sentences).
_Hits = dict[str, dict[int, list[_Match]]]
_Segs = dict[str, list[tuple[int, int]]]
# A segment's index in its field and the topic's matches there by group (_topic_sentences).
_Sentence = tuple[int, dict[int, list[_Match]]]
# Topics as plain values, in configuration order: (name, threshold, rules, exclude terms, ignore terms, title
# required), each rule (groups of terms, near, weight, other parties, disputes, joint subjects, timed acts, third
# states); an ``any`` rule is one group. Joint subjects are (parties, unless), timed acts (acts, connectives), third
# states (parties, unless, aid).
_Keys = tuple[tuple[str, ...], ...] | None
_RuleSpec = tuple[
    tuple[tuple[str, ...], ...], int | None, float, tuple[str, ...], tuple[str, ...], _Keys, _Keys, _Keys, bool
]
_Spec = tuple[tuple[str, float, tuple[_RuleSpec, ...], tuple[str, ...], tuple[str, ...], bool], ...]


def _keys(value: Any, *names: str) -> _Keys:
    """A rule's joint_subjects, timed_acts or third_states as one tuple of terms per key (None when it has none)."""
    return tuple(tuple(getattr(value, name, None) or ()) for name in names) if value is not None else None


def rule_groups(rule: RuleLike) -> tuple[tuple[str, ...], ...]:
    """A rule's groups of terms as feeds.yaml writes them: an ``any`` rule is one group."""
    return (tuple(rule.any),) if rule.any else tuple(tuple(g) for g in rule.all_of)


def _spec(topics: Mapping[str, TopicLike]) -> _Spec:
    """The rules of ``topics`` as plain values (what the matcher compiles, and what it is pickled as)."""
    out = []
    for name, topic in topics.items():
        rules = tuple(
            (
                rule_groups(rule),
                rule.near,
                float(rule.weight),
                tuple(getattr(rule, "other_parties", None) or ()),
                tuple(getattr(rule, "disputes", None) or ()),
                _keys(getattr(rule, "joint_subjects", None), "parties", "unless"),
                _keys(getattr(rule, "timed_acts", None), "acts", "connectives"),
                _keys(getattr(rule, "third_states", None), "parties", "unless", "aid"),
                bool(getattr(rule, "near_misses", True)),
            )
            for rule in topic.rules
        )
        ignore = tuple(getattr(topic, "ignore", None) or ())
        title_required = bool(getattr(topic, "title_required", False))
        out.append((name, float(topic.threshold), rules, tuple(topic.exclude or ()), ignore, title_required))
    return tuple(out)


class TopicMatcher:
    """Scores items against topics; compiled once, reused for every item (no state between calls)."""

    def __init__(self, topics: Mapping[str, TopicLike]):
        spec = _spec(topics)
        self._spec = pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL)
        self._digest = hashlib.sha256(self._spec).hexdigest()
        self._compile(spec)

    def __reduce__(self) -> tuple[object, tuple[str, bytes]]:
        """Pickled as its rules and their digest (bytes made once); unpickled from the process's cache."""
        return _cached_matcher, (self._digest, self._spec)

    def _compile(self, spec: _Spec) -> None:
        self._terms: list[Term] = []
        self._term_groups: list[set[int]] = []
        term_ids: dict[Term, int] = {}
        group_ids: dict[frozenset[int], int] = {}
        group_terms: list[frozenset[int]] = []  # by group id
        self._n_groups = 0

        def group(terms: Iterable[str]) -> int:
            ids = set()
            for raw in terms:
                term = parse_term(raw)
                if term not in term_ids:
                    term_ids[term] = len(self._terms)
                    self._terms.append(term)
                    self._term_groups.append(set())
                ids.add(term_ids[term])
            key = frozenset(ids)
            if key not in group_ids:
                group_ids[key] = self._n_groups
                group_terms.append(key)
                self._n_groups += 1
                for t in ids:
                    self._term_groups[t].add(group_ids[key])
            return group_ids[key]

        def rule(
            groups: Sequence[Iterable[str]],
            near: int | None,
            weight: float,
            others: Sequence[str],
            disputes: Sequence[str],
            joint: _Keys,
            timed: _Keys,
            third: _Keys,
            near_misses: bool,
        ) -> _Rule:
            ids = tuple(group(g) for g in groups)
            subject = _trigger_groups(ids, group_terms, self._terms)[0] if len(ids) == 2 else None
            everyone = (*others, *third[0]) if third else tuple(others)  # third states are other parties too
            return _Rule(
                weight,
                ids,
                near,
                subject,
                group(everyone) if everyone else None,
                group(disputes) if disputes else None,
                (group(joint[0]), group(joint[1]) if joint[1] else None) if joint else None,
                (group(timed[0]), group(timed[1])) if timed else None,
                group(("and",)) if everyone or joint else None,
                (group(third[0]), group(third[1]) if third[1] else None, group(third[2]) if third[2] else None)
                if third
                else None,
                near_misses,
            )

        compiled = []
        for name, threshold, rule_specs, exclude_terms, ignore_terms, title_required in spec:
            rules = [rule(*r) for r in rule_specs]
            exclude = group(exclude_terms) if exclude_terms else None
            ignore = group(ignore_terms) if ignore_terms else None
            # the other parties, disputes, joint subjects and timed acts are read as the rules' own groups are: masked,
            # by sentence
            own = [
                frozenset(
                    g
                    for g in (
                        *r.groups,
                        r.others,
                        r.disputes,
                        *(r.joint or ()),
                        *(r.timed or ()),
                        r.conjunction,
                        *(r.third or ()),
                    )
                    if g is not None
                )
                for r in rules
            ]
            used = frozenset().union(*own)
            partners = {g: frozenset().union(*(o for o in own if g in o)) for g in used}
            compiled.append(_Topic(name, threshold, tuple(rules), exclude, ignore, used, title_required, partners))
        self._topics = tuple(compiled)
        # The other parties' groups, the third states' own among them (_third_state reads those): what a title's kicker
        # (_outside_kicker) and a place it names (_without_places) do not make the party of its sentence.
        self._party_groups = frozenset(
            g for t in compiled for r in t.rules for g in (r.others, r.third[0] if r.third else None) if g is not None
        )

        # Look-up tables keyed by a term's first word.
        self._exact: dict[str, list[int]] = defaultdict(list)  # casefolded word
        self._exact_cs: dict[str, list[int]] = defaultdict(list)  # word as written
        self._prefix: dict[str, list[tuple[str, int]]] = defaultdict(list)  # first 3 letters -> (prefix, term)
        for tid, term in enumerate(self._terms):
            first = term.words[0]
            if first.prefix:
                self._prefix[first.text[:_PREFIX_KEY].casefold()].append((first.text.casefold(), tid))
            elif first.case_sensitive:
                self._exact_cs[first.text].append(tid)
            else:
                self._exact[first.text].append(tid)
        self._wildcards = tuple(p for pairs in self._prefix.values() for p, _ in pairs)  # for str.startswith
        # The first look passes a field only where some rule can fire or nearly match (partial).
        self._quick = _QuickLook(
            self._terms[t].words for t in sorted(_triggers(self._topics, group_terms, self._terms))
        )

    @property
    def topics(self) -> tuple[str, ...]:
        """Topic names, in configuration order."""
        return tuple(t.name for t in self._topics)

    def match(self, title: str | None, summary: str | None = "", text: str | None = "") -> list[TopicMatch]:
        """Topics the item belongs to (score at or above the topic's threshold), best first."""
        return [m for m in self.score(title, summary, text) if m.kept]

    def score(self, title: str | None, summary: str | None = "", text: str | None = "") -> list[TopicMatch]:
        """Every topic with a non-zero score, best first, each saying whether it was kept."""
        return self._score(self._sentences(*self._found(title, summary, text)))

    def score_and_partial(
        self, title: str | None, summary: str | None = ""
    ) -> tuple[list[TopicMatch], tuple[str, ...]]:
        """score(title, summary) and partial(title, summary) from one look at the words (what a feed's item needs)."""
        sentences = self._sentences(*self._found(title, summary))
        return self._score(sentences), self._partial(sentences)

    def _found(self, title: str | None, summary: str | None, text: str | None = "") -> tuple[_Hits, _Segs]:
        """The term occurrences of each field, and the field's segments (a title is one; else its sentences)."""
        return self._found_in(_fields(title, summary, text))

    def _found_in(self, fields: dict[str, str]) -> tuple[_Hits, _Segs]:
        """_found of fields already read (_fields)."""
        hits: _Hits = {}
        segs: _Segs = {}
        for f, value in fields.items():
            if not value.strip():
                continue
            found = self._find(value)
            if found and "-" in value and _QUALIFIER.search(value):
                found = _without_qualifiers(found, value)
            if not found and f != "title":
                continue
            seg = _title_segments(value) if f == "title" else segments(value)
            if found and f != "text":  # a title's opening clause, or the one of a summary's first sentence
                found = _leading_clause_last(found, value, seg[0][1] if seg else len(value))
                if self._party_groups and f == "title":
                    found = _without_places(
                        _outside_kicker(found, value, self._party_groups), value, self._party_groups
                    )
            hits[f] = found  # a title without matches is there all the same (title_required)
            segs[f] = seg
        return hits, segs

    def _sentences(self, hits: _Hits, segs: _Segs) -> list[tuple[_Topic, dict[str, list[_Sentence]]]]:
        """Each topic's counted matches (_counted_matches) by field, sentence and group, in the sentences where they
        may count (_open_segments): what scoring and the near-miss check both read, worked out once."""
        return [(t, {f: _topic_sentences(t, hits[f], segs[f]) for f in FIELDS if f in hits}) for t in self._topics]

    def explain(self, title: str | None, summary: str | None = "", text: str | None = "") -> list[Explanation]:
        """Every topic's verdict on an item with its reasons, in configuration order: for each segment (the title, a
        sentence), each rule that fired there, nearly matched, or had all its groups and was vetoed (another party
        leads, a third state's aid, ...); the segments an exclude term silenced; and, for a topic with
        ``title_required``, whether the title let the rest count. Its score and kept are score()'s."""
        values = _fields(title, summary, text)
        hits, segs = self._found_in(values)
        sentences = self._sentences(hits, segs)
        scored = {m.topic: m for m in self._score(sentences)}
        out = []
        for topic, fields in sentences:
            verdicts: list[RuleVerdict] = []
            excluded: list[tuple[str, int, str]] = []
            for f in FIELDS:
                if f not in hits:
                    continue
                groups = topic.groups if topic.exclude is None else {*topic.groups, topic.exclude}
                for k, found in _by_segment(_counted_matches(topic, hits[f]), segs[f], groups).items():
                    if topic.exclude is not None and found.get(topic.exclude):
                        excluded.append((f, k, found[topic.exclude][0][3]))
                        continue
                    a, b = segs[f][k]
                    for i, rule in enumerate(topic.rules):
                        verdict = _rule_verdict(rule, found)
                        if verdict is not None:
                            verdicts.append(RuleVerdict(f, k, values[f][a:b].strip(), i, *verdict))
            unsupported = topic.title_required and "title" in fields and not _title_supports(topic, fields["title"])
            m = scored.get(topic.name)
            score, kept = (m.score, m.kept) if m is not None else (0.0, False)
            out.append(
                Explanation(topic.name, score, topic.threshold, kept, tuple(verdicts), tuple(excluded), unsupported)
            )
        return out

    def rescore(self, prior: Sequence[TopicMatch], text: str | None, title: str | None) -> list[TopicMatch]:
        """score(title, summary, text) from ``prior``, score(title, summary) of the same item (or a subset of it: the
        topics left out count as scoring nothing there): only the text is looked at, each field being scored on its own
        (a page's call need not score the title and summary its feed's call scored). ``title`` is the item's title
        again: a topic with ``title_required`` counts the text only when the title supports it."""
        found, found_segs = self._found(None, None, text)  # the text read as score() reads it ("US-led bloc")
        hits, segs = found.get("text", {}), found_segs.get("text", [])
        before = {m.topic: m for m in prior}
        title_found: tuple[_Hits, _Segs] | None = None  # the title's matches, looked at once if a topic needs them
        out = []
        for topic in self._topics:
            was = before.get(topic.name)
            supported = True
            if hits and topic.title_required:
                title_found = title_found or self._found(title, None)
                t_hits, t_segs = title_found
                if "title" in t_hits:  # (an item without a title is judged on the rest)
                    sentences = _topic_sentences(topic, t_hits["title"], t_segs["title"])
                    supported = _title_supports(topic, sentences)
            if not hits or not supported:
                if was is not None:
                    out.append(was)
                continue
            terms = {t.casefold(): t for t in was.terms} if was else {}
            where = list(was.fields) if was else []
            total = was.score if was else 0.0
            total += self._field_total(topic, "text", _topic_sentences(topic, hits, segs), terms, where)
            if total > 0:
                out.append(_topic_match(topic, total, terms, where))
        out.sort(key=lambda m: -m.score)
        return out

    def _score(self, sentences: list[tuple[_Topic, dict[str, list[_Sentence]]]]) -> list[TopicMatch]:
        out = []
        for topic, fields in sentences:
            total = 0.0
            terms: dict[str, str] = {}
            where: list[str] = []
            if topic.title_required and "title" in fields and not _title_supports(topic, fields["title"]):
                continue  # the summary and the text do not count, and the title scores nothing
            for f, found in fields.items():
                total += self._field_total(topic, f, found, terms, where)
            if total > 0:
                out.append(_topic_match(topic, total, terms, where))
        out.sort(key=lambda m: -m.score)
        return out

    @staticmethod
    def _field_total(
        topic: _Topic, f: str, sentences: list[_Sentence], terms: dict[str, str], where: list[str]
    ) -> float:
        """What field ``f`` adds to the topic's score (its weight x its capped score); notes its terms and the field."""
        field_score = _field_score(topic, sentences, terms, AFTER_LEAD.get(f, 1.0))
        if field_score <= 0:
            return 0.0
        where.append(f)
        return FIELD_WEIGHTS[f] * min(field_score, FIELD_CAPS[f])

    def partial(self, title: str | None, summary: str | None = "") -> tuple[str, ...]:
        """Topics an item nearly matches: in one sentence, all groups but one of an ``all_of`` rule of 3+ groups, or
        the subject (narrowest group) of a two-group rule.

        Such an item ("Russia detains a Wall Street Journal reporter", no US actor named; "Exxon bets on lithium", no
        business word) is not kept on its own,
        but it may join a story of that topic that another outlet's telling put on it (bot.poller).
        """
        return self._partial(self._sentences(*self._found(title, summary)))

    @staticmethod
    def _partial(sentences: list[tuple[_Topic, dict[str, list[_Sentence]]]]) -> tuple[str, ...]:
        return tuple(t.name for t, fields in sentences if any(_field_partial(t, found) for found in fields.values()))

    def _may_match(self, value: str) -> bool:
        """False when no rule can fire or nearly match in ``value`` (never wrongly: see _triggers)."""
        return self._quick.may_match(value)

    def _find(self, value: str) -> dict[int, list[_Match]]:
        """Every term occurrence in a text, by group id.

        Only the occurrences of words that can start a term are looked at one by one: the text's distinct words are
        tested against the terms' first words once each (a page repeats its words, and most start no term)."""
        if not self._may_match(value):
            return {}
        spans = list(_WORD.finditer(value))
        toks: list[str] = list(map(_WHOLE, spans))
        # Each word without its possessive ending (Russia's -> Russia), as terms are written.
        bases = [w[:-2] if w.endswith(("'s", "'S")) else w for w in toks] if "'" in value else toks
        folded = list(map(str.casefold, bases))
        exact, exact_cs, prefix = self._exact, self._exact_cs, self._prefix
        wildcards = self._wildcards
        starters = {cf for cf in set(folded) if cf in exact or cf.startswith(wildcards)}
        starters_cs = exact_cs.keys() & set(bases)
        if starters_cs:
            at = [i for i, (b, cf) in enumerate(zip(bases, folded, strict=True)) if cf in starters or b in starters_cs]
        else:
            at = [i for i, cf in enumerate(folded) if cf in starters]
        found: dict[int, list[_Match]] = defaultdict(list)
        for i in at:
            cf = folded[i]
            cands = exact.get(cf, ())
            cs = exact_cs.get(bases[i])
            if cs:
                cands = [*cands, *cs]
            pre = prefix.get(cf[:_PREFIX_KEY])
            if pre:
                extra = [tid for p, tid in pre if cf.startswith(p) and self._terms[tid].words[0].matches(bases[i], cf)]
                if extra:
                    cands = [*cands, *extra]
            for tid in cands:
                term = self._terms[tid]
                n = len(term.words)
                if n > 1 and not self._rest_matches(term, spans, bases, folded, i, value):
                    continue
                last = i + n - 1
                start, end = spans[i].start(), spans[last].end() - (len(toks[last]) - len(bases[last]))
                match = (start, end, i, value[start:end])
                for g in self._term_groups[tid]:
                    found[g].append(match)
        return found

    @staticmethod
    def _rest_matches(
        term: Term, spans: list[re.Match[str]], bases: list[str], folded: list[str], i: int, value: str
    ) -> bool:
        n = len(term.words)
        if i + n > len(spans):
            return False
        for k in range(1, n):
            prev_end, start = spans[i + k - 1].end(), spans[i + k].start()
            if not _PHRASE_GAP.fullmatch(value, prev_end, start):
                return False
            if not term.words[k].matches(bases[i + k], folded[i + k]):
                return False
        return True


# --------------------------------------------------------------------------- the quick first look
# A field's hits count only where a rule fires (every group in one sentence) or, for partial(), where an all_of rule
# of three or more groups misses one group at most. So each rule needs some of its groups for either, and a field
# with none of those *trigger* terms cannot change score() or partial(): _may_match rules it out before the full
# look. Context words ("market*", "talks", "deal") never fire alone, so they no longer let a field through.
# Exclude and ignore terms only take hits away: they are never triggers.


def _triggers(topics: Sequence[_Topic], group_terms: Sequence[frozenset[int]], terms: Sequence[Term]) -> set[int]:
    """Ids of the terms of which every firing rule, and every near miss (partial), has one in its field."""
    out: set[int] = set()
    for topic in topics:
        for rule in topic.rules:
            for g in _trigger_groups(rule.groups, group_terms, terms, rule.near_misses):
                out |= group_terms[g]
    return out


def _trigger_groups(
    groups: Sequence[int], group_terms: Sequence[frozenset[int]], terms: Sequence[Term], near_misses: bool = True
) -> tuple[int, ...]:
    """The groups of a rule one of which every firing or near miss has: one group of two, two of three or more (one
    of a rule without near misses).

    A firing has every group, so any one will do; a near miss of k >= 3 groups lacks one at most, so it has one of any
    two. The narrowest are taken: the group with the fewest terms (a rule's subject is its short list, its context the
    long one: 4 magnet words beside 30 industry words), then the fewest wildcards (each stands for many words), then
    the first written. No word counts are needed, so the choice is the same whatever the text."""

    def breadth(g: int) -> tuple[int, int]:
        return len(group_terms[g]), sum(1 for t in group_terms[g] if any(w.prefix for w in terms[t].words))

    distinct = sorted(dict.fromkeys(groups), key=breadth)  # stable: ties keep the order written
    return tuple(distinct[: 1 if len(groups) <= 2 or not near_misses else 2])  # an ``any`` rule is one group


def _key_word(words: Sequence[Word]) -> Word:
    """The word of a phrase the quick look keys on: its longest (short words are the common ones); the first on ties."""
    return max(words, key=lambda w: sum(1 for c in w.text if c.isalnum()))


class _QuickLook:
    """A cheap first look at a field: False when none of some phrases can occur in it (never wrongly).

    Set operations on the field's distinct words. ASCII text (most fields) is cut into \\w+ runs by bytes.translate,
    so a word is looked for as its first run ("u.s." as "u"); other text as its casefolded words, possessives listed
    (_base strips them). Case-sensitive words ("US", "EU") are looked for as substrings. A phrase occurs only where
    each of its words does, so it is keyed on its longest word ("State Department" on "department") and its other
    words are looked for only when that one is there."""

    def __init__(self, phrases: Iterable[Sequence[Word]]):
        self._rest: dict[Word, list[tuple[Word, ...]]] = defaultdict(list)  # key word -> the other words of each phrase
        single = []
        for words in phrases:
            if len(set(words)) == 1:
                single.append(words[0])
            else:
                key = _key_word(words)
                self._rest[key].append(tuple(w for w in dict.fromkeys(words) if w != key))
        self._single, self._keys = _Words(single), _Words(self._rest)

    def may_match(self, value: str) -> bool:
        """False when none of the phrases can occur in ``value``."""
        ascii = value.isascii()
        runs: set[Any]  # bytes for ASCII text, else str
        if ascii:
            runs = set(value.encode("ascii").translate(_ASCII_RUNS).split())
        else:
            runs = {w.casefold() for w in _WORD.findall(value)}
        if self._single.any_in(value, runs, ascii):
            return True
        found = self._keys.found(value, runs, ascii)
        return any(all(_may_have(w, value, runs, ascii) for w in rest) for key in found for rest in self._rest[key])


class _Words:
    """Words looked for among the distinct words of a field (see _QuickLook)."""

    def __init__(self, words: Iterable[Word]):
        keys = list(dict.fromkeys(words))
        self._cs = tuple(w for w in keys if w.case_sensitive and not w.prefix)
        self._cs_any = re.compile("|".join(re.escape(w.text) for w in self._cs)) if self._cs else None
        runs: dict[bytes, list[Word]] = defaultdict(list)  # ASCII text: first run -> words
        exact: dict[str, list[Word]] = defaultdict(list)  # other text: casefolded word or its possessive -> words
        for w in keys:
            if not (w.prefix or w.case_sensitive):
                if w.text.isascii():
                    runs[_first_run(w.text)].append(w)
                exact[w.text].append(w)
                exact[f"{w.text}'s"].append(w)
        prefixes = tuple((w.text.casefold(), w) for w in keys if w.prefix)
        run_prefixes = tuple((_first_run(p), w) for p, w in prefixes if p.isascii())
        # By kind of text: the exact words, the prefixes with their words, the prefixes alone (for str.startswith).
        self._ascii: _Tables = (dict(runs), run_prefixes, tuple(p for p, _ in run_prefixes))
        self._other: _Tables = (dict(exact), prefixes, tuple(p for p, _ in prefixes))

    def any_in(self, value: str, runs: set[Any], ascii: bool) -> bool:
        """Whether one of the words may occur in ``value`` (distinct words ``runs``, cut as _QuickLook cuts them)."""
        if self._cs_any is not None and self._cs_any.search(value):
            return True
        exact, _, prefix_keys = self._ascii if ascii else self._other
        return not exact.keys().isdisjoint(runs) or (bool(prefix_keys) and any(r.startswith(prefix_keys) for r in runs))

    def found(self, value: str, runs: set[Any], ascii: bool) -> list[Word]:
        """The words that may occur in ``value``."""
        exact, prefixes, prefix_keys = self._ascii if ascii else self._other
        out = [w for run in exact.keys() & runs for w in exact[run]]
        if self._cs_any is not None and self._cs_any.search(value):
            out += [w for w in self._cs if w.text in value]
        if prefix_keys and any(r.startswith(prefix_keys) for r in runs):
            out += [w for p, w in prefixes if any(r.startswith(p) for r in runs)]
        return out


# A _Words table: exact words by key, (prefix, word) pairs, the prefixes alone.
_Tables = tuple[Mapping[Any, list[Word]], tuple[tuple[Any, Word], ...], tuple[Any, ...]]


def _may_have(word: Word, value: str, runs: set[Any], ascii: bool) -> bool:
    """Whether ``word`` may occur in ``value``, whose distinct words (cut as _QuickLook.may_match does) are ``runs``:
    _Words' rules for one word, tested only for the other words of a phrase whose key word is there. (A _Words table
    of all those words, looked up for every such field, gave the same answers at 1.10x the scoring CPU.)"""
    if word.case_sensitive and not word.prefix:
        return word.text in value
    text = word.text.casefold()
    if ascii:
        if not text.isascii():
            return False  # the words of an ASCII text fold to ASCII
        key = _first_run(text)
        return any(run.startswith(key) for run in runs) if word.prefix else key in runs
    return any(run.startswith(text) for run in runs) if word.prefix else (text in runs or f"{text}'s" in runs)


def _fields(title: str | None, summary: str | None, text: str | None) -> dict[str, str]:
    """An item's fields as the rules read them: normalized, the summary and the text cut to their scanned length."""
    return {
        "title": normalize(title or "").replace("\n", " "),
        "summary": normalize((summary or "")[:MAX_SUMMARY_CHARS]),
        "text": normalize((text or "")[:MAX_TEXT_CHARS]),
    }


def _rule_verdict(rule: _Rule, found: dict[int, list[_Match]]) -> tuple[str, tuple[str, ...], int | None] | None:
    """What a rule made of a segment's matches (TopicMatcher.explain): (outcome, its words there, the missing group of
    a near miss), as scoring (_field_score) and the near-miss check (_field_partial) decide it; None when the rule has
    too little there to say anything (no word, or a part that is no near miss)."""
    per_group = [found.get(g, []) for g in rule.groups]
    missing = [i for i, ms in enumerate(per_group) if not ms]
    if len(missing) == len(per_group):
        return None
    terms = tuple(dict.fromkeys(m[3] for m in sorted(m for ms in per_group for m in ms)))
    if not missing:
        why = _veto(rule, found)
        if why is not None:
            return why, terms, None
        if rule.near is not None and _near(per_group, rule.near) is None:
            return f"its words are more than {rule.near} words apart", terms, None
        return FIRED, terms, None
    if len(missing) > 1 or not _nearly(rule, found):
        return None
    why = _veto(rule, found)
    return (why, terms, None) if why is not None else (NEAR_MISS, terms, missing[0])


def _topic_match(topic: _Topic, total: float, terms: dict[str, str], where: list[str]) -> TopicMatch:
    """A topic's match from its fields' total. Kept is decided on the score as rounded (the score rescore adds the
    text's part to), so scoring the fields at once or the text later keeps the same topics."""
    score = round(total, 3)
    return TopicMatch(topic.name, score, tuple(terms.values()), tuple(where), kept=score >= topic.threshold)


_cache: dict[str, TopicMatcher] = {}
_cache_lock = threading.Lock()


def _cached_matcher(digest: str, spec: bytes) -> TopicMatcher:
    """The matcher of these rules, compiled once per process (how a pickled matcher is unpickled)."""
    with _cache_lock:
        matcher = _cache.get(digest)
    if matcher is None:
        matcher = TopicMatcher.__new__(TopicMatcher)
        matcher._spec, matcher._digest = spec, digest
        matcher._compile(pickle.loads(spec))  # bytes this program pickled itself (the parent process)
        with _cache_lock:
            while len(_cache) >= MAX_CACHED_MATCHERS:
                del _cache[next(iter(_cache))]
            _cache[digest] = matcher
    return matcher


def _by_segment(
    hits: dict[int, list[_Match]], segs: list[tuple[int, int]], groups: Iterable[int]
) -> dict[int, dict[int, list[_Match]]]:
    """The matches of ``groups`` inside each segment (segments are ordered and disjoint: a match lies in the one where
    it starts, or in none when it runs past its end), by segment index in text order, then by group, in their order.
    Segments without any are left out. One pass over the matches, not one per segment and rule."""
    starts = [a for a, _ in segs]
    out: dict[int, dict[int, list[_Match]]] = defaultdict(lambda: defaultdict(list))
    for g in groups:
        for m in hits.get(g, ()):
            k = bisect_right(starts, m[0]) - 1
            if k >= 0 and m[1] <= segs[k][1]:
                out[k][g].append(m)
    return {k: out[k] for k in sorted(out)}


def _open_segments(topic: _Topic, hits: dict[int, list[_Match]], segs: list[tuple[int, int]]) -> list[_Sentence]:
    """The topic's matches in each segment where it has some and its exclude terms have none, by group, in text
    order, each with its segment's index. A segment without any of the topic's matches can neither fire a rule nor
    nearly match one."""
    if topic.exclude is None:
        return list(_by_segment(hits, segs, topic.groups).items())
    found = _by_segment(hits, segs, {*topic.groups, topic.exclude}).items()
    return [(k, f) for k, f in found if not f.get(topic.exclude)]


def _counted_matches(topic: _Topic, hits: dict[int, list[_Match]]) -> dict[int, list[_Match]]:
    """The matches the topic's rules and exclude terms count: none inside its ``ignore`` phrases ("Penny Wong" vetoes
    nothing for the exclude term "penny"), and no rule term's match inside a longer match of a term of the same rule
    (the group's partners): a word counts once in a rule, as the longest of its terms it is part of (the actor "Radio
    Free Europe" supplies no relationship word "free"). Another rule's phrase hides nothing: "prisoner swap" in one
    rule leaves "swap" to the others."""
    if topic.ignore is not None and topic.ignore in hits:
        masked = _Spans([(m[0], m[1]) for m in hits[topic.ignore]])
        hits = {g: [m for m in ms if not masked.overlaps(m[0], m[1])] for g, ms in hits.items() if g != topic.ignore}
    # only a phrase (or "U.S.") can hold another term
    longer = [(g, m[0], m[1]) for g in topic.groups if g in hits for m in hits[g] if not m[3].isalnum()]
    if not longer:
        return hits
    out = dict(hits)
    for g in topic.groups & hits.keys():
        near = [(x, y) for h, x, y in longer if h in topic.partners[g]]
        if near:
            holders = _Spans(near)
            out[g] = [m for m in hits[g] if not holders.holds_longer(m[0], m[1])]
    return out


class _Spans:
    """Character spans, asked in logarithmic time (a page repeating an ignore phrase thousands of times was asked in
    quadratic time: 30 kB of "US ally, " took 3 s to score): whether one overlaps a span, or holds it and is longer."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [a for a, _ in spans]
        self.reach = list(itertools.accumulate((b for _, b in spans), max))  # the furthest end of each prefix

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect.bisect_left(self.starts, end)  # the spans that begin before ``end``
        return k > 0 and self.reach[k - 1] > start

    def holds_longer(self, start: int, end: int) -> bool:
        """A span from at or before ``start`` to at or after ``end`` other than (start, end) itself."""
        k = bisect.bisect_right(self.starts, start)
        if k == 0 or self.reach[k - 1] < end:
            return False
        if self.reach[k - 1] > end:
            return True
        k = bisect.bisect_left(self.starts, start)  # ends exactly at ``end``: one must begin before ``start``
        return k > 0 and self.reach[k - 1] >= end


def _topic_sentences(topic: _Topic, hits: dict[int, list[_Match]], segs: list[tuple[int, int]]) -> list[_Sentence]:
    """The topic's counted matches (_counted_matches) in each of a field's segments where they may count
    (_open_segments), by group: what _field_score and _field_partial read."""
    if not any(g in hits for g in topic.groups):
        return []
    return _open_segments(topic, _counted_matches(topic, hits), segs)


def _field_score(topic: _Topic, sentences: list[_Sentence], terms: dict[str, str], after_lead: float = 1.0) -> float:
    """Sum over a field's sentences (_topic_sentences) of the largest weight of the topic's rules that fire there,
    times ``after_lead`` past the field's first sentence (AFTER_LEAD)."""
    score = 0.0
    for k, found in sentences:
        best = 0.0
        fired: list[_Match] = []
        for rule in topic.rules:
            if rule.weight <= best:
                continue
            per_group = [found.get(g, []) for g in rule.groups]
            if not all(per_group):
                continue
            if _vetoed(rule, found):
                continue
            if rule.near is not None:
                chosen = _near(per_group, rule.near)
                if chosen is None:
                    continue
            else:
                chosen = [m for group in per_group for m in group]
            best = rule.weight
            fired.extend(chosen)
        if best > 0:
            score += best if k == 0 else best * after_lead
            for m in sorted(fired):
                terms.setdefault(m[3].casefold(), m[3])
    return score


def _title_supports(topic: _Topic, sentences: list[_Sentence]) -> bool:
    """Whether a title (its _topic_sentences) fires one of the topic's rules or nearly matches one, even where another
    party leads ("West takes new step to tighten Russian oil sanctions": the West includes the US): title_required.
    A near match without the veto covers every rule that fires but an ``any`` rule, whose term alone is checked here
    (no second scoring of the title). A title about a third state and the first party supports nothing (_third_state)."""
    return any(len(r.groups) == 1 and found.get(r.groups[0]) for _, found in sentences for r in topic.rules) or (
        _field_partial(topic, sentences, others=False, title=True)
    )


def _third_state(rule: _Rule, found: dict[int, list[_Match]]) -> bool:
    """Whether a title names one of the rule's third states and none of its second group's parties, nor an ``unless``
    term: "US announces plans to resume security ties with Niger" is about the US and Niger, whatever its summary says
    of Moscow; "US adds 42 more Chinese companies to its 'entities' economic blacklist" is a secondary measure."""
    if rule.third is None:
        return False
    states, unless, _ = rule.third
    return bool(found.get(states)) and not found.get(rule.groups[1]) and not (unless is not None and found.get(unless))


def _field_partial(topic: _Topic, sentences: list[_Sentence], others: bool = True, title: bool = False) -> bool:
    """Whether some sentence has all groups but one of an ``all_of`` rule of three or more, or a two-group rule's
    subject without its context (exclude and ignore honoured).

    Two groups of three (a Russian actor and a relationship word) still say what the item is about, and so does a
    two-group rule's subject, its narrowest group ("lithium" without a business word: "Exxon bets on lithium"); its
    context alone ("prices", "supply") does not. ``others``: a sentence another party leads is no near miss (the
    other-parties veto of _led_by_others, as in scoring). ``title``: a title about a third state is none (_third_state)."""
    for _, found in sentences:
        for rule in topic.rules:
            if not _nearly(rule, found) or _vetoed(rule, found, others):
                continue
            if title and len(rule.groups) >= 3 and _third_state(rule, found):
                continue
            return True
    return False


def _nearly(rule: _Rule, found: dict[int, list[_Match]]) -> bool:
    """Whether a sentence has every group but one of a rule of three or more groups (or all of them), or a two-group
    rule's subject (_field_partial); for a rule without near misses, all of its groups."""
    if not rule.near_misses:
        return all(found.get(g) for g in rule.groups)
    if len(rule.groups) >= 3:
        return sum(1 for g in rule.groups if found.get(g)) >= len(rule.groups) - 1
    return rule.subject is not None and bool(found.get(rule.subject))


# A product's origin or an alliance's leader, not a party: a name joined by a hyphen to one of these ("U.S.-supplied
# Bradley fighting vehicles", "the US-led bloc").
_QUALIFIER = re.compile(
    r"-(?:made|supplied|provided|built|manufactured|donated|produced)\b|-led\s+(?:military\s+)?(?:bloc|alliance)\b",
    re.IGNORECASE,
)


def _without_qualifiers(found: dict[int, list[_Match]], value: str) -> dict[int, list[_Match]]:
    """A field's matches without the names that only qualify something else. A product's origin: "Russia says it
    destroyed U.S.-supplied Bradley fighting vehicles in Kursk" and "US sanctions target Myanmar businessman for
    procuring Russian-made weapons" name no US actor and no Russian one (the guideline's "war news with no US role").
    The alliance a state leads: "Shoigu has accused the US-led bloc of creating military risks" names NATO, another
    party, as RT writes it (not "US-led sanctions", which are the US's). A term that holds the whole compound
    ("US-made", of the rule on US weapons fired into Russia) still matches."""
    out = {g: [m for m in ms if not _QUALIFIER.match(value, m[1])] for g, ms in found.items()}
    return {g: ms for g, ms in out.items() if ms}


# A place, not a party: "in" (or "in the") right before a name ("U.S. presses for truce in Syria").
_IN_PLACE = re.compile(r"\bin\s+(?:the\s+)?$", re.IGNORECASE)


def _without_places(found: dict[int, list[_Match]], title: str, parties: frozenset[int]) -> dict[int, list[_Match]]:
    """A title's matches without the other parties and third states (``parties``: their groups) it names as the place
    where something happens: the title is not about that state ("Security guard at U.S. embassy in Oslo arrested over
    alleged espionage": _third_state), nor does the place lead its sentence ("War rages on in Ukraine as Trump and
    Putin meet but don't announce deal": _led_by_others; docs/TOPICS.md)."""
    return {
        g: [m for m in ms if not _IN_PLACE.search(title, max(0, m[0] - 12), m[0])] if g in parties else ms
        for g, ms in found.items()
    }


# A headline that opens with a quotation and a colon: someone's words, and then the news, told by its own subject
# ("'Only Trump can stop Russia': Millions face freezing winter, Ukraine energy executive warns").
_QUOTE_KICKER = re.compile(r"""\s*['"‘“][^'"’”]{3,120}['"’”]\s*:\s""")


def _title_segments(title: str) -> list[tuple[int, int]]:
    """A title's sentences: the whole title, or a quotation that heads it and the rest, each a sentence of its own
    (_QUOTE_KICKER): the speaker's "warns" after the colon is not the quotation's relationship word. Over the 4,833
    labelled texts of the twenty-fifth session one verdict changes, labelled off ("'Only Trump can stop Russia': ...");
    "'Let him go': Joe Biden tells Russia to release detained US journalist" stays, its news after the colon."""
    quote = _QUOTE_KICKER.match(title)
    return [(0, quote.end()), (quote.end(), len(title))] if quote else [(0, len(title))]


# A headline's kicker: a few words and a colon ("Ukraine war: Biden warns Putin ..."; "Ukraine: ...").
_KICKER = re.compile(r"^\s*[^:\s]+(?:\s+[^:\s]+){0,2}:\s")


def _outside_kicker(found: dict[int, list[_Match]], title: str, others: frozenset[int]) -> dict[int, list[_Match]]:
    """A title's matches without the other parties its kicker names: the kicker files the story under a subject
    ("Ukraine war: Biden warns Putin"), it does not make that subject the sentence's first party (_led_by_others)."""
    kicker = _KICKER.match(title)
    if kicker is None:
        return found
    end = kicker.end()
    return {g: [m for m in ms if m[0] >= end] if g in others else ms for g, ms in found.items()}


# A headline that opens with a clause of time ("As Trump courts Putin, ..."; "While ..., "; "After ..., ") or of
# circumstance ("With Ukraine in the Balance, Trump and Putin Head Into Summit"; "Slammed by Russian missiles, Ukraine
# seeks more U.S. air defense systems") tells its news after the comma: the opening clause dates or sets it. So does a
# summary's first sentence ("As peace talks opened in Saudi Arabia, President Trump made clear ...": the sentence is
# Trump's, not Saudi Arabia's).
_LEADING_CLAUSE = re.compile(
    r"^\s*(?:(?:as|while|amid|after|before|ahead of|with)\s|[a-z]+ed\s+by\s)[^,]{3,}?,\s", re.IGNORECASE
)


def _leading_clause_last(found: dict[int, list[_Match]], value: str, limit: int) -> dict[int, list[_Match]]:
    """A title's or a summary's (``value``) matches with its opening clause of time or circumstance read after the rest
    of the field, as if written "<news> as <clause>"; the clause ends before ``limit`` (the end of a summary's first
    sentence): so the news's own first party is the sentence's (_led_by_others: "As Trump Courts Putin, China's Leader
    Xi Emphasizes Close Ties With Russia" is China's) and an act dated by a US event stays that (_timed_act: "As Trump
    Pushes Peace, Russia Intensifies Assaults on Ukraine"). Only the word order of the matches changes (their index)."""
    lead = _LEADING_CLAUSE.match(value)
    if lead is None or lead.end() > limit:
        return found
    end, words = lead.end(), len(_WORD.findall(value))
    return {g: [(m[0], m[1], m[2] + words, m[3]) if m[0] < end else m for m in ms] for g, ms in found.items()}


# How far after another party the rule's own may come and still be named with it: the next word, as in a list of
# parties ("China, Russia, Iran and Cuba tried meddling in US elections"), not another party's sentence. 4 words kept
# "Zelenskyy warns U.S. ..." and "NATO summit opens in Washington with Russia ..." (the probes: us-russia precision
# 0.960 at 4, 0.975 at 1, recall the same; the fresh sets' precision 0.857 -> 0.868 (sparse), 0.861 -> 0.867 (dense)).
OTHERS_NEAR = 1


def _led_by_others(
    groups: tuple[int, ...], others: int, found: dict[int, list[_Match]], conjunction: int | None
) -> bool:
    """Whether a sentence names one of a rule's other parties (group ``others``) first, with none of its own parties
    (its ``groups`` before the last) within OTHERS_NEAR words after it, nor joined to it by "and" (group
    ``conjunction``, when the rule has one): the sentence is about that party ("North Korea's Kim visits arms
    factories as the U.S. condemned its arms transfers with Russia"; "Zelenskyy warns U.S. will face war"), not a
    list of parties ("China, Russia"; "Britain and the US impose new sanctions on Russia")."""
    named = found.get(others)
    if not named:
        return False
    first = min(named, key=lambda m: m[2])
    own = min((m[2] for g in groups[:-1] for m in found.get(g, ())), default=None)
    if own is None:
        return True
    if own - first[2] <= OTHERS_NEAR:
        return False
    return not _joined_by_and(_after(first), own, found, conjunction, reach=2)  # "Britain and the US"


def _after(m: _Match) -> int:
    """The index of the word after a match (its first word's index plus the words it spans)."""
    return m[2] + len(_WORD.findall(m[3]))


def _joined_by_and(after: int, b: int, found: dict[int, list[_Match]], conjunction: int | None, reach: int) -> bool:
    """Whether the word right after a match (index ``after``: _after) is "and" (group ``conjunction``) and the word at
    index ``b`` comes within ``reach`` words after it: "Putin and Kim" (reach 1), "Britain and the US" (reach 2)."""
    if conjunction is None:
        return False
    return 0 < b - after <= reach and any(m[2] == after for m in found.get(conjunction, ()))


def _vetoed(rule: _Rule, found: dict[int, list[_Match]], others: bool = True) -> bool:
    """Whether a sentence is one the rule's other parties (unless ``others`` is False), disputes, joint subjects or
    timed acts say is not the rule's."""
    return _veto(rule, found, others) is not None


def _veto(rule: _Rule, found: dict[int, list[_Match]], others: bool = True) -> str | None:
    """Why a sentence is not the rule's (_vetoed), naming the word that says so; None when nothing vetoes it."""
    if others and rule.others is not None and _led_by_others(rule.groups, rule.others, found, rule.conjunction):
        return f"another party leads the sentence ({_first(found[rule.others])})"
    if rule.disputes is not None and _someone_elses_dispute(rule.groups, rule.disputes, found):
        return f"a row on one side, not between the parties ({_first(found[rule.disputes])})"
    if rule.joint is not None and _joint_subject(rule.groups, rule.joint, rule.conjunction, found):
        return f"a third party is named with the other side as one subject ({_first(found[rule.joint[0]])})"
    if rule.timed is not None and _timed_act(rule.groups, rule.timed, found):
        return f"an act of one side dated by the other's doings ({_first(found[rule.timed[1]])})"
    if others and rule.third is not None and _aided_by_third(rule.groups, rule.third, found):
        return f"a third state's aid to the other side ({_first(found[rule.third[0]])})"
    return None


def _first(matches: list[_Match]) -> str:
    """The surface text of the earliest of ``matches``."""
    return min(matches, key=operator.itemgetter(2))[3]


def _aided_by_third(
    groups: tuple[int, ...], third: tuple[int, int | None, int | None], found: dict[int, list[_Match]]
) -> bool:
    """Whether a sentence names one of the rule's third states and names its second group's parties only as the ones
    aided, each right after a word of aid ("warns China against helping Russia"; "Beijing supplies weapons to Russia"),
    with none of the ``unless`` terms: the aid is that state's relationship with the second party, and the first party's
    warning is about that state ("Blinken meets China's Wang Yi, warns against helping Russia"), not the rule's. A
    secondary measure stays the rule's ("US Sanctions Iran for Providing Hundreds of Missiles to Russia": unless). Not a
    veto of a title's near miss (title_required): "Kim Jong Un's support for Russia sparks warnings from the West" may
    still let its summary's sanctions count."""
    states, unless, aid = third
    aided = found.get(groups[1])
    if aid is None or not aided or not found.get(states) or (unless is not None and found.get(unless)):
        return False
    ends = {_after(a) for a in found.get(aid, ())}
    return all(m[2] in ends for m in aided)


def _someone_elses_dispute(groups: tuple[int, ...], disputes: int, found: dict[int, list[_Match]]) -> bool:
    """Whether a sentence's word of dispute ("slams", "denounces") is aimed at a party of the rule's first group (named
    in the next two words) by someone who is none of its other parties (none named before it): a row on one side or a
    bystander's ("Haley blasts Trump's praise for Putin"; "Pence denounces Trump's claim Ukraine started war"), not
    the two sides dealing with each other ("Kremlin slams Trump's decision"). Only the first group is a target: the
    other side's critics are often bodies no list names ("House passes resolution condemning Russia")."""
    target, speakers = groups[0], groups[1:-1]
    for d in found.get(disputes, ()):
        start, end = d[2], _after(d)
        if any(end <= m[2] <= end + 1 for m in found.get(target, ())) and not any(
            m[2] < start for g in speakers for m in found.get(g, ())
        ):
            return True
    return False


def _joint_subject(
    groups: tuple[int, ...], joint: tuple[int, int | None], conjunction: int | None, found: dict[int, list[_Match]]
) -> bool:
    """Whether a sentence names a party of the rule's second group and one of its joint_subjects' parties together
    (next to each other, or with "and" between them: "Putin and Kim", "Russia, North Korea", "Xi's Russia visit")
    before any party of its first group, with none of the joint_subjects' ``unless`` terms: the two are the sentence's
    subject and it tells their relationship ("Putin, Kim Agree to Immediately Offer Military Aid ... a move likely to
    unsettle the US"), not the rule's ("China, Russia and Iran tried meddling in US elections" is, "meddl*" unless)."""
    parties, unless = joint
    if unless is not None and found.get(unless):
        return False
    first = min((m[2] for m in found.get(groups[0], ())), default=None)
    for r in found.get(groups[1], ()):
        for p in found.get(parties, ()):
            a, b = (r, p) if r[2] < p[2] else (p, r)
            after = _after(a)
            together = b[2] == after or _joined_by_and(after, b[2], found, conjunction, reach=1)
            if together and (first is None or first > a[2]):
                return True
    return False


def _timed_act(groups: tuple[int, ...], timed: tuple[int, int], found: dict[int, list[_Match]]) -> bool:
    """Whether a sentence tells a party of the rule's second group and one of its timed_acts' acts before one of the
    connectives, and every party of its first group after that connective: the second party's act, dated by the first
    party's doings ("Russia launches 'massive' attack on Kyiv as Trump touts 'peace deal'"; "Russian missiles rained
    down on Ukraine just ahead of Treasury Secretary Scott Bessent's visit"), not the two dealing with each other. An
    ``any`` rule (one group) needs only the act before the connective and its terms after it ("8 dead in Kyiv after
    fiercest Russian attack since Trump-Putin summit")."""
    acts, connectives = timed
    first = [m[2] for m in found.get(groups[0], ())]
    if not first or not found.get(connectives):
        return False
    earliest = min(first)
    return any(
        c[2] < earliest
        and (len(groups) == 1 or any(m[2] < c[2] for m in found.get(groups[1], ())))
        and any(m[2] < c[2] for m in found.get(acts, ()))
        for c in found[connectives]
    )


def _near(per_group: list[list[_Match]], near: int) -> list[_Match] | None:
    """One match per group, all within ``near`` words of each other; None when there is none."""
    best = None
    for combo in product(*[g[:8] for g in per_group]):  # a sentence rarely has more; bounds the work
        idx = [m[2] for m in combo]
        span = max(idx) - min(idx)
        if span <= near and (best is None or span < best[0]):
            best = (span, list(combo))
    return best[1] if best else None
