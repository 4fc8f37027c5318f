"""The layers as a contract (import-linter, configured in pyproject.toml), lazy imports included."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(contract: str, package_parent: Path | None = None) -> subprocess.CompletedProcess:
    """Check one contract of pyproject.toml; with package_parent, on the `sim` package found there."""
    where = package_parent or ROOT  # lint-imports looks in its working folder first
    env = dict(os.environ, PYTHONPATH=str(where))
    return subprocess.run([str(LINT_IMPORTS), str(ROOT / "pyproject.toml"), "--contract", contract, "--no-cache",
                           "--no-logo"], cwd=where, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("contract", ["layers", "textual-only-in-tui"])
def test_contract_is_kept(contract):
    run = lint_imports(contract)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout


def test_no_import_cycles_inside_a_package():
    run = lint_imports("no-cycles")
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("module, line, contract", [
    # An upward import hidden inside a function (the usual way to dodge a start-up cost) still breaks the layers.
    ("model/law.py", "def _sneak():\n    from sim.game import Game\n    return Game\n", "layers"),
    ("scenario/loader.py", "def _sneak():\n    import sim.tui.app\n    return sim.tui.app\n", "layers"),
    ("game/replay.py", "def _sneak():\n    import textual.app\n    return textual.app\n", "textual-only-in-tui"),
])
def test_a_lazy_upward_import_breaks_the_contract(tmp_path, module, line, contract):
    shutil.copytree(ROOT / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    with open(tmp_path / "sim" / module, "a", encoding="utf-8") as out:
        out.write("\n\n" + line)
    run = lint_imports(contract, tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "BROKEN" in run.stdout
