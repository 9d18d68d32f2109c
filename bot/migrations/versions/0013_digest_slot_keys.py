"""A daily digest's delivery key is its slot, the UTC instant it was due ('2026-11-23T08:00Z'), no longer its local
date ('2026-11-23'). A chat that moved west across a date boundary (/timezone UTC after an Asia/Tokyo digest, or a new
DEFAULT_TIMEZONE) found its next digest's date already sent and got none that day (bot.delivery.digest_key).

The keys already stored become slots, so a digest sent or being sent is still found so by its slot's key: of each
subscription's batches of one date key, the slot is the latest digest time (its time and zone as they are now; a chat
with none in DEFAULT_TIMEZONE, read from the environment as the bot reads it) at or before the first of them began.
That is the date's own slot unless the chat moved its digest since; after a move west it is the slot before, so the
next one is sent. Two dates that come to one slot (a chat that moved) keep both batches, sent: the later live one's key
gets its id appended, as migration 0008 did. Keys 0008 made unique that way ('2026-11-23#12') and weekly keys stay.
The downgrade gives each slot its local date back.

An instance of the release before still running beside an upgraded one keys the digest it sends by its date, which
no slot's key matches: during a rolling deploy, a digest due then may go out twice.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import functools
import os
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

LIVE = ("pending", "sent")  # as bot.schema.LIVE_DIGEST, frozen here
DATE_KEY = re.compile(r"\d{4}-\d{2}-\d{2}")
SLOT_KEY = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})Z")


@functools.cache
def _spelt(name: str) -> str:
    """A zone name as the time zone database spells it ("europe/moscow": Europe/Moscow), as the bot reads
    DEFAULT_TIMEZONE; "" when there is none of that name."""
    return next((z for z in sorted(available_timezones()) if z.lower() == name.lower()), "") if name else ""


def _zone(name: str | None) -> ZoneInfo:
    """The subscription's zone, else DEFAULT_TIMEZONE, else UTC (as bot.clock.local_zone, frozen here)."""
    for candidate in (name, _spelt(os.environ.get("DEFAULT_TIMEZONE", "").strip()), "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _utc(value: datetime | str) -> datetime:
    """A stored time (SQLite gives naive-UTC text, PostgreSQL an aware datetime) as aware UTC."""
    value = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _slot(began: datetime, at: time, tz: ZoneInfo) -> str:
    """The key of the latest digest time at or before ``began`` (as bot.delivery.digest_slot and digest_key)."""
    day = began.astimezone(tz).date()
    slot = datetime.combine(day, at, tzinfo=tz).astimezone(UTC)
    if slot > began:
        slot = datetime.combine(day - timedelta(days=1), at, tzinfo=tz).astimezone(UTC)
    return f"{slot:%Y-%m-%dT%H:%MZ}"


def _rekey(rows: list[Any], new_key: dict[tuple[int, str], str]) -> None:
    """Give each row its group's new key; a live row whose new key another live row of its subscription holds
    already gets its id appended (the unique index on live digest keys allows one)."""
    held: set[tuple[int, str]] = set()
    updates = []
    for row in rows:
        key = new_key[(row.subscription_id, row.key)]
        if row.status in LIVE:
            if (row.subscription_id, key) in held:
                key = f"{key}#{row.id}"
            held.add((row.subscription_id, key))
        updates.append({"key": key, "id": row.id})
    if updates:
        op.get_bind().execute(sa.text("UPDATE deliveries SET key = :key WHERE id = :id"), updates)


def _digest_rows(pattern: re.Pattern[str]) -> list[Any]:
    """Digest batches whose key is a whole ``pattern``, oldest first, with their subscription's time and zone."""
    query = sa.text(
        "SELECT d.id, d.subscription_id, d.key, d.status, d.created_at, s.at, s.timezone FROM deliveries AS d"
        " JOIN subscriptions AS s ON s.id = d.subscription_id WHERE d.kind = 'digest' ORDER BY d.id"
    )
    return [r for r in op.get_bind().execute(query).all() if pattern.fullmatch(r.key)]


def upgrade() -> None:
    rows = _digest_rows(DATE_KEY)
    new_key: dict[tuple[int, str], str] = {}
    for row in rows:  # the first batch of a subscription's date key (oldest first): that digest as first tried
        if (row.subscription_id, row.key) not in new_key:
            hh, mm = (int(x) for x in (row.at or "08:00").split(":"))
            slot = _slot(_utc(row.created_at), time(hh, mm), _zone(row.timezone))
            new_key[(row.subscription_id, row.key)] = slot
    _rekey(rows, new_key)


def downgrade() -> None:
    rows = _digest_rows(SLOT_KEY)
    new_key: dict[tuple[int, str], str] = {}
    for row in rows:  # back to the slot's local date in the subscription's zone
        day, hh, mm = SLOT_KEY.fullmatch(row.key).groups()  # type: ignore[union-attr]
        slot = datetime.combine(date.fromisoformat(day), time(int(hh), int(mm)), tzinfo=UTC)
        new_key[(row.subscription_id, row.key)] = slot.astimezone(_zone(row.timezone)).date().isoformat()
    _rekey(rows, new_key)
