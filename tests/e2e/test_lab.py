"""GraphWidget end to end: real JupyterLab and Notebook 7, a real kernel, headless Chromium."""

from __future__ import annotations

import re

import pytest
from notebook import in_kernel, open_and_run, record, shown, slider, widget
from playwright.sync_api import Page, expect

READ_NEURON = 'print(f"{x1.data!r} {o.data!r} {x1.grad!r} {w1.grad!r}")'


def python_neuron(page: Page) -> tuple[float, float, float, float]:
    x1, o, x1_grad, w1_grad = map(float, in_kernel(page, READ_NEURON).split())
    return x1, o, x1_grad, w1_grad


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_seed_neuron_live(page: Page, jupyter, screenshots, app: str) -> None:
    open_and_run(page, jupyter.open_url("01_neuron.ipynb", app))
    root = widget(page)

    # The records as drawn, with the gradients of a fresh backward pass.
    expect(record(root, "o")).to_contain_text("data 0.7071")
    expect(record(root, "x1")).to_contain_text("grad -1.5000")
    expect(record(root, "w1")).to_contain_text("grad 1.0000")
    expect(record(root, "x2")).to_contain_text("grad 0.5000")
    expect(root.locator("g.lg-value")).to_have_count(10)
    expect(root.locator("g.lg-op")).to_have_count(5)
    assert root.locator("input[type=range]").count() == 5
    for label in ("x1", "x2", "w1", "w2", "b"):
        expect(slider(root, label)).to_have_attribute("data-lm-suppress-shortcuts", "true")

    # The keyboard: ten steps to the right.
    x1_slider = slider(root, "x1")
    x1_slider.focus()
    for _ in range(10):
        x1_slider.press("ArrowRight")
    moved = float(x1_slider.input_value())
    assert moved > 2.0
    expect(root.get_by_role("spinbutton", name="x1 value")).to_have_value(re.compile(re.escape(str(moved))))
    page.wait_for_function(
        "(want) => { const t = document.querySelector('g.lg-value[data-label=\"x1\"]').textContent;"
        " return t.includes('data ' + want); }",
        arg=f"{moved:.4f}",
    )
    x1, o, x1_grad, w1_grad = poll_python(page, moved)
    expect(record(root, "o")).to_contain_text(f"data {shown(o)}")
    expect(record(root, "x1")).to_contain_text(f"grad {shown(x1_grad)}")
    expect(record(root, "w1")).to_contain_text(f"grad {shown(w1_grad)}")

    # A drag with the mouse, to near the left end.
    box = x1_slider.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * (moved + 2) / 8, y)
    page.mouse.down()
    for fraction in (0.6, 0.4, 0.25, 0.1):
        page.mouse.move(box["x"] + box["width"] * fraction, y, steps=4)
    page.mouse.up()
    dragged = float(x1_slider.input_value())
    assert dragged < 0
    x1, o, x1_grad, _ = poll_python(page, dragged)
    expect(record(root, "x1")).to_contain_text(f"data {shown(x1)}")
    expect(record(root, "o")).to_contain_text(f"data {shown(o)}")
    expect(record(root, "x1")).to_contain_text(f"grad {shown(x1_grad)}")

    root.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"neuron-{app}.png", full_page=False)


def poll_python(page: Page, want_x1: float) -> tuple[float, float, float, float]:
    """The kernel's values once it has applied the slider's last position."""
    for _ in range(100):
        values = python_neuron(page)
        if values[0] == want_x1:
            return values
        page.wait_for_timeout(50)
    raise AssertionError(f"the kernel never saw x1 = {want_x1}: {python_neuron(page)}")


def test_python_side_changes_reach_the_page(page: Page, jupyter) -> None:
    open_and_run(page, jupyter.open_url("01_neuron.ipynb"))
    root = widget(page)
    in_kernel(page, "w.set(x1=-1.0)")
    expect(record(root, "x1")).to_contain_text("data -1.0000")
    expect(slider(root, "x1")).to_have_value("-1")
    in_kernel(page, "w1.data = 2.0; w.refresh()")
    expect(record(root, "w1")).to_contain_text("data 2.0000")
    o = float(in_kernel(page, "print(repr(o.data))"))
    expect(record(root, "o")).to_contain_text(f"data {shown(o)}")


def test_mlp_example_draws_and_follows_training(page: Page, jupyter, screenshots) -> None:
    open_and_run(page, jupyter.open_url("03_mlp.ipynb"))
    root = widget(page)
    count = int(in_kernel(page, "from livegrad.engine import topological_order; print(len(topological_order(loss)))"))
    assert count == 116 + 4  # the MLP on one input, then (y - 1.0) ** 2
    # Too many values to read at once: the first view opens the model to its neurons, each neuron's
    # weighted sum folded into one Σ card (9 neurons), and the loss after it as a record of its own.
    expect(root.locator('[data-group="L1.N3"]')).to_have_attribute("aria-expanded", "true")
    sums = root.locator('[data-fold="sum"][aria-expanded="false"]')
    expect(sums).to_have_count(9)
    expect(sums.first).to_contain_text("Σ w·x")
    drawn = root.locator("g.lg-value").count()
    assert 0 < drawn < count
    loss = float(in_kernel(page, "print(repr(loss.data))"))
    expect(record(root, "loss")).to_contain_text(f"data {shown(loss)}")
    page.screenshot(path=screenshots / "mlp-lab.png")


TRACE_AS_SHOWN = """
import json
from livegrad import backward_trace
shown, frames = {"o": 1.0}, [{"o": 1.0}]
for step in backward_trace(o):
    for edge in step.edges:
        shown[edge.input.label] = edge.grad_after
    frames.append(dict(shown))
print(json.dumps(frames))
"""


def test_step_through_the_seed_neuron(page: Page, jupyter, screenshots) -> None:
    import json

    open_and_run(page, jupyter.open_url("04_stepper.ipynb"))
    root = widget(page)
    frames = json.loads(in_kernel(page, TRACE_AS_SHOWN))
    labels = ["x1", "x2", "w1", "w2", "b", "x1*w1", "x2*w2", "x1*w1 + x2*w2", "n", "o"]
    panel = root.get_by_test_id("step-panel")

    def expect_frame(k: int) -> None:
        for label in labels:
            grad = frames[k].get(label)
            expect(record(root, label)).to_contain_text("grad ?" if grad is None else f"grad {shown(grad)}")
        # The page saves mode and step to the kernel; ipywidgets holds a save back while an earlier one is
        # unanswered, so the kernel may apply it a moment after the page shows the frame: wait for that.
        want = ["backward", str(k)]
        for _ in range(100):
            if in_kernel(page, "print(w.mode, w.step)").split() == want:
                break
            page.wait_for_timeout(50)
        assert in_kernel(page, "print(w.mode, w.step)").split() == want

    root.get_by_role("button", name="Step backward pass").click()
    expect_frame(0)
    expect(panel).to_contain_text("o.grad = 1")
    next_button = root.get_by_role("button", name="Next step")
    for k in range(1, 4):
        next_button.click()
        expect_frame(k)
    expect(panel).to_contain_text("(x2*w2).grad += 1 × (x1*w1 + x2*w2).grad = 1.0000 × 0.5000 = 0.5000")

    toolbar = root.get_by_role("toolbar", name="Step through the passes")
    toolbar.focus()
    toolbar.press("ArrowRight")
    expect_frame(4)
    expect(panel).to_contain_text("x2.grad += w2.data × (x2*w2).grad = 1.0000 × 0.5000 = 0.5000")
    root.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "stepper-midway-lab.png")
    toolbar.press("ArrowRight")
    expect_frame(5)
    expect(panel).to_contain_text("x1.grad += w1.data × (x1*w1).grad = -3.0000 × 0.5000 = -1.5000")
    toolbar.press("ArrowLeft")
    expect_frame(4)
    toolbar.press("Home")
    expect_frame(0)
    toolbar.press("End")
    expect_frame(5)

    # Python drives it too.
    in_kernel(page, "w.step = 2")
    expect_frame(2)

    # The custom op with a wrong derivative: the gradient check flags it.
    second = widget(page, 1)
    second.get_by_role("button", name="Check gradients").click()
    expect(second.locator(".lg-check")).to_contain_text("✗ numeric")


LUMINANCE = """(element) => {
  const [r, g, b] = getComputedStyle(element).fill.match(/[\\d.]+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""


def test_follows_the_dark_theme(page: Page, jupyter, screenshots) -> None:
    open_and_run(page, jupyter.open_url("02_two_paths.ipynb"))
    root = widget(page)
    label = record(root, "f").locator("text").first
    assert page.evaluate(LUMINANCE, label.element_handle()) < 0.3  # dark text on the light theme
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Dark' })")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(500)  # the theme's stylesheet applies after the attribute
    assert page.evaluate(LUMINANCE, label.element_handle()) > 0.6  # light text on the dark theme
    root.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "two-paths-dark-lab.png")
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Light' })")
