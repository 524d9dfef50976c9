"""The names the page shows for a graph's values: labels, numbers, and formulas of the inputs' names
(``x1·w1``, ``tanh(n)``, ``(a + b)·c``), bracketed only where the order of operations needs it, never
more than two levels deep, and cut to 24 characters. `graph.Graph.names` adds the names chosen by
place (``MLP input 0``, ``L2.N0 Σ[0..2]``) and by the caller's variables.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from .ops import ADD, MUL, Op
from .ops import DIV as DIV_OP
from .ops import NEG as NEG_OP
from .ops import SUB as SUB_OP

if TYPE_CHECKING:
    from .graph import Node

MAX_NAME = 24
_SIMPLE_NAME = re.compile(r"[\w.]+")  # an identifier, a dotted label (L1.N0.w2) or a plain number
_INPUT_TOKEN = re.compile(r"\b[ab]\b", re.ASCII)  # whole words, as JavaScript's \b sees them: "a²" holds a
_OUTSIDE_BRACKETS = re.compile(r"\([^()]*\)")  # what is inside one level of brackets: "tanh(a + b)" is tanh(…)


def display_names(
    order: list[Node], inputs: list[list[int]] | None = None, given: Mapping[int, str] | None = None
) -> list[str]:
    """Each value's name as the page shows it, for a topological order (inputs named first).

    A label if there is one; an unlabelled leaf's number (``2``, ``0.5``); an unlabelled computed
    value's formula written in its inputs' names (``x1·w1``, ``tanh(n)``, ``x1·w1 + x2·w2``), an input
    parenthesised only where the order of operations needs it (``(a + b)·c``, ``a**(2·b)``); a custom
    op without a formula, or a learner's op livegrad does not know, reads ``name(a, b)``. Never more
    than two levels of brackets (deeper ones read ``(…)``: the page's hover and search give the rest),
    and everything is cut to 24 characters with "…". (`inputs`: each node's input ids, if known
    already; `given`: names chosen by the caller for some unlabelled values, by id, used as labels are.)
    """
    if inputs is None:
        index = {v: i for i, v in enumerate(order)}
        inputs = [[index[x] for x in v.inputs] for v in order]
    names: list[str] = []
    wrapped: list[str] = []  # each name as an operand that needs parentheses writes it: "(x1 + w1)"
    levels: list[int] = []  # how tightly each name binds (see `_level`): an operand is bare if it binds enough
    writers: dict[Op, tuple[Callable[[list[int]], str], int]] = {}  # per op: its writer and how tightly it binds
    simple = _SIMPLE_NAME.fullmatch
    given = given or {}
    for i, (value, ids) in enumerate(zip(order, inputs)):
        name = ""
        op = value._fn
        if op is not None and not value.label and i not in given:  # most values: a formula of their inputs
            if (op is ADD or op is MUL) and len(ids) == 2:
                op, ids, name = _as_written(op, ids, order, inputs, given, names, levels, wrapped)
            if name:
                level = SUM
            else:
                if op not in writers:
                    writers[op] = _writer(op, names, wrapped, levels), _template(op)[2]
                write, level = writers[op]
                name = write(ids)
            if name.count("(") > MAX_BRACKETS:  # only then can brackets nest deeper than that
                name = _shallow(name)
        else:
            if value.label:
                name = value.label
            elif i in given:
                name = given[i]
            elif not ids:
                name = f"{value.data:.6g}"
            else:
                name = f"{value.op}({', '.join(names[i] for i in ids)})"
            level = ATOM if simple(name) else NEG if name[:1] == "-" and simple(name[1:]) else 0
        if len(name) > MAX_NAME:
            name, level = _cut(name), 0  # a cut formula reads as one thing only in brackets
        names.append(name)
        wrapped.append(name if level == ATOM else f"({name})")
        levels.append(level)
    return names


def _as_written(
    op: Op,
    ids: list[int],
    order: list[Node],
    inputs: list[list[int]],
    given: Mapping[int, str],
    names: list[str],
    levels: list[int],
    wrapped: list[str],
) -> tuple[Op, list[int], str]:
    """microgpt's engine has only ``+``, ``*`` and ``**``: it writes ``a − b`` as ``a + b·(−1)``, ``−a``
    as ``a·(−1)``, ``a / b`` as ``a·b**−1`` and ``e − 1`` as ``e + (−1)``. Named as the learner wrote
    them: the op and inputs to write instead, or (for a constant subtracted) the name itself."""

    def constant(k: int) -> float | None:  # an unnamed number the engine made a leaf of
        node = order[k]
        return node.data if not inputs[k] and not node.label and k not in given else None

    def made_by(k: int, maker: Op | None = None, exponent: float | None = None) -> bool:
        node = order[k]
        if node.label or k in given:
            return False
        fn = node._fn
        return fn is not None and (fn is maker or (exponent is not None and fn.exponent == exponent))

    a, b = ids
    if op is MUL:
        if constant(b) == -1:
            return NEG_OP, [a], ""
        if made_by(b, exponent=-1.0):
            return DIV_OP, [a, inputs[b][0]], ""
        return op, ids, ""
    negated = inputs[b]
    if made_by(b, MUL) and len(negated) == 2 and constant(negated[1]) == -1:
        return SUB_OP, [a, negated[0]], ""
    c = constant(b)
    if c is not None and c < 0 and math.isfinite(c):
        return op, ids, f"{names[a] if levels[a] >= SUM else wrapped[a]} − {-c:.6g}"
    return op, ids, ""


# How tightly a name binds as an operand, from loosest to tightest. A label with spaces, or a name cut
# short, is 0: always bracketed.
SUM, NEG, PRODUCT, POWER, ATOM = 1, 2, 2, 3, 4
MAX_BRACKETS = 2


def _writer(op: Op, names: list[str], wrapped: list[str], levels: list[int]) -> Callable[[list[int]], str]:
    """Writes a value of `op` from its input ids, each input bare where it binds at least as tightly as
    its place in the formula needs (``a·b + c``), else bracketed (``(a + b)·c``)."""
    text, slots, _ = _template(op)
    fill = text.format

    def operand(k: int, need: int) -> Callable[[int], str]:
        return lambda i: names[i] if levels[i] >= need else wrapped[i]

    pick = [operand(k, need) for k, need in slots]
    if len(slots) == 2:  # most ops: "a + b", "a·b" (one call of format, no list)
        (j, _), (k, _) = slots
        first, second = pick
        return lambda ids: fill(first(ids[j]), second(ids[k]))
    if len(slots) == 1:
        ((j, _),) = slots
        (only,) = pick
        return lambda ids: fill(only(ids[j]))
    return lambda ids: fill(*[p(ids[k]) for p, (k, _) in zip(pick, slots)])


def _cut(name: str) -> str:
    """`name` cut to `MAX_NAME` characters with "…", the brackets it opened still closed: ``exp(tanh(…))``."""
    body = name[: MAX_NAME - 1]
    while (opened := body.count("(") - body.count(")")) > 0 and len(body) + opened >= MAX_NAME:
        body = body[:-1]
    return body + "…" + ")" * max(opened, 0)


def _shallow(name: str, depth: int = MAX_BRACKETS) -> str:
    """`name` with no more than `depth` levels of brackets: where they nest deeper, the brackets at
    level `depth` hold ``…`` (``tanh(tanh(tanh(x)·2)·2)`` reads ``tanh(tanh(…)·2)``)."""
    deepest = level = 0
    for ch in name:
        level += (ch == "(") - (ch == ")")
        deepest = max(deepest, level)
    if deepest <= depth:
        return name
    out, level = [], 0
    for ch in name:
        if ch == "(":
            level += 1
            if level == depth:
                out.append("(…)")
        elif ch == ")":
            level -= 1
            if level == depth - 1 and out[-1] == "(…)":
                continue
        if level < depth:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=256)
def _template(op: Op) -> tuple[str, list[tuple[int, int]], int]:
    """An op's formula as a format string with a ``{}`` per input; for each, which input (0 for ``a``)
    and how tightly an operand there must bind to stand bare; and how tightly the formula binds itself.
    ``a + b``: a sum, whose left operand may be a sum too; ``a·b``, ``a / b``, ``−a``: products;
    ``a**b``: a power, whose operands must be atoms; ``tanh(a)``: an atom, whose argument needs none."""
    formula = op.formula or f"{op.name}({', '.join('ab'[: op.arity])})"
    top = _OUTSIDE_BRACKETS.sub("", formula)
    level = (
        SUM
        if " + " in top or " − " in top
        else PRODUCT
        if "·" in top or " / " in top or top.startswith("−")
        else POWER
        if "**" in top
        else ATOM
    )
    pieces, slots, start = [], [], 0
    for token in _INPUT_TOKEN.finditer(formula):
        before, after = formula[: token.start()].rstrip()[-1:], formula[token.end() :].lstrip()[:1]
        pieces.append(formula[start : token.start()])
        argument = before in ("(", ",") and after in (")", ",")
        left = token.start() == 0 and level in (SUM, PRODUCT)  # a + b + c is (a + b) + c
        slots.append(("ab".index(token[0]), 0 if argument else level if left else min(level + 1, ATOM)))
        start = token.end()
    pieces.append(formula[start:])
    return "{}".join(piece.replace("{", "{{").replace("}", "}}") for piece in pieces), slots, level
