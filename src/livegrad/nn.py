"""A tiny neural-network library on `Value`: the micrograd / "zero to hero" API, plus `Linear`.

Parameters are labelled by where they live (``L1.N0.w2`` is weight 2 of neuron 0 of layer 1,
counting from 0 like ``mlp.layers[1].neurons[0].w[2]``), so a drawn graph reads well.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Literal, Protocol

from .engine import Value, as_value

Activation = Literal["tanh", "relu", "sigmoid"] | None
ACTIVATIONS = ("tanh", "relu", "sigmoid", None)
Seed = int | random.Random | None  # None: the random module's global generator


class Uniform(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


def _rng(seed: Seed) -> Uniform:
    """The caller's generator, a fresh one from an int seed, or the `random` module itself."""
    if isinstance(seed, random.Random):
        return seed
    if seed is None or seed is random:  # the module: so random.seed(42) works, as in the seeds
        return random
    if isinstance(seed, int) and not isinstance(seed, bool):
        return random.Random(seed)
    raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}")


def _count(name: str, n: object) -> int:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"{name} must be a positive int, got {n!r}")
    return n


def _activation(activation: object) -> Activation:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    return activation  # type: ignore[return-value]


class Module:
    """Base class: a callable with parameters."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def forward(self, x: Sequence[Value]) -> Value | list[Value]:
        raise NotImplementedError

    def __call__(self, x: Sequence[Value | float] | Value) -> Value | list[Value]:
        """Inputs become Values once, here (a number: one shared constant), then `forward` runs."""
        if isinstance(x, Value):
            x = [x]
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
            raise TypeError(f"{type(self).__name__} input must be a list of Values or numbers, got {type(x).__name__}")
        return self.forward([as_value(xi, f"{type(self).__name__} input {i}") for i, xi in enumerate(x)])


class Neuron(Module):
    """``activation(w · x + b)``, with w and b drawn uniformly from [-1, 1]."""

    def __init__(self, nin: int, activation: Activation = "tanh", seed: Seed = None, name: str = ""):
        _count("nin", nin)
        self.activation = _activation(activation)
        rng = _rng(seed)
        prefix = f"{name}." if name else ""
        self.name = name
        self.w = [Value(rng.uniform(-1, 1), f"{prefix}w{i}") for i in range(nin)]
        self.b = Value(rng.uniform(-1, 1), f"{prefix}b")

    def forward(self, x: Sequence[Value]) -> Value:
        if isinstance(x, Value):  # the single output of a previous layer
            x = [x]
        if len(x) != len(self.w):
            raise ValueError(f"{self!r} takes {len(self.w)} inputs, got {len(x)}")
        act = self.b
        for wi, xi in zip(self.w, x):  # b + w0*x0 + w1*x1 + ..., as sum() would, without its generator
            act = act + wi * xi
        out = act if self.activation is None else getattr(act, self.activation)()
        out.label = self.name
        return out

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` independent neurons on the same inputs; a single output is returned unwrapped."""

    def __init__(self, nin: int, nout: int, activation: Activation = "tanh", seed: Seed = None, name: str = ""):
        _count("nout", nout)
        rng = _rng(seed)
        prefix = f"{name}." if name else ""
        self.neurons = [Neuron(nin, activation, rng, f"{prefix}N{j}") for j in range(nout)]

    def forward(self, x: Sequence[Value]) -> Value | list[Value]:
        outs = [n.forward(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(map(repr, self.neurons))}]"


class MLP(Module):
    """Layers of sizes ``nouts`` on ``nin`` inputs.

    ``activation`` applies to every layer (tanh, as in the lecture); with ``linear_output=True``
    the last layer has none (micrograd's demo: ``MLP(2, [16, 16, 1], "relu", linear_output=True)``).
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Activation = "tanh",
        linear_output: bool = False,
        seed: Seed = None,
    ):
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        rng = _rng(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], None if linear_output and i == last else activation, rng, f"L{i}")
            for i in range(len(nouts))
        ]

    def forward(self, x: Sequence[Value]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer.forward(x)  # type: ignore[assignment]
        return x  # type: ignore[return-value]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(map(repr, self.layers))}]"


class Linear(Module):
    """A fully connected layer, ``forward(x)`` style (like ``torch.nn.Linear``; no activation by default)."""

    def __init__(self, num_inputs: int, num_outputs: int, activation: Activation = None, seed: Seed = None):
        self.layer = Layer(num_inputs, num_outputs, activation, seed)

    def forward(self, x: Sequence[Value]) -> Value | list[Value]:
        return self.layer.forward(x)

    def parameters(self) -> list[Value]:
        return self.layer.parameters()

    def __repr__(self) -> str:
        return f"Linear({len(self.layer.neurons[0].w)}, {len(self.layer.neurons)})"
