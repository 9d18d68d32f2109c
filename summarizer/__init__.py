"""coverage-bot's analysis engine: extractive summaries, key figures and attributed quotes.

Pure and synchronous: no network, no Telegram, no database.

The names below load their module on first use (PEP 562), so importing one small part
(``summarizer.models``, ``summarizer.speakers``) does not pull in the summarizers and numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .analysis import analyze
    from .extractive import METHODS, summarize, summarize_story
    from .figures import extract_figures
    from .models import Analysis, Figure, Quote, Sentence, StoryArticle, Summary
    from .quotes import extract_quotes

_WHERE = {
    "analyze": "analysis",
    "METHODS": "extractive",
    "summarize": "extractive",
    "summarize_story": "extractive",
    "extract_figures": "figures",
    "extract_quotes": "quotes",
    "Analysis": "models",
    "Figure": "models",
    "Quote": "models",
    "Sentence": "models",
    "StoryArticle": "models",
    "Summary": "models",
}

__all__ = [
    "METHODS",
    "Analysis",
    "Figure",
    "Quote",
    "Sentence",
    "StoryArticle",
    "Summary",
    "analyze",
    "extract_figures",
    "extract_quotes",
    "summarize",
    "summarize_story",
]


def __getattr__(name: str) -> Any:
    """Load the module that defines ``name`` when it is first asked for."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
