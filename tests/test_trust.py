"""What every learner meets first: a gradient check that never crashes and never passes what it did
not judge, and looking (a widget, draw_dot, gradcheck, the traces) that changes nothing of theirs."""

from __future__ import annotations

import math

from hypothesis import assume, given
from hypothesis import strategies as st

from learner_engines import AssigningScalar, Scalar
from livegrad import GraphWidget, Value, backward_trace, draw_dot, forward_trace, gradcheck
from livegrad.graph import Graph

SMOOTH = ("+", "*", "tanh", "exp")


@st.composite
def smooth_programs(draw) -> tuple[list[float], list[tuple[str, int, int]]]:
    """Leaves' values and a program over smooth ops, values reused, every leaf used."""
    xs = draw(st.lists(st.floats(-1.5, 1.5).filter(lambda x: abs(x) > 0.05), min_size=2, max_size=4))
    steps = []
    for k in range(draw(st.integers(len(xs), 12))):
        size = len(xs) + k
        a = k if k < len(xs) else draw(st.integers(0, size - 1))  # the first steps use each leaf once
        steps.append((draw(st.sampled_from(SMOOTH)), a, draw(st.integers(0, size - 1))))
    return xs, steps


def run(steps: list[tuple[str, int, int]], pool: list) -> object:
    """Every value computed, summed: each leaf reaches the root."""
    computed = []
    for op, a, b in steps:
        x, y = pool[a], pool[b]
        pool.append(x + y if op == "+" else x * y if op == "*" else x.tanh() if op == "tanh" else (x * 0.3).exp())
        computed.append(pool[-1])
    root = computed[0]
    for v in computed[1:]:
        root = root + v
    return root


@given(program=smooth_programs(), learner=st.booleans())
def test_every_leaf_of_a_smooth_graph_is_judged(program, learner: bool) -> None:
    xs, steps = program
    kind = Scalar if learner else Value
    leaves = [kind(x, label=f"x{i}") if learner else Value(x, f"x{i}") for i, x in enumerate(xs)]
    root = run(steps, list(leaves))
    assume(all(math.isfinite(v.data) and abs(v.data) < 1e6 for v in Graph.of(root).order))
    report = gradcheck(root)
    leaves = [v for v in Graph.of(root).order if v.is_leaf()]  # the xs, and constants such as exp's 0.3
    assert len(report.checks) == len(leaves) >= len(xs) and report.unjudged == ()
    assert report.ok, str(report)
    assert report.summary == f"{len(leaves)}/{len(leaves)} leaves match"


def test_each_leaf_is_judged_at_its_own_point() -> None:
    x1, w1 = Value(2.0, "x1"), Value(-3.0, "w1")
    report = gradcheck(x1 * w1)
    assert [(c.leaf.label, c.judged) for c in report.checks] == [("x1", True), ("w1", True)]
    assert math.isclose(report.checks[1].numeric, 2.0, rel_tol=1e-6)  # was nan: read f(x) at x1 − h


def test_a_wrong_gradient_on_a_reused_leaf_is_a_mismatch_not_a_pass() -> None:
    x1 = AssigningScalar(2.0, label="x1")  # its * assigns: x1's two contributions do not add
    w1, w2 = AssigningScalar(-3.0, label="w1"), AssigningScalar(1.0, label="w2")
    o = (x1 * w1 + x1 * w2).tanh()
    o.label = "o"
    report = gradcheck(o)
    (bad,) = report.mismatches
    assert bad.leaf.label == "x1" and bad.judged
    assert report.summary == (
        "2/3 leaves match · x1·w1: its backward sets x1.grad instead of adding to it (+=): "
        "x1 is used 2 times here, so its gradient is wrong · 1 more faulty node(s)"
    )


def test_at_a_kink_the_leaf_is_not_judged_and_says_why() -> None:
    a = Value(0.0, "a")
    report = gradcheck(a.relu() + a)
    (check,) = report.checks
    assert not check.judged and check.ok and "kink" in check.why
    assert "not judged" in str(report) and "all gradients match" not in str(report)
    assert report.summary.startswith("0/1 leaves match · 1 not judged (a kink or rounding here")


def test_check_gradients_on_a_dead_relu_marks_it_and_does_not_crash() -> None:
    a, b = Value(-1.0, "a"), Value(2.0, "b")
    out = (a * b).relu()
    out.backward()
    w = GraphWidget(out)
    w.check_gradients = True
    assert w.error == ""
    check = w.gradient_check
    assert [leaf["ok"] for leaf in check["leaves"]] == [True, True]
    relu = next(c for c in check["locals"] if c["node"] == 3)
    assert relu["autograd"] == 0.0 and relu["numeric"] == 0.0 and relu["ok"] is True  # no gradient passes: 0
    assert check["summary"] == "2/2 leaves match"


def fields(root: object) -> list[tuple]:
    """Every number a learner's objects hold, and their closures' cells, as found."""
    order = Graph.of(root).order
    found = []
    for node in order:
        obj = getattr(node, "obj", node)
        cells = getattr(getattr(obj, "_backward", None), "__closure__", None) or ()
        found.append((obj.data, obj.grad, type(obj.data), [c.cell_contents for c in cells if _number(c)]))
    return found


def _number(cell: object) -> bool:
    try:
        return isinstance(cell.cell_contents, (int, float))  # type: ignore[attr-defined]
    except ValueError:  # an empty cell
        return False


def lecture_neuron(kind: type) -> object:
    x1, x2 = kind(2.0, label="x1"), kind(0.0, label="x2")
    w1, w2 = kind(-3.0, label="w1"), kind(1.0, label="w2")
    b = kind(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)  # the lecture's tanh by its formula: rounds differently from math.tanh
    o.label = "o"
    return o


def test_looking_changes_nothing_before_backward_and_after() -> None:
    for kind in (Scalar, Value):
        o = lecture_neuron(kind)
        for ran_backward in (False, True):
            if ran_backward:
                o.backward()
            before = fields(o)
            GraphWidget(o).check_gradients = True
            draw_dot(o)
            gradcheck(o)
            backward_trace(o)
            forward_trace(o)
            assert fields(o) == before, (kind.__name__, ran_backward)


def test_only_what_the_user_asks_for_changes_their_objects() -> None:
    o = lecture_neuron(Scalar)
    w = GraphWidget(o)
    assert o.grad == 0.0 and w.values["grads_computed"] is False
    w.set(x1=1.0)  # a deliberate move: their data changes, their backward runs
    assert w.values["grads_computed"] is True and o.grad == 1.0


def test_the_lectures_manual_backward_cells_run_on_livegrad() -> None:
    """Lecture 1 backpropagates by hand, node by node, before it writes backward()."""
    from livegrad.nn import Layer, Neuron

    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    o.grad = 1.0
    for node in (o, n, x1w1x2w2, x2w2, x1w1):
        node._backward()
    assert (x1.grad, w1.grad, x2.grad, w2.grad) == (-3.0 * n.grad, 2.0 * n.grad, 1.0 * n.grad, 0.0)
    assert math.isclose(n.grad, 0.5, rel_tol=1e-12) and b.grad == n.grad
    manual = [v.grad for v in (x1, w1, x2, w2, b)]
    o.backward()
    assert [v.grad for v in (x1, w1, x2, w2, b)] == manual  # the same numbers as the sorted pass
    a = Value(3.0, "a")
    twice = a + a
    twice.grad = 1.0
    twice._backward()
    assert a.grad == 2.0  # each use adds: +=, not =
    dead = (Value(-1.0) * Value(2.0)).relu()
    dead.grad = 1.0
    dead._backward()
    assert dead.inputs[0].grad == 0.0  # no gradient passes a relu at <= 0
    # micrograd's positional nonlin, and pow as a method
    assert Neuron(2, False, seed=0).activation is None and Neuron(2, True, seed=0).activation == "relu"
    assert [n.activation for n in Layer(2, 3, False, seed=0).neurons] == [None] * 3
    p = Value(3.0).pow(2)
    assert p.data == 9.0 and p.op == "**2"


def test_refresh_in_a_training_loop_keeps_a_small_curve_of_the_root() -> None:
    from livegrad.widget import History

    w_param = Value(2.0, "w")
    loss = (w_param * 3.0 - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    w = GraphWidget(loss)
    assert "history" not in w.values  # no curve before training
    seen = []
    for _ in range(5):
        w_param.data -= 0.05 * w_param.grad
        w.refresh()
        seen.append(loss.data)
    w._send_values()  # what the trailing send carries (no event loop here sends every refresh anyway)
    assert w.values["history"] == {"steps": 5, "root": seen}
    assert seen == sorted(seen, reverse=True)  # the loss goes down, and the curve shows it
    w.set(w=0.0)  # a deliberate move is not a training step
    assert w.values["history"]["steps"] == 5
    long = History()
    for k in range(2_000):
        long.append(float(k))
    assert len(long) == 2_000 and len(long.points) <= History.MAX_POINTS
    assert long.points[0] == 0.0 and long.points == sorted(long.points)  # the whole run, thinned evenly
    assert long.points[1] - long.points[0] == long.points[-1] - long.points[-2]
