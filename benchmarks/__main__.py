"""`python -m benchmarks` (`make bench`): time a training step four ways, write results.json.

    python -m benchmarks                        # the full run, ~2.5 minutes; writes results.json
    python -m benchmarks --quick --out x.json   # a few seconds, small sizes only
    python -m benchmarks --record-build-times   # time a cold `make docs` and `make test`
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import build_times, results, suite
from .ways import Size

QUICK = dict(sizes=(Size(10, 2, 20, 5), Size(32, 64, 64, 64)), block_s=0.002, budget_s=0.05,
             min_rounds=3, max_rounds=3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None,
                        help=f"where to write the results (default {results.PATH}; "
                             "--quick writes only where --out says)")
    parser.add_argument("--quick", action="store_true",
                        help="two small sizes, three short rounds: checks the code, not speed")
    parser.add_argument("--record-build-times", action="store_true",
                        help="run a cold `make docs` and `make test`; record their wall time")
    args = parser.parse_args(argv)

    if args.record_build_times:
        return 0 if build_times.record(path=args.out or results.PATH) else 1
    doc = suite.run_all(**QUICK) if args.quick else suite.run_all()
    results.validate(doc)
    for row in doc["targets"]:
        print(f"{'met   ' if row['met'] else 'MISSED'} {row['target']} ({row['why']}), "
              f"{row['threads']} thread(s): {row['value']:.2f} at {row['at']} "
              f"(on CPU time {row['cpu_value']:.2f})")
    out = args.out or (None if args.quick else results.PATH)
    if out is not None:
        results.write(doc, out)
        print(f"wrote {out} ({doc['wall_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
