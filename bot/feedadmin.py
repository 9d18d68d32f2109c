"""Re-enabling a feed the poller disabled after repeated failures: `coverage-bot feeds --enable` and /enable.

Either puts the feed back at its configured URL (the one in feeds.yaml), also an enabled feed a permanent redirect
moved: the moved address is what an operator who "fixed the cause" cannot fix."""

from __future__ import annotations

from dataclasses import dataclass

from .store import DISABLED_IN_CONFIG, Store
from .textcut import echo


@dataclass(frozen=True)
class EnableAnswer:
    """The outcome of re-enabling a feed: whether it is polled now, and what to tell the user."""

    ok: bool  # re-enabled, or it was not disabled (`feeds --enable` exits 0)
    message: str


def did_you_mean(key: str, names: list[str]) -> str:
    """'; did you mean: A, B?' for the feed names that hold ``key`` (case aside), or nothing."""
    close = [name for name in names if key.casefold() in name.casefold()][:5]
    return f"; did you mean: {', '.join(close)}?" if close else ""


async def enable_feed(store: Store, which: str) -> EnableAnswer:
    """Re-enable one feed by name (case-insensitive) or URL; the answer says what happened."""
    key = " ".join(which.split())
    health = await store.feed_health()
    feed = next((f for f in health if key in (f.url, f.source_url)), None) or next(
        (f for f in health if f.name.casefold() == key.casefold()), None
    )
    if feed is None and key.startswith(("http://", "https://")) and await store.enable_feed(key):
        return EnableAnswer(True, f"{key} re-enabled; it is polled in the next cycle")  # its configured URL
    if feed is None:
        hint = did_you_mean(key, [f.name for f in health]) or " (`coverage-bot feeds` lists them)"
        return EnableAnswer(False, f"No feed {echo(key)!r} in feeds.yaml{hint}")
    back = f" at its configured URL (it had moved to {feed.url})" if feed.moved else ""
    if feed.enabled and feed.moved:
        await store.enable_feed(feed.url)
        return EnableAnswer(True, f"{feed.name} is not disabled; it is polled in the next cycle{back}.")
    if feed.enabled:
        failing = f", though it failed {feed.failures} times in a row" if feed.failures else ""
        return EnableAnswer(True, f"{feed.name} is not disabled{failing}.")
    if feed.disabled_reason == DISABLED_IN_CONFIG:
        return EnableAnswer(False, f"{feed.name} is disabled in feeds.yaml: set 'enabled: true' there.")
    await store.enable_feed(feed.url)
    return EnableAnswer(True, f"{feed.name} re-enabled; it is polled in the next cycle{back}.")
