"""Retention: items, stories and finished deliveries older than ``poll.retention_days`` are deleted.

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
from .settings import MIN_RETENTION_DAYS
from .store import Store

log = logging.getLogger(__name__)

# The longest look-back of anything the bot shows: /trend charts 14 days plus today. A smaller retention_days
# would delete stories a chart still counts, so it is raised to this (`check-config` says so).
MIN_RETENTION = timedelta(days=MIN_RETENTION_DAYS)
# Transactions per quiet moment (each at most bot.store.PRUNE_BATCH rows): 100,000 rows after each cycle.
BATCHES_PER_CYCLE = 20


def cutoff(retention_days: float, now: datetime) -> datetime:
    """What is older than this is pruned."""
    return now - max(timedelta(days=retention_days), MIN_RETENTION)


async def prune_old(store: Store, retention_days: float, now: datetime | None = None) -> PruneReport:
    """One quiet moment's pruning; logs what it deleted."""
    report = await store.prune(cutoff(retention_days, now or utcnow()), max_batches=BATCHES_PER_CYCLE)
    if report.items or report.stories or report.deliveries:
        log.info(
            "retention: deleted %d items, %d stories, %d deliveries older than %g days%s",
            report.items,
            report.stories,
            report.deliveries,
            retention_days,
            "" if report.finished else " (more next time)",
        )
    return report
