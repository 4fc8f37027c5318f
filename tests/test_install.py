"""mlsim installs anywhere: a wheel built from a symlink-free clone plays every built-in case from outside the
repository, and the package declares what it imports and ships what it needs.

One wheel is built for the whole module (`python -m build`, as docs/workshop.md tells a trainer: an sdist, then
the wheel from that sdist, so both are complete). It is installed with `pip install --no-deps` into a fresh venv
whose dependencies come from this test venv through a .pth file: the install under test is the wheel's own
package, and no dependency is downloaded again. A separate test checks the dependencies are declared.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from importlib.metadata import packages_distributions, requires
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
BUILTIN = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))


def run(args: list[str], cwd: Path, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def tracked_symlinks() -> list[str]:
    listing = run(["git", "ls-files", "-s"], ROOT)
    if listing.returncode != 0:
        pytest.skip("not a git checkout")
    return [line.split("\t", 1)[1] for line in listing.stdout.splitlines() if line.startswith("120000 ")]


def test_the_repository_holds_no_symlink():
    """Git on Windows (core.symlinks=false) turns a symlink into a small text file: there must be none."""
    assert tracked_symlinks() == []


def test_the_package_list_names_every_package():
    """pyproject.toml lists the packages by hand (sim.scenarios is the top-level scenarios/ folder)."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "sim").rglob("__init__.py")}
    assert listed == on_disk | {"sim.scenarios"}
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"sim.scenarios": "scenarios"}
    assert (ROOT / "scenarios" / "__init__.py").is_file()


def test_an_editable_checkout_reads_the_cases_where_they_are():
    import sim
    from sim.paths import builtin_folder

    if not Path(sim.__file__).resolve().is_relative_to(ROOT):
        pytest.skip("sim is not imported from this checkout")
    assert builtin_folder().resolve() == (ROOT / "scenarios").resolve()


def test_every_third_party_import_is_a_declared_dependency():
    """The wheel test borrows this venv's packages, so it cannot see a missing declaration: this can."""
    import grimp

    graph = grimp.build_graph("sim", include_external_packages=True)
    external = {m for m in graph.modules if graph.is_module_squashed(m)}
    declared = {_canonical(r.split(";")[0]) for r in requires("mlsim") or [] if "extra ==" not in r}
    where = packages_distributions()
    undeclared = sorted(m for m in external if m not in sys.stdlib_module_names
                        and not declared & {_canonical(d) for d in where.get(m, [m])})
    # The hosted board's driver is an extra (`mlsim[hosted]`): only the PostgreSQL store imports it, lazily,
    # and the commands turn its absence into a sentence ("pip install 'mlsim[hosted]'").
    hosted = {_canonical(r.split(";")[0]) for r in requires("mlsim") or [] if 'extra == "hosted"' in r}
    for module in [m for m in undeclared if hosted & {_canonical(d) for d in where.get(m, [m])}]:
        importers = {i for i in graph.find_modules_that_directly_import(module)}
        assert importers == {"sim.board.postgres_store"}, (module, importers)
        undeclared.remove(module)
    assert undeclared == []


def _canonical(requirement: str) -> str:
    import re

    name = re.split(r"[<>=!~\[ ]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A symlink-free clone of this commit, built into a wheel and installed (not editable) in a fresh venv."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to clone the repository")
    tracked_symlinks()  # skips outside a git checkout
    work = tmp_path_factory.mktemp("install")
    clone = work / "clone"
    head = run(["git", "rev-parse", "HEAD"], ROOT).stdout.strip()
    for args in (["git", "clone", "-q", "--no-checkout", "-c", "core.symlinks=false", str(ROOT), str(clone)],
                 ["git", "-C", str(clone), "-c", "core.symlinks=false", "checkout", "-q", head]):
        step = run(args, work)
        assert step.returncode == 0, step.stderr
    assert not [p for p in clone.rglob("*") if p.is_symlink()]
    built = run([sys.executable, "-m", "build", "--outdir", str(work / "dist"), str(clone)], work, timeout=600)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = (work / "dist").glob("mlsim-*.whl")

    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    work).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_mlsim_test_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    pip = run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)], work)
    assert pip.returncode == 0, pip.stderr

    outside = work / "elsewhere"  # no sim/ or scenarios/ here: only the installed package can answer
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "TEXTUAL_DRIVER"}}
    env["MLSIM_HOME"] = str(work / "home")
    return {"bin": env_dir / "bin", "python": python, "site": site, "cwd": outside, "env": env, "wheel": wheel,
            "sdist": next((work / "dist").glob("mlsim-*.tar.gz"))}


def mlsim(installed: dict, *args: str) -> subprocess.CompletedProcess:
    return run([str(installed["bin"] / "mlsim"), *args], installed["cwd"], installed["env"])


def test_the_wheel_carries_the_cases_and_the_license(installed):
    import zipfile

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    assert {f"sim/scenarios/{case}.yaml" for case in BUILTIN} <= names
    assert "sim/tui/app.tcss" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_the_installed_package_is_the_wheel_and_knows_its_version(installed):
    where = run([str(installed["python"]), "-c", "import sim, sim.scenarios; print(sim.__file__); "
                 "print(sim.scenarios.__file__); print(sim.__version__)"], installed["cwd"], installed["env"])
    sim_file, cases_file, version = where.stdout.split()
    assert Path(sim_file).is_relative_to(installed["site"]) and Path(cases_file).is_relative_to(installed["site"])
    assert version == PYPROJECT["project"]["version"]
    assert mlsim(installed, "--version").stdout.strip() == f"mlsim {version}"


def test_the_installed_game_lists_every_case_and_plays_each_headless(installed):
    listed = mlsim(installed, "scenarios", "--json")
    assert listed.returncode == 0, listed.stderr
    cases = json.loads(listed.stdout)["cases"]
    assert sorted(c["id"] for c in cases if c["builtin"]) == BUILTIN
    assert all(c["valid"] and Path(c["path"]).is_relative_to(installed["site"]) for c in cases)
    for case in BUILTIN:
        played = mlsim(installed, "play", case, "--headless", "--policy", "expert", "--seed", "3", "--json")
        assert played.returncode == 0, f"{case}: {played.stderr}"
        result = json.loads(played.stdout)
        assert result["case"] == case and result["choices"] and "total" in result["score"]
