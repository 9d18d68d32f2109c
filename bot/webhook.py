"""Webhook mode's settings, checked at the edge: the public URL, the address to listen on, the secret token.

API::

    hook = webhook_config("https://bot.example.org/telegram", "0.0.0.0:8443", os.environ)  # UserError if bad
    hook.url, hook.host, hook.port, hook.url_path, hook.secret
    check_listen(hook)  # UserError when this machine cannot listen there (port in use, address not its own)

Telegram posts each update to ``url`` (a reverse proxy in front forwards it to ``host:port`` with the same
path) and sends the secret token in the ``X-Telegram-Bot-Api-Secret-Token`` header; python-telegram-bot
answers 403 to any request without it. The secret comes from ``TELEGRAM_WEBHOOK_SECRET``, else a fresh one is
made at each start and given to Telegram by setWebhook (so a restart invalidates the old one).
"""

from __future__ import annotations

import errno
import ipaddress
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import UserError

DEFAULT_LISTEN = "0.0.0.0:8443"
SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"
# Telegram's rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$")
# The ports Telegram posts webhook updates to (setWebhook refuses any other with "bad webhook").
TELEGRAM_PORTS = (80, 88, 443, 8443)
# Why a listener cannot be opened, in the words of what to do about it (errno of the bind).
_BIND_HINTS = {
    errno.EADDRINUSE: "the port is in use (another process listens there)",
    errno.EADDRNOTAVAIL: "not an address of this machine (0.0.0.0 listens on all of them)",
    errno.EACCES: "not allowed (ports under 1024 need privileges)",
}


@dataclass(frozen=True)
class WebhookConfig:
    """Where Telegram posts updates (``url``), where we listen (``host:port``, path from the URL), the secret."""

    url: str
    host: str
    port: int
    url_path: str
    secret: str

    def __repr__(self) -> str:  # the secret never reaches a log line
        return f"WebhookConfig(url={self.url!r}, host={self.host!r}, port={self.port})"


def webhook_config(url: str, listen: str = DEFAULT_LISTEN, environ: Mapping[str, str] | None = None) -> WebhookConfig:
    """Checked webhook settings; UserError (one line) says what is wrong with the URL, the address or the secret."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https":
        raise UserError(
            f"--webhook-url {url!r}: Telegram only posts to https:// URLs (e.g. https://bot.example.org/tg)"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise UserError(f"--webhook-url {url!r}: the port is not a number from 1 to 65535") from None
    if parts.port is not None and parts.port not in TELEGRAM_PORTS:
        raise UserError(
            f"--webhook-url {url!r}: Telegram posts only to ports 80, 88, 443 and 8443 (put the reverse proxy on one "
            "of them; --listen may be any port)"
        )
    if not parts.hostname or any(c.isspace() for c in url.strip()) or parts.fragment:
        raise UserError(f"--webhook-url {url!r}: not a valid URL (it needs a host, no spaces and no #fragment)")
    host, port = _listen(listen)
    secret = (environ or {}).get(SECRET_ENV, "").strip()
    if secret and not _SECRET.match(secret):
        raise UserError(f"{SECRET_ENV}: use 1 to 256 characters of A-Z, a-z, 0-9, _ and - (value not shown)")
    return WebhookConfig(
        url=url.strip(),
        host=host,
        port=port,
        url_path=parts.path or "/",
        secret=secret or secrets.token_urlsafe(32),
    )


def _listen(listen: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::]:8443`` for IPv6) → (host, port); UserError when either is not usable."""
    host, sep, port = listen.strip().rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    bad = f"--listen {listen!r}: give HOST:PORT, e.g. {DEFAULT_LISTEN} or 127.0.0.1:8443"
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise UserError(bad)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _HOST.match(host):
            raise UserError(bad) from None
    return host, int(port)


def check_listen(hook: WebhookConfig) -> None:
    """UserError (one line naming --listen) when this machine cannot listen at ``hook.host:hook.port``.

    Bound and closed again before anything starts: the listener otherwise opened only after the store, the poller and
    Telegram's setWebhook (pointing Telegram at a listener that never came), with "OSError: [Errno 98]". The same
    binding as python-telegram-bot's own (tornado's bind_sockets, address reuse on).
    """
    from tornado.netutil import bind_sockets

    try:
        sockets = bind_sockets(hook.port, hook.host)
    except OSError as exc:
        where = f"[{hook.host}]:{hook.port}" if ":" in hook.host else f"{hook.host}:{hook.port}"
        why = _BIND_HINTS.get(exc.errno or 0, exc.strerror or str(exc))
        raise UserError(f"--listen {where}: cannot listen there: {why}") from None
    for sock in sockets:
        sock.close()
