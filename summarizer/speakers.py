"""One name per speaker across a story's articles, and a forgiving speaker search.

Pure functions over plain strings, for the bot's story views and ``/quotes NAME``:

- :func:`same_person` — "Biden", "Joe Biden" and "President Biden" are one speaker; "Bill Clinton" and
  "Hillary Clinton" are two; transliterations agree (Zelensky/Zelenskyy/Zelenskiy, Peskov/Peskow).
- :func:`speaker_matches` — whether a typed query finds a speaker (surname, full name, no diacritics,
  transliterations, small misspellings).
- :func:`surname_owners` — across stories (``/quotes``), the one full name a surname-only speaker is.
- :func:`canonical_speakers` — for every speaker of a story, the name to show: the fullest form of the
  same person, and for a role left unresolved in one article ("Russian president", "Kremlin leader") the
  person another article of the story names for that office ("Russian President Vladimir Putin said").
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from .names import leader_phrases, person_like
from .speech_lexicon import CAP_STOP, DEMONYMS, HONORIFICS, ROLES, TITLES
from .wordlists import table

# A typed surname finds a speaker when their folded, transliterated forms are this similar (difflib ratio):
# "Zelenski"/"Zelensky" (0.875) pass, "Putin"/"Pupin" (0.8) do not. Chosen by hand on the cases in
# tests/test_speakers.py.
SURNAME_RATIO = 0.85

_NON_WORD = re.compile(r"[^\w\s]")
_DOUBLE = re.compile(r"(\w)\1+")
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def fold(text: str) -> str:
    """Case-, diacritics- and punctuation-insensitive form of a name ("Zelenskyy’s" → "zelenskyy s")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", plain.casefold().replace("’", "'").replace("'s ", " ")).split())


def name_tokens(name: str) -> list[str]:
    """The folded words of a person's name without titles, honorifics or suffixes ("President Joe Biden" → joe biden)."""
    toks = [t for t in fold(name).split() if t not in _SUFFIXES]
    while len(toks) > 1 and (toks[0] in TITLES or toks[0] in HONORIFICS or toks[0] in DEMONYMS):
        toks = toks[1:]
    return toks


@cache
def _rules() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    data = table("transliteration")
    endings = tuple(sorted(((a, b) for a, b in data["endings"]), key=lambda r: -len(r[0])))
    return endings, tuple((a, b) for a, b in data["inside"])


@cache
def translit(word: str) -> str:
    """One spelling for a folded word's transliteration variants ("zelenskyy", "zelenskiy" → "zelensky")."""
    endings, inside = _rules()
    w = word
    for a, b in endings:
        if len(w) > len(a) + 1 and w.endswith(a):
            w = w[: -len(a)] + b
            break
    for a, b in inside:
        w = w.replace(a, b)
    return _DOUBLE.sub(r"\1", w)


def _first_compatible(a: list[str], b: list[str]) -> bool:
    """First names agree: one side has none, or they are equal, an initial of, or a prefix of each other."""
    if not a or not b:
        return True
    x, y = translit(a[0]), translit(b[0])
    return (
        x == y
        or (len(x) == 1 and y.startswith(x))
        or (len(y) == 1 and x.startswith(y))
        or x.startswith(y)
        or y.startswith(x)
    )


def same_person(a: str | None, b: str | None) -> bool:
    """Whether two speaker names are one person: same (transliterated) surname and compatible first names."""
    if not a or not b:
        return False
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    if translit(ta[-1]) != translit(tb[-1]):
        return False
    return _first_compatible(ta[:-1], tb[:-1])


def _close(a: str, b: str) -> bool:
    a, b = translit(a), translit(b)
    return a == b or (min(len(a), len(b)) >= 4 and difflib.SequenceMatcher(None, a, b).ratio() >= SURNAME_RATIO)


def speaker_matches(query: str, speaker: str | None) -> bool:
    """Whether a typed name finds a speaker: full name, surname, no diacritics, transliterations, small
    misspellings ("zelensky" finds "Volodymyr Zelenskyy", "peskow" finds "Dmitry Peskov")."""
    if not speaker:
        return False
    q, s = fold(query).split(), fold(speaker).split()
    if not q or not s:
        return False
    if f" {' '.join(q)} " in f" {' '.join(s)} ":  # whole words: "xi" is not in "Maxim", nor "li" in "Blinken"
        return True
    *first, last = q
    if not _close(last, s[-1]):
        return False
    return all(any(_close(f, t) or t.startswith(f) for t in s[:-1]) for f in first)


def role_phrases(role: str) -> frozenset[str]:
    """The phrases naming the same office as a role speaker ("Kremlin leader" → "russian president", …);
    empty when the words are not a role."""
    toks = fold(role).split()
    if toks and toks[0] == "the":
        toks = toks[1:]
    if len(toks) < 2 or toks[-1] not in ROLES:
        return frozenset()
    qualifier, last = " ".join(toks[:-1]), toks[-1]
    return frozenset(leader_phrases(qualifier, last))


def _mention_role(speaker: str, mention: str | None) -> str | None:
    """The role words a mention puts before the speaker's name ("Russian President Vladimir Putin" → "russian
    president"), or None."""
    if not mention:
        return None
    m, names = fold(mention).split(), name_tokens(speaker)
    if not names or len(m) <= len(names) or m[-len(names) :] != names:
        return None
    words = [w for w in m[: -len(names)] if w != "the"]
    return " ".join(words) if words and words[-1] in ROLES else None


_WORD_TOKEN = re.compile(r"[^\W\d_][\w.’'\-]*")


def offices(text: str) -> list[tuple[str, str]]:
    """(office, person) for every "Russian President Vladimir Putin" / "Kremlin spokesman Dmitry Peskov" /
    "White House press secretary Karine Jean-Pierre" in a text: qualifier and role folded, the name as written."""
    toks = [m.group() for m in _WORD_TOKEN.finditer(text)]
    out = []
    for i, tok in enumerate(toks):
        if tok.lower() not in ROLES or i == 0:
            continue
        k = i
        while k > 0 and i - k < 2 and tok.islower() and toks[k - 1].islower() and toks[k - 1] not in CAP_STOP:
            k -= 1  # "press secretary", "chief executive"
        lower = k
        while (
            k > 0
            and lower - k < 3
            and toks[k - 1][:1].isupper()
            and not toks[k - 1].endswith(".")
            and toks[k - 1].lower() not in CAP_STOP
        ):
            k -= 1  # the qualifier: "Russian", "White House", "Kremlin" (capitalised)
        if k == lower:
            continue
        j = i + 1
        while j < len(toks) and j - i <= 3 and toks[j][:1].isupper() and toks[j].lower() not in ROLES:
            j += 1
            if toks[j - 1].endswith("."):
                break  # "… Dmitry Peskov. The president": the sentence ends
        if j - i < 3:  # a first name and a surname at least
            continue
        office = " ".join(fold(t) for t in toks[k : i + 1])
        out.append((office, " ".join(t.rstrip(".") for t in toks[i + 1 : j])))
    return out


def canonical_speakers(
    speakers: Iterable[tuple[str | None, str | None]], named_offices: Iterable[tuple[str, str]] = ()
) -> dict[str, str]:
    """The name to show for each speaker of a story, from its (speaker, speaker_mention) pairs in every article
    and the (office, person) pairs its texts name (:func:`offices`).

    Name variants of one person become the fullest form ("Biden", "President Biden" → "Joe Biden") unless two
    people share the surname ("Clinton" stays when both Bill and Hillary Clinton speak). A role that stayed a
    role in one article ("Russian president", "Kremlin leader") becomes the person another article names for
    that office. Speakers nobody else matches map to themselves.
    """
    pairs = [(s, m) for s, m in speakers if s]
    names = list(dict.fromkeys(s for s, _m in pairs))
    out: dict[str, str] = {}
    # people named for an office somewhere in the story: "russian president" -> "Vladimir Putin"
    held: dict[str, set[str]] = {}
    for s, m in pairs:
        role = _mention_role(s, m)
        if role:
            held.setdefault(role, set()).add(s)
    for office, person in named_offices:
        known = [n for n in names if same_person(n, person)]
        held.setdefault(office, set()).update(known or [person])
        if not known:
            names.append(person)
    for name in names:
        phrases = role_phrases(name)
        if phrases:
            people = {p for ph in phrases for p in held.get(ph, ())}
            fullest = {_fullest(p, names) for p in people}
            if len(fullest) == 1:
                out[name] = fullest.pop()
                continue
        out[name] = _fullest(name, names)
    return out


def surname_owners(names: Iterable[str]) -> dict[str, str]:
    """For each speaker named by surname alone ("Trump", "President Trump"), the one full name among ``names`` that
    is the same person ("Donald Trump"). A surname that two or more full names could be ("Clinton" with Bill and
    Hillary Clinton, or with "Donald Trump" and "Donald J. Trump" written apart) is left alone, as are full names:
    across a week of stories the speakers are many, and joining two people is worse than showing one twice."""
    # people only: a role ("spokesman", "Kremlin") is no surname, and "ministry spokesman" no full name
    distinct = [n for n in dict.fromkeys(names) if n and person_like(n.split()[-1])]
    full = [n for n in distinct if len(name_tokens(n)) > 1]
    out: dict[str, str] = {}
    for name in distinct:
        if len(name_tokens(name)) != 1:
            continue
        owners = [n for n in full if same_person(name, n)]
        if len(owners) == 1:
            out[name] = owners[0]
    return out


def _fullest(name: str, names: list[str]) -> str:
    """The longest name of the same person among ``names``; ``name`` itself when the surname is ambiguous."""
    same = [n for n in names if same_person(name, n)]
    full = [n for n in same if len(name_tokens(n)) > 1]
    if len(name_tokens(name)) > 1:
        full = [n for n in full if _first_compatible(name_tokens(n), name_tokens(name))]
    # Two people the name could be: "Clinton" with Bill and Hillary Clinton speaking, "Biden" or "J. Biden" with Joe
    # and Jill (one initial, two people): not ours to pick
    if any(not _first_compatible(name_tokens(a), name_tokens(b)) for a, b in itertools.combinations(full, 2)):
        return name
    if not full:
        return name
    return max(full, key=lambda n: (len(name_tokens(n)), len(n), -names.index(n)))  # "Joe Biden" over "J. Biden"
