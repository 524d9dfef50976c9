"""GraphWidget, draw_dot, the traces and gradcheck on learners' own engines (tests/learner_engines.py)."""

from __future__ import annotations

import gc
import json
import math
import weakref

import pytest

import livegrad
from learner_engines import AssigningScalar, BuggyScalar, Node, Scalar, neuron
from livegrad import GraphWidget, backward_trace, draw_dot, foreign, forward_trace, gradcheck
from records import node_records


class Counted(Scalar):
    """Scalar that counts calls of its backward(), to see the widget use the learner's own."""

    calls = 0

    def backward(self):
        Counted.calls += 1
        super().backward()


def livegrad_neuron(data: dict) -> dict:
    """The oracle: livegrad's own engine on the same numbers."""
    v = {k: livegrad.Value(data[k].data, label=k) for k in ("x1", "x2", "w1", "w2", "b")}
    v["o"] = (v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]).tanh()
    v["o"].backward()
    return v


def ids(widget: GraphWidget) -> dict[str, int]:
    return {node["label"]: i for i, node in enumerate(node_records(widget.topology)) if node["label"]}


def test_widget_on_a_learners_graph_drives_their_objects_and_their_backward() -> None:
    v = neuron(Counted)
    Counted.calls = 0
    w = GraphWidget(v["o"])
    assert w.root is v["o"] and w.topology["learner"] is True
    assert [s["label"] for s in w.sliders] == ["x1", "w1", "x2", "w2", "b"]
    assert [node["name"] for node in node_records(w.topology)][-1] == "o"
    assert Counted.calls == 0  # looking runs nothing of theirs
    w.set(x1=1.0)
    assert v["x1"].data == 1.0 and Counted.calls == 1
    want = livegrad_neuron(v)
    assert v["o"].data == want["o"].data
    for k in ("x1", "w1", "x2", "w2", "b"):
        assert w.values["grad"][ids(w)[k]] == v[k].grad
        assert math.isclose(v[k].grad, want[k].grad, rel_tol=1e-12, abs_tol=1e-15), k
    w._handle_custom_msg({"type": "set", "values": [[ids(w)["w1"], 0.5]], "ack": "p:1"}, [])
    assert v["w1"].data == 0.5 and w.values["ack"] == "p:1" and Counted.calls == 2
    assert w.values["data"][ids(w)["o"]] == v["o"].data == livegrad_neuron(v)["o"].data
    json.dumps(w.topology), json.dumps(w.values)


def test_check_gradients_on_a_learners_graph() -> None:
    v = neuron()
    w = GraphWidget(v["o"], check_gradients=True)
    assert [c["ok"] for c in w.gradient_check["leaves"]] == [True] * 5
    a, b = AssigningScalar(2.0, label="a"), AssigningScalar(3.0, label="b")
    f = a * b + a
    f.label = "f"
    w = GraphWidget(f, check_gradients=True)
    by_id = {c["id"]: c for c in w.gradient_check["leaves"]}
    assert not by_id[ids(w)["a"]]["ok"] and by_id[ids(w)["a"]]["numeric"] == pytest.approx(4.0)
    assert by_id[ids(w)["b"]]["ok"]
    # The same edge-by-edge checks as gradcheck's mark the node whose backward assigns: the product.
    product = next(i for i, node in enumerate(node_records(w.topology)) if node["op"] == "*")
    assert {c["node"] for c in w.gradient_check["locals"] if not c["ok"]} == {product}
    assert {c.get("note") for c in w.gradient_check["locals"] if not c["ok"]} == {
        "sets a.grad with =, not +=",  # the ✗ names the input whose gradient is wrong
        "sets b.grad with =, not +=",
    }


def test_draw_dot_and_traces_read_a_learners_graph() -> None:
    v = neuron()
    v["o"].backward()
    source = draw_dot(v["o"]).source
    assert "{x1|data 2.0000|grad -1.5000}" in source and "label=tanh" in source
    steps = backward_trace(v["o"])
    assert [s.node.op for s in steps] == ["tanh", "+", "+", "*", "*"]
    totals: dict = {}
    for step in steps:
        for edge in step.edges:
            totals[edge.input.obj] = totals.get(edge.input.obj, 0.0) + edge.contribution
    for k in ("x1", "w1", "x2", "w2", "b"):
        assert math.isclose(totals[v[k]], v[k].grad, rel_tol=1e-12, abs_tol=1e-15), k
    assert [(s.op, s.data) for s in forward_trace(v["o"])][-1] == ("tanh", v["o"].data)


def test_gradcheck_names_the_node_with_a_wrong_local_derivative() -> None:
    x = BuggyScalar(0.5, label="x")
    h = x * 2
    h.label = "h"
    y = h.exp()
    y.label = "y"
    report = gradcheck(y)
    assert not report.ok
    assert [node.obj for node in report.faulty_nodes] == [y]
    (leaf,) = [c for c in report.checks if c.leaf.obj is x]
    assert not leaf.ok and leaf.autograd == pytest.approx(2 * 1.0)  # their d y/dx: 2·h, not 2·exp(h)
    assert leaf.numeric == pytest.approx(2 * math.exp(1.0), rel=1e-6)
    text = str(report)
    assert "faulty node y (op exp): d y / d h: its backward gives 1, the op's derivative is 2.71828" in text
    assert "faulty node h" not in text


def test_gradcheck_finds_seed_001s_bugs_on_a_graph_that_hides_them() -> None:
    v = neuron(AssigningScalar)  # * assigns: harmless in the neuron, where nothing is used twice
    report = gradcheck(v["o"])
    assert all(c.ok for c in report.checks)
    assert {node.op for node in report.faulty_nodes} == {"*"}
    assert "its backward sets x1.grad instead of adding to it (+=): harmless here only because x1 is used once" in str(
        report
    )


def test_an_unknown_op_is_said_on_the_node_and_its_leaves_get_no_slider() -> None:
    x, k = Scalar(0.5, label="x"), Scalar(2.0, label="k")
    y = x.sin() * k
    y.label = "y"
    w = GraphWidget(y)
    sin = next(node for node in node_records(w.topology) if node["op"] == "sin")
    assert sin["unknown_op"] is True and sin["name"] == "sin(x)"
    assert w.topology["ops"]["sin"] == {"formula": None, "locals": None}
    assert [s["label"] for s in w.sliders] == ["k"]
    with pytest.raises(ValueError, match=r"sliders: x feeds an op livegrad does not know.*from_function"):
        GraphWidget(y, sliders=["x"])
    report = gradcheck(y)
    (unjudged,) = report.unjudged
    assert [c.leaf.label for c in report.checks] == ["x", "k"] and unjudged.leaf.label == "x"
    assert unjudged.why == "it feeds sin, an op livegrad cannot re-run" and math.isnan(unjudged.numeric)
    assert "not judged: it feeds sin" in str(report) and "not checked: sin(x) (op sin)" in str(report)
    assert report.summary == "1/2 leaves match · 1 not judged (it feeds sin, an op livegrad cannot re-run)"


def test_a_learners_backward_that_raises_is_shown_not_raised_into_the_notebook() -> None:
    v = neuron()
    w = GraphWidget(v["o"])

    def broken():
        raise ZeroDivisionError("their bug")

    v["o"].backward = broken
    w._handle_custom_msg({"type": "set", "values": [[ids(w)["x1"], 1.0]], "ack": "p:7"}, [])
    assert w.error == "Your engine's backward pass raised ZeroDivisionError: their bug"
    assert w.values["ack"] == "p:7"


def test_unlabelled_leaves_by_their_objects_named_by_their_variables() -> None:
    x = Node(3.0)
    y = (x * x).square()
    w = GraphWidget(y, sliders=[x], ranges={x: (-4, 4)})
    assert w.sliders == [{"id": 0, "label": "x", "min": -4.0, "max": 4.0, "step": 0.008, "initial": 3.0, "group": None}]
    w.set({x: 2.0})
    assert y.data == 16.0 and x.grad == 4 * 2.0**3  # their Node's backward, through _local_grad
    with pytest.raises(ValueError, match="is computed by '\\*', not a leaf"):
        w.set({y._parents[0]: 1.0})
    with pytest.raises(ValueError, match="is not in this graph"):
        w.set({Node(1.0): 1.0})


def test_closing_the_widget_lets_go_of_the_learners_graph() -> None:
    v = neuron()
    w = GraphWidget(v["o"])
    root = weakref.ref(v["o"])
    del v
    w.close()
    gc.collect()
    assert root() is None


def power_tower(x: float, k: float) -> livegrad.Value:
    """Control flow on an input: k decides the graph's shape."""
    v = livegrad.Value(x, label="x")
    out = v
    for _ in range(int(k)):
        out = out * v
    return out.tanh()


def test_from_function_rebuilds_on_every_move_and_lays_out_a_new_shape() -> None:
    w = GraphWidget.from_function(power_tower, x=0.5, k=(1, 0, 4))
    assert [(s["id"], s["label"], s["value"]) for s in w.sliders] == [(-1, "x", 0.5), (-2, "k", 1.0)]
    assert w.sliders[1]["min"] == 0.0 and w.sliders[1]["max"] == 4.0 and w.topology["replay"] is False
    shape = w.topology
    w._handle_custom_msg({"type": "set", "values": [[-1, 0.8]], "ack": "p:1"}, [])
    assert w.topology == shape and w.values["ack"] == "p:1"
    assert w.values["data"][-1] == math.tanh(0.8**2) and w.root.data == math.tanh(0.8**2)
    assert w.values["grad"][0] == pytest.approx(2 * 0.8 * (1 - math.tanh(0.8**2) ** 2))
    w._handle_custom_msg({"type": "set", "values": [[-2, 3.0]], "ack": "p:2"}, [])
    assert len(node_records(w.topology)) == len(node_records(shape)) + 2  # two more products: laid out again
    assert w.root.data == math.tanh(0.8 * 0.8 * 0.8 * 0.8) and w.sliders[1]["value"] == 3.0
    w.set(x=-1.0)
    assert w.root.data == math.tanh(1.0)
    with pytest.raises(ValueError, match=r"set: 'y' is not an input of this widget \(inputs: x, k\)"):
        w.set(y=1.0)
    w.check_gradients = True  # the input x is the leaf labelled x
    (check,) = w.gradient_check["leaves"]
    assert check["id"] == -1 and check["ok"]


def test_from_function_with_a_learners_engine() -> None:
    def build(x1: float, w1: float):
        return neuron_with(x1, w1)["o"]

    w = GraphWidget.from_function(build, x1=2.0, w1=-3.0)
    assert w.topology["learner"] is True
    w.set(x1=1.0)
    v = neuron_with(1.0, -3.0)
    v["o"].backward()
    assert w.root.data == v["o"].data
    x1 = next(i for i, node in enumerate(node_records(w.topology)) if node["label"] == "x1")
    assert w.values["grad"][x1] == v["x1"].grad


def neuron_with(x1: float, w1: float) -> dict:
    v = neuron()
    v["x1"].data, v["w1"].data = x1, w1
    foreign.evaluate(foreign.topological_order(v["o"]))
    return v


@pytest.mark.parametrize(
    ("call", "error", "complaint"),
    [
        (lambda: GraphWidget.from_function(3.0, x=1.0), TypeError, "build must be a function of the inputs"),
        (lambda: GraphWidget.from_function(power_tower), TypeError, "from_function needs at least one input"),
        (lambda: GraphWidget.from_function(power_tower, x="1", k=1), TypeError, "input 'x' must be a finite real"),
        (
            lambda: GraphWidget.from_function(power_tower, x=(1, 2), k=1),
            TypeError,
            "must be a number or (first, min, max)",
        ),
        (lambda: GraphWidget.from_function(power_tower, x=(5, 0, 1), k=1), ValueError, "need min <= first <= max"),
        (lambda: GraphWidget.from_function(lambda x: None, x=1.0), TypeError, "build returned None"),
    ],
)
def test_from_function_bad_input(call, error: type, complaint: str) -> None:
    with pytest.raises(error) as raised:
        call()
    assert complaint in str(raised.value)


def test_a_build_function_that_raises_is_shown_and_the_widget_keeps_working() -> None:
    w = GraphWidget.from_function(lambda x: livegrad.Value(1.0 / x, label="y") * 2, x=1.0)
    w._handle_custom_msg({"type": "set", "values": [[-1, 0.0]], "ack": "p:1"}, [])
    assert w.error == "Your build function raised ZeroDivisionError: float division by zero"
    assert w.values["ack"] == "p:1"
    w._handle_custom_msg({"type": "set", "values": [[-1, 4.0]], "ack": "p:2"}, [])
    assert w.error == "" and w.root.data == 0.5


def test_the_text_fallback_and_a_saved_page_of_a_learners_graph(tmp_path) -> None:
    class Tensor(Scalar):  # seed 004 keeps its number in .value
        def __init__(self, value, _children=(), _op="", label=""):
            super().__init__(value, _children, _op, label)
            self.value = self.__dict__.pop("data")

    x = Tensor(2.0, label="x")
    y = Tensor(x.value**2, (x,), "**2", label="y")
    y.backward()
    w = GraphWidget(y)
    assert repr(w) == "GraphWidget(y: data 4.0000, grad 1.0000, 2 values)"
    page = w.save_html(tmp_path / "learner.html").read_text(encoding="utf-8")
    assert '"learner":true,"replay":false' in page  # the saved page replays nothing of theirs
