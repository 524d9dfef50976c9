"""`livegrad.record()`: the user's own function calls become groups, nested and stacked, in any engine."""

from __future__ import annotations

import math

import pytest

import livegrad
from learner_engines import Slotted
from livegrad import GraphWidget, Value
from livegrad.graph import Graph
from livegrad.nn import Neuron
from records import node_records


def linear(x, w):
    return [sum((wi * xi for wi, xi in zip(row, x)), 0.0) for row in w]


def softmax(logits):
    top = max(v.data for v in logits)
    exps = [(v - top).exp() for v in logits]
    total = sum(exps, 0.0)
    return [e / total for e in exps]


def model(x, w1, w2):
    return softmax(linear([h.relu() for h in linear(x, w1)], w2))


def groups_of(root: object) -> list[tuple[str, str | None, int]]:
    """Each group: its name, its parent's name and which call of its function it is."""
    groups = Graph.of(root, named=False).topology()["groups"]
    return [(g["name"], None if g["parent"] is None else groups[g["parent"]]["name"], g["call"]) for g in groups]


@pytest.mark.parametrize("kind", [Value, Slotted], ids=["livegrad", "microgpt-shaped"])
def test_calls_become_nested_groups_and_repeated_calls_a_stack(kind: type) -> None:
    x = [kind(1.0), kind(-2.0)]
    w1 = [[kind(0.5), kind(-0.25)], [kind(0.75), kind(0.1)]]
    w2 = [[kind(1.0), kind(-1.0)], [kind(0.3), kind(0.2)]]
    with livegrad.record():
        probs = model(x, w1, w2)
        loss = -probs[0].log()
    assert groups_of(loss) == [
        ("model", None, 0),
        ("linear", "model", 0),
        ("linear", "model", 1),  # called twice inside model: a stack of two
        ("softmax", "model", 0),
    ]
    topology = Graph.of(loss, named=False).topology()
    names = [n["name"] for n in node_records(topology)]
    groups = topology["groups"]
    outputs = [[names[i] for i in g["outputs"]] for g in groups]
    assert len(outputs[0]) == 1 and len(outputs[3]) == 1  # model returned two probabilities; the graph uses one
    assert groups[1]["inputs"] == []  # x and w1 are leaves: members of the first linear, not its inputs
    assert [topology["columns"]["op"][i] for i in groups[2]["inputs"]] == ["relu", "relu"]  # the second's: computed


def test_the_leaves_a_function_reaches_are_its_members_and_computed_arguments_its_inputs() -> None:
    x = [Value(1.0, "x0"), Value(2.0, "x1")]
    w = [[Value(0.5, "w00"), Value(-1.0, "w01")]]
    with livegrad.record():
        hidden = [h.tanh() for h in x]
        (out,) = linear(hidden, w)
    topology = Graph.of(out, named=False).topology()
    nodes = node_records(topology)
    (group,) = topology["groups"]
    assert group["name"] == "linear"
    assert sorted(nodes[i]["name"] for i in group["inputs"]) == ["tanh(x0)", "tanh(x1)"]
    members = {n["name"] for n in nodes if n.get("group", -1) == 0}
    assert {"w00", "w01"} <= members and not {"x0", "x1", "tanh(x0)"} & members


NEURON = Neuron(2, seed=0, name="N")


def head(x):
    return NEURON(x).tanh()


def test_functions_and_modules_nest_inside_each_other() -> None:
    with livegrad.record():
        out = head([Value(1.0), Value(2.0)]) * 2
    assert groups_of(out) == [("head", None, 0), ("N", "head", 0)]


def test_recording_puts_the_functions_back_even_after_an_exception() -> None:
    original = softmax
    with pytest.raises(ZeroDivisionError), livegrad.record():
        assert softmax is not original  # wrapped for the block
        softmax([Value(1.0)])
        raise ZeroDivisionError
    assert softmax is original and globals()["softmax"] is original
    from livegrad import nn

    assert nn._open == []  # no call left open


def test_functions_defined_inside_functions_are_not_recorded() -> None:
    def inner(x):  # not in a module's namespace: nothing to replace it in
        return x * 2

    with livegrad.record():
        out = inner(Value(1.0))
    assert groups_of(out) == []


def test_engine_methods_and_comprehensions_are_not_groups() -> None:
    a = Slotted(2.0)
    with livegrad.record():
        out = (a * a).exp() + sum(v for v in [a])
    assert groups_of(out) == []


def test_the_widget_folds_by_function_and_names_the_groups() -> None:
    x = [Slotted(1.0), Slotted(-2.0)]
    w1 = [[Slotted(0.5), Slotted(-0.25)], [Slotted(0.75), Slotted(0.1)]]
    w2 = [[Slotted(1.0), Slotted(-1.0)], [Slotted(0.3), Slotted(0.2)]]
    with livegrad.record():
        probs = model(x, w1, w2)
        loss = -probs[0].log()
    w = GraphWidget(loss)
    assert [g["name"] for g in w.topology["groups"]] == ["model", "linear", "linear", "softmax"]
    w.expand("softmax")
    assert w.expanded == ["model", "softmax"]
    loss.backward()
    assert math.isfinite(x[0].grad)


def build(x):
    return softmax([Value(x), Value(2 * x)])[0]


def test_from_function_records_on_its_own() -> None:
    w = GraphWidget.from_function(build, x=1.0)
    assert [g["name"] for g in w.topology["groups"]] == ["softmax"]  # the functions build calls
    w.set(x=0.5)  # rebuilt from the page's message: recorded again, in build's own module
    assert [g["name"] for g in w.topology["groups"]] == ["softmax"]  # the functions build calls
    assert softmax.__name__ == "softmax" and softmax is globals()["softmax"]  # put back
