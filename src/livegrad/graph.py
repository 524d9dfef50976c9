"""Snapshots of a computation graph: stable node ids, topology and values.

Both pictures read from here: `draw_dot` (a static Graphviz drawing) and the live
`GraphWidget` (topology sent once, values on every change). A graph's nodes belong to one kind
of engine (`livegrad.adapters`), which walks, evaluates and differentiates them. Its values'
names are `livegrad.names`' formulas, the caller's variables (`livegrad.scope`) or labels; the
recorded calls that computed them are its *groups* (`livegrad.groups`), which the page folds.
"""

from __future__ import annotations

import gc
import sys
from array import array
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from .adapters import OWN, Engine, GraphTooLarge
from .engine import Value
from .foreign import LearnerNode
from .groups import Groups, module_groups
from .jsonsafe import json_number
from .learner import LEARNER
from .names import display_names
from .ops import ADD, BUILTIN_OPS
from .scope import display_path, user_frame, variable_names

Node = Value | LearnerNode

# Beyond this many values a snapshot is refused: sending and folding it would take the kernel and the
# page many seconds. (The page folds what it draws, so the number of drawn nodes is not limited here.)
MAX_VALUES = 250_000
BINARY_VALUES = 2_000  # from this many values on, data and grad travel as float64 bytes, not JSON lists
RANKDIRS = ("LR", "TB", "RL", "BT")  # Graphviz's layout directions: left to right, top to bottom, ...

__all__ = [
    "MAX_VALUES",
    "RANKDIRS",
    "Graph",
    "GraphTooLarge",
    "Groups",
    "Node",
    "collector_paused",
    "display_names",
    "json_number",
]


def kind_of(root: object) -> Engine:
    """The kind of engine `root` belongs to: livegrad's own, a PyTorch tensor's (torch is imported only
    then), else a learner's (read by duck typing)."""
    if isinstance(root, Value):
        return OWN
    if type(root).__module__.startswith("torch") and type(root).__name__ in ("Tensor", "Parameter"):
        from .torchgraph import TORCH

        return TORCH
    return LEARNER


@dataclass(frozen=True)
class Graph:
    """The values `root` depends on, in topological order; a value's id is its index.

    ``engine``: the kind of engine the nodes belong to (`livegrad.adapters`), which walks,
    evaluates, differentiates and restores them.
    """

    order: list[Node]
    engine: Engine = OWN
    variables: Mapping[int, str] = field(default_factory=dict)  # node id -> the caller's variable holding it

    @classmethod
    def of(cls, root: object, limit: int | None = None, named: bool = True) -> Graph:
        """`root`'s graph: a livegrad Value's, or else a micrograd-style node's, by duck typing; with
        `named`, its values named after the variables that hold them in the first frame outside livegrad.

        With a `limit`, a graph of more values raises `GraphTooLarge`: a learner's as soon as the walk
        passes it, a livegrad one after the engine's sort (about a second for a million values).
        """
        kind = kind_of(root)
        order = kind.order(root, limit)
        objects = {id(o): o for o in map(kind.user_object, order)}
        found = variable_names(user_frame(), objects) if named else {}
        ids = {id(kind.user_object(v)): i for i, v in enumerate(order)} if found else {}
        return cls(order, kind, {ids[key]: path for key, path in found.items()})

    @cached_property
    def labels(self) -> list[str]:
        """Each value's label: the engine's, else the path of the caller's variable holding it, else ''."""
        variables = self.variables
        return [v.label or variables.get(i, "") for i, v in enumerate(self.order)]

    @property
    def learner(self) -> bool:
        """The gradients are the engine's own backward pass's, not livegrad's (the page must not replay)."""
        return self.engine.learner

    @property
    def root(self) -> Node:
        return self.order[-1]

    @property
    def root_object(self) -> object:
        """The root as the user holds it: a Value, or their own object."""
        return self.engine.user_object(self.root)

    @cached_property
    def replayable(self) -> bool:
        """True when the page can replay every op itself (livegrad's own graph, built-in ops only),
        so it needs no local derivatives from the kernel. The page decides the same way (replay.ts)."""
        ops = {v._fn for v in self.order} - {None}
        return not self.learner and all(op.exponent is not None or BUILTIN_OPS.get(op.name) is op for op in ops)

    @cached_property
    def groups(self) -> Groups:
        """The calls that computed this graph's values: of `livegrad.nn` modules, and of the user's
        functions under `livegrad.record()`."""
        by_id = {id(self.engine.user_object(v)): i for i, v in enumerate(self.order)}
        return module_groups(self.order, self.engine.call_of, by_id, self.inputs)

    def index(self) -> dict[Node, int]:
        """Each node's id (computed once: don't change the dict)."""
        return self._index

    @cached_property
    def _index(self) -> dict[Node, int]:
        return {value: i for i, value in enumerate(self.order)}

    @cached_property
    def inputs(self) -> list[list[int]]:
        """Each node's inputs, by id, in argument order."""
        return self.engine.inputs(self.order, self.index())

    @cached_property
    def names(self) -> list[str]:
        """Each node's name as the page shows it (see `display_names`); an unlabelled leaf passed to a
        module call is named by its place, ``MLP input 0``, in every call (search finds each)."""
        given: dict[int, str] = {}
        read: set[int] = set()  # a layer's neurons share their layer's list of inputs: read it once
        for call in self.groups.calls:
            if id(call["inputs"]) in read:
                continue
            read.add(id(call["inputs"]))
            for place, node_id in enumerate(call["inputs"]):  # type: ignore[arg-type]
                node = self.order[node_id]
                if not node.label and node.is_leaf():
                    given.setdefault(node_id, f"{call['name']} input {place}")
        given.update(self._partial_sums())
        given.update((i, display_path(path)) for i, path in self.variables.items() if not self.order[i].label)
        return display_names(self.order, self.inputs, given)

    def _partial_sums(self) -> dict[int, str]:
        """A running sum (a neuron's ``b + w0·x0 + w1·x1 + …``, a loss's ``sum(...)``) named by its place:
        the k-th ``+`` of the chain is ``L2.N0 Σ[0..k]`` (terms 0 to k) in a module call, or outside one
        ``reg_loss Σ[0..k]`` after the labelled value the chain ends in (``Σ[0..k]`` if none)."""
        order, of, inputs, labels = self.order, self.groups.of, self.inputs, self.labels
        depth: dict[int, int] = {}  # each unlabelled + of a chain: how many + lie below it in the chain
        for i, value in enumerate(order):
            if value._fn is ADD and not labels[i]:
                left = inputs[i][0]
                depth[i] = depth[left] + 1 if left in depth and of[left] == of[i] else 0
        ends: dict[int, str] = {}  # a chain's members outside any call: the label of the value it ends in
        for i in reversed(range(len(order))):
            left = inputs[i][0] if order[i]._fn is ADD else -1
            if left in depth and of[left] == of[i] < 0:
                ends[left] = ends.get(i, labels[i])
        calls = self.groups.calls
        return {
            i: f"{calls[of[i]]['name'] if of[i] >= 0 else ends.get(i, '')} Σ[0..{k}]".lstrip()
            for i, k in depth.items()
            if k
        }

    def node_of(self, x: object) -> Node | None:
        """This graph's node for `x` (a Value, a user's own object or its view), or None."""
        return self._nodes.get(id(x))

    @cached_property
    def _nodes(self) -> dict[int, Node]:
        nodes: dict[int, Node] = {id(v): v for v in self.order}
        nodes.update((id(self.engine.user_object(v)), v) for v in self.order)
        return nodes

    @cached_property
    def blocked(self) -> frozenset[Node]:
        """The nodes whose change cannot be followed to the root: they feed, directly or not, an op
        livegrad does not know (in a learner's graph), so re-evaluating from them would be wrong."""
        blocked: set[Node] = set()
        known = self.engine.known
        for node in reversed(self.order):
            if node in blocked or not known(node):
                blocked.update(node.inputs)
        return frozenset(blocked)

    @contextmanager
    def preserved(self) -> Iterator[None]:
        """Everything of the user's that evaluating or differentiating the graph writes (data, grads, and
        the cells where a learner's `_backward` keeps its result), put back exactly as found on the way
        out: looking at a graph (gradcheck, the traces, a widget's first view) changes nothing of theirs."""
        restore = self.engine.save(self.order)
        try:
            yield
        finally:
            restore()

    def forward(self) -> None:
        """Re-evaluate the graph in place from its leaves' data."""
        self.engine.forward(self.order)

    def backward(self) -> None:
        """A fresh backward pass from the root: livegrad's, or the learner's own."""
        self.engine.backward(self.order)

    def local_derivatives(self, node: Node) -> tuple[float | None, ...]:
        """d node / d input for each input: the op table's, or as the learner's engine computes them."""
        return self.engine.local_derivatives(node)

    def topology(self) -> dict[str, object]:
        """What is drawn, sent once, by node id in columns (a list per field, which a page parses and
        Python encodes several times faster than a record per node): each node's label, display name,
        op ("" for a leaf), inputs (by id) and innermost group (-1: top level); the nodes that are
        constant powers with their exponents, those with an op livegrad does not know (a learner's),
        and the shared parameters of modules; the text of each op of the graph, once; the groups."""
        with collector_paused():
            return self._topology()

    def _topology(self) -> dict[str, object]:
        order, groups = self.order, self.groups
        fns = [v._fn for v in order]
        known = {op: op.name for op in dict.fromkeys(fns) if op is not None}  # in order of first use
        ops: dict[str, dict[str, object]] = {
            name: {"formula": op.formula, "locals": list(op.local_text or ()) or None} for op, name in known.items()
        }
        known_here = self.engine.known
        unknown = [i for i, v in enumerate(order) if not known_here(v)]  # an op livegrad cannot re-run: said so
        for i in unknown:
            ops.setdefault(order[i].op, {"formula": None, "locals": None})
        powers = {op: op.exponent for op in known if op.exponent is not None}
        columns = {
            "label": self.labels,
            "name": self.names,
            "op": [v.op for v in order],
            "inputs": self.inputs,
            "group": groups.of,
        }
        topology = {
            "columns": columns,
            "exponents": [[i, powers[op]] for i, op in enumerate(fns) if op in powers] if powers else [],
            "unknown_ops": unknown,
            "shared": sorted(groups.shared),
            "root": len(order) - 1,
            "ops": ops,
            "groups": groups.calls,
        }
        if self.learner:  # the page must not replay livegrad's ops: the gradients are the learner's engine's
            topology.update(learner=True, replay=False)
        columns.update(self.engine.columns(order))
        return topology

    def values(self, local: bool = True, binary: bool | None = None) -> dict[str, object]:
        """Data and grad of every node, sent on every change; with `local`, each input edge's local
        derivative (None where no gradient reaches the input), which lets a page that cannot replay
        the ops step through the backward pass. Data and grad are JSON-safe lists (inf and nan as
        strings), or with `binary` float64 little-endian bytes, which the widget sends as binary
        buffers (by default from `BINARY_VALUES` values on)."""
        binary = len(self.order) >= BINARY_VALUES if binary is None else binary
        data, grad = [v.data for v in self.order], [v.grad for v in self.order]
        values: dict[str, object] = {"data": _numbers(data, binary), "grad": _numbers(grad, binary)}
        if local:
            values["local"] = [
                [None if d is None else json_number(d) for d in self.local_derivatives(v)] for v in self.order
            ]
        values.update(self.engine.summaries(self.order))
        return values


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused: a snapshot makes a few objects per value and no
    cycles, and a collection on the way (a full one, as those objects pile up) would rescan the
    whole graph and everything else the process holds."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _numbers(xs: list[float], binary: bool) -> list[float | str] | bytes:
    if not binary:
        return [json_number(x) for x in xs]
    packed = array("d", xs)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()
