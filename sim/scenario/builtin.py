"""Where cases live: the built-in ones shipped in the package and the user's own folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sim.paths import MissingCasesError, builtin_folder, home, home_path
from sim.scenario.errors import CaseError, Problem
from sim.scenario.loader import load_case_file
from sim.scenario.schema import Case

__all__ = ["BUILTIN_IDS", "CaseRef", "MissingCasesError", "builtin_folder", "find_case", "home", "list_cases", "load",
           "user_folder"]

BUILTIN_IDS = ("bird-detection", "cat-app", "in-car-speech", "autonomous-driving", "chest-xray", "card-fraud")  # teaching order


def user_folder() -> Path:
    """The player's own cases (listing them creates nothing; `mlsim new` creates the folder)."""
    return home_path() / "scenarios"


@dataclass(frozen=True)
class CaseRef:
    id: str
    path: Path
    builtin: bool


def list_cases() -> list[CaseRef]:
    """Built-in cases first, in teaching order (the gentlest first), then the user's own alphabetically.

    A user file may not shadow a built-in id.
    """
    order = {case_id: i for i, case_id in enumerate(BUILTIN_IDS)}
    found = builtin_folder().glob("*.yaml")
    refs = [CaseRef(p.stem, p, True) for p in sorted(found, key=lambda p: (order.get(p.stem, len(order)), p.stem))]
    taken = {r.id for r in refs}
    folder = user_folder()
    if folder.is_dir():
        refs += [CaseRef(p.stem, p, False) for p in sorted(folder.glob("*.yaml")) if p.stem not in taken]
    return refs


def find_case(name: str) -> Path:
    """A case id (built-in or the user's) or a path to a YAML file."""
    candidate = Path(name)
    if candidate.suffix in {".yaml", ".yml"} or os.sep in name:
        return candidate
    for ref in list_cases():
        if ref.id == name:
            return ref.path
    known = ", ".join(r.id for r in list_cases())
    raise CaseError([Problem(name, 0, 0, f"no case with this id; known cases: {known} (or give a path to a .yaml file)")])


def load(name: str) -> tuple[Case, str]:
    """Find and load a case by id or path; returns the case and its content hash."""
    return load_case_file(find_case(name))
