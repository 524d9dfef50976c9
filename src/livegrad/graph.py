"""Snapshots of a computation graph: stable node ids, topology and values.

Both pictures read from here: `draw_dot` (a static Graphviz drawing) and the live
`GraphWidget` (topology sent once, values on every change).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .engine import Value, local_derivatives, topological_order
from .ops import Op

# Beyond this many drawn nodes (values plus op nodes), Graphviz in a page takes seconds to minutes.
MAX_DRAWN_NODES = 4000
RANKDIRS = ("LR", "TB", "RL", "BT")  # Graphviz's layout directions: left to right, top to bottom, ...


@dataclass(frozen=True)
class Graph:
    """The values `root` depends on, in topological order; a value's id is its index."""

    order: list[Value]

    @classmethod
    def of(cls, root: Value) -> Graph:
        return cls(topological_order(root))

    @property
    def root(self) -> Value:
        return self.order[-1]

    @property
    def drawn_nodes(self) -> int:
        return sum(2 if v._fn is not None else 1 for v in self.order)

    def index(self) -> dict[Value, int]:
        return {value: i for i, value in enumerate(self.order)}

    def topology(self) -> dict[str, object]:
        """What is drawn, sent once: per node its label, display name, op, inputs (by id) and
        constant exponent; and the text of each op of the graph, once."""
        index = self.index()
        nodes = []
        ops: dict[str, dict[str, object]] = {}
        for value, name in zip(self.order, display_names(self.order)):
            op = value._fn
            node: dict[str, object] = {
                "label": value.label,
                "name": name,
                "op": op.name if op else "",
                "inputs": [index[v] for v in value.inputs],
            }
            if op is not None:
                if op.exponent is not None:
                    node["exponent"] = op.exponent
                ops.setdefault(op.name, {"formula": op.formula, "locals": list(op.local_text or ()) or None})
            nodes.append(node)
        return {"nodes": nodes, "root": len(self.order) - 1, "ops": ops}

    def values(self) -> dict[str, list]:
        """Data, grad and each input edge's local derivative for every node, JSON-safe (inf and nan
        as strings, None where no gradient reaches the input); sent on every change. The locals let
        the page replay the backward pass step by step."""
        return {
            "data": [json_number(v.data) for v in self.order],
            "grad": [json_number(v.grad) for v in self.order],
            "local": [[None if d is None else json_number(d) for d in local_derivatives(v)] for v in self.order],
        }


MAX_NAME = 24
_SIMPLE_NAME = re.compile(r"[\w.]+")  # an identifier, a dotted label (L1.N0.w2) or a plain number
_INPUT_TOKEN = re.compile(r"\b[ab]\b", re.ASCII)  # whole words, as JavaScript's \b sees them: "a²" holds a


def display_names(order: list[Value]) -> list[str]:
    """Each value's name as the page shows it, for a topological order (inputs named first).

    A label if there is one; an unlabelled leaf's number (``2``, ``0.5``); an unlabelled computed
    value's formula written in its inputs' names (``x1·w1``, ``tanh(n)``, ``(x1·w1)**2``), an input
    parenthesised unless it is a simple name or an argument already (``f(a)``); a custom op
    without a formula reads ``name(a, b)``. Everything is
    cut to 24 characters with "…".
    """
    names: dict[Value, str] = {}
    for value in order:
        if value.label:
            name = value.label
        elif value._fn is None:
            name = f"{value.data:.6g}"
        else:
            name = _formula_name(value._fn, [names[v] for v in value.inputs])
        names[value] = name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"
    return [names[v] for v in order]


def _formula_name(op: Op, inputs: list[str]) -> str:
    formula = op.formula or f"{op.name}({', '.join('ab'[: len(inputs)])})"

    def substitute(token: re.Match[str]) -> str:
        name = inputs["ab".index(token[0])]
        before, after = formula[: token.start()].rstrip()[-1:], formula[token.end() :].lstrip()[:1]
        wrapped = before in ("(", ",") and after in (")", ",")  # an argument already: f(a), f(a, b)
        return name if wrapped or _SIMPLE_NAME.fullmatch(name) else f"({name})"

    return _INPUT_TOKEN.sub(substitute, formula)


def json_number(x: float) -> float | str:
    """JSON has no inf or nan: spell them as the strings JavaScript's Number() reads back."""
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
