"""A tiny neural-network library on `Value`: the micrograd / "zero to hero" API, plus `Linear`.

Parameters are labelled by where they live (``L1.N0.w2`` is weight 2 of neuron 0 of layer 1,
counting from 0 like ``mlp.layers[1].neurons[0].w[2]``), so a drawn graph reads well.

The activation is livegrad's ``activation=`` ("tanh", the lecture's and the default; "relu",
"sigmoid" or None). Code written for micrograd may say ``nonlin=True`` (ReLU) or ``False``
(linear), and seed 004's ``non_linearity=`` (truthy: ReLU) works too. `MLP.micrograd` builds
micrograd's own MLP exactly.

Every call of a `Module` is recorded as a `Call` (the module, what it received, what it returned,
the call it ran in), so that a drawing can fold it into one group: MLP > layer > neuron. The cost
is per module call, never per value: a value returned by a call points to it (`Value._call`).
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Callable, Sequence
from typing import Literal, Protocol, TypeVar

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


_UNSET = object()  # `activation` not given: micrograd's or seed 004's keyword may choose


def _activation(owner: str, activation: object, options: dict[str, object], default: Activation = "tanh") -> Activation:
    """livegrad's activation from ``activation=`` or one of the other tutorials' keywords."""
    if unknown := sorted(set(options) - {"nonlin", "non_linearity"}):
        raise TypeError(
            f"{owner}() got an unexpected keyword argument {unknown[0]!r}: livegrad chooses the activation with "
            f"activation= (one of {ACTIVATIONS}), or micrograd's nonlin=True/False"
        )
    if len(options) + (activation is not _UNSET) > 1:
        raise TypeError(f"{owner}(): give one of activation=, nonlin= or non_linearity=, not several")
    if "nonlin" in options:
        if not isinstance(options["nonlin"], bool):
            raise TypeError(f"nonlin must be True (ReLU) or False (linear), as in micrograd, got {options['nonlin']!r}")
        return "relu" if options["nonlin"] else None
    if "non_linearity" in options:  # seed 004: any truthy value means ReLU
        choice = options["non_linearity"]
        return choice if isinstance(choice, str) and choice in ACTIVATIONS else ("relu" if choice else None)
    if isinstance(activation, bool):  # micrograd's nonlin given by position: Neuron(3, False), Layer(3, 4, True)
        return "relu" if activation else None
    activation = default if activation is _UNSET else activation
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    return activation  # type: ignore[return-value]


class Call:
    """One call of a module, as recorded for drawing it as a group (graph.py reads these).

    It holds what the module received (upstream of its outputs), the calls made inside it, and
    its returned Values by id only, so no reference cycle forms: a graph is still freed the moment
    it is dropped. A returned value points here through its ``_call`` slot, set by the outermost
    call that returned it (a neuron's output, returned by its layer too, points to the layer's
    call); the calls inside are reached through `children`. Made by `_recorded`, field by field.

    A `Layer` runs its neurons without a record each (one would cost more than the neuron's own
    sum): its call's `parts` are those neurons, neuron i having received what the layer received
    and returned the layer's output i.
    """

    __slots__ = ("children", "module", "outputs", "parts", "received", "seq")

    module: Module
    received: object  # its one argument, or a tuple of them all
    children: list[Call] | None  # the calls made inside this one, in order (None: none)
    parts: list[Module] | None  # modules it ran unrecorded, one per output (a layer's neurons)
    outputs: int | tuple[int, ...]  # the id of the Value it returned, or of each Value it returned
    seq: int  # calls start in this order: parents before their children


def values_in(x: object) -> list[Value]:
    """The Values in `x`: a Value, or lists and tuples of them (nested), in order; nothing else.
    (A list of Values only is returned itself: don't change it.)"""
    if isinstance(x, Value):
        return [x]
    if type(x) is list and set(map(type, x)) == {Value}:  # a layer's outputs: checked without a Python loop
        return x
    found: list[Value] = []
    if isinstance(x, (list, tuple)):
        for item in x:
            if isinstance(item, Value):
                found.append(item)
            else:
                found += values_in(item)
    return found


_new = object.__new__
_next_seq = itertools.count().__next__
_NOTHING = object()  # no argument given: a forward() that takes none


def _arguments(x: object, more: tuple[object, ...]) -> tuple[object, ...]:
    return more if x is _NOTHING else (x, *more)


_open: list[Call] = []  # the module calls running now, innermost last
Method = TypeVar("Method", bound=Callable[..., object])


def _recorded(method: Method) -> Method:
    """`method` (a module's ``forward`` or ``__call__``), recording each call as a `Call`."""

    @functools.wraps(method)
    def recorded(self: Module, x: object = _NOTHING, /, *more: object, **options: object) -> object:
        # One argument, ``forward(x)``, is passed on as it is: spreading *args and **kwargs would
        # cost more than the rest of the recording.
        alone = x is not _NOTHING and not more and not options
        parent = _open[-1] if _open else None
        if parent is not None and parent.module is self:  # __call__ running forward: one call
            return method(self, x) if alone else method(self, *_arguments(x, more), **options)
        call = _new(Call)  # no __init__: its frame would cost as much again
        call.module, call.children, call.parts, call.seq = self, None, None, _next_seq()
        call.received = x if alone else (*_arguments(x, more), *options.values())
        if parent is not None:
            if parent.children is None:
                parent.children = [call]
            else:
                parent.children.append(call)
        _open.append(call)
        try:
            out = method(self, x) if alone else method(self, *_arguments(x, more), **options)
        finally:
            _open.pop()
        if type(out) is Value:  # the common case, a neuron's output, without building a list
            out._call = call
            call.outputs = id(out)
        else:
            returned = values_in(out)
            for value in returned:
                value._call = call
            call.outputs = tuple(map(id, returned))
        return out

    return recorded  # type: ignore[return-value]


class Module:
    """Base class: a callable with parameters.

    A subclass's ``forward`` (or its own ``__call__``, micrograd style) is recorded on every call,
    so drawings can fold the call into a group named after the module (see `Call`).
    """

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("forward", "__call__"):
            if name in cls.__dict__:
                setattr(cls, name, _recorded(cls.__dict__[name]))

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
    """``activation(w · x + b)``, with w and b drawn uniformly from [-1, 1] (b = 0, drawing nothing,
    with ``zero_bias=True``, as micrograd does)."""

    def __init__(
        self,
        nin: int,
        activation: Activation | object = _UNSET,
        seed: Seed = None,
        name: str = "",
        *,
        zero_bias: bool = False,
        **options: object,
    ):
        _count("nin", nin)
        self.activation = _activation("Neuron", activation, options)
        rng = _rng(seed)
        prefix = f"{name}." if name else ""
        self.name = name
        self.w = [Value(rng.uniform(-1, 1), f"{prefix}w{i}") for i in range(nin)]
        self.b = Value(0.0 if zero_bias else rng.uniform(-1, 1), f"{prefix}b")

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


_neuron_forward = Neuron.forward.__wrapped__  # type: ignore[attr-defined]  # its forward, unrecorded


class Layer(Module):
    """``nout`` independent neurons on the same inputs; a single output is returned unwrapped."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: Activation | object = _UNSET,
        seed: Seed = None,
        name: str = "",
        *,
        zero_bias: bool = False,
        **options: object,
    ):
        _count("nout", nout)
        chosen = _activation("Layer", activation, options)
        rng = _rng(seed)
        prefix = f"{name}." if name else ""
        self.name = name
        self.neurons = [Neuron(nin, chosen, rng, f"{prefix}N{j}", zero_bias=zero_bias) for j in range(nout)]

    def forward(self, x: Sequence[Value]) -> Value | list[Value]:
        call = _open[-1] if _open else None
        if call is not None and call.module is self and set(map(type, self.neurons)) == {Neuron}:
            call.parts = self.neurons  # recorded with this call (see `Call`), so run without a record each
            outs = [_neuron_forward(n, x) for n in self.neurons]
        else:
            outs = [n.forward(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(map(repr, self.neurons))}]"


class MLP(Module):
    """Layers of sizes ``nouts`` on ``nin`` inputs.

    ``activation`` applies to every layer (tanh, as in the lecture); with ``linear_output=True``
    the last layer has none. `MLP.micrograd` is micrograd's own MLP.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Activation | object = _UNSET,
        linear_output: bool = False,
        seed: Seed = None,
        *,
        zero_bias: bool = False,
        **options: object,
    ):
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        chosen = _activation("MLP", activation, options)
        rng = _rng(seed)
        sizes = [nin, *nouts]
        acts = [chosen] * (len(nouts) - 1) + [None if linear_output else chosen]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], act, rng, f"L{i}", zero_bias=zero_bias) for i, act in enumerate(acts)
        ]

    @classmethod
    def micrograd(cls, nin: int, nouts: Sequence[int], seed: Seed = None) -> MLP:
        """micrograd's MLP exactly: ReLU hidden layers, a linear last layer, biases 0, and the weights
        micrograd draws for the same seed (``random.seed(s); micrograd.nn.MLP(...)``)."""
        return cls(nin, nouts, "relu", linear_output=True, seed=seed, zero_bias=True)

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

    def __init__(
        self,
        num_inputs: int,
        num_outputs: int,
        activation: Activation | object = _UNSET,
        seed: Seed = None,
        **options: object,
    ):
        self.layer = Layer(num_inputs, num_outputs, _activation("Linear", activation, options, default=None), seed)

    def forward(self, x: Sequence[Value]) -> Value | list[Value]:
        return self.layer.forward(x)

    def parameters(self) -> list[Value]:
        return self.layer.parameters()

    def __repr__(self) -> str:
        return f"Linear({len(self.layer.neurons[0].w)}, {len(self.layer.neurons)})"
