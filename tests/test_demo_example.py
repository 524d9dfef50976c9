"""examples/06_micrograd_demo.ipynb run top to bottom in a real kernel: micrograd's whole demo loss opens
in a GraphWidget (65,818 values, sent to the page), Python drives its folds, and it trains built once."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "06_micrograd_demo.ipynb"

CHECK = """
from livegrad.graph import Graph
order = Graph.of(loss).order
sent = w.topology
assert len(sent["columns"]["name"]) == len(order) == 65_818 and "too_large" not in sent
assert [g["call"] for g in sent["groups"] if g["parent"] is None] == list(range(100))
assert w.values["data"] == b"".join(__import__("struct").pack("<d", v.data) for v in order)
print("checked")
"""


def test_the_demo_example_opens_the_whole_loss_and_trains() -> None:
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(EXAMPLE, as_version=4)
    for cell in notebook.cells:
        cell.source = cell.source.replace("range(20)", "range(3)").replace("step 20", "step 3")  # quicker
    notebook.cells.append(nbformat.v4.new_code_cell(CHECK))
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3").execute()
    printed = [
        "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")
        for cell in notebook.cells
    ]
    assert "['MLP', 'L1', 'L1.N3'] {'MLP': 17}\n" in printed, printed
    assert any(text.startswith("step 3: loss") for text in printed), printed
    assert printed[-1] == "checked\n"
    shown = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "execute_result"]
    assert any("application/vnd.jupyter.widget-view+json" in o["data"] for o in shown)
