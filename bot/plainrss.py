"""Plain RSS 2.0 read with the standard library's XML parser: feedparser's items for the common feed, at a fifth
of the cost.

API::

    read(text) -> PlainFeed | None   # None: not plain RSS 2.0 as defined below; feedparser reads it instead

feedparser drives a Python handler for every start tag, end tag and run of text (expat through xml.sax), and
parsing is most of what a changed feed costs a poll cycle. Most news feeds are plain RSS 2.0 whose items hold a
handful of elements, which ElementTree reads in C. For those, ``read`` gives what feedparser gives for the fields
bot.feeds reads (title, link, id, summary, content, author, the parsed dates; dates by feedparser's own parser);
every other shape is declined and stays feedparser's: Atom, RDF, RSS 0.9x, ill-formed XML, HTML entities, xml:base,
markup inside a field, a field twice, a permalink guid standing for a missing link, and any element not listed
below (feedparser maps many onto those fields: dc:title, atom:author, itunes:summary ...).

Measured with bench/parse.py (CPU per feed, parse_feed with and without this module, same process): bench/poll.py's
generated feeds 1.13 against 6.47 ms (0.17x); the real feeds of ../shared/feeds-corpus 2.61 against 4.21 ms
(0.62x: about half of real/ is declined). tests/test_plainrss.py checks that parse_feed gives identical results
either way on every corpus feed, on feeds written to probe each rule, and on 300 seeded random feeds.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from bot import feeddates

feeddates.register()  # (its dates are feedparser's, with the same handlers)

try:  # feedparser's own date parser (it has no public name): the dates must be the ones feedparser would give
    from feedparser.datetimes import _parse_date
except ImportError:  # a feedparser without it: every feed goes to feedparser, slower and still right
    _parse_date = None

_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_MEDIA = "{http://search.yahoo.com/mrss/}"
_SLASH = "{http://purl.org/rss/1.0/modules/slash/}"
_WFW = "{http://wellformedweb.org/CommentAPI/}"
_ATOM = "{http://www.w3.org/2005/Atom}"

# Item elements read here: element -> the feedparser entry key it sets. Each is text only, at most once an item.
TEXT_FIELDS = {
    "title": "title",
    "link": "link",
    "guid": "id",
    "description": "summary",
    f"{_CONTENT}encoded": "content",
    "pubDate": "published_parsed",
    f"{_DC}date": "updated_parsed",
    "author": "author",
    f"{_DC}creator": "author",
}
# Item elements feedparser keeps under keys bot.feeds never reads (categories, enclosures, media): skipped, any
# number of times, as long as they hold no elements of their own (media:content may nest a media:title).
SKIPPED = frozenset(
    {
        "category",
        "comments",
        "enclosure",
        "source",
        f"{_MEDIA}content",
        f"{_MEDIA}thumbnail",
        f"{_MEDIA}credit",
        f"{_MEDIA}text",
        f"{_SLASH}comments",
        f"{_WFW}commentRss",
        f"{_DC}subject",
    }
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class PlainFeed:
    """A plain RSS 2.0 feed as feedparser would give it: the channel's title and link, and the entries."""

    title: str
    link: str
    entries: list[dict[str, Any]]


def read(text: str) -> PlainFeed | None:
    """The feed's channel and entries, or None when it is not plain RSS 2.0 (see the module docstring)."""
    if _parse_date is None or "xml:base" in text or not text.lstrip().startswith(("<?xml", "<rss")):
        return None
    try:  # the text is decoded already: its declaration's encoding no longer applies
        root = ET.fromstring(_XML_DECLARATION.sub("", text, count=1))
    except ET.ParseError:  # ill-formed, or an HTML entity XML does not define: feedparser's lenient path
        return None
    if root.tag != "rss" or root.get("version") != "2.0" or len(root) != 1 or root[0].tag != "channel":
        return None
    fields: dict[str, str] = {}
    entries = []
    for element in root[0]:
        if element.tag == "item":
            entry = _entry(element)
            if entry is None:
                return None
            entries.append(entry)
        elif element.tag in ("title", "link"):
            value = _text(element)
            if value is None or element.tag in fields:
                return None
            fields[element.tag] = value
        elif element.tag == f"{_ATOM}link" and element.get("rel", "alternate") != "alternate":
            continue  # the feed's own address (rel="self") and the like: not its link
        elif element.tag.endswith(("}title", "}link")):  # dc:title, itunes:title, an alternate atom:link ...
            return None  # feedparser may take them for the channel's title or link
    return PlainFeed(fields.get("title", ""), fields.get("link", ""), entries)


def _entry(item: ET.Element) -> dict[str, Any] | None:
    """One item as feedparser's entry keys, or None when it holds anything read() does not."""
    entry: dict[str, Any] = {}
    for element in item:
        key = TEXT_FIELDS.get(element.tag)
        if key is None:
            if element.tag not in SKIPPED or len(element):
                return None
            continue
        value = _text(element)
        if value is None or key in entry:  # markup inside, or the field twice (feedparser's order rules)
            return None
        if key == "id" and "link" not in entry and element.get("isPermaLink", "true") != "false":
            return None  # feedparser takes a permalink guid for the missing link: its rules, its reading
        if key.endswith("_parsed"):
            entry[key] = _parse_date(value)  # None for an empty or unreadable date, as in feedparser
        elif key == "content":
            entry[key] = [{"value": value}]
        else:
            entry[key] = value
    return entry if "link" in entry else None


def _text(element: ET.Element) -> str | None:
    """The element's text as feedparser keeps it (stripped), or None when elements are nested in it."""
    if len(element):
        return None
    return (element.text or "").strip()
