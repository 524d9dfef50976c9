"""Learners' engines written for the tests (not the seeds'): the shapes livegrad must read.

`Scalar` is micrograd-style (``_prev`` set, ``_op`` str, ``_backward`` closures, ``backward()``),
with ops livegrad knows and one it does not (``sin``). `BuggyScalar` has a wrong local derivative
in ``exp``; `AssigningScalar` assigns in ``*``'s backward instead of adding. `Node` is
seed-000-style (``_parents`` tuple, ops named by ``__repr__``, ``_local_grad``). `Shaped` takes
its attribute names per test.
"""

from __future__ import annotations

import math


class Scalar:
    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"Scalar({self.data})"

    @classmethod
    def wrap(cls, x):
        return x if isinstance(x, Scalar) else cls(x)

    def __add__(self, other):
        other = self.wrap(other)
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    __radd__ = __add__

    def __mul__(self, other):
        other = self.wrap(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = self.wrap(other)
        out = type(self)(self.data / other.data, (self, other), "/")

        def _backward():
            self.grad += out.grad / other.data
            other.grad += -self.data / other.data**2 * out.grad

        out._backward = _backward
        return out

    def __sub__(self, other):
        return self + (-other)

    def __neg__(self):
        return self * -1

    def __pow__(self, k):
        out = type(self)(self.data**k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = type(self)(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad  # t captured, as micrograd's tanh does

        out._backward = _backward
        return out

    def exp(self):
        out = type(self)(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def sin(self):
        out = type(self)(math.sin(self.data), (self,), "sin")

        def _backward():
            self.grad += math.cos(self.data) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


class BuggyScalar(Scalar):
    def exp(self):
        out = BuggyScalar(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += self.data * out.grad  # wrong: d exp(x)/dx is exp(x), not x

        out._backward = _backward
        return out


class AssigningScalar(Scalar):
    def __mul__(self, other):
        other = self.wrap(other)
        out = AssigningScalar(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad = other.data * out.grad  # wrong: overwrites what other uses of self added
            other.grad = self.data * out.grad

        out._backward = _backward
        return out


class Node:
    """Seed-000-style: parents in a tuple, local gradients by method, ops named by __repr__."""

    def __init__(self, data, parents=()):
        self.data = data
        self.grad = 0
        self._parents = parents

    def backward(self):
        order, seen = [], set()
        stack = [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack += [(p, False) for p in node._parents]
        self.grad = 1.0
        for node in reversed(order):
            for parent in node._parents:
                parent.grad += node.grad * node._local_grad(parent)

    def __mul__(self, other):
        return Times(self, other)

    def square(self):
        return Square(self)


class Times(Node):
    def __init__(self, x, y):
        super().__init__(x.data * y.data, (x, y))

    def _local_grad(self, parent):
        i = self._parents.index(parent)
        return self._parents[1 - i].data

    def __repr__(self):
        return "*"


class Square(Node):
    def __init__(self, x):
        super().__init__(x.data**2, (x,))

    def _local_grad(self, parent):
        return 2 * parent.data

    def __repr__(self):
        return "** 2"


class Shaped:
    """A node whose number and inputs live under attribute names chosen per test."""

    def __init__(self, x, inputs=(), op="", *, number="data", inputs_attr="_children", container=tuple, label=""):
        setattr(self, number, x)
        self.grad = 0.0
        setattr(self, inputs_attr, container(inputs))
        self._op = op
        self.label = label


def neuron(kind: type[Scalar] = Scalar) -> dict[str, Scalar]:
    """Seed 003's neuron built with a learner's engine (`kind`), the sums left unlabelled."""
    x1, x2 = kind(2.0, label="x1"), kind(0.0, label="x2")
    w1, w2 = kind(-3.0, label="w1"), kind(1.0, label="w2")
    b = kind(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "o": o}


class Slotted:
    """An engine in the shape of Karpathy's microgpt (2026): slots, local derivatives stored as numbers,
    no op names, no labels, no `_backward`; `-` and `/` by composition, as there. (Its ops make nodes of
    its own class, so a test's subclass with one bug builds whole graphs of itself.)"""

    __slots__ = ("data", "grad", "_children", "_local_grads")  # noqa: RUF023  (microgpt's order)

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, Slotted) else type(self)(other)
        return type(self)(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, Slotted) else type(self)(other)
        return type(self)(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, other):
        return type(self)(self.data**other, (self,), (other * self.data ** (other - 1),))

    def log(self):
        return type(self)(math.log(self.data), (self,), (1 / self.data,))

    def exp(self):
        return type(self)(math.exp(self.data), (self,), (math.exp(self.data),))

    def relu(self):
        return type(self)(max(0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1

    def backward(self):
        topo, visited = [], set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._children:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad


def slotted_neuron() -> dict[str, Slotted]:
    """The lecture neuron in microgpt's engine, which has no tanh: ``(e - 1) / (e + 1)``, e = exp(2n)."""
    x1, x2, w1, w2 = Slotted(2.0), Slotted(0.0), Slotted(-3.0), Slotted(1.0)
    b = Slotted(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)
    return {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "e": e, "o": o}
