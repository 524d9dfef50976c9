"""Passes spelled out step by step, and a numerical check of the gradients.

`backward_trace` lists what `backward()` does, edge by edge: which node passes its gradient
on, the local derivative of each input edge, the contribution (upstream grad × local), and
the input's gradient before and after. `forward_trace` lists the values in the order they
are computed. `gradcheck` puts central finite differences beside autograd for every leaf.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .engine import Value, backpropagate, evaluate, topological_order


@dataclass(frozen=True)
class Edge:
    """One chain-rule contribution: ``input.grad += local × node.grad``."""

    input: Value
    local: float
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


def local_derivatives(node: Value) -> tuple[float, ...]:
    """d node / d input for each input, from the node's op."""
    op, a, b = node._op, node._a, node._b
    if op is None or a is None:
        return ()
    if b is None:
        return (op.local(a.data, node.data),)
    return tuple(op.local(a.data, b.data, node.data))


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
class GradcheckReport:
    """Per leaf: autograd's gradient beside the central finite difference."""

    checks: tuple[LeafCheck, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def mismatches(self) -> tuple[LeafCheck, ...]:
        return tuple(check for check in self.checks if not check.ok)

    def __str__(self) -> str:
        rows = [f"{'leaf':<16} {'autograd':>14} {'numeric':>14} {'abs err':>10} {'rel err':>10}"]
        for c in self.checks:
            name = c.leaf.label or f"const {c.leaf.data:g}"
            mark = "" if c.ok else "   <-- MISMATCH"
            rows.append(
                f"{name:<16.16} {c.autograd:>14.6g} {c.numeric:>14.6g} {c.abs_error:>10.2e} {c.rel_error:>10.2e}{mark}"
            )
        verdict = "all gradients match" if self.ok else f"{len(self.mismatches)} gradient(s) do NOT match"
        return "\n".join([*rows, verdict])


def gradcheck(
    root: Value, eps: float = 1e-6, rtol: float = 1e-4, atol: float = 1e-6, leaves: list[Value] | None = None
) -> GradcheckReport:
    """Check autograd against central finite differences of `root`, for every leaf (or `leaves`).

    A gradient matches when ``|autograd - numeric| <= atol + rtol * |numeric|``. The graph is
    left as it was found: leaves restored, forward and backward re-run.
    """
    order = topological_order(root)  # first, so a wrong root is the error reported
    for name, x in (("eps", eps), ("rtol", rtol), ("atol", atol)):
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or x < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {x!r}")
    if eps == 0:
        raise ValueError("eps must be > 0")
    if leaves is None:
        leaves = [v for v in order if v.is_leaf()]
    else:
        in_graph = set(order)
        if not all(isinstance(v, Value) and v.is_leaf() and v in in_graph for v in leaves):
            raise ValueError("leaves must be leaf Values of root's graph")
    evaluate(order)
    backpropagate(order)
    autograd = {leaf: leaf.grad for leaf in leaves}
    checks = []
    for leaf in leaves:
        start = leaf.data
        h = eps * max(1.0, abs(start))
        leaf.data = start + h
        evaluate(order)
        up = root.data
        leaf.data = start - h
        evaluate(order)
        down = root.data
        leaf.data = start
        numeric = (up - down) / (2 * h)
        error = abs(autograd[leaf] - numeric)
        relative = error / abs(numeric) if numeric else (0.0 if error == 0 else math.inf)
        same = error <= atol + rtol * abs(numeric) or (math.isnan(error) and math.isnan(autograd[leaf]))
        checks.append(LeafCheck(leaf, autograd[leaf], numeric, error, relative, bool(same)))
    evaluate(order)
    backpropagate(order)
    return GradcheckReport(tuple(checks))
