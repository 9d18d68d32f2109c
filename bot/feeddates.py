"""Feed dates feedparser misreads, read right: registered as a feedparser date handler on import.

feedparser's RFC 822 reader knows the US time zones by name and numeric offsets. Two shapes real feeds use are read
wrong by it, silently:

- a zone named by another abbreviation ("Mon, 15 Jan 2024 10:00:00 MSK", Moscow; CET, JST, ...) is taken as UTC;
- a 12-hour clock ("Sat, Dec 16 2023 02:02:33 PM", NBC's local stations) loses its PM.

and one it drops: a weekday and no zone ("Wed, 02 Dec 2026 08:00:00"; without the weekday it reads UTC).

``parse`` reads those shapes and nothing else (None lets feedparser's own handlers read every other date).
``register()`` makes it feedparser's first handler, once: both readers of bot.feeds, feedparser and bot.plainrss
(which calls feedparser's date parser), call it, so both give the same dates.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import feedparser

# Zone abbreviations feedparser does not know, in minutes east of UTC. Ambiguous ones (IST: India, Ireland or Israel;
# CST: US Central or China) are left to feedparser, which reads the US ones.
ZONES = {
    "WET": 0,
    "WEST": 60,
    "BST": 60,
    "CET": 60,
    "CEST": 120,
    "MET": 60,
    "MEST": 120,
    "EET": 120,
    "EEST": 180,
    "SAST": 120,
    "MSK": 180,
    "MSD": 240,
    "GST": 240,
    "PKT": 300,
    "WIB": 420,
    "ICT": 420,
    "HKT": 480,
    "SGT": 480,
    "AWST": 480,
    "PHT": 480,
    "JST": 540,
    "KST": 540,
    "ACST": 570,
    "ACDT": 630,
    "AEST": 600,
    "AEDT": 660,
    "NZST": 720,
    "NZDT": 780,
}
_MONTHS = {
    m: n for n, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_DATE = re.compile(
    r"^\s*(?:[A-Za-z]{3,9}\.?,?\s+)?"  # the weekday
    r"(?:(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3,9})\.?,?|(?P<month2>[A-Za-z]{3,9})\.?\s+(?P<day2>\d{1,2}),?)"
    r"\s+(?P<year>\d{4}),?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<half>[AaPp]\.?[Mm]\.?)?"
    r"\s*(?P<zone>[A-Za-z]{2,5}|[+-]\d{2}:?\d{2})?\s*$"
)


def parse(value: str) -> time.struct_time | None:
    """A date of one of the two shapes as a UTC 9-tuple (feedparser's handler contract), else None."""
    m = _DATE.match(value)
    if m is None:
        return None
    zone, half = m["zone"], m["half"]
    if zone is not None and zone[0] not in "+-":
        if zone.upper() not in ZONES:
            return None if half is None else _read(m, half, None)  # a US zone with a 12-hour clock: its offset below
        return _read(m, half, ZONES[zone.upper()])
    if half is None and zone is not None:
        return None  # a numeric offset, 24-hour clock: feedparser reads it right
    # No zone is UTC, as feedparser reads a date without a weekday; with one it dropped the date (the item was dated
    # at fetch time, an old one as news). The weekday is not checked, as feedparser does not.
    return _read(m, half, _offset(zone) if zone else 0)


def _offset(zone: str) -> int:
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + int(digits[2:]))


_US_ZONES = {"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420}
_US_ZONES |= {"MDT": -360, "PST": -480, "PDT": -420}


def _read(m: re.Match[str], half: str | None, minutes_east: int | None) -> time.struct_time | None:
    month = _MONTHS.get((m["month"] or m["month2"] or "")[:3].lower())
    if month is None:
        return None
    if minutes_east is None:  # a zone feedparser knows, met with a 12-hour clock
        minutes_east = _US_ZONES.get((m["zone"] or "").upper())
        if minutes_east is None:
            return None
    hour = int(m["hour"])
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half[0] in "Pp" else 0)
    try:
        local = datetime(
            int(m["year"]), month, int(m["day"] or m["day2"]), hour, int(m["minute"]), int(m["second"] or 0), tzinfo=UTC
        )
    except ValueError:
        return None
    return (local - timedelta(minutes=minutes_east)).timetuple()


def register() -> None:
    """Make ``parse`` feedparser's first date handler (once per process)."""
    global _registered
    if not _registered:
        feedparser.registerDateHandler(parse)
        _registered = True


_registered = False
