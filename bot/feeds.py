"""Parse downloaded feed bytes into clean items: defused, decoded, plain text, canonical links, sane dates.

API:

    parse_feed(body: bytes, headers: Mapping[str, str], base_url: str, now: datetime | None = None) -> ParsedFeed
    ParsedFeed(title, items: list[FeedItem], error, bozo, link, bozo_reason, encoding, dropped, duplicates)
    FeedItem(guid, link, title, summary, published, identity, content, author)
    storable_identity(identity) -> str
    canonical_link(url) -> str | None
    html_to_text(fragment, limit) -> str

feedparser only ever sees a BytesIO of bytes we prepared (never a URL, a path, or a string it could open). Before
it does: a gzip body is inflated within a cap, the text is decoded by `bot.charset` (HTTP charset, XML declaration,
then windows-1251/UTF-8 heuristics), and the DOCTYPE internal subset is removed: feedparser's lenient parser expands
internal entities, so a 220 kB billion-laughs feed cost 44 s and 5.7 GB. Short literal entities (as in
`<!ENTITY id "tag:example.com,">`) are expanded by us within a budget; parameter and external entities never are.
Plain RSS 2.0, most news feeds, is read by bot.plainrss instead: the values feedparser would give, at a fifth of
its cost; every other shape is feedparser's.

Items: titles and summaries are plain text (tags, script and style removed, entities unescaped, whitespace
collapsed, capped with an ellipsis); links are absolute (against xml:base / the feed URL), http(s) only, canonical,
and fit the store's columns (MAX_LINK_BYTES: a longer link is no link, a longer guid is cut); `identity` is the guid,
else the canonical link, else a hash of title and date, and one over 128 characters is stored as its digest
(storable_identity); dates are aware UTC, or None when missing, invalid, before 1995 or more than two days ahead
(the caller uses the fetch time). Items with no title, summary or link are dropped (`dropped`), items repeating a
guid are collapsed (`duplicates`); a guid that several different links share is not trusted: those items are
identified by link and carry no guid (a site's home page given as every item's guid names none of them, and would
make them one item downstream). `error` is set when the body is unusable: empty, an HTML page, or no items and no
title.
"""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import html
import io
import itertools
import logging
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

import feedparser

from bot import feeddates, plainrss
from bot.charset import decode_body
from bot.textcut import shorten

feeddates.register()  # dates feedparser misreads (zones by other names, a 12-hour clock)

log = logging.getLogger(__name__)

# Tuning, chosen by hand on feeds-corpus (real/ and items/): the longest real title there is 300 characters and the
# longest useful summary about 3,500; longer values are page dumps or abuse.
MAX_TITLE = 500
MAX_SUMMARY = 4000
MAX_CONTENT = 20000  # content:encoded as plain text, a fallback when the page cannot be fetched
MAX_FIELD_INPUT = 256 * 1024  # raw characters of one field we look at before stripping HTML
TITLE_FROM_SUMMARY_WORDS = 12
EARLIEST_DATE = datetime(1995, 1, 1, tzinfo=UTC)  # no news feed predates RSS; 1970 is an epoch-zero bug
FUTURE_SLACK = timedelta(days=2)  # a wrong time zone can put a date hours ahead; 2099 is a placeholder
MAX_BODY = 8 * 1024 * 1024  # cap for a gzip body that arrives without Content-Encoding
MAX_ENTITIES = 64  # internal entities we are willing to expand
MAX_ENTITY_VALUE = 256  # characters in one entity's value
# What the store's columns hold (bot.schema) on PostgreSQL, which enforces their widths: items.identity is 128
# characters wide (94 items of feeds-corpus/real have a longer guid or link: Guardian, Washington Post, heise, Google
# News, UOL, JN, Suspilne); the link and guid columns are 2048 characters, indexed, and a btree entry holds at most
# 2704 bytes, so 2048 bytes of UTF-8 fit both. The longest link in feeds-corpus/real is 433 characters.
MAX_IDENTITY = 128
MAX_LINK_BYTES = 2048
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid"})
TRACKING_PREFIXES = ("utm_",)


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, cleaned for the rest of the bot."""

    guid: str | None
    link: str | None
    title: str
    summary: str
    published: datetime | None
    identity: str
    content: str = ""  # content:encoded (or Atom content) as plain text, when longer than the summary
    author: str | None = None
    feed_link: str | None = (
        None  # the link as the feed wrote it (made absolute): what readers click; `link` is canonical
    )


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed, or the reason it cannot be used."""

    title: str | None
    items: list[FeedItem]
    error: str | None
    bozo: bool
    link: str | None = None
    bozo_reason: str | None = None
    encoding: str | None = None
    dropped: int = 0  # entries with neither title nor summary nor link
    duplicates: int = 0  # entries repeating an earlier guid
    stats: dict[str, Any] = field(default_factory=dict)


class _Unusable(Exception):
    """The body cannot be a feed; the message goes into ParsedFeed.error."""


def parse_feed(
    body: bytes,
    headers: Mapping[str, str] | None,
    base_url: str,
    now: datetime | None = None,
    *,
    fast: bool = True,
) -> ParsedFeed:
    """Parse feed bytes served with `headers` from `base_url`; never raises on bad input. ``fast=False``: always
    through feedparser, never bot.plainrss (the tests compare the two)."""
    now = now or datetime.now(UTC)
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    try:
        result = _parse(body, headers, base_url, now, fast)
    except _Unusable as exc:
        result = ParsedFeed(title=None, items=[], error=str(exc), bozo=True)
    if result.error:
        log.debug("feed %s unusable: %s", base_url, result.error)  # the poller's WARNING names the feed too
    elif result.dropped or result.duplicates:
        log.info("feed %s: %d items dropped (empty), %d duplicates", base_url, result.dropped, result.duplicates)
    return result


def _parse(body: bytes, headers: dict[str, str], base_url: str, now: datetime, fast: bool) -> ParsedFeed:
    body = _maybe_gunzip(body)
    if not body.strip():
        raise _Unusable("empty body")
    decoded = decode_body(body, headers.get("content-type"))
    text = defuse_entities(decoded.text.lstrip())
    if _looks_like_html(text):
        raise _Unusable("not a feed: the server sent an HTML page")

    base = urljoin(base_url, headers.get("content-location", "")) if base_url else headers.get("content-location", "")
    response_headers = {k: v for k, v in headers.items() if k not in ("content-encoding", "content-length")}
    response_headers["content-type"] = "application/xml; charset=utf-8"  # we decoded it; see bot.charset
    # No Content-Location: feedparser then leaves relative links as written (joining every element's xml:base
    # against it cost a quarter of its time) and we resolve the links we keep. It does not sanitize or rewrite
    # the HTML in fields either: html_to_text reduces every field to plain text anyway.
    response_headers.pop("content-location", None)
    plain = plainrss.read(text) if fast else None
    if plain is not None:  # plain RSS 2.0: feedparser's values, read in C (bot.plainrss)
        channel = {"title": plain.title, "link": plain.link}
        parsed: Mapping[str, Any] = {"feed": channel, "entries": plain.entries, "version": "rss20"}
    else:
        parsed = _feedparser(text, response_headers)

    feed = parsed.get("feed", {})
    title = html_to_text(feed.get("title", ""), MAX_TITLE) or None
    link = _safe_link(feed.get("link"), _rebase(base, feed.get("title_detail")))
    reasons = [r for r in (decoded.note, _content_type_note(headers.get("content-type"))) if r]
    if parsed.get("bozo"):
        reasons.append(_bozo_reason(parsed.get("bozo_exception")))
    reason = "; ".join(reasons) or None
    entries = parsed.get("entries", [])
    if not entries and not title and not link:
        if reason:
            raise _Unusable(f"no items, no title ({reason})")
        if not parsed.get("version"):
            raise _Unusable("not a feed: no RSS, Atom or RDF structure found")

    # feedparser joins a guid with the base unless it says isPermaLink="false"; which entry said so is not kept,
    # so a feed that says it anywhere keeps all its ids as written (feeds mix the two very rarely).
    items, dropped, duplicates = _items(entries, base, now, resolve_ids=_NOT_PERMALINK.search(text) is None)
    return ParsedFeed(
        title=title,
        items=items,
        error=None,
        bozo=bool(reason),
        link=link,
        bozo_reason=reason,
        encoding=decoded.encoding,
        dropped=dropped,
        duplicates=duplicates,
        stats={
            "entries": len(entries),
            "charset_source": decoded.source,
            "reader": "feedparser" if plain is None else "plainrss",
        },
    )


def _items(entries: list[Any], base: str, now: datetime, resolve_ids: bool = True) -> tuple[list[FeedItem], int, int]:
    drafts = []
    dropped = 0
    for entry in entries:
        draft = _draft(entry, base, now, resolve_ids)
        if draft is None:
            dropped += 1
        else:
            drafts.append(draft)

    links_per_guid: dict[str, set[str | None]] = {}
    for d in drafts:
        if d["guid"]:
            links_per_guid.setdefault(d["guid"], set()).add(d["link"])
    items: list[FeedItem] = []
    seen: set[str] = set()
    duplicates = 0
    for d in drafts:
        guid = d["guid"]
        trusted_guid = guid if guid and len(links_per_guid[guid]) == 1 else None
        identity = storable_identity(trusted_guid or d["link"] or guid or _hash_identity(d["title"], d["published"]))
        if identity in seen:
            duplicates += 1
            continue
        seen.add(identity)
        items.append(FeedItem(identity=identity, **{**d, "guid": trusted_guid}))
    return items, dropped, duplicates


def _draft(entry: Any, base: str, now: datetime, resolve_ids: bool = True) -> dict[str, Any] | None:
    """The cleaned fields of one entry, or None when it has nothing to show."""
    entry = dict(entry)  # plain look-ups: FeedParserDict.get maps aliases we never ask for, at a cost per call
    entry_base = base
    for detail in ("title_detail", "summary_detail"):
        if entry.get(detail, {}).get("base"):
            entry_base = _rebase(base, entry[detail])
    link = _safe_link(entry.get("link"), entry_base)
    feed_link = _absolute_link(entry.get("link"), entry_base) if link else None
    if link is None:
        for candidate in entry.get("links", []):
            if candidate.get("rel", "alternate") == "alternate":
                link = _safe_link(candidate.get("href"), entry_base)
                if link:
                    feed_link = _absolute_link(candidate.get("href"), entry_base)
                    break
    guid = _absolute_id(entry.get("id"), entry_base, resolve_ids)
    summary_html = entry.get("summary", "")
    contents = [c.get("value", "") for c in entry.get("content", []) if isinstance(c, Mapping)]
    content_html = max(contents, key=len) if contents else ""
    content = html_to_text(content_html, MAX_CONTENT, paragraphs=True) if content_html else ""
    if summary_html and summary_html != content_html:
        summary = html_to_text(summary_html, MAX_SUMMARY, paragraphs=True)
    else:  # the same text: cut, not converted twice
        summary = _cap(content, MAX_SUMMARY)
    if len(content) <= len(summary):
        content = ""
    title = html_to_text(entry.get("title", ""), MAX_TITLE)
    if not title and not summary and not link:
        return None
    if not title or _ADDRESS_ONLY.fullmatch(title):  # none, or a page's address (a video feed's): no headline to show
        title = _title_from(summary, title or link)
    author = html_to_text(entry.get("author", ""), 200) or None
    return {
        "guid": guid,
        "link": link,
        "title": title,
        "summary": summary,
        "published": _date(entry, now),
        "content": content,
        "author": author,
        "feed_link": feed_link or link,
    }


def _absolute_id(raw: Any, base: str, resolve: bool) -> str | None:
    """An entry's id, relative ones joined with the base as feedparser does for permalink guids (ids stay stable)."""
    raw = (raw or "").strip() if isinstance(raw, str) else ""
    if resolve and base and raw:
        with contextlib.suppress(ValueError):
            raw = urljoin(base, raw).strip()
    return _cut(raw) or None


def _cut(value: str) -> str:
    """``value`` cut to MAX_LINK_BYTES of UTF-8, whole characters only."""
    data = value.encode(errors="surrogatepass")
    return value if len(data) <= MAX_LINK_BYTES else data[:MAX_LINK_BYTES].decode(errors="ignore")


def _fits(link: str | None) -> str | None:
    """``link`` when it fits the store's link columns (MAX_LINK_BYTES of UTF-8), else None: a longer link is no link."""
    return link if link is None or len(link.encode(errors="surrogatepass")) <= MAX_LINK_BYTES else None


def _rebase(base: str, detail: Any) -> str:
    """The feed URL joined with the xml:base feedparser recorded for a field (itself maybe relative)."""
    xml_base = detail.get("base") if isinstance(detail, Mapping) else None
    if not xml_base:
        return base
    try:
        return urljoin(base, xml_base) if base else xml_base
    except ValueError:
        return base


_ADDRESS_ONLY = re.compile(r"(?:https?://|www\.)\S+")


def _title_from(summary: str, link: str | None) -> str:
    """A stand-in title: the summary's first words, or the link's last path segment."""
    if summary:
        words = summary.split()
        head = " ".join(words[:TITLE_FROM_SUMMARY_WORDS])
        return _cap(head, 120) + ("…" if len(words) > TITLE_FROM_SUMMARY_WORDS and not head.endswith("…") else "")
    assert link is not None
    parts = urlsplit(link)
    segment = next((s for s in reversed(parts.path.split("/")) if s), "")
    segment = re.sub(r"\.[a-z0-9]{1,5}$", "", segment, flags=re.I)
    slug = " ".join(re.split(r"[-_+]+", segment)).strip()
    return _cap(slug, MAX_TITLE) if len(slug) > 3 else _cap(link, MAX_TITLE)


def storable_identity(identity: str) -> str:
    """``identity`` when it fits items.identity (MAX_IDENTITY), else ``sha256:`` and the hex digest of all of it: the
    same at every poll, and ids that differ only past the width stay two items (migration 0012 converted the ones
    SQLite stored whole before)."""
    if len(identity) <= MAX_IDENTITY:
        return identity
    return "sha256:" + hashlib.sha256(identity.encode(errors="surrogatepass")).hexdigest()


def _hash_identity(title: str, published: datetime | None) -> str:
    key = f"{title}\x00{published.isoformat() if published else ''}"
    return "sha1:" + hashlib.sha1(key.encode("utf-8")).hexdigest()


def _date(entry: Any, now: datetime) -> datetime | None:
    """The entry's publication (else update) time as aware UTC, or None when missing or implausible (an implausible
    publication time, 1970's epoch-zero bug or a 2099 placeholder, gives way to a plausible update time)."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = dict.get(entry, key)  # plain dict access: FeedParserDict maps updated->published with a warning
        if not parsed:
            continue
        try:
            when = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
        except (OverflowError, ValueError, OSError, TypeError):
            continue
        if when < EARLIEST_DATE or when > now + FUTURE_SLACK:
            continue
        return when
    return None


def _content_type_note(content_type: str | None) -> str | None:
    """A note when the server did not call the body XML (feedparser's NonXMLContentType)."""
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    if media.endswith(("/xml", "+xml")) or media in ("application/rss", "application/atom", "application/rdf"):
        return None
    if media in ("", "application/octet-stream", "binary/octet-stream"):
        return None  # says nothing either way
    return f"served as {media}, not XML"


def _bozo_reason(exc: object) -> str:
    if exc is None:
        return "ill-formed"
    message = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


# --- bytes before feedparser -------------------------------------------------------------------------------------


def _maybe_gunzip(body: bytes) -> bytes:
    """Inflate a body that is still gzip (served without Content-Encoding), within MAX_BODY."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, MAX_BODY + 1)
    except zlib.error as exc:
        raise _Unusable(f"corrupt gzip body: {exc}") from exc
    if len(out) > MAX_BODY:
        raise _Unusable(f"gzip body inflates past {MAX_BODY} bytes")
    return out


_HTML_ROOTS = frozenset({"html", "head", "body", "div", "p", "table", "script", "meta", "title"})


def _looks_like_html(text: str) -> bool:
    """True when the first element is an HTML one (a page, an error page, a paywall) rather than a feed root."""
    head = text[:65536]
    spans = [(0, 0), *_opaque_spans(head), (len(head), len(head))]
    first = _ROOT_NAME.search("".join(head[a[1] : b[0]] for a, b in itertools.pairwise(spans)))
    return first is not None and first.group(1).lower() in _HTML_ROOTS


# Namespaces whose elements give an item's title, summary, link, date or id: kept when the others are dropped.
_ITEM_NAMESPACES = "atom|content|dc|dcterms|media|rdf|rss|xhtml|xml|xmlns|itunes|feedburner|slash|wfw|sy"
_EXTENSION_TAG = re.compile(rf"</?(?!(?:{_ITEM_NAMESPACES}):)[A-Za-z][\w.-]*:[\w.-]+(?:\s[^<>]*)?/?>")


def _feedparser(text: str, response_headers: dict[str, str]) -> Mapping[str, Any]:
    """feedparser's reading. Its handlers of some extension elements raise on a malformed one (a Podlove chapter
    without its start, a GML position outside georss:where): the feed is read again without the elements of
    namespaces that hold none of an item's fields, and is unusable only if that fails too."""

    def parse(value: str) -> Mapping[str, Any]:
        return feedparser.parse(
            io.BytesIO(value.encode("utf-8")),
            response_headers=response_headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )

    try:
        return parse(text)
    except Exception as first:  # any crash of feedparser's is the feed's, not ours
        try:
            return parse(_EXTENSION_TAG.sub("", text))
        except Exception:
            raise _Unusable(f"the feed parser fails on it ({type(first).__name__}: {first})") from first


_NOT_PERMALINK = re.compile(r"""isPermaLink\s*=\s*["']\s*false""", re.I)
_DOCTYPE = re.compile(r"<!DOCTYPE\s+([^\s\[>]+)", re.I)
_FIRST_ELEMENT = re.compile(r"<[A-Za-z_]")
_ROOT_NAME = re.compile(r"<([A-Za-z_][\w.-]*)")
_ENTITY_DECL = re.compile(
    r"""<!ENTITY\s+(%\s+)?([A-Za-z_][\w.:-]*)\s+(?:"([^"]*)"|'([^']*)'|((?:SYSTEM|PUBLIC)\b[^>]*))\s*>""", re.S
)
_CHAR_REF_ONLY = re.compile(r"&#(?:\d{1,7}|x[0-9A-Fa-f]{1,6});")
_ANY_ENTITY_DECL = re.compile(r"<!ENTITY\b[^>]*>", re.I)
_OPAQUE_START = re.compile(r"<!\[CDATA\[|<!--")


def _opaque_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each CDATA section and comment, in one pass: one left open runs to the end of the text (a
    regex's lazy match would scan to the end again from every unclosed "<!--": quadratic on a hostile feed)."""
    pos = 0
    while (m := _OPAQUE_START.search(text, pos)) is not None:
        closer = "]]>" if m.group(0) == "<![CDATA[" else "-->"
        close = text.find(closer, m.end())
        pos = len(text) if close < 0 else close + len(closer)
        yield m.start(), pos


def defuse_entities(text: str) -> str:
    """Remove the DOCTYPE internal subset; expand its short literal general entities ourselves, within a budget.

    Raises _Unusable for a malformed internal subset or when the expansion would outgrow the document.
    """
    match = _DOCTYPE.search(text)
    first = _FIRST_ELEMENT.search(text)
    if match is None or (first is not None and first.start() < match.start()):
        return _ANY_ENTITY_DECL.sub("", text) if "<!ENTITY" in text.upper() else text
    end, subset = _doctype_end(text, match.end())
    if subset is None:
        return text[:end] + _ANY_ENTITY_DECL.sub("", text[end:]) if "<!ENTITY" in text[end:].upper() else text
    entities: dict[str, str] = {}
    for decl in _ENTITY_DECL.finditer(subset):
        parameter, name, v1, v2, external = decl.groups()
        value = v1 if v1 is not None else v2
        if parameter or external or value is None or len(entities) >= MAX_ENTITIES:
            continue
        if len(value) > MAX_ENTITY_VALUE or "<" in value or "%" in value:
            continue
        if "&" in _CHAR_REF_ONLY.sub("", value):
            continue  # refers to other entities: the billion-laughs shape
        entities[name] = value
    head = f"<!DOCTYPE {match.group(1)}>"
    rest = text[end:]
    if "<!ENTITY" in rest.upper():
        rest = _ANY_ENTITY_DECL.sub("", rest)
    if entities:
        rest = _expand(rest, entities, budget=max(len(text), 65536))
    return text[: match.start()] + head + rest


def _doctype_end(text: str, pos: int) -> tuple[int, str | None]:
    """Index just past the DOCTYPE that continues at `pos`, and its internal subset (None when it has none)."""
    quote = None
    subset_start = None
    i = pos
    n = len(text)
    while i < n:
        c = text[i]
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif subset_start is None:
            if c == "[":
                subset_start = i + 1
            elif c == ">":
                return i + 1, None
        elif text.startswith("<!--", i):
            close = text.find("-->", i + 4)
            if close < 0:
                break
            i = close + 3
            continue
        elif c == "]":
            j = i + 1
            while j < n and text[j].isspace():
                j += 1
            if j < n and text[j] == ">":
                return j + 1, text[subset_start:i]
        i += 1
    raise _Unusable("malformed DOCTYPE: its internal subset never ends")


def _expand(text: str, entities: dict[str, str], budget: int) -> str:
    """Replace `&name;` for our vetted entities outside CDATA and comments; refuse to grow past `budget`."""
    pattern = re.compile(r"&(" + "|".join(re.escape(name) for name in entities) + r");")
    grown = 0

    def replace(m: re.Match[str]) -> str:
        nonlocal grown
        value = entities[m.group(1)]
        grown += len(value) - len(m.group(0))
        if grown > budget:
            raise _Unusable("entity expansion would outgrow the document (an entity bomb?)")
        return value

    out = []
    pos = 0
    for start, end in _opaque_spans(text):
        out.append(pattern.sub(replace, text[pos:start]))
        out.append(text[start:end])
        pos = end
    out.append(pattern.sub(replace, text[pos:]))
    return "".join(out)


# --- text and links ------------------------------------------------------------------------------------------------

_BLOCKS = frozenset({"script", "style", "noscript", "iframe", "template", "object", "svg", "math"})
_BLOCK_OPEN = re.compile(rf"<({'|'.join(sorted(_BLOCKS))})\b", re.I)
# A tag whose quoted attribute values may hold "<" and ">" (alt="a<br>b"; values bounded, so this stays linear), else
# any run of characters up to ">" (a tag with a stray quote, as in href="x?>).
_TAG = re.compile(
    r"""</?([A-Za-z][A-Za-z0-9:-]*)(?:\s(?:[^<>"']|"[^"]{0,2000}"|'[^']{0,2000}')*)?/?>"""
    r"|</?([A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]*)?/?>|<![^<>]*>|<\?[^<>]*\?>"
)
_INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "em", "font", "i", "mark", "q", "s", "small", "span", "strong"}
    | {"sub", "sup", "time", "u", "wbr", "ins", "del"}
)
# Removed from every field: soft hyphen, zero-width characters, controls, and the bidi embeddings, overrides and
# isolates (U+202A-U+202E, U+2066-U+2069): a title's unterminated RIGHT-TO-LEFT OVERRIDE reversed the bot's own
# " · 1 outlet" after it in subscribers' messages (qa11 D6). Right-to-left text needs none of them to display.
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def drop_blocks(s: str, opener: re.Pattern[str] = _BLOCK_OPEN, *, bare_unclosed_is_text: bool = False) -> str:
    """Remove the elements ``opener`` finds (script/style-like) with their content, and comments, in linear time.
    An element never closed runs to the end (a page cut inside a script), unless ``bare_unclosed_is_text`` and its
    opening tag is bare ("<script>", no attributes): then the tag and what follows are kept, as text (in a feed field
    that is a headline's word: "Hackers hide <script> tags in rare earth ads")."""
    if "<" not in s:
        return s
    lower = s.lower()
    out = []
    pos = 0
    # The next comment and block found so far, looked for again only once pos has passed them: searched afresh at
    # every step, a page of many comments and no block scanned to its end for a block each time (quadratic: 280 kB of
    # "<!---->" took 40 s).
    comment = lower.find("<!--")
    block = opener.search(s)
    unclosed: set[str] = set()  # elements with no closing tag after one of theirs: none after a later one either
    while True:
        if 0 <= comment < pos:
            comment = lower.find("<!--", pos)
        if block is not None and block.start() < pos:
            block = opener.search(s, pos)
        if comment < 0 and block is None:
            break
        if block is None or (comment >= 0 and comment < block.start()):
            out.append(s[pos:comment])
            close = lower.find("-->", comment + 4)
            pos = len(s) if close < 0 else close + 3
            continue
        name = block.group(1).lower()
        close = -1 if name in unclosed else lower.find(f"</{name}", block.end())
        if close < 0 and bare_unclosed_is_text and s.startswith(">", block.end()):
            unclosed.add(name)
            out.append(s[pos : block.end()])
            pos = block.end()
            continue
        out.append(s[pos : block.start()])
        if close < 0:
            pos = len(s)
            break
        gt = s.find(">", close)
        pos = len(s) if gt < 0 else gt + 1
    out.append(s[pos:])
    return "".join(out)


def _strip_tags(s: str, block: str = " ") -> str:
    """Tags out: an inline one leaves nothing, any other ``block`` (a paragraph's end, a list item's). A script- or
    style-like element goes with what it encloses, but a bare opening tag never closed ("Hackers hide &lt;script&gt;
    tags in rare earth ads", escaped once or twice in the feed) is a word of the text, kept with the words after it
    (drop_blocks); double-escaped markup (&lt;b&gt;, &lt;p&gt;...) still loses its tags."""
    if "<![CDATA[" in s:  # a CDATA section inside a field (escaped once more than XML needs): its text is the field's
        s = s.replace("<![CDATA[", "").replace("]]>", "")

    def replace(m: re.Match[str]) -> str:
        name = (m.group(1) or m.group(2) or "").lower()
        if name in _BLOCKS and m.group(0)[1:-1].lower() == name:  # a bare "<script>" drop_blocks left: never closed
            return m.group(0)
        return "" if name in _INLINE else block

    return _TAG.sub(replace, drop_blocks(s, bare_unclosed_is_text=True))


def html_to_text(fragment: str | None, limit: int = MAX_SUMMARY, *, paragraphs: bool = False) -> str:
    """Plain text of an HTML (or plain) fragment: no tags, scripts or entities; whitespace collapsed; capped. With
    ``paragraphs`` a block's end (</p>, <br>, </li>) ends a line: a standfirst does not run into the lead as one
    sentence ("… airs grievances against west in speech Russia-Ukraine war – latest news updates Vladimir Putin …")."""
    if not fragment:
        return ""
    s = str(fragment)[:MAX_FIELD_INPUT]
    block = "\n" if paragraphs else " "
    if paragraphs:  # the source's own line breaks are spaces, in HTML and plain text alike: only tags end a line
        s = " ".join(s.split())
    if "<" in s:  # plain text skips the tag passes
        s = _strip_tags(s, block)
    if "&" in s:
        s = html.unescape(s)
        if "<" in s:  # double-escaped markup (&lt;b&gt;) is common in feeds
            s = _strip_tags(s, block)
    s = _INVISIBLE.sub("", s)
    if paragraphs and "\n" in s:
        s = "\n".join(line for line in (" ".join(x.split()) for x in s.split("\n")) if line)
    else:
        s = " ".join(s.split())
    return _cap(s, limit)


def _cap(s: str, limit: int) -> str:
    """`s` cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    return shorten(s, limit, strip=" ,;:.-–—")


def _absolute_link(link: str | None, base: str) -> str | None:
    """The link as written, made absolute against ``base`` (not canonicalised); None when it is not a string."""
    if not link or not isinstance(link, str):
        return None
    link = link.strip()
    try:
        return _fits(link if link.startswith(("http://", "https://")) or not base else urljoin(base, link))
    except ValueError:
        return None


def _safe_link(link: str | None, base: str) -> str | None:
    if not link or not isinstance(link, str):
        return None
    link = link.strip()
    if link.startswith(("http://", "https://")):  # already absolute: joining changes nothing canonical_link keeps
        return _fits(canonical_link(link))
    try:
        absolute = urljoin(base, link) if base else link
    except ValueError:
        return None
    return _fits(canonical_link(absolute))


def _tracking(name: str) -> bool:
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def canonical_link(url: str | None) -> str | None:
    """Lower-case scheme and host, no default port, tracking parameters, fragment or trailing slash; None unless http(s)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in ("http", "https") or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    if parts.username:
        userinfo = parts.username + (f":{parts.password}" if parts.password else "")
        host = f"{userinfo}@{host}"
    query = parts.query
    if query:  # the other parameters kept as written ("?123&utm_source=x" is "?123", not "?123=")
        segments = query.split("&")
        kept = [seg for seg in segments if not _tracking(unquote_plus(seg.split("=", 1)[0]).lower())]
        query = "&".join(kept) if len(kept) != len(segments) else query
    path = parts.path.rstrip("/") if parts.path != "/" else ""
    return urlunsplit((scheme, host, path, query, ""))
