"""One call that runs the whole engine on an article."""

from __future__ import annotations

from .extractive import DEFAULT_METHOD, summarize_prepared
from .figures import figures_from_prepared
from .models import Analysis, Summary
from .quotes import quotes_from_prepared
from .text import prepare


def analyze(
    text: str, title: str | None = None, sentences: int = 3, method: str = DEFAULT_METHOD, summary: bool = True
) -> Analysis:
    """Summary, key figures and attributed quotes of one article (cleaned once, shared by all three).

    ``summary=False``: figures and quotes only (the summary is empty, its reason says so), for a caller that summarizes
    several articles together."""
    prepared = prepare(text, title=title)
    return Analysis(
        summary=summarize_prepared(prepared, sentences=sentences, method=method)
        if summary
        else Summary(sentences=(), method=method, reason="no summary asked for"),
        figures=tuple(figures_from_prepared(prepared)),
        quotes=tuple(quotes_from_prepared(prepared)),
        title=prepared.title,
    )
