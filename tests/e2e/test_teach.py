"""Teaching with it (issue 21), end to end in JupyterLab with a real kernel: the sort stepped to its
end, the naive order's wrong gradients, and presenter mode (from Python and from the button) stepped
from the keyboard. The lesson notebook examples/07_the_order.ipynb is the page."""

from __future__ import annotations

import re
import time
from pathlib import Path

from notebook import in_kernel, open_and_run, set_output_width, widget
from playwright.sync_api import Locator, Page, expect

from livegrad import GraphWidget, Value

# The records' text on screen: the smallest font size, in px, of a value's name and numbers.
RECORD_TEXT_PX = """(root) => Math.min(...[...root.querySelectorAll('g.lg-value text')]
  .filter((t) => t.getBoundingClientRect().width > 0)
  .map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))"""


def theme(page: Page, name: str) -> None:
    page.evaluate(
        "(t) => window.jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab ' + t })", name
    )
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{str(name == 'Light').lower()}'")
    page.wait_for_timeout(500)  # the theme's stylesheet applies after the attribute


def kernel_reads(page: Page, code: str, want: list[str], seconds: float = 30) -> None:
    """Wait until the kernel's copy of the page's traits reads `want`: the page's saves reach Python a
    moment after the page shows them, so reading at once races them."""
    deadline = time.monotonic() + seconds
    while (got := in_kernel(page, code).split()) != want:
        assert time.monotonic() < deadline, f"the kernel reads {got}, not {want}"
        time.sleep(0.1)


def topo(root: Locator) -> list[str]:
    return root.get_by_test_id("topo-list").locator("li").all_text_contents()


def test_the_sort_the_naive_order_and_presenter_mode(page: Page, jupyter, screenshots) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    open_and_run(page, jupyter.open_url("07_the_order.ipynb"))
    widget(page, 1)
    # The lesson's last cell, w.present(): no click, so the browser fills the window, not the screen.
    presenting = page.locator(".livegrad[data-presenting]")
    root = presenting.first
    expect(root).to_have_attribute("data-presenting", "window")
    box = root.bounding_box()
    assert box is not None and (box["width"], box["height"]) == (1280, 720)
    panel = root.get_by_test_id("step-panel")
    expect(panel).to_contain_text("appended: a leaf, nothing before it")  # w.step = 6 in the sort
    page.wait_for_timeout(300)  # the zoom for the room waits a frame for the new size
    assert root.evaluate(RECORD_TEXT_PX) >= 24 - 0.01
    assert float(panel.evaluate("(p) => parseFloat(getComputedStyle(p).fontSize)")) >= 24
    for name in ("Light", "Dark"):
        theme(page, name)
        page.screenshot(path=screenshots / f"present-1280x720-{name.lower()}.png")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_timeout(300)
    for name in ("Dark", "Light"):
        theme(page, name)
        page.screenshot(path=screenshots / f"present-1920x1080-{name.lower()}.png")
    page.set_viewport_size({"width": 1280, "height": 720})

    # The keyboard: B starts the backward pass, arrows step, T the sort; Escape leaves.
    counter = root.locator(".lg-step-count")
    page.keyboard.press("b")
    expect(counter).to_have_text("Backward pass: step 0 of 5")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(counter).to_have_text("Backward pass: step 2 of 5")
    expect(panel).to_contain_text("n.grad")
    page.screenshot(path=screenshots / "present-1280x720-backward-light.png")
    page.keyboard.press("t")
    expect(counter).to_have_text("Topological sort: step 0 of 20")
    page.keyboard.press("End")
    assert topo(root) == ["x1", "w1", "x1*w1", "x2", "w2", "x2*w2", "x1*w1 + x2*w2", "b", "n", "o"]
    page.keyboard.press("Escape")
    expect(presenting).to_have_count(0)
    kernel_reads(page, "print(w.presenting, w.mode, w.step)", ["False", "topo", "20"])
    root = widget(page, 0)  # back in its cell
    counter, panel = root.locator(".lg-step-count"), root.get_by_test_id("step-panel")

    # The sort from its button, mid-way, wide and in a narrow output.
    page.set_viewport_size({"width": 1400, "height": 900})
    root.get_by_role("button", name="Step topological sort", exact=True).click()
    stepper = root.locator(".lg-stepper")
    for _ in range(9):
        stepper.press("ArrowRight")
    expect(counter).to_have_text("Topological sort: step 9 of 20")
    assert topo(root) == ["x1", "w1", "x1*w1"]
    expect(panel).to_contain_text("appended after its inputs x1 and w1")
    expect(panel).to_contain_text("stack: o → n → (x1*w1 + x2*w2) → (x1*w1)")
    assert sorted(root.locator("g.lg-value.lg-visited").evaluate_all("(g) => g.map((x) => x.dataset.label)")) == [
        "n",
        "o",
        "w1",
        "x1",
        "x1*w1",
        "x1*w1 + x2*w2",
    ]
    root.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "sort-midway-1400.png")
    set_output_width(page, root, 420)
    page.wait_for_timeout(300)
    root.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "sort-midway-420.png")

    # The naive order: set from Python on the lesson's second widget (d = a + a*k), at its end.
    naive = widget(page, 1)
    naive.scroll_into_view_if_needed()
    expect(naive.get_by_role("button", name="Naive order", exact=True)).to_have_attribute("aria-pressed", "true")
    wrong = naive.locator('[data-order="wrong"]')
    expect(wrong).to_have_count(2)
    assert sorted(wrong.evaluate_all("(g) => g.map((x) => x.dataset.label)")) == ["x", "y"]
    notes = sorted(naive.locator(".lg-order-note").all_text_contents())
    assert notes == ["✗ grad 12.0000, right 10.0000", "✗ grad 18.0000, right 15.0000"]
    page.screenshot(path=screenshots / "naive-order-end-1400.png")
    # ... and switched on from the page, on the neuron: a tree, so every gradient stays right.
    root.scroll_into_view_if_needed()
    root.get_by_role("button", name="Naive order", exact=True).click()
    expect(counter).to_have_text("Backward pass, naive order: step 0 of 5")
    stepper.press("End")
    expect(panel).to_contain_text("Every gradient is right")
    expect(root.locator('[data-order="wrong"]')).to_have_count(0)
    kernel_reads(page, "print(w.naive, w.mode, w.step)", ["True", "backward", "5"])

    # The Present button: full screen where the browser grants it, and the keys drive it.
    root.get_by_role("button", name="Present", exact=True).click()
    expect(presenting).to_have_attribute("data-presenting", re.compile("^(fullscreen|window)$"))
    page.keyboard.press("Home")
    expect(presenting.locator(".lg-step-count")).to_have_text("Backward pass, naive order: step 0 of 5")
    page.keyboard.press("Escape")
    expect(presenting).to_have_count(0)
    expect(widget(page, 0).locator(".lg-step-count")).to_have_text("Backward pass, naive order: step 0 of 5")
    theme(page, "Light")


def test_the_sort_naive_order_and_presenter_in_a_saved_page(page: Page, tmp_path: Path) -> None:
    """A saved page (no kernel) steps the sort and the naive order itself, and presents."""
    x, y, k = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "k")
    a = x * y
    a.label = "a"
    d = a + a * k
    d.label = "d"
    path = GraphWidget(d).save_html(tmp_path / "order.html")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(path.as_uri())
    root = page.locator(".livegrad[data-ready]")
    expect(root).to_be_visible()
    root.get_by_role("button", name="Present", exact=True).click()
    expect(root).to_have_attribute("data-presenting", re.compile("^(fullscreen|window)$"))
    counter = root.locator(".lg-step-count")
    page.keyboard.press("t")
    page.keyboard.press("End")
    expect(counter).to_have_text("Topological sort: step 13 of 13")
    assert topo(root) == ["x", "y", "a", "k", "a·k", "d"]
    page.keyboard.press("Escape")
    expect(root).not_to_have_attribute("data-presenting", re.compile(".*"))
    root.get_by_role("button", name="Naive order", exact=True).click()
    root.locator(".lg-stepper").press("End")
    expect(counter).to_have_text("Backward pass, naive order: step 4 of 4")
    expect(root.locator('[data-order="wrong"]')).to_have_count(2)


def test_presenting_from_python_in_notebook_7(page: Page, jupyter) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    open_and_run(page, jupyter.open_url("07_the_order.ipynb", app="notebook"))
    root = page.locator(".livegrad[data-presenting]")
    expect(root).to_have_attribute("data-presenting", "window")
    box = root.bounding_box()
    assert box is not None and (box["width"], box["height"]) == (1280, 720)
    page.keyboard.press("ArrowRight")
    expect(root.locator(".lg-step-count")).to_have_text("Topological sort: step 7 of 20")
    page.keyboard.press("Escape")
    expect(root).to_have_count(0)
