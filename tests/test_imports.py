"""Start-up: importing a small part loads only that part (the summarizers and numpy load when used)."""

from __future__ import annotations

import subprocess
import sys

import summarizer


def test_every_public_name_of_the_summarizer_loads() -> None:
    assert all(callable(getattr(summarizer, name)) or name == "METHODS" for name in summarizer.__all__)
    assert "lexrank" in summarizer.METHODS


def test_models_speakers_and_the_command_layer_load_without_the_summarizers() -> None:
    probe = "import sys, summarizer.models, summarizer.speakers, bot.commands; print(sorted(m for m in ('numpy', 'summarizer.extractive', 'trafilatura') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]", out.stdout
