"""Time helpers shared by every module: aware UTC now, normalising to UTC, and a chat's timezone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime is taken to be UTC already (feeds and SQLite give those)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_utc_or_none(value: datetime | None) -> datetime | None:
    """:func:`as_utc`, passing None through."""
    return None if value is None else as_utc(value)


def local_zone(name: str | None, default: str | None = "UTC") -> ZoneInfo:
    """A chat's timezone: ``name``, else ``default``, else UTC (an unknown name falls through to the next)."""
    for candidate in (name, default, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")
