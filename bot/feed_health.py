"""Feed-health policy: what a poll's answer means for the feed's next poll, back-off and disabling.

Pure functions from a leased :class:`~bot.models.FeedState` and the fetch's result to a
:data:`~bot.models.FeedOutcome`, which the store records (``FeedTransaction.record_outcomes``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from .fetch import FetchResult
from .models import FeedBacklog, FeedFailure, FeedOutcome, FeedState, FeedSuccess

log = logging.getLogger(__name__)

# Back-off after a failed fetch: the feed's interval doubled per consecutive failure, capped. Six hours
# keeps a broken feed visible in /status within a working day without hammering its server.
MAX_BACKOFF_SECONDS = 6 * 3600
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0  # the longest a server's Retry-After holds a feed back
# A feed with items kept for later (per-cycle cap) comes back this soon, without re-fetching the feed.
BACKLOG_DELAY_SECONDS = 60
# Longest error text kept on a feed (shown by /status and `coverage-bot feeds`).
MAX_ERROR_CHARS = 2000


def answered(
    feed: FeedState, result: FetchResult | None, feed_title: str | None, still_pending: bool, now: datetime
) -> FeedOutcome:
    """The outcome of a poll that got an answer (``result``), or only worked through the backlog (None)."""
    if result is None:
        assert feed.last_attempt_at is not None
        regular = feed.last_attempt_at + timedelta(seconds=feed.interval)
        return FeedBacklog(min(regular, now + timedelta(seconds=BACKLOG_DELAY_SECONDS)) if still_pending else regular)
    if feed.failures:
        log.info("feed %s recovered after %d failures", feed.name, feed.failures)
    moved = result.permanent_redirect if result.permanent_redirect and result.permanent_redirect != feed.url else None
    if moved:
        log.info("feed %s moved permanently: %s -> %s", feed.name, feed.url, moved)
    wait = BACKLOG_DELAY_SECONDS if still_pending else max(feed.interval, result.retry_after or 0)
    return FeedSuccess(
        status=result.status,
        etag=result.etag,
        last_modified=result.last_modified,
        next_poll_at=now + timedelta(seconds=wait),
        url=moved,
        title=feed_title[:500] if feed_title else None,
    )


def failed(
    feed: FeedState, error: str, retry_after: float | None, status: int, now: datetime, *, disable_after: int
) -> FeedFailure:
    """Exponential back-off from the feed's interval, Retry-After honoured, disabled after too many in a row."""
    failures = feed.failures + 1
    backoff = float(min(MAX_BACKOFF_SECONDS, feed.interval * 2 ** (failures - 1)))
    # Retry-After honoured up to a day: a server's "3000000000" would put the feed's next poll a century away, enabled
    # and never polled again
    wait = max(backoff, min(retry_after or 0.0, MAX_RETRY_AFTER_SECONDS))
    disabled = None
    if failures >= disable_after:
        disabled = f"disabled after {failures} consecutive failures; last: {error}"[:MAX_ERROR_CHARS]
        log.warning("feed %s (%s) disabled after %d failures: %s", feed.name, feed.url, failures, error)
    else:
        log.warning(
            "feed %s (%s) failed (%d in a row, next try in %.0f s): %s", feed.name, feed.url, failures, wait, error
        )
    return FeedFailure(
        status=status or None,
        error=error[:MAX_ERROR_CHARS],
        failures=failures,
        backoff=backoff,
        next_poll_at=now + timedelta(seconds=wait),
        disabled_reason=disabled,
    )
