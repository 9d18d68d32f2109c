"""Feed dates feedparser misreads, read right: registered as a feedparser date handler on import.

feedparser's RFC 822 reader knows the US time zones by name and numeric offsets of four digits. Shapes real feeds
use are read wrong by it, silently:

- a zone named by another abbreviation ("Mon, 15 Jan 2024 10:00:00 MSK", Moscow; CET, JST, HST, ...) is taken as
  UTC, and so is "UTC+03:00";
- a two-digit offset ("+03") loses the date, and so does a weekday with no zone ("Wed, 02 Dec 2026 08:00:00", read
  as UTC without its weekday) or a weekday in another language ("mer, 16 nov 2022 ..."): the item is then dated at
  fetch time, an old one as news;
- a 12-hour clock ("Sat, Dec 16 2023 02:02:33 PM", NBC's local stations) loses its PM.

``parse`` reads every date of that shape (a weekday or none, day and month either way round, a four-digit year, a
time, AM/PM or none, a zone or none) with one table of zones, the US ones included, so one reading holds for all;
None lets feedparser's own handlers read every other date (ISO 8601, two-digit years, a date without a time, ...).
``register()`` makes it feedparser's first handler, once: both readers of bot.feeds, feedparser and bot.plainrss
(which calls feedparser's date parser), call it, so both give the same dates.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime, timedelta

import feedparser

log = logging.getLogger(__name__)

# Zone abbreviations in minutes east of UTC: RFC 822's, feedparser's few more, and the ones news feeds of every
# continent write. An ambiguous one gets the reading RFC 822 or feedparser gives it, else the one news feeds most
# likely mean: CST US Central (RFC 822's; China's would be +8), AST Atlantic (feedparser's; Arabia's would be +3),
# PST US Pacific (the Philippines' would be +8), BST British Summer Time (not Bangladesh), GST the Gulf (not South
# Georgia), IST India (its English-language press is large; Ireland's summer time is +1 and Israel's +2, so those read
# 4.5 and 3.5 hours early, where read as UTC India's read 5.5 hours late). Military letters other than Z carry no
# information (RFC 1123 5.2.14): unknown.
ZONES = {
    # RFC 822 and feedparser's additions (ET, CT, MT, PT, AT: the standard time, as feedparser reads them)
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -300,
    "EDT": -240,
    "ET": -300,
    "CST": -360,
    "CDT": -300,
    "CT": -360,
    "MST": -420,
    "MDT": -360,
    "MT": -420,
    "PST": -480,
    "PDT": -420,
    "PT": -480,
    "AST": -240,
    "ADT": -180,
    "AT": -240,
    "MET": 60,
    "MEST": 120,
    # the rest of North America
    "NST": -210,
    "NDT": -150,
    "AKST": -540,
    "AKDT": -480,
    "HST": -600,
    "HDT": -540,
    # Latin America
    "BRT": -180,
    "BRST": -120,
    "ART": -180,
    "UYT": -180,
    "CLT": -240,
    "CLST": -180,
    "VET": -240,
    "COT": -300,
    "PET": -300,
    # Europe and Africa
    "WET": 0,
    "WEST": 60,
    "BST": 60,
    "CET": 60,
    "CEST": 120,
    "EET": 120,
    "EEST": 180,
    "TRT": 180,
    "MSK": 180,  # since October 2014 (+4 from March 2011): a feed's dates are recent
    "MSD": 240,
    "WAT": 60,
    "CAT": 120,
    "SAST": 120,
    "EAT": 180,
    # Asia: Russia's zones east of Moscow, the Middle East, South and East Asia
    "SAMT": 240,
    "YEKT": 300,
    "OMST": 360,
    "KRAT": 420,
    "IRKT": 480,
    "YAKT": 540,
    "VLAT": 600,
    "MAGT": 660,
    "PETT": 720,
    "IDT": 180,
    "IRST": 210,
    "GST": 240,
    "AFT": 270,
    "PKT": 300,
    "IST": 330,
    "NPT": 345,
    "MMT": 390,
    "ICT": 420,
    "WIB": 420,
    "WITA": 480,
    "HKT": 480,
    "SGT": 480,
    "MYT": 480,
    "PHT": 480,
    "AWST": 480,
    "WIT": 540,
    "JST": 540,
    "KST": 540,
    # Australia and New Zealand
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
    r"^\s*(?:[A-Za-z]{3,9}\.?,?\s+)?"  # the weekday, any language (ASCII), right or wrong: not checked
    r"(?:(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3,9})\.?,?|(?P<month2>[A-Za-z]{3,9})\.?\s+(?P<day2>\d{1,2}),?)"
    r"\s+(?P<year>\d{4}),?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<half>[AaPp]\.?[Mm]\.?(?![A-Za-z]))?"  # AM or PM, not the start of a zone (AMT, PMST)
    r"\s*(?:(?:GMT|UTC?)?(?P<offset>[+-]\d{1,2}(?::?\d{2})?)|(?P<zone>[A-Za-z]{1,5}))?\s*$",
    re.IGNORECASE,
)
_unknown_zones: set[str] = set()  # each logged once a process


def parse(value: str) -> time.struct_time | None:
    """A date of the RFC 822 shape as a UTC 9-tuple (feedparser's handler contract), else None.

    No zone is UTC, as feedparser reads a date without one when no weekday is written. A zone not in ZONES is read as
    UTC too (feedparser's reading: hours off at most) and logged, once a zone, so that it can be added; dropping the
    date would date an old item at fetch time, as news.
    """
    m = _DATE.match(value)
    if m is None:
        return None
    month = _MONTHS.get((m["month"] or m["month2"])[:3].lower())
    if month is None:
        return None  # another language's month: feedparser's handlers read a few
    hour = int(m["hour"])
    if m["half"] is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m["half"][0] in "Pp" else 0)
    try:
        written = datetime(
            int(m["year"]), month, int(m["day"] or m["day2"]), hour, int(m["minute"]), int(m["second"] or 0), tzinfo=UTC
        )
    except ValueError:
        return None
    return (written - timedelta(minutes=_minutes_east(m["offset"], m["zone"], value))).utctimetuple()


def _minutes_east(offset: str | None, zone: str | None, value: str) -> int:
    """The zone's offset from UTC: written in numbers, named, or none (UTC)."""
    if offset is not None:  # +0300, +03:00, +03 or +3: the hours first
        sign = -1 if offset[0] == "-" else 1
        hours, _, minutes = offset[1:].partition(":")
        if not minutes and len(hours) > 2:
            hours, minutes = hours[:-2], hours[-2:]
        return sign * (int(hours) * 60 + int(minutes or 0))
    if zone is None:
        return 0
    minutes_east = ZONES.get(zone.upper())
    if minutes_east is None:
        if zone.upper() not in _unknown_zones:
            _unknown_zones.add(zone.upper())
            log.warning("feed date %r: time zone %s unknown, read as UTC (hours off at most)", value, zone)
        return 0
    return minutes_east


def register() -> None:
    """Make ``parse`` feedparser's first date handler (once per process)."""
    global _registered
    if not _registered:
        feedparser.registerDateHandler(parse)
        _registered = True


_registered = False
