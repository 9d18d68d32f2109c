"""Retention: items, stories and finished deliveries older than ``poll.days_kept`` days are deleted.

How long that is, is bot.settings.PollSettings.days_kept's to say (``poll.retention_days``, raised to what the bot
still reads and shows); this module prunes what it is given.

Pruning runs in the quiet moment after each poll cycle, in short transactions (:meth:`bot.store.Store.prune`),
so a cycle never waits for more than one batch; whatever is left goes at the next quiet moment. Nothing a
pending delivery holds is touched, and nothing younger than what the bot still shows (/trend's 14 days and a
day, the digest's catch-up week). Nor is an item a feed listed within the period, or a story holding one
(``items.listed_at``): pruned, a feed still listing it would bring it back as new (an undated item is read
whatever its age), a new story and an alert.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from .clock import utcnow
from .models import PruneReport
from .store import Store

log = logging.getLogger(__name__)

# Transactions per quiet moment (each at most bot.store.PRUNE_BATCH rows): 100,000 rows after each cycle.
BATCHES_PER_CYCLE = 20


def cutoff(days_kept: float, now: datetime) -> datetime:
    """What is older than this is pruned."""
    return now - timedelta(days=days_kept)


async def prune_old(store: Store, days_kept: float, now: datetime | None = None) -> PruneReport:
    """One quiet moment's pruning of what is older than ``days_kept`` (PollSettings.days_kept); logs what it deleted."""
    report = await store.prune(cutoff(days_kept, now or utcnow()), max_batches=BATCHES_PER_CYCLE)
    if report.items or report.stories or report.deliveries:
        log.info(
            "retention: deleted %d items, %d stories, %d deliveries older than %g days%s",
            report.items,
            report.stories,
            report.deliveries,
            days_kept,
            "" if report.finished else " (more next time)",
        )
    return report
