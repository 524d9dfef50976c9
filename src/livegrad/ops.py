"""The operations of the engine, as data.

Each op states, on one row, its forward rule, its local derivatives and the text the page
shows for both. Because ops are data rather than closures, a graph can be re-evaluated in
place, every edge's local derivative can be reported, and no node forms a reference cycle.

Numerics follow IEEE 754 as PyTorch does: no op raises in the middle of a graph; overflow
gives inf, domain errors give nan or -inf. Where PyTorch's backward *selects* rather than
multiplies (relu where a <= 0, the base of ``x ** 0``, ...), `local` returns None for that
input: no gradient reaches it, so an inf or nan arriving from above does not leak into it.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

inf, nan = math.inf, math.nan


class _Form(Enum):
    OTHER_INPUT = "each input's local derivative is the other input"


OTHER_INPUT = _Form.OTHER_INPUT
"""`Op.local` of a product of two inputs (``*``): d out/d a is b and d out/d b is a, so the backward
sweep reads them straight from the inputs, with no call. Products are half the nodes of a network."""


@dataclass(frozen=True, slots=True, eq=False)
class Op:
    """An operation: `forward` maps input data to output data, `local` gives d out / d input.

    Unary ops: ``forward(a)`` and ``local(a, out) -> d_a``.
    Binary ops: ``forward(a, b)`` and ``local(a, b, out) -> (d_a, d_b)``.
    A local derivative of None means "no gradient reaches this input here".
    Two forms save the backward sweep its call per node: where the derivatives are constants
    (``+``), `local` may be those numbers, one per input (``(1.0, 1.0)``); where the op is a
    product of its two inputs (``*``), `local` may be `OTHER_INPUT`.
    ``formula`` is the forward as text in the inputs ``a``, ``b`` (``"a·b"``); ``local_text``
    each input's local derivative in ``a``, ``b``, ``out`` (``("b", "a")``): the page shows them.
    ``exponent`` is set on constant powers so frontends can replay them.
    """

    name: str
    arity: int
    forward: Callable[..., float]
    local: Callable[..., object] | tuple[float, ...] | _Form
    formula: str | None = None
    local_text: tuple[str, ...] | None = None
    exponent: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"Op name must be a str, got {type(self.name).__name__}")
        if self.arity not in (1, 2) or isinstance(self.arity, bool):
            raise ValueError(f"Op arity must be 1 or 2, got {self.arity!r}")
        if not callable(self.forward):
            raise TypeError(f"Op forward must be callable, got {type(self.forward).__name__}")
        local = self.local
        if type(local) is tuple:
            if len(local) != self.arity or not all(type(d) is float for d in local):
                raise TypeError(f"Op local as constants must be {self.arity} float(s), got {local!r:.80}")
        elif local is OTHER_INPUT:
            if self.arity != 2:
                raise ValueError(f"Op local OTHER_INPUT needs 2 inputs, got arity {self.arity}")
        elif not callable(local):
            raise TypeError(f"Op local must be callable, constants or OTHER_INPUT, got {type(local).__name__}")
        if self.formula is not None and not isinstance(self.formula, str):
            raise TypeError(f"Op formula must be a str or None, got {type(self.formula).__name__}")
        text = self.local_text
        if text is not None and not (
            isinstance(text, tuple) and len(text) == self.arity and all(isinstance(t, str) for t in text)
        ):
            raise TypeError(f"Op local_text must be a tuple of {self.arity} str (one per input), got {text!r:.80}")

    def locals_at(self, args: tuple[float, ...], out: float) -> tuple[float | None, ...]:
        """Each input's local derivative at these input data and output, as a tuple whatever the arity."""
        if type(self.local) is tuple:
            return self.local
        if self.local is OTHER_INPUT:
            return args[1], args[0]
        local = self.local(*args, out)  # type: ignore[operator]
        return (local,) if self.arity == 1 else tuple(local)  # type: ignore[arg-type]


# IEEE-safe scalar functions: the fast path is plain Python, the rare edge case is spelled out.


def divide(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return nan
        return math.copysign(inf, a) * math.copysign(1.0, b)


def power(a: float, p: float) -> float:
    """``a ** p`` as IEEE 754's pow gives it (C99 Annex F), where Python's math.pow raises, but for one
    case: a negative base to a non-integer power has no real value, -inf included, so (-inf) ** 0.5 is
    nan as (-8) ** 0.5 is (IEEE's inf there is the limit of |a| ** p; PyTorch's sqrt also gives nan)."""
    if a == -inf and math.isfinite(p) and not p.is_integer():
        return nan
    try:
        return math.pow(a, p)
    except ValueError:  # 0 ** -1 (a pole) or (-8) ** 0.5 (no real result)
        if a != 0:
            return nan
        return math.copysign(inf, a) if p % 2 == 1 else inf  # (-0.0) ** -3 is -inf, 0 ** -2 is inf
    except OverflowError:  # 10 ** 400 is inf, (-10) ** 401 is -inf
        return -inf if a < 0 and p % 2 == 1 else inf


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


def relu(a: float) -> float:
    return 0.0 if a < 0 else a  # as PyTorch and micrograd: nan and -0.0 pass unchanged


# As PyTorch: the base of a ** b gets no gradient where b == 0 (a select: even an inf gradient
# gives 0); the exponent's local derivative is 0 where a == 0 and b >= 0, not out·log(a) = 0·-inf
# (a select of the derivative, which PyTorch then multiplies: an inf gradient still gives nan).
def _pow_local_base(a: float, b: float) -> float | None:
    return None if b == 0 else b * power(a, b - 1)


def _pow_local_exponent(a: float, b: float, out: float) -> float:
    return 0.0 if a == 0 and b >= 0 else out * log(a)


def _pow_locals(a: float, b: float, out: float) -> tuple[float | None, float]:
    return _pow_local_base(a, b), _pow_local_exponent(a, b, out)


# name, arity, forward, local derivatives; the forward's text, each input's local derivative as text
ADD = Op("+", 2, operator.add, (1.0, 1.0), "a + b", ("1", "1"))
SUB = Op("-", 2, operator.sub, (1.0, -1.0), "a − b", ("1", "−1"))
MUL = Op("*", 2, operator.mul, OTHER_INPUT, "a·b", ("b", "a"))
DIV = Op("/", 2, divide, lambda a, b, out: (divide(1.0, b), -divide(out, b)), "a / b", ("1/b", "−out/b"))
POW = Op("**", 2, power, _pow_locals, "a**b", ("b·a**(b − 1)", "out·log(a)"))
NEG = Op("neg", 1, operator.neg, (-1.0,), "−a", ("−1",))
TANH = Op("tanh", 1, math.tanh, lambda a, out: 1.0 - out * out, "tanh(a)", ("1 − out²",))
EXP = Op("exp", 1, exp, lambda a, out: out, "exp(a)", ("out",))
LOG = Op("log", 1, log, lambda a, out: divide(1.0, a), "log(a)", ("1/a",))
RELU = Op("relu", 1, relu, lambda a, out: None if a <= 0 else 1.0, "relu(a)", ("1 if a > 0 else 0",))
SIGMOID = Op("sigmoid", 1, sigmoid, lambda a, out: out * (1.0 - out), "sigmoid(a)", ("out·(1 − out)",))


def central_difference(op: Op, args: list[float], positions: list[int], eps: float) -> float:
    """d op / d (its inputs at `positions`, moved together) by a central difference: what a local
    derivative is checked against. nan at a kink (relu at 0), where the one-sided differences
    disagree and no single derivative is right."""
    h = eps * max(1.0, abs(args[positions[0]]))
    up, down = list(args), list(args)
    for i in positions:
        up[i] += h
        down[i] -= h
    return difference(op.forward(*args), op.forward(*up), op.forward(*down), h)


def difference(here: float, above: float, below: float, h: float) -> float:
    """The central difference from f(x), f(x + h), f(x - h); nan where it cannot be trusted, since
    no derivative is right there to check against: where the one-sided ones disagree (a kink: relu
    at 0), or where f is so large that a step of h is lost in its rounding (1 + 1e21 is 1e21: one
    unit in the last place of f, divided by h, is more than `ROUNDING` of the slope)."""
    right, left = (above - here) / h, (here - below) / h
    slope = max(1.0, abs(right), abs(left))
    if abs(right - left) > 0.1 * slope or math.ulp(max(abs(here), abs(above), abs(below))) / h > ROUNDING * slope:
        return nan
    return (above - below) / (2 * h)


ROUNDING = 1e-5  # the most rounding noise a difference may carry, relative to the slope: a tenth of gradcheck's rtol


@lru_cache(maxsize=256)
def power_of(exponent: float) -> Op:
    """The op ``x ** exponent`` for a constant exponent (shared by every node that uses it)."""
    p, q = _shown(exponent), _shown(exponent - 1)
    local_text = "0" if exponent == 0 else "1" if exponent == 1 else f"{p}·a" if exponent == 2 else f"{p}·a**{q}"
    forward = lambda a: power(a, exponent)  # noqa: E731
    local = lambda a, out: _pow_local_base(a, exponent)  # noqa: E731
    return Op(f"**{p}", 1, forward, local, f"a**{p}", (local_text,), exponent=exponent)


def _shown(x: float) -> str:
    """An exponent as the op's name shows it: 2.0 as "2", 0.5 as "0.5"."""
    return str(int(x)) if x.is_integer() else repr(x)


BUILTIN_OPS: dict[str, Op] = {op.name: op for op in (ADD, SUB, MUL, DIV, POW, NEG, TANH, EXP, LOG, RELU, SIGMOID)}
