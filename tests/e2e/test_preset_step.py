"""A step preset from Python before the widget is drawn (`w.step = 5`), end to end in JupyterLab:
the panel opens as it does with no step, the whole neuron in view, the step's value marked."""

from __future__ import annotations

import re
import shutil

from notebook import open_and_run, record, widget, write_notebook
from playwright.sync_api import Page, expect
from test_first_view import ALL_RECORDS_SEEN, CUT, SEEDS

CELLS = [
    "from livegrad import GraphWidget\nfrom seeds import seed_neuron\n\nplain = GraphWidget(seed_neuron()['o'])\nplain",
    "w = GraphWidget(seed_neuron()['o'])\nw.mode = 'backward'\nw.step = 5\nw",
]


def test_a_preset_step_opens_with_the_whole_graph(page: Page, jupyter, screenshots) -> None:
    shutil.copy(SEEDS, jupyter.notebooks / "seeds.py")
    write_notebook(jupyter.notebooks / "preset-step.ipynb", CELLS)
    page.set_viewport_size({"width": 1400, "height": 800})
    open_and_run(page, jupyter.open_url("preset-step.ipynb"))
    plain, stepped = widget(page, 0), widget(page, 1)
    for root in (plain, stepped):  # on screen (the hit test), once the outputs settle their size
        root.scroll_into_view_if_needed()
        page.wait_for_function(ALL_RECORDS_SEEN, arg=root.element_handle(), timeout=10_000)

    expect(stepped.locator(".lg-step-count")).to_have_text("Backward pass: step 5 of 5")
    expect(record(stepped, "x1*w1")).to_have_class(re.compile(r"\blg-current\b"))
    assert stepped.evaluate(CUT) == []
    height = plain.locator(".lg-graph").evaluate("(panel) => panel.getBoundingClientRect().height")
    assert stepped.locator(".lg-graph").evaluate("(panel) => panel.getBoundingClientRect().height") == height
    stepped.screenshot(path=screenshots / "preset-step-lab-1400.png")
