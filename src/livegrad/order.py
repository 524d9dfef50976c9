"""Why backward needs a topological order, shown step by step.

`topo_trace` walks the depth-first `build_topo` of the lecture, exactly as learners write it::

    topo, visited = [], set()
    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)      # only after all of its inputs

and lists what each call does. Inputs are visited in argument order (``a`` before ``b`` in
``a * b``), so the list is the same on every run; the lecture iterates the set ``_prev``, whose
order Python does not fix, so its list may differ from this one (it is a topological order all the
same). The walk is iterative: graphs of any depth work, where the recursive one stops at Python's
recursion limit (micrograd #90).

`naive_backward_trace` runs the backward pass in the order learners try first (micrograd #64)::

    def backward(v):
        v._backward()
        for child in v._prev:
            backward(child)

It calls a node's ``_backward`` once per path from the root, so a computed value used by more than
one op sends its gradient on before all of it has arrived, and again later: every value below it
gets a wrong gradient. On a tree (every value used once) it is right, and so where only leaves are
reused (``x1`` feeding two products): leaves pass nothing on. Each input is followed once per call,
as ``_prev`` is a set: ``b = a + a`` alone comes out right.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from .graph import Graph
from .trace import BackwardStep, Edge

MAX_NAIVE_CALLS = 100_000  # the naive pass runs once per path, which grows exponentially with reuse

__all__ = [
    "MAX_NAIVE_CALLS",
    "NaiveBackward",
    "TopoStep",
    "naive_backward_trace",
    "naive_calls",
    "topo_steps",
    "topo_trace",
]


@dataclass(frozen=True)
class _Frame:
    """One call of `build_topo` on the recursion stack: the node, and the call that made it."""

    id: int
    parent: _Frame | None


@dataclass(frozen=True, eq=False)
class TopoStep:
    """One thing `build_topo` does.

    ``kind`` is ``"visit"`` (first call on a node: marked visited, its inputs come next),
    ``"skip"`` (a call on a node already visited: it returns at once) or ``"append"`` (all of its
    inputs are in the list: the node joins it). ``node`` is the node's name, ``id`` its id in the
    widget's snapshot; ``stack`` the recursion path from the root down to it (``stack_ids``); ``topo`` the list so
    far (names); ``why`` the step in a sentence.
    """

    kind: str
    node: str
    id: int
    why: str
    _frame: _Frame
    _names: list[str]
    _appended: list[int]  # ids in append order, shared by every step of one trace
    _count: int  # how many of them are in the list at this step

    @property
    def stack_ids(self) -> list[int]:
        ids, frame = [], self._frame
        while frame is not None:
            ids.append(frame.id)
            frame = frame.parent
        return ids[::-1]

    @property
    def stack(self) -> list[str]:
        return [self._names[i] for i in self.stack_ids]

    @property
    def topo_ids(self) -> list[int]:
        return self._appended[: self._count]

    @property
    def topo(self) -> list[str]:
        return [self._names[i] for i in self.topo_ids]


def topo_trace(root: object) -> list[TopoStep]:
    """The steps of the lecture's depth-first topological sort from `root`, in the order they happen.

    The last step appends the root; reversed, the list is the order of the backward pass. `root`
    may be a livegrad Value or a node of a learner's own engine (their inputs, in their order).
    """
    graph = Graph.of(root)
    names, inputs = graph.names, graph.inputs
    appended: list[int] = []
    steps: list[TopoStep] = []
    visited: set[int] = set()

    def step(kind: str, node: int, frame: _Frame, why: str) -> None:
        steps.append(TopoStep(kind, names[node], node, why, frame, names, appended, len(appended)))

    root_id = len(graph.order) - 1
    stack: list[tuple[_Frame, Iterator[int]]] = []

    def call(node: int, parent: _Frame | None) -> None:
        frame = _Frame(node, parent)
        if node in visited:
            step("skip", node, frame, f"{names[node]} is visited already: build_topo returns at once")
            return
        visited.add(node)
        args = inputs[node]
        if args:
            why = f"visit {names[node]}: mark it visited, then build_topo on its inputs {_listed(names, args)}"
        else:
            why = f"visit {names[node]}: mark it visited; a leaf, no inputs"
        step("visit", node, frame, why)
        stack.append((frame, iter(args)))

    call(root_id, None)
    while stack:
        frame, pending = stack[-1]
        child = next(pending, None)
        if child is not None:
            call(child, frame)
            continue
        stack.pop()
        appended.append(frame.id)
        args = inputs[frame.id]
        why = f"appended after its inputs {_listed(names, args)}" if args else "appended: a leaf, nothing before it"
        step("append", frame.id, frame, why)
    return steps


def _listed(names: list[str], ids: list[int]) -> str:
    shown = [names[i] for i in dict.fromkeys(ids)]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


@dataclass(frozen=True)
class NaiveBackward:
    """The naive pass: its steps (a node passing on the gradient it holds at that moment, once per
    path from the root), each node's final gradient by it and by the right (topological) pass, and
    what is wrong with each step: ``"early"`` (a node's first pass, before all of its gradient has
    arrived), ``"again"`` (a node passing on a second time what it passed before) or ``""``."""

    steps: tuple[BackwardStep, ...]
    faults: tuple[str, ...]
    grads: tuple[float, ...]  # by node id: what the naive pass leaves
    right: tuple[float, ...]  # by node id: what backward() gives
    names: tuple[str, ...]

    @property
    def wrong(self) -> tuple[int, ...]:
        """Ids of the nodes whose gradient the naive pass gets wrong."""
        return tuple(i for i, (got, want) in enumerate(zip(self.grads, self.right)) if not _same(got, want))


def naive_backward_trace(root: object, limit: int = MAX_NAIVE_CALLS) -> NaiveBackward:
    """Backward in micrograd #64's recursive order, beside the right answer; the graph is not changed.

    Gradients start at 0 and the root's at 1, as in a fresh ``backward()``; local derivatives are the
    same as the right pass's (a learner's own, on their engine). Refuses a graph where the naive pass
    would make more than `limit` calls, since it runs once per path and paths multiply with reuse.
    """
    graph = Graph.of(root)
    order, inputs = graph.order, graph.inputs
    calls = naive_calls(graph)
    if calls > limit:
        raise ValueError(
            f"the naive order would pass gradients {calls:,} times on this graph (once per path from the root), "
            f"more than limit={limit:,}: try a smaller graph"
        )
    right = _right_grads(graph)
    locals_ = [graph.local_derivatives(v) if not v.is_leaf() else () for v in order]
    grads = [0.0] * len(order)
    grads[-1] = 1.0
    steps, faults = [], []
    passed = [False] * len(order)
    pending = [len(order) - 1]
    while pending:  # depth first, inputs in argument order, as the recursive function runs
        node = pending.pop()
        if order[node].is_leaf():
            continue
        grad, edges = grads[node], []
        for source, local in zip(inputs[node], locals_[node]):
            before = grads[source]
            contribution = 0.0 if local is None else local * grad
            grads[source] = before + contribution
            edges.append(Edge(order[source], local, contribution, before, grads[source]))
        steps.append(BackwardStep(order[node], grad, tuple(edges)))
        faults.append("again" if passed[node] else "" if _same(grad, right[node]) else "early")
        passed[node] = True
        pending.extend(reversed(dict.fromkeys(inputs[node])))
    return NaiveBackward(tuple(steps), tuple(faults), tuple(grads), tuple(right), tuple(graph.names))


def naive_calls(graph: Graph) -> int:
    """How many times the naive pass passes a gradient on: each computed value once per path from the root."""
    paths = [0] * len(graph.order)
    if paths:
        paths[-1] = 1
    for node in range(len(paths) - 1, -1, -1):
        for source in dict.fromkeys(graph.inputs[node]):  # `for child in v._prev`: a set, each input once
            paths[source] += paths[node]
    return sum(p for p, inputs in zip(paths, graph.inputs) if inputs)


def topo_steps(graph: Graph) -> int:
    """How many steps `topo_trace` lists: a call per root and input edge (a visit or a skip), an append per node."""
    return 1 + sum(map(len, graph.inputs)) + len(graph.order) if graph.order else 0


def _right_grads(graph: Graph) -> list[float]:
    """Each node's gradient by a fresh backward pass in topological order, without touching the graph."""
    order, inputs = graph.order, graph.inputs
    grads = [0.0] * len(order)
    grads[-1] = 1.0
    for node in range(len(order) - 1, -1, -1):
        if order[node].is_leaf():
            continue
        for source, local in zip(inputs[node], graph.local_derivatives(order[node])):
            if local is not None:
                grads[source] += local * grads[node]
    return grads


def _same(a: float, b: float) -> bool:
    """Equal up to the rounding of adding the same contributions in another order."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))
