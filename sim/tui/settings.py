"""What the app remembers between runs (the theme), in a small JSON file in the data folder (sim.paths)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sim.paths import DataFolderError, home, home_path

SETTINGS_FILE = "settings.json"


def settings_path() -> Path:
    return home_path() / SETTINGS_FILE


def _read() -> dict:
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, unreadable or damaged: the defaults, and the next save rewrites it
        return {}
    return data if isinstance(data, dict) else {}


def saved_theme() -> str | None:
    """The theme picked in an earlier run, if any."""
    theme = _read().get("theme")
    return theme if isinstance(theme, str) else None


def save_theme(name: str) -> str | None:
    """Remember the theme for the next run; None when done, else one sentence saying why not."""
    data = {**_read(), "theme": name}
    try:
        path = home() / SETTINGS_FILE  # checked: a data folder that cannot be used says why
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, path)  # never a half-written file, even if the game is killed now
    except DataFolderError as err:
        return f"The theme is not remembered: {err}."
    except OSError as err:
        return f"The theme is not remembered: {settings_path()} cannot be written ({err.strerror})."
    return None
