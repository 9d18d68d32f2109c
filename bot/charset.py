"""Decode downloaded feeds and pages to text: BOM, HTTP charset, XML/HTML declaration, then heuristics.

API: `decode_body(body, content_type=None, *, html=False) -> Decoded(text, encoding, source)`;
`is_html_page(data) -> bool`: bytes that open as an HTML document (a saved page: coverage-bot summarize page.html).

Order: a byte-order mark; UTF-16/32 sniffed from the first bytes; the HTTP charset; the XML declaration (or, for
HTML, a `<meta charset>` in the first 4 kB); UTF-8. The first candidate that decodes cleanly wins, except that a
single-byte Latin label on bytes that read as Russian in windows-1251 gives way to windows-1251 (feeds from
Russian CMSs are often labelled ISO-8859-1 or not at all), and a Russian single-byte label (KOI8-R, windows-1251 ...)
gives way to the document's own declaration or the other common Russian charset when that is what reads as Russian
text (a host's default "charset=koi8-r" on a windows-1251 feed). UTF-8 with a few stray bytes stays UTF-8. When nothing
fits: windows-1251 (or KOI8-R, if that reads as Russian) if the high bytes look Cyrillic, else windows-1252, with
replacement characters.
"""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass

# Byte-order marks, longest first (UTF-32-LE's starts with UTF-16-LE's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "<?" (or "<" and a letter) in the four UTF-16/32 layouts, per the XML spec's appendix F.
_SNIFF = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I)
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I)

# WHATWG: browsers read these labels as windows-1252, a superset that also maps 0x80-0x9F.
_LATIN_ALIASES = {"iso8859-1", "latin-1", "ascii", "cp1252", "iso8859-15"}

# Tuning (chosen on feeds-corpus/real: the cp1251 Orenburg feed has ~70% of its letters in 0xC0-0xFF, the
# latin-1 French and Portuguese feeds 2-6%): above this share the bytes are Russian in windows-1251.
CYRILLIC_SHARE = 0.5
# A document whose high bytes are this share valid UTF-8 sequences is UTF-8 with a few stray bytes.
UTF8_VALID_SHARE = 0.9


@dataclass(frozen=True)
class Decoded:
    """Text with the encoding used and where that choice came from."""

    text: str
    encoding: str  # a Python codec name
    source: str  # bom | sniff | http | declaration | meta | utf-8 | heuristic
    note: str | None = None  # a declared charset that was unknown or did not fit the bytes


def codec_name(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except (LookupError, ValueError):
        return None
    return "cp1252" if name in _LATIN_ALIASES else name


def http_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, if any."""
    if not content_type:
        return None
    match = _HTTP_CHARSET.search(content_type)
    return match.group(1) if match else None


def declared_charset(body: bytes, html: bool = False) -> str | None:
    """The encoding named in an XML declaration (or an HTML <meta>, when `html`)."""
    match = _XML_DECL.match(body[:512])
    if match:
        return match.group(1).decode("ascii")
    if html:
        meta = _META_CHARSET.search(body[:4096])
        if meta:
            return meta.group(1).decode("ascii")
    return None


_CYRILLIC_BYTES = bytes([*range(0xC0, 0x100), 0xA8, 0xB8])
_ASCII_LETTERS = bytes([*range(0x41, 0x5B), *range(0x61, 0x7B)])
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _count(data: bytes, members: bytes) -> int:
    """How many bytes of `data` are in `members` (bytes.translate runs in C)."""
    return len(data) - len(data.translate(None, members))


_MARKUP = re.compile(rb"<[^<>]*>|https?://[^\s<>\"']*")


def cyrillic_share(body: bytes) -> float:
    """Share of letters that are windows-1251 Cyrillic (0xC0-0xFF, Ё/ё) rather than ASCII letters, in the text of the
    first 64 kB: tags and addresses left out (a feed of headlines is mostly markup and links, in ASCII)."""
    sample = _MARKUP.sub(b" ", body[:65536])
    high = _count(sample, _CYRILLIC_BYTES)
    letters = high + _count(sample, _ASCII_LETTERS)
    return high / letters if letters else 0.0


def _utf8_valid_share(body: bytes) -> float:
    """Share of non-ASCII bytes that belong to valid UTF-8 sequences."""
    high = _count(body, _HIGH_BYTES)
    if not high:
        return 1.0
    bad = body.decode("utf-8", "replace").count("\ufffd") - body.count(b"\xef\xbf\xbd")
    return max(0.0, 1.0 - bad / high)


# The single-byte charsets of Russian text (Python's codec names). Each puts the 33 letters in a case order of its
# own, so bytes read in the wrong one come out mostly capitals mid-word: windows-1251's lower case is KOI8-R's upper.
_CYRILLIC_SINGLE_BYTE = ("cp1251", "koi8-r", "koi8-u", "iso8859-5", "cp866", "mac-cyrillic")
# The two that Russian feeds and pages are in, tried beside whatever the labels say.
_RUSSIAN_CHARSETS = ("cp1251", "koi8-r")
_LOWER_CYRILLIC = re.compile("[а-яё]")
_UPPER_CYRILLIC = re.compile("[А-ЯЁ]")
# Tuning (feeds-corpus: real/oren-ru_news_cp1251.xml, real/tut-by_news_ru_2019.xml and suspilne_ukrnet_uk_2023.xml
# encoded in both, feedparser's chardet/koi8r.xml): Russian or Ukrainian text read in its own charset has 0.95-0.98 of
# its Cyrillic letters in lower case, read in the other 0.02-0.05. A label gives way only to a reading this much more
# lower-case, so a short text or one of headlines in capitals keeps its label.
RUSSIAN_LOWER_MARGIN = 0.3


def lower_case_share(text: str) -> float:
    """Share of the Cyrillic letters of ``text`` in lower case (0 without any): Russian prose is mostly lower case,
    capitals opening sentences and names."""
    lower = len(_LOWER_CYRILLIC.findall(text))
    letters = lower + len(_UPPER_CYRILLIC.findall(text))
    return lower / letters if letters else 0.0


def _reads_as_russian(body: bytes, codecs_: list[str]) -> str:
    """Of ``codecs_`` (the first the label's) and windows-1251 and KOI8-R, the one in which the text of the first
    64 kB (tags and addresses left out) reads as Russian: the label's unless another is RUSSIAN_LOWER_MARGIN more
    lower-case."""
    sample = _MARKUP.sub(b" ", body[:65536])
    shares = {c: lower_case_share(sample.decode(c, "replace")) for c in dict.fromkeys([*codecs_, *_RUSSIAN_CHARSETS])}
    best = max(shares, key=lambda c: shares[c])
    return best if shares[best] >= shares[codecs_[0]] + RUSSIAN_LOWER_MARGIN else codecs_[0]


def _single_byte_latin(codec: str) -> bool:
    return codec in ("cp1252", "iso8859-2", "iso8859-9", "cp1250", "mac-roman")


@functools.cache
def _single_byte(codec: str) -> bool:
    """Whether every byte is one character in ``codec`` (windows-1251, KOI8-R, Latin-1, ...): it decodes any bytes.
    Bytes that pair up in UTF-8 and the East Asian charsets read as fewer characters there."""
    pairs = b"\xc3\xa9\xb0\xa1\x82\xa0\xa4\xa2"
    return not codec.startswith("utf") and len(pairs.decode(codec, "replace")) == len(pairs)


def _strict_utf8(body: bytes) -> bool:
    """Whether the bytes hold non-ASCII characters and are valid UTF-8 throughout: text in a single-byte charset
    almost never is (windows-1251 Russian would need every letter paired just so)."""
    if not _count(body, _HIGH_BYTES):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_body(body: bytes, content_type: str | None = None, *, html: bool = False) -> Decoded:
    """Decode a feed (or, with `html`, a page) the way a careful reader would."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return Decoded(body[len(bom) :].decode(name, "replace"), name, "bom")
    for prefix, name in _SNIFF:
        if body.startswith(prefix):
            return Decoded(body.decode(name, "replace"), name, "sniff")

    cyrillic = cyrillic_share(body) > CYRILLIC_SHARE
    utf8: bool | None = None  # whether the bytes are strict UTF-8 (looked at when a single-byte label is met)
    labels = [
        (http_charset(content_type), "http"),
        (declared_charset(body, html), "meta" if html else "declaration"),
        ("utf-8", "utf-8"),
    ]
    tried: set[str] = set()
    notes: list[str] = []
    for label, source in labels:
        codec = codec_name(label)
        if codec is None:
            if label:
                notes.append(f"unknown charset {label!r} ({source})")
            continue
        if codec in tried:
            continue
        tried.add(codec)
        if codec.startswith(("utf-16", "utf-32")) or (cyrillic and _single_byte_latin(codec)):
            # ASCII-compatible bytes under a UTF-16/32 label, or Russian bytes under a Latin one: mislabelled
            notes.append(f"declared charset {label!r} ({source}) does not fit the bytes")
            continue
        if source != "utf-8" and _single_byte(codec):
            if utf8 is None:
                utf8 = _strict_utf8(body)
            if utf8:  # a server's default charset on a UTF-8 feed ("charset=windows-1251" on old Russian hosting)
                notes.append(f"declared charset {label!r} ({source}) does not fit the bytes: they are UTF-8")
                continue
        if cyrillic and codec in _CYRILLIC_SINGLE_BYTE:
            # One Russian charset's bytes under another's label (a host's default "koi8-r" on a windows-1251 feed):
            # the label, the document's own declaration and windows-1251 / KOI8-R, whichever reads as Russian text
            # (only when the bytes look Russian: a few accented letters of a Latin text read as neither).
            others = [codec_name(other) for other, _ in labels]
            russian = _reads_as_russian(body, [codec, *(c for c in others if c in _CYRILLIC_SINGLE_BYTE)])
            if russian != codec:
                notes.append(f"declared charset {label!r} ({source}) does not fit the bytes: they read as {russian}")
                source = next((s for other, s in labels if codec_name(other) == russian), "heuristic")
                codec = russian
        note = "; ".join(notes) or None
        try:
            return Decoded(body.decode(codec), codec, source, note)
        except UnicodeDecodeError:
            if codec == "utf-8" and _utf8_valid_share(body) >= UTF8_VALID_SHARE:
                return Decoded(body.decode("utf-8", "replace"), "utf-8", source, note)
            if source != "utf-8":
                notes.append(f"declared charset {label!r} ({source}) does not fit the bytes")
    fallback = _reads_as_russian(body, ["cp1251"]) if cyrillic else "cp1252"  # KOI8-R's letters are there too
    return Decoded(body.decode(fallback, "replace"), fallback, "heuristic", "; ".join(notes) or None)


# A document's opening: a byte-order mark, space, an XML declaration and comments, then <!DOCTYPE html> or <html>.
_PAGE_START = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S
)


def is_html_page(data: bytes) -> bool:
    """Whether bytes open as an HTML document does (a page saved from a browser or with curl), not as plain text."""
    return _PAGE_START.match(data[:4096]) is not None
