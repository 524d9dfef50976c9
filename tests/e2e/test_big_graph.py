"""micrograd's demo loss (65,818 values) in JupyterLab with a real kernel: it opens folded, a call of
the model is picked and opened down to a neuron, a parameter is found by search, a slider moves the
records, and the stepper walks inside a group."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from notebook import (
    drawn_elements,
    find,
    in_kernel,
    open_and_run,
    set_output_width,
    shown,
    synced,
    widget,
    write_notebook,
)
from playwright.sync_api import Locator, Page, expect
from server import Server

BUILD = """from livegrad import GraphWidget
from livegrad.datasets import svm_loss, two_moons
from livegrad.nn import MLP

model = MLP(2, [16, 16, 1], "relu", linear_output=True, seed=1337)
loss = svm_loss(model, *two_moons(100))"""


@pytest.fixture
def demo(page: Page, jupyter: Server) -> Locator:
    write_notebook(jupyter.notebooks / "big_graph.ipynb", [BUILD, "w = GraphWidget(loss)\nw"])
    page.set_viewport_size({"width": 1400, "height": 900})
    open_and_run(page, jupyter.open_url("big_graph.ipynb"))
    return widget(page)


def kernel(page: Page, expression: str) -> object:
    return json.loads(in_kernel(page, f"import json; print(json.dumps({expression}))"))


def until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """Wait for the kernel's copy of what the page saved: the page's saves reach Python a moment later."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_demo_loss_opens_folded_and_is_explored(page: Page, demo: Locator, screenshots: Path) -> None:
    root = demo
    assert kernel(page, "len(w.topology['columns']['name'])") == 65_818
    assert 0 < drawn_elements(root) < 300
    stack = root.locator('[data-group="MLP"]')
    expect(stack).to_have_count(1)
    expect(stack).to_contain_text(re.compile(r"MLP × 100|call 0 of 100"))  # folded, or call 0 open
    until(lambda: kernel(page, "w.expanded") is not None, "the page's default view written back to Python")
    root.screenshot(path=screenshots / "big-graph-first-view-1400.png")

    # Sample 17's call, opened down to neuron 3 of layer 1, by the page's own controls.
    picker = root.get_by_role("spinbutton", name="MLP: the call on show, 0 to 99")
    picker.fill("17")
    picker.press("Enter")
    expect(root.get_by_role("spinbutton", name="MLP: the call on show, 0 to 99")).to_have_value("17")
    for name in ("MLP", "L1", "L1.N3"):
        group = root.locator(f'[data-group="{name}"]')
        if group.get_attribute("aria-expanded") == "false":
            group.focus()  # as Tab would: the view pans to the focused fold
            group.click()
        expect(root.locator(f'[data-group="{name}"]')).to_have_attribute("aria-expanded", "true")
    until(lambda: kernel(page, "w.picks") == {"MLP": 17}, "the pick saved")
    until(lambda: {"MLP", "L1", "L1.N3"} <= set(kernel(page, "w.expanded")), "the groups opened saved")  # type: ignore[arg-type]

    # The bias of that neuron, found by search: on screen, under the pointer, with its number.
    card = find(page, root, "L1.N3.b")
    bias = kernel(page, "next(p.data for p in model.parameters() if p.label == 'L1.N3.b')")
    expect(card).to_contain_text(f"data {shown(bias)}")  # type: ignore[arg-type]
    root.screenshot(path=screenshots / "big-graph-L1.N3-call-17-1400.png")

    # A slider moves the loss's record at once (the page replays the ops); Python agrees once synced.
    out = kernel(page, "len(w.topology['columns']['name']) - 1")
    loss_card = root.locator(f'g.lg-value[data-node-id="{out}"]')
    before = loss_card.text_content()
    slider = root.get_by_role("slider").first
    low, high = float(slider.get_attribute("min") or 0), float(slider.get_attribute("max") or 0)
    slider.fill(str(low + 0.9 * (high - low)))
    expect(loss_card).not_to_have_text(before or "")
    synced(root)
    expect(loss_card).to_contain_text(f"data {shown(kernel(page, 'loss.data'))}")  # type: ignore[arg-type]

    # Stepping the forward pass reaches neuron L1.N3 and names it.
    root.get_by_role("button", name="Step forward pass").click()
    panel = root.get_by_role("status", name="Step")
    bar = root.get_by_role("toolbar", name="Step through the passes")
    for _ in range(300):
        if "L1.N3" in (panel.text_content() or ""):
            break
        bar.press("ArrowRight")
    expect(panel).to_contain_text("L1.N3")
    root.screenshot(path=screenshots / "big-graph-stepping-1400.png")


def test_demo_loss_checks_its_gradients_and_keeps_the_loss_in_view(page: Page, jupyter: Server, screenshots) -> None:
    """Issue 25 where every learner of the lecture's second half meets it: ReLUs with dead units."""
    write_notebook(
        jupyter.notebooks / "demo_check.ipynb",
        [BUILD, "loss.backward()\nw = GraphWidget(loss)\nw.check_gradients = True\nw"],
    )
    page.set_viewport_size({"width": 1400, "height": 900})
    open_and_run(page, jupyter.open_url("demo_check.ipynb"))
    root = widget(page)
    graph = root.locator(".lg-graph")
    out = kernel(page, "len(w.topology['columns']['name']) - 1")

    def loss_in_view() -> bool:
        card = root.locator(f'g.lg-value[data-node-id="{out}"] polygon').bounding_box()
        panel = graph.bounding_box()
        return bool(card and panel) and (
            panel["x"] <= card["x"] <= card["x"] + card["width"] <= panel["x"] + panel["width"]
            and panel["y"] <= card["y"] <= card["y"] + card["height"] <= panel["y"] + panel["height"]
        )

    assert loss_in_view(), "the loss is off-screen at first view"
    root.get_by_role("button", name="Fit").click()
    assert loss_in_view(), "the loss is off-screen after Fit"
    # Check gradients on dead ReLUs: no error, a summary, a mark on every slider.
    summary = root.locator(".lg-check-summary")
    expect(summary).to_have_text(re.compile(r"^(\d+)/\1 leaves match$"), timeout=60_000)  # all 339 parameters
    assert summary.text_content() == f"{kernel(page, 'len(w.sliders)')}/{kernel(page, 'len(w.sliders)')} leaves match"
    expect(root.locator(".lg-error")).to_be_hidden()
    marks = root.locator(".lg-slider .lg-check")
    expect(marks).to_have_count(12)
    assert set(marks.all_text_contents()) == {"✓"}
    assert kernel(page, "w.error") == ""
    root.screenshot(path=screenshots / "big-graph-check-gradients-1400.png")
    # The call on show, where the eye goes: "sample 1 of 100" above the graph, at the page's size, keys work.
    bar = root.locator('.lg-stacks [data-stack-bar="MLP"]')
    expect(bar).to_be_visible()
    box = bar.get_by_role("spinbutton", name="MLP: the sample on show, 1 to 100")
    expect(box).to_have_value("1")
    assert bar.bounding_box()["y"] < graph.bounding_box()["y"] and box.bounding_box()["height"] >= 16
    bar.get_by_role("button", name="Next sample of MLP").press("Enter")
    expect(box).to_have_value("2")
    until(lambda: kernel(page, "w.picks") == {"MLP": 1}, "the pick reaching Python")
    box.fill("17")
    box.press("Enter")
    expect(bar.get_by_role("spinbutton", name="MLP: the sample on show, 1 to 100")).to_have_value("17")
    until(lambda: kernel(page, "w.picks") == {"MLP": 16}, "the typed pick reaching Python")
    root.screenshot(path=screenshots / "big-graph-sample-17-1400.png")
    for theme in ("Dark", "Light"):
        set_output_width(page, root, 420)
        page.evaluate(
            "(t) => window.jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab ' + t })", theme
        )
        page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{str(theme == 'Light').lower()}'")
        page.wait_for_timeout(500)  # the theme's stylesheet applies after the attribute (a picture only)
        root.screenshot(path=screenshots / f"big-graph-420-{theme.lower()}.png")
