"""`coverage-bot demo`: the real pipeline, offline, on the seed articles.

A loopback HTTP server serves `seeds/` as small news sites, one per seed article (each seed is another outlet's
telling): an RSS feed dated today and one HTML page per article, with site chrome around the text; one poll cycle
fetches, parses, matches topics,
extracts the pages' text, clusters stories and analyses them into a throw-away store; then the daily
digest is printed as a subscriber would receive it, and `/summary`, `/quotes` and `/figures` are
answered as in Telegram.
"""

from __future__ import annotations

import html
import shutil
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from .errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SITE_NAMES = ("Seed News", "Seed Wire", "Seed Times")  # one outlet per seed article; more seeds: "Seed Site 4", ...
DEMO_CHAT = 1  # the console's chat id; the digest is composed for a subscription of this chat


def find_seeds(seeds_dir: str | None = None) -> Path:
    """The seed folder: the one given, the project's `seeds/`, or `./seeds`."""
    candidates = [Path(seeds_dir)] if seeds_dir else [PROJECT_ROOT / "seeds", Path("seeds")]
    for c in candidates:
        if c.is_dir() and any(c.glob("*.txt")):
            return c
    tried = ", ".join(str(c) for c in candidates)
    raise UserError(f"no seed articles (*.txt) found in {tried}; pass --seeds DIR")


def find_config() -> Path:
    """The project's feeds.yaml (its topics are the demo's topics)."""
    for c in (Path("feeds.yaml"), PROJECT_ROOT / "feeds.yaml"):
        if c.is_file():
            return c
    raise UserError("feeds.yaml not found (run the demo from the project folder)")


# ---------------------------------------------------------------- the loopback news site


def site_name(k: int) -> str:
    """The outlet that serves the ``k``-th seed article."""
    return SITE_NAMES[k] if k < len(SITE_NAMES) else f"Seed Site {k + 1}"


def _article_page(title: str, body: str, site: str) -> bytes:
    """An article page with the furniture real sites wrap around the text."""
    paras = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in body.split("\n") if p.strip())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | {site}</title>
<script>window.analytics = {{track: function() {{}}}};</script></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/markets">Markets</a></li>
<li><a href="/opinion">Opinion</a></li></ul></nav>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
<main><article>
<h1>{html.escape(title)}</h1>
<div class="byline">By Staff Reporter · {site}</div>
{paras}
</article></main>
<aside class="share">Share this article: Facebook · X · Telegram · Email</aside>
<aside class="related"><h3>Related stories</h3><ul><li><a href="/a">Markets close mixed</a></li>
<li><a href="/b">Weather: a wet weekend ahead</a></li></ul></aside>
<footer><p>Sign up for our newsletter</p><p>&copy; 2026 {site}. All rights reserved.</p></footer>
</body></html>""".encode()


def _split_seed(text: str) -> tuple[str, str]:
    """(headline, body) of a seed file: the first non-empty line is the headline."""
    lines = text.strip().split("\n")
    return lines[0].strip(), "\n".join(lines[1:]).strip()


SiteItem = tuple[str, str, str, datetime, str]  # title, path, lead, published, guid


def build_site(seeds: Path, now: datetime) -> tuple[dict[str, tuple[str, bytes]], list[SiteItem]]:
    """Routes (path → content type, bytes) with one page per seed article, and the feeds' items: the ``k``-th
    article's page is under ``/site{k}/`` and its site's feed (``feed_xml``) lists it alone."""
    routes: dict[str, tuple[str, bytes]] = {}
    items: list[SiteItem] = []
    for k, path in enumerate(sorted(seeds.glob("*.txt"))):
        try:
            title, body = _split_seed(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise UserError(f"{path}: not UTF-8 text (byte {exc.start}); save the seed article as UTF-8") from None
        page = f"/site{k}/articles/{path.stem}.html"
        routes[page] = ("text/html; charset=utf-8", _article_page(title, body, site_name(k)))
        lead = next((p for p in body.split("\n") if len(p.split()) > 12), body[:300])
        items.append((title, page, lead, now - timedelta(hours=2 + 3 * k), f"seed-{path.stem}"))
    return routes, items


def feed_xml(base: str, items: list[SiteItem], now: datetime, site: str) -> bytes:
    """An RSS 2.0 feed of one site, dated today."""
    entries = "\n".join(
        f"""<item><title>{html.escape(t)}</title><link>{base}{link}</link>
<guid isPermaLink="false">{guid}</guid><pubDate>{format_datetime(when)}</pubDate>
<description>{html.escape(lead[:400])}</description></item>"""
        for t, link, lead, when, guid in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{html.escape(site)}</title><link>{base}/</link>
<description>Seed articles served on loopback for the coverage-bot demo</description>
<lastBuildDate>{format_datetime(now)}</lastBuildDate>
{entries}
</channel></rss>""".encode()


class _Site(ThreadingHTTPServer):
    daemon_threads = True
    routes: dict[str, tuple[str, bytes]]


class _Handler(BaseHTTPRequestHandler):
    server: _Site

    def do_GET(self) -> None:
        found = self.server.routes.get(self.path.split("?")[0])
        if found is None:
            self.send_error(404)
            return
        ctype, body = found
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


# ---------------------------------------------------------------- the demo


def _demo_config(base: str, sites: int) -> Any:
    """The project's topics with the loopback sites' feeds."""
    from .settings import ConfigError, parse_config

    path = find_config()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["feeds"] = [{"name": site_name(k), "url": f"{base}/site{k}/feed.xml"} for k in range(sites)]
    try:
        return parse_config(data, source=path)
    except ConfigError as exc:
        raise UserError(str(exc)) from None


async def run_demo(seeds_dir: str | None = None, keep: bool = False) -> int:
    """Serve the seeds on loopback, poll once, print the digest and the on-demand answers."""
    from .console import demo_answers
    from .digest import digest_for
    from .fetch import fetch_limits
    from .message import Reply, reply_plain
    from .netpolicy import PrivateNetworks
    from .poller import poll_once
    from .settings import Settings
    from .store import Store

    seeds = find_seeds(seeds_dir)
    now = datetime.now(UTC)
    routes, items = build_site(seeds, now)
    server = _Site(("127.0.0.1", 0), _Handler)
    server.routes = routes
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for k, item in enumerate(items):
        routes[f"/site{k}/feed.xml"] = ("application/rss+xml; charset=utf-8", feed_xml(base, [item], now, site_name(k)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    workdir = Path(tempfile.mkdtemp(prefix="coverage-bot-demo-"))
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{workdir / 'demo.db'}", allow_private_urls=PrivateNetworks.parse(True)
    )
    config = _demo_config(base, len(items))
    store = await Store.open(settings.database_url)
    try:
        print(f"coverage-bot demo: serving {len(items)} seed articles from {seeds} as news sites at {base}")
        report = await poll_once(config, store, limits=fetch_limits(config, allow_private=True))
        print(
            f"poll cycle: {report.fetched} feed{'' if report.fetched == 1 else 's'} fetched, "
            f"{report.new_items} new items, "
            f"{report.on_topic} on topic, {report.stories_created} stories ({report.elapsed:.1f} s)\n"
        )
        sub = await store.subscribe(DEMO_CHAT, list(config.topics), mode="daily", at="08:00")
        blocks, _, _ = await digest_for(store, sub, datetime.now(UTC), topic_names=config.topic_names())

        print("=" * 100)
        print("The daily digest a subscriber would receive (rendered as plain text):")
        print("=" * 100)
        print(reply_plain(Reply(blocks=tuple(blocks))))
        print()
        print("=" * 100)
        print("Commands answered as in Telegram (try more with `coverage-bot console`):")
        print("=" * 100)
        await demo_answers(store, config, settings)
    finally:
        await store.close()
        server.shutdown()
        server.server_close()
        if keep:
            print(f"demo database kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0
