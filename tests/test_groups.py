"""Module calls recorded by livegrad.nn and sent as the topology's groups (issue 11), without a browser."""

from __future__ import annotations

import gc
from array import array

import pytest

from freed import freed
from learner_engines import neuron
from livegrad import GraphWidget, Op, Value
from livegrad.datasets import svm_loss, two_moons
from livegrad.graph import BINARY_VALUES, Graph
from livegrad.nn import MLP, Layer, Linear, Module, Neuron
from records import node_records
from seeds import seed_neuron


def members(topology: dict) -> dict[str, set[str]]:
    """Per group name (calls of one name merged), the display names of the values it holds itself."""
    found: dict[str, set[str]] = {}
    for node in node_records(topology):
        if "group" in node:
            found.setdefault(topology["groups"][node["group"]]["name"], set()).add(node["name"])
    return found


def brute_force_groups(topology: dict) -> list[int]:
    """The innermost group of each node, from the definition, by sets: a call holds what is reachable
    backwards from its outputs, stopping at its inputs; the innermost call holding a node wins (for
    values several sibling calls reach, such as a module's parameters, the first of them)."""
    nodes, groups = node_records(topology), topology["groups"]

    def depth(g: int) -> int:
        return 0 if groups[g]["parent"] is None else 1 + depth(groups[g]["parent"])

    reach: list[set[int]] = []
    for group in groups:
        seen: set[int] = set()
        todo = [i for i in group["outputs"] if i not in group["inputs"]]
        while todo:
            i = todo.pop()
            if i not in seen:
                seen.add(i)
                todo += [j for j in nodes[i]["inputs"] if j not in group["inputs"]]
        reach.append(seen)
    innermost = []
    for i in range(len(nodes)):
        holders = [g for g, seen in enumerate(reach) if i in seen]
        innermost.append(max(holders, key=lambda g: (depth(g), -g)) if holders else -1)
    return innermost


def test_nested_calls_of_mlp_layer_and_neuron_are_groups_with_their_values() -> None:
    model = MLP(2, [2, 1], seed=0)
    out = model([1.0, -1.0])
    topology = Graph.of(out).topology()
    groups = topology["groups"]
    shape = [(g["name"], g["kind"], g["parent"], g["call"]) for g in groups]
    assert shape == [
        ("MLP", "MLP", None, 0),
        ("L0", "Layer", 0, 0),
        ("L0.N0", "Neuron", 1, 0),
        ("L0.N1", "Neuron", 1, 0),
        ("L1", "Layer", 0, 0),
        ("L1.N0", "Neuron", 4, 0),
    ]
    assert len({g["module"] for g in groups}) == 6  # six distinct module objects
    nodes = node_records(topology)
    names = [n["name"] for n in nodes]
    # Unlabelled inputs are named by their place in the call, as their sliders are.
    assert [names[i] for i in groups[0]["inputs"]] == ["MLP input 0", "MLP input 1"]
    assert groups[0]["outputs"] == [topology["root"]]
    assert [names[i] for i in groups[4]["outputs"]] == ["L1.N0"]  # a layer of one neuron returns it unwrapped
    assert [names[i] for i in groups[1]["outputs"]] == ["L0.N0", "L0.N1"]
    held = members(topology)
    assert set(held) == {"L0.N0", "L0.N1", "L1.N0"}  # every value sits in its innermost call: the neurons
    assert {"L0.N0.w0", "L0.N0.w1", "L0.N0.b", "L0.N0"} <= held["L0.N0"]
    assert all(("group" in n) == (not n["name"].startswith("MLP input")) for n in nodes)  # the inputs stay at top level
    assert [n.get("group", -1) for n in nodes] == brute_force_groups(topology)
    parameters = {p.label for p in model.parameters()}
    assert {n["label"] for n in nodes if n.get("shared")} == parameters


def test_a_batch_through_one_model_is_a_stack_of_calls_sharing_the_parameters() -> None:
    model = MLP(2, [3, 1], "relu", linear_output=True, seed=1)
    points, labels = two_moons(4)
    loss = svm_loss(model, points, labels)
    topology = Graph.of(loss).topology()
    groups, nodes = topology["groups"], node_records(topology)
    tops = [g for g in groups if g["parent"] is None]
    assert [(g["name"], g["call"], g["module"]) for g in tops] == [("MLP", k, 0) for k in range(4)]
    # Each call holds its own values; the parameters are the first call's, marked shared.
    firsts = {i for i, g in enumerate(groups) if tops[0] is g or _inside(groups, i, groups.index(tops[0]))}
    for node in nodes:
        if node["label"] in {p.label for p in model.parameters()}:
            assert node.get("shared") and node["group"] in firsts
    n3 = [i for i, g in enumerate(groups) if g["name"] == "L0.N2"]
    assert [groups[i]["call"] for i in n3] == [0, 0, 0, 0]  # once per MLP call
    assert [_top(groups, i) for i in n3] == [groups.index(t) for t in tops]
    assert [n.get("group", -1) for n in nodes] == brute_force_groups(topology)


def _top(groups: list[dict], g: int) -> int:
    while groups[g]["parent"] is not None:
        g = groups[g]["parent"]
    return g


def _inside(groups: list[dict], g: int, outer: int) -> bool:
    while groups[g]["parent"] is not None:
        g = groups[g]["parent"]
        if g == outer:
            return True
    return False


class Block(Module):
    """A user's module, torch style: forward, two layers, and a value computed in the block itself."""

    def __init__(self) -> None:
        self.first = Linear(2, 2, seed=3)
        self.second = Linear(2, 1, seed=4)

    def forward(self, x: list[Value]) -> Value:
        hidden = self.first(x)
        doubled = [2 * h for h in hidden]  # the block's own values
        return self.second(doubled)

    def parameters(self) -> list[Value]:
        return self.first.parameters() + self.second.parameters()


class MicroNeuron(Module):
    """micrograd's Neuron subclassing livegrad's Module: __call__ instead of forward, numbers in."""

    def __init__(self, nin: int) -> None:
        self.w = [Value(0.5 * (i + 1)) for i in range(nin)]
        self.b = Value(0.1)

    def __call__(self, x: list[float]) -> Value:
        return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]


class Both(Module):
    """__call__ that runs forward: one call, not two."""

    def __init__(self) -> None:
        self.inner = Neuron(1, seed=0, name="inner")

    def __call__(self, x: list[Value]) -> Value:
        return self.forward(x)

    def forward(self, x: list[Value]) -> Value:
        return self.inner(x) * 3


def test_a_users_subclasses_are_groups_named_by_class_with_suffixes_for_namesakes() -> None:
    block = Block()
    out = block([Value(1.0, "x0"), Value(2.0, "x1")])
    topology = Graph.of(out).topology()
    shape = [(g["name"], g["kind"], g["parent"]) for g in topology["groups"]]
    assert shape == [
        ("Block", "Block", None),
        ("Linear", "Linear", 0),
        ("Layer", "Layer", 1),
        ("N0", "Neuron", 2),
        ("N1", "Neuron", 2),
        ("Linear#2", "Linear", 0),  # another Linear under the same call: numbered in call order
        ("Layer", "Layer", 5),
        ("N0", "Neuron", 6),
    ]
    assert members(topology)["Block"] == {"2·N0", "2·N1", "2"}  # its own products and their constant
    assert [n.get("group", -1) for n in node_records(topology)] == brute_force_groups(topology)


def test_micrograd_style_call_and_a_call_that_runs_forward_are_recorded_once() -> None:
    neuron = MicroNeuron(2)
    out = neuron([1.0, 2.0])  # numbers in: the constants it makes are its own values
    topology = Graph.of(out).topology()
    assert [(g["name"], g["inputs"], g["outputs"]) for g in topology["groups"]] == [
        ("MicroNeuron", [], [topology["root"]])
    ]
    assert all(n.get("group") == 0 for n in node_records(topology))
    both = Both()
    topology = Graph.of(both([Value(1.0, "x")])).topology()
    assert [(g["name"], g["parent"]) for g in topology["groups"]] == [("Both", None), ("inner", 0)]


def test_super_forward_in_a_subclass_is_one_call() -> None:
    class Scaled(Neuron):
        def forward(self, x: list[Value]) -> Value:
            return super().forward(x) * 2

    out = Scaled(2, seed=0, name="S")([1.0, 2.0])
    assert [g["name"] for g in Graph.of(out).topology()["groups"]] == ["S"]


def test_names_stay_the_same_across_calls_of_the_parent() -> None:
    class Twice(Module):
        def __init__(self) -> None:
            self.a, self.b = Neuron(1, seed=0), Neuron(1, seed=1)

        def forward(self, x: list[Value]) -> Value:
            return self.a(x) + self.b(x)

    twice = Twice()
    out = twice([1.0]) * twice([2.0])
    groups = Graph.of(out).topology()["groups"]
    assert [(g["name"], g["parent"], g["call"]) for g in groups] == [
        ("Twice", None, 0),
        ("Neuron", 0, 0),
        ("Neuron#2", 0, 0),
        ("Twice", None, 1),
        ("Neuron", 3, 0),
        ("Neuron#2", 3, 0),
    ]


def test_a_forward_that_raises_leaves_no_call_open() -> None:
    layer = Layer(2, 1, seed=0, name="L")
    with pytest.raises(ValueError, match="takes 2 inputs"):
        layer([1.0])
    out = Neuron(1, seed=0, name="N")([1.0])
    assert [(g["name"], g["parent"]) for g in Graph.of(out).topology()["groups"]] == [("N", None)]


def test_recording_keeps_no_graph_alive() -> None:
    model = MLP(2, [2, 1], seed=0)
    gc.disable()
    try:
        out = model([1.0, 2.0])
        hidden = freed(out._a)
        del out
        assert hidden()  # freed by reference counting alone: recording made no cycle
    finally:
        gc.enable()


def test_graphs_without_modules_and_learner_graphs_have_no_groups() -> None:
    assert Graph.of(seed_neuron()["o"]).topology()["groups"] == []
    topology = Graph.of(neuron()["o"]).topology()  # a learner's own engine
    assert topology["groups"] == [] and not any("group" in n for n in node_records(topology))


def test_values_of_a_big_graph_are_float64_buffers_and_locals_only_when_the_page_cannot_replay() -> None:
    x = Value(0.5, "x")
    out = x
    for _ in range(BINARY_VALUES):
        out = out * 1.0001
    out.backward()
    w = GraphWidget(out)
    data, grad = array("d"), array("d")
    data.frombytes(w.values["data"])
    grad.frombytes(w.values["grad"])
    order = Graph.of(out).order
    assert list(data) == [v.data for v in order] and list(grad) == [v.grad for v in order]
    assert "local" not in w.values  # the page replays the ops itself
    cube = Op("cube", 1, lambda a: a**3, lambda a, out: 3 * a * a)
    assert "local" in GraphWidget(cube(x)).values  # an op of the user's own: the page needs the kernel's


def test_the_demo_loss_opens_with_a_stack_of_a_hundred_calls() -> None:
    model = MLP(2, [16, 16, 1], "relu", linear_output=True, seed=1337)
    loss = svm_loss(model, *two_moons(100))
    w = GraphWidget(loss)
    topology = w.topology
    assert len(node_records(topology)) == 65_818
    groups = topology["groups"]
    assert len(groups) == 100 * (1 + 3 + 33)
    assert [g["call"] for g in groups if g["parent"] is None] == list(range(100))
    assert isinstance(w.values["data"], bytes) and len(w.values["data"]) == 8 * 65_818
    specs = w.sliders
    assert [s["label"] for s in specs[:2]] == ["MLP input 0", "MLP input 1"]
    assert len(specs) == 2 + len(model.parameters()) and specs[2]["group"] == "L0.N0"
    w.pick("MLP", 17)
    w.expand("L1.N3")
    assert w.expanded == ["MLP", "L1", "L1.N3"] and w.picks == {"MLP": 17}


def test_expand_collapse_and_pick_from_python() -> None:
    model = MLP(2, [2, 1], seed=0)
    points = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    out = sum(model(p) for p in points)
    w = GraphWidget(out)
    assert w.expanded is None and w.picks == {}  # the page chooses its default view and writes it back
    w.expand("L0.N1")
    assert w.expanded == ["MLP", "L0", "L0.N1"]  # what encloses it too, so it becomes visible
    w.expand("L1")
    w.collapse("L0")
    assert w.expanded == ["MLP", "L0.N1", "L1"]  # the neuron keeps its state inside the folded layer
    w.pick("MLP", 2)
    assert w.picks == {"MLP": 2}
    top = w.topology["root"]
    w.expand(f"#{top}")  # a Σ chain, by the id of its top node
    assert w.expanded[-1] == f"#{top}"
    with pytest.raises(ValueError, match=r"no group named 'L9': groups are named by module, as MLP, L0, L0.N0"):
        w.expand("L9")
    with pytest.raises(ValueError, match="no group named '#0'"):
        w.collapse("#0")  # a leaf, not a sum
    with pytest.raises(ValueError, match=r"'L0' is not a stack .*stacks: MLP"):
        w.pick("L0", 0)
    with pytest.raises(ValueError, match="'MLP' has calls 0 to 2, got 3"):
        w.pick("MLP", 3)
    with pytest.raises(TypeError, match="a group is named by a str"):
        w.expand(3)  # type: ignore[arg-type]


def test_the_page_writes_the_view_state_and_a_malformed_one_is_refused() -> None:
    w = GraphWidget(MLP(2, [2, 1], seed=0)([1.0, 2.0]))
    w.set_state({"expanded": ["MLP", "L1"], "picks": {}})
    assert w.expanded == ["MLP", "L1"] and w.error == ""
    w.set_state({"picks": {"MLP": "seven"}})
    assert w.picks == {} and w.error.startswith("Refused a message from the page")


def test_only_the_calls_holding_values_of_the_graph_are_groups() -> None:
    layer = Layer(2, 3, seed=0, name="L")
    second = layer([1.0, 2.0])[1]  # the graph of one neuron's output: its siblings' calls hold nothing of it
    topology = Graph.of(second * 2).topology()
    assert [(g["name"], g["parent"], g["outputs"]) for g in topology["groups"]] == [
        ("L", None, [topology["root"] - 2]),
        ("L.N1", 0, [topology["root"] - 2]),
    ]


def test_forward_of_no_argument_or_several_is_recorded_with_what_it_received() -> None:
    class Bias(Module):
        def __init__(self) -> None:
            self.b = Value(0.5, "bias")

        def forward(self) -> Value:
            return self.b * 1.0

    class Mix(Module):
        def forward(self, a: Value, b: Value, *, weight: Value) -> Value:
            return a * weight + b

    a, weight = Value(1.0, "a"), Value(3.0, "weight")
    out = Mix().forward(a, Bias().forward(), weight=weight)  # (Module.__call__ takes one input)
    topology = Graph.of(out).topology()
    names = [n["name"] for n in node_records(topology)]
    shape = [(g["name"], [names[i] for i in g["inputs"]]) for g in topology["groups"]]
    assert shape == [("Bias", []), ("Mix", ["a", "bias·1", "weight"])]


def test_a_layer_holding_a_users_neuron_records_each_neuron_once() -> None:
    class Scaled(Neuron):
        def forward(self, x: list[Value]) -> Value:
            return super().forward(x) * 2

    layer = Layer(2, 2, seed=0, name="L")
    layer.neurons[1] = Scaled(2, seed=1, name="L.S")  # not livegrad's own Neuron: recorded on its own
    out = layer([1.0, 2.0])
    topology = Graph.of(out[0] + out[1], named=False).topology()  # named by formula, not by the variable out
    names = [n["name"] for n in node_records(topology)]
    shape = [(g["name"], g["parent"], [names[i] for i in g["outputs"]]) for g in topology["groups"]]
    assert shape == [("L", None, ["L.N0", "L.S·2"]), ("L.N0", 0, ["L.N0"]), ("L.S", 0, ["L.S·2"])]
    assert [n.get("group", -1) for n in node_records(topology)] == brute_force_groups(topology)
