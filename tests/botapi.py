"""A small Telegram Bot API server on loopback for tests: records every call, answers like Telegram, fails on demand.

The real python-telegram-bot Application reaches it through ``base_url``
(``http://127.0.0.1:PORT/bot``; PTB appends ``<token>/<method>``). Tests inject updates (served by
``getUpdates`` long polling), queue canned failures (429 with ``retry_after``, 403 Forbidden, group
migrated to a supergroup) and wait for the calls they expect. Messages are checked the way Telegram
checks them: HTML must parse with the allowed tags, at most 4096 UTF-16 units and 100 entities; an edit
that changes neither the text nor the keyboard is refused ("message is not modified").
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "123456:TEST-token-never-logged"
BOT_ID = 123456
BOT_USERNAME = "coverage_test_bot"

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "blockquote",
    "span",
}
_JSON_FIELDS = {
    "reply_markup",
    "commands",
    "allowed_updates",
    "entities",
    "caption_entities",
    "link_preview_options",
    "reply_parameters",
    "scope",
}


# Telegram's answer to an edit that leaves the message as it was
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a "
    "current content and reply markup of the message"
)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _TelegramHTML(HTMLParser):
    """Parses a message the way Telegram's HTML parse mode accepts it, collecting text and entities."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.entities = 0
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.errors.append(f"unsupported start tag <{tag}>")
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            self.errors.append("span without class tg-spoiler")
        if tag == "a" and not (dict(attrs).get("href") or "").startswith(("http://", "https://", "tg://")):
            self.errors.append("a without a valid href")
        self.stack.append(tag)
        self.entities += 1

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected end tag </{tag}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_html(text: str, limit: int = 4096) -> str | None:
    """Why Telegram would refuse this HTML message, or None when it is acceptable."""
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.stack:
        parser.errors.append(f"unclosed tags {parser.stack}")
    if parser.errors:
        return "can't parse entities: " + "; ".join(parser.errors)
    if utf16_len(text) > limit:  # stricter than Telegram (which counts the text after parsing)
        return "message is too long"
    if parser.entities > 100:
        return f"too many entities ({parser.entities})"
    return None


def html_text(text: str) -> str:
    """The visible text of an HTML message."""
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    return "".join(parser.text)


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    status: int = 0  # the HTTP status answered; 0 while the answer is still being held

    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None


@dataclass
class Failure:
    """A canned error answer for the next matching call."""

    method: str
    status: int
    description: str
    parameters: dict[str, Any] | None = None
    chat_id: int | None = None
    times: int = 1
    after: int = 0  # matching calls answered as usual first


class FakeBotAPI:
    """The server: ``await start()`` then ``base_url``; ``add_update`` / ``fail_next`` / ``wait_for``."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.failures: list[Failure] = []
        self.admins: dict[int, set[int]] = {}  # chat id -> user ids that are administrators
        self.chats: dict[str, dict[str, Any]] = {}  # "@username" -> chat object
        self.delays: dict[str, float] = {}  # method -> seconds to hold the answer (a slow Telegram)
        # (chat id, message id) -> what a text message the bot sent shows: text, parse mode, keyboard (edits compare)
        self.shown: dict[tuple[int, int], tuple[Any, ...]] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self._closing = False
        self.port = 0

    # ------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> FakeBotAPI:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        self._closing = True
        await self._notify()  # a held getUpdates answers now
        if self._server is not None:
            self._server.close()
            for writer in list(self._connections):
                writer.close()
            await self._server.wait_closed()

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------ test controls

    def add_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update = {"update_id": next(self._update_ids), **update}
        self.updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update["update_id"]

    def command(
        self,
        text: str,
        *,
        chat_id: int = 1001,
        user_id: int = 1001,
        chat_type: str = "private",
        thread_id: int | None = None,
        title: str | None = None,
        edited: bool = False,
        photo: bool = False,
    ) -> int:
        """Inject a message (a command gets its bot_command entity) from a user in a chat; ``edited``: the message
        after its sender edited it (edited_message), ``photo``: a photo with `text` as its caption."""
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Tester"
        else:
            chat["title"] = title or f"Chat {chat_id}"
        message: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat}
        message["caption" if photo else "text"] = text
        if photo:
            message["photo"] = [{"file_id": "ph1", "file_unique_id": "uph1", "width": 90, "height": 60}]
        if edited:
            message["edit_date"] = int(time.time())
        if chat_type != "channel":
            message["from"] = {"id": user_id, "is_bot": False, "first_name": "Tester"}
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        if text.startswith("/"):
            length = len(text.split()[0])
            entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(text[:length])}]
            message["caption_entities" if photo else "entities"] = entities
        key = "channel_post" if chat_type == "channel" else "message"
        return self.add_update({f"edited_{key}" if edited else key: message})

    def migrate(self, group_id: int, supergroup_id: int, *, user_id: int = 1001) -> None:
        """Inject what Telegram sends when a group is upgraded to a supergroup: a service message in the old group
        (migrate_to_chat_id), then one in the new supergroup (migrate_from_chat_id)."""
        user = {"id": user_id, "is_bot": False, "first_name": "Tester"}
        for chat, told in (
            ({"id": group_id, "type": "group", "title": "Group"}, {"migrate_to_chat_id": supergroup_id}),
            ({"id": supergroup_id, "type": "supergroup", "title": "Group"}, {"migrate_from_chat_id": group_id}),
        ):
            message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat, "from": user}
            self.add_update({"message": {**message, **told}})

    def press(
        self, data: str, message: Call | dict[str, Any], *, user_id: int = 1001, chat_type: str | None = None
    ) -> int:
        """Inject a callback query: the user pressed the button with `data` under a message the bot sent (in a
        channel, a post the channel signs: its sender is the channel)."""
        sent = message.params if isinstance(message, Call) else message
        chat_id = int(sent["chat_id"])
        chat = {"id": chat_id, "type": chat_type or ("private" if chat_id > 0 else "group"), "title": "x"}
        msg = {
            "message_id": int(sent.get("message_id", 0)) or int(sent.get("_message_id", 0)),
            "date": int(time.time()),
            "chat": chat,
            "text": sent.get("text", ""),
        }
        if chat["type"] == "channel":
            msg["sender_chat"] = chat
        else:
            msg["from"] = {"id": BOT_ID, "is_bot": True, "first_name": "Bot"}
        query = {
            "id": str(next(self._update_ids) + 500000),
            "from": {"id": user_id, "is_bot": False, "first_name": "Tester"},
            "chat_instance": "ci",
            "data": data,
            "message": msg,
        }
        return self.add_update({"callback_query": query})

    def member_update(self, chat_id: int, new_status: str, *, chat_type: str = "group", user_id: int = 1001) -> int:
        """Inject my_chat_member: the bot's status in a chat changed (added, kicked, left)."""
        bot = {"id": BOT_ID, "is_bot": True, "first_name": "Bot", "username": BOT_USERNAME}
        old = {"status": "member" if new_status in ("kicked", "left") else "left", "user": bot}
        new: dict[str, Any] = {"status": new_status, "user": bot}
        if new_status == "kicked":
            new["until_date"] = 0
        return self.add_update(
            {
                "my_chat_member": {
                    "chat": {"id": chat_id, "type": chat_type, "title": f"Chat {chat_id}"},
                    "from": {"id": user_id, "is_bot": False, "first_name": "Tester"},
                    "date": int(time.time()),
                    "old_chat_member": old,
                    "new_chat_member": new,
                }
            }
        )

    def fail_next(
        self, method: str, kind: str, *, chat_id: int | None = None, times: int = 1, after: int = 0, **params: Any
    ) -> None:
        """Answer the next `times` calls of `method` (to `chat_id`, if given), once `after` more went through, with a
        canned error (`after=1`: a reply's second message fails, its first went out).

        kind: "flood" (429, retry_after), "forbidden" (403, blocked), "kicked" (403), "migrated" (400,
        migrate_to_chat_id), "bad" (400), "server" (500), "conflict" (409: another getUpdates consumer).
        """
        if kind == "flood":
            failure = Failure(
                method,
                429,
                f"Too Many Requests: retry after {params.get('retry_after', 1)}",
                {"retry_after": params.get("retry_after", 1)},
            )
        elif kind == "forbidden":
            failure = Failure(method, 403, "Forbidden: bot was blocked by the user")
        elif kind == "kicked":
            failure = Failure(method, 403, "Forbidden: bot was kicked from the group chat")
        elif kind == "migrated":
            failure = Failure(
                method,
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": params["new_chat_id"]},
            )
        elif kind == "bad":
            failure = Failure(method, 400, params.get("description", "Bad Request: chat not found"))
        elif kind == "server":
            failure = Failure(method, 500, "Internal Server Error")
        elif kind == "conflict":
            failure = Failure(
                method,
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            )
        else:
            raise ValueError(kind)
        failure.chat_id = chat_id
        failure.times = times
        failure.after = after
        self.failures.append(failure)

    def calls_to(self, method: str, chat_id: int | None = None, *, ok: bool = True) -> list[Call]:
        """Recorded calls of a method (to a chat), only the successful ones unless ok=False."""
        return [
            c
            for c in self.calls
            if c.method == method and (chat_id is None or c.chat_id() == chat_id) and (not ok or c.status == 200)
        ]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [c.params.get("text", "") for c in self.calls_to("sendMessage", chat_id)]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        chat_id: int | None = None,
        where: Callable[[Call], bool] | None = None,
        ok: bool = True,
        timeout: float = 10.0,
    ) -> list[Call]:
        """Wait until at least `count` calls of `method` (matching; successful unless ok=False) were recorded."""

        def matching() -> list[Call]:
            return [c for c in self.calls_to(method, chat_id, ok=ok) if where is None or where(c)]

        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(lambda: len(matching()) >= count)
        return matching()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------ HTTP

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    break
                _verb, target, _version = request_line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    raw = await reader.readline()
                    if raw in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = raw.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await self._read_body(reader, headers)
                status, payload = await self._dispatch(target, headers, body)
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(writer)
            writer.close()

    @staticmethod
    async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await reader.readline()).split(b";")[0].strip(), 16)
                if size == 0:
                    await reader.readline()
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readline()
            return b"".join(chunks)
        length = int(headers.get("content-length", "0") or 0)
        return await reader.readexactly(length) if length else b""

    @staticmethod
    def _parse(headers: dict[str, str], body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
        ctype = headers.get("content-type", "")
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        if ctype.startswith("application/json"):
            params = json.loads(body or b"{}")
        elif ctype.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body
            )
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                if part.get_filename() is not None:
                    files[str(name)] = payload
                else:
                    params[str(name)] = payload.decode("utf-8")
        elif body:
            params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        for key in _JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                params[key] = json.loads(params[key])
        return params, files

    async def _dispatch(self, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not target.startswith(prefix):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        method = target[len(prefix) :].split("?")[0]
        params, files = self._parse(headers, body)
        call = Call(method, params, files)
        self.calls.append(call)
        await self._notify()
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        status, payload = await self._answer(call)
        call.status = status
        if "result" in payload and isinstance(payload["result"], dict) and "message_id" in payload["result"]:
            call.params["_message_id"] = payload["result"]["message_id"]
        await self._notify()
        return status, payload

    def _take_failure(self, call: Call) -> Failure | None:
        for failure in self.failures:
            if failure.method == call.method and failure.chat_id in (None, call.chat_id()):
                if failure.after > 0:
                    failure.after -= 1
                    return None
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.remove(failure)
                return failure
        return None

    def _message(self, call: Call, **extra: Any) -> dict[str, Any]:
        chat_id = call.chat_id() or 0
        chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if chat_id < 0:
            chat["title"] = f"Chat {chat_id}"
        msg: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot", "username": BOT_USERNAME},
        }
        if "message_thread_id" in call.params:
            msg["message_thread_id"] = int(call.params["message_thread_id"])
        msg.update(extra)
        return msg

    async def _answer(self, call: Call) -> tuple[int, dict[str, Any]]:
        failure = self._take_failure(call)
        if failure is not None:
            payload: dict[str, Any] = {"ok": False, "error_code": failure.status, "description": failure.description}
            if failure.parameters:
                payload["parameters"] = failure.parameters
            return failure.status, payload
        p = call.params
        if call.method == "getUpdates":
            return 200, {"ok": True, "result": await self._get_updates(p)}
        if call.method == "getMe":
            return 200, {
                "ok": True,
                "result": {
                    "id": BOT_ID,
                    "is_bot": True,
                    "first_name": "Coverage",
                    "username": BOT_USERNAME,
                    "can_join_groups": True,
                    "can_read_all_group_messages": False,
                    "supports_inline_queries": False,
                },
            }
        if call.method in ("deleteWebhook", "setWebhook", "setMyCommands", "answerCallbackQuery", "deleteMyCommands"):
            return 200, {"ok": True, "result": True}
        if call.method in ("sendMessage", "editMessageText"):
            problem = check_html(p.get("text", "")) if p.get("parse_mode") == "HTML" else None
            if problem is None and not p.get("text"):
                problem = "message text is empty"
            if problem:
                return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {problem}"}
            extra = {"text": html_text(p["text"]) if p.get("parse_mode") == "HTML" else p["text"]}
            shown = (p["text"], p.get("parse_mode"), p.get("reply_markup"))
            if call.method == "editMessageText" and "message_id" in p:
                key = (call.chat_id() or 0, int(p["message_id"]))
                if self.shown.get(key) == shown:  # as Telegram: an edit must change the text or the keyboard
                    return 400, {"ok": False, "error_code": 400, "description": NOT_MODIFIED}
                self.shown[key] = shown
                extra["message_id"] = int(p["message_id"])
                msg = self._message(call, **extra)
                msg["message_id"] = int(p["message_id"])
                return 200, {"ok": True, "result": msg}
            msg = self._message(call, **extra)
            self.shown[(call.chat_id() or 0, msg["message_id"])] = shown
            return 200, {"ok": True, "result": msg}
        if call.method == "sendPhoto":
            caption = p.get("caption", "")
            if caption and p.get("parse_mode") == "HTML":
                problem = check_html(caption, limit=1024)
                if problem:
                    return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {problem}"}
            if not call.files.get("photo", b"").startswith(b"\x89PNG"):
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: photo is not a PNG upload"}
            photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 800, "height": 480}]
            return 200, {"ok": True, "result": self._message(call, photo=photo, caption=html_text(caption))}
        if call.method == "getChatMember":
            chat_id, user_id = int(p["chat_id"]), int(p["user_id"])
            user = {"id": user_id, "is_bot": user_id == BOT_ID, "first_name": "U"}
            if user_id in self.admins.get(chat_id, set()):
                member = {
                    "status": "administrator",
                    "user": user,
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_messages": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                }
            else:
                member = {"status": "member", "user": user}
            return 200, {"ok": True, "result": member}
        if call.method == "getChat":
            ref = str(p["chat_id"])
            chat = self.chats.get(ref) or next((c for c in self.chats.values() if str(c["id"]) == ref), None)
            if chat is None:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            return 200, {"ok": True, "result": {**chat, "accent_color_id": 0, "max_reaction_count": 11}}
        return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: method {call.method} not faked"}

    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        if offset:  # like Telegram: an offset confirms every earlier update, which is then forgotten
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        timeout = min(float(p.get("timeout") or 0), 2.0)  # short: PTB polls again; tests stay quick

        def pending() -> list[dict[str, Any]]:
            return [u for u in self.updates if u["update_id"] >= offset]

        if not pending() and timeout > 0:
            try:
                async with asyncio.timeout(timeout), self._changed:
                    await self._changed.wait_for(lambda: bool(pending()) or self._closing)
            except TimeoutError:
                pass
        return pending()[: int(p.get("limit") or 100)]


# ---------------------------------------------------------------- store fixtures (through the store's public API)


async def alerts_since(store: Any, when: Any) -> None:
    """Every subscription takes alerts from ``when`` (subscriptions.alerts_since), as if made then: a test stores its
    stories at the times it chooses, and a chat is alerted only to what the bot found after it subscribed."""
    from bot.schema import subscriptions_t

    async with store.engine.begin() as conn:
        await conn.execute(subscriptions_t.update().values(alerts_since=when))


class StorySeeder:
    """Puts stories into a real Store through its public API: feeds synced, items added, stories analysed."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.feeds: dict[str, Any] = {}
        self._links = itertools.count(1)

    async def _feed_ids(self, outlets: tuple[str, ...], topics: tuple[str, ...]) -> dict[str, int]:
        from datetime import UTC, datetime, timedelta

        from bot.models import FeedSpec

        for outlet in outlets:
            slug = "".join(ch for ch in outlet.lower() if ch.isalnum())
            self.feeds.setdefault(outlet, FeedSpec(outlet, f"https://{slug}.example/rss", topics))
        await self.store.sync_feeds(list(self.feeds.values()))
        owner = "seeder"
        leased = await self.store.lease_due_feeds(owner, datetime.now(UTC) + timedelta(days=3650), 1)
        await self.store.release_feeds(owner)
        return {f.name: f.id for f in leased}

    async def story(
        self,
        title: str,
        topics: tuple[str, ...] = ("rare-earths",),
        *,
        outlets: tuple[str, ...] = ("Wire A",),
        when: Any = None,
        alertable: bool = True,
        summary: tuple[str, ...] = (),
        figures: tuple[dict[str, Any], ...] = (),
        quotes: tuple[dict[str, Any], ...] = (),
        seen: Any = None,
    ) -> int:
        """One story covered by `outlets`, with the given analysis; returns its id. ``seen``: when the bot stored its
        items (default: when it was published)."""
        from datetime import UTC, datetime

        from bot.models import ItemKey, NewItem, StoryAnalysis, StoryFingerprints, title_key

        when = when or datetime.now(UTC)
        ids = await self._feed_ids(outlets, topics)
        links = {o: f"https://{o.lower().replace(' ', '')}.example/{next(self._links)}" for o in outlets}
        terms = {t: [t.split("-")[0]] for t in topics}
        async with self.store.feed_transaction() as tx:
            story = None
            for outlet in outlets:
                link = links[outlet]
                item = NewItem(
                    key=ItemKey(identity=link, guid=link, link=link, title_key=title_key(title, when)),
                    title=title,
                    summary=summary[0] if summary else title,
                    published_at=when,
                    alertable=alertable,
                    topics=topics,
                    terms=terms,
                )
                (item_id,) = await tx.add_items(ids[outlet], [item], seen or when)
                if story is None:
                    story = await tx.create_story(
                        title, link, topics, terms, StoryFingerprints(), seen or when, alertable, happened=when
                    )
                await tx.set_item_stories([(item_id, story.id)])
        first = links[outlets[0]]
        analysis = StoryAnalysis.from_json(
            {
                "summary": [{"text": s, "outlet": outlets[0], "link": first} for s in summary],
                "figures": [{"outlet": outlets[0], "link": first, "kind": "money", "key": True, **f} for f in figures],
                "quotes": [{"outlet": outlets[-1], "link": links[outlets[-1]], **q} for q in quotes],
            }
        )
        await self.store.set_story_analysis(story.id, analysis, None)
        return story.id
