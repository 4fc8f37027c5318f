"""Lint speed: wall time of `mlsim lint bird-detection --runs 10000` (three policies × 10,000 seeds).

Target on a 2-core machine: lint_10k_s ≤ 2 (median of three runs, process start-up included).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3


def _once() -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sim", "lint", "bird-detection", "--runs", "10000", "--json"],
                          cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(f"lint failed: {done.stderr.strip()}")
    return elapsed


def measure() -> dict[str, float]:
    return {"lint_10k_s": statistics.median(_once() for _ in range(REPEATS))}


if __name__ == "__main__":
    print(measure())
