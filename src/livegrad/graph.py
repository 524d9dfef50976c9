"""Snapshots of a computation graph: stable node ids, topology and values.

Both pictures read from here: `draw_dot` (a static Graphviz drawing) and the live
`GraphWidget` (topology sent once, values on every change).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .engine import Value, topological_order
from .trace import local_derivatives

# Beyond this many drawn nodes (values plus op nodes), Graphviz in a page takes seconds to minutes.
MAX_DRAWN_NODES = 4000


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
        return sum(2 if v._op is not None else 1 for v in self.order)

    def index(self) -> dict[Value, int]:
        return {value: i for i, value in enumerate(self.order)}

    def topology(self) -> dict[str, object]:
        """What is drawn, sent once: per node its label, op, inputs (by id) and constant exponent."""
        index = self.index()
        nodes = []
        for value in self.order:
            op = value._op
            node: dict[str, object] = {
                "label": value.label,
                "op": op.name if op else "",
                "inputs": [index[v] for v in value.inputs],
            }
            if op is not None and op.exponent is not None:
                node["exponent"] = op.exponent
            nodes.append(node)
        return {"nodes": nodes, "root": len(self.order) - 1}

    def values(self) -> dict[str, list]:
        """Data, grad and each input edge's local derivative for every node, JSON-safe (inf and nan
        as strings); sent on every change. The locals let the page replay the backward pass step by step."""
        return {
            "data": [json_number(v.data) for v in self.order],
            "grad": [json_number(v.grad) for v in self.order],
            "local": [[json_number(d) for d in local_derivatives(v)] for v in self.order],
        }


def json_number(x: float) -> float | str:
    """JSON has no inf or nan: spell them as the strings JavaScript's Number() reads back."""
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
