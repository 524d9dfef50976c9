"""examples/08_microgpt.ipynb runs top to bottom: a microgpt-shaped engine and GPT, read by livegrad. Its code is
the tests' own script (tests/microgpt_like.py), cell for cell, so the two cannot drift apart."""

from __future__ import annotations

from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "08_microgpt.ipynb"


def test_the_engine_and_the_model_are_the_scripts_own() -> None:
    script = (ROOT / "tests" / "microgpt_like.py").read_text()
    code = [cell.source for cell in nbformat.read(EXAMPLE, as_version=4).cells if cell.cell_type == "code"]
    engine, model = code[0].removeprefix("import math\nimport random\n\n\n"), code[4]
    assert engine.startswith("class Value:") and engine in script
    assert model.startswith("NAMES = ") and "def gpt(" in model and model in script


def test_the_example_runs_and_shows_what_it_says() -> None:
    notebook = nbformat.read(EXAMPLE, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), "saved with outputs"
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(EXAMPLE.parent)}}
    )
    client.execute()
    out = "".join(o.text for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "stream")
    assert "x1                         -1.5           -1.5" in out and "all gradients match" in out
    assert "faulty node log(x) (op log): d log(x) / d x: the stored local derivative is 3" in out
    shown = [o.data["text/plain"] for cell in notebook.cells for o in cell.get("outputs", []) if "data" in o]
    assert "GraphWidget(o: data 0.7071, grad 1.0000, 18 values)" in shown
    assert "GraphWidget(loss: data 3.2252, grad 1.0000, 43,091 values)" in shown
