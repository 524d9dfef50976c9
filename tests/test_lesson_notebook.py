"""examples/07_the_order.ipynb, the lesson on the order of backward, runs top to bottom and teaches what it says."""

from __future__ import annotations

from pathlib import Path

import nbclient
import nbformat

LESSON = Path(__file__).resolve().parents[1] / "examples" / "07_the_order.ipynb"


def test_the_lesson_runs_and_shows_the_order_the_naive_pass_and_the_assignment_bug() -> None:
    notebook = nbformat.read(LESSON, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), "saved with outputs"
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(LESSON.parent)}}
    )
    client.execute()  # raises on the first cell that fails
    out = "".join(o.text for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "stream")
    assert "append x1*w1 + x2*w2  appended after its inputs x1*w1 and x2*w2" in out
    assert "['o', 'n', 'b', 'x1*w1 + x2*w2', 'x2*w2', 'w2', 'x2', 'x1*w1', 'w1', 'x1']" in out
    assert "a   passes on 1  early" in out and "a   passes on 5  again" in out
    assert "naive: {'x': 18.0, 'y': 12.0}" in out and "right: {'x': 15.0, 'y': 10.0}" in out
    assert "x.grad = 15.0, y.grad = 10.0" in out
    assert "p.grad = 3.0  (right: 4.0)" in out and "MISMATCH" in out
    assert "sets p.grad instead of adding to it (+=)" in out  # gradcheck names the bug
    assert out.rstrip().endswith("p.grad = 4.0")  # the fix
    widgets = [c for c in notebook.cells if "application/vnd.jupyter.widget-view+json" in str(c.get("outputs", []))]
    assert len(widgets) == 2  # the neuron mid-sort and the naive pass at its end, shown
