"""GraphWidget's traits and messages, without a browser: what the frontend sends, what it gets."""

from __future__ import annotations

import gc
import json
import math

import pytest

import livegrad.widget
from freed import freed
from livegrad import GraphWidget, Op, Value
from livegrad.graph import MAX_VALUES, Graph
from livegrad.nn import MLP
from records import node_records
from seeds import seed_neuron


def ids(widget: GraphWidget) -> dict[str, int]:
    return {node["label"]: i for i, node in enumerate(node_records(widget.topology)) if node["label"]}


def send(widget: GraphWidget, content: object) -> None:
    """What ipywidgets does with a custom message from the page."""
    widget._handle_custom_msg(content, [])


def test_topology_and_values_on_display() -> None:
    v = seed_neuron()
    w = GraphWidget(v["o"])
    nodes = node_records(w.topology)
    assert len(nodes) == 10 and w.topology["root"] == 9
    assert nodes[9] == {"label": "o", "name": "o", "op": "tanh", "inputs": [ids(w)["n"]]}
    assert w.topology["ops"] == {
        "*": {"formula": "a·b", "locals": ["b", "a"]},
        "+": {"formula": "a + b", "locals": ["1", "1"]},
        "tanh": {"formula": "tanh(a)", "locals": ["1 − out²"]},
    }
    assert sum(1 for node in nodes if node["op"]) == 5
    # Looking changes nothing: no backward ran, so the page is told the grads were never computed.
    assert w.values["grads_computed"] is False and set(w.values["grad"]) == {0.0}
    assert math.isclose(w.values["data"][9], 0.7071067811865476, rel_tol=1e-12)
    assert v["x1"].grad == 0.0
    # The page's "Run backward": the user asks, so their passes run and the grads arrive.
    send(w, {"type": "backward", "ack": "p:1"})
    assert w.values["grads_computed"] is True and w.values["ack"] == "p:1"
    assert math.isclose(w.values["grad"][ids(w)["x1"]], -1.5) and v["x1"].grad == pytest.approx(-1.5)
    # The page gets the topology as one JSON buffer: ipywidgets does not walk it, Jupyter does not encode it.
    sent = w.get_state("topology")["topology"]
    assert isinstance(sent, memoryview) and json.loads(bytes(sent)) == w.topology


def test_default_sliders_are_the_labelled_leaves_with_useful_ranges() -> None:
    x = Value(1.5, label="x")
    out = 2 * x + 1
    w = GraphWidget(out)
    assert [s["label"] for s in w.sliders] == ["x"]  # the constants 2 and 1 get none
    (spec,) = w.sliders
    assert spec["min"] < 0 < 1.5 < spec["max"] and spec["step"] > 0
    assert math.isclose((spec["min"] + spec["max"]) / 2, 1.5)


def test_sliders_and_ranges_by_label_or_value() -> None:
    v = seed_neuron()
    w = GraphWidget(v["o"], sliders=["x1", v["w1"]], ranges={"x1": (-1, 3), v["w1"]: (-4, 4, 0.5)})
    assert [(s["label"], s["min"], s["max"], s["step"]) for s in w.sliders] == [
        ("x1", -1.0, 3.0, 0.004),
        ("w1", -4.0, 4.0, 0.5),
    ]


def test_nn_sliders_are_the_inputs_then_the_parameters_module_by_module() -> None:
    model = MLP(2, [2, 1], seed=0)
    w = GraphWidget(model([1.0, -1.0]))
    labels = [s["label"] for s in w.sliders]
    assert labels[:2] == ["MLP input 0", "MLP input 1"]  # the call's inputs: numbers, named by their place
    assert sorted(labels[2:]) == sorted(p.label for p in model.parameters())
    neurons = ["L0.N0"] * 3 + ["L0.N1"] * 3 + ["L1.N0"] * 3  # in the order they ran, each neuron's together
    assert [label.rsplit(".", 1)[0] for label in labels[2:]] == neurons
    assert [s["group"] for s in w.sliders] == [None, None, *neurons]


def test_a_slider_message_updates_the_users_values_and_the_page() -> None:
    v = seed_neuron()
    w = GraphWidget(v["o"])
    send(w, {"type": "set", "values": [[ids(w)["x1"], 1.0]], "ack": "page:1"})
    assert v["x1"].data == 1.0
    want = math.tanh(1.0 * -3.0 + 0.0 + 6.8813735870195432)
    assert math.isclose(v["o"].data, want, rel_tol=1e-12)
    assert w.values["data"][ids(w)["o"]] == v["o"].data
    assert w.values["grad"][ids(w)["x1"]] == v["x1"].grad == pytest.approx(-3.0 * (1 - want**2))
    assert w.values["ack"] == "page:1" and w.error == ""


def test_a_burst_of_messages_ends_at_the_last_value() -> None:
    v = seed_neuron()
    w = GraphWidget(v["o"])
    x1 = ids(w)["x1"]
    for i in range(500):
        send(w, {"type": "set", "values": [[x1, -2 + i / 100]], "ack": f"page:{i}"})
    assert v["x1"].data == -2 + 499 / 100
    assert w.values["ack"] == "page:499"
    rebuilt = seed_neuron()
    rebuilt["x1"].data = -2 + 499 / 100
    rebuilt["o"].forward()
    assert v["o"].data == rebuilt["o"].data


def test_several_leaves_in_one_message() -> None:
    v = seed_neuron()
    w = GraphWidget(v["o"])
    send(w, {"type": "set", "values": [[ids(w)["x1"], 0.5], [ids(w)["w2"], 2.0]], "ack": "p:1"})
    assert (v["x1"].data, v["w2"].data) == (0.5, 2.0)


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ({"type": "set", "values": [[999, 1.0]], "ack": "p:1"}, "999 is not the id of a leaf with a slider"),
        ({"type": "set", "values": [[9, 1.0]], "ack": "p:1"}, "9 is not the id of a leaf with a slider"),
        ({"type": "set", "values": [["0", 1.0]], "ack": "p:1"}, "'0' is not the id of a leaf"),
        ({"type": "set", "values": [[0, "1.0"]], "ack": "p:1"}, "must be a finite number, got '1.0'"),
        ({"type": "set", "values": [[0, None]], "ack": "p:1"}, "must be a finite number, got None"),
        ({"type": "set", "values": [[0, True]], "ack": "p:1"}, "must be a finite number, got True"),
        ({"type": "set", "values": [[0, math.nan]], "ack": "p:1"}, "must be a finite number, got nan"),
        ({"type": "set", "values": [[0, math.inf]], "ack": "p:1"}, "must be a finite number, got inf"),
        ({"type": "set", "values": [[0]], "ack": "p:1"}, "must be [id, number]"),
        ({"type": "set", "values": [], "ack": "p:1"}, "'values' must be a non-empty list"),
        ({"type": "set", "ack": "p:1"}, "'values' must be a non-empty list"),
        ({"type": "drop_tables"}, "expected {'type': 'set'"),
        ("set x1 to 3", "expected {'type': 'set'"),
        (None, "expected {'type': 'set'"),
    ],
)
def test_malformed_messages_are_refused_and_the_widget_keeps_working(content, complaint: str) -> None:
    v = seed_neuron()
    w = GraphWidget(v["o"])
    before = dict(w.values)
    send(w, content)  # must not raise: an exception here would land in the notebook's output
    assert w.error.startswith("Refused a message from the page:") and complaint in w.error
    assert v["x1"].data == 2.0 and w.values["data"] == before["data"]
    send(w, {"type": "set", "values": [[ids(w)["x1"], 1.0]], "ack": "p:2"})
    assert w.error == "" and v["x1"].data == 1.0 and w.values["ack"] == "p:2"


@pytest.mark.parametrize(
    "state",
    [
        {"step": "abc"},
        {"step": None},
        {"mode": "sideways"},
        {"check_gradients": "yes please"},
        {"step": 1.5},
        {"rankdir": "up"},
    ],
)
def test_malformed_trait_updates_from_the_page_are_refused(state: dict) -> None:
    v = seed_neuron()
    w = GraphWidget(v["o"])
    w.set_state(state)  # what ipywidgets calls with the page's update; it must not raise
    assert w.error.startswith("Refused a message from the page:")
    assert (w.step, w.mode, w.check_gradients, w.rankdir) == (-1, "backward", False, "LR")
    w.set_state({"step": 3})
    assert w.step == 3


def test_a_refused_message_is_still_acknowledged() -> None:
    w = GraphWidget(seed_neuron()["o"])
    send(w, {"type": "set", "values": [[999, 1.0]], "ack": "p:7"})
    assert w.values["ack"] == "p:7"  # so the page sends what waited behind it


def test_set_and_refresh_from_python() -> None:
    v = seed_neuron()
    w = GraphWidget(v["o"])
    w.set(x1=0.5)
    assert v["x1"].data == 0.5 and w.values["data"][ids(w)["x1"]] == 0.5
    w.set({v["w1"]: 2.0})
    assert w.values["data"][ids(w)["w1"]] == 2.0
    v["b"].data = 0.0
    w.refresh()  # Python's Values at once; the page's may be held back a frame (see test_live_training)
    assert v["o"].data == math.tanh(0.5 * 2.0)
    w.refresh(ack="p:3")  # how a slider message is answered: sent at once
    assert w.values["data"][ids(w)["o"]] == math.tanh(0.5 * 2.0) and w.values["ack"] == "p:3"


def test_a_math_domain_error_shows_as_nan_and_recovers() -> None:
    x = Value(2.0, label="x")
    out = x.log() * 3
    w = GraphWidget(out)
    w.set(x=-1.0)
    assert w.values["data"][1] == "NaN" and w.values["grad"][0] == -3.0
    w.set(x=0.0)
    assert w.values["data"][1] == "-Infinity"
    w.set(x=2.0)
    assert w.values["data"][1] == math.log(2.0) and w.values["grad"][0] == 1.5


def test_closing_the_widget_releases_the_graph() -> None:
    v = seed_neuron()
    root = freed(v["o"])
    w = GraphWidget(v["o"])
    w.close()
    del v, w
    gc.collect()
    assert root()


def test_snapshot_survives_json() -> None:
    import json

    x = Value(0.0, label="x")
    out = x.log() + (x**-1) + 2 ** Value(3.0)
    graph = Graph.of(out)
    out.backward()
    text = json.dumps({"topology": graph.topology(), "values": graph.values()}, allow_nan=False)
    back = json.loads(text)
    assert back["values"]["data"][1] == "-Infinity"
    assert [repr(float(v)) for v in back["values"]["data"]] == [repr(v.data) for v in graph.order]


def test_a_graph_past_max_values_is_refused_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(livegrad.widget, "MAX_VALUES", 1000)
    x = Value(0.5, label="x")
    out = x
    for _ in range(2100):  # a constant, a product and a tanh each: 6,301 values
        out = (out * 1.0).tanh()
    w = GraphWidget(out)
    too_large = w.topology["too_large"]
    assert w.topology == {**Graph([]).topology(), "too_large": too_large}  # no node, op or group sent
    assert w.topology["columns"]["name"] == [] and w.topology["root"] == -1
    message = too_large["message"]
    assert too_large == {"values": 6301, "limit": 1000, "message": message}
    assert "more than 1,000 values" in message and "loss of one sample" in message
    assert w.sliders == [] and w.values == {"data": [], "grad": [], "grads_computed": False, "ack": None}
    assert x.grad == 0.0  # nothing ran over the refused graph
    assert "more than 1,000 values" in repr(w)
    with pytest.raises(ValueError, match="more than 1,000 values"):
        w.save_html("never.html")


def test_a_learners_graph_past_max_values_is_refused_while_walking_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from learner_engines import Node

    monkeypatch.setattr(livegrad.widget, "MAX_VALUES", 20)
    out = Node(1.0)
    for _ in range(30):
        out = out * Node(1.0)  # 61 nodes
    w = GraphWidget(out)
    assert w.topology["too_large"]["values"] == 21 and w.sliders == []


def test_a_graph_past_the_real_limit_is_refused() -> None:
    x = Value(0.5, label="x")
    out = x
    for _ in range(130_000):  # 260,001 values: past MAX_VALUES
        out = out * 1.0
    w = GraphWidget(out)
    assert w.topology["too_large"]["values"] == 260_001 > MAX_VALUES
    assert w.values == {"data": [], "grad": [], "grads_computed": False, "ack": None}


def test_sliders_carry_their_initial_values_and_reset_goes_through_the_kernel() -> None:
    v = seed_neuron()
    v["o"].backward()
    w = GraphWidget(v["o"])
    initial = {s["label"]: s["initial"] for s in w.sliders}
    assert initial == {"x1": 2.0, "w1": -3.0, "x2": 0.0, "w2": 1.0, "b": 6.8813735870195432}
    start = w.values
    send(w, {"type": "set", "values": [[ids(w)["x1"], -1.0], [ids(w)["b"], 0.0]], "ack": "p:1"})
    w.set(w2=3.0)
    assert {s["label"]: s["initial"] for s in w.sliders} == initial  # the specs do not follow the moves
    # The page's Reset: one set message with every slider leaf's initial value.
    send(w, {"type": "set", "values": [[s["id"], s["initial"]] for s in w.sliders], "ack": "p:2"})
    assert (v["x1"].data, v["b"].data, v["w2"].data) == (2.0, 6.8813735870195432, 1.0)
    assert w.values["data"] == start["data"] and w.values["grad"] == start["grad"]


def test_a_leaf_that_starts_non_finite_is_sent_as_json() -> None:
    x = Value(math.inf, label="x")
    w = GraphWidget(x * 2.0)
    assert w.sliders[0]["initial"] == "Infinity"


def test_gradient_check_marks_the_op_whose_local_derivative_is_wrong() -> None:
    from livegrad import Op

    cube = Op("cube", 1, lambda a: a**3, lambda a, out: 3 * a)  # wrong on purpose: 3 * a**2
    x = Value(1.5, label="x")
    c = cube(x)
    cx = c * x
    y = cx + x
    y.label = "y"
    w = GraphWidget(y)
    assert w.gradient_check == {"leaves": [], "locals": [], "summary": ""}
    w.check_gradients = True
    (leaf,) = w.gradient_check["leaves"]
    assert leaf["id"] == 0 and leaf["ok"] is False
    # y = x**4 + x, so dy/dx = 4·x**3 + 1 numerically; autograd, with the wrong local, says otherwise.
    assert math.isclose(leaf["numeric"], 4 * 1.5**3 + 1, rel_tol=1e-6)
    index = {value: i for i, value in enumerate(w._graph.order)}
    rows = {(r["node"], r["index"]): r for r in w.gradient_check["locals"]}
    assert set(rows) == {(index[c], 0), (index[cx], 0), (index[cx], 1), (index[y], 0), (index[y], 1)}
    failing = [r for r in w.gradient_check["locals"] if not r["ok"]]
    assert [(r["node"], r["input"]) for r in failing] == [(index[c], index[x])]
    assert failing[0]["autograd"] == 4.5 and math.isclose(failing[0]["numeric"], 3 * 1.5**2, rel_tol=1e-6)
    w.check_gradients = False
    assert w.gradient_check == {"leaves": [], "locals": [], "summary": ""}


def test_from_function_keeps_its_layout_when_only_a_constant_changes() -> None:
    w = GraphWidget.from_function(lambda x: (Value(x) * 3).tanh(), x=1.0)
    topology = w.topology
    w.set(x=0.5)
    assert w.topology is topology  # not laid out again: the unlabelled leaf's name is its number
    assert w.values["data"][-1] == pytest.approx(math.tanh(1.5))


def test_an_op_that_raises_in_check_gradients_is_reported_in_the_widget() -> None:
    def forward(a: float) -> float:
        if a > 5:
            raise ZeroDivisionError("too far")
        return a

    x = Value(4.9999999, "x")
    w = GraphWidget(Op("edge", 1, forward, lambda a, out: 1.0)(x))
    w.check_gradients = True
    assert "Check gradients: your op raised ZeroDivisionError" in w.error
    assert w.gradient_check == {"leaves": [], "locals": [], "summary": ""}
    assert x.data == 4.9999999


def test_close_lets_go_of_a_build_function() -> None:
    w = GraphWidget.from_function(lambda x: Value(x, "x") * 2, x=1.0)
    w.close()
    w.refresh()  # nothing rebuilt, nothing held
    assert w._graph.order == []


def test_the_sort_and_the_naive_order_are_stepped_to_their_own_ends() -> None:
    """`w.mode = "topo"` steps topo_trace's steps; `w.naive` steps the naive pass's, one per path."""
    from livegrad import naive_backward_trace, topo_trace

    x, y, b = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "b")
    a = x * y
    a.label = "a"
    d = a + a * b  # a is used twice: the naive pass calls its backward twice
    w = GraphWidget(d)
    w.mode, w.step = "topo", 1000
    assert w.step == len(topo_trace(d)) == 13
    w.mode = "backward"
    assert w.step == 3  # clamped to the right pass's steps
    w.naive, w.step = True, 1000
    assert w.step == len(naive_backward_trace(d).steps) == 4
    w.naive = False
    assert w.step == 3
    w.set_state({"mode": "topo", "step": 5})
    assert (w.mode, w.step, w.error) == ("topo", 5, "")


def test_present_asks_the_page_for_presenter_mode() -> None:
    w = GraphWidget(seed_neuron()["o"])
    assert w.presenting is False
    w.present()
    assert w.presenting is True
    w.set_state({"presenting": False})  # Escape in the page
    assert w.presenting is False
