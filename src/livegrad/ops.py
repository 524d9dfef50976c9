"""The operations of the engine, as data.

Each op states its forward rule and its local derivatives in one place. Because
ops are data rather than closures, a graph can be re-evaluated in place, every
edge's local derivative can be reported, and no node forms a reference cycle.

Numerics follow IEEE 754 as PyTorch and NumPy do: no op raises in the middle of
a graph; overflow gives inf, domain errors give nan or -inf.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .engine import Value

inf, nan = math.inf, math.nan


@dataclass(frozen=True, slots=True, eq=False)
class Op:
    """An operation: `forward` maps input data to output data, `local` gives d out / d input.

    Unary ops: ``forward(a)`` and ``local(a, out) -> float``.
    Binary ops: ``forward(a, b)`` and ``local(a, b, out) -> (d_a, d_b)``.
    ``arity`` says which. ``exponent`` is set on constant powers so frontends can replay them.
    Calling an op on Values (or numbers) builds a new node: ``my_op(x)``.
    """

    name: str
    arity: int
    forward: Callable[..., float]
    local: Callable[..., object]
    exponent: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"Op name must be a str, got {type(self.name).__name__}")
        if self.arity not in (1, 2) or isinstance(self.arity, bool):
            raise ValueError(f"Op arity must be 1 or 2, got {self.arity!r}")
        for role in ("forward", "local"):
            if not callable(getattr(self, role)):
                raise TypeError(f"Op {role} must be callable, got {type(getattr(self, role)).__name__}")

    def __call__(self, *inputs: Value | float) -> Value:
        from .engine import _node, as_value

        if len(inputs) != self.arity:
            raise TypeError(f"op {self.name!r} takes {self.arity} input(s), got {len(inputs)}")
        return _node(self, *(as_value(x, f"input of op {self.name!r}") for x in inputs))


# IEEE-safe scalar functions: the fast path is plain Python, the rare edge case is spelled out.


def divide(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return nan
        return math.copysign(inf, a) * math.copysign(1.0, b)


def power(a: float, p: float) -> float:
    try:
        return math.pow(a, p)
    except (ValueError, OverflowError):  # 0**-1, (-8)**0.5, 10**400: let NumPy give the IEEE answer
        with np.errstate(all="ignore"):
            return float(np.power(np.float64(a), np.float64(p)))


def exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return inf


def log(a: float) -> float:
    try:
        return math.log(a)
    except ValueError:  # log(0) = -inf, log(negative) = nan
        return -inf if a == 0 else nan


def sigmoid(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = exp(a)  # a < 0 or nan: this form never overflows
    return e / (1.0 + e)


def _pow_local_base(a: float, b: float) -> float:
    return 0.0 if b == 0 else b * power(a, b - 1)  # PyTorch: d(x**0)/dx is 0, even at x = 0


def _pow_local_exponent(a: float, out: float, b: float) -> float:
    return 0.0 if a == 0 and b >= 0 else out * log(a)  # PyTorch's convention at a = 0


ADD = Op("+", 2, operator.add, lambda a, b, out: (1.0, 1.0))
SUB = Op("-", 2, operator.sub, lambda a, b, out: (1.0, -1.0))
MUL = Op("*", 2, operator.mul, lambda a, b, out: (b, a))
DIV = Op("/", 2, divide, lambda a, b, out: (divide(1.0, b), -divide(out, b)))
POW = Op("**", 2, power, lambda a, b, out: (_pow_local_base(a, b), _pow_local_exponent(a, out, b)))
NEG = Op("neg", 1, operator.neg, lambda a, out: -1.0)
TANH = Op("tanh", 1, math.tanh, lambda a, out: 1.0 - out * out)
EXP = Op("exp", 1, exp, lambda a, out: out)
LOG = Op("log", 1, log, lambda a, out: divide(1.0, a))
RELU = Op("relu", 1, lambda a: 0.0 if a <= 0 else a, lambda a, out: 0.0 if a <= 0 else 1.0)  # nan passes, as in PyTorch
SIGMOID = Op("sigmoid", 1, sigmoid, lambda a, out: out * (1.0 - out))


@lru_cache(maxsize=256)
def power_of(exponent: float) -> Op:
    """The op ``x ** exponent`` for a constant exponent (shared by every node that uses it)."""
    shown = int(exponent) if exponent.is_integer() else exponent
    return Op(
        f"**{shown}",
        1,
        lambda a: power(a, exponent),
        lambda a, out: _pow_local_base(a, exponent),
        exponent=exponent,
    )


BUILTIN_OPS: dict[str, Op] = {op.name: op for op in (ADD, SUB, MUL, DIV, POW, NEG, TANH, EXP, LOG, RELU, SIGMOID)}
