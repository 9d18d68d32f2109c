"""Messages as transport-free rich text, rendered as Telegram HTML or plain text, and split to Telegram's limits.

A :class:`Reply` is what a command answers and what a digest or alert is made of: blocks of lines of
spans. Telegram gets HTML (every interpolated string escaped); the console gets plain text. A block is
kept whole in one message (a story never straddles two), and a block too large for any message is
truncated on span boundaries, never inside a tag.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

# Telegram Bot API limits (https://core.telegram.org/bots/api#sendmessage and #formatting-options).
MESSAGE_LIMIT = 4096  # UTF-16 code units of text per message
CAPTION_LIMIT = 1024  # UTF-16 code units of a photo caption
ENTITY_LIMIT = 100  # formatting entities per message
CALLBACK_DATA_LIMIT = 64  # bytes of callback_data

# How much of a story a digest shows. Chosen by reading digests of the seed feeds on a phone screen:
# three sentences and two quotes keep a story to about one screen; more made the digest a wall.
DIGEST_SUMMARY_SENTENCES = 3
DIGEST_FIGURES = 3
DIGEST_QUOTES = 2
DIGEST_SOURCES = 5
DIGEST_MAX_STORIES = 20  # per digest; the rest are counted in the footer
FIGURE_CONTEXT_CHARS = 140  # the sentence around a figure, trimmed to this many characters
FIGURE_CONTEXT_SHORT = 60  # when the summary above already shows that sentence
QUOTE_CHARS = 280  # a longer quote is cut at a word boundary

STYLES = ("b", "i", "u", "s", "code", "a")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Span:
    """A run of text with at most one style; style "a" carries a url."""

    text: str
    style: str | None = None
    url: str | None = None


Line = tuple[Span, ...]


@dataclass(frozen=True)
class Block:
    """Lines kept together in one message: a header, one story, a footer."""

    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Button:
    """An inline-keyboard button; `data` is the callback data sent back when pressed."""

    text: str
    data: str


@dataclass(frozen=True)
class Reply:
    """What a command answers: text blocks, an optional photo with caption, an optional keyboard."""

    blocks: tuple[Block, ...] = ()
    photo: bytes | None = None
    caption: Block | None = None
    keyboard: tuple[tuple[Button, ...], ...] = ()
    story_ids: tuple[int, ...] = ()  # stories this reply carries (recorded by deliveries)

    @property
    def empty(self) -> bool:
        return not self.blocks and self.photo is None


# ---------------------------------------------------------------- building


def b(text: str) -> Span:
    """Bold span."""
    return Span(text, "b")


def i(text: str) -> Span:
    """Italic span."""
    return Span(text, "i")


def code(text: str) -> Span:
    """Monospace span."""
    return Span(text, "code")


def link(text: str, url: str | None) -> Span:
    """A link when the url is http(s), plain text otherwise (Telegram rejects other schemes)."""
    if url and url.startswith(("http://", "https://")):
        return Span(text, "a", url)
    return Span(text)


def line(*parts: str | Span | None) -> Line:
    """A line from strings (plain) and spans; None and empty parts are dropped."""
    out: list[Span] = []
    for part in parts:
        if part is None:
            continue
        span = Span(part) if isinstance(part, str) else part
        if span.text:
            out.append(span)
    return tuple(out)


def block(*lines: Line | str) -> Block:
    """A block from lines (a string is one plain line)."""
    return Block(tuple(line(x) if isinstance(x, str) else x for x in lines))


def text_reply(*lines: Line | str, **kwargs: Any) -> Reply:
    """A one-block reply."""
    return Reply(blocks=(block(*lines),), **kwargs)


# ---------------------------------------------------------------- rendering


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits."""
    return len(text.encode("utf-16-le")) // 2


def span_html(span: Span) -> str:
    """One span as Telegram HTML, text (and url) escaped."""
    text = html.escape(span.text, quote=False)
    if span.style is None:
        return text
    if span.style == "a":
        return f'<a href="{html.escape(span.url or "", quote=True)}">{text}</a>'
    return f"<{span.style}>{text}</{span.style}>"


def line_html(ln: Line) -> str:
    return "".join(span_html(s) for s in ln)


def block_html(blk: Block) -> str:
    return "\n".join(line_html(ln) for ln in blk.lines)


def line_plain(ln: Line, *, urls: bool = True) -> str:
    """A line as plain text; a link shows its address after the text when `urls`."""
    out = []
    for span in ln:
        if span.style == "a" and urls and span.url and span.url != span.text:
            out.append(f"{span.text} <{span.url}>")
        else:
            out.append(span.text)
    return "".join(out)


def block_plain(blk: Block, *, urls: bool = True) -> str:
    return "\n".join(line_plain(ln, urls=urls) for ln in blk.lines)


def reply_plain(reply: Reply, *, urls: bool = True) -> str:
    """The whole reply as plain text (console), blocks separated by a blank line."""
    parts = [block_plain(blk, urls=urls) for blk in reply.blocks]
    if reply.caption is not None:
        parts.insert(0, block_plain(reply.caption, urls=urls))
    if reply.keyboard:
        parts.append("  ".join(f"[{btn.text}]" for row in reply.keyboard for btn in row))
    return "\n\n".join(p for p in parts if p)


# Entities Telegram detects by itself in plain text also count toward the limit: bot commands,
# links, mentions, hashtags (a hashtag needs a letter; "#42" is not one).
_AUTO_ENTITY = re.compile(r"(?<![\w/])/[A-Za-z_]\w*|https?://\S+|(?<!\w)@[A-Za-z]\w{3,}|(?<!\w)#\w*[A-Za-z_]\w*")


def span_entities(span: Span) -> int:
    """Entities a span makes: its style plus any Telegram auto-detects in its text."""
    styled = 1 if span.style is not None else 0
    if span.style in ("a", "code"):
        return styled
    return styled + len(_AUTO_ENTITY.findall(span.text))


def block_entities(blk: Block) -> int:
    return sum(span_entities(s) for ln in blk.lines for s in ln)


def block_units(blk: Block) -> int:
    """Size of the block's HTML in UTF-16 units (HTML is longer than the text Telegram counts: safe)."""
    return utf16_len(block_html(blk))


# ---------------------------------------------------------------- splitting

_SEPARATOR = "\n\n"
_SEP_UNITS = utf16_len(_SEPARATOR)


def _cut_text(text: str, budget: int) -> str:
    """The longest prefix of `text`, cut at a word boundary when possible, whose escaped form fits `budget` units."""
    lo, hi = 0, len(text)
    while lo < hi:  # binary search on code points; escaping only grows text, monotonically
        mid = (lo + hi + 1) // 2
        if utf16_len(html.escape(text[:mid], quote=False)) <= budget:
            lo = mid
        else:
            hi = mid - 1
    cut = text[:lo]
    if lo < len(text):
        space = cut.rfind(" ")
        if space > lo * 0.6:
            cut = cut[:space]
    return cut.rstrip()


def fit_block(blk: Block, limit: int = MESSAGE_LIMIT, max_entities: int = ENTITY_LIMIT) -> Block:
    """The block itself when it fits, else a prefix of it (whole spans, then one cut span) ending in '…'."""
    if block_units(blk) <= limit and block_entities(blk) <= max_entities:
        return blk
    marker = utf16_len(ELLIPSIS) + 1
    budget = limit - marker
    entities = max_entities
    lines: list[Line] = []
    used = 0
    for ln in blk.lines:
        newline = 1 if lines else 0
        ln_units = utf16_len(line_html(ln))
        ln_entities = sum(span_entities(s) for s in ln)
        if used + newline + ln_units <= budget and ln_entities <= entities:
            lines.append(ln)
            used += newline + ln_units
            entities -= ln_entities
            continue
        # Partial line: whole spans while they fit, then a cut span.
        room = budget - used - newline
        kept: list[Span] = []
        for span in ln:
            units = utf16_len(span_html(span))
            cost = span_entities(span)
            if units <= room and cost <= entities:
                kept.append(span)
                room -= units
                entities -= cost
                continue
            overhead = utf16_len(span_html(Span("", span.style, span.url)))
            if span.style is not None and entities < 1:
                break
            cut = _cut_text(span.text, room - overhead)
            if cut:
                piece = Span(cut, span.style, span.url)
                if span_entities(piece) <= entities:
                    kept.append(piece)
            break
        if kept:
            lines.append(tuple(kept))
        break
    if lines:
        lines[-1] = (*lines[-1], Span(" " + ELLIPSIS if lines[-1] else ELLIPSIS))
    else:
        lines.append((Span(ELLIPSIS),))
    return Block(tuple(lines))


def split_blocks(
    blocks: Iterable[Block], limit: int = MESSAGE_LIMIT, max_entities: int = ENTITY_LIMIT
) -> list[list[Block]]:
    """Blocks packed greedily into messages of at most `limit` units and `max_entities` entities."""
    messages: list[list[Block]] = []
    current: list[Block] = []
    units = entities = 0
    for raw in blocks:
        blk = fit_block(raw, limit, max_entities)
        if not blk.lines:
            continue
        b_units, b_entities = block_units(blk), block_entities(blk)
        extra = _SEP_UNITS if current else 0
        if current and (units + extra + b_units > limit or entities + b_entities > max_entities):
            messages.append(current)
            current, units, entities, extra = [], 0, 0, 0
        current.append(blk)
        units += extra + b_units
        entities += b_entities
    if current:
        messages.append(current)
    return messages


def split_html(blocks: Iterable[Block], limit: int = MESSAGE_LIMIT, max_entities: int = ENTITY_LIMIT) -> list[str]:
    """Telegram HTML messages, each within the limits, split on block boundaries."""
    return [_SEPARATOR.join(block_html(blk) for blk in msg) for msg in split_blocks(blocks, limit, max_entities)]


def caption_html(caption: Block | None) -> str | None:
    """A photo caption as HTML, truncated to the caption limit."""
    if caption is None:
        return None
    return block_html(fit_block(caption, CAPTION_LIMIT, ENTITY_LIMIT))


# ---------------------------------------------------------------- stories


def _field(obj: Any, name: str, default: Any = None) -> Any:
    """Attribute or key access, so store views and plain dicts both work."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def trim(text: str, limit: int) -> str:
    """Whitespace collapsed, cut at a word boundary to `limit` characters with '…'."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + ELLIPSIS


def figure_context(figure: Mapping[str, Any], limit: int = FIGURE_CONTEXT_CHARS) -> str:
    """The sentence around a figure, trimmed to a window centred on it."""
    sentence = " ".join(str(figure.get("sentence") or "").split())
    surface = str(figure.get("surface") or "")
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


def outlet_count(story: Any) -> int:
    """How many distinct outlets covered the story."""
    return len({_field(m, "outlet") for m in _field(story, "members", ()) or ()}) or 1


def _outlets_label(n: int) -> str:
    return f"{n} outlet" if n == 1 else f"{n} outlets"


def _summary_text(story: Any, sentences: int) -> str:
    lines = list(_field(story, "summary", ()) or ())[:sentences]
    return " ".join(" ".join(str(_field(s, "text", "")).split()) for s in lines)


def figure_line(figure: Mapping[str, Any], *, source: bool = True) -> Line:
    """'• **$1.2 billion** — context (Outlet)'."""
    context = figure_context(figure)
    outlet = figure.get("outlet")
    return line(
        "• ",
        b(str(figure.get("surface") or "")),
        " — " + context if context else None,
        " (" if source and outlet else None,
        link(str(outlet), figure.get("link")) if source and outlet else None,
        ")" if source and outlet else None,
    )


def figure_lines(figures: Sequence[Mapping[str, Any]], summary: str = "") -> list[Line]:
    """Digest figure lines: figures from one sentence share a line; a sentence the summary already shows is cut short."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for f in figures:
        groups.setdefault(" ".join(str(f.get("sentence") or "").split()), []).append(f)
    out = []
    for sentence, group in groups.items():
        limit = FIGURE_CONTEXT_SHORT if sentence and sentence in summary else FIGURE_CONTEXT_CHARS
        context = figure_context(group[0], limit)
        parts: list[str | Span] = ["• "]
        for n, f in enumerate(group):
            if n:
                parts.append(" · ")
            parts.append(b(str(f.get("surface") or "")))
        if context:
            parts.append(" — " + context)
        out.append(line(*parts))
    return out


def quote_line(quote: Mapping[str, Any], *, source: bool = True) -> Line:
    """'“text” — *Speaker* (Outlet)'."""
    outlet = quote.get("outlet")
    return line(
        "“" + trim(str(quote.get("text") or ""), QUOTE_CHARS).rstrip(",;: ") + "”",
        " — ",
        i(str(quote.get("speaker") or "unattributed")),
        " (" if source and outlet else None,
        link(str(outlet), quote.get("link")) if source and outlet else None,
        ")" if source and outlet else None,
    )


def key_figures(story: Any, limit: int) -> list[Mapping[str, Any]]:
    """A story's figures worth showing: key ones first, dates last, no repeats."""
    figures = [f for f in _field(story, "figures", ()) or () if f.get("surface")]
    figures.sort(key=lambda f: (f.get("kind") == "date", not f.get("key", True)))
    seen: set[str] = set()
    out = []
    for f in figures:
        name = str(f["surface"]).casefold()
        if name in seen:
            continue
        seen.add(name)
        out.append(f)
    return out[:limit]


def attributed_quotes(story: Any, limit: int) -> list[Mapping[str, Any]]:
    """Quotes with a named speaker first."""
    quotes = [q for q in _field(story, "quotes", ()) or () if q.get("text")]
    quotes.sort(key=lambda q: q.get("speaker") is None)
    return quotes[:limit]


def sources_line(story: Any, limit: int = DIGEST_SOURCES) -> Line:
    """'Sources: Reuters · AP · +2 more', each a link to that outlet's article."""
    members = list(_field(story, "members", ()) or ())
    seen: set[str] = set()
    parts: list[str | Span] = ["Sources: "]
    shown = 0
    for m in members:
        outlet = str(_field(m, "outlet") or "source")
        if outlet in seen:
            continue
        seen.add(outlet)
        if shown == limit:
            continue
        if shown:
            parts.append(" · ")
        parts.append(link(outlet, _field(m, "link")))
        shown += 1
    if not shown:
        parts.append(link("link", _field(story, "link")))
    if len(seen) > shown:
        parts.append(f" · +{len(seen) - shown} more")
    return line(*parts)


def story_block(story: Any, *, heading: Line | None = None) -> Block:
    """One story in a digest or alert: number, linked title, outlets, summary, figures, quotes, sources."""
    lines: list[Line] = []
    if heading:
        lines.append(heading)
    lines.append(
        line(
            b(f"{_field(story, 'id')}."),
            " ",
            link(str(_field(story, "title") or "Untitled"), _field(story, "link")),
            " · " + _outlets_label(outlet_count(story)),
        )
    )
    summary = _summary_text(story, DIGEST_SUMMARY_SENTENCES)
    if summary:
        lines.append(line(summary))
    lines.extend(figure_lines(key_figures(story, DIGEST_FIGURES), summary))
    lines.extend(quote_line(q, source=False) for q in attributed_quotes(story, DIGEST_QUOTES))
    lines.append(sources_line(story))
    return Block(tuple(lines))


def story_full_blocks(story: Any) -> list[Block]:
    """A story in full (/summary N): every summary line with its outlet, all figures, all quotes, all sources."""
    head = [
        line(b(f"{_field(story, 'id')}."), " ", link(str(_field(story, "title") or "Untitled"), _field(story, "link"))),
        line(
            i(
                f"{_outlets_label(outlet_count(story))} · topics: {', '.join(_field(story, 'topics', ()) or ()) or '—'}"
                f" · first seen {_field(story, 'first_seen'):%Y-%m-%d %H:%M} UTC"
            )
            if _field(story, "first_seen")
            else None
        ),
    ]
    blocks = [Block(tuple(ln for ln in head if ln))]
    summary = [
        line(
            "• ",
            " ".join(str(_field(s, "text", "")).split()),
            " (",
            link(str(_field(s, "outlet") or "source"), _field(s, "link")),
            ")",
        )
        for s in _field(story, "summary", ()) or ()
    ]
    if summary:
        blocks.append(Block((line(b("Summary")), *summary)))
    figures = key_figures(story, 100)
    if figures:
        blocks.append(Block((line(b("Key figures")), *(figure_line(f) for f in figures))))
    quotes = attributed_quotes(story, 100)
    if quotes:
        blocks.append(Block((line(b("Quotes")), *(quote_line(q) for q in quotes))))
    sources = [
        line("• ", link(str(_field(m, "outlet") or "source"), _field(m, "link")), ": ", str(_field(m, "title") or ""))
        for m in _field(story, "members", ()) or ()
    ]
    if sources:
        blocks.append(Block((line(b("Sources")), *sources)))
    terms = _field(story, "terms", {}) or {}
    if terms:
        why = "; ".join(f"{t}: {', '.join(ws)}" for t, ws in terms.items() if ws)
        if why:
            blocks.append(block(line(i("Kept for: " + why))))
    return blocks


# ---------------------------------------------------------------- digests and alerts


def topic_counts(stories: Sequence[Any], topics: Sequence[str]) -> dict[str, int]:
    """Stories per topic (a story on two topics counts in both), in the order of `topics`."""
    return {t: sum(1 for s in stories if t in (_field(s, "topics", ()) or ())) for t in topics}


def _stories_label(n: int) -> str:
    return f"{n} story" if n == 1 else f"{n} stories"


def _order(stories: Sequence[Any]) -> list[Any]:
    """Most-covered first, then newest."""
    return sorted(
        stories,
        key=lambda s: (-outlet_count(s), -(_field(s, "first_seen").timestamp() if _field(s, "first_seen") else 0)),
    )


def compose_digest(
    stories: Sequence[Any],
    topics: Sequence[str],
    day: date,
    *,
    title: str = "Coverage digest",
    topic_names: Mapping[str, str] | None = None,
    max_stories: int = DIGEST_MAX_STORIES,
) -> list[Block]:
    """A digest: header (date, stories per topic), then stories grouped by topic, most-covered first."""
    names = topic_names or {}
    counts = topic_counts(stories, topics)
    header = block(
        line(b(f"{title} · {day:%A} {day.day} {day:%B %Y}")),
        line(" · ".join(f"{names.get(t, t)}: {_stories_label(n)}" for t, n in counts.items())),
    )
    if not stories:
        return [header, block(line(i("No new stories on these topics since the last digest.")))]
    blocks = [header]
    shown: set[int] = set()
    for topic in topics:
        group = [
            s for s in _order(stories) if topic in (_field(s, "topics", ()) or ()) and _field(s, "id") not in shown
        ]
        for n, story in enumerate(group):
            if len(shown) >= max_stories:
                break
            shown.add(_field(story, "id"))
            heading = line(b("▍" + names.get(topic, topic))) if n == 0 and len(topics) > 1 else None
            blocks.append(story_block(story, heading=heading))
    rest = [s for s in stories if _field(s, "id") not in shown]
    footer = ["Send /summary N (the story's number) for a story in full."]
    if rest:
        footer.insert(0, f"…and {_stories_label(len(rest))} more.")
    blocks.append(block(*(line(i(x)) for x in footer)))
    return blocks


def digest_story_ids(blocks: Sequence[Block], stories: Sequence[Any]) -> list[int]:
    """Ids of the stories a composed digest shows (the rest stay undelivered)."""
    wanted = {f"{_field(s, 'id')}." for s in stories}
    ids = []
    for blk in blocks:
        for ln in blk.lines:
            if ln and ln[0].style == "b" and ln[0].text in wanted:
                ids.append(int(ln[0].text[:-1]))
    return ids


def compose_alert(
    stories: Sequence[Any], *, topic_names: Mapping[str, str] | None = None, limit: int = MESSAGE_LIMIT
) -> tuple[list[Block], list[int]]:
    """One alert message: as many new stories as fit in a single message (the rest wait for the next cycle)."""
    names = topic_names or {}
    ordered = sorted(stories, key=lambda s: _field(s, "first_seen").timestamp() if _field(s, "first_seen") else 0)
    topics = sorted({t for s in ordered for t in (_field(s, "topics", ()) or ())})
    header = block(line(b("New: " + ", ".join(names.get(t, t) for t in topics))))
    blocks = [header]
    ids: list[int] = []
    for story in ordered:
        candidate = [*blocks, story_block(story)]
        if len(split_blocks(candidate, limit)) > 1:
            if ids:
                break
            blocks = [fit_block(Block(header.lines + story_block(story).lines), limit)]
            ids.append(_field(story, "id"))
            break
        blocks = candidate
        ids.append(_field(story, "id"))
    return blocks, ids
