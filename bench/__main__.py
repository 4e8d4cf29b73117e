"""``python3 dev.py bench [--sizes 10k,100k,1m] [--backends sqlite,postgres] [--only ...] [--json PATH]``.

Builds realistic data, measures, prints a table and writes JSON (bench/results/latest.json by
default). ``--smoke`` runs everything at the smallest size, as CI does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._db import ROOT

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SECTIONS = ("ingest", "trends", "digest", "api", "daemon")


def _sizes(text: str) -> list[int]:
    try:
        return [SIZES[s.strip().lower()] for s in text.split(",")]
    except KeyError as exc:
        raise argparse.ArgumentTypeError(f"unknown size {exc}; use {', '.join(SIZES)}") from None


def _names(allowed: tuple[str, ...]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        names = [s.strip() for s in text.split(",")]
        bad = [n for n in names if n not in allowed]
        if bad:
            raise argparse.ArgumentTypeError(f"unknown {bad[0]!r}; use {', '.join(allowed)}")
        return names

    return parse


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py bench", description=__doc__)
    parser.add_argument("--sizes", type=_sizes, default=_sizes("10k,100k,1m"))
    parser.add_argument("--backends", type=_names(("sqlite", "postgres")), default=["sqlite", "postgres"])
    parser.add_argument("--only", type=_names(SECTIONS), default=list(SECTIONS))
    parser.add_argument("--smoke", action="store_true", help="smallest size only (CI)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench/results/latest.json")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes = [SIZES["1k"]]
    from ._report import print_table, verdicts
    from ._suite import run

    load_before = os.getloadavg()
    rows = run(args.only, args.sizes, args.backends, smoke=args.smoke)
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            # The machine may be shared: the load average says how much of it the benchmark had.
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "sizes": args.sizes,
        "smoke": args.smoke,
        "results": rows,
        "targets": verdicts(rows),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print_table(rows)
    load = results["machine"]["load_average_after"]
    print(f"\nload average {load} on {os.cpu_count()} cpus; written: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
