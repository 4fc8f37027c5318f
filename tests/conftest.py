"""Shared fixtures: built-in cases loaded once, and an isolated MLSIM_HOME for every test."""

from __future__ import annotations

import pytest

from sim.scenario import load


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """No test reads or writes the developer's own saves, boards or cases."""
    home = tmp_path / "mlsim-home"
    monkeypatch.setenv("MLSIM_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def bird():
    case, digest = load("bird-detection")
    return case, digest
