"""A Jupyter server (JupyterLab and Notebook 7) for tests and benchmarks, isolated in a folder."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

TOKEN = "livegrad-e2e"
CHROMIUM = os.environ.get("LIVEGRAD_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Server:
    url: str
    token: str
    notebooks: Path

    def open_url(self, notebook: str, app: str = "lab") -> str:
        if app == "lab":  # a fresh workspace, so no tab of an earlier test is restored
            return f"{self.url}/lab/tree/{notebook}?reset&token={self.token}"
        return f"{self.url}/notebooks/{notebook}?token={self.token}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_json(path: Path, content: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content))


@contextmanager
def running_jupyter(home: Path, notebooks_from: Path) -> Iterator[Server]:
    """A Jupyter server on a free port, all its state in `home`, serving a copy of `notebooks_from`."""
    notebooks = home / "notebooks"
    shutil.copytree(notebooks_from, notebooks)  # Lab autosaves: never run the repo's own copies
    settings = home / "settings"
    write_json(
        settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
        {"fetchNews": "false", "checkForUpdates": False},
    )
    app_settings = {
        "news_url": None,
        "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
        "workspaces_dir": str(home / "workspaces"),
        "user_settings_dir": str(settings),
        "expose_app_in_browser": True,
    }
    write_json(
        home / "config" / "jupyter_server_config.json",
        {
            "ServerApp": {
                "ip": "127.0.0.1",
                "port_retries": 0,
                "open_browser": False,
                "allow_root": True,
                "root_dir": str(notebooks),
            },
            "IdentityProvider": {"token": TOKEN},
            "LabApp": app_settings,
        },
    )
    # Notebook 7 reads its own section from its own file, not from the server's.
    notebook_settings = {k: app_settings[k] for k in ("workspaces_dir", "user_settings_dir", "expose_app_in_browser")}
    write_json(home / "config" / "jupyter_notebook_config.json", {"JupyterNotebookApp": notebook_settings})
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", f"--port={port}", "--no-browser"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_status(url, server, home / "server.log")
        yield Server(url, TOKEN, notebooks)
    finally:
        try:
            request = urllib.request.Request(f"{url}/api/shutdown", method="POST")
            request.add_header("Authorization", f"token {TOKEN}")
            urllib.request.urlopen(request, timeout=10)
        except OSError:
            pass
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def wait_for_status(
    url: str, server: subprocess.Popen, log: Path, timeout: float = 60, path: str = "/api/status"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{log.read_text()[-3000:]}")
        try:
            request = urllib.request.Request(f"{url}{path}")
            request.add_header("Authorization", f"token {TOKEN}")
            urllib.request.urlopen(request, timeout=2)
            return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"the server did not answer in {timeout} s:\n{log.read_text()[-3000:]}")
