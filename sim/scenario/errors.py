"""Problems found in a case file, each with the place it concerns and what to do."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    file: str
    line: int  # 1-based; 0 when the problem concerns the whole file
    col: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col}: {self.message}"
        return f"{self.file}: {self.message}"

    def as_warning(self) -> str:
        """The same place, marked as a warning: valid, but worth changing."""
        where = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        return f"{where}: warning: {self.message}"

    def as_json(self) -> dict:
        return {"file": self.file, "line": self.line, "col": self.col, "message": self.message}


class CaseError(Exception):
    """A case file could not be loaded; `problems` lists every located mistake."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def suggest(word: Any, choices: list[str] | tuple[str, ...]) -> str:
    """"; did you mean 'x'?" when a close match exists, else ""."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
