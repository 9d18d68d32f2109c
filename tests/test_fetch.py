"""bot.fetch against a real loopback server that misbehaves on purpose."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import ipaddress
import itertools
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpcore
import pytest
from loopback import Connection, LoopbackServer, Request, Response, redirect, reset, stall, trickle

import bot.fetch as fetch_module
from bot.fetch import Fetcher, FetchLimits, fetch_limits, is_public_address, parse_retry_after

DEADLINE = 1.5
MARGIN = 1.5  # scheduling slack on a shared 2-core machine
CAP = 2 * 1024 * 1024
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def limits(**overrides: object) -> FetchLimits:
    base: dict[str, object] = {"total_timeout": DEADLINE, "max_bytes": CAP, "allow_private": True, "page_delay": 0.0}
    base.update(overrides)
    return FetchLimits(**base)  # type: ignore[arg-type]


class Rewire(httpcore.AnyIOBackend):
    """The network, rewired: connections to a pretend public address reach the loopback server instead."""

    def __init__(self, routes: dict[str, str]) -> None:
        self.routes = routes
        self.dialled: list[str] = []

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        self.dialled.append(host)
        return await super().connect_tcp(self.routes.get(host, host), port, *args, **kwargs)


async def fetch(url: str, **kwargs: object):
    resolver = kwargs.pop("resolver", None)
    backend = kwargs.pop("network_backend", None)
    get_kwargs = {k: kwargs.pop(k) for k in ("etag", "last_modified", "kind", "linked_from_public") if k in kwargs}
    async with Fetcher(limits(**kwargs), resolver=resolver, network_backend=backend) as fetcher:  # type: ignore[arg-type]
        return await fetcher.get(url, **get_kwargs)  # type: ignore[arg-type]


def zeros(total: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    block = bytes(chunk)
    for _ in range(total // chunk):
        yield block


def gzip_of_zeros(total: int, batch: int = 64 * 1024) -> Iterator[bytes]:
    """gzip of `total` zero bytes, made chunk by chunk (never in memory whole), sent in `batch`-byte chunks.

    A 64 KiB chunk of it inflates to ~64 MB: httpx's own decoder (response.aiter_bytes) inflates each network
    read whole, so a caller counting its output overshoots a cap by that much (measured: 150 MB peak, 67 MB read).
    """
    block = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    pending = b""
    for _ in range(total // len(block)):
        pending += compressor.compress(block)
        if len(pending) >= batch:
            yield pending
            pending = b""
    yield pending + compressor.flush()


async def test_plain_get_sends_identity_and_returns_body(loopback: LoopbackServer) -> None:
    loopback.route("/feed", (200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, FEED))
    result = await fetch(loopback.url("/feed"))
    assert result.ok and result.status == 200 and result.body == FEED
    assert result.etag == '"v1"' and result.final_url == loopback.url("/feed")
    sent = loopback.requests[0].headers
    assert sent["user-agent"].startswith("coverage-bot/")
    assert sent["accept-encoding"] == "gzip, deflate"
    assert "rss+xml" in sent["accept"]


async def test_conditional_get_gives_not_modified(loopback: LoopbackServer) -> None:
    def handler(request: Request, conn: Connection) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304, {"ETag": '"v1"'})
        return Response(200, {"ETag": '"v1"'}, FEED)

    loopback.route("/feed", handler)
    result = await fetch(loopback.url("/feed"), etag='"v1"', last_modified="Mon, 03 Apr 2023 01:02:03 GMT")
    assert result.ok and result.not_modified and result.status == 304 and result.body == b""
    assert result.etag == '"v1"' and result.last_modified == "Mon, 03 Apr 2023 01:02:03 GMT"
    assert loopback.requests[0].headers["if-modified-since"] == "Mon, 03 Apr 2023 01:02:03 GMT"


async def test_server_error_is_reported_not_raised(loopback: LoopbackServer) -> None:
    loopback.route("/boom", (500, {}, b"oops"))
    result = await fetch(loopback.url("/boom"))
    assert result.error == "HTTP 500" and result.status == 500 and result.retry_after is None and result.body == b""


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_seconds(loopback: LoopbackServer, status: int) -> None:
    loopback.route("/busy", (status, {"Retry-After": "120"}, b""))
    result = await fetch(loopback.url("/busy"))
    assert result.status == status and result.retry_after == 120.0
    assert result.error == f"HTTP {status} (retry after 120 s)"


async def test_retry_after_http_date(loopback: LoopbackServer) -> None:
    when = datetime.now(UTC) + timedelta(minutes=10)
    loopback.route("/busy", (429, {"Retry-After": format_datetime(when, usegmt=True)}, b""))
    result = await fetch(loopback.url("/busy"))
    assert result.retry_after is not None and 590 <= result.retry_after <= 600


async def test_a_retry_after_past_the_cap_reads_as_the_wait_honoured(loopback: LoopbackServer) -> None:
    """A 503 'Retry-After: <a date in 2099>' read "retry after 2299589198 s" in `coverage-bot feeds`, while the feed
    is retried in a day (the cap)."""
    loopback.route("/busy", (503, {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}, b""))
    result = await fetch(loopback.url("/busy"))
    assert result.retry_after == 86400  # the wait bot.feed_health honours (fetch.MAX_RETRY_AFTER_SECONDS)
    assert result.error == "HTTP 503 (retry after 86400 s, the longest honoured; the server asked for longer)"


def test_parse_retry_after_rejects_garbage() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now) == 60.0
    assert parse_retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now) == 0.0  # a date in the past: retry now
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) is None
    assert parse_retry_after("nan", now) is None
    assert parse_retry_after(None, now) is None


async def test_connection_reset_before_answer(loopback: LoopbackServer) -> None:
    loopback.route("/reset", reset())
    result = await fetch(loopback.url("/reset"))
    assert result.error is not None and result.status == 0
    assert result.error.startswith(("connection reset", "connection closed"))


async def test_connection_reset_mid_body(loopback: LoopbackServer) -> None:
    loopback.route("/reset", reset(partial=b"<rss>" * 100))
    result = await fetch(loopback.url("/reset"))
    assert result.error is not None and result.error.startswith(("connection reset", "connection closed"))
    assert result.body == b""


@pytest.mark.parametrize("after_head", [False, True])
async def test_stalled_server_hits_total_deadline(loopback: LoopbackServer, after_head: bool) -> None:
    loopback.route("/stall", stall(60, after_head=after_head))
    started = time.monotonic()
    result = await fetch(loopback.url("/stall"))
    elapsed = time.monotonic() - started
    assert result.error is not None and result.error.startswith("timeout")
    assert DEADLINE - 0.1 <= elapsed < DEADLINE + MARGIN


async def test_trickle_cannot_outlast_the_deadline(loopback: LoopbackServer) -> None:
    # httpx's read timeout never fires here: a byte arrives every 0.3 s. Only the total deadline stops it.
    loopback.route("/trickle", trickle(FEED, interval=0.3))
    started = time.monotonic()
    result = await fetch(loopback.url("/trickle"))
    elapsed = time.monotonic() - started
    assert result.error is not None and result.error.startswith("timeout")
    assert elapsed < DEADLINE + MARGIN
    assert result.body == b""


async def test_huge_chunked_body_stops_at_cap(loopback: LoopbackServer) -> None:
    # 64 KiB chunks: tracemalloc also counts the server thread's buffers
    loopback.route("/big", Response(200, {"Content-Type": "application/xml"}, zeros(50 << 20, chunk=1 << 16)))
    tracemalloc.start()
    try:
        started = time.monotonic()
        result = await fetch(loopback.url("/big"))
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.error is not None and "too large" in result.error and result.body == b""
    assert elapsed < DEADLINE + MARGIN
    assert peak < CAP + (3 << 20)  # the cap plus buffers, far from 50 MB


async def test_huge_content_length_refused_before_reading(loopback: LoopbackServer) -> None:
    loopback.route("/big", Response(200, {"Content-Type": "application/xml"}, zeros(50 << 20), content_length=50 << 20))
    result = await fetch(loopback.url("/big"))
    assert result.error is not None and "Content-Length 52428800 exceeds" in result.error and result.body == b""


async def test_gzip_bomb_stops_at_cap_on_decompressed_bytes(loopback: LoopbackServer) -> None:
    ten_gb = 10 * 1024**3
    loopback.route("/bomb", Response(200, {"Content-Encoding": "gzip"}, gzip_of_zeros(ten_gb)))
    tracemalloc.start()
    try:
        started = time.monotonic()
        result = await fetch(loopback.url("/bomb"))
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.error is not None and "after decompression" in result.error and result.body == b""
    assert elapsed < DEADLINE + MARGIN
    assert peak < CAP + (3 << 20)


async def test_an_uncompressed_body_over_the_cap_says_nothing_of_decompression(loopback: LoopbackServer) -> None:
    """A plain body over the cap, sent without Content-Length, said "over the cap after decompression"."""
    loopback.route("/big", Response(200, {"Content-Type": "application/rss+xml"}, zeros(CAP + (1 << 20))))
    result = await fetch(loopback.url("/big"))
    assert result.error == f"body too large: over the {CAP}-byte cap" and result.body == b""


async def test_gzip_and_deflate_bodies_are_decoded(loopback: LoopbackServer) -> None:
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    loopback.route("/gz", (200, {"Content-Encoding": "gzip"}, gzip.compress(FEED)))
    loopback.route("/zlib", (200, {"Content-Encoding": "deflate"}, zlib.compress(FEED)))
    loopback.route("/raw", (200, {"Content-Encoding": "deflate"}, raw_deflate.compress(FEED) + raw_deflate.flush()))
    loopback.route("/two", (200, {"Content-Encoding": "gzip"}, gzip.compress(FEED[:20]) + gzip.compress(FEED[20:])))
    # padding after the last member, which some servers add and httpx and browsers leave unread (it was refused)
    loopback.route("/padded", (200, {"Content-Encoding": "gzip"}, gzip.compress(FEED) + b"\x00" * 8))
    for path in ("/gz", "/zlib", "/raw", "/two", "/padded"):
        result = await fetch(loopback.url(path))
        assert result.ok and result.body == FEED, path
        assert "content-encoding" not in result.headers


async def test_corrupt_gzip_and_unknown_encoding_are_errors(loopback: LoopbackServer) -> None:
    loopback.route("/bad", (200, {"Content-Encoding": "gzip"}, b"\x1f\x8b\x08\x00garbage-garbage"))
    loopback.route("/br", (200, {"Content-Encoding": "br"}, b"whatever"))
    bad = await fetch(loopback.url("/bad"))
    br = await fetch(loopback.url("/br"))
    assert bad.error is not None and bad.error.startswith("corrupt gzip body")
    assert br.error == "unsupported Content-Encoding 'br'"


async def test_redirect_loop_is_detected(loopback: LoopbackServer) -> None:
    loopback.route("/a", redirect("/b"))
    loopback.route("/b", redirect(loopback.url("/a")))
    result = await fetch(loopback.url("/a"))
    assert result.error is not None and result.error.startswith("redirect loop")
    assert len(loopback.requests) == 2


async def test_too_many_redirects(loopback: LoopbackServer) -> None:
    loopback.default = lambda request, conn: redirect(f"/hop{int(request.route.removeprefix('/hop') or 0) + 1}")
    result = await fetch(loopback.url("/hop0"), max_redirects=4)
    assert result.error == "too many redirects (more than 4)"
    assert len(loopback.requests) == 5


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/feed", "javascript:alert(1)"])
async def test_redirect_to_non_http_scheme_refused_even_with_allow_private(
    loopback: LoopbackServer, target: str
) -> None:
    loopback.route("/go", redirect(target))
    result = await fetch(loopback.url("/go"), allow_private=True)
    assert result.error is not None and result.error.startswith("refused:"), result.error
    assert "only http and https" in result.error or "invalid or non-HTTP URL" in result.error
    assert [r.route for r in loopback.requests] == ["/go"]


async def test_a_public_feeds_link_to_a_private_address_is_refused(loopback: LoopbackServer) -> None:
    """ALLOW_PRIVATE_URLS lets the bot reach local feeds; a public feed's item link to a loopback or LAN address is
    public content steering the bot inside, as a public host's redirect would be: refused (the poller tells get
    whose link it is: Fetcher.public_host of the feed's URL). The same link of a local feed is fetched."""
    loopback.route("/internal", (200, {"Content-Type": "text/html"}, b"<html><body><p>inside</p></body></html>"))
    refused = await fetch(loopback.url("/internal"), kind="page", allow_private=True, linked_from_public=True)
    assert refused.error is not None and "link from a public address to non-public 127.0.0.1" in refused.error
    assert [r.route for r in loopback.requests] == []
    local = await fetch(loopback.url("/internal"), kind="page", allow_private=True)
    assert local.error is None and b"inside" in local.body

    async def public(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        return [ipaddress.ip_address("93.184.216.34")]

    async with Fetcher(limits(allow_private=True), resolver=public) as fetcher:
        assert await fetcher.public_host("https://news.example/feed")
        assert not await fetcher.public_host(loopback.url("/feed"))  # an address: no lookup


async def test_redirect_from_public_host_to_loopback_refused(loopback: LoopbackServer) -> None:
    # "localhost" is made to look public to the address check; the pinned connection to that public address is
    # rewired (at the network layer) to the loopback server.
    async def pretend_public(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        assert host == "localhost"
        return [ipaddress.ip_address("93.184.216.34")]

    loopback.route("/public", redirect(loopback.url("/private")))
    loopback.route("/private", (200, {}, FEED))
    net = Rewire({"93.184.216.34": "127.0.0.1"})
    result = await fetch(
        f"http://localhost:{loopback.port}/public", resolver=pretend_public, allow_private=True, network_backend=net
    )
    assert result.error is not None and "redirect from a public address to non-public 127.0.0.1" in result.error
    assert [r.route for r in loopback.requests] == ["/public"]
    assert net.dialled == ["93.184.216.34"]  # the checked address, not a fresh lookup of "localhost"


async def test_private_targets_blocked_unless_allowed(loopback: LoopbackServer) -> None:
    loopback.route("/feed", (200, {}, FEED))
    blocked = await fetch(loopback.url("/feed"), allow_private=False)
    assert blocked.error is not None and "non-public address 127.0.0.1" in blocked.error
    assert loopback.requests == []


async def test_bad_scheme_and_unresolvable_host() -> None:
    async def nowhere(host: str, port: int) -> list[ipaddress.IPv4Address]:
        raise OSError("Name or service not known")

    assert (await fetch("ftp://example.com/feed")).error == (
        "refused: only http and https URLs are fetched, not 'ftp': ftp://example.com/feed"
    )
    result = await fetch("http://no-such-host.invalid/feed", resolver=nowhere)
    assert result.error is not None and result.error.startswith("cannot resolve host 'no-such-host.invalid'")


@pytest.mark.parametrize("url", ["https:///no-host", "http://[::1", "http://127.0.0.1:99999/", "//no-scheme", ""])
async def test_malformed_urls_are_errors_not_exceptions(url: str) -> None:
    result = await fetch(url)
    assert result.error is not None and result.error.startswith("refused"), result.error


def test_public_address_classification() -> None:
    for private in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "::1"):
        assert not is_public_address(ipaddress.ip_address(private)), private
    for reserved in ("240.0.0.1", "224.0.0.1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "100.64.0.1"):
        assert not is_public_address(ipaddress.ip_address(reserved)), reserved
    # IPv6 forms that carry an IPv4 address (NAT64 to the metadata address, the old compatible form, 6to4) or are
    # site-local: Python 3.11 counts them global
    for embedded in ("64:ff9b::a9fe:a9fe", "::7f00:1", "2002:7f00:1::", "fec0::1"):
        assert not is_public_address(ipaddress.ip_address(embedded)), embedded
    assert is_public_address(ipaddress.ip_address("93.184.216.34"))
    assert is_public_address(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))


async def test_permanent_redirects_are_reported(loopback: LoopbackServer) -> None:
    loopback.route("/old", redirect("/moved", 301))
    loopback.route("/moved", redirect("/tmp", 302))
    loopback.route("/tmp", (200, {}, FEED))
    loopback.route("/perm", redirect("/new#frag", 308))
    loopback.route("/new", (200, {}, FEED))
    loopback.route("/temp", redirect("/new", 307))
    chain = await fetch(loopback.url("/old"))
    assert chain.ok and chain.permanent_redirect == loopback.url("/moved") and chain.final_url == loopback.url("/tmp")
    perm = await fetch(loopback.url("/perm"))
    assert perm.ok and perm.permanent_redirect == loopback.url("/new") and perm.body == FEED
    temp = await fetch(loopback.url("/temp"))
    assert temp.ok and temp.permanent_redirect is None


async def test_per_host_and_global_concurrency_limits(loopback: LoopbackServer) -> None:
    loopback.route("/slow", Response(200, {}, FEED, delay=0.2))
    async with Fetcher(limits(per_host=2, max_connections=10)) as fetcher:
        results = await asyncio.gather(*(fetcher.get(loopback.url("/slow")) for _ in range(6)))
    assert all(r.ok for r in results) and loopback.max_active == 2

    loopback.max_active = 0
    async with Fetcher(limits(per_host=10, max_connections=3)) as fetcher:
        results = await asyncio.gather(*(fetcher.get(loopback.url("/slow")) for _ in range(6)))
    assert all(r.ok for r in results) and loopback.max_active == 3


async def test_pages_to_one_host_are_paced(loopback: LoopbackServer) -> None:
    loopback.route("/page", (200, {"Content-Type": "text/html"}, b"<html></html>"))
    async with Fetcher(limits(page_delay=1.0, per_host=4)) as fetcher:
        results = await asyncio.gather(*(fetcher.get(loopback.url("/page"), kind="page") for _ in range(3)))
        feeds = await asyncio.gather(*(fetcher.get(loopback.url("/page"), kind="feed") for _ in range(2)))
    assert all(r.ok for r in results + feeds)
    times = sorted(r.received_at for r in loopback.requests[:3])
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.95, gaps  # the pacing is a wall-clock promise: a lower bound cannot flake under load
    feed_times = [r.received_at for r in loopback.requests[3:]]
    assert abs(feed_times[0] - feed_times[1]) < 0.9  # feeds are not paced (a full page_delay would be 1.0)


async def test_get_outside_context_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError):
        await Fetcher().get("http://127.0.0.1/")


async def test_304_and_small_error_answers_keep_their_connection() -> None:
    """A conditional GET answered 304 (or a short 404) leaves its connection open for the next request."""
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if b"/missing" in head.split(b"\r\n", 1)[0]:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found")
                else:
                    writer.write(b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n')
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with Fetcher(limits(max_connections=4, per_host=4)) as fetcher:
            results = [await fetcher.get(f"http://127.0.0.1:{port}/feed", etag='"v1"') for _ in range(10)]
            missing = [await fetcher.get(f"http://127.0.0.1:{port}/missing") for _ in range(3)]
    finally:
        server.close()
        await server.wait_closed()
    assert all(r.not_modified and r.etag == '"v1"' for r in results)
    assert all(r.error == "HTTP 404" for r in missing)
    assert connections == 1


async def test_many_fetches_at_once_spread_over_small_pools(loopback: LoopbackServer) -> None:
    loopback.route("/slow", Response(200, {}, FEED, delay=0.2))
    async with Fetcher(limits(per_host=12, max_connections=12)) as fetcher:
        results = await asyncio.gather(*(fetcher.get(loopback.url("/slow")) for _ in range(12)))
    assert all(r.ok and r.body == FEED for r in results)
    assert loopback.max_active == 12  # three pools of four, all busy at once


async def test_an_error_whose_body_never_comes_is_still_reported_as_that_error(loopback: LoopbackServer) -> None:
    async def handler(request: Request, conn: Connection) -> None:
        await conn.send_head(503, {"Retry-After": "60", "Content-Length": "100"})
        await conn.stall()

    loopback.route("/busy", handler)
    started = time.monotonic()
    result = await fetch(loopback.url("/busy"))
    assert result.status == 503 and result.retry_after == 60 and result.error == "HTTP 503 (retry after 60 s)"
    assert time.monotonic() - started < DEADLINE + MARGIN


# --------------------------------------------------------------------------- connection reuse, per host


def _keep_alive_hosts(count: int) -> list[LoopbackServer]:
    """``count`` keep-alive servers, each on a loopback address of its own (a host of its own to the Fetcher)."""
    return [LoopbackServer({"/feed": (200, {}, FEED)}, keep_alive=True, host=f"127.0.0.{n + 1}") for n in range(count)]


async def test_each_host_reuses_its_own_connection_however_many_hosts_take_turns() -> None:
    servers = _keep_alive_hosts(5)
    with contextlib.ExitStack() as stack:
        for server in servers:
            stack.enter_context(server)
        # Fewer connections in flight than hosts: one shared pool would evict a host's idle connection to make room.
        async with Fetcher(limits(max_connections=2, per_host=1)) as fetcher:
            for _round in range(3):
                for server in servers:
                    assert (await fetcher.get(server.url("/feed"))).ok
    assert [len(s.requests) for s in servers] == [3] * 5
    assert [s.connections for s in servers] == [1] * 5


async def test_the_least_recently_used_hosts_connections_are_closed_past_keep_hosts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fetch_module, "KEEP_HOSTS", 2)
    a, b, c = _keep_alive_hosts(3)
    with a, b, c:
        async with Fetcher(limits()) as fetcher:
            for server in (a, b, a, c, a, b):  # c pushes out b (least recently used), not a
                assert (await fetcher.get(server.url("/feed"))).ok
    assert (a.connections, b.connections, c.connections) == (1, 2, 1)


async def test_close_idle_closes_the_pools_with_nothing_in_flight() -> None:
    a, b = _keep_alive_hosts(2)
    with a, b:
        async with Fetcher(limits()) as fetcher:
            assert (await fetcher.get(a.url("/feed"))).ok
            assert (await fetcher.get(b.url("/feed"))).ok
            assert await fetcher.close_idle() == 2
            assert (await fetcher.get(a.url("/feed"))).ok  # a new connection: the old one was closed
            assert await fetcher.close_idle() == 1
    assert (a.connections, b.connections) == (2, 1)


async def test_a_pool_being_made_is_not_closed_under_its_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch_module, "KEEP_HOSTS", 1)
    a, b = _keep_alive_hosts(2)
    with a, b:
        for steps in range(12):  # close_idle at each point of the second request's life
            async with Fetcher(limits()) as fetcher:
                assert (await fetcher.get(a.url("/feed"))).ok  # a's pool now holds an idle connection
                second = asyncio.create_task(fetcher.get(b.url("/feed")))  # makes b's pool, closes a's
                for _ in range(steps):
                    await asyncio.sleep(0)
                await fetcher.close_idle()
                result = await second
            assert result.ok, (steps, result.error)
    assert len(b.requests) == 12


async def test_a_pages_cap_is_its_own(loopback: LoopbackServer) -> None:
    """poll.max_page_bytes caps article pages and poll.max_bytes feeds: both were given the larger of the two."""
    from bot.settings import parse_config

    body = b"<html><body>" + b"x" * 300_000 + b"</body></html>"
    loopback.route("/big", (200, {"Content-Type": "text/html"}, body))
    page = await fetch(loopback.url("/big"), kind="page", max_bytes=1_000_000, max_page_bytes=100_000)
    assert page.error is not None and "100000-byte cap" in page.error
    feed = await fetch(loopback.url("/big"), kind="feed", max_bytes=1_000_000, max_page_bytes=100_000)
    assert feed.error is None and len(feed.body) == len(body)
    poll = {"max_bytes": "2MB", "max_page_bytes": "1MB"}
    cfg = parse_config(
        {
            "topics": {"t": {"rules": [{"any": ["x"]}]}},
            "feeds": [{"name": "a", "url": "https://a.example/f"}],
            "poll": poll,
        }
    )
    assert (fetch_limits(cfg).max_bytes, fetch_limits(cfg).max_page_bytes) == (2_000_000, 1_000_000)


async def test_the_consoles_fetcher_keeps_the_networks_allowed(store) -> None:  # type: ignore[no-untyped-def]
    """ALLOW_PRIVATE_URLS=10.1.2.0/24 is that network, in the console as elsewhere (it widened to every private one)."""
    from bot.console import make_commands
    from bot.netpolicy import PrivateNetworks
    from bot.settings import Settings, parse_config

    cfg = parse_config(
        {"topics": {"t": {"rules": [{"any": ["x"]}]}}, "feeds": [{"name": "a", "url": "https://a.example/f"}]}
    )
    settings = Settings(allow_private_urls=PrivateNetworks.parse("10.1.2.0/24"))
    async with make_commands(store, cfg, settings).fetcher_factory() as fetcher:
        assert fetcher.private == PrivateNetworks.parse("10.1.2.0/24")


async def test_a_validator_no_request_can_carry_back_is_not_kept(loopback: LoopbackServer) -> None:
    """An ETag with a byte outside ASCII (latin-1 0xE9) was stored and sent back: httpx could not encode it, and every
    later poll of the feed failed ('unexpected error: UnicodeEncodeError') until it was disabled."""
    loopback.route("/feed", (200, {"ETag": '"caf\u00e9-1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"}, FEED))
    async with Fetcher(limits()) as fetcher:
        first = await fetcher.get(loopback.url("/feed"))
        assert first.error is None and first.etag is None and first.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"
        again = await fetcher.get(loopback.url("/feed"), etag='"caf\u00e9-1"', last_modified=first.last_modified)
    assert again.error is None  # a bad stored one is not sent either
