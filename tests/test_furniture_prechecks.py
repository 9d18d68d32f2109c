"""The word prechecks of summarizer/furniture.py change no result.

Proven from the patterns' parse (each alternative spells the words of one precheck entry; the characters
re.IGNORECASE matches to an ASCII letter found by trying every code point), and compared with the plain
regex search (the same functions with the word prechecks off) on real text: feed items (../shared/feeds-corpus), news articles and
multi-document clusters (../shared/eval), the seeds, and furniture phrases in every case.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# the regex parser (private, but the one the patterns are compiled from) gives the patterns' structure
from re import _constants as sre
from re import _parser as sre_parse

import pytest
from shared import shared_path

from summarizer import furniture
from summarizer.furniture import (
    _CAPTION_NEEDS,
    _FURNITURE_NEEDS,
    _TAIL_NEEDS,
    _Needs,
    clean_description,
    is_caption,
    is_furniture_sentence,
)

ROOT = Path(__file__).resolve().parents[1]

# ---- the reference: the same functions with the word prechecks off ---------------------------------------


@contextmanager
def _plain_search() -> Iterator[None]:
    """summarizer.furniture searching its patterns in every text (every word precheck passes): the reference."""
    saved = furniture._may_match
    furniture._may_match = lambda text, needs: True
    try:
        yield
    finally:
        furniture._may_match = saved


def _guards_hold(line: str) -> int:
    """The other prechecks of clean_line, checked on one line: each pattern is skipped only where it cannot match,
    and the second _strip_tail only where it would change nothing. Returns how many of the patterns matched."""
    s = line.rstrip()
    stripped = furniture._strip_tail(s)
    assert furniture._strip_tail(stripped) == stripped, line[:300]  # the second strip runs only after a cut
    matched = 0
    for text in (s, stripped):
        if furniture._BRACKETED_CUT.search(text):
            assert text.rstrip().endswith(furniture._BRACKETED_CUT_ENDS), line[:300]
            matched += 1
        if furniture._TRAILING_ELLIPSIS.search(text.rstrip()):
            assert text.rstrip().endswith(furniture._TRAILING_ELLIPSIS_ENDS), line[:300]
            matched += 1
    return matched


# ---- proof from the patterns ------------------------------------------------------------------------------


def _spells(words: tuple[str, ...], items: sre_parse.SubPattern | list, before: str = "") -> bool:
    """Whether every match of the parsed ``items`` holds one of ``words`` (compared lower-cased); ``before``: the
    literal characters every match has just before them (the parser moves the first letters that all alternatives of
    an alternation share out in front of it: "correction|clarification" is "c" then "orrection|larification")."""
    run = before  # the literal characters matched one after another so far
    for op, av in items:
        if op is sre.LITERAL:
            run += chr(av).lower()
            if any(w in run for w in words):
                return True
            continue
        if op is sre.IN and _class_spells(words, av):
            return True
        if op is sre.SUBPATTERN and _spells(words, av[3], run):
            return True
        if op is sre.BRANCH and all(_spells(words, alt, run) for alt in av[1]):
            return True
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1 and _spells(words, av[2]):
            return True
        run = ""
    return False


def _class_spells(words: tuple[str, ...], items: list) -> bool:
    """Whether every character a parsed character class ("[0-9]") matches is one of ``words`` (no category such as
    "\\d", which matches any Unicode digit, and no negation: those match characters no word lists)."""
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            chars.add(chr(av))
        elif op is sre.RANGE:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return False
    return bool(chars) and all(c.lower() in words for c in chars)


def _alternatives(pattern: re.Pattern[str]) -> list[sre_parse.SubPattern]:
    """The alternatives of the pattern's one top-level alternation (each a contiguous part of any match)."""
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    (branch,) = [av for op, av in parsed if op is sre.BRANCH]
    return list(branch[1])


@pytest.mark.parametrize(
    ("pattern", "needs", "families"),
    [
        (furniture._TAIL, _TAIL_NEEDS, 7),
        (furniture._FURNITURE_SENTENCE, _FURNITURE_NEEDS, 49),  # the tweet notice's phrases: one group (TWEET_NOTICE)
        (furniture._CAPTION, _CAPTION_NEEDS, 8),
    ],
    ids=["tail", "furniture-sentence", "caption"],
)
def test_every_alternative_spells_the_words_of_a_precheck_entry(
    pattern: re.Pattern[str], needs: _Needs, families: int
) -> None:
    alternatives = _alternatives(pattern)
    assert len(alternatives) == families  # the parse is read as intended (a pattern grew: extend the needs)
    for k, alt in enumerate(alternatives):
        assert any(all(_spells(words, alt) for words in need) for need in needs), f"alternative {k} of {pattern!r}"
    for need in needs:  # and no entry is a word the text never holds after lower-casing
        assert need and all(words for words in need)
        assert all(w and w.isascii() and w == w.lower() for words in need for w in words), need


def test_the_proof_would_catch_a_missing_entry() -> None:
    alternatives = _alternatives(furniture._FURNITURE_SENTENCE)
    missing = tuple(n for n in _FURNITURE_NEEDS if n != (("wayback",),))
    assert not all(any(all(_spells(ws, alt) for ws in need) for need in missing) for alt in alternatives)
    # a set is not spelled by an alternative that needs only one of its branches
    (alt,) = [a for a in alternatives if _spells(("playback",), a)]
    assert not _spells(("unsupported",), alt) and _spells(("supported",), alt)


def test_the_proof_reads_shared_first_letters_and_digit_classes() -> None:
    def parse(pattern: str) -> sre_parse.SubPattern:
        return sre_parse.parse(pattern, re.IGNORECASE)

    # the parser moves the "c" both alternatives open with out in front: the words are still read whole
    assert _spells(("correction", "clarification"), parse("(?:correction|clarification):"))
    assert not _spells(("correction",), parse("(?:correction|clarification):"))  # one alternative spells it
    # "[0-9]" matches an ASCII digit; "\d" any Unicode digit, which no word lists
    assert _spells(tuple("0123456789"), parse("image [0-9]{1,3} of"))
    assert not _spells(tuple("0123456789"), parse(r"image \d{1,3} of"))
    assert not _spells(tuple("012345678"), parse("image [0-9] of"))


def test_the_characters_ignorecase_matches_to_ascii_are_all_known() -> None:
    needs = (*_TAIL_NEEDS, *_FURNITURE_NEEDS, *_CAPTION_NEEDS)
    chars = sorted({c for need in needs for words in need for w in words for c in w})
    same = re.compile("|".join(map(re.escape, chars)), re.IGNORECASE)
    found = {chr(i) for i in range(128, 0x110000) if same.fullmatch(chr(i))}
    assert found == set(furniture._CASE_EXOTIC)
    # re matches case-insensitively one character to one ("ß" is not "ss"): single code points are all there is
    assert not re.search("ss", "ß", re.IGNORECASE) and not re.search("fi", "ﬁ", re.IGNORECASE)


# ---- comparison on text -----------------------------------------------------------------------------------

PHRASES = [
    "Read the full article at Reuters.com.",
    "Read Full Article at RT.com",
    "Continue reading...",
    "Keep reading on The Atlantic …",
    "Read more at the BBC",
    "Find out more here.",
    "The post Rare earths deal signed appeared first on Mining Weekly.",
    "This article was originally published on The Conversation.",
    "Comments: 12",
    "Points: 140 # Comments: 37",
    "Article URL: https://example.com/a Comments URL: https://news.ycombinator.com/item?id=1",
    "Article URL: https://example.com/rare-earths",
    "Comments URL: https://news.ycombinator.com/item?id=1",
    "You can add location information to your Tweets, such as your city.",
    "Tweet with a location",
    "These crawls are part of an effort to archive pages.",
    "Alexa Internet has been donating their data.",
    "Crawl data donated by Alexa Internet.",
    "The seed for ProjectX was a list of every host.",
    "See the page on the Wayback Machine.",
    "Pages saved with Archive-It.",
    "These make up the bulk of the collection.",
    "Records were harvested in July.",
    "Statements do not necessarily reflect the policy of the site.",
    "Continue reading the main story",
    "We use cookies to improve your experience.",
    "Your browser does not support the video tag.",
    "This story has been updated with a statement.",
    "Editor's note: This story was corrected.",
    "The views expressed here are solely those of the author.",
    "Media playback is not supported on this device",
    "Story continues below advertisement",
    "Advertisement",
    "Please enable JavaScript to view the comments.",
    "By continuing to use our website you agree.",
    "Get push notifications from us.",
    "Sign up for our daily newsletter.",
    "Have a tip we should know?",
    # notes of the page, rights, media on the page, the site's links and requests
    "This article was corrected to fix a name.",
    "Editor’s Note: The following is part 3 of 3 excerpts.",
    "CLARIFICATION: The first sentence has been clarified.",
    "A previous version of this story misstated the year.",
    "This piece first appeared on Global Risk Insights.",
    "Updated 7:51 a.m. ET Dec. 14 with official announcement of Perry's nomination.",
    "Last Updated, Wednesday, 11:07 a.m.",
    "Originally published October 2014.",
    "CNN's Dave Alsup contributed to this report.",
    "Copyright © 2011 HealthDay.",
    "Copyright 2015 The Conversation.",
    "Some rights reserved.",
    "This material may not be published, broadcast, rewritten or redistributed.",
    "This material may not be reproduced without permission.",
    "Watch above.",
    "Ahead of the release, the first trailer has arrived and you can watch it below.",
    "Watch the official trailer for Star Wars: The Force Awakens, coming to",
    "Video (02:04) : The Twin Cities erupted in memories.",
    "LISTEN TO ARTICLE 4:34",
    "Photo: Kurt Rogers Image 1 of / 3 The entrance to the library.",
    "Hide Caption 4 of 30",
    "Image caption The chocolate bar looks similar to the KitKat",
    "Image 2 of 3 The F.B.I. seized the Silk Road website.",
    "Enlarge this image toggle caption Evan Vucci/AP Evan Vucci/AP",
    "Copy this code to your website or blog",
    "Image copyright Getty Images",
    "View larger image Police investigate after a torso was found in Montreal.",
    "Full Screen Autoplay Close Skip Ad",
    "Also read: Oscar picks for 2012",
    "SHARE THIS ARTICLE Share Tweet Post Email",
    "Got a news tip?",
    "To receive the magazine, click here to subscribe.",
    "Like Star Wars on Facebook at http://www.facebook.com/starwars",
    "Follow Star Wars on Tumblr at http://starwars.tumblr.com/",
    'Use the "Report Abuse" button to make a difference.',
    "Guidelines: You share in the USA TODAY community, so please keep your comments smart and civil.",
    "Please keep your comments civil.",
    "30 photos: Photos: Ice storm spreads across U.S.",
    # a button to follow a topic, what a sign-up form answers, a video player's notices
    "Interested in Jon Benet Ramsey?",
    "Add Jon Benet Ramsey as an interest to stay up to date on the latest news from ABC News.",
    "Thanks for signing up!",
    "You're all set.",
    "Please check your email and click on the link to activate your profile.",
    "If you do not receive the message, please check your Spam or Junk folder.",
    "We have sent you a verification email.",
    "An error has occurred.",
    "Please try again later.",
    "Rating is available when the video has been rented.",
    "This feature is not available right now.",
    # cut-off descriptions: "[…]", "(...)", a trailing "…" after a whole sentence or a fragment
    "Officials said talks would resume [...]",
    "Officials said talks would resume (…)",
    "Officials said talks would resume. The minister did not …",
    "Officials said talks would resume. &hellip;",
    "Officials said talks would resume......",
    "Officials said talks would resume … Read more",
    "Officials said talks would resume [&hellip;] The post Talks appeared first on Mining Weekly.",
    # photo captions
    "In this Feb. 17, 2011 file photo, two residents pose outside their home.",
    "FILE - In this Nov. 22, 2015 file photo, Prince presents an award in Los Angeles.",
    "FILE - In this March 2012 frame grab, the minister speaks in Geneva.",
    "In this undated picture, two residents pose outside their home.",
    "Jane Doe, left, and John Roe talk in Geneva.",
    "The minister (right) meets his counterpart in Geneva.",
    "Pictured: the minister in Geneva.",
    "A photo of the teen who went missing on April 14.",
    "Photo courtesy of the ministry.",
    "Photo by the ministry.",
    "President Trump gestures to the crowd, Friday, Dec. 15, 2017, in Quantico, Va.",
]


def _cases(phrase: str) -> Iterator[str]:
    """The phrase in every case, with the characters case-insensitive matching folds oddly, after a sentence."""
    for p in (phrase, phrase.upper(), phrase.lower(), phrase.swapcase(), phrase.title()):
        yield p
        yield f"Officials said talks would resume on Monday. {p}"
        yield f"Officials said talks would resume on Monday.\n{p}  \n"
        for a, b in (("i", "ı"), ("I", "İ"), ("s", "ſ"), ("k", "\u212a"), ("K", "\u212a"), ("e", "é")):
            yield p.replace(a, b)


def _compare(texts: list[str]) -> tuple[int, int, int, int]:
    """Compare each text, its lines and sentences with the reference; counts of what the reference changed or flagged,
    and of the cut patterns the lines matched."""
    stripped = cleaned = flagged = cuts = 0
    for text in texts:
        lines = [line.rstrip() for line in text.split("\n")]
        sentences = [s for line in lines for s in (line, *re.split(r"(?<=[.!?])\s+", line))]
        with _plain_search():
            expected = clean_description(text)
            expected_lines = [furniture._strip_tail(line) for line in lines]
            expected_flags = [(is_furniture_sentence(s), is_caption(s)) for s in sentences]
        assert clean_description(text) == expected, text[:300]
        cleaned += expected != text.strip()
        for line, expected_line in zip(lines, expected_lines, strict=True):
            assert furniture._strip_tail(line) == expected_line, line[:300]
            stripped += expected_line != line
            cuts += _guards_hold(line)
        for sentence, flags in zip(sentences, expected_flags, strict=True):
            assert (is_furniture_sentence(sentence), is_caption(sentence)) == flags, sentence[:300]
            flagged += sum(flags)
    return stripped, cleaned, flagged, cuts


def test_the_prechecks_agree_with_the_plain_search_on_furniture_in_every_case() -> None:
    texts = [c for p in PHRASES for c in _cases(p)]
    stripped, cleaned, flagged, cuts = _compare(texts)
    assert stripped > 100 and cleaned > 100 and flagged > 200 and cuts > 50  # the texts do reach the patterns


def _shared_texts() -> list[str]:
    """Real text from ../shared: feed items' titles, descriptions and contents; articles; cluster documents."""
    from bot.feeds import parse_feed

    texts: list[str] = []
    feeds = shared_path("feeds-corpus")
    for path in sorted([*feeds.glob("items/*.xml"), *feeds.glob("real/*.xml")]):
        for item in parse_feed(path.read_bytes(), None, "http://feeds.example/").items:
            texts += [t for t in (item.title, item.summary, item.content) if t]
    for line in shared_path("eval/multidoc/dev.jsonl").read_text(encoding="utf-8").splitlines():
        texts += [d["text"] for d in json.loads(line)["docs"]]
    for name in ("summarization", "extraction"):
        for line in shared_path(f"eval/{name}/dev.jsonl").read_text(encoding="utf-8").splitlines():
            texts.append(json.loads(line)["text"])
    texts += [p.read_text(encoding="utf-8") for p in sorted(shared_path("seeds").glob("*.txt"))]
    return texts


@pytest.mark.slow
def test_the_prechecks_agree_with_the_plain_search_on_real_text() -> None:
    texts = _shared_texts()
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    cases = (ROOT / "tests" / "data" / "text" / "furniture.jsonl").read_text(encoding="utf-8").splitlines()
    texts += [json.loads(line)["input"] for line in cases if line.strip()]
    assert len(texts) > 2500
    stripped, cleaned, flagged, cuts = _compare(texts)
    # real feed furniture and page furniture are among them (what the reference removed or flagged)
    assert stripped > 50 and cleaned > 100 and flagged > 50 and cuts > 10, (stripped, cleaned, flagged, cuts)


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (furniture._TAIL, _TAIL_NEEDS),
        (furniture._FURNITURE_SENTENCE, _FURNITURE_NEEDS),
        (furniture._CAPTION, _CAPTION_NEEDS),
    ],
    ids=["tail", "furniture-sentence", "caption"],
)
def test_each_entry_alone_lets_some_phrase_through(pattern: re.Pattern[str], needs: _Needs) -> None:
    # so the comparison above fails if any entry were dropped or narrowed
    texts = [c for p in PHRASES for c in _cases(p) if c.isascii() and pattern.search(c)]
    for need in needs:
        others = tuple(n for n in needs if n != need)
        assert any(furniture._may_match(t, (need,)) and not furniture._may_match(t, others) for t in texts), need
