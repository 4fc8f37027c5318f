"""The `mlsim` command as a person meets it: --help ends with examples, a wrong flag points at the right help,
no terminal means a sentence (unless Textual's web driver runs the game), shell completion, a broken install."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import time

import pytest

from sim.cli import COMMANDS, main

MLSIM = [sys.executable, "-m", "sim"]


def cli(*args: str, stdin=subprocess.DEVNULL, env: dict | None = None, timeout: int = 60):
    return subprocess.run([*MLSIM, *args], stdin=stdin, capture_output=True, text=True, timeout=timeout,
                          env=env or dict(os.environ))


def help_text(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS), ["workshop", "serve"], ["workshop", "send"],
                                     ["workshop", "report"]])
def test_every_help_ends_with_two_or_three_examples(capsys, command):
    text = help_text(capsys, *command)
    head, sep, tail = text.rpartition("\nexamples:\n")
    assert sep, f"`mlsim {' '.join(command)} --help` has no examples"
    examples = [line for line in tail.splitlines() if line.strip()]
    assert 2 <= len(examples) <= 3
    for line in examples:
        assert " ".join(["mlsim", *command]) in line, line  # an example of this command, not of another


@pytest.mark.parametrize("args, points_at", [
    (["play", "bird-detection", "--frob"], "mlsim play --help"),
    (["play", "--frob"], "mlsim play --help"),
    (["lint", "cat-app", "--frob"], "mlsim lint --help"),
    (["workshop", "serve", "--frob"], "mlsim workshop serve --help"),
    (["--frob"], "mlsim --help"),
])
def test_a_wrong_flag_points_at_its_own_help(capsys, args, points_at):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"see `{points_at}`" in err and len(err.strip().splitlines()) == 1


def test_version_prints_the_installed_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"mlsim {version('mlsim')}\n"


@pytest.mark.parametrize("args, hint", [
    (["play", "bird-detection"], "--headless"),
    ([], "--headless"),
])
def test_without_a_terminal_the_game_says_so_and_exits_2(args, hint):
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}
    started = time.monotonic()
    done = cli(*args, env=env, timeout=30)  # stdin is /dev/null: before, the UI started and waited forever
    assert done.returncode == 2, done.stderr
    assert hint in done.stderr and "terminal" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert done.stdout == ""
    assert time.monotonic() - started < 30


def test_a_bad_case_is_still_reported_before_the_terminal_check():
    done = cli("play", "no-such-case")
    assert done.returncode == 1 and "no case with this id" in done.stderr


def test_with_the_web_driver_the_game_starts_without_a_terminal(isolated_home):
    """`mlsim serve` runs each tab's game with TEXTUAL_DRIVER set and pipes for stdin/stdout: it must start."""
    env = dict(os.environ, TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver", MLSIM_HOME=str(isolated_home),
               COLUMNS="80", LINES="24")
    game = subprocess.Popen([*MLSIM, "play", "bird-detection", "--seed", "3"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    seen = b""
    try:
        deadline = time.monotonic() + 60
        while b"Birds over Brightwater" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([game.stdout], [], [], 0.5)
            if ready:
                chunk = os.read(game.stdout.fileno(), 65536)
                if not chunk:
                    break
                seen += chunk
    finally:
        game.kill()
        game.wait(10)
        game.stdin.close()
        game.stdout.close()
        game.stderr.close()
    assert b"Birds over Brightwater" in seen  # the briefing was drawn through the web driver


def test_the_serve_command_runs_the_installed_game_in_safe_path_mode():
    from sim.tui.serve import game_command

    assert game_command().split()[1:] == ["-P", "-m", "sim"]
    assert game_command("cat-app").endswith("-P -m sim play cat-app")


def test_a_sim_folder_in_the_current_directory_is_not_what_serve_runs(tmp_path):
    """What -P buys: with it, a stray sim/ package in the working folder is ignored."""
    (tmp_path / "sim").mkdir()
    (tmp_path / "sim" / "__init__.py").write_text("raise SystemExit('the wrong sim')\n", encoding="utf-8")
    (tmp_path / "sim" / "__main__.py").write_text("raise SystemExit('the wrong sim')\n", encoding="utf-8")
    from sim.tui.serve import game_command

    command = game_command().split()
    done = subprocess.run([sys.executable, *command[1:], "--version"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("mlsim "), done.stderr
    unsafe = subprocess.run([sys.executable, "-m", "sim", "--version"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert "the wrong sim" in unsafe.stderr  # the trap is real: without -P the folder's sim would run


def complete(line: str, tmp_path) -> list[str]:
    out = tmp_path / "completions"
    env = dict(os.environ, _ARGCOMPLETE="1", _ARGCOMPLETE_IFS="\n", COMP_LINE=line, COMP_POINT=str(len(line)),
               _ARGCOMPLETE_STDOUT_FILENAME=str(out))
    subprocess.run([*MLSIM], env=env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    return [w.strip() for w in out.read_text(encoding="utf-8").split("\n") if w.strip()]


@pytest.mark.parametrize("line, expected", [
    ("mlsim pl", ["play"]),
    ("mlsim play bird", ["bird-detection"]),
    ("mlsim play cat-app --pol", ["--policy"]),
    ("mlsim play cat-app --policy ", ["expert", "random"]),
    ("mlsim workshop se", ["send", "serve"]),
    ("mlsim completion ", ["--help", "-h", "bash", "fish", "zsh"]),
])
def test_shell_completion_completes_commands_flags_and_case_ids(tmp_path, line, expected):
    assert sorted(complete(line, tmp_path)) == expected


@pytest.mark.parametrize("shell, marker", [("bash", "complete "), ("zsh", "#compdef mlsim"),
                                           ("fish", "complete --command mlsim")])
def test_completion_prints_a_script_for_each_shell(capsys, shell, marker):
    assert main(["completion", shell]) == 0
    assert marker in capsys.readouterr().out


def test_no_built_in_case_found_is_a_sentence_and_exit_1(capsys, monkeypatch, tmp_path):
    from importlib import resources

    class EmptyPackage:
        def __truediv__(self, _):
            return tmp_path

        def __str__(self) -> str:
            return str(tmp_path)

    monkeypatch.setattr(resources, "files", lambda package: EmptyPackage())
    for args in (["scenarios"], ["play", "bird-detection", "--headless", "--policy", "expert"],
                 ["lint", "cat-app"]):
        assert main(args) == 1
        err = capsys.readouterr().err
        assert err == (f"mlsim: no built-in case was found in {tmp_path}: this mlsim install is broken; "
                       "reinstall it (see the README) and try again\n")


def test_stdin_check_uses_isatty(monkeypatch, capsys):
    """The refusal depends on standard input alone; TEXTUAL_DRIVER lifts it (in-process, with the UI stubbed)."""
    import sim.tui.app

    started = []
    monkeypatch.setattr(sim.tui.app, "run_app", lambda **kwargs: started.append(kwargs) or 0)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    assert main(["play", "bird-detection"]) == 2 and not started
    capsys.readouterr()
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")
    assert main(["play", "bird-detection", "--seed", "4"]) == 0
    assert started and started[0]["seed"] == 4 and started[0]["case_path"].endswith("bird-detection.yaml")


def test_the_served_page_fetches_nothing_from_another_site(isolated_home):
    """`mlsim serve`'s page: its font comes from the game's own server, not from Google (no internet needed,
    nothing told to a third party)."""
    import re
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([*MLSIM, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ, MLSIM_HOME=str(isolated_home)))
    try:
        deadline, page = time.monotonic() + 60, None
        while page is None and time.monotonic() < deadline:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
            except OSError:
                time.sleep(0.1)
        assert page is not None, "mlsim serve did not answer"
        urls = [a or b for a, b in re.findall(r'(?:href|src)="([^"]+)"|url\(["\']?([^"\')]+)', page)]
        assert urls and not [u for u in urls if re.match(r"(https?:)?//(?!127\.0\.0\.1)", u)], urls
        fonts = [u for u in urls if u.endswith(".ttf")]
        assert fonts
        for url in fonts:
            full = url if url.startswith("http") else f"http://127.0.0.1:{port}{url}"
            assert urllib.request.urlopen(full, timeout=5).status == 200
    finally:
        server.terminate()
        server.wait(15)
