"""micrograd's and seed 004's spellings of the nn API on livegrad, and clear errors for the rest."""

from __future__ import annotations

import random

import pytest

from livegrad import Value
from livegrad.nn import MLP, Layer, Linear, Neuron


def test_micrograd_mlp_exactly_same_weights_and_outputs() -> None:
    micrograd_nn = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    ours = MLP.micrograd(2, [16, 16, 1], seed=1337)
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert [layer.neurons[0].activation for layer in ours.layers] == ["relu", "relu", None]
    assert all(n.b.data == 0.0 for layer in ours.layers for n in layer.neurons)
    for x in ([1.0, -2.0], [0.3, 0.7], [-1.5, 0.25]):
        assert ours(x).data == theirs([*x]).data


def test_micrograd_keyword_nonlin() -> None:
    assert Neuron(3, nonlin=True, seed=0).activation == "relu"
    assert Neuron(3, nonlin=False, seed=0).activation is None
    assert {n.activation for n in Layer(2, 3, nonlin=False, seed=0).neurons} == {None}
    assert [layer.neurons[0].activation for layer in MLP(2, [3, 1], nonlin=True, seed=0).layers] == ["relu", "relu"]
    x = [1.0, -2.0, 0.5]
    linear, relu = Neuron(3, nonlin=False, seed=4), Neuron(3, nonlin=True, seed=4)
    pre = linear(x).data
    assert relu(x).data == max(pre, 0.0)


def test_the_seeds_tanh_stays_the_default() -> None:
    assert Neuron(2).activation == "tanh" and Layer(2, 2).neurons[1].activation == "tanh"
    assert MLP(3, [4, 4, 1]).layers[-1].neurons[0].activation == "tanh"
    assert Linear(3, 2).layer.neurons[0].activation is None  # torch.nn.Linear has none


def test_seed_004_non_linearity() -> None:
    assert Neuron(2, non_linearity=True).activation == "relu"  # seed 004: truthy means ReLU
    assert Neuron(2, non_linearity=None).activation is None
    assert Neuron(2, non_linearity="sigmoid").activation == "sigmoid"
    assert Linear(3, 2, non_linearity=True).layer.neurons[1].activation == "relu"  # its **kwargs reach Neuron


@pytest.mark.parametrize(
    ("make", "complaint"),
    [
        (lambda: Neuron(2, nonlinearity="relu"), "unexpected keyword argument 'nonlinearity': livegrad chooses"),
        (lambda: Layer(2, 2, act="relu"), "Layer() got an unexpected keyword argument 'act'"),
        (lambda: MLP(2, [1], "relu", nonlin=True), "give one of activation=, nonlin= or non_linearity="),
        (lambda: Neuron(2, nonlin=1), "nonlin must be True (ReLU) or False (linear), as in micrograd, got 1"),
    ],
)
def test_spellings_not_adopted_name_livegrads(make, complaint: str) -> None:
    with pytest.raises(TypeError) as error:
        make()
    assert complaint in str(error.value)
    if "unexpected" in complaint:
        assert "activation=" in str(error.value) and "nonlin=True/False" in str(error.value)


def test_zero_bias_draws_no_random_number() -> None:
    a = Neuron(3, seed=5, zero_bias=True)
    b = Neuron(3, seed=5)
    assert a.b.data == 0.0 and [w.data for w in a.w] == [w.data for w in b.w]
    assert isinstance(a([1.0, 2.0, 3.0]), Value)
