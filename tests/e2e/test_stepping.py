"""Stepping, Reset and the gradient check on the graph, end to end in JupyterLab with a real kernel."""

from __future__ import annotations

import json
import re

import pytest
from notebook import in_kernel, open_and_run, record, shown, slider, widget
from playwright.sync_api import Locator, Page, expect

# Per backward step of `out` (the unlabelled graph): the id of the value that sends, and of its inputs.
BACKWARD = """
import json
from livegrad import backward_trace
from livegrad.graph import Graph
graph = Graph.of({root})
index = graph.index()
print(json.dumps({{
    "names": graph.topology()["columns"]["name"],
    "steps": [[index[s.node], [index[e.input] for e in s.edges]] for s in backward_trace({root})],
    "forward": [[index[v], [index[i] for i in v.inputs]] for v in graph.order if v.inputs],
}}))
"""


# The gradient-check note's ink (its baseline, the font's ascent and descent: a text's box in the
# page is taller, the halo and line gap included), the panel's box and every record's box.
NOTE_PLACE = """(root) => {
  const note = root.querySelector('.lg-gradcheck-note');
  const ctm = note.getScreenCTM();
  const size = parseFloat(getComputedStyle(note).fontSize) * ctm.a;
  const baseline = ctm.f + ctm.d * Number(note.getAttribute('y'));
  const box = note.getBoundingClientRect();
  const plain = (r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom });
  return [
    { left: box.left, right: box.right, top: baseline - 0.8 * size, bottom: baseline + 0.2 * size },
    plain(root.querySelector('.lg-graph').getBoundingClientRect()),
    [...root.querySelectorAll('g.lg-value > polygon')].map((p) => plain(p.getBoundingClientRect())),
  ];
}"""


@pytest.fixture
def wide(page: Page) -> Page:
    page.set_viewport_size({"width": 1400, "height": 900})
    return page


def ids(locator: Locator) -> list[int]:
    return sorted(int(i) for i in locator.evaluate_all("(groups) => groups.map((g) => g.dataset.nodeId)"))


def in_view(root: Locator, node_id: int) -> bool:
    """The record is inside the graph's visible box (the view scrolls to keep it there)."""
    view = root.locator(".lg-graph").bounding_box()
    box = root.locator(f'g.lg-value[data-node-id="{node_id}"]').bounding_box()
    assert view is not None and box is not None
    return (
        box["x"] >= view["x"] - 1
        and box["y"] >= view["y"] - 1
        and box["x"] + box["width"] <= view["x"] + view["width"] + 1
        and box["y"] + box["height"] <= view["y"] + view["height"] + 1
    )


def test_stepping_names_highlights_and_a_steady_panel(wide: Page, jupyter, screenshots) -> None:
    page = wide
    open_and_run(page, jupyter.open_url("stepping.ipynb"))
    root = widget(page, 0)
    graph = json.loads(in_kernel(page, BACKWARD.format(root="out")))
    names, steps = graph["names"], graph["steps"]
    panel = root.get_by_test_id("step-panel")
    done = root.get_by_role("button", name="Done", exact=True)
    expect(done).to_be_hidden()  # nothing to finish before stepping
    expect(panel).to_have_attribute("data-stepping", "false")  # there already, with a hint: its room is kept
    before = {
        "panel": panel.bounding_box(),
        "graph": root.locator(".lg-graph").bounding_box(),
        "slider": root.get_by_role("slider").first.bounding_box(),
    }

    root.get_by_role("button", name="Step backward pass", exact=True).click()
    expect(done).to_be_visible()
    expect(root.get_by_role("status")).to_have_attribute("data-testid", "step-panel")  # a live region
    box = panel.bounding_box()
    assert box is not None
    height = box["height"]
    after = {
        "panel": box,
        "graph": root.locator(".lg-graph").bounding_box(),
        "slider": root.get_by_role("slider").first.bounding_box(),
    }
    for part in before:  # starting to step moves nothing: not the panel, the graph or the sliders below
        assert before[part] is not None and after[part]["y"] == before[part]["y"], (part, before, after)
    current = root.locator("g.lg-value.lg-current")
    receiving = root.locator("g.lg-value.lg-receiving")
    next_step = root.get_by_role("button", name="Next step")
    for k, (sender, inputs) in enumerate(steps, start=1):
        next_step.click()
        expect(current).to_have_attribute("data-node-id", str(sender))
        expect(receiving).to_have_count(len(set(inputs)))
        assert ids(receiving) == sorted(set(inputs))
        expect(root.locator("g.edge.lg-active")).to_have_count(len(set(inputs)))
        text = panel.inner_text()
        assert not re.search(r"#\d", text), text
        for i in inputs:
            assert names[i] in text, (names[i], text)
        assert in_kernel(page, "print(plain.mode, plain.step)").split() == ["backward", str(k)]
        assert all(in_view(root, i) for i in (sender, *inputs))
        box = panel.bounding_box()
        assert box is not None and box["height"] == height  # the graph below does not jump
        if k == 2:
            root.scroll_into_view_if_needed()
            page.screenshot(path=screenshots / "stepping-backward-light.png")

    root.get_by_role("button", name="Step forward pass", exact=True).click()
    first, inputs = graph["forward"][0]
    next_step.click()
    expect(current).to_have_attribute("data-node-id", str(first))
    assert ids(receiving) == sorted(set(inputs))
    assert names[first] in panel.inner_text() and not re.search(r"#\d", panel.inner_text())

    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Dark' })")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    root.get_by_role("button", name="Step backward pass", exact=True).click()
    next_step.click()
    next_step.click()
    page.wait_for_timeout(500)  # the theme's stylesheet applies after the attribute
    root.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "stepping-backward-dark.png")
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Light' })")
    done.click()
    expect(done).to_be_hidden()
    expect(root.locator(".lg-current, .lg-receiving, .lg-pending")).to_have_count(0)


def test_reset_puts_the_sliders_back_in_the_page_and_in_python(wide: Page, jupyter) -> None:
    page = wide
    open_and_run(page, jupyter.open_url("stepping.ipynb"))
    root = widget(page, 0)
    start = in_kernel(page, "print(a.data, b.data, out.data, a.grad)")
    a = slider(root, "a")
    a.focus()
    for _ in range(10):
        a.press("ArrowRight")
    moved = float(a.input_value())
    assert moved != 2.0
    expect(root).to_have_attribute("data-synced", "true")
    assert float(in_kernel(page, "print(a.data)")) == moved

    root.get_by_role("button", name="Reset", exact=True).click()
    expect(a).to_have_value("2")
    expect(slider(root, "b")).to_have_value("-3")
    expect(root).to_have_attribute("data-synced", "true")
    assert in_kernel(page, "print(a.data, b.data, out.data, a.grad)") == start
    o, root_id = in_kernel(page, "print(repr(out.data), plain.topology['root'])").split()
    expect(root.locator(f'g.lg-value[data-node-id="{root_id}"]')).to_contain_text(f"data {shown(float(o))}")
    expect(record(root, "a")).to_contain_text("data 2.0000")


def test_gradient_check_marks_the_op_with_a_wrong_derivative(wide: Page, jupyter, screenshots) -> None:
    page = wide
    open_and_run(page, jupyter.open_url("stepping.ipynb"))
    faulty = widget(page, 1)
    cubed = int(in_kernel(page, "from livegrad.graph import Graph; print(Graph.of(y).index()[cubed])"))
    expect(faulty.locator("[data-gradcheck]")).to_have_count(0)
    faulty.get_by_role("button", name="Check gradients").click()
    failing = faulty.locator('g.lg-value[data-gradcheck="fail"]')
    expect(failing).to_have_count(1)
    expect(failing).to_have_attribute("data-node-id", str(cubed))
    expect(faulty.locator('g.lg-value[data-gradcheck="ok"]')).to_have_count(2)  # cube(x)·x and y
    # autograd's local derivative (3·1.5) beside the numeric one (3·1.5²), visible on the graph
    expect(faulty.get_by_text(re.compile(r"autograd 4\.5000.*numeric 6\.7500")).first).to_be_visible()
    expect(faulty.locator(".lg-check")).to_contain_text("✗ numeric")  # the slider's mark stays
    # The note, though its record is in the top row, is whole inside the panel and covers no record.
    note, panel, records = faulty.evaluate(NOTE_PLACE)
    assert panel["top"] <= note["top"] and note["bottom"] <= panel["bottom"], (note, panel)
    assert panel["left"] <= note["left"] and note["right"] <= panel["right"], (note, panel)
    for r in records:
        assert not (
            note["left"] < r["right"]
            and r["left"] < note["right"]
            and note["top"] < r["bottom"]
            and r["top"] < note["bottom"]
        ), (note, r)
    faulty.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "gradcheck-fail-light.png")
    faulty.get_by_role("button", name="Check gradients").click()
    expect(faulty.locator("[data-gradcheck]")).to_have_count(0)
