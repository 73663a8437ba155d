"""`python -m mlp.check PATH [--json] [--seed N] [--timeout SECONDS]`."""

from __future__ import annotations

import argparse
import json
import math
import sys

from ._check import DEFAULT_TIMEOUT, check_file
from ._render import to_json, to_text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mlp.check",
        description="Check a homework mlp.py (MLP, mse_loss, bce_loss) against torch autograd, "
                    "quantity by quantity, and say what is wrong. Exit status: 0 all agree, "
                    "1 some differ, 2 PATH cannot be used.")
    parser.add_argument("path", metavar="PATH", help="the Python file to check")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--seed", type=int, default=0, help="seed of the inputs (default 0)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help="time each case, and the file's import, may take "
                             f"(default {DEFAULT_TIMEOUT:g})")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return its exit status."""
    args = _parser().parse_args(argv)
    if not 0 < args.timeout < math.inf:
        _parser().error(f"--timeout must be a positive number of seconds, got {args.timeout}")
    report = check_file(args.path, seed=args.seed, timeout=args.timeout)
    if report.unusable is not None:
        print(f"mlp.check: cannot use {args.path}: {report.unusable}", file=sys.stderr)
    if args.json:
        print(json.dumps(to_json(report), ensure_ascii=False))
    elif report.unusable is None:
        print(to_text(report), end="")
    return report.exit_status
