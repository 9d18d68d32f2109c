"""Polite, hostile-proof HTTP GET for feeds and article pages: bounded in time, size and destinations.

Why one module over 600 lines: the limits (deadline, size, redirects, addresses, per-host pacing) interlock
inside one request's life; bot.netpolicy holds the address policy apart.

API:

    async with Fetcher(FetchLimits(total_timeout=30.0, max_bytes=8 * 2**20)) as fetcher:
        result = await fetcher.get(url, etag=None, last_modified=None, kind="feed")  # or kind="page"
        await fetcher.close_idle()  # a poll cycle's end: drop the hosts' idle keep-alive connections
    FetchResult(url, final_url, status, headers, body, etag, last_modified, not_modified,
                permanent_redirect, retry_after, error, elapsed)

`get` never raises for network or HTTP trouble: `error` says what went wrong (timeout, reset, oversize, bad scheme,
blocked address, redirect loop, too many redirects, HTTP >= 400) and `status` is 0 when no answer came. A 304 gives
`not_modified=True` and no body. `permanent_redirect` is where the leading run of 301/308 hops led, for the poller to
store. `retry_after` is in seconds (from seconds or an HTTP date) on 429/503, at most a day (MAX_RETRY_AFTER_SECONDS).
`body` is the decoded (gunzipped) body and `headers` the final response's, lower-case, without
Content-Encoding/Content-Length. A failed fetch of a page is logged at WARNING, of a feed at DEBUG: bot.feed_health
logs a feed's failure once, with its name.

Limits: a global and a per-host number of requests in flight, a minimum delay between two page requests to one host
(feeds are polled on their own schedule), a total deadline per fetch around connect + headers + body (a server
trickling a byte a second cannot hold a slot), a size cap counted on the decompressed bytes while streaming (a gzip
bomb stops at the cap: we inflate with `zlib` in bounded steps rather than httpx's decoder, which inflates each
64 KiB network read whole, up to ~64 MB at once), http/https only, redirects followed by hand so that every hop is
checked: never to a loopback, private, link-local or reserved address unless `allow_private` names its network
(True: loopback and private LANs only, see :mod:`bot.netpolicy`), and never from a public address to a non-public
one even then.

Connections are pooled per host, so a host's feeds and pages reuse its keep-alive connections (KEEP_HOSTS below).

The addresses checked are the addresses connected to: each hop's host is resolved once, checked, and pinned for the
connection (:class:`bot.netpolicy.PinnedBackend`), so a DNS answer that changes in between (rebinding) cannot move
the connection. TLS SNI, certificate checks and the Host header still use the host name.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import ipaddress
import logging
import socket
import time
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urldefrag, urljoin, urlsplit

import httpcore
import httpx

from .netpolicy import IPAddress, PinnedBackend, PrivateNetworks, as_private_networks, pinned, unmapped

if TYPE_CHECKING:
    from .settings import Config

log = logging.getLogger(__name__)

USER_AGENT = "coverage-bot/0.1 (+https://github.com/coverage-bot/coverage-bot)"
ACCEPT = {
    "feed": "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
}
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
PERMANENT_CODES = frozenset({301, 308})
INFLATE_STEP = 64 * 1024  # most bytes one zlib call may produce: bounds memory per step of a compressed body
# Connections are pooled per host (an httpx client each): a cycle polls several feeds of one outlet, and each reuses
# the host's keep-alive connection. A shared pool evicts its oldest idle connection for a new host, so with more
# hosts than connections every request opened one. 500 conditional GETs to bench/poll.py's server (50 hosts, 32 at
# once, 2 per host), this Fetcher before and after, CPU medians of 5: shared pools 500 connections and 0.32 s
# (uvloop 0.28 s), a pool per host 50-62 connections and 0.22 s (uvloop 0.21 s). At most KEEP_HOSTS hosts keep their
# idle connections (<= per_host each); the least recently used host's pool is closed beyond that, which bounds the
# sockets a poller holds open.
KEEP_HOSTS = 128
# The system resolver's answers are reused this long per host (a cycle polls many feeds of one outlet); a short TTL
# keeps a moved site reachable. The cache is dropped whole when it holds this many hosts.
DNS_CACHE_SECONDS = 60.0
DNS_CACHE_SIZE = 4096
# The longest a server's Retry-After (429/503) is honoured: a "3000000000" or a date in 2099 would hold a feed back
# for a century, enabled and never polled again (bot.feed_health waits this long at most).
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0
# A 304, redirect or error answer's body (Content-Length up to this) is read so its connection can be reused.
DRAIN_BYTES = 64 * 1024
DRAIN_SECONDS = 1.0

Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


@dataclass(frozen=True)
class FetchLimits:
    """How much one Fetcher may ask of the network and of each server."""

    total_timeout: float = 30.0  # seconds for one fetch: every hop's connect, headers and body
    max_bytes: int = 8 * 1024 * 1024  # decoded body cap; feeds are rarely over 1 MB, pages over 2 MB
    max_page_bytes: int | None = None  # an article page's cap, when it is not max_bytes (poll.max_page_bytes)
    max_redirects: int = 10
    max_connections: int = 10  # requests in flight at once, all hosts
    per_host: int = 2  # requests in flight at once to one host
    page_delay: float = 1.0  # minimum seconds between two page requests to one host
    # Non-public networks that may be fetched: False (none), True (loopback and private LANs) or PrivateNetworks.
    allow_private: bool | PrivateNetworks = False
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class FetchResult:
    """What one GET gave: a body, a 304, or an error message."""

    url: str
    final_url: str
    status: int  # 0 when no HTTP answer came
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    permanent_redirect: str | None = None
    retry_after: float | None = None
    error: str | None = None
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class _HostPool:
    """One host's client (its connection pool) and how many requests are using it."""

    client: httpx.AsyncClient
    in_flight: int = 0


class UnsafeURL(ValueError):
    """A URL we refuse to fetch: not http(s), or aimed at an address we must not reach."""


class _Refused(Exception):
    """A fetch stopped on purpose; the message goes into FetchResult.error."""


@dataclass
class _Progress:
    """What is known so far about one fetch, so a timeout can still report the last hop."""

    final_url: str
    status: int = 0
    permanent_redirect: str | None = None


def check_scheme(url: str) -> None:
    """Raise UnsafeURL unless `url` is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise UnsafeURL(f"not a valid URL: {url!r}") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeURL(f"only http and https URLs are fetched, not {parts.scheme or 'no scheme'!r}: {url}")
    if not parts.hostname:
        raise UnsafeURL(f"URL has no host: {url}")


# IPv6 prefixes that carry an IPv4 address, or are site-local, which Python 3.11 counts as global: NAT64 (64:ff9b::/96
# reaches 64:ff9b::a9fe:a9fe, the metadata address, on a NAT64 host), the old IPv4-compatible form, 6to4, site-local.
_EMBEDDING_IPV4 = tuple(
    ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96", "2002::/16", "fec0::/10")
)


def is_public_address(ip: IPAddress) -> bool:
    """True for a globally routable unicast address (not loopback, private, link-local, reserved, multicast, nor an
    IPv6 form that embeds an IPv4 address or is site-local: _EMBEDDING_IPV4)."""
    ip = unmapped(ip)
    if isinstance(ip, ipaddress.IPv6Address) and any(ip in net for net in _EMBEDDING_IPV4):
        return False
    return ip.is_global and not ip.is_multicast


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Resolve `host` with the event loop's getaddrinfo (the same answer httpx will get)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def _header_value(value: str | None) -> str | None:
    """A header value a request can carry back: printable ASCII (an ETag of other characters made httpx raise)."""
    return value if value and value.isascii() and value.isprintable() else None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date); None when unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and seconds == seconds and seconds != float("inf") else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class _Inflater:
    """Content-Encoding decoder that never produces more than INFLATE_STEP bytes per zlib call."""

    def __init__(self, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip().lower() not in ("", "identity")]
        if len(codings) > 1:
            raise _Refused(f"unsupported Content-Encoding {content_encoding!r} (layered encodings)")
        self.coding = codings[0] if codings else None
        if self.coding in ("gzip", "x-gzip"):
            self.wbits = 16 + zlib.MAX_WBITS
        elif self.coding == "deflate":
            self.wbits = zlib.MAX_WBITS  # zlib-wrapped per the RFC; raw deflate tried if that fails
        elif self.coding is None:
            self.wbits = 0
        else:
            raise _Refused(f"unsupported Content-Encoding {content_encoding!r}")
        self.inflater = zlib.decompressobj(self.wbits) if self.coding else None
        self.started = False
        self.trailer = False  # bytes after the last gzip member that start none: ignored from there on

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.inflater is None:
            if data:
                yield data
            return
        if self.trailer:
            return
        try:
            yield from self._inflate(data)
        except zlib.error as exc:
            if self.coding == "deflate" and not self.started:
                self.wbits = -zlib.MAX_WBITS
                self.inflater = zlib.decompressobj(self.wbits)
                yield from self._inflate(data)
                return
            raise _Refused(f"corrupt {self.coding} body: {exc}") from exc

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        assert self.inflater is not None
        pending = data
        while True:
            out = self.inflater.decompress(pending, INFLATE_STEP)
            if out:
                self.started = True
                yield out
            pending = self.inflater.unconsumed_tail
            if self.inflater.eof and self.inflater.unused_data and self.wbits > 16:
                rest = self.inflater.unused_data
                if not b"\x1f\x8b".startswith(rest[:2]):  # not another member: padding after the last, left unread
                    self.trailer = True  # (as httpx and browsers do)
                    return
                pending = rest  # another gzip member follows
                self.inflater = zlib.decompressobj(self.wbits)
                continue
            if not pending and len(out) < INFLATE_STEP:
                return

    def flush(self) -> Iterator[bytes]:
        if self.inflater is not None:
            yield from self.feed(b"")


class Fetcher:
    """A shared httpx client with concurrency limits, per-host pacing and per-fetch safety checks."""

    def __init__(
        self,
        limits: FetchLimits | None = None,
        *,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.limits = limits or FetchLimits()
        self.private = as_private_networks(self.limits.allow_private)
        self._network_backend = network_backend  # under the address pinning; tests map addresses here
        self._resolve = resolver or system_resolver
        self._dns: dict[str, tuple[float, list[IPAddress]]] | None = {} if resolver is None else None
        self._transport = transport
        self._ssl_context: Any = None
        self._shared: _HostPool | None = None  # the one client over an injected transport (tests)
        self._pools: OrderedDict[str, _HostPool] = OrderedDict()  # by host, least recently used first
        self._global: asyncio.Semaphore | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._pace_locks: dict[str, asyncio.Lock] = {}
        self._next_page_at: dict[str, float] = {}

    async def __aenter__(self) -> Fetcher:
        self._ssl_context = httpx.create_ssl_context(trust_env=False)  # built once: loading the CA bundle is slow
        if self._transport is not None:
            self._shared = _HostPool(self._client(self._transport, self.limits.max_connections))
        self._global = asyncio.Semaphore(self.limits.max_connections)
        return self

    async def __aexit__(self, *exc: object) -> None:
        pools = list(self._pools.values()) + ([self._shared] if self._shared else [])
        self._pools, self._shared, self._global = OrderedDict(), None, None
        for pool in pools:
            await pool.client.aclose()

    async def close_idle(self) -> int:
        """Close the pools of hosts with nothing in flight (a poll cycle's end: its keep-alive connections would
        expire long before the next cycle, yet hold their sockets until then); returns how many were closed."""
        return await self._close_idle(len(self._pools))

    async def _close_idle(self, most: int) -> int:
        """Close up to ``most`` pools with nothing in flight, least recently used first; all are taken out of
        ``_pools`` before the first await, so no request can pick one up while it closes."""
        idle = [h for h, p in self._pools.items() if p.in_flight == 0][:most]
        closing = [self._pools.pop(h) for h in idle]
        for pool in closing:
            with contextlib.suppress(httpx.HTTPError, OSError):
                await pool.client.aclose()
        return len(closing)

    def _client(self, transport: httpx.AsyncBaseTransport, size: int) -> httpx.AsyncClient:
        total = self.limits.total_timeout
        return httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment: the address checks must see the real target
            verify=self._ssl_context,
            timeout=httpx.Timeout(total, connect=min(10.0, total)),
            limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
            headers={"User-Agent": self.limits.user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
        )

    def _pinned_transport(self, size: int) -> httpx.AsyncHTTPTransport:
        """httpx's transport over a pool that connects only to the addresses _check_target pinned."""
        transport = httpx.AsyncHTTPTransport(verify=self._ssl_context, trust_env=False)
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=self._ssl_context,
            max_connections=size,
            max_keepalive_connections=size,
            keepalive_expiry=5.0,
            network_backend=PinnedBackend(self._network_backend),
        )
        return transport

    async def _reserve(self, host: str) -> _HostPool:
        """The host's connection pool (made on first use), counted in flight before anything else can run, so no
        close_idle or eviction closes it under this request; closes the least recently used idle pools past
        KEEP_HOSTS."""
        pool = self._shared if self._shared is not None else self._pools.get(host)
        if pool is not None:
            pool.in_flight += 1
            if pool is not self._shared:
                self._pools.move_to_end(host)
            return pool
        size = self.limits.per_host  # the host slot bounds a pool's requests; redirect hops reuse the slot
        pool = self._pools[host] = _HostPool(self._client(self._pinned_transport(size), size), in_flight=1)
        if len(self._pools) > KEEP_HOSTS:
            await self._close_idle(len(self._pools) - KEEP_HOSTS)
        return pool

    def _left(self, started: float) -> float:
        """Seconds left of this fetch's total deadline."""
        return self.limits.total_timeout - (time.monotonic() - started)

    async def get(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        kind: Literal["feed", "page"] = "feed",
        linked_from_public: bool = False,
    ) -> FetchResult:
        """GET `url` within the limits; every failure is reported in `error`, never raised. ``linked_from_public``:
        the URL is a link that a public host's content gave (a public feed's item): it may not lead to a non-public
        address, as a public host's redirect may not, whatever ALLOW_PRIVATE_URLS allows."""
        if self._global is None:
            raise RuntimeError("use `async with Fetcher(...) as fetcher:` before calling get()")
        progress = _Progress(final_url=url)
        started = time.monotonic()
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            host = ""  # _check_target reports the bad URL
        try:
            async with self._host_slot(host, kind), self._global:
                started = time.monotonic()  # the deadline covers the network, not the queue
                pool = await self._reserve(host)
                try:
                    async with asyncio.timeout(self.limits.total_timeout):
                        result = await self._fetch(
                            pool.client, url, etag, last_modified, kind, progress, started, linked_from_public
                        )
                finally:
                    pool.in_flight -= 1
        except TimeoutError:
            error = f"timeout: no complete answer within {self.limits.total_timeout:g} s"
            result = self._failed(url, progress, error, started)
        except _Refused as exc:
            result = self._failed(url, progress, str(exc), started)
        except UnsafeURL as exc:
            result = self._failed(url, progress, f"refused: {exc}", started)
        except httpx.HTTPError as exc:
            result = self._failed(url, progress, _describe_network_error(exc), started)
        except httpx.InvalidURL as exc:
            result = self._failed(url, progress, f"refused: invalid URL ({exc})", started)
        except OSError as exc:
            result = self._failed(url, progress, f"network error: {exc.strerror or exc}", started)
        except Exception as exc:  # the contract is "never raises": keep the traceback in the log
            log.exception("fetch %s: unexpected error", url)
            result = self._failed(url, progress, f"unexpected error: {type(exc).__name__}: {exc}", started)
        if result.error:  # a feed's failure is logged once, with the feed's name, by bot.feed_health
            log.log(
                logging.DEBUG if kind == "feed" else logging.WARNING,
                "fetch %s failed after %.1f s: %s",
                url,
                result.elapsed,
                result.error,
            )
        elif result.not_modified:
            log.debug("fetch %s: not modified", url)
        return result

    @asynccontextmanager
    async def _host_slot(self, host: str, kind: str) -> AsyncIterator[None]:
        slot = self._hosts.setdefault(host, asyncio.Semaphore(self.limits.per_host))
        async with slot:
            if kind == "page" and self.limits.page_delay > 0:
                lock = self._pace_locks.setdefault(host, asyncio.Lock())
                async with lock:
                    loop = asyncio.get_running_loop()
                    wait = self._next_page_at.get(host, 0.0) - loop.time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    self._next_page_at[host] = loop.time() + self.limits.page_delay
            yield

    def _failed(self, url: str, progress: _Progress, error: str, started: float) -> FetchResult:
        return FetchResult(
            url=url,
            final_url=progress.final_url,
            status=progress.status,
            permanent_redirect=progress.permanent_redirect,
            error=error,
            elapsed=time.monotonic() - started,
        )

    async def _fetch(
        self,
        client: httpx.AsyncClient,
        url: str,
        etag: str | None,
        last_modified: str | None,
        kind: str,
        progress: _Progress,
        started: float,
        linked_from_public: bool = False,
    ) -> FetchResult:
        current = url
        seen = {url}
        previous_public: bool | None = True if linked_from_public else None
        permanent_run = True
        for _hop in range(self.limits.max_redirects + 1):
            public, pin = await self._check_target(current, previous_public, redirected=current != url)
            headers = {"Accept": ACCEPT.get(kind, ACCEPT["page"])}
            if sent_etag := _header_value(etag):
                headers["If-None-Match"] = sent_etag
            if since := _header_value(last_modified):
                headers["If-Modified-Since"] = since
            request = client.build_request("GET", current, headers=headers)
            try:
                with pinned(pin):
                    response = await client.send(request, stream=True)
            except httpx.InvalidURL as exc:  # httpx parses a redirect's Location even when not following it
                raise UnsafeURL(f"{current} redirected to an invalid or non-HTTP URL ({exc})") from exc
            try:
                progress.final_url, progress.status = current, response.status_code
                location = response.headers.get("location")
                if response.status_code in REDIRECT_CODES:
                    if not location:
                        raise _Refused(f"HTTP {response.status_code} redirect without a Location header")
                    target = _join(current, location)
                    if permanent_run and response.status_code in PERMANENT_CODES:
                        progress.permanent_redirect = target
                    else:
                        permanent_run = False
                    if target in seen:
                        raise _Refused(f"redirect loop: {target} was already visited")
                    seen.add(target)
                    current, previous_public = target, public
                    await _drain(response, self._left(started))
                    continue
                return await self._finish(url, current, response, etag, last_modified, progress, started, kind)
            finally:
                await response.aclose()
        raise _Refused(f"too many redirects (more than {self.limits.max_redirects})")

    async def _check_target(
        self, url: str, previous_public: bool | None, redirected: bool = True
    ) -> tuple[bool, dict[tuple[str, int], list[IPAddress]]]:
        """Refuse a hop by scheme or address; return whether its host is public, and its addresses to pin."""
        check_scheme(url)
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError as exc:
            raise UnsafeURL(f"bad port in {url}") from exc
        host = wire_host(parts.hostname or "")
        try:
            addresses = await self._addresses(host, port)
        except OSError as exc:
            raise _Refused(f"cannot resolve host {host!r}: {_resolver_error(exc)}") from exc
        except UnicodeError as exc:
            raise UnsafeURL(f"{_short(host)} is not a valid host name") from exc
        if not addresses:
            raise _Refused(f"cannot resolve host {host!r}: no address")
        blocked = [a for a in addresses if not is_public_address(a)]
        if blocked:
            if previous_public:  # a redirect, or a link a public host's content gave (get's linked_from_public)
                how = "redirect" if redirected else "link"
                raise UnsafeURL(f"{how} from a public address to non-public {blocked[0]} ({host})")
            refused = [a for a in blocked if not self.private.allows(a)]
            if refused:
                hint = "" if self.private else " (set ALLOW_PRIVATE_URLS to fetch from local addresses)"
                raise UnsafeURL(f"{host} resolves to non-public address {refused[0]}{hint}")
        return not blocked, {(host, port): addresses}

    async def public_host(self, url: str) -> bool:
        """Whether every address of the URL's host is public (False when it is not, or cannot be resolved)."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
            addresses = await self._addresses(wire_host(parts.hostname or ""), port)
        except (ValueError, OSError, UnicodeError):
            return False
        return bool(addresses) and all(is_public_address(a) for a in addresses)

    async def _addresses(self, host: str, port: int) -> list[IPAddress]:
        """The host's addresses: itself when it is one, else resolved (_resolved; OSError, UnicodeError)."""
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            return await self._resolved(host, port)

    async def _resolved(self, host: str, port: int) -> list[IPAddress]:
        """The host's addresses; the system resolver's answers are kept DNS_CACHE_SECONDS (injected ones never)."""
        if self._dns is None:
            return await self._resolve(host, port)
        key = f"{host}:{port}"
        now = time.monotonic()
        cached = self._dns.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        addresses = await self._resolve(host, port)
        if len(self._dns) >= DNS_CACHE_SIZE:
            self._dns.clear()
        self._dns[key] = (now + DNS_CACHE_SECONDS, addresses)
        return addresses

    async def _finish(
        self,
        url: str,
        final_url: str,
        response: httpx.Response,
        etag: str | None,
        last_modified: str | None,
        progress: _Progress,
        started: float,
        kind: str = "feed",
    ) -> FetchResult:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        common: dict[str, Any] = {
            "url": url,
            "final_url": final_url,
            "status": status,
            "permanent_redirect": progress.permanent_redirect,
            # (a value no request can carry back, not ASCII, is not kept: every later poll of the feed failed)
            "etag": _header_value(headers.get("etag")) or etag,
            "last_modified": _header_value(headers.get("last-modified")) or last_modified,
        }
        if status == 304:
            await _drain(response, self._left(started))
            return FetchResult(**common, headers=headers, not_modified=True, elapsed=time.monotonic() - started)
        if status >= 400 or 300 <= status < 400:
            await _drain(response, self._left(started))
            retry_after = parse_retry_after(headers.get("retry-after")) if status in (429, 503) else None
            error = f"HTTP {status}"
            if retry_after is not None and retry_after > MAX_RETRY_AFTER_SECONDS:
                retry_after = MAX_RETRY_AFTER_SECONDS
                error += f" (retry after {retry_after:.0f} s, the longest honoured; the server asked for longer)"
            elif retry_after is not None:
                error += f" (retry after {retry_after:.0f} s)"
            return FetchResult(
                **common, headers=headers, retry_after=retry_after, error=error, elapsed=time.monotonic() - started
            )
        body = await self._read_body(response, headers, kind)
        headers.pop("content-encoding", None)
        headers.pop("content-length", None)
        return FetchResult(**common, headers=headers, body=body, elapsed=time.monotonic() - started)

    async def _read_body(self, response: httpx.Response, headers: Mapping[str, str], kind: str = "feed") -> bytes:
        cap = self.limits.max_page_bytes if kind == "page" and self.limits.max_page_bytes else self.limits.max_bytes
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > cap:
            raise _Refused(f"body too large: Content-Length {int(declared)} exceeds the {cap}-byte cap")
        inflater = _Inflater(headers.get("content-encoding", ""))
        over = f"body too large: over the {cap}-byte cap" + (" after decompression" if inflater.coding else "")
        chunks: list[bytes] = []
        size = raw = 0
        async for data in response.aiter_raw():
            raw += len(data)
            if raw > cap + INFLATE_STEP:
                raise _Refused(f"body too large: over the {cap}-byte cap")
            for piece in inflater.feed(data):
                size += len(piece)
                if size > cap:
                    raise _Refused(over)
                chunks.append(piece)
        for piece in inflater.flush():
            size += len(piece)
            if size > cap:
                raise _Refused(over)
            chunks.append(piece)
        return b"".join(chunks)


async def _drain(response: httpx.Response, seconds_left: float) -> None:
    """Read the little body a 304, redirect or error answer carries, so its connection is kept alive for the next
    request (closing an unread response closes the connection). Bounded in size and time, and never allowed to
    turn the answer into a timeout of the whole fetch; failures are ignored (the connection is then closed)."""
    length = response.headers.get("content-length", "").strip()
    if response.status_code != 304 and not (length.isdigit() and int(length) <= DRAIN_BYTES):
        return
    budget = min(DRAIN_SECONDS, seconds_left - DRAIN_SECONDS / 10)
    if budget <= 0:
        return
    with contextlib.suppress(httpx.HTTPError, OSError, TimeoutError):
        async with asyncio.timeout(budget):
            async for _ in response.aiter_raw():
                pass


def wire_host(host: str) -> str:
    """A host name as it goes on the wire and to the resolver: lower-case, IDNA (ASCII); UnsafeURL when invalid."""
    host = host.strip().lower()
    if host.isascii():
        if len(host) > 253 or any(len(label) > 63 for label in host.split(".")):
            raise UnsafeURL(f"{_short(host)} is not a valid host name (too long)")
        return host
    try:
        return httpx.URL(f"http://{host}/").raw_host.decode("ascii")
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise UnsafeURL(f"{_short(host)} is not a valid host name") from exc


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _resolver_error(exc: OSError) -> str:
    """A resolver failure in words ("no such host"), without errno numbers."""
    code = getattr(exc, "errno", None)
    if isinstance(exc, socket.gaierror) and code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
        return "no such host"
    if isinstance(exc, socket.gaierror) and code == socket.EAI_AGAIN:
        return "name lookup failed temporarily (DNS unreachable?)"
    return exc.strerror or str(exc) or type(exc).__name__


def _join(base: str, location: str) -> str:
    """The absolute URL a Location header points to (fragment dropped)."""
    try:
        return urldefrag(urljoin(base, location.strip()))[0]
    except ValueError as exc:
        raise _Refused(f"bad redirect Location {location!r}: {exc}") from exc


def _describe_network_error(exc: httpx.HTTPError) -> str:
    """A short, stable description of an httpx failure."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout: {type(exc).__name__} ({detail})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"connection closed by server mid-response: {detail}"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return f"connection reset: {detail}"
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {detail}"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"refused: {detail}"
    if isinstance(exc, httpx.DecodingError):
        return f"undecodable body: {detail}"
    return f"network error: {type(exc).__name__}: {detail}"


def fetch_limits(config: Config | None, allow_private: PrivateNetworks | bool = False) -> FetchLimits:
    """FetchLimits from ``config.poll`` (concurrency, per-host, timeouts, sizes, user agent)."""
    poll = config.poll if config is not None else None
    if poll is None:
        return FetchLimits(allow_private=allow_private)
    return FetchLimits(
        total_timeout=float(poll.timeout_seconds),
        max_bytes=int(poll.max_bytes),  # a feed's
        max_page_bytes=int(poll.max_page_bytes),
        max_connections=int(poll.concurrency),
        per_host=int(poll.per_host),
        allow_private=allow_private,
        user_agent=poll.user_agent,
    )
