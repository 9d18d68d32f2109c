"""Sending to Telegram with delivery records: digests, weekly charts and alerts, posted once and retried on failure.

Every scheduled message goes through :meth:`Delivery.deliver`: ``store.begin_delivery`` records the batch
as pending (or says it was already sent, or is being sent by another instance), the messages are sent, each one
answered recorded in the batch before the next goes, and the batch is marked sent or failed. A crash or restart
therefore does not re-post what Telegram answered, and a failed batch is offered again next time. A batch is leased
to the process sending it (renewed while it sends): one whose process died mid-send (SIGKILL) is recovered once its
lease runs out, as sent in part when its first messages were answered, its unsent stories offered to the next batch
(a subscription's alerts, one batch pending at a time, wait for that too). The message in flight at such a kill,
carried out by Telegram but never answered, is the one that can show twice. Telegram's
failures are handled here: RetryAfter waited out, network errors retried with backoff, Forbidden
counted toward deactivating the chat (a deleted or closed forum topic toward deactivating that topic's subscription
only), a group upgraded to a supergroup followed to its new id.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from .clock import local_zone
from .digest import DIGEST_WINDOW, compose_alert, digest_for, trend_reply
from .message import Reply, caption_html, split_html
from .store import DELIVERY_LEASE, WEEKLY_PREFIX

if TYPE_CHECKING:
    from .models import SubscriptionView
    from .store import Store


log = logging.getLogger(__name__)

# Retries of one message on network errors (timeouts, resets): 3 tries over ~7 s, then the batch fails
# and is offered again at the next poll cycle.
NETWORK_RETRIES = 3
NETWORK_BACKOFF = 1.0  # seconds before the first retry, doubled each time
RETRY_AFTER_ROUNDS = 2  # RetryAfter that got through the rate limiter's own 3 retries
# An alert carries the stories the bot found (stored) since the chat's last alert, or in this lookback when that is
# later (what one message had no room for, or a batch that failed, goes in the next), and never a story published
# over ALERT_MAX_AGE before: a day, what a daily digest covers, so a story a 12-hourly feed, a feed in back-off or an
# outlet whose dates lag brings hours late is still alerted, and an archive a feed lists long after is not.
ALERT_LOOKBACK = timedelta(hours=6)
ALERT_MAX_AGE = DIGEST_WINDOW
CATCH_UP_WINDOW = timedelta(hours=12)  # a digest missed by up to this long is sent at start-up / next cycle
DRAIN_TIMEOUT = 20.0  # seconds a shutdown waits for deliveries in progress
# A batch being sent renews its lease this often: a renewal the database takes late (a poll cycle's writes on SQLite
# wait up to 30 s) still lands well within the lease.
LEASE_RENEWAL = DELIVERY_LEASE.total_seconds() / 4
# A Monday chart (its topics, in a time zone, on a local day) is drawn once and sent to every subscription of it whose
# digest comes within this long: it was drawn for each, 1.2-1.6 s apiece on a 90-day store, 500 subscriptions sharing 3
# charts (qa16 F4). One this old can miss what the last minutes' polls added to today's point, as a digest sent that
# much earlier would; the daily counts it shows barely move in that time.
WEEKLY_CHART_REUSE = timedelta(minutes=10)

# Permanent failures: the chat is gone for us (count toward deactivation).
_GONE = (
    "chat not found",
    "bot was kicked",
    "bot is not a member",
    "need administrator rights",
    "have no rights to send",
    "not enough rights",
)
# Permanent failures of one forum topic (deleted, or closed): count toward deactivating the subscriptions posting there,
# never the chat's others.
_TOPIC_GONE = (
    "message thread not found",  # the forum topic a subscription posts to was deleted
    "topic_closed",
    "topic closed",
)


def _gone(exc: BaseException) -> bool:
    """Whether a refusal says the chat, or the forum topic posted to, is gone for us (_GONE, _TOPIC_GONE)."""
    return any(p in str(exc).lower() for p in (*_GONE, *_TOPIC_GONE))


def _topic_gone(exc: BaseException) -> bool:
    """Whether a refusal is of the forum topic posted to only (_TOPIC_GONE): the chat's other topics are fine."""
    return any(p in str(exc).lower() for p in _TOPIC_GONE)


@dataclass(frozen=True)
class Outcome:
    """What happened to one delivery."""

    status: str  # sent | skipped | empty | failed | deactivated
    subscription_id: int
    kind: str
    key: str
    message_ids: tuple[int, ...] = ()
    error: str | None = None


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    """A reply's keyboard as Telegram's inline keyboard."""
    if not reply.keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(btn.text, callback_data=btn.data) for btn in row] for row in reply.keyboard]
    )


def digest_time(sub: SubscriptionView, default_timezone: str) -> time:
    """The subscription's digest time of day, timezone-aware (what JobQueue.run_daily takes)."""
    hh, mm = (int(x) for x in (sub.at or "08:00").split(":"))
    return time(hh, mm, tzinfo=local_zone(sub.timezone, default_timezone))


def digest_slot(sub: SubscriptionView, when: datetime, default_timezone: str) -> datetime:
    """When the subscription's latest digest at or before ``when`` was due (UTC): the slot of a digest job that fired
    then, however late. A day's time is read as zoneinfo reads it (fold 0), as APScheduler fires it: in a DST
    fall-back's repeated hour the first pass (APScheduler 3.11 fires again on the second: the same slot), in a
    spring-forward's skipped hour the hour after."""
    tz = local_zone(sub.timezone, default_timezone)
    at = digest_time(sub, default_timezone).replace(tzinfo=None)
    day = when.astimezone(tz).date()
    today = datetime.combine(day, at, tzinfo=tz).astimezone(UTC)
    return today if today <= when else datetime.combine(day - timedelta(days=1), at, tzinfo=tz).astimezone(UTC)


def digest_key(slot: datetime) -> str:
    """The delivery key of a daily digest: its slot in UTC, '2026-11-23T08:00Z'. A retried or re-fired job keeps it;
    a chat that moves its digest (/timezone, a new time, DEFAULT_TIMEZONE changed) gets the next slot's, never one
    already sent, which its local date was (a move west from Asia/Tokyo to UTC skipped a day: migration 0013)."""
    return f"{slot.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


def weekly_key(now: datetime, tz: ZoneInfo) -> str:
    """The delivery key of a weekly digest: 'weekly-2026-W48'."""
    year, week, _ = now.astimezone(tz).isocalendar()
    return f"{WEEKLY_PREFIX}{year}-W{week:02d}"


class PartlySent(Exception):
    """A reply whose first messages went out and whose next one failed (send_reply): ``sent`` their ids, ``unsent``
    the HTML of the messages that did not go out. Sent again whole, the first ones would show twice."""

    def __init__(self, sent: list[int], unsent: list[str]) -> None:
        super().__init__(f"{len(sent)} messages sent, {len(unsent)} not")
        self.sent, self.unsent = sent, unsent


class MigratedInPart(ChatMigrated):
    """The chat became a supergroup after a reply's first messages went out to it (send_reply): ``sent`` their ids,
    ``done`` how many of the reply's calls were carried out. The rest goes to the supergroup, whose history holds the
    group's: sent again whole, the first ones would show twice."""

    def __init__(self, new_chat_id: int, sent: list[int], done: int) -> None:
        super().__init__(new_chat_id)
        self.sent, self.done = sent, done


def stories_in(reply: Reply, messages: Sequence[str]) -> list[int]:
    """The reply's stories that ``messages`` (some of its HTML messages) carry: their numbers, "<b>N.</b>"."""
    return [sid for sid in reply.story_ids if any(f"<b>{sid}.</b>" in text for text in messages)]


def maybe_delivered(exc: BaseException) -> bool:
    """Whether a failed Bot API call may have been carried out all the same: Telegram had the whole request and did not
    answer in time (a read timeout). A connection or pool timeout, or an error Telegram answered, carried out nothing."""
    return isinstance(exc, TimedOut) and isinstance(exc.__cause__, httpx.ReadTimeout)


class Delivery:
    """Sends replies to chats and scheduled batches to subscriptions, keeping the store's delivery records."""

    def __init__(
        self,
        bot: Any,
        store: Store,
        *,
        default_timezone: str = "UTC",
        network_backoff: float = NETWORK_BACKOFF,
        on_deactivated: Callable[[int], Awaitable[None]] | None = None,
        topic_names: Mapping[str, str] | None = None,
        topics: Sequence[str] | None = None,
    ) -> None:
        self.bot = bot
        self.store = store
        self.default_timezone = default_timezone
        self.topic_names = dict(topic_names or {})  # feeds.yaml's labels, as digests and alerts show them
        self.topics = list(topics) if topics is not None else None  # feeds.yaml's: a digest marks a chat's others
        self.network_backoff = network_backoff
        self.on_deactivated = on_deactivated
        self._locks: dict[int, asyncio.Lock] = {}
        self._inflight: set[asyncio.Task[Any]] = set()
        self._interrupted: dict[asyncio.Task[Any], PartlySent] = {}  # a send cancelled after its first messages
        self._charts: dict[tuple[tuple[str, ...], str, date], tuple[datetime, Reply]] = {}  # when drawn, the chart
        self._charts_lock = asyncio.Lock()  # the day's jobs, run at once, wait for the first's chart, not draw it too
        self.closing = False

    # ------------------------------------------------------------ raw sending

    async def call(self, send: Callable[[], Awaitable[Any]], chat_id: int | str) -> Any:
        """One Bot API call with RetryAfter waited out and network errors retried with backoff."""
        delay = self.network_backoff
        floods = 0
        attempt = 0
        while True:
            try:
                return await send()
            except RetryAfter as exc:
                floods += 1
                if floods > RETRY_AFTER_ROUNDS:
                    raise
                wait = (
                    exc.retry_after.total_seconds()
                    if isinstance(exc.retry_after, timedelta)
                    else float(exc.retry_after)
                )
                log.warning("chat %s: flood control, waiting %.1f s", chat_id, wait)
                await asyncio.sleep(wait)
            except BadRequest:
                raise
            except NetworkError as exc:
                attempt += 1
                if attempt >= NETWORK_RETRIES or maybe_delivered(exc):
                    raise  # (a request Telegram may have carried out is not sent again: send_reply)
                log.warning("chat %s: network error (%s), retry %d in %.1f s", chat_id, exc, attempt, delay)
                await asyncio.sleep(delay)
                delay *= 2

    async def send_reply(
        self,
        chat_id: int,
        reply: Reply,
        *,
        thread_id: int | None = None,
        link_previews: bool = False,
        progress: Callable[[list[int], list[str]], Awaitable[None]] | None = None,
        resume: MigratedInPart | None = None,
    ) -> list[int]:
        """Send a reply (photo with caption first, then the text split to Telegram's limits); message ids.

        ``progress`` is awaited before each message after the first with the ids sent so far and the HTML of the
        messages still to go (a delivery batch records them: its sender may be killed before the next is answered).
        ``resume``: the reply's first messages went to the group ``chat_id`` was upgraded from; the rest is sent.
        Raises ChatMigrated (MigratedInPart after the first message), Forbidden and other Telegram errors.
        """
        ids: list[int] = list(resume.sent) if resume is not None else []
        preview = LinkPreviewOptions(is_disabled=not link_previews)
        messages = split_html(reply.blocks)
        keyboard = markup(reply)
        calls: list[Callable[[], Awaitable[Any]]] = []
        if reply.photo is not None:
            caption = caption_html(reply.caption)
            calls.append(
                lambda: self.bot.send_photo(
                    chat_id,
                    photo=reply.photo,
                    caption=caption,
                    parse_mode=ParseMode.HTML,
                    message_thread_id=thread_id,
                    reply_markup=keyboard if not messages else None,
                )
            )
        for n, text in enumerate(messages):
            calls.append(
                functools.partial(
                    self.bot.send_message,
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    message_thread_id=thread_id,
                    link_preview_options=preview,
                    reply_markup=keyboard if n == len(messages) - 1 else None,
                )
            )
        photos = len(calls) - len(messages)  # a photo goes first, and its caption is no message of the reply's
        for n, call in enumerate(calls, 1):
            if resume is not None and n <= resume.done:
                continue
            unsent = messages[max(n - 1 - photos, 0) :]  # this call's message and the ones after it
            try:
                if progress is not None and n > 1:
                    await progress(list(ids), unsent)
                msg = await self.call(call, chat_id)
            except asyncio.CancelledError:  # a shutdown's drain ran out: what went out is told to _deliver
                if n > 1 and (task := asyncio.current_task()) is not None:
                    self._interrupted[task] = PartlySent(ids, unsent)
                raise
            except ChatMigrated as exc:
                if n > 1:  # the first messages went out to the group: the supergroup shows them already
                    raise MigratedInPart(int(exc.new_chat_id), ids, n - 1) from exc
                raise
            except (BadRequest, Forbidden) as exc:
                if n > 1:  # refused after messages went out: sent in part
                    raise PartlySent(ids, unsent) from exc
                raise  # the chat's own answer: the reply is refused there, whole
            except Exception as exc:
                if maybe_delivered(exc):
                    # Telegram took the request and did not answer in time: sent again, it would show twice
                    log.warning(
                        "chat %s: no answer in time to message %d of %d; taken as delivered", chat_id, n, len(calls)
                    )
                    continue
                if n > 1:  # messages went out before this one: sent again whole, they would show twice
                    raise PartlySent(ids, unsent) from exc
                raise
            ids.append(msg.message_id)
        return ids

    # ------------------------------------------------------------ recorded deliveries

    def _lock(self, subscription_id: int) -> asyncio.Lock:
        return self._locks.setdefault(subscription_id, asyncio.Lock())

    async def deliver(self, sub: SubscriptionView, kind: str, key: str, reply: Reply) -> Outcome:
        """Send a batch once: begin (None: already sent, or being sent by another instance) → send → finish, or fail
        so it is retried next time."""
        if self.closing:
            return Outcome("skipped", sub.id, kind, key, error="shutting down")
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            return await self._deliver(sub, kind, key, reply)
        finally:
            if task is not None:
                self._inflight.discard(task)

    async def _deliver(self, sub: SubscriptionView, kind: str, key: str, reply: Reply) -> Outcome:
        batch = await self.store.begin_delivery(sub.id, kind, key, list(reply.story_ids))
        if batch is None:
            return Outcome("skipped", sub.id, kind, key)
        holder = asyncio.create_task(self._hold(batch), name=f"hold:{batch}")
        try:
            return await self._send_batch(batch, sub, kind, key, reply)
        finally:
            holder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await holder

    async def _hold(self, batch: int) -> None:
        """Renew a batch's lease while it is sent, so no other instance takes it for abandoned."""
        while True:
            await asyncio.sleep(LEASE_RENEWAL)
            try:
                if not await self.store.hold_delivery(batch):
                    return
            except Exception as exc:  # the database busy or away a moment: the next renewal may land
                log.warning("delivery batch %s: lease not renewed (%s)", batch, exc)

    async def recover(self) -> int:
        """Batches a process that died left pending, their lease run out: the stories they did not send go to the
        next batch."""
        recovered = await self.store.recover_deliveries()
        if recovered:
            log.warning("%d delivery batches left pending by a process that stopped; the stories they did not send "
                        "are sent again", recovered)  # fmt: skip
        return recovered

    async def _send_batch(self, batch: int, sub: SubscriptionView, kind: str, key: str, reply: Reply) -> Outcome:
        """Send a begun batch's reply and record how it went (sent, sent in part, failed or interrupted)."""
        chat_id = sub.chat_id

        async def progress(ids: list[int], unsent: list[str]) -> None:
            try:
                await self.store.progress_delivery(batch, ids, stories_in(reply, unsent))
            except Exception as exc:  # not recorded: killed before the next progress, the batch is sent again whole
                log.warning("chat %s: %s %s: progress not recorded (%s)", chat_id, kind, key, exc)

        try:
            try:
                ids = await self.send_reply(chat_id, reply, thread_id=sub.thread_id, progress=progress)
            except ChatMigrated as exc:
                new_id = int(exc.new_chat_id)
                log.info("chat %s was upgraded to supergroup %s: moving its subscriptions", chat_id, new_id)
                await self.store.migrate_chat(chat_id, new_id)
                if not await self.store.hold_delivery(batch):
                    # merged into the subscription the supergroup had already: that one sends its own, as it is set
                    why = f"merged into supergroup {new_id}'s subscription"
                    log.info("chat %s: %s %s not sent: %s", chat_id, kind, key, why)
                    return Outcome("skipped", sub.id, kind, key, error=why)
                chat_id = new_id
                resume = exc if isinstance(exc, MigratedInPart) else None
                ids = await self.send_reply(chat_id, reply, thread_id=sub.thread_id, progress=progress, resume=resume)
        except (Forbidden, BadRequest) as exc:
            await self.store.fail_delivery(batch, str(exc))
            gone = isinstance(exc, Forbidden) or _gone(exc)
            if not gone:
                log.error("chat %s: %s %s refused: %s", chat_id, kind, key, exc)
                return Outcome("failed", sub.id, kind, key, error=str(exc))
            deactivated = await self._count_refusal(sub, chat_id, exc)
            return Outcome("deactivated" if deactivated else "failed", sub.id, kind, key, error=str(exc))
        except PartlySent as exc:  # the first messages went out: the batch is sent, the rest's stories come next time
            cause = exc.__cause__
            error = f"{type(cause).__name__}: {cause}"
            await self._sent_in_part(batch, reply, exc, error, chat_id, f"{kind} {key}")
            gone = isinstance(cause, Forbidden) or (isinstance(cause, BadRequest) and _gone(cause))
            if gone and cause is not None:  # removed or blocked after the first messages: counted as on the first
                await self._count_refusal(sub, chat_id, cause)
            return Outcome("sent", sub.id, kind, key, tuple(exc.sent), error=error)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            partly = self._interrupted.pop(task, None) if task is not None else None
            if partly is None:
                await asyncio.shield(self.store.fail_delivery(batch, "interrupted by shutdown"))
                log.warning("chat %s: %s %s interrupted; will be retried", chat_id, kind, key)
            else:  # its first messages went out: sent, as PartlySent is
                done = self._sent_in_part(batch, reply, partly, "interrupted by shutdown", chat_id, f"{kind} {key}")
                await asyncio.shield(done)
            raise
        except Exception as exc:  # network down after retries, Telegram errors: retried next time
            await self.store.fail_delivery(batch, f"{type(exc).__name__}: {exc}")
            log.warning("chat %s: %s %s failed (%s); will be retried", chat_id, kind, key, exc)
            return Outcome("failed", sub.id, kind, key, error=str(exc))
        await self.store.finish_delivery(batch, ids)
        await self.store.record_send_success(chat_id, sub.id)
        log.info("chat %s: %s %s sent (%d messages)", chat_id, kind, key, len(ids))
        return Outcome("sent", sub.id, kind, key, tuple(ids))

    async def _count_refusal(self, sub: SubscriptionView, chat_id: int, exc: BaseException) -> bool:
        """Count a refusal that says we cannot post (_gone) toward deactivation: the subscription's alone when its forum
        topic was deleted or closed (the chat's other topics go on), else the chat's. True when it deactivated."""
        if _topic_gone(exc):
            deactivated = await self.store.record_topic_failure(sub.id, str(exc))
            where = f"chat {chat_id} forum topic {sub.thread_id}"
        else:
            deactivated = await self.store.record_send_failure(chat_id, str(exc))
            where = f"chat {chat_id}"
        log.warning("%s: cannot post (%s)%s", where, exc, "; deactivated" if deactivated else "")
        if deactivated and self.on_deactivated is not None:
            await self.on_deactivated(chat_id)
        return deactivated

    async def _sent_in_part(
        self, batch: int, reply: Reply, partly: PartlySent, error: str, chat_id: int, what: str
    ) -> None:
        """A batch whose first messages went out is sent; the stories of the messages that did not go out (their
        numbers "<b>N.</b>") are offered to the next batch."""
        unsent = stories_in(reply, partly.unsent)
        await self.store.finish_delivery(batch, partly.sent, unsent=unsent, error=error)
        log.warning(
            "chat %s: %s sent in part (%d messages; %d stories left for the next): %s",
            chat_id, what, len(partly.sent), len(unsent), error,
        )  # fmt: skip

    async def send_digest(
        self, sub: SubscriptionView, now: datetime, scheduled: datetime | None = None
    ) -> list[Outcome]:
        """The daily digest due at `scheduled` (default: now), and on Mondays the weekly chart; each at most once."""
        tz = local_zone(sub.timezone, self.default_timezone)
        when = scheduled or now
        outcomes = []
        async with self._lock(sub.id):
            key = digest_key(digest_slot(sub, when, self.default_timezone))
            blocks, ids, updates = await digest_for(
                self.store,
                sub,
                now,
                default_timezone=self.default_timezone,
                topic_names=self.topic_names,
                configured=self.topics,
            )
            if ids or updates:  # new stories, or known ones other outlets have told since the last digest
                reply = Reply(blocks=tuple(blocks), story_ids=tuple(ids))
                outcomes.append(await self.deliver(sub, "digest", key, reply))
            else:  # nothing new: recorded as sent with no message, so a catch-up does not post it late
                batch = await self.store.begin_delivery(sub.id, "digest", key, [])
                if batch is not None:
                    await self.store.finish_delivery(batch, [])
                outcomes.append(Outcome("empty" if batch is not None else "skipped", sub.id, "digest", key))
            if outcomes[-1].status in ("failed", "deactivated"):
                return outcomes  # the chat refused the digest: the weekly chart waits for the retry too
            if when.astimezone(tz).weekday() == 0:
                # a digest skipped was sent, or is being sent by another instance (or its killed sender's lease runs
                # yet): the chart follows the digest, never comes before it or without it
                if outcomes[-1].status == "skipped" and not await self.store.delivery_done(
                    sub.id, "digest", key, pending=False
                ):
                    return outcomes
                # as it is now: its group may have become a supergroup meanwhile (the subscription moved to the new id,
                # or merged into the one the supergroup had, which sends its own chart)
                current = await self.store.subscription(sub.id)
                if current is None or not current.active:
                    return outcomes
                weekly = await self._weekly_chart(current, when, now, tz)
                outcomes.append(weekly or Outcome("skipped", sub.id, "digest", weekly_key(when, tz)))
        return outcomes

    async def _weekly_chart(self, sub: SubscriptionView, when: datetime, now: datetime, tz: ZoneInfo) -> Outcome | None:
        """The weekly chart of the Monday digest due at ``when``, sent once; None when it went out already (the chart
        is not drawn again for nothing)."""
        key = weekly_key(when, tz)
        if await self.store.delivery_done(sub.id, "digest", key):
            return None
        return await self.deliver(sub, "digest", key, await self._chart(sub.topics, now, tz))

    async def _chart(self, topics: Sequence[str], now: datetime, tz: ZoneInfo) -> Reply:
        """The weekly chart of ``topics`` as of ``now`` in ``tz``: drawn again only when none of theirs was drawn that
        local day within WEEKLY_CHART_REUSE."""
        key = (tuple(topics), str(tz), now.astimezone(tz).date())
        async with self._charts_lock:
            self._charts = {k: c for k, c in self._charts.items() if abs(now - c[0]) <= WEEKLY_CHART_REUSE}
            if key not in self._charts:
                chart = await trend_reply(self.store, list(topics), now, tz, weekly=True, topic_names=self.topic_names)
                self._charts[key] = (now, chart)
            return self._charts[key][1]

    async def send_alerts(self, now: datetime) -> list[Outcome]:
        """New on-topic stories to every alert subscription (found since it subscribed and since its last alert, not
        stale: ALERT_LOOKBACK, ALERT_MAX_AGE): at most one message per chat per poll cycle (and the
        stories of a batch a dead process left pending, once its lease ran out). A chat whose alerts another instance
        is sending, or sent since they were read here, is skipped: the next cycle reads what is left."""
        await self.recover()
        outcomes = []
        for sub in await self.store.subscriptions(active=True, deliverable=True):
            if sub.mode != "alerts":
                continue
            async with self._lock(sub.id):
                last = await self.store.last_delivery(sub.id, "alert")
                found = now - ALERT_LOOKBACK if last is None else min(last, now - ALERT_LOOKBACK)
                stories = await self.store.undelivered(sub.id, "alert", now - ALERT_MAX_AGE, found_after=found)
                if not stories:
                    continue
                blocks, ids = compose_alert(stories, topic_names=self.topic_names, topics=sub.topics)
                reply = Reply(blocks=tuple(blocks), story_ids=tuple(ids))
                outcomes.append(await self.deliver(sub, "alert", "alert", reply))
        return outcomes

    def latest_due(self, sub: SubscriptionView, now: datetime) -> datetime | None:
        """The subscription's most recent digest time (today's or yesterday's) when within the catch-up window."""
        tz = local_zone(sub.timezone, self.default_timezone)
        local = now.astimezone(tz)
        at = digest_time(sub, self.default_timezone).replace(tzinfo=None)
        scheduled = datetime.combine(local.date(), at, tzinfo=tz)
        if scheduled > local:
            scheduled = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=tz)
        return scheduled if local - scheduled <= CATCH_UP_WINDOW else None

    async def catch_up(self, now: datetime) -> list[Outcome]:
        """Send digests whose time passed while the bot was down (or whose send failed, or whose batch a dead process
        left pending): once, never twice. A digest due before the chat chose its time was never missed."""
        await self.recover()
        outcomes: list[Outcome] = []
        for sub in await self.store.subscriptions(active=True, deliverable=True):
            if sub.mode != "daily":
                continue
            scheduled = self.latest_due(sub, now)
            if scheduled is None:
                continue
            last = await self.store.last_delivery(sub.id, "digest")
            if last is not None and last >= scheduled:
                # the digest went out; on a Monday the weekly chart may not have (a failed send is retried)
                tz = local_zone(sub.timezone, self.default_timezone)
                if scheduled.astimezone(tz).weekday() == 0:
                    weekly = await self._weekly_chart(sub, scheduled, now, tz)
                    outcomes.extend([weekly] if weekly is not None else [])
                continue
            if not await self._missed(sub, scheduled):
                continue
            outcomes.extend(await self.send_digest(sub, now, scheduled))
        return outcomes

    async def _missed(self, sub: SubscriptionView, scheduled: datetime) -> bool:
        """Whether the unsent digest due at ``scheduled`` was missed: due after the subscription's time was set (a chat
        subscribing after today's chosen time gets its first digest at that time, not at once), or tried since it was
        due (a failed send, a batch its dead sender left, of this slot or of the time the chat had before: retried
        whatever changed since)."""
        if sub.changed_at is None or scheduled >= sub.changed_at:
            return True
        return await self.store.delivery_tried(sub.id, "digest", scheduled)

    async def drain(self, timeout: float = DRAIN_TIMEOUT, hurry: asyncio.Event | None = None) -> None:
        """Stop starting deliveries and let those in progress finish; past `timeout`, or once ``hurry`` is set (a
        second Ctrl-C), they are failed (retried later)."""
        self.closing = True
        tasks = [t for t in self._inflight if t is not asyncio.current_task() and not t.done()]
        if not tasks:
            return
        pending: set[asyncio.Task[Any]] = set(tasks)
        hurried = asyncio.ensure_future(hurry.wait()) if hurry is not None else None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while pending and loop.time() < deadline and not (hurry is not None and hurry.is_set()):
                waiting: set[asyncio.Future[Any]] = {*pending, *([hurried] if hurried is not None else [])}
                await asyncio.wait(waiting, timeout=deadline - loop.time(), return_when=asyncio.FIRST_COMPLETED)
                pending = {t for t in pending if not t.done()}
        finally:
            if hurried is not None:
                hurried.cancel()
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)


def summarize_outcomes(outcomes: Sequence[Outcome]) -> dict[str, int]:
    """Counts by status, for logs."""
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    return counts
