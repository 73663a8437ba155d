"""Print the mutation score of `make mutation`, per file, from mutmut's results in mutants/.

A mutant counts as killed when a test failed, crashed or ran past mutmut's time limit; as
equivalent only when tools/mutation_equivalent.txt names it with a one-line reason (a change no
test can observe, such as a message's default that is never shown). Exits 1 below MIN_SCORE.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "tools" / "mutation_equivalent.txt"
MIN_SCORE = 0.97
KILLED = {1, 3, -11, -9}  # a failing test, a crash
TIMEOUT = {24, -24, 152, 255, 36}  # mutmut's time limit: killed, and named below to be rerun
SURVIVED = 0


def equivalents() -> dict[str, str]:
    """Mutant name -> the reason it cannot be told apart from the original."""
    found = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition("#")
            if not reason.strip():
                sys.exit(f"{EQUIVALENT.name}: {name.strip()} needs a reason after '#'")
            found[name.strip()] = reason.strip()
    return found


def main() -> int:
    metas = sorted((ROOT / "mutants").rglob("*.py.meta"))
    if not metas:
        print("no results in mutants/: run `make mutation`", file=sys.stderr)
        return 2
    equivalent = equivalents()
    rows, survivors, timeouts, unchecked, seen = [], [], [], 0, set()
    for meta in metas:
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        seen.update(codes)
        tally = Counter()
        for name, code in codes.items():
            if code is None:
                unchecked += 1
            kind = ("killed" if code in KILLED | TIMEOUT else "equivalent" if name in equivalent
                    else "survived" if code == SURVIVED else "other")
            tally[kind] += 1
            if code in TIMEOUT:
                timeouts.append(name)
            if kind in ("survived", "other"):
                survivors.append(f"{name} (exit {code})")
        rows.append((meta.relative_to(ROOT / "mutants").with_suffix("").as_posix(), tally))
    print(f"{'file':24} {'mutants':>8} {'killed':>7} {'equiv.':>7} {'survived':>9} {'score':>7}")
    total = Counter()
    for path, tally in rows:
        total.update(tally)
        n = sum(tally.values())
        score = (tally["killed"] + tally["equivalent"]) / n if n else 1.0
        print(f"{path:24} {n:8} {tally['killed']:7} {tally['equivalent']:7} "
              f"{tally['survived'] + tally['other']:9} {score:7.1%}")
    n = sum(total.values())
    score = (total["killed"] + total["equivalent"]) / n
    print(f"{'all':24} {n:8} {total['killed']:7} {total['equivalent']:7} "
          f"{total['survived'] + total['other']:9} {score:7.1%}")
    stale = sorted(set(equivalent) - seen)
    for name in stale:
        print(f"{EQUIVALENT.name} names {name}, which this run did not make: update the list")
    for name in survivors:
        print("survived:", name)
    for name in timeouts:  # on a loaded machine a slow test run can time out too
        print(f"timed out (counted killed; check with `mutmut run {name}`):", name)
    if unchecked:
        print(f"{unchecked} mutants were not checked: the run did not finish")
    print(f"score {score:.1%} (at least {MIN_SCORE:.0%} required)")
    return 0 if score >= MIN_SCORE and not unchecked and not stale else 1


if __name__ == "__main__":
    sys.exit(main())
