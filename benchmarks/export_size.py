"""What an exported notebook costs: bytes of `jupyter nbconvert --to html` for 1 and 3 widgets, with
the widget state saved (each widget model carries the whole ~870 KB bundle as its `_esm`), without
it (the text fallback), and with a static `draw_dot` SVG instead; beside it, `save_html`'s page.

    python benchmarks/export_size.py
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

NEURON = """
from livegrad import GraphWidget, Value, draw_dot
def neuron(k):
    x1, x2 = Value(2.0 + k, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b; n.label = "n"
    o = n.tanh(); o.label = "o"
    o.backward()
    return o
"""


def notebook(count: int, show: str) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_code_cell(NEURON)]
    cells += [nbformat.v4.new_code_cell(f"{show}(neuron({k}))") for k in range(count)]
    return nbformat.v4.new_notebook(cells=cells)


def html_bytes(nb: nbformat.NotebookNode) -> int:
    body, _ = HTMLExporter().from_notebook_node(nb)
    return len(body.encode())


def main() -> None:
    rows = []
    for count in (1, 3):
        live = notebook(count, "GraphWidget")
        NotebookClient(live, timeout=600, kernel_name="python3").execute()  # stores the widget state
        state = live.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
        models = len(state.get("state", {}))
        with_state = html_bytes(live)
        page = HTMLExporter().from_notebook_node(live)[0]
        scripts = sorted(set(re.findall(r'<script[^>]+src="(https?://[^"]+)"', page)))
        live.metadata.pop("widgets", None)
        without_state = html_bytes(live)
        fallbacks = re.findall(r"GraphWidget\([^)]*\)", HTMLExporter().from_notebook_node(live)[0])
        rows.append((count, "widget, state saved", with_state, f"{models} models in the state; loads {scripts}"))
        rows.append((count, "widget, no state", without_state, f"shows {fallbacks[:1]}"))
        if shutil.which("dot"):
            static = notebook(count, "draw_dot")
            NotebookClient(static, timeout=600, kernel_name="python3").execute()
            rows.append((count, "draw_dot (static SVG)", html_bytes(static), "needs Graphviz's dot when run"))
    with tempfile.TemporaryDirectory() as folder:
        from livegrad import GraphWidget, Value

        x = Value(2.0, label="x")
        page = GraphWidget((x * x).tanh()).save_html(Path(folder) / "page.html")
        rows.append((1, "save_html page (not a notebook)", page.stat().st_size, "works offline, no kernel"))
    base = {count: size for count, way, size, _ in rows if way == "widget, no state"}
    print(f"{'widgets':>7}  {'export':<32} {'bytes':>10}  {'per widget over no-state':>24}  note")
    for count, way, size, note in rows:
        extra = f"{(size - base[count]) / count:,.0f}" if way.startswith(("widget", "draw_dot")) else ""
        print(f"{count:>7}  {way:<32} {size:>10,}  {extra:>24}  {note}")


if __name__ == "__main__":
    main()
