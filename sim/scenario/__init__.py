"""Case files: the schema, safe loading with located errors, seeded variants, and where cases live."""

from sim.scenario.builtin import BUILTIN_IDS, CaseRef, find_case, home, list_cases, load, user_folder
from sim.scenario.errors import CaseError, Problem
from sim.scenario.loader import case_hash, load_case_bytes, load_case_file
from sim.scenario.schema import Case
from sim.scenario.variants import ranged_paths, resolve

__all__ = [
    "BUILTIN_IDS", "CaseRef", "find_case", "home", "list_cases", "load", "user_folder", "CaseError", "Problem",
    "case_hash", "load_case_bytes", "load_case_file", "Case", "ranged_paths", "resolve",
]
