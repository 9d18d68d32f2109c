"""Thin python-telegram-bot v22 wiring: Application, handlers, JobQueue scheduling, the error handler, run_bot().

What a command answers is decided in :mod:`bot.commands`; how it is sent (and recorded) in
:mod:`bot.delivery`. This module only turns updates into calls of those two and schedules the jobs:
the poll cycle (first run at start-up, alerts and missed digests delivered after each cycle) and one
daily digest job per subscription at its own time and timezone, rebuilt from the store at start-up
because PTB does not persist jobs. The commands that talk to Telegram (`run`, `poll --once` with a token: bot.app)
come through :func:`serve` and :func:`send_alerts_once`, which sort PTB's errors into a UserError or
TelegramUnreachable, so no other module handles Telegram's types.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from datetime import time as dt_time
from typing import TYPE_CHECKING, Any, cast

from telegram import Bot, BotCommand, Message, MessageEntity, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from .commands import COMMANDS, ChatRef, Commands, PlatformUnreachable
from .delivery import DRAIN_TIMEOUT, Delivery, PartlySent, digest_time, markup, summarize_outcomes
from .errors import UserError
from .message import Reply, split_html, text_reply
from .webhook import WebhookConfig

if TYPE_CHECKING:
    from .settings import Config, Settings
    from .store import Store


log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3  # AIORateLimiter(max_retries): RetryAfter answers waited out and retried
POLLING_TIMEOUT = 30  # seconds of long polling per getUpdates
# Seconds between poll cycles. A cycle only fetches the feeds that are due (each has its own interval), so a
# short tick costs one small query when nothing is due; 60 s is the poller's own longest sleep.
DEFAULT_POLL_INTERVAL = 60.0
RUNTIME = "coverage"  # key of the Runtime in application.bot_data
KNOWN = frozenset(c.name for c in COMMANDS)
# Updates taken at once (PerChatUpdates). PTB takes a slot before a chat's lock, so one chat's queued updates hold
# slots while they wait: this many leaves room for every other chat unless one chat sends hundreds at once.
CONCURRENT_UPDATES = 1024
# Telegram's 400 answer to an edit that would leave a message as it is ("Bad Request: message is not modified: ...")
NOT_MODIFIED = "message is not modified"
# Sent after a command's reply whose first messages went out and whose next one could not be sent (reply_to)
CUT_SHORT = (
    "The rest of this answer could not be sent (Telegram did not take it). Send the command again for all of it."
)


class PerChatUpdates(BaseUpdateProcessor):
    """Updates of different chats handled at once, one chat's in the order they came: a /summary of a slow page, or a
    chat's flood wait, does not hold every other chat's answers (PTB's default handles one update at a time)."""

    def __init__(self, max_concurrent_updates: int = CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}  # chat id -> (its lock, updates holding or awaiting it)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._chats.get(chat.id, (asyncio.Lock(), 0))
        self._chats[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._chats[chat.id]
            if users > 1:
                self._chats[chat.id] = (lock, users - 1)
            else:
                del self._chats[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


# Logged once when Telegram answers getUpdates with 409 Conflict: another process polls with this token
CONFLICT_MESSAGE = (
    "another process is taking this bot's updates (Telegram: Conflict): run one `coverage-bot run` per bot token; "
    "`coverage-bot poll` workers may run beside it"
)


class PollingErrors:
    """The updater's error_callback for long polling: PTB's default logs each failed getUpdates as an ERROR with a
    traceback, every few seconds while a second `run` on the token takes the updates, naming no cause. A Conflict is
    one WARNING saying why, then DEBUG; any other error stays an ERROR with its traceback, as PTB logged it."""

    def __init__(self) -> None:
        self.conflicts = 0

    def __call__(self, error: TelegramError) -> None:
        if isinstance(error, Conflict):
            self.conflicts += 1
            level = logging.WARNING if self.conflicts == 1 else logging.DEBUG
            log.log(level, "%s (%s)", CONFLICT_MESSAGE, error)
            return
        log.error("polling for updates failed: %s: %s", type(error).__name__, error, exc_info=error)


def missing_token_message() -> str:
    """What to do when TELEGRAM_BOT_TOKEN is not set."""
    return (
        "TELEGRAM_BOT_TOKEN is not set, so the bot cannot connect to Telegram.\n"
        "  1. In Telegram, open @BotFather, send /newbot and follow the steps; it replies with a token.\n"
        "  2. export TELEGRAM_BOT_TOKEN='<that token>' and run `coverage-bot run` again.\n"
        "To see what the bot does without Telegram, run `coverage-bot demo` (or `coverage-bot console`)."
    )


class MissingToken(RuntimeError):
    """No bot token configured; the message says how to get one."""


class TokenFilter(logging.Filter):
    """Replaces a secret with ``mask`` in log records: the bot token (httpx and PTB put request URLs, with the token, in
    messages) or the webhook secret (PTB logs setWebhook's parameters, secret_token included, at DEBUG). A record
    whose arguments hold it is logged as its masked message, so no handler or formatter sees the arguments."""

    def __init__(self, token: str, mask: str = "<token>") -> None:
        super().__init__()
        self.token = token
        self.mask = mask

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.token:
            return True
        message = record.getMessage()
        if self.token in message or (record.args and self.token in repr(record.args)):
            record.msg = message.replace(self.token, self.mask)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, self.mask)
        return True


def protect_token(token: str, mask: str = "<token>") -> None:
    """Keep the token (or another secret, shown as ``mask``) out of every log handler, and quieten httpx's
    per-request lines (they carry the URL)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    flt = TokenFilter(token, mask)
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, TokenFilter) and f.token == token for f in handler.filters):
            handler.addFilter(flt)
    for name in ("telegram", "httpx", "apscheduler", "bot", ""):
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenFilter) and f.token == token for f in logger.filters):
            logger.addFilter(flt)


@dataclass
class Runtime:
    """What the handlers and jobs share, kept in application.bot_data."""

    store: Store
    commands: Commands
    delivery: Delivery
    poll: Callable[[], Awaitable[Any]] | None
    poll_interval: float
    default_timezone: str
    poll_task: asyncio.Task[Any] | None = None
    poll_owner: str | None = None  # lease owner of the default poll cycle, released on stop
    stopping: bool = False  # set as stop() begins: no poll cycle starts after it (the drain is bounded)
    cycles: int = 0
    last_outcomes: list[Any] = field(default_factory=list)


def runtime(context: ContextTypes.DEFAULT_TYPE | Application) -> Runtime:
    app = context if isinstance(context, Application) else context.application
    return app.bot_data[RUNTIME]


# What a command answers when Telegram could not tell who is an admin or which chat @name is (a 5xx, a timeout, the
# network down, flood control past the retries): the sender's rights are unknown, not refused
UNREACHABLE = "Couldn't reach Telegram to check; try again."


class TelegramPlatform:
    """Chat facts from the Bot API: admins (getChatMember), channels by @name (getChat). Telegram's refusal (400, 403)
    is an answer (no, none); a network error, retried as a delivery retries, raises PlatformUnreachable."""

    def __init__(self, bot: Any, call: Callable[[Callable[[], Awaitable[Any]], int | str], Awaitable[Any]]) -> None:
        self.bot = bot
        self.call = call  # Delivery.call: RetryAfter waited out, network errors retried with backoff

    async def _ask(self, request: Callable[[], Awaitable[Any]], chat: int | str, what: str) -> Any:
        """One question to the Bot API: its answer, None when Telegram refused it (logged), or PlatformUnreachable."""
        try:
            return await self.call(request, chat)
        except (BadRequest, Forbidden) as exc:  # (PTB's BadRequest is a NetworkError: an answer, caught first)
            log.info("chat %s: %s refused: %s", chat, what, exc)
            return None
        except (NetworkError, RetryAfter) as exc:
            log.warning("chat %s: %s failed, the command is answered 'try again': %s", chat, what, exc)
            raise PlatformUnreachable(UNREACHABLE) from exc
        except TelegramError as exc:  # (a ChatMigrated group, say): no answer to use
            log.info("chat %s: %s failed: %s", chat, what, exc)
            return None

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        member = await self._ask(
            lambda: self.bot.get_chat_member(chat_id, user_id), chat_id, f"getChatMember {user_id}"
        )
        return member is not None and member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)

    async def resolve_chat(self, ref: str) -> ChatRef | None:
        chat = await self._ask(lambda: self.bot.get_chat(ref), ref, "getChat")
        return ChatRef(chat.id, chat.type, title=chat.title or chat.username) if chat is not None else None

    async def bot_can_post(self, chat_id: int) -> bool:
        member = await self._ask(lambda: self.bot.get_chat_member(chat_id, self.bot.id), chat_id, "own rights")
        if member is None:
            return False
        if member.status == ChatMemberStatus.OWNER:
            return True
        if member.status != ChatMemberStatus.ADMINISTRATOR:
            return False
        return getattr(member, "can_post_messages", None) is not False


def chat_ref(update: Update) -> ChatRef:
    """Where an update came from, with the forum topic (message_thread_id) kept."""
    chat = update.effective_chat
    message = update.effective_message
    user = update.effective_user
    thread = message.message_thread_id if message is not None and message.is_topic_message else None
    sender_chat = getattr(message, "sender_chat", None) if message is not None else None
    return ChatRef(
        chat_id=chat.id if chat else 0,
        chat_type=chat.type if chat else "private",
        thread_id=thread,
        user_id=user.id if user else None,
        title=(chat.title or chat.username) if chat else None,
        sender_is_chat=chat is not None
        and (chat.type == ChatType.CHANNEL or (sender_chat is not None and sender_chat.id == chat.id)),
    )


# ---------------------------------------------------------------- handlers


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any command, typed or a media caption's: answered by commands.py, as HTML in the same chat (and forum topic).

    Edited messages are not answered (build_application), whatever they became: an edit is no new request, and
    answering one would run a /subscribe again or post a second /summary whenever a typo was fixed hours later."""
    message = update.effective_message
    if message is None or (text := command_text(message)) is None:
        return
    if not addressed_to_us(text, context.bot.username, message.chat.type):
        return
    rt = runtime(context)
    ref = chat_ref(update)
    try:
        reply = await rt.commands.handle(text, ref)
    except Exception:  # a bug must not leave the user unanswered, nor show them a system error
        log.exception("chat %s: answering %r failed", ref.chat_id, text[:200])
        reply = text_reply("Sorry, something went wrong answering that. The bot's admins can see what in its log.")
    await reply_to(rt, ref.chat_id, reply, thread_id=ref.thread_id)


async def reply_to(rt: Runtime, chat_id: int, reply: Reply, *, thread_id: int | None = None) -> None:
    """Send a command's reply. Telegram failing it (the user blocked the bot, the network down past the retries) is one
    WARNING with the chat id, not on_error's traceback: nothing to fix here, nobody to tell. A reply cut short after
    its first messages ends with a notice saying so, if Telegram takes it; the log says how many parts went. A refused
    request (400: our HTML, a chat gone) is left to on_error: that is a bug or a state to see whole."""
    try:
        await rt.delivery.send_reply(chat_id, reply, thread_id=thread_id)
    except PartlySent as exc:
        cause = exc.__cause__
        total = len(exc.sent) + len(exc.unsent)
        level = logging.ERROR if isinstance(cause, BadRequest) else logging.WARNING
        log.log(
            level,
            "chat %s: reply cut short after %d of %d messages: %s: %s",
            chat_id,
            len(exc.sent),
            total,
            type(cause).__name__,
            cause,
            exc_info=cause if level == logging.ERROR else None,
        )
        if isinstance(cause, Forbidden):  # blocked meanwhile: no notice can go
            return
        try:
            await rt.delivery.send_reply(chat_id, text_reply(CUT_SHORT), thread_id=thread_id)
        except TelegramError as again:
            log.warning("chat %s: the notice that the reply was cut short was not sent either: %s", chat_id, again)
    except BadRequest:
        raise
    except (Forbidden, NetworkError, RetryAfter) as exc:  # TimedOut is a NetworkError
        log.warning("chat %s: reply not sent: %s: %s", chat_id, type(exc).__name__, exc)


def command_text(message: Message) -> str | None:
    """A message's command line: its text, or its caption when that starts with a command (a photo sent with
    '/summary 1'; Telegram marks a caption's commands as it marks a text's, and PTB's CommandHandler reads text only)."""
    if message.text:
        return message.text
    entities = message.caption_entities
    if message.caption and entities and entities[0].type == MessageEntity.BOT_COMMAND and entities[0].offset == 0:
        return message.caption
    return None


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text that is no command, in a private chat: answered with how to ask (commands.py); not an edit of it (the
    first answer said how already; on_command says why edits are not answered)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    rt = runtime(context)
    ref = chat_ref(update)
    await reply_to(rt, ref.chat_id, await rt.commands.handle(message.text, ref), thread_id=ref.thread_id)


def addressed_to_us(text: str, username: str | None, chat_type: str) -> bool:
    """Whether to answer: not '/cmd@otherbot'; in groups an unknown command only when it names this bot."""
    name, _, bot = text.split(maxsplit=1)[0][1:].partition("@")
    if bot:
        return bool(username) and bot.lower() == str(username).lower()
    return chat_type == ChatType.PRIVATE or name.lower() in KNOWN


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline-keyboard press: answered with answerCallbackQuery, the message edited to show the new state."""
    query = update.callback_query
    if query is None:
        return
    rt = runtime(context)
    # A press is a person's, whoever posted the message it is under (in a channel, the channel: any reader sees it).
    ref = replace(chat_ref(update), sender_is_chat=False)
    pressed = await rt.commands.press(query.data or "", ref)
    try:
        await query.answer(pressed.notice)
    except TelegramError as exc:  # only the notice is lost ("query is too old": it waited out a restart): edit still
        log.info("chat %s: button %r: the notice %r was not shown: %s", ref.chat_id, query.data, pressed.notice, exc)
    if pressed.reply is not None and pressed.reply.blocks:
        text = split_html(pressed.reply.blocks)[0]
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup(pressed.reply))
        except TelegramError as exc:
            if isinstance(exc, BadRequest) and NOT_MODIFIED in str(exc).lower():
                # a second press of the button already shown as chosen: Telegram refuses an edit that changes nothing
                log.debug("chat %s: button %r changed nothing on the message", ref.chat_id, query.data)
            else:  # the message was deleted meanwhile, the network failed: the change is made all the same
                log.warning("chat %s: button %r: the message was not updated: %s", ref.chat_id, query.data, exc)


async def on_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added to or removed from a chat: greet a group, stop delivering to a chat that removed it."""
    change = update.my_chat_member
    if change is None:
        return
    rt = runtime(context)
    chat = change.chat
    status = change.new_chat_member.status
    if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
        log.info("chat %s: the bot was removed (%s); deactivating its subscriptions", chat.id, status)
        await rt.store.deactivate_chat(chat.id, f"bot removed from the chat ({status})")
        await reschedule(context.application)
    elif status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR) and chat.type in (
        ChatType.GROUP,
        ChatType.SUPERGROUP,
    ):
        old = change.old_chat_member.status
        if old in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
            reply = await rt.commands.handle("/start", ChatRef(chat.id, chat.type, title=chat.title))
            await reply_to(rt, chat.id, reply)


async def on_migration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: its subscriptions move to the new chat id at once, not when a send is refused.

    Telegram posts a service message in each (migrate_to_chat_id in the old group, migrate_from_chat_id in the new
    supergroup, where it comes before anything said there); either is enough, and the later one (or a ChatMigrated
    answer to a send, bot.delivery) finds nothing left to move (Store.migrate_chat)."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    rt = runtime(context)
    moved = await rt.store.migrate_chat(old, new)
    if moved:
        log.info("chat %s was upgraded to supergroup %s: %d subscriptions moved", old, new, moved)
        await reschedule(context.application)  # a subscription merged into the supergroup's loses its job


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed update or job with its chat id (the token is filtered out of every log record)."""
    chat_id = None
    if isinstance(update, Update) and update.effective_chat is not None:
        chat_id = update.effective_chat.id
    error = context.error
    where = f"chat {chat_id}" if chat_id is not None else ("job" if context.job else "update")
    log.error("%s: %s: %s", where, type(error).__name__, error, exc_info=error)


# ---------------------------------------------------------------- jobs


async def digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A subscription's daily digest time came: send it (and on Mondays the weekly chart)."""
    rt = runtime(context)
    sub_id, at = cast(tuple[int, dt_time], context.job.data) if context.job else (None, None)
    sub = next((s for s in await rt.store.subscriptions(active=True) if s.id == sub_id), None)
    if sub is None or sub.mode != "daily":
        return
    if digest_time(sub, rt.default_timezone) != at:  # changed outside Telegram (`coverage-bot subscribe`)
        await reschedule(context.application)  # its time now; the catch-up sends it when that time has come
        return
    try:
        outcomes = await rt.delivery.send_digest(sub, datetime.now(UTC))
    except asyncio.CancelledError:
        if rt.delivery.closing:  # a shutdown's drain gave up on it: recorded failed, retried at the next start (the
            return  # job scheduler logged the cancellation as an ERROR with a traceback)
        raise
    log.info("digest for chat %s: %s", sub.chat_id, summarize_outcomes(outcomes))


async def poll_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One poll cycle, then its alerts (one message per chat at most), then digests missed or failed earlier."""
    rt = runtime(context)
    if rt.stopping:  # a tick during stop's drain: a cycle started now would be waited for by the job queue's stop
        return
    if rt.poll is not None:
        rt.poll_task = asyncio.ensure_future(rt.poll())
        try:
            await rt.poll_task
        except asyncio.CancelledError:
            if rt.delivery.closing:
                return
            raise
        except Exception:
            log.exception("poll cycle failed")
        finally:
            rt.poll_task = None
    rt.cycles += 1
    now = datetime.now(UTC)
    try:
        outcomes = await rt.delivery.send_alerts(now)
        outcomes += await rt.delivery.catch_up(now)
    except asyncio.CancelledError:
        if rt.delivery.closing:  # as digest_job: what the drain gave up on is retried at the next start
            return
        raise
    rt.last_outcomes = outcomes
    if outcomes:
        log.info("cycle %d deliveries: %s", rt.cycles, summarize_outcomes(outcomes))


async def reschedule(app: Application) -> int:
    """(Re)build one run_daily job per active daily subscription, at its time in its timezone."""
    rt = runtime(app)
    jq = app.job_queue
    if jq is None:
        return 0
    subs = [s for s in await rt.store.subscriptions(active=True, deliverable=True) if s.mode == "daily"]
    # No await from here on: two reschedules never interleave their removals and additions.
    for job in jq.jobs():
        if job.name and job.name.startswith("digest:"):
            job.schedule_removal()
    for sub in subs:
        at = digest_time(sub, rt.default_timezone)
        jq.run_daily(digest_job, time=at, name=f"digest:{sub.id}", data=(sub.id, at))
    return len(subs)


async def set_commands(app: Application) -> None:
    """Register the commands (shown in Telegram's menu) with setMyCommands."""
    await app.bot.set_my_commands([BotCommand(c.name, c.description) for c in COMMANDS])


# ---------------------------------------------------------------- building and running


def build_application(
    settings: Settings,
    store: Store,
    config: Config,
    *,
    poll: Callable[[], Awaitable[Any]] | None = None,
    poll_interval: float | None = None,
    network_backoff: float | None = None,
) -> Application:
    """The PTB Application with our handlers and a Runtime in bot_data; jobs are scheduled by start()."""
    token_secret = getattr(settings, "telegram_bot_token", None)
    token = token_secret.get_secret_value() if token_secret is not None else ""
    if not token:
        raise MissingToken(missing_token_message())
    protect_token(token)
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(PerChatUpdates())
        .build()
    )
    topics = list(config.topics)

    def fetcher(private: bool) -> Any:
        """/summary URL's fetcher: ALLOW_PRIVATE_URLS (meant for feeds) only for an admin's link (`private`)."""
        from .fetch import Fetcher, fetch_limits

        return Fetcher(fetch_limits(config, allow_private=settings.allow_private_urls if private else False))

    async def changed(chat_id: int) -> None:
        await reschedule(app)

    async def deactivated(chat_id: int) -> None:
        await reschedule(app)

    delivery_kwargs: dict[str, Any] = {}
    if network_backoff is not None:
        delivery_kwargs["network_backoff"] = network_backoff
    delivery = Delivery(
        app.bot,
        store,
        default_timezone=settings.default_timezone,
        on_deactivated=deactivated,
        topic_names=config.topic_names(),
        topics=topics,
        **delivery_kwargs,
    )
    commands = Commands(
        store,
        topics,
        admin_ids=settings.admin_ids,
        default_timezone=settings.default_timezone,
        platform=TelegramPlatform(app.bot, delivery.call),
        fetcher_factory=fetcher,
        on_change=changed,
        topic_names=config.topic_names(),
        days_kept=config.poll.days_kept,
    )
    interval = poll_interval or DEFAULT_POLL_INTERVAL
    app.bot_data[RUNTIME] = Runtime(store, commands, delivery, poll, interval, settings.default_timezone)

    # new messages and posts only: an edited one is not answered again (on_command says why)
    updates = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
    app.add_handler(CommandHandler([c.name for c in COMMANDS], on_command, filters=updates))
    app.add_handler(MessageHandler(filters.COMMAND & updates, on_command))  # unknown commands: one-line answer
    app.add_handler(MessageHandler(filters.CaptionEntity(MessageEntity.BOT_COMMAND) & updates, on_command))
    # words without a command, in a private chat: how to ask (in groups, people talk to each other)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & updates, on_text))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migration))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(on_error)
    return app


async def start(app: Application, *, polling: bool = True, webhook: WebhookConfig | None = None) -> None:
    """Initialise, register commands, schedule digests and the poll cycle (first run now), then take updates:
    long polling, or with ``webhook`` a listener Telegram posts to (setWebhook with the secret token)."""
    await app.initialize()
    rt = runtime(app)
    try:
        await set_commands(app)
    except TelegramError as exc:
        log.warning("setMyCommands failed: %s", exc)
    jobs = await reschedule(app)
    await app.start()
    assert app.job_queue is not None
    app.job_queue.run_repeating(
        poll_job, interval=rt.poll_interval, first=0.01, name="poll"
    )  # 0 means "interval" to PTB
    log.info("bot started: %d digest jobs, poll every %.0f s", jobs, rt.poll_interval)
    if webhook is not None and app.updater is not None:
        protect_token(webhook.secret, "<webhook secret>")  # PTB logs setWebhook's parameters at DEBUG
        await app.updater.start_webhook(
            listen=webhook.host,
            port=webhook.port,
            url_path=re.escape(webhook.url_path.lstrip("/")),  # a pattern to PTB: "/tg+hook" is that path, literally
            webhook_url=webhook.url,
            secret_token=webhook.secret,  # requests without it get 403 and are never handled
            allowed_updates=Update.ALL_TYPES,
        )
        log.info("webhook: listening on %s:%d%s for %s", webhook.host, webhook.port, webhook.url_path, webhook.url)
    elif polling and app.updater is not None:
        await app.updater.start_polling(
            timeout=POLLING_TIMEOUT, allowed_updates=Update.ALL_TYPES, error_callback=PollingErrors()
        )


async def stop(app: Application, *, drain_timeout: float = DRAIN_TIMEOUT, hurry: asyncio.Event | None = None) -> None:
    """Stop polling, let deliveries in progress finish (or record them failed: past ``drain_timeout``, or once
    ``hurry`` is set), stop jobs, shut down. The running poll cycle is cancelled and none starts after this begins."""
    rt = runtime(app)
    rt.stopping = True
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if rt.poll_task is not None and not rt.poll_task.done():
        rt.poll_task.cancel()
    await rt.delivery.drain(drain_timeout, hurry)
    if app.running:
        await app.stop()
    await app.shutdown()
    if rt.poll_owner is not None:
        await rt.store.release_feeds(rt.poll_owner)


def default_poll(config: Config, store: Store, settings: Settings) -> tuple[Callable[[], Awaitable[Any]], str]:
    """The real poll cycle (bot.poller.poll_once) with one lease owner for this process, and that owner."""
    from .fetch import fetch_limits
    from .poller import PollOptions, default_owner, poll_once
    from .retention import prune_old

    owner = default_owner(settings.instance_id)
    limits = fetch_limits(config, allow_private=settings.allow_private_urls)
    options = PollOptions.from_config(config)

    async def cycle() -> Any:
        report = await poll_once(config, store, limits=limits, owner=owner, options=options)
        await prune_old(store, config.poll.days_kept)  # the quiet moment after a cycle
        log.info(
            "poll: %d feeds due, %d new items, %d on topic, %d stories new",
            report.feeds_due,
            report.new_items,
            report.on_topic,
            report.stories_created,
        )
        return report

    return cycle, owner


async def run_bot(
    settings: Settings,
    store: Store,
    config: Config,
    *,
    poll: Callable[[], Awaitable[Any]] | None = None,
    stop_event: asyncio.Event | None = None,
    webhook: WebhookConfig | None = None,
) -> None:
    """Run until SIGTERM / Ctrl-C (or `stop_event`): long polling (or ``webhook``), the poll cycle, digests, alerts."""
    owner = None
    if poll is None:
        poll, owner = default_poll(config, store, settings)
    app = build_application(settings, store, config, poll=poll)
    runtime(app).poll_owner = owner
    stop_event = stop_event or asyncio.Event()
    hurry = asyncio.Event()

    def interrupted() -> None:
        """The first SIGINT / SIGTERM stops the bot; a second stops waiting for deliveries in progress (a user's
        second Ctrl-C was ignored while a digest finished, up to DRAIN_TIMEOUT): they are recorded failed and retried
        at the next start."""
        if not stop_event.is_set():
            stop_event.set()
        elif not hurry.is_set():
            hurry.set()
            log.warning("interrupted again: deliveries in progress stop now and are retried at the next start")

    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, interrupted)
            installed.append(sig)
    try:
        await start(app, webhook=webhook)
        await stop_event.wait()
        log.info(
            "stopping: finishing deliveries in progress (up to %.0f s; interrupt again to stop now)", DRAIN_TIMEOUT
        )
    finally:
        await stop(app, hurry=hurry)
        for sig in installed:
            loop.remove_signal_handler(sig)


REJECTED_TOKEN = "Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?); get the token from @BotFather"


class TelegramUnreachable(Exception):
    """Telegram could not be reached (a network error, a timeout): worth trying again later; the message says why."""


async def serve(
    settings: Settings,
    store: Store,
    config: Config,
    *,
    poll: Callable[[], Awaitable[Any]],
    stop_event: asyncio.Event,
    webhook: WebhookConfig | None = None,
) -> None:
    """run_bot for `run`, its failure to start sorted: a rejected token or a refused start (setWebhook, getUpdates) is
    a UserError, as the same again gets the same answer; an outage is TelegramUnreachable, for `run` to retry."""
    try:
        await run_bot(settings, store, config, poll=poll, stop_event=stop_event, webhook=webhook)
    except InvalidToken:  # its message holds the token: never printed
        raise UserError(REJECTED_TOKEN) from None
    except (BadRequest, Forbidden) as exc:  # an answer, not an outage (PTB's BadRequest is a NetworkError)
        raise UserError(_refused(exc, webhook)) from None
    except NetworkError as exc:  # TimedOut is one too: Telegram unreachable, or a network blip
        raise TelegramUnreachable(str(exc)) from exc


def _refused(exc: Exception, webhook: WebhookConfig | None) -> str:
    """`run`'s one line for Telegram refusing its start (setWebhook, getUpdates): PTB's BadRequest is a NetworkError,
    and was retried for ever as "Telegram unreachable"."""
    if webhook is not None:
        return f"Telegram refused --webhook-url {webhook.url}: {exc} (check the URL, its port and its certificate)"
    return f"Telegram refused to start the bot: {exc}"


async def send_alerts_once(settings: Settings, store: Store, topic_names: dict[str, str]) -> int:
    """Send this cycle's alerts through the Bot API and return the messages sent (`poll --once`: cron and tests). A
    rejected token is a UserError; Telegram unreachable is TelegramUnreachable, raised before any alert is taken (a
    later run sends them: what the bot found since the chat's last alert, published within delivery.ALERT_MAX_AGE)."""
    token = settings.require_token()
    protect_token(token)
    bot = Bot(token, base_url=settings.telegram_base_url, base_file_url=settings.telegram_base_file_url)
    try:
        async with bot:  # (getMe first: the token is checked before any alert is taken)
            delivery = Delivery(bot, store, default_timezone=settings.default_timezone, topic_names=topic_names)
            outcomes = await delivery.send_alerts(datetime.now(UTC))
    except InvalidToken:  # its message holds the token: never printed
        raise UserError(REJECTED_TOKEN) from None
    except NetworkError as exc:
        raise TelegramUnreachable(str(exc)) from exc
    return summarize_outcomes(outcomes).get("sent", 0)
