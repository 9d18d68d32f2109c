"""Who said a quote: the cue verb and speaker phrase next to it, resolved to a canonical name.

:class:`Narrative` is the article with its quotes masked out, split into sentences, with the names
mentioned in each sentence. :class:`Resolver` finds a quote's attribution in its own sentence —
``"…," X said`` / ``"…," said X, title of Y`` / ``X said: "…"`` / ``X said it was "…"`` /
``according to X`` / ``…, adding "…"`` — and resolves the speaker phrase: names to the fullest form
the article uses, pronouns to the nearest compatible subject ("it" also to an organisation named without an
organisation word: "Gazprom cut …"), descriptions ("the spokesman", "the company", "the researchers") to the
matching mention, and a person's possessive ("his spokesman") to the person's ("Biden's spokesman").
:func:`carry_over` gives quotes without an attribution the speaker they continue. Nobody is guessed: an
unresolved phrase stays a description ("analysts") and a quote nobody is credited with has no speaker; a
speaker that cannot be one (a place fragment, a demonym, "Others", the object of an accusation) is dropped
by :meth:`Resolver.vet`.

Why one module of ~1,200 lines: the Resolver's phrase readers (_np_forward, _np_backward, _trailing,
cue_at, _participle, framed) and its resolvers (resolve, _description, _name, pronoun) recurse into one
another over the same token lists and Narrative; the word lists are data (``data/speech_lexicon.txt``),
and name lookups live in :mod:`summarizer.names`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .names import (
    NameIndex,
    bare,
    is_cap,
    is_initial,
    is_possessive,
    org_like,
    person_like,
    runs,
    strip_the,
)
from .speech_lexicon import (
    ABBREVIATIONS,
    ACCUSATION_VERBS,
    AUTHOR_VERBS,
    AUX,
    CAP_STOP,
    COMPANY_NOUNS,
    CONSTITUENCY_ROLES,
    CUE_VERBS,
    DEMONYMS,
    DETERMINERS,
    DOC_NOUNS,
    FEMALE_FIRST_NAMES,
    FEMALE_NOUNS,
    FUNCTION_WORDS,
    GROUPS,
    HONORIFICS,
    LEADER_ROLES,
    MALE_FIRST_NAMES,
    MONTHS_DAYS,
    NAME_PARTICLES,
    NOT_SPEAKERS,
    NOUN_CUES,
    ORG_HEADS,
    ORG_NOUNS,
    OWNER_PLACES,
    PARTICIPLE_CUES,
    PERSON_NOUNS,
    PLACE_PARTS,
    PLACES,
    POSSESSIVE_PRONOUNS,
    PRONOUNS,
    RELATIONAL_ROLES,
    ROLES,
    STATE_ABBREVIATIONS,
    TIME_WORDS,
    TITLES,
    TRAILING_ONLY,
    WEAK_CUES,
)
from .text import Prepared

# --------------------------------------------------------------------------- tuning constants
# Chosen on the extraction DEV set (bench/extraction.py), hand-written cases (tests/data/quotes/) and
# 150 unlabelled CNN articles read by eye; they bound windows, they are not fitted to articles.

# Lines shorter than this with no sentence punctuation at the end are headlines, captions, teasers.
HEADLINE_CHARS = 200
# Pronouns look back this many sentences for a subject, then take any compatible mention.
PRONOUN_SENTENCES = 4
# "his spokesman", "her office" name their owner only when the owner is the subject of the sentence before (by the
# rule that resolves "he"), and no name stands before the pronoun in its own sentence. Over the 1,762 eval texts:
# 1 sentence back, 5 owners, all right; 2 back adds 2 right and 1 wrong ("Calle's mother": the mother of the
# teenager a navy officer spoke of). No owner: the description as today ("his mother").
POSSESSIVE_SENTENCES = 1
# Words of a speaker phrase after its cue ("said Ukrainian Minister of Defence Mykhailo Fedorov", "said former
# Pennsylvania Gov. and Democratic National Committee Chairman Ed Rendell" is 13).
NP_MAX_TOKENS = 13
# Lower-case words of an unlisted role between a qualifier and a name ("top foreign policy aide Jake Sullivan").
MODIFIER_WORDS = 4
# Appositives between a speaker and a trailing cue span at most this many tokens ("X, 35, the daughter of …, said").
APPOSITIVE_TOKENS = 30
# Connectives that open a clause of its own after a comma (", as officials interpreted …")
_OWN_CLAUSE = frozenset(("as", "while", "whereas", "although", "though", "because"))


def _names_subject(toks: list[Tok]) -> bool:
    """Whether a clause opens with a subject of its own and its verb: "Ukrainian officials interpreted", "Kyiv said";
    not "he left" (a pronoun leans on the main clause's speaker) nor "expected"."""
    k = 0
    while k < len(toks) and (is_cap(toks[k].text) or toks[k].low in ("the", "a", "an")):
        k += 1
    while k < len(toks) and k < 4 and toks[k].text.isalpha() and toks[k].text.islower() and toks[k].low.endswith("s"):
        k += 1  # "Ukrainian officials", "the analysts"
    return (
        0 < k < len(toks)
        and any(is_cap(t.text) for t in toks[:k])
        and toks[k].text.isalpha()
        and toks[k].low.endswith("ed")
    )


# A name after one of these sits inside a phrase of an appositive ("the MP for Newcastle Central")
_INSIDE_PHRASE = frozenset(("for", "of", "the", "in", "at", "from", "with", "by", "to", "on", "behind", "backing"))
# Appositives read back before the speaker's name ("Jane Smith, the mayor of Leeds, who backs the plan, said").
APPOSITIVE_HOPS = 2
# A quoted span inside that appositive is a name or a label when at most this long ("“Ted Cruz” campaign pins").
APPOSITIVE_QUOTE_CHARS = 30
# A parenthesis this short between a speaker and the cue is skipped ("Rep. John Mica (R-Fla.) said").
PAREN_TOKENS = 6
# A signature after a quote ("― Carlos Raúl") starts within this many characters of its closing mark.
SIGNATURE_CHARS = 80
# A clause that introduces a quote with a colon ("O'Malley, who signed …, interjected to say:") is at most this long.
COLON_CLAUSE_CHARS = 250
# Pronouns and descriptions look for antecedents this many characters back at most.
MENTION_WINDOW = 3000
# An attribution stands within this many characters after (before) its quote in the same sentence.
AFTER_CHARS = 300
BEFORE_CHARS = 600
# A quote without attribution continues a speaker named at most this many characters (sentences) before it.
CARRY_CHARS = 1500
CARRY_SENTENCES = 2
# Mentions in giant sentences (junk without punctuation) are indexed in chunks of this many characters;
# pronouns look at the last few speakers of a sentence only.
_CHUNK = 1000
_RECENT_SPEAKERS = 50

_PLACE_PREPOSITIONS = frozenset(("in", "at", "near", "outside", "inside", "during"))
_TITLE_ABBREVIATIONS = frozenset(a.lower() for a in ABBREVIATIONS if a.lower() in TITLES or a.lower() in HONORIFICS)

# --------------------------------------------------------------------------- tokens

PH = "\x00"  # masks quoted text in the narrative (never survives text.prepare's normalisation)
_TOKEN = re.compile(
    r"\x00+|\d+(?:-[^\W\d_]+)+|[^\W\d_](?:[\w’'\-]*[^\W_])?(?:[’']s\b|[’'](?=\s))?(?:\.[^\W\d_]\.?)*|\d+(?:[.,]\d+)*\w*|\S"
)


class Tok:
    """A word or punctuation mark of the narrative, with its offset in Prepared.text."""

    __slots__ = ("low", "named", "start", "text")

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.low = text.lower()
        self.start = start
        self.named = False  # a month's name used as a person's ("Mrs May said", "Theresa May said"): see tokens()

    def __repr__(self) -> str:
        return f"Tok({self.text!r}, {self.start})"


def tokens(s: str, base: int) -> list[Tok]:
    out = [Tok(m.group(0), base + m.start()) for m in _TOKEN.finditer(s)]
    for k in range(1, len(out)):
        t = out[k]
        if t.low in _MONTH_NAMES and t.text[:1].isupper():  # after an honorific ("Mrs. May") or a name ("Theresa May")
            prev = out[k - 2] if out[k - 1].text == "." and k > 1 else out[k - 1]
            t.named = prev.low in HONORIFICS or (
                prev is out[k - 1] and is_cap(prev.text) and prev.low not in CAP_STOP and prev.low not in MONTHS_DAYS
            )
    return out


# Months that are also people's names (Theresa May, April Ryan, June Carter): a name after a name or an honorific.
_MONTH_NAMES = frozenset(("may", "june", "april", "august"))


def is_cue(t: Tok) -> bool:
    """A speech verb as written in running text (lower case: "States" and "Post" are names)."""
    return t.low in CUE_VERBS and t.text.islower()


# The accused as a passive subject: "<speaker> has been accused of", "was blamed for" (ACCUSATION_VERBS' forms)
_PASSIVE_ACCUSATION = re.compile(
    r"\s+(?:(?:has|have|had)\s+been|was|were|is|are|being|been)\s+(?:\w+ly\s+)?"
    rf"(?:{'|'.join(sorted(w for w in ACCUSATION_VERBS if w.endswith('ed')))})\b"
)
# ... unless of what they said: "Trump was accused of saying that ..." quotes Trump
_ACCUSED_OF_SAYING = re.compile(r"\s+(?:of|for)\s+(?:saying|calling|describing|telling|writing|claiming|remarks)\b")
# A preposition before a name and a colon that makes the name a topic label ("On Murdoch: “…”"), not a speaker
_TOPIC_WORDS = frozenset(("on", "about", "regarding", "re"))
# A US lawmaker's party and state ("R-Ariz.", "D-N.Y", "R-OH"): written after the name, between commas or brackets
_PARTY_STATE = re.compile(r"^[RDI]-[A-Z][A-Za-z.]{1,5}$")


def _skip_affiliation(toks: list[Tok], j: int) -> int:
    """Past a person's affiliation after their name ("of the James Martin Center for Nonproliferation Studies", "of
    Brookings", "from Reuters"): where the cue may follow; ``j`` when no such phrase starts there."""
    n = len(toks)
    if not (j + 1 < n and toks[j].low in ("of", "from", "at")):
        return j
    k = j + 1
    if toks[k].low == "the":
        k += 1
    if not (k < n and is_cap(toks[k].text)):
        return j
    while k < n and (
        is_cap(toks[k].text)
        or (toks[k].low in ("of", "for", "and", "&") and k + 1 < n and is_cap(toks[k + 1].text))
        or (toks[k].text == "." and toks[k - 1].text in STATE_ABBREVIATIONS)  # "of the Pa. Turnpike Commission"
    ):
        k += 1
    return k


def _abbrev_before(t: Tok) -> bool:
    """A period after this token belongs to it ("Sen.", "Dr.", "L.", "R-Ariz.")."""
    return t.low in TITLES or t.low in HONORIFICS or is_initial(t.text) or bool(_PARTY_STATE.match(t.text))


def _name_word(t: Tok) -> bool:
    """A capitalised word that can belong to a name: not a sentence-initial function word or a month
    ("WHO" and "IT" are acronyms, not "who" and "it")."""
    if not is_cap(t.text):
        return False
    if t.text.isupper() and len(t.text) > 1:
        return True
    if _PRONOUN_CONTRACTION.match(t.low):  # "I'd say", "I’ve said": the pronoun, no name
        return False
    return t.low not in CAP_STOP and (t.named or t.low not in MONTHS_DAYS)


_PRONOUN_CONTRACTION = re.compile(r"^(?:i|we|you|he|she|they|it)['’](?:d|ll|ve|m|re|s)$")


def _plain_word(t: Tok) -> bool:
    """A lower-case word that can be part of a noun phrase (not a function word, verb or auxiliary)."""
    low = t.low
    return (
        t.text == low
        and (low.replace("-", "").isalpha() or low.endswith("-year-old"))
        and low not in FUNCTION_WORDS
        and low not in CUE_VERBS
        and low not in AUX
        and low not in PRONOUNS
    )


def _common_head(low: str) -> bool:
    return low in GROUPS or low in ROLES or low in ORG_NOUNS or low in DOC_NOUNS or low in PERSON_NOUNS


def _is_det(t: Tok) -> bool:
    return t.low in DETERMINERS or t.low in POSSESSIVE_PRONOUNS or is_possessive(t.text)


def _strong_np(np: list[Tok]) -> bool:
    """A speaker phrase that cannot be a noun in front of another noun ("the caucus state"): a name,
    a pronoun, or a role, group or organisation noun at its end."""
    last = np[-1]
    return last.low in PRONOUNS or _common_head(last.low) or _name_word(last)


def _trim_np(np: list[Tok]) -> list[Tok]:
    """Drop sentence-initial words that are not part of a speaker's name ("But", "However")."""
    while len(np) > 1 and np[0].low in CAP_STOP and np[0].low not in DETERMINERS:
        np = np[1:]
    return np


# A plural acronym: "PACs", "NGOs" (a group, not "it")
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")
# An outlet quoting someone: "CNN quoted Smith as saying" (Smith speaks).
_QUOTING = frozenset({"quoted", "quotes", "quote", "quoting"})
_SUBJECT_FORMS = {"him": "he", "her": "she", "them": "they"}


def _skippable(t: Tok) -> bool:
    """Words between a speaker and the cue: auxiliaries and adverbs ("has also said", "angrily told"), written in
    lower case ("Mrs May said": a name, not the auxiliary)."""
    return t.text.islower() and (t.low in AUX or t.low.endswith("ly"))


# Possessives that begin a name of their own ("People's Daily", "Children's Hospital"), not an owner.
_NAMING_POSSESSORS = frozenset(("people", "children", "women", "men", "workers", "veterans", "farmers"))
# Words that open an introductory phrase before a clause's subject ("In a Fox interview later that day, Trump ...")
_INTRO_PREPOSITIONS = frozenset(
    ("in", "on", "at", "during", "after", "before", "since", "following", "amid", "despite", "with", "from", "by")
)
# Where people post, not who: "Bush's Facebook post" is Bush's words
_PLATFORMS = frozenset(("facebook", "twitter", "instagram", "youtube", "tiktok", "telegram", "linkedin", "truth"))


# An owner speaks through these roles only when it is an organisation ("Infineon’s spokesperson", "a Kremlin official"
# speak for their organisation); a person's spokesman, lawyer or press secretary speaks for themself ("Putin's
# spokesman", "Donald Trump's campaign manager"): see Resolver._owner_speaks.
_ORG_VOICES = frozenset(("spokesman", "spokeswoman", "spokesperson", "official", "source", "insider"))


# What a person owns that does not speak: "her state", "his country" (a place).
_PLACE_NOUNS = frozenset(("state", "country"))
# Words after a surname that are not one ("Martin Luther King Jr."): the whole name owns ("King Jr.'s lawyer").
_NAME_SUFFIXES = frozenset(("jr", "sr", "ii", "iii", "iv"))


# Roles that name the person by what they front or made ("the LA Ink star", "a CNN anchor", "the Tesla founder"):
# they speak as themselves, never as the show, channel or company (mn_test_242: Kat Von D, not "LA Ink").
_OWN_VOICES = frozenset(("star", "host", "anchor", "presenter", "founder", "co-founder", "creator"))


def _owner_name(owner: list[Tok]) -> str | None:
    """Who a description belongs to: "Infineon’s spokesperson" → Infineon, "a Kremlin spokesman" → Kremlin."""
    poss = [k for k, t in enumerate(owner) if is_possessive(t.text)]
    after = owner[poss[-1] + 1 :] if poss else []
    if after and bare(owner[poss[-1]].text).lower() in _NAMING_POSSESSORS:
        return " ".join(t.text for t in owner[poss[-1] :])  # "the People's Daily newspaper"
    if after and not any(
        t.text in PLACES or t.text in PLACE_PARTS or t.low in DEMONYMS or t.low in _PLATFORMS for t in after
    ):
        return " ".join(bare(t.text) for t in after)  # "North Korea's Rodong Sinmun newspaper": the paper's name
    if poss:  # "Amnesty's Afghanistan researcher": the possessive run
        k = poss[-1]
        j = k
        while j > 0 and is_cap(owner[j - 1].text) and not is_possessive(owner[j - 1].text):
            j -= 1
        run = [bare(t.text) for t in owner[j : k + 1]]
    else:
        run = [
            bare(t.text)
            for t in owner
            if t.text not in PLACES
            and t.text not in PLACE_PARTS
            and t.text not in OWNER_PLACES
            and t.low not in DEMONYMS
        ]
    return " ".join(run) if run else None


def _describe(words: list[Tok]) -> str:
    return " ".join(w.text for w in words)


def headline_like(line: str) -> bool:
    """A line that is not prose: a headline, caption, teaser or menu item. A closing straight single mark ends prose
    as "’" does ("Graham said: 'We should shoot …'"); a doubled one ('' …'') is no mark."""
    s = line.strip()
    if s.endswith("'") and not s.endswith("''"):
        s = s[:-1].strip()
    if not s:
        return True
    if len(s) >= HEADLINE_CHARS:
        return False
    # s ends with . ! ? … : ; or , perhaps followed by closing quotes or brackets (no regex scan of the line)
    return s.rstrip('"”’)]')[-1:] not in (".", "!", "?", "…", ":", ";", ",") or s.count(" ") < 3


# --------------------------------------------------------------------------- the narrative


@dataclass
class QuoteSpan:
    """A quoted span of Prepared.text and what attribution found for it."""

    start: int  # the quoted words [start, end)
    end: int
    mark_start: int  # the opening mark
    mark_end: int  # just after the closing mark (or the words' end when the quote is unclosed)
    para: int
    keep: bool = True
    cue: str | None = None
    cue_pos: int = -1
    mention: str | None = None
    speaker: str | None = None
    kind: str | None = None


@dataclass
class Mention:
    """A named or described entity in the narrative, or a resolved speaker."""

    pos: int
    name: str
    kind: str  # person | org | group | agent (speaks, kind unknown) | unknown
    subject: bool
    sent: int
    roles: frozenset[str] = frozenset()
    female: bool | None = None


# "“…” ― Carlos Raúl" or "“…” ¶ - Hillary Clinton.": a signature line after the quote.
SIGNATURE = re.compile(r"[ \t]*\n*[ \t]*[―—–-]{1,2}[ \t]*([A-Z][\w’'.\- ]{1,60}?)[ \t]*[.,]?[ \t]*(?=\n|\x00|$)")
_SENT_END = re.compile(r"[.!?…]+[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9\x00])")
_LETTERS = re.compile(r"\b[A-Za-z][a-z\-]+\b")  # words checked against GROUPS (a set beats a 600-way regex)
# the word before a group noun that belongs to it: "the researchers", "Tagore's attorneys"
_GROUP_OWNER = re.compile(r"(?:the|The|[A-Z][\w\-]*[’']s?)[^\S\n]+$")
_LOWER = re.compile(r"\b[a-z]+\b")
_NEXT_WORD = re.compile(r"(?:\s*,[^,]{1,80},)?\s+([\w’'\-]+)")


class Narrative:
    """The prepared text with its quotes masked, its sentences, and the names mentioned in them."""

    def __init__(
        self, prepared: Prepared, spans: list[QuoteSpan], paras: list[tuple[int, int]], headline: list[bool]
    ) -> None:
        self.prepared = prepared
        self.text = text = prepared.text
        self.paras = paras
        self.headline = headline
        parts = []
        last = 0
        for s in spans:
            parts.append(text[last : s.mark_start])
            parts.append(PH * (s.mark_end - s.mark_start))
            last = s.mark_end
        parts.append(text[last:])
        self.narr = "".join(parts)
        self.names = NameIndex(self.narr, prepared.title)
        self.sentences = self._split_after_quotes(self._split_sentences(), spans)
        self.sent_starts = [a for a, _ in self.sentences]
        self.speakers_in: dict[int, list[Mention]] = {}  # resolved speakers by sentence
        self.gender: dict[str, bool] = {}  # speaker -> female, learnt from "she said" / "he said"
        self.doc_owner: dict[str, str] = {}  # "report" -> "IPAC" once "the IPAC report" spoke
        self._mentions: dict[int, list[Mention]] = {}
        self._chunks: dict[int, list[Mention]] = {}  # mentions of giant sentences, by _CHUNK

    # ---- sentences
    def _split_sentences(self) -> list[tuple[int, int]]:
        """Sentences of the narrative (quotes are masked, so a period inside a quote never splits)."""
        out: list[tuple[int, int]] = []
        narr = self.narr
        for a, b in self.paras:
            if a == b:
                continue
            start = a
            for m in _SENT_END.finditer(narr, a, b):
                w = narr[max(a, m.start() - 6) : m.start()].split()
                if w and (w[-1] in ABBREVIATIONS or is_initial(w[-1]) or "." in w[-1]):
                    continue
                if len(w) > 1 and w[-1] in STATE_ABBREVIATIONS and w[-2].lower() == "the":
                    continue  # "Carl DeFebo of the Pa. Turnpike Commission said": a state opens the name
                out.append((start, m.end()))
                start = m.end()
            out.append((start, b))
        return out

    def _split_after_quotes(self, sents: list[tuple[int, int]], spans: list[QuoteSpan]) -> list[tuple[int, int]]:
        """Also end a sentence after a quote whose own words end one ("“A.” Then B")."""
        cuts = []
        text, narr, n = self.text, self.narr, len(self.narr)
        for s in spans:
            if s.end > s.start and text[s.end - 1] in ".!?…":
                k = s.mark_end
                while k < n and narr[k] == " ":
                    k += 1
                if s.mark_end < k < n and (narr[k].isupper() or narr[k] == PH):
                    cuts.append(k)
        if not cuts:
            return sents
        out = []
        ci = 0
        cuts.sort()
        for a, b in sents:
            while ci < len(cuts) and cuts[ci] <= a:
                ci += 1
            start = a
            while ci < len(cuts) and cuts[ci] < b:
                out.append((start, cuts[ci]))
                start = cuts[ci]
                ci += 1
            out.append((start, b))
        return out

    def sentence_of(self, pos: int) -> int:
        return max(0, bisect_right(self.sent_starts, pos) - 1)

    def sentence_start(self, pos: int) -> bool:
        """Whether ``pos`` is where a sentence (or a paragraph) begins."""
        return bool(self.sentences) and self.sentences[self.sentence_of(pos)][0] == pos

    def para_of(self, pos: int) -> int:
        return max(0, bisect_right(self.paras, (pos, len(self.text) + 1)) - 1)

    # ---- speakers found so far
    def add_speaker(self, m: Mention) -> None:
        self.speakers_in.setdefault(m.sent, []).append(m)

    def is_speaker(self, m: Mention) -> bool:
        return m in self.speakers_in.get(m.sent, ())

    # ---- mentions (built per sentence when a pronoun or description needs them)
    def mentions(self, si: int) -> list[Mention]:
        """Named and group mentions of one sentence (cached)."""
        got = self._mentions.get(si)
        if got is None:
            a, b = self.sentences[si]
            got = self._mentions[si] = self._mentions_in(si, a, b)
        return got

    def _mentions_in(self, si: int, a: int, b: int) -> list[Mention]:
        out: list[Mention] = []
        if self.headline[self.para_of(a)]:
            return out  # names in captions and teasers are not antecedents
        for start, end, toks in runs(self.narr, a, b):
            men = self._mention(start, end, toks, si)
            if men:
                out.append(men)
        for m in _LETTERS.finditer(self.narr, a, b):
            if m.group(0).lower() in GROUPS and self.followed_by_verb(m.end(), b):
                owner = _GROUP_OWNER.search(self.narr, max(a, m.start() - 40), m.start())
                start = owner.start() if owner else m.start()
                out.append(Mention(start, strip_the(self.narr[start : m.end()]), "group", True, si))
        out.sort(key=lambda x: x.pos)
        return out

    def followed_by_verb(self, end: int, hi: int) -> bool:
        """The next word (after an appositive) is lower case and not a function word: a verb, so the
        mention before it is a subject."""
        m = _NEXT_WORD.match(self.narr, end, hi)
        if not m:
            return False
        w = m.group(1)  # "Trump underscored", "X, head of Y, said"
        return w.islower() and w not in FUNCTION_WORDS and w not in GROUPS

    def _mention(self, start: int, end: int, toks: list[str], si: int) -> Mention | None:
        sent_start = self.sentences[si][0]
        # a capitalised common word at the start of a sentence is not a name ("Analysts", "Steel")
        while toks and (
            toks[0].lower() in CAP_STOP
            or toks[0].lower() in MONTHS_DAYS
            or (start == sent_start and toks[0].lower() not in TITLES and self.names.used_lowercase(toks[0]))
        ):
            start += len(toks[0]) + 1
            toks = toks[1:]
        if not toks:
            return None
        kind, name, roles, female = self.names.classify(toks)
        if kind is None or kind == "place":
            return None
        before = self.narr[max(0, start - 12) : start].lower().rstrip()
        if kind == "person" and (
            before.endswith((" at", " in", " of", "from", " the", " a", " an")) or before in ("the", "a", "an")
        ):
            kind = "unknown"  # "analyst at Troika Dialog", "the High Mountain Gendarmerie"
        words_before = self.narr[max(0, start - 30) : start].lower().split()
        while words_before and words_before[-1].rstrip(".") in TITLES:
            words_before.pop()  # "said Capt. Yves Naffrechoux"
        last_word = words_before[-1] if words_before else ""
        subject = not is_possessive(toks[-1]) and (
            self.followed_by_verb(end, self.sentences[si][1]) or (last_word in CUE_VERBS and kind == "person")
        )
        if kind == "person":
            name = self.names.full_name(name, start)
            seg = self.narr[max(0, start - 40) : start].lower().split()[-3:]
            roles = roles | frozenset(w for w in seg if w in ROLES)  # "Yukos spokesman Alexander Shadrin"
        return Mention(start, name, kind, subject, si, roles, female)

    def mentions_before(self, pos: int, max_sents: int) -> Iterator[list[Mention]]:
        """Mentions and speakers of the sentences before ``pos`` (nearest sentence first), within a window;
        lazily, so a pronoun resolved in the previous sentence costs one sentence."""
        si = self.sentence_of(pos)
        for k in range(si, max(-1, si - max_sents - 1), -1):
            a, b = self.sentences[k]
            if b < pos - MENTION_WINDOW:
                break
            if b - a > MENTION_WINDOW:  # a giant "sentence": only the chunks of the window
                ms: list[Any] = []
                for c in range(max(a, pos - MENTION_WINDOW) // _CHUNK, min(b, pos) // _CHUNK + 1):
                    got = self._chunks.get(c)
                    if got is None:
                        got = self._chunks[c] = self._mentions_in(k, max(a, c * _CHUNK), min(b, (c + 1) * _CHUNK))
                    ms.extend(x for x in got if x.pos < pos)
            else:
                ms = [x for x in self.mentions(k) if x.pos < pos]
            ms += [x for x in self.speakers_in.get(k, ())[-_RECENT_SPEAKERS:] if x.pos < pos]
            ms.sort(key=lambda x: x.pos)
            yield ms


# --------------------------------------------------------------------------- attribution


@dataclass
class Attribution:
    """A cue verb ("said", "according to") and the words naming its speaker."""

    cue: str
    cue_pos: int
    np: list[Tok]


class Resolver:
    """Finds the attribution of each quote and resolves it to a speaker."""

    def __init__(self, art: Narrative) -> None:
        self.art = art
        self.names = art.names
        self._cue_subjects: dict[int, Mention | None] = {}

    # ---- speaker phrases
    @staticmethod
    def _np_forward(toks: list[Tok], i: int) -> int:
        """End of the speaker phrase that starts at toks[i] ("WTO spokesman Keith Rockwell")."""
        n = len(toks)
        if i >= n:
            return i
        if toks[i].low in PRONOUNS:
            return i + 1
        j = i
        if toks[j].low in DETERMINERS or toks[j].low in POSSESSIVE_PRONOUNS:
            j += 1
            # "his mother", "the 48-year-old", "the El Salvador native": up to four words before a cue verb
            k = j
            while k < n and k - j < 4 and (_plain_word(toks[k]) or is_cap(toks[k].text)):
                k += 1
            if j < k < n and is_cue(toks[k]) and not is_cap(toks[k - 1].text):
                return k
            if j < k < n and toks[k].text == "," and _appositive_name(toks, i, k):
                return k  # "his wife, Gabriela Violeta Lazar, wrote": the appositive names the speaker
        has_name = has_org = False
        while j < n and j - i < NP_MAX_TOKENS:
            t = toks[j]
            low = t.low
            if t.text.startswith(PH):
                break
            if _name_word(t):
                b = bare(t.text)
                if low.rstrip(".") not in TITLES and low not in DEMONYMS and not is_possessive(t.text):
                    has_name = has_name or b not in ORG_HEADS
                has_org = has_org or b in ORG_HEADS
                if is_possessive(t.text):
                    has_name = False
                j += 1
                continue
            if t.text == "." and j > i and _abbrev_before(toks[j - 1]):
                j += 1
                continue
            if (
                low == "and"
                and j > i
                and j + 1 < n
                and is_cap(toks[j + 1].text)
                and (toks[j - 1].low in TITLES or (toks[j - 1].text == "." and toks[j - 2].low in TITLES))
            ):
                j += 1  # "former Pennsylvania Gov. and Democratic National Committee Chairman Ed Rendell"
                continue
            if low in NAME_PARTICLES and j > i and _name_word(toks[j - 1]) and j + 1 < n and _name_word(toks[j + 1]):
                j += 1  # "Michery el Soheil", "Ursula von der Leyen"
                continue
            if low in ROLES or low in GROUPS or low in ORG_NOUNS or low in DOC_NOUNS:
                j += 1
                if low in DOC_NOUNS and j + 1 < n and toks[j].low == "by":
                    return Resolver._np_forward(toks, j + 1)  # "a report by Amnesty International": the author
                continue
            if low == "of" and j > i and toks[j - 1].low in ROLES and j + 1 < n and _plain_word(toks[j + 1]):
                j += 2  # "chief of staff", "secretary of state"
                continue
            if low in ("of", "for", "at", "from") and j + 1 < n:
                # "Minister of Defence Mykhailo Fedorov", "the Bank of England"; but "Senator X of Rhode Island"
                nxt = toks[j + 2] if toks[j + 1].low == "the" and j + 2 < n else toks[j + 1]
                if is_cap(nxt.text):
                    if has_name and not has_org and not _role_and_name_after(toks, j + 1):
                        break  # "Senator X of Rhode Island"; but "Ready for Warren campaign manager Erica Sagrans"
                    j += 1 if nxt is toks[j + 1] else 2
                    continue
            if low.replace("-", "").isalpha() and low.islower() and low not in FUNCTION_WORDS and low not in CUE_VERBS:
                # modifiers before a head noun ("Russian oil official", "Irish betting company Paddy Power"); not a
                # name's verb and object ("Sanders has denounced supporters": "has" and "-ed" after a name are verbs)
                k = j
                while k < n and k - j < 3 and toks[k].low.isalpha() and toks[k].low.islower():
                    if _head_noun(toks[k].low):
                        break
                    if toks[k].low in AUX or (j > i and toks[k].low.endswith("ed")):
                        break
                    k += 1
                if k < n and k - j < 3 and _head_noun(toks[k].low):
                    j = k + 1
                    continue
                # an unlisted role before a name: "Democratic pollster Stan Greenberg", "screenwriter Cole Haddon"
                k = j
                while (
                    k < n
                    and k - j < MODIFIER_WORDS
                    and _plain_word(toks[k])
                    and not _is_det(toks[k])
                    and not (j > i and toks[k].low.endswith("ed"))  # "Trump escalated his attacks": a verb
                ):
                    k += 1
                title_next = j == i and j < k < n - 1 and toks[k].low.rstrip(".") in TITLES and is_cap(toks[k].text)
                if title_next or (
                    j < k < n
                    and person_like(toks[k].text)
                    and ((k + 1 < n and _name_word(toks[k + 1])) or (j > i and not is_cap(toks[j - 1].text)))
                ):  # "former Sen. Evan Bayh" goes on through the title
                    has_name = False
                    j = k
                    continue
            break
        return j

    @staticmethod
    def _appositive_start(toks: list[Tok], j: int, lo: int) -> int:
        """The comma (or the token) where a comma-bounded phrase ending at the comma toks[j] starts."""
        k = j - 1
        while k >= lo and j - k < 25 and not toks[k].text.startswith(PH):
            if toks[k].text in ",;:" or (toks[k].text == "." and not (k > lo and _abbrev_before(toks[k - 1]))):
                break
            k -= 1
        return k

    @staticmethod
    def _np_backward(toks: list[Tok], c: int, lo: int = 0) -> tuple[int, int]:
        """[start, end) of the speaker phrase before toks[c], skipping auxiliaries and an appositive."""
        j = c - 1
        while j >= lo and _skippable(toks[j]):
            j -= 1
        if j - 1 >= lo and toks[j].low in TIME_WORDS and toks[j - 1].low in ("on", "last", "this", "late", "early"):
            j -= 2
        if j - 2 >= lo and toks[j].text == "," and toks[j - 1].text == ")" and _PARTY_STATE.match(toks[j - 2].text):
            j -= 1  # "Gov. John Kasich (R-OH), said": the lawmaker's tag, not an appositive
        if j - 2 >= lo and toks[j].text == ")":
            k = j - 1
            while k > lo and j - k <= PAREN_TOKENS and toks[k].text not in "()":
                k -= 1
            if toks[k].text == "(" and is_cap(toks[k + 1].text):
                j = k - 1  # "the Universities and Colleges Employers’ Association (UCEA) said", "Mica (R-Fla.) said"
        if j >= lo and toks[j].text == ",":
            # "Tim Osborne, head of Menatep, said": the name before the appositive
            k = Resolver._appositive_start(toks, j, lo)
            for _ in range(APPOSITIVE_HOPS):
                # "Chi Onwurah, the Labour MP for Newcastle Central, who backs the report, said": a name inside a
                # phrase ("for Newcastle Central") ends an appositive, not the speaker's name; the one before it does
                r = k - 1
                while r > lo and is_cap(toks[r - 1].text):
                    r -= 1
                inside = r > lo and toks[r - 1].low in _INSIDE_PHRASE  # "for Newcastle Central", not "leader Corbyn"
                if not (k > lo and toks[k].text == "," and is_cap(toks[k - 1].text) and inside):
                    break
                before = Resolver._appositive_start(toks, k, lo)
                if not (before > lo and toks[before].text == "," and is_cap(toks[before - 1].text)):
                    break
                k = before
            while k - 2 >= lo and toks[k - 1].text.isdigit() and toks[k - 2].text == ",":
                k -= 2  # "Clinton, 35, the daughter of …, said": the age is part of the appositive
            if not (
                k >= lo + 1
                and toks[k].text == ","
                and (is_cap(toks[k - 1].text) or toks[k - 1].low in ROLES)
                and k < j - 1
            ):
                return c, c
            inner = toks[k + 1 : j]
            if (
                len(inner) <= 5
                and all(_name_word(t) or _abbrev_before(toks[i - 1]) for i, t in enumerate(inner, k + 1))
                and any(person_like(t.text) for t in inner)
                and (toks[k - 1].low in ROLES or toks[k - 1].low in TITLES)
            ):
                return k + 1, j  # "The United Nations Secretary-General, Ban Ki-moon, said": the appositive names
            if not is_cap(toks[k - 1].text):
                return c, c
            j = k - 1
        end = j
        if j >= lo and toks[j].low in PRONOUNS:
            return j, j + 1
        if j >= lo and _plain_word(toks[j]) and toks[j].low not in ROLES and toks[j].low not in GROUPS:
            # a description with a head we do not know: needs its determiner within four words
            k = j - 1
            while k >= lo and j - k <= 4 and (_plain_word(toks[k]) or is_cap(toks[k].text)) and not _is_det(toks[k]):
                k -= 1
            if k >= lo and j - k <= 4 and _is_det(toks[k]):
                return k, end + 1
            return c, c
        while j >= lo:
            t = toks[j]
            low = t.low
            if low in DETERMINERS and not (low == "the" and j > lo and toks[j - 1].low in ("of", "for") and j < end):
                j -= 1
                break
            if _name_word(t) or low in ROLES or low in GROUPS or low in ORG_NOUNS or low in DOC_NOUNS:
                j -= 1
                continue
            if t.text == "." and j > lo and _abbrev_before(toks[j - 1]):
                j -= 1
                continue
            if j + 1 <= end and _connector_inside_name(toks, j, lo, end):
                j -= 1  # "The Institute for the Study of War", "head of Trade Policy"
                continue
            if (
                j + 1 <= end
                and low.isalpha()
                and low.islower()
                and (toks[j + 1].low in ROLES or toks[j + 1].low in GROUPS)
                and low not in FUNCTION_WORDS
                and low not in CUE_VERBS
                and low not in AUX
            ):
                j -= 1  # "Russian oil official"
                continue
            break
        return j + 1, end + 1

    @staticmethod
    def _valid_np(np: list[Tok]) -> bool:
        """Whether words can name a speaker: a pronoun, a name, or a role/group/organisation description."""
        words = [t for t in np if t.text not in (",", ".")]
        if not words:
            return False
        if len(words) == 1 and words[0].low in PRONOUNS:
            return words[0].low not in ("i", "you", "we")
        last = words[-1]
        if last.low in ROLES or last.low in GROUPS or last.low in ORG_NOUNS or last.low in DOC_NOUNS:
            return True
        if words[0].low in ("a", "an"):
            # "a Facebook comment" is not a speaker; "a spokesman for the Bank of England" is
            return any(_common_head(w.low) for w in words)
        if _is_det(words[0]) and len(words) > 1 and _plain_word(last):
            return True  # "his mother", "the El Salvador native"
        return any(_name_word(w) for w in words)

    # ---- the attribution of one quote
    def direct(self, q: QuoteSpan) -> Attribution | None:
        """The attribution in the quote's own sentence: right after it, or the last cue before it."""
        art = self.art
        narr = art.narr
        sa, sb = art.sentences[art.sentence_of(q.start)]
        last_char = art.text[q.end - 1] if q.end > q.start else ""
        if last_char in "!?" and q.mark_end < len(narr):
            k = art.sentence_of(q.mark_end)
            if art.sentences[k][1] <= q.mark_end + 1 and k + 1 < len(art.sentences):
                k += 1
            sb = max(sb, min(art.sentences[k][1], art.paras[q.para][1]))  # "“…?” Trump asked.": cut after "?”"
        hi = min(sb, q.mark_end + AFTER_CHARS)
        nxt = narr.find(PH, q.mark_end, hi)
        while nxt >= 0:  # the next quote ends the attribution; a short quoted name inside it does not
            run = nxt
            while run < hi and narr[run] == PH:
                run += 1
            if run - nxt > APPOSITIVE_QUOTE_CHARS or not narr[q.mark_end : nxt].rstrip().endswith((",", "and")):
                hi = nxt
                break
            nxt = narr.find(PH, run, hi)
        after = tokens(narr[q.mark_end : hi], q.mark_end)
        # '"…," he said' or '"…?" he asked' — not '"…." He said' (a new sentence); '"…?" Trump asked' is
        if after and (last_char not in ".…" or after[0].text[:1].islower() or after[0].text in ",;—–-"):
            att = self._trailing(after)
            if att and (last_char not in "!?" or after[0].text[:1].islower() or _cue_right_after(att, after)):
                return att
        lo = max(sa, q.mark_start - BEFORE_CHARS)
        before = tokens(narr[lo : q.mark_start], lo)
        # ", as Ukrainian officials interpreted the incident as a warning to Russian “elites”": a clause of its own
        # subject lies between an earlier cue ("Biden has suggested …") and the quote, whose words are that clause's
        for k in range(len(before) - 2, 0, -1):
            if before[k].low in _OWN_CLAUSE and before[k - 1].text == "," and _names_subject(before[k + 1 :]):
                before = before[k + 1 :]
                break
        return self.leading(before)

    def framed(self, q: QuoteSpan) -> Attribution | None:
        """A quote framed without a speech verb: introduced by its speaker's clause and a colon
        ("Limbaugh continued: “…”", "Rep. Trey Gowdy (R-S.C.): “…”"), or signed after it ("“…” ― Carlos Raúl")."""
        art = self.art
        narr = art.narr
        m = SIGNATURE.match(narr, q.mark_end, min(len(narr), q.mark_end + SIGNATURE_CHARS))
        if m:
            toks = tokens(m.group(1), m.start(1))
            if toks and all(_name_word(t) or t.text == "." for t in toks) and any(person_like(t.text) for t in toks):
                return Attribution("―", toks[0].start, toks)
        k = q.mark_start - 1
        while k >= 0 and narr[k] in " \t\n":
            k -= 1
        if k < 0 or narr[k] != ":":
            return None
        sa = art.sentences[art.sentence_of(k)][0]
        if k - sa > COLON_CLAUSE_CHARS:
            return None
        toks = tokens(narr[sa:k], sa)
        label = self._name_before_colon(toks)
        if label and label[0] > 0 and toks[label[0] - 1].text in "-–—":
            return Attribution(":", toks[label[1] - 1].start, toks[label[0] : label[1]])  # "… - Carl Bialik: “…”"
        i = 0
        while (
            i < len(toks)
            and toks[i].low in CAP_STOP
            and toks[i].low not in DETERMINERS
            and toks[i].low not in ("he", "she")
        ):
            i += 1  # "But Sanders replied:"
        if i + 1 < len(toks) and toks[i].low in ("he", "she") and toks[i + 1].text.islower():
            return Attribution(":", toks[i].start, toks[i : i + 1])  # "Then he told Fox News: “…”"
        if i + 1 < len(toks) and (toks[i].low in _TOPIC_WORDS or (toks[i].low in CUE_VERBS and is_cap(toks[i].text))):
            i += 1  # "About Redstone:"; "Added Gosselin: “…”", "Said Brennan:": the verb before its speaker
        e = self._np_forward(toks, i)
        e2 = _skip_parenthesis(toks, e)
        if i > 0 and toks[i - 1].low in _TOPIC_WORDS and e > i and e2 == len(toks):
            return None  # "On Murdoch: “Rupert is …”": what the quote is about, not who said it
        if (
            e == i
            or not any(person_like(t.text) for t in toks[i:e])
            or not self._valid_np(toks[i:e])
            or (e2 < len(toks) and not (toks[e2].text.islower() or toks[e2].text == ","))
            or (e2 + 1 < len(toks) and toks[e2].low == "as" and toks[e2 + 1].low in ("follows", "below"))  # a label
        ):
            # the name must be the clause's subject: followed by its verb, or the colon; after an introductory
            # phrase ("In response to the attack, Donald Trump issued the following statement:") look further
            subj = self._clause_subject(toks, len(toks)) or label
            if subj is None:
                return None
            i, e = subj
        return Attribution(":", toks[e - 1].start, toks[i:e])

    def _name_before_colon(self, toks: list[Tok]) -> tuple[int, int] | None:
        """A person's name right before the colon: a label ("… - Carl Bialik: “…”", "Hillary Rodham Clinton:
        “…”") or the clause's last words ("doesn't surprise Republican pollster Daron Shaw: “…”")."""
        e = _skip_parenthesis_back(toks, len(toks))
        verb = e > 1 and toks[e - 1].low in CUE_VERBS and is_cap(toks[e - 1].text) and _name_word(toks[e - 2])
        if verb:
            e -= 1  # "On Jan. 13, James Tweeted: “…”": the speaker before a capitalised verb
        s = e
        while s > 0 and (
            _name_word(toks[s - 1]) or (toks[s - 1].text == "." and s > 1 and is_initial(toks[s - 2].text))
        ):
            s -= 1
        while s < e and toks[s].low in CAP_STOP:
            s += 1
        if e - s < (1 if verb else 2) or not person_like(toks[e - 1].text):
            return None
        if s > 0 and (is_cue(toks[s - 1]) or toks[s - 1].low in ("on", "to", "in", "at", "from", "with")):
            return None  # "told Fox News:", "on CNN:": the audience, not the speaker
        kind, _name, _roles, _female = self.names.classify([t.text for t in toks[s:e] if t.text != "."])
        return (s, e) if kind == "person" else None

    def _trailing(self, toks: list[Tok]) -> Attribution | None:
        """'"…," said X' / '"…," X said' / '"…," X, title of Y, said' / '"…," according to X'."""
        i = 0
        while i < len(toks) and toks[i].text in ",;:—–-":
            i += 1
        if i >= len(toks):
            return None
        t = toks[i]
        if is_cue(t) and t.low not in PARTICIPLE_CUES:
            j = i + 1
            while j < len(toks) and toks[j].low in AUX:
                j += 1
            e = self._np_forward(toks, j)
            if e > j and self._valid_np(toks[j:e]):
                named = _appositive_name(toks, j, e)  # "said Rubio’s deputy campaign manager, Rich Beeson"
                if named:
                    return Attribution(t.text, t.start, toks[named[0] : named[1]])
                return Attribution(t.text, t.start, toks[j:e])
            if t.low in ("said", "says", "told", "added", "stated", "asked", "wrote") or j == len(toks):
                return None
        if t.low == "according" and i + 1 < len(toks) and toks[i + 1].low == "to":
            e = self._np_forward(toks, i + 2)
            if e > i + 2 and self._valid_np(toks[i + 2 : e]):
                return Attribution("according to", t.start, toks[i + 2 : e])
            return None
        e = self._np_forward(toks, i)
        if e == i or not self._valid_np(toks[i:e]):
            return None
        named = _appositive_name(toks, i, e)  # "his wife, Gabriela Violeta Lazar, wrote"
        if named:
            i, e = named
        j = _skip_parenthesis(toks, e)  # "Rep. John Mica (R-Fla.) said"
        if self.names.classify([t.text for t in toks[i:e]])[0] == "person":
            j = _skip_affiliation(toks, j)  # "Jeffrey Lewis of the James Martin Center wrote"
        n = len(toks)
        while j - e <= APPOSITIVE_TOKENS:
            while j < n and _skippable(toks[j]):
                j += 1
            if j < n and is_cue(toks[j]) and toks[j].low not in PARTICIPLE_CUES:
                quoted = self.cue_at(toks, j) if toks[j].low in _QUOTING else None
                return quoted or Attribution(toks[j].text, toks[j].start, toks[i:e])  # (quoted: "X quoted Y as saying")
            if j >= n or toks[j].text != ",":
                return None
            if j + 1 < n and is_cue(toks[j + 1]) and toks[j + 1].low not in PARTICIPLE_CUES:
                j += 1  # "his wife, Gabriela Violeta Lazar, wrote"
                continue
            # an appositive between the speaker and the cue ("Clinton, 35, the daughter of …, said")
            k = j + 1
            while k < n and k - j < 25 and toks[k].text not in ",;:!?":
                if toks[k].text.startswith(PH) and len(toks[k].text) > APPOSITIVE_QUOTE_CHARS:
                    return None  # a quoted name inside the appositive ("wearing “Ted Cruz” pins") is skipped
                if toks[k].text == "." and not (k + 1 < n and toks[k + 1].text == ","):
                    return None  # a full stop ends the sentence; "R-Ky.," is an abbreviation
                k += 1
            if k >= n or toks[k].text != ",":
                return None
            j = k + 1
            if j < n and toks[j].text != "," and not is_cue(toks[j]) and not _skippable(toks[j]):
                j = k  # another appositive follows this one
        return None

    def leading(self, toks: list[Tok], upto: int | None = None) -> Attribution | None:
        """The last cue (at or before toks[upto]) with a speaker."""
        for c in range((len(toks) - 1) if upto is None else upto, -1, -1):
            att = self.cue_at(toks, c)
            if att:
                return att
        return None

    def cue_at(self, toks: list[Tok], c: int) -> Attribution | None:
        """The attribution made by toks[c], if it is a cue with a speaker."""
        t = toks[c]
        low = t.low
        if low == "according":
            if c + 1 < len(toks) and toks[c + 1].low == "to":
                e = self._np_forward(toks, c + 2)
                if e > c + 2 and self._valid_np(toks[c + 2 : e]):
                    return Attribution("according to", t.start, toks[c + 2 : e])
            return None
        if low == "by":  # "a series authored by CFHK researchers"
            if c > 0 and toks[c - 1].low in AUTHOR_VERBS:
                e = self._np_forward(toks, c + 1)
                if e > c + 1 and self._valid_np(toks[c + 1 : e]):
                    return Attribution(toks[c - 1].text + " by", t.start, toks[c + 1 : e])
            return None
        if low in _QUOTING and c + 1 < len(toks):
            # "CNN quoted Smith as saying": Smith speaks, CNN reports him ("quoted him as saying": he does)
            subject = _SUBJECT_FORMS.get(toks[c + 1].low)
            e = c + 2 if subject else self._np_forward(toks, c + 1)
            if e > c + 1 and e + 1 < len(toks) and toks[e].low == "as" and toks[e + 1].low in ("saying", "telling"):
                if subject:
                    return Attribution(t.text, t.start, [Tok(subject, toks[c + 1].start)])
                return Attribution(t.text, t.start, toks[c + 1 : e]) if self._valid_np(toks[c + 1 : e]) else None
        colon_next = c + 1 < len(toks) and toks[c + 1].text == ":"
        if not is_cue(t) or (low in TRAILING_ONLY and not (low in ("read", "reads") and colon_next)):
            return None  # "…," he continued: only after a quote; "The statement read: …" is the one exception
        if low == "put" and not (c + 1 < len(toks) and toks[c + 1].low == "it"):
            return None  # only "as X put it"
        if low in _REACTIONS and _reacts_by_deed(toks, c):
            return None  # "claimed Russia responded with force “in order to stop it”": an act, the claim is speech
        passive = c > 0 and toks[c - 1].low in ("is", "was", "are", "were", "be", "been")
        if passive and c + 1 < len(toks) and toks[c + 1].low == "to":
            return None  # "is said to be"
        if c > 1 and toks[c - 1].low == "and" and low not in PARTICIPLE_CUES:
            main = self.leading(toks, c - 2)  # "X said … and called the report “…”": X, with this cue
            return Attribution(t.text, t.start, main.np) if main else None
        if low in PARTICIPLE_CUES:
            if c > 0 and _is_det(toks[c - 1]):
                return None  # "the World's reporting", "his saying": a noun
            return self._participle(toks, c)
        s, e = self._np_backward(toks, c)
        if c > 0 and toks[c - 1].text == "," and low not in ("said", "says") and not (s < e and is_cap(toks[s].text)):
            return self._participle(toks, c)  # "…, warned that …" continues the main clause
        if s >= 2 and toks[s - 1].low in ("of", "from") and person_like(toks[s - 2].text):
            s2, e2 = self._np_backward(toks, s - 1)  # "Orrin Hatch of Utah called": not Utah
            if s2 < e2 and any(person_like(x.text) for x in toks[s2:e2]):
                s, e = s2, e2
        elif s >= 1 and s < e and toks[s - 1].low in _PLACE_PREPOSITIONS and toks[e].text == ",":
            # "Clinton, during a town hall meeting in Columbus, Ohio, said": the sentence's opening name speaks
            k = 0
            while k < s and toks[k].low in CAP_STOP:
                k += 1
            e0 = self._np_forward(toks, k)
            if k < e0 < s and toks[e0].text == "," and any(person_like(x.text) for x in toks[k:e0]):
                s, e = k, e0
            else:
                s = e  # the object of a preposition does not speak
        if s < e and self._valid_np(toks[s:e]) and (low not in NOUN_CUES or _strong_np(toks[s:e])):
            np = _trim_np(toks[s:e])
            if np:
                return Attribution(t.text, t.start, np)
        if c + 1 < len(toks) and (c == 0 or toks[c - 1].text == "," or toks[c - 1].text.startswith(PH)):
            e = self._np_forward(toks, c + 1)  # inverted: "…," said X
            if e > c + 1 and self._valid_np(toks[c + 1 : e]):
                return Attribution(t.text, t.start, toks[c + 1 : e])
        return None

    def _participle(self, toks: list[Tok], c: int) -> Attribution | None:
        """ "with Calle saying …" (its own subject) or "…, adding that …" (the main clause's speaker)."""
        t = toks[c]
        if t.low in PARTICIPLE_CUES and c > 0 and toks[c - 1].text != ",":
            s, e = self._np_backward(toks, c)
            object_of = s > 0 and toks[s - 1].low in ("to", "at", "for", "by", "from", "in", "on")
            if (
                s < e
                and not object_of  # "wrote in a statement to Wired explaining …": Wired does not speak
                and self._valid_np(toks[s:e])
                and _strong_np(toks[s:e])
                and toks[e - 1].low not in DOC_NOUNS
            ):
                return Attribution(t.text, t.start, _trim_np(toks[s:e]))
        main = self.leading(toks, c - 1) if c else None
        if main:
            return Attribution(t.text, t.start, main.np)
        e = self._np_forward(toks, 0) if toks else 0
        if e > 0 and self._valid_np(toks[:e]):
            return Attribution(t.text, t.start, toks[:e])
        subj = self._clause_subject(toks, c)  # "On Thursday, Warren appeared … and endorsed Clinton, saying “…”"
        if subj:
            return Attribution(t.text, t.start, toks[subj[0] : subj[1]])
        return None

    def _clause_subject(self, toks: list[Tok], upto: int) -> tuple[int, int] | None:
        """[start, end) of the first named person followed by a verb in toks[:upto]: the main clause's subject
        after an introductory phrase ("During a speech earlier in the day, Trump attacked Clinton …")."""
        j = 0
        if toks and toks[0].low in _INTRO_PREPOSITIONS:  # "In a Fox interview later that day, Trump went further:"
            comma = next((k for k in range(1, upto) if toks[k].text == ","), None)
            if comma is not None:
                j = comma + 1  # the subject follows the introductory phrase; a name inside it modifies a noun
        while j < upto:
            t = toks[j]
            if t.text.startswith(PH) or t.text in ";:":
                return None
            if not _name_word(t) or t.low in CAP_STOP or (j and toks[j - 1].low in ("of", "for", "at", "in", "from")):
                j += 1
                continue
            e = self._np_forward(toks, j)
            if e <= j:
                j += 1
                continue
            k = _skip_parenthesis(toks, e)
            if (
                k < upto
                and toks[k].text.islower()
                and toks[k].low not in FUNCTION_WORDS
                and toks[k].low not in PRONOUNS
                and any(person_like(x.text) for x in toks[j:e])
                and self._valid_np(toks[j:e])
            ):
                return j, e
            j = e
        return None

    # ---- the speaker behind the words
    def resolve(self, np: list[Tok], pos: int) -> tuple[str | None, str]:
        """(speaker, kind) for the words of an attribution."""
        words = [t for t in np if t.text not in (",", ".")]
        if len(words) == 1 and words[0].low in PRONOUNS:
            return self.pronoun(words[0].low, pos)
        while words and words[0].low in DETERMINERS and words[0].low not in ("both", "two"):
            words = words[1:]
        if not words:
            return None, "unknown"
        last = words[-1]
        if words[0].low in ("both", "two") and len(words) >= 2 and (last.low in GROUPS or last.low in ROLES):
            pair = self._last_two_people(pos)
            if pair:
                return pair, "group"
        if any(w.low in RELATIONAL_ROLES for w in words):  # "critics of Trump", "Trump supporters": who they are
            return _describe(words), "group"
        org = self._role_of_org(words)
        if org:
            return org, "org"
        for k, w in enumerate(words[:-2]):
            if w.low in CONSTITUENCY_ROLES and words[k + 1].low in ("for", "of") and k == 0:
                who = self.names.by_role(w.low, pos)  # "the MP for Newcastle Central"
                return (who, "person") if who else (_describe(words), "group")
        if all(is_cap(w.text) for w in words) and _common_head(last.low) and self.art.sentence_start(words[0].start):
            words = [*words[:-1], Tok(last.low, last.start)]  # "Analysts said", "Officials say"
            last = words[-1]
        caps = [w for w in words if is_cap(w.text)]
        if (
            len(words) > 1
            and last.low in ROLES
            and np[0].low == "the"
            and all(w.low in DEMONYMS or w.low.rstrip(".") in TITLES for w in words[:-1])
        ):
            qualified = self._qualified_role(words, pos, True)  # "the Russian President said"
            if qualified:
                return qualified
        if is_cap(last.text) and all(w.low.rstrip(".") in TITLES for w in caps) and len(words) > 1:
            who = self.names.by_role(last.low.rstrip("."), pos)  # "former Secretary General": a role, no name
            return (who, "person") if who else (_describe(words), "group")
        if not is_cap(last.text):
            return self._description(np, words, pos)
        return self._name(words, pos)

    def vet(self, speaker: str | None, kind: str, np: list[Tok]) -> str | None:
        """The speaker, or None when it cannot be one: a place fragment ("U"), a demonym or party word
        ("Democratic"), a common word ("Others", "Hours"), or the object of an accusation ("accused Moscow")."""
        if speaker is None:
            return None
        words = speaker.split()
        if sum(c.isalpha() for c in speaker) < 2:
            return None
        low = words[0].lower().rstrip(".")
        if len(words) == 1 and (low in DEMONYMS or low in NOT_SPEAKERS or low in PRONOUNS):
            return None
        if len(words) > 1 and words[-1].rstrip(".").lower() in _TITLE_ABBREVIATIONS and kind != "group":
            return None  # "Indiana Gov" cut from "Indiana Gov. Mike Pence": a title, not a name
        passive = _PASSIVE_ACCUSATION.match(self.art.narr, np[-1].start + len(np[-1].text)) if np else None
        if passive and not _ACCUSED_OF_SAYING.match(self.art.narr, passive.end()):
            return None  # "Moscow has been accused of using her “as a political pawn”": the accused, not the speaker
        if np and kind != "person":
            before = self.art.narr[max(0, np[0].start - 40) : np[0].start].split()
            if before and before[-1].lower() in ACCUSATION_VERBS:
                return None
            if (
                len(words) == 1
                and is_cap(words[0])
                and kind in ("unknown", "agent", "place")
                and self.names.used_lowercase(words[0])
                and not self.names.person(words[0]).is_person
            ):
                return None  # "Others called it …", "Hours later he said"
        return speaker

    def _role_of_org(self, words: list[Tok]) -> str | None:
        """ "a spokesman for the Bank of England": the organisation speaks."""
        for k, w in enumerate(words[:-2]):
            if (w.low in ROLES or w.low in GROUPS) and words[k + 1].low in ("for", "at", "of", "from"):
                if any(person_like(x.text) and bare(x.text) not in PLACES for x in words[:k]):
                    return None
                if w.low in CONSTITUENCY_ROLES:
                    return None  # "the MP for Newcastle Central": a person's seat, not an organisation
                found = runs(self.art.narr, words[k + 2].start, words[-1].start + len(words[-1].text))
                if found:
                    kind, name, _roles, _female = self.names.classify(found[0][2])
                    if kind in ("org", "unknown", "agent"):
                        return strip_the(name)
        return None

    def _description(self, np: list[Tok], words: list[Tok], pos: int) -> tuple[str | None, str]:
        """A speaker named by a role, group, organisation noun or document ("the spokesman", "it added")."""
        art = self.art
        last = words[-1]
        owner = [w for w in words[:-1] if _name_word(w) and w.low not in DEMONYMS]
        owner_name = _owner_name(owner)
        if owner_name and len(owner) > 1:
            found = [r for r in runs(art.narr, owner[0].start, owner[-1].start + len(owner[-1].text)) if org_like(r[2])]
            if found:  # "A Department of Health spokesman"
                owner_name = " ".join(bare(w) for w in found[-1][2])
        definite = np[0].low in ("the", "its", "their", "his", "her")
        # an owner that may be a person's name, before a role or group written in lower case ("Putin's spokesman",
        # "a Trump aide", "Trump's lawyers"; not "Democratic strategist", nor "Keith Vaz MP": a title after a name)
        owned = owner_name if self.vet(owner_name, "org", []) and art.narr[last.start].islower() else None
        if last.low in ROLES:
            qualified = self._qualified_role(words, pos, definite)
            if qualified:
                return qualified
            if owner_name and owner_name in PLACES:
                return _describe(words), "group"  # "Britain’s foreign secretary": a role of a country, not "Britain"
            if owned and last.low not in _OWN_VOICES and not self._owner_speaks(owned, last.low):
                # "Putin's spokesman", "one Trump confidant": the aide's words, never the boss's; the aide when the
                # article names them for that role ("Putin's spokesman Dmitry Peskov" earlier), else the role
                role = [w for w in words if w.low not in ("one", "a", "an")]
                who = self.names.by_qualified_role(" ".join(w.text for w in role[:-1]), last.low, pos)
                return (who, "person") if who else (_describe(role), "group")
            if owner_name and last.low not in _OWN_VOICES:
                return owner_name, "org"  # "Infineon’s spokesperson"
            who = self.names.by_role(last.low, pos) if definite else None
            return (who, "person") if who else self._possessed(np, words, pos) or (_describe(words), "group")
        if last.low in GROUPS:
            if owned and not self._owner_speaks(owned, last.low):
                return _describe(words), "group"  # "Trump's lawyers": not Trump
            if owner_name:
                return owner_name, "org"  # "CFHK researchers"
            org = self.names.group_org(last.low, pos)
            return (org, "group") if org else self._possessed(np, words, pos) or (_describe(words), "group")
        if last.low in ORG_NOUNS or last.low in DOC_NOUNS:
            if (
                owned
                and last.low in ORG_NOUNS
                and is_possessive(owner[-1].text)
                and not self._owner_speaks(owned, last.low)
            ):
                return _describe(words), "org"  # "Zelensky's office" (not "the Trump administration", nor "Korea's
                # Rodong Sinmun newspaper": the organisation's own name)
            if owner_name:
                if last.low in DOC_NOUNS:
                    art.doc_owner[last.low] = owner_name  # "the IPAC report" … later "the report"
                return owner_name, "org"
            org = self._org_by_noun(last.low, pos, definite=np[0].low == "the")
            if org:
                return org, "org"
            return (last.low in ORG_NOUNS and self._possessed(np, words, pos)) or (_describe(words), "description")
        if np[0].low == "the" and last.text.isalpha():
            who = self.names.by_role(last.low, pos)  # "the photographer" after "photographer Johan Bavman"
            if who:
                return who, "person"
        if np[0].low == "the" and (last.low in PERSON_NOUNS or last.low.endswith("-year-old")):
            who, kind = self.pronoun("she" if last.low in FEMALE_NOUNS else "he", pos)
            if who:
                return who, kind
        if last.low in PERSON_NOUNS:
            possessed = self._possessed(np, words, pos)  # "his mother": Biden's mother
            if possessed:
                return possessed
        # a description we cannot resolve: better than nothing, never a guessed name
        return _describe([t for t in np if t.low not in ("the", "a", "an")]), "group"

    def _possessed(self, np: list[Tok], words: list[Tok], pos: int) -> tuple[str, str] | None:
        """ "his spokesman", "her office": whose, by the rule that resolves "he" and "she" ("President Joe Biden spoke
        on Tuesday. “…,” his spokesman said" → "Biden's spokesman"); the aide speaks, never the boss alone. None when
        that rule finds no person with confidence (POSSESSIVE_SENTENCES), nor for a place ("her state")."""
        if np[0].low not in ("his", "her") or words[-1].low in _PLACE_NOUNS:
            return None
        if next(self.art.mentions_before(pos, 0), None):
            return None  # a name before the pronoun in its own sentence: "Burg said the girl reported that her father"
        who, kind = self.pronoun("he" if np[0].low == "his" else "she", pos, POSSESSIVE_SENTENCES, sure=True)
        if not who or kind != "person" or not self._is_person(who):
            return None
        names = who.split()
        k = len(names) - 1
        if k and names[k].lower().rstrip(".") in _NAME_SUFFIXES:
            k = 0  # "Martin Luther King Jr.": the whole name
        while k > 0 and names[k - 1] in NAME_PARTICLES:
            k -= 1  # "Ursula von der Leyen": "von der Leyen's office"
        owner = " ".join(names[k:])
        return f"{owner}'s {_describe(words)}", "org" if words[-1].low in ORG_NOUNS else "group"

    def _owner_speaks(self, owner: str, role: str) -> bool:
        """Whether an owner speaks through its role, group or office: an organisation does ("a Kremlin spokesman",
        "CFHK researchers", "Infineon’s spokesperson" in an article that names "Infineon Technologies"); a person
        does not ("Putin's spokesman", "Trump's lawyers", "Zelensky's office"), and a single word the article does
        not show to be an organisation is not taken for one (a surname alone is the norm in short feed texts)."""
        words = owner.split()
        if self._is_person(owner, sure=role in _ORG_VOICES):
            return False  # (before the organisation's name: "Clinton Foundation" does not make Clinton one)
        if len(words) > 1 or self.names.classify(words)[0] == "org":
            return True  # "a Paddy Power spokesman", "a Goldman Sachs official": companies named like people
        return self._org_named(words[0])

    def _org_named(self, word: str) -> bool:
        """Whether the article writes ``word`` at the start of an organisation's name ("Infineon Technologies")."""
        for m in re.finditer(rf"\b{re.escape(word)}((?:[^\S\n]+[A-Z][\w&.\-]*){{1,3}})", self.art.narr):
            if any(bare(w) in ORG_HEADS for w in m.group(1).split()):
                return True
        return False

    def _is_person(self, name: str, *, sure: bool = False) -> bool:
        """Whether the article names a person so ("Trump", "Donald Trump"), not an organisation ("Infineon"). ``sure``:
        the article also names them by the last word alone ("Trump said"), as it does people and not companies named
        like people ("a Paddy Power spokesman", "a Goldman Sachs official")."""
        words = name.split()
        if self.names.classify(words)[0] != "person":
            return False
        if not sure or len(words) == 1:
            return True
        alone = re.compile(rf"(?<!{re.escape(words[-2])} )\b{re.escape(words[-1])}\b")
        return alone.search(self.art.narr) is not None

    def _qualified_role(self, words: list[Tok], pos: int, definite: bool) -> tuple[str | None, str] | None:
        """ "the Kremlin leader", "the Russian president", "the White House press secretary": the person the
        article names for that office; else a head-of-state role stays a role (never another president)."""
        qual = [w for w in words[:-1] if not is_possessive(w.text)]
        if not qual or qual != words[:-1] or not any(is_cap(w.text) for w in qual):
            return None
        role = words[-1].low
        if definite or len(words) == len(qual) + 1:
            who = self.names.by_qualified_role(" ".join(w.text for w in qual), role, pos)
            if who:
                return who, "person"
        if role in LEADER_ROLES or (qual and all(w.low in DEMONYMS for w in qual)):
            return _describe(words), "group"  # "Kremlin leader", "Russian president": the role, not a guess
        return None

    def _name(self, words: list[Tok], pos: int) -> tuple[str | None, str]:
        """A speaker named by capitalised words: the last run, its titles dropped, the fullest form."""
        art = self.art
        found = runs(art.narr, words[0].start, words[-1].start + len(words[-1].text))
        if not found:
            return None, "unknown"
        pick = found[-1]
        if len(found) > 1:
            # "Senator Sheldon Whitehouse of Rhode Island": the person, not the affiliation after "of"; nor the
            # person spoken of ("said political scientist Patrick Murray of Christie")
            link = art.narr[found[-2][1] : found[-1][0]].strip().lower()
            if (
                link in ("of", "from", "at", "of the", "at the", "from the")
                and self.names.classify(found[-2][2])[0] == "person"
                and any(w.lower().rstrip(".") not in TITLES for w in found[-2][2])  # not "Secretary" (of State …)
                and self.names.classify(found[-1][2])[0] in ("place", "org", "unknown", "person")
            ):
                pick = found[-2]
        run = list(pick[2])
        while run and run[0].lower() in CAP_STOP:
            run = run[1:]
        if not run:
            return None, "unknown"
        if (
            len(run) == 1
            and len(words) == 1
            and art.sentence_start(words[0].start)
            and self.names.used_lowercase(run[0])
        ):
            return None, "unknown"  # a common word that starts the sentence ("Mother calls it …")
        kind, name, _roles, _female = self.names.classify(run)
        if kind is None:
            return None, "unknown"
        if kind == "org":
            return strip_the(name), "org"
        if kind == "place":
            return name, "place"
        return self.names.full_name(name, pos), kind if kind != "unknown" else "agent"

    def pronoun(
        self, pron: str, pos: int, sentences: int = PRONOUN_SENTENCES, sure: bool = False
    ) -> tuple[str | None, str]:
        """The antecedent of a pronoun: the subject (or speaker) of the nearest sentence with a compatible
        one, else the nearest compatible mention, else (he/she) the person the headline is about. ``sure``: the
        subject within ``sentences`` sentences only, else None."""
        art = self.art
        if pron in ("he", "she"):
            want: tuple[str, ...] = ("person", "agent")
        elif pron == "it":
            want = ("org", "agent")
        else:
            want = ("group", "org")
        fallback: Mention | None = None
        agent: Mention | None = None  # a single name of unknown kind: "he" prefers a person named a bit earlier
        unnamed_org = pron == "it"  # "it" may still refer to a subject of unknown kind (see _unknown_subject)
        si = art.sentence_of(pos)
        for k, ms in enumerate(art.mentions_before(pos, sentences if sure else PRONOUN_SENTENCES + 2)):
            cue = self._cue_subject(si - k, pos) if k else None
            if cue:
                ms = sorted([*ms, cue], key=lambda m: m.pos)
            cands = [m for m in ms if m.kind in want and self._gender_ok(m, pron)]
            subj = [m for m in cands if m.subject]
            if subj and k <= sentences:
                if k == 0:
                    pick = subj[-1]
                else:
                    speakers = [m for m in subj if art.is_speaker(m) or m is cue]
                    pick = speakers[-1] if speakers else subj[0]
                if pick.kind != "agent" or pron not in ("he", "she"):
                    return pick.name, pick.kind
                agent = agent or pick
            if unnamed_org and k <= 1:
                named = self._unknown_subject(ms)
                if named:
                    return named.name, "org"
                if not ms and self._opens_with_place(si - k):
                    return None, "unknown"  # "Moscow cut supplies …": "it" is the place, which is no speaker
                unnamed_org = all(m.kind == "person" for m in ms)  # else a nearer candidate than the subject before
            if cands and fallback is None:
                fallback = cands[-1]
        if sure:
            return None, "unknown"
        if agent:
            return agent.name, agent.kind
        if fallback:
            return fallback.name, fallback.kind
        title = art.prepared.title
        if pron in ("he", "she") and title:
            for _s, _e, toks in runs(title, 0, len(title)):
                kind, name, _r, _f = self.names.classify(toks)
                if kind in ("person", "agent"):
                    return self.names.full_name(name, pos), "person"
        return None, "unknown"

    def _unknown_subject(self, ms: list[Mention]) -> Mention | None:
        """The subject that opens a sentence, when it is a name the article shows to be neither a person nor a place
        and no other candidate for "it" follows it ("Gazprom cut supplies to Europe on Monday. “…,” it said."): an
        organisation without an organisation word in its name, as "the Kremlin" is one with it. Not a capitalised
        group ("Unions have …", "The PACs …"), nor a name inside the sentence ("… restrictions on Zika funding")."""
        if not ms or ms[0].kind != "unknown" or not ms[0].subject or any(m.kind != "person" for m in ms[1:]):
            return None
        first = ms[0]
        head = first.name.split()[-1]
        low = head.lower()
        if _common_head(low) or _common_head(low.removesuffix("s")) or _PLURAL_ACRONYM.fullmatch(head):
            return None
        opening = self.art.narr[self.art.sentences[first.sent][0] : first.pos].split()
        if opening and opening[-1].endswith(",") and opening[0].lower() in _INTRO_PREPOSITIONS:
            opening = []  # "On Monday, Gazprom cut …"
        return first if opening in ([], ["The"], ["the"]) else None

    def _opens_with_place(self, si: int) -> bool:
        """Whether a sentence's subject is a place ("Moscow cut supplies …", "The Netherlands said …")."""
        a, b = self.art.sentences[si]
        found = runs(self.art.narr, a, b)
        if not found or self.art.narr[a : found[0][0]].strip() not in ("", "The", "the"):
            return False
        return self.names.classify(found[0][2])[0] == "place" and self.art.followed_by_verb(found[0][1], b)

    def _cue_subject(self, si: int, pos: int) -> Mention | None:
        """The speaker of a sentence of indirect speech ("A spokesperson for UCEA said its members …"), as a
        subject for a pronoun in a later sentence; a person role speaks as a person even when its
        organisation is the canonical speaker."""
        art = self.art
        if si < 0:
            return None
        if si in self._cue_subjects:
            return self._cue_subjects[si]
        self._cue_subjects[si] = None
        a, b = art.sentences[si]
        b = min(b, pos)
        if b - a > MENTION_WINDOW or not any(w in CUE_VERBS for w in _LOWER.findall(art.narr, a, b)):
            return None
        toks = tokens(art.narr[a:b], a)
        att = next((x for x in (self.cue_at(toks, c) for c in range(len(toks))) if x), None)  # the main clause
        # a person ("CNN's correspondent, Dr. Sanjay Gupta, agrees …") or an unnamed person role ("a spokesperson
        # for UCEA", "a military spokesman"); organisations speak as "it", and pronouns are not chained
        if not att or (len(att.np) == 1 and att.np[0].low in PRONOUNS):
            return None
        role = any(t.low in ROLES or t.low in PERSON_NOUNS for t in att.np)
        speaker, kind = self.resolve(att.np, att.np[0].start)
        if not speaker or not (kind == "person" or (role and (kind == "org" or att.np[0].low != "the"))):
            return None  # "the director" unresolved refers to someone named before: leave it to the mentions
        female = True if att.np[-1].low in FEMALE_NOUNS else None  # "Crombie's sister … she said"
        found = Mention(att.cue_pos, speaker, "person", True, si, female=female)  # "he" refers to the spokesperson
        self._cue_subjects[si] = found
        return found

    def _doc_author(self, noun: str, pos: int) -> str | None:
        """Who issued "the report": "a report by X", "X's report", "the X report" nearest to ``pos``
        (an article often names the author in the next sentence: "says a report … The report by X")."""
        art = self.art
        lo, hi = max(0, pos - MENTION_WINDOW), min(len(art.narr), pos + AFTER_CHARS * 2)
        best: tuple[int, str] | None = None
        for m in _doc_pattern(noun).finditer(art.narr, lo, hi):
            group = "by" if m.group("by") else "own" if m.group("own") else "its"
            found = runs(art.narr, m.start(group), m.end(group))
            words = list(found[-1][2]) if found else []
            while words and words[0].lower() in CAP_STOP:
                words = words[1:]  # "The report", "In a statement": no author
            if not words:
                continue
            kind, name, _roles, _female = self.names.classify(words)
            if kind in ("org", "agent", "unknown") and (best is None or abs(m.start() - pos) < abs(best[0] - pos)):
                best = (m.start(), strip_the(name))
        return best[1] if best else None

    def _gender_ok(self, m: Mention, pron: str) -> bool:
        female = self.art.gender.get(m.name)
        if female is None:
            female = m.female if m.female is not None else self.names.person(m.name.split()[-1]).female
        if female is None and len(words := m.name.split()) > 1:  # "Angela Merkel ... she said"
            first = words[0]
            female = True if first in FEMALE_FIRST_NAMES else False if first in MALE_FIRST_NAMES else None
        return female is None or female == (pron == "she")

    def _last_two_people(self, pos: int) -> str | None:
        """ "both leaders": the last two people named, as one speaker ("Donald Trump and Vladimir Putin")."""
        seen: list[str] = []
        for ms in self.art.mentions_before(pos, 3):
            for m in reversed(ms):
                if m.kind == "person" and m.name not in seen:
                    seen.append(m.name)
                if len(seen) == 2:
                    return f"{seen[1]} and {seen[0]}"
        return None

    def _org_by_noun(self, noun: str, pos: int, definite: bool = True) -> str | None:
        """The organisation a description refers to: one named with that noun, the author of an earlier
        "X report", or the last organisation that spoke or acted."""
        art = self.art
        if noun in DOC_NOUNS and noun in art.doc_owner:
            return art.doc_owner[noun]
        if noun in DOC_NOUNS:
            author = self._doc_author(noun, pos)
            if author:
                return author
        fallback = None
        for ms in art.mentions_before(pos, 8):
            for m in reversed(ms):
                if m.kind not in ("org", "agent", "unknown"):
                    continue
                if noun in m.name.lower().split():
                    return m.name  # "the ministry" → "Defence Ministry"
                # "the carmaker" → the last business that spoke or acted; "the union" is not "Ford", and
                # "his website" or "the area's website" belongs to someone else
                if fallback is not None or not definite or noun not in COMPANY_NOUNS | DOC_NOUNS:
                    continue
                acted = m.subject if m.kind == "unknown" else (m.subject or art.is_speaker(m))
                if acted and (m.kind != "unknown" or noun in COMPANY_NOUNS):
                    fallback = m.name
        return fallback


@lru_cache(maxsize=32)
def _doc_pattern(noun: str) -> re.Pattern[str]:
    cap = r"(?!(?:The|A|An|In|On|At|This|That|Its|His|Her|Their|Our|But|And|As|For|With|By|From)\b)[A-Z][\w’'\-]*"
    org = rf"{cap}(?:[^\S\n]+(?:(?:of|for|the|and|on)[^\S\n]+){{0,2}}{cap})*"
    return re.compile(
        rf"\b{noun}[^\S\n]+(?:by|from)[^\S\n]+(?:the[^\S\n]+)?(?P<by>{org})"  # "a report by the University and College Union"
        rf"|(?P<own>{org})(?:’s|'s)?[^\S\n]+(?:[a-z]+[^\S\n]+){{0,2}}{noun}\b"  # "Amnesty's annual report", "the WHO report"
        rf"|(?P<its>{org})[^.\n\x00]{{0,60}}?\bits[^\S\n]+(?:[a-z]+[^\S\n]+){{0,2}}{noun}\b"  # "Amnesty … in its report"
    )


# Speech verbs that also tell a deed: "responded with force", "reacted by closing the border".
_REACTIONS = frozenset(("respond", "responds", "responded", "react", "reacts", "reacted", "retaliated"))


def _reacts_by_deed(toks: list[Tok], c: int) -> bool:
    """toks[c] reacts "with"/"by" something other than words: no quote, statement or remark follows within four
    tokens, nor a colon that introduces one ("responded with force"; not "responded with a statement", "reacted with
    “disgust”", "responded with a phrase that …: “…”")."""
    n = len(toks)
    if not (c + 1 < n and toks[c + 1].low in ("with", "by")):
        return False
    after = toks[c + 2 : c + 6]
    if (c + 6 >= n and after and after[-1].low in ("of", "as")) or any(t.text == ":" for t in toks[c + 2 :]):
        return False  # "responded with the sentiment of “…”", "responded with a phrase …: “…”": what they said
    return bool(after) and not any(
        t.text.startswith(PH) or t.low in DOC_NOUNS or t.low in NOUN_CUES or t.low in CUE_VERBS for t in after
    )


def _appositive_name(toks: list[Tok], s: int, e: int) -> tuple[int, int] | None:
    """[start, end) of the name in apposition to a description ending at toks[e - 1]: "his wife, Gabriela
    Violeta Lazar", "Clinton's introducer, actress Jamie Lee Curtis"; None when there is none."""
    n = len(toks)
    if e >= n or toks[e].text != "," or e - 1 < s or is_cap(toks[e - 1].text) or toks[e - 1].low in PRONOUNS:
        return None
    if not (toks[e - 1].low in ROLES or toks[e - 1].low in PERSON_NOUNS or _plain_word(toks[e - 1])):
        return None
    k = e + 1
    while k < n and k - e <= 3 and _plain_word(toks[k]):
        k += 1  # "actress"
    a = k
    while k < n and (_name_word(toks[k]) or (toks[k].text == "." and k > a and is_initial(toks[k - 1].text))):
        k += 1
    if k - a < 2 or not person_like(toks[a].text) or (k < n and toks[k].text not in ",.;" and not is_cue(toks[k])):
        return None
    return a, k


def _role_and_name_after(toks: list[Tok], j: int) -> bool:
    """After the capitalised run at toks[j] come a role and a person's name ("Warren campaign manager Erica
    Sagrans", "the Earth spokesman John Smith")."""
    n = len(toks)
    if j < n and toks[j].low == "the":
        j += 1
    while j < n and _name_word(toks[j]):
        j += 1
    k = j
    while k < n and k - j < MODIFIER_WORDS and _plain_word(toks[k]):
        k += 1
    return j < k < n - 1 and _head_noun(toks[k - 1].low) and person_like(toks[k].text) and _name_word(toks[k + 1])


def _cue_right_after(att: Attribution, toks: list[Tok]) -> bool:
    """The cue stands within the first three words after the quote ("“…?” Trump asked", not "“…!” Trump, who …")."""
    return any(t.start == att.cue_pos for t in toks[:4])


def _skip_parenthesis_back(toks: list[Tok], e: int) -> int:
    """The index of a short parenthesis ending just before toks[e] ("Gowdy (R-S.C.)"), else e."""
    if e > 0 and toks[e - 1].text == ")":
        for k in range(e - 2, max(-1, e - PAREN_TOKENS - 2), -1):
            if toks[k].text == "(":
                return k
            if toks[k].text == ")" or toks[k].text.startswith(PH):
                break
    return e


def _skip_parenthesis(toks: list[Tok], j: int) -> int:
    """The index after a short parenthesis starting at toks[j] ("(R-Fla.)", "(UCEA)"), else j."""
    if j < len(toks) and toks[j].text == "(":
        for k in range(j + 1, min(len(toks), j + PAREN_TOKENS + 1)):
            if toks[k].text == ")":
                return k + 1
            if toks[k].text.startswith(PH) or toks[k].text == "(":
                break
    return j


def _head_noun(low: str) -> bool:
    return low in ROLES or low in GROUPS or low in ORG_NOUNS or low in DOC_NOUNS


def _connector_inside_name(toks: list[Tok], j: int, lo: int, end: int) -> bool:
    """toks[j] is "of"/"for"/"and"/"the" inside a name read backwards ("Institute for the Study of War")."""
    low = toks[j].low
    if low not in ("of", "for", "at", "and", "the") or j - 1 < lo:
        return False
    nxt = toks[j + 2] if j + 2 <= end and toks[j + 1].low == "the" and low != "the" else toks[j + 1]
    if not is_cap(nxt.text):
        return False
    prev = toks[j - 1]
    return prev.low in ROLES or (_name_word(prev) and low != "the") or (low == "the" and prev.low in ("of", "for"))


# --------------------------------------------------------------------------- carry-over


def carry_over(q: QuoteSpan, prev: QuoteSpan | None, art: Narrative, res: Resolver) -> None:
    """A quote without an attribution of its own continues the latest speaker before it.

    The window is the quote's paragraph, and the paragraph before when the quote opens its own
    (quote-only paragraphs continue the previous speaker), at most CARRY_SENTENCES sentences back. The
    later of the previous quote's attribution and the last speech verb in the narrative
    ("O’Sullivan acknowledged that …") wins.
    """
    pa = art.paras[q.para][0]
    lo = pa
    if q.para > 0 and not art.narr[pa : q.mark_start].replace(PH, "").strip():
        k = q.para - 1
        while k > 0 and art.paras[k][0] == art.paras[k][1]:
            k -= 1
        if not art.headline[k]:
            lo = art.paras[k][0]
    si = art.sentence_of(q.start)
    lo = max(lo, q.mark_start - CARRY_CHARS, art.sentences[max(0, si - CARRY_SENTENCES)][0])
    best_pos = -1
    if prev is not None and prev.speaker and prev.mark_end > lo:
        best_pos = max(prev.cue_pos, prev.mark_start)
        q.speaker, q.cue, q.kind = prev.speaker, prev.cue, prev.kind
    toks = tokens(art.narr[lo : q.mark_start], lo)
    # a cue in the sentence of the previous quote's own attribution belongs to that attribution's clauses
    # ("said Alan Cobb, a senior Trump adviser who …"): the carried speaker stands
    same_sentence = art.sentences[art.sentence_of(best_pos)] if best_pos >= 0 else (0, 0)
    for c in range(len(toks) - 1, -1, -1):
        t = toks[c]
        if t.start <= best_pos or (best_pos >= 0 and same_sentence[0] <= t.start < same_sentence[1]):
            return
        if is_cue(t) and t.low not in WEAK_CUES and t.low not in TRAILING_ONLY and t.low not in NOUN_CUES:
            att = res.cue_at(toks, c)
            if att and att.np:
                speaker, kind = res.resolve(att.np, att.np[0].start)
                if speaker:
                    q.speaker, q.cue, q.kind = res.vet(speaker, kind, att.np), att.cue, kind
            return
