"""Story summaries: one extractive summary of a story as several outlets tell it.

Each member (one outlet's article, or only its title and feed description) is cleaned of feed
furniture and split into sentences. Sentences are then chosen for the whole cluster at once, as a
budgeted coverage problem (the idea of Gillick and Favre's ICSI summarizer, solved greedily):

* concepts are stemmed word bigrams (not two stop words); a concept is worth the number of
  members that use it, so what most outlets agree on comes first and a fact one outlet alone
  states counts only when a single outlet tells the story;
* a summary is worth the sum of the concepts it covers, each counted once, so repeating a fact
  adds nothing; on top, a sentence whose normalised content (quotes, numbers and names folded)
  is mostly already said is never taken (``REDUNDANCY``), nor one that retells a chosen sentence
  in other words: many of the same names and predicate words, or nearly all of the shorter one's
  (``PARAPHRASE``);
* a sentence that leans on the one before it ("He said ...", "Previously, ...", "In late November,
  he ...") is taken only right after that sentence, as the reader needs it;
* the greedy step takes the sentence with the best gain per word (``LENGTH_EXPONENT``), weighed
  by a lead prior (news puts the gist first) and, when dates are given, a recency prior, and
  the newest member is represented when it adds something no other member said.

Members with no usable sentence (headlines with furniture-only descriptions) are told by their
cleaned headlines. Deterministic (ties by member order, then sentence order), pure Python, no
downloaded models; about 5 ms per story of a few articles.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .extractive import _STEMS, ends_like_a_sentence, whole_quotes
from .furniture import (
    clean_description,
    clean_title,
    is_caption,
    is_furniture_sentence,
    lead_furniture,
    without_newsletter_extras,
)
from .text import normalize, opens_mid_sentence, prepare

# ---- quality-tuning constants (one place) ---------------------------------------------------------
NEWSLETTER_CHARS = 600  # a text this short may be a newsletter's description, whose "Plus, ..." lists other stories
# Designed for DUC-style 100-word story summaries and sanity-checked on
# shared/eval/multidoc/dev.jsonl (Multi-News sample, 100-word ROUGE recall, bench/quality.py --story);
# the dev set is flat, so these are round values from the literature or from a coarse check, not
# tuned to the decimal.
MAX_SENTENCES_PER_MEMBER = 60  # sentences of each member considered (the gist of news is early)
MIN_WORDS = 8  # shorter sentences (fragments, captions, datelines) are not candidates ...
MIN_WORDS_SHORT_MEMBER = 4  # ... unless the member is only a title and a short description
MAX_WORDS = 80  # longer "sentences" are run-ons of a bad split
LEAD_DECAY = 4.0  # sentences; the lead prior falls by e every LEAD_DECAY sentences
LEAD_WEIGHT = 1.0  # weight of the lead prior: factor 1 + LEAD_WEIGHT * exp(-position / LEAD_DECAY)
LENGTH_EXPONENT = 0.5  # gain / words**LENGTH_EXPONENT: 1 = per word (short bits), 0 = per sentence (long ones)
UNIGRAM_WEIGHT = 0.25  # content-word concepts count this much beside bigram concepts
MIN_SHARE = 0.25  # a concept counts when at least this share of the members (and two) use it (ICSI: 3 of 10)
REDUNDANCY = 0.6  # share of a sentence's normalised content words already said that makes it a repeat
# A retelling in other words ("Russia rejected a substantial new proposal for the release of Whelan and Gershkovich" /
# "negotiators made a fresh offer ... to secure the release of Gershkovich and Whelan, but Moscow rejected the
# proposal") shares many content words with one chosen sentence, but too few of its own to reach REDUNDANCY; a short
# sentence already told inside a longer one likewise. Chosen on 41 pairs of sentences of the DEV story summaries (15
# retellings, 26 distinct facts, labelled by reading): no distinct pair shares 7 content words, nor 0.7 of the shorter
# one's; 9 of the 15 retellings do one or the other (the rest differ in wording more than in words: "warned" against
# "communicated ... consequences").
PARAPHRASE = ((7, 0.45), (4, 0.7))  # (content words shared with one chosen sentence, their share of the shorter one's)
RECENCY_WEIGHT = 0.3  # bonus factor of the newest member's sentences, when dates are given
DEPENDENT_PENALTY = 0.5  # factor for a sentence that opens with a quotation, a connective or a pronoun
NEWS_OVERLAP = 0.5  # a newest member's sentence is news when at most this share of its content words is older
READING_LEAD = 0  # sentences at this position of their member or earlier (its lead) are read first
# ----------------------------------------------------------------------------------------------------

# Sentences that lean on the one before them: a quotation, or an opening connective or pronoun.
_DEPENDENT_OPENING = re.compile(
    r"""^(?:["“‘']|(?:but|and|or|so|yet|however|still|also|meanwhile|instead|then|that|this|these|those|
    it|its|he|she|they|his|her|their|him|them|we|i|such|there)\b)""",
    re.IGNORECASE | re.VERBOSE,
)
# Sentences that cannot stand without the one before them: a pronoun, a demonstrative or an adverb that points back,
# perhaps after a short opening phrase ("In late November, he got an email ..."). "This week" and the like point at
# nothing.
_LEANS_BACK = re.compile(
    r"""^(?:[^,.;:"“”]{1,40},\s+|(?:even\s+)?(?:though|although)\s+)?(?:he|she|they|it|his|her|their|its|him|them|this|that|these|those|such|also|
    previously|meanwhile|instead|however|but|then)\b(?!\s+(?:week|weekend|month|year|morning|afternoon|evening|time|far)\b)""",
    re.IGNORECASE | re.VERBOSE,
)
_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")
# A run of capitalised words (a name with its first names or title): "President Vladimir Putin".
_NAME_RUN = re.compile(r"\b(?:[A-Z][\w.'’-]*\s+)+[A-Z][\w'’-]*")
_HONORIFICS = frozenset(
    ["mr", "mrs", "ms", "dr", "president", "prime", "minister", "sen", "senator", "gov", "governor"]
)


@dataclass(frozen=True)
class StoryMember:
    """One outlet's telling of a story: its text (full article or feed description) and where it is from."""

    text: str
    title: str | None = None
    outlet: str | None = None
    link: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class StorySentence:
    """A sentence of a story summary, with the member it came from (index into the input, outlet, link)."""

    text: str
    doc: int  # index of the member in the input sequence
    index: int  # position among that member's body sentences (0 = first; -1 = its headline, with no offsets)
    start: int  # offsets of the sentence in the member's text (as given, before cleaning)
    end: int
    outlet: str | None = None
    link: str | None = None


@dataclass(frozen=True)
class StorySummary:
    """A story summary: sentences in reading order (most agreed-on first), or none with a reason."""

    sentences: tuple[StorySentence, ...]
    reason: str | None = None

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def words(self) -> int:
        return sum(len(s.text.split()) for s in self.sentences)


@dataclass
class _Candidate:
    text: str
    doc: int
    index: int
    start: int
    end: int
    n_words: int  # whitespace words, as ROUGE's budget counts them
    concepts: frozenset[tuple[str, ...]]
    content: frozenset[str]  # normalised content stems, for the repeat test


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'"))


def _content_key(text: str) -> frozenset[str]:
    """Content stems for the repeat test: numbers folded to one token, a name to its last word, titles dropped.

    "President Vladimir Putin", "Mr. Putin" and "Putin" all leave ``putin``; "$1.5 billion" and "1,500"
    leave ``<num>``; quote marks and case never count.
    """
    out: set[str] = set()
    for t in _tokens(_NAME_RUN.sub(_last_word, text)):
        if t[0].isdigit():  # tokens start with [a-z0-9]: a number
            out.add("<num>")
        elif t not in _HONORIFICS and (s := _STEMS[t]) is not None:
            out.add(s)
    return frozenset(out)


def _last_word(m: re.Match[str]) -> str:
    return m.group(0).split()[-1]


def _concepts(tokens: Sequence[str]) -> frozenset[tuple[str, ...]]:
    """Bigram concepts (not two stop words) and content-word unigrams of a sentence."""
    stems = list(map(_STEMS.__getitem__, tokens))  # stems cached (extractive._STEMS), without a call per word
    out: set[tuple[str, ...]] = {(s,) for s in stems if s is not None}
    for t, s, t2, s2 in zip(tokens, stems, tokens[1:], stems[1:], strict=False):
        if s is not None or s2 is not None:
            out.add((s or t, s2 or t2))
    return frozenset(out)


def _headline_case(sentence: str) -> bool:
    """A headline in title case ("Will Cohen's 'Dictator' Walk The Oscar Red Carpet?"), not a sentence."""
    words = [w.strip("\"“”‘’'(") for w in sentence.split()]
    long = [w for w in words if len(w) > 3 and w[:1].isalpha()]
    return len(words) >= 5 and len(long) >= 3 and sum(w[0].isupper() for w in long) >= 0.8 * len(long)


def _member_sentences(member: StoryMember) -> list[tuple[int, str, int, int]]:
    """(position, text, start, end) of a member's usable body sentences, furniture removed; offsets into its text."""
    text = clean_description(member.text)
    if len(text) <= NEWSLETTER_CHARS:  # a newsletter's description lists its other stories ("Plus, ..."); an article's
        text = without_newsletter_extras(text)  # "Plus, it's not as if ..." is prose
    prepared = prepare(text, title=member.title)
    if prepared.problem or not prepared.text.strip():
        return []
    sents = prepared.sentences[:MAX_SENTENCES_PER_MEMBER]
    whole = whole_quotes(prepared, len(sents))  # no piece of a quotation, a run over paragraphs aside
    out = []
    for s, (a, b), quote_ok in zip(sents, prepared.sentence_spans, whole, strict=False):
        if prepared.asides and prepared.in_aside(a, b):
            continue
        t = s.text.strip()
        # the cheap test first (all are pure tests of ``t``): a sentence ends like one, not cut off with "..."
        if not ends_like_a_sentence(t):
            continue
        if not quote_ok or opens_mid_sentence(t) or is_furniture_sentence(t) or is_caption(t) or _headline_case(t):
            continue
        cut = lead_furniture(t)
        raw = prepared.original_slice(a, b)  # exact characters of the cleaned text; cleaning only cut or ended lines
        at = member.text.find(raw) if raw else -1
        if at < 0 and raw.endswith("."):
            raw = raw[:-1]
            at = member.text.find(raw)
        start, end = (at, at + len(raw)) if at >= 0 else (0, 0)
        if cut:  # a dateline or an interface word glued to the sentence
            exact = at >= 0 and normalize(member.text[start:end]) == t
            t = t[cut:]
            start, end = (start + cut, end) if exact else (0, 0)
        out.append((s.index, t, start, end))
    return out


def _candidates(members: Sequence[StoryMember]) -> list[_Candidate]:
    cands: list[_Candidate] = []
    # a sentence several members carry (wire copy, a lead the outlets share) is analysed once
    features: dict[str, tuple[frozenset[tuple[str, ...]], frozenset[str]]] = {}
    for k, m in enumerate(members):
        sents = _member_sentences(m)
        short_member = len(sents) <= 3 and sum(len(t.split()) for _, t, _, _ in sents) < 80
        floor = MIN_WORDS_SHORT_MEMBER if short_member else MIN_WORDS
        for pos, t, start, end in sents:
            n = len(t.split())
            if n < floor or n > MAX_WORDS:
                continue
            f = features.get(t)
            if f is None:
                f = features[t] = (_concepts(_tokens(t)), _content_key(t))
            cands.append(_Candidate(t, k, pos, start, end, n, *f))
    return cands


def _title_candidates(members: Sequence[StoryMember]) -> list[_Candidate]:
    """The members' cleaned headlines as candidates (index -1, no offsets), for stories with no usable sentence."""
    cands = []
    for k, m in enumerate(members):
        if not m.title:
            continue
        t = clean_title(m.title, outlet=m.outlet)
        n = len(t.split())
        if MIN_WORDS_SHORT_MEMBER <= n <= MAX_WORDS:
            cands.append(_Candidate(t, k, -1, 0, 0, n, _concepts(_tokens(t)), _content_key(t)))
    return cands


def _weights(cands: Sequence[_Candidate]) -> dict[tuple[str, ...], float]:
    """Concept -> worth: the number of members that use it (a single member: how often it recurs)."""
    count: Counter[tuple[str, ...]] = Counter()  # candidates using the concept
    by_doc: dict[int, set[tuple[str, ...]]] = {}  # member -> the concepts of its candidates
    for c in cands:
        count.update(c.concepts)
        by_doc.setdefault(c.doc, set()).update(c.concepts)
    docs: Counter[tuple[str, ...]] = Counter()  # members using the concept
    for concepts in by_doc.values():
        docs.update(concepts)
    used = len(by_doc)
    min_df = max(2, math.ceil(MIN_SHARE * used))
    w: dict[tuple[str, ...], float] = {}
    for x, df in docs.items():
        # shared by enough members when several tell the story; otherwise recurrence inside the one member
        v = float(df) if used > 1 and df >= min_df else (math.log2(count[x]) if used == 1 and count[x] >= 2 else 0.0)
        if v > 0:
            w[x] = v * (UNIGRAM_WEIGHT if len(x) == 1 else 1.0)
    return w


def _newest(members: Sequence[StoryMember]) -> int | None:
    """Index of the newest member when dates are given and one is strictly the newest."""
    dated = [(m.published, k) for k, m in enumerate(members) if m.published is not None]
    if len(dated) < 2:
        return None
    try:
        dated.sort(key=lambda e: e[0])
    except TypeError:  # naive and aware datetimes mixed
        return None
    return dated[-1][1] if dated[-1][0] != dated[-2][0] else None


def _check_members(members: Sequence[StoryMember]) -> None:
    if isinstance(members, (str, bytes)) or not isinstance(members, Sequence):
        raise TypeError("members must be a sequence of StoryMember")
    for k, m in enumerate(members):
        if not isinstance(m, StoryMember):
            raise TypeError(f"members[{k}] must be StoryMember, not {type(m).__name__}")
        if not isinstance(m.text, str):
            raise TypeError(f"members[{k}].text must be str, not {type(m.text).__name__}")


def summarize_members(
    members: Sequence[StoryMember], sentences: int | None = None, words: int | None = None
) -> StorySummary:
    """Summary of a story: at most ``sentences`` sentences and/or the best selection fitting ``words`` words.

    With neither limit, three sentences. A sentence is never cut: with ``words`` the summary is the
    best set of whole sentences that fits. Sentences come back most agreed-on first.
    """
    _check_members(members)
    for name, v in (("sentences", sentences), ("words", words)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
            raise TypeError(f"{name} must be int, not {type(v).__name__}")
        if v is not None and v < 1:
            raise ValueError(f"{name} must be at least 1, got {v}")
    if sentences is None and words is None:
        sentences = 3
    if not members:
        return StorySummary((), "no articles")
    cands = _candidates(members)
    headlines_only = not cands
    if headlines_only:
        cands = _title_candidates(members)
    if not cands:
        return StorySummary((), "no usable sentences in the story's articles")
    weights = _weights(cands)
    newest = _newest(members)
    prior = [
        (1.0 + LEAD_WEIGHT * math.exp(-c.index / LEAD_DECAY))
        * (1.0 + RECENCY_WEIGHT * (c.doc == newest))
        * (DEPENDENT_PENALTY if _DEPENDENT_OPENING.match(c.text) else 1.0)
        for c in cands
    ]
    after = _predecessors(cands)
    covered: set[tuple[str, ...]] = set()
    said: set[str] = set()
    taken: list[int] = []
    budget = words if words is not None else 10**9
    limit = sentences if sentences is not None else 10**9
    used_words = 0
    alive = [True] * len(cands)
    # gain[i]: the worth of candidate i's concepts not covered yet, summed as the loop below sums it; it changes
    # only when a chosen sentence covers one of them, so it is summed again only then (same order, same float)
    gain = [sum(weights.get(x, 0.0) for x in c.concepts) for c in cands]
    newly: frozenset[tuple[str, ...]] = frozenset()
    while len(taken) < limit:
        best, best_score = -1, 0.0
        for i, c in enumerate(cands):
            if not alive[i]:
                continue
            if used_words + c.n_words > budget:
                alive[i] = False
                continue
            if i in after and after[i] not in taken:
                continue  # it leans on a sentence not chosen (yet)
            if said and _repeats(c.content, said, [cands[k].content for k in taken]):
                alive[i] = False
                continue
            if not newly.isdisjoint(c.concepts):
                gain[i] = sum(weights.get(x, 0.0) for x in c.concepts if x not in covered)
            # ties (and a story with no shared concepts) fall back to the lead prior
            score = (gain[i] + 1e-3) * prior[i] / c.n_words**LENGTH_EXPONENT
            if score > best_score:
                best, best_score = i, score
        if best < 0:
            break
        taken.append(best)
        alive[best] = False
        newly = cands[best].concepts - covered
        covered |= newly
        said |= cands[best].content
        used_words += cands[best].n_words
    if newest is not None and taken:
        taken = _show_newest(cands, taken, newest, budget, after)
    # reading order: the members' leads first (the gist), each group by how much the outlets agree on it; a sentence
    # that leans on the one before it right after that one
    agreement = {i: sum(weights.get(x, 0.0) for x in cands[i].concepts) for i in taken}
    order = sorted(
        (i for i in taken if i not in after),
        key=lambda i: (cands[i].index > READING_LEAD, -agreement[i], taken.index(i)),
    )
    taken = [k for i in order for k in _with_followers(i, taken, after)]
    out = tuple(
        StorySentence(
            text=cands[i].text,
            doc=cands[i].doc,
            index=cands[i].index,
            start=cands[i].start,
            end=cands[i].end,
            outlet=members[cands[i].doc].outlet,
            link=members[cands[i].doc].link,
        )
        for i in taken
    )
    reason = "only headlines: the articles have no usable sentences" if headlines_only else None
    if not out:  # every candidate is longer than the words budget (sentences are never cut)
        alone = [c.n_words for i, c in enumerate(cands) if i not in after]  # the sentences that can stand alone
        shortest = min(alone or [c.n_words for c in cands])
        reason = f"no sentence fits in {words} words: the shortest usable one has {shortest}"
    elif not headlines_only and sentences is not None and words is None and len(out) < sentences:
        reason = f"the story has only {len(out)} distinct usable sentence{'s' if len(out) != 1 else ''}"
    return StorySummary(out, reason)


def _repeats(content: frozenset[str], said: set[str], chosen: Sequence[frozenset[str]]) -> bool:
    """Whether a sentence's content words are mostly said already (``REDUNDANCY``), or it retells one chosen sentence
    in other words: many of the same content words, or nearly all of the shorter one's (``PARAPHRASE``)."""
    if not content:
        return False
    if len(content & said) >= REDUNDANCY * len(content):
        return True
    for other in chosen:
        shared = len(content & other)
        shorter = min(len(content), len(other))
        if any(shared >= words and shared >= share * shorter for words, share in PARAPHRASE):
            return True
    return False


def _predecessors(cands: Sequence[_Candidate]) -> dict[int, int]:
    """Candidate -> the candidate it leans on (the sentence before it in its member), for sentences that cannot stand
    alone (``_LEANS_BACK``); one whose sentence before is no candidate leans on -1, so it is never chosen."""
    at = {(c.doc, c.index): i for i, c in enumerate(cands)}
    return {
        i: at.get((c.doc, c.index - 1), -1) for i, c in enumerate(cands) if c.index > 0 and _LEANS_BACK.match(c.text)
    }


def _with_followers(i: int, taken: Sequence[int], after: dict[int, int]) -> list[int]:
    """``i`` and, right after it, the chosen sentences that lean on it (and on those, in turn)."""
    out = [i]
    for k in taken:
        if after.get(k) == out[-1]:
            out.append(k)
    return out


def _show_newest(
    cands: Sequence[_Candidate],
    taken: list[int],
    newest: int,
    budget: int,
    after: dict[int, int],
) -> list[int]:
    """Make room for the newest member's news: its best sentence that no older member says, unless one is in.

    A sentence is news when at most NEWS_OVERLAP of its content words occur in the older members.
    It replaces the last sentences chosen until it fits the budget.
    """
    older: set[str] = set().union(*(c.content for c in cands if c.doc != newest))
    news = [
        i
        for i, c in enumerate(cands)
        if c.doc == newest and c.content and len(c.content & older) <= NEWS_OVERLAP * len(c.content) and i not in after
    ]
    if not news or any(i in news for i in taken):
        return taken
    for best in sorted(news, key=lambda i: (cands[i].index, i)):  # the newest member's lead of its news
        keep = taken[:-1]
        while keep and sum(cands[i].n_words for i in keep) + cands[best].n_words > budget:
            keep = keep[:-1]
        if sum(cands[i].n_words for i in keep) + cands[best].n_words > budget:
            continue
        said: set[str] = set().union(*(cands[i].content for i in keep))
        if _repeats(cands[best].content, said, [cands[i].content for i in keep]):
            continue  # it repeats a sentence kept (the newest member's own): no news to the reader
        return [*keep, best]
    return taken
