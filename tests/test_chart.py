"""The trend chart: counts per local day and topic, top outlets, a real PNG."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import matplotlib.image as mpimg
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from bot.chart import TREND_DAYS, trend_data, trend_figure, trend_png
from bot.models import TrendStory


def story(n: int, seen: datetime, topics: tuple[str, ...], outlets: tuple[str, ...]) -> TrendStory:
    return TrendStory(seen, topics, outlets)  # n: the story's number, for reading the tests


def test_counts_by_local_day_and_topic() -> None:
    tz = ZoneInfo("Europe/Moscow")  # UTC+3: 22:30 UTC is the next local day
    today = date(2026, 11, 23)
    stories = [
        story(1, datetime(2026, 11, 22, 22, 30, tzinfo=UTC), ("rare-earths",), ("Reuters", "AP")),
        # one outlet's two spellings (a feed's and an aggregator's) are one outlet of one story
        story(2, datetime(2026, 11, 23, 6, 0, tzinfo=UTC), ("rare-earths", "us-russia"), ("Reuters", "Reuters.com")),
        story(3, datetime(2026, 11, 20, 12, 0, tzinfo=UTC), ("us-russia",), ("TASS",)),
        story(4, datetime(2026, 11, 1, 12, 0, tzinfo=UTC), ("us-russia",), ("TASS",)),  # outside 14 days
    ]
    data = trend_data(stories, ["rare-earths", "us-russia"], today=today, tz=tz)
    assert len(data.days) == TREND_DAYS and data.days[-1] == today
    assert data.counts["rare-earths"][-1] == 2  # both on the 23rd, Moscow time
    assert data.counts["us-russia"][-1] == 1 and data.counts["us-russia"][-4] == 1
    assert data.total("us-russia") == 2
    assert data.outlets["rare-earths"] == (("Reuters", 2), ("AP", 1))


def test_png_is_a_real_image() -> None:
    today = date(2026, 11, 23)
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    stories = [story(n, now - timedelta(days=n % 14), ("rare-earths",), ("Reuters",)) for n in range(30)]
    png = trend_png(trend_data(stories, ["rare-earths", "us-russia"], today=today, tz=UTC))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = mpimg.imread(io.BytesIO(png), format="png")
    assert image.shape[:2] == (480, 800)
    # not a blank canvas: the plotted line adds colours beyond white and black
    assert len({tuple(px) for px in image.reshape(-1, image.shape[2])[::97]}) > 5


def test_empty_trend_still_renders() -> None:
    png = trend_png(trend_data([], ["rare-earths"], today=date(2026, 11, 23), tz=UTC))
    assert png.startswith(b"\x89PNG")


@pytest.mark.parametrize("topics", [["rare-earths"], ["rare-earths", "us-russia", "arctic"]])
def test_the_legend_hides_no_point_nor_the_title(topics: list[str]) -> None:
    """The QA reader's /trend: a story every few days, the first two weeks ago. The legend, in the plot's upper left,
    covered that first day's point; it now sits above the plot, under the title, in one row per two topics."""
    today = date(2026, 12, 7)
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    stories = [story(n, now - timedelta(days=d), ("rare-earths",), ("Alpha",)) for n, d in enumerate((13, 10, 6, 3, 0))]
    names = {"rare-earths": "Rare earths & critical minerals", "arctic": "Arctic shipping and the Northern Sea Route"}
    fig = trend_figure(trend_data(stories, topics, today=today, tz=UTC), topic_names=names)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    (ax,) = fig.axes
    legend = ax.get_legend().get_window_extent(renderer)
    points = [xy for line in ax.get_lines() for xy in line.get_transform().transform(line.get_xydata())]
    assert len(points) == TREND_DAYS * len(topics) and max(y for _, y in points) > ax.bbox.y1 - 20  # the top row too
    margin = 6  # a marker's radius, in pixels
    assert not [(x, y) for x, y in points if legend.x0 - margin <= x <= legend.x1 + margin and y >= legend.y0 - margin]
    assert legend.y0 >= ax.bbox.y1  # outside the plot: no later data can go under it either
    assert legend.y1 <= fig._suptitle.get_window_extent(renderer).y0  # and under the title, not over it
