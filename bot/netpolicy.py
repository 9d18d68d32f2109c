"""Which non-public addresses a fetch may reach (ALLOW_PRIVATE_URLS), and the connection that keeps to them.

API::

    policy = PrivateNetworks.parse("127.0.0.0/8,10.1.2.0/24")   # or "true" / "false"; ValueError names the bad part
    policy.allows(ipaddress.ip_address("10.1.2.7"))             # True: listed
    bool(policy)                                                 # False when nothing private is allowed
    as_private_networks(True)                                    # LOCAL_NETWORKS; False / None -> nothing
    backend = PinnedBackend(); with pinned({(host, port): [addresses]}): ... connect ...

``true`` opens loopback and the private LAN ranges only (LOCAL_NETWORKS): never link-local (cloud metadata at
169.254.169.254), documentation, reserved, multicast or unspecified addresses. A CIDR list opens exactly the
networks it names. Public addresses are always allowed; that is :func:`bot.fetch.is_public_address`'s job.

:class:`PinnedBackend` is an httpcore network backend that connects only to the addresses the caller checked
(set with :func:`pinned` around the request): the name is not resolved a second time, so a DNS answer that
changes between the check and the connect (rebinding) cannot redirect the connection. TLS still uses the
host name for SNI and certificate checks, and the Host header is untouched, because httpcore only asks the
backend for a TCP stream.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# What ALLOW_PRIVATE_URLS=true opens: loopback, RFC 1918 LANs, carrier-grade NAT, IPv6 unique-local.
LOCAL_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def unmapped(ip: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address as the IPv4 address it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


@dataclass(frozen=True)
class PrivateNetworks:
    """The non-public networks a fetch may reach besides public addresses (empty: none)."""

    networks: tuple[IPNetwork, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.networks)

    def allows(self, ip: IPAddress) -> bool:
        """Whether this non-public address is in one of the allowed networks."""
        ip = unmapped(ip)
        return any(ip.version == n.version and ip in n for n in self.networks)

    def describe(self) -> str:
        """The setting in words, for messages and check-config."""
        if not self.networks:
            return "no private addresses"
        if self.networks == LOCAL_NETWORKS:
            return "loopback and private LAN addresses"
        return ", ".join(str(n) for n in self.networks)

    @classmethod
    def parse(cls, value: str | bool | None) -> PrivateNetworks:
        """From true/false (1/0, yes/no) or a comma-separated CIDR list; ValueError says what is valid."""
        if value is None or isinstance(value, bool):
            return cls(LOCAL_NETWORKS if value else ())
        text = value.strip().lower()
        if text in _TRUE:
            return cls(LOCAL_NETWORKS)
        if text in _FALSE:
            return cls()
        networks: list[IPNetwork] = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(
                    f"{part!r} is neither true/false nor a network in CIDR notation (e.g. 127.0.0.0/8,10.1.2.0/24)"
                ) from None
        return cls(tuple(dict.fromkeys(networks)))


def as_private_networks(value: Any) -> PrivateNetworks:
    """A PrivateNetworks from a bool (True: LOCAL_NETWORKS), a string setting, a list of CIDRs, or itself."""
    if isinstance(value, PrivateNetworks):
        return value
    if value is None or isinstance(value, bool | str):
        return PrivateNetworks.parse(value)
    if isinstance(value, Iterable):
        return PrivateNetworks(tuple(ipaddress.ip_network(str(v), strict=False) for v in value))
    raise ValueError(f"{value!r} is not a private-address setting (true/false or CIDR networks)")


# --------------------------------------------------------------------------- pinned connections

Pins = Mapping[tuple[str, int], Sequence[IPAddress]]
_PINS: contextvars.ContextVar[Pins | None] = contextvars.ContextVar("coverage_bot_pins", default=None)


@contextlib.contextmanager
def pinned(pins: Pins) -> Iterator[None]:
    """Within this block (this task), PinnedBackend connects `(host, port)` only to the given addresses."""
    token = _PINS.set(pins)
    try:
        yield
    finally:
        _PINS.reset(token)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the checked addresses of a host (see :func:`pinned`), never to a fresh DNS answer."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        pins = _PINS.get() or {}
        addresses = pins.get((host.lower().strip("[]"), port))
        if not addresses:
            raise httpcore.ConnectError(f"{host}:{port} was not checked before connecting")
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
