"""A notebook exported with its widget state (`jupyter nbconvert --to html`, what Jupyter Book 1 embeds and
Colab's CDN manager reads) drawn by `@jupyter-widgets/html-manager`, offline.

The export is nbconvert's own page, unchanged. The three scripts it would fetch from CDNs are answered
from local files instead: html-manager's `embed-amd.js` and RequireJS from npm (pinned in package.json),
anywidget's AMD module from the kernel environment's `share/jupyter/nbextensions`. Any other request is
aborted and recorded. What this shows: the saved state alone draws the graph as it was saved (values,
sliders, a step in progress), and the page replays slider moves and stepping with no kernel. What it does
not: the CDNs themselves, or Colab's iframe.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from notebook import record, slider
from playwright.sync_api import Page, Route, expect

ROOT = Path(__file__).resolve().parents[2]
HTML_MANAGER = ROOT / "node_modules" / "@jupyter-widgets" / "html-manager" / "dist"
REQUIREJS = ROOT / "node_modules" / "requirejs" / "require.js"
ANYWIDGET_AMD = Path(sys.prefix) / "share" / "jupyter" / "nbextensions" / "anywidget" / "index.js"

CELL = """\
from livegrad import GraphWidget
from seeds import seed_neuron
w = GraphWidget(seed_neuron()["o"])
w.mode = "backward"
w.step = 2
w"""

# Where nbconvert's page looks for each script, and the local file that answers it.
LOCAL_FILES = [
    (re.compile(r"https://unpkg\.com/@jupyter-widgets/html-manager@[^/]*/dist/(.+)"), lambda m: HTML_MANAGER / m[1]),
    (re.compile(r"https://cdnjs\.cloudflare\.com/ajax/libs/require\.js/.*"), lambda m: REQUIREJS),
    (re.compile(r"https://cdn\.jsdelivr\.net/npm/anywidget@[^/]*/dist/index\.js"), lambda m: ANYWIDGET_AMD),
]


def exported(folder: Path) -> Path:
    """The neuron's notebook run by a kernel (so its widget state is stored) and exported by nbconvert."""
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    in_tests = {"metadata": {"path": str(ROOT / "tests")}}  # the kernel imports seeds.py from there
    NotebookClient(book, timeout=120, kernel_name="python3", resources=in_tests).execute()
    assert "application/vnd.jupyter.widget-state+json" in book.metadata["widgets"]
    body, _ = HTMLExporter().from_notebook_node(book)
    page = folder / "neuron.html"
    page.write_text(body, encoding="utf-8")
    return page


def serve_cdns_locally(page: Page) -> list[str]:
    """Answer the CDN scripts from local files; abort and record every other request that is not file:."""
    refused: list[str] = []

    def answer(route: Route) -> None:
        url = route.request.url
        if url.startswith("file:"):
            return route.continue_()
        for pattern, local in LOCAL_FILES:
            if match := pattern.fullmatch(url):
                return route.fulfill(path=local(match))
        refused.append(url)
        route.abort()

    page.route("**/*", answer)
    return refused


def test_saved_state_draws_the_graph_as_saved_offline(page: Page, tmp_path: Path, screenshots: Path) -> None:
    if not HTML_MANAGER.exists() or not ANYWIDGET_AMD.exists():
        pytest.skip("html-manager (npm ci) or anywidget's nbextension (pip install anywidget) missing")
    saved = exported(tmp_path)
    refused = serve_cdns_locally(page)
    expect.set_options(timeout=30_000)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(saved.as_uri())
    root = page.locator(".livegrad[data-ready]")
    expect(root).to_be_visible()

    # As saved: the values, the leaves' sliders, and the backward pass at step 2 of 5.
    expect(record(root, "o")).to_contain_text("data 0.7071")
    expect(record(root, "x1")).to_contain_text("data 2.0000")
    expect(root.locator(".lg-step-count")).to_have_text("Backward pass: step 2 of 5")
    expect(record(root, "n")).to_contain_text("grad 0.5000")
    expect(record(root, "x1")).to_contain_text("grad ?")
    page.screenshot(path=screenshots / "html-manager-saved-1400.png")

    # No kernel: the page replays. The last step gives x1 its gradient; a slider moves the records.
    root.get_by_role("button", name="Last step").click()
    expect(record(root, "x1")).to_contain_text("grad -1.5000")
    root.get_by_role("button", name="Done", exact=True).click()
    x1 = slider(root, "x1")
    x1.focus()
    for _ in range(20):
        x1.press("ArrowRight")
    assert float(x1.input_value()) > 2.0
    expect(record(root, "x1")).not_to_contain_text("data 2.0000")
    expect(record(root, "o")).not_to_contain_text("data 0.7071")
    assert [url for url in refused if "mathjax" not in url] == []  # MathJax: nbconvert's, not needed here
