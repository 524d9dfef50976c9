"""The README's main command for real: `bash run.sh lab` serves examples/ in JupyterLab, as whoever runs it
(root here and in CI), passes its arguments on to Jupyter, and prints no screen of minified JavaScript."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from server import free_port

REPO = Path(__file__).resolve().parents[2]
TOKEN = "livegrad-run-lab"

pytestmark = pytest.mark.e2e


def test_run_lab_serves_the_examples(tmp_path: Path) -> None:
    port = free_port()
    env = {  # Jupyter's state in tmp_path, so nothing is left behind in the user's folders
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "IPYTHONDIR": str(tmp_path / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    command = ["bash", "run.sh", "lab", "--port", str(port), "--no-browser", f"--IdentityProvider.token={TOKEN}"]
    log = tmp_path / "lab.log"
    with log.open("w") as out:  # its own process group: stopping it stops everything it started
        lab = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        listing = contents_when_up(f"http://127.0.0.1:{port}", lab, log)
    finally:
        stop(lab)
    output = log.read_text()

    notebooks = sorted(item["name"] for item in listing["content"] if item["type"] == "notebook")
    assert notebooks == sorted(path.name for path in (REPO / "examples").glob("*.ipynb"))
    assert f"127.0.0.1:{port}/lab" in output  # the port given reached Jupyter
    assert "Running as root is not recommended" not in output
    # The screen Node printed when it read Jupyter's bundled yarn.js as an ES module: one line of
    # minified JavaScript over 10,000 characters long, ending in this error.
    assert "Dynamic require" not in output
    assert max(len(line) for line in output.splitlines()) < 2000


def contents_when_up(url: str, lab: subprocess.Popen, log: Path, timeout: float = 600) -> dict:
    """The server's listing of its root folder, once it answers (setup may run first on a fresh clone)."""
    request = urllib.request.Request(f"{url}/api/contents", headers={"Authorization": f"token {TOKEN}"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.poll() is not None:
            raise AssertionError(f"run.sh lab exited with {lab.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.load(response)
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"run.sh lab did not answer in {timeout} s:\n{log.read_text()[-3000:]}")


def stop(lab: subprocess.Popen, timeout: float = 30) -> None:
    """Stop the server as a terminal's SIGTERM would, and check that none of its processes is left."""
    os.killpg(lab.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    try:
        lab.wait(timeout=timeout)
        while time.monotonic() < deadline:
            os.killpg(lab.pid, 0)  # raises once no process of the group is left
            time.sleep(0.1)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        pass
    os.killpg(lab.pid, signal.SIGKILL)
    raise AssertionError(f"run.sh lab or a process it started was still running {timeout} s after SIGTERM")
