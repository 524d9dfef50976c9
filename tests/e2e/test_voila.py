"""Voila serving examples/01_neuron.ipynb as an app (its own widget manager, a live kernel), in Chromium.

Covers: the graph draws from the kernel's widget, a slider goes to the kernel and back (the records show
Python's values, and the page marks itself synced only on the kernel's acknowledgement), stepping works.
Not covered: Voila's templates other than the default lab one, or its preheated-kernel pool.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from notebook import drag_x1, first_backward_step, record
from playwright.sync_api import Page, Route, expect
from server import free_port, wait_for_status

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01_neuron.ipynb"


@pytest.fixture(scope="module")
def voila(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("voila", reason="voila is in the test extra: pip install -e '.[test]'")
    home = tmp_path_factory.mktemp("voila")
    shutil.copy(EXAMPLE, home / EXAMPLE.name)
    env = {**os.environ, **{f"JUPYTER_{d}_DIR": str(home / d.lower()) for d in ("CONFIG", "DATA", "RUNTIME")}}
    env["IPYTHONDIR"] = str(home / "ipython")
    port = free_port()
    log_path = home / "voila.log"
    with log_path.open("w") as log:
        command = [sys.executable, "-m", "voila", EXAMPLE.name, f"--port={port}", "--no-browser"]
        command.append("--Voila.ip=127.0.0.1")
        app = subprocess.Popen(command, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for_status(url, app, log_path, path="/")
            yield url
        finally:
            app.terminate()
            try:
                app.wait(timeout=15)
            except subprocess.TimeoutExpired:
                app.kill()


def test_voila_draws_the_neuron_and_answers_sliders_and_steps(page: Page, voila: str, screenshots: Path) -> None:
    elsewhere: list[str] = []

    def only_voila(route: Route) -> None:
        if route.request.url.startswith((voila, "data:", "blob:")):
            return route.continue_()
        elsewhere.append(route.request.url)
        route.abort()

    page.route("**/*", only_voila)
    expect.set_options(timeout=60_000)  # Voila runs the notebook before it sends the page's widgets
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(voila)
    root = page.locator(".livegrad[data-ready]")
    expect(root).to_be_visible()
    expect(record(root, "o")).to_contain_text("data 0.7071")
    expect(record(root, "x1")).to_contain_text("grad -1.5000")

    # A slider: the page replays at once, then the kernel's acknowledged answer holds Python's values.
    seed = drag_x1(root, 25)
    first_backward_step(root, seed)  # stepping: n gets its gradient, with its arithmetic
    page.screenshot(path=screenshots / "voila-neuron-1400.png")
    # Voila's lab template links Font Awesome's CSS from jsdelivr (its own, for its icons); nothing else leaves.
    assert [url for url in elsewhere if "@fortawesome/fontawesome-free" not in url] == []
