"""Text cleaning, normalisation and sentence splitting, with offsets into the original text.

Every extractor works on :class:`Prepared.text` — the article with site boilerplate removed and
NBSP / zero-width characters / exotic quote marks normalised — and maps its spans back with
:meth:`Prepared.span` so that what a reader sees is exactly what the article wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

import syntok.segmenter as segmenter

from .models import Sentence

# Characters removed for matching (zero width, soft hyphen, BOM) and mapped to others.
_DROP = set("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_MAP = {
    "\u00a0": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u3000": " ",
    "\t": " ",
    "\r": "",
    "\u201e": "\u201c",  # „ low double → “
    "\u201f": "\u201c",
    "\u00ab": "\u201c",  # « → “
    "\u00bb": "\u201d",  # » → ”
    "\u2033": '"',
    "\u201a": "\u2018",  # ‚ → ‘
    "\u201b": "\u2018",
    "\u2032": "'",
    "\u02bc": "\u2019",
    "\u2028": "\n",
    "\u2029": "\n",
}

# Lines from which the rest of the page is site furniture (comment forms, share boxes, footers).
_TAIL_MARKERS = re.compile(
    r"""^\s*(?:
        please\s+follow\s+\S+(?:\s+\S+){0,3}\s+on\s+google\s+news
      | please\s+share\s+this\s+post
      | share\s+this\s+(?:post|page|article)\b
      | leave\s+a\s+(?:reply|comment)\b
      | your\s+email\s+address\s+will\s+not\s+be\s+published
      | more\s+news\s+of\s+this\s+category
      | comments\s+are\s+closed
      | the\s+post\s+.{3,300}\s+appeared\s+first\s+on\b
      | \[?read\s+more\]?\s*$
      | related\s+(?:articles|posts|stories|news)\s*:?\s*$
      | more\s+from\s+\S+(?:\s+\S+){0,3}\s*$
      | you\s+may\s+also\s+like\b
      | recommended\s+(?:for\s+you|stories)\b
      | sign\s+up\s+for\s+(?:our|the)\s+newsletter
      | subscribe\s+to\s+our\s+newsletter
      | ©|\(c\)\s*\d{4}|copyright\s+(?:©\s*)?\d{4}
      | all\s+rights\s+reserved
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# Single lines that are furniture wherever they stand.
_JUNK_LINE = re.compile(
    r"""^\s*(?:
        [•·*\-–—|]*\s*update\s+time\s*:.*
      | avatar\s+photo\b.*
      | (?:posted|published|updated|last\s+updated)\s*(?:on|:)?\s*.{0,60}\d{4}.{0,20}
      | by\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*(?:[,|–—-].{0,60})?
      | source\s*:.{0,120}
      | \[?read\s+more\]?
      | [—–\-_=*•·|\s]+
      | (?:sun|mon|tue|wed|thu|fri|sat)(?:\s+(?:sun|mon|tue|wed|thu|fri|sat)){3,}
      | [\d\s]{1,40}
      | (?:photo|image|video|credit|getty\s+images|reuters|ap\s+photo)\s*:.{0,120}
      | your\s+browser\s+does\s+not\s+support.*
      | \[\]\(.*\)
      | (?:share|tweet|email|print|copy\s+link|whatsapp|facebook|twitter|telegram|linkedin)
      | \d+\s+(?:min|mins|minutes?)\s+read
      | advertisement|skip\s+to\s+(?:main\s+)?content|loading\.*
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

_SENTENCE_END = re.compile(r"[.!?…:;\"”’)\]]\s*$")


@dataclass(frozen=True)
class Prepared:
    """An article ready for analysis: cleaned, normalised body text mapped onto the original."""

    original: str
    text: str  # normalised body (boilerplate removed); offsets map to ``original``
    offsets: tuple[int, ...]  # offsets[i] = index in ``original`` of text[i]; one extra at the end
    title: str | None = None

    def to_original(self, i: int) -> int:
        """Map an offset into :attr:`text` to one into :attr:`original`."""
        if i >= len(self.text):
            return self.offsets[-1]
        return self.offsets[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of :attr:`text` to the original text."""
        if end <= start:
            o = self.to_original(start)
            return o, o
        return self.to_original(start), self.to_original(end - 1) + 1

    def original_slice(self, start: int, end: int) -> str:
        """The original characters behind a span of :attr:`text`, exactly as written."""
        a, b = self.span(start, end)
        return self.original[a:b]

    @cached_property
    def sentences(self) -> tuple[Sentence, ...]:
        """Body sentences; offsets are into :attr:`original`, text is the normalised sentence."""
        out = []
        for k, (a, b) in enumerate(sentence_spans(self.text)):
            oa, ob = self.span(a, b)
            out.append(Sentence(text=self.text[a:b], start=oa, end=ob, index=k))
        return tuple(out)


def normalize_char(c: str) -> str:
    """The matching form of one character ('' when it is dropped)."""
    if c in _DROP:
        return ""
    if c in _MAP:
        return _MAP[c]
    if unicodedata.category(c) == "Cc" and c != "\n":
        return " "
    return c


def _is_navigation_run(lines: list[str]) -> bool:
    """A run of short lines with no sentence punctuation: a menu, ticker or tag list."""
    return len(lines) >= 3 and all(len(x.strip()) < 40 and not _SENTENCE_END.search(x) for x in lines)


def _keep_mask(lines: list[str]) -> list[bool]:
    """Decide which lines of a page are article text."""
    n = len(lines)
    keep = [True] * n
    # 1. everything from the first tail marker on (only in the second half of the page,
    #    so a headline that happens to match cannot wipe the article).
    total = sum(len(x) + 1 for x in lines)
    pos = 0
    for i, line in enumerate(lines):
        if pos > total * 0.3 and _TAIL_MARKERS.search(line):
            for j in range(i, n):
                keep[j] = False
            break
        pos += len(line) + 1
    # 2. junk lines anywhere
    for i, line in enumerate(lines):
        if keep[i] and line.strip() and _JUNK_LINE.match(line):
            keep[i] = False
    # 3. runs of navigation items (menus, tickers, keyword lines)
    i = 0
    while i < n:
        if not keep[i] or not lines[i].strip():
            i += 1
            continue
        j = i
        run: list[int] = []
        while j < n and (not lines[j].strip() or (len(lines[j].strip()) < 40 and not _SENTENCE_END.search(lines[j]))):
            if lines[j].strip():
                run.append(j)
            j += 1
        if len(run) >= 3 and _is_navigation_run([lines[k] for k in run]):
            for k in run:
                keep[k] = False
        i = max(j, i + 1)
    # 4. a keyword line (comma-separated names with no verb-like ending) right after the header
    for i, line in enumerate(lines[:8]):
        s = line.strip()
        if keep[i] and s.count(",") >= 4 and not _SENTENCE_END.search(s) and len(s) < 300:
            keep[i] = False
    return keep


def prepare(raw: str, title: str | None = None) -> Prepared:
    """Clean and normalise an article; the first line is taken as its title when none is given."""
    if not isinstance(raw, str):
        raise TypeError(f"text must be str, not {type(raw).__name__}")
    lines = raw.split("\n")
    keep = _keep_mask(lines)
    # The first non-empty line is the headline when it does not end like a sentence.
    first = next((i for i, x in enumerate(lines) if x.strip()), None)
    head_line: int | None = None
    if first is not None and keep[first]:
        s = lines[first].strip()
        if len(s) < 200 and not re.search(r"[.!?]\s*$", s) and any(k for k in keep[first + 1 :]):
            head_line = first
            if title is None:
                title = "".join(normalize_char(c) for c in s).strip() or None
            keep[first] = False
    chars: list[str] = []
    offsets: list[int] = []
    pos = 0
    for i, line in enumerate(lines):
        if keep[i]:
            for k, c in enumerate(line):
                for ch in normalize_char(c):
                    chars.append(ch)
                    offsets.append(pos + k)
            chars.append("\n")
            offsets.append(pos + len(line))
        elif i == head_line or not line.strip():
            pass
        pos += len(line) + 1
    text = "".join(chars)
    # trim trailing/leading whitespace while keeping the map aligned
    lead = len(text) - len(text.lstrip())
    text2 = text.strip()
    offs = offsets[lead : lead + len(text2)]
    end = offs[-1] + 1 if offs else 0
    return Prepared(original=raw, text=text2, offsets=tuple(offs) + (end,), title=title)


_ABBREV_FIX = re.compile(r"\b(?:U\.S|U\.K|U\.N|E\.U)\.$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence [start, end) spans of ``text`` (syntok; no NLTK data needed)."""
    spans: list[tuple[int, int]] = []
    for para in segmenter.analyze(text):
        for sent in para:
            toks = list(sent)
            if not toks:
                continue
            a = toks[0].offset
            last = toks[-1]
            b = last.offset + len(last.value)
            if spans and _glue(text, spans[-1], (a, b)):
                spans[-1] = (spans[-1][0], b)
            else:
                spans.append((a, b))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _glue(text: str, prev: tuple[int, int], cur: tuple[int, int]) -> bool:
    """Join a fragment that syntok split off wrongly (e.g. after an ellipsis inside a quote)."""
    p = text[prev[0] : prev[1]]
    c = text[cur[0] : cur[1]]
    if "\n" in text[prev[1] : cur[0]]:
        return False
    if c[:1].islower():
        return True
    # a closing quote mark or bracket alone
    return bool(re.fullmatch(r"[\"”’)\]]+", c)) or bool(re.search(r"\b(?:No|Nos|Art|Fig|p|pp)\.$", p))


_WORD = re.compile(r"[^\W_]+(?:[-’'][^\W_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """Word tokens (letters and digits; hyphenated and apostrophe words kept whole)."""
    return _WORD.findall(text)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph [start, end) spans: non-empty lines of the prepared text."""
    out = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out
