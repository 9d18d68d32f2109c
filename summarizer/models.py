"""Plain value types that cross the summarizer's boundary."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article, with offsets into the original (uncleaned) text."""

    text: str
    start: int
    end: int
    index: int  # position among the article's body sentences (0 = first)
    article: int = 0  # which article of a story it came from (summarize_story)


@dataclass(frozen=True)
class Summary:
    """An extractive summary: sentences in document order, or none with a reason."""

    sentences: tuple[Sentence, ...]
    method: str
    reason: str | None = None  # why the summary is empty or short, for the reader

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


@dataclass(frozen=True)
class Figure:
    """A number with a meaning: money, percent, quantity, count or date."""

    surface: str  # exactly as written in the original text
    kind: str  # money | percent | quantity | count | date
    value: float | str | None  # base units; dates: year or YYYY-MM-DD / MM-DD
    unit: str | None  # USD, percent, tonne, "time zones", None for dates
    qualifier: str | None  # over / nearly / up to / less than / about ...
    sentence: str
    key: bool  # carries the news (vs incidental)
    start: int
    end: int
    score: float = 0.0  # importance, higher first


@dataclass(frozen=True)
class Quote:
    """Words in quotation marks presented as somebody's speech, with who said them."""

    text: str  # between the marks, character-exact
    speaker: str | None  # canonical full name; None when the text does not say
    cue: str | None  # the attribution verb ("said", "stated")
    sentence: str
    start: int
    end: int
    speaker_mention: str | None = None  # the words of the attribution ("he", "the spokesman")


@dataclass(frozen=True)
class Analysis:
    """What coverage-bot knows about one article."""

    summary: Summary
    figures: tuple[Figure, ...] = field(default_factory=tuple)
    quotes: tuple[Quote, ...] = field(default_factory=tuple)
    title: str | None = None


@dataclass(frozen=True)
class StoryArticle:
    """One outlet's telling of a story, input to summarize_story."""

    text: str
    title: str | None = None
    source: str | None = None  # outlet name or link, carried through untouched
