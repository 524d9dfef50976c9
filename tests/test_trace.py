"""Backward and forward traces, and gradcheck."""

from __future__ import annotations

import math

import pytest

from livegrad import Op, Value, backward_trace, forward_trace, gradcheck
from livegrad.engine import topological_order
from oracles import BINARY, UNARY, apply
from seeds import seed_neuron


def test_seed_neuron_trace_sums_to_the_known_gradients() -> None:
    v = seed_neuron()
    steps = backward_trace(v["o"])
    assert [s.node.op for s in steps] == ["tanh", "+", "+", "*", "*"]  # x2*w2 before x1*w1: reverse order
    assert steps[0].node is v["o"] and steps[0].grad == 1.0
    assert steps[0].edges[0].input is v["n"] and math.isclose(steps[0].edges[0].local, 0.5, rel_tol=1e-12)
    totals: dict[Value, float] = {}
    for step in steps:
        for edge in step.edges:
            assert edge.contribution == edge.local * step.grad
            assert edge.grad_after == edge.grad_before + edge.contribution
            totals[edge.input] = totals.get(edge.input, 0.0) + edge.contribution
    want = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}
    for label, grad in want.items():
        assert math.isclose(totals[v[label]], grad, abs_tol=1e-12), label
    # The step that passes x1*w1's gradient on: x1.grad += w1.data × (x1*w1).grad
    mul = next(s for s in steps if s.node is v["x1w1"])
    x1_edge = next(e for e in mul.edges if e.input is v["x1"])
    assert x1_edge.local == -3.0 and math.isclose(x1_edge.contribution, -1.5, rel_tol=1e-12)
    assert all(v[k].grad == 0.0 for k in want)  # tracing does not touch the Values


def test_a_reused_node_shows_two_contributions_accumulating() -> None:
    a = Value(1.0, label="a")
    b = a + a
    (step,) = backward_trace(b)
    assert [(e.input, e.grad_before, e.contribution, e.grad_after) for e in step.edges] == [
        (a, 0.0, 1.0, 1.0),
        (a, 1.0, 1.0, 2.0),
    ]


def test_trace_matches_backward_on_a_shared_weight() -> None:
    w = Value(0.7, label="w")
    out = (w * 2.0).tanh() + (w * -1.5).exp()
    final: dict[Value, float] = {}
    for step in backward_trace(out):
        for edge in step.edges:
            final[edge.input] = edge.grad_after
    out.backward()
    assert math.isclose(final[w], w.grad, rel_tol=1e-12)


def test_forward_trace_is_the_topological_order_of_computed_values() -> None:
    v = seed_neuron()
    steps = forward_trace(v["o"])
    assert [s.node for s in steps] == [n for n in topological_order(v["o"]) if not n.is_leaf()]
    assert steps[0].op == "*" and steps[0].inputs == (v["x1"], v["w1"]) and steps[0].data == -6.0
    assert steps[-1].node is v["o"]


@pytest.mark.parametrize("op", UNARY + BINARY)
def test_gradcheck_passes_on_every_builtin_op(op: str) -> None:
    a, b = Value(0.8, label="a"), Value(1.3, label="b")
    report = gradcheck(apply(op, a, b))
    assert report.ok, str(report)
    assert {c.leaf.label for c in report.checks} >= {"a"}


def test_gradcheck_flags_an_op_whose_derivative_is_wrong() -> None:
    wrong_square = Op("bad_square", 1, lambda a: a * a, lambda a, out: a)  # should be 2a
    x = Value(1.5, label="x")
    y = Value(0.5, label="y")
    report = gradcheck(wrong_square(x) + y * 3)
    assert not report.ok
    (mismatch,) = report.mismatches
    assert mismatch.leaf is x and mismatch.autograd == 1.5 and math.isclose(mismatch.numeric, 3.0, rel_tol=1e-6)
    text = str(report)
    assert "MISMATCH" in text and "1 gradient(s) do NOT match" in text
    assert x.data == 1.5 and y.grad == 0.0  # the graph is left as it was found: no backward had run


def test_gradcheck_checks_every_edge_and_names_the_faulty_node() -> None:
    wrong_square = Op("bad_square", 1, lambda a: a * a, lambda a, out: a)  # should be 2a
    x, y = Value(1.5, label="x"), Value(0.5, label="y")
    s = wrong_square(x)
    out = (s + y * 3).tanh()
    report = gradcheck(out)
    order = topological_order(out)
    computed = [v for v in order if not v.is_leaf()]
    assert [(c.node, c.index, c.input) for c in report.local_checks] == [
        (v, k, source) for v in computed for k, source in enumerate(v.inputs)
    ]
    (bad,) = [c for c in report.local_checks if not c.ok]
    assert (bad.node, bad.index, bad.input, bad.autograd) == (s, 0, x, 1.5)
    assert math.isclose(bad.numeric, 3.0, rel_tol=1e-6)
    assert report.faulty_nodes == (s,) and not report.ok
    tanh_check = next(c for c in report.local_checks if c.node is out)
    assert tanh_check.ok and math.isclose(tanh_check.autograd, 1 - out.data**2, rel_tol=1e-12)
    assert "faulty node s (op bad_square)" in str(report)  # named by the variable that holds it


def test_a_wrong_local_derivative_is_found_even_where_the_leaves_gradients_agree() -> None:
    # d/dx of wrong(x) * 0 is 0 whatever wrong's derivative: only the edge check sees the bug
    wrong = Op("wrong", 1, math.sin, lambda a, out: 2.0)
    x = Value(0.3, "x")
    report = gradcheck(wrong(x) * 0.0)
    assert all(c.ok for c in report.checks) and not report.mismatches
    assert [n.op for n in report.faulty_nodes] == ["wrong"] and not report.ok


def test_a_masked_edge_checks_as_zero() -> None:
    x = Value(-1.0, "x")
    report = gradcheck(x.relu() + x**0)
    masked = [c for c in report.local_checks if c.input is x]
    assert [c.autograd for c in masked] == [None, None] and all(c.numeric == 0.0 and c.ok for c in masked)
    assert report.ok


def test_gradcheck_validates_its_arguments_before_computing() -> None:
    calls = []
    counted = Op("counted", 1, lambda a: calls.append(a) or 3 * a, lambda a, out: 3.0)
    x = Value(2.0, "x")
    out = counted(x)
    calls.clear()
    with pytest.raises(ValueError, match="rtol must be a finite number"):
        gradcheck(out, rtol=-1)
    with pytest.raises(ValueError, match="leaves must be leaf Values"):
        gradcheck(out, leaves=[out])
    assert calls == []  # nothing was evaluated
    assert gradcheck(out).ok and calls


def test_a_kink_is_not_called_a_fault() -> None:
    """relu at exactly 0 has no derivative to check against: neither the leaf nor the op is flagged."""
    report = gradcheck((Value(0.0, "x") * 2).relu())
    assert report.ok and not report.faulty_nodes
    assert math.isnan(report.checks[0].numeric)


def test_a_raising_op_leaves_the_leaf_as_it_was() -> None:
    def forward(a: float) -> float:
        if a > 1.0:
            raise ZeroDivisionError("past the edge")
        return a

    x = Value(1.0, "x")
    y = Op("edge", 1, forward, lambda a, out: 1.0)(x)
    with pytest.raises(ZeroDivisionError):
        gradcheck(y)
    assert x.data == 1.0
