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


# What an error quotes of what the user typed: enough to recognise it, short enough that the answer's own help (the
# topic list, the usage line) is never pushed past Telegram's 4,096 characters by a pasted page.
ECHO_CHARS = 60


def echo(text: str) -> str:
    """User input as an error message quotes it: whitespace collapsed, at most ECHO_CHARS characters with '…'."""
    return shorten(" ".join(text.split()), ECHO_CHARS)
