"""The `coverage-bot` executable's entry point: Ctrl-C while the program is still importing ends it quietly.

Importing the command line takes about half a second (numpy, sumy, the summarizer's tables), and a Ctrl-C in that time
printed a KeyboardInterrupt traceback through the import machinery, or an ImportError from a half-imported numpy. Until
bot.cli is imported, SIGINT keeps the system's default action (the process ends as interrupted, exit status 130 in a
shell: nothing is open yet to clean up); then Python's own handler is back, and bot.cli.main handles Ctrl-C as each
command needs (a one-shot command exits 130, `run` stops its poller and Telegram in order)."""

from __future__ import annotations

import signal


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    from bot.cli import main as cli_main

    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return cli_main()
    except KeyboardInterrupt:  # while the arguments are read, before a command's own handling begins
        return 130


if __name__ == "__main__":  # `python -m bot.entry ...`, as the installed script runs it
    raise SystemExit(main())
