"""Text cleaning, normalisation and sentence splitting, with offsets into the original text.

Why one module over 600 lines: every step keeps the offsets into the original text, and the steps share the
one line-and-offset model (``Prepared``); feed furniture is apart in summarizer.furniture.

Every extractor works on :class:`Prepared.text` — the article with site boilerplate removed and
NBSP / zero-width characters / bidi marks / exotic quote marks normalised — and maps its spans back with
:meth:`Prepared.span` so that what a reader sees is exactly what the article wrote.

The cleaning works line by line (extracted article text keeps the page's line structure):
a line is dropped when it is site furniture (menus, tickers, bylines, captions, share and comment
boxes, related headlines, footers, video boxes, photo credits; not a list's items that state a figure or a quotation,
however short), a line's end when it is the site calling its reader ("Read more about ... here."), and a sentence
broken over several lines is joined again (never into a list's next item). Character references are decoded, in
HTML and in text without tags ("&euro;3bn").
Sentences never cross a line; inside a line they come from syntok (no NLTK data needed), with a
fast path for the unambiguous boundaries and a repair pass for quotations split in the middle.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import syntok.segmenter as segmenter

from .models import Sentence

# Characters removed for matching (zero width, soft hyphen, BOM) and mapped to others.
_DROP = set("\u200b\u200c\u200d\u2060\ufeff\u00ad")
# Removed too, as ranges of a character class: the bidi marks and controls (ALM, LRM, RLM, the embeddings and overrides,
# the isolates LRI/RLI/FSI/PDI), the invisible operators and the Mongolian vowel separator, which carry nothing in
# English text and after a full stop hid the sentence's end ("said.\u200e Talks ..." was one sentence, a last sentence
# ending so was dropped); and lone surrogates (an emoji cut in half by a JSON writer: "\ud83d"), which no encoder writes.
_DROP_RANGES = r"\u061c\u180e\u200e\u200f\u202a-\u202e\u2061-\u2064\u2066-\u2069\ud800-\udfff"
_DROP_RANGE = re.compile(f"[{_DROP_RANGES}]")
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
# Lines without any of these characters need no per-character normalisation (the fast path).
_NEEDS_NORMALISING = re.compile(
    "[" + re.escape("".join(_DROP) + "".join(_MAP)) + r"\x00-\x08\x0b-\x1f\x7f-\x9f" + _DROP_RANGES + "]"
)
# normalize_char for every character it changes without dropping (control characters become spaces);
# characters it drops (zero width, "\r") split a line into pieces that are translated whole.
_TRANSLATE = {c: " " for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c != 0x0A}
_TRANSLATE.update({ord(k): v for k, v in _MAP.items() if v})
_DROPPED = re.compile(
    "[" + re.escape("".join(_DROP) + "".join(k for k, v in _MAP.items() if not v)) + _DROP_RANGES + "]"
)

# Lines from which the rest of the page is site furniture (comment forms, share boxes, footers).
# A marker line is dropped wherever it stands; it ends the article once enough prose precedes it.
_TAIL_MARKERS = re.compile(
    r"""^\s*(?:
        please\s+follow\s+\S+(?:\s+\S+){0,3}\s+on\s+google\s+news
      | please\s+share\s+this\s+post
      | share\s+this\s+(?:post|page|article|story)\b
      | leave\s+a\s+(?:reply|comment)\b
      | your\s+email\s+address\s+will\s+not\s+be\s+published
      | more\s+news\s+of\s+this\s+category
      | comments\s+are\s+closed
      | the\s+post\s+.{3,300}\s+appeared\s+first\s+on\b
      | \[?read\s+more\]?\s*$
      | related\s+(?:articles|posts|stories|news|coverage|topics)\s*:?\s*$
      | more\s+from\s+\S+(?:\s+\S+){0,3}\s*$
      | more\s+(?:stories|news)\s*$
      | you\s+may\s+also\s+like\b
      | you\s+might\s+also\s+(?:like|be\s+interested)\b
      | recommended\s+(?:for\s+you|stories|articles)\b
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
      | by\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*(?:[,|–—-][^.!?]{0,60})?
      | by
      | source\s*:.{0,120}
      | \[?read\s+more\]?
      | more\s+to\s+read|read\s+also|also\s+read|see\s+also|related
      | [—–\-_=*•·|\s]+
      | (?:sun|mon|tue|wed|thu|fri|sat)(?:\s+(?:sun|mon|tue|wed|thu|fri|sat)){3,}
      | [\d\s]{1,40}
      | [^\W\d_]
      | (?:photo|image|video|credit|getty\s+images|reuters|ap\s+photo)\s*:.{0,120}
      | your\s+browser\s+does\s+not\s+support.*
      | \[\]\(.*\)
      | (?:share|tweet|email|print|copy\s+link|whatsapp|facebook|twitter|telegram|linkedin|×|x|close)
      | \d+\s+(?:min|mins|minutes?)\s+read
      | advertisement|skip\s+to\s+(?:main\s+)?content|loading\.*
      # who reported and edited, under a wire story: "Reporting by John Smith; Editing by Mary Jones", "The Associated
      # Press contributed to this report."
      | (?:additional\s+)?(?:reporting|writing|editing|compiled|research)\s+by\s.{0,200}
      | [^.!?]{0,120}\bcontributed\s+(?:reporting\s+)?to\s+this\s+(?:report|story|article)\.?
      | \(?h/t\b.{0,80}
      | related\s*:.{0,200}
      | this\s+material\s+may\s+not\s+be\s+published\b.*
      | [A-Z]{2,5}/[A-Z]{2,5}(?:\s+[+\-−]?[\d.,]+%?){0,2}
      | [+\-−]?[\d.,]+\s*%
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

# Headings of a block of related headlines inside the article ("More to Read"): the heading and the
# headline-like lines after it (no sentence punctuation at the end) are dropped.
_RELATED_HEADING = re.compile(
    r"^\s*(?:more\s+to\s+read|read\s+(?:also|more|next)|also\s+read|see\s+also|related(?:\s+\w+)?|"
    r"more\s+(?:on|about)\s+this(?:\s+story)?|most\s+read|trending(?:\s+now)?|top\s+stories|"
    r"latest\s+news|recommended)\s*:?\s*$",
    re.IGNORECASE,
)

# Calls to action of the site itself (newsletters, donations, alerts), not the article's words.
_PROMO = re.compile(
    r"""(?:^|[^\w])(?:
        get\s+(?:instant\s+)?(?:alerts|updates|our\s+(?:stories|newsletter|app))
      | get\s+the\s+best\s+of\s+(?:our|the)\b|delivered\s+(?:straight\s+)?to\s+your\s+inbox
      | be\s+the\s+first\s+to\s+know
      | sign\s+up\s+(?:for|to|now|here)
      | subscribe\s+(?:to|now|here|for)
      | help\s+us\s+(?:change|fight|keep|continue|do|make)
      | support\s+(?:our|independent)\s+journalism
      | donate\s+(?:now|today)
      | follow\s+us\s+on
      | join\s+our\s+(?:newsletter|channel|community)
      | download\s+(?:the|our)\s+app
      | click\s+here
      | (?:if\s+you\s+believe\s+you\s+have\s+found\s+an\s+inaccuracy)
      | accepts\s+information\s+about\s+wrongdoing
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# The site speaking to its reader, from the opening of a sentence to the line's end: "Tell us about it on our Facebook
# page.", "Watch the video below to hear ...", "Read more about Kerry's case here.", "To read this story in full ...,
# you must be a subscriber", "Add this video to your website by copying the code below.", Twitter's embed notice
# ("When you tweet with a location, ..."). A sentence that opens so inside a quotation is someone's words, and the
# same words inside a sentence ("officials would not tell us whether ...") are the article's.
# Twitter's embed notice under an embedded tweet, furniture for every reader of a text: a line's call to its reader
# here, a furniture sentence in summarizer.furniture (which adds the notice's other sentences).
TWEET_NOTICE = (
    r"add\s+a\s+location\s+to\s+your\s+tweets|(?:when\s+you\s+)?tweet\s+with\s+a\s+location"
    r"|you\s+can\s+add\s+location\s+information\s+to\s+your\s+tweets"
)
# A call also sends the reader elsewhere: to follow someone ("Follow Jeff Poor on Twitter @jeff_poor."), to read,
# listen to or watch the rest ("Read the rest of the story at The New York Post.", "Listen to this article."), to go
# "here" ("Read part 1 here, and part 2 here.", "(Preview the cover story and listen to ... here.)"), to click or submit
# ("Click through for the whole thing.", "Submit your letter to the editor via this form."). The verb opens the
# sentence and its object is the reader's (a handle, "here", "the rest", "your"): "Russia will follow the US lead"
# opens with no such verb, and "Read said on Tuesday ..." (a name) has no such object.
_SEND_VERB = r"(?:read|listen|watch|preview|view|see|find|check\s+out|download|hear)"
_NAME_THEN = r"(?!\s*,|\s+(?:said|says|told|added|wrote|writes|has|had|is|was|who|and)\b)"
_READER_CALL = re.compile(
    rf"""(?:^|(?<=[.!?…])["”’)]*\s+)\(?(?:
        follow\s+(?:[\w.'’-]+\s+){{0,3}}?(?:on\s+(?:twitter|x|facebook|instagram|threads|bluesky|tiktok|youtube|linkedin|
            telegram)\b|@\w)
      | (?:read|listen\s+to|watch|see|view)\s+(?:the\s+)?(?:rest|remainder|full|whole|entire|complete)\s+(?:of\s+)?\w
      | listen\s+to\s+(?:this|our)\s+(?:article|story|episode|podcast|interview)\b
      | {_SEND_VERB}{_NAME_THEN}\b[^.!?\n"“”]{{0,100}}?\bhere\s*(?:[,.!;)]|$)
      | click\s+(?:here|through|to|on|below|above|the|for|this)\b
      | submit\s+(?:your|a)\b
      | (?:join|continue)\s+the\s+(?:conversation|discussion|debate)\b
      | e-?mail\s+us\b
      | (?:tell|show|send)\s+us\b
      | let\s+us\s+know\b
      | share\s+your\s+(?:thoughts|story|stories|views|experiences?|photos|pictures|videos|comments)\b
      | watch\s+(?:the\s+(?:full\s+)?(?:video|clip)|more|below|above|here|now)\b
      | (?:read|see)\s+more\b(?!\s+(?:than|and|of\s+(?:the|it|them)\b))
      | read\s+our\s+(?:press\s+release|statement|full|story|coverage)\b
      | add\s+this\s+(?:video|tweet|post)\s+to\s+your\b
      | to\s+read\s+(?:this|the)\s+(?:story|article|piece)\s+in\s+full\b
      | for\s+more\s+information\s*,?\s+(?:go\s+to|visit|call|click|log\s+on\s+to|see)\b
      | already\s+a\s+subscriber\b
      | {TWEET_NOTICE}
      | learn\s+more\s*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# Words one of _READER_CALL's phrases holds, lower-cased: a line without any is not read with the pattern.
_CALL_WORDS = ("tell us", "show us", "send us", "let us", "share your", "watch", "read", "see", "view", "listen",
               "preview", "find", "check out", "download", "hear", "follow", "click", "submit", "join", "continue the",
               "mail us", "add this", "in full", "already a", "add a location", "tweet with", "information",
               "learn more")  # fmt: skip
CALL_TAIL = 300  # most characters a call to the reader and what follows it on its line may hold

# The question to the reader a call follows, as a line's last sentence before it.
_QUESTION_TO_READER = re.compile(r"(?:^|(?<=[.!?…]\s))[^.!?]*\byou\b[^.!?]*\?\s*$", re.IGNORECASE)

# A photo credit alone, or glued to the paragraph it stood above: "Paul Sancya/AP Photo", "Mike Coppola/Getty The
# Olsen twins said ...", "Zach Gibson/AFP/Getty Images" (a name, a slash, an agency; then a sentence's capital, not
# "ABC/Reuters poll shows ...").
_AGENCY = (
    r"(?:Getty(?:\s+Images)?|AP(?:\s+Photo)?|AFP|Reuters|EPA|Shutterstock|WireImage|FilmMagic|Invision|Splash(?:\s+News)?|"
    r"REX|Rex\s+Features|Bloomberg|Corbis|NurPhoto|Sipa|Pool|POOL|dpa|Xinhua|Anadolu|SOPA\s+Images|LightRocket|"
    r"Hulton\s+Archive)(?:\s+(?:Entertainment|Sport|News|Pool|via\s+Getty\s+Images))?"
)
_CREDIT = re.compile(
    rf"^\s*(?:[A-Z][\w'’.-]*\s+){{0,3}}[A-Z][\w'’.-]*\s*/\s*{_AGENCY}(?:\s*/\s*{_AGENCY})*\.?(?:\s+(?=[A-Z0-9\"“‘])|\s*$)"
)

# A tag's attributes left at a line's opening when its markup was taken off: a video player's 'poster="http://…jpg"
# true Donald Trump talks with ...', an XML declaration's 'version="1.0" encoding="utf-8"?' over a chart's labels.
_ATTRIBUTES = re.compile(r'^\s*(?:[a-z][\w-]*="[^"\n]{0,500}"\??\s*(?:(?:true|false)\b\s*)?)+')


def _attributes_end(line: str) -> int:
    """How much of a line's opening is a tag's attributes (_ATTRIBUTES), spaces after them included; 0 if none."""
    m = _ATTRIBUTES.match(line) if '="' in line else None
    return m.end() if m else 0


# CNN's video boxes between paragraphs ("JUST WATCHED What's the truth with ...? Replay More Videos ... MUST WATCH").
_VIDEO_BOX = re.compile(r"^\s*(?:JUST WATCHED|MUST WATCH)\b")
# USA Today's video player: its buttons, "CLOSE" in capitals, then the video's blurb and credit on a line of their own
# ("CLOSE Pete Davidson appears to joke about ... And former fiancée Ariana Grande is not amused. USA TODAY", "Skip in
# Skip x Embed x Share CLOSE ... (July 28) AP"): a video's caption, not the article's words, and at times another
# story's (10 lines in 7 of the 1,750 eval texts, all such blurbs). A word in lower case follows, so a headline in
# capitals ("CLOSE CALL ...") is none; a line of MAX_CAPTION characters or more is a page run together, not the box.
_PLAYER_BOX = re.compile(r"^\s*(?:(?:Skip|in|x|Embed|Share)\s+)*CLOSE\s+(?=[\"“‘]?[A-Z][a-z])")

# A caption ends with the picture's credit: "(AFP Photo)", "[Valentyn Ogirenko/Reuters]", "(Associated Press)" (AP's
# captions as Yahoo carries them).
_CAPTION_END = re.compile(
    r"""[(\[](?:[^()\[\]]{0,60}\b(?:photo|photos|photograph|picture|image|images|getty|afp|reuters|ap|epa|
    anadolu|xinhua|tass|sputnik|handout|file|credit|courtesy|shutterstock|associated\s+press|press\s+association)\b
    [^()\[\]]{0,40}
    | [^()\[\]/]{2,60}/[^()\[\]/]{2,40})[)\]]\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# A caption's credit may name its source and nothing else, after the caption's last sentence: "Various rare earth
# oxides. (Saskatchewan Research Council)" (The Epoch Times' feed descriptions are such captions). Two to six
# capitalised words (with "of", "the", "and", "for" between), case-sensitive: "(see below)" or "(1.2%)" is no credit.
_NAME_CREDIT_END = re.compile(
    r"(?<=[.!?] )\((?:The )?[A-Z][\w'’.&-]*(?: (?:of|the|and|for|[A-Z][\w'’.&-]*)){1,5}\)\s*$"
)
# A caption opens by saying it describes a picture, as the wire services write them: "FILE - In this Nov. 22, 2015
# file photo, ...", "File-This Aug. 5, 1966, file photo shows ...", "In this April 11, 2018, file photo, ...", "This
# undated photo provided by ...". A paragraph of prose does not open so; such a line is a caption whatever it quotes
# (the credit at its end may be cut off or missing).
_CAPTION_OPENING = re.compile(
    r"""^\s*(?:FILE\s*[-–—:]|File\s*[-–—]\s*(?=This\b)|FILE\s+PHOTO\b
      | (?:In\s+this\s+(?:[\w.,’']+\s+){0,6}?|This\s+(?:[\w.,’']+\s+){0,6}?(?=(?:file|undated|handout)\s))
        (?:file\s+|undated\s+|handout\s+)*(?:photo|photograph|picture|image|still\s+image|video\s+(?:image|still|grab)|screen\s*(?:shot|grab))
        (?:,|\s+(?:provided|released|made|taken|shows|showing|obtained|from|by|of|dated))\s)""",
    re.VERBOSE,
)
# A wire photo credit in the middle of a line, where the caption and the paragraph under it were run together:
# "... in Frankfurt, Germany. (AP Photo/Michael Probst, File) When you weigh all life ...". The space after it is where
# the caption ends (prepare makes it a line break).
_GLUED_CREDIT = re.compile(
    r"(?:(?<=[.!?…] )|(?<=[.!?…][\"”’] ))\((?:AP|AFP|EPA|Reuters|Getty\s+Images)\s+Photos?\b[^()\n]{0,60}\)( )(?=[\"“]?[A-Z])"
)

# A line that is only a date and/or time ("February 27, 2026 03:55 PM GMT+03:00").
_DATE_WORD = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|"
    r"fri(?:day)?|sat(?:urday)?|sun(?:day)?|am|pm|a\.m\.|p\.m\.|gmt|utc|[ecmp][sd]t|bst|cet|cest|eet|msk|ist|jst|"
    r"aest|updated|published|posted)"
)
_DATE_LINE = re.compile(rf"^[\s,.:|•·/+\-–—\d]*(?:{_DATE_WORD}[\s,.:|•·/+\-–—\d]*)+$", re.IGNORECASE)

# A name on its own line ("Jennifer Hicks"): a byline when it stands next to other byline furniture.
_NAME_LINE = re.compile(r"^\s*[A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|de|van|von|bin|al|el|la|le)){0,3}\s*$")

# The wire-service dateline at the start of a story: "(CNN)", "Washington (CNN) -- ", "(Reuters) -".
_DATELINE = re.compile(
    r"^\s*(?:(?:[A-Z][\w.'’-]*(?:[ ,]+[A-Z][\w.'’-]*){0,4}[ ,]*)?"
    r"\((?:CNN(?:\s[A-Z][a-z]+){0,2}|AP|AFP|Reuters|Bloomberg|UPI|TASS|Xinhua|EW\.com)\)\s*(?:[-–—]{1,2}\s*)?"
    r"|\([A-Z][\w.&'’]*(?:\s[A-Z][\w.&'’]*){0,3}\)(?:\s*[-–—]{1,2}\s*|(?=[A-Z])))"
)

# Markdown left by some scrapers: block-quote and heading markers at a line's opening, bold/italic marks (_emphasis).
_MARKDOWN_BLOCK = re.compile(r"^\s{0,3}(?:>\s?)+|^\s{0,3}#{1,6}\s+")
_MARK_RUN = re.compile(r"\*+|_+")
_EMPHASIS = ("**", "__", "_")  # the runs scrapers write for <strong> and <em>; a longer run ("f****ed") is none
# A run of "__" around a lower-case identifier is code, not bold ("the __init__ method"), however Markdown reads it.
_DUNDER_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _maybe_markdown(line: str) -> bool:
    """Whether a line may hold any Markdown mark (most lines have none of it)."""
    head = line[:4]
    return "_" in line or "**" in line or ">" in head or "#" in head


def _emphasis(line: str) -> list[tuple[int, int]]:
    """Spans of a line's bold/italic marks, read as Markdown reads them: a mark opens at a word's start (after a space,
    a punctuation mark or the line's opening, before a non-space) and closes at a word's end, and only a closing mark
    that finds its opening one counts. Marks inside a word are the word's ("f**king", "my__var", "@john_doe_")."""
    spans: list[tuple[int, int]] = []
    opened: list[tuple[str, int, int]] = []  # (run, start, end) of the marks still open
    for m in _MARK_RUN.finditer(line):
        run, a, b = m.group(0), m.start(), m.end()
        if run not in _EMPHASIS:
            continue
        before, after = line[a - 1 : a], line[b : b + 1]
        closes = bool(before) and not before.isspace() and not after.isalnum()
        opens = bool(after) and not after.isspace() and not before.isalnum()
        k = next((k for k in range(len(opened) - 1, -1, -1) if opened[k][0] == run), -1) if closes else -1
        if k >= 0:
            _, oa, ob = opened[k]
            del opened[k:]  # marks opened inside the pair and never closed stay as written
            if not (run == "__" and _DUNDER_NAME.fullmatch(line, ob, a)):
                spans += [(oa, ob), (a, b)]
        elif opens:
            opened.append((run, a, b))
    return spans


# A footnote mark after a sentence's end ("is actively being restored.* This ...", "by 30%.[1] Doctors ..."): the
# page's apparatus, not the sentence's words (a summary sentence ending "restored.*" would not end like one).
_FOOTNOTE = r"(?:\*{1,3}|\[\d{1,3}\]|[†‡])"  # "*", "[1]", "†": also part of a sentence's end (_CANDIDATE below)
_FOOTNOTE_MARK = re.compile(rf"(?<=[.!?…\"”’)\]]){_FOOTNOTE}(?=\s|$)")
_FOOTNOTE_CHARS = ("*", "[", "†", "‡")  # a character each match holds (most lines have none)


def _marks(body: str) -> list[tuple[int, int]]:
    """Spans of a line's Markdown marks and footnote marks, removed from the prepared text (may overlap: "**")."""
    spans = []
    if _maybe_markdown(body):
        spans = [m.span() for m in _MARKDOWN_BLOCK.finditer(body)] + _emphasis(body)
    if any(c in body for c in _FOOTNOTE_CHARS):
        spans += [m.span() for m in _FOOTNOTE_MARK.finditer(body)]
    return sorted(spans)


# Line endings, tested from the end of the line (a regex ending in "$" would scan the whole line).
_CLOSERS = '"”’)]'


def _ends_terminal(s: str) -> bool:
    """Whether ``s`` ends a sentence: ``[.!?…]["”’)\\]]*\\s*$`` (. ! ? or …, closing marks, spaces)."""
    return s.rstrip().rstrip(_CLOSERS)[-1:] in (".", "!", "?", "…")


def _ends_sentence(s: str) -> bool:
    """Whether ``s`` ends like a sentence or a clause: ``[.!?…:;"”’)\\]]\\s*$``."""
    return s.rstrip()[-1:] in (".", "!", "?", "…", ":", ";", '"', "”", "’", ")", "]")


# HTML handed in as text: tags out (block tags become line breaks), entities decoded. It is HTML when it holds several
# common tags, opening or closing, or one tag prose never holds: a link, an image, a script, a line break (a feed's
# description with "<a href=...>Kremlin</a>" or "...on Monday.<br>Prices ..."). A "<" alone ("a <5% rise") is no tag.
_HTML_HINT = re.compile(r"</?(?:!doctype|html|head|body|p|div|br|span|a|li|ul|table|h[1-6]|script|style)\b", re.I)
_HTML_SURE = re.compile(r"<(?:a\s[^<>]*\bhref\s*=|img\s[^<>]*\bsrc\s*=|script\b|br\s*/?>)", re.I)
_HTML_TOKEN = re.compile(
    r"<!--.*?-->|<(script|style|noscript|template|svg|head)\b[^>]*>.*?</\1\s*>|<[!/]?[a-zA-Z][^>]*>|&#?\w{1,10};",
    re.IGNORECASE | re.DOTALL,
)
_HTML_BLOCK = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|section|article|header|footer|nav|aside|blockquote|pre|figure|"
    r"figcaption|title|dd|dt|hr)\b",
    re.IGNORECASE,
)

_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff\ud800-\udfff]")
# Share of characters that are control or replacement characters above which text is binary junk.
_JUNK_CHAR_SHARE = 0.05


@dataclass(frozen=True)
class Prepared:
    """An article ready for analysis: cleaned, normalised body text mapped onto the original."""

    original: str
    text: str  # normalised body (boilerplate removed); offsets map to ``original``
    offsets: tuple[int, ...]  # offsets[i] = index in ``original`` of text[i]; one extra at the end
    title: str | None = None
    problem: str | None = None  # why there is nothing to analyse (binary data, not English), for the reader
    # spans of :attr:`text` that belong to the page but are not the story's prose (photo captions):
    # kept for figures and quotes (annotators count them), never used in a summary
    asides: tuple[tuple[int, int], ...] = ()

    def in_aside(self, start: int, end: int) -> bool:
        """Whether a [start, end) span of :attr:`text` lies inside an aside (a photo caption)."""
        return any(a <= start and end <= b for a, b in self.asides)

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
        b = self.to_original(end - 1) + 1
        if self.original[b - 1 : b] == "&":  # the span's last character was a character reference: all of it
            m = _ENTITY.match(self.original, b - 1)  # ("up 4&#37;" is "4%", not "4&")
            b = m.end() if m and html.unescape(m.group()) != m.group() else b
        return self.to_original(start), b

    def original_slice(self, start: int, end: int) -> str:
        """The original characters behind a span of :attr:`text`, exactly as written."""
        a, b = self.span(start, end)
        return self.original[a:b]

    @cached_property
    def sentence_spans(self) -> tuple[tuple[int, int], ...]:
        """Body sentences as [start, end) spans of :attr:`text`."""
        return tuple(sentence_spans(self.text))

    @cached_property
    def sentences(self) -> tuple[Sentence, ...]:
        """Body sentences; offsets are into :attr:`original`, text is the normalised sentence."""
        out = []
        for k, (a, b) in enumerate(self.sentence_spans):
            oa, ob = self.span(a, b)
            out.append(Sentence(text=self.text[a:b], start=oa, end=ob, index=k))
        return tuple(out)


def normalize_char(c: str) -> str:
    """The matching form of one character ('' when it is dropped)."""
    if c in _DROP or _DROP_RANGE.match(c):
        return ""
    if c in _MAP:
        return _MAP[c]
    if unicodedata.category(c) == "Cc" and c != "\n":
        return " "
    return c


def normalize(text: str) -> str:
    """The matching form of a whole string (NBSP, zero-width characters, quote marks)."""
    if not _NEEDS_NORMALISING.search(text):
        return text
    return "".join(normalize_char(c) for c in text)


# --------------------------------------------------------------------------- cleaning


def _strip_html(raw: str) -> tuple[str, list[int]]:
    """Text of an HTML document with a map from each of its characters to the raw offset."""
    out: list[str] = []
    offs: list[int] = []
    pos = 0
    for m in _HTML_TOKEN.finditer(raw):
        if m.start() > pos:
            out.append(raw[pos : m.start()])
            offs.extend(range(pos, m.start()))
        tok = m.group(0)
        if tok.startswith("&"):
            s = html.unescape(tok)
            out.append(s)
            offs.extend([m.start()] * len(s))
        elif _HTML_BLOCK.match(tok):
            out.append("\n")
            offs.append(m.start())
        pos = m.end()
    out.append(raw[pos:])
    offs.extend(range(pos, len(raw)))
    return "".join(out), offs


# A character reference ("&euro;", "&#8364;", "&#x20AC;"): a feed or an extractor may hand in text with its entities
# still written and no tag left ("Exports rose to &euro;3bn"), which _looks_like_html rightly calls prose.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _decode_entities(raw: str) -> tuple[str, list[int]] | None:
    """Text with its character references decoded, with a map from each character to the raw offset (as _strip_html
    gives); None when it holds none. One pass, never read again as markup: "&lt;b&gt;" a page escaped on purpose
    becomes the text "<b>", and a name html does not know ("R&D;") stays as written."""
    out: list[str] = []
    offs: list[int] = []
    pos = 0
    for m in _ENTITY.finditer(raw):
        s = html.unescape(m.group())
        if s == m.group():
            continue
        out.append(raw[pos : m.start()])
        offs.extend(range(pos, m.start()))
        out.append(s)
        offs.extend([m.start()] * len(s))
        pos = m.end()
    if not pos:
        return None
    out.append(raw[pos:])
    offs.extend(range(pos, len(raw)))
    return "".join(out), offs


def _looks_like_html(raw: str) -> bool:
    """Markup rather than prose: a doctype/html tag, several common tags, or one that prose never holds."""
    head = raw[:2000].lstrip().lower()
    if head.startswith(("<!doctype", "<html", "<?xml")):
        return True
    if "<" not in raw:
        return False
    return len(_HTML_HINT.findall(raw[:100_000])) >= 5 or bool(_HTML_SURE.search(raw[:100_000]))


def _prose(line: str) -> bool:
    """A line that reads like article prose: ends like a sentence and has several words."""
    return _ends_terminal(line) and line.count(" ") >= 5


def _is_navigation_run(lines: list[str]) -> bool:
    """A run of short lines with no sentence punctuation: a menu, ticker or tag list."""
    return len(lines) >= 3 and all(len(x.strip()) < 40 and not _ends_sentence(x) for x in lines)


# A list's items look like a menu (short lines, no full stop: "Key figures:\n• Exports fell 12% in May\n• ..."), and
# a navigation run took their figures with it (qa8 r09). An item is the article's when it is a list's, opened by a
# bullet or a number ("• ", "- ", "1. ", "2) ") or under a lead-in ending with a colon ("Key figures:"), and reads as
# prose: a figure or a quotation, with at least two lower-case words (a verb, a preposition: "fell ... in", "for ...").
# Menus, link lists and bylines have no figure, or only capitalised words around one ("Activity: 199", "2008: Judy
# Royal and Ron Safer", "Washington, DC 20594"); so does a flattened table's row ("China 240,000 t 68%"), whose
# figures mean nothing without its header: tables stay out. No line of the 1,762 eval texts (../shared/eval, the check
# set) was kept or joined otherwise for it.
_LIST_MARK = re.compile(r"^\s*(?:[•·▪◦‣●■►▸*\-–—]|\d{1,2}[.)])\s+(?=\S)")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]+")
LIST_ITEM_LOWER_WORDS = 2  # lower-case words an item needs besides its figure or quotation


def _list_item(line: str, lead_in: bool) -> bool:
    """Whether a short line of a navigation run is a list's item the article states (see above)."""
    if not lead_in and not _LIST_MARK.match(line):
        return False
    said = any(c.isdigit() for c in line) or sum(line.count(q) for q in '"“”') >= 2
    return said and len(_LOWER_WORD.findall(line)) >= LIST_ITEM_LOWER_WORDS


def _is_junk_line(line: str, call: int | None = None) -> bool:
    """Furniture that can stand anywhere: bylines, dates, share buttons, site promos, a video box, a photo credit
    that is the whole line, or a call to the reader that is (``call``: where _reader_call_at found one)."""
    s = line.strip()
    if _JUNK_LINE.match(s) or _TAIL_MARKERS.match(s) or (len(s) < 100 and _DATE_LINE.match(s)):
        return True
    if _VIDEO_BOX.match(s) or _credit_end(s) == len(s) or (call is not None and not line[:call].strip()):
        return True
    if len(s) < MAX_CAPTION and _PLAYER_BOX.match(s):
        return True
    if len(s) >= 300 or re.search(r"[\"“”]", s):
        return False
    return any(_promo_call(s, m.start()) for m in _PROMO.finditer(s))


# A site's call to its reader: the words the phrase begins a sentence with ("Sign up for our newsletter"), or a line
# that speaks to the reader ("To get the latest, subscribe to our channel"); news of others signing up or
# subscribing ("30 million households subscribe to the premium plan") is neither.
_READER = re.compile(r"\b(?:you|your|our|us)\b", re.IGNORECASE)
_SENTENCE_OPENING = re.compile(r"(?:^|[.!?:|•»—–-])\W*$")


def _promo_call(line: str, at: int) -> bool:
    """Whether the promo phrase matched at ``at`` (its match may begin with the character before it) calls to the
    reader."""
    start = at if line[at].isalnum() else at + 1
    return bool(_SENTENCE_OPENING.search(line[:start])) or bool(_READER.search(line))


def _reader_call_at(line: str) -> int | None:
    """Where the site's call to its reader begins in a line (_READER_CALL), outside quotation marks, with the question
    to the reader it follows ("Have you done the Ice Bucket Challenge? Tell us ..."); None if nowhere, or if more than
    CALL_TAIL characters follow (a page flattened to one line goes on with the article after "Watch the video: .")."""
    for m in _READER_CALL.finditer(line, max(0, len(line) - CALL_TAIL - 4)):
        at = m.start() + len(m.group(0)) - len(m.group(0).lstrip(' \t"”’)'))
        before = line[:at]
        if before.count("“") <= before.count("”") and before.count('"') % 2 == 0:
            lo = max(0, at - CALL_TAIL)  # what a call may take with it lies within CALL_TAIL: read no further back
            asked = _QUESTION_TO_READER.search(line, lo, at)
            at = asked.start() if asked else at
            return at if len(line) - at <= CALL_TAIL else None
    return None


def calls_reader(sentence: str) -> bool:
    """Whether a sentence opens as the site's call to its reader (_READER_CALL: "Follow Jeff Poor on Twitter
    @jeff_poor.", "(Preview the cover story and listen to ... here.)"): furniture inside a paragraph too, where
    prepare leaves it when the article's words go on after it on the line."""
    s = sentence.strip()
    return len(s) <= CALL_TAIL and bool(_READER_CALL.match(s))


def _reader_calls(text: str) -> dict[int, int]:
    """Line number -> where the site's call to its reader begins on that line (_reader_call_at), for the lines of
    ``text``. One scan of the whole text for the phrases' words picks the lines worth reading (most have none)."""
    out: dict[int, int] = {}
    low = text.lower()  # lower-casing may change a length, never the line breaks: lines are counted, not indexed
    found: list[int] = []
    for word in _CALL_WORDS:  # str.find per word: several times faster than one pattern of them all
        at = low.find(word)
        while at >= 0:
            found.append(at)
            at = low.find(word, at + 1)
    lines = text.split("\n") if found else []
    read: set[int] = set()
    line, counted = 0, 0
    for at in sorted(found):
        line += low.count("\n", counted, at)
        counted = at
        if line not in read:
            read.add(line)
            if (call := _reader_call_at(lines[line])) is not None:
                out[line] = call
    return out


def _credit_end(line: str) -> int:
    """How much of a line's opening is a photo credit (_CREDIT), spaces after it included; 0 if none."""
    m = _CREDIT.match(line)
    return m.end() if m else 0


MAX_CAPTION = 600  # characters: a longer line is a paragraph, whatever its opening


def _is_caption(line: str) -> bool:
    """A photo caption: a line ending with the picture's credit ("(AFP Photo)", "[Name/Reuters]"), or one opening as a
    wire caption does ("FILE - In this Nov. 22, 2015 file photo, ...")."""
    s = line.strip()
    if len(s) >= MAX_CAPTION:
        return False
    if _CAPTION_OPENING.match(s):
        return True
    ends = bool(_CAPTION_END.search(s)) or (s.endswith(")") and bool(_NAME_CREDIT_END.search(s)))
    return len(s) < 400 and ends and not re.search(r"[\"“”]", s)


def _keep_mask(lines: list[str], calls: dict[int, int]) -> list[bool]:
    """Decide which lines of a page are article text (``calls``: _reader_calls of them)."""
    n = len(lines)
    keep = [bool(x.strip()) for x in lines]
    prose_total = sum(len(x) for x in lines if _prose(x))
    # 1. everything from the first tail marker on, once enough of the article precedes it,
    #    so that a headline that happens to match cannot wipe the article.
    prose_before = 0
    for i, line in enumerate(lines):
        if _TAIL_MARKERS.search(line) and (prose_before >= 0.3 * prose_total or prose_before >= 1500):
            for j in range(i, n):
                keep[j] = False
            break
        if _prose(line):
            prose_before += len(line)
    # 2. junk lines anywhere
    for i, line in enumerate(lines):
        if keep[i] and _is_junk_line(line, calls.get(i)):
            keep[i] = False
    # 3. bylines: a name alone on a line next to other byline furniture (Avatar photo, By, Update Time)
    for i, line in enumerate(lines):
        if keep[i] and len(line) < 80 and _NAME_LINE.match(line) and len(line.split()) <= 4:
            near = [lines[j].strip() for j in (i - 1, i + 1) if 0 <= j < n and lines[j].strip()]
            if any(
                re.match(r"(?i)^(?:avatar\s+photo|by|[•·*\s]*update\s+time|written\s+by|author)\b", x) for x in near
            ):
                keep[i] = False
    # 4. blocks of related headlines under a heading ("More to Read")
    for i, line in enumerate(lines):
        if _RELATED_HEADING.match(line):
            keep[i] = False
            for j in range(i + 1, min(n, i + 25)):
                s = lines[j].strip()
                if s and (_ends_terminal(s) or len(s) > 160):
                    break
                keep[j] = False
    # 5. runs of navigation items (menus, tickers, keyword lines)
    i = 0
    while i < n:
        if not keep[i]:
            i += 1
            continue
        j = i
        run: list[int] = []
        while j < n and (not lines[j].strip() or (len(lines[j].strip()) < 40 and not _ends_sentence(lines[j]))):
            if lines[j].strip():
                run.append(j)
            j += 1
        if len(run) >= 3 and _is_navigation_run([lines[k] for k in run]):
            before = next((k for k in range(run[0] - 1, -1, -1) if lines[k].strip()), None)
            lead_in = before is not None and keep[before] and lines[before].rstrip().endswith(":")
            for k in run:
                if not _list_item(lines[k], lead_in):
                    keep[k] = False
        i = max(j, i + 1)
    # 6. pull quotes: a block-quoted line (Markdown "> ") repeating words of the article elsewhere
    quoted = [i for i, line in enumerate(lines) if keep[i] and line.lstrip().startswith(">")][:50]
    plain = re.sub(r"[*_“”\"]", "", "\n".join(x for x in lines if not x.lstrip().startswith(">"))) if quoted else ""
    for i in quoted:
        if keep[i]:
            core = re.sub(r"[>*_“”\"\s]+", " ", lines[i]).strip()
            if len(core) >= 40 and core[:60] in plain:
                keep[i] = False
                # and its attribution line ("> — The report")
                if i + 1 < n and re.match(r"^\s*>\s*[*_]*\s*[—–-]", lines[i + 1]):
                    keep[i + 1] = False
    # 7. a keyword line (comma-separated names with no verb-like ending) right after the header
    for i, line in enumerate(lines[:8]):
        s = line.strip()
        if keep[i] and s.count(",") >= 4 and not _ends_sentence(s) and len(s) < 300:
            keep[i] = False
    return keep


def _joins(lines: list[str], keep: list[bool]) -> set[int]:
    """Kept lines i whose line break continues a sentence into the next kept line."""
    out: set[int] = set()
    kept = [i for i in range(len(lines)) if keep[i]]
    open_sentence = False  # the current line continues a sentence broken over lines
    for a, b in itertools.pairwise(kept):
        cur, nxt = lines[a].strip(), lines[b].strip()
        if b != a + 1 or _ends_terminal(cur) or cur.endswith((":", ";")) or _LIST_MARK.match(nxt):
            open_sentence = False
            continue
        starts_lower = nxt[:1].islower() or nxt[:1] in ",;)"
        fragment = len(nxt.split()) <= 5 and not _ends_sentence(nxt) and cur[-1:].isalpha()
        if starts_lower or (fragment and cur.count(" ") >= 3) or (open_sentence and len(cur.split()) <= 5):
            out.add(a)
            open_sentence = True
        else:
            open_sentence = False
    return out


# A headline that ends like a sentence ("Will Russia cut gas to Europe?", "GOP Rep McCaul Announces Bill Revoking
# Hillary's Security Clearance.", "O'Malley campaign to shift staff, resources to Iowa.": PolNeAR's texts open so) is
# told from a short first paragraph of prose ("Salma Hayek is mourning the death of her beloved dog.") by its words:
# Title Case, or headlinese, which drops the articles, the auxiliaries and the pronouns prose cannot do without (and
# reports no one's words: no "said", no quotation marks, no brackets).
HEADLINE_WORDS = 20  # most words of such a headline
_HEADLINE_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_PROSE_WORD = re.compile(
    r"\b(?:the|a|an|is|are|was|were|am|has|have|had|do|does|did|been|be|will|would|which|who|he|she|it|they|we|i|you|"
    r"his|her|its|their|our|my|said|says|told)\b|[()\"“”]",
    re.IGNORECASE,
)
TITLE_CASE_SHARE = 0.75  # of the words of four letters or more, at least this many capitalised: Title Case


def _headline_like(line: str) -> bool:
    """Whether a first line that ends like a sentence reads as a headline (Title Case or headlinese; see above)."""
    if len(line.split()) > HEADLINE_WORDS:
        return False
    long_words = [w for w in _HEADLINE_WORD.findall(line) if len(w.strip(".'’")) >= 4]
    if len(long_words) >= 2 and sum(w[0].isupper() for w in long_words) >= TITLE_CASE_SHARE * len(long_words):
        return True
    return not _PROSE_WORD.search(line)


def _title_of(line: str) -> str | None:
    """A headline without the site's name after it ("Story - Site", "Story | Section | Site")."""
    t = normalize(line).strip()
    parts = re.split(r"\s+[|–—-]\s+", t)
    while len(parts) > 1 and len(parts[-1].split()) <= 4:
        parts.pop()
    t = " - ".join(parts).strip()
    return t or None


def _append_normalised(body: str, lo: int, hi: int, base: int, chars: list[str], offsets: list[int]) -> None:
    """:func:`normalize_char` of each character of body[lo:hi], with its offset (base + index in body).

    The pieces between dropped characters (zero width, "\\r") are translated whole.
    """
    k = lo
    for m in _DROPPED.finditer(body, lo, hi):
        if m.start() > k:
            chars.append(body[k : m.start()].translate(_TRANSLATE))
            offsets.extend(range(base + k, base + m.start()))
        k = m.end()
    if hi > k:
        chars.append(body[k:hi].translate(_TRANSLATE))
        offsets.extend(range(base + k, base + hi))


def _junk_share(raw: str) -> float:
    """Share of control, replacement and private-use characters (binary data read as text)."""
    sample = raw[:20_000]
    if not sample:
        return 0.0
    return len(_BAD_CHAR.findall(sample)) / len(sample)


_LONE_CR = re.compile(r"\r(?!\n)")
_TABLE_ROW = re.compile(r"(?m)^\|[^\n]*\|[ \t]*$")  # a line that opens and closes with a cell mark


def prepare(raw: str, title: str | None = None) -> Prepared:
    """Clean and normalise an article; the first line is taken as its title when none is given."""
    if not isinstance(raw, str):
        raise TypeError(f"text must be str, not {type(raw).__name__}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be str or None, not {type(title).__name__}")
    if _junk_share(raw) > _JUNK_CHAR_SHARE:
        return Prepared(original=raw, text="", offsets=(0,), title=title, problem="the text looks like binary data")
    source, base = raw, None
    if _looks_like_html(raw):
        source, base = _strip_html(raw)
    elif "&" in raw and (decoded := _decode_entities(raw)) is not None:
        source, base = decoded
    if "\r" in source:  # a lone CR (old Mac files, some CMS exports) ends a line; a CRLF's CR is dropped (_MAP)
        source = _LONE_CR.sub("\n", source)  # one character for another: offsets stay as they are
    if "Photo" in source:  # a wire photo credit between a caption and the paragraph it was run into: a line break
        source = _GLUED_CREDIT.sub(lambda m: m.group(0)[:-1] + "\n", source)
    if "\n|" in source or source.startswith("|"):
        # a layout table's rows as an extractor writes them ("| Research has cast doubt … |  | "): each cell its own
        # line (one character for another, so offsets into the original stay as they are)
        source = _TABLE_ROW.sub(lambda m: m.group(0).replace("|", "\n"), source)
    lines = source.split("\n")
    calls = _reader_calls(source)
    keep = _keep_mask(lines, calls)
    # The first non-empty line is the headline when it does not end like a sentence (a photo's caption above the story,
    # ending with its credit, is none).
    first = next((i for i, x in enumerate(lines) if x.strip()), None)
    if first is not None and keep[first] and not _is_caption(lines[first]):
        s = normalize(lines[first]).strip()  # (a bidi mark after its full stop hid the end)
        ended = bool(_ENDED.search(s))
        own_paragraph = first + 1 < len(lines) and not lines[first + 1].strip()
        if len(s) < 200 and (not ended or (own_paragraph and _headline_like(s))) and any(keep[first + 1 :]):
            if title is None:
                title = _title_of(s)
            keep[first] = False
    if title:  # the headline repeated above the body
        t = title.casefold()
        for i, line in enumerate(lines):
            if keep[i] and len(line) < 300 and (_title_of(line) or "").casefold() == t:
                keep[i] = False
    captions = {i for i, line in enumerate(lines) if keep[i] and _is_caption(line)}
    joins = {i for i in _joins(lines, keep) if i not in captions and i + 1 not in captions}
    aside_spans: list[tuple[int, int]] = []
    chars: list[str] = []
    offsets: list[int] = []
    pos = 0
    first_body = True
    for i, line in enumerate(lines):
        if keep[i]:
            # "Mike Coppola/Getty The Olsen twins said ...": the credit out; 'poster="…jpg" true Donald Trump …': the markup
            start, end = _credit_end(line) or _attributes_end(line), len(line)
            if first_body and i not in captions:  # the dateline opens the body, under the photo's caption
                m = _DATELINE.match(line[start:])
                if m and len(line) - start - m.end() > 20:
                    start += m.end()
                first_body = False
            call = calls.get(i)  # "... not guilty. Read more about Kerry's case here.": the call out
            if call is not None and call > start:
                end = len(line[:call].rstrip())
            body = line[start:end]
            line_start = len(offsets)
            marks = _marks(body)
            if marks:
                k = 0
                for a, b in marks:
                    _append_normalised(body, k, max(k, a), pos + start, chars, offsets)
                    k = max(k, b)
                _append_normalised(body, k, len(body), pos + start, chars, offsets)
            elif _NEEDS_NORMALISING.search(body):
                _append_normalised(body, 0, len(body), pos + start, chars, offsets)
            else:
                chars.append(body)
                offsets.extend(range(pos + start, pos + end))
            if i in captions:
                aside_spans.append((line_start, len(offsets)))
            chars.append(" " if i in joins else "\n")
            offsets.append(pos + len(line))
        pos += len(line) + 1
    text = "".join(chars)
    # trim leading/trailing whitespace while keeping the map aligned (in place: the map is as long as the text)
    lead = len(text) - len(text.lstrip())
    text2 = text.strip()
    offs = offsets
    del offs[lead + len(text2) :]
    del offs[:lead]
    if base is not None:
        offs = [base[o] if o < len(base) else len(raw) for o in offs]
    end = offs[-1] + 1 if offs else 0
    offs.append(end)
    asides = tuple((max(0, a - lead), max(0, b - lead)) for a, b in aside_spans)
    return Prepared(
        original=raw,
        text=text2,
        offsets=tuple(offs),
        title=title,
        problem=language_problem(text2),
        asides=tuple((a, min(b, len(text2))) for a, b in asides if a < len(text2)),
    )


# --------------------------------------------------------------------------- sentences

# Abbreviations written in lower case that a period does not end ("vs.", "approx.").
_LOWER_ABBREV = frozenset(
    ["vs", "etc", "approx", "incl", "est", "al", "cf", "ca", "pp", "op", "eg", "ie", "viz", "nos"]
)
# A boundary that needs no judgement: a lower-case word (or closing number) ends with . ! ? …,
# perhaps a closing quote or bracket, then space and a capital or an opening quote.
# Capitalised abbreviations of four letters or more ("Calif.", "Sept."); shorter ones go to syntok.
_TITLE_ABBREV = frozenset(
    [
        "Corp",
        "Sept",
        "Prof",
        "Dept",
        "Calif",
        "Mass",
        "Wash",
        "Ariz",
        "Conn",
        "Colo",
        "Minn",
        "Tenn",
        "Okla",
        "Mich",
        "Wisc",
        "Penn",
        "Blvd",
        "Inst",
        "Univ",
        "Assn",
        "Bros",
        "Messrs",
        "Mlle",
        "Mme",
        "Supt",
        "Sgts",
        "Cmdr",
        "Hwy",
        "Mont",
        "Nebr",
        "Ariz",
    ]
)
# (possessive, and only at a run's start: a run of a hundred thousand dots is one candidate, tried once, not a
# candidate at each of its dots backtracking through the rest: quadratic)
# A footnote mark after the full stop ("is being restored.* This ...", "by 30%.[1] Doctors ...") is part of the end
# (_FOOTNOTE, above).
# Emoji after a sentence's end ("... Khan said.🙂 Talks resume ..."): the end is a candidate all the same, and the emoji
# belong to no sentence (a sentence ending with them would not end like one, and the summary passed it over).
_EMOJI = "[\u2600-\u27bf\U0001f000-\U0001faff\ufe0f]"
_EMOJI_CHAR = re.compile(_EMOJI)
_EMOJI_RUN = re.compile(f"{_EMOJI}+")
_CANDIDATE = re.compile(rf"(?<![.!?…])[.!?…]++[\"”’)\]]*+{_FOOTNOTE}?+(?={_EMOJI}*+\s+[\"“‘(\[]?[A-Z0-9])")
_ENDED = re.compile(rf"[.!?…][\"”’')\]]*\s*{_EMOJI}*\s*$")  # a line's end is a sentence's, emoji after it or not
_WORD_BEFORE = re.compile(rf"([\w.'’-]*)[.!?…]+[\"”’)\]]*{_FOOTNOTE}?$")
_ENDS_WITH_FOOTNOTE = re.compile(rf"[.!?…][\"”’)\]]*{_FOOTNOTE}$")

# What may follow "a.m." / "p.m." in the same sentence: a time zone ("p.m. ET", "a.m. Eastern"), a day or a date
# ("2 a.m. Tuesday", "12:21 a.m. April 3", "5 a.m. Election Day"), a city's time ("10 p.m. Paris time"). Any other
# capitalised word opens the next sentence ("at 5 p.m. Officials left ...").
_CLOCK = frozenset(["a.m", "p.m", "A.M", "P.M"])
_AFTER_CLOCK = re.compile(
    r"\s+(?:\(?[A-Z]{1,4}T\b|GMT\b|UTC\b|Z\b|(?:Eastern|Pacific|Central|Mountain|Atlantic|Hawaii|Alaska|Greenwich)\b"
    r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b"
    r"|(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?"
    r"|Nov(?:ember)?|Dec(?:ember)?)\b(?!\s+(?:said|says|told)\b)"
    r"|[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)?\s+(?:time|local\s+time|standard\s+time)\b|[A-Z][\w'’]*\s+(?:Day|Eve)\b)"
)
# A web address before a period ("Goop.com", "www.luka-magnotta.com", the domain of "tips@poynter.org"): the period ends
# the sentence (syntok read 15 of 19 such ends in the eval texts as no end: "..., she told ClassicBands.com. Cynthia
# Lennon, born ..." was one sentence). A name of two characters or more, then a common top-level domain, so "U.S.",
# "Ph.D." and "S.A.de" are none.
_WEB_ADDRESS = re.compile(
    r"(?:[\w-]+\.)*[A-Za-z0-9][\w-]+\.(?:com|org|net|gov|edu|mil|int|info|biz|news|io|tv|(?:co|com|org|gov|ac)\.[a-z]{2}"
    r"|uk|us|ca|au|nz|ie|de|fr|ru|in)",
    re.IGNORECASE,
)
# A parenthesis after a sentence's end, then a lower-case word: the sentence goes on ("... a recount?” (Page B1, Jan.
# 15) helps me understand ...").
_ASIDE_THEN_LOWER = re.compile(r"\s+[(\[][^()\[\]]{1,80}[)\]]\s+[a-z]")


# Words after which a period never ends the sentence when a capital or a number follows.
_NEVER_FINAL = frozenset(
    [
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Gov",
        "Sen",
        "Sens",
        "Rep",
        "Reps",
        "Gen",
        "Lt",
        "Col",
        "Sgt",
        "Capt",
        "Prof",
        "Rev",
        "Hon",
        "Adm",
        "Cmdr",
        "Gens",
        "St",
        "Mt",
        "Ft",
        "Pres",
        "Supt",
        "Atty",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
        "No",
        "Nos",
        "vs",
        "Jr",
        "Sr",
        "Re",  # a letter's subject: "Re. “Prop. 13 proves costly,” Page A8: I disagree ..."
    ]
)


def _boundary(line: str, m: re.Match[str]) -> bool | None:
    """Decide an obvious candidate boundary: True (split), False (no split), None (ask syntok)."""
    punct = m.group(0)
    if _ASIDE_THEN_LOWER.match(line, m.end()):
        return False
    if punct[0] == "!" and _repeated_exclamation(line, m):
        return False
    if punct[0] in "!?":
        return True
    if punct[-1] in "*]†‡" and _ENDS_WITH_FOOTNOTE.search(punct):
        return True
    if punct.startswith(("...", "…")):
        return None
    before = line[m.start() - 1 : m.start()]
    if before in ("", " ", ")", "]", '"', "”"):  # after a space (a dropped link), a bracket or a quote
        return bool(before)
    # the word cannot span a space, so the search starts after the last space before the punctuation
    w = _WORD_BEFORE.search(line, max(0, m.start() - 40, line.rfind(" ", 0, m.start()) + 1), m.end())
    word = w.group(1) if w else ""
    if word in _CLOCK and punct == ".":  # "at 5 p.m. Officials left", not "at 5 p.m. ET"
        return not _AFTER_CLOCK.match(line, m.end())
    if punct == "." and _WEB_ADDRESS.fullmatch(word):  # "on her site, Goop.com. But ...": no abbreviation ends so
        return True
    if not word or "." in word:
        return None
    if word in _NEVER_FINAL and punct == ".":
        return False
    if word.lower() in _LOWER_ABBREV and punct == ".":  # "Approx. 500 people came", as "approx." is
        return None
    if len(word) == 1 and word.isupper() and punct == ".":  # an initial: "George W. Bush"
        return False
    if word.isalpha() and len(word) >= 2:
        if word.islower():
            return True if word not in _LOWER_ABBREV else None
        if len(word) >= 4 and word[1:].islower() and word not in _TITLE_ABBREV:
            return True
        return True if len(word) >= 3 and word.isupper() else None  # "CNN.", not "U.S."
    if word.isdigit() and line[m.end() : m.end() + 8].lstrip()[:1].isalpha():  # "on March 22. The"
        return True
    return None


# A word and its "!" said over ("Choir! Choir! Choir!", a band's name; "Go! Go! Go!"): one unit, not a sentence each.
_SAME_WORD_AGAIN = re.compile(r"\s+(\w+)!")


def _repeated_exclamation(line: str, m: re.Match[str]) -> bool:
    """Whether the "!" of ``m`` ends a word that the next word, with its own "!", repeats."""
    again = _SAME_WORD_AGAIN.match(line, m.end())
    if not again or m.group(0) != "!":
        return False
    word = again.group(1)
    return line[max(0, m.start() - len(word) - 1) : m.start()].split()[-1:] == [word]


def _emoji_tail(line: str, start: int) -> int:
    """Where the emoji closing a line begin, when a sentence's end comes before them ("... Khan said.🙂"); else the
    line's length."""
    end = len(line.rstrip())
    k = end
    while k > start and _EMOJI_CHAR.match(line, k - 1):
        k -= 1
    return k if k < end and _ends_terminal(line[start:k]) else len(line)


def _line_spans(line: str, base: int) -> list[tuple[int, int]]:
    """Sentence spans of one line (offsets into the whole text)."""
    pieces: list[tuple[int, int, bool]] = []  # (start, end, needs syntok)
    start = 0
    ask = False
    for m in _CANDIDATE.finditer(line):
        verdict = _boundary(line, m)
        if verdict:
            pieces.append((start, m.end(), ask))
            start = m.end()
            if emoji := _EMOJI_RUN.match(line, start):
                start = emoji.end()
            ask = False
        elif verdict is None:
            ask = True
    pieces.append((start, _emoji_tail(line, start), ask))
    spans: list[tuple[int, int]] = []
    for a, b, needs_syntok in pieces:
        chunk = line[a:b]
        if not chunk.strip():
            continue
        if not needs_syntok:
            lead = len(chunk) - len(chunk.lstrip())
            spans.append((base + a + lead, base + a + len(chunk.rstrip())))
            continue
        for para in segmenter.analyze(chunk):
            for sent in para:
                if not sent:
                    continue
                sa = sent[0].offset
                sb = sent[-1].offset + len(sent[-1].value)
                if chunk[sa:sb].strip():
                    spans.append((base + a + sa, base + a + sb))
    return spans


_ABBREV_BEFORE_NUMBER = re.compile(r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|Nos|Art|Fig|p|pp)\.$")
_ABBREV_BEFORE_NAME = re.compile(r"\b(?:Gov|Sen|Rep|Gen|Lt|Col|Sgt|Capt|Adm|Rev|Hon|Mr|Mrs|Ms|Dr|Prof)\.$")


def _glue(text: str, prev: tuple[int, int], cur: tuple[int, int]) -> bool:
    """Join a fragment that the splitter cut off wrongly (after "Gov.", before a lower-case word)."""
    c = text[cur[0] : cur[1]]
    if c[:1].islower() or c[:1] in ",;:":
        return True
    if c and not c.strip(_CLOSERS):  # a closing quote mark or bracket alone
        return True
    p = text[prev[0] : prev[1]]
    if p[-1:] not in (".", "\n"):  # both abbreviation patterns end with a period
        return False
    tail = max(0, len(p) - 6)  # the longest abbreviation and its period, and the character before them
    if _ABBREV_BEFORE_NUMBER.search(p, tail):
        return c[:1].isdigit()
    return bool(_ABBREV_BEFORE_NAME.search(p, tail))


# The longest sentence a quotation repair may build (characters); longer quotes stay split.
_MAX_QUOTE_SENTENCE = 500


def _quote_depth_change(s: str) -> int:
    """How much a piece of text opens (+) or closes (-) double quotations."""
    return s.count("“") - s.count("”")


def _merge_quotes(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join sentences split inside a quotation, so no sentence starts or ends mid-quote."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        a, b = spans[i]
        j = i
        while j + 1 < len(spans):
            seg = text[a:b]
            curly = _quote_depth_change(seg)
            straight_open = seg.count('"') % 2 == 1
            if curly <= 0 and not straight_open:
                break
            na, nb = spans[j + 1]
            if "\n" in text[b:na] or nb - a > _MAX_QUOTE_SENTENCE:
                break
            # a paragraph-long quotation left open (journalists close only its last paragraph):
            # join only when the quotation closes before the line ends.
            limit = a + _MAX_QUOTE_SENTENCE
            line_end = text.find("\n", b, limit)
            rest = text[b : line_end if line_end >= 0 else limit]
            if curly > 0 and rest.count("”") == 0:
                break
            if straight_open and rest.count('"') == 0:
                break
            b = nb
            j += 1
        out.append((a, b))
        i = j + 1
    return out


def sentence_spans(text: str, *, join_quotes: bool = True) -> list[tuple[int, int]]:
    """Sentence [start, end) spans of ``text`` (syntok; no NLTK data needed); never across a line. With
    ``join_quotes``, the sentences of one quotation are one span."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        for a, b in _line_spans(line, pos):
            if spans and spans[-1][0] >= pos and _glue(text, spans[-1], (a, b)):
                spans[-1] = (spans[-1][0], b)
            else:
                spans.append((a, b))
        pos += len(line) + 1
    return _merge_quotes(text, spans) if join_quotes else spans


def unbalanced_quote(sentence: str) -> bool:
    """A sentence that opens a quotation it does not close, or closes one it did not open."""
    if "“" not in sentence and "”" not in sentence:
        return sentence.count('"') % 2 == 1
    depth = 0
    for ch in sentence:
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth -= 1
            if depth < 0:
                return True
    return depth != 0 or sentence.count('"') % 2 == 1


def with_headline(text: str, title: str | None) -> str:
    """The article with its headline as its first line, when the text does not begin with it (a feed's description, a
    page's extracted text): the figures are read in a headline line only, and a headline often holds the one figure of
    the news ("Ford Invests in $4.5 Billion Indonesia Facility ..."). Offsets are then into the returned text."""
    if not title or not title.strip() or text.lstrip().startswith(title.strip()[:40]):
        return text
    return f"{title.strip()}\n\n{text}"


def opens_mid_sentence(sentence: str) -> bool:
    """A fragment of a sentence broken on the page ("was arrested for drunk driving ...", "theaters December 18."):
    it opens with a lower-case word, not one written with a capital inside ("iPhone sales rose", "eBay said") nor a
    name's particle before the name ("de Blasio said", "al-Assad's forces")."""
    first = sentence.lstrip()[:1]
    if not first.islower():
        return False
    if any(c.isupper() for c in sentence.split(None, 1)[0]):
        return False
    return not _NAME_PARTICLE.match(sentence.lstrip())


# A name's lower-case particle, before the rest of the name: "de Blasio", "van der Leyen", "al-Assad", "bin Salman".
_NAME_PARTICLE = re.compile(
    r"(?:de|da|di|du|del|della|van|von|der|den|la|le|al|el|bin|ibn)(?:[\s-]+(?:der|den|la))?[\s-]+[A-Z]"
)


# --------------------------------------------------------------------------- words

_WORD = re.compile(r"[^\W_]+(?:[-’'][^\W_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """Word tokens (letters and digits; hyphenated and apostrophe words kept whole)."""
    return _WORD.findall(text)


# --------------------------------------------------------------------------- language


@cache
def _stopwords_en() -> frozenset[str]:
    """The commonest English words (data/common_en.txt), for the language check (not the stop words)."""
    text = resources.files("summarizer").joinpath("data/common_en.txt").read_text(encoding="utf-8")
    return frozenset(w for w in (line.split("#", 1)[0].strip() for line in text.splitlines()) if w)


_NOT_LETTER = re.compile(r"[\W\d_]+")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]+")
_NOT_LATIN = re.compile("[^A-Za-z\u00c0-\u024f]+")


_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _letter_counts(sample: str) -> tuple[int, int]:
    """Letters and Latin letters of ``sample``, as ``_NOT_LETTER`` and ``_NOT_LATIN`` count them (ASCII in C)."""
    ascii_part = sample.encode("ascii", "ignore")
    n_ascii = len(ascii_part) - len(ascii_part.translate(None, _ASCII_LETTERS))
    other = _NOT_LETTER.sub("", "".join(_NON_ASCII.findall(sample)))
    return n_ascii + len(other), n_ascii + len(_NOT_LATIN.sub("", other))


def _stop_word_counts(sample: str) -> tuple[int, int]:
    """Words of ``sample`` (as :func:`words` finds them) and how many are English stop words.

    A word never spans white space, so the white-space-separated chunks that are one word already
    are taken whole and only the rest goes through the word pattern.
    """
    chunks = sample.split()
    whole = list(filter(str.isalnum, chunks))
    rest = _WORD.findall(" ".join(itertools.filterfalse(str.isalnum, chunks)))
    stop = sum(map(_stopwords_en().__contains__, map(str.lower, whole)))
    stop += sum(map(_stopwords_en().__contains__, map(str.lower, rest)))
    return len(whole) + len(rest), stop


_ASCII_WORD_OR_SPACE = bytes(c for c in range(128) if chr(c).isalnum() or chr(c).isspace())


def _surely_english(sample: str) -> bool:
    """Enough stop words that the exact count cannot say otherwise (the cheap test of ordinary prose).

    Stop words among the chunks that are one word each are at most all of them; the words are at most
    one per chunk plus one per character inside a chunk that is not a letter or digit (any non-ASCII one
    counted as such).
    """
    chunks = sample.split()
    stop = sum(map(_stopwords_en().__contains__, map(str.lower, filter(str.isalnum, chunks))))
    ascii_part = sample.encode("ascii", "ignore")
    separators = len(ascii_part.translate(None, _ASCII_WORD_OR_SPACE)) + len(sample) - len(ascii_part)
    return stop >= 0.08 * (len(chunks) + separators)


def language_problem(text: str) -> str | None:
    """Why ``text`` cannot be summarised as English (None when it reads as English)."""
    sample = text[:3000]
    n_letters, n_latin = _letter_counts(sample)
    if n_letters < 20:
        return None
    if n_latin < 0.6 * n_letters:
        scripts: dict[str, int] = {}
        for c in _LATIN.sub("", _NOT_LETTER.sub("", sample)):
            name = unicodedata.name(c, "OTHER").split()[0]
            scripts[name] = scripts.get(name, 0) + 1
        script = max(scripts, key=scripts.__getitem__).title() if scripts else "non-Latin"
        return f"the text is not in English (mostly {script} script)"
    if _surely_english(sample):
        return None
    n_words, n_stop = _stop_word_counts(sample)
    if n_words >= 30 and n_stop < 0.08 * n_words:
        return "the text does not look like English"
    return None
