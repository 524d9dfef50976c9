"""run.sh's setup and arguments, with every tool it calls replaced by one that logs its call: setup is
skipped when its inputs are unchanged, redone when they change, and `lab` passes its arguments on to
Jupyter, adding --allow-root only for root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LOGGING_TOOL = '#!/bin/sh\necho "{name} $*" >>"$CALLS"\n'
FAKES = {  # on PATH, before the real ones: nothing is installed, nothing runs
    "npm": LOGGING_TOOL + '[ "$1" = ci ] && mkdir -p node_modules\nexit 0\n',
    "npx": LOGGING_TOOL,
    "apt-get": LOGGING_TOOL,
    "chromium": LOGGING_TOOL,
    "dot": LOGGING_TOOL,
}
VENV_FAKES = {  # python runs the real one for run.sh's hashing (-c) and logs everything else
    "python": f'#!/bin/sh\n[ "$1" = -c ] && exec "{sys.executable}" "$@"\n' + LOGGING_TOOL.split("\n", 1)[1],
    "ruff": LOGGING_TOOL,
    "jupyter": LOGGING_TOOL,
}


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A copy of run.sh and its inputs, with a .venv of fakes."""
    for name in ("run.sh", "package.json", "package-lock.json", "pyproject.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    for folder, fakes in ((tmp_path / "bin", FAKES), (tmp_path / ".venv" / "bin", VENV_FAKES)):
        folder.mkdir(parents=True)
        for name, script in fakes.items():
            (folder / name).write_text(script.replace("{name}", name))
            (folder / name).chmod(0o755)
    return tmp_path


def run(clone: Path, *args: str, uid: int | None = None) -> list[str]:
    """`bash run.sh args`, and the calls it made (an `id` answering `uid`, if given)."""
    calls = clone / "calls.log"
    calls.unlink(missing_ok=True)
    if uid is not None:
        (clone / "bin" / "id").write_text(f'#!/bin/sh\necho "id $*" >>"$CALLS"\necho {uid}\n')
        (clone / "bin" / "id").chmod(0o755)
    env = {**os.environ, "PATH": f"{clone / 'bin'}:{os.environ['PATH']}", "CALLS": str(calls)}
    subprocess.run(["bash", "run.sh", *args], cwd=clone, env=env, check=True, capture_output=True)
    return [line for line in calls.read_text().splitlines() if not line.startswith("id ")]


def installs(calls: list[str]) -> list[str]:
    return [call for call in calls if call.startswith(("npm ci", "python -m pip"))]


def test_setup_runs_once_until_its_inputs_change(clone: Path) -> None:
    first = run(clone, "lab")
    assert installs(first) == [
        "npm ci --no-audit --no-fund --loglevel=error",
        "python -m pip install --quiet --upgrade pip",
        "python -m pip install --quiet -e .[lab]",
    ]
    again = run(clone, "lab")
    assert installs(again) == []
    assert "npm run --silent build" in again  # the frontend is always rebuilt: js/ may have changed

    (clone / "package-lock.json").write_text((clone / "package-lock.json").read_text() + "\n")
    assert installs(run(clone, "lab")) == ["npm ci --no-audit --no-fund --loglevel=error"]
    (clone / "pyproject.toml").write_text((clone / "pyproject.toml").read_text() + "\n")
    assert installs(run(clone, "lab"))[-1] == "python -m pip install --quiet -e .[lab]"


def test_the_test_command_installs_dev_which_includes_lab(clone: Path) -> None:
    run(clone, "lab")
    assert installs(run(clone, "test"))[-1] == "python -m pip install --quiet -e .[dev]"
    assert installs(run(clone, "test")) == []
    assert installs(run(clone, "lab")) == []


def test_a_failed_install_is_redone(clone: Path) -> None:
    (clone / "bin" / "npm").write_text("#!/bin/sh\nexit 1\n")
    with pytest.raises(subprocess.CalledProcessError):
        run(clone, "lab")
    (clone / "bin" / "npm").write_text(FAKES["npm"].replace("{name}", "npm"))
    assert installs(run(clone, "lab"))[0] == "npm ci --no-audit --no-fund --loglevel=error"


@pytest.mark.parametrize(("uid", "extra"), [(0, ["--allow-root"]), (1000, [])])
def test_lab_passes_arguments_on_to_jupyter(clone: Path, uid: int, extra: list[str]) -> None:
    calls = run(clone, "lab", "--port", "9999", "--no-browser", uid=uid)
    assert calls[-1].split() == ["jupyter", "lab", "examples/", *extra, "--port", "9999", "--no-browser"]


def test_the_test_command_lints_everything_and_passes_arguments_to_pytest(clone: Path) -> None:
    calls = run(clone, "test", "-k", "neuron")
    assert "ruff check ." in calls
    assert "ruff format --check ." in calls
    assert calls[-1].startswith("python -m pytest --basetemp=")
    assert calls[-1].endswith(" -k neuron")
