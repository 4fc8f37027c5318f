"""Where mlsim's files are: the built-in cases inside the package, and the player's data folder (saves, boards,
outbox, own cases); one sentence, never a traceback, when either cannot be used."""

from __future__ import annotations

import os
from pathlib import Path

FIX = "point MLSIM_HOME at a folder you can write to"


class MissingCasesError(Exception):
    """The installed package carries none of its built-in cases: a broken install, never a player's mistake."""


class DataFolderError(Exception):
    """The data folder cannot hold mlsim's files; the message is one sentence naming the folder and the fix."""


def home_path() -> Path:
    """The data folder, unchecked: MLSIM_HOME, else the system's usual place for an application's data
    (platformdirs: $XDG_DATA_HOME/mlsim or ~/.local/share/mlsim on Linux, ~/Library/Application Support/mlsim
    on macOS, %LOCALAPPDATA%\\mlsim on Windows)."""
    configured = os.environ.get("MLSIM_HOME")
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_path

    return user_data_path("mlsim", appauthor=False)


def home() -> Path:
    """The data folder, checked: it is a folder mlsim can write in, or can be created as one.

    Nothing is created here (writers create what they write); raises DataFolderError otherwise.
    """
    folder = home_path()
    if folder.exists():
        if not folder.is_dir():
            raise DataFolderError(f"the data folder {folder} is a file, not a folder; move that file away or {FIX}")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise DataFolderError(f"the data folder {folder} is not writable; allow writing to it (chmod u+w) or {FIX}")
        return folder
    parent = folder.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise DataFolderError(f"the data folder {folder} cannot be created because {parent} is a file; {FIX}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DataFolderError(f"the data folder {folder} cannot be created because {parent} is not writable; "
                              f"create the folder yourself or {FIX}")
    return folder


def builtin_folder() -> Path:
    """The built-in cases: the package sim.scenarios, which the build makes of the top-level scenarios/ folder
    (an editable checkout reads that folder where it is)."""
    from importlib import resources  # here, not at the top: the CLI imports this module and starts fast

    try:
        folder = Path(str(resources.files("sim.scenarios")))
    except ModuleNotFoundError:
        folder = None
    if folder is None or not any(folder.glob("*.yaml")):
        where = f" in {folder}" if folder else ""
        raise MissingCasesError(f"no built-in case was found{where}: this mlsim install is broken; "
                                "reinstall it (see the README) and try again")
    return folder
