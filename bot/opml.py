"""OPML, the feed list every feed reader exports: feeds.yaml's feeds out, another reader's feeds in.

API::

    export_opml(config) -> str                               # OPML 2.0, one outline per feed (disabled ones marked)
    read_opml(data: bytes) -> list[OpmlFeed]                 # every feed outline (xmlUrl, or type="rss"); OpmlError
    merge_opml(path, feeds) -> MergeReport                   # append new feeds to feeds.yaml's list, validated

Merging keeps feeds.yaml as written (comments, order): new feeds are appended as text at the end of the
``feeds:`` list (or start it, when it is still ``feeds: []``), the result is validated like any feeds.yaml, and
only then written (atomically, keeping the file's mode; a read-only feeds.yaml, or one in a folder that cannot be
written, is refused in one line and left as it is). A feed is new when no existing feed has the same canonical URL
(host case, default port and trailing slash ignored) or the same name; a clashing name gets a numbered suffix. A feed
the file lists twice is added once and the repeat reported as such; an outline of type="rss" gives its address in
``url`` when it has no ``xmlUrl`` (some readers write it so), and one with neither is reported, not dropped unseen.

An export imports back as it was: ``isDisabled="true"`` is ``enabled: false``, the ``category`` words that are
topic ids are the feed's topics, ``interval`` its interval. Other readers' categories ("/tech", "News/World")
name no topic and are reported, not refused. The export writes each feed's effective topics and interval; the
import writes them only where they differ from feeds.yaml's defaults (every topic, ``poll.interval``), so a
feed that followed every topic still follows a topic added later.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as SafeET
import yaml
from defusedxml import EntitiesForbidden

from .settings import (
    Config,
    ConfigError,
    _check_interval,
    _check_url,
    _human,
    _UniqueKeyLoader,
    canonical_url,
    load_config,
    parse_config,
    parse_duration,
)


class OpmlError(ValueError):
    """An OPML file that cannot be used; the message says why."""


@dataclass(frozen=True)
class OpmlFeed:
    """One feed outline of an OPML file, its attributes as written."""

    name: str
    url: str
    categories: tuple[str, ...] = ()  # category="us-russia,/tech": topic ids (our export) or another reader's paths
    interval: str | None = None  # interval="3h": our export writes it; unparsed until merged
    enabled: bool = True  # isDisabled="true" is False


@dataclass(frozen=True)
class NewFeed:
    """A feed an import appends, as feeds.yaml gets it: no topics is every topic, no interval poll.interval."""

    name: str
    url: str
    topics: tuple[str, ...] = ()
    interval: int | None = None
    enabled: bool = True


@dataclass(frozen=True)
class MergeReport:
    """What an import did."""

    added: tuple[NewFeed, ...]
    duplicates: tuple[OpmlFeed, ...]  # already in feeds.yaml (same canonical URL)
    invalid: tuple[tuple[OpmlFeed, str], ...]  # refused, with the reason
    ignored_categories: tuple[str, ...] = ()  # added feeds' category words that are no topic id, once each
    repeats: tuple[tuple[OpmlFeed, str], ...] = ()  # listed again in the file, with the name it was added under


def export_opml(config: Config, title: str = "coverage-bot feeds") -> str:
    """feeds.yaml's feeds as OPML 2.0: topics as a category, the interval, disabled feeds with isDisabled="true"."""
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    body = SubElement(root, "body")
    for feed in config.feeds:
        attrs = {"type": "rss", "text": feed.name, "title": feed.name, "xmlUrl": feed.url}
        if feed.topics:
            attrs["category"] = ",".join(feed.topics)
        attrs["interval"] = _human(feed.interval)
        if not feed.enabled:
            attrs["isDisabled"] = "true"
        SubElement(body, "outline", attrs)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode") + "\n"


def read_opml(data: bytes) -> list[OpmlFeed]:
    """Every feed outline, nested folders included, in document order: one with an xmlUrl, or of type="rss" (its
    address then in ``url``, as some readers write it; none at all: url "", which the import reports as invalid)."""
    try:
        root = SafeET.fromstring(data)
    except SafeET.ParseError as exc:
        raise OpmlError(f"not valid XML: {exc}") from None
    except EntitiesForbidden:  # the "billion laughs" bomb and its kin start with an entity declaration
        raise OpmlError(
            "refused: the OPML file declares XML entities (<!ENTITY …>), which are refused for safety; "
            "export it again from the feed reader, or delete its <!DOCTYPE …> part"
        ) from None
    except Exception as exc:  # defusedxml refuses entity tricks with its own exceptions
        raise OpmlError(f"refused: {type(exc).__name__}: {exc}") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"not an OPML file (the root element is <{root.tag}>, not <opml>)")
    feeds = []
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        if not url and (outline.get("type") or "").strip().lower() == "rss":  # a feed, its address in `url` or none
            url = outline.get("url") or ""
        elif not url:  # a folder, or a link to a web page
            continue
        url = _unfeed(url.strip())
        name = " ".join((outline.get("title") or outline.get("text") or urlsplit(url).hostname or url).split())
        categories = tuple(c.strip() for c in (outline.get("category") or "").split(",") if c.strip())
        interval = outline.get("interval")
        disabled = (outline.get("isDisabled") or "").strip().lower() == "true"
        name = name[:100] or url[:100] or "(untitled)"
        feeds.append(OpmlFeed(name, url, categories, interval, enabled=not disabled))
    return feeds


def _unfeed(url: str) -> str:
    """The URL behind the feed: scheme some readers export: feed://host/x is http://host/x, feed:https://… https://…"""
    if url[:5].lower() != "feed:":
        return url
    rest = url[5:]
    if rest.startswith("//"):
        return "http:" + rest
    return rest if rest[:7].lower() == "http://" or rest[:8].lower() == "https://" else url


def merge_opml(path: str | os.PathLike[str], feeds: list[OpmlFeed]) -> MergeReport:
    """Append the feeds not yet in feeds.yaml to its feed list; validate; write atomically. ConfigError if invalid."""
    p = Path(path)
    config = _load_target(p)
    text = p.read_text(encoding="utf-8")
    existing = {canonical_url(f.url) for f in config.feeds}
    in_file: dict[str, str] = {}  # canonical URL -> the name its first outline in the file was added under
    names = {f.name.strip().casefold() for f in config.feeds}
    added: list[NewFeed] = []
    duplicates: list[OpmlFeed] = []
    repeats: list[tuple[OpmlFeed, str]] = []
    invalid: list[tuple[OpmlFeed, str]] = []
    ignored: dict[str, None] = {}  # (ordered, once each)
    for feed in feeds:
        try:
            if not feed.url:
                raise ValueError("no address (neither xmlUrl nor url)")
            url = _check_url(feed.url)
            interval = _interval(feed.interval)
        except ValueError as exc:
            invalid.append((feed, str(exc)))
            continue
        key = canonical_url(url)
        if key in existing:
            duplicates.append(feed)
            continue
        if key in in_file:
            repeats.append((feed, in_file[key]))
            continue
        name, n = feed.name, 2
        while name.strip().casefold() in names:
            name, n = f"{feed.name[:95]} ({n})", n + 1
        in_file[key] = name
        names.add(name.strip().casefold())
        topics = tuple(dict.fromkeys(c for c in feed.categories if c in config.topics))
        ignored.update(dict.fromkeys(c for c in feed.categories if c not in config.topics))
        added.append(
            NewFeed(
                name,
                url,
                topics=() if topics == tuple(config.topics) else topics,  # every topic: as feeds.yaml says it
                interval=None if interval == config.poll.interval else interval,
                enabled=feed.enabled,
            )
        )
    if added:
        new_text = _append_feeds(text, added, p)
        try:
            data = yaml.safe_load(new_text)
        except yaml.YAMLError as exc:  # a layout _append_feeds misread: refuse, the file stays as it is
            problem = getattr(exc, "problem", None) or "not valid YAML"
            raise ConfigError(
                f"{p}: the new feeds could not be appended to its 'feeds:' list ({problem}); "
                "add them by hand, or write the list as '  - name: …'"
            ) from None
        parse_config(data, p, new_text)  # raises ConfigError: nothing is written
        _replace_text(p, new_text)
    return MergeReport(tuple(added), tuple(duplicates), tuple(invalid), tuple(ignored), tuple(repeats))


def _load_target(path: Path) -> Config:
    """feeds.yaml's config. One whose list is still empty (`feeds: []`, `feeds:`) is checked as if it held one feed:
    its topics and poll.interval are what new feeds are read against; an import then starts the list."""
    try:
        return load_config(path)
    except ConfigError as refused:
        try:
            text = path.read_text(encoding="utf-8")
            data = yaml.load(text, Loader=_UniqueKeyLoader)
        except (OSError, ValueError, yaml.YAMLError):  # (not UTF-8 is a ValueError) load_config's message says it
            raise refused from None
        if not isinstance(data, dict) or data.get("feeds", ...) not in (None, []):  # (no 'feeds:' key: refused)
            raise refused from None
        stand_in = {"name": "-", "url": "https://example.invalid/"}
        return parse_config({**data, "feeds": [stand_in]}, path, text).model_copy(update={"feeds": ()})


def _interval(value: str | None) -> int | None:
    """An outline's interval attribute in seconds, None when it has none; ValueError names the attribute."""
    if value is None:
        return None
    try:
        return _check_interval(parse_duration(value))
    except ValueError as exc:
        raise ValueError(f"interval: {exc}") from None


def _replace_text(path: Path, text: str) -> None:
    """Write `text` over the file `path` names atomically, following a symlink and keeping the file's mode (and owner,
    where the user may give it). ConfigError, nothing changed, when the file is read-only (no write bit: its owner
    said so, which root would otherwise override; or a read-only mount) or its folder cannot take the new file."""
    target = path.resolve()  # a symlinked feeds.yaml: update the file it points at, not replace the link
    st = target.stat()
    mode = stat.S_IMODE(st.st_mode)
    if not mode & 0o222 or not os.access(target, os.W_OK):
        raise ConfigError(
            f"{path}: cannot be written (read-only); nothing was changed: make it writable (chmod u+w), or import into "
            "the file it is copied or mounted from (Docker: the host's feeds.yaml), then restart the bot"
        )
    tmp = target.with_name(target.name + ".tmp")  # same directory: os.replace stays one rename
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot be written: its folder {target.parent} is not writable ({exc.strerror}; the new file is "
            "written beside it, then renamed over it); nothing was changed: make the folder writable, or import into a "
            "copy elsewhere and copy it back"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            with contextlib.suppress(PermissionError):  # root writing the bot user's file leaves it the bot's
                os.fchown(f.fileno(), st.st_uid, st.st_gid)
            os.fchmod(f.fileno(), mode)  # before the text goes in: a 600 file is never readable by others
            f.write(text)
        os.replace(tmp, target)
    except OSError as exc:  # a full disk, a file mounted on its own (Docker: EBUSY)
        tmp.unlink(missing_ok=True)
        raise ConfigError(
            f"{path}: cannot be written ({exc.strerror}); nothing was changed: import into a copy elsewhere and copy "
            "it over the file"
        ) from None


def _append_feeds(text: str, feeds: list[NewFeed], source: Path) -> str:
    """feeds.yaml's text with `feeds` appended to the end of its `feeds:` list, in the list's own indentation."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    key: Any = None
    node: Any = None
    if isinstance(root, yaml.MappingNode) and not root.flow_style:
        key, node = next(((k, v) for k, v in root.value if getattr(k, "value", None) == "feeds"), (None, None))
    lines = text.splitlines(keepends=True)
    if _empty_list(node) and node.start_mark.line == node.end_mark.line == key.start_mark.line:
        return _start_list(lines, key, node, feeds)
    if not isinstance(node, yaml.SequenceNode) or not node.value or node.flow_style:
        raise ConfigError(f"{source}: the 'feeds:' list must be a block list ('  - name: …') to import into")
    first = node.value[0]
    # the dash's own column (the list's start) and the item's first key's, as written: '  - name', '    -   name', '-   url'
    key_column = max(first.start_mark.column, node.start_mark.column + 2)
    dash = " " * node.start_mark.column + "-".ljust(key_column - node.start_mark.column)
    indent = " " * key_column
    last = node.value[-1]
    end = last.end_mark.line if last.end_mark.column == 0 else last.end_mark.line + 1
    while end > last.start_mark.line + 1 and (not lines[end - 1].strip() or _is_outer_comment(lines[end - 1], indent)):
        end -= 1  # blank lines and comments before the next section stay with it
    if end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    return "".join([*lines[:end], _block(feeds, dash, indent), *lines[end:]])


def _start_list(lines: list[str], key: yaml.Node, node: yaml.Node, feeds: list[NewFeed]) -> str:
    """The text with `feeds: []` (or `feeds:`) turned into a block list of `feeds`, two columns right of its key."""
    at = key.start_mark.line
    head, rest = lines[at][: node.start_mark.column].rstrip(), lines[at][node.end_mark.column :].strip()  # '[]' goes
    lines[at] = head + (f"  {rest}" if rest else "") + "\n"  # a comment after it stays
    indent = " " * (key.start_mark.column + 4)
    return "".join([*lines[: at + 1], _block(feeds, indent[:-2] + "- ", indent), *lines[at + 1 :]])


def _block(feeds: list[NewFeed], dash: str, indent: str) -> str:
    """The list items of new feeds: the first key after `dash`, the others at `indent`."""
    return "".join(dash + f"\n{indent}".join(_feed_lines(f)) + "\n" for f in feeds)


def _empty_list(node: yaml.Node | None) -> bool:
    """`feeds: []` or `feeds:` (`~`, `null`): a list an import may start."""
    if isinstance(node, yaml.SequenceNode):
        return not node.value
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _feed_lines(feed: NewFeed) -> list[str]:
    """One new feed's keys, one line each, as feeds.yaml spells them: only what differs from the defaults."""
    lines = [f"name: {_scalar(feed.name)}", f"url: {_scalar(feed.url)}"]
    if feed.topics:
        lines.append(f"topics: [{', '.join(_scalar(t) for t in feed.topics)}]")
    if feed.interval is not None:
        lines.append(f"interval: {_human(feed.interval)}")
    if not feed.enabled:
        lines.append("enabled: false")
    return lines


def _is_outer_comment(line: str, indent: str) -> bool:
    """A comment line left of the items' keys: it leads what follows; one at their column or deeper is the last feed's."""
    body = line.lstrip()
    return body.startswith("#") and len(line) - len(body) < len(indent)


def _scalar(value: str) -> str:
    """A YAML scalar for one line: plain when safe, double-quoted otherwise."""
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    return dumped.removesuffix("\n...").removesuffix("...").strip()
