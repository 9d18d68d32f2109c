"""Plain-text rendering of one article's analysis, for `coverage-bot summarize`."""

from __future__ import annotations

import textwrap

from summarizer.models import Analysis, Figure, Quote

WIDTH = 100
MAX_FIGURES = 8


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(" ".join(text.split()), width=WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def figure_line(f: Figure) -> str:
    """'up to $500 billion  (money, key) — Trump has demanded up to …'."""
    context = " ".join(f.sentence.split())
    if len(context) > 140:
        context = context[:139].rstrip() + "…"
    tag = f"{f.kind}{', key' if f.key else ''}"
    return f"{f.surface}  ({tag}) — {context}"


def quote_line(q: Quote) -> str:
    who = q.speaker or "unattributed"
    return f"“{' '.join(q.text.split())}” — {who}"


def analysis_text(a: Analysis) -> str:
    """What a reader sees for one article: title, summary, key figures, quotes."""
    out: list[str] = []
    if a.title:
        out.append(a.title)
        out.append("=" * min(len(a.title), WIDTH))
    out.append("Summary:")
    if a.summary.sentences:
        out.extend(_wrap("• " + s.text) for s in a.summary.sentences)
    else:
        out.append(f"  (no summary: {a.summary.reason or 'no sentences found'})")
    figures = [f for f in a.figures if f.kind != "date"][:MAX_FIGURES]
    out.append("Key figures:" if figures else "Key figures: none found")
    out.extend(_wrap("• " + figure_line(f)) for f in figures)
    out.append("Quotes:" if a.quotes else "Quotes: none found")
    out.extend(_wrap("• " + quote_line(q)) for q in a.quotes)
    return "\n".join(out)
