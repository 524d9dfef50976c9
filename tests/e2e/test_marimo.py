"""livegrad in marimo: `marimo run examples/marimo_app.py` headless, driven by Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from notebook import record, shown, slider
from playwright.sync_api import Page, expect
from server import free_port, wait_for_status

from seeds import seed_neuron

APP = Path(__file__).resolve().parents[2] / "examples" / "marimo_app.py"


@pytest.fixture(scope="module")
def marimo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example app served by `marimo run` on a free port, its home (config, caches) in a temp folder."""
    pytest.importorskip("marimo")
    home = tmp_path_factory.mktemp("marimo")
    app = home / APP.name
    shutil.copy(APP, app)
    port = free_port()
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home)}
    log = (home / "marimo.log").open("w")
    command = [sys.executable, "-m", "marimo", "run", str(app), "--headless", "--no-token"]
    server = subprocess.Popen([*command, "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_status(url, server, home / "marimo.log", path="/health")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_marimo_app_follows_a_slider_and_steps(page: Page, marimo_app: str, screenshots) -> None:
    expect.set_options(timeout=60_000)
    page.set_viewport_size({"width": 1400, "height": 800})
    page.goto(marimo_app)
    root = page.locator(".livegrad[data-ready]")
    expect(root).to_be_visible()
    expect(record(root, "o")).to_contain_text("data 0.7071")
    python_cell = page.get_by_text("Python holds")
    expect(python_cell).to_contain_text("x1 = 2.0000")

    # A slider: the kernel sets x1, the records and the downstream cell follow to Python's numbers.
    x1_slider = slider(root, "x1")
    x1_slider.focus()
    for _ in range(10):
        x1_slider.press("ArrowRight")
    moved = float(x1_slider.input_value())
    assert moved > 2.0
    seed = seed_neuron()
    seed["x1"].data = moved
    seed["o"].forward()
    seed["o"].backward()
    want = seed["o"]
    expect(python_cell).to_contain_text(f"x1 = {moved:.4f}, o = {want.data:.4f}")
    expect(python_cell).to_contain_text(f"do/dx1 = {seed['x1'].grad:.4f}, do/dw1 = {seed['w1'].grad:.4f}")
    expect(root).to_have_attribute("data-synced", "true")
    for label in ("x1", "w1", "n", "o"):
        expect(record(root, label)).to_contain_text(f"data {shown(seed[label].data)}")
        expect(record(root, label)).to_contain_text(f"grad {shown(seed[label].grad)}")

    # Stepping: one backward step gives n its gradient; x1's is not computed yet.
    root.get_by_role("button", name="Step backward pass").click()
    root.get_by_role("button", name="Next step").click()
    expect(record(root, "n")).to_contain_text(f"grad {shown(seed['n'].grad)}")
    expect(record(root, "x1")).to_contain_text("grad ?")
    expect(root.get_by_test_id("step-panel")).to_be_visible()
    page.screenshot(path=screenshots / "marimo-1400.png")
    root.get_by_role("button", name="Last step").click()
    expect(record(root, "x1")).to_contain_text(f"grad {shown(seed['x1'].grad)}")

    page.set_viewport_size({"width": 420, "height": 800})
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=screenshots / "marimo-420-dark.png")
