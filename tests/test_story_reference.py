"""Story summaries as they were before the CPU work, kept here as the reference, give what summarizer/story.py gives.

The reference is the earlier code of summarizer/story.py (candidates built sentence by sentence, every candidate's
gain summed again at every step) on the reference furniture of tests/test_furniture_prechecks.py (the patterns
searched plainly). It runs on real text: the multi-document clusters of ../shared/eval/multidoc (as given, dated so
the newest member counts, and each document alone) and feed items of ../shared/feeds-corpus grouped by feed (titles
and descriptions, the members a story has before pages are fetched).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from shared import shared_path
from test_furniture_prechecks import reference_clean_description, reference_is_caption, reference_is_furniture_sentence

from summarizer import story
from summarizer.extractive import _stem
from summarizer.furniture import clean_title, lead_furniture
from summarizer.story import StoryMember, StorySentence, StorySummary, _Candidate
from summarizer.text import normalize, prepare, unbalanced_quote

pytestmark = pytest.mark.slow  # the reference is the slow code

# ---- the reference -----------------------------------------------------------------------------------------


def reference_content_key(text: str) -> frozenset[str]:
    out: set[str] = set()
    folded = story._NAME_RUN.sub(lambda m: m.group(0).split()[-1], text)
    for t in story._tokens(folded):
        if re.match(r"^\d", t):
            out.add("<num>")
            continue
        s = _stem(t)
        if s is not None and t not in story._HONORIFICS:
            out.add(s)
    return frozenset(out)


def reference_concepts(tokens: Sequence[str]) -> frozenset[tuple[str, ...]]:
    stems = [_stem(t) for t in tokens]
    out: set[tuple[str, ...]] = set()
    for i, s in enumerate(stems):
        if s is not None:
            out.add((s,))
        if i + 1 < len(stems):
            a, b = s, stems[i + 1]
            if a is not None or b is not None:
                out.add((a or tokens[i], b or tokens[i + 1]))
    return frozenset(out)


def reference_member_sentences(member: StoryMember) -> list[tuple[int, str, int, int]]:
    text = reference_clean_description(member.text)
    prepared = prepare(text, title=member.title)
    if prepared.problem or not prepared.text.strip():
        return []
    sents = prepared.sentences[: story.MAX_SENTENCES_PER_MEMBER]
    out = []
    for s, (a, b) in zip(sents, prepared.sentence_spans, strict=False):
        if prepared.asides and prepared.in_aside(a, b):
            continue
        t = s.text.strip()
        if (
            not t
            or unbalanced_quote(t)
            or reference_is_furniture_sentence(t)
            or reference_is_caption(t)
            or story._headline_case(t)
        ):
            continue
        cut = lead_furniture(t)
        if t.rstrip().rstrip('"”’)]')[-1:] not in (".", "!", "?"):
            continue
        raw = prepared.original_slice(a, b)
        at = member.text.find(raw) if raw else -1
        if at < 0 and raw.endswith("."):
            raw = raw[:-1]
            at = member.text.find(raw)
        start, end = (at, at + len(raw)) if at >= 0 else (0, 0)
        if cut:
            exact = at >= 0 and normalize(member.text[start:end]) == t
            t = t[cut:]
            start, end = (start + cut, end) if exact else (0, 0)
        out.append((s.index, t, start, end))
    return out


def reference_candidates(members: Sequence[StoryMember]) -> list[_Candidate]:
    cands: list[_Candidate] = []
    for k, m in enumerate(members):
        sents = reference_member_sentences(m)
        short_member = len(sents) <= 3 and sum(len(t.split()) for _, t, _, _ in sents) < 80
        floor = story.MIN_WORDS_SHORT_MEMBER if short_member else story.MIN_WORDS
        for pos, t, start, end in sents:
            n = len(t.split())
            if n < floor or n > story.MAX_WORDS:
                continue
            toks = story._tokens(t)
            cands.append(_Candidate(t, k, pos, start, end, n, reference_concepts(toks), reference_content_key(t)))
    return cands


def reference_title_candidates(members: Sequence[StoryMember]) -> list[_Candidate]:
    cands = []
    for k, m in enumerate(members):
        if not m.title:
            continue
        t = clean_title(m.title, outlet=m.outlet)
        n = len(t.split())
        if story.MIN_WORDS_SHORT_MEMBER <= n <= story.MAX_WORDS:
            cands.append(_Candidate(t, k, -1, 0, 0, n, reference_concepts(story._tokens(t)), reference_content_key(t)))
    return cands


def reference_weights(cands: Sequence[_Candidate]) -> dict[tuple[str, ...], float]:
    docs: dict[tuple[str, ...], set[int]] = {}
    count: dict[tuple[str, ...], int] = {}
    for c in cands:
        for x in c.concepts:
            docs.setdefault(x, set()).add(c.doc)
            count[x] = count.get(x, 0) + 1
    used = len({c.doc for c in cands})
    min_df = max(2, math.ceil(story.MIN_SHARE * used))
    w: dict[tuple[str, ...], float] = {}
    for x, ds in docs.items():
        df = len(ds)
        v = float(df) if used > 1 and df >= min_df else (math.log2(count[x]) if used == 1 and count[x] >= 2 else 0.0)
        if v > 0:
            w[x] = v * (story.UNIGRAM_WEIGHT if len(x) == 1 else 1.0)
    return w


def reference_story_title(members: Sequence[StoryMember]) -> str | None:
    cands = reference_title_candidates(members) or [
        _Candidate(t, k, -1, 0, 0, len(t.split()), reference_concepts(story._tokens(t)), reference_content_key(t))
        for k, m in enumerate(members)
        if m.title and (t := clean_title(m.title, outlet=m.outlet))
    ]
    if not cands:
        return None
    weights = reference_weights(cands)
    best = max(
        cands,
        key=lambda c: (sum(weights.get(x, 0.0) for x in c.concepts) / c.n_words**story.LENGTH_EXPONENT, -c.doc),
    )
    return best.text


def reference_summarize(
    members: Sequence[StoryMember], sentences: int | None = None, words: int | None = None
) -> StorySummary:
    if sentences is None and words is None:
        sentences = 3
    if not members:
        return StorySummary((), "no articles")
    cands = reference_candidates(members)
    headlines_only = not cands
    if headlines_only:
        cands = reference_title_candidates(members)
    if not cands:
        return StorySummary((), "no usable sentences in the story's articles")
    weights = reference_weights(cands)
    newest = story._newest(members)
    prior = [
        (1.0 + story.LEAD_WEIGHT * math.exp(-c.index / story.LEAD_DECAY))
        * (1.0 + story.RECENCY_WEIGHT * (c.doc == newest))
        * (story.DEPENDENT_PENALTY if story._DEPENDENT_OPENING.match(c.text) else 1.0)
        for c in cands
    ]
    covered: set[tuple[str, ...]] = set()
    said: set[str] = set()
    taken: list[int] = []
    budget = words if words is not None else 10**9
    limit = sentences if sentences is not None else 10**9
    used_words = 0
    alive = [True] * len(cands)
    while len(taken) < limit:
        best, best_score = -1, 0.0
        for i, c in enumerate(cands):
            if not alive[i]:
                continue
            if used_words + c.n_words > budget:
                alive[i] = False
                continue
            if said and c.content and len(c.content & said) >= story.REDUNDANCY * len(c.content):
                alive[i] = False
                continue
            gain = sum(weights.get(x, 0.0) for x in c.concepts if x not in covered)
            score = (gain + 1e-3) * prior[i] / c.n_words**story.LENGTH_EXPONENT
            if score > best_score:
                best, best_score = i, score
        if best < 0:
            break
        taken.append(best)
        alive[best] = False
        covered |= cands[best].concepts
        said |= cands[best].content
        used_words += cands[best].n_words
    if newest is not None and taken:
        taken = story._show_newest(cands, taken, newest, budget)
    agreement = {i: sum(weights.get(x, 0.0) for x in cands[i].concepts) for i in taken}
    taken = sorted(taken, key=lambda i: (cands[i].index > story.READING_LEAD, -agreement[i], taken.index(i)))
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
    if not headlines_only and sentences is not None and words is None and len(out) < sentences:
        reason = f"the story has only {len(out)} distinct usable sentence{'s' if len(out) != 1 else ''}"
    return StorySummary(out, reason)


# ---- the stories ------------------------------------------------------------------------------------------

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def _clusters() -> list[list[StoryMember]]:
    lines = shared_path("eval/multidoc/dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [
        [StoryMember(d["text"], d.get("title"), d.get("id"), f"https://example.org/{d['id']}") for d in r["docs"]]
        for r in map(json.loads, lines)
    ]


def _feed_stories() -> list[list[StoryMember]]:
    """Each feed's items in runs of eight: title and description members, as before pages are fetched."""
    from bot.feeds import parse_feed

    out = []
    for path in sorted(shared_path("feeds-corpus").glob("*/*.xml")):
        items = parse_feed(path.read_bytes(), None, "http://feeds.example/").items
        members = [StoryMember(i.summary, i.title, path.stem, i.link, i.published) for i in items]
        out += [members[k : k + 8] for k in range(0, len(members), 8)]
    return out


def _check(members: list[StoryMember], **limits: int) -> StorySummary:
    summary = story.summarize_members(members, **limits)
    assert summary == reference_summarize(members, **limits), [m.link for m in members]
    return summary


def test_the_multidoc_clusters_get_the_reference_summaries() -> None:
    clusters = _clusters()
    assert len(clusters) == 250
    for members in clusters:
        assert story._candidates(members) == reference_candidates(members)  # sentences, offsets, concepts
        _check(members, words=100)
        assert story.story_title(members) == reference_story_title(members)


def test_dated_clusters_and_single_documents_get_the_reference_summaries() -> None:
    newest_shown = 0
    for n, members in enumerate(_clusters()):
        # dated oldest first (the last document is the newest), and every fifth cluster newest first
        step = timedelta(hours=-1 if n % 5 == 0 else 1)
        dated = [StoryMember(m.text, m.title, m.outlet, m.link, T0 + k * step) for k, m in enumerate(members)]
        newest = story._newest(dated)
        newest_shown += any(s.doc == newest for s in _check(dated, sentences=3).sentences)
        if n % 2 == 0:  # one member alone: concepts weigh by how often they recur in it
            _check(members[:1], sentences=3)
    assert newest_shown > 100  # the newest member's place in the summary was exercised


def test_feed_item_stories_get_the_reference_summaries() -> None:
    stories = _feed_stories()
    assert len(stories) > 100
    headlines_only = 0
    for members in stories:
        _check(members, sentences=3)
        _check(members, words=60)
        assert story.story_title(members) == reference_story_title(members)
        headlines_only += reference_summarize(members).reason == "only headlines: the articles have no usable sentences"
    assert headlines_only >= 1  # the headline fallback was exercised
