"""Engines in microgpt's shape (no op names, no labels, local derivatives stored as numbers): ops read
from the numbers, names from the caller's variables, stored locals stepped and checked, and the bugs
of their one backward() found at the node where they first show."""

from __future__ import annotations

import math

import pytest

from detector import SlottedAssigns, SlottedUnscaled
from learner_engines import Slotted, slotted_neuron
from livegrad import GraphWidget, Value, backward_trace, gradcheck
from livegrad.graph import Graph
from livegrad.infer import infer_op
from livegrad.ops import BUILTIN_OPS, power_of


def op_name(out: float, args: tuple[float, ...], stored: tuple[float, ...] | None = None) -> str | None:
    op = infer_op(out, args, stored)
    return None if op is None else op.name


@pytest.mark.parametrize(
    ("name", "x"), [("exp", 0.7), ("log", 2.5), ("tanh", -0.3), ("sigmoid", 1.2), ("relu", 1.5), ("neg", 2.0)]
)
def test_a_unary_op_is_read_from_its_numbers(name: str, x: float) -> None:
    op = BUILTIN_OPS[name]
    out = op.forward(x)
    assert op_name(out, (x,)) == name
    assert op_name(out, (x,), tuple(0.0 if d is None else d for d in op.locals_at((x,), out))) == name


@pytest.mark.parametrize("k", [2.0, 3.0, -1.0, 0.5, -0.5, 1.7])
def test_a_power_recovers_its_exponent_from_the_stored_local(k: float) -> None:
    x = 1.9
    out = x**k
    assert infer_op(out, (x,), (k * x ** (k - 1),)) is power_of(k)
    assert infer_op(1.0, (1.0,), (k,)) is power_of(k)  # at x = 1 every power gives 1: only the local tells


def test_a_power_without_locals_is_read_for_the_common_exponents_only() -> None:
    assert infer_op(1.9**-1, (1.9,), None) is power_of(-1.0)
    assert infer_op(1.9**1.7, (1.9,), None) is None  # an exponent nobody could guess from one number


def test_binary_ops_and_the_ambiguous_cases() -> None:
    assert op_name(5.0, (2.0, 3.0)) == "+" and op_name(6.0, (2.0, 3.0)) == "*"
    assert op_name(4.0, (2.0, 2.0)) is None  # 2 + 2 = 2·2: the numbers cannot tell
    assert op_name(4.0, (2.0, 2.0), (1.0, 1.0)) == "+" and op_name(4.0, (2.0, 2.0), (2.0, 2.0)) == "*"
    assert op_name(0.0, (0.0,), (1.0,)) == "tanh" and op_name(0.0, (0.0,), (0.0,)) is None  # relu or x**2 at 0
    assert op_name(-0.0, (0.0,), (-1.0,)) == "neg"
    assert op_name(7.0, (2.0,), (1.0,)) is None  # nothing livegrad knows makes 7 from 2


def test_the_lecture_neuron_in_microgpts_shape_reads_like_the_lecture() -> None:
    v = slotted_neuron()
    x1, w1, o = v["x1"], v["w1"], v["o"]
    graph = Graph.of(o)
    ops = {node.op for node in graph.order if node.inputs}
    assert ops == {"+", "*", "exp", "**-1"} and all(node.known for node in graph.order)
    names = dict(zip(graph.order, graph.names))
    assert [names[graph.node_of(v[k])] for k in ("x1", "w1", "b", "n", "e", "o")] == ["x1", "w1", "b", "n", "e", "o"]
    w = GraphWidget(o)
    assert [s["label"] for s in w.sliders] == ["x1", "w1", "x2", "w2", "b"]  # the graph's order
    assert "Value" not in str(w.topology["columns"]["op"]) and "?" not in w.topology["columns"]["op"]
    assert x1.grad == 0 and o.data == pytest.approx(math.sqrt(0.5))  # looking changed nothing
    w.set(x1=1.0)
    assert o.data == pytest.approx(math.tanh(1.0 * -3.0 + 6.8813735870195432), rel=1e-12)
    assert w1.grad == pytest.approx((1 - o.data**2) * 1.0, rel=1e-9)  # their backward, with fresh locals


def test_stepping_shows_the_stored_local_derivatives() -> None:
    x, w = Slotted(2.0), Slotted(-3.0)  # every stored local 1 % off: the steps show theirs, not livegrad's
    product = Slotted(-6.0, (x, w), (-3.0 * 1.01, 2.0 * 1.01))
    out = Slotted(math.exp(-6.0), (product,), (math.exp(-6.0) * 1.01,))
    steps = backward_trace(out)
    assert [[edge.local for edge in step.edges] for step in steps] == [
        [pytest.approx(math.exp(-6.0) * 1.01, rel=1e-12)],
        [-3.0 * 1.01, 2.0 * 1.01],
    ]


def test_gradcheck_judges_every_leaf_of_the_neuron_and_finds_nothing() -> None:
    v = slotted_neuron()
    v["o"].backward()
    report = gradcheck(v["o"])
    assert report.ok and not report.unjudged and len(report.checks) == 8  # five inputs, constants 2, -1 and 1
    assert all(c.judged for c in report.local_checks)


def test_a_wrong_stored_local_is_named_even_where_the_leaves_agree() -> None:
    class LogBug(Slotted):
        def log(self):
            return LogBug(math.log(self.data), (self,), (self.data,))  # should be 1 / self.data

    x, a = LogBug(3.0), LogBug(2.0)
    hidden = x.log() * 0  # its gradient never reaches x: the leaves' gradients agree
    root = a * a + hidden
    root.backward()
    report = gradcheck(root)
    assert all(c.ok for c in report.checks)
    (faulty,) = report.faulty_nodes
    assert faulty.op == "log" and faulty.obj is hidden._children[0]
    assert "the stored local derivative is 3, the op's derivative is 0.333333" in str(report)


def test_bugs_of_the_one_backward_are_named_at_the_node_where_they_first_show() -> None:
    x = SlottedAssigns(2.0)
    root = x * 3.0 + x * 5.0  # x feeds two values
    x_dup = x
    report = gradcheck(root)
    (faulty,) = report.faulty_nodes
    assert faulty.obj is x_dup and not report.ok
    assert "x.grad set with =, not +=" in [c.headline for c in report.local_checks if not c.ok]

    y = SlottedUnscaled(2.0)
    out = (y * 3.0) * 4.0
    report = gradcheck(out)
    # y·3 passes 3 to y and 2 to the constant 3, not 12 and 8: the first it meets going down is the constant
    assert [c.headline for c in report.local_checks if not c.ok] == ["3.grad not × v.grad"]


def test_moving_away_uses_the_ops_locals_and_coming_back_restores_theirs() -> None:
    v = slotted_neuron()
    e = v["e"]
    theirs = e._local_grads
    w = GraphWidget(v["o"])
    w.set(x1=1.0)
    assert e._local_grads[0] == pytest.approx(e.data, rel=1e-12) and e._local_grads is not theirs
    w.set(x1=2.0)
    assert e._local_grads is theirs  # where their engine built it: their own numbers, the very tuple


def test_names_reach_into_containers_and_prefer_a_path_through_a_dict() -> None:
    state_dict = {"wte": [[Slotted(0.1 * (i + j)) for j in range(3)] for i in range(4)]}
    params = [p for row in state_dict["wte"] for p in row]
    token = state_dict["wte"][2]
    loss = (token[0] * token[1] + token[2]).exp()
    graph = Graph.of(loss)
    labels = dict(zip(graph.order, graph.labels))
    names = dict(zip(graph.order, graph.names))
    first = graph.node_of(state_dict["wte"][2][0])
    assert labels[first] == "state_dict['wte'][2][0]" and names[first] == "wte[2][0]"
    assert labels[graph.root] == "loss"
    assert params  # (held too, by a flat list: the path through the dict wins)
    w = GraphWidget(loss)
    assert w.topology["columns"]["label"][graph.order.index(first)] == "state_dict['wte'][2][0]"
    w.set({"wte[2][0]": 0.5})  # the page's shorter form works as a key
    assert state_dict["wte"][2][0].data == 0.5


def test_a_label_wins_over_a_variable_and_private_names_are_skipped() -> None:
    a = Value(2.0, "alpha")
    _hidden = Value(3.0)
    out = a * _hidden
    names = Graph.of(out).names
    assert names == ["alpha", "3", "out"]


def test_a_huge_list_of_numbers_beside_the_graph_is_not_walked() -> None:
    numbers = [0.5] * 1_000_000
    rows = [[Slotted(1.0), Slotted(2.0)]]
    out = rows[0][0] * rows[0][1]
    assert Graph.of(out).labels == ["rows[0][0]", "rows[0][1]", "out"] and numbers


def test_microgpts_compositions_are_named_as_the_learner_wrote_them() -> None:
    a, b = Slotted(3.0), Slotted(2.0)
    names = Graph.of(((a - b) / (a + b)) + (-a) + (a - 1), named=False).names
    assert {"3 − 2", "(3 − 2) / (3 + 2)", "−3", "3 − 1"} <= set(names)
    assert not [n for n in names if "·(-1)" in n or "+ -" in n]  # never the composition itself
