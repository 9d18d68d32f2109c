"""ALLOW_PRIVATE_URLS (which private networks a fetch may reach) and pinned connections (no DNS rebinding)."""

from __future__ import annotations

import asyncio
import html
import ipaddress
import os
import re
import shutil
import ssl
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from loopback import LoopbackServer, Response, redirect

from bot.app import poll_command
from bot.fetch import Fetcher, FetchLimits
from bot.netpolicy import LOCAL_NETWORKS, PrivateNetworks
from bot.settings import ConfigError, Settings, check_config, parse_config
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
ip = ipaddress.ip_address


def resolver_of(answers: dict[str, list[str]], calls: list[str] | None = None):
    """A DNS that answers from a table; each host's answers are used in turn (the last one repeats)."""
    asked: dict[str, int] = {}

    async def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        if calls is not None:
            calls.append(host)
        n = asked.get(host, 0)
        asked[host] = n + 1
        options = answers[host]
        return [ip(options[min(n, len(options) - 1)])]

    return resolve


async def get(url: str, allow: object, resolver=None, **kw: object):
    limits = FetchLimits(allow_private=allow, total_timeout=5, page_delay=0)  # type: ignore[arg-type]
    async with Fetcher(limits, resolver=resolver) as fetcher:
        return await fetcher.get(url, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the setting


def test_true_opens_loopback_and_lans_only() -> None:
    policy = PrivateNetworks.parse("true")
    assert policy.networks == LOCAL_NETWORKS and bool(policy)
    for allowed in ("127.0.0.1", "10.1.2.3", "172.16.5.4", "192.168.1.10", "::1", "fd00::1", "::ffff:10.0.0.1"):
        assert policy.allows(ip(allowed)), allowed
    for refused in ("169.254.169.254", "fe80::1", "192.0.2.1", "198.51.100.7", "240.0.0.1", "0.0.0.0", "224.0.0.1"):
        assert not policy.allows(ip(refused)), refused


def test_false_and_lists() -> None:
    for off in ("false", "0", "no", "", "off"):
        assert not PrivateNetworks.parse(off) and not PrivateNetworks.parse(off).allows(ip("127.0.0.1"))
    listed = PrivateNetworks.parse(" 127.0.0.0/8 , 10.1.2.0/24,")
    assert listed.allows(ip("127.3.4.5")) and listed.allows(ip("10.1.2.200"))
    assert not listed.allows(ip("10.1.3.1")) and not listed.allows(ip("192.168.0.1"))
    assert listed.describe() == "127.0.0.0/8, 10.1.2.0/24"
    assert PrivateNetworks.parse("169.254.169.254/32").allows(ip("169.254.169.254"))  # named explicitly
    with pytest.raises(ValueError, match=re.escape("'10.1.2.0/33' is neither true/false nor a network in CIDR")):
        PrivateNetworks.parse("127.0.0.0/8,10.1.2.0/33")


def test_settings_from_environment() -> None:
    s = Settings.from_env({"ALLOW_PRIVATE_URLS": "127.0.0.0/8,10.1.2.0/24"})
    assert s.allow_private_urls == PrivateNetworks.parse("127.0.0.0/8,10.1.2.0/24")
    assert not Settings.from_env({}).allow_private_urls
    assert Settings(allow_private_urls=True).allow_private_urls.networks == LOCAL_NETWORKS
    with pytest.raises(ConfigError, match="ALLOW_PRIVATE_URLS: 'lan' is neither"):
        Settings.from_env({"ALLOW_PRIVATE_URLS": "lan"})


# ---------------------------------------------------------------- fetching under it


async def test_a_list_allows_only_its_networks() -> None:
    with LoopbackServer({"/feed": (200, {}, FEED)}) as server:
        refused = await get(server.url("/feed"), PrivateNetworks.parse("10.0.0.0/8"))
        assert refused.error == "refused: 127.0.0.1 resolves to non-public address 127.0.0.1"
        none = await get(server.url("/feed"), False)
        assert none.error is not None and "set ALLOW_PRIVATE_URLS to fetch from local addresses" in none.error
        assert server.requests == []
        ok = await get(server.url("/feed"), PrivateNetworks.parse("127.0.0.0/8"))
        assert ok.error is None and ok.body == FEED


async def test_true_does_not_follow_to_documentation_or_link_local_addresses() -> None:
    with LoopbackServer() as server:
        server.route("/doc", redirect("http://192.0.2.1/feed"))
        server.route("/metadata", redirect("http://metadata.test/latest/meta-data/"))
        result = await get(server.url("/doc"), True)
        assert result.error is not None and "non-public address 192.0.2.1" in result.error
        dns = resolver_of({"127.0.0.1": ["127.0.0.1"], "metadata.test": ["169.254.169.254"]})
        result = await get(server.url("/metadata"), True, resolver=dns)
        assert result.error is not None and "non-public address 169.254.169.254" in result.error
        assert [r.route for r in server.requests] == ["/doc", "/metadata"]


async def test_dns_rebinding_cannot_move_the_connection() -> None:
    """The name is checked once and the connection goes to the checked address, whatever DNS says next."""
    allowed = LoopbackServer({"/feed": (200, {}, FEED)})
    allowed.host = "127.0.0.2"
    with allowed:
        hits: list[str] = []

        async def forbidden(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            hits.append("connected")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecret")
            await writer.drain()
            writer.close()

        secret = await asyncio.start_server(forbidden, "127.0.0.1", allowed.port)
        try:
            calls: list[str] = []
            dns = resolver_of({"localhost": ["127.0.0.2", "127.0.0.1"]}, calls)
            result = await get(f"http://localhost:{allowed.port}/feed", "127.0.0.2/32", resolver=dns)
            assert result.error is None and result.body == FEED
            assert calls == ["localhost"] and hits == []
            assert allowed.requests[0].headers["host"] == f"localhost:{allowed.port}"
            # the same name answered with the forbidden address is refused before any connection
            again = await get(
                f"http://localhost:{allowed.port}/feed",
                "127.0.0.2/32",
                resolver=resolver_of({"localhost": ["127.0.0.1"]}),
            )
            assert again.error is not None and "non-public address 127.0.0.1" in again.error and hits == []
        finally:
            secret.close()
            await secret.wait_closed()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a test certificate")
async def test_pinned_https_keeps_sni_and_host_name(tmp_path: Path) -> None:
    """Connecting to the pinned address still sends the host name in TLS (SNI) and checks the certificate."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=feeds.example.test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    try:
        dns = resolver_of({"feeds.example.test": ["127.0.0.1"]})
        result = await get(f"https://feeds.example.test:{port}/feed", "127.0.0.0/8", resolver=dns)
    finally:
        server.close()
        await server.wait_closed()
    assert names == ["feeds.example.test"]
    assert result.error is not None and "certificate" in result.error.lower()  # self-signed: verification is on


# ---------------------------------------------------------------- check-config, summarize, polling


def test_check_config_warns_on_private_hosts_not_allowed(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "topics:\n  x:\n    rules:\n      - any: [foo]\nfeeds:\n"
        "  - name: Local\n    url: http://127.0.0.1:8080/rss\n"
        "  - name: LAN\n    url: http://10.1.2.3/rss\n"
        "  - name: Metadata\n    url: http://169.254.169.254/rss\n"
        "  - name: Public\n    url: http://93.184.216.34/rss\n"
    )
    lines = check_config(path, PrivateNetworks.parse("127.0.0.0/8"), resolve=False)
    warnings = [x for x in lines if x.startswith("warning: feed")]
    assert warnings == [
        "warning: feed 'LAN': 10.1.2.3 is a non-public address (10.1.2.3) and will be refused; "
        "allow it with ALLOW_PRIVATE_URLS=true or ALLOW_PRIVATE_URLS=10.1.2.3/32",
        "warning: feed 'Metadata': 169.254.169.254 is a non-public address (169.254.169.254) and will be refused; "
        "allow it with ALLOW_PRIVATE_URLS=169.254.169.254/32",
    ]
    assert len([x for x in check_config(path, resolve=False) if x.startswith("warning: feed")]) == 3
    everything = PrivateNetworks.parse("127.0.0.0/8,10.0.0.0/8,169.254.169.254/32")
    assert not [x for x in check_config(path, everything, resolve=False) if x.startswith("warning: feed")]


def test_check_config_resolves_host_names(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "topics:\n  x:\n    rules:\n      - any: [foo]\nfeeds:\n  - name: L\n    url: http://localhost/rss\n"
    )
    assert any("feed 'L': localhost is a non-public address" in x for x in check_config(path))
    assert not any(x.startswith("warning: feed") for x in check_config(path, PrivateNetworks.parse(True)))


def test_summarize_honours_allow_private_urls() -> None:
    text = (ROOT / "seeds" / "000_13480b5b247e7fca.txt").read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    page = f"<html><head><title>Deal</title></head><body><article>{paragraphs}</article></body></html>"
    with LoopbackServer({"/article": (200, {"Content-Type": "text/html"}, page)}) as server:
        env = {k: v for k, v in os.environ.items() if k != "ALLOW_PRIVATE_URLS"}
        args = [sys.executable, "-m", "bot.cli", "summarize", server.url("/article")]
        refused = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
        assert refused.returncode == 2 and "set ALLOW_PRIVATE_URLS" in refused.stderr
        allowed = subprocess.run(
            args,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**env, "ALLOW_PRIVATE_URLS": "127.0.0.1/32"},
            timeout=120,
        )
        assert allowed.returncode == 0, allowed.stderr
        assert "Summary" in allowed.stdout and "up to $500 billion" in allowed.stdout


async def test_a_refused_feed_is_polled_at_once_when_the_setting_allows_it(tmp_path: Path, capsys) -> None:
    """Refused under the old setting, the feed is not left in back-off when the bot restarts with the new one."""
    with LoopbackServer({"/rss": Response(200, {"Content-Type": "application/rss+xml"}, FEED)}) as server:
        config = parse_config(
            {
                "topics": {"x": {"rules": [{"any": ["foo"]}]}},
                "feeds": [{"name": "Local", "url": server.url("/rss"), "interval": 900}],
                "poll": {"fetch_full_text": False},
            }
        )
        url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        await poll_command(config, Settings(database_url=url))
        assert "1 failed" in capsys.readouterr().out and server.requests == []
        store = await Store.open(url)
        try:
            (feed,) = await store.feed_health()
            assert feed.failures == 1 and feed.last_error.startswith("refused:")
            assert feed.next_poll_at is not None and feed.next_poll_at > datetime.now(UTC)  # backed off
        finally:
            await store.close()
        await poll_command(config, Settings(database_url=url, allow_private_urls="127.0.0.1/32"))
        out = capsys.readouterr().out
        assert "1 feeds due, 1 fetched" in out and "0 failed" in out
        assert [r.route for r in server.requests] == ["/rss"]


async def test_a_feed_the_refusals_disabled_is_polled_again_when_the_setting_allows_it(tmp_path: Path, capsys) -> None:
    """Refused until the poller disabled it (failure_disable_after), a local feed stayed disabled after a restart
    with ALLOW_PRIVATE_URLS: the refusals were the setting's, not the feed's failures."""
    with LoopbackServer({"/rss": Response(200, {"Content-Type": "application/rss+xml"}, FEED)}) as server:
        config = parse_config(
            {
                "topics": {"x": {"rules": [{"any": ["foo"]}]}},
                "feeds": [{"name": "Local", "url": server.url("/rss"), "interval": 900}],
                "poll": {"fetch_full_text": False, "failure_disable_after": 1},
            }
        )
        url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        await poll_command(config, Settings(database_url=url))
        assert "feed disabled after repeated failures: Local" in capsys.readouterr().out
        await poll_command(config, Settings(database_url=url, allow_private_urls="127.0.0.1/32"))
        out = capsys.readouterr().out
        assert "1 feeds due, 1 fetched" in out and [r.route for r in server.requests] == ["/rss"]
