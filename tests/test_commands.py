"""Every command's answer, transport-free, against a real SQLite store filled through its public API."""

from __future__ import annotations

import importlib.util
import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botapi import StorySeeder, check_html
from loopback import LoopbackServer, Response

from bot import message as m
from bot.commands import COMMANDS, USAGE, ChatRef, Commands, chat_error
from bot.fetch import Fetcher, FetchLimits
from bot.models import FeedFailure, StoryFingerprints
from bot.store import Store
from summarizer.speakers import speaker_matches

TOPICS = ["rare-earths", "us-russia"]
ME = ChatRef(1001, "private", user_id=1001)
GROUP = ChatRef(-2002, "group", user_id=1001, title="Group")


class Platform:
    """Telegram's side of things, as a table: who administers which chat, which @names exist."""

    def __init__(self) -> None:
        self.admins: dict[int, set[int]] = {-2002: {7}, -100500: {1001}, -100600: {1001}}
        self.names = {"@news": -100500, "@muted": -100600, "@wire": -100700, "@priv": 4004}
        self.can_post = {-100500}

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        return user_id in self.admins.get(chat_id, set())

    async def resolve_chat(self, ref: str) -> ChatRef | None:
        cid = self.names.get(ref)
        return ChatRef(cid, "channel" if cid < 0 else "private", title=ref) if cid else None

    async def bot_can_post(self, chat_id: int) -> bool:
        return chat_id in self.can_post


@pytest.fixture
def changes() -> list[int]:
    return []


@pytest.fixture
def commands(store: Store, changes: list[int]) -> Commands:
    async def changed(chat_id: int) -> None:
        changes.append(chat_id)

    return Commands(store, TOPICS, admin_ids={1001}, platform=Platform(), on_change=changed)


@pytest.fixture
async def seeded(store: Store) -> dict[str, int]:
    seed = StorySeeder(store)
    now = datetime.now(UTC)
    ids = {
        "quota": await seed.story(
            "China cuts rare earth export quotas",
            ("rare-earths",),
            outlets=("Wire A", "Wire B", "Wire C"),
            when=now - timedelta(hours=2),
            summary=("China cut export quotas by 12 percent.", "Prices jumped."),
            figures=(
                {"surface": "12 percent", "kind": "percent", "sentence": "China cut export quotas by 12 percent."},
                {"surface": "$2.1 billion", "sentence": "The quota is worth $2.1 billion a year."},
            ),
            quotes=({"text": "We will respond", "speaker": "Wang Wentao"},),
        ),
        "talks": await seed.story(
            "Zelenskyy presses Washington on Russia sanctions",
            ("us-russia",),
            outlets=("Wire B",),
            when=now - timedelta(hours=1),
            summary=("Zelenskyy met US envoys.",),
            figures=({"surface": "$300 billion", "sentence": "Sanctions target $300 billion in assets."},),
            quotes=(
                {"text": "Russia must pay for this war", "speaker": "Volodymyr Zelenskyy"},
                {"text": "Washington is wasting its time", "speaker": "Dmitry Peskov"},
            ),
        ),
        "old": await seed.story(
            "Older rare earth story",
            ("rare-earths",),
            when=now - timedelta(days=3),
            summary=("Old news.",),
            quotes=({"text": "Powell on rates", "speaker": "Jérôme Powell"},),
        ),
    }
    return ids


def plain(reply: m.Reply) -> str:
    return m.reply_plain(reply)


# ---------------------------------------------------------------- start, help, usage


async def test_start_explains_and_offers_topic_keyboard(commands: Commands) -> None:
    reply = await commands.handle("/start", ME)
    assert "rare-earths, us-russia" in plain(reply)
    data = [btn.data for row in reply.keyboard for btn in row]
    assert data == ["+:rare-earths", "+:us-russia", "m:daily", "m:alerts"]


async def test_help_lists_every_command_with_an_example(commands: Commands) -> None:
    text = plain(await commands.handle("/help", ME))
    for c in COMMANDS:
        assert c.usage in text and c.example_for(TOPICS) in text
    # the shipped topics keep the examples as they were
    assert "e.g. /subscribe rare-earths daily 08:00" in text and "e.g. /unsubscribe us-russia" in text
    assert "e.g. /figures rare-earths" in text and "e.g. /trend us-russia" in text


async def test_examples_name_the_operators_own_topics_and_work_as_typed(store: Store) -> None:
    """/start, /help and /settings told every user to type rare-earths / us-russia commands whatever feeds.yaml
    followed (qa9 f9: with an operator's topics arctic and energy each answered "Unknown topic"). The examples name
    the first two configured topics; with the shipped ones they read as before."""
    own = Commands(store, ["arctic", "energy"], admin_ids={1001}, platform=Platform())
    start = plain(await own.handle("/start", ME))
    assert "/subscribe arctic daily 07:30 or /subscribe energy alerts" in start, start
    settings = plain(await own.handle("/settings", ME))
    assert "Start with /subscribe arctic or tap a topic in /start." in settings
    help_text = plain(await own.handle("/help", ME))
    examples = [ln.split("e.g. ", 1)[1] for ln in help_text.splitlines() if "e.g. " in ln]
    assert "/trend energy" in examples and "/figures arctic" in examples and "/unsubscribe energy" in examples
    for shown in (start, settings, help_text):
        assert "rare-earths" not in shown and "us-russia" not in shown
    for example in [*examples, "/subscribe arctic daily 07:30", "/subscribe energy alerts"]:
        if example.split()[0] not in ("/summary", "/quotes"):  # (a story number and a speaker: no topic)
            assert "Unknown topic" not in plain(await own.handle(example, ME)), example
    one = Commands(store, ["arctic"], admin_ids={1001}, platform=Platform())
    assert "/subscribe arctic daily 07:30 or /subscribe arctic alerts" in plain(await one.handle("/start", ME))
    shipped = Commands(store, TOPICS, admin_ids={1001}, platform=Platform())
    assert "/subscribe rare-earths daily 07:30 or /subscribe us-russia alerts" in plain(
        await shipped.handle("/start", ME)
    )


async def test_unknown_command_and_bad_arguments_get_one_line(commands: Commands) -> None:
    assert plain(await commands.handle("/frobnicate", ME)) == "Unknown command /frobnicate. Send /help for the list."
    assert plain(await commands.handle("/figures a b", ME)) == "Usage: /figures [topic]"
    too_long = plain(await commands.handle("/quotes " + "x" * 100, ME))
    assert too_long == "That speaker name is too long. Usage: /quotes [speaker] [topic…]"
    assert plain(await commands.handle("/digest now", ME)) == "Usage: /digest"
    bad_topic = plain(await commands.handle("/trend gold", ME))
    assert bad_topic.startswith("Unknown topic 'gold'") and bad_topic.endswith("Usage: /trend [topic]")
    assert "\n" not in bad_topic


async def test_errors_echo_at_most_60_characters_of_what_was_typed(commands: Commands) -> None:
    """A pasted page as an argument: the answer quotes its start and keeps the topic list and usage line it exists for."""
    topic = plain(await commands.handle("/subscribe " + "x" * 4080, ME))
    assert topic == f"Unknown topic '{'x' * 59}…' (topics: rare-earths, us-russia). Usage: {USAGE['subscribe']}"
    zone = plain(await commands.handle("/timezone " + "<" * 4000, ME))
    assert zone.startswith(f"Unknown timezone '{'<' * 59}…';") and zone.endswith(f"Usage: {USAGE['timezone']}")
    for answer in (
        plain(await commands.handle("/settings @" + "a" * 4000, ME)),
        plain(await commands.handle("/subscribe @" + "a" * 4000 + " rare-earths", ME)),
        plain(await commands.handle("/timezone @" + "a" * 4000 + " Asia/Tokyo", ME)),
        plain(await commands.handle("/" + "y" * 4000, ME)),
        plain(await commands.handle("/quotes " + "z" * 79, ME)),
        plain(await commands.handle("/trend " + "w" * 4000, ME)),
    ):
        assert len(answer) < 200 and "a" * 60 not in answer and "y" * 60 not in answer, answer[:300]
        assert "z" * 60 not in answer and "w" * 60 not in answer and "…" in answer, answer[:300]


async def test_command_addressed_to_the_bot_by_name(commands: Commands) -> None:
    assert "Commands" in plain(await commands.handle("/help@coverage_test_bot", ME))


# ---------------------------------------------------------------- subscriptions


async def test_subscribe_with_time_and_mode(commands: Commands, store: Store, changes: list[int]) -> None:
    reply = await commands.handle("/subscribe rare-earths daily 7:30", ME)
    assert "Subscribed to rare-earths — daily at 07:30 (UTC)" in plain(reply)
    (sub,) = await store.subscriptions(ME.chat_id)
    assert (sub.topics, sub.mode, sub.at, sub.chat_type) == (("rare-earths",), "daily", "07:30", "private")
    assert changes == [ME.chat_id]
    await commands.handle("/subscribe us-russia alerts", ME)
    (sub,) = await store.subscriptions(ME.chat_id)
    assert set(sub.topics) == set(TOPICS) and sub.mode == "alerts" and sub.at == "07:30"
    # the 12-hour clock, as many write it ("daily 8am" was an unknown topic '8am')
    for said, at in (
        ("8am", "08:00"),
        ("7:30pm", "19:30"),
        ("12am", "00:00"),
        ("12PM", "12:00"),
        ("6.45p.m.", "18:45"),
    ):
        assert f"daily at {at}" in plain(await commands.handle(f"/subscribe rare-earths daily {said}", ME)), said


async def test_subscribe_rejects_unknown_topic_and_stray_time(commands: Commands, store: Store) -> None:
    text = plain(await commands.handle("/subscribe gold", ME))
    assert "Unknown topic 'gold'" in text and "Usage: /subscribe" in text
    assert "daily 09:00" in plain(await commands.handle("/subscribe rare-earths 9:00", ME))
    assert await store.subscriptions(ME.chat_id) == []


async def test_subscribe_without_arguments_shows_keyboard(commands: Commands) -> None:
    reply = await commands.handle("/subscribe", ME)
    assert reply.keyboard and "Tap the topics" in plain(reply)


async def test_only_group_admins_change_subscriptions(commands: Commands, store: Store) -> None:
    assert (
        plain(await commands.handle("/subscribe rare-earths", GROUP))
        == "Only chat admins can change subscriptions here."
    )
    assert await store.subscriptions(GROUP.chat_id) == []
    admin = ChatRef(-2002, "group", user_id=7, title="Group")
    assert "Subscribed" in plain(await commands.handle("/subscribe rare-earths", admin))
    anonymous = ChatRef(-2002, "group", user_id=None, sender_is_chat=True)
    assert "Unsubscribed" in plain(await commands.handle("/unsubscribe all", anonymous))
    press = await commands.press("+:us-russia", GROUP)
    assert press.notice == "Only chat admins can change subscriptions here." and press.reply is None


async def test_forum_topics_have_their_own_subscription(commands: Commands, store: Store) -> None:
    admin_in_thread = ChatRef(-2002, "supergroup", thread_id=42, user_id=7)
    admin_main = ChatRef(-2002, "supergroup", user_id=7)
    await commands.handle("/subscribe us-russia alerts", admin_in_thread)
    await commands.handle("/subscribe rare-earths", admin_main)
    subs = {s.thread_id: s for s in await store.subscriptions(-2002)}
    assert subs[42].topics == ("us-russia",) and subs[42].mode == "alerts"
    assert subs[None].topics == ("rare-earths",) and subs[None].mode == "daily"


async def test_a_forum_topics_timezone_is_its_own_and_the_answer_says_so(commands: Commands, store: Store) -> None:
    """qa13 D5: /timezone wrote every subscription of the chat but was read per forum topic: in a topic with none it
    answered "Timezone set", kept nothing there, and moved another topic's digest untold. It is a topic's, as its
    subscription is, and the answer says which one changed."""
    topic77, topic88 = (ChatRef(-2002, "supergroup", thread_id=t, user_id=7) for t in (77, 88))
    general = ChatRef(-2002, "supergroup", user_id=7)
    await commands.handle("/subscribe rare-earths daily 09:00", topic77)
    assert plain(await commands.handle("/timezone Europe/Paris", topic88)) == (
        "Subscribe this forum topic first (/subscribe); the timezone applies to its digests. "
        "This chat follows rare-earths in forum topic 77: send /timezone there."
    )
    assert [s.timezone for s in await store.subscriptions(-2002)] == [None]  # topic 77's digest did not move
    assert plain(await commands.handle("/timezone Europe/Paris", topic77)) == (
        "Timezone set to Europe/Paris for this forum topic. Its digests follow it from now on."
    )
    assert "Current timezone: Europe/Paris." in plain(await commands.handle("/timezone", topic77))
    assert "Current timezone: UTC." in plain(await commands.handle("/timezone", topic88))
    assert "daily at 09:00 (UTC)" in plain(await commands.handle("/subscribe us-russia daily 09:00", topic88))
    await commands.handle("/subscribe us-russia", general)
    assert plain(await commands.handle("/timezone Asia/Tokyo", general)) == (
        "Timezone set to Asia/Tokyo for the General topic; each forum topic keeps its own."
    )
    zones = {s.thread_id: s.timezone for s in await store.subscriptions(-2002)}
    assert zones == {None: "Asia/Tokyo", 77: "Europe/Paris", 88: None}


async def test_unsubscribe_where_the_chat_has_none_says_where_its_subscriptions_are(
    commands: Commands, store: Store
) -> None:
    """qa13 D6: in a forum's General topic /settings listed "us-russia — alerts (forum topic 77)", and /unsubscribe
    there answered "Not subscribed, so nothing to stop"."""
    topic77, topic88 = (ChatRef(-2002, "supergroup", thread_id=t, user_id=7) for t in (77, 88))
    general = ChatRef(-2002, "supergroup", user_id=7)
    await commands.handle("/subscribe us-russia alerts", topic77)
    for text in ("/unsubscribe", "/unsubscribe us-russia", "/unsubscribe all"):
        assert plain(await commands.handle(text, general)) == (
            "Not subscribed here, so nothing to stop. This chat follows us-russia in forum topic 77: "
            "send /unsubscribe there."
        ), text
    await commands.handle("/subscribe rare-earths", general)
    assert plain(await commands.handle("/unsubscribe", topic88)) == (
        "Not subscribed here, so nothing to stop. This chat follows rare-earths in the General topic; us-russia in "
        "forum topic 77: send /unsubscribe there."
    )
    assert [(s.thread_id, s.topics) for s in await store.subscriptions(-2002)] == [
        (None, ("rare-earths",)),
        (77, ("us-russia",)),
    ]
    assert "Unsubscribed from everything" in plain(await commands.handle("/unsubscribe", topic77))


async def test_admin_subscribes_a_channel_from_private_chat(commands: Commands, store: Store) -> None:
    text = plain(await commands.handle("/subscribe @news rare-earths daily 08:00", ME))
    assert text.startswith("✅ @news: Subscribed to rare-earths — daily at 08:00")
    (sub,) = await store.subscriptions(-100500)
    assert sub.chat_type == "channel" and sub.title == "@news"
    not_admin = ChatRef(1002, "private", user_id=1002)
    assert "you are not one" in plain(await commands.handle("/subscribe @news us-russia", not_admin))
    assert "Make me an admin of @muted" in plain(await commands.handle("/subscribe @muted rare-earths", ME))
    assert "can't find @nope" in plain(await commands.handle("/subscribe @nope rare-earths", ME))
    # a channel the bot is not an admin of: Telegram does not show the bot its admins, so the sender was told they
    # are not one; they are told what to do
    assert "Make me an admin of @wire" in plain(await commands.handle("/subscribe @wire rare-earths", ME))
    assert "@priv is a person" in plain(await commands.handle("/subscribe @priv rare-earths", ME))
    in_group = plain(await commands.handle("/subscribe @news rare-earths", ChatRef(-2002, "group", user_id=7)))
    assert in_group.startswith("Subscribe a channel from a private chat")
    assert plain(await commands.handle("/unsubscribe @news all", ME)).startswith("@news: Unsubscribed from everything")
    assert await store.subscriptions(-100500) == []
    # a channel the bot may no longer post in is still its admin's to unsubscribe (subscribing there is refused)
    await store.subscribe(-100600, ["rare-earths"], chat_type="channel")
    assert "Unsubscribed from everything" in plain(await commands.handle("/unsubscribe @muted all", ME))
    assert await store.subscriptions(-100600) == []


async def test_a_refusal_names_the_action_tried(commands: Commands, store: Store) -> None:
    await commands.handle("/subscribe @news rare-earths", ME)
    not_admin = ChatRef(1002, "private", user_id=1002)
    refused = plain(await commands.handle("/unsubscribe @news all", not_admin))
    assert refused == "Only admins of @news can unsubscribe it, and you are not one."
    assert (await store.subscriptions(-100500))[0].topics == ("rare-earths",)
    subscribing = plain(await commands.handle("/subscribe @news us-russia", not_admin))
    assert subscribing == "Only admins of @news can subscribe it, and you are not one."


async def test_unsubscribe_topic_then_all(commands: Commands, store: Store) -> None:
    await commands.handle("/subscribe rare-earths us-russia", ME)
    assert "Still following: us-russia" in plain(await commands.handle("/unsubscribe rare-earths", ME))
    again = plain(await commands.handle("/unsubscribe rare-earths", ME))
    assert again == "Not subscribed to rare-earths; this chat follows us-russia."
    assert "Unsubscribed from everything" in plain(await commands.handle("/unsubscribe all", ME))
    assert await store.subscriptions(ME.chat_id) == []
    assert (
        plain(await commands.handle("/unsubscribe", ME)) == "Not subscribed, so nothing to stop. /subscribe to start."
    )


async def test_unsubscribe_without_a_topic(commands: Commands, store: Store) -> None:
    """One topic: /unsubscribe stops it. Several: it asks, with the topic buttons."""
    await commands.handle("/subscribe rare-earths us-russia", ME)
    ask = await commands.handle("/unsubscribe", ME)
    assert plain(ask).startswith("This chat follows rare-earths, us-russia. Tap a topic to stop it")
    assert [btn.data for btn in ask.keyboard[0]] == ["-:rare-earths", "-:us-russia"]
    assert [btn.text for btn in ask.keyboard[0]] == ["✅ rare-earths", "✅ us-russia"]
    assert len(await store.subscriptions(ME.chat_id)) == 1  # nothing changed yet
    assert (await commands.press("-:rare-earths", ME)).notice == "Unsubscribed from rare-earths"
    assert "Unsubscribed from everything" in plain(await commands.handle("/unsubscribe", ME))
    assert await store.subscriptions(ME.chat_id) == []


async def test_a_topic_button_does_what_its_label_says_or_nothing(commands: Commands, store: Store) -> None:
    """Both "✅ us-russia" (tap to stop) and "➕ us-russia" carried 't:us-russia', a toggle of what the store held
    when pressed: a double tap on ✅ answered "Unsubscribed" then "Subscribed", and after /unsubscribe all an old
    prompt's ✅ subscribed the chat again (qa13 D2). The data says stop or start now; pressed when that is done
    already, it says so and redraws the keyboard. An old 't:' button is redrawn, nothing changed."""

    def buttons(answer: Any) -> list[tuple[str, str]]:
        return [(btn.text, btn.data) for row in answer.reply.keyboard for btn in row][:2]

    await commands.handle("/subscribe rare-earths us-russia alerts", ME)
    ask = await commands.handle("/unsubscribe", ME)
    assert [btn.data for btn in ask.keyboard[0]] == ["-:rare-earths", "-:us-russia"]
    first, second = await commands.press("-:us-russia", ME), await commands.press("-:us-russia", ME)
    assert (first.notice, second.notice) == ("Unsubscribed from us-russia", "us-russia was already stopped")
    assert buttons(second) == [("✅ rare-earths", "-:rare-earths"), ("➕ us-russia", "+:us-russia")]
    (sub,) = await store.subscriptions(ME.chat_id)
    assert (sub.topics, sub.mode) == (("rare-earths",), "alerts")
    assert (await commands.press("+:rare-earths", ME)).notice == "Already subscribed to rare-earths"
    await commands.handle("/unsubscribe all", ME)
    stale = await commands.press("-:rare-earths", ME)  # the old prompt's "✅ rare-earths"
    assert stale.notice == "rare-earths was already stopped" and "Now: not subscribed" in plain(stale.reply)
    assert await store.subscriptions(ME.chat_id) == []
    old = await commands.press("t:rare-earths", ME)  # sent before buttons said what they do: its label is unknown
    assert old.notice == "Those buttons were out of date; here they are now. Tap again."
    assert buttons(old) == [("➕ rare-earths", "+:rare-earths"), ("➕ us-russia", "+:us-russia")]
    assert await store.subscriptions(ME.chat_id) == []
    assert (await commands.press("+:rare-earths", ME)).notice == "Subscribed to rare-earths"
    assert [s.topics for s in await store.subscriptions(ME.chat_id)] == [("rare-earths",)]


async def test_subscribing_again_brings_back_the_mode_and_time(commands: Commands, store: Store) -> None:
    """After /unsubscribe all, a ➕ (or /subscribe with a topic alone) gave a chat of alerts daily 08:00 digests: its
    zone was kept while it was unsubscribed, its mode and time were not (fx_buttons' report). All three are now."""
    await commands.handle("/subscribe rare-earths alerts", ME)
    await commands.handle("/unsubscribe all", ME)
    assert (await commands.press("+:us-russia", ME)).notice == "Subscribed to us-russia"
    (sub,) = await store.subscriptions(ME.chat_id)
    assert (sub.topics, sub.mode) == (("us-russia",), "alerts")
    await commands.handle("/subscribe rare-earths daily 06:45", ME)
    await commands.handle("/unsubscribe all", ME)
    assert "Subscribed to" in plain(await commands.handle("/subscribe us-russia", ME))
    (sub,) = await store.subscriptions(ME.chat_id)
    assert (sub.topics, sub.mode, sub.at) == (("us-russia",), "daily", "06:45")


async def test_settings_and_timezone(commands: Commands, store: Store) -> None:
    assert "no subscriptions" in plain(await commands.handle("/settings", ME))
    assert "Subscribe first" in plain(await commands.handle("/timezone Europe/Moscow", ME))
    await commands.handle("/subscribe rare-earths daily 06:45", ME)
    assert plain(await commands.handle("/timezone Europe/Moscow", ME)).startswith("Timezone set to Europe/Moscow")
    assert "daily at 06:45 (Europe/Moscow)" in plain(await commands.handle("/settings", ME))
    bad = plain(await commands.handle("/timezone Mars/Olympus", ME))
    assert "Unknown timezone 'Mars/Olympus'" in bad and "Usage: /timezone" in bad
    # an area of the tz database (a directory) and an over-long name are unknown too, not a crash
    for name in ("America", "Europe", "A" * 300):
        assert "Unknown timezone" in plain(await commands.handle(f"/timezone {name}", ME)), name
    assert "Current timezone: Europe/Moscow" in plain(await commands.handle("/timezone", ME))
    # the case of a name is forgiven, and the name is kept as the database spells it
    assert plain(await commands.handle("/timezone america/new_york", ME)).startswith("Timezone set to America/New_York")
    # an abbreviation is a fixed offset with no daylight saving time ("EST": a New York digest an hour late all
    # summer), and the database's own entries are no place's time
    est = plain(await commands.handle("/timezone EST", ME))
    assert "Unknown timezone 'EST'" in est and "daylight saving" in est
    for name in ("localtime", "posixrules", "Factory", "EST5EDT", "Etc/GMT+3"):  # (Etc/GMT+3 is UTC-03:00)
        assert "Unknown timezone" in plain(await commands.handle(f"/timezone {name}", ME)), name
    assert "daily at 06:45 (America/New_York)" in plain(await commands.handle("/settings", ME))


async def test_settings_marks_a_topic_feeds_yaml_no_longer_has(store: Store) -> None:
    """A topic renamed in feeds.yaml (us-russia -> usa-russia) strands its subscribers (qa2 topic_rename_orphans.sh):
    /settings listed it as any topic. It is marked; the subscription is kept as it is."""
    await store.subscribe(ME.chat_id, ["us-russia", "rare-earths"], mode="alerts")
    renamed = Commands(store, ["usa-russia", "rare-earths"], admin_ids={1001}, platform=Platform())
    answer = plain(await renamed.handle("/settings", ME))
    assert "• us-russia (no longer configured), rare-earths — alerts" in answer, answer
    assert (await store.subscriptions(ME.chat_id))[0].topics == ("us-russia", "rare-earths")


async def test_a_topic_feeds_yaml_no_longer_has_can_be_unsubscribed(store: Store) -> None:
    """/settings marks such a topic, and /unsubscribe of it answered "Unknown topic": only `/unsubscribe all` or the
    shell could drop it. A topic neither configured nor followed is still unknown."""
    await store.subscribe(ME.chat_id, ["us-russia", "rare-earths"], mode="alerts")
    renamed = Commands(store, ["usa-russia", "rare-earths"], admin_ids={1001}, platform=Platform())
    assert plain(await renamed.handle("/unsubscribe nope", ME)).startswith("Unknown topic 'nope'")
    await renamed.handle("/unsubscribe us-russia", ME)
    assert (await store.subscriptions(ME.chat_id))[0].topics == ("rare-earths",)


async def test_a_removed_topic_has_a_button_to_stop_it_and_cannot_be_subscribed_to(store: Store) -> None:
    """After us-russia left feeds.yaml, /unsubscribe said "This chat follows us-russia, rare-earths. Tap a topic to
    stop it" under a keyboard without a us-russia button (qa9 f5). The keyboard has one, marked, after the configured
    topics; a tap stops it. Tapped where the chat does not follow it, it subscribes nothing."""
    await store.subscribe(ME.chat_id, ["us-russia", "rare-earths"], mode="daily", at="09:00")
    removed = Commands(store, ["rare-earths"], admin_ids={1001}, platform=Platform())
    ask = await removed.handle("/unsubscribe", ME)
    assert "This chat follows us-russia, rare-earths. Tap a topic to stop it" in plain(ask)
    buttons = [(btn.text, btn.data) for row in ask.keyboard for btn in row]
    assert buttons[:2] == [("✅ rare-earths", "-:rare-earths"), ("✅ us-russia (no longer configured)", "-:us-russia")]
    start = await removed.handle("/start", ME)
    assert "-:us-russia" in [btn.data for row in start.keyboard for btn in row]
    pressed = await removed.press("-:us-russia", ME)
    assert pressed.notice == "Unsubscribed from us-russia"
    assert [btn.data for row in pressed.reply.keyboard for btn in row] == ["-:rare-earths", "m:daily", "m:alerts"]
    (sub,) = await store.subscriptions(ME.chat_id)
    assert sub.topics == ("rare-earths",) and (sub.mode, sub.at) == ("daily", "09:00")
    assert (await removed.press("+:us-russia", ME)).notice.startswith("That button is out of date")
    assert (await removed.press("t:us-russia", ME)).notice.startswith("That button is out of date")
    assert (await store.subscriptions(ME.chat_id))[0].topics == ("rare-earths",)


async def test_a_chat_on_alerts_for_a_removed_topic_alone_is_told_by_settings(store: Store) -> None:
    """Its alerts stop (no story gets the topic any more); /settings and /start say why (qa9 f5)."""
    await store.subscribe(ME.chat_id, ["us-russia"], mode="alerts")
    removed = Commands(store, ["rare-earths"], admin_ids={1001}, platform=Platform())
    assert "• us-russia (no longer configured) — alerts" in plain(await removed.handle("/settings", ME))
    assert "Subscribed: us-russia (no longer configured) — alerts" in plain(await removed.handle("/start", ME))


async def test_a_digest_marks_a_topic_feeds_yaml_no_longer_has(store: Store, seeded: dict[str, int]) -> None:
    """The digest header said "us-russia: 0 stories" for a topic no story can get any more (qa9 f5)."""
    await store.subscribe(ME.chat_id, ["us-russia", "rare-earths"], mode="daily")
    removed = Commands(store, ["rare-earths"], admin_ids={1001}, platform=Platform())
    header = plain(await removed.handle("/digest", ME)).splitlines()[1]
    assert header == "us-russia (no longer configured): 1 story · rare-earths: 1 story", header
    kept = Commands(store, TOPICS, admin_ids={1001}, platform=Platform())
    assert plain(await kept.handle("/digest", ME)).splitlines()[1] == "us-russia: 1 story · rare-earths: 1 story"


async def test_quotes_of_a_removed_topic_say_so_not_no_quotes_by_it(store: Store, seeded: dict[str, int]) -> None:
    """/quotes us-russia after the topic left feeds.yaml read it as a speaker: "No quotes by us-russia on
    rare-earths" (qa9 f10). A topic stored stories carry, or the chat follows, is named as one no longer configured."""
    removed = Commands(store, ["rare-earths"], admin_ids={1001}, platform=Platform())
    gone = "The topic us-russia is no longer configured; topics: rare-earths."
    assert plain(await removed.handle("/quotes us-russia", ME)) == gone
    assert plain(await removed.handle("/quotes Peskov US-Russia", ME)) == gone
    assert plain(await removed.handle("/quotes nobody", ME)) == "No quotes by nobody on rare-earths in the last 7 days."
    await store.subscribe(ME.chat_id, ["usa-russia", "rare-earths"], mode="alerts")  # followed, on no stored story
    assert plain(await removed.handle("/quotes usa-russia", ME)).startswith("The topic usa-russia is no longer")


async def test_figures_summary_and_trend_of_a_removed_topic_say_so(store: Store, seeded: dict[str, int]) -> None:
    """/figures, /summary and /trend of a topic feeds.yaml dropped answered "Unknown topic", as for a word never a
    topic; they say it is no longer configured, as /quotes and /settings do. A word no story carries is still unknown."""
    removed = Commands(store, ["rare-earths"], admin_ids={1001}, platform=Platform())
    for command in ("/figures", "/summary", "/trend"):
        answer = plain(await removed.handle(f"{command} us-russia", ME))
        assert answer.startswith("The topic us-russia is no longer configured; topics: rare-earths."), answer
        assert plain(await removed.handle(f"{command} arctic", ME)).startswith("Unknown topic 'arctic'")


async def test_a_word_that_is_no_topic_is_looked_up_without_reading_every_story(
    store: Store, commands: Commands
) -> None:
    """/summary nosuchtopic and /quotes nobodyinparticular, which anyone may send, read every stored story into
    Python to learn whether a topic feeds.yaml dropped has that name: 134 MB and 1.1 s on a 90-day store (qa16 F1)."""
    month_ago = datetime.now(UTC) - timedelta(days=30)  # older than /quotes' week: only the topic lookup may read them
    bulky = StoryFingerprints(tuple(("x" * 2000, month_ago, ("us-russia",)) for _ in range(20)))  # 40 kB a story
    async with store.feed_transaction() as tx:
        for n in range(200):  # 8 MB of fingerprints
            await tx.create_story(f"Summit {n}", None, ["us-russia"], {}, bulky, month_ago + timedelta(minutes=n), True)
    lines = ("/summary nosuchtopic", "/quotes nobodyinparticular")
    expected = ["Unknown topic 'nosuchtopic'", "No quotes by nobodyinparticular on rare-earths, us-russia in the last"]
    for text in lines:  # the first answers import the summarizer's modules
        await commands.handle(text, ME)
    tracemalloc.start()
    try:
        answers = [plain(await commands.handle(text, ME)) for text in lines]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [a[: len(e)] for a, e in zip(answers, expected, strict=True)] == expected, answers
    assert peak < 2_000_000, peak  # 8 MB of fingerprints unread


async def test_timezone_of_a_channel_named_from_a_private_chat(commands: Commands, store: Store) -> None:
    """/timezone names a channel as /subscribe does, with the same checks; a second word is an error, not a readout."""
    await commands.handle("/subscribe @news rare-earths daily 10:00", ME)
    assert plain(await commands.handle("/timezone @news Europe/Paris", ME)) == (
        "@news: Timezone set to Europe/Paris. Digests follow it from now on."
    )
    (channel,) = await store.subscriptions(-100500)
    assert channel.timezone == "Europe/Paris"
    assert plain(await commands.handle("/timezone @news", ME)).startswith("@news: Current timezone: Europe/Paris.")
    assert plain(await commands.handle("/timezone", ME)).startswith("Current timezone: UTC.")  # the private chat's
    not_admin = ChatRef(1002, "private", user_id=1002)
    refused = plain(await commands.handle("/timezone @news Asia/Tokyo", not_admin))
    assert refused == "Only admins of @news can change its timezone, and you are not one."
    assert plain(await commands.handle("/timezone @news", not_admin)).startswith("Only admins of @news can see its")
    in_group = plain(await commands.handle("/timezone @news Asia/Tokyo", ChatRef(-2002, "group", user_id=7)))
    assert in_group.startswith("Set a channel's timezone from a private chat")
    assert "can't find @nope" in plain(await commands.handle("/timezone @nope Asia/Tokyo", ME))
    assert plain(await commands.handle("/timezone @muted Asia/Tokyo", ME)).startswith("@muted: Subscribe it first")
    assert (await store.subscriptions(-100500))[0].timezone == "Europe/Paris"
    extra = plain(await commands.handle("/timezone Europe/Moscow extra", ME))
    assert extra == "Name one timezone, such as Europe/Moscow. Usage: /timezone [@channel] Area/City"


async def test_an_unsubscribed_chat_keeps_its_zone_in_every_answer(
    commands: Commands, store: Store, seeded: dict[str, int]
) -> None:
    """Unsubscribing everything keeps the zone (subscribing again brings it back, with the digest time): /timezone, a
    story's time and the next subscription all say Asia/Tokyo, as the store holds."""
    (story,) = [s for s in await store.stories(datetime.now(UTC) - timedelta(days=1)) if s.id == seeded["quota"]]
    tokyo = f"published {story.first_seen.astimezone(ZoneInfo('Asia/Tokyo')):%Y-%m-%d %H:%M} JST"
    await commands.handle("/subscribe rare-earths daily 09:00", ME)
    await commands.handle("/timezone Asia/Tokyo", ME)
    assert "Unsubscribed from everything" in plain(await commands.handle("/unsubscribe all", ME))
    assert plain(await commands.handle("/timezone", ME)).startswith("Current timezone: Asia/Tokyo.")
    assert tokyo in plain(await commands.handle(f"/summary {story.id}", ME))
    assert "daily at 09:00 (Asia/Tokyo)" in plain(await commands.handle("/subscribe rare-earths", ME))  # time: kept


async def test_keyboard_press_toggles_topic_and_mode(commands: Commands, store: Store) -> None:
    answer = await commands.press("+:us-russia", ME)
    assert answer.notice == "Subscribed to us-russia"
    assert "✅ us-russia" in [b.text for row in answer.reply.keyboard for b in row]
    answer = await commands.press("m:alerts", ME)
    assert answer.notice == "Alerts as stories appear"
    (sub,) = await store.subscriptions(ME.chat_id)
    assert sub.mode == "alerts" and sub.topics == ("us-russia",)
    answer = await commands.press("-:us-russia", ME)
    assert answer.notice == "Unsubscribed from us-russia"
    assert await store.subscriptions(ME.chat_id) == []
    assert (await commands.press("+:gold", ME)).notice.startswith("That button is out of date")


# ---------------------------------------------------------------- reading


async def test_summary_latest_story_number_and_missing(commands: Commands, seeded: dict[str, int]) -> None:
    latest = await commands.handle("/summary", ME)
    text = plain(latest)
    assert "China cuts rare earth export quotas" in text and "Zelenskyy presses Washington" in text
    assert "Older rare earth story" not in text  # older than 24 h
    assert set(latest.story_ids) == {seeded["quota"], seeded["talks"]}
    assert text.index("China cuts") < text.index("Zelenskyy presses")  # three outlets before one
    topic = plain(await commands.handle("/summary us-russia", ME))
    assert "Zelenskyy presses" in topic and "China cuts" not in topic
    full = plain(await commands.handle(f"/summary {seeded['quota']}", ME))
    for part in ("3 outlets", "Key figures", "$2.1 billion", "“We will respond” — Wang Wentao", "Wire C"):
        assert part in full
    assert plain(await commands.handle("/summary 99999", ME)).startswith("No story 99999.")


async def test_a_story_in_full_says_when_it_was_published_in_the_chats_zone(
    commands: Commands, store: Store, seeded: dict[str, int]
) -> None:
    # The story's time is its first telling's publication (not when the bot first saw it), read in the chat's zone.
    (story,) = [s for s in await store.stories(datetime.now(UTC) - timedelta(days=1)) if s.id == seeded["quota"]]
    utc = plain(await commands.handle(f"/summary {story.id}", ME))
    assert f"published {story.first_seen:%Y-%m-%d %H:%M} UTC" in utc and "first seen" not in utc
    await commands.handle("/subscribe rare-earths", ME)
    await commands.handle("/timezone Asia/Tokyo", ME)
    tokyo = (story.first_seen.replace(tzinfo=story.first_seen.tzinfo or UTC) + timedelta(hours=9)).replace(tzinfo=None)
    assert f"published {tokyo:%Y-%m-%d %H:%M} JST" in plain(await commands.handle(f"/summary {story.id}", ME))


async def test_summary_of_a_story_retention_pruned_says_it_is_no_longer_kept(store: Store) -> None:
    """/summary 3 for a story retention had deleted answered "No story 3.", as for a number never given: a reader of
    an old digest could not tell the story had been there. Numbers are never given twice (migration 0011), so one at or
    below the last given is a pruned story, even once none is kept; above it, still no story."""
    seed = StorySeeder(store)
    now = datetime.now(UTC)
    old = [await seed.story(f"Old rare earth story {k}", when=now - timedelta(days=100)) for k in range(3)]
    await store.prune(now - timedelta(days=90))
    assert await store.stories(now - timedelta(days=365)) == []  # every story pruned, as after an idle spell

    commands = Commands(store, TOPICS)  # no poll settings given: no number of days
    assert plain(await commands.handle(f"/summary {old[0]}", ME)) == (
        f"Story {old[0]} is no longer kept: it is older than what this bot keeps (poll.retention_days)."
    )
    kept = await seed.story("Lynas expands output", when=now - timedelta(hours=1))
    configured = Commands(store, TOPICS, days_kept=90)
    for pruned in (old[0], old[-1]):
        assert plain(await configured.handle(f"/summary {pruned}", ME)) == (
            f"Story {pruned} is no longer kept: it is older than the 90 days this bot keeps (poll.retention_days)."
        )
    assert "Lynas expands output" in plain(await configured.handle(f"/summary {kept}", ME))
    assert plain(await configured.handle(f"/summary {kept + 1}", ME)).startswith(f"No story {kept + 1}. Story numbers")


@pytest.mark.parametrize(
    ("argument", "answer"),
    [
        ("99999999999999999999", "No story 99999999999999999999."),  # past SQLite's integer range
        ("9" * 5000, "No story " + "9" * 20 + "…."),  # past Python's int-from-string limit
        ("-3", "No story -3."),
        ("0", "No story 0."),
        ("+0000000000000000000000000007", "No story +0000000000000000000…."),
    ],
)
async def test_summary_odd_numbers_are_answered(commands: Commands, argument: str, answer: str) -> None:
    assert plain(await commands.handle(f"/summary {argument}", ME)).startswith(answer)


async def test_summary_of_odd_links_is_answered_without_system_errors(store: Store) -> None:
    async def nowhere(host: str, port: int) -> list:
        import socket

        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    commands = Commands(
        store, TOPICS, fetcher_factory=lambda private: Fetcher(FetchLimits(total_timeout=5), resolver=nowhere)
    )
    label = "a" * 70
    long_host = plain(await commands.handle(f"/summary https://{label}.example.com/x", ME))
    assert long_host == "Can't summarise that link: the link's host name is not valid (too long, or an empty part)."
    huge = plain(await commands.handle("/summary https://example.com/" + "x" * 5000, ME))
    assert huge == "Can't summarise that link: the link is longer than 2048 characters."
    unknown = plain(await commands.handle("/summary https://no-such-site.example/x", ME))
    assert unknown == "Can't summarise that link: there is no site called no-such-site.example"
    # a link pasted without its scheme is a link, not an unknown topic
    bare = plain(await commands.handle("/summary no-such-site.example/x", ME))
    assert bare == "Can't summarise that link: there is no site called no-such-site.example"
    assert "Errno" not in unknown
    async with Fetcher(FetchLimits(total_timeout=5), resolver=nowhere) as fetcher:  # the fetcher itself, too
        result = await fetcher.get(f"https://{'b' * 70}.{'c' * 200}.example/x")
    assert result.error is not None and "is not a valid host name" in result.error
    assert "idna" not in result.error and "unexpected" not in result.error


async def test_misleading_answers_say_what_was_wrong(commands: Commands, seeded: dict[str, int]) -> None:
    # a topic named with a space, as it is read aloud, and two things at once said to be two
    spaced = plain(await commands.handle("/summary rare earths", ME))
    assert spaced.startswith("Latest on rare-earths") or spaced.startswith("No stories on rare-earths")
    two = plain(await commands.handle("/summary 3 https://example.com/a", ME))
    assert two.startswith("Name one topic, one story number or one link.")
    bad_time = plain(await commands.handle("/subscribe rare-earths daily 25:00", ME))
    assert bad_time.startswith("'25:00' is not a time of day; use HH:MM from 00:00 to 23:59.")
    two_topics = plain(await commands.handle("/quotes peskov us-russia rare-earths", ME))
    assert two_topics.startswith("Quotes — peskov · us-russia, rare-earths, last 7 days")
    assert "“Washington is wasting its time”" in two_topics
    none = plain(await commands.handle("/quotes putin us-russia rare-earths", ME))
    assert none == "No quotes by putin on us-russia, rare-earths in the last 7 days."


async def test_admins_re_enable_a_disabled_feed(store: Store) -> None:
    from types import SimpleNamespace

    feeds = [SimpleNamespace(name="Wire A", url="https://a.example/rss", topics=TOPICS, interval=900, enabled=True)]
    await store.sync_feeds(feeds)
    (state,) = await store.feed_health()
    async with store.feed_transaction() as tx:
        failure = FeedFailure(
            status=500,
            error="HTTP 500",
            failures=20,
            backoff=3600.0,
            next_poll_at=datetime.now(UTC),
            disabled_reason="disabled after 20 consecutive failures",
        )
        await tx.record_outcome(1, failure, datetime.now(UTC))
    commands = Commands(store, TOPICS, admin_ids={1001})
    stranger = ChatRef(2002, "private", user_id=2002)
    assert plain(await commands.handle("/enable Wire A", stranger)).startswith("Only the bot's admins")
    assert plain(await commands.handle("/enable", ME)).startswith("Usage: /enable")
    assert "No feed 'wire' in feeds.yaml; did you mean: Wire A?" in plain(await commands.handle("/enable wire", ME))
    status = plain(await commands.handle("/status", ME))
    assert "Wire A — disabled" in status and "Re-enable one: /enable feed name" in status
    assert plain(await commands.handle("/enable wire a", ME)) == "Wire A re-enabled; it is polled in the next cycle."
    (state,) = await store.feed_health()
    assert state.enabled and state.failures == 0
    assert plain(await commands.handle("/enable https://a.example/rss", ME)) == "Wire A is not disabled."


async def test_summary_refuses_non_http_and_private_urls(store: Store) -> None:
    """A refused private address is "not a public address" to a chat user: what an internal name resolves to and the
    operator's ALLOW_PRIVATE_URLS were told to anyone who asked; the bot's admins still see them."""

    async def intranet(host: str, port: int) -> list:
        import ipaddress

        return [ipaddress.ip_address("127.0.0.1")]

    stranger = ChatRef(2002, "private", user_id=2002)
    with LoopbackServer({"/a": Response(200, {"Content-Type": "text/html"}, "<p>x</p>")}) as server:
        commands = Commands(
            store,
            TOPICS,
            admin_ids={1001},
            fetcher_factory=lambda private: Fetcher(FetchLimits(total_timeout=5), resolver=intranet),
        )
        assert "only http:// and https://" in plain(await commands.handle("/summary ftp://example.com/x", ME))
        assert "only http:// and https://" in plain(await commands.handle("/summary file:///etc/passwd", stranger))
        for url in (server.url("/a"), f"http://vm:{server.port}/a"):
            refused = plain(await commands.handle(f"/summary {url}", stranger))
            assert refused == "Can't summarise that link: it is not a public address", refused
            admin = plain(await commands.handle(f"/summary {url}", ME))
            assert "resolves to non-public address 127.0.0.1" in admin and "ALLOW_PRIVATE_URLS" in admin, admin
        assert server.requests == []  # refused before connecting
    redirected = "refused: redirect from a public address to non-public 10.1.2.3 (intranet.example)"
    assert chat_error(redirected, detail=False) == "it is not a public address"
    assert "10.1.2.3" in chat_error(redirected)


@pytest.mark.skipif(importlib.util.find_spec("bot.articles") is None, reason="bot/articles.py not landed yet")
async def test_summary_of_a_url_fetches_extracts_and_analyses(store: Store) -> None:
    paragraphs = [
        "China tightened export quotas for rare earth magnets on Monday, cutting shipments by 12 percent.",
        "The quota covers 40,000 tonnes of neodymium oxide worth $2.1 billion a year, the ministry said.",
        "Analysts expect prices to rise sharply across Asian markets in the coming months.",
        "European carmakers said they were reviewing supply contracts with Chinese producers.",
    ]
    page = (
        "<html><head><title>China cuts quotas</title></head><body><article>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article></body></html>"
    )
    with LoopbackServer({"/story": Response(200, {"Content-Type": "text/html; charset=utf-8"}, page)}) as server:
        commands = Commands(
            store, TOPICS, fetcher_factory=lambda private: Fetcher(FetchLimits(allow_private=True, total_timeout=5))
        )
        reply = await commands.handle(f"/summary {server.url('/story')}", ME)
    text = plain(reply)
    assert "Summary" in text and "12 percent" in text
    assert "$2.1 billion" in text.split("Key figures", 1)[1]
    assert all(check_html(msg) is None for msg in m.split_html(reply.blocks))


@pytest.mark.parametrize(
    ("query", "speaker", "expected"),
    [
        ("zelensky", "Volodymyr Zelenskyy", True),
        ("ZELENSKYI", "Volodymyr Zelenskyy", True),
        ("Volodymyr Zelensky", "Volodymyr Zelenskyy", True),
        ("putin", "Vladimir Putin", True),
        ("jerome powell", "Jérôme Powell", True),
        ("peskov", "Dmitry Peskov", True),
        ("peskow", "Dmitry Peskov", True),  # German transliteration
        ("zelenskiy", "Volodymyr Zelenskyy", True),
        ("lavrov", "Sergei Lavrentiev", False),
        ("john smith", "Jane Smith", False),
        ("trump", "Donald Tusk", False),
        ("putin", None, False),
        # a short name is a whole word, not letters inside another ("xi" in "Maxim", "li" in "Blinken")
        ("xi", "Xi Jinping", True),
        ("xi", "Maxim Reshetnikov", False),
        ("li", "Antony Blinken", False),
        ("kim", "Kim Jong Un", True),
        ("kim", "Joakim Nordin", False),
    ],
)
def test_speaker_matching(query: str, speaker: str | None, expected: bool) -> None:
    assert speaker_matches(query, speaker) is expected


async def test_quotes_grouped_by_speaker_with_forgiving_filter(commands: Commands, seeded: dict[str, int]) -> None:
    everyone = await commands.handle("/quotes", ME)
    speakers = [blk.lines[0][0].text for blk in everyone.blocks[1:]]
    assert speakers == ["Volodymyr Zelenskyy", "Dmitry Peskov", "Wang Wentao", "Jérôme Powell"]  # newest first
    zelensky = await commands.handle("/quotes zelensky", ME)
    text = plain(zelensky)
    assert "Russia must pay for this war" in text and "Peskov" not in text
    assert "Wire B <https://wireb.example/" in text  # the source link
    assert "Powell on rates" in plain(await commands.handle("/quotes jerome powell", ME))
    on_topic = plain(await commands.handle("/quotes peskov rare-earths", ME))
    assert on_topic.startswith("No quotes by peskov on rare-earths")
    assert "Washington is wasting" in plain(await commands.handle("/quotes us-russia", ME))


async def test_quotes_show_a_surname_under_the_one_full_name_it_is(commands: Commands, store: Store) -> None:
    """'Trump' of one story and 'Donald Trump' of another are one heading (the fuller name); 'Clinton' with two full
    names ending in it stays apart, and so does a role ('spokesman')."""
    seed, now = StorySeeder(store), datetime.now(UTC)
    said = [
        ("Donald Trump", "We will make a deal"),
        ("Trump", "Tariffs are coming"),
        ("President Trump", "Nobody has done more"),
        ("Bill Clinton", "It depends"),
        ("Hillary Clinton", "We must stand together"),
        ("Clinton", "Time will tell"),
        ("ministry spokesman", "We do not comment"),
        ("spokesman", "No decision was taken"),
    ]
    for n, (speaker, text) in enumerate(said):
        await seed.story(
            f"Rare earth story {n}", when=now - timedelta(hours=n + 1), quotes=({"text": text, "speaker": speaker},)
        )
    reply = await commands.handle("/quotes", ME)
    headings = [blk.lines[0][0].text for blk in reply.blocks[1:]]
    assert headings == [
        "Donald Trump", "Bill Clinton", "Hillary Clinton", "Clinton", "ministry spokesman", "spokesman"
    ]  # fmt: skip
    trump = plain(await commands.handle("/quotes donald trump", ME))  # the full name finds the surname's quotes too
    assert all(q in trump for q in ("We will make a deal", "Tariffs are coming", "Nobody has done more"))
    assert [blk.lines[0][0].text for blk in (await commands.handle("/quotes trump", ME)).blocks[1:]] == ["Donald Trump"]


async def test_quotes_cover_the_whole_week_on_a_busy_topic(commands: Commands, store: Store) -> None:
    """/quotes promises the last 7 days but read the newest 500 stories a topic, 4.5 days of a busy store: a quote of 6
    days ago was "No quotes by Fairweather … in the last 7 days" (qa16 F8). A quote 8 days old is still not shown."""
    now = datetime.now(UTC)
    seed = StorySeeder(store)
    quote = "We will not sell a single tonne below cost"
    await seed.story("Mine talks", when=now - timedelta(days=6), quotes=({"text": quote, "speaker": "O. Fairweather"},))
    await seed.story("Old talks", when=now - timedelta(days=8), quotes=({"text": "Too old", "speaker": "Fairweather"},))
    async with store.feed_transaction() as tx:  # 600 newer stories on the topic, none quoting anybody
        for n in range(600):
            when = now - timedelta(days=5, minutes=-10 * n)
            await tx.create_story(f"Quota {n}", None, ["rare-earths"], {}, StoryFingerprints(), when, True)
    answer = plain(await commands.handle("/quotes fairweather rare-earths", ME))
    assert quote in answer and "Too old" not in answer, answer


async def test_figures_of_last_day_with_context_and_source(commands: Commands, seeded: dict[str, int]) -> None:
    reply = await commands.handle("/figures", ME)
    text = plain(reply)
    assert "• $2.1 billion — The quota is worth $2.1 billion a year. (Wire A <https://wirea.example/" in text
    assert "$300 billion" in text
    assert "$300 billion" not in plain(await commands.handle("/figures rare-earths", ME))
    assert all(check_html(msg) is None for msg in m.split_html(reply.blocks))


async def test_digest_command_matches_scheduled_and_records_nothing(
    commands: Commands, store: Store, seeded: dict[str, int]
) -> None:
    await commands.handle("/subscribe rare-earths", ME)
    reply = await commands.handle("/digest", ME)
    assert list(reply.story_ids) == [seeded["quota"]]
    text = plain(reply)
    assert "rare-earths: 1 story" in text and "China cuts rare earth export quotas" in text
    (sub,) = await store.subscriptions(ME.chat_id)
    assert [s.id for s in await store.undelivered(sub.id, "digest", datetime.now(UTC) - timedelta(days=1))] == [
        seeded["quota"]
    ]
    again = await commands.handle("/digest", ME)
    assert again.blocks == reply.blocks


async def test_status_shows_counts_and_deactivated_chats_to_admins(
    commands: Commands, store: Store, seeded: dict[str, int]
) -> None:
    await store.subscribe(555, ["rare-earths"])
    for _ in range(3):
        await store.record_send_failure(555, "Forbidden: bot was blocked by the user")
    admin = plain(await commands.handle("/status", ME))
    assert "Stories today:" in admin and "Feeds: 3 — 3 healthy" in admin
    assert "555: Forbidden: bot was blocked by the user" in admin
    other = plain(await commands.handle("/status", ChatRef(1002, "private", user_id=1002)))
    assert "555" not in other and "Feeds: 3" in other


async def test_status_counts_each_feeds_items_once(commands: Commands, store: Store, seeded: dict[str, int]) -> None:
    """/status grouped every item by feed twice, once in Store.status, whose feed counts need the feeds table alone
    (qa16 F5). The answer is the same."""
    from sqlalchemy import event

    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(store.engine.sync_engine, "before_cursor_execute", seen)
    try:
        answer = plain(await commands.handle("/status", ME))
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", seen)
    assert "Feeds: 3 — 3 healthy, 0 failing, 0 disabled" in answer and "Stories today:" in answer, answer
    assert sum("GROUP BY items.feed_id" in s for s in statements) == 1, statements


async def test_status_names_a_feed_a_permanent_redirect_moved(
    commands: Commands, store: Store, seeded: dict[str, int]
) -> None:
    """A moved feed is polled at its new address until feeds.yaml says it; only `coverage-bot feeds` showed it."""
    import sqlalchemy as sa

    from bot.schema import feeds_t

    async with store.engine.begin() as conn:
        name = (await conn.execute(sa.select(feeds_t.c.name).order_by(feeds_t.c.id).limit(1))).scalar_one()
        await conn.execute(feeds_t.update().where(feeds_t.c.name == name).values(url="https://moved.example/rss"))
    status = plain(await commands.handle("/status", ME))
    assert f"{name} — moved permanently to https://moved.example/rss: put it in feeds.yaml" in status, status
    other = plain(await commands.handle("/status", ChatRef(1002, "private", user_id=1002)))
    assert f"{name} — moved permanently" in other and "moved.example" not in other, other


async def test_status_shows_a_failing_feeds_error_to_admins_only(store: Store) -> None:
    """/status told any user each failing feed's raw error: internal host names, the addresses they resolve to, the
    operator's setting, text a server chose. README: only ADMIN_IDS see the details; others see the feed and its state."""
    from types import SimpleNamespace

    error = (
        "refused: vm resolves to non-public address 127.0.0.1 (set ALLOW_PRIVATE_URLS to fetch from local addresses)"
    )
    feeds = [
        SimpleNamespace(
            name="Intranet", url="http://vm:8080/feed?apikey=s3cr3t", topics=TOPICS, interval=900, enabled=True
        )
    ]
    await store.sync_feeds(feeds)
    async with store.feed_transaction() as tx:
        failure = FeedFailure(status=0, error=error, failures=3, backoff=900.0, next_poll_at=datetime.now(UTC))
        await tx.record_outcome(1, failure, datetime.now(UTC))
    commands = Commands(store, TOPICS, admin_ids={1001})
    other = plain(await commands.handle("/status", ChatRef(1002, "private", user_id=1002)))
    assert "Intranet — 3 failures" in other, other
    assert not any(leak in other for leak in ("127.0.0.1", "vm", "ALLOW_PRIVATE_URLS", "s3cr3t")), other
    admin = plain(await commands.handle("/status", ME))
    assert "Intranet — 3 failures: refused: vm resolves to non-public address 127.0.0.1" in admin, admin


async def test_trend_is_a_png_with_caption(commands: Commands, seeded: dict[str, int]) -> None:
    reply = await commands.handle("/trend", ME)
    assert reply.photo is not None and reply.photo.startswith(b"\x89PNG")
    caption = m.block_plain(reply.caption)
    assert "rare-earths: 2 stories" in caption and "us-russia: 1 story" in caption
    assert "(top: Wire A 2" in caption
    assert "rare-earths" not in m.block_plain((await commands.handle("/trend us-russia", ME)).caption)


async def test_trend_charts_the_chats_own_topics_by_their_labels(store: Store, seeded: dict[str, int]) -> None:
    """/trend without a topic charted every configured topic whatever the chat followed, and its caption named them
    by id ("rare-earths") where digests use feeds.yaml's labels. Now: the chat's topics (all when it follows none),
    by label."""
    labelled = Commands(store, TOPICS, topic_names={"rare-earths": "Rare earths & critical minerals"})
    everything = m.block_plain((await labelled.handle("/trend", ME)).caption)
    assert "Rare earths & critical minerals: 2 stories" in everything and "us-russia: 1 story" in everything
    assert "rare-earths" not in everything

    await labelled.handle("/subscribe us-russia", ME)
    followed = m.block_plain((await labelled.handle("/trend", ME)).caption)
    assert "us-russia: 1 story" in followed and "Rare earths" not in followed
    named = m.block_plain((await labelled.handle("/trend rare-earths", ME)).caption)  # a topic named: that one
    assert "Rare earths & critical minerals: 2 stories" in named and "us-russia" not in named
    other_chat = m.block_plain((await labelled.handle("/trend", GROUP)).caption)  # follows nothing: every topic
    assert "Rare earths & critical minerals: 2 stories" in other_chat and "us-russia: 1 story" in other_chat


async def test_an_empty_digest_does_not_speak_of_a_last_digest_there_was_none(commands: Commands) -> None:
    """/digest in a chat that never had one said "No new stories on these topics since the last digest."."""
    unsubscribed = plain(await commands.handle("/digest", ME))
    assert "since the last digest" not in unsubscribed
    assert "No stories on these topics in the last 24 hours. /subscribe for a daily digest." in unsubscribed
    await commands.handle("/subscribe rare-earths", ME)
    subscribed = plain(await commands.handle("/digest", ME))
    assert "No stories on these topics in the last 24 hours." in subscribed and "/subscribe" not in subscribed


async def test_the_digest_shows_the_topics_labels(store: Store, seeded: dict[str, int]) -> None:
    """feeds.yaml's `label` ("shown in digests") was shown nowhere: every digest read "rare-earths: 13 stories"."""
    labelled = Commands(store, TOPICS, topic_names={"rare-earths": "Rare earths & critical minerals"})
    await labelled.handle("/subscribe rare-earths us-russia", ME)
    text = plain(await labelled.handle("/digest", ME))
    assert "Rare earths & critical minerals: 1 story" in text and "rare-earths:" not in text
    assert "us-russia: " in text  # a topic without a label keeps its name
