"""A small HTTP/1.1 server on 127.0.0.1 for integration tests, able to misbehave on purpose.

Routes map a path (without the query string) to a canned `Response`, a `(status, headers, body)` tuple, or a
handler `async def handler(request, conn) -> Response | None` that may write to the socket itself: stall, trickle,
reset the connection, stream a body chunk by chunk. Unmatched paths go to `default` (404 unless given).

    with LoopbackServer({"/feed": (200, {"Content-Type": "application/xml"}, b"<rss/>")}) as server:
        httpx.get(server.url("/feed"))
        server.requests[0].headers["user-agent"]

The server runs its own event loop in a daemon thread, so sync and async tests can use it alike and a test's loop
never blocks it. Every connection is closed after one response (`Connection: close`) unless `keep_alive=True`, which
serves requests on a connection until the client closes it; `connections` counts the connections accepted. Port 0:
the OS picks a port; `host` may be any loopback address (127.0.0.2 is another host to a client's per-host limits).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
import struct
import threading
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

Body = bytes | str | Iterable[bytes] | AsyncIterable[bytes]


@dataclass(frozen=True)
class Request:
    """One request as the server received it."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-case names
    body: bytes
    received_at: float  # time.monotonic() when the request line arrived

    @property
    def route(self) -> str:
        return self.path.split("?", 1)[0]


@dataclass
class Response:
    """A canned answer: a body given whole (Content-Length) or as chunks (chunked unless `content_length` is set)."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Body = b""
    content_length: int | None = None  # declare this length for an iterable body (may lie)
    delay: float = 0.0  # seconds before the status line
    chunk_delay: float = 0.0  # seconds between body chunks


class Connection:
    """The raw connection a handler may drive by hand."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, keep_alive: bool = False) -> None:
        self.reader = reader
        self.writer = writer
        self.keep_alive = keep_alive
        self.head_sent = False

    async def send_head(self, status: int, headers: Mapping[str, str] | None = None) -> None:
        """Write the status line and headers (adds `Connection: close` unless the server keeps connections alive)."""
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Unknown"
        lines = [f"HTTP/1.1 {status} {reason}"]
        names = set()
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
            names.add(name.lower())
        if "connection" not in names and not self.keep_alive:
            lines.append("Connection: close")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        self.head_sent = True
        await self.writer.drain()

    async def send(self, data: bytes) -> None:
        """Write raw bytes and wait until the socket accepted them."""
        self.writer.write(data)
        await self.writer.drain()

    async def send_chunk(self, data: bytes) -> None:
        """Write one chunk of a chunked body (empty data ends the body)."""
        await self.send(b"%x\r\n%s\r\n" % (len(data), data) if data else b"0\r\n\r\n")

    async def trickle(self, data: bytes, interval: float) -> None:
        """Write `data` one byte at a time, `interval` seconds apart."""
        for i in range(len(data)):
            await self.send(data[i : i + 1])
            await asyncio.sleep(interval)

    async def stall(self, seconds: float = 3600.0) -> None:
        """Keep the connection open and say nothing (cancelled when the server stops)."""
        await asyncio.sleep(seconds)

    def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0, then close)."""
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


Handler = Callable[[Request, Connection], Awaitable[Response | None] | Response | None]
Route = Response | tuple[int, Mapping[str, str], Body] | Handler


class LoopbackServer:
    """A threaded asyncio HTTP server on 127.0.0.1:0 serving `routes`; a context manager."""

    def __init__(
        self,
        routes: Mapping[str, Route] | None = None,
        default: Route | None = None,
        *,
        keep_alive: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.default: Route = default or Response(404, {"Content-Type": "text/plain"}, b"not found")
        self.requests: list[Request] = []
        self.keep_alive = keep_alive
        self.connections = 0  # accepted so far
        self.open_connections = 0  # accepted and not yet closed by either side
        self.host = host
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._active = 0
        self.max_active = 0  # the most requests in flight at once, for concurrency limits

    def url(self, path: str = "/") -> str:
        """The absolute URL of `path` on this server."""
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, route: Route) -> None:
        """Add or replace a route while the server runs."""
        self.routes[path] = route

    def __enter__(self) -> LoopbackServer:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def start() -> None:
            self._server = await asyncio.start_server(self._handle, self.host, 0)
            self.port = self._server.sockets[0].getsockname()[1]

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="loopback-http", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("loopback server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        loop = self._loop
        if loop is None:
            return

        async def stop() -> None:
            assert self._server is not None
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        assert self._thread is not None
        self._thread.join(10)
        loop.close()
        self._loop = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        conn = Connection(reader, writer, self.keep_alive)
        self.connections += 1
        self.open_connections += 1
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                self.requests.append(request)
                self._active += 1
                self.max_active = max(self.max_active, self._active)
                try:
                    await self._answer(request, conn)
                finally:
                    self._active -= 1
                if not self.keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client went away: expected when it stops reading an oversized body
        except asyncio.CancelledError:
            pass  # the server is stopping; end quietly (asyncio logs a cancelled connection callback)
        finally:
            self.open_connections -= 1
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                if not writer.transport.is_closing():
                    writer.close()

    async def _answer(self, request: Request, conn: Connection) -> None:
        route = self.routes.get(request.route, self.default)
        if callable(route) and not isinstance(route, Response):
            result = route(request, conn)
            if inspect.isawaitable(result):
                result = await result
            if result is None:
                return
            route = result
        response = route if isinstance(route, Response) else Response(*route)
        await _write_response(conn, response)


def redirect(location: str, status: int = 302) -> Response:
    """A redirect to `location` (absolute, relative or any scheme)."""
    return Response(status, {"Location": location}, b"")


def stall(seconds: float = 3600.0, after_head: bool = False) -> Handler:
    """A handler that says nothing for `seconds` (after the headers when `after_head`)."""

    async def handler(request: Request, conn: Connection) -> None:
        if after_head:
            await conn.send_head(200, {"Content-Type": "application/xml", "Content-Length": "100"})
        await conn.stall(seconds)

    return handler


def trickle(body: bytes, interval: float = 1.0) -> Handler:
    """A handler that sends `body` (with its Content-Length) one byte every `interval` seconds."""

    async def handler(request: Request, conn: Connection) -> None:
        await conn.send_head(200, {"Content-Type": "application/xml", "Content-Length": str(len(body))})
        await conn.trickle(body, interval)

    return handler


def reset(partial: bytes | None = None) -> Handler:
    """A handler that resets the connection at once, or after the headers and `partial` body bytes."""

    async def handler(request: Request, conn: Connection) -> None:
        if partial is not None:
            await conn.send_head(200, {"Content-Type": "application/xml", "Content-Length": str(len(partial) * 10)})
            await conn.send(partial)
        conn.reset()

    return handler


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    head = await reader.readuntil(b"\r\n\r\n")
    received = time.monotonic()
    lines = head.decode("latin-1").split("\r\n")
    if not lines or not lines[0]:
        return None
    method, path, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = b""
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(p[:-2] for p in parts)
    return Request(method, path, headers, body, received)


async def _write_response(conn: Connection, response: Response) -> None:
    if response.delay:
        await asyncio.sleep(response.delay)
    headers = dict(response.headers)
    names = {name.lower() for name in headers}
    body = response.body
    if isinstance(body, str):
        body = body.encode("utf-8")
    if isinstance(body, bytes):
        if "content-length" not in names:
            headers["Content-Length"] = str(len(body))
        await conn.send_head(response.status, headers)
        await conn.send(body)
        return
    chunked = response.content_length is None and "content-length" not in names
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
    elif "content-length" not in names:
        headers["Content-Length"] = str(response.content_length)
    await conn.send_head(response.status, headers)
    async for chunk in _aiter(body):
        if not chunk:
            continue
        await (conn.send_chunk(chunk) if chunked else conn.send(chunk))
        if response.chunk_delay:
            await asyncio.sleep(response.chunk_delay)
    if chunked:
        await conn.send_chunk(b"")


async def _aiter(body: Iterable[bytes] | AsyncIterable[bytes]) -> AsyncIterable[bytes]:
    if isinstance(body, AsyncIterable):
        async for chunk in body:
            yield chunk
    else:
        for chunk in body:
            yield chunk
            await asyncio.sleep(0)
