"""Passes spelled out step by step, and a numerical check of the gradients.

`backward_trace` lists what `backward()` does, edge by edge: which node passes its gradient
on, the local derivative of each input edge, the contribution (upstream grad × local), and
the input's gradient before and after. `forward_trace` lists the values in the order they
are computed. `gradcheck` puts central finite differences beside autograd for every leaf,
and beside each op's local derivative for every edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .engine import Value, backpropagate, evaluate, local_derivatives, topological_order
from .graph import display_names


@dataclass(frozen=True)
class Edge:
    """One chain-rule contribution: ``input.grad += local × node.grad``.

    A ``local`` of None is an edge no gradient passes here (relu where its input is <= 0):
    its contribution is 0 and the input's gradient is left as it was.
    """

    input: Value
    local: float | None
    contribution: float
    grad_before: float
    grad_after: float


@dataclass(frozen=True)
class BackwardStep:
    node: Value
    grad: float  # the node's gradient, complete when it is passed on
    edges: tuple[Edge, ...]


@dataclass(frozen=True)
class ForwardStep:
    node: Value
    op: str
    inputs: tuple[Value, ...]
    data: float


def backward_trace(root: Value) -> list[BackwardStep]:
    """The steps of a fresh backward pass from `root`, in the order they happen.

    Leaves pass nothing on, so they have no step. Replaying the steps gives exactly the
    gradients `root.backward()` gives; the Values themselves are not changed.
    """
    order = topological_order(root)
    grads = {node: 0.0 for node in order}
    grads[root] = 1.0
    steps = []
    for node in reversed(order):
        if node.is_leaf():
            continue
        grad = grads[node]
        edges = []
        for source, local in zip(node.inputs, local_derivatives(node)):
            before = grads[source]
            if local is None:
                edges.append(Edge(source, None, 0.0, before, before))
                continue
            contribution = local * grad
            grads[source] = before + contribution
            edges.append(Edge(source, local, contribution, before, grads[source]))
        steps.append(BackwardStep(node, grad, tuple(edges)))
    return steps


def forward_trace(root: Value) -> list[ForwardStep]:
    """The computed values in the order a forward pass makes them, each with its op and inputs."""
    return [ForwardStep(v, v.op, v.inputs, v.data) for v in topological_order(root) if not v.is_leaf()]


@dataclass(frozen=True)
class LeafCheck:
    leaf: Value
    autograd: float
    numeric: float
    abs_error: float
    rel_error: float
    ok: bool


@dataclass(frozen=True)
class LocalCheck:
    """One edge: the op's local derivative d node / d input (None: no gradient reaches the input
    here, compared as 0) beside the central difference of the op's forward in that input."""

    node: Value
    index: int  # which input of the node: 0 for a, 1 for b
    input: Value
    autograd: float | None
    numeric: float
    ok: bool


@dataclass(frozen=True)
class GradcheckReport:
    """Per leaf: autograd's gradient beside the central finite difference of the root. Per edge
    of each computed node: the op's local derivative beside the central difference of the op."""

    checks: tuple[LeafCheck, ...]
    local_checks: tuple[LocalCheck, ...] = ()
    names: dict[Value, str] = field(default_factory=dict, repr=False, compare=False)  # display names

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks) and all(check.ok for check in self.local_checks)

    @property
    def mismatches(self) -> tuple[LeafCheck, ...]:
        return tuple(check for check in self.checks if not check.ok)

    @property
    def faulty_nodes(self) -> tuple[Value, ...]:
        """The computed nodes with a failing local check, in topological order: where backward is wrong."""
        return tuple(dict.fromkeys(check.node for check in self.local_checks if not check.ok))

    def __str__(self) -> str:
        names = self.names
        rows = [f"{'leaf':<16} {'autograd':>14} {'numeric':>14} {'abs err':>10} {'rel err':>10}"]
        for c in self.checks:
            name = names.get(c.leaf) or c.leaf.label or f"const {c.leaf.data:g}"
            mark = "" if c.ok else "   <-- MISMATCH"
            rows.append(
                f"{name:<16.16} {c.autograd:>14.6g} {c.numeric:>14.6g} {c.abs_error:>10.2e} {c.rel_error:>10.2e}{mark}"
            )
        verdict = "all gradients match" if not self.mismatches else f"{len(self.mismatches)} gradient(s) do NOT match"
        rows.append(verdict)
        for node in self.faulty_nodes:
            failing = [c for c in self.local_checks if c.node is node and not c.ok]
            edges = ", ".join(
                f"d/d {names.get(c.input, '?')}: local {_shown(c.autograd)}, numeric {c.numeric:.6g}" for c in failing
            )
            rows.append(f"faulty node {names.get(node, '?')} (op {node.op}): {edges}")
        return "\n".join(rows)


def _shown(local: float | None) -> str:
    return "none (masked)" if local is None else f"{local:.6g}"


def gradcheck(
    root: Value, eps: float = 1e-6, rtol: float = 1e-4, atol: float = 1e-6, leaves: list[Value] | None = None
) -> GradcheckReport:
    """Check autograd against central finite differences: of `root` for every leaf (or `leaves`),
    and of each op for every edge of the graph (so a wrong local derivative is pinned to its node).

    They match when ``|autograd - numeric| <= atol + rtol * |numeric|`` (or both are nan). An
    edge whose difference is not finite (a pole, an overflow) cannot be judged and passes. The
    graph is left as it was found: leaves restored, forward and backward re-run.
    """
    order = topological_order(root)  # checks root
    for name, x in (("eps", eps), ("rtol", rtol), ("atol", atol)):
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or x < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {x!r}")
    if eps == 0:
        raise ValueError("eps must be > 0")
    if leaves is not None:
        in_graph = set(order)
        if not all(isinstance(v, Value) and v.is_leaf() and v in in_graph for v in leaves):
            raise ValueError("leaves must be leaf Values of root's graph")
    else:
        leaves = [v for v in order if v.is_leaf()]

    def close(autograd: float, numeric: float) -> bool:
        error = abs(autograd - numeric)
        return error <= atol + rtol * abs(numeric) or (math.isnan(error) and math.isnan(autograd))

    evaluate(order)
    backpropagate(order)
    checks = []
    for leaf in leaves:
        autograd, numeric = leaf.grad, _central_difference(order, leaf, eps)
        error = abs(autograd - numeric)
        relative = error / abs(numeric) if numeric else (0.0 if error == 0 else math.inf)
        checks.append(LeafCheck(leaf, autograd, numeric, error, relative, close(autograd, numeric)))
    evaluate(order)
    backpropagate(order)
    local_checks = []
    for node in order:
        for index, (source, local) in enumerate(zip(node.inputs, local_derivatives(node))):
            numeric = _op_difference(node, index, eps)
            ok = not math.isfinite(numeric) or close(0.0 if local is None else local, numeric)
            local_checks.append(LocalCheck(node, index, source, local, numeric, ok))
    return GradcheckReport(tuple(checks), tuple(local_checks), dict(zip(order, display_names(order))))


def _central_difference(order: list[Value], leaf: Value, eps: float) -> float:
    """d root / d leaf by central differences of the whole graph; the leaf is restored."""
    start = leaf.data
    h = eps * max(1.0, abs(start))
    leaf.data = start + h
    evaluate(order)
    up = order[-1].data
    leaf.data = start - h
    evaluate(order)
    down = order[-1].data
    leaf.data = start
    return (up - down) / (2 * h)


def _op_difference(node: Value, index: int, eps: float) -> float:
    """d node / d input `index` by central differences of the node's op alone."""
    op, args = node._fn, [v.data for v in node.inputs]
    h = eps * max(1.0, abs(args[index]))
    up, down = list(args), list(args)
    up[index] += h
    down[index] -= h
    return (op.forward(*up) - op.forward(*down)) / (2 * h)  # type: ignore[union-attr]
