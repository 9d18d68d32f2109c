"""The `coverage-bot` command line: wiring only, each subcommand calls the module that does the work."""

from __future__ import annotations

import argparse
import inspect
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from summarizer import analyze
from summarizer.extractive import DEFAULT_METHOD, METHODS
from summarizer.text import with_headline

from .errors import UserError


def _run(coro: Any) -> Any:
    """Run on bot.eventloop's loop, imported on first use: `summarize` never needs the event loop (a faster start)."""
    try:
        from .eventloop import run

        return run(coro)
    finally:  # Ctrl-C before the loop started it: no "coroutine ... was never awaited" warning after the exit
        if inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
            coro.close()


def _stdin(option: str, hint: str) -> TextIO:
    """sys.stdin, or a one-line error naming the option when standard input is closed (`cmd <&-`, a daemonizer):
    Python leaves sys.stdin None then (main reopened fd 0 on /dev/null for the libraries' sake, not for reading)."""
    if sys.stdin is None:
        raise UserError(f"{option}: standard input is closed ({hint})")
    return sys.stdin


log = logging.getLogger("coverage_bot")

DEFAULT_CONFIG = "feeds.yaml"


# ---------------------------------------------------------------- summarize


def _read_source(source: str, allow_private: Any) -> tuple[str, str | None]:
    """Text and title of PATH, URL or '-' (stdin). A saved web page (an HTML document, or a .html/.htm file) is read
    as a fetched one is: its main text and title, without the site's navigation, cookie notice and footer."""
    if source.startswith(("http://", "https://")):
        return _run(_fetch_article(source, allow_private))
    if "://" in source:
        raise UserError(f"{source}: only http:// and https:// URLs can be summarized")
    name = "standard input" if source == "-" else source
    if source == "-":
        data = _stdin("summarize -", "pipe the text in, or give a PATH or URL").buffer.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise UserError(f"{source}: no such file (give a path, an http(s) URL, or - for standard input)")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UserError(f"{source}: cannot read it: {exc.strerror or exc}") from None
    from .charset import is_html_page  # light: trafilatura and the fetcher come in only for a page

    if is_html_page(data) or source.lower().endswith((".html", ".htm", ".xhtml")):
        from .articles import extract_article

        article = extract_article(data, url=source)
        if article is None:
            raise UserError(f"{name}: a web page with no article text in it (a cookie wall, a paywall or an index?)")
        return article.text, article.title
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        raise UserError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


async def _fetch_article(url: str, allow_private: Any) -> tuple[str, str | None]:
    """Fetch a page under the feed limits and extract its main text."""
    from .articles import fetch_article
    from .fetch import Fetcher, FetchLimits

    async with Fetcher(FetchLimits(allow_private=allow_private)) as fetcher:
        fetched = await fetch_article(fetcher, url)
    if fetched.article is None:
        raise UserError(f"{url}: {fetched.error}")
    return fetched.article.text, fetched.article.title


def _json_object(line: str, keys: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """One JSON-lines record as an object, or the error object that is its output line (id unknown)."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:  # (some of json's messages end in "at": "Unterminated string starting at")
        return {}, {"id": None, "error": f"invalid JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}"}
    if not isinstance(obj, dict):
        return {}, {"id": None, "error": f"each line must be a JSON object with {keys}"}
    return obj, None


def _jsonl_record(line: str, sentences: int, method: str) -> dict[str, Any]:
    """One batch line in, one result (or error object) out."""
    obj, bad = _json_object(line, "'id' and 'text'")
    if bad is not None:
        return bad
    rid = obj.get("id")
    text = obj.get("text")
    title = obj.get("title")
    if not isinstance(text, str):
        return {"id": rid, "error": "'text' must be a string"}
    if title is not None and not isinstance(title, str):
        return {"id": rid, "error": "'title' must be a string when given"}
    try:
        a = analyze(text, title=title, sentences=sentences, method=method)
    except (ValueError, TypeError) as exc:
        return {"id": rid, "error": str(exc)}
    return {
        "id": rid,
        "summary": [s.text for s in a.summary.sentences],
        "figures": [
            {
                "surface": f.surface,
                "kind": f.kind,
                "value": f.value,
                "unit": f.unit,
                "key": f.key,
                "sentence": f.sentence,
                "start": f.start,
                "end": f.end,
            }
            for f in a.figures
        ],
        "quotes": [{"text": q.text, "speaker": q.speaker, "cue": q.cue, "sentence": q.sentence} for q in a.quotes],
        **({"reason": a.summary.reason} if a.summary.reason else {}),
    }


def _story_record(line: str, sentences: int | None, words: int | None) -> dict[str, Any]:
    """One story line in ({"id", "docs": [{"id", "title", "text", "published"?, "outlet"?, "link"?}]}), one result out:
    each doc analysed as the poller analyses an article, the story as the bot analyses it (bot.story_analysis), so
    subscribers and this command get the same summary, figures and quotes. Only key figures are written (the output
    has no "key" field to tell them apart), and every figure and quote, not only the few a digest shows."""
    from datetime import datetime

    from .models import ArticleAnalysis, MemberArticle
    from .story_analysis import article_facts, merged_facts, story_summary

    obj, bad = _json_object(line, "'id' and 'docs'")
    if bad is not None:
        return bad
    rid, docs = obj.get("id"), obj.get("docs")
    if not isinstance(docs, list) or not all(isinstance(d, dict) for d in docs):
        return {"id": rid, "error": "'docs' must be a list of objects with 'text'"}
    members = []
    for k, d in enumerate(docs):
        text, title, published = d.get("text"), d.get("title"), d.get("published")
        if not isinstance(text, str):
            return {"id": rid, "error": f"docs[{k}].text must be a string"}
        if title is not None and not isinstance(title, str):
            return {"id": rid, "error": f"docs[{k}].title must be a string when given"}
        when = None
        if published is not None:
            try:
                when = datetime.fromisoformat(str(published).replace("Z", "+00:00"))
            except ValueError:
                return {"id": rid, "error": f"docs[{k}].published must be an ISO 8601 date, got {published!r}"}
        outlet = d.get("outlet") if isinstance(d.get("outlet"), str) else None
        link = d.get("link") if isinstance(d.get("link"), str) else None
        outlet = outlet or d.get("id")
        facts = ArticleAnalysis.of(article_facts(text, title), outlet, link)
        members.append(MemberArticle(k, outlet, link, title, when, text, None, facts))
    try:
        summary = story_summary(members, sentences=sentences, words=words)
    except (ValueError, TypeError) as exc:
        return {"id": rid, "error": str(exc)}
    figures, quotes = merged_facts(members)
    keep_fig = ("surface", "kind", "value", "unit", "sentence", "sources")
    keep_quote = ("text", "speaker", "cue", "sentence", "sources")
    return {
        "id": rid,
        "summary": [s.text for s in summary.sentences],
        "sources": [
            {"doc": docs[s.doc].get("id", s.doc), "outlet": s.outlet, "link": s.link} for s in summary.sentences
        ],
        "figures": [{k: f.get(k) for k in keep_fig} for f in figures if f.get("key")],
        "quotes": [{k: q.get(k) for k in keep_quote} for q in quotes],
        **({"reason": summary.reason} if summary.reason else {}),
    }


# A lone UTF-16 surrogate: half an emoji ("\ud83d") in a valid JSON line, or a byte of standard input that is not UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _output_line(result: dict[str, Any]) -> str:
    """A batch result as its JSON line. A lone surrogate (an input's id or words echoed back) is written as the JSON
    escape the input had ("\\ud83d"): no UTF-8 encoder writes the character itself, and the batch died on it."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(result, ensure_ascii=False))


def _batch(option: str, what: str, hint: str, record: Callable[[str], dict[str, Any]]) -> int:
    """A JSON-lines batch on standard input: one output line per non-blank input line, in order; an error object names
    its input line's number (blank lines give none, so the output's order alone would not tell). A UTF-8 BOM before the
    first line is read past, as `summarize -` does."""
    records = 0
    for number, line in enumerate(_stdin(f"summarize {option}", "pipe the JSON lines in"), start=1):
        if number == 1:
            line = line.removeprefix("\ufeff")
        if line.strip():
            records += 1
            result = record(line)
            if "error" in result:
                result["error"] = f"line {number}: {result['error']}"
            print(_output_line(result), flush=True)
    if not records:  # nothing in, nothing out: say so, not a silent success
        raise UserError(f"summarize {option}: no {what} on standard input ({hint})")
    return 0


def cmd_summarize(args: argparse.Namespace) -> int:
    if args.stories_jsonl:
        if args.words is not None and args.sentences is not None:
            raise UserError("give --words N or --sentences N, not both")
        if (args.words is not None and args.words < 1) or (args.sentences is not None and args.sentences < 1):
            raise UserError("--words and --sentences must be at least 1")
        hint = 'one JSON object a line: {"id", "docs": [{"id", "title", "text"}, …]}'
        return _batch("--stories-jsonl", "stories", hint, lambda line: _story_record(line, args.sentences, args.words))
    if args.words is not None:
        raise UserError("--words applies to --stories-jsonl only")
    args.sentences = 3 if args.sentences is None else args.sentences
    if args.method not in METHODS:
        raise UserError(f"--method {args.method}: unknown method; choose one of {', '.join(METHODS)}")
    if args.sentences < 1:
        raise UserError("--sentences must be at least 1")
    if args.jsonl:
        hint = 'one JSON object a line: {"id", "text"[, "title"]}'
        return _batch("--jsonl", "articles", hint, lambda line: _jsonl_record(line, args.sentences, args.method))
    if not args.source:
        raise UserError("give a PATH, a URL, or - for standard input (or --jsonl for batch mode)")
    text, title = _read_source(args.source, allow_private=args.allow_private or _private_networks())
    analysis = analyze(with_headline(text, title), title=title, sentences=args.sentences, method=args.method)
    if args.json:
        print(json.dumps(asdict(analysis), ensure_ascii=False, indent=2))
    else:
        # the same blocks Telegram and the console show for /summary URL, rendered as plain text
        from .digest import analysis_blocks
        from .message import Reply, reply_plain

        url = args.source if args.source.startswith(("http://", "https://")) else None
        print(reply_plain(Reply(blocks=tuple(analysis_blocks(analysis, url)))))
    return 0


# ---------------------------------------------------------------- config and store


def _private_networks() -> Any:
    """ALLOW_PRIVATE_URLS alone (summarize and check-config need no other setting)."""
    import os

    from .netpolicy import PrivateNetworks

    try:
        return PrivateNetworks.parse(os.environ.get("ALLOW_PRIVATE_URLS"))
    except ValueError as exc:
        raise UserError(f"environment: ALLOW_PRIVATE_URLS: {exc}") from None


def cmd_check_config(args: argparse.Namespace) -> int:
    from .settings import ConfigError, check_config

    try:
        lines = check_config(args.config, _private_networks())
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    for line in lines:
        print(line)
    for line in _run(_check_subscriptions(args.config)):
        print(f"warning: {line}")
    return 0


async def _check_subscriptions(config_path: str) -> list[str]:
    """The stored subscriptions against the file (app.check_subscriptions): DATABASE_URL alone is read, as
    ALLOW_PRIVATE_URLS is, so check-config needs no other setting."""
    from .app import check_subscriptions
    from .settings import database_url_from_env

    try:
        url = database_url_from_env()
    except ValueError as exc:
        return [f"subscriptions not checked: DATABASE_URL: {exc}"]
    return await check_subscriptions(_load_config(config_path), url)


def cmd_explain(args: argparse.Namespace) -> int:
    from .explain import as_json, explain_item, render
    from .topics import TopicMatcher

    config = _load_config(args.config)
    if not args.title.strip():
        raise UserError(
            "explain: give the item's title (and its summary, if any): coverage-bot explain TITLE [SUMMARY]"
        )
    explained = explain_item(TopicMatcher(config.topics), args.title, args.summary, args.feed)
    print(
        json.dumps(as_json(explained, config.topics), ensure_ascii=False, indent=2)
        if args.json
        else render(explained, config.topics)
    )
    return 0


def _load_config(path: str):
    from .settings import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as exc:
        raise UserError(str(exc)) from None


def _settings():
    from .settings import ConfigError, Settings

    try:
        return Settings.from_env()
    except ConfigError as exc:  # names each variable and what is valid
        raise UserError(str(exc)) from None


def cmd_poll(args: argparse.Namespace) -> int:
    from .app import poll_command, poll_forever_command
    from .eventloop import tune_gc

    tune_gc()

    if not args.once:
        return _run(poll_forever_command(_load_config(args.config), _settings()))
    return _run(poll_command(_load_config(args.config), _settings()))


def cmd_run(args: argparse.Namespace) -> int:
    import os

    from .app import run_command
    from .eventloop import tune_gc
    from .webhook import DEFAULT_LISTEN, webhook_config

    if args.listen is not None and args.webhook_url is None:
        raise UserError("--listen only applies with --webhook-url (long polling needs no listener)")
    hook = webhook_config(args.webhook_url, args.listen or DEFAULT_LISTEN, os.environ) if args.webhook_url else None
    tune_gc()
    return _run(run_command(_load_config(args.config), _settings(), webhook=hook))


def _configured_topics(path: str, explicit: bool) -> list[str] | None:
    """The topics of feeds.yaml, to check a --topic against; None when the default file is absent."""
    if not explicit and not Path(path).is_file():
        return None
    return list(_load_config(path).topics)


def cmd_stories(args: argparse.Namespace) -> int:
    from .app import stories_command

    topics = _configured_topics(args.config, args.config != DEFAULT_CONFIG) if args.topic else None
    return _run(stories_command(_settings(), since=args.since, topic=args.topic, as_json=args.json, topics=topics))


def cmd_feeds(args: argparse.Namespace) -> int:
    from .app import enable_feed_command, feeds_command

    if args.export_opml:
        from .opml import export_opml

        sys.stdout.write(export_opml(_load_config(args.config)))
        return 0
    if args.import_opml:
        return _import_opml(args.config, args.import_opml)
    if args.enable is not None:  # `--enable ""` is a mistake to name, not the health table
        return _run(enable_feed_command(_load_config(args.config), _settings(), args.enable))
    return _run(feeds_command(_settings()))


def _import_opml(config_path: str, source: str) -> int:
    from .opml import OpmlError, merge_opml, read_opml
    from .settings import ConfigError

    try:
        if source == "-":
            data = _stdin("feeds --import-opml -", "pipe the OPML in, or give its FILE").buffer.read()
        else:
            data = Path(source).read_bytes()
    except OSError as exc:
        raise UserError(f"{source}: cannot read it: {exc.strerror or exc}") from None
    if not data.strip():  # (XML's own word for it is "no element found: line 1, column 0")
        what = "feeds --import-opml -: standard input is empty" if source == "-" else f"{source}: the file is empty"
        raise UserError(f"{what} (an OPML file lists feeds as <outline xmlUrl=...>)")
    try:
        feeds = read_opml(data)
    except OpmlError as exc:
        raise UserError(f"{source}: {exc}") from None
    if not feeds:
        raise UserError(f"{source}: no feeds in it (no <outline xmlUrl=...>)")
    try:
        report = merge_opml(config_path, feeds)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    for added in report.added:
        print(f"added: {added.name} <{added.url}>{'' if added.enabled else ' (disabled)'}")
    for feed, why in report.invalid:
        print(f"skipped (invalid): {feed.name}: {why}")
    for feed, first in report.repeats:
        print(f"skipped (listed twice in the file): {feed.name} <{feed.url}>, the same feed as {first}")
    if report.ignored_categories:  # another reader's folders and tags: the feeds follow every topic (or those named)
        shown = ", ".join(report.ignored_categories[:10])
        more = f" and {len(report.ignored_categories) - 10} more" if len(report.ignored_categories) > 10 else ""
        print(f"categories ignored (no topic of that id in {config_path}): {shown}{more}")
    twice = f", {len(report.repeats)} listed twice in the file" if report.repeats else ""
    print(
        f"{config_path}: {len(report.added)} feeds added, {len(report.duplicates)} already there{twice}, "
        f"{len(report.invalid)} invalid"
    )
    if report.added:  # the bot syncs feeds.yaml when it starts (poll --once at each run)
        print(
            "restart the bot (coverage-bot run, or its container) to poll the new feeds: it reads feeds.yaml at start"
        )
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    from .console import run_console

    _stdin("console", "type the commands at a terminal, or pipe them in")
    return _run(run_console(_load_config(args.config), _settings()))


def _check_chat(args: argparse.Namespace) -> None:
    """A chat id that can be one (models.is_chat_id) and a forum topic id that is one."""
    from .models import is_chat_id

    if not is_chat_id(args.chat_id):
        raise UserError(f"{args.chat_id}: not a Telegram chat id (at most 19 digits; channels: -100…)")
    if args.thread is not None and not 1 <= args.thread < 2**31:
        raise UserError(f"--thread {args.thread}: a forum topic's id is a positive number")


def cmd_subscribe(args: argparse.Namespace) -> int:
    from .app import subscribe_command
    from .models import CONSOLE_CHAT_ID

    if args.chat_id == CONSOLE_CHAT_ID:  # nothing is ever sent there (unsubscribing it, to clean up, is let through)
        raise UserError(
            f"{args.chat_id}: not a Telegram chat id (0 is the console's own chat: subscribe it with /subscribe in "
            "`coverage-bot console`)"
        )
    _check_chat(args)
    return _run(subscribe_command(_load_config(args.config), _settings(), args))


def cmd_unsubscribe(args: argparse.Namespace) -> int:
    from .app import unsubscribe_command

    _check_chat(args)
    return _run(unsubscribe_command(_settings(), args))


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return _run(run_demo(seeds_dir=args.seeds, keep=args.keep))


MAX_AGE_MINUTES = 1_000_000  # healthcheck --max-age: about two years, far past any poll interval


def cmd_healthcheck(args: argparse.Namespace) -> int:
    from .app import healthcheck_command

    if not 1 <= args.max_age <= MAX_AGE_MINUTES:
        raise UserError(f"--max-age {args.max_age}: give the minutes since the last poll, 1 to {MAX_AGE_MINUTES:,}")
    try:
        return _run(healthcheck_command(_settings(), max_age_minutes=args.max_age))
    except UserError as exc:  # (a store that cannot be opened, a bad setting) Docker reserves exit status 2
        print(f"coverage-bot: unhealthy: {exc}", file=sys.stderr)
        return 1


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="coverage-bot",
        description="News-coverage monitor for Telegram: summaries, key figures and attributed quotes.",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("summarize", help="summarize an article: PATH, URL or - (stdin)")
    s.add_argument("source", nargs="?", help="a text file, an http(s) URL, or - for standard input")
    s.add_argument("--json", action="store_true", help="print the whole analysis as JSON")
    s.add_argument("--jsonl", action="store_true", help='batch mode: {"id","text"[,"title"]} lines on stdin')
    s.add_argument(
        "--stories-jsonl", action="store_true", help='stories: {"id","docs":[{"id","title","text",…}]} lines'
    )
    s.add_argument("--sentences", type=int, metavar="N", help="summary length in sentences (default 3)")
    s.add_argument("--words", type=int, metavar="N", help="--stories-jsonl: best whole sentences fitting N words")
    s.add_argument("--method", default=DEFAULT_METHOD, metavar="NAME", help=f"one of: {', '.join(METHODS)}")
    s.add_argument("--allow-private", action="store_true", help=argparse.SUPPRESS)
    s.set_defaults(func=cmd_summarize)

    def with_config(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--config", default=DEFAULT_CONFIG, metavar="FILE", help="feeds file (default feeds.yaml)")
        return sp

    with_config(sub.add_parser("check-config", help="validate feeds.yaml and print what it defines")).set_defaults(
        func=cmd_check_config
    )
    sp = with_config(sub.add_parser("explain", help="which topics an item's title and summary get, rule by rule"))
    sp.add_argument("title", help="the item's title")
    sp.add_argument("summary", nargs="?", default="", help="its summary, as the feed gives it")
    sp.add_argument("--feed", metavar="NAME", help="the feed's name in feeds.yaml (a title ending with it loses it)")
    sp.add_argument("--json", action="store_true", help="print JSON")
    sp.set_defaults(func=cmd_explain)
    sp = with_config(
        sub.add_parser(
            "poll",
            help="poll the feeds without serving Telegram (--once: one cycle, then exit; alerts go out when a token is set)",
        )
    )
    sp.add_argument("--once", action="store_true", help="one cycle, then exit (for cron)")
    sp.set_defaults(func=cmd_poll)
    sp = with_config(sub.add_parser("run", help="poll continuously and serve Telegram"))
    sp.add_argument(
        "--webhook-url",
        metavar="URL",
        help="take updates by webhook at this public https URL (behind a reverse proxy) instead of long polling",
    )
    sp.add_argument("--listen", metavar="HOST:PORT", help="webhook listener address (default 0.0.0.0:8443)")
    sp.set_defaults(func=cmd_run)

    sp = with_config(sub.add_parser("stories", help="list stored stories"))
    sp.add_argument(
        "--since", default="24h", help="how far back: 30m, 24h, 1.5h, 7d, '2 days', 1h30m, PT36H (default 24h)"
    )
    sp.add_argument("--topic", help="only this topic")
    sp.add_argument("--json", action="store_true", help="print JSON")
    sp.set_defaults(func=cmd_stories)

    sp = with_config(sub.add_parser("feeds", help="feed health table; re-enable a feed; OPML export and import"))
    act = sp.add_mutually_exclusive_group()
    act.add_argument("--enable", metavar="NAME|URL", help="re-enable a feed disabled after repeated failures")
    act.add_argument("--export-opml", action="store_true", help="print feeds.yaml's feeds as OPML")
    act.add_argument("--import-opml", metavar="FILE", help="add an OPML file's feeds to feeds.yaml (- for stdin)")
    sp.set_defaults(func=cmd_feeds)
    with_config(sub.add_parser("console", help="try the bot's commands in the terminal")).set_defaults(func=cmd_console)

    sp = with_config(sub.add_parser("subscribe", help="subscribe a chat without Telegram"))
    sp.add_argument("chat_id", type=int, help="Telegram chat id (channels: -100…)")
    sp.add_argument("topics", nargs="*", help="topics (default: all)")
    mode = sp.add_mutually_exclusive_group()
    mode.add_argument("--alerts", action="store_true", help="post new stories as they are found")
    mode.add_argument("--daily", metavar="HH:MM", help="daily digest at this local time (default 08:00)")
    sp.add_argument("--thread", type=int, metavar="ID", help="forum topic (message_thread_id)")
    sp.add_argument("--timezone", metavar="TZ", help="IANA time zone, e.g. Europe/Moscow")
    sp.set_defaults(func=cmd_subscribe)

    sp = sub.add_parser("unsubscribe", help="unsubscribe a chat without Telegram")
    sp.add_argument("chat_id", type=int, help="Telegram chat id (channels: -100…)")
    sp.add_argument("topics", nargs="*", help="topics (default: all)")
    sp.add_argument("--thread", type=int, metavar="ID", help="forum topic (message_thread_id)")
    sp.set_defaults(func=cmd_unsubscribe)

    sp = sub.add_parser("demo", help="the whole pipeline offline on seeds/, printing what it would post")
    sp.add_argument("--seeds", metavar="DIR", help="folder of seed articles (default: the project's seeds/)")
    sp.add_argument("--keep", action="store_true", help="keep the demo's database folder")
    sp.set_defaults(func=cmd_demo)

    sp = sub.add_parser("healthcheck", help="exit 0 when the store opens and no feed is overdue")
    sp.add_argument(
        "--max-age",
        type=int,
        default=120,
        metavar="MIN",
        help="no enabled feed more than MIN minutes past due (default: %(default)s)",
    )
    sp.set_defaults(func=cmd_healthcheck)
    return p


# settings.LOG_LEVELS; named here too because main() sets logging up before it imports settings (pydantic)
_LOG_LEVELS = {name: getattr(logging, name) for name in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")}


_ONE_SHOT = (cmd_summarize, cmd_explain, cmd_check_config)  # answer and exit: their own message says what failed


def _reopen_closed_standard_fds() -> None:
    """Reopen a closed fd 0, 1 or 2 (`cmd <&-`, some daemonizers) on /dev/null, as daemons do, before anything opens
    a file: the lowest free fd is the next one given out, and uvloop took fd 0 for its own use, then aborted the
    process (SIGABRT, exit 134) asserting, as it closed it, that it was no standard stream. A reopened stdout or
    stderr is written to (into /dev/null); sys.stdin stays None, so a command reading it says that it is closed."""
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
            continue
        except OSError:
            pass
        null = os.open(os.devnull, os.O_RDWR)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
        if fd and getattr(sys, name) is None:  # print(file=None) would write an error to stdout
            setattr(sys, name, open(fd, "w", closefd=False))  # noqa: SIM115 (the process's stream, never closed)


def main(argv: Sequence[str] | None = None) -> int:
    _reopen_closed_standard_fds()
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # topics after an option (`subscribe 777 --thread 5 us-russia`) are still topics
        if getattr(args, "func", None) in (cmd_subscribe, cmd_unsubscribe) and not any(
            e.startswith("-") for e in extra
        ):
            args.topics = [*args.topics, *extra]
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    level = os.environ.get("LOG_LEVEL", "").strip().upper()
    if level and level not in _LOG_LEVELS:  # every command, as README says: not only those that read the settings
        shown = os.environ["LOG_LEVEL"].strip()
        print(
            f"coverage-bot: environment: LOG_LEVEL: {shown!r} is not one of {', '.join(_LOG_LEVELS)}", file=sys.stderr
        )
        return 2
    # A one-shot command's failure is its one-line message; the libraries' lines on the way (trafilatura's ERRORs on a
    # page that is not an article, the fetcher's WARNING for an HTTP 404) show only when -v or LOG_LEVEL asks for them.
    default = logging.CRITICAL if getattr(args, "func", None) in _ONE_SHOT else logging.WARNING
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else _LOG_LEVELS.get(level, default),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if logging.getLogger().level > logging.DEBUG:  # INFO is a line per poll cycle, not Alembic's plugins and revisions
        logging.getLogger("alembic").setLevel(logging.WARNING)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except UserError as exc:
        print(f"coverage-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `coverage-bot summarize x | head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug, or a failure nobody foresaw: one line, the traceback only with -v
        log.debug("unexpected error", exc_info=True)
        print(f"coverage-bot: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if not args.verbose:
            print("coverage-bot: run with -v for the traceback", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
