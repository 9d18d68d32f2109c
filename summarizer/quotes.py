"""Attributed quotes (STUB: to be replaced)."""

from __future__ import annotations

from .models import Quote
from .text import Prepared, prepare


def quotes_from_prepared(prepared: Prepared) -> list[Quote]:
    return []


def extract_quotes(text: str) -> list[Quote]:
    """Direct quotes of an article with their speakers."""
    return quotes_from_prepared(prepare(text))
