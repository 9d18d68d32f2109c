"""Extractive summaries (STUB: to be replaced)."""

from __future__ import annotations

from collections.abc import Sequence

from .models import StoryArticle, Summary
from .text import Prepared, prepare

DEFAULT_METHOD = "default"
METHODS = ("default", "lead")


def summarize_prepared(prepared: Prepared, sentences: int = 3, method: str = DEFAULT_METHOD) -> Summary:
    """Summary of an already prepared article."""
    return Summary(sentences=prepared.sentences[:sentences], method=method)


def summarize(text: str, sentences: int = 3, method: str = DEFAULT_METHOD) -> Summary:
    """Extractive summary of one article."""
    return summarize_prepared(prepare(text), sentences=sentences, method=method)


def summarize_story(articles: Sequence[StoryArticle], sentences: int = 3) -> Summary:
    """Summary of one story told by several outlets."""
    raise NotImplementedError
