"""Independent oracles for the engine's gradients, and random expression graphs to feed them."""

from __future__ import annotations

import math
from collections.abc import Callable

from hypothesis import strategies as st

from livegrad import Value

Expr = Callable[[list[Value]], Value]


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
UNARY = ("neg", "tanh", "exp", "log", "relu", "sigmoid", "square", "cube", "sqrt", "recip")
BINARY = ("+", "-", "*", "/", "**")


def run_program(program: list[tuple], leaves: list[Value]) -> Value:
    pool: list[Value] = list(leaves)
    for op, i, j in program:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append(apply(op, a, b))
    return pool[-1]


APPLY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
    "neg": lambda a, b: -a,
    "tanh": lambda a, b: a.tanh(),
    "exp": lambda a, b: a.exp(),
    "log": lambda a, b: a.log(),
    "relu": lambda a, b: a.relu(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "square": lambda a, b: a**2,
    "cube": lambda a, b: a**3,
    "sqrt": lambda a, b: a**0.5,
    "recip": lambda a, b: 1 / a,
}


def apply(op: str, a: Value, b: Value) -> Value:
    return APPLY[op](a, b)


def programs(ops: tuple[str, ...] = UNARY + BINARY, max_len: int = 12) -> st.SearchStrategy:
    instruction = st.tuples(st.sampled_from(ops), st.integers(0, 63), st.integers(0, 63))
    return st.lists(instruction, min_size=1, max_size=max_len)
