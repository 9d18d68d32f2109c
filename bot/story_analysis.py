"""A story's merged analysis: one summary across its outlets, and their figures and quotes merged.

Items are analysed one by one as they arrive (:func:`article_analysis`); a story's analysis is recomputed
from its members after each cycle in which members joined (:func:`refresh_stories`), off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from summarizer import summarize_story
from summarizer.models import Analysis, StoryArticle

from .models import ArticleAnalysis, MemberArticle, Source, StoryAnalysis, StoryFigure, StoryQuote, SummaryLine
from .store import Store

log = logging.getLogger(__name__)

Analyzer = Callable[[str, str | None], Analysis]

# Story summary length (sentences), as in the digest (bot/digest.py DIGEST_SUMMARY_SENTENCES).
STORY_SUMMARY_SENTENCES = 3
# Most figures / quotes kept on a story after merging outlets: more is never shown (bot/digest.py).
STORY_MAX_FIGURES = 12
STORY_MAX_QUOTES = 12
# A story's analysis reads its first tellings and its latest ones (the newest development stays visible), so a
# story of hundreds of members costs what one of 24 does on every refresh.
ANALYSIS_FIRST_MEMBERS = 8
ANALYSIS_LATEST_MEMBERS = 16
# Two quotes are one when this share of the shorter one's words is in the other (same quote, trimmed
# differently by two outlets); 0.7 kept the trims of tests/test_story_analysis.py together and apart.
QUOTE_OVERLAP = 0.7


def article_analysis(
    analyzer: Analyzer, text: str, title: str | None, outlet: str, link: str | None
) -> ArticleAnalysis:
    """One article's analysis tagged with its outlet and link (an empty one if the analyzer fails)."""
    try:
        return ArticleAnalysis.of(analyzer(text, title), outlet, link)
    except Exception:
        log.exception("analysis failed for %s", link)
        return ArticleAnalysis()


def story_analysis(members: Sequence[MemberArticle]) -> StoryAnalysis:
    """A story's summary lines, figures and quotes, each with the outlet and link it came from."""
    usable = [m for m in members if m.text]
    lines: list[SummaryLine] = []
    if usable:
        try:
            summary = summarize_story(
                [StoryArticle(text=m.text or "", title=m.title, source=m.link) for m in usable],
                sentences=STORY_SUMMARY_SENTENCES,
            )
            lines = [SummaryLine(s.text, usable[s.article].outlet, usable[s.article].link) for s in summary.sentences]
        except Exception:
            log.exception("story summary failed; using the first article's summary")
    if not lines:
        for m in members:
            if m.analysis and m.analysis.summary:
                lines = [SummaryLine(t, m.outlet, m.link) for t in m.analysis.summary]
                break
    analysed = [(m, m.analysis) for m in members if m.analysis is not None]
    return StoryAnalysis(
        summary=tuple(lines),
        figures=tuple(merge_figures([(m.outlet, m.link, a.figures) for m, a in analysed])[:STORY_MAX_FIGURES]),
        quotes=tuple(merge_quotes([(m.outlet, m.link, a.quotes) for m, a in analysed])[:STORY_MAX_QUOTES]),
    )


async def refresh_stories(store: Store, with_analysis: bool = True, limit: int = 200) -> int:
    """Recompute the merged analysis of stories whose members changed; returns how many were done."""
    done = 0
    for story_id in await store.stories_needing_analysis(limit):
        updated_at, members = await store.story_members(
            story_id, first=ANALYSIS_FIRST_MEMBERS, latest=ANALYSIS_LATEST_MEMBERS
        )
        analysis = await asyncio.to_thread(story_analysis, members) if with_analysis else StoryAnalysis()
        if await store.set_story_analysis(story_id, analysis, updated_at):
            done += 1
    return done


# --------------------------------------------------------------------------- merging across outlets


def _value_key(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(f"{float(value):.4g}")  # 1.2e9 from "$1.2bn" and 1,200,000,000 from "$1.2 billion" agree
    return str(value).strip().casefold()


def _with_source(sources: tuple[Source, ...], outlet: str | None, link: str | None) -> tuple[Source, ...]:
    source = Source(outlet, link)
    return sources if source in sources else (*sources, source)


def merge_figures(
    per_article: Iterable[tuple[str | None, str | None, Sequence[StoryFigure]]],
) -> list[StoryFigure]:
    """Figures of a story's articles, one per (kind, value, unit), with every outlet that gave it; key first.

    Each result keeps the first telling's fields, the first source as ``outlet``/``link``, all of them in
    ``sources``, ``key`` if any outlet marked it key, and the highest score.
    """
    merged: dict[tuple[Any, ...], StoryFigure] = {}
    order: dict[tuple[Any, ...], int] = {}
    for outlet, link, figures in per_article:
        for fig in figures:
            ident: tuple[Any, ...] = (
                fig.kind,
                _value_key(fig.value) if fig.value is not None else fig.surface.strip().casefold(),
                (fig.unit or "").casefold() or None,
            )
            m = merged.get(ident)
            if m is None:
                m = replace(fig, outlet=outlet, link=link, sources=())
                order[ident] = len(order)
            merged[ident] = replace(
                m, key=m.key or fig.key, score=max(m.score, fig.score), sources=_with_source(m.sources, outlet, link)
            )
    ranked = sorted(merged, key=lambda k: (not merged[k].key, -len(merged[k].sources), -merged[k].score, order[k]))
    return [merged[k] for k in ranked]


_QUOTE_WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).replace("’", "'").replace("‘", "'")


def _speaker_key(speaker: str | None) -> str | None:
    return _fold(speaker).casefold().strip() if speaker else None


def _same_speaker(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    if a == b:
        return True
    # "Vladimir Putin" and "Putin": one name is the end of the other.
    wa, wb = a.split(), b.split()
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return bool(short) and long_[-len(short) :] == short


def _overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def merge_quotes(per_article: Iterable[tuple[str | None, str | None, Sequence[StoryQuote]]]) -> list[StoryQuote]:
    """Quotes of a story's articles, one per (speaker, words), with every outlet that carried it.

    Two quotes are the same when their speakers agree ("Putin" = "Vladimir Putin") and at least
    QUOTE_OVERLAP of the shorter one's words are in the other. The fullest wording is kept (with its
    outlet/link first); ``sources`` lists every outlet. Ranked: attributed first, then by outlets.
    """
    merged: list[StoryQuote] = []
    words: list[set[str]] = []
    speakers: list[str | None] = []
    for outlet, link, quotes in per_article:
        for q in quotes:
            w = {t.casefold() for t in _QUOTE_WORD.findall(_fold(q.text))}
            spk = _speaker_key(q.speaker)
            for n, m in enumerate(merged):
                if _same_speaker(spk, speakers[n]) and _overlap(w, words[n]) >= QUOTE_OVERLAP:
                    if len(q.text) > len(m.text):
                        m = replace(q, outlet=outlet, link=link, sources=m.sources)
                        words[n] = w
                        if spk and (not speakers[n] or len(spk) > len(speakers[n] or "")):
                            speakers[n] = spk
                    elif not m.speaker and q.speaker:
                        m = replace(m, speaker=q.speaker)
                    merged[n] = replace(m, sources=_with_source(m.sources, outlet, link))
                    break
            else:
                merged.append(replace(q, outlet=outlet, link=link, sources=(Source(outlet, link),)))
                words.append(w)
                speakers.append(spk)
    order = {id(m): n for n, m in enumerate(merged)}
    return sorted(merged, key=lambda m: (not m.speaker, -len(m.sources), order[id(m)]))
