"""Snapshots of a computation graph: stable node ids, topology and values.

Both pictures read from here: `draw_dot` (a static Graphviz drawing) and the live
`GraphWidget` (topology sent once, values on every change). A graph is livegrad's own or a
learner's (`livegrad.foreign`: their objects seen through views, their backward pass).
The calls of `livegrad.nn` modules that computed a graph's values are its *groups*, which
the page folds (see `Groups`).
"""

from __future__ import annotations

import gc
import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from .adapters import OWN, Engine, GraphTooLarge, kind_of
from .engine import Value
from .foreign import LearnerNode
from .nn import Call
from .ops import ADD, BUILTIN_OPS, MUL, Op
from .ops import DIV as DIV_OP
from .ops import NEG as NEG_OP
from .ops import SUB as SUB_OP
from .recording import Function
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


@dataclass(frozen=True)
class Groups:
    """A graph's module calls (`livegrad.nn.Call`) as the page folds them.

    ``calls``: the topology's "groups", parents before children: name, kind (class name), parent,
    module (index of the distinct module object), call (index among the parent's calls of that
    module), inputs and outputs (node ids). ``of``: per node id, its innermost group call (-1: top
    level). ``shared``: ids of values used by several calls of one module (its parameters), each a
    member of the first call only.
    """

    calls: list[dict[str, object]]
    of: list[int]
    shared: set[int]


def module_groups(
    order: list[Node], call_of: Callable[[Node], Call | None], by_id: dict[int, int], node_inputs: list[list[int]]
) -> Groups:
    """The groups of a graph: every recorded call (a module's or a function's) that returned one of
    its values (`call_of`), and the calls around and inside those that hold any. A call's members
    are the values reachable backwards from its outputs, stopping at its inputs, that no call
    inside it claims: calls are walked children first, and a walk that meets a child's value goes
    on from that child's inputs, so each value is visited once per enclosing call (nodes x nesting
    depth). (`by_id`: node id by the id of the object the user holds.)"""
    returned: dict[int, int] = {}  # id of each value a call returned (as the user holds it) -> its node id
    found: dict[int, Call] = {}  # the calls that returned a value of the graph, and the calls inside them
    outermost: dict[int, Call] = {}  # node id -> the outermost call that returned it
    for key, i in by_id.items():
        call = call_of(order[i])
        if call is not None:
            returned[key] = i
            outermost[i] = call
            found[id(call)] = call
    above: dict[int, Call] = {}  # id of a call -> the call it ran in
    stack = list(found.values())
    while stack:
        call = stack.pop()
        for child in call.children or ():
            above[id(child)] = call
            if id(child) not in found:
                found[id(child)] = child
                stack.append(child)
        for part in _parts(call):
            above[id(part)], found[id(part)] = call, part

    def outputs_in_graph(call: Call) -> list[int]:
        """Its returned values in the graph: each one's slot names this call, or a call around it that
        returned the value too (an id alone could be a newer value's, once the one returned is gone)."""
        ids = []
        for key in (call.outputs,) if type(call.outputs) is int else call.outputs:
            if key in returned:
                last, around = outermost[returned[key]], call
                while around is not None and around is not last:
                    around = above.get(id(around))
                if around is not None:
                    ids.append(returned[key])
        return list(dict.fromkeys(ids))

    everything = sorted(found.values(), key=lambda c: c.seq)  # the order they started: parents first
    outputs_of = {id(c): outputs_in_graph(c) for c in everything}
    kept = {id(c) for c in everything if outputs_of[id(c)]}  # with a value in the graph, or such a call inside
    for call in reversed(everything):
        if id(call) in kept and id(call) in above:
            kept.add(id(above[id(call)]))
    calls = [c for c in everything if id(c) in kept]
    position = {id(c): g for g, c in enumerate(calls)}
    parent = [position[id(above[id(c)])] if id(c) in above else -1 for c in calls]

    received: dict[int, list[int]] = {}  # a layer's neurons receive one list: read it once

    def arguments(call: Call) -> list[int]:
        """The graph's values among what the call received; of a function's, the computed ones only:
        the leaves it reaches (``linear(x, w)``'s weights) are its members, as a module's parameters are."""
        key = id(call.received)  # alive (the call holds it): the id is its own
        if key not in received:
            held = _held(call.received, by_id)
            received[key] = [i for i in held if node_inputs[i]] if isinstance(call.module, Function) else held
        return received[key]

    inputs = [arguments(c) for c in calls]
    outputs = [outputs_of[id(c)] for c in calls]
    modules: dict[int, int] = {}  # id of a module object -> its index, in the order of first call
    module = [modules.setdefault(id(c.module), len(modules)) for c in calls]

    names: list[str] = []
    namesakes: dict[tuple[int, str], list[int]] = {}  # (parent, name) -> modules of that name, in call order
    calls_so_far: Counter[tuple[int, int]] = Counter()  # (parent, module) -> its calls so far
    entries = []
    for g, c in enumerate(calls):
        name = getattr(c.module, "name", None)
        base = name if isinstance(name, str) and name else type(c.module).__name__
        same = namesakes.setdefault((parent[g], base), [])
        if module[g] not in same:
            same.append(module[g])
        rank = same.index(module[g])
        names.append(base if rank == 0 else f"{base}#{rank + 1}")
        key = (parent[g], module[g])
        entries.append(
            {
                "name": names[g],
                "kind": type(c.module).__name__,
                "parent": None if parent[g] < 0 else parent[g],
                "module": module[g],
                "call": calls_so_far[key],
                "inputs": inputs[g],
                "outputs": outputs[g],
            }
        )
        calls_so_far[key] += 1

    of = [-1] * len(order)
    shared: set[int] = set()
    leaves: list[int] = []  # the leaves the calls hold: their parameters among them
    for g in _children_first(parent):
        stop = set(inputs[g])
        entered: set[int] = set()  # children of g whose inputs the walk has gone on from
        stack = list(outputs[g])
        while stack:
            i = stack.pop()
            owner = of[i]
            if i in stop or owner == g:
                continue
            if owner < 0:
                of[i] = g
                if node_inputs[i]:
                    stack += node_inputs[i]
                else:
                    leaves.append(i)
                continue
            child = owner  # the call inside g that holds i, if any
            while child >= 0 and parent[child] != g:
                child = parent[child]
            if child < 0:  # another call's value: a parameter of this module, met again
                if module[owner] == module[g]:
                    shared.add(i)
            elif child not in entered:
                entered.add(child)
                if inputs[child] is not inputs[g]:  # (a layer's neurons receive the layer's own inputs)
                    stack += inputs[child]
    parameters: dict[int, set[int]] = {}  # per module holding leaves, the ids of its parameters
    for i in leaves:
        m = module[of[i]]
        if m not in parameters:
            parameters[m] = {by_id[id(p)] for p in calls[of[i]].module.parameters() if id(p) in by_id}
        if i in parameters[m]:
            shared.add(i)
    return Groups(entries, of, shared)


def _held(x: object, by_id: dict[int, int]) -> list[int]:
    """The node ids of the graph's values in `x`: one, or any in (nested) lists, tuples and dicts, in order."""
    found: dict[int, None] = {}
    stack = [x]
    while stack:
        item = stack.pop()
        i = by_id.get(id(item))
        if i is not None:
            found[i] = None
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(item.values()))
    return list(found)


def _parts(call: Call) -> list[Call]:
    """The calls of a layer's neurons, recorded with the layer's call (see `livegrad.nn.Call`)."""
    if not call.parts:
        return []
    outputs = (call.outputs,) if type(call.outputs) is int else call.outputs
    made = []
    for k, (module, output) in enumerate(zip(call.parts, outputs), 1):
        part = object.__new__(Call)
        part.module, part.received, part.outputs = module, call.received, output
        part.seq = call.seq + k / (len(call.parts) + 1)  # after the layer's start, before the next call's
        part.children = part.parts = None
        made.append(part)
    return made


def _children_first(parent: list[int]) -> list[int]:
    """The calls in the order they returned: each call's children (in call order) before it."""
    children: list[list[int]] = [[] for _ in parent]
    for g, p in enumerate(parent):
        if p >= 0:
            children[p].append(g)
    done: list[int] = []
    stack = [(g, False) for g in reversed(range(len(parent))) if parent[g] < 0]
    while stack:
        g, returned = stack.pop()
        if returned:
            done.append(g)
            continue
        stack.append((g, True))
        stack.extend((k, False) for k in reversed(children[g]))
    return done


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


def json_number(x: float) -> float | str:
    """JSON has no inf or nan: spell them as the strings JavaScript's Number() reads back."""
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
