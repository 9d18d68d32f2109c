"""A story's merged analysis: one summary across its outlets, and their figures and quotes merged.

The work is the summarizer's (summarizer.story, summarizer.merge); this module feeds it a story's members
from the store and turns the result into the stored value types.

A cycle's new on-topic articles are analysed together once its feeds are stored (:func:`analyse_articles`: their
figures and quotes; the summary is a story's, made across its members), in the poller's worker processes while the
poller clusters; a story's analysis is recomputed from its members after each cycle in which members joined
(:func:`refresh_stories`), off the event loop (in the worker processes, on every core).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from summarizer.analysis import analyze
from summarizer.extractive import summarize
from summarizer.furniture import clean_description
from summarizer.merge import merge_figures, merge_quotes
from summarizer.models import Analysis
from summarizer.story import StoryMember, StorySummary, summarize_members
from summarizer.text import with_headline

from .models import (
    ArticleAnalysis,
    ArticleToAnalyse,
    MemberArticle,
    StoryAnalysis,
    StoryFigure,
    StoryQuote,
    SummaryLine,
)

if TYPE_CHECKING:  # article_analysis runs in the worker processes (bot.parse_pool), which need no database code
    from .parse_pool import ParsePool
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
# Stories analysed at once per worker process: enough to keep every worker busy while the store reads the next.
IN_FLIGHT_PER_WORKER = 2


def article_facts(text: str, title: str | None) -> Analysis:
    """The poller's analyzer: an article's figures and quotes, without a summary of its own. A story's summary is
    chosen across its members (story_analysis), so an article's own summary would only be that summary's fallback,
    made there when it is needed. bench/poll.py's first cycle analyses 2,513 pages: the summary was about a fifth
    of their analysis (worker samples, py-spy); on the 150 CNN articles of eval/summarization, 29% of analyze()."""
    return analyze(with_headline(clean_description(text), title), title, summary=False)


def article_analysis(
    analyzer: Analyzer, text: str, title: str | None, outlet: str, link: str | None
) -> ArticleAnalysis:
    """One article's analysis tagged with its outlet and link (an empty one if the analyzer fails)."""
    try:
        return ArticleAnalysis.of(analyzer(text, title), outlet, link)
    except Exception:
        log.exception("analysis failed for %s", link)
        return ArticleAnalysis()


def analyse_articles(analyzer: Analyzer, articles: Sequence[ArticleToAnalyse]) -> list[str]:
    """article_analysis of each article, in order, as the JSON text it is stored as: one worker call for many (the
    poller's batch after its feeds). Text, not objects: the poller holds a big cycle's answers until it writes them
    (bench/poll.py's 2,513: 3.0 MB, against 9.5 MB as dicts), and has nothing to convert."""
    return [json.dumps(article_analysis(analyzer, a.text, a.title, a.outlet, a.link).to_json()) for a in articles]


def story_analysis(members: Sequence[MemberArticle]) -> StoryAnalysis:
    """A story's summary across its outlets, and its figures and quotes merged, each with where it came from, as the
    bot stores and shows it: the first article's summary when the story's cannot be made, at most STORY_MAX_FIGURES
    figures and STORY_MAX_QUOTES quotes."""
    lines: list[SummaryLine] = []
    try:
        lines = [SummaryLine(s.text, s.outlet, s.link) for s in story_summary(members).sentences]
    except Exception:
        log.exception("story summary failed; using the first article's summary")
    if not lines:
        lines = _first_article_summary(members)
    figures, quotes = merged_facts(members)
    return StoryAnalysis(
        summary=tuple(lines),
        figures=tuple(StoryFigure.from_json(f) for f in figures[:STORY_MAX_FIGURES]),
        quotes=tuple(StoryQuote.from_json(q) for q in quotes[:STORY_MAX_QUOTES]),
    )


def story_summary(
    members: Sequence[MemberArticle], sentences: int | None = STORY_SUMMARY_SENTENCES, words: int | None = None
) -> StorySummary:
    """The summary chosen across all members at once (summarizer.story: what most outlets say, no fact twice, the
    newest development kept); each sentence's ``doc`` is its member's index in ``members``. Members with neither text
    nor title are left out. The bot (story_analysis) and `summarize --stories-jsonl` both summarize here."""
    usable = [k for k, m in enumerate(members) if m.text or m.title]
    if not usable:
        return StorySummary((), "no articles" if not members else "no usable sentences in the story's articles")
    summary = summarize_members(
        [
            StoryMember(text=m.text or "", title=m.title, outlet=m.outlet, link=m.link, published=m.published)
            for m in (members[k] for k in usable)
        ],
        sentences=sentences,
        words=words,
    )
    return replace(summary, sentences=tuple(replace(s, doc=usable[s.doc]) for s in summary.sentences))


def merged_facts(members: Sequence[MemberArticle]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The members' figures and quotes merged by summarizer.merge (one speaker per person across outlets, named as
    the articles' texts name them; one figure with every source; different values for one quantity side by side),
    key figures first. The bot (story_analysis) and `summarize --stories-jsonl` both merge here."""
    analysed = [(m, m.analysis) for m in members if m.analysis is not None]
    figures = merge_figures([(m.outlet, m.link, [f.to_json() for f in a.figures]) for m, a in analysed])
    quotes = merge_quotes(
        [(m.outlet, m.link, [q.to_json() for q in a.quotes]) for m, a in analysed],
        texts=[m.text for m in members if m.text],
    )
    return figures, quotes


def _first_article_summary(members: Sequence[MemberArticle]) -> list[SummaryLine]:
    """The first member's own summary, when the story's could not be made: stored with its analysis (items analysed
    before article_facts), else made now from its text."""
    for m in members:
        if m.analysis and m.analysis.summary:
            return [SummaryLine(t, m.outlet, m.link) for t in m.analysis.summary]
        if m.text:
            try:
                sentences = summarize(m.text, sentences=STORY_SUMMARY_SENTENCES).sentences
            except Exception:
                log.exception("article summary failed for %s", m.link)
                continue
            if sentences:
                return [SummaryLine(s.text, m.outlet, m.link) for s in sentences]
    return []


async def refresh_stories(
    store: Store, with_analysis: bool = True, limit: int = 200, pool: ParsePool | None = None
) -> int:
    """Recompute the merged analysis of stories whose members changed; returns how many were done. With ``pool``,
    stories are analysed in its worker processes, several at once (IN_FLIGHT_PER_WORKER per worker, so only those
    stories' members are in memory); without, one after another in a thread."""
    in_flight = asyncio.Semaphore(IN_FLIGHT_PER_WORKER * pool.workers if pool is not None else 1)

    async def refresh(story_id: int) -> bool:
        async with in_flight:
            updated_at, members = await store.story_members(
                story_id, first=ANALYSIS_FIRST_MEMBERS, latest=ANALYSIS_LATEST_MEMBERS
            )
            if not with_analysis:
                analysis = StoryAnalysis()
            elif pool is not None:
                analysis = await pool.call(story_analysis, members)
            else:
                analysis = await asyncio.to_thread(story_analysis, members)
            return await store.set_story_analysis(story_id, analysis, updated_at)

    ids = await store.stories_needing_analysis(limit)
    return sum(await asyncio.gather(*(refresh(story_id) for story_id in ids)))
