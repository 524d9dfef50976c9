"""Independent oracles for the engine's gradients, and random expression graphs to feed them."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import TypeVar

from hypothesis import strategies as st

from livegrad import Value
from livegrad.ops import BUILTIN_OPS, power_of

Expr = Callable[[list[Value]], Value]
T = TypeVar("T")  # a livegrad Value or a PyTorch tensor


def central_difference(f: Callable[[list[float]], float], xs: list[float], i: int, eps: float = 1e-6) -> float:
    """d f / d xs[i] by central finite differences, scaled to the size of xs[i]."""
    h = eps * max(1.0, abs(xs[i]))
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(up) - f(down)) / (2 * h)


def numeric_gradients(expr: Expr, xs: list[float], eps: float = 1e-6) -> list[float]:
    def f(point: list[float]) -> float:
        return expr([Value(x) for x in point]).data

    return [central_difference(f, xs, i, eps) for i in range(len(xs))]


def autograd_gradients(expr: Expr, xs: list[float]) -> tuple[float, list[float]]:
    leaves = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    out = expr(leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def assert_close(got: float, want: float, rel: float = 1e-5, abs_: float = 1e-6, what: str = "") -> None:
    assert math.isclose(got, want, rel_tol=rel, abs_tol=abs_), f"{what}: got {got!r}, want {want!r}"


# Random expression graphs. A program is a list of instructions over a growing pool of values
# (the leaves first); each instruction reads earlier values by index, so values are reused.
# The instructions are the op table's rows, plus constant powers (ops made on demand, "**2").
# Each is spelled as a learner writes it, which works on livegrad Values and PyTorch tensors alike.
BINARY_SPELLING = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
EXPONENTS = (2.0, 3.0, 0.5, -1.0, 0.0)
CONSTANT_POWERS = {power_of(p).name: p for p in EXPONENTS}
UNARY = tuple(name for name, op in BUILTIN_OPS.items() if op.arity == 1) + tuple(CONSTANT_POWERS)
BINARY = tuple(name for name, op in BUILTIN_OPS.items() if op.arity == 2)


def apply(op: str, a: T, b: T) -> T:
    """`op` on `a` (and `b` if binary): ``a + b``, ``-a``, ``a.tanh()``, ``a ** 2``."""
    if op in BINARY:
        return BINARY_SPELLING[op](a, b)  # a KeyError here: a binary row without its operator
    if op in CONSTANT_POWERS:
        return a ** CONSTANT_POWERS[op]
    return -a if op == "neg" else getattr(a, op)()  # a unary row is a method of the same name


def run_program(program: list[tuple], leaves: list[T]) -> T:
    pool = list(leaves)
    for op, i, j in program:
        pool.append(apply(op, pool[i % len(pool)], pool[j % len(pool)]))
    return pool[-1]


def programs(ops: tuple[str, ...] = UNARY + BINARY, max_len: int = 12) -> st.SearchStrategy:
    instruction = st.tuples(st.sampled_from(ops), st.integers(0, 63), st.integers(0, 63))
    return st.lists(instruction, min_size=1, max_size=max_len)
