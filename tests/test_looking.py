"""Looking changes nothing, the way a learner meets it: a notebook in the shape of micrograd's lecture 1
(the tests' own), run as written and with a widget and a gradient check after every drawing, prints
the same in every other cell, to the last digit."""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ENGINE = """
import math

class Value:
    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"Value(data={self.data})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")
        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __rmul__(self, other):
        return self * other

    def tanh(self):
        x = self.data
        t = (math.exp(2*x) - 1)/(math.exp(2*x) + 1)  # the lecture's formula: its last digit is not math.tanh's
        out = Value(t, (self, ), "tanh")
        def _backward():
            self.grad += (1 - t**2) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()
        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
"""

NEURON = """
x1 = Value(2.0, label='x1'); x2 = Value(0.0, label='x2')
w1 = Value(-3.0, label='w1'); w2 = Value(1.0, label='w2')
b = Value(6.8813735870195432, label='b')
x1w1 = x1*w1; x1w1.label = 'x1*w1'
x2w2 = x2*w2; x2w2.label = 'x2*w2'
x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
n = x1w1x2w2 + b; n.label = 'n'
o = n.tanh(); o.label = 'o'
print(repr(o.data), x1.grad, w1.grad)
"""

# The lecture's cells after its engine: build, draw, backpropagate by hand, then by backward().
# A root's name marks a drawing of it: the looking cells go there.
LECTURE = [
    ENGINE,
    NEURON,
    "o",
    "o.grad = 1.0\no._backward()\nprint(repr(n.grad))",
    "n._backward()\nx1w1x2w2._backward()\nprint(repr(b.grad), repr(x1w1.grad))",
    "o",
    "x1w1._backward()\nx2w2._backward()\nprint(repr(x1.grad), repr(w1.grad), repr(x2.grad), repr(w2.grad))",
    "o",
    "o.backward()  # on top of the manual pass: the lecture's grads accumulate\nprint(repr(x1.grad), repr(w1.grad))",
    NEURON,
    "o",
    "o.backward()\nprint(repr(o.data), repr(x1.grad), repr(w1.grad), repr(b.grad))",
    "o",
    "a = Value(-2.0, label='a'); b2 = Value(3.0, label='b')\nd = a*b2 + a*b2; d.label = 'd'",
    "d",
    "d.backward()\nprint(repr(a.grad), repr(b2.grad))",
]
LOOK = [
    "from livegrad import GraphWidget, gradcheck, draw_dot, backward_trace, forward_trace\n_root = {root}",
    "_w = GraphWidget(_root)\n_w.check_gradients = True\n_w",
    "_report = gradcheck(_root); _dot = draw_dot(_root); _steps = backward_trace(_root), forward_trace(_root)",
]


def run(cells: list[str]) -> list[str]:
    """Each cell's printed text, in order, run in a real kernel."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    return ["".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream") for cell in notebook.cells]


def test_a_lecture_notebook_prints_the_same_with_and_without_looking() -> None:
    plain = [c for c in LECTURE if c not in ("o", "d")]
    looked, marks = [], []
    for cell in LECTURE:
        if cell in ("o", "d"):  # after each drawing: a widget with Check gradients, gradcheck, draw_dot, the traces
            for look in LOOK:
                looked.append(look.format(root=cell))
                marks.append(False)
        else:
            looked.append(cell)
            marks.append(True)
    with_looking = [text for text, mine in zip(run(looked), marks) if mine]
    as_written = run(plain)
    assert with_looking == as_written
    # The lecture's own numbers, to the last digit: tanh by its formula, grads by hand then accumulated.
    assert as_written[1] == "0.7071067811865476 0.0 0.0\n"
    assert as_written[2] == "0.4999999999999999\n"
    assert "-1.4999999999999996 0.9999999999999998" in as_written[4]
