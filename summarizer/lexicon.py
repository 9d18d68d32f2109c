"""The summarizer's word resources: one English stop-word list (a data file) and one stemmer.

The stop words are ``data/stopwords_en.txt`` (sumy's English list, which the summarizer was tuned with); the
stemmer is Snowball's English (Porter2) from the ``PyStemmer`` package (Snowball's own C code): imported in
1 ms and about 10x faster per word than NLTK's Python copy of the same algorithm, which also pulled in all of
NLTK (about 0.4 s per process start).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import resources


def _lines(name: str) -> list[str]:
    """The non-comment, non-empty lines of a data file shipped in ``summarizer/data``."""
    text = resources.files("summarizer").joinpath("data", name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """English stop words, lower case."""
    return frozenset(_lines("stopwords_en.txt"))


@lru_cache(maxsize=1)
def stemmer() -> Callable[[str], str]:
    """Snowball English stemming of one lower-case word."""
    import Stemmer

    stem: Callable[[str], str] = Stemmer.Stemmer("english").stemWord
    return stem
