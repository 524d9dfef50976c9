"""The README's and the docs' pictures, taken in real JupyterLab (and a saved page) by the end-to-end tests'
machinery: the same server, notebooks and helpers, and each picture's state asserted before it is taken.

Not a test module (pytest does not collect `shots.py` on its own): `python scripts/pictures.py` runs it with
LIVEGRAD_PICTURES set to a folder for the raw screenshots, then shrinks them into docs/img/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from notebook import (
    close_left_area,
    open_and_run,
    record,
    set_output_width,
    set_theme,
    slider,
    synced,
    widget,
    write_notebook,
)
from playwright.sync_api import Locator, Page, expect
from server import Server

from livegrad import GraphWidget, Value

# The README's example (its print left out, the widget kept in `w`).
NEURON = """from livegrad import Value, GraphWidget

x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
n = x1 * w1 + x2 * w2 + b; n.label = "n"
o = n.tanh(); o.label = "o"

o.backward()
w = GraphWidget(o)
w"""

DEMO = """from livegrad import GraphWidget
from livegrad.datasets import svm_loss, two_moons
from livegrad.nn import MLP

model = MLP(2, [16, 16, 1], "relu", linear_output=True, seed=1337)
loss = svm_loss(model, *two_moons(100))
loss.backward()
w = GraphWidget(loss)
w"""

MLP = """from livegrad import GraphWidget, Value
from livegrad.nn import MLP

model = MLP(2, [16, 16, 1], seed=1)
x = [Value(2.0, label="x0"), Value(-1.0, label="x1")]
y = model(x); y.label = "y"
y.backward()
w = GraphWidget(y)
w"""


AROUND = (".jp-Cell-inputWrapper", ".jp-OutputPrompt", ".jp-InputPrompt", ".jp-Collapser", ".jp-Cell-footer")


@pytest.fixture(scope="session")
def raw() -> Path:
    folder = Path(os.environ["LIVEGRAD_PICTURES"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_notebook(page: Page, jupyter: Server, name: str, cells: list[str] | None = None, width: int = 1100) -> Locator:
    """Open (after writing it, given its cells) a notebook in a window `width` px wide and tall enough for
    a whole widget, run it, close the left panel: its first widget."""
    if cells is not None:
        write_notebook(jupyter.notebooks / name, cells)
    page.set_viewport_size({"width": width, "height": 1400})
    open_and_run(page, jupyter.open_url(name))
    close_left_area(page)
    # The cells' code, prompts and selection bar are hidden (not removed: the layout stays as it is), so
    # that the margin around a widget shows nothing of the cells around it.
    page.add_style_tag(content=f"{', '.join(AROUND)} {{ visibility: hidden !important; }}")
    root = widget(page)
    root.scroll_into_view_if_needed()
    return root


def shot(page: Page, root: Locator, path: Path, graph_only: bool = False, pad: int = 10) -> None:
    """The widget and a margin of the page's background around it (a screenshot of the element alone would
    put its buttons' edges on the picture's edge); `graph_only`: down to the graph's bottom, no sliders."""
    root.evaluate("(el) => el.scrollIntoView({ block: 'center' })")  # not at the notebook's edge
    page.wait_for_timeout(200)
    box = root.bounding_box()
    assert box is not None
    bottom = box["y"] + box["height"]
    if graph_only:
        graph = root.locator(".lg-graph").bounding_box()
        assert graph is not None
        bottom = graph["y"] + graph["height"]
    size = page.viewport_size
    assert size is not None and box["y"] >= 0 and bottom <= size["height"], "the widget is cut"
    x, y = max(0, box["x"] - pad), max(0, box["y"] - pad)
    clip = {"x": x, "y": y, "width": box["width"] + 2 * pad, "height": bottom - y + pad}
    page.screenshot(path=path, clip=clip, animations="disabled")


def both_themes(page: Page, root: Locator, raw: Path, name: str, graph_only: bool = False) -> None:
    for name_of_theme in ("Light", "Dark"):
        set_theme(page, name_of_theme)
        shot(page, root, raw / f"{name}-{name_of_theme.lower()}.png", graph_only)
    set_theme(page, "Light")


def test_neuron_mid_step(page: Page, jupyter: Server, raw: Path) -> None:
    """The first picture: the lecture's neuron, the backward pass stepped to x2's gradient."""
    root = open_notebook(page, jupyter, "neuron.ipynb", [NEURON])
    root.get_by_role("button", name="Step backward pass").click()
    next_step = root.get_by_role("button", name="Next step")
    for _ in range(4):
        next_step.click()
    panel = root.get_by_test_id("step-panel")
    expect(panel).to_contain_text("x2.grad += w2.data × (x2·w2).grad = 1.0000 × 0.5000 = 0.5000")
    expect(record(root, "x1")).to_contain_text("grad ?")
    expect(record(root, "o")).to_contain_text("data 0.7071")
    page.wait_for_timeout(400)  # the view follows the step
    both_themes(page, root, raw, "neuron-step")
    set_output_width(page, root, 420)
    page.wait_for_timeout(400)
    both_themes(page, root, raw, "neuron-step-420")


def test_neuron_slider_drag(page: Page, jupyter: Server, raw: Path) -> None:
    """Frames of a drag of x1's slider, down to its lowest value, up past where o changes sign, and back:
    every record follows (tanh saturates at both ends, and the gradients vanish)."""
    root = open_notebook(page, jupyter, "drag.ipynb", [NEURON])
    x1 = slider(root, "x1")
    frames = raw / "drag"
    frames.mkdir(exist_ok=True)
    box = x1.bounding_box()
    assert box is not None
    low, high = float(x1.get_attribute("min") or 0), float(x1.get_attribute("max") or 0)
    assert low < 2.0 < high
    y = box["y"] + box["height"] / 2

    def at(value: float) -> float:
        return box["x"] + 8 + (box["width"] - 16) * (value - low) / (high - low)  # the thumb's travel

    targets = [2.0, 1.6, 1.2, 0.8, 0.0, low, 0.0, 1.0, 1.6, 2.0, 2.2, 2.4, 2.6, 2.8, 3.2, 4.0, 3.2, 2.6, 2.2]
    page.mouse.move(at(2.0), y)
    page.mouse.down()
    for k, value in enumerate(targets):
        page.mouse.move(at(value), y, steps=3)
        synced(root)
        expect(record(root, "x1")).to_contain_text(f"data {float(x1.input_value()):.4f}")
        page.wait_for_timeout(100)
        shot(page, root, frames / f"{k:02d}.png")
    page.mouse.up()


def test_mlp_folded(page: Page, jupyter: Server, raw: Path) -> None:
    """MLP(2, [16, 16, 1]) on one input: the layers open, each neuron a card."""
    root = open_notebook(page, jupyter, "mlp.ipynb", [MLP], width=1400)
    expect(root.locator('[data-group="L1.N3"]')).to_be_visible()
    both_themes(page, root, raw, "mlp", graph_only=True)


def test_micrograd_demo(page: Page, jupyter: Server, raw: Path) -> None:
    """micrograd's demo loss, 65,818 values, as it opens: MLP × 100 folded, call 0 shown."""
    root = open_notebook(page, jupyter, "demo.ipynb", [DEMO], width=1400)
    expect(root.locator('[data-group="MLP"]')).to_be_visible()
    both_themes(page, root, raw, "demo", graph_only=True)


def test_learner_faulty_node(page: Page, jupyter: Server, raw: Path) -> None:
    """A learner's engine whose * assigns its gradients: Check gradients marks the node."""
    root = open_notebook(page, jupyter, "learner.ipynb", width=1400)
    root.get_by_role("button", name="Check gradients").click()
    expect(record(root, "d")).to_have_attribute("data-gradcheck", "fail")
    page.wait_for_timeout(300)
    both_themes(page, root, raw, "learner")


def test_presenter_mode(page: Page, jupyter: Server, raw: Path) -> None:
    """The lesson's w.present(): the widget fills the window, stepped into the backward pass."""
    page.set_viewport_size({"width": 1920, "height": 1080})  # a projector's; scaled down in docs/img
    open_and_run(page, jupyter.open_url("07_the_order.ipynb"))
    root = page.locator(".livegrad[data-presenting]").first
    expect(root).to_have_attribute("data-presenting", "window")
    page.keyboard.press("b")
    counter = root.locator(".lg-step-count")
    expect(counter).to_have_text("Backward pass: step 0 of 5")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(counter).to_have_text("Backward pass: step 3 of 5")
    page.wait_for_timeout(500)
    for name_of_theme in ("Light", "Dark"):
        set_theme(page, name_of_theme)
        page.screenshot(path=raw / f"present-{name_of_theme.lower()}.png", animations="disabled")
    set_theme(page, "Light")


def test_saved_page(page: Page, tmp_path: Path, raw: Path) -> None:
    """w.save_html(...) opened from disk, no kernel: a slider moved, the backward pass stepped."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    saved = GraphWidget(o).save_html(tmp_path / "neuron.html")
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(saved.as_uri())
    root = page.locator(".livegrad[data-ready]")
    expect(root).to_be_visible()
    x1_slider = slider(root, "x1")
    x1_slider.focus()
    for _ in range(5):
        x1_slider.press("ArrowLeft")
    expect(root).to_have_attribute("data-synced", "true")
    expect(record(root, "x1")).not_to_contain_text("data 2.0000")
    root.get_by_role("button", name="Step backward pass").click()
    for _ in range(5):
        root.get_by_role("button", name="Next step").click()
    expect(root.locator(".lg-step-count")).to_have_text("Backward pass: step 5 of 5")
    expect(root.get_by_test_id("step-panel")).to_contain_text("x1.grad += w1.data × (x1·w1).grad")
    page.wait_for_timeout(400)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_timeout(200)
        box = root.bounding_box()  # from the page's top: its line "Saved from livegrad: ..." above the widget
        assert box is not None
        clip = {"x": 0, "y": 0, "width": 1000, "height": box["y"] + box["height"] + 16}
        page.screenshot(path=raw / f"saved-{scheme}.png", clip=clip, animations="disabled")
