"""``python -m bench``: run every benchmark and write ``bench/RESULTS.md``.

``--smoke`` runs one tiny iteration of each (what ``tests/bench`` does) and writes nothing unless
``--output`` is given. ``--only 1,3`` picks benchmarks; ``--waits 5,30`` scales benchmark 6.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.report import BENCHMARKS, render, run_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="one tiny iteration of each")
    parser.add_argument("--only", help="comma-separated benchmark numbers (1-8)")
    parser.add_argument(
        "--waits", default="5,30,120", help="provisioning seconds for benchmark 6 (5,30,120)"
    )
    parser.add_argument("--output", type=Path, help="where to write (default bench/RESULTS.md)")
    args = parser.parse_args(argv)
    only = [int(n) for n in args.only.split(",")] if args.only else list(BENCHMARKS)
    waits = tuple(float(s) for s in args.waits.split(","))
    sections, elapsed = run_all(only, smoke=args.smoke, waits=waits, progress=sys.stderr)
    text = render(sections, elapsed, smoke=args.smoke)
    output = args.output
    if output is None and not args.smoke:
        output = Path(__file__).resolve().parent / "RESULTS.md"
    if output is not None:
        output.write_text(text)
        print(f"wrote {output}", file=sys.stderr)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
