"""The trend chart: stories per day per topic over the last two weeks, with the top outlets, as PNG bytes.

API::

    trend_data(stories, topics, today=, tz=) -> Trend   # the counts (stories: Store.trend_stories)
    trend_png(trend, title=, topic_names=) -> bytes     # the chart (trend_figure's, rendered)
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

import matplotlib

matplotlib.use("Agg")  # no display: render to memory only

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .models import TrendStory, outlet_id

TREND_DAYS = 14
TOP_OUTLETS = 5
LEGEND_COLUMNS = 2  # topics per legend row (above the plot): two long topic names fit the chart's width
LEGEND_ROW = 0.05  # of the figure's height: a row of the legend at fontsize 9


@dataclass(frozen=True)
class Trend:
    """Counts behind the chart: days (oldest first), stories per day per topic, top outlets per topic."""

    days: tuple[date, ...]
    counts: Mapping[str, tuple[int, ...]]
    outlets: Mapping[str, tuple[tuple[str, int], ...]]

    def total(self, topic: str) -> int:
        return sum(self.counts.get(topic, ()))


def trend_data(
    stories: Iterable[TrendStory],
    topics: Sequence[str],
    *,
    today: date,
    tz: tzinfo,
    days: int = TREND_DAYS,
    top: int = TOP_OUTLETS,
) -> Trend:
    """Count stories by local day of first sighting and by outlet, for each topic."""
    span = tuple(today - timedelta(days=days - 1 - n) for n in range(days))
    index = {d: n for n, d in enumerate(span)}
    counts = {t: [0] * days for t in topics}
    outlets: dict[str, Counter[str]] = {t: Counter() for t in topics}  # by outlet_id
    shown: dict[str, str] = {}  # key -> the name first seen
    for story in stories:
        n = index.get(story.first_seen.astimezone(tz).date())
        if n is None:
            continue
        # one outlet once a story, however many of its feeds told it ("Bloomberg.com", "Bloomberg")
        keys: dict[str, str] = {}
        for name in story.outlets:
            if name:
                keys.setdefault(outlet_id(name), name)
        for key, name in keys.items():
            shown.setdefault(key, name)
        for topic in story.topics:
            if topic in counts:
                counts[topic][n] += 1
                outlets[topic].update(keys.keys())
    return Trend(
        days=span,
        counts={t: tuple(c) for t, c in counts.items()},
        outlets={t: tuple((shown[k], c) for k, c in o.most_common(top)) for t, o in outlets.items()},
    )


def trend_png(trend: Trend, *, title: str = "Stories per day", topic_names: Mapping[str, str] | None = None) -> bytes:
    """The chart as PNG bytes: one line per topic, top outlets listed under the plot."""
    buf = io.BytesIO()
    trend_figure(trend, title=title, topic_names=topic_names).savefig(buf, format="png")
    return buf.getvalue()


def trend_figure(
    trend: Trend, *, title: str = "Stories per day", topic_names: Mapping[str, str] | None = None
) -> Figure:
    """The chart trend_png draws. The legend sits between the title and the plot, never inside it: in the plot's
    upper left it hid the first days' points (a topic's busiest day, two weeks ago, under the box)."""
    names = topic_names or {}
    fig = Figure(figsize=(8, 4.8), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    x = list(range(len(trend.days)))
    for topic, values in trend.counts.items():
        ax.plot(x, values, marker="o", linewidth=2, label=f"{names.get(topic, topic)} ({sum(values)})")
    ax.set_xticks(x)
    ax.set_xticklabels([f"{d:%d %b}" for d in trend.days], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("stories")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    fig.suptitle(f"{title}, {trend.days[0]:%d %b} – {trend.days[-1]:%d %b %Y}", y=0.98)
    rows = -(-len(trend.counts) // LEGEND_COLUMNS)
    if trend.counts:
        columns = min(len(trend.counts), LEGEND_COLUMNS)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncol=columns, fontsize=9, frameon=False, borderaxespad=0.2)
    notes = []
    for topic, top in trend.outlets.items():
        if top:
            notes.append(f"{names.get(topic, topic)}: " + ", ".join(f"{o} {n}" for o, n in top))
    fig.text(0.01, 0.01, "Top outlets — " + ("; ".join(notes) if notes else "none yet"), fontsize=8, wrap=True)
    fig.subplots_adjust(bottom=0.22, top=0.93 - LEGEND_ROW * rows, left=0.08, right=0.98)
    return fig
