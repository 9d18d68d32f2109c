"""A story's quotes and figures merged across its articles (outlets), each with every source that gave it.

Pure functions over plain dicts of ``Quote``/``Figure`` fields (as from ``dataclasses.asdict``), so a caller can
store and reload them as JSON: ``per_article`` is an iterable of ``(outlet, link, items)``; every result is the
first telling's dict plus ``outlet``/``link`` (its first source) and ``sources`` (``[{"outlet", "link"}, …]`` in
order).

- :func:`merge_quotes`: one speaker per person across the story (:func:`summarizer.speakers.canonical_speakers`:
  "Biden" = "Joe Biden" = "President Biden"; "the Russian president" in one outlet = "Vladimir Putin" named for
  that office in another), then one quote per (speaker, words) with the fullest wording kept.
- :func:`merge_figures`: one figure per (kind, value, unit), a count's unit compared by its head noun ("20 critical
  minerals" = "20 minerals", "three firms" != "three tankers"); two outlets' different values for the same
  quantity ("$500 billion" vs "$350 billion" for one deal) are kept side by side, each listing the other
  under ``disagrees``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .figure_lexicon import _QUALIFIER_BOUNDS
from .speakers import canonical_speakers, fold, offices, same_person
from .speech_lexicon import DEMONYMS
from .wordlists import word_list

Article = tuple[str | None, str | None, Sequence[Mapping[str, Any]]]  # (outlet, link, quotes or figures)

# Two quotes are one when this share of the shorter one's words is in the other (trimmed or re-punctuated
# by another outlet).
QUOTE_OVERLAP = 0.7
# A quote without a speaker joins an attributed one only when at least this many words long (short
# phrases recur with different speakers).
UNATTRIBUTED_JOIN_WORDS = 6
# Two values of one quantity disagree only within this factor of each other ("$500bn" vs "$350bn"); further
# apart they are different quantities ("$500bn" deal vs "$5bn" first tranche).
DISAGREE_FACTOR = 10.0
# Words around a figure compared to decide it measures the same thing: this many after the surface, and
# before it.
ANCHOR_AFTER = 6
ANCHOR_BEFORE = 4

_WORD = re.compile(r"[^\W\d_]{4,}")
_OF_WHOLE = re.compile(r"\s+of\s+((?:[^\s.,;:!?]+\s*){1,5})")  # "... of" and the five words after it, to a stop
_QUOTE_WORD = re.compile(r"\w+")
_ANCHOR_STOP = word_list("anchor_stopwords")
_NOUN_WORD = re.compile(r"[^\W\d_][\w.'’-]*")
# Nationality words written two ways for one country ("U.S. diplomats", "American diplomats").
_DEMONYM_SAME = {"us": "american", "u.s.": "american", "u.s": "american", "uk": "british", "u.k.": "british"}
# Counted nouns two outlets write differently for one thing (singular forms; irregular plurals first): "five
# children" / "five kids", "two workers" / "two store employees", "three planes" / "three aircraft". Only plain
# synonyms: "people" and "men" are not one noun ("six men" of "six people" may be a part of them).
_NOUN_SAME = {
    "children": "child",
    "kid": "child",
    "men": "man",
    "women": "woman",
    "people": "person",
    "employee": "worker",
    "staffer": "worker",
    "plane": "aircraft",
    "airplane": "aircraft",
    "jet": "aircraft",
    "soldier": "troop",
    "vessel": "ship",
    "gunshot": "shot",
}


def _add_source(merged: dict[str, Any], outlet: str | None, link: str | None) -> None:
    source = {"outlet": outlet, "link": link}
    if source not in merged["sources"]:
        merged["sources"].append(source)


def _words(text: str) -> set[str]:
    return set(_QUOTE_WORD.findall(fold(text)))


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def merge_quotes(per_article: Iterable[Article], texts: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Quotes of a story's articles, one per (speaker, words), with every outlet that carried it.

    ``texts`` (the articles' texts, optional) tell which person holds an office ("Russian President Vladimir
    Putin"); the quotes' own sentences are read for that too. Speakers are made canonical across the story first (``speaker`` becomes the canonical name; the name
    as the article gave it stays in ``speaker_as_written`` when it differs). Ranked: attributed first, then
    by number of sources, then first appearance.
    """
    articles = [(outlet, link, list(items)) for outlet, link, items in per_article]
    named = [o for t in texts for o in offices(t)]
    named += [o for _o, _l, items in articles for q in items for o in offices(str(q.get("sentence") or ""))]
    canon = canonical_speakers(
        ((q.get("speaker"), q.get("speaker_mention")) for _o, _l, items in articles for q in items), named
    )
    merged: list[dict[str, Any]] = []
    words: list[set[str]] = []
    for outlet, link, items in articles:
        for q in items:
            text = str(q.get("text") or "")
            w = _words(text)
            written = q.get("speaker")
            speaker = canon.get(written, written) if written else None
            for i, m in enumerate(merged):
                other = m.get("speaker")
                if _overlap(w, words[i]) < QUOTE_OVERLAP:
                    continue
                if speaker and other and not (speaker == other or same_person(speaker, other)):
                    continue
                if (speaker is None) != (other is None) and min(len(w), len(words[i])) < UNATTRIBUTED_JOIN_WORDS:
                    continue
                if len(text) > len(str(m.get("text") or "")):
                    kept = {**q, "speaker": other or speaker, "outlet": outlet, "link": link, "sources": m["sources"]}
                    if written and written != kept["speaker"]:
                        kept["speaker_as_written"] = written
                    merged[i] = m = kept
                    words[i] = w
                elif other is None and speaker:
                    m["speaker"] = speaker
                _add_source(m, outlet, link)
                break
            else:
                m = {**q, "speaker": speaker, "outlet": outlet, "link": link, "sources": []}
                if written and written != speaker:
                    m["speaker_as_written"] = written
                _add_source(m, outlet, link)
                merged.append(m)
                words.append(w)
    order = {id(m): n for n, m in enumerate(merged)}
    return sorted(merged, key=lambda m: (not m.get("speaker"), -len(m["sources"]), order[id(m)]))


def _value_key(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        # 1.2e9 from "$1.2bn" and 1,200,000,000 from "$1.2 billion" agree: the float's own noise goes, a digit an
        # outlet wrote does not (41,118 and 41,119 are two tolls, one disagreeing with the other)
        return float(f"{float(value):.9g}")
    return str(value).strip().casefold()


def _around(fig: Mapping[str, Any]) -> tuple[str, str] | None:
    """A figure's sentence before and after its surface; None when the surface is not in it."""
    sentence, surface = str(fig.get("sentence") or ""), str(fig.get("surface") or "")
    k = sentence.find(surface)
    return (sentence[:k], sentence[k + len(surface) :]) if k >= 0 else None


def _anchor(fig: Mapping[str, Any]) -> set[str]:
    """Content words next to a figure in its sentence: what it measures ("deal", "investment", "tankers")."""
    around = _around(fig)
    if around is None:
        return set()
    before = _WORD.findall(around[0].casefold())[-ANCHOR_BEFORE:]
    after = _WORD.findall(around[1].casefold())[:ANCHOR_AFTER]
    return {w for w in before + after if w not in _ANCHOR_STOP}


def _whole(fig: Mapping[str, Any]) -> set[str]:
    """The content words of what a share is of ("over 20% of the world's known reserves": world, known, reserves);
    empty when no "of" follows the figure."""
    around = _around(fig)
    found = _OF_WHOLE.match(around[1]) if around else None
    return {w for w in _WORD.findall(found.group(1).casefold()) if w not in _ANCHOR_STOP} if found else set()


def _disagree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two merged figures from different outlets giving different values for the same quantity. Two shares of
    different wholes are two quantities ("over 20% of the world's reserves", "over 70% of these resources")."""
    if a["kind"] != b["kind"] or a["kind"] == "date" or (a.get("unit") or "") != (b.get("unit") or ""):
        return False
    if not (a.get("key") and b.get("key")):
        return False
    va, vb = a.get("value"), b.get("value")
    if not isinstance(va, int | float) or not isinstance(vb, int | float) or va <= 0 or vb <= 0 or va == vb:
        return False
    if max(va, vb) / min(va, vb) > DISAGREE_FACTOR:
        return False
    outlets_a = {s["outlet"] for s in a["sources"]}
    outlets_b = {s["outlet"] for s in b["sources"]}
    if outlets_a & outlets_b:
        return False  # one outlet giving both values means two quantities
    if a["kind"] == "percent" and a["_whole"] and b["_whole"] and not a["_whole"] & b["_whole"]:
        return False
    return bool(a["_anchor"] & b["_anchor"])


def _words_of(text: object) -> str:
    """Words compared without case or spacing ("$500 Million", "$500 million"; a qualifier's "more  than")."""
    return " ".join(str(text or "").casefold().split())


def _bound(qualifier: object) -> str | None:
    """Whether a qualifier bounds its figure from one side: "above", "below" (figure_lexicon), or None."""
    return _QUALIFIER_BOUNDS.get(_words_of(qualifier))


def _singular(word: str) -> str:
    """A plural noun's singular, near enough to compare two outlets' counted nouns ("properties", "property")."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _counted(fig: Mapping[str, Any]) -> tuple[str | None, frozenset[str]]:
    """What a count counts: its noun's head, singular, and the nationalities qualifying it ("four Russian operatives":
    operative, {russian}). A bare nationality ("four Russians") has no head: it is counted people of that nation."""
    words = [w.casefold() for w in _NOUN_WORD.findall(str(fig.get("unit") or ""))]
    if not words:
        return "", frozenset()  # a bare count ("more than 125,000"): joins only another bare one
    singular = [_singular(w) for w in words]
    nations = frozenset(_DEMONYM_SAME.get(w, w) for w in singular if w in DEMONYMS)
    head = singular[-1]
    if head == "member" and len(singular) > 1 and singular[-2] not in DEMONYMS:
        head = singular[-2]  # "five crew members" count the crew ("five crew"), "two council members" the council
    head = _NOUN_SAME.get(head, head)
    return (None if head in DEMONYMS else head), nations


def _same_counted(noun: tuple[str | None, frozenset[str]], others: Sequence[tuple[str | None, frozenset[str]]]) -> bool:
    """Whether a count's noun is what a merged count counts: one head noun, singular or plural, with or without its
    other words ("20 critical minerals", "20 minerals"); a bare nationality joins a noun of that nation ("four
    Russians", "four Russian operatives"); two nations never join ("two Russian diplomats", "two American diplomats")."""
    head, nations = noun
    for _other_head, other_nations in others:
        if nations and other_nations and not nations & other_nations:
            return False
    for other_head, other_nations in others:
        if head is not None and head == other_head:
            return True
        if (head is None or other_head is None) and nations & other_nations:
            return True
    return False


def merge_figures(per_article: Iterable[Article]) -> list[dict[str, Any]]:
    """Figures of a story's articles, one per (kind, value, unit or counted noun), with every outlet that gave it; key
    first.

    Each result keeps the first telling's fields (a later telling's words when only it bounds the figure: "more than
    $500 million"), ``key`` if any outlet marked it key, and ``disagrees``:
    the other outlets' values for the same quantity (``[{"surface", "value", "outlet", "link"}]``, empty
    when none). Figures that disagree are placed next to each other.
    """
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    order: dict[tuple[Any, ...], int] = {}
    for outlet, link, figures in per_article:
        for fig in figures:
            value = fig.get("value")
            # a count's noun is compared below (_same_counted): "six luxury properties" is "six ... properties"
            count = fig.get("kind") == "count" and value is not None
            noun = _counted(fig) if count else None
            same_value: tuple[Any, ...] = (
                fig.get("kind"),
                _value_key(value) if value is not None else str(fig.get("surface", "")).strip().casefold(),
                None if count else (fig.get("unit") or "").casefold() or None,
            )
            # One value can measure two things ("over 70% of these resources", "70% of Ukraine's reserves"):
            # the same value joins a figure only when the words around them share one, or either has none.
            # Nor does "over 20%" join "less than 20%": bounded from either side, they are two quantities.
            anchor, bound = _anchor(fig), _bound(fig.get("qualifier"))
            n = 0
            while (same_value, n) in merged:
                other = merged[(same_value, n)]
                apart = bound and other["_bound"] and bound != other["_bound"]
                apart = apart or (noun is not None and not _same_counted(noun, other["_nouns"]))
                if not apart and (not anchor or not other["_anchor"] or anchor & other["_anchor"]):
                    break
                n += 1
            ident = (same_value, n)
            if ident not in merged:
                # (the first telling's share of what, as its sentence and surface stand for the figure: _disagree)
                merged[ident] = {
                    **fig,
                    "outlet": outlet,
                    "link": link,
                    "sources": [],
                    "_anchor": set(),
                    "_whole": _whole(fig),
                    "_bound": bound,
                    "_nouns": [],
                }
                order[ident] = len(order)
            m = merged[ident]
            words = _words_of(m.get("surface"))
            if bound and not m["_bound"] and words and words in _words_of(fig.get("surface")):
                # the same words with a bound say more: "more than $500 million", not a headline's "$500 Million";
                # its words and its outlet stand for the figure (a range or other words stay the first telling's)
                m.update({k: fig[k] for k in ("surface", "qualifier", "sentence", "start", "end") if k in fig})
                m["outlet"], m["link"], m["_whole"] = outlet, link, _whole(fig)
            m["key"] = bool(m.get("key")) or bool(fig.get("key"))
            m["score"] = max(float(m.get("score") or 0.0), float(fig.get("score") or 0.0))
            m["_anchor"] |= anchor
            m["_bound"] = m["_bound"] or bound
            if noun is not None and noun not in m["_nouns"]:
                m["_nouns"].append(noun)
            _add_source(m, outlet, link)
    ranked = sorted(
        merged, key=lambda k: (not merged[k]["key"], -len(merged[k]["sources"]), -merged[k]["score"], order[k])
    )
    figs = [merged[k] for k in ranked]
    for f in figs:
        f["disagrees"] = []
    for i, a in enumerate(figs):
        for b in figs[i + 1 :]:
            if _disagree(a, b):
                a["disagrees"].append({k: b[k] for k in ("surface", "value", "outlet", "link")})
                b["disagrees"].append({k: a[k] for k in ("surface", "value", "outlet", "link")})
    out: list[dict[str, Any]] = []
    placed: set[int] = set()
    for i, f in enumerate(figs):  # a figure's disagreeing values follow it
        if i in placed:
            continue
        placed.add(i)
        out.append(f)
        for j in range(i + 1, len(figs)):
            if j not in placed and any(d["surface"] == figs[j]["surface"] for d in f["disagrees"]):
                placed.add(j)
                out.append(figs[j])
    for f in out:
        del f["_anchor"], f["_whole"], f["_bound"], f["_nouns"]
    return out
