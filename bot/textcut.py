"""Cutting text to a length at a word boundary, with an ellipsis: one rule for titles, summaries and messages."""

from __future__ import annotations

ELLIPSIS = "…"


def shorten(text: str, limit: int, *, strip: str = " ,;:") -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, ``strip`` trimmed, '…' added when cut.

    The cut backs off to the last space only when that keeps at least 60% of the limit (one long word is cut).
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(strip) + ELLIPSIS
