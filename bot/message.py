"""Messages as transport-free rich text, rendered as Telegram HTML or plain text, and split to Telegram's limits.

A :class:`Reply` is what a command answers and what a digest or alert is made of: blocks of lines of
spans. Telegram gets HTML (every interpolated string escaped); the console gets plain text. A block is
kept whole in one message (a story never straddles two), and a block too large for any message is
truncated on span boundaries, never inside a tag.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .textcut import ELLIPSIS, shorten

# Telegram Bot API limits (https://core.telegram.org/bots/api#sendmessage and #formatting-options).
MESSAGE_LIMIT = 4096  # UTF-16 code units of text per message
CAPTION_LIMIT = 1024  # UTF-16 code units of a photo caption
ENTITY_LIMIT = 100  # formatting entities per message
CALLBACK_DATA_LIMIT = 64  # bytes of callback_data


@dataclass(frozen=True)
class Span:
    """A run of text with at most one style; style "a" carries a url."""

    text: str
    style: str | None = None
    url: str | None = None


Line = tuple[Span, ...]


@dataclass(frozen=True)
class Block:
    """Lines kept together in one message: a header, one story, a footer. A block too big for one message is cut with
    '…', unless it ``may_split``: then it goes on in the next message, between its lines (a story's quotes in full)."""

    lines: tuple[Line, ...]
    may_split: bool = False


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


def _pieces(blk: Block, limit: int, max_entities: int) -> Iterator[Block]:
    """A block as one or more blocks that each fit a message: one that ``may_split`` between its lines, and only a line
    too big for a message cut; any other cut (fit_block)."""
    if not blk.may_split or (block_units(blk) <= limit and block_entities(blk) <= max_entities):
        yield fit_block(blk, limit, max_entities)
        return
    lines: list[Line] = []
    units = entities = 0
    for ln in blk.lines:
        ln_units, ln_entities = utf16_len(line_html(ln)), sum(span_entities(s) for s in ln)
        newline = 1 if lines else 0
        if lines and (units + newline + ln_units > limit or entities + ln_entities > max_entities):
            yield fit_block(Block(tuple(lines)), limit, max_entities)
            lines, units, entities, newline = [], 0, 0, 0
        lines.append(ln)
        units += newline + ln_units
        entities += ln_entities
    if lines:
        yield fit_block(Block(tuple(lines)), limit, max_entities)  # (a lone line too big for a message: cut)


def split_blocks(
    blocks: Iterable[Block], limit: int = MESSAGE_LIMIT, max_entities: int = ENTITY_LIMIT
) -> list[list[Block]]:
    """Blocks packed greedily into messages of at most `limit` units and `max_entities` entities."""
    messages: list[list[Block]] = []
    current: list[Block] = []
    units = entities = 0
    for blk in (piece for raw in blocks for piece in _pieces(raw, limit, max_entities)):
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


def trim(text: str, limit: int) -> str:
    """Whitespace collapsed, cut at a word boundary to `limit` characters with '…'."""
    return shorten(" ".join(str(text).split()), limit)
