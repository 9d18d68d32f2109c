"""Why a feed item is on a topic or not, rule by rule: what `coverage-bot explain` prints.

API::

    explained = explain_item(matcher, title, summary, feed=None)   # read as the poll path reads it (bot.candidates)
    render(explained, config.topics) -> str             # plain text; rule names and terms from feeds.yaml
    as_json(explained, config.topics) -> dict

The verdicts are TopicMatcher.explain's, on the title and summary that topic_hints scores, made plain text as the feed
parser makes them (tags and entities gone) and then read by the poll's own functions (bot.candidates.item_title,
topic_text): a title loses its outlet's suffix, a newsletter's name is no title, and a summary that only repeats the
title (an aggregator's) or is the feed's furniture is not read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .candidates import item_title, topic_text
from .feeds import MAX_SUMMARY, MAX_TITLE, html_to_text
from .settings import Topic
from .topics import FIELDS, FIRED, NEAR_MISS, Explanation, RuleVerdict, TopicMatcher, rule_groups

SEGMENT_CHARS = 160  # a sentence is shown up to this many characters
GROUP_TERMS = 6  # a near miss's missing group is shown by its first few terms


@dataclass(frozen=True, slots=True)
class ItemExplanation:
    """An item's topics with their reasons, and what of the item the rules read."""

    title: str | None  # the title as read (None: a newsletter's name, judged on its summary)
    summary: str | None  # the summary as read (None: none, or one that says nothing of its own)
    topics: tuple[Explanation, ...]  # every topic, in configuration order
    summary_dropped: bool = False  # a summary was given and is not read (it only repeats the title, or is furniture)
    outlet_dropped: bool = False  # the title ended (or began) with its outlet's name, which is not read


def explain_item(
    matcher: TopicMatcher, title: str | None, summary: str | None, feed: str | None = None
) -> ItemExplanation:
    """The verdicts of every topic on a feed item's title and summary (of the feed named ``feed`` in feeds.yaml, if
    given), as the poll path reads them: as plain text first (bot.feeds.html_to_text, which the feed parser applies to
    every field), so a summary copied from a feed file with its markup or entities (Sky News's "Putin.&#160;A day ...")
    splits into the same sentences; then through the poll's item_title and topic_text, so an outlet's name ending the
    title (" - The Wall Street Journal") is no US actor here either."""
    title = html_to_text(title, MAX_TITLE) if title else title
    summary = html_to_text(summary, MAX_SUMMARY, paragraphs=True) if summary else summary
    stored = item_title(title, summary, feed)
    read_title, read_summary = topic_text(stored, summary)
    read_summary = read_summary or None
    dropped = bool(summary and summary.strip()) and read_summary is None
    verdicts = tuple(matcher.explain(read_title, read_summary))
    return ItemExplanation(read_title, read_summary, verdicts, dropped, outlet_dropped=stored != title)


def render(explained: ItemExplanation, topics: Mapping[str, Topic]) -> str:
    """The verdicts as text: each topic's outcome, then each segment's rules and what they made of it."""
    lines: list[str] = []
    if explained.title is None:
        lines.append("(the title is a newsletter's name: the item is judged on its summary)")
    if explained.outlet_dropped and explained.title is not None:
        lines.append(f"(the title is read without its outlet's name: {explained.title})")
    if explained.summary_dropped:
        lines.append("(the summary is not read: it only repeats the title, or is the feed's furniture)")
    for e in explained.topics:
        state = "kept" if e.kept else "not kept"
        lines.append(f"{e.topic}: {state}, score {e.score:g} (needs {e.threshold:g})")
        rules = topics[e.topic].rules
        if e.unsupported and any(v.field != "title" for v in e.verdicts):
            lines.append("  the summary does not count: the title fires and nearly matches none of the rules")
        by_segment: dict[tuple[int, int], list[str]] = {}  # (field's place, segment) -> its lines, shown in text order
        for f, k, term in e.excluded:
            by_segment[(FIELDS.index(f), k)] = [f"  {_where(f, k)}: counts for nothing (exclude: {term})"]
        for v in e.verdicts:
            seg = by_segment.setdefault(
                (FIELDS.index(v.field), v.segment), [f"  {_where(v.field, v.segment)}: {_cut(v.text)}"]
            )
            seg.append(f"    {_verdict_line(v, rules)}")
        for key in sorted(by_segment):
            lines.extend(by_segment[key])
        if not e.verdicts and not e.excluded:
            lines.append("  none of its rules has words here")
    return "\n".join(lines)


def as_json(explained: ItemExplanation, topics: Mapping[str, Topic]) -> dict[str, Any]:
    """The verdicts as JSON-ready values (rule names from feeds.yaml; a near miss's missing terms)."""
    out = []
    for e in explained.topics:
        rules = topics[e.topic].rules
        out.append(
            {
                "topic": e.topic,
                "kept": e.kept,
                "score": e.score,
                "threshold": e.threshold,
                "title_supports": not e.unsupported,
                "excluded": [{"field": f, "segment": k, "term": t} for f, k, t in e.excluded],
                "verdicts": [
                    {
                        "field": v.field,
                        "segment": v.segment,
                        "text": v.text,
                        "rule": v.rule + 1,  # its place among the topic's rules in feeds.yaml, from 1
                        "rule_name": rules[v.rule].name,
                        "outcome": v.outcome,
                        "terms": list(v.terms),
                        **({"missing": list(_group(rules, v))} if v.missing is not None else {}),
                    }
                    for v in e.verdicts
                ],
            }
        )
    return {"title": explained.title, "summary": explained.summary, "topics": out}


def _verdict_line(v: RuleVerdict, rules: Sequence[Any]) -> str:
    name, words = _rule_name(rules, v.rule), ", ".join(v.terms)
    if v.outcome == FIRED:
        return f"fired: {name} [{words}]"
    if v.outcome == NEAR_MISS:
        group = _group(rules, v)
        more = f", … ({len(group)} terms)" if len(group) > GROUP_TERMS else ""
        return f"near miss: {name} [{words}]; none of: {', '.join(group[:GROUP_TERMS])}{more}"
    return f"not counted: {name} [{words}]: {v.outcome}"


def _rule_name(rules: Sequence[Any], index: int) -> str:
    name = rules[index].name
    return f'"{name}"' if name else f"rule {index + 1}"


def _group(rules: Sequence[Any], v: RuleVerdict) -> tuple[str, ...]:
    """The terms of the group a near miss lacks, as feeds.yaml writes them."""
    return rule_groups(rules[v.rule])[v.missing] if v.missing is not None else ()


def _where(field: str, segment: int) -> str:
    return "title" if field == "title" else f"{field}, sentence {segment + 1}"


def _cut(text: str) -> str:
    return text if len(text) <= SEGMENT_CHARS else text[: SEGMENT_CHARS - 1].rstrip() + "…"
