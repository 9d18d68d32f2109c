"""One loader for the word lists and tables shipped as data files in ``summarizer/data/``."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _text(name: str) -> str:
    return resources.files("summarizer").joinpath("data", name).read_text(encoding="utf-8")


def word_list(name: str, *, lower: bool = True) -> frozenset[str]:
    """The words of ``data/<name>.txt``: whitespace-separated, ``#`` starts a comment to the line's end."""
    words = []
    for line in _text(f"{name}.txt").splitlines():
        words += line.split("#", 1)[0].split()
    return frozenset(w.lower() for w in words) if lower else frozenset(words)


def table(name: str) -> Any:
    """The JSON value of ``data/<name>.json``."""
    return json.loads(_text(f"{name}.json"))


@cache
def sections(name: str) -> dict[str, str]:
    """The ``[section]`` blocks of ``data/<name>.txt`` as whitespace-joined text (``#`` comments dropped)."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in _text(f"{name}.txt").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = out.setdefault(line[1:-1], [])
        elif line and current is not None:
            current.append(line)
    return {k: " ".join(v) for k, v in out.items()}
