"""`coverage-bot demo`: the pipeline offline on the seed articles, printing what it would post."""

from __future__ import annotations

from pathlib import Path

from summarizer import analyze

from . import render


def find_seeds(seeds_dir: str | None = None) -> Path:
    """The seed folder: the one given, the project's `seeds/`, or `./seeds`."""
    candidates = [Path(seeds_dir)] if seeds_dir else [Path(__file__).resolve().parents[1] / "seeds", Path("seeds")]
    for c in candidates:
        if c.is_dir() and any(c.glob("*.txt")):
            return c
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"no seed articles (*.txt) found in {tried}; pass --seeds DIR")


async def run_demo(seeds_dir: str | None = None, keep: bool = False) -> int:
    """Analyse each seed article and print it as a reader would see it."""
    folder = find_seeds(seeds_dir)
    for path in sorted(folder.glob("*.txt")):
        print(f"--- {path.name} ---")
        print(render.analysis_text(analyze(path.read_text(encoding="utf-8"))))
        print()
    return 0
