"""Poll-cycle speed: our cycle against a naive loop and the network floor, on loopback feeds (run by hand).

Usage: .venv/bin/python bench/poll.py [--feeds 500] [--items 50] [--concurrency 32] [--on-topic 0.0]
                                      [--hosts 50] [--stories 250] [--analysis] [--repeat 3] [--profile FILE]

Built like a real deployment (issue 11): ``--hosts`` loopback addresses (127.0.0.1 … 127.0.0.N), each a host
of its own for the per-host limits; the on-topic items are ``--stories`` stories each told by about
items*feeds*on_topic/stories outlets (the same event in different words); the topics are the project's own
feeds.yaml. ``--profile FILE`` writes cProfile stats of our first cycle.

A server process serves ``--feeds`` RSS feeds of ``--items`` items (ETag + 304) and an article page per
item. Each measurement runs in a fresh child process: wall time; CPU time of that process plus every process it
started (our feed-parsing workers and their fork server, so moving work into them hides nothing); peak RSS of the
process plus each worker's peak (an upper bound, shared pages counted twice), and the tree's peak PSS sampled every
0.25 s from the driver process (each page counted once: what the machine holds; the sampling's own CPU is not the
run's):

- floor: the same feed bytes (plus the pages our cycle fetches) downloaded concurrently, nothing parsed;
- naive: a sequential httpx + feedparser loop over the feeds;
- naive full: the same loop, plus each on-topic item's page (a keyword test on title + description) through
  trafilatura;
- ours, first cycle: poll_once on an empty SQLite store (sync feeds, lease, fetch, parse, identity,
  relevance, full text of on-topic items, clustering, one transaction per feed), its worker pool started before the
  store is opened, as `coverage-bot poll` starts it (the naive loops import feedparser, httpx and trafilatura before
  their timers; the workers import the same modules);
- ours, unchanged cycle: the next cycle, every feed answering 304;
- floor-304: the same conditional GETs, concurrently, nothing else.

``--on-topic`` is the share of items matching a topic (their pages are fetched and they are clustered);
analysis (each article's figures and quotes, bot.story_analysis.article_facts as the poller runs it; a summary per
story) is off unless ``--analysis``.
The page delay is 0 (in production it protects real servers). Medians of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.eventloop import loop_name  # noqa: E402
from bot.eventloop import run as run_loop  # noqa: E402

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
INTERVAL = 900
STORY_SUBJECTS = ["rare earth", "neodymium magnet", "rare earths export", "dysprosium supply", "rare earth mine"]
STORY_ACTORS = ["Lynas", "MP Materials", "China", "the Pentagon", "Iluka", "the EU", "Japan", "Arafura"]
STORY_VERBS = ["signs", "halts", "expands", "announces", "probes", "funds", "restricts", "cuts"]
OUTLET_FRAMES = ["{}", "{}, sources say", "Update: {}", "{} - report", "{} as markets react", "Analysis: {}"]


def _topics() -> dict[str, Any]:
    """The project's own topics (feeds.yaml), as the bot runs them."""
    import yaml

    return yaml.safe_load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))["topics"]


WORDS = [
    "market",
    "shares",
    "council",
    "budget",
    "harbour",
    "railway",
    "festival",
    "science",
    "bridge",
    "energy",
    "housing",
    "weather",
    "school",
    "museum",
    "airport",
    "election",
    "factory",
    "river",
    "farmers",
    "doctors",
    "court",
    "police",
    "tourism",
    "wages",
    "ferry",
    "library",
]


# --------------------------------------------------------------------------- the data


SYLLABLES = ["ka", "ro", "ven", "dal", "mir", "tos", "el", "bra", "quin", "sar", "lo", "thu", "gor", "pe", "nix"]


def _name(rng: random.Random) -> str:
    """A made-up proper name: every real event names its own people, places and companies."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def story(k: int) -> dict[str, str]:
    """Story ``k``: one event (actor, verb, subject, its own names and number) that several outlets tell."""
    rng = random.Random(10_000 + k)
    actor, verb, subject = rng.choice(STORY_ACTORS), rng.choice(STORY_VERBS), rng.choice(STORY_SUBJECTS)
    amount = rng.randint(2, 900)
    place, firm, person = _name(rng), _name(rng), f"{_name(rng)} {_name(rng)}"
    return {
        "headline": f"{actor} {verb} ${amount} million {subject} deal with {firm} at {place}",
        "lead": (
            f"{actor} {verb} a {subject} deal worth ${amount} million with {firm}, officials said on Monday. "
            f'"This changes the {subject} market," {person} of {firm} said. '
            f"The {place} project would supply magnets for about 20% of regional demand by 2030."
        ),
    }


def told_stories(args: argparse.Namespace) -> int:
    """How many different stories the on-topic items of the feeds tell."""
    feeds = range(args.feeds)
    return len(
        {it["story"] for f in feeds for it in feed_items(f, args.items, args.on_topic, args.stories) if it["hot"]}
    )


def feed_items(f: int, items: int, on_topic: float, stories: int = 250) -> list[dict[str, Any]]:
    """Deterministic items of feed ``f``: a share of them telling one of ``stories`` rare-earth stories."""
    rng = random.Random(f)
    out = []
    for i in range(items):
        words = rng.sample(WORDS, 6)
        hot = rng.random() < on_topic
        summary = " ".join(rng.choice(WORDS) for _ in range(45)).capitalize() + "."
        k = None
        if hot:
            k = rng.randrange(stories)
            st = story(k)
            title = rng.choice(OUTLET_FRAMES).format(st["headline"])
            summary = st["lead"] + " " + summary
        else:
            title = f"{words[0]} {words[1]} update {f}-{i}: {words[2]} and {words[3]}".capitalize()
        out.append(
            {
                "guid": f"urn:bench:{f}:{i}",
                "path": f"/page/{f}/{i}",
                "title": title,
                "summary": summary,
                "published": NOW - timedelta(minutes=7 * i + f % 60),
                "hot": hot,
                "story": k,
            }
        )
    return out


def host(f: int, hosts: int) -> str:
    """The loopback address feed ``f`` (and its pages) is served from."""
    return f"127.0.0.{1 + f % hosts}"


def rss(base: str, f: int, items: list[dict[str, Any]]) -> bytes:
    parts = [
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Bench feed {f}</title>"
        f"<link>{base}/</link><description>Generated</description>"
    ]
    for it in items:
        parts.append(
            f"<item><title>{it['title']}</title><link>{base}{it['path']}</link>"
            f"<guid isPermaLink='false'>{it['guid']}</guid><description>{it['summary']}</description>"
            f"<pubDate>{format_datetime(it['published'])}</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def page(item: dict[str, Any]) -> bytes:
    paras = "".join(f"<p>{item['summary']} {item['title']}.</p>" for _ in range(6))
    return (
        f"<html><head><title>{item['title']}</title></head><body><nav>Home | World</nav>"
        f"<article><h1>{item['title']}</h1>{paras}</article><footer>(c) 2026</footer></body></html>"
    ).encode()


# --------------------------------------------------------------------------- the server (own process)


def serve(args: argparse.Namespace) -> None:
    """Serve the feeds and pages with keep-alive, ETag and 304; print the port, run until killed."""

    async def main() -> None:
        routes: dict[str, tuple[bytes, bytes]] = {}
        first = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = first.sockets[0].getsockname()[1]
        servers = [first] + [
            await asyncio.start_server(handle, host(h, args.hosts), port) for h in range(1, args.hosts)
        ]
        for f in range(args.feeds):
            items = feed_items(f, args.items, args.on_topic, args.stories)
            base = f"http://{host(f, args.hosts)}:{port}"
            routes[f"/feed/{f}.xml"] = (rss(base, f, items), b'"feed-%d-v1"' % f)
            for it in items:
                if it["hot"]:
                    routes[it["path"]] = (page(it), b'"page"')
        ctx["routes"] = routes
        print(port, flush=True)
        await asyncio.gather(*(s.serve_forever() for s in servers))

    ctx: dict[str, Any] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                path = lines[0].split(b" ")[1].decode()
                inm = next(
                    (v.strip() for k, _, v in (x.partition(b":") for x in lines[1:]) if k.lower() == b"if-none-match"),
                    None,
                )
                found = ctx["routes"].get(path)
                if found is None:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                elif inm == found[1]:
                    writer.write(b"HTTP/1.1 304 Not Modified\r\nETag: %s\r\nContent-Length: 0\r\n\r\n" % found[1])
                else:
                    kind = b"application/rss+xml" if path.startswith("/feed/") else b"text/html; charset=utf-8"
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nETag: %s\r\nContent-Length: %d\r\n\r\n%s"
                        % (kind, found[1], len(found[0]), found[0])
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    asyncio.run(main())


# --------------------------------------------------------------------------- measured phases (child processes)


def _descendants(pid: int | None = None) -> list[int]:
    """Live processes started by ``pid`` (this process by default), at any depth (the feed-parsing pool's fork
    server and workers)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid or os.getpid()]
    while todo:
        kids = parents.get(todo.pop(), [])
        out += kids
        todo += kids
    return out


def _proc(pid: int) -> tuple[float, float]:
    """CPU seconds (its own and its reaped children's) and peak RSS in MB of a live process; zeros once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/status") as f:
            hwm = next((int(line.split()[1]) for line in f if line.startswith("VmHWM:")), 0)
    except (OSError, StopIteration, ValueError):
        return 0.0, 0.0
    ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK"), hwm / 1024


def _pss_mb(pids: list[int]) -> float:
    """Proportional set size of these processes in MB: each page counted once, split among the processes sharing it
    (the fork server's imports are shared by its workers), which is what the machine's memory actually holds."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


class _PssSampler:
    """The PSS of a measured child process and all it started, sampled every ``every`` seconds by a thread of the
    driver: reading /proc costs CPU (a few ms a sample) and holds the GIL, which must be neither counted as the
    measured run's CPU nor taken from its event loop. The child gives each measurement's time window."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, float]] = []  # (time.monotonic(), MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), _pss_mb([self.pid, *_descendants(self.pid)])))
            self._stop.wait(self.every)

    def peak(self, window: tuple[float, float]) -> float:
        """The highest sample taken within a measurement's window (monotonic seconds, start and end); for a
        measurement shorter than the interval, the last sample before it (what the tree held when it began)."""
        start, end = window
        inside = [mb for t, mb in self.samples if start <= t <= end]
        before = [mb for t, mb in self.samples if t < start]
        return max(inside) if inside else before[-1] if before else 0.0

    def __enter__(self) -> _PssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _own_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _usage() -> tuple[float, float]:
    """Wall clock (time.monotonic: the driver's PSS samples are on the same clock), and CPU seconds of this process
    and every process it started (worker CPU counts as ours)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = _own_cpu() + kids.ru_utime + kids.ru_stime
    return time.monotonic(), cpu + sum(_proc(pid)[0] for pid in _descendants())


def _done(t0: float, c0: float, own0: float | None = None, **extra: Any) -> dict[str, Any]:
    """A phase's wall and CPU since (t0, c0); with ``own0``, also the CPU of this process alone (no workers)."""
    own_cpu = None if own0 is None else _own_cpu() - own0
    t1, c1 = _usage()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = [_proc(pid)[1] for pid in _descendants()]
    # Peak RSS of this process plus each live worker's peak: an upper bound (pages they share count twice).
    return {
        "wall": t1 - t0,
        "cpu": c1 - c0,
        "cpu_own": own_cpu,
        "rss": own + sum(workers),
        "rss_own": own,
        "workers": len(workers),
        "window": (t0, t1),  # the driver's PSS samples within it are this measurement's
        **extra,
    }


def _base(port: str, f: int, args: argparse.Namespace) -> str:
    return f"http://{host(f, args.hosts)}:{port}"


def _urls(port: str, args: argparse.Namespace) -> list[str]:
    return [f"{_base(port, f, args)}/feed/{f}.xml" for f in range(args.feeds)]


def _page_urls(port: str, args: argparse.Namespace) -> list[str]:
    return [
        f"{_base(port, f, args)}{it['path']}"
        for f in range(args.feeds)
        for it in feed_items(f, args.items, args.on_topic, args.stories)
        if it["hot"]
    ]


def phase_floor(base: str, args: argparse.Namespace, conditional: bool) -> list[dict[str, Any]]:
    import httpx

    urls = _urls(base, args) + ([] if conditional else _page_urls(base, args))
    etags = {u: f'"feed-{u.rsplit("/", 1)[1].split(".")[0]}-v1"' for u in urls}

    async def run() -> int:
        sem = asyncio.Semaphore(args.concurrency)
        limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:

            async def one(u: str) -> int:
                async with sem:
                    headers = {"If-None-Match": etags[u]} if conditional else {}
                    r = await client.get(u, headers=headers)
                    return len(r.content)

            return sum(await asyncio.gather(*(one(u) for u in urls)))

    t0, c0 = _usage()
    size = run_loop(run())  # the loop our cycle runs on, so the floor is measured like it
    return [_done(t0, c0, bytes=size, requests=len(urls))]


def phase_naive(base: str, args: argparse.Namespace, full: bool = False) -> list[dict[str, Any]]:
    """A sequential loop: each feed fetched and parsed; ``full``: each on-topic item's page through trafilatura."""
    import feedparser
    import httpx

    if full:
        import trafilatura
    t0, c0 = _usage()
    entries = pages = 0
    with httpx.Client(timeout=60) as client:
        for u in _urls(base, args):
            r = client.get(u)
            parsed = feedparser.parse(r.content, response_headers=dict(r.headers))
            entries += len(parsed.entries)
            if not full:
                continue
            for e in parsed.entries:
                words = f"{e.get('title', '')} {e.get('summary', '')}".lower()
                if "rare earth" in words or "neodymium" in words or "dysprosium" in words:
                    page = client.get(e.link)
                    trafilatura.extract(page.text, url=e.link)
                    pages += 1
    return [_done(t0, c0, entries=entries, pages=pages)]


def phase_ours(base: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    from bot.eventloop import tune_gc
    from bot.fetch import Fetcher, FetchLimits
    from bot.parse_pool import shared_parse_pool
    from bot.poller import poll_once
    from bot.settings import parse_config
    from bot.store import Store

    config = parse_config(
        {
            "topics": _topics(),
            "feeds": [{"name": f"Feed {f}", "url": u, "interval": INTERVAL} for f, u in enumerate(_urls(base, args))],
            "poll": {
                "concurrency": args.concurrency,
                "timeout_seconds": 60,
                "deadline_seconds": 3600,
                "max_items_per_cycle": 100_000,
            },
        }
    )
    limits = FetchLimits(
        total_timeout=60,
        max_connections=args.concurrency,
        per_host=FetchLimits().per_host,  # the production default: hosts are separate now
        page_delay=0,
        allow_private=True,
    )
    analyzer: Any = None
    if args.analysis:
        from bot.story_analysis import article_facts as analyzer  # the poller's own

    async def run() -> list[dict[str, Any]]:
        out = []
        with tempfile.TemporaryDirectory() as tmp:
            # As `coverage-bot poll` does (bot/app.py): the workers start while the store opens. The naive loops
            # import feedparser, httpx and trafilatura before their timers; the workers import them in here.
            shared_parse_pool().start()
            store = await Store.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
            try:
                async with Fetcher(limits) as fetcher:
                    for n, at in enumerate((NOW, NOW + timedelta(seconds=INTERVAL + 1))):
                        own0 = _own_cpu()
                        t0, c0 = _usage()
                        profiler = None
                        if args.profile and n + 1 == args.profile_cycle:
                            import cProfile

                            profiler = cProfile.Profile()
                            profiler.enable()
                        report = await poll_once(config, store, fetcher=fetcher, now=at, analyzer=analyzer)
                        if profiler is not None:
                            profiler.disable()
                            profiler.dump_stats(args.profile)
                        out.append(
                            _done(
                                t0,
                                c0,
                                own0,
                                cycle=n + 1,
                                fetched=report.fetched,
                                not_modified=report.not_modified,
                                failed=report.failed,
                                items=report.new_items,
                                on_topic=report.on_topic,
                                stories=report.stories_created,
                                phases=[report.feeds_seconds, report.cluster_seconds, report.analysis_seconds],
                            )
                        )
            finally:
                await store.close()
        return out

    tune_gc()  # as `coverage-bot poll` sets its process up
    return run_loop(run())


def child(args: argparse.Namespace) -> None:
    base = args.base
    if args.phase == "floor":
        result = phase_floor(base, args, conditional=False)
    elif args.phase == "floor304":
        result = phase_floor(base, args, conditional=True)
    elif args.phase == "naive":
        result = phase_naive(base, args)
    elif args.phase == "naivefull":
        result = phase_naive(base, args, full=True)
    else:
        result = phase_ours(base, args)
    print(json.dumps(result))


# --------------------------------------------------------------------------- driver


def run_child(phase: str, base: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """One phase in a fresh child process, its tree's PSS sampled from here; each measurement gets its peak."""
    cmd = [sys.executable, __file__, "--phase", phase, "--base", base, *_common(args)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    with _PssSampler(proc.pid) as pss:
        out, err = proc.communicate()
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd, out, err)
    results: list[dict[str, Any]] = json.loads(out.strip().splitlines()[-1])
    for r in results:
        r["pss"] = pss.peak(r["window"])
    return results


def _common(args: argparse.Namespace) -> list[str]:
    extra = ["--analysis"] if args.analysis else []
    if args.profile:
        extra += ["--profile", args.profile, "--profile-cycle", str(args.profile_cycle)]
    return [
        "--hosts",
        str(args.hosts),
        "--stories",
        str(args.stories),
        "--feeds",
        str(args.feeds),
        "--items",
        str(args.items),
        "--concurrency",
        str(args.concurrency),
        "--on-topic",
        str(args.on_topic),
        *extra,
    ]


def median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--on-topic", type=float, default=0.0)
    parser.add_argument("--analysis", action="store_true", help="run summarizer analysis on on-topic items")
    parser.add_argument("--hosts", type=int, default=50, help="loopback hosts the feeds are spread over")
    parser.add_argument("--stories", type=int, default=250, help="stories the on-topic items tell")
    parser.add_argument("--profile", help="write cProfile stats of one of our cycles to this file")
    parser.add_argument("--profile-cycle", type=int, default=1, choices=(1, 2), help="1: the first cycle, 2: unchanged")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args)
    if args.phase:
        return child(args)

    server = subprocess.Popen([sys.executable, __file__, "--serve", *_common(args)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()  # the port; each feed's host is bench.host(f)
        runs: dict[str, list[dict[str, Any]]] = {
            "floor": [],
            "floor304": [],
            "naive": [],
            "naivefull": [],
            "first": [],
            "second": [],
        }
        for r in range(args.repeat):
            print(f"run {r + 1}/{args.repeat} ...", file=sys.stderr, flush=True)
            runs["floor"] += run_child("floor", base, args)
            runs["naive"] += run_child("naive", base, args)
            runs["naivefull"] += run_child("naivefull", base, args)
            first, second = run_child("ours", base, args)
            runs["first"].append(first)
            runs["second"].append(second)
            runs["floor304"] += run_child("floor304", base, args)
    finally:
        server.kill()
        server.wait()

    f0 = runs["first"][0]
    print(
        f"\n{args.feeds} feeds x {args.items} items on {args.hosts} loopback hosts, concurrency {args.concurrency}, "
        f"{args.on_topic:.0%} on topic (pages fetched, clustered), analysis {'ON' if args.analysis else 'OFF'}; "
        f"median of {args.repeat} runs; ours and the floors on the {loop_name()} event loop"
    )
    print(
        f"feed bytes + pages: {runs['floor'][0]['bytes'] / 1e6:.1f} MB in {runs['floor'][0]['requests']} requests; "
        f"first cycle: {f0['fetched']} fetched, {f0['items']} items, {f0['on_topic']} on topic, "
        f"{f0['stories']} stories (the data tells {told_stories(args)}: a workload, not a quality measure, since every "
        f"story's lead is one template; bench/coverage.py measures stories); second: "
        f"{runs['second'][0]['not_modified']} not modified"
    )
    rows = [
        ("floor: concurrent download, no parsing", "floor"),
        ("naive: sequential httpx + feedparser", "naive"),
        ("naive full: + on-topic pages via trafilatura", "naivefull"),
        ("ours: first cycle (empty store)", "first"),
        ("ours: unchanged cycle (all 304)", "second"),
        ("floor-304: concurrent conditional GETs", "floor304"),
    ]
    print("CPU: the measured process and every process it started (our feed-parsing workers); peak RSS: the")
    print("process's peak plus each worker's peak (an upper bound: pages they share are counted in each).")
    print(f"\n{'':44}{'wall s':>9}{'CPU s':>9}{'peak RSS MB':>13}{'peak PSS MB':>13}")
    for label, key in rows:
        print(
            f"{label:44}{median(runs[key], 'wall'):9.2f}{median(runs[key], 'cpu'):9.2f}{median(runs[key], 'rss'):13.0f}"
            f"{median(runs[key], 'pss'):13.0f}"
        )
    first_wall, first_cpu = median(runs["first"], "wall"), median(runs["first"], "cpu")
    second_wall, second_cpu = median(runs["second"], "wall"), median(runs["second"], "cpu")
    floor_wall, naive_wall = median(runs["floor"], "wall"), median(runs["naive"], "wall")
    full_wall = median(runs["naivefull"], "wall")
    floor_cpu = median(runs["floor"], "cpu")
    last = max(runs["second"], key=lambda r: r["rss"])  # the peaks after both cycles
    peak = last["rss"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print("\nratios")
    print(
        f"  first cycle / floor (wall)          {first_wall / floor_wall:6.2f}x   target <= 2x: "
        f"{verdict(first_wall <= 2 * floor_wall)}"
    )
    print(f"  first cycle / floor (CPU)           {first_cpu / floor_cpu:6.2f}x")
    print(f"  first cycle / naive loop (wall)     {first_wall / naive_wall:6.2f}x")
    print(
        f"  first cycle / naive full (wall)     {first_wall / full_wall:6.2f}x   target <= 1x: "
        f"{verdict(first_wall <= full_wall)}"
    )
    print(
        f"  unchanged cycle / naive (wall)      {second_wall / naive_wall:6.3f}x   target <= 0.1x: "
        f"{verdict(second_wall <= 0.1 * naive_wall)}"
    )
    print(
        f"  first / unchanged cycle (wall)      {first_wall / second_wall:6.1f}x   target >= 10x: "
        f"{verdict(first_wall >= 10 * second_wall)}"
    )
    print(
        f"  first / unchanged cycle (CPU)       {first_cpu / second_cpu:6.1f}x   target >= 10x: "
        f"{verdict(first_cpu >= 10 * second_cpu)}  (CPU is the measure of 'cheaper')"
    )
    print(f"  unchanged cycle / floor-304 (wall)  {second_wall / median(runs['floor304'], 'wall'):6.2f}x")
    print(
        f"  peak RSS, poller + workers          {peak:6.0f} MB  target < 300 MB: {verdict(peak < 300)}  "
        f"({last['rss_own']:.0f} MB poller + {last['workers']} child processes: fork server, workers, resource tracker)"
    )
    pss = max(r["pss"] for key in ("first", "second") for r in runs[key])
    print(
        f"  peak PSS, poller + workers          {pss:6.0f} MB  target < 300 MB: {verdict(pss < 300)}  "
        "(sampled every 0.25 s; a page shared by the fork server and its workers counted once)"
    )
    phases = [statistics.median(r["phases"][i] for r in runs["first"]) for i in range(3)]
    print(
        f"  first cycle's phases (wall s)         feeds {phases[0]:.2f}, clustering {phases[1]:.2f}, "
        f"story analysis {phases[2]:.2f}"
    )


if __name__ == "__main__":
    main()
