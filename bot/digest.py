"""Story formatting and composition: a story's block, the daily digest, alerts, one article's analysis, /trend.

Transport-free: everything here builds :mod:`bot.message` values from :mod:`bot.models` values. Telegram
(bot.delivery, bot.telegram), the console and the demo render and send them; bot.commands and bot.delivery
both import this module and neither imports the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from summarizer.models import Analysis
from summarizer.speakers import fold

from .clock import local_zone
from .message import (
    MESSAGE_LIMIT,
    Block,
    Line,
    Reply,
    Span,
    b,
    block,
    fit_block,
    i,
    line,
    link,
    split_blocks,
    trim,
)
from .models import ArticleAnalysis, Source, StoryFigure, StoryQuote, StoryView, SubscriptionView, outlet_id
from .textcut import ELLIPSIS

if TYPE_CHECKING:  # the store (SQLAlchemy, ~0.5 s to import) is a parameter here, not needed to render a reply
    from .store import Store

# How much of a story a digest shows. Chosen by reading digests of the seed feeds on a phone screen:
# three sentences and two quotes keep a story to about one screen; more made the digest a wall.
DIGEST_SUMMARY_SENTENCES = 3
DIGEST_FIGURES = 3
DIGEST_QUOTES = 2
DIGEST_SOURCES = 5
DIGEST_MAX_STORIES = 20  # per digest; the rest are counted in the footer
DIGEST_GROWN = 5  # "+3 outlets since the last digest" lines, the most grown stories first
FIGURE_CONTEXT_CHARS = 140  # the sentence around a figure, trimmed to this many characters
FIGURE_CONTEXT_SHORT = 60  # when the summary above already shows that sentence
QUOTE_CHARS = 280  # a longer quote is cut at a word boundary
WHOLE_QUOTE_WORDS = 3  # a quote of fewer words ("“unsafe”", "“payback”") is shown after the whole remarks
# A digest covers the stories since the last one; the first, or after downtime, looks back this far at most.
DIGEST_WINDOW = timedelta(hours=24)
DIGEST_CATCH_UP = timedelta(days=7)
SUMMARY_HINT = "Send /summary N (the story's number) for a story in full."  # a digest's closing line
TREND_STORY_LIMIT = 5000  # stories read for /trend's 14 days (far above any real day's count)


def figure_context(figure: StoryFigure, limit: int = FIGURE_CONTEXT_CHARS) -> str:
    """The sentence around a figure, trimmed to a window centred on it."""
    sentence = " ".join(figure.sentence.split())
    surface = figure.surface
    if len(sentence) <= limit:
        return sentence
    at = sentence.find(surface)
    if at < 0:
        return trim(sentence, limit)
    start = max(0, at - (limit - len(surface)) // 2)
    end = min(len(sentence), start + limit)
    start = max(0, end - limit)
    piece = sentence[start:end]
    if start > 0:
        piece = ELLIPSIS + piece[piece.find(" ") + 1 :] if " " in piece else ELLIPSIS + piece
    if end < len(sentence):
        piece = piece[: piece.rfind(" ")] + ELLIPSIS if " " in piece else piece + ELLIPSIS
    return piece


def outlet_count(story: StoryView) -> int:
    """How many distinct outlets covered the story (StoryView.outlets)."""
    return len(story.outlets()) or 1


def _outlets_label(n: int) -> str:
    return f"{n} outlet" if n == 1 else f"{n} outlets"


def _summary_text(story: StoryView, sentences: int) -> str:
    """The first summary lines as one paragraph; a line without an end mark (a headline-only telling) gets a full
    stop, so two headlines do not read as one sentence."""
    lines = [" ".join(str(s.text).split()) for s in list(story.summary)[:sentences]]
    return " ".join(t if t[-1:] in ".!?…\"”’')" else f"{t}." for t in lines if t)


def _source_spans(
    sources: Sequence[Source], outlet: str | None, link_: str | None, own: Mapping[str, Source] | None = None
) -> list[str | Span]:
    """' (Reuters, AP)': every outlet that gave it, each linked; the first source when none are listed. ``own``: the
    story's outlets as its own tellings name and link them (StoryView.own_sources), before an aggregator's name and
    redirect for the same article."""
    listed = list(sources) or ([Source(outlet, link_)] if outlet else [])
    by_outlet: dict[str | None, Source] = {}
    for source in listed:  # one link per outlet: two articles of one outlet are one source to a reader
        key = outlet_id(source.outlet) if source.outlet else None
        if key not in by_outlet:
            by_outlet[key] = own[key] if own and key is not None and key in own else source
    listed = list(by_outlet.values())
    if not listed:
        return []
    parts: list[str | Span] = [" ("]
    for n, s in enumerate(listed):
        if n:
            parts.append(", ")
        parts.append(link(str(s.outlet or "source"), s.link))
    parts.append(")")
    return parts


def disagreement(figure: StoryFigure) -> str | None:
    """' ⚠ TASS says $350 billion': other outlets' different values for the same quantity, when there are any."""
    if not figure.disagrees:
        return None
    others = "; ".join(f"{d.outlet or 'another outlet'} says {d.surface}" for d in figure.disagrees[:3])
    return f" ⚠ outlets differ: {others}"


def figure_line(figure: StoryFigure, *, source: bool = True, own: Mapping[str, Source] | None = None) -> Line:
    """'• **$1.2 billion** — context (Reuters, AP) ⚠ outlets differ: …'."""
    context = figure_context(figure)
    return line(
        "• ",
        b(figure.surface),
        " — " + context if context else None,
        *(_source_spans(figure.sources, figure.outlet, figure.link, own) if source else ()),
        disagreement(figure),
    )


def figure_lines(figures: Sequence[StoryFigure], summary: str = "") -> list[Line]:
    """Digest figure lines: figures from one sentence share a line; a sentence the summary already shows is cut short."""
    groups: dict[str, list[StoryFigure]] = {}
    for f in figures:
        groups.setdefault(" ".join(str(f.sentence or "").split()), []).append(f)
    out = []
    for sentence, group in groups.items():
        limit = FIGURE_CONTEXT_SHORT if sentence and sentence in summary else FIGURE_CONTEXT_CHARS
        context = figure_context(group[0], limit)
        parts: list[str | Span] = ["• "]
        for n, f in enumerate(group):
            if n:
                parts.append(" · ")
            parts.append(b(str(f.surface or "")))
        if context:
            parts.append(" — " + context)
        for f in group:
            differ = disagreement(f)
            if differ:
                parts.append(differ)
        out.append(line(*parts))
    return out


def quote_line(quote: StoryQuote, *, source: bool = True, own: Mapping[str, Source] | None = None) -> Line:
    """'“text” — *Speaker* (Reuters, AP)': every outlet that carried it."""
    return line(
        "“" + trim(str(quote.text or ""), QUOTE_CHARS).rstrip(",;: ") + "”",
        " — ",
        i(str(quote.speaker or "unattributed")),
        *(_source_spans(quote.sources, quote.outlet, quote.link, own) if source else ()),
    )


def key_figures(story: StoryView, limit: int) -> list[StoryFigure]:
    """A story's key figures (summarizer.figures marks them), dates last, no repeats: what "Key figures" shows.

    Only key ones: a story without any shows none, rather than "two sources" or "a 56-year-old" under that heading."""
    return [f for f in distinct_figures(story) if f.key][:limit]


def distinct_figures(story: StoryView) -> list[StoryFigure]:
    """A story's figures, one per surface (case aside): key ones first, dates last, else in the story's order."""
    figures = sorted((f for f in story.figures if f.surface), key=lambda f: (f.kind == "date", not f.key))
    seen: set[str] = set()
    out = []
    for f in figures:
        name = str(f.surface).casefold()
        if name not in seen:
            seen.add(name)
            out.append(f)
    return out


def readable_quotes(quotes: Iterable[StoryQuote], shown: str = "") -> list[StoryQuote]:
    """Quotes worth reading first: with a named speaker, then whole remarks before a word or two ("“unsafe”"); none
    whose words another quote here, or the summary above (``shown``), already gives ("unsafe and unprofessional"
    after "an unsafe and unprofessional intercept")."""
    said = fold(shown)
    ranked = sorted(
        (q for q in quotes if q.text), key=lambda q: (q.speaker is None, len(q.text.split()) < WHOLE_QUOTE_WORDS)
    )
    kept: set[int] = set()
    folded: list[tuple[str, bool]] = []  # a kept quote's words, and whether it names its speaker
    for q in sorted(ranked, key=lambda q: -len(q.text)):  # the longer telling first, so the shorter is found in it
        key = fold(q.text)
        # (an unattributed telling never hides an attributed one: /quotes shows only quotes with a speaker)
        if key and not (said and key in said) and not any(key in o and (named or not q.speaker) for o, named in folded):
            folded.append((key, q.speaker is not None))
            kept.add(id(q))
    return [q for q in ranked if id(q) in kept]


def attributed_quotes(story: StoryView, limit: int, shown: str = "") -> list[StoryQuote]:
    """Quotes with a named speaker first, whole remarks before scare quotes; none the summary above (``shown``) or
    another quote already gives."""
    return readable_quotes(story.quotes, shown)[:limit]


def sources_line(story: StoryView, limit: int = DIGEST_SOURCES) -> Line:
    """'Sources: Reuters · AP · +2 more', each a link to that outlet's article."""
    outlets = story.by_outlet()  # one outlet's two feeds are one source, linked to its own article
    parts: list[str | Span] = ["Sources: "]
    for n, (m, *_) in enumerate(outlets[:limit]):
        if n:
            parts.append(" · ")
        parts.append(link(str(m.outlet or "source"), m.link))
    if not outlets:
        parts.append(link("link", story.link))
    if len(outlets) > limit:
        parts.append(f" · +{len(outlets) - limit} more")
    return line(*parts)


def story_block(story: StoryView, *, heading: Line | None = None, also: Sequence[str] = ()) -> Block:
    """One story in a digest or alert: number, linked title, outlets, summary, figures, quotes, sources.

    ``also``: the other topics (of the digest) the story is on, shown as labels after the outlet count.
    """
    lines: list[Line] = []
    if heading:
        lines.append(heading)
    lines.append(
        line(
            b(f"{story.id}."),
            " ",
            link(str(story.title or "Untitled"), story.link),
            " · " + _outlets_label(outlet_count(story)),
            i(" · also " + ", ".join(also)) if also else None,
        )
    )
    summary = _summary_text(story, DIGEST_SUMMARY_SENTENCES)
    if summary:
        lines.append(line(summary))
    lines.extend(figure_lines(key_figures(story, DIGEST_FIGURES), summary))
    lines.extend(quote_line(q, source=False) for q in attributed_quotes(story, DIGEST_QUOTES, shown=summary))
    lines.append(sources_line(story))
    return Block(tuple(lines))


def distinct_words(words: Iterable[str]) -> list[str]:
    """Each word once, as first written: case, a plural "s" and a possessive "'s" aside ("rare earth, Rare Earths" is
    "rare earth"; the members of a story found the same term in their own spellings)."""
    seen: set[str] = set()
    out = []
    for word in words:
        key = word.casefold().replace("’", "'").removesuffix("'s")
        key = key[:-1] if len(key) > 3 and key.endswith("s") else key
        if key not in seen:
            seen.add(key)
            out.append(word)
    return out


def _local_time(when: datetime, tz: tzinfo) -> str:
    """A stored time (UTC, naive from SQLite) as the chat reads it: "2026-12-01 13:34 JST"."""
    local = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def story_full_blocks(story: StoryView, tz: tzinfo = UTC) -> list[Block]:
    """A story in full (/summary N): every summary line with its outlet, key figures then the others, all quotes and
    sources. Its time is when its first telling was published (the story's time: bot.models), in the chat's zone."""
    head = [
        line(b(f"{story.id}."), " ", link(str(story.title or "Untitled"), story.link)),
        line(
            i(
                f"{_outlets_label(outlet_count(story))} · topics: {', '.join(story.topics) or '—'}"
                f" · published {_local_time(story.first_seen, tz)}"
            )
            if story.first_seen
            else None
        ),
    ]
    blocks = [Block(tuple(ln for ln in head if ln))]
    summary = [
        line(
            "• ",
            " ".join(str(s.text).split()),
            " (",
            link(str(s.outlet or "source"), s.link),
            ")",
        )
        for s in story.summary
    ]
    if summary:
        blocks.append(Block((line(b("Summary")), *summary), may_split=True))
    figures = distinct_figures(story)
    own = story.own_sources()
    for heading, shown in (
        ("Key figures", [f for f in figures if f.key]),
        ("Other figures", [f for f in figures if not f.key]),
    ):
        if shown:
            blocks.append(Block((line(b(heading)), *(figure_line(f, own=own) for f in shown)), may_split=True))
    quotes = attributed_quotes(story, 100)
    if quotes:
        blocks.append(Block((line(b("Quotes")), *(quote_line(q, own=own) for q in quotes)), may_split=True))
    sources = [
        line("• ", link(str(m.outlet or "source"), m.link), ": ", str(m.title or ""))
        for ms in story.by_outlet()
        for m in ms
    ]
    if sources:
        blocks.append(Block((line(b("Sources")), *sources), may_split=True))
    terms = story.terms
    if terms:
        why = "; ".join(f"{t}: {', '.join(distinct_words(ws))}" for t, ws in terms.items() if ws)
        if why:
            blocks.append(block(line(i("Kept for: " + why))))
    return blocks


# ---------------------------------------------------------------- digests and alerts


def topic_counts(stories: Sequence[StoryView], topics: Sequence[str]) -> dict[str, int]:
    """Stories per topic (a story on two topics counts in both), in the order of `topics`."""
    return {t: sum(1 for s in stories if t in (s.topics)) for t in topics}


def _stories_label(n: int) -> str:
    return f"{n} story" if n == 1 else f"{n} stories"


def _order(stories: Sequence[StoryView]) -> list[StoryView]:
    """Most-covered first, then newest."""
    return sorted(
        stories,
        key=lambda s: (-outlet_count(s), -(s.first_seen.timestamp() if s.first_seen else 0)),
    )


def share_out(stories: Sequence[StoryView], topics: Sequence[str], limit: int) -> dict[str, list[StoryView]]:
    """Up to ``limit`` stories, each topic taking its turn (its most important next), each story once.

    A busy topic cannot crowd out another: with 80 stories on each of two topics and a limit of 20, each
    shows its 10 most important. A story on several topics is shown once, under the first topic that picks it.
    """
    ranked = {t: [s for s in _order(stories) if t in s.topics] for t in topics}
    picks: dict[str, list[StoryView]] = {t: [] for t in topics}
    shown: set[int] = set()
    cursor = dict.fromkeys(topics, 0)
    while len(shown) < limit:
        progressed = False
        for topic in topics:
            group = ranked[topic]
            while cursor[topic] < len(group) and group[cursor[topic]].id in shown:
                cursor[topic] += 1
            if cursor[topic] < len(group) and len(shown) < limit:
                story = group[cursor[topic]]
                picks[topic].append(story)
                shown.add(story.id)
                progressed = True
        if not progressed:
            break
    return picks


def compose_digest(
    stories: Sequence[StoryView],
    topics: Sequence[str],
    day: date,
    *,
    title: str = "Coverage digest",
    topic_names: Mapping[str, str] | None = None,
    max_stories: int = DIGEST_MAX_STORIES,
    grown: Sequence[tuple[StoryView, int]] = (),
    empty: str | None = None,
    configured: Collection[str] | None = None,
) -> list[Block]:
    """A digest: header (date, stories per topic), then each topic's share of the most important stories (``empty``:
    what it says when there are none). ``configured``: the topics of feeds.yaml; one of ``topics`` (the chat's) it no
    longer has is marked so in the header, as /settings marks it, not counted "0 stories" as if nothing happened.

    Every topic gets its turn (:func:`share_out`); a story on several topics is shown once with all its labels
    and counted under each in the header, which says so; the footer says how many more each topic has.
    ``grown``: stories sent in an earlier digest that new outlets have told since, each with how many: one line
    each ("+3 outlets since the last digest"), never the story again as if it were new; with no new story, the header
    says so once ("No new stories · 2 stories sent before, told by more outlets").
    """
    names = topic_names or {}
    counts = topic_counts(stories, topics)
    several = sum(1 for s in stories if sum(t in s.topics for t in topics) > 1) if len(topics) > 1 else 0
    gone = set(topics) - set(configured) if configured is not None else set()
    summary = " · ".join(
        f"{names.get(t, t)}{' (no longer configured)' if t in gone else ''}: {_stories_label(n)}"
        for t, n in counts.items()
    )
    if several:
        summary += f" ({_stories_label(several)} on more than one topic, shown once)"
    if grown and not stories:  # a digest of updates only: not "0 stories" above them and "No new stories" below
        summary = f"No new stories · {_stories_label(min(len(grown), DIGEST_GROWN))} sent before, told by more outlets"
    header = block(line(b(f"{title} · {day:%A} {day.day} {day:%B %Y}")), line(summary))
    updates = _grown_block(grown)
    if not stories:
        closing = SUMMARY_HINT if grown else empty or "No new stories on these topics since the last digest."
        return [header, *updates, block(line(i(closing)))]
    blocks = [header, *updates]
    picks = share_out(stories, topics, max_stories)
    shown = {s.id for group in picks.values() for s in group}
    for topic in topics:
        for n, story in enumerate(picks[topic]):
            heading = line(b("▍" + names.get(topic, topic))) if n == 0 and len(topics) > 1 else None
            others = [names.get(t, t) for t in topics if t != topic and t in story.topics]
            blocks.append(story_block(story, heading=heading, also=others))
    footer = []
    for topic in topics:
        more = sum(1 for s in stories if topic in s.topics and s.id not in shown)
        if more:
            footer.append(f"…and {_stories_label(more)} more on {names.get(topic, topic)}.")
    footer.append(SUMMARY_HINT)
    blocks.append(block(*(line(i(x)) for x in footer)))
    return blocks


def _grown_block(grown: Sequence[tuple[StoryView, int]]) -> list[Block]:
    """'Since the last digest' lines: a known story's number, title and how many outlets joined it."""
    if not grown:
        return []
    lines = [line(b("Since the last digest"))]
    for story, new in grown[:DIGEST_GROWN]:
        lines.append(
            line(
                f"{story.id}. ",
                link(str(story.title or "Untitled"), story.link),
                f" · +{_outlets_label(new)} ({outlet_count(story)} in all)",
            )
        )
    return [Block(tuple(lines))]


def digest_story_ids(blocks: Sequence[Block], stories: Sequence[StoryView]) -> list[int]:
    """Ids of the stories a composed digest shows (the rest stay undelivered)."""
    wanted = {f"{s.id}." for s in stories}
    ids = []
    for blk in blocks:
        for ln in blk.lines:
            if ln and ln[0].style == "b" and ln[0].text in wanted:
                ids.append(int(ln[0].text[:-1]))
    return ids


def compose_alert(
    stories: Sequence[StoryView],
    *,
    topic_names: Mapping[str, str] | None = None,
    limit: int = MESSAGE_LIMIT,
    topics: Collection[str] | None = None,
) -> tuple[list[Block], list[int]]:
    """One alert message: as many new stories as fit in a single message (the rest wait for the next cycle).

    ``topics``: the chat's; the header names only those the stories are on (a story on two topics would otherwise
    name the one the chat does not follow)."""
    names = topic_names or {}
    ordered = sorted(stories, key=lambda s: s.first_seen.timestamp() if s.first_seen else 0)
    on = sorted({t for s in ordered for t in s.topics})
    named = [t for t in on if topics is None or t in topics] or on
    header = block(line(b("New: " + ", ".join(names.get(t, t) for t in named))))
    blocks = [header]
    ids: list[int] = []
    for story in ordered:
        candidate = [*blocks, story_block(story)]
        if len(split_blocks(candidate, limit)) > 1:
            if ids:
                break
            blocks = [fit_block(Block(header.lines + story_block(story).lines), limit)]
            ids.append(story.id)
            break
        blocks = candidate
        ids.append(story.id)
    return blocks, ids


# ---------------------------------------------------------------- one article (/summary URL, summarize)


def analysis_blocks(analysis: Analysis, url: str | None = None, outlet: str | None = None) -> list[Block]:
    """One article's analysis (/summary URL, `coverage-bot summarize`): title, summary, key figures, quotes."""
    title = analysis.title or url or "Article"
    head = [line(link(title, url)) if url else line(b(title))]
    if outlet:
        head.append(line(i(outlet)))
    blocks = [block(*head)]
    sentences = [s.text for s in analysis.summary.sentences]
    if sentences:
        blocks.append(block(line(b("Summary")), *(line("• " + " ".join(s.split())) for s in sentences)))
    else:
        blocks.append(block(line(i("No summary: " + (analysis.summary.reason or "no sentences found")))))
    typed = ArticleAnalysis.of(analysis, outlet, url)
    figures = [f for f in typed.figures if f.key and f.kind != "date"][: DIGEST_FIGURES * 2]
    if figures:
        blocks.append(block(line(b("Key figures")), *(figure_line(f, source=False) for f in figures)))
    quotes = [q for q in typed.quotes if q.speaker][: DIGEST_QUOTES * 2]
    if quotes:
        blocks.append(block(line(b("Quotes")), *(quote_line(q, source=False) for q in quotes)))
    return blocks


# ---------------------------------------------------------------- from the store


async def digest_for(
    store: Store,
    sub: SubscriptionView,
    now: datetime,
    *,
    default_timezone: str = "UTC",
    topic_names: Mapping[str, str] | None = None,
    configured: Collection[str] | None = None,
) -> tuple[list[Block], list[int], int]:
    """The daily digest of a subscription at `now`: stories on its topics not yet sent in a digest; the ids of those
    it shows, and how many known stories it tells have grown since the last digest (worth a digest on their own).
    ``topic_names``: the topics' labels (feeds.yaml ``label``); ``configured``: its topics (compose_digest)."""
    tz = local_zone(sub.timezone, default_timezone)
    last = await store.last_delivery(sub.id, "digest")
    since = now - DIGEST_WINDOW
    if last is not None and last < since:  # the bot was down: cover the gap, up to a week
        since = max(last, now - DIGEST_CATCH_UP)
    late = (last, last - DIGEST_WINDOW) if last is not None else None  # published before it, fetched after it
    stories = await store.undelivered(sub.id, "digest", since, arrived_after=late, failed_after=now - DIGEST_CATCH_UP)
    grown = await store.grown_since(sub.id, last) if last is not None else []
    empty = None if last is not None else "No stories on these topics in the last 24 hours."  # no digest before
    blocks = compose_digest(
        stories,
        list(sub.topics),
        now.astimezone(tz).date(),
        grown=grown,
        empty=empty,
        topic_names=topic_names,
        configured=configured,
    )
    return blocks, digest_story_ids(blocks, stories), min(len(grown), DIGEST_GROWN)


async def trend_reply(
    store: Store,
    topics: Sequence[str],
    now: datetime,
    tz: tzinfo,
    *,
    weekly: bool = False,
    topic_names: Mapping[str, str] | None = None,
) -> Reply:
    """The trend chart as a photo reply with a caption of totals and top outlets; topics by their labels."""
    from .chart import TREND_DAYS, trend_data, trend_png  # matplotlib: loaded only when a chart is drawn

    stories = await store.trend_stories(now - timedelta(days=TREND_DAYS + 1), topics, limit=TREND_STORY_LIMIT)
    data = trend_data(stories, topics, today=now.astimezone(tz).date(), tz=tz)
    names = topic_names or {}
    title = "Weekly: stories per day" if weekly else "Stories per day"
    png = await asyncio.to_thread(trend_png, data, title=title, topic_names=names)
    week = now.astimezone(tz).isocalendar()
    head = (
        f"Week {week.week}: stories per day, last {TREND_DAYS} days"
        if weekly
        else f"Stories per day, last {TREND_DAYS} days"
    )
    lines = [line(b(head))]
    for topic in topics:
        top = ", ".join(f"{o} {n}" for o, n in data.outlets.get(topic, ())[:3])
        total = _stories_label(data.total(topic))
        lines.append(line(f"{names.get(topic, topic)}: {total}" + (f" (top: {top})" if top else "")))
    return Reply(photo=png, caption=Block(tuple(lines)))
