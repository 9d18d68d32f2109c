"""The trend chart: counts per local day and topic, top outlets, a real PNG."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import matplotlib.image as mpimg

from bot.chart import TREND_DAYS, trend_data, trend_png
from bot.models import Member, StoryView


def story(n: int, seen: datetime, topics: tuple[str, ...], outlets: tuple[str, ...]) -> StoryView:
    members = tuple(Member(o, f"https://{o.lower()}.example/{n}", "t", seen) for o in outlets)
    return StoryView(n, f"S{n}", None, topics, seen, seen, True, members, (), (), (), {})


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
