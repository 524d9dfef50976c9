"""A graph no module or Σ chain folds (a long chain of ops, as a loop builds it) in JupyterLab with a
real kernel: it opens cut to the screenful nearest the root, a ⋯ draws more, and search reaches the
leaf at the far end without drawing everything."""

from __future__ import annotations

import json
import time
from pathlib import Path

from notebook import drawn_elements, find, in_kernel, open_and_run, widget, write_notebook
from playwright.sync_api import Page, expect
from server import Server

BUILD = """from livegrad import GraphWidget, Value

x = Value(0.5, label="x")
out = x
for _ in range(3000):  # 9,001 values: a multiply by a constant and a tanh per step
    out = (out * 0.999).tanh()
out.label = "out"
w = GraphWidget(out)
w"""


def expanded(page: Page) -> list[str]:
    return json.loads(in_kernel(page, "import json; print(json.dumps(w.expanded))"))


def test_a_long_chain_opens_cut_and_is_explored(page: Page, jupyter: Server, screenshots: Path) -> None:
    write_notebook(jupyter.notebooks / "chain.ipynb", [BUILD])
    page.set_viewport_size({"width": 1400, "height": 900})
    open_and_run(page, jupyter.open_url("chain.ipynb"))
    root = widget(page)

    first = drawn_elements(root)
    assert 20 < first < 300
    expect(root.locator('g.lg-value[data-label="out"]')).to_have_count(1)
    more = root.locator('[data-fold="more"]')
    expect(more).to_have_count(1)
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(more).to_contain_text("more values")
    root.screenshot(path=screenshots / "cut-chain-first-view-1400.png")

    more.focus()  # the first view shows the output, at the chain's other end: Tab brings ⋯ in view, as here
    more.click()
    expect(root.locator('[data-fold="more"]')).to_have_count(1)  # the next one, further down
    assert drawn_elements(root) > first
    deadline = time.monotonic() + 30
    while not any(key.startswith("^") for key in expanded(page) or []):  # the page's save reaches Python
        assert time.monotonic() < deadline, "the opened ⋯ never reached Python's `expanded`"
        time.sleep(0.1)

    find(page, root, "x")
    assert drawn_elements(root) < 300
    root.screenshot(path=screenshots / "cut-chain-found-x-1400.png")

    # Stepping the backward pass walks the drawn values from the root down; the panel says each step.
    root.get_by_role("button", name="Step backward pass").click()
    panel = root.get_by_role("status", name="Step")
    bar = root.get_by_role("toolbar", name="Step through the passes")
    expect(panel).to_contain_text("out")
    for _ in range(3):
        bar.press("ArrowRight")
    expect(panel).to_contain_text("grad")
    expect(panel).not_to_contain_text("NaN")
    root.screenshot(path=screenshots / "cut-chain-stepping-1400.png")
