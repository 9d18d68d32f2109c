"""Two checkouts' first poll cycle, interleaved in one session: how a change moves it on a noisy machine (by hand).

Usage: .venv/bin/python bench/poll_ab.py BEFORE_CHECKOUT [AFTER_CHECKOUT] [--rounds 4]

e.g. ``git worktree add /tmp/before HEAD~1 && .venv/bin/python bench/poll_ab.py /tmp/before``. AFTER defaults to
this checkout. Each round runs bench/poll.py's "ours" phase once for each checkout, alternating (its first cycle:
500 feeds x 50 items on 50 loopback hosts, 10% on topic, analysis on), each served by that checkout's own bench
server and run with that checkout's code on its PYTHONPATH and this interpreter. Shared machines drift by 10-15%
within minutes, so a change is judged by the medians of both sides over the same minutes, not by two runs an hour
apart. Prints every round, then the medians of wall time, CPU time (the process and every process it started) and
the three phases, and after / before.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COMMON = ["--hosts", "50", "--stories", "250", "--feeds", "500", "--items", "50", "--concurrency", "32"]
COMMON += ["--on-topic", "0.1", "--analysis"]


def first_cycle(checkout: Path) -> dict[str, Any]:
    """One first cycle of ``checkout``'s code against its own bench server."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONHASHSEED": "0"}
    # Run from the checkout: the worker processes' fork server (started with -c) imports their modules before it
    # takes this process's path, with the working directory first on its own (CPython 3.11's forkserver.main). Run
    # from another checkout, both sides' workers ran that checkout's code: a change made in the workers measured as
    # none.
    script = str(checkout / "bench" / "poll.py")
    server = subprocess.Popen(
        [sys.executable, script, "--serve", *COMMON], stdout=subprocess.PIPE, text=True, env=env, cwd=checkout
    )
    try:
        assert server.stdout is not None
        port = server.stdout.readline().strip()
        out = subprocess.run(
            [sys.executable, script, "--phase", "ours", "--base", port, *COMMON],
            check=True,
            capture_output=True,
            text=True,
            env=env,
            cwd=checkout,
        )
        return dict(json.loads(out.stdout.strip().splitlines()[-1])[0])
    finally:
        server.kill()
        server.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path, nargs="?", default=ROOT)
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args()
    sides = {"before": args.before.resolve(), "after": args.after.resolve()}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in sides}
    for n in range(args.rounds):
        for name, checkout in sides.items():
            run = first_cycle(checkout)
            runs[name].append(run)
            phases = ", ".join(f"{x:.2f}" for x in run["phases"])
            print(
                f"round {n + 1} {name:6} wall {run['wall']:5.1f} s  CPU {run['cpu']:5.1f} s  phases {phases}  "
                f"stories {run['stories']}",
                flush=True,
            )

    def median(name: str, key: str, index: int | None = None) -> float:
        return statistics.median(r[key] if index is None else r[key][index] for r in runs[name])

    print(f"\nmedians of {args.rounds} rounds    before    after   after/before")
    rows = [("wall s", "wall", None), ("CPU s", "cpu", None)]
    rows += [(f"{p} s", "phases", i) for i, p in enumerate(("feeds", "clustering", "story analysis"))]
    for label, key, index in rows:
        before, after = median("before", key, index), median("after", key, index)
        print(f"  {label:20} {before:8.2f} {after:8.2f}   {after / before:6.3f}")


if __name__ == "__main__":
    main()
