"""Feed furniture: what feeds and pages add around the news, removed by pattern family, and title suffixes.

* :func:`clean_description` takes a feed description or article text and removes the feed's own
  additions: "Read (the) full article at …", Hacker News' "Article URL: … Comments URL: … Points: …
  # Comments: …", WordPress's "The post … appeared first on …", "Continue reading…", "Read more…",
  "[…]", the cut-off fragment before a trailing "…" and wire datelines ("LONDON (Reuters) -").
* :func:`without_dateline` takes only the wire dateline off a text's body: where the reporter files from is no
  party to the news (``bot.candidates`` reads summaries and pages for topics without it).
* :func:`is_furniture_sentence` says whether a sentence is page furniture that text extraction let
  through (embedded-tweet notices, web-archive crawl notes, notes about the article itself, rights lines,
  pointers to the page's media and its gallery controls, advertisement markers, cookie and script notices, video
  players' notices, the site's links, buttons, sign-up forms' answers and calls to its reader).
* :func:`echoed_outlet_name` names the outlet an aggregator's item comes from (Google News: "<title> <outlet>"), and
  :func:`outlet_name_key` makes names of one outlet comparable ("Bloomberg.com", "Bloomberg").
* :func:`clean_title` removes an outlet suffix (" - Reuters", " | AP News", " – Bloomberg.com")
  when it names the outlet or the feed, or a known news outlet (``data/outlets.txt``).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from itertools import islice

from .text import TWEET_NOTICE, calls_reader, sentence_spans

# ---- word prechecks ------------------------------------------------------------------------------
# _TAIL, _FURNITURE_SENTENCE and _CAPTION are case-insensitive alternations with no fixed first character,
# so the regex engine tries every branch at every position of a line (_TAIL: about 30 us a paragraph; with
# _FURNITURE_SENTENCE, most of a story summary's CPU before these prechecks). Yet each alternative spells
# out words that any text it matches holds, and ordinary news rarely holds all of them. So each pattern
# has a table of needs: entries (one per alternative or family of alternatives), each a tuple of word
# sets; an entry is met when every one of its sets has a word in the lower-cased text. The pattern is
# searched only when some entry is met. That is exact: where an alternative matches, the characters of
# the words it spells are there, matched case-insensitively, and lower-casing turns each into the word's
# own character (ASCII ones plainly; the few others that re.IGNORECASE folds to ASCII letters, below,
# send the text to the plain search). tests/test_furniture_prechecks.py checks from the patterns' parse
# that each alternative spells every set of some entry, and compares with the plain search on real text.
_Needs = tuple[tuple[tuple[str, ...], ...], ...]

# The characters other than ASCII ones that re.IGNORECASE matches to an ASCII letter ("ı" and "İ" to i,
# "ſ" to s, the Kelvin sign to k): str.lower() does not turn them all into that letter, so a text with one
# of them is always searched (found by trying every code point; tests/test_furniture_prechecks.py).
_CASE_EXOTIC = ("\u0130", "\u0131", "\u017f", "\u212a")


def _may_match(text: str, needs: _Needs) -> bool:
    """Whether ``text`` holds every word set of some entry of ``needs`` (False: the pattern cannot match)."""
    if not text.isascii() and any(c in text for c in _CASE_EXOTIC):
        return True
    low = text.lower()
    # plain loops: nested any()/all() generators cost more than the substring tests themselves
    for need in needs:
        for words in need:
            for w in words:
                if w in low:
                    break
            else:
                break  # no word of this set: the entry is not met
        else:
            return True  # every set of the entry has a word
    return False


# ----------------------------------------------------------------------------------------------------

_ELLIPSIS = r"(?:…|\.{3,}|&hellip;)"
_SOURCE_NAME = r"[\w.&'’ -]{1,60}?"

# Feed additions at the end of a description, removed repeatedly (a description may carry two).
_TAIL = re.compile(
    rf"""\s*(?:
        read\s+(?:the\s+)?(?:full|whole|entire|complete|original)\s+(?:article|story|post|report)(?:\s+(?:at|on|in|from)\s+{_SOURCE_NAME})?\s*\.?
      | (?:continue|keep)\s+reading(?:\s+(?:at|on)\s+{_SOURCE_NAME})?\s*{_ELLIPSIS}?\.?
      | (?:read|see|learn|find\s+out)\s+more(?:\s+(?:at|on|here)(?:\s+{_SOURCE_NAME})?)?\s*{_ELLIPSIS}?\.?
      | the\s+post\s+.{{1,300}}?\s+appeared\s+first\s+on\s+{_SOURCE_NAME}\s*\.?
      | this\s+(?:article|story|post)\s+(?:was\s+)?(?:originally\s+)?(?:appeared|published|posted)\s+(?:first\s+)?(?:on|at|in)\s+{_SOURCE_NAME}\s*\.?
      | (?:comments|points|\#\s*comments)\s*:\s*\d+
      | (?:article|comments)\s+url\s*:\s*\S+
    )\s*$""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
# Words every match of a _TAIL alternative holds, one entry per alternative, in order (see _may_match).
_TAIL_NEEDS: _Needs = (
    (("read",), ("full", "whole", "entire", "complete", "original"), ("article", "story", "post", "report")),
    (("reading",), ("continue", "keep")),
    (("more",), ("read", "see", "learn", "out")),
    (("post",), ("appeared",), ("first",)),
    (("this",), ("article", "story", "post"), ("appeared", "published", "posted")),
    ((":",), ("comments", "points")),
    ((":",), ("url",)),
)

# "[…]" or "(...)" at the end: the feed cut the text there, as a bare "…" does.
_BRACKETED_CUT = re.compile(rf"\s*[\[(]\s*{_ELLIPSIS}\s*[\])]\s*$")
_BRACKETED_CUT_ENDS = ("]", ")")  # how a text it matches ends, white space aside (its precheck)

# A description that is nothing but link furniture (Hacker News, link aggregators).
_LINK_ONLY = re.compile(
    r"^\s*(?:(?:article\s+url|comments\s+url|url|link|points|#\s*comments|comments)\s*:\s*\S+\s*)+$", re.IGNORECASE
)

# Wire datelines at the very start: "LONDON (Reuters) -", "(AP) —", "WASHINGTON, June 3 (Reuters) -",
# "BEIJING (AP) _" (DUC-era wire copy), a capitalised place alone: "MOSCOW — ", "KYIV, Ukraine — ", and one set close
# to its dash ("LONDON—U.S. citizen ...", "BANFF, Alta.–Prime Minister ...": The Epoch Times), where the place is
# letters only, so "U.S.—Russia talks" is no dateline. A place is a word, not an initialism: "U.S. — The State
# Department said ..." keeps its "U.S.".
DATELINE_LINES = 3  # a page's text may open with its headline and a kicker before the body and its dateline
MIN_AFTER_LEAD = 20  # a dateline or interface word is furniture only when at least this many characters follow it
_DATELINE = re.compile(
    r"^\s*(?:(?:[A-Z][A-Za-z.'’-]*(?:[ ,/]+[A-Z][A-Za-z.'’-]*){0,4}(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*)?"
    r"\((?:Reuters|AP|AFP|Bloomberg|UPI|TASS|Xinhua|CNN|Interfax|dpa|ANI|PTI|IANS|Yonhap|Kyodo|RIA\s+Novosti|"
    r"Sputnik|Anadolu|EFE|ANSA|Al\s+Jazeera)\)\s*[-–—_]{1,2}\s*"
    r"|(?![A-Z]\.[A-Z]\.)[A-Z][A-Z.'’-]{2,}(?:[ /][A-Z][A-Z.'’-]+){0,3}(?:,\s*[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+)?)?"
    r"\s+(?:—|–|_|--)\s+(?=[A-Z\"“])"
    r"|[A-Z]{3,}(?:[ /][A-Z]{2,}){0,3}(?:,\s*[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+)?)?[—–](?=[A-Z\"“]))"
)

# A trailing "…": the feed cut the text there.
_TRAILING_ELLIPSIS = re.compile(_ELLIPSIS + "$")
_TRAILING_ELLIPSIS_ENDS = ("…", "...", "&hellip;")  # how a text it matches ends (its precheck)

# When the page says it was updated or published: a clock time, a time zone, a weekday, a month, a day or year, a date
# written with slashes ("7:51 a.m. ET Dec. 14", "Wednesday, 11:07 a.m.", "October 2014"), one or more of them.
_WHEN_PART = (
    r"(?:\d{1,2}(?:[:.]\d{2})?(?:\s*[ap]\.?m\b\.?)?|\d{4}|\d{1,2}/\d{1,2}(?:/\d{2,4})?|[ecmp][sd]?t\b|gmt|utc|bst|cest?"
    r"|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\b|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?"
    r"|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WHEN = rf"(?:(?:at|on)\s+)?{_WHEN_PART}(?:[\s,/]+(?:(?:at|on)\s+)?{_WHEN_PART})*"

# Page furniture that survives text extraction, by family, wherever it stands in a sentence (its opening:
# _FURNITURE_OPENING).
_FURNITURE_SENTENCE = re.compile(
    rf"""(?:
        # embedded tweets (summarizer.text.TWEET_NOTICE, and the notice's last sentence)
        \b(?:{TWEET_NOTICE})
      | \byou\s+always\s+have\s+the\s+option\s+to\s+delete\s+your\s+tweet\s+location\s+history
      # web-archive crawl notes
      | \bthese\s+crawls\s+are\s+part\s+of\s+an\s+effort\s+to\s+archive\b
      | \balexa\s+internet\s+has\s+been\s+donating\b
      | \bthe\s+seed\s+for\s+\S+\s+was\b
      | \bwayback\s+machine\b
      | \bcrawl\s+data\s+(?:donated|collected)\b
      | \barchive-it\b|\bmake\s+up\s+the\s+bulk\s+of\s+the\s+collection\b|\brecords\s+were\s+harvested\b
      # notes and disclaimers of the page, not the story: a correction, where the article first appeared, who
      # contributed to it ("CNN's Dave Alsup contributed to this report."; "... contributed to his death" is news)
      | \b(?:earlier|previous|prior|alternate)\s+versions?\s+of\s+this\s+(?:story|article|post|piece)\b
      | \bthis\s+(?:story|article|post|piece|column)\s+(?:was\s+)?(?:first|originally)\s+(?:appeared|ran|published|posted)\b
      | \bcontributed\s+(?:reporting\s+)?(?:to|for)\s+this\s+(?:report|story|article)\b(?!['’])\W*(?:$|which\b)
      | \bdo\s+not\s+necessarily\s+(?:reflect|represent)\b
      | \b(?:the\s+)?(?:views|opinions)\s+expressed\s+(?:here\s+)?are\s+(?:those|solely)\b
      # rights ("All rights reserved."; a copyright line: _FURNITURE_OPENING, a "©" after its opening: _COPYRIGHT_SIGN)
      | \b(?:all|some)\s+rights\s+reserved\b
      | \bthis\s+material\s+may\s+not\s+be\s+(?:published|reproduced|republished|redistributed)\b
      # media on the page: a pointer to it at a sentence's end ("..., and you can watch it below."), a gallery's
      # controls ("Image 1 of 3", "Hide Caption 4 of 30", "View larger image", "1 of 14 Full Screen Autoplay Close Skip
      # Ad"), an embed box ("Copy this code to your website or blog")
      | \byou\s+can\s+(?:watch|see|view|listen\s+to|hear|check\s+out)\s+(?:it|them|(?:the|this|a)\s+(?:[\w'’-]+\s+){{0,2}}?
        (?:video|clip|trailer|interview|ad|footage|segment|speech|photos?|images|gallery|podcast|episode))\b
        [^.!?]{{0,60}}?\b(?:above|below)\W*$
      | \b(?:image|photo|picture|slide|caption)\s+[0-9]{{1,3}}\s+of\s+(?:/\s*)?[0-9]{{1,3}}\b
      | \b(?:hide|toggle|close)\s+caption\b|\bcaption\s+close\b|\bmedia\s+caption\b
      | \bimage\s+copyright\b
      | \bview\s+larger\s+(?:image|photo|picture)\b
      | \bfull\s+screen\s+autoplay\b|\bskip\s+ad\b|\bback\s+to\s+gallery\b
      | \bcopy\s+this\s+code\b
      # media players, advertisements, scripts, cookies
      | \bmedia\s+playback\s+is\s+(?:unsupported|not\s+supported)\b
      | \b(?:continue\s+reading\s+the\s+main\s+story|story\s+continues\s+below(?:\s+advertisement)?)\b
      | \b(?:please\s+)?enable\s+javascript\b|\bjavascript\s+is\s+(?:disabled|required)\b
      | \bwe\s+use\s+cookies\b|\bby\s+(?:continuing\s+to\s+use|using)\s+(?:this|our)\s+(?:site|website)\b
      | \byour\s+browser\s+does\s+not\s+support\b
      # the site's buttons and requests: share buttons, tip lines, sign-ups (and a sign-up's "check your spam folder"),
      # its comment box's rules
      | \bshare\s+this\s+quote\b|\bshare\s+tweet\b|\bembed\s+x\s+share\b
      | \bget\s+(?:breaking\s+news\s+alerts|push\s+notifications)\b
      | \bsign\s+up\s+for\s+(?:our|the)\s+\w*\s*newsletter\b
      | \bcheck\s+your\s+(?:spam|junk)\b
      | \bhave\s+a\s+tip\s+we\s+should\s+know\b
      | ,\s+click\s+here\b
      | \bkeep\s+your\s+(?:comments|language)\b
      | \breport\s+abuse\b
      | \bthe\s+post\s+.{{1,300}}?\s+appeared\s+first\s+on\b
      | \bread\s+(?:the\s+)?full\s+article\s+(?:at|on)\b
      | \barticle\s+url\s*:|\bcomments\s+url\s*:
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Words every match of a _FURNITURE_SENTENCE alternative holds: one entry per family (see _may_match). A digit is
# one too, where the pattern spells it [0-9] ("\d" is any Unicode digit).
_DIGITS = tuple("0123456789")
_FURNITURE_NEEDS: _Needs = (
    (("location",), ("tweet",)),
    (("crawl",),),
    (("alexa",),),
    (("seed",),),
    (("wayback",),),
    (("archive-it",),),
    (("bulk",), ("collection",)),
    (("harvested",),),
    (("version",), ("this",)),
    (("first", "originally"), ("appeared", "ran", "published", "posted"), ("this",)),
    (("contributed",), ("this",)),
    (("necessarily",),),
    (("expressed",),),
    (("reserved",), ("rights",)),
    (("material",), ("published", "reproduced", "redistributed")),
    (("above", "below"), ("you",), ("can",)),
    (("image", "photo", "picture", "slide", "caption"), _DIGITS, ("of",)),
    (("caption",),),
    (("copyright",), ("image",)),
    (("larger",), ("view",)),
    (("autoplay", "skip", "gallery"),),
    (("copy",), ("code",)),
    (("playback",),),
    (("continue",), ("story",)),
    (("javascript",),),
    (("cookies",),),
    (("site",), ("by",), ("this", "our")),
    (("browser",),),
    (("share",), ("quote", "tweet", "embed")),
    (("get",), ("alerts", "notifications")),
    (("newsletter",),),
    (("spam", "junk"), ("check",)),
    (("tip",), ("should",), ("know",)),
    (("click",), ("here",)),
    (("keep",), ("comments", "language")),
    (("abuse",), ("report",)),
    (("post",), ("appeared",)),
    (("read",), ("full",), ("article",)),
    ((":",), ("url",)),
)

# Page furniture by how a sentence opens (matched at its start: one try, so no word precheck): a note about the
# article itself rather than the story ("This story has been updated ...", "Correction: ...", "Editor's note: ...",
# "Updated 7:51 a.m. ET Dec. 14 with ..." but not "Update, 5 p.m.: Police said ..."), a copyright line ("©2015
# Billboard.", "Copyright © 2011 HealthDay."), a pointer to the page's media ("Watch the ad above.", "Watch the
# official trailer for ...", "Video (02:04) : ...") or a gallery's ("View Slideshow ...", "Enlarge this image", "30
# photos: ..."), a list of the site's other stories ("Related Articles: ...", "Read or Share this story:
# http://usat.ly/..."), its share buttons, tip line and pages elsewhere ("Like Star Wars on Facebook at http://..."), its
# buttons to follow a topic ("Add ... as an interest"), what its sign-up forms and video players answer ("Thanks for
# signing up!", "Rating is available when the video has been rented.").
_FURNITURE_OPENING = re.compile(
    rf"""(?:
        \W*this\s+(?:story|article|post|report|piece)\s+(?:has\s+been|was|will\s+be|is\s+being)\s+updated\b
      | \W*this\s+(?:story|article|post|piece)\s+(?:has\s+been|was)\s+(?:corrected|amended|revised)\b
      | \W*update\s*\d*\s*:\s*this\s+(?:story|article|post)\b
      | \W*(?:(?:correction|clarification)s?(?:\s+appended)?|editor['’]?s\s+note)\s*[:.]
      | \W*(?:(?:last\s+)?updated?|(?:first|originally)\s+(?:published|posted))\s*[,:]?\s*{_WHEN}[\s,.:]*
        (?:$|with\s|to\s+(?:add|include|reflect|correct|note|clarify|show|remove)\b)
      | \W*(?:copyright\s*(?:©|\(c\))?\s*(?:\d{{4}}|by\s)|©)
      | \W*(?:watch|see|view|listen(?:\s+to)?|hear|check\s+out)\b[^.!?]{{0,150}}?\b(?:above|below)\W*$
      | \W*(?:watch|see|view|listen\s+to|hear)\s+(?:the|this|our|a|an)\s+(?:[\w'’-]+\s+){{0,3}}?
        (?:video|clip|trailer|teaser|footage|interview|ad|segment|livestream|broadcast)\b
      | \W*(?:video|audio|listen\s+to\s+(?:this\s+)?article)\s*\(?\s*\d{{1,2}}:\d{{2}}\b
      | \W*(?:image\s+caption|view\s+(?:slideshow|gallery|graphic|photos|images)|enlarge|buy\s+photo)\b
      | \W*(?:\d{{1,3}}\s+)?(?:photos|gallery|slideshow)\s*:
      | \s*advertisement\b
      | \W*(?:related(?:\s+(?:articles?|stories|posts|links|coverage|content|news|videos?|galler(?:y|ies)|reading))?
        |also\s+(?:read|see)|read\s+(?:also|next|this)|see\s+also|read\s+or\s+share\s+this\s+(?:story|article))\s*:
      | \W*share\s+(?:this|via|tweet|on\s+(?:facebook|twitter|linkedin|whatsapp|reddit|pinterest|email))\b
      | \W*(?:have|got)\s+(?:a\s+)?(?:news\s+)?tips?\b[^.!?]{{0,80}}\?
      | \W*(?:visit|like|follow|find)\s+(?:\S+\s+){{0,6}}?
        (?:(?:https?://|www\.)\S+|on\s+(?:facebook|twitter|tumblr|instagram|youtube|pinterest))\W*$
      # a button to follow a topic and the question over it (ABC News: "Interested in Jon Benet Ramsey?", "Add Jon Benet
      # Ramsey as an interest to stay up to date on the latest ... from ABC News.")
      | \W*interested\s+in\s+[^.!?]{{1,80}}\?\W*$
      | \W*add\s+(?:[^.!?]{{1,80}}?\s+)?as\s+an\s+interest(?![\w-])
      # what a sign-up form answers, its whole sentence or its opening ("Thanks for signing up!", "You're all set.",
      # "Please check your email and click on the link to activate ...", "We have sent you a verification email.",
      # "An error has occurred.", "Please try again later."), and a video player's notices ("Rating is available when
      # the video has been rented.", "This feature is not available right now."). No quotation mark may open these:
      # '"You're all set," he said.' is someone's words.
      # a feed's list of links to the outlet's coverage, between its standfirst and its lead (The Guardian: "See all
      # our Ukraine coverage", "Russia-Ukraine war – latest updates", "Follow our Australia news live blog for the
      # latest updates", "Get our free news app, morning email briefing or daily news podcast")
      | \W*see\s+all\s+our\s+(?:[\w'’-]+\s+){{0,4}}?coverage\W*$
      | [^.!?–—]{{1,60}}?\s[–—]\s+latest\s+(?:news\s+)?updates\W*$
      | \W*follow\s+our\s+[^.!?]{{1,60}}?\blive\s*blog\s+for\s+(?:the\s+)?latest\s+updates\W*$
      | \W*get\s+our\s+[^.!?]{{0,60}}?\b(?:news\s+app|email\s+briefing|news\s+emails?|news\s+podcast)\b[^.!?]{{0,80}}$
      | [\s(\[]*(?:thanks|thank\s+you)\s+for\s+(?:signing\s+up|subscribing|registering|your\s+interest\s+in)\b
      | [\s(\[]*you(?:['’]re|\s+are)\s+(?:all\s+set|(?:now\s+)?(?:subscribed|signed\s+up|registered))\W*$
      | [\s(\[]*(?:please\s+)?check\s+your\s+(?:e-?mail|inbox)\b[^.!?]{{0,40}}?\b(?:confirm|verif|activat|click|link)
      | [\s(\[]*we(?:\s+have|['’]ve)?\s+(?:just\s+)?sent\s+(?:you\s+)?an?\s+(?:verification|confirmation|activation)\b
      | [\s(\[]*(?:an?\s+(?:unexpected\s+)?error\s+has\s+occurred|please\s+try\s+again(?:\s+later)?|try\s+again\s+later)\W*$
      | [\s(\[]*(?:rating\s+is\s+available\s+when\s+the\s+video\s+has\s+been\s+(?:rented|purchased)
        |this\s+(?:video|feature|content)\s+is\s+(?:currently\s+)?(?:not\s+available|unavailable)
        (?:\s+(?:right\s+now|at\s+this\s+time|in\s+your\s+(?:country|region)))?|video\s+unavailable)\W*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# A copyright sign and year after a sentence's opening: "See the original story at Billboard.com. ©2015 Billboard."
# (one sentence to the splitter). Not the "©" of "Ã©", an "é" decoded as Latin-1 ("rÃ©sumÃ©").
_COPYRIGHT_SIGN = re.compile(r"(?<!Ã)©\s*(?:copyright\s*)?\d{4}", re.IGNORECASE)


# A user-interface word glued to the first sentence by text extraction: "CLOSE Scientists say …".
_LEAD_UI = re.compile(
    r"^(?:CLOSE|ADVERTISEMENT|Advertisement|VIDEO:|WATCH:|PHOTO:|LISTEN:|Video:|Watch:|Photo:|UPDATE(?:\s+\d+)?:|Update(?:\s+\d+)?:)"
    r"\s+(?=[A-Z\"“])"
)

# Photo captions that read like sentences: "In this Feb. 17, 2011 photo, …", "Jane Doe, left, and …".
_CAPTION = re.compile(
    r"""^in\s+this\s+(?:[\w.,]+\s+){0,6}?(?:file\s+)?(?:photo|picture|image|photograph|handout|video|screenshot|still)\b
      # AP's file pictures: "FILE - In this Nov. 22, 2015 file photo, …", "File-This Aug. 5, 1966, file photo shows …"
      | ^file\s*[-–—]\s*(?:in\s+)?this\b
      | ,\s+(?:left|right|center|centre|second\s+(?:left|right)|top|bottom|front|back|rear)\s*,
      | \((?:left|right|center|centre|top|bottom|pictured)\)
      | ^(?:pictured|above|below|top|left|right)\s*:
      # a caption that says what the picture is, with no verb of its own: "A photo of the teen who went missing on
      # April 14, Kristian Perez." ("A photo of the suspect was released ..." is news)
      | ^an?\s+(?:file\s+)?(?:photo|photograph|image)\s+of\b
        (?![^.!?]*\b(?:was|were|is|are|has|have|had|shows?|says?|said|told)\b)
      | \b(?:photo|image)\s+(?:by|courtesy\s+of|credit)\b
      # wire photo captions date the picture in full: "…, Friday, Dec. 15, 2017, in Quantico, Va."
      | ,\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),\s+[a-z]{3,9}\.?\s+\d{1,2},\s+\d{4}\b""",
    re.IGNORECASE | re.VERBOSE,
)
# Words every match of a _CAPTION alternative holds, one entry per alternative, in order (see _may_match).
_CAPTION_NEEDS: _Needs = (
    (("this",), ("photo", "picture", "image", "handout", "video", "screenshot", "still")),
    (("file",), ("this",)),
    ((",",), ("left", "right", "center", "centre", "top", "bottom", "front", "back", "rear")),
    (("(",), ("left", "right", "center", "centre", "top", "bottom", "pictured")),
    ((":",), ("pictured", "above", "below", "top", "left", "right")),
    (("photo", "image"), ("of",)),
    (("photo", "image"), ("by", "courtesy", "credit")),
    ((",",), ("day",)),
)


def lead_furniture(sentence: str) -> int:
    """How many leading characters of a sentence are a dateline or a user-interface word (0 when none)."""
    n = 0
    for _ in range(2):
        m = _LEAD_UI.match(sentence, n) or _DATELINE.match(sentence, n)
        if not m or m.end() == n or len(sentence) - m.end() < MIN_AFTER_LEAD:
            break
        n = m.end()
    return n


def without_dateline(text: str) -> str:
    """The text without the wire dateline that opens its body ("MOSCOW, Dec 5 (Reuters) - ", "KYIV, Ukraine — "):
    where the reporter files from is no party to the news, so a topic's rules do not read it ("WASHINGTON (Reuters) -
    Russia said ..." names no US actor). The body may follow a page's headline or kicker lines: the first of the
    first DATELINE_LINES paragraphs that opens with a dateline loses it; kept when under MIN_AFTER_LEAD characters
    would be left."""
    lines = text.split("\n")
    seen = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        m = _DATELINE.match(line)
        if m and len(line) - m.end() >= MIN_AFTER_LEAD:
            lines[i] = line[m.end() :]
            return "\n".join(lines)
        seen += 1
        if seen == DATELINE_LINES:
            break
    return text


def is_caption(sentence: str) -> bool:
    """Whether a sentence is a photo caption ("In this Feb. 17 photo, …", "FILE - In this …", "Jane Doe, left, and …")."""
    return _may_match(sentence, _CAPTION_NEEDS) and bool(_CAPTION.search(sentence))


def _strip_tail(text: str) -> str:
    """Remove feed additions at the end, repeatedly."""
    while _may_match(text, _TAIL_NEEDS):
        m = _TAIL.search(text)
        if not m or m.start() == m.end():
            return text
        text = text[: m.start()].rstrip()
    return text


def without_tail(text: str) -> str:
    """A description without the feed's additions at its end ("The post ... appeared first on ...", "Read more at
    ..."), each line; a cut last sentence is kept (its words still say what the item is about)."""
    return "\n".join(_strip_tail(line.rstrip()) for line in text.split("\n")) if text else text


# A newsletter's list of its other stories, after the one it leads with: the Financial Times' "Also in today's
# newsletter, ..." and "Also in this newsletter: ...", the New York Times briefings' "Plus, ...". Not what the item is
# about: the labelled sets file "FirstFT: Nippon Steel's last-gasp push ... Also in today's newsletter, US says Russia
# is helping China ..." under neither topic. The list is the sentence it opens (summarizer.text.sentence_spans: "Plus,
# a U.S. plan to deploy missiles in Germany angered Russia."); the Guardian's "First Thing" goes on with its lead story.
# It opens the text or follows the end of a sentence (or a colon): not "... on this.” Plus, if superdelegates ...".
_NEWSLETTER_LIST = re.compile(r"Also\s+in\s+(?:today[’']s|this|the)\s+newsletter\b|Plus,\s")
_AFTER_SENTENCE = ".!?…:"


def without_newsletter_extras(text: str) -> str:
    """A description without a newsletter's list of its other stories ("Also in today's newsletter, ..."; "Plus, ...");
    empty when that list is all it holds."""
    if "newsletter" not in text and "Plus," not in text:  # a word each list holds (most texts have neither)
        return text
    spans = sentence_spans(text)
    out: list[str] = []
    at = 0
    for i, (start, _) in enumerate(spans):
        if not _NEWSLETTER_LIST.match(text, start):
            continue
        before = text[:start].rstrip()
        if not before or before[-1] in _AFTER_SENTENCE:
            out.append(text[at:start])
            at = spans[i + 1][0] if i + 1 < len(spans) else len(text)  # to the next sentence
    if not out:
        return text
    out.append(text[at:])
    return "".join(out).strip()


def _drop_cut_fragment(text: str) -> str:
    """Remove an unfinished last sentence cut off with "…" (a truncated description); keep a whole one."""
    s = text.rstrip()
    # ``s`` ends in no white space, so the pattern's "$" is its very end: it matches exactly when ``s`` ends so
    m = _TRAILING_ELLIPSIS.search(s) if s.endswith(_TRAILING_ELLIPSIS_ENDS) else None
    if not m:
        return text
    body = s[: m.start()].rstrip()
    if body[-1:] in ".!?":  # "He left. …": the sentence was complete
        return body
    # the sentences before the cut one, as the summaries split them: a period after an abbreviation ends none
    # ("Blue Jay Gold Corp. (TSXV: JAY) is pleased to …", "Gen. Mark Milley said …", "… crossing the U.S. …")
    # (a quotation's sentences apart: '"They are important. So, President Clinton ..." ...' keeps its first)
    spans = sentence_spans(body, join_quotes=False)
    return body[: spans[-2][1]].rstrip() if len(spans) > 1 else ""


def clean_line(line: str) -> str:
    """One paragraph or description without feed furniture (may come back empty)."""
    if _LINK_ONLY.match(line):
        return ""
    s = _strip_tail(line.rstrip())
    # _BRACKETED_CUT matches only a text that ends with "]" or ")" (white space aside): search it only then
    cut = _drop_cut_fragment(_BRACKETED_CUT.sub(" …", s) if s.rstrip().endswith(_BRACKETED_CUT_ENDS) else s)
    if cut != s:  # _strip_tail gives a text it leaves alone: only a cut can bare more furniture
        s = _strip_tail(cut)
    if s != line.rstrip() and s[-1:].isalnum():  # "… documentation Read Full Article at RT.com": end the sentence
        s += "."
    return s


# The same links inside a description whose markup was flattened (a feed or archive that sends its HTML's text only):
# "… first anniversary of Ukraine invasion Russia-Ukraine war – latest news updates Vladimir Putin has said …". The
# link ends the standfirst and opens the lead, so it becomes a line break: summarised as one sentence, standfirst, link
# and lead made one run-on bullet (qa5: 7 of 12 Guardian lines). Case-sensitive, with the shapes the Guardian gives
# its links: a capitalised word and at most two more before the dash ("Business live", "Russia-Ukraine war live").
_COVERAGE_LINKS = re.compile(
    r"[\s•]*(?:See all our (?:[\w'’-]+ ){0,4}?coverage"
    r"|(?<![\w'’-])[A-Z][\w'’-]*(?: [a-z][\w'’-]*){0,2} [–—] latest(?: news)? updates"
    r"|Follow our (?:[\w'’-]+ ){1,5}?live ?blog for (?:the )?latest updates"
    r"|Get our (?:[\w'’-]+ ?,? ){1,8}?(?:or|and) (?:[\w'’-]+ ){0,3}?podcast)(?![\w'’-])[\s•]*"
)
_COVERAGE_LINK_NEEDS = ("coverage", "latest", "podcast")  # a word each of its alternatives holds


def _without_coverage_links(line: str) -> str:
    """A flattened description with its links to the outlet's coverage replaced by line breaks (see above)."""
    if not any(w in line for w in _COVERAGE_LINK_NEEDS):
        return line
    return "\n".join(part for part in _COVERAGE_LINKS.split(line.rstrip()) if part.strip())


def clean_description(text: str) -> str:
    """A feed description or article text without feed furniture; paragraphs (lines) are kept apart."""
    if not text:
        return ""
    lines = "\n".join(_without_coverage_links(x) for x in text.split("\n")).split("\n")
    first = next((i for i, x in enumerate(lines) if x.strip()), None)
    if first is not None:
        lines[first] = _DATELINE.sub("", lines[first], count=1)
    out = [clean_line(x) if x.strip() else x for x in lines]
    # drop furniture paragraphs left empty, keep the paragraph structure otherwise
    return "\n".join(out).strip()


def is_furniture_sentence(sentence: str) -> bool:
    """Whether a sentence is page or feed furniture rather than news (tweet-embed notices, crawl notes, ads, "Updated
    7:51 a.m. ET Dec. 14 with ...", "Watch a clip of the interview above.", "Image 1 of 3 ...", "Related Articles: ...",
    "©2015 Billboard."), or the site's call to its reader (summarizer.text.calls_reader: "Read the rest of the story
    at ...")."""
    return (
        bool(_FURNITURE_OPENING.match(sentence))
        or (_may_match(sentence, _FURNITURE_NEEDS) and bool(_FURNITURE_SENTENCE.search(sentence)))
        or ("©" in sentence and bool(_COPYRIGHT_SIGN.search(sentence)))
        or calls_reader(sentence)
    )


# --------------------------------------------------------------------------- titles

_TITLE_SEPARATOR = re.compile(r"\s+[-–—|:•·]\s+|\s*\|\s*")


@cache
def known_outlets() -> frozenset[str]:
    """Normalised names of news outlets (data/outlets.txt) whose name after a title is a suffix."""
    text = resources.files("summarizer").joinpath("data/outlets.txt").read_text(encoding="utf-8")
    return frozenset(
        outlet_name_key(x)
        for x in (line.split("#", 1)[0].strip() for line in text.splitlines())
        if x and outlet_name_key(x)
    )


def outlet_name_key(name: str) -> str:
    """Comparable form of an outlet name: lower case, no "www.", no ".com"-style ending, no "the", letters only."""
    s = name.casefold().strip()
    s = re.sub(r"^(?:https?://)?(?:www\.)?", "", s)
    s = re.sub(r"\.(?:com|co\.uk|co|org|net|news|ru|uk|de|fr|in|ca|au|io)(?:/.*)?$", "", s)
    s = re.sub(r"^the\s+", "", s)
    s = re.sub(r"\s+(?:news|online|\.com)$", "", s) if len(s.split()) > 1 else s
    return re.sub(r"[^\w]+", "", s)


def _names_outlet(suffix: str, names: list[str]) -> bool:
    """Whether ``suffix`` is the outlet's or feed's name, or a known outlet's."""
    key = outlet_name_key(suffix)
    if not key:
        return False
    for n in names:
        k = outlet_name_key(n)
        if k and (key == k or (len(key) >= 3 and (k.startswith(key) or key.startswith(k)))):
            return True
    if key in known_outlets():
        return True
    return bool(
        re.fullmatch(
            r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|co\.uk|news|ru|de|fr|in|ca|au)", suffix.strip(), re.I
        )
    )


# An outlet's name is at most this many words: a title's suffix longer than that is news ("… - Dimbleby" is short
# but not an outlet: clean_title also needs the name known), and so are the words a summary adds after its title.
OUTLET_NAME_WORDS = 6


def title_echo(title: str, summary: str) -> list[str] | None:
    """The few words (at most OUTLET_NAME_WORDS, lower case) a summary adds after repeating the title word for word,
    as an aggregator's does (Google News: "<title> <outlet>"); None when it says anything else."""
    heading = _WORD.findall(title.casefold())
    # Only as many of the summary's words as could match: a long description is not read to its end.
    said = [m.group() for m in islice(_WORD.finditer(summary.casefold()), len(heading) + OUTLET_NAME_WORDS + 1)]
    if heading and said[: len(heading)] == heading and len(said) - len(heading) <= OUTLET_NAME_WORDS:
        return said[len(heading) :]
    return None


def echoed_outlet_name(title: str, summary: str) -> str | None:
    """The outlet's name as a summary writes it after repeating the title (title_echo): Google News' "<title>
    Bloomberg.com" gives "Bloomberg.com"; None when the summary says anything else, adds nothing, or adds words that
    are no name ("<title> in Alaska": a summary that goes on)."""
    added = title_echo(title, summary)
    if not added:
        return None
    n = len(_WORD.findall(title.casefold()))
    words = list(islice(_WORD.finditer(summary), n + 1))
    name = summary[words[n].start() :].strip() if len(words) > n else ""
    return name if _OUTLET_NAME.fullmatch(name) else None


# An outlet's name as an aggregator writes it: capitalised words ("The Wall Street Journal", "BBC", "Reuters"), or a
# web address ("Bloomberg.com", "news.com.au").
_OUTLET_NAME = re.compile(
    r"(?:[A-Z0-9][\w.&'’-]*)(?:\s+(?:[A-Z0-9&][\w.&'’-]*|of|and|the|for|de|du|la|le))*|[\w-]+(?:\.[\w-]+)+"
)


def echoed_outlet(title: str, summary: str | None) -> str | None:
    """The outlet an aggregator names twice, whatever its name: a title ending " - Outlet" whose summary begins with
    the rest of the title followed by "Outlet" (Google News: "<title> <outlet>", or a list of related stories that
    begins so); else None. Pass it to clean_title as ``outlet``."""
    parts = list(_TITLE_SEPARATOR.finditer(title)) if summary else []
    if not parts:
        return None
    head, suffix = title[: parts[-1].start()], title[parts[-1].end() :].strip()
    heading, named = _WORD.findall(head.casefold()), _WORD.findall(suffix.casefold())
    if not heading or not 0 < len(named) <= OUTLET_NAME_WORDS:
        return None
    said = [m.group() for m in islice(_WORD.finditer((summary or "").casefold()), len(heading) + len(named))]
    return suffix if said == heading + named else None


_WORD = re.compile(r"\w+")


def clean_title(title: str, outlet: str | None = None, feed: str | None = None) -> str:
    """A headline without a trailing (or leading) outlet name: " - Reuters", " | AP News", " – Bloomberg.com".

    The suffix goes only when it names ``outlet``, ``feed`` or a known outlet, so "… – Moscow" (who said
    it) and "Coronation: … - Dimbleby" stay whole.
    """
    t = re.sub(r"\s+", " ", title).strip()
    names = [n for n in (outlet, feed) if n]
    for _ in range(3):  # "Story | Section | Site" loses the site; a section that names the feed goes too
        parts = list(_TITLE_SEPARATOR.finditer(t))
        if not parts:
            break
        last = parts[-1]
        suffix = t[last.end() :]
        if len(suffix.split()) > OUTLET_NAME_WORDS or not _names_outlet(suffix, names) or last.start() < 10:
            break
        t = t[: last.start()].rstrip()
    m = _TITLE_SEPARATOR.search(t)
    if m and m.start() <= 40 and _names_outlet(t[: m.start()], names) and len(t) - m.end() >= 10:
        t = t[m.end() :].lstrip()  # "Reuters - Story" / "AP News | Story"
    return t
