"""Snapshots of a computation graph: stable node ids, topology and values.

Both pictures read from here: `draw_dot` (a static Graphviz drawing) and the live
`GraphWidget` (topology sent once, values on every change). A graph is livegrad's own or a
learner's (`livegrad.foreign`: their objects seen through views, their backward pass).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property

from . import engine, foreign
from .engine import Value
from .foreign import LearnerNode
from .ops import Op

Node = Value | LearnerNode

# Beyond this many drawn nodes (values plus op nodes), Graphviz in a page takes seconds to minutes.
MAX_DRAWN_NODES = 4000
RANKDIRS = ("LR", "TB", "RL", "BT")  # Graphviz's layout directions: left to right, top to bottom, ...


@dataclass(frozen=True)
class Graph:
    """The values `root` depends on, in topological order; a value's id is its index.

    ``learner``: the nodes are views of a learner's own engine (`livegrad.foreign`), whose
    backward pass and local derivatives are theirs.
    """

    order: list[Node]
    learner: bool = False

    @classmethod
    def of(cls, root: object) -> Graph:
        """`root`'s graph: a livegrad Value's, or else a micrograd-style node's, by duck typing."""
        if isinstance(root, Value):
            return cls(engine.topological_order(root))
        return cls(foreign.topological_order(root), learner=True)

    @property
    def root(self) -> Node:
        return self.order[-1]

    @property
    def root_object(self) -> object:
        """The root as the user holds it: a Value, or their own object."""
        return self.root.obj if isinstance(self.root, LearnerNode) else self.root

    @property
    def drawn_nodes(self) -> int:
        return sum(1 if v.is_leaf() else 2 for v in self.order)

    def index(self) -> dict[Node, int]:
        return {value: i for i, value in enumerate(self.order)}

    def node_of(self, x: object) -> Node | None:
        """This graph's node for `x` (a Value, a learner's own object or its view), or None."""
        return self._nodes.get(id(x))

    @cached_property
    def _nodes(self) -> dict[int, Node]:
        nodes: dict[int, Node] = {id(v): v for v in self.order}
        nodes.update((id(v.obj), v) for v in self.order if isinstance(v, LearnerNode))
        return nodes

    @cached_property
    def blocked(self) -> frozenset[Node]:
        """The nodes whose change cannot be followed to the root: they feed, directly or not, an op
        livegrad does not know (in a learner's graph), so re-evaluating from them would be wrong."""
        blocked: set[Node] = set()
        if not self.learner:
            return frozenset(blocked)  # livegrad knows every op of its own graphs
        for node in reversed(self.order):
            if node in blocked or (isinstance(node, LearnerNode) and not node.known):
                blocked.update(node.inputs)
        return frozenset(blocked)

    def forward(self) -> None:
        """Re-evaluate the graph in place from its leaves' data."""
        (foreign.evaluate if self.learner else engine.evaluate)(self.order)  # type: ignore[operator]

    def backward(self) -> None:
        """A fresh backward pass from the root: livegrad's, or the learner's own."""
        (foreign.backpropagate if self.learner else engine.backpropagate)(self.order)  # type: ignore[operator]

    def local_derivatives(self, node: Node) -> tuple[float | None, ...]:
        """d node / d input for each input: the op table's, or as the learner's engine computes them."""
        if isinstance(node, LearnerNode):
            return foreign.local_derivatives(node)
        return engine.local_derivatives(node)

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
                "op": op.name if op else value.op,
                "inputs": [index[v] for v in value.inputs],
            }
            if op is not None:
                if op.exponent is not None:
                    node["exponent"] = op.exponent
                ops.setdefault(op.name, {"formula": op.formula, "locals": list(op.local_text or ()) or None})
            elif not value.is_leaf():  # a learner's op livegrad does not know: the page says so on the node
                node["unknown_op"] = True
                ops.setdefault(value.op, {"formula": None, "locals": None})
            nodes.append(node)
        topology = {"nodes": nodes, "root": len(self.order) - 1, "ops": ops}
        if self.learner:  # the page must not replay livegrad's ops: the gradients are the learner's engine's
            topology.update(learner=True, replay=False)
        return topology

    def values(self) -> dict[str, list]:
        """Data, grad and each input edge's local derivative for every node, JSON-safe (inf and nan
        as strings, None where no gradient reaches the input); sent on every change. The locals let
        the page replay the backward pass step by step."""
        return {
            "data": [json_number(v.data) for v in self.order],
            "grad": [json_number(v.grad) for v in self.order],
            "local": [[None if d is None else json_number(d) for d in self.local_derivatives(v)] for v in self.order],
        }


MAX_NAME = 24
_SIMPLE_NAME = re.compile(r"[\w.]+")  # an identifier, a dotted label (L1.N0.w2) or a plain number
_INPUT_TOKEN = re.compile(r"\b[ab]\b", re.ASCII)  # whole words, as JavaScript's \b sees them: "a²" holds a


def display_names(order: list[Node]) -> list[str]:
    """Each value's name as the page shows it, for a topological order (inputs named first).

    A label if there is one; an unlabelled leaf's number (``2``, ``0.5``); an unlabelled computed
    value's formula written in its inputs' names (``x1·w1``, ``tanh(n)``, ``(x1·w1)**2``), an input
    parenthesised unless it is a simple name or an argument already (``f(a)``); a custom op
    without a formula, or a learner's op livegrad does not know, reads ``name(a, b)``. Everything is
    cut to 24 characters with "…".
    """
    names: dict[Node, str] = {}
    for value in order:
        if value.label:
            name = value.label
        elif value.is_leaf():
            name = f"{value.data:.6g}"
        elif value._fn is None:
            name = f"{value.op}({', '.join(names[v] for v in value.inputs)})"
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
