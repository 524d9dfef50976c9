"""PyTorch in JupyterLab: the seeds' cross-check cells pasted as printed, then the widget of their
tensor: torch's numbers on the records, a slider that sets their leaf and re-runs torch, a backward
step; and a small model folded by module."""

from __future__ import annotations

import math

import pytest
from notebook import in_kernel, open_and_run, pictures, record, shown, synced, widget, write_notebook
from playwright.sync_api import Page, expect
from server import Server
from torch_seed_cells import SEED_002_NEURON, SEED_003_NEURON, SEED_003_TOY_NN

pytest.importorskip("torch", reason="PyTorch not installed: it is optional (pip install torch)")

MODEL = """import livegrad

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
x = torch.randn(8, 4)
y = torch.randn(8, 1)
with livegrad.record():
    loss = ((model(x) - y) ** 2).mean()
loss.backward()
GraphWidget(loss)"""
SIDE_BY_SIDE = """from livegrad import Value, compare

lx1, lx2 = Value(2.0, label="x1"), Value(0.0, label="x2")
lw1, lw2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
lb = Value(6.881373405456543, label="b")
ln = lx1 * lw1 + lx2 * lw2 + lb
ln.label = "n"
lo = ln.tanh()
lo.label = "o"
compare(lo, o)"""
SEED_B = 6.881373405456543  # seed 003 runs last: its b, rounded to float32 by torch.Tensor before .double()


def seeds_notebook(jupyter: Server) -> str:
    """torch.ipynb: seed 002's PyTorch cell and seed 003's two, as printed (the seeds' own text, so a
    style linter never touches them), then the widget of their `o` and a small model."""
    cells = [SEED_002_NEURON, SEED_003_NEURON, SEED_003_TOY_NN]
    assert cells[0].startswith("# single two-param neuron backprop in pytorch") and "o.backward()" in cells[0]
    assert cells[2].startswith("# i - redefine toy NN") and cells[2].endswith("# expand output below")
    widget_cell = "from livegrad import GraphWidget\n\nw = GraphWidget(o)\nw"
    write_notebook(jupyter.notebooks / "torch.ipynb", [*cells, widget_cell, MODEL, SIDE_BY_SIDE])
    return jupyter.open_url("torch.ipynb")


def test_the_seeds_pytorch_neuron_live(page: Page, jupyter, screenshots) -> None:
    open_and_run(page, seeds_notebook(jupyter))
    root = widget(page)
    expect(record(root, "n")).to_contain_text("grad 0.5000")
    expect(record(root, "x1")).to_contain_text("grad -1.5000")
    expect(record(root, "o")).to_contain_text("data 0.7071")
    warned = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    expect(warned).to_have_count(0)  # no UserWarning about .grad of a non-leaf tensor

    box = root.get_by_role("spinbutton", name="x1 value")
    box.fill("1")
    box.press("Enter")
    synced(root)
    got = in_kernel(page, "print(x1.item(), x1.grad.item(), o.item())").split()
    o = math.tanh(1.0 * -3.0 + 0.0 * 1.0 + SEED_B)
    assert float(got[0]) == 1.0 and float(got[2]) == pytest.approx(o, rel=1e-12)
    assert float(got[1]) == pytest.approx(-3.0 * (1 - o * o), rel=1e-9)  # torch's gradient at the new point
    expect(record(root, "o")).to_contain_text(f"data {shown(o)}")
    expect(record(root, "x1")).to_contain_text(f"grad {shown(-3.0 * (1 - o * o))}")

    root.get_by_role("button", name="Step backward pass", exact=True).click()
    panel = root.get_by_test_id("step-panel")
    expect(panel).to_contain_text("o.grad = 1")
    root.get_by_role("button", name="Next step").click()  # torch's engine ran TanhBackward0 first: o passes to n
    expect(panel).to_contain_text("n.grad")
    print("step panel:", panel.inner_text())
    pictures(page, root, "torch-neuron", screenshots)


def test_a_small_model_opens_folded_by_module(page: Page, jupyter, screenshots) -> None:
    open_and_run(page, seeds_notebook(jupyter))
    root = widget(page, 1)
    expect(record(root, "loss")).to_contain_text("grad 1.0000")
    expect(record(root, "x")).to_contain_text("x 8×4")  # the batch, named after their variable
    expect(record(root, "0.weight")).to_contain_text("0.weight 8×4")  # a parameter, by its path
    expect(root.locator("g.lg-value")).to_have_count(14)  # small enough to open unfolded at first

    # A tensor step: torch's backward function gives each input its share, told by its norm
    # (torch's engine ran MeanBackward0 first: loss passes its gradient to the squared error).
    grads = in_kernel(page, "print(*(float(p.grad.norm()) for p in model.parameters()))").split()
    root.get_by_role("button", name="Step backward pass", exact=True).click()
    root.get_by_role("button", name="Next step").click()
    panel = root.get_by_test_id("step-panel")
    expect(panel).to_contain_text("goes into MeanBackward0, which gives each input its share")
    expect(panel).to_contain_text("8×1, norm 0.3536")  # d mean / d e = 1/8 each: norm sqrt(8)/8
    root.get_by_role("button", name="Last step").click()
    expect(panel).to_contain_text(f"0.weight.grad += (8×4, norm {shown(float(grads[0]))})")
    root.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "torch-model-step-1400-light.png")
    root.get_by_role("button", name="Done").click()
    pictures(page, root, "torch-model", screenshots, fit=True)


def test_livegrads_neuron_beside_torchs(page: Page, jupyter, screenshots) -> None:
    open_and_run(page, seeds_notebook(jupyter))
    left, right = widget(page, 2), widget(page, 3)
    expect(record(left, "x1")).to_contain_text("grad -1.5000")  # livegrad's Values (labelled)
    expect(record(right, "x1")).to_contain_text("grad -1.5000")  # torch's tensors (their variables)
    table = page.locator("pre.livegrad-compare")
    expect(table).to_contain_text("✓ x1")
    expect(table).to_contain_text("all gradients agree")
    assert left.bounding_box()["x"] < right.bounding_box()["x"]  # side by side at 1400 px
    for side, engine in ((left, "livegrad"), (right, "PyTorch")):  # each graph says whose it is, above it
        title = page.get_by_text(engine, exact=True)
        expect(title).to_be_visible()
        assert title.bounding_box()["y"] < side.bounding_box()["y"]
        assert abs(title.bounding_box()["x"] - side.bounding_box()["x"]) < 20
    pictures(page, left, "torch-side-by-side", screenshots)
