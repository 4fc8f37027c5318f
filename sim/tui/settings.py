"""What the app remembers between runs (the theme), in a small JSON file in the data folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

SETTINGS_FILE = "settings.json"


def settings_path() -> Path:
    from sim.scenario import home  # the one place that says where the data folder is

    return home() / SETTINGS_FILE


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
    path = settings_path()
    data = {**_read(), "theme": name}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, path)  # never a half-written file, even if the game is killed now
    except OSError as err:
        return f"The theme is not remembered: {path} cannot be written ({err.strerror})."
    return None
