"""The snapshots the page reads (graph.py): display names, each op's text once, masked edges as null."""

from __future__ import annotations

import json
import math

from livegrad import Op, Value
from livegrad.graph import Graph, display_names
from livegrad.ops import BUILTIN_OPS
from records import node_records
from seeds import seed_neuron


def names_of(root: Value) -> list[str]:
    return [node["name"] for node in node_records(Graph.of(root, named=False).topology())]  # formulas, not variables


def test_a_label_is_the_name_and_an_unlabelled_leaf_is_its_number() -> None:
    x = Value(1.5, "x")
    out = x * 2 + 0.5
    assert names_of(out) == ["x", "2", "x·2", "0.5", "x·2 + 0.5"]


def test_unlabelled_values_are_named_by_their_formula_in_their_inputs_names() -> None:
    x, w, b = Value(2.0, "x1"), Value(-3.0, "L1.N0.w2"), Value(1.0, "b")
    xw = x * w
    n = xw + b
    t = n.tanh()
    e = (t**2 - n).exp()
    out = e / (-n).relu().sigmoid()
    order = Graph.of(out).order
    names = dict(zip(order, display_names(order)))
    assert names[xw] == "x1·L1.N0.w2"  # simple names (a dotted label too) stand as they are
    assert names[n] == "x1·L1.N0.w2 + b"  # brackets only where the order of operations needs them
    assert names[t] == "tanh(x1·L1.N0.w2 + b)"
    assert names[out] == "(exp(…)) / sigmoid(rel…)"  # no more than two levels of brackets, cut to 24
    assert names[e] == "exp(tanh(x1·L1.N0.w2 …))"  # cut, its brackets closed


def test_names_of_a_small_graph_in_full() -> None:
    a, b = Value(3.0, "a"), Value(-2.0, "b")
    c = a**b
    d = -c
    e = a**2
    f = (d + e).log()
    assert [names_of(v)[-1] for v in (c, d, e, f)] == ["a**b", "−a**b", "a**2", "log(−a**b + a**2)"]
    assert names_of(a * -2.0)[-1] == "a·(-2)"  # a negative number is bracketed as an operand
    assert names_of((a + b) * (a - b))[-1] == "(a + b)·(a − b)" and names_of(a - (b - a))[-1] == "a − (b − a)"
    assert names_of((a * b) ** 2)[-1] == "(a·b)**2" and names_of(a ** (b * 2.0))[-1] == "a**(b·2)"


def test_no_name_has_more_than_two_levels_of_brackets() -> None:
    x = Value(0.5, "x")
    deep = x
    for _ in range(6):
        deep = (deep * 2.0 + 1.0).tanh()
    assert names_of(deep)[-1] == "tanh(tanh(…)·2 + 1)"
    assert max(name.count("(") - name.count("…") for name in names_of(deep)) <= 2


def test_running_sums_are_named_by_their_place() -> None:
    from livegrad.nn import MLP

    model = MLP(3, [2, 1], seed=0)
    loss = (model([1.0, 2.0, 3.0]) - 1) ** 2
    names = names_of(loss)
    assert "L0.N1 Σ[0..1]" in names and "L0.N1 Σ[0..2]" in names and "L1.N0 Σ[0..1]" in names
    assert names[-1] == "(L1.N0 − 1)**2"
    xs = [Value(float(i), f"x{i}") for i in range(4)]
    total = sum(x * x for x in xs)
    total.label = "total"
    named = names_of(total)
    assert named[-1] == "total" and "total Σ[0..1]" in named and "total Σ[0..2]" in named


def test_a_custom_op_without_formula_is_named_generically_and_sends_no_text() -> None:
    cube = Op("cube", 1, lambda a: a**3, lambda a, out: 3 * a * a)
    both = Op("both", 2, lambda a, b: a + 2 * b, lambda a, b, out: (1.0, 2.0))
    x = Value(2.0, "x")
    out = both(cube(x), x)
    topology = Graph.of(out, named=False).topology()
    assert [n["name"] for n in node_records(topology)] == ["x", "cube(x)", "both(cube(x), x)"]
    assert topology["ops"] == {"cube": {"formula": None, "locals": None}, "both": {"formula": None, "locals": None}}


def test_a_custom_op_may_give_its_text() -> None:
    square = Op("square", 1, lambda a: a * a, lambda a, out: 2 * a, formula="a²", local_text=("2a",))
    x = Value(3.0, "x")
    topology = Graph.of(square(x + 1)).topology()
    assert node_records(topology)[-1]["name"] == "(x + 1)²"
    assert topology["ops"]["square"] == {"formula": "a²", "locals": ["2a"]}


def test_topology_holds_each_op_of_the_graph_once_with_its_text() -> None:
    v = seed_neuron()
    out = v["o"] * v["o"] + v["o"] ** 2
    ops = Graph.of(out).topology()["ops"]
    assert list(ops) == ["*", "+", "tanh", "**2"]
    for name in ("*", "+", "tanh"):
        op = BUILTIN_OPS[name]
        assert ops[name] == {"formula": op.formula, "locals": list(op.local_text)}
    assert ops["**2"] == {"formula": "a**2", "locals": ["2·a"]}


def test_every_builtin_op_has_its_text() -> None:
    for name, op in BUILTIN_OPS.items():
        assert op.formula and "a" in op.formula, name
        assert op.local_text is not None and len(op.local_text) == op.arity, name


def test_a_masked_edge_is_sent_as_null() -> None:
    x, p, y = Value(-1.0, "x"), Value(2.0, "p"), Value(0.0, "y")
    flat, power, constant_power = x.relu(), p**y, x**0
    out = flat + power + constant_power
    graph = Graph.of(out)
    local = dict(zip(graph.order, graph.values()["local"]))
    assert local[flat] == [None]  # relu at x = -1: no gradient reaches x
    assert local[power] == [None, math.log(2.0)]  # p ** y: the base gets nothing where y == 0
    assert local[constant_power] == [None]  # x ** 0: the base gets nothing
    assert local[out] == [1.0, 1.0]
    sent = json.loads(json.dumps(graph.values(), allow_nan=False))
    assert sent["local"] == graph.values()["local"]
