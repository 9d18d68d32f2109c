"""Who is who in an article: capitalised runs, people's full names, organisations, roles.

:class:`NameIndex` answers the questions speaker resolution asks about one article — "what is the
full name behind 'Mr Lukashov'?", "is 'Zelenskyy' a person?", "who was introduced as the spokesman?",
"which organisation are 'the researchers' from?" — by looking names up in the text when asked
(an article has few speakers), so the cost stays linear in the text however long it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .speech_lexicon import (
    ABBREVIATIONS,
    CAP_STOP,
    DEMONYMS,
    FEMALE_FIRST_NAMES,
    FEMALE_HONORIFICS,
    GROUPS,
    HONORIFICS,
    MALE_FIRST_NAMES,
    MONTHS_DAYS,
    NAME_PARTICLES,
    ORG_HEADS,
    OWNER_PLACES,
    PARTY_WORDS,
    PLACE_HEADS,
    PLACE_PARTS,
    PLACES,
    SMALL_WORDS,
    TITLES,
    words,
)
from .wordlists import table

# Names are looked up in the whole article, or this many characters around the speaker in huge inputs.
NAME_WINDOW = 100_000
# "the spokesman" looks for the person introduced with that role this many characters back.
ROLE_WINDOW = 20_000
# A long text keeps a set of its lower-case words; a short one is searched with str.find.
_VOCAB_CHARS = 20_000

# --------------------------------------------------------------------------- words


def is_cap(tok: str) -> bool:
    return tok[:1].isupper()


def is_initial(tok: str) -> bool:
    return len(tok) == 1 and tok.isupper()


def bare(tok: str) -> str:
    """A token without its possessive ending ("Trump’s" → "Trump")."""
    if len(tok) > 2 and tok[-1] in "’'":
        return tok[:-1]
    if len(tok) > 3 and tok[-1] == "s" and tok[-2] in "’'":
        return tok[:-2]
    return tok


def is_possessive(tok: str) -> bool:
    return len(tok) > 2 and (tok[-1] in "’'" or (tok[-1] == "s" and tok[-2] in "’'"))


def is_acronym(tok: str) -> bool:
    t = tok.replace(".", "").replace("&", "")
    return 2 <= len(t) <= 7 and t.isupper() and sum(c.isupper() for c in t) >= 2 and tok not in PLACES


def name_shaped(t: str) -> bool:
    """A word that can be part of a person's name ("Donald", "O’Sullivan", the initial "L.")."""
    if len(t) <= 2 and t[:1].isupper() and t[1:] in ("", "."):
        return True
    return t[:1].isupper() and not t.isupper() and t.lower() not in TITLES and t.lower() not in CAP_STOP


def person_like(tok: str) -> bool:
    """A capitalised word that can end a person's name (not an organisation's or a title)."""
    return name_shaped(tok) and bare(tok) not in ORG_HEADS and bare(tok) not in PLACES


def org_like(toks: list[str]) -> bool:
    return any(bare(t) in ORG_HEADS for t in toks) or (len(toks) == 1 and is_acronym(bare(toks[0])))


def place_like(toks: list[str]) -> bool:
    names = [bare(t) for t in toks]
    if len(names) == 1:
        return names[0] in PLACES
    # (US states and cities too: "New Hampshire", "North Carolina" are where, never who)
    return (
        all(t in PLACES or t in PLACE_PARTS or t in OWNER_PLACES or t.lower() in SMALL_WORDS for t in names)
        or names[-1] in PLACE_HEADS
    )


def strip_the(s: str) -> str:
    return re.sub(r"^(?:the|The)\s+", "", s).strip()


def _followed_by(s: str, needle: str, chars: str) -> bool:
    """Whether ``needle`` occurs in ``s`` right before one of ``chars`` (one scan instead of one per character)."""
    n = len(needle)
    k = s.find(needle)
    while k >= 0:
        c = s[k + n : k + n + 1]
        if c and c in chars:
            return True
        k = s.find(needle, k + 1)
    return False


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c in "_-"


# --------------------------------------------------------------------------- capitalised runs

_CAP = r"[^\W\d_a-z]"
_CAPWORD_REST = r"(?:[\w’'\-]+(?:\.[^\W\d_]\.?)*|\.(?=[^\S\n]+[^\W\d_a-z]))?"  # "George W. Bush"
_CAPWORD = _CAP + _CAPWORD_REST
# A run never crosses a line, and a possessive ends it: "ONGC's Mr Raha" is two runs (a plural
# possessive does not: "the Universities and Colleges Employers’ Association"; nor does an office holder's before
# the office: "the Maricopa County Sheriff's Office", "the Prime Minister's Office", while "Trump's Office of
# Management and Budget" is two). The check that no word character comes before the run stands after its first
# letter ("(?<![…].)" looks at the character before that letter), so that the regex engine can skip ahead to capital
# letters.
_HOLDERS = ("Sheriff", "Minister", "General", "Governor", "Mayor", "President", "Attorney", "Prosecutor", "Coroner",
            "Examiner", "Marshal", "Commissioner", "Chancellor", "Secretary", "Speaker", "Clerk", "Auditor")  # fmt: skip
_HOLDERS_OFFICE = (
    "(?:" + "|".join(f"(?<={h}{a}s)" for h in _HOLDERS for a in "'’") + r")(?=[^\S\n]+(?:Office|Department)\b)"
)
_CAP_RUN = re.compile(
    rf"{_CAP}(?<![\w’'\-.].){_CAPWORD_REST}(?:(?:(?<![’']s)(?<![^s][’'])|(?:{_HOLDERS_OFFICE}))[^\S\n]+"
    rf"(?:(?:of|for|the|and|de|da|di|van|von|der|du|al|bin|in)[^\S\n]+){{0,2}}{_CAPWORD})*"
)
_CONNECTORS = words("and of for the in")


def runs(s: str, lo: int, hi: int) -> list[tuple[int, int, list[str]]]:
    """Capitalised runs of s[lo:hi] as (start, end, words).

    Connectors stay inside an organisation's name ("Institute for the Study of War") and split
    anything else ("Trump and Russian President Vladimir Putin" is two runs).
    """
    out = []
    for m in _CAP_RUN.finditer(s, lo, hi):
        toks = m.group(0).split()
        if len(toks) == 1 or org_like(toks) or not any(t in _CONNECTORS for t in toks):
            out.append((m.start(), m.end(), toks))
            continue
        pos = m.start()
        piece: list[str] = []
        piece_start = piece_end = pos
        for t in toks:
            k = s.index(t, pos)
            pos = k + len(t)
            if t in _CONNECTORS:
                if piece:
                    out.append((piece_start, piece_end, piece))
                piece = []
                continue
            if not piece:
                piece_start = k
            piece.append(t)
            piece_end = pos
        if piece:
            out.append((piece_start, piece_end, piece))
    return out


def _name_prefix(s: str, k: int) -> list[str]:
    """The capitalised words right before s[k] on the same line ("US President Donald " → 3 words)."""
    seg = s[max(0, k - 80) : k]
    if not seg or not seg[-1].isspace() or seg[-1] == "\n":
        return []
    out: list[str] = []
    for w in reversed(seg.rsplit("\n", 1)[-1].split()):
        if not w[:1].isupper() or len(out) == 5 or is_possessive(w) or w[-1] in ",;:!?)":
            break
        if w[-1] == "." and not (len(w) == 2 or w[:-1].lower() in TITLES or w[:-1] in ABBREVIATIONS):
            break  # the end of the previous sentence, not an initial or "Sen."
        out.append(w)
    out.reverse()
    return out


# Endings of a capitalised descriptor written before a first name ("Meteorologist Mark Mancuso", "Postman John
# Woodring", "Nationalist Eric Chu"): an occupation or a creed, not a first name (mn_test_091, mn_test_159).
_DESCRIPTOR_ENDINGS = ("ist", "man", "woman", "ian", "er", "or")
_FIRST_NAMES = FEMALE_FIRST_NAMES | MALE_FIRST_NAMES


def _descriptor_before_first_name(words: list[str], i: int) -> bool:
    """Whether words[i] describes the person whose known first name follows it ("Postman John …"), not a name."""
    w = words[i]
    return (
        i + 1 < len(words)
        and words[i + 1] in _FIRST_NAMES
        and w not in _FIRST_NAMES
        and len(w) >= 6
        and w[1:].islower()
        and w.lower().endswith(_DESCRIPTOR_ENDINGS)
    )


def _at_sentence_start(s: str, i: int) -> bool:
    before = s[max(0, i - 3) : i].rstrip(" ")
    return i <= 0 or not before or before[-1] in '.!?\n"”'


# "Zelenskyy said": a single name that speaks (a person or an organisation, never a place).
_AGENT = re.compile(  # the check for a word character before the name stands after its capital (see _CAP_RUN)
    r"([A-Z](?<![\w’'\-].)[\w’'\-]+)[^\S\n]+(?:(?:has|had|also|later|then|again)[^\S\n]+)?(?:said|says|told|tells|"
    r"added|stated|warned|explained|argued|wrote|insisted|noted|stressed|asked|acknowledged|claimed|declared|"
    r"replied|reiterated|suggested|urged|remarked)\b"
)
_GROUP_NOUNS = "researchers|analysts|experts|economists|scientists|lawyers|officials|investigators|academics|staff"
# "researchers at the Kiel Institute", "CFHK researchers": the organisation a group belongs to.
_GROUP_AT = re.compile(
    rf"\b((?i:{_GROUP_NOUNS}|authors))[^\S\n]+(?:at|from|with|of)[^\S\n]+((?:the[^\S\n]+)?[A-Z][\w’'\-]*"
    r"(?:[^\S\n]+(?:(?:of|for|the|and|in|on)[^\S\n]+){0,2}[A-Z][\w’'\-]*)*)"
)
_ORG_GROUP = re.compile(rf"\b([A-Z][\w’'\-]*(?:[’']s)?)\s+({_GROUP_NOUNS})\b")
_LOWER_WORD = re.compile(r"\b[a-z][a-z’'\-]+")


@lru_cache(maxsize=256)
def _role_pattern(role: str) -> re.Pattern[str]:
    """ "role Name Surname" or "Name Surname, a … role" for one role word."""
    cap = r"[^\W\d_a-z][\w’'\-]*"
    particle = r"(?:(?:bin|ibn|al|de|da|van|von|der|du|la|le)[^\S\n]+)?"
    return re.compile(
        rf"(?<![\w\-])(?i:{re.escape(role)})s?[^\S\n]+(?P<a>(?:{cap}\.?[^\S\n]+{particle}){{0,3}}{cap})"
        rf"|(?P<b>{cap}(?:[^\S\n]+{cap}){{1,3}}),[^\S\n]+(?:an?|the)[^\S\n]+(?:[\w’'\-]+[^\S\n]+){{0,4}}?"
        rf"(?i:{re.escape(role)})\b"
    )


_NAME_CAP = r"[^\W\d_a-z][\w’'\-]*"
_PARTICLE = r"(?:(?:bin|ibn|al|de|da|van|von|der|du|la|le)[^\S\n]+)?"
# "Russian President| Vladimir Putin" right after a role phrase, or "Vladimir Putin, the |Russian president" before it.
_AFTER_ROLE = re.compile(rf"s?[^\S\n]+((?:{_NAME_CAP}\.?[^\S\n]+{_PARTICLE}){{0,3}}{_NAME_CAP})")
_BEFORE_ROLE = re.compile(rf"({_NAME_CAP}(?:[^\S\n]+{_NAME_CAP}){{1,3}}),[^\S\n]+(?:an?|the)[^\S\n]+$")


@lru_cache(maxsize=256)
def leader_phrases(qualifier: str, role: str) -> tuple[str, ...]:
    """The phrases that name the same office: "kremlin leader" → "kremlin leader", "russian president", …"""
    data = table("leader_roles")
    quals = [qualifier, *data["qualifiers"].get(qualifier, [])]
    roles = [role]
    if role in data["roles"]:
        roles += [r for r in data["roles"] if r != role]
    return tuple(f"{q} {r}" for q in quals for r in roles)


# --------------------------------------------------------------------------- the index


@dataclass
class Person:
    """What an article says about one name."""

    fulls: list[tuple[int, str]] = field(default_factory=list)  # (position, "Donald Trump")
    best: dict[str, str] = field(default_factory=dict)  # name as mentioned -> fullest form (cache)
    is_person: bool = False
    female: bool | None = None


class NameIndex:
    """Names of one article (its narrative with quotes masked, and its title), looked up on demand."""

    def __init__(self, narr: str, title: str | None) -> None:
        self.narr = narr
        self.title = title or ""
        self._people: dict[str, Person] = {}
        self._agents: set[str] | None = None
        self._group_orgs: list[tuple[int, str, str]] | None = None
        self._lower_used: dict[str, bool] = {}
        self._vocab: set[str] | None = None

    def used_lowercase(self, word: str) -> bool:
        """Whether the article also writes ``word`` in lower case (so a capitalised one is a common word)."""
        low = word.lower()
        got = self._lower_used.get(low)
        if got is None:
            if self._vocab is None:
                self._vocab = set(_LOWER_WORD.findall(self.narr)) if len(self.narr) > _VOCAB_CHARS else set()
            if self._vocab:
                got = low in self._vocab
            else:
                got = _followed_by(self.narr, " " + low, " ,.;:")
            self._lower_used[low] = got
        return got

    # ---- people
    def person(self, surname: str, pos: int = 0) -> Person:
        """What the article says about a single name: its full forms, whether it is a person, gender."""
        key = surname.lower()
        got = self._people.get(key)
        if got is None:
            got = self._people[key] = Person()
            narr = self.narr
            if len(narr) > NAME_WINDOW:  # huge inputs: the neighbourhood of the first request only
                narr = narr[max(0, pos - NAME_WINDOW) : pos + NAME_WINDOW // 4]
            self._scan_name(narr, surname, got, False)
            self._scan_name(self.title, surname, got, True)
        return got

    def _scan_name(self, s: str, surname: str, info: Person, title: bool) -> None:
        """Record every "First [Middle] Surname" before the surname, and titles or honorifics that mark a person."""
        n = len(surname)
        k = s.find(surname)
        while k >= 0:
            end = k + n
            if (k == 0 or not _is_word_char(s[k - 1])) and (end == len(s) or not _is_word_char(s[end])):
                self._record(s, k, surname, info, title)
            k = s.find(surname, k + 1)

    def _record(self, s: str, k: int, surname: str, info: Person, title: bool) -> None:
        prefix = _name_prefix(s, k)
        if prefix:
            last = prefix[-1].lower().rstrip(".")
            if last in TITLES:
                info.is_person = True
            if last in HONORIFICS:
                info.is_person = True
                if info.female is None:
                    info.female = last in FEMALE_HONORIFICS
        cut = 0
        for i, w in enumerate(prefix):  # "National Urban League President Marc" → "Marc"
            lw = w.lower().rstrip(".")
            if (
                lw in TITLES
                or ("-" in lw and all(p in TITLES for p in lw.split("-")))  # "Secretary-Treasurer"
                or lw in CAP_STOP
                or lw in DEMONYMS
                or lw in PARTY_WORDS
                or w in ORG_HEADS
                or not name_shaped(w)
                or _descriptor_before_first_name(prefix, i)
            ):
                cut = i + 1
        first = prefix[cut:]
        # "Read Mike Rowe's post": a sentence-initial common word does not start a name
        if first and self.used_lowercase(first[0]) and _at_sentence_start(s, s.rfind(first[0], max(0, k - 80), k)):
            first = first[1:]
        first = [w for w in first if w.lower() not in MONTHS_DAYS]
        run_start = k - len(" ".join(prefix)) - 1 if prefix else k
        lead = s[max(0, run_start - 5) : max(0, run_start)].lower().rstrip()
        # (a headline capitalises every word: there "McCain Challenger Kelli Ward" is no one's full name)
        if first and len(first) <= (2 if title else 3) and not lead.endswith((" at", " in", " of", "from")):
            full = [*first, surname]
            if not org_like(full) and not place_like(full):
                info.is_person = True
                info.fulls.append((-1 if title else k, " ".join(full)))

    def full_name(self, name: str, pos: int) -> str:
        """The fullest form of a person's name used in the article ("Trump" → "Donald Trump")."""
        info = self.person(name.split()[-1], pos)
        got = info.best.get(name)
        if got is None:
            got = info.best[name] = _fullest(name, info)
        return got

    def classify(self, toks: list[str]) -> tuple[str | None, str, frozenset[str], bool | None]:
        """(kind, name, roles, female) of a capitalised run such as "US President Donald Trump".

        kind: person | org | place | agent (speaks somewhere, kind unknown) | unknown | None (no name).
        """
        names = [*toks[:-1], bare(toks[-1])]  # a plural possessive inside stays: "Employers’ Association"
        while len(names) > 1 and names[0].lower() in CAP_STOP:
            names = names[1:]
        if len(names) == 1 and (names[0].lower() in DEMONYMS or names[0] in PLACES or names[0] in OWNER_PLACES):
            info = self.person(names[0])
            if info.is_person and info.fulls and names[0] not in PLACES:  # "Mark Cuban … Cuban said"
                return "person", names[0], frozenset(), info.female
            return "place", names[0], frozenset(), None
        # the name follows the last title: "NATO Secretary General Mark Rutte", "Prime Minister John Major"
        cut = -1
        for i, w in enumerate(names[:-1]):
            lw = w.lower().rstrip(".")
            if lw in TITLES or lw in DEMONYMS or lw in PARTY_WORDS or _descriptor_before_first_name(names, i):
                cut = i  # "Republican Christine Todd Whitman", "Postman John Woodring": the name follows
        roles: set[str] = set()
        female = None
        person = False
        rest = names[cut + 1 :]
        demonym_only = all(w.lower() in DEMONYMS for w in names[: cut + 1])
        if (
            cut >= 0
            and all(name_shaped(w) and w not in ORG_HEADS for w in rest[:-1])
            and is_cap(rest[-1])
            and rest[-1] not in ORG_HEADS
            and (name_shaped(rest[-1]) or len(rest) > 1)  # "Governor Mervyn King": a surname may look like a title
            and not (demonym_only and len(rest) == 1)  # "British Airways" is not a person called Airways
        ):
            for w in names[: cut + 1]:
                lw = w.lower().rstrip(".")
                if lw in HONORIFICS:
                    female = lw in FEMALE_HONORIFICS
                elif lw in TITLES:
                    roles.add(lw)
            names = names[cut + 1 :]
            person = True
        elif org_like(names):
            return "org", " ".join(names), frozenset(), None
        if place_like(names):
            return "place", " ".join(names), frozenset(), None
        if not person and names[0].lower() in DEMONYMS:
            return "unknown", " ".join(names), frozenset(), None  # "British Airways", "Russian Railways"
        name = " ".join(names)
        if len(names) >= 2 and all(
            name_shaped(t) or (0 < k < len(names) - 1 and t in NAME_PARTICLES) for k, t in enumerate(names)
        ):
            return "person", name, frozenset(roles), female
        info = self.person(names[-1])
        if person or info.is_person:
            return "person", name, frozenset(roles), female if female is not None else info.female
        if names[-1].lower() in self.agents:
            return "agent", name, frozenset(roles), None
        return "unknown", name, frozenset(roles), None

    def by_role(self, role: str, pos: int) -> str | None:
        """The person last introduced with this role before ``pos`` ("Yukos spokesman Alexander Shadrin",
        "Dmitry Lukashov, an analyst at …")."""
        if not role.replace("-", "").isalpha():
            return None
        best = None
        for m in _role_pattern(role).finditer(self.narr, max(0, pos - ROLE_WINDOW), pos):
            best = m
        if best is None:
            return None
        kind, name, _roles, _female = self.classify((best.group("a") or best.group("b")).split())
        if kind == "person" or (kind in ("agent", "unknown") and best.group("a")):
            return self.full_name(name, best.start())
        return None

    def by_qualified_role(self, qualifier: str, role: str, pos: int) -> str | None:
        """The person the article names for a qualified role ("the Kremlin leader" → "Russian President
        Vladimir Putin"; "the White House press secretary"), nearest before ``pos``, else the first after;
        None when the article names nobody for it (never a person of another qualifier)."""
        lo, hi = max(0, pos - ROLE_WINDOW), min(len(self.narr), pos + ROLE_WINDOW)
        low = self.narr[lo:hi].lower()
        best: tuple[int, str] | None = None
        for phrase in leader_phrases(qualifier.lower(), role.lower()):
            k = low.find(phrase)
            while k >= 0:  # str.find, then anchored regexes: a 40 kB window costs microseconds per phrase
                at = lo + k
                k = low.find(phrase, k + 1)
                if at > 0 and (self.narr[at - 1].isalnum() or self.narr[at - 1] == "-"):
                    continue
                m = _AFTER_ROLE.match(self.narr, at + len(phrase))
                found = m.group(1) if m else None
                if found is None:
                    b = _BEFORE_ROLE.search(self.narr, max(0, at - 80), at)
                    found = b.group(1) if b else None
                if found is None:
                    continue
                kind, name, _roles, _female = self.classify(found.split())
                if kind == "person" or (kind in ("agent", "unknown") and m and " " in name):
                    dist = pos - at if at < pos else ROLE_WINDOW + at - pos
                    if best is None or dist < best[0]:
                        best = (dist, self.full_name(name, at))
        return best[1] if best else None

    # ---- organisations and speakers
    @property
    def agents(self) -> set[str]:
        """Single names that speak somewhere in the article ("Zelenskyy said"): people or organisations."""
        if self._agents is None:
            self._agents = set()
            for m in _AGENT.finditer(self.narr):
                w = bare(m.group(1))
                if w not in PLACES and w.lower() not in CAP_STOP and w.lower() not in GROUPS:
                    self._agents.add(w.lower())
        return self._agents

    def group_org(self, group: str, pos: int) -> str | None:
        """The organisation "the researchers" (or analysts, officials …) were last said to belong to."""
        if self._group_orgs is None:
            found = []
            for m in _GROUP_AT.finditer(self.narr):
                org = strip_the(m.group(2))
                if org_like(org.split()):
                    found.append((m.start(), m.group(1).lower(), org))
            for m in _ORG_GROUP.finditer(self.narr):
                org = bare(m.group(1))
                if org_like(org.split()) or is_acronym(org):
                    found.append((m.start(), m.group(2).lower(), org))
            self._group_orgs = sorted(found)
        best = None
        for p, g, org in self._group_orgs:
            if g == group and p < pos:
                best = org
        return best


def _fullest(name: str, info: Person) -> str:
    """Pick the full form of ``name``: forms that end another one count for the longer one ("Da Silva"
    for "Jose Da Silva"); the most used wins ("Andrew Getty" over "J. Paul Getty"), then the first."""
    toks = name.split()
    counts: dict[str, list[int]] = {}
    for p, full in info.fulls:
        ft = full.split()
        if len(ft) >= len(toks) and (len(toks) == 1 or ft[-len(toks) :] == toks):
            counts.setdefault(full, []).append(p)
    if not counts:
        return name
    forms = sorted(counts, key=lambda f: -len(f.split()))
    for f in forms:
        for g in forms:
            if g != f and len(g.split()) > len(f.split()) and g.endswith(" " + f) and f in counts:
                counts[g] = counts[g] + counts.pop(f)
                break
    return min(counts, key=lambda f: (-len(counts[f]), min(counts[f])))
