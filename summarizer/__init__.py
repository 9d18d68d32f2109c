"""coverage-bot's analysis engine: extractive summaries, key figures and attributed quotes.

Pure and synchronous: no network, no Telegram, no database.
"""

from __future__ import annotations

from .analysis import analyze
from .extractive import METHODS, summarize, summarize_story
from .figures import extract_figures
from .models import Analysis, Figure, Quote, Sentence, StoryArticle, Summary
from .quotes import extract_quotes

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
