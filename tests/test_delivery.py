"""Recorded deliveries with a real PTB Bot against the fake Bot API: once only, retried, failures handled."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import yaml
from botapi import TOKEN, Failure, FakeBotAPI, StorySeeder, alerts_since, check_html
from loopback import LoopbackServer, Response
from matplotlib.figure import Figure
from telegram import Bot

from bot import message as m
from bot.clock import local_zone
from bot.delivery import CATCH_UP_WINDOW, WEEKLY_CHART_REUSE, Delivery, digest_key, digest_slot, weekly_key
from bot.digest import digest_for
from bot.fetch import FetchLimits
from bot.models import CONSOLE_CHAT_ID, SubscriptionView
from bot.poller import poll_once
from bot.schema import deliveries_t, stories_t, subscriptions_t
from bot.settings import parse_config
from bot.store import ABANDONED, DELIVERY_LEASE, UNSENT, Store

ALL_BACKENDS = True  # the store fixture: SQLite, and PostgreSQL when COVERAGE_BOT_TEST_PG is set (conftest.py)

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday
TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    server = await FakeBotAPI().start()
    yield server
    await server.close()


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as b:
        yield b


@pytest.fixture
def deactivated() -> list[int]:
    return []


@pytest.fixture
def delivery(bot: Bot, store: Store, deactivated: list[int]) -> Delivery:
    async def gone(chat_id: int) -> None:
        deactivated.append(chat_id)

    return Delivery(bot, store, network_backoff=0.02, on_deactivated=gone)


async def seed(store: Store, when: datetime, n: int = 2, topic: str = "rare-earths") -> list[int]:
    seeder = StorySeeder(store)
    return [
        await seeder.story(
            f"Rare earth story {k} on {topic}",
            (topic,),
            outlets=("Wire A", "Wire B"),
            when=when - timedelta(hours=1, minutes=k),
            summary=(f"Story {k} happened.",),
            figures=({"surface": f"${k + 1} million", "sentence": f"It cost ${k + 1} million."},),
        )
        for k in range(n)
    ]


async def test_a_story_published_before_a_digest_and_fetched_after_it_is_in_the_next(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """Digests choose stories by when they were published. A feed that answers late (a 15-minute interval, Google
    News hours behind) brings a story published before a digest went out, after it: it was in neither that digest nor
    the next, whose day began after its publication. It is in the next now, and a story the bot had stored before the
    digest, which left it out, stays out."""
    now = datetime.now(UTC)  # a digest's time is recorded by the clock
    seeder = StorySeeder(store)
    sub = await store.subscribe(12, ["rare-earths"])
    a = await seeder.story("Rare earth story A", when=now - timedelta(hours=1), summary=("A happened.",))
    first = (await delivery.send_digest(sub, now))[0]  # (on a Monday, the weekly chart follows)
    assert first.status == "sent"
    late = await seeder.story(
        "Rare earth story late", when=now - timedelta(minutes=10), seen=now + timedelta(minutes=20)
    )
    old = await seeder.story("Rare earth story old", when=now - timedelta(days=2), seen=now + timedelta(hours=1))
    second = (await delivery.send_digest(sub, now + timedelta(days=1)))[0]
    texts = [c.params["text"] for c in api.calls_to("sendMessage", 12)]
    assert second.status == "sent" and f"<b>{a}.</b>" in texts[0]
    assert f"<b>{late}.</b>" in texts[1] and f"<b>{a}.</b>" not in texts[1]
    assert f"<b>{old}.</b>" not in "".join(texts)  # published before the last digest's own day: history


async def test_a_message_telegram_took_but_answered_late_is_not_sent_again(store: Store, api: FakeBotAPI) -> None:
    """Telegram slower than the client's read timeout (PTB's default is 5 s; 0.3 s here): it carried the message out,
    so sending it again (three tries, then the next cycle) showed the alert four times. A read timeout is taken as
    delivered; the batch is done."""
    from telegram.request import HTTPXRequest

    now = datetime.now(UTC)
    request = HTTPXRequest(read_timeout=0.3)
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url, request=request) as slow_bot:
        delivery = Delivery(slow_bot, store, network_backoff=0.01)
        await StorySeeder(store).story("Rare earth story", when=now - timedelta(hours=1), summary=("It happened.",))
        await store.subscribe(71, ["rare-earths"], mode="alerts")
        await alerts_since(store, now - timedelta(days=1))
        api.delays["sendMessage"] = 0.6  # the message is delivered, the answer comes too late
        (outcome,) = await delivery.send_alerts(now)
        api.delays.clear()
        assert outcome.status == "sent"
        assert await delivery.send_alerts(now + timedelta(minutes=1)) == []  # nothing left to send
        await asyncio.sleep(0.5)  # the late answers finish
    assert len(api.calls_to("sendMessage", 71)) == 1


async def test_digest_is_sent_once_and_recorded(delivery: Delivery, store: Store, api: FakeBotAPI) -> None:
    ids = await seed(store, TUESDAY)
    sub = await store.subscribe(11, ["rare-earths"])
    (outcome,) = await delivery.send_digest(sub, TUESDAY)
    assert outcome.status == "sent" and outcome.key == "2026-11-24T08:00Z"
    (call,) = api.calls_to("sendMessage", 11)
    assert check_html(call.params["text"]) is None
    assert list(outcome.message_ids) == [call.params["_message_id"]]
    assert await store.undelivered(sub.id, "digest", TUESDAY - timedelta(days=1)) == []
    assert sorted(ids) == sorted(s for s in ids if f"<b>{s}.</b>" in call.params["text"])
    (again,) = await delivery.send_digest(sub, TUESDAY + timedelta(hours=1))
    assert again.status == "skipped" and len(api.calls_to("sendMessage", 11)) == 1


async def test_monday_digest_carries_the_weekly_chart(delivery: Delivery, store: Store, api: FakeBotAPI) -> None:
    await seed(store, MONDAY)
    sub = await store.subscribe(12, ["rare-earths"], at="08:00")
    daily, weekly = await delivery.send_digest(sub, MONDAY)
    assert (daily.status, weekly.status) == ("sent", "sent")
    assert weekly.key == "weekly-2026-W48" == weekly_key(MONDAY, local_zone(None, "UTC"))
    (photo,) = api.calls_to("sendPhoto", 12)
    assert photo.files["photo"].startswith(b"\x89PNG")
    assert "Week 48" in photo.params["caption"] and "rare-earths: 2 stories" in photo.params["caption"]
    assert check_html(photo.params["caption"], limit=1024) is None
    await delivery.send_digest(sub, MONDAY + timedelta(hours=2))  # a restart on Monday: nothing twice
    assert len(api.calls_to("sendPhoto", 12)) == 1
    tuesday_sub = await store.subscribe(13, ["rare-earths"])
    await delivery.send_digest(tuesday_sub, TUESDAY)
    assert api.calls_to("sendPhoto", 13) == []


async def test_subscriptions_of_the_same_topics_share_a_weekly_chart_drawn_once(
    delivery: Delivery, store: Store, api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """qa16 F4: the Monday chart was read and drawn for every subscription, 1.2-1.6 s each on a 90-day store, though
    500 subscriptions had 3 distinct charts. It is drawn once per topics, time zone and day, and sent to each."""
    await seed(store, MONDAY)
    await seed(store, MONDAY, topic="us-russia")
    drawn: list[int] = []
    savefig = Figure.savefig

    def counted(fig: Figure, *args: Any, **kwargs: Any) -> None:
        drawn.append(1)
        savefig(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", counted)
    chats = {71: ["rare-earths"], 72: ["rare-earths"], 73: ["us-russia"], 74: ["rare-earths"]}
    subs = {chat: await store.subscribe(chat, topics, at="08:00") for chat, topics in chats.items()}
    await store.set_timezone(74, "Europe/Moscow")  # Monday too, but another time zone: its own days
    for n, chat in enumerate(chats):  # the day's jobs, seconds apart
        sub = await store.subscription(subs[chat].id)
        assert sub is not None
        await delivery.send_digest(sub, MONDAY + timedelta(seconds=n))
    photos = {chat: [c.files["photo"] for c in api.calls_to("sendPhoto", chat)] for chat in chats}
    assert all(len(p) == 1 for p in photos.values()), photos.keys()
    assert photos[71] == photos[72] != photos[73]
    assert len(drawn) == 3  # rare-earths in UTC, us-russia, rare-earths in Moscow
    later = await store.subscribe(75, ["rare-earths"], at="10:00")  # a digest due later that day: drawn as of then
    await delivery.send_digest(later, MONDAY + WEEKLY_CHART_REUSE + timedelta(minutes=1))
    assert len(drawn) == 4 and len(api.calls_to("sendPhoto", 75)) == 1


async def test_the_weekly_chart_names_topics_by_their_labels(bot: Bot, store: Store, api: FakeBotAPI) -> None:
    """As the digest it comes with, and /trend, do (its caption said "rare-earths")."""
    labelled = Delivery(bot, store, topic_names={"rare-earths": "Rare earths & critical minerals"})
    await seed(store, MONDAY)
    sub = await store.subscribe(15, ["rare-earths"], at="08:00")
    await labelled.send_digest(sub, MONDAY)
    (photo,) = api.calls_to("sendPhoto", 15)
    caption = photo.params["caption"]
    assert "Rare earths &amp; critical minerals: 2 stories" in caption and "rare-earths" not in caption, caption


async def test_empty_day_sends_nothing_and_is_not_caught_up_later(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    sub = await store.subscribe(14, ["us-russia"], at="08:00")
    (outcome,) = await delivery.send_digest(sub, TUESDAY)
    assert outcome.status == "empty"
    await seed(store, TUESDAY + timedelta(hours=3), topic="us-russia")
    later = await delivery.catch_up(TUESDAY + timedelta(hours=3))
    assert [o.status for o in later] in ([], ["skipped"])
    assert api.calls_to("sendMessage", 14) == []


async def test_flood_control_without_rate_limiter_is_waited_out(
    delivery: Delivery, store: Store, api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # opt in to PTB 23 behaviour: retry_after is a timedelta
    await seed(store, TUESDAY)
    sub = await store.subscribe(15, ["rare-earths"])
    api.fail_next("sendMessage", "flood", chat_id=15, retry_after=1)
    (outcome,) = await delivery.send_digest(sub, TUESDAY)
    assert outcome.status == "sent"
    first, second = api.calls_to("sendMessage", 15, ok=False)
    assert (first.status, second.status) == (429, 200) and second.at - first.at >= 1.0


async def test_network_failure_fails_the_batch_and_the_next_try_sends_it(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    ids = await seed(store, TUESDAY)
    sub = await store.subscribe(16, ["rare-earths"], at="07:00")
    api.fail_next("sendMessage", "server", chat_id=16, times=3)
    (outcome,) = await delivery.send_digest(sub, TUESDAY)
    assert outcome.status == "failed" and len(api.calls_to("sendMessage", 16, ok=False)) == 3
    since = TUESDAY - timedelta(days=1)
    assert sorted(s.id for s in await store.undelivered(sub.id, "digest", since)) == sorted(ids)
    (retry,) = await delivery.catch_up(TUESDAY + timedelta(minutes=5))  # the next poll cycle
    assert retry.status == "sent" and retry.key == digest_key(digest_slot(sub, TUESDAY, "UTC")) == "2026-11-24T07:00Z"
    assert await store.undelivered(sub.id, "digest", since) == []


async def test_forbidden_three_times_deactivates(
    delivery: Delivery, store: Store, api: FakeBotAPI, deactivated: list[int]
) -> None:
    await seed(store, TUESDAY)
    sub = await store.subscribe(17, ["rare-earths"])
    api.fail_next("sendMessage", "forbidden", chat_id=17, times=3)
    statuses = [(await delivery.send_digest(sub, TUESDAY))[0].status for _ in range(3)]
    assert statuses == ["failed", "failed", "deactivated"]
    assert deactivated == [17]
    assert await store.subscriptions(17) == []
    assert (17, "Forbidden: bot was blocked by the user") in (await store.status()).deactivated_chats


async def test_a_bad_request_is_not_counted_against_the_chat(delivery: Delivery, store: Store, api: FakeBotAPI) -> None:
    await seed(store, TUESDAY)
    sub = await store.subscribe(18, ["rare-earths"])
    api.fail_next("sendMessage", "bad", chat_id=18, description="Bad Request: can't parse entities")
    (outcome,) = await delivery.send_digest(sub, TUESDAY)
    assert outcome.status == "failed" and "parse entities" in (outcome.error or "")
    (sub,) = await store.subscriptions(18)
    assert sub.failures == 0 and sub.active


async def test_migrated_group_is_followed_to_the_supergroup(delivery: Delivery, store: Store, api: FakeBotAPI) -> None:
    await seed(store, TUESDAY)
    sub = await store.subscribe(-19, ["rare-earths"], chat_type="group")
    api.fail_next("sendMessage", "migrated", chat_id=-19, new_chat_id=-10019)
    (outcome,) = await delivery.send_digest(sub, TUESDAY)
    assert outcome.status == "sent"
    assert len(api.calls_to("sendMessage", -10019)) == 1 and api.calls_to("sendMessage", -19) == []
    assert [s.id for s in await store.subscriptions(-10019)] == [sub.id]


async def test_a_digest_refused_as_migrated_into_a_supergroup_that_subscribed_meanwhile(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """The bot missed the upgrade's service messages and an admin subscribed the supergroup meanwhile: the old group's
    digest, refused with ChatMigrated, merged the two subscriptions, went out all the same, and on a Monday the job
    died recording the weekly chart of the subscription just deleted (FOREIGN KEY constraint failed). The digest
    composed for the old settings is not sent; the supergroup's carries both topics, with the chart, once."""
    await seed(store, MONDAY)
    await seed(store, MONDAY, topic="us-russia")
    old = await store.subscribe(-31, ["rare-earths"], at="08:00", chat_type="group")
    new = await store.subscribe(-10031, ["us-russia"], at="09:30", chat_type="supergroup")
    api.fail_next("sendMessage", "migrated", chat_id=-31, new_chat_id=-10031)
    outcomes = await delivery.send_digest(old, MONDAY)
    assert [(o.status, o.error) for o in outcomes] == [("skipped", "merged into supergroup -10031's subscription")]
    assert api.calls_to("sendMessage", -10031) == [] and api.calls_to("sendPhoto") == []
    (merged,) = await store.subscriptions(-10031)
    assert (merged.id, merged.topics, merged.at) == (new.id, ("rare-earths", "us-russia"), "09:30")

    daily, weekly = await delivery.send_digest(merged, MONDAY + timedelta(hours=1, minutes=30))
    assert (daily.status, weekly.status) == ("sent", "sent")
    (digest,) = api.calls_to("sendMessage", -10031)
    assert "rare-earths" in digest.params["text"] and "us-russia" in digest.params["text"]
    assert len(api.calls_to("sendPhoto", -10031)) == 1


async def test_cancelled_send_is_recorded_failed(delivery: Delivery, store: Store, api: FakeBotAPI) -> None:
    ids = await seed(store, TUESDAY)
    sub = await store.subscribe(20, ["rare-earths"])
    api.delays["sendMessage"] = 5.0
    task = asyncio.ensure_future(delivery.send_digest(sub, TUESDAY))
    await api.wait_for("sendMessage", chat_id=20, ok=False)
    await delivery.drain(timeout=0.1)  # shutdown: wait briefly, then give up on it
    assert task.cancelled()
    assert sorted(s.id for s in await store.undelivered(sub.id, "digest", TUESDAY - timedelta(days=1))) == sorted(ids)
    assert (await delivery.send_digest(sub, TUESDAY))[0].status == "skipped"  # closing: nothing new starts


async def test_a_second_interrupt_stops_waiting_for_a_send_in_progress(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """A user's second Ctrl-C was ignored while `run` waited up to DRAIN_TIMEOUT for a digest to finish: ``hurry``
    (set by it) ends the wait at once, and the digest is recorded failed, to be retried."""
    ids = await seed(store, TUESDAY)
    sub = await store.subscribe(22, ["rare-earths"])
    api.delays["sendMessage"] = 10.0
    task = asyncio.ensure_future(delivery.send_digest(sub, TUESDAY))
    await api.wait_for("sendMessage", chat_id=22, ok=False)
    hurry = asyncio.Event()
    asyncio.get_running_loop().call_later(0.2, hurry.set)
    started = time.monotonic()
    await delivery.drain(timeout=20, hurry=hurry)
    assert time.monotonic() - started < 5  # not the 10 s send, nor the 20 s drain
    assert task.cancelled()
    assert sorted(s.id for s in await store.undelivered(sub.id, "digest", TUESDAY - timedelta(days=1))) == sorted(ids)


async def test_drain_lets_a_send_in_progress_finish(delivery: Delivery, store: Store, api: FakeBotAPI) -> None:
    await seed(store, TUESDAY)
    sub = await store.subscribe(21, ["rare-earths"])
    api.delays["sendMessage"] = 0.3
    task = asyncio.ensure_future(delivery.send_digest(sub, TUESDAY))
    await api.wait_for("sendMessage", chat_id=21, ok=False)
    await delivery.drain(timeout=5)
    (outcome,) = task.result()
    assert outcome.status == "sent"


def test_catch_up_window_crosses_midnight_in_the_subscribers_timezone(delivery: Delivery) -> None:
    class Sub:
        at = "23:30"
        timezone = "Europe/Moscow"

    now = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)  # 00:30 on the 24th in Moscow
    due = delivery.latest_due(Sub, now)
    assert due is not None and due.isoformat() == "2026-11-23T23:30:00+03:00"
    assert digest_key(digest_slot(Sub, due, "UTC")) == "2026-11-23T20:30Z"
    assert delivery.latest_due(Sub, due + CATCH_UP_WINDOW + timedelta(minutes=1)) is None


@pytest.mark.parametrize("move", ["/timezone", "DEFAULT_TIMEZONE", "/subscribe daily"])
async def test_a_digest_moved_later_the_same_day_is_sent_once(
    move: str, store: Store, api: FakeBotAPI, bot: Bot
) -> None:
    """qa3 tz_change_skips_digest.py: a chat's 08:00 Asia/Tokyo digest went out (keyed by its Tokyo date, the 24th),
    then the chat set /timezone UTC; the next 08:00 UTC, 9 hours later, is on the 24th too: found sent, nothing
    posted, and no catch-up either, a 33-hour gap. So too when the operator changed DEFAULT_TIMEZONE, or the chat
    moved its digest later the same day. A digest's key is its slot: the one the chat moved to is sent, once (the
    job fired again a minute later, the next poll cycle's catch-up, send nothing more)."""
    seeder = StorySeeder(store)
    first_slot = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)  # 08:00 on Tuesday the 24th in Tokyo
    second_slot = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 08:00 on the 24th in UTC, 9 hours later
    zone, default = ("Asia/Tokyo", "UTC") if move == "/timezone" else (None, "Asia/Tokyo")
    if move == "/subscribe daily":  # 08:00 UTC, then moved to 17:00 the same day
        zone, default, first_slot, second_slot = "UTC", "UTC", second_slot, second_slot.replace(hour=17)
    before = await seeder.story("Rare earth story before", when=first_slot - timedelta(hours=1), summary=("A.",))
    sub = await store.subscribe(81, ["rare-earths"], at=f"{first_slot.astimezone(local_zone(zone, default)):%H:%M}",
                                timezone=zone)  # fmt: skip
    (first,) = await Delivery(bot, store, default_timezone=default).send_digest(sub, first_slot)
    assert first.status == "sent"

    if move == "/timezone":
        assert await store.set_timezone(81, "UTC") == 1
    elif move == "DEFAULT_TIMEZONE":
        default = "UTC"  # the bot restarted with the new setting
    else:
        await store.subscribe(81, [], at="17:00")
    (sub,) = await store.subscriptions(81)
    after = await seeder.story("Rare earth story after", when=second_slot - timedelta(hours=1), summary=("B.",))
    delivery = Delivery(bot, store, default_timezone=default)
    (second,) = await delivery.send_digest(sub, second_slot)
    assert second.status == "sent"
    assert [o.status for o in await delivery.send_digest(sub, second_slot + timedelta(minutes=1))] == ["skipped"]
    assert await delivery.catch_up(second_slot + timedelta(minutes=5)) == []
    texts = api.sent_texts(81)
    assert len(texts) == 2 and f"<b>{before}.</b>" in texts[0] and f"<b>{after}.</b>" in texts[1]
    assert (first.key, second.key) == (f"{first_slot:%Y-%m-%dT%H:%MZ}", f"{second_slot:%Y-%m-%dT%H:%MZ}")


async def test_a_digest_moved_east_comes_at_its_new_time_and_a_dst_double_fire_sends_once(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """The other side of keying a digest by its slot. A chat that moves east (UTC to Asia/Tokyo after its 08:00
    digest) gets the next at 08:00 Tokyo, 15 hours later, and no catch-up of a Tokyo 08:00 that came before the
    move. And APScheduler 3.11 runs a daily job twice at a DST fall-back (01:30 EDT, then 01:30 EST an hour later):
    one digest, the stories of the hour between left for the next."""
    from apscheduler.triggers.cron import CronTrigger

    seeder = StorySeeder(store)
    utc_slot = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    await seeder.story("Rare earth story one", when=utc_slot - timedelta(hours=1), summary=("One.",))
    sub = await store.subscribe(82, ["rare-earths"], at="08:00")
    assert [o.status for o in await delivery.send_digest(sub, utc_slot)] == ["sent"]
    assert await store.set_timezone(82, "Asia/Tokyo") == 1
    (sub,) = await store.subscriptions(82)
    assert await delivery.catch_up(utc_slot + timedelta(hours=2)) == []  # Tokyo's 08:00 before the move: not missed
    await seeder.story("Rare earth story two", when=utc_slot + timedelta(hours=3), summary=("Two.",))
    (tokyo,) = await delivery.send_digest(sub, utc_slot + timedelta(hours=15))  # 08:00 on the 25th in Tokyo
    assert tokyo.status == "sent" and len(api.sent_texts(82)) == 2

    new_york = ZoneInfo("America/New_York")
    trigger = CronTrigger(hour=1, minute=30, timezone=new_york)  # what JobQueue.run_daily schedules
    fires, fire = [], None
    while len(fires) < 4:  # 31 October, 1 November (twice), 2 November
        fire = trigger.get_next_fire_time(fire, fire or datetime(2026, 10, 30, 12, tzinfo=new_york))
        fires.append(fire)
    assert [f.astimezone(UTC).hour for f in fires] == [5, 5, 6, 6]  # the second run of 1 November
    sub = await store.subscribe(83, ["us-russia"], at="01:30", timezone="America/New_York")
    statuses = []
    for n, fire in enumerate(fires):
        await seeder.story(f"Story {n}", ("us-russia",), when=fire - timedelta(minutes=20), summary=(f"{n}.",))
        statuses += [o.status for o in await delivery.send_digest(sub, fire) if not o.key.startswith("weekly-")]
    assert statuses == ["sent", "sent", "skipped", "sent"] and len(api.sent_texts(83)) == 3
    assert tokyo.key == "2026-11-24T23:00Z"  # a slot: the UTC instant it was due


async def test_a_chat_subscribing_after_its_chosen_time_gets_its_first_digest_at_that_time(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """Subscribing at 11:00 to a digest at 08:00, the catch-up sent one at once, as a digest missed while the bot was
    down (qa2 subscribe_catchup.sh): none was due since the chat chose its time. One due after that, which the bot
    was down for, is sent; and one whose send failed is retried after a /timezone that came after it was due."""
    now = datetime.now(UTC)
    await seed(store, now)
    await store.subscribe(72, ["rare-earths"], at=(now - timedelta(hours=3)).strftime("%H:%M"))
    assert await delivery.catch_up(now) == [] and api.calls_to("sendMessage", 72) == []

    async with store.engine.begin() as conn:  # subscribed the day before: today's digest was missed
        await conn.execute(subscriptions_t.update().values(updated_at=now - timedelta(days=1)))
    api.fail_next("sendMessage", "server", chat_id=72, times=3)
    (failed,) = await delivery.catch_up(now)
    assert failed.status == "failed"
    assert await store.set_timezone(72, "UTC") == 1  # the subscription changed after its digest was due
    retried = (await delivery.catch_up(now + timedelta(minutes=1)))[0]  # (on a Monday, the weekly chart follows)
    assert retried.status == "sent" and len(api.calls_to("sendMessage", 72)) == 1


async def test_the_consoles_own_chat_is_never_sent_to(delivery: Delivery, store: Store, api: FakeBotAPI) -> None:
    """Chat 0 is the console's own (README: never a Telegram chat; qa2 console_chat0_alerts.py): `poll --once` with a
    token sent its alerts to Telegram, which answers "chat not found", and the third such answer deactivated the
    console's subscription. Alerts and caught-up digests go to Telegram chats only; the console's subscriptions stay."""
    now = datetime.now(UTC)
    await seed(store, now)
    await store.subscribe(CONSOLE_CHAT_ID, ["rare-earths"], mode="alerts")
    await store.subscribe(77, ["rare-earths"], mode="alerts")
    await alerts_since(store, now - timedelta(days=1))
    api.fail_next("sendMessage", "bad", chat_id=CONSOLE_CHAT_ID, times=3)  # what Telegram answers for chat 0
    for minutes in range(3):
        await delivery.send_alerts(now + timedelta(minutes=minutes))
    assert len(api.calls_to("sendMessage", 77)) == 1
    # daily digests too, with one due an hour ago that was missed
    at = (now - timedelta(hours=1)).strftime("%H:%M")
    await store.subscribe(CONSOLE_CHAT_ID, ["rare-earths"], mode="daily", at=at)
    await store.subscribe(78, ["rare-earths"], mode="daily", at=at)
    async with store.engine.begin() as conn:
        await conn.execute(subscriptions_t.update().values(updated_at=now - timedelta(days=1)))
    for minutes in range(3):
        await delivery.catch_up(now + timedelta(minutes=minutes))
    assert len(api.calls_to("sendMessage", 78)) == 1
    assert api.calls_to("sendMessage", CONSOLE_CHAT_ID, ok=False) == []
    (console,) = await store.subscriptions(CONSOLE_CHAT_ID)
    assert console.active and console.mode == "daily"


async def test_alerts_one_message_per_chat_the_rest_next_cycle(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    seeder = StorySeeder(store)
    long = tuple(f"Sentence {k} " + "about rare earth supply chains " * 10 for k in range(3))
    now = datetime.now(UTC)
    for k in range(8):
        await seeder.story(f"Alertable rare earth story {k}", when=now - timedelta(minutes=30 - k), summary=long)
    await seeder.story("From a feed's first poll", when=now - timedelta(minutes=5), alertable=False)
    await store.subscribe(22, ["rare-earths"], mode="alerts")
    await store.subscribe(23, ["rare-earths"], mode="daily")
    await alerts_since(store, now - timedelta(days=1))
    cycles = 0
    while await delivery.send_alerts(now):
        cycles += 1
        assert len(api.calls_to("sendMessage", 22)) == cycles  # one message per cycle
        assert cycles < 8
    texts = [c.params["text"] for c in api.calls_to("sendMessage", 22)]
    assert cycles >= 2 and all(check_html(t) is None for t in texts)
    assert sum(t.count("Alertable rare earth story") for t in texts) == 8
    assert not any("first poll" in t for t in texts)
    assert api.calls_to("sendMessage", 23) == []
    assert all(m.utf16_len(t) <= m.MESSAGE_LIMIT for t in texts)


async def test_an_alert_names_only_the_topics_the_chat_follows(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """A story on two topics alerted a rare-earths-only chat as "New: rare-earths, us-russia" (qa9 f3)."""
    now = datetime.now(UTC)
    await StorySeeder(store).story("US sanctions a Russian rare earth miner", ("rare-earths", "us-russia"), when=now)
    await store.subscribe(31, ["rare-earths"], mode="alerts")
    await store.subscribe(32, ["us-russia"], mode="alerts")
    await store.subscribe(33, ["us-russia", "rare-earths"], mode="alerts")
    await alerts_since(store, now - timedelta(days=1))
    await delivery.send_alerts(now)
    heads = {chat: api.calls_to("sendMessage", chat)[0].params["text"].split("\n")[0] for chat in (31, 32, 33)}
    assert heads == {
        31: "<b>New: rare-earths</b>",
        32: "<b>New: us-russia</b>",
        33: "<b>New: rare-earths, us-russia</b>",
    }


async def test_a_story_new_outlets_told_since_says_so_in_the_next_digest(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """Issue 9.5: a story sent yesterday that more outlets told since is one line, '+2 outlets', not a new story."""
    from bot.models import ItemKey, NewItem

    first, _ = await seed(store, TUESDAY)
    sub = await store.subscribe(12, ["rare-earths"])
    assert (await delivery.send_digest(sub, TUESDAY))[0].status == "sent"
    seeder = StorySeeder(store)
    names = ("Wire A", "Wire B", "Wire C", "Wire D", "Wire C – Business", "Google News – rare earths")
    feeds = await seeder._feed_ids(names, ("rare-earths",))
    later = datetime.now(UTC) + timedelta(seconds=1)  # after the first digest was recorded (the store's clock)
    async with store.feed_transaction() as tx:
        # two new outlets; Wire A told it before, also through Google News; Wire C's second section is Wire C
        for feed, summary in (
            ("Wire C", "More on it."),
            ("Wire D", "More on it."),
            ("Wire A", "More on it."),
            ("Wire C – Business", "More on it."),
            ("Google News – rare earths", "Later telling Wire A"),
        ):
            link = f"https://{feed.replace(' ', '').lower()}.example/later"
            item = NewItem(ItemKey(link, link, link, None), "Later telling", summary, later, True,
                           topics=("rare-earths",), terms={"rare-earths": ["rare earth"]})  # fmt: skip
            (item_id,) = await tx.add_items(feeds[feed], [item], later)
            await tx.set_item_stories([(item_id, first)])
    await seed(store, TUESDAY + timedelta(days=1), n=1, topic="rare-earths")  # a new story for the next digest
    assert (await delivery.send_digest(sub, TUESDAY + timedelta(days=1)))[0].status == "sent"
    text = api.calls_to("sendMessage", 12)[-1].params["text"]
    assert "<b>Since the last digest</b>" in text
    assert f"{first}. " in text and "+2 outlets (4 in all)" in text
    assert f"<b>{first}.</b>" not in text  # not shown again as if it were new


async def test_a_weekly_chart_that_failed_is_sent_by_the_catch_up(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """On a Monday the digest went out and the weekly chart failed (an outage outlasting the tries): the catch-up,
    which looked at the digest only, never sent it, though the log said it would be retried."""
    await StorySeeder(store).story("Rare earth story", when=MONDAY - timedelta(hours=1), summary=("It happened.",))
    sub = await store.subscribe(51, ["rare-earths"], at="08:00")
    api.fail_next("sendPhoto", "server", chat_id=51, times=3)
    daily, weekly = await delivery.send_digest(sub, MONDAY)
    assert (daily.status, weekly.status) == ("sent", "failed")
    for minutes in (1, 2):
        await delivery.catch_up(MONDAY + timedelta(minutes=minutes))
    assert len(api.calls_to("sendPhoto", 51)) == 1  # sent by the first catch-up, not twice
    assert len(api.calls_to("sendMessage", 51)) == 1  # the digest once


async def _lease_runs_out(store: Store) -> None:
    """Every pending batch's lease runs out: no renewal came from its killed sender."""
    async with store.engine.begin() as conn:
        await conn.execute(deliveries_t.update().values(lease_until=datetime.now(UTC) - timedelta(seconds=1)))


async def test_a_weekly_chart_is_not_the_days_digest(store: Store) -> None:
    """qa7: when the daily digest last went out (last_delivery) and whether it was tried since a time
    (delivery_tried) counted the Monday chart's batch too (kind "digest", key "weekly-…")."""
    sub = await store.subscribe(54, ["rare-earths"])
    before = datetime.now(UTC) - timedelta(seconds=1)
    chart = await store.begin_delivery(sub.id, "digest", weekly_key(MONDAY, ZoneInfo("UTC")), [])
    assert chart is not None
    await store.finish_delivery(chart, [900])
    assert await store.last_delivery(sub.id, "digest") is None
    assert not await store.delivery_tried(sub.id, "digest", before)
    digest = await store.begin_delivery(sub.id, "digest", digest_key(MONDAY), [])
    assert digest is not None
    await store.finish_delivery(digest, [901])
    assert await store.last_delivery(sub.id, "digest") is not None
    assert await store.delivery_tried(sub.id, "digest", before)


async def test_a_monday_digest_whose_sender_died_is_sent_though_the_weekly_chart_went_out(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """qa7: a Monday digest abandoned by its killed sender (recovered as unsent once its lease ran out) was never sent
    that day: the catch-up took the weekly chart, sent meanwhile (kind "digest" too), for the day's digest."""
    ids = await seed(store, MONDAY)
    sub = await store.subscribe(53, ["rare-earths"], at="08:00")
    key = digest_key(digest_slot(sub, MONDAY, "UTC"))
    assert await store.begin_delivery(sub.id, "digest", key, ids) is not None  # its sender is killed here
    chart = await store.begin_delivery(sub.id, "digest", weekly_key(MONDAY, ZoneInfo("UTC")), [])
    assert chart is not None
    await store.finish_delivery(chart, [900])  # the chart went out meanwhile (as the release before sent it)
    await _lease_runs_out(store)
    outcomes = await delivery.catch_up(MONDAY + timedelta(minutes=7))
    assert [o.status for o in outcomes if o.key == key] == ["sent"], outcomes
    (text,) = api.sent_texts(53)
    assert all(f"<b>{i}.</b>" in text for i in ids)
    assert api.calls_to("sendPhoto", 53) == []  # the chart once


async def test_the_weekly_chart_waits_for_a_digest_another_instance_is_sending(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """qa7: on a Monday an instance whose digest was skipped, because another instance's batch of it was pending (being
    sent, or its sender killed and its lease running yet), sent the weekly chart all the same: the chart came before
    the digest, or without it. It follows the day's digest once that is sent."""
    ids = await seed(store, MONDAY)
    sub = await store.subscribe(52, ["rare-earths"], at="08:00")
    key = digest_key(digest_slot(sub, MONDAY, "UTC"))
    assert await store.begin_delivery(sub.id, "digest", key, ids) is not None  # another instance's; it is killed
    assert [o.status for o in await delivery.send_digest(sub, MONDAY)] == ["skipped"]
    assert api.calls_to("sendPhoto", 52) == []
    await _lease_runs_out(store)
    outcomes = await delivery.catch_up(MONDAY + timedelta(minutes=7))
    assert [(o.key, o.status) for o in outcomes] == [(key, "sent"), (weekly_key(MONDAY, ZoneInfo("UTC")), "sent")]
    assert [c.method for c in api.calls if c.chat_id() == 52] == ["sendMessage", "sendPhoto"]


async def test_a_quiet_days_digest_tells_the_stories_other_outlets_joined(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """A day with no new story but two more outlets on yesterday's: the digest was recorded empty and not sent, and the
    next one counted growth only from that record, so "+2 outlets" was never told."""
    from bot.models import ItemKey, NewItem

    seeder = StorySeeder(store)
    first = await seeder.story(
        "Rare earth story", outlets=("Wire A", "Wire B"), when=TUESDAY - timedelta(hours=1), summary=("It happened.",)
    )
    sub = await store.subscribe(61, ["rare-earths"])
    assert (await delivery.send_digest(sub, TUESDAY))[0].status == "sent"
    feeds = await seeder._feed_ids(("Wire C", "Wire D"), ("rare-earths",))
    await asyncio.sleep(0.05)
    later = datetime.now(UTC)  # after the first digest was recorded (by the store's clock)
    async with store.feed_transaction() as tx:
        for outlet in ("Wire C", "Wire D"):
            link = f"https://{outlet.replace(' ', '').lower()}.example/later"
            item = NewItem(ItemKey(link, link, link, None), "Later telling", "More on it.", later, True,
                           topics=("rare-earths",), terms={"rare-earths": ["rare earth"]})  # fmt: skip
            (item_id,) = await tx.add_items(feeds[outlet], [item], later)
            await tx.set_item_stories([(item_id, first)])
    await asyncio.sleep(0.05)
    (quiet,) = await delivery.send_digest(sub, TUESDAY + timedelta(days=1))
    assert quiet.status == "sent"
    text = api.calls_to("sendMessage", 61)[-1].params["text"]
    assert "+2 outlets" in text and "No new stories · 1 story sent before" in text and "0 stories" not in text


@contextlib.asynccontextmanager
async def _several_messages_through(
    api: FakeBotAPI, store: Store
) -> AsyncIterator[tuple[Delivery, Bot, list[int], SubscriptionView, datetime]]:
    """A digest of several messages due for chat 41, to be sent through ``api``: (delivery, bot, story ids, sub, now)."""
    await api.start()
    try:
        async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
            now = datetime.now(UTC)
            ids, sub = await _a_digest_of_several_messages(store, now)
            yield Delivery(bot, store, network_backoff=0.01), bot, ids, sub, now
    finally:
        await api.close()


async def _a_digest_of_several_messages(store: Store, now: datetime) -> tuple[list[int], SubscriptionView]:
    """Eight stories of long summaries (a digest of several messages), and chat 41's daily subscription, due."""
    long = tuple(f"Sentence {k} " + "about rare earth supply chains " * 12 for k in range(3))
    ids = [
        await StorySeeder(store).story(f"Rare earth story {k}", when=now - timedelta(hours=1, minutes=k), summary=long)
        for k in range(8)
    ]
    return ids, await store.subscribe(41, ["rare-earths"], at=f"{(now - timedelta(minutes=5)):%H:%M}")


class _SecondMessageOutage(FakeBotAPI):
    """The second sendMessage meets a Telegram outage (500) through all of Delivery's tries."""

    def __init__(self) -> None:
        super().__init__()
        self.delivered = self.refused = 0

    def _take_failure(self, call):  # type: ignore[no-untyped-def]
        if call.method == "sendMessage":
            if self.delivered == 1 and self.refused < 3:
                self.refused += 1
                return Failure("sendMessage", 500, "Internal Server Error")
            self.delivered += 1
        return super()._take_failure(call)


async def test_a_digest_sent_in_part_is_not_sent_again_whole(store: Store) -> None:
    """A digest of several messages whose second met an outage was failed whole, and the catch-up sent it all again:
    the reader saw its first part twice. The batch is sent; the stories of the parts that did not go out are offered
    to the next digest."""
    api = _SecondMessageOutage()
    async with _several_messages_through(api, store) as (delivery, _bot, ids, sub, now):
        (first,) = [o for o in await delivery.send_digest(sub, now) if not o.key.startswith("weekly-")]
        assert first.status == "sent" and first.error and len(first.message_ids) == 1
        await delivery.catch_up(now + timedelta(minutes=1))  # the next poll cycle
        texts = [c.params["text"] for c in api.calls_to("sendMessage", 41)]
        assert len(texts) == 1 and "Coverage digest" in texts[0]  # the first part once, nothing again
        shown = {sid for sid in ids if f"<b>{sid}.</b>" in texts[0]}
        left = {s.id for s in await store.undelivered(sub.id, "digest", now - timedelta(days=1))}
        assert shown and left and shown.isdisjoint(left) and shown | left <= set(ids)


async def test_the_part_of_a_digest_that_did_not_go_out_is_in_the_next_digest(store: Store) -> None:
    """The stories of a digest's parts that met an outage were offered to the next digest, but its window (the last
    24 hours) no longer held them: the reader never saw them. The next day's digest carries them."""
    api = _SecondMessageOutage()
    async with _several_messages_through(api, store) as (delivery, _bot, ids, sub, now):
        await delivery.send_digest(sub, now)
        first = api.calls_to("sendMessage", 41)[0].params["text"]
        left = {sid for sid in ids if f"<b>{sid}.</b>" not in first}
        assert left
        api.refused = 100  # Telegram is back
        await delivery.send_digest(sub, now + timedelta(days=1))
        later = " ".join(c.params["text"] for c in api.calls_to("sendMessage", 41)[1:])
        assert {sid for sid in left if f"<b>{sid}.</b>" in later} == left
        assert await store.undelivered(sub.id, "digest", now + timedelta(days=1), failed_after=now) == []


class _SecondMessageRefused(FakeBotAPI):
    """Telegram refuses the second sendMessage (400), every time it is sent."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    def _take_failure(self, call):  # type: ignore[no-untyped-def]
        if call.method == "sendMessage":
            self.n += 1
            if self.n == 2:
                return Failure("sendMessage", 400, "Bad Request: can't parse entities: unclosed start tag")
        return super()._take_failure(call)


async def test_a_refusal_after_the_first_message_does_not_send_the_first_again(store: Store) -> None:
    """A 400 on a digest's second message failed the batch whole, and every poll cycle's catch-up sent its first
    message again (up to 12 hours of copies). The batch is sent in part, as after an outage."""
    api = _SecondMessageRefused()
    async with _several_messages_through(api, store) as (delivery, _bot, _ids, sub, now):
        (first,) = [o for o in await delivery.send_digest(sub, now) if not o.key.startswith("weekly-")]
        assert first.status == "sent" and "parse entities" in (first.error or "")
        for minutes in (1, 2, 3):  # the next poll cycles
            await delivery.catch_up(now + timedelta(minutes=minutes))
        assert len(api.calls_to("sendMessage", 41)) == 1


class _DeletedTopics(FakeBotAPI):
    """Forum topics 7 and 9 of supergroup -1009 were deleted: Telegram refuses every post to them; topic 8 is alive."""

    def _take_failure(self, call):  # type: ignore[no-untyped-def]
        if call.method == "sendMessage" and call.params.get("message_thread_id") in ("7", "9"):
            return Failure("sendMessage", 400, "Bad Request: message thread not found")
        return super()._take_failure(call)


async def test_a_deleted_forum_topic_stops_its_own_subscription_only(store: Store) -> None:
    """qa13 D1: a deleted forum topic's refusals were counted against the chat: three in a row deactivated every
    subscription of the supergroup (the live topic's too, untold), and a digest sent to another topic in between reset
    the count (the dead topic tried for ever). A topic's refusals now count against its subscription alone; a refusal
    of the whole chat (the bot kicked) still stops the chat's every topic."""
    api = await _DeletedTopics().start()
    gone: list[int] = []

    async def deactivated(chat_id: int) -> None:
        gone.append(chat_id)

    try:
        async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
            delivery = Delivery(bot, store, network_backoff=0.01, on_deactivated=deactivated)
            subs = {
                thread: await store.subscribe(-1009, ["rare-earths"], chat_type="supergroup", thread_id=thread)
                for thread in (7, 8, 9)
            }

            async def digest(thread: int, day: int) -> str:
                """A new story, then the daily digest of the topic's subscription (on a Monday, the chart aside)."""
                when = TUESDAY + timedelta(days=day)
                await StorySeeder(store).story(f"Rare earth story of day {day}", when=when - timedelta(hours=1))
                (status,) = [o.status for o in await delivery.send_digest(subs[thread], when) if o.key[0].isdigit()]
                return status

            # topic 7 refused three times in a row: its subscription stops, the others go on
            assert [await digest(7, day) for day in (0, 1, 2)] == ["failed", "failed", "deactivated"]
            assert [s.thread_id for s in await store.subscriptions(-1009)] == [8, 9]
            # topic 9 refused three times, topic 8's digests sent in between: they do not reset topic 9's count
            statuses: dict[int, list[str]] = {8: [], 9: []}
            for day, thread in enumerate((9, 8, 9, 8, 9, 8), start=3):
                statuses[thread].append(await digest(thread, day))
            assert statuses == {8: ["sent", "sent", "sent"], 9: ["failed", "failed", "deactivated"]}
            assert [s.thread_id for s in await store.subscriptions(-1009)] == [8]  # the live topic goes on
            assert gone == [-1009, -1009]  # (the digest jobs rescheduled without the dead topics')
            assert (await store.status()).deactivated_chats == []

            api.fail_next("sendMessage", "kicked", chat_id=-1009, times=3)  # the bot removed from the supergroup
            assert [await digest(8, day) for day in (10, 11, 12)] == ["failed", "failed", "deactivated"]
            assert await store.subscriptions(-1009) == []
            assert [c for c, _ in (await store.status()).deactivated_chats] == [-1009]
    finally:
        await api.close()


class _SecondMessageHangs(FakeBotAPI):
    """Telegram holds the second sendMessage (the bot shuts down meanwhile)."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    async def _answer(self, call):  # type: ignore[no-untyped-def]
        if call.method == "sendMessage":
            self.n += 1
            if self.n == 2:
                await asyncio.sleep(5)
        return await super()._answer(call)


async def test_a_shutdown_during_a_digest_does_not_send_its_first_part_again(store: Store) -> None:
    """The drain gave up on a digest whose first message had gone out: the batch was failed whole, and the restarted
    bot's catch-up posted that first part again. It is sent in part, as when a later message fails."""
    api = _SecondMessageHangs()
    async with _several_messages_through(api, store) as (delivery, slow, ids, sub, now):
        sending = asyncio.ensure_future(delivery.send_digest(sub, now))
        await api.wait_for("sendMessage", 2, chat_id=41, ok=False)  # the first delivered, the second held
        await delivery.drain(timeout=0.1)
        assert sending.done()
        first = api.calls_to("sendMessage", 41)[0].params["text"]
        shown = {sid for sid in ids if f"<b>{sid}.</b>" in first}
        api.n = 100  # the restarted bot's Telegram answers at once
        await Delivery(slow, store, network_backoff=0.01).catch_up(now + timedelta(minutes=1))
        later = [c.params["text"] for c in api.calls_to("sendMessage", 41)][1:]
        assert shown and not {sid for sid in shown for text in later if f"<b>{sid}.</b>" in text}


class _RefusesOneStory(FakeBotAPI):
    """Telegram refuses (400) every message that carries story ``poison``."""

    poison = -1

    def _take_failure(self, call):  # type: ignore[no-untyped-def]
        if call.method == "sendMessage" and f"<b>{self.poison}.</b>" in str(call.params.get("text")):
            return Failure("sendMessage", 400, "Bad Request: can't parse entities: unclosed start tag")
        return super()._take_failure(call)


async def test_a_story_telegram_refuses_does_not_stop_the_next_digests(store: Store) -> None:
    """Found by review of the part-sent change: every failed batch's stories were offered again, so a story whose
    message Telegram refuses failed every later digest of the subscription, for good. Only what a batch sent in part
    left over is offered again."""
    api = await _RefusesOneStory().start()
    try:
        async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
            delivery = Delivery(bot, store, network_backoff=0.01)
            now = datetime.now(UTC)
            seeder = StorySeeder(store)
            api.poison = await seeder.story("Rare earth poison story", when=now - timedelta(hours=1))
            sub = await store.subscribe(77, ["rare-earths"], at=f"{now:%H:%M}")
            statuses = []
            for day in range(3):
                later = now + timedelta(days=day)
                await seeder.story(f"Rare earth story of day {day}", when=later - timedelta(minutes=30))
                outcomes = await delivery.send_digest(sub, later)
                statuses.append(next(o.status for o in outcomes if o.kind == "digest"))
            assert statuses[0] == "failed" and statuses[1:] == ["sent", "sent"]
    finally:
        await api.close()


class _KickedAfterTheFirstMessage(FakeBotAPI):
    """The bot is removed from the chat while a digest of several messages goes out: 403 from the second on."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    def _take_failure(self, call):  # type: ignore[no-untyped-def]
        if call.method == "sendMessage" and int(call.params.get("chat_id", 0)) == 41:
            self.n += 1
            if self.n > 1:
                return Failure("sendMessage", 403, "Forbidden: bot was kicked from the group chat")
        return super()._take_failure(call)


async def test_removed_after_a_digests_first_message_counts_toward_deactivation(store: Store) -> None:
    """Found by review: a 403 after the first message was a digest sent in part, and the chat's failure went
    uncounted (deactivation came a day late)."""
    api = _KickedAfterTheFirstMessage()
    async with _several_messages_through(api, store) as (delivery, _bot, _ids, sub, now):
        blocks, ids, _ = await digest_for(store, sub, now)
        reply = m.Reply(blocks=tuple(blocks), story_ids=tuple(ids))
        first = await delivery.deliver(sub, "digest", digest_key(digest_slot(sub, now, "UTC")), reply)
        assert first.status == "sent" and "kicked" in (first.error or "")
        (row,) = await store.subscriptions(41, active=None)
        assert row.failures == 1  # counted; the third in a row deactivates, as on a first message


class _UpgradedAfterTheFirstMessage(FakeBotAPI):
    """Group 41 becomes supergroup -10041 while a digest of several messages goes out to it: from the second message
    on, Telegram answers that the group was upgraded."""

    def _take_failure(self, call):  # type: ignore[no-untyped-def]
        if call.method == "sendMessage" and int(call.params.get("chat_id", 0)) == 41 and self.calls_to("sendMessage"):
            return Failure("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": -10041})  # fmt: skip
        return super()._take_failure(call)


async def test_a_group_upgraded_mid_digest_gets_only_the_rest_in_the_supergroup(store: Store) -> None:
    """qa: the group became a supergroup after a digest's first message went out, and the whole digest was sent again
    to the supergroup, whose history already shows the group's messages: the first part twice. Only the rest goes."""
    api = _UpgradedAfterTheFirstMessage()
    async with _several_messages_through(api, store) as (delivery, _bot, ids, sub, now):
        (outcome, *_) = await delivery.send_digest(sub, now)
        first = [c.params["text"] for c in api.calls_to("sendMessage", 41)]
        later = [c.params["text"] for c in api.calls_to("sendMessage", -10041)]
        assert outcome.status == "sent" and len(first) == 1 and later
        shown = [sid for sid in ids if any(f"<b>{sid}.</b>" in text for text in first + later)]
        assert sorted(shown) == sorted(ids)  # every story once, none twice
        assert not {sid for sid in ids if f"<b>{sid}.</b>" in first[0] for text in later if f"<b>{sid}.</b>" in text}
        assert len(outcome.message_ids) == 1 + len(later)
        assert [s.id for s in await store.subscriptions(-10041)] == [sub.id]


# A process sending a digest (`coverage-bot run`), to be killed mid-send as `docker stop` does past its grace period.
_SENDER = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import datetime
    from telegram import Bot
    from bot.delivery import Delivery
    from bot.store import Store

    async def main(url, token, base_url, base_file_url, sub_id, when):
        store = await Store.open(url)
        async with Bot(token, base_url=base_url, base_file_url=base_file_url) as bot:
            sub = next(s for s in await store.subscriptions() if s.id == int(sub_id))
            await Delivery(bot, store).send_digest(sub, datetime.fromisoformat(when))

    asyncio.run(main(*sys.argv[1:]))
    """
)


async def test_a_digest_whose_sender_was_killed_mid_send_is_sent_by_the_next(
    store: Store, db_url: str, api: FakeBotAPI, bot: Bot
) -> None:
    """`docker stop` past its grace period SIGKILLs the bot while it sends a digest: the batch stayed pending for
    ever, counted as sent, and the day's stories never reached the chat. The batch is leased to its sender, renewed
    while it sends: while the lease runs, another instance leaves it alone (it may be sending it right now); once the
    lease has run out with no sender to renew it, the batch is recovered and the digest is sent, every story in it."""
    ids = await seed(store, TUESDAY, n=3)
    sub = await store.subscribe(70, ["rare-earths"], at="08:00")
    api.delays["sendMessage"] = 60.0  # Telegram holds the first message: the sender is mid-send
    sender = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _SENDER, db_url, TOKEN, api.base_url, api.base_file_url, str(sub.id), TUESDAY.isoformat()
    )
    try:
        await api.wait_for("sendMessage", chat_id=70, ok=False, timeout=60)
        other = Delivery(bot, store, network_backoff=0.02)  # another instance, or the one started after the kill
        skipped = [o.status for o in await other.catch_up(TUESDAY + timedelta(minutes=5))]
        assert skipped == ["skipped"]  # a batch being sent is not taken
    finally:
        sender.kill()
        await sender.wait()
    api.delays.clear()
    skipped = [o.status for o in await other.catch_up(TUESDAY + timedelta(minutes=6))]
    assert skipped == ["skipped"]  # its lease runs yet: its sender may be alive, and nothing is sent twice
    assert [s.id for s in await store.undelivered(sub.id, "digest", TUESDAY - timedelta(days=1))] == []

    async with store.engine.begin() as conn:  # the lease runs out: no renewal came from the killed sender
        await conn.execute(deliveries_t.update().values(lease_until=datetime.now(UTC) - timedelta(seconds=1)))
    (outcome,) = await other.catch_up(TUESDAY + timedelta(minutes=7))
    assert outcome.status == "sent" and outcome.key == digest_key(digest_slot(sub, TUESDAY, "UTC"))
    text = api.sent_texts(70)[-1]
    assert all(f"<b>{i}.</b>" in text for i in ids)
    async with store.engine.connect() as conn:
        statuses = sorted((await conn.execute(sa.select(deliveries_t.c.status, deliveries_t.c.error))).all())
    assert statuses == [("sent", None), (UNSENT, ABANDONED)]


class _SecondMessageInFlight(FakeBotAPI):
    """Telegram carries out a digest's second message and holds its answer until ``answer`` is set (its sender is
    killed meanwhile)."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 0
        self.answer = asyncio.Event()

    async def _answer(self, call):  # type: ignore[no-untyped-def]
        if call.method == "sendMessage":
            self.n += 1
            if self.n == 2:
                await self.answer.wait()
        return await super()._answer(call)


async def test_a_digest_whose_sender_was_killed_after_its_first_message_is_not_sent_again_whole(
    store: Store, db_url: str
) -> None:
    """qa7: `docker stop` past its grace period SIGKILLed the bot after a digest's first message was answered, its
    second in flight: what had gone out was known to the killed process only, and once the lease ran out the next
    instance sent the digest again whole. Each answered message is recorded in the batch as it goes: the recovered
    batch is sent in part, its first message is not sent again, and the stories of the others come in the next digest
    (the one in flight at the kill among them: Telegram carried it out, so those show twice, README says)."""
    api = _SecondMessageInFlight()
    async with _several_messages_through(api, store) as (delivery, _bot, ids, sub, now):
        args = (db_url, TOKEN, api.base_url, api.base_file_url, str(sub.id), now.isoformat())
        sender = await asyncio.create_subprocess_exec(sys.executable, "-c", _SENDER, *args)
        try:
            await api.wait_for("sendMessage", 2, chat_id=41, ok=False, timeout=60)
        finally:
            sender.kill()
            await sender.wait()
        api.answer.set()
        first = api.calls_to("sendMessage", 41, ok=False)[0].params["text"]
        shown = {sid for sid in ids if f"<b>{sid}.</b>" in first}
        await _lease_runs_out(store)
        await delivery.catch_up(now + timedelta(minutes=1))  # the next instance's poll cycle recovers the batch
        assert len(api.calls_to("sendMessage", 41, ok=False)) == 2  # nothing sent again
        left = {s.id for s in await store.undelivered(sub.id, "digest", now, failed_after=now - timedelta(days=1))}
        assert shown and left and shown.isdisjoint(left) and shown | left == set(ids)
        await delivery.send_digest(sub, now + timedelta(days=1))
        later = " ".join(c.params["text"] for c in api.calls_to("sendMessage", 41, ok=False)[2:])
        assert {sid for sid in ids if f"<b>{sid}.</b>" in later} == left  # the rest, and the first part not again


async def test_instances_racing_to_send_alerts_send_each_story_once(
    store: Store, db_url: str, api: FakeBotAPI, bot: Bot
) -> None:
    """Several `coverage-bot run` instances on one database send alerts at the same moment: each read the same
    undelivered stories and sent them, and the chat saw one alert four times (alerts all share the key "alert", so the
    digests' unique key did not hold them). One pending alert batch per subscription now: every story reaches the
    chat once, whichever instance sends it."""
    stores = [store, *[await Store.open(db_url) for _ in range(3)]]
    try:
        instances = [Delivery(bot, s, network_backoff=0.02) for s in stores]
        await store.subscribe(73, ["rare-earths"], mode="alerts")
        await alerts_since(store, datetime.now(UTC) - timedelta(days=1))
        seeder = StorySeeder(store)
        now = datetime.now(UTC)
        ids: list[int] = []
        for wave in range(3):  # new stories, then every instance's poll cycle ends at once
            for k in range(2):
                when = now - timedelta(minutes=30 - 3 * wave - k)
                ids.append(await seeder.story(f"Rare earth story {wave}-{k}", when=when, summary=("It happened.",)))
            raced = await asyncio.gather(*(d.send_alerts(now) for d in instances))
            assert any(o.status == "sent" for outcomes in raced for o in outcomes), raced
        while await instances[0].send_alerts(now):  # whatever a skipped instance left goes out in a later cycle
            pass
        texts = api.sent_texts(73)
        assert {sid: sum(f"<b>{sid}.</b>" in t for t in texts) for sid in ids} == dict.fromkeys(ids, 1), texts
    finally:
        for s in stores[1:]:
            await s.close()


async def test_an_alert_batch_whose_sender_died_holds_the_chat_until_its_lease_runs_out(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """A subscription has one alert batch pending at a time. One whose sender was killed mid-send must not stop the
    chat's alerts for good: once its lease has run out, recovery frees the subscription, and the next cycle sends its
    stories and the ones that came since, each once."""
    now = datetime.now(UTC)
    seeder = StorySeeder(store)
    sub = await store.subscribe(74, ["rare-earths"], mode="alerts")
    await alerts_since(store, now - timedelta(days=1))
    first = await seeder.story("Rare earth story one", when=now - timedelta(minutes=20), summary=("One.",))
    assert await store.begin_delivery(sub.id, "alert", "alert", [first]) is not None  # its sender dies here
    second = await seeder.story("Rare earth story two", when=now - timedelta(minutes=10), summary=("Two.",))
    assert [o.status for o in await delivery.send_alerts(now)] == ["skipped"]  # the dead sender's lease runs yet
    async with store.engine.begin() as conn:  # the lease runs out: no renewal came from the killed sender
        await conn.execute(deliveries_t.update().values(lease_until=datetime.now(UTC) - timedelta(seconds=1)))
    assert [o.status for o in await delivery.send_alerts(now)] == ["sent"]
    assert await delivery.send_alerts(now) == []
    (text,) = api.sent_texts(74)
    assert f"<b>{first}.</b>" in text and f"<b>{second}.</b>" in text


# ---------------------------------------------------------------- a story that gains a topic later


class _Outlets:
    """Two outlets' RSS feeds over loopback, items published at chosen times; the project's own feeds.yaml topics."""

    def __init__(self, server: LoopbackServer) -> None:
        self.server, self.items = server, {"a": [], "b": []}
        for name in self.items:
            server.route(f"/{name}.xml", functools.partial(self._feed, name))

    def publish(self, outlet: str, title: str, description: str, when: datetime) -> None:
        self.items[outlet].append((title, description, when))

    def _feed(self, name: str, request: object, conn: object) -> Response:
        body = "".join(
            f"<item><guid>{name}-{k}</guid><link>{self.server.url(f'/{name}/{k}')}</link><title>{escape(t)}</title>"
            f"<description>{escape(d)}</description><pubDate>{format_datetime(w)}</pubDate></item>"
            for k, (t, d, w) in enumerate(self.items[name])
        )
        rss = f"<?xml version='1.0'?><rss version='2.0'><channel><title>{name}</title>{body}</channel></rss>"
        return Response(200, {"Content-Type": "application/rss+xml; charset=utf-8"}, rss)

    def config(self, *names: str) -> Any:
        """The configuration with the feeds of ``names`` (default: every outlet's)."""
        raw = yaml.safe_load((Path(__file__).resolve().parents[1] / "feeds.yaml").read_text(encoding="utf-8"))
        raw["feeds"] = [{"name": f"Outlet {n}", "url": self.server.url(f"/{n}.xml")} for n in names or self.items]
        raw["poll"] = {"fetch_full_text": False}
        return parse_config(raw)


RESERVES = (
    "Russia offers foreign investors its rare earth reserves, Putin says",
    "President Vladimir Putin said on Tuesday Russia would open its rare earth deposits to foreign investors as Moscow "
    "seeks to revive trade.",
)
RESERVES_US = (
    "Putin offers US access to Russia's rare earth reserves",
    "President Vladimir Putin said on Tuesday Russia was ready to offer the United States access to its rare earth "
    "deposits as part of talks with Washington.",
)


async def test_a_story_that_gains_a_chats_topic_later_reaches_that_chat_once(
    delivery: Delivery, store: Store, api: FakeBotAPI, loopback: LoopbackServer
) -> None:
    """qa9 f1/f2: a rare-earths story that a later telling made us-russia too never reached a us-russia chat whose
    digest had gone out since the story began, nor its alerts once the gain came over ALERT_LOOKBACK after the first
    telling: both looked at when the story began only. Now the gain is new to those chats, once; a chat that had the
    story already is not told it again."""
    limits = FetchLimits(allow_private=True, page_delay=0, total_timeout=5, per_host=8)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    outlets = _Outlets(loopback)
    config = outlets.config()
    outlets.publish("a", "Weather in Paris is mild", "Nothing on topic here.", now - timedelta(hours=30))
    await poll_once(config, store, limits=limits, now=now - timedelta(hours=29))  # history: nothing new in it
    rare = await store.subscribe(501, ["rare-earths"], mode="daily")
    russia = await store.subscribe(502, ["us-russia"], mode="daily")
    await store.subscribe(503, ["us-russia"], mode="alerts")
    await store.subscribe(504, ["rare-earths", "us-russia"], mode="alerts")
    await alerts_since(store, now - timedelta(hours=29))  # (subscribed by the clock, after the first poll)

    outlets.publish("a", *RESERVES, now - timedelta(hours=9))
    await poll_once(config, store, limits=limits, now=now - timedelta(hours=9) + timedelta(minutes=5))
    await delivery.send_alerts(now - timedelta(hours=9) + timedelta(minutes=6))
    for sub in (rare, russia):
        await delivery.send_digest(sub, now - timedelta(hours=2), now - timedelta(hours=2))
    assert [c.chat_id() for c in api.calls_to("sendMessage") if "rare earth reserves" in c.params["text"]] == [504, 501]

    outlets.publish("b", *RESERVES_US, now - timedelta(hours=1))  # eight hours after the first telling
    await poll_once(config, store, limits=limits, now=now)
    (story,) = [s for s in await store.stories(now - timedelta(days=2), limit=10) if len(s.members) == 2]
    assert set(story.topics) == {"rare-earths", "us-russia"}
    await delivery.send_alerts(now + timedelta(minutes=1))
    await delivery.send_alerts(now + timedelta(minutes=20))
    for sub in (rare, russia):
        await delivery.send_digest(sub, now + timedelta(hours=22), now + timedelta(hours=22))
    told = [c.chat_id() for c in api.calls_to("sendMessage") if "rare earth reserves" in c.params["text"]]
    assert told == [504, 501, 503, 502], told


async def test_a_gain_told_before_a_digest_and_fetched_after_it_is_in_the_next(
    delivery: Delivery, store: Store, api: FakeBotAPI, loopback: LoopbackServer
) -> None:
    """qa12 D1: a telling that brings a chat's topic, published before the chat's digest but fetched after it (an
    hourly feed, Google News' dates), was dated by its publication: the next digest's day began after it, and the story
    never reached the chat. A gain is taken as a late story is: stored after the last digest, published within the
    day before it."""
    limits = FetchLimits(allow_private=True, page_delay=0, total_timeout=5, per_host=8)
    now = datetime.now(UTC).replace(second=0, microsecond=0)  # the last digest's time is recorded by the clock
    outlets = _Outlets(loopback)
    config = outlets.config()
    outlets.publish("a", "Weather in Paris is mild", "Nothing on topic here.", now - timedelta(hours=30))
    await poll_once(config, store, limits=limits, now=now - timedelta(hours=29))
    russia = await store.subscribe(502, ["us-russia"], mode="daily")
    outlets.publish("a", *RESERVES, now - timedelta(hours=3))
    await poll_once(config, store, limits=limits, now=now - timedelta(hours=3) + timedelta(minutes=5))
    await delivery.send_digest(russia, now, now)  # nothing on us-russia yet (the chat's first digest says so)
    outlets.publish("b", *RESERVES_US, now - timedelta(minutes=30))  # published before the digest ...
    await poll_once(config, store, limits=limits, now=now + timedelta(hours=1))  # ... fetched after it
    (story,) = [s for s in await store.stories(now - timedelta(days=2), limit=10) if len(s.members) == 2]
    assert set(story.topics) == {"rare-earths", "us-russia"}
    await delivery.send_digest(russia, now + timedelta(days=1), now + timedelta(days=1))
    told = [c.chat_id() for c in api.calls_to("sendMessage") if "rare earth reserves" in c.params["text"]]
    assert told == [502], told


async def test_a_digest_recovered_as_sent_in_part_counts_from_when_it_began(store: Store) -> None:
    """qa12: a batch sent in part that recover_deliveries found hours after its sender died was recorded as sent then,
    and last_delivery said so: a story published before the digest and fetched meanwhile was in neither digest. It
    counts from when it began."""
    (story,) = await seed(store, datetime.now(UTC), n=1)
    sub = await store.subscribe(31, ["rare-earths"])
    began = datetime.now(UTC)
    batch = await store.begin_delivery(sub.id, "digest", "2026-12-01T08:00Z", [story])
    assert batch is not None
    await store.progress_delivery(batch, [1001], [])  # its first message answered, then the sender died
    assert await store.recover_deliveries(now=began + DELIVERY_LEASE + timedelta(hours=3)) == 1
    last = await store.last_delivery(sub.id, "digest")
    assert last is not None and last - began < timedelta(minutes=1), (began, last)


async def test_a_gain_recorded_in_the_first_format_of_0014_is_read(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """qa14 D1: stores written by the commits between 80e1b09 and 0a46070 hold one time per gained topic
    ({"us-russia": "2026-12-07T22:29:36+00:00"}), not [published, stored]: every digest of a chat on that topic failed
    (ValueError: Invalid isoformat string: '2') and was never recorded, so it failed again each day."""
    now = datetime.now(UTC).replace(microsecond=0)
    story = await StorySeeder(store).story(
        "Putin offers US access to rare earths", when=now - timedelta(days=3), topics=("rare-earths", "us-russia")
    )
    async with store.engine.begin() as conn:
        await conn.execute(
            stories_t.update()
            .where(stories_t.c.id == story)
            .values(
                topics_gained={"us-russia": (now - timedelta(hours=2)).isoformat()}, gained_at=now - timedelta(hours=2)
            )
        )
    sub = await store.subscribe(601, ["us-russia"], mode="daily")
    assert [s.id for s in await store.undelivered(sub.id, "digest", now - timedelta(days=1))] == [story]
    (outcome, *_) = await delivery.send_digest(sub, now)
    assert outcome.status == "sent"
    assert "rare earths" in api.calls_to("sendMessage", 601)[0].params["text"]


# ---------------------------------------------------------------- which stories an alert chat gets (qa15)

CONTROLS = (
    "China tightens rare earth export controls on magnets",
    "China announced new export controls on rare earth magnets on Monday.",
)
CONTROLS_TOO = ("China tightens export controls on rare earth magnets", CONTROLS[1])
LIMITS = FetchLimits(allow_private=True, page_delay=0, total_timeout=5, per_host=8)


def _alerted(api: FakeBotAPI, chat_id: int, text: str) -> int:
    """How many of the chat's messages tell ``text``."""
    return sum(text in t for t in api.sent_texts(chat_id))


async def test_a_new_event_a_just_added_feed_told_first_is_alerted(
    delivery: Delivery, store: Store, api: FakeBotAPI, loopback: LoopbackServer
) -> None:
    """qa15 alert_mixed_first_poll: outlet a (polled before) and outlet b (just added: its first poll is history) tell
    one new event in one cycle, b a minute earlier: the story took `alertable` from its earliest member and was never
    alerted. A story is alertable when any member is."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    outlets = _Outlets(loopback)
    await poll_once(outlets.config("a"), store, limits=LIMITS, now=now - timedelta(hours=2))  # a's first poll
    await store.subscribe(601, ["rare-earths"], mode="alerts")
    await alerts_since(store, now - timedelta(hours=2))
    outlets.publish("a", *CONTROLS, now - timedelta(minutes=10))
    outlets.publish("b", *CONTROLS_TOO, now - timedelta(minutes=11))  # b added to feeds.yaml: history
    await poll_once(outlets.config(), store, limits=LIMITS, now=now)
    (story,) = await store.stories(now - timedelta(days=1))
    assert len(story.members) == 2 and story.alertable
    await delivery.send_alerts(now + timedelta(minutes=1))
    assert _alerted(api, 601, "export controls") == 1


async def test_a_story_of_history_a_new_telling_joins_becomes_alertable(
    delivery: Delivery, store: Store, api: FakeBotAPI, loopback: LoopbackServer
) -> None:
    """A story a just-added feed's first poll told (history) that a feed polled before tells in a later cycle: the new
    telling is news the chat has not had, and the story becomes alertable then, alerted once."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    outlets = _Outlets(loopback)
    await poll_once(outlets.config("a"), store, limits=LIMITS, now=now - timedelta(hours=2))  # a's first poll
    await store.subscribe(602, ["rare-earths"], mode="alerts")
    await alerts_since(store, now - timedelta(hours=2))
    outlets.publish("b", *CONTROLS_TOO, now - timedelta(minutes=40))
    await poll_once(outlets.config(), store, limits=LIMITS, now=now - timedelta(minutes=30))  # b's first poll
    await delivery.send_alerts(now - timedelta(minutes=29))
    assert api.sent_texts(602) == []  # history
    outlets.publish("a", *CONTROLS, now - timedelta(minutes=10))
    await poll_once(outlets.config(), store, limits=LIMITS, now=now)
    (story,) = await store.stories(now - timedelta(days=1))
    assert len(story.members) == 2 and story.alertable
    for minutes in (1, 20):
        await delivery.send_alerts(now + timedelta(minutes=minutes))
    assert _alerted(api, 602, "export controls") == 1


async def test_a_story_found_hours_after_it_was_published_is_alerted(
    delivery: Delivery, store: Store, api: FakeBotAPI, loopback: LoopbackServer
) -> None:
    """qa15 alert_published_over_6h_before_poll: alerts took the stories published in the 6 h before the cycle, so one
    a feed lists 7 h after publishing it (polled every 12 h, in back-off, an outlet whose dates lag) never reached an
    alert chat. An alert carries what the bot found since, published within the day; an archive listed days late
    stays out."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    outlets = _Outlets(loopback)
    await poll_once(outlets.config("a"), store, limits=LIMITS, now=now - timedelta(hours=12))  # a's first poll
    await store.subscribe(603, ["rare-earths"], mode="alerts")
    await alerts_since(store, now - timedelta(hours=12))
    outlets.publish("a", *CONTROLS, now - timedelta(hours=7))
    outlets.publish("a", *RESERVES, now - timedelta(days=3))  # an archive
    await poll_once(outlets.config("a"), store, limits=LIMITS, now=now)
    assert len(await store.stories(now - timedelta(days=4))) == 2
    for minutes in (1, 20):
        await delivery.send_alerts(now + timedelta(minutes=minutes))
    assert _alerted(api, 603, "export controls") == 1
    assert _alerted(api, 603, "rare earth reserves") == 0


async def test_alerts_held_up_by_telegram_for_hours_go_out_when_it_answers(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """A story found after the chat's last alert, while Telegram could not be reached for 8 h, is in the next alert:
    the bot found it since that alert (it was dated out of the 6 h before the retry)."""
    now = datetime.now(UTC)
    seeder = StorySeeder(store)
    sub = await store.subscribe(604, ["rare-earths"], mode="alerts")
    await alerts_since(store, now - timedelta(days=1))
    first = await seeder.story("Rare earth story one", when=now - timedelta(hours=9, minutes=40), summary=("One.",))
    await delivery.send_alerts(now - timedelta(hours=9, minutes=30))
    async with store.engine.begin() as conn:  # (sent then: the store records the clock's time)
        when = now - timedelta(hours=9, minutes=30)
        await conn.execute(deliveries_t.update().values(created_at=when, finished_at=when))
    late = await seeder.story(
        "Rare earth story two", when=now - timedelta(hours=8, minutes=10), seen=now - timedelta(hours=8)
    )
    assert (await store.last_delivery(sub.id, "alert")) == now - timedelta(hours=9, minutes=30)
    await delivery.send_alerts(now)  # Telegram answers again
    texts = api.sent_texts(604)
    assert len(texts) == 2 and f"<b>{first}.</b>" in texts[0] and f"<b>{late}.</b>" in texts[1]


async def test_a_story_a_chat_got_in_a_digest_is_not_new_in_its_alerts_nor_the_reverse(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """qa15 digest_then_alerts: a chat got a story in its digest, switched to alerts, and the next alert told it
    again as "New:"; a chat alerted to a story that switched to daily got it again in its digest. What a subscription
    was sent in either kind is not new to it in the other."""
    now = datetime.now(UTC)
    seeder = StorySeeder(store)
    daily = await store.subscribe(605, ["rare-earths"], mode="daily")
    await store.subscribe(606, ["rare-earths"], mode="alerts")
    await alerts_since(store, now - timedelta(days=1))
    story = await seeder.story("Rare earth story told once", when=now - timedelta(minutes=30), summary=("Once.",))
    assert (await delivery.send_digest(daily, now))[0].status == "sent"
    assert [o.status for o in await delivery.send_alerts(now)] == ["sent"]  # to 606 only
    await store.subscribe(605, ["rare-earths"], mode="alerts")
    await alerts_since(
        store, now - timedelta(days=1)
    )  # (only what 605 was sent keeps the story out, not when it switched)
    switched = await store.subscribe(606, ["rare-earths"], mode="daily")
    await delivery.send_alerts(now + timedelta(minutes=5))
    await delivery.send_digest(switched, now + timedelta(hours=1))
    assert [sum(f"<b>{story}.</b>" in t for t in api.sent_texts(chat)) for chat in (605, 606)] == [1, 1]


async def test_alerts_begin_when_the_chat_subscribes_to_them(delivery: Delivery, store: Store, api: FakeBotAPI) -> None:
    """qa15 alert_new_subscriber_backlog: a chat that subscribed to alerts (or switched to them) was sent the stories
    the bot had found in the 6 h before, as "New:". Alerts begin when the chat takes them: then only what is found
    after."""
    now = datetime.now(UTC)
    seeder = StorySeeder(store)
    await store.subscribe(608, ["rare-earths"], mode="daily")
    await alerts_since(store, now - timedelta(days=1))  # a daily chat since yesterday
    before = await seeder.story(
        "Rare earth story found before", when=now - timedelta(hours=2), seen=now - timedelta(hours=1)
    )
    await store.subscribe(607, ["rare-earths"], mode="alerts")
    await store.subscribe(608, ["rare-earths"], mode="alerts")
    assert await delivery.send_alerts(now) == []
    after = await seeder.story("Rare earth story found after", when=now - timedelta(minutes=30), seen=datetime.now(UTC))
    await store.subscribe(607, ["us-russia"], mode="alerts")  # a topic added does not start its alerts again
    assert [o.status for o in await delivery.send_alerts(now + timedelta(minutes=1))] == ["sent", "sent"]
    for chat in (607, 608):
        (text,) = api.sent_texts(chat)
        assert f"<b>{after}.</b>" in text and f"<b>{before}.</b>" not in text


async def test_alerts_of_a_topic_added_begin_when_it_is_added(
    delivery: Delivery, store: Store, api: FakeBotAPI
) -> None:
    """qa17 r3_added_topic_backlog: a chat taking rare-earths alerts added us-russia, and the next alert sent, as
    "New:", a us-russia story the bot had found before the topic was added. An added topic's alerts begin when it is
    added; a story on a topic the chat had before counts from that topic's start."""
    now = datetime.now(UTC)
    seeder = StorySeeder(store)
    await store.subscribe(609, ["rare-earths"], mode="alerts")
    await alerts_since(store, now - timedelta(days=1))
    before = await seeder.story("Kremlin talks found before", ("us-russia",), when=now - timedelta(hours=2), seen=now)
    both = await seeder.story(
        "Rare earth sanctions talks", ("rare-earths", "us-russia"), when=now - timedelta(hours=2), seen=now
    )
    await store.subscribe(609, ["us-russia"], mode="alerts")
    after = await seeder.story("Kremlin talks found after", ("us-russia",), when=now, seen=datetime.now(UTC))
    assert [o.status for o in await delivery.send_alerts(datetime.now(UTC))] == ["sent"]
    (text,) = api.sent_texts(609)
    assert f"<b>{after}.</b>" in text and f"<b>{both}.</b>" in text and f"<b>{before}.</b>" not in text
