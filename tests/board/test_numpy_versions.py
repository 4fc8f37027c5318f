"""Re-play agrees across the numpy releases pyproject allows: records made with the oldest verify with this one, and back.

The oldest allowed numpy (pyproject's `numpy>=X`, newest patch of X) is installed once into a folder beside
the temporary files and run in a subprocess; agreement means every score equal and every ladder number
within sim.board.verify.FLOAT_TOLERANCE, which is exactly what the boards accept.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import tomllib
from pathlib import Path

import numpy
import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = (1, 2)

PLAY_AND_CHECK = textwrap.dedent("""
    import json, sys
    import numpy
    from sim.board.verify import ResultRejected, verify
    from sim.game import Game, play_policy
    from sim.scenario import list_cases, load_case_file

    theirs = json.load(sys.stdin)
    mine = []
    for ref in list_cases():
        case, digest = load_case_file(ref.path)
        for seed in json.loads(sys.argv[1]):
            for policy in ("expert", "random"):
                mine.append(play_policy(Game(case, digest, seed), policy).result())
    problems = []
    for record in theirs:
        try:
            verify(record)
        except ResultRejected as err:
            problems.append(f"{record['case']} seed {record['seed']}: {err}")
    print(json.dumps({"numpy": numpy.__version__, "records": mine, "problems": problems}))
""")


def _oldest_numpy() -> str:
    spec = next(d for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
                if re.match(r"numpy\b", d))
    lowest = re.search(r">=\s*([0-9][0-9.]*)", spec)
    assert lowest, f"pyproject's numpy requirement has no lower bound: {spec}"
    return lowest.group(1)


@pytest.fixture(scope="session")
def oldest_numpy_path() -> tuple[str, Path]:
    version = _oldest_numpy()
    folder = Path(tempfile.gettempdir()) / f"mlsim-test-numpy-{version}-py{sys.version_info.major}{sys.version_info.minor}"
    if not (folder / "numpy").is_dir():
        tmp = folder.with_name(folder.name + f".partial{os.getpid()}")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--target", str(tmp), f"numpy=={version}.*"], check=True, capture_output=True, timeout=600)
        try:
            tmp.rename(folder)
        except OSError:  # another run installed it meanwhile
            pass
    return version, folder


def _records_here() -> list[dict]:
    from sim.game import Game, play_policy
    from sim.scenario import list_cases, load_case_file

    records = []
    for ref in list_cases():
        case, digest = load_case_file(ref.path)
        for seed in SEEDS:
            for policy in ("expert", "random"):
                records.append(json.loads(json.dumps(play_policy(Game(case, digest, seed), policy).result())))
    return records


def test_records_re_play_the_same_with_the_oldest_allowed_numpy_and_this_one(oldest_numpy_path, isolated_home):
    from sim.board.verify import ResultRejected, verify

    version, folder = oldest_numpy_path
    here = _records_here()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]), "MLSIM_HOME": str(isolated_home)}
    done = subprocess.run([sys.executable, "-c", PLAY_AND_CHECK, json.dumps(SEEDS)], input=json.dumps(here),
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    there = json.loads(done.stdout)
    assert there["numpy"].startswith(version) and numpy.__version__ != there["numpy"]
    assert there["problems"] == []  # ours re-play there...
    problems = []
    for record in there["records"]:  # ...and theirs here
        try:
            verify(record)
        except ResultRejected as err:
            problems.append(f"{record['case']} seed {record['seed']}: {err}")
    assert problems == []
    assert len(there["records"]) == len(here) > 0
    assert [r["id"] for r in there["records"]] == [r["id"] for r in here]  # the same choices on both
