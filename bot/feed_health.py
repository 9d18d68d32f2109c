"""Feed-health policy: what a poll's answer means for the feed's next poll, back-off and disabling.

Pure functions from a leased :class:`~bot.models.FeedState` and the fetch's result to a
:data:`~bot.models.FeedOutcome`, which the store records (``FeedTransaction.record_outcomes``).

A permanent redirect (301/308) moves a feed: it is polled at the new URL from then on, and a WARNING asks for the new
URL in feeds.yaml (nothing else tells the operator, and only feeds.yaml's URL lasts). The move is an observation, not
the configuration: when the moved address fails, the poller tries the configured URL at once, and whatever that
answers is where the feed is polled next (:func:`answered`, :func:`failed`'s ``polled``); `feeds --enable` and a
feeds.yaml change that re-enables the feed restore the configured URL too (bot.store).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from .fetch import MAX_RETRY_AFTER_SECONDS, FetchResult
from .models import FeedBacklog, FeedFailure, FeedOutcome, FeedState, FeedSuccess

log = logging.getLogger(__name__)

# Back-off after a failed fetch: the feed's interval doubled per consecutive failure, capped. Six hours
# keeps a broken feed visible in /status within a working day without hammering its server.
MAX_BACKOFF_SECONDS = 6 * 3600
# The widest values the feeds table holds (bot.schema; PostgreSQL enforces them, and a longer one failed the feed's
# transaction at every poll): a longer validator is not kept (the feed is fetched whole next time).
MAX_ETAG_CHARS = 1024
MAX_LAST_MODIFIED_CHARS = 200
MAX_URL_CHARS = 2048  # feeds.url: a permanent redirect to a longer URL is not followed for good
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
    moved = new_url(feed, result)
    if moved and moved != feed.source_url:
        log.warning(
            "feed %s moved permanently: %s (its url in feeds.yaml) now leads to %s, which is polled from now on; "
            "put the new URL in feeds.yaml",
            feed.name,
            feed.source_url,
            moved,
        )
    elif moved:
        log.info("feed %s is polled at its configured URL %s again (it had moved to %s)", feed.name, moved, feed.url)
    wait = BACKLOG_DELAY_SECONDS if still_pending else max(feed.interval, result.retry_after or 0)
    return FeedSuccess(
        status=result.status,
        etag=_fits(result.etag, MAX_ETAG_CHARS),
        last_modified=_fits(result.last_modified, MAX_LAST_MODIFIED_CHARS),
        next_poll_at=now + timedelta(seconds=wait),
        url=moved,
        title=feed_title[:500] if feed_title else None,
    )


def _fits(validator: str | None, width: int) -> str | None:
    """A validator to keep, or None when its column cannot hold it."""
    return validator if validator is None or len(validator) <= width else None


def new_url(feed: FeedState, result: FetchResult) -> str | None:
    """Where an answer says the feed is from now on, when that is not the URL it was polled at: the target of the
    leading permanent redirects, or the URL asked (the configured one, tried after the moved address failed)."""
    at = result.permanent_redirect or result.url
    return at if at != feed.url and len(at) <= MAX_URL_CHARS else None  # (a longer one: polled where it was)


def failed(
    feed: FeedState,
    error: str,
    retry_after: float | None,
    status: int,
    now: datetime,
    *,
    disable_after: int,
    polled: FetchResult | None = None,
) -> FeedFailure:
    """Exponential back-off from the feed's interval, Retry-After honoured, disabled after too many in a row.

    ``polled``: the failed fetch. When it asked another URL than the feed's (the configured one, after the moved
    address failed), the feed goes back to that URL, unless that still redirects permanently to the moved address
    (a move from http to https stays through a timeout at the https address)."""
    url = None
    if polled is not None and polled.url != feed.url and polled.permanent_redirect != feed.url:
        url = polled.url
    failures = feed.failures + 1
    backoff = float(min(MAX_BACKOFF_SECONDS, feed.interval * 2 ** (failures - 1)))
    # Retry-After honoured up to a day: a server's "3000000000" would put the feed's next poll a century away, enabled
    # and never polled again
    wait = max(backoff, min(retry_after or 0.0, MAX_RETRY_AFTER_SECONDS))
    disabled = None
    if failures >= disable_after:
        disabled = f"disabled after {failures} consecutive failures; last: {error}"[:MAX_ERROR_CHARS]
        log.warning("feed %s (%s) disabled after %d failures: %s", feed.name, url or feed.url, failures, error)
    else:
        log.warning(
            "feed %s (%s) failed (%d in a row, next try in %.0f s): %s",
            feed.name,
            url or feed.url,
            failures,
            wait,
            error,
        )
    return FeedFailure(
        status=status or None,
        error=error[:MAX_ERROR_CHARS],
        failures=failures,
        backoff=backoff,
        next_poll_at=now + timedelta(seconds=wait),
        disabled_reason=disabled,
        url=url,
    )
