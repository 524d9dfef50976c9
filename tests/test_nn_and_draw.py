"""The nn library (the lecture's and seed 004's API) and the static drawing."""

from __future__ import annotations

import random
import re
import shutil
import subprocess

import graphviz
import pytest

from livegrad import Value, draw_dot
from livegrad.nn import MLP, Layer, Linear, Module, Neuron
from oracles import assert_close, central_difference
from seeds import seed_neuron

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot not installed")


def test_mlp_is_callable_on_numbers_and_returns_a_single_value() -> None:
    model = MLP(3, [4, 4, 1], seed=0)
    out = model([2.0, 3.0, -1.0])
    assert isinstance(out, Value)
    assert len(model.parameters()) == 4 * 4 + 4 * 5 + 1 * 5
    layer_out = Layer(2, 3, seed=0)([1.0, Value(2.0)])
    assert isinstance(layer_out, list) and len(layer_out) == 3


def test_seeded_initialisation_is_deterministic() -> None:
    a = [p.data for p in MLP(3, [4, 1], seed=42).parameters()]
    b = [p.data for p in MLP(3, [4, 1], seed=random.Random(42)).parameters()]
    c = [p.data for p in MLP(3, [4, 1], seed=7).parameters()]
    assert a == b and a != c
    random.seed(5)
    d = [p.data for p in Neuron(3).parameters()]
    random.seed(5)
    assert d == [p.data for p in Neuron(3).parameters()]


def test_parameters_are_labelled_by_where_they_live() -> None:
    model = MLP(3, [4, 2], seed=0)
    labels = [p.label for p in model.parameters()]
    assert labels[:5] == ["L0.N0.w0", "L0.N0.w1", "L0.N0.w2", "L0.N0.b", "L0.N1.w0"]
    assert model.layers[1].neurons[0].w[2].label == "L1.N0.w2"
    assert [p.label for p in Neuron(2).parameters()] == ["w0", "w1", "b"]


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", None])
def test_activation_is_a_parameter(activation) -> None:
    neuron = Neuron(2, activation=activation, seed=1)
    out = neuron([0.5, -1.0])
    pre = sum((w.data * x for w, x in zip(neuron.w, [0.5, -1.0])), neuron.b.data)
    want = {"tanh": Value(pre).tanh(), "relu": Value(pre).relu(), "sigmoid": Value(pre).sigmoid()}
    assert out.data == (want[activation].data if activation else pre)
    assert out.op == (activation or "+")


def test_linear_output_follows_micrograd() -> None:
    model = MLP(2, [16, 16, 1], activation="relu", linear_output=True, seed=0)
    assert [layer.neurons[0].activation for layer in model.layers] == ["relu", "relu", None]


def test_mlp_gradients_match_finite_differences() -> None:
    model = MLP(2, [3, 1], seed=3)
    params = model.parameters()
    x = [0.4, -0.9]
    loss = (model(x) - 0.5) ** 2
    loss.backward()
    start = [p.data for p in params]

    def f(values: list[float]) -> float:
        for p, v in zip(params, values):
            p.data = v
        return ((model(x) - 0.5) ** 2).data

    for i, p in enumerate(params):
        assert_close(p.grad, central_difference(f, start, i), what=p.label)


def test_zero_grad_and_a_training_step_lower_the_loss() -> None:
    model = MLP(3, [4, 4, 1], seed=1)
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    losses = []
    for _ in range(20):
        loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
        model.zero_grad()
        assert all(p.grad == 0.0 for p in model.parameters())
        loss.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad
        losses.append(loss.data)
    assert losses[-1] < losses[0] / 4


def test_linear_and_module_follow_seed_004() -> None:
    layer = Linear(3, 2, seed=0)
    assert isinstance(layer, Module) and len(layer.parameters()) == 8
    out = layer.forward([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(Linear(3, 1, activation="relu", seed=0)([1.0, 2.0, 3.0]), Value)
    assert Module().parameters() == []


def seed_neuron_drawn() -> Value:
    o = seed_neuron()["o"]
    o.backward()
    return o


def test_draw_dot_returns_a_digraph_in_the_seeds_style() -> None:
    dot = draw_dot(seed_neuron_drawn())
    assert isinstance(dot, graphviz.Digraph) and dot.format == "svg"
    source = dot.source
    assert "rankdir=LR" in source
    assert re.search(r'v\d+ \[label="\{o\|data 0\.7071\|grad 1\.0000\}" shape=record\]', source)
    assert re.search(r'label="\{x1\|data 2\.0000\|grad -1\.5000\}"', source)
    assert source.count("shape=record") == 10 and source.count("op [label=") == 5
    assert source.count("->") == 14


def test_draw_dot_names_are_stable_across_runs() -> None:
    assert draw_dot(seed_neuron_drawn()).source == draw_dot(seed_neuron_drawn()).source


def test_draw_dot_handles_deep_graphs_without_recursion() -> None:
    x = Value(1.0)
    for _ in range(5000):
        x = x * 1.0001
    assert draw_dot(x).source.count("shape=record") == 5001 * 2 - 1


HOSTILE_LABELS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '| { } < > " \\',
    "a\\nb\\l",
    "two  spaces",
    "ünïcødé ∂L/∂w 🙂",
    "x" * 300,
]


@needs_dot
@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_draw_dot_renders_labels_literally(label: str) -> None:
    a = Value(1.0, label=label)
    out = a * 2
    out.label = label
    svg = subprocess.run(["dot", "-Tsvg"], input=draw_dot(out).source, capture_output=True, text=True, check=True)
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg.stdout)
    unescaped = [
        t.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&amp;", "&")
        .replace("&#160;", " ")
        .replace("&#45;", "-")
        for t in texts
    ]
    assert unescaped.count(label) == 2, unescaped
    assert "<script" not in svg.stdout and "<img" not in svg.stdout
