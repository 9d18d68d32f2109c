"""Start-up: importing a small part loads only that part (the summarizers and numpy load when used)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import summarizer


def test_every_public_name_of_the_summarizer_loads() -> None:
    assert all(callable(getattr(summarizer, name)) or name == "METHODS" for name in summarizer.__all__)
    assert "lexrank" in summarizer.METHODS


def test_models_speakers_and_the_command_layer_load_without_the_summarizers() -> None:
    probe = "import sys, summarizer.models, summarizer.speakers, bot.commands; print(sorted(m for m in ('numpy', 'summarizer.extractive', 'trafilatura') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_summarize_renders_its_reply_without_the_database_code() -> None:
    # bot.digest renders `coverage-bot summarize FILE` (analysis_blocks); SQLAlchemy, which the store needs, took 0.46 s
    # of its 1 s of CPU
    seed = Path(__file__).resolve().parents[1] / "seeds" / "000_13480b5b247e7fca.txt"
    probe = (
        "import sys, contextlib, io, bot.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out: code = bot.cli.main(['summarize', sys.argv[1]])\n"
        "assert code == 0 and 'Summary' in out.getvalue(), out.getvalue()\n"
        "print(sorted(m for m in ('sqlalchemy', 'bot.store') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(seed)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout
