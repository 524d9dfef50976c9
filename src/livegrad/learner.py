"""A learner's own engine behind livegrad's `Engine` interface (`LEARNER`), and its backward pass
checked where it can be wrong: node by node, and as a whole.

The graph is read and driven through `livegrad.foreign`'s views.

Each node's own `_backward` is probed (its local derivative, that it multiplies by ``out.grad``, that
it adds with ``+=``); local derivatives an engine stores as numbers (microgpt's ``_local_grads``)
are put beside a central difference of the op read for the node; and the one ``backward()`` of
microgpt's shape is compared with the chain rule over those stored numbers. Findings are said in
the learner's terms (`livegrad.adapters.EdgeCheck`), for `gradcheck` and the widget's marks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable

from .adapters import EdgeCheck
from .foreign import LearnerNode, _added, backpropagate, evaluate, local_derivatives, topological_order
from .nn import Call
from .ops import Op, central_difference
from .recording import call_returning

# How the checks probe a node's `_backward`: the gradient arriving from above, and a gradient
# its inputs already hold (a correct backward multiplies by the one and adds to the other).
PROBE_UPSTREAM = 2.0
PROBE_HELD = 1.0
_SIMPLE = re.compile(r"[\w.]+")  # a name that needs no brackets before ".grad"


def check_locals(
    node: LearnerNode,
    names: Callable[[LearnerNode], str],
    consumers: dict[LearnerNode, int],
    eps: float,
    rtol: float,
    atol: float,
) -> list[EdgeCheck]:
    """Check a node's backward edge by edge; [] for a leaf or an op livegrad does not know.

    Besides the derivative itself, a `_backward` is run with its node's grad at 2 and with its
    inputs' grads already at 1: a chain rule that does not multiply by ``out.grad`` (seed 001's
    ``1 - (t**2) * out.grad``) or that assigns instead of adding (``self.grad = ...``) is caught
    even where this graph happens to hide it. ``consumers`` counts the edges leaving each node.
    """
    fn = node._fn
    if fn is None:
        return []
    args = [x.data for x in node.inputs]
    if node.stored_locals is not None and not callable(getattr(node.obj, "_backward", None)):
        return _check_stored(node, fn, args, names, eps, rtol, atol)
    totals = _probe(node, upstream=1.0, held=0.0)
    scaled = _probe(node, upstream=PROBE_UPSTREAM, held=0.0)
    added = _probe(node, upstream=1.0, held=PROBE_HELD)
    local_grad = getattr(node.obj, "_local_grad", None)
    if totals is None and callable(local_grad):
        totals = {}
        for x in node.inputs:
            totals[id(x)] = totals.get(id(x), 0.0) + float(local_grad(x.obj))

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= atol + rtol * abs(b) or (math.isnan(a) and math.isnan(b))

    def named(x: LearnerNode) -> str:  # `(x1*w1 + x2*w2).grad`, `x1.grad`
        name = names(x)
        return name if _SIMPLE.fullmatch(name) else f"({name})"

    checks = []
    for index, x in enumerate(node.inputs):
        numeric = central_difference(fn, args, [i for i, y in enumerate(node.inputs) if y is x], eps)
        if totals is None:
            continue  # neither _backward nor _local_grad: nothing of theirs to check here
        local = totals[id(x)]
        of = f"d {names(node)} / d {names(x)}"
        note = headline = ""
        if math.isfinite(numeric) and not close(local, numeric):  # a pole or an overflow cannot be judged
            note = f"{of}: its backward gives {_num(local)}, the op's derivative is {_num(numeric)}"
            headline = f"{of}: {_num(local)}, not {_num(numeric)}"
        elif scaled is not None and not close(scaled[id(x)], local):
            headline = f"{named(x)}.grad not × out.grad"
            note = (
                f"{of}: with {named(node)}.grad = {PROBE_UPSTREAM:g} its backward adds "
                f"{_num(scaled[id(x)] * PROBE_UPSTREAM)} to {named(x)}.grad, not {PROBE_UPSTREAM:g} × {_num(local)}: "
                "the local derivative must be multiplied by out.grad"
            )
        elif added is not None and not close(added[id(x)], local):
            used = consumers.get(x, 1)
            effect = (
                f"{names(x)} is used {used} times here, so its gradient is wrong"
                if used > 1
                else f"harmless here only because {names(x)} is used once"
            )
            note = f"its backward sets {named(x)}.grad instead of adding to it (+=): {effect}"
            headline = f"sets {named(x)}.grad with =, not +="
        checks.append(EdgeCheck(index, x, local, numeric, not note, note, headline))
    return checks


def _check_stored(
    node: LearnerNode,
    fn: Op,
    args: list[float],
    names: Callable[[LearnerNode], str],
    eps: float,
    rtol: float,
    atol: float,
) -> list[EdgeCheck]:
    """Each local derivative their engine stored (microgpt's ``_local_grads``) beside a central
    difference of the op in that input alone: one edge each, even for ``a * a``."""
    checks = []
    for index, (x, local) in enumerate(zip(node.inputs, node.stored_locals or ())):
        numeric = central_difference(fn, args, [index], eps)
        note = headline = ""
        if math.isfinite(numeric) and abs(local - numeric) > atol + rtol * abs(numeric):
            of = f"d {names(node)} / d {names(x)}"
            note = f"{of}: the stored local derivative is {_num(local)}, the op's derivative is {_num(numeric)}"
            headline = f"{of}: {_num(local)}, not {_num(numeric)}"
        checks.append(EdgeCheck(index, x, local, numeric, not note, note, headline))
    return checks


def check_pass(
    order: list[LearnerNode], names: Callable[[LearnerNode], str], rtol: float, atol: float
) -> list[EdgeCheck]:
    """Their ``backward()`` beside the chain rule over the local derivatives their engine stored.

    In microgpt's shape one ``backward()`` multiplies every node's stored locals: a bug there (``=``
    for ``+=``, a missing ``* v.grad``, a sign) is in no node. It shows first at the node nearest the
    root whose gradient differs; that node is named, with what its number suggests, as a check on
    the node itself (``index`` -1). [] where the grads agree or nodes keep `_backward`s (checked
    node by node instead)."""
    if not order or any(
        node.inputs and (node.stored_locals is None or callable(getattr(node.obj, "_backward", None))) for node in order
    ):
        return []
    backpropagate(order)
    expected = {node: 0.0 for node in order}
    expected[order[-1]] = 1.0
    contributions: dict[LearnerNode, list[tuple[float, float]]] = {node: [] for node in order}  # (local, upstream)
    for node in reversed(order):
        theirs = float(node.obj.grad)  # type: ignore[attr-defined]
        right = expected[node]
        if abs(theirs - right) > atol + rtol * abs(right):
            return [_pass_finding(node, theirs, right, contributions[node], names)]
        for x, local in zip(node.inputs, node.stored_locals or ()):
            expected[x] += local * right
            contributions[x].append((local, right))
    return []


def _pass_finding(
    node: LearnerNode,
    theirs: float,
    right: float,
    parts: list[tuple[float, float]],
    names: Callable[[LearnerNode], str],
) -> EdgeCheck:
    """What a wrong gradient out of their ``backward()`` suggests, from the contributions it should sum."""
    name = names(node)

    def near(a: float, b: float) -> bool:
        return abs(a - b) <= 1e-9 * max(1.0, abs(b))

    said = (
        f"backward() gives {name}.grad = {_num(theirs)}, the chain rule over the stored local derivatives {_num(right)}"
    )
    if len(parts) > 1 and any(near(theirs, local * up) for local, up in parts):
        headline = f"{name}.grad set with =, not +="
        note = f"{said}: {name} feeds {len(parts)} values, and backward() keeps one contribution (= instead of +=)"
    elif near(theirs, sum(local for local, _ in parts)):
        headline = f"{name}.grad not × v.grad"
        note = f"{said}: backward() adds the local derivatives without multiplying them by the gradient from above"
    elif near(theirs, -right):
        headline = f"{name}.grad has the wrong sign"
        note = f"{said}: the sign is wrong"
    else:
        headline, note = f"{name}.grad: {_num(theirs)}, not {_num(right)}", said
    return EdgeCheck(-1, node, theirs, right, False, note, headline)


def consumer_counts(order: Iterable[LearnerNode]) -> dict[LearnerNode, int]:
    """How many input edges each node feeds (``a * a`` counts twice)."""
    counts: dict[LearnerNode, int] = {}
    for node in order:
        for x in node.inputs:
            counts[x] = counts.get(x, 0) + 1
    return counts


def _num(x: float) -> str:
    return "0" if abs(x) < 1e-12 else f"{x:.6g}"  # rounding noise is not news


def _probe(node: LearnerNode, upstream: float, held: float) -> dict[int, float] | None:
    """Run the node's own `_backward` with its grad at `upstream` and its inputs' grads at `held`;
    per input (by id of its view), what it added divided by `upstream`. Every grad is restored."""
    inputs = tuple(dict.fromkeys(node.inputs))
    added = _added(node, inputs, upstream, held)
    return None if added is None else dict(zip(map(id, inputs), added))


class Learner:
    """A learner's own engine behind livegrad's `Engine` interface (`livegrad.adapters`)."""

    learner = True

    def order(self, root: object, limit: int | None) -> list[LearnerNode]:
        return topological_order(root, limit)

    def inputs(self, order: list[LearnerNode], index: dict[LearnerNode, int]) -> list[list[int]]:
        return [[index[v] for v in node.inputs] for node in order]

    def user_object(self, node: LearnerNode) -> object:
        return node.obj

    def known(self, node: LearnerNode) -> bool:
        return node.known

    def save(self, order: list[LearnerNode]) -> Callable[[], None]:
        """Their data, grads, stored local derivatives and the `_backward` cells holding a node's
        result, as found."""
        found = [
            (
                getattr(v.obj, v._data_attr),
                v.obj.grad,  # type: ignore[attr-defined]
                [c.cell_contents for c in v._result_cells],  # type: ignore[attr-defined]
                getattr(v.obj, v._locals_attr) if v._locals_attr else None,
            )
            for v in order
        ]

        def restore() -> None:
            for v, (data, grad, cells, stored) in zip(order, found):
                setattr(v.obj, v._data_attr, data)
                v.obj.grad = grad  # type: ignore[attr-defined]
                for cell, held in zip(v._result_cells, cells):
                    cell.cell_contents = held  # type: ignore[attr-defined]
                if v._locals_attr:
                    setattr(v.obj, v._locals_attr, stored)

        return restore

    def forward(self, order: list[LearnerNode]) -> None:
        evaluate(order)

    def backward(self, order: list[LearnerNode]) -> None:
        backpropagate(order)

    def local_derivatives(self, node: LearnerNode) -> tuple[float | None, ...]:
        return local_derivatives(node)

    def call_of(self, node: LearnerNode) -> Call | None:
        return call_returning(node.obj)

    def slidable(self, node: LearnerNode) -> bool:
        return True

    def columns(self, order: list[LearnerNode]) -> dict[str, list[object]]:
        return {}

    def summaries(self, order: list[LearnerNode]) -> dict[str, object]:
        return {}

    def edge_checks(
        self,
        order: list[LearnerNode],
        names: Callable[[LearnerNode], str],
        eps: float,
        rtol: float,
        atol: float,
    ) -> Iterable[tuple[LearnerNode, EdgeCheck]]:
        consumers = consumer_counts(order)
        for node in order:
            for check in check_locals(node, names, consumers, eps, rtol, atol):
                yield node, check
        for check in check_pass(order, names, rtol, atol):
            yield check.input, check


LEARNER = Learner()
