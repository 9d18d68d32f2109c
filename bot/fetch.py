"""Polite, hostile-proof HTTP GET for feeds and article pages: bounded in time, size and destinations.

API:

    async with Fetcher(FetchLimits(total_timeout=30.0, max_bytes=8 * 2**20)) as fetcher:
        result = await fetcher.get(url, etag=None, last_modified=None, kind="feed")  # or kind="page"
    FetchResult(url, final_url, status, headers, body, etag, last_modified, not_modified,
                permanent_redirect, retry_after, error, elapsed)

`get` never raises for network or HTTP trouble: `error` says what went wrong (timeout, reset, oversize, bad scheme,
blocked address, redirect loop, too many redirects, HTTP >= 400) and `status` is 0 when no answer came. A 304 gives
`not_modified=True` and no body. `permanent_redirect` is where the leading run of 301/308 hops led, for the poller to
store. `retry_after` is in seconds (from seconds or an HTTP date) on 429/503. `body` is the decoded (gunzipped) body
and `headers` the final response's, lower-case, without Content-Encoding/Content-Length.

Limits: a global and a per-host number of requests in flight, a minimum delay between two page requests to one host
(feeds are polled on their own schedule), a total deadline per fetch around connect + headers + body (a server
trickling a byte a second cannot hold a slot), a size cap counted on the decompressed bytes while streaming (a gzip
bomb stops at the cap: we inflate with `zlib` in bounded steps rather than httpx's decoder, which inflates each
64 KiB network read whole, up to ~64 MB at once), http/https only, redirects followed by hand so that every hop is
checked: never to a loopback, private, link-local or reserved address unless `allow_private`, and never from a
public address to a non-public one even then.

Known limit: a hop's host is resolved for the check and again by httpx to connect, so a DNS answer that changes in
between (rebinding) is not caught; pinning the checked address would need a custom transport.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import logging
import socket
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

log = logging.getLogger(__name__)

USER_AGENT = "coverage-bot/0.1 (+https://github.com/coverage-bot/coverage-bot)"
ACCEPT = {
    "feed": "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
}
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
PERMANENT_CODES = frozenset({301, 308})
INFLATE_STEP = 64 * 1024  # most bytes one zlib call may produce: bounds memory per step of a compressed body

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


@dataclass(frozen=True)
class FetchLimits:
    """How much one Fetcher may ask of the network and of each server."""

    total_timeout: float = 30.0  # seconds for one fetch: every hop's connect, headers and body
    max_bytes: int = 8 * 1024 * 1024  # decoded body cap; feeds are rarely over 1 MB, pages over 2 MB
    max_redirects: int = 10
    max_connections: int = 10  # requests in flight at once, all hosts
    per_host: int = 2  # requests in flight at once to one host
    page_delay: float = 1.0  # minimum seconds between two page requests to one host
    allow_private: bool = False  # let loopback/private targets through (tests, a local demo)
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


def is_public_address(ip: IPAddress) -> bool:
    """True for a globally routable unicast address (not loopback, private, link-local, reserved, multicast)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Resolve `host` with the event loop's getaddrinfo (the same answer httpx will get)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


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

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.inflater is None:
            if data:
                yield data
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
                pending = self.inflater.unused_data  # another gzip member follows
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
    ) -> None:
        self.limits = limits or FetchLimits()
        self._resolve = resolver or system_resolver
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._global: asyncio.Semaphore | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._pace_locks: dict[str, asyncio.Lock] = {}
        self._next_page_at: dict[str, float] = {}

    async def __aenter__(self) -> Fetcher:
        total = self.limits.total_timeout
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment: the address checks must see the real target
            timeout=httpx.Timeout(total, connect=min(10.0, total)),
            limits=httpx.Limits(max_connections=self.limits.max_connections, max_keepalive_connections=self.limits.max_connections),
            headers={"User-Agent": self.limits.user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=self._transport,
        )
        self._global = asyncio.Semaphore(self.limits.max_connections)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        kind: Literal["feed", "page"] = "feed",
    ) -> FetchResult:
        """GET `url` within the limits; every failure is reported in `error`, never raised."""
        if self._client is None or self._global is None:
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
                async with asyncio.timeout(self.limits.total_timeout):
                    result = await self._fetch(url, etag, last_modified, kind, progress, started)
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
        if result.error:
            log.warning("fetch %s failed after %.1f s: %s", url, result.elapsed, result.error)
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
        url: str,
        etag: str | None,
        last_modified: str | None,
        kind: str,
        progress: _Progress,
        started: float,
    ) -> FetchResult:
        assert self._client is not None
        current = url
        seen = {url}
        previous_public: bool | None = None
        permanent_run = True
        for _hop in range(self.limits.max_redirects + 1):
            public = await self._check_target(current, previous_public)
            headers = {"Accept": ACCEPT.get(kind, ACCEPT["page"])}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            request = self._client.build_request("GET", current, headers=headers)
            try:
                response = await self._client.send(request, stream=True)
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
                    continue
                return await self._finish(url, current, response, etag, last_modified, progress, started)
            finally:
                await response.aclose()
        raise _Refused(f"too many redirects (more than {self.limits.max_redirects})")

    async def _check_target(self, url: str, previous_public: bool | None) -> bool:
        """Refuse a hop by scheme or address; return whether its host is public."""
        check_scheme(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError as exc:
            raise UnsafeURL(f"bad port in {url}") from exc
        try:
            addresses: list[IPAddress] = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                addresses = await self._resolve(host, port)
            except OSError as exc:
                raise _Refused(f"cannot resolve host {host!r}: {exc}") from exc
        if not addresses:
            raise _Refused(f"cannot resolve host {host!r}: no address")
        blocked = [a for a in addresses if not is_public_address(a)]
        if blocked:
            if previous_public:
                raise UnsafeURL(f"redirect from a public address to non-public {blocked[0]} ({host})")
            if not self.limits.allow_private:
                raise UnsafeURL(f"{host} resolves to non-public address {blocked[0]}")
        return not blocked

    async def _finish(
        self,
        url: str,
        final_url: str,
        response: httpx.Response,
        etag: str | None,
        last_modified: str | None,
        progress: _Progress,
        started: float,
    ) -> FetchResult:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        common = {
            "url": url,
            "final_url": final_url,
            "status": status,
            "permanent_redirect": progress.permanent_redirect,
            "etag": headers.get("etag") or etag,
            "last_modified": headers.get("last-modified") or last_modified,
        }
        if status == 304:
            return FetchResult(**common, headers=headers, not_modified=True, elapsed=time.monotonic() - started)
        if status >= 400 or 300 <= status < 400:
            retry_after = parse_retry_after(headers.get("retry-after")) if status in (429, 503) else None
            error = f"HTTP {status}"
            if retry_after is not None:
                error += f" (retry after {retry_after:.0f} s)"
            return FetchResult(
                **common, headers=headers, retry_after=retry_after, error=error, elapsed=time.monotonic() - started
            )
        body = await self._read_body(response, headers)
        headers.pop("content-encoding", None)
        headers.pop("content-length", None)
        return FetchResult(**common, headers=headers, body=body, elapsed=time.monotonic() - started)

    async def _read_body(self, response: httpx.Response, headers: Mapping[str, str]) -> bytes:
        cap = self.limits.max_bytes
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > cap:
            raise _Refused(f"body too large: Content-Length {int(declared)} exceeds the {cap}-byte cap")
        inflater = _Inflater(headers.get("content-encoding", ""))
        chunks: list[bytes] = []
        size = raw = 0
        async for data in response.aiter_raw():
            raw += len(data)
            if raw > cap + INFLATE_STEP:
                raise _Refused(f"body too large: over the {cap}-byte cap")
            for piece in inflater.feed(data):
                size += len(piece)
                if size > cap:
                    raise _Refused(f"body too large: over the {cap}-byte cap after decompression")
                chunks.append(piece)
        for piece in inflater.flush():
            size += len(piece)
            if size > cap:
                raise _Refused(f"body too large: over the {cap}-byte cap after decompression")
            chunks.append(piece)
        return b"".join(chunks)


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
