"""An op read from the numbers, for engines that name none (microgpt's shape).

A node of such an engine holds its result, its inputs, and often its local derivatives as
numbers (``_local_grads``). The op is whichever of livegrad's ops gives that result from those
inputs; where several do (``a + b`` and ``a·b`` at a = b = 2; relu, tanh and ``−a`` at 0), the
stored local derivatives decide. Where they cannot, the op is unknown, and livegrad says so (``?``)
rather than guess: a wrong op would replay wrong numbers under a slider. One hint is fair: an
engine's vocabulary. Where the numbers fit ``a·b`` and ``a / b`` alike (at a = 0, b = 1) and the
graph has products elsewhere but no division, the node is a product (see `livegrad.foreign`).
"""

from __future__ import annotations

import math

from .ops import ADD, DIV, EXP, LOG, MUL, NEG, POW, RELU, SIGMOID, SUB, TANH, Op, power_of

UNARY = (EXP, LOG, RELU, TANH, SIGMOID, NEG)
BINARY = (ADD, MUL, SUB, DIV, POW)
# Without stored local derivatives a power's exponent cannot be read from one number: these are tried.
EXPONENTS = (2.0, -1.0, 3.0, 0.5, -0.5, -2.0, 4.0)
DATA_TOLERANCE = 1e-9  # a learner's exp or tanh may be their own formula, a few ulps off the library's
LOCAL_TOLERANCE = 1e-6


def infer_op(out: float, args: tuple[float, ...], stored: tuple[float, ...] | None) -> Op | None:
    """livegrad's op that makes `out` from `args` (whose local derivatives are `stored`, if the engine
    keeps them), or None when none does or the numbers cannot tell which."""
    fits = candidates(out, args, stored)
    return fits[0] if len(fits) == 1 else None


def candidates(out: float, args: tuple[float, ...], stored: tuple[float, ...] | None) -> list[Op]:
    """Every op of livegrad's that fits these numbers: its result, and its local derivatives where
    the engine stored them (if no op's agree with theirs, their locals are wrong, which the checks
    report: the result alone decides)."""
    if len(args) == 1:
        ops = [*UNARY, *_powers(out, args[0], stored)]
    elif len(args) == 2:
        ops = list(BINARY)
    else:
        return []
    fits = [op for op in ops if _close(_forward(op, args), out, DATA_TOLERANCE)]
    if len(fits) > 1 and stored is not None:
        fits = [op for op in fits if _locals_match(op, args, out, stored)] or fits
    return fits


def _powers(out: float, x: float, stored: tuple[float, ...] | None) -> list[Op]:
    """The constant powers that may have made `out` from `x`: the exponent read back from the stored
    local derivative (k·x**(k−1) = k·out/x), else the common ones. (``x**1`` and ``x**0`` are not
    written by anyone: read as such, they would shadow relu and the rest.)"""
    if stored is not None and x != 0 and out != 0 and math.isfinite(out):
        k = float(f"{stored[0] * x / out:.12g}")  # the exponent as written, not its rounding noise
        if math.isfinite(k) and k not in (0.0, 1.0):
            return [power_of(k)]
    return [power_of(k) for k in EXPONENTS]


def _forward(op: Op, args: tuple[float, ...]) -> float:
    try:
        return op.forward(*args)
    except (ArithmeticError, ValueError):
        return math.nan


def _locals_match(op: Op, args: tuple[float, ...], out: float, stored: tuple[float, ...]) -> bool:
    ours = op.locals_at(args, out)
    return len(ours) == len(stored) and all(
        _close(0.0 if mine is None else mine, float(theirs), LOCAL_TOLERANCE) for mine, theirs in zip(ours, stored)
    )


def _close(a: float, b: float, rtol: float) -> bool:
    if not (math.isfinite(a) and math.isfinite(b)):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b or abs(a - b) <= rtol * max(abs(a), abs(b))
