"""Reading a learner's own engine by duck typing (livegrad.foreign), on engines written in tests/learner_engines.py."""

from __future__ import annotations

import math

import pytest

import livegrad
from learner_engines import AssigningScalar, BuggyScalar, Node, Scalar, Shaped, neuron
from livegrad import foreign, learner_checks
from livegrad.ops import BUILTIN_OPS, power_of


def central(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def test_the_view_is_the_learners_own_objects_in_a_deterministic_order() -> None:
    v = neuron()
    order = foreign.topological_order(v["o"])
    assert [node.obj for node in order][-1] is v["o"]
    assert [node.label for node in order if node.is_leaf()] == ["x1", "w1", "x2", "w2", "b"]  # argument order
    assert [node.op for node in order if not node.is_leaf()] == ["*", "*", "+", "+", "tanh"]
    assert [node.label for node in foreign.topological_order(v["o"])] == [node.label for node in order]
    x1 = order[0]
    x1.data = 5.0  # a view writes through: nothing is copied
    assert v["x1"].data == 5.0
    v["x1"].grad = 3.0
    assert x1.grad == 3.0


def test_set_inputs_take_the_ops_argument_order_from_the_closure() -> None:
    a, b = Scalar(3.0, label="z"), Scalar(4.0, label="a")  # labels sort the other way round
    q = a / b
    (node,) = [n for n in foreign.topological_order(q) if not n.is_leaf()]
    assert [x.obj for x in node.inputs] == [a, b] and node._fn is BUILTIN_OPS["/"]
    twice = a + a  # a set keeps `a` once; the closure has it as both operands
    (node,) = [n for n in foreign.topological_order(twice) if not n.is_leaf()]
    assert [x.obj for x in node.inputs] == [a, a]


def test_evaluate_leaves_a_captured_exponent_alone_when_it_equals_the_result() -> None:
    x = Scalar(4.0, label="x")
    y = x**0.5  # their __pow__'s _backward closes over the exponent as `k`
    order = foreign.topological_order(y)
    x.data = 0.25
    foreign.evaluate(order)
    assert y.data == 0.5  # now equal to k
    x.data = 9.0
    foreign.evaluate(order)
    foreign.backpropagate(order)
    assert y.data == 3.0
    assert math.isclose(x.grad, central(math.sqrt, 9.0), rel_tol=1e-6)  # 1/6, not k rewritten to 3


def test_evaluate_writes_data_back_and_their_backward_sees_it() -> None:
    v = neuron()
    order = foreign.topological_order(v["o"])
    v["x1"].data = 1.0
    foreign.evaluate(order)
    foreign.backpropagate(order)
    # The oracle: livegrad's own engine on the same numbers, and a central difference.
    lv = {k: livegrad.Value(v[k].data, label=k) for k in ("x1", "x2", "w1", "w2", "b")}
    lo = (lv["x1"] * lv["w1"] + lv["x2"] * lv["w2"] + lv["b"]).tanh()
    lo.backward()
    assert v["o"].data == lo.data
    for k in lv:
        assert math.isclose(v[k].grad, lv[k].grad, rel_tol=1e-12, abs_tol=1e-15), k
    w1 = v["w1"].data
    numeric = central(lambda x: math.tanh(v["x1"].data * x + v["b"].data + v["x2"].data * v["w2"].data), w1)
    assert math.isclose(v["w1"].grad, numeric, rel_tol=1e-6)


def test_a_graph_without_backward_runs_their_backward_closures_by_hand() -> None:
    class NoBackward(Scalar):
        backward = None

    v = neuron(NoBackward)
    foreign.backpropagate(foreign.topological_order(v["o"]))
    assert math.isclose(v["x1"].grad, -1.5, rel_tol=1e-9) and v["o"].grad == 1.0


def test_their_local_derivatives_by_probe_and_by_local_grad() -> None:
    v = neuron()
    order = foreign.topological_order(v["o"])
    before = [n.grad for n in order]
    locals_ = {n.label or n.op: foreign.local_derivatives(n) for n in order}
    assert locals_["o"] == pytest.approx((0.5,))
    assert foreign.local_derivatives(order[2]) == (-3.0, 2.0)  # x1*w1: (w1, x1)
    assert [n.grad for n in order] == before  # probing restores every grad
    x = Node(3.0)
    y = (x * x).square()
    order = foreign.topological_order(y)
    assert [n.op for n in order] == ["", "*", "** 2"] and order[2]._fn is power_of(2.0)
    assert foreign.local_derivatives(order[1]) == (3.0, 3.0)
    assert foreign.local_derivatives(order[2]) == (18.0,)


def test_a_wrong_local_derivative_is_flagged_and_named() -> None:
    x = BuggyScalar(0.5, label="x")
    y = (x * 2).exp()
    y.label = "y"
    order = foreign.topological_order(y)
    counts = learner_checks.consumer_counts(order)
    checks = {
        n.label or n.op: learner_checks.check_locals(n, lambda n: n.label or n.op, counts, 1e-6, 1e-4, 1e-6)
        for n in order
    }
    assert all(c.ok for c in checks["*"])
    (bad,) = checks["y"]
    assert not bad.ok and bad.autograd == 1.0 and math.isclose(bad.numeric, math.exp(1.0), rel_tol=1e-8)
    assert bad.note.startswith("d y / d *: its backward gives 1")


def test_an_assigning_backward_is_named_and_said_to_matter_when_a_value_is_used_twice() -> None:
    a, b = AssigningScalar(2.0, label="a"), AssigningScalar(3.0, label="b")
    f = a * b + a  # `a` feeds two nodes: its gradient loses the first contribution
    f.label = "f"
    order = foreign.topological_order(f)
    foreign.backpropagate(order)
    assert a.grad != 4.0  # their engine's wrong answer (the right one is b + 1 = 4)
    counts = learner_checks.consumer_counts(order)
    mul = next(n for n in order if n.op == "*")
    checks = learner_checks.check_locals(mul, lambda n: n.label or n.op, counts, 1e-6, 1e-4, 1e-6)
    assert [c.ok for c in checks] == [False, False]
    assert "sets a.grad instead of adding to it (+=): a is used 2 times here" in checks[0].note
    assert "harmless here only because b is used once" in checks[1].note


def test_a_backward_that_does_not_multiply_by_out_grad_is_caught_at_the_root() -> None:
    class Seed001Tanh(Scalar):
        def tanh(self):
            t = math.tanh(self.data)
            out = Seed001Tanh(t, (self,), "tanh")

            def _backward():
                self.grad = 1 - (t**2) * out.grad  # seed 001, as printed

            out._backward = _backward
            return out

    n = Seed001Tanh(0.8, label="n")
    o = n.tanh()
    o.label = "o"
    order = foreign.topological_order(o)
    foreign.backpropagate(order)
    assert math.isclose(n.grad, 1 - math.tanh(0.8) ** 2)  # right at the root, by luck
    (check,) = learner_checks.check_locals(order[1], lambda n: n.label, {}, 1e-6, 1e-4, 1e-6)
    assert not check.ok and "must be multiplied by out.grad" in check.note


@pytest.mark.parametrize(
    ("number", "inputs_attr", "container"),
    [
        ("data", "_prev", set),
        ("data", "_children", tuple),
        ("data", "_parents", list),
        ("value", "children", list),
        ("value", "inputs", tuple),
    ],
)
def test_each_duck_typing_shape(number: str, inputs_attr: str, container: type) -> None:
    def make(x, inputs=(), op="", label=""):
        return Shaped(x, inputs, op, number=number, inputs_attr=inputs_attr, container=container, label=label)

    a, b = make(2.0, label="a"), make(-3.0, label="b")
    p = make(-6.0, (a, b), "*", label="p")
    r = make(0.0, (p,), "ReLU", label="r")
    order = foreign.topological_order(r)
    assert [n.label for n in order] == ["a", "b", "p", "r"]
    assert order[3]._fn is BUILTIN_OPS["relu"] and order[2]._fn is BUILTIN_OPS["*"]
    a_view = order[0]
    a_view.data = -2.0
    foreign.evaluate(order)
    assert getattr(p, number) == 6.0 and getattr(r, number) == 6.0


def test_op_names_from_repr_from_the_numbers_and_from_the_class() -> None:
    assert foreign.livegrad_op("** 2", 1) is power_of(2.0)
    assert foreign.livegrad_op("**-1", 1) is power_of(-1.0)
    assert foreign.livegrad_op("ReLU", 1) is BUILTIN_OPS["relu"]
    assert foreign.livegrad_op("-", 1) is BUILTIN_OPS["neg"]
    assert foreign.livegrad_op("+", 1) is None and foreign.livegrad_op("sin", 1) is None

    class Cube(Shaped):
        pass

    x = Shaped(2.0, label="x")
    (_, node) = foreign.topological_order(Cube(7.0, (x,)))  # no op of livegrad's makes 7 from 2
    assert node.op == "Cube" and node._fn is None and not node.known
    (_, node) = foreign.topological_order(Cube(8.0, (x,)))  # but 8 from 2 reads as a cube
    assert node.op == "**3" and node._fn is power_of(3.0) and node.known
    (_, node) = foreign.topological_order(Shaped(7.0, (x,)))  # one class for every node: no name in it
    assert node.op == "?" and node._fn is None and not node.known


def test_an_unknown_op_keeps_their_data_and_the_rest_is_re_evaluated() -> None:
    x = Scalar(0.5, label="x")
    y = x.sin() * 2 + x
    order = foreign.topological_order(y)
    sin = next(n for n in order if n.op == "sin")
    assert not sin.known
    x.data = 1.0
    foreign.evaluate(order)
    assert y.data == math.sin(0.5) * 2 + 1.0  # sin kept what their engine computed


def test_any_depth() -> None:
    x = node = Shaped(1.0, label="x")
    for _ in range(100_000):
        node = Shaped(node.data + 1.0, (node,), "exp")
    order = foreign.topological_order(node)
    assert len(order) == 100_001 and order[0].obj is x


class Value:  # a learner's class named Value, missing its grad
    def __init__(self, data):
        self.data = data
        self._prev = set()


@pytest.mark.parametrize(
    ("root", "found"),
    [
        (Value(1.0), "Got a test_foreign.Value (<test_foreign.Value object"),
        (3.0, "Got a float (3.0): no .data or .value; no .grad; no inputs attribute"),
        (Shaped("x"), ".data is str"),
    ],
)
def test_something_else_gets_an_error_saying_what_was_looked_for_and_found(root: object, found: str) -> None:
    with pytest.raises(TypeError) as error:
        foreign.topological_order(root)
    message = str(error.value)
    assert "a number in .data or .value, a number in .grad" in message and found in message
    assert "must be a Value, got Value" not in message


def test_an_input_that_is_not_a_node_is_named_with_its_parent() -> None:
    bad = Shaped(1.0, (Shaped(1.0, label="ok"), 2.0), "+", label="s")
    with pytest.raises(TypeError, match=r"an input of a test_foreign.Shaped|an input of a learner_engines.Shaped"):
        foreign.topological_order(bad)


def test_a_masked_edge_from_the_op_table_stays_none_as_the_engines_does() -> None:
    x = Shaped(-2.0, label="x")
    y = Shaped(0.0, (x,), "relu", label="y")  # no _backward or _local_grad: the op table's derivative
    z = Shaped(0.0, (x,), "** 0", label="z")
    order = foreign.topological_order(Shaped(0.0, (y, z), "+", label="s"))
    nodes = {node.label: node for node in order}
    assert foreign.local_derivatives(nodes["y"]) == livegrad.engine.local_derivatives(livegrad.Value(-2.0).relu())
    assert foreign.local_derivatives(nodes["y"]) == (None,)  # relu where a <= 0: no gradient reaches x
    assert foreign.local_derivatives(nodes["z"]) == (None,)  # x ** 0: the base gets none
    local = livegrad.GraphWidget(order[-1].obj).values["local"]
    assert [None] in local and not any(isinstance(d, float) and math.isnan(d) for row in local for d in row)


def test_closures_of_one_function_share_a_layout_but_each_keeps_its_own_operands_and_result() -> None:
    a, b = Scalar(3.0, label="a"), Scalar(4.0, label="b")
    ab, ba = a / b, b / a  # one `_backward` function, its operands the other way round
    ta, tb = a.tanh(), b.tanh()  # one function: each closure holds its own `t`
    sq = a**2  # another function, whose extra cell `k` is no result
    root = ab + ba + ta + tb + sq
    order = foreign.topological_order(root)
    view = {id(n.obj): n for n in order}
    assert [x.obj for x in view[id(ab)].inputs] == [a, b] and [x.obj for x in view[id(ba)].inputs] == [b, a]
    assert view[id(ab)]._fn is view[id(ba)]._fn is BUILTIN_OPS["/"]
    assert view[id(ta)]._fn is BUILTIN_OPS["tanh"] and view[id(sq)]._fn is power_of(2.0)
    assert [len(view[id(x)]._result_cells) for x in (ab, ba, ta, tb, sq)] == [0, 0, 1, 1, 0]
    a.data, b.data = 0.5, -0.25
    foreign.evaluate(order)
    foreign.backpropagate(order)
    lv = {k: livegrad.Value(x.data) for k, x in (("a", a), ("b", b))}
    lroot = lv["a"] / lv["b"] + lv["b"] / lv["a"] + lv["a"].tanh() + lv["b"].tanh() + lv["a"] ** 2
    lroot.backward()
    assert root.data == pytest.approx(lroot.data, rel=1e-12)
    assert (a.grad, b.grad) == pytest.approx((lv["a"].grad, lv["b"].grad), rel=1e-12)  # each t rewritten as its own


@pytest.mark.parametrize("data", [True, "1.0", None])
def test_a_bool_or_a_non_number_is_not_a_nodes_number(data: object) -> None:
    with pytest.raises(TypeError, match=r"a number in \.data or \.value"):
        foreign.topological_order(Shaped(data))


def test_numbers_other_than_float_and_int_are_read() -> None:
    from fractions import Fraction

    x = Shaped(Fraction(1, 2), label="x")
    (node,) = foreign.topological_order(x)
    assert node.data == 0.5


def test_an_input_used_twice_is_probed_once_and_each_edge_gets_half() -> None:
    a = Scalar(3.0, label="a")
    b = Scalar(-2.0, label="b")
    sq, s, m = a * a, a + a, a * b
    order = foreign.topological_order(sq + s + m)
    view = {id(n.obj): n for n in order}
    a.grad, b.grad = 0.25, 0.5  # grads held before the probe come back afterwards
    assert foreign.local_derivatives(view[id(sq)]) == (3.0, 3.0)  # d(a·a)/da = 2a = 6, half on each edge
    assert foreign.local_derivatives(view[id(s)]) == (1.0, 1.0)
    assert foreign.local_derivatives(view[id(m)]) == (-2.0, 3.0)
    assert (a.grad, b.grad, sq.grad) == (0.25, 0.5, 0.0)
    assert learner_checks._probe(view[id(sq)], upstream=2.0, held=1.0) == {id(view[id(a)]): 6.0}
