"""How well `gradcheck` finds a learner's bug, measured like a detector.

Random graphs are built in both engine shapes learners write: micrograd's (`_backward` closures,
`learner_engines.Scalar`) and microgpt's (local derivatives stored as numbers, one `backward()`,
`learner_engines.Slotted`). Each engine gets one planted bug of the kinds learners make: a wrong
local derivative, ``=`` instead of ``+=``, a missing ``* out.grad``, a wrong sign. A bug is *found*
when `gradcheck` names a node where it is: a node of the buggy op, or, for a bug in microgpt's one
``backward()`` (which is in no node), the node where it first shows. A bug is *findable* when it
changes a number the engine gives on that graph (in micrograd's shape, a number its `_backward`
gives when probed); one that changes nothing (``=`` where no value is used twice) cannot be found
by looking at the numbers. False alarms are faulty nodes reported on the correct engines.

    python tests/detector.py [graphs per cell]     # the table in README's "Your own engine"
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass

from learner_engines import Scalar, Slotted
from livegrad import gradcheck
from livegrad.graph import Graph

# --- micrograd's shape: each bug in one op's `_backward` ---


class MulWrongLocal(Scalar):
    def __mul__(self, other):
        other = self.wrap(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += self.data * out.grad  # should be other.data
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    __rmul__ = __mul__


class MulAssigns(Scalar):
    def __mul__(self, other):
        other = self.wrap(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad = other.data * out.grad  # should be +=
            other.grad = self.data * out.grad

        out._backward = _backward
        return out

    __rmul__ = __mul__


class TanhUnscaled(Scalar):
    def tanh(self):
        t = math.tanh(self.data)
        out = type(self)(t, (self,), "tanh")

        def _backward():
            self.grad += 1 - t**2  # should be multiplied by out.grad

        out._backward = _backward
        return out


class AddSign(Scalar):
    def __add__(self, other):
        other = self.wrap(other)
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad -= out.grad  # a sign

        out._backward = _backward
        return out

    __radd__ = __add__


# --- microgpt's shape: a wrong stored local, or a bug in the one backward() ---


class SlottedMulWrongLocal(Slotted):
    def __mul__(self, other):
        other = other if isinstance(other, Slotted) else type(self)(other)
        return type(self)(self.data * other.data, (self, other), (self.data, other.data))  # swapped


class SlottedAddSign(Slotted):
    def __add__(self, other):
        other = other if isinstance(other, Slotted) else type(self)(other)
        return type(self)(self.data + other.data, (self, other), (1, -1))


def _topo(root: Slotted) -> list[Slotted]:
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        v, done = stack.pop()
        if done:
            order.append(v)
        elif v not in seen:
            seen.add(v)
            stack.append((v, True))
            stack.extend((c, False) for c in reversed(v._children))
    return order


class SlottedAssigns(Slotted):
    def backward(self):
        self.grad = 1
        for v in reversed(_topo(self)):
            for child, local in zip(v._children, v._local_grads):
                child.grad = local * v.grad  # should be +=


class SlottedUnscaled(Slotted):
    def backward(self):
        self.grad = 1
        for v in reversed(_topo(self)):
            for child, local in zip(v._children, v._local_grads):
                child.grad += local  # should be local * v.grad


@dataclass(frozen=True)
class Bug:
    shape: str
    kind: str
    engine: type
    op: str | None  # the op whose code holds the bug; None: the one backward() of microgpt's shape


BUGS = (
    Bug("micrograd", "wrong local derivative", MulWrongLocal, "*"),
    Bug("micrograd", "= instead of +=", MulAssigns, "*"),
    Bug("micrograd", "missing * out.grad", TanhUnscaled, "tanh"),
    Bug("micrograd", "a sign", AddSign, "+"),
    Bug("microgpt", "wrong local derivative", SlottedMulWrongLocal, "*"),
    Bug("microgpt", "= instead of +=", SlottedAssigns, None),
    Bug("microgpt", "missing * out.grad", SlottedUnscaled, None),
    Bug("microgpt", "a sign", SlottedAddSign, "+"),
)
CORRECT = {"micrograd": Scalar, "microgpt": Slotted}


def random_graph(kind: type, seed: int, leaves: int = 4, ops: int = 10) -> object:
    """A random expression over `leaves` inputs in `kind`'s engine: sums, products, squares and a
    smooth unary op (tanh in micrograd's shape, exp in microgpt's, which has no tanh), each taking
    recent values, so values are reused. Returns the root."""
    rng = random.Random(seed)
    nodes = [kind(round(rng.uniform(-1.5, 1.5), 3)) for _ in range(leaves)]
    unary = "tanh" if hasattr(kind, "tanh") else "exp"
    for _ in range(ops):
        a, b = rng.choice(nodes[-5:]), rng.choice(nodes)
        pick = rng.random()
        if pick < 0.35:
            out = a + b
        elif pick < 0.7:
            out = a * b
        elif pick < 0.85:
            out = a**2
        else:
            out = getattr(a * 0.3, unary)()
        nodes.append(out)
    return sum(nodes[leaves:], nodes[0])


def named(bug: Bug, root: object) -> bool:
    """Whether gradcheck names a node where the bug is."""
    faulty = gradcheck(root).faulty_nodes
    return any(node.op == bug.op for node in faulty) if bug.op else bool(faulty)


def findable(bug: Bug, seed: int) -> bool:
    """Whether the bug changes a number the engine gives on this graph: a gradient, a stored local
    derivative, or what one of its nodes' `_backward` adds when probed."""
    buggy, right = Graph.of(random_graph(bug.engine, seed)), Graph.of(random_graph(CORRECT[bug.shape], seed))
    if bug.op is None:  # in backward(): the gradients differ somewhere
        buggy.backward()
        right.backward()
        return any(not _same(a.grad, b.grad) for a, b in zip(buggy.order, right.order))
    pairs = [(a, b) for a, b in zip(buggy.order, right.order) if a.op == bug.op]
    if bug.shape == "microgpt":
        return any(not all(map(_same, a.stored_locals, b.stored_locals)) for a, b in pairs)
    return any(_probed(a) != _probed(b) for a, b in pairs)


def _probed(node: object) -> list[float]:
    """What a node's `_backward` adds to each input with its grad at 2 and its inputs' at 1."""
    inputs = list(dict.fromkeys(node.inputs))
    for x in inputs:
        x.grad = 1.0
    node.grad = 2.0
    node.obj._backward()
    return [round(x.grad, 9) for x in inputs]


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def measure(graphs: int, first_seed: int = 0) -> list[tuple[Bug, int, int, int]]:
    """Per bug: graphs where its op occurs, where it is findable, where it is found."""
    rows = []
    for bug in BUGS:
        planted = reachable = found = 0
        for seed in range(first_seed, first_seed + graphs):
            root = random_graph(bug.engine, seed)
            if bug.op and not any(v.op == bug.op for v in Graph.of(root).order):
                continue
            planted += 1
            if findable(bug, seed):
                reachable += 1
                found += named(bug, root)
        rows.append((bug, planted, reachable, found))
    return rows


def false_alarms(graphs: int, first_seed: int = 0) -> dict[str, int]:
    """Per shape: the correct engine's graphs on which gradcheck reports a faulty node or a mismatch."""
    return {
        shape: sum(not gradcheck(random_graph(kind, seed)).ok for seed in range(first_seed, first_seed + graphs))
        for shape, kind in CORRECT.items()
    }


def main(graphs: int, out: Callable[[str], None] = print) -> None:
    out(f"{'engine shape':<12} {'planted bug':<24} {'planted':>8} {'findable':>9} {'found':>6}")
    for bug, planted, reachable, found in measure(graphs):
        out(f"{bug.shape:<12} {bug.kind:<24} {planted:>8} {reachable:>9} {found:>6}")
    for shape, alarms in false_alarms(graphs).items():
        out(f"false alarms on correct {shape}-shaped engines: {alarms} of {graphs} graphs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
