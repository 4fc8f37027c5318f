"""The performance suite: `python benchmarks/run.py --json` prints one JSON object of measurements.

Each `bench_*.py` module beside this file has `measure() -> dict[str, float]`; medians over repeats,
because the machines are shared and noisy. Targets are checked here and in notes, never in tests.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

# Module -> the keys it reports (see each module for targets).
SUITES = ("bench_core", "bench_tui", "bench_lint", "bench_board", "bench_whatif", "bench_hosted")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--only", nargs="*", help="run only these modules (e.g. bench_core)")
    args = parser.parse_args()
    results: dict[str, float] = {}
    for name in args.only or SUITES:
        if not (HERE / f"{name}.py").exists():
            continue
        module = importlib.import_module(name)
        results.update(module.measure())
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            print(f"{key:>24}: {value:,.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
