"""Properties over random expression graphs (reused nodes, every op, values across the domain).

The default profile runs a few hundred examples each; `HYPOTHESIS_PROFILE=thorough` runs 10,000
(see tests/conftest.py and the README's hardening section).
"""

from __future__ import annotations

import json
import math

from hypothesis import assume, given
from hypothesis import strategies as st

from livegrad import Value
from livegrad.engine import topological_order
from livegrad.graph import Graph
from oracles import assert_close, autograd_gradients, numeric_gradients, programs, run_program
from test_engine import needs_torch, same_number, torch_program


@given(program=programs(), xs=st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3))
def test_random_graphs_match_finite_differences(program: list[tuple], xs: list[float]) -> None:
    """Where the function is smooth and finite near the point, autograd equals finite differences."""

    def expr(leaves: list[Value]) -> Value:
        return run_program(program, leaves)

    leaves = [Value(x) for x in xs]
    out = expr(leaves)
    order = topological_order(out)
    assume(all(math.isfinite(v.data) and abs(v.data) < 1e3 for v in order))
    # a ** b with b a Value: no derivative in b for a <= 0 (log a), so finite differences do not apply
    assume(all(v.inputs[0].data > 0 for v in order if v.op == "**"))
    kinks_and_poles = ("relu", "/", "log", "**", "**0.5", "**-1")
    assume(all(abs(x.data) > 1e-2 for v in order if v.op in kinks_and_poles for x in v.inputs))
    _, grads = autograd_gradients(expr, xs)
    coarse, fine = numeric_gradients(expr, xs, 1e-4), numeric_gradients(expr, xs, 1e-6)
    for i, (grad, c, f) in enumerate(zip(grads, coarse, fine)):
        assume(math.isfinite(f) and math.isclose(c, f, rel_tol=1e-3, abs_tol=1e-5))  # smooth here
        assert_close(grad, f, rel=1e-4, abs_=1e-5, what=f"d out / d x{i}")


# Leaves stay off tiny magnitudes, where a/b's two terms cancel to rounding noise that PyTorch's differently
# ordered formulas round otherwise (at b = 2e-157, b·b is subnormal): precision, not a convention.
ORDINARY = st.floats(-3.0, 3.0).filter(lambda x: x == 0 or abs(x) >= 1e-3)


@needs_torch
@given(program=programs(), xs=st.lists(ORDINARY, min_size=3, max_size=3))
def test_random_graphs_match_pytorch(program: list[tuple], xs: list[float]) -> None:
    value, grads = autograd_gradients(lambda v: run_program(program, v), xs)
    want_value, want_grads = torch_program(program, xs)
    assume(all(math.isfinite(g) and abs(g) < 1e12 for g in want_grads + grads))
    assert same_number(value, want_value), (value, want_value)
    for got, want in zip(grads, want_grads):
        assert math.isclose(got, want, rel_tol=1e-7, abs_tol=1e-9), (grads, want_grads)


# Leaves where log(0), 1/0, exp(1000), tanh(1000) and overflowing powers happen, so inf and nan
# flow through the rest of the graph, and gradients of inf or nan arrive from above.
EDGES = st.sampled_from([0.0, -0.0, 1000.0, -1000.0, 710.0, 1e300, -1.0, 1.0])


@needs_torch
@given(program=programs(), xs=st.lists(EDGES | ORDINARY, min_size=3, max_size=3))
def test_random_graphs_with_inf_and_nan_inside_match_pytorch(program: list[tuple], xs: list[float]) -> None:
    """Every value and gradient, inf and nan included, is PyTorch's (masked edges select, as PyTorch's do)."""
    leaves = [Value(x) for x in xs]
    # PyTorch computes x ** 0.5 as sqrt(x) and its derivative with rsqrt: at -0.0 their signs differ from
    # IEEE pow's, which livegrad follows (pow(-0.0, 0.5) = 0.0, sqrt(-0.0) = -0.0). Its a ** b gives IEEE's
    # inf or 0 for -inf to a non-integer power, where livegrad says nan (no real value, as for (-8) ** 0.5).
    negative_zero = lambda x: x == 0 and math.copysign(1, x) < 0  # noqa: E731
    minus_inf_to_a_fraction = lambda a, b: a == -math.inf and math.isfinite(b) and not b.is_integer()  # noqa: E731
    order = topological_order(run_program(program, leaves))
    assume(not any(v.op == "**0.5" and negative_zero(v.inputs[0].data) for v in order))
    assume(not any(v.op == "**" and minus_inf_to_a_fraction(*(x.data for x in v.inputs)) for v in order))
    value, grads = autograd_gradients(lambda v: run_program(program, v), xs)
    want_value, want_grads = torch_program(program, xs)
    assert same_number(value, want_value), (value, want_value)
    for got, want in zip(grads, want_grads):
        assert same_number(got, want), (grads, want_grads)


@given(
    program=programs(), xs=st.lists(st.floats(-1e3, 1e3) | st.sampled_from([0.0, -0.0, 1e300]), min_size=3, max_size=3)
)
def test_snapshots_survive_json_unchanged(program: list[tuple], xs: list[float]) -> None:
    """What the widget sends (inf and nan included) reads back as the very same numbers."""
    out = run_program(program, [Value(x, f"x{i}") for i, x in enumerate(xs)])
    out.backward()
    graph = Graph.of(out)
    sent = {"topology": graph.topology(), "values": graph.values()}
    back = json.loads(json.dumps(sent, allow_nan=False))
    assert back["topology"] == sent["topology"]
    for key in ("data", "grad"):
        assert [repr(float(x)) for x in back["values"][key]] == [repr(float(x)) for x in sent["values"][key]]
    flat = lambda rows: [None if x is None else repr(float(x)) for row in rows for x in row]  # noqa: E731
    assert flat(back["values"]["local"]) == flat(sent["values"]["local"])


@given(
    program=programs(),
    first=st.lists(EDGES | ORDINARY, min_size=3, max_size=3),
    moves=st.lists(st.lists(EDGES | ORDINARY, min_size=3, max_size=3), min_size=1, max_size=3),
)
def test_a_graph_re_run_in_place_equals_a_fresh_build(program: list[tuple], first: list[float], moves) -> None:
    """forward() and backward() on a graph built once (the first call sorts it, later ones sweep its kept
    steps) give every value and grad a fresh build gives, inf, nan and masked edges included."""
    leaves = [Value(x) for x in first]
    out = run_program(program, leaves)
    out.backward()
    for xs in moves:
        for leaf, x in zip(leaves, xs):
            leaf.data = x
        out.forward()
        out.backward()
        fresh_leaves = [Value(x) for x in xs]
        fresh = run_program(program, fresh_leaves)
        fresh.backward()
        for got, want in zip(topological_order(out), topological_order(fresh), strict=True):
            assert same_number(got.data, want.data) and same_number(got.grad, want.grad), (got, want)
        out.backward(accumulate=True)
        fresh.backward(accumulate=True)
        assert all(same_number(a.grad, b.grad) for a, b in zip(leaves, fresh_leaves)), (leaves, fresh_leaves)
