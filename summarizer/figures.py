"""Key figures (STUB: to be replaced)."""

from __future__ import annotations

from .models import Figure
from .text import Prepared, prepare


def figures_from_prepared(prepared: Prepared) -> list[Figure]:
    return []


def extract_figures(text: str) -> list[Figure]:
    """Figures of an article, ranked by importance."""
    return figures_from_prepared(prepare(text))
