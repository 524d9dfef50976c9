"""Driving a notebook page (JupyterLab or Notebook 7) through the app the page exposes."""

from __future__ import annotations

import math
from pathlib import Path

import nbformat
from playwright.sync_api import Locator, Page, expect

from seeds import seed_neuron

KERNEL_READY = """() => {
  const kernel = window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""

RUN_IN_KERNEL = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  let text = '';
  const future = kernel.requestExecute({ code, store_history: false });
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') text += msg.content.text;
    if (msg.header.msg_type === 'error') text += 'ERROR: ' + msg.content.ename + ': ' + msg.content.evalue;
  };
  await future.done;
  return text;
}"""


def write_notebook(path: Path, cells: list[str]) -> None:
    """A notebook of these code cells, for the Python 3 kernel, at `path`."""
    book = nbformat.v4.new_notebook()
    book.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    book.cells = [nbformat.v4.new_code_cell(code) for code in cells]
    nbformat.write(book, path)


def open_and_run(page: Page, url: str) -> None:
    """Open a notebook, wait for a live idle kernel, run every cell, wait until they are done."""
    expect.set_options(timeout=30_000)
    page.goto(url)
    page.wait_for_function(KERNEL_READY, timeout=60_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(KERNEL_READY, timeout=60_000)


def in_kernel(page: Page, code: str) -> str:
    """Run `code` in the notebook's kernel (not in a cell) and return what it printed."""
    output = page.evaluate(RUN_IN_KERNEL, code)
    assert "ERROR:" not in output, output
    return output


def shown(x: float) -> str:
    """A number as the widget shows it (js/format.ts): four decimals; a non-zero value those would
    show as zero in one-digit scientific notation ("3.2e-07"); from 1e4 on, "1.235e+04"."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0.0000"
    text = f"{x:.4f}"
    if abs(x) >= 1e4 or len(text) > 10:
        return f"{x:.3e}" if abs(x) < 1e100 else f"{x:.2e}"
    return f"{x:.1e}" if text in ("0.0000", "-0.0000") else text


def synced(root: Locator) -> None:
    """Wait until Python holds what the widget shows: every slider move sent and answered. The page
    redraws a move at once (it replays the ops) and queues it while an earlier move is in flight, so
    the records can be ahead of the kernel; read the kernel only after this."""
    expect(root).to_have_attribute("data-synced", "true")


def widget(page: Page, index: int = 0) -> Locator:
    """The index-th livegrad widget, once drawn."""
    root = page.locator(".livegrad[data-ready]").nth(index)
    expect(root).to_be_visible()
    return root


def css_string(text: str) -> str:
    """`text` as a quoted CSS string, whatever it holds."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


def record(root: Locator, label: str) -> Locator:
    return root.locator(f"g.lg-value[data-label={css_string(label)}]")


def slider(root: Locator, label: str) -> Locator:
    return root.get_by_role("slider", name=label, exact=True)


# The centre of an element, and whether the page's topmost element there is inside it.
HIT_AT_CENTRE = """(el) => {
  const box = el.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return !!hit && el.contains(hit);
}"""


def drawn_elements(root: Locator) -> int:
    """Records (values and folded cards; an op's ellipse belongs to its value's record) and open groups' frames."""
    return root.locator(".lg-graph g.node:not(.lg-op), .lg-graph g.cluster").count()


def find(page: Page, root: Locator, label: str) -> Locator:
    """Search for `label` with the widget's Find field and Enter; its card, once it is on screen and
    under the pointer at its centre."""
    search = root.get_by_role("searchbox", name="Find a value by name or label")
    search.fill(label)
    search.press("Enter")
    card = record(root, label)
    expect(card).to_have_count(1)
    page.wait_for_function(HIT_AT_CENTRE, arg=card.element_handle())
    return card


def set_output_width(page: Page, root: Locator, width: int) -> None:
    """Narrow the widget's output area, as a narrow notebook or a side panel would."""
    root.evaluate(
        "(root, width) => { const out = root.closest('.jp-OutputArea-output') ?? root.parentElement;"
        " out.style.maxWidth = out.style.width = width + 'px'; }",
        width,
    )
    page.wait_for_function("([root, w]) => root.getBoundingClientRect().width <= w", arg=[root.element_handle(), width])


THEME = "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', { theme })"


def set_theme(page: Page, theme: str) -> None:
    """JupyterLab's "Light" or "Dark" theme, applied."""
    page.evaluate(THEME, f"JupyterLab {theme}")
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{str(theme == 'Light').lower()}'")
    page.wait_for_timeout(500)  # the theme's stylesheet applies after the attribute (a picture only)


def close_left_area(page: Page) -> None:
    """JupyterLab's left panel closed, where it would crowd a narrow window."""
    if page.evaluate("() => window.jupyterapp.shell.leftCollapsed === false"):
        page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")


def pictures(page: Page, root: Locator, name: str, folder: Path, fit: bool = False) -> None:
    """Screenshots of `root` at 1400 px and 420 px, light and dark, as `<name>-<width>-<theme>.png` in
    `folder` (`fit`: after Fit at each width; the left panel closed where it would crowd the notebook);
    the viewport is put back after."""
    for width, theme in ((1400, "Light"), (1400, "Dark"), (420, "Dark"), (420, "Light")):
        page.set_viewport_size({"width": width, "height": 900})
        if fit:
            root.get_by_role("button", name="Fit").click()
        if width < 1000:
            close_left_area(page)
        set_theme(page, theme)
        root.scroll_into_view_if_needed()
        page.screenshot(path=folder / f"{name}-{width}-{theme.lower()}.png")
    page.set_viewport_size({"width": 1400, "height": 900})


def drag_x1(root: Locator, presses: int) -> dict:
    """Move the lecture neuron's x1 slider by `presses` arrow keys. Once Python has answered, the records
    on x1's path hold what livegrad's own engine computes there (returned: that neuron, by label)."""
    x1 = slider(root, "x1")
    x1.focus()
    for _ in range(presses):
        x1.press("ArrowRight")
    moved = float(x1.input_value())
    assert moved > 2.0
    synced(root)
    seed = seed_neuron()
    seed["x1"].data = moved
    seed["o"].forward()
    seed["o"].backward()
    for label in ("x1", "n", "o"):
        expect(record(root, label)).to_contain_text(f"data {shown(seed[label].data)}")
        expect(record(root, label)).to_contain_text(f"grad {shown(seed[label].grad)}")
    return seed


def first_backward_step(root: Locator, seed: dict) -> None:
    """Step backward pass, then Next: n gets its gradient (`seed`'s), with its arithmetic; x1's is to come."""
    root.get_by_role("button", name="Step backward pass").click()
    root.get_by_role("button", name="Next step").click()
    expect(root.get_by_test_id("step-panel")).to_contain_text("n.grad")
    expect(record(root, "n")).to_contain_text(f"grad {shown(seed['n'].grad)}")
    expect(record(root, "x1")).to_contain_text("grad ?")
