"""Passes spelled out step by step, and a numerical check of the gradients.

`backward_trace` lists what `backward()` does, edge by edge: which node passes its gradient
on, the local derivative of each input edge, the contribution (upstream grad × local), and
the input's gradient before and after. `forward_trace` lists the values in the order they
are computed. `gradcheck` puts central finite differences beside autograd for every leaf,
and beside each op's local derivative for every edge.

Each takes a livegrad Value or a node of a learner's own engine (`livegrad.foreign`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from .graph import Graph, Node
from .ops import difference


@dataclass(frozen=True)
class Edge:
    """One chain-rule contribution: ``input.grad += local × node.grad``.

    A ``local`` of None is an edge no gradient passes here (relu where its input is <= 0):
    its contribution is 0 and the input's gradient is left as it was.
    """

    input: Node
    local: float | None
    contribution: float
    grad_before: float
    grad_after: float


@dataclass(frozen=True)
class BackwardStep:
    node: Node
    grad: float  # the node's gradient, complete when it is passed on
    edges: tuple[Edge, ...]


@dataclass(frozen=True)
class ForwardStep:
    node: Node
    op: str
    inputs: tuple[Node, ...]
    data: float


def backward_trace(root: object) -> list[BackwardStep]:
    """The steps of a fresh backward pass from `root`, in the order they happen.

    Leaves pass nothing on, so they have no step. Replaying the steps gives exactly the
    gradients `root.backward()` gives; the Values themselves are not changed. On a learner's
    graph the local derivatives are their engine's (each node's `_backward` run with its grad at
    1): the steps are the chain rule with their locals; `gradcheck` says whether their backward
    applies it right.
    """
    graph = Graph.of(root)
    order = graph.order
    grads = {node: 0.0 for node in order}
    grads[graph.root] = 1.0
    steps = []
    for node in reversed(order):
        if node.is_leaf():
            continue
        grad = grads[node]
        edges = []
        for source, local in zip(node.inputs, graph.local_derivatives(node)):
            before = grads[source]
            if local is None:
                edges.append(Edge(source, None, 0.0, before, before))
                continue
            contribution = local * grad
            grads[source] = before + contribution
            edges.append(Edge(source, local, contribution, before, grads[source]))
        steps.append(BackwardStep(node, grad, tuple(edges)))
    return steps


def forward_trace(root: object) -> list[ForwardStep]:
    """The computed values in the order a forward pass makes them, each with its op and inputs."""
    return [ForwardStep(v, v.op, v.inputs, v.data) for v in Graph.of(root).order if not v.is_leaf()]


@dataclass(frozen=True)
class LeafCheck:
    """A leaf's gradient beside the central difference of the root in it. ``ok``: no mismatch found;
    ``judged``: there was a difference to compare with (not at a kink, a pole or behind an op livegrad
    cannot re-run; ``why`` says which), so an unjudged leaf is never reported as a match."""

    leaf: Node
    autograd: float
    numeric: float
    abs_error: float
    rel_error: float
    ok: bool
    judged: bool = True
    why: str = ""


@dataclass(frozen=True)
class LocalCheck:
    """One edge: the op's local derivative d node / d input (None: no gradient reaches the input
    here, compared as 0) beside the central difference of the op's forward in that input.

    On a learner's graph the local derivative is their engine's, and ``note`` says what is wrong
    with their backward, in their terms, ``headline`` in a few words (see
    `livegrad.learner_checks.check_locals`).
    """

    node: Node
    index: int  # which input of the node: 0 for a, 1 for b; -1: the node's own gradient out of their backward()
    input: Node
    autograd: float | None
    numeric: float
    ok: bool
    note: str = ""
    headline: str = ""
    judged: bool = True  # False: no difference to compare with here (``why``: a kink, a pole)
    why: str = ""


@dataclass(frozen=True)
class GradcheckReport:
    """Per leaf: autograd's gradient beside the central finite difference of the root. Per edge
    of each computed node: the op's local derivative beside the central difference of the op."""

    checks: tuple[LeafCheck, ...]
    local_checks: tuple[LocalCheck, ...] = ()
    names: dict[Node, str] = field(default_factory=dict, repr=False, compare=False)  # display names
    unchecked: tuple[Node, ...] = ()  # a learner's nodes whose op livegrad does not know

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks) and all(check.ok for check in self.local_checks)

    @property
    def mismatches(self) -> tuple[LeafCheck, ...]:
        return tuple(check for check in self.checks if not check.ok)

    @property
    def unjudged(self) -> tuple[LeafCheck, ...]:
        """The leaves that could not be judged (each says why): neither a match nor a mismatch."""
        return tuple(check for check in self.checks if not check.judged)

    @property
    def summary(self) -> str:
        """The verdict in a line: how many leaves match, what could not be judged, the first faulty node."""
        names, judged = self.names, [c for c in self.checks if c.judged]
        parts = [f"{sum(c.ok for c in judged)}/{len(self.checks)} leaves match"]
        if self.unjudged:
            parts.append(f"{len(self.unjudged)} not judged ({self.unjudged[0].why})")
        for node in self.faulty_nodes[:1]:
            failing = next(c for c in self.local_checks if c.node is node and not c.ok)
            parts.append(f"{names.get(node, '?')}: {failing.note or failing.headline or 'wrong local derivative'}")
        if len(self.faulty_nodes) > 1:
            parts.append(f"{len(self.faulty_nodes) - 1} more faulty node(s)")
        return " · ".join(parts)

    @property
    def faulty_nodes(self) -> tuple[Node, ...]:
        """The computed nodes with a failing local check, in topological order: where backward is wrong."""
        return tuple(dict.fromkeys(check.node for check in self.local_checks if not check.ok))

    def __str__(self) -> str:
        names = self.names
        rows = [f"{'leaf':<16} {'autograd':>14} {'numeric':>14} {'abs err':>10} {'rel err':>10}"]
        for c in self.checks:
            name = names.get(c.leaf) or c.leaf.label or f"const {c.leaf.data:g}"
            mark = f"   not judged: {c.why}" if not c.judged else "" if c.ok else "   <-- MISMATCH"
            rows.append(
                f"{name:<16.16} {c.autograd:>14.6g} {c.numeric:>14.6g} {c.abs_error:>10.2e} {c.rel_error:>10.2e}{mark}"
            )
        if self.mismatches:
            verdict = f"{len(self.mismatches)} gradient(s) do NOT match"
        elif self.unjudged:
            verdict = f"{len(self.checks) - len(self.unjudged)} gradient(s) match; {len(self.unjudged)} not judged"
        else:
            verdict = "all gradients match"
        rows.append(verdict)
        for node in self.faulty_nodes:
            failing = [c for c in self.local_checks if c.node is node and not c.ok]
            edges = "; ".join(
                dict.fromkeys(  # an input used twice by one node is checked as one: said once
                    c.note or f"d/d {names.get(c.input, '?')}: local {_shown(c.autograd)}, numeric {c.numeric:.6g}"
                    for c in failing
                )
            )
            made = f"op {node.op}" if node.op else "a leaf"
            rows.append(f"faulty node {names.get(node, '?')} ({made}): {edges}")
        if self.unchecked:
            shown = ", ".join(f"{names.get(v, '?')} (op {v.op})" for v in self.unchecked)
            rows.append(f"not checked: {shown}: livegrad does not know these ops, nor the leaves that feed them")
        return "\n".join(rows)


def _shown(local: float | None) -> str:
    return "none (masked)" if local is None else f"{local:.6g}"


def gradcheck(
    root: object, eps: float = 1e-6, rtol: float = 1e-4, atol: float = 1e-6, leaves: list[object] | None = None
) -> GradcheckReport:
    """Check autograd against central finite differences: of `root` for every leaf (or `leaves`),
    and of each op for every edge of the graph (so a wrong local derivative is pinned to its node).

    They match when ``|autograd - numeric| <= atol + rtol * |numeric|`` (or both are nan). A leaf or
    edge whose difference cannot judge it (a kink, a pole, an op livegrad cannot re-run) says so
    (``judged`` False, ``why``): it is neither a match nor a mismatch. Every number of the user's
    (data, grads) is left exactly as found.

    `root` may be a learner's own node (`livegrad.foreign`): their gradients (their ``backward()``)
    stand beside differences of the graph re-evaluated with livegrad's op table, and each node's
    own backward is checked edge by edge.
    """
    return check_graph(Graph.of(root), eps, rtol, atol, leaves)


def check_graph(
    graph: Graph, eps: float = 1e-6, rtol: float = 1e-4, atol: float = 1e-6, leaves: list[object] | None = None
) -> GradcheckReport:
    """`gradcheck` on a graph already walked (the widget's own, whose nodes it knows by id)."""
    order = graph.order
    for name, x in (("eps", eps), ("rtol", rtol), ("atol", atol)):
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or x < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {x!r}")
    if eps == 0:
        raise ValueError("eps must be > 0")
    if leaves is not None:
        nodes = [graph.node_of(v) for v in leaves]
        if not all(v is not None and v.is_leaf() for v in nodes):
            raise ValueError("leaves must be leaf Values of root's graph")
        chosen: list[Node] = nodes  # type: ignore[assignment]
    else:
        chosen = [v for v in order if v.is_leaf()]

    def close(autograd: float, numeric: float) -> bool:
        error = abs(autograd - numeric)
        return error <= atol + rtol * abs(numeric) or (math.isnan(error) and math.isnan(autograd))

    with graph.preserved():  # the user's numbers are put back as found, to the last bit
        graph.forward()
        graph.backward()
        autograds = {leaf: leaf.grad for leaf in chosen}
        unknown = sorted({v.op for v in order if not graph.engine.known(v)})
        blocked = f"it feeds {', '.join(unknown)}, an op livegrad cannot re-run"  # said by each leaf behind them
        checks = [_leaf_check(graph, leaf, autograds[leaf], eps, close, blocked) for leaf in chosen]
        graph.forward()  # the local checks read each node's inputs at the point itself
        names = dict(zip(order, graph.names))
        local_checks = []
        for node, c in graph.engine.edge_checks(order, names.__getitem__, eps, rtol, atol):
            judged, why = _judged(c.numeric) if c.ok else (True, "")  # a mismatch found is judged
            local_checks.append(
                LocalCheck(node, c.index, c.input, c.autograd, c.numeric, c.ok, c.note, c.headline, judged, why)
            )
    unchecked = tuple(v for v in order if not graph.engine.known(v))
    return GradcheckReport(tuple(checks), tuple(local_checks), names, unchecked)


def _leaf_check(
    graph: Graph, leaf: Node, autograd: float, eps: float, close: Callable[[float, float], bool], blocked: str
) -> LeafCheck:
    """One leaf judged, or said why it cannot be: behind an op livegrad cannot re-run (`blocked` says
    which), at a kink or a pole."""
    if leaf in graph.blocked:  # no finite difference through an op livegrad does not know
        return LeafCheck(leaf, autograd, math.nan, math.nan, math.nan, True, judged=False, why=blocked)
    numeric = _central_difference(graph, leaf, eps)
    error = abs(autograd - numeric)
    relative = error / abs(numeric) if numeric else (0.0 if error == 0 else math.inf)
    judged, why = _judged(numeric)
    if not judged and math.isnan(autograd):
        judged, why = True, ""  # both nan: a nan gradient where the root is not finite nearby is right
    return LeafCheck(leaf, autograd, numeric, error, relative, not judged or close(autograd, numeric), judged, why)


def _judged(numeric: float) -> tuple[bool, str]:
    """Whether a central difference can judge a derivative, and if not, why."""
    if math.isnan(numeric):
        return False, "a kink or rounding here: the one-sided differences disagree, or the value's size swamps the step"
    if math.isinf(numeric):
        return False, "a pole or an overflow here: the difference is infinite"
    return True, ""


def _central_difference(graph: Graph, leaf: Node, eps: float) -> float:
    """d root / d leaf by central differences of the whole graph, f(x) read from the graph evaluated at
    x itself (not where the last leaf's difference left it); the leaf is restored."""
    start = leaf.data
    graph.forward()
    here = graph.root.data
    h = eps * max(1.0, abs(start))
    try:
        leaf.data = start + h
        graph.forward()
        up = graph.root.data
        leaf.data = start - h
        graph.forward()
        down = graph.root.data
    finally:  # even if an op of the user's raises, their leaf keeps its value
        leaf.data = start
    return difference(here, up, down, h)
