"""The data folder: the system's usual place (platformdirs, XDG_DATA_HOME honoured), MLSIM_HOME overrides, and
one sentence naming the folder and the fix, exit 1, when it cannot be used."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from sim.cli import main
from sim.paths import DataFolderError, home, home_path

MLSIM = [sys.executable, "-m", "sim"]


def test_the_usual_place_honours_xdg_data_home(monkeypatch, tmp_path):
    monkeypatch.delenv("MLSIM_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert home_path() == tmp_path / "xdg" / "mlsim"
    from platformdirs import user_data_path

    assert home_path() == user_data_path("mlsim", appauthor=False)


def test_mlsim_home_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("MLSIM_HOME", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert home_path() == tmp_path / "mine"
    assert home() == tmp_path / "mine" and not (tmp_path / "mine").exists()  # checking creates nothing


@pytest.fixture
def a_file(tmp_path, monkeypatch):
    path = tmp_path / "not-a-folder"
    path.write_text("x", encoding="utf-8")
    monkeypatch.setenv("MLSIM_HOME", str(path))
    return path


def one_sentence(err: str, folder) -> None:
    assert err.startswith("mlsim: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert str(folder) in err and "MLSIM_HOME" in err and "Traceback" not in err


@pytest.mark.parametrize("args", [
    ["leaderboard"],
    ["leaderboard", "--json"],
    ["play", "bird-detection", "--headless", "--policy", "expert", "--save", "Ada"],
    ["new", "owls"],
    ["workshop", "serve", "--port", "0"],
])
def test_mlsim_home_pointing_at_a_file(capsys, a_file, args):
    assert main(args) == 1
    out, err = capsys.readouterr()
    one_sentence(err, a_file)
    assert "is a file, not a folder; move that file away or point MLSIM_HOME at a folder you can write to" in err
    assert out == ""  # --save is refused before the game is played


def test_a_folder_that_cannot_be_created(capsys, a_file, monkeypatch):
    monkeypatch.setenv("MLSIM_HOME", str(a_file / "mlsim"))
    assert main(["play", "cat-app", "--headless", "--policy", "expert", "--save", "Ada"]) == 1
    err = capsys.readouterr().err
    one_sentence(err, a_file / "mlsim")
    assert f"cannot be created because {a_file} is a file" in err


def test_an_unwritable_folder(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "read-only"
    folder.mkdir()
    monkeypatch.setenv("MLSIM_HOME", str(folder))
    real_access = os.access
    # Root may write anywhere, so a chmod would prove nothing when the suite runs as root: say "not writable".
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if str(path) == str(folder)
                        else real_access(path, mode, **kw))
    assert main(["leaderboard"]) == 1
    err = capsys.readouterr().err
    one_sentence(err, folder)
    assert "is not writable; allow writing to it (chmod u+w) or point MLSIM_HOME" in err


def test_an_unwritable_parent(capsys, tmp_path, monkeypatch):
    parent = tmp_path / "locked"
    parent.mkdir()
    monkeypatch.setenv("MLSIM_HOME", str(parent / "mlsim"))
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if str(path) == str(parent)
                        else real_access(path, mode, **kw))
    with pytest.raises(DataFolderError, match=f"{parent / 'mlsim'} cannot be created because {parent} is not writable"):
        home()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through any permission")
def test_an_unwritable_folder_for_real(tmp_path, monkeypatch):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        done = subprocess.run([*MLSIM, "leaderboard"], env=dict(os.environ, MLSIM_HOME=str(folder)),
                              capture_output=True, text=True, timeout=60)
    finally:
        folder.chmod(0o700)
    assert done.returncode == 1 and "is not writable" in done.stderr


def test_headless_play_without_save_needs_no_data_folder(capsys, a_file):
    """Only commands that keep files need the folder; the outbox check is skipped when there is none."""
    assert main(["play", "bird-detection", "--headless", "--policy", "expert"]) == 0
    assert "Score:" in capsys.readouterr().out


@pytest.mark.parametrize("args", [[], ["play", "bird-detection"]])
def test_the_terminal_ui_refuses_to_start_with_a_sentence(a_file, args):
    """On a real terminal (a pty), the UI's start says what is wrong instead of a traceback inside the game."""
    main_fd, child_fd = pty.openpty()
    try:
        done = subprocess.run([*MLSIM, *args], stdin=child_fd, stdout=child_fd, stderr=subprocess.PIPE,
                              env=dict(os.environ, MLSIM_HOME=str(a_file)), text=True, timeout=60)
    finally:
        os.close(child_fd)
        os.close(main_fd)
    assert done.returncode == 1
    one_sentence(done.stderr, a_file)
