"""The engine against independent oracles: finite differences, PyTorch (if installed), the seeds."""

from __future__ import annotations

import gc
import math
import random

import numpy as np
import pytest

from freed import freed
from livegrad import Op, Value, ops
from livegrad.engine import evaluate, topological_order
from livegrad.nn import MLP
from livegrad.ops import BUILTIN_OPS
from oracles import (
    BINARY,
    CONSTANT_POWERS,
    UNARY,
    apply,
    assert_close,
    autograd_gradients,
    numeric_gradients,
    run_program,
)
from seeds import seed_neuron

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed (optional oracle)")

# Points for every op; where an op is not finite or not smooth at one (log(-2), relu at a kink), the
# two central differences below disagree or are not finite, and the point is left out.
UNARY_POINTS = [-2.0, -0.7, 0.3, 1.7, 3.2]
BINARY_POINTS = [(1.5, 2.0), (-0.7, 3.0), (2.5, -1.25), (0.3, 0.4)]


def test_every_row_of_the_op_table_has_its_oracles() -> None:
    """The op lists of these tests come from BUILTIN_OPS: a new row fails here until it has its
    spelling on Values (which also runs on PyTorch tensors) and the page a replay rule (test_replay.py)."""
    assert set(UNARY + BINARY) == set(BUILTIN_OPS) | set(CONSTANT_POWERS)
    a, b = Value(0.5), Value(1.5)
    for name in UNARY + BINARY:
        assert apply(name, a, b).op == name  # the spelling builds a node of that very row


@pytest.mark.parametrize("op", UNARY)
def test_unary_gradients_match_finite_differences(op: str) -> None:
    checked = 0
    for x in UNARY_POINTS:
        expr = lambda v: apply(op, v[0], v[0])  # noqa: E731
        _, (grad,) = autograd_gradients(expr, [x])
        coarse, fine = numeric_gradients(expr, [x], 1e-4)[0], numeric_gradients(expr, [x], 1e-6)[0]
        if not (math.isfinite(fine) and math.isclose(coarse, fine, rel_tol=1e-4, abs_tol=1e-6)):
            continue  # outside the op's domain, or at a kink
        assert_close(grad, fine, what=f"d {op}({x})")
        checked += 1
    assert checked >= 3, f"{op} is smooth and finite at only {checked} of {UNARY_POINTS}"


@pytest.mark.parametrize("op", BINARY)
def test_binary_gradients_match_finite_differences(op: str) -> None:
    for a, b in BINARY_POINTS:
        if op == "**" and a < 0:
            continue  # a negative base to a real power is nan
        expr = lambda v: apply(op, v[0], v[1])  # noqa: E731
        _, grads = autograd_gradients(expr, [a, b])
        for got, want in zip(grads, numeric_gradients(expr, [a, b])):
            assert_close(got, want, what=f"d ({a} {op} {b})")


def test_reflected_forms_with_plain_numbers() -> None:
    a = Value(1.5, "a")
    cases = {
        "2 * a": (lambda: 2 * a, 3.0, 2.0),
        "1 - a": (lambda: 1 - a, -0.5, -1.0),
        "1 / a": (lambda: 1 / a, 1 / 1.5, -1 / 1.5**2),
        "2 ** a": (lambda: 2**a, 2**1.5, 2**1.5 * math.log(2)),
        "3 + a": (lambda: 3 + a, 4.5, 1.0),
        "a - 1": (lambda: a - 1, 0.5, 1.0),
        "a / 2": (lambda: a / 2, 0.75, 0.5),
        "-a": (lambda: -a, -1.5, -1.0),
        "a ** b": (lambda: a ** Value(3.0), 1.5**3, 3 * 1.5**2),
        "np.float64(2) * a": (lambda: np.float64(2.0) * a, 3.0, 2.0),
    }
    for name, (make, data, grad) in cases.items():
        out = make()
        assert isinstance(out, Value), name
        out.backward()
        assert_close(out.data, data, rel=1e-12, what=name)
        assert_close(a.grad, grad, rel=1e-12, what=f"grad of {name}")


def test_power_with_a_value_exponent_differentiates_both_sides() -> None:
    a, b = Value(1.7), Value(2.3)
    out = a**b
    out.backward()
    assert_close(a.grad, 2.3 * 1.7**1.3, rel=1e-12)
    assert_close(b.grad, 1.7**2.3 * math.log(1.7), rel=1e-12)


@pytest.mark.parametrize(
    ("make", "want"),
    [
        (lambda: Value(1000).exp(), math.inf),
        (lambda: Value(0).log(), -math.inf),
        (lambda: Value(-1).log(), math.nan),
        (lambda: Value(0) ** -1, math.inf),
        (lambda: Value(-0.0) ** -1, -math.inf),
        (lambda: Value(-8) ** 0.5, math.nan),
        (lambda: Value(10) ** 400, math.inf),
        (lambda: 1 / Value(0), math.inf),
        (lambda: -1 / Value(0), -math.inf),
        (lambda: Value(0) / Value(0), math.nan),
        (lambda: Value(1000).tanh(), 1.0),
        (lambda: Value(-1000).tanh(), -1.0),
        (lambda: Value(-1000).sigmoid(), 0.0),
        (lambda: Value(1000).sigmoid(), 1.0),
        (lambda: Value(math.nan).relu(), math.nan),
        (lambda: Value(-0.0).relu(), -0.0),  # as PyTorch and micrograd: only a < 0 becomes 0
    ],
)
def test_numerics_follow_ieee_without_raising(make, want: float) -> None:
    got = make().data
    if math.isnan(want):
        assert math.isnan(got)
    else:
        assert got == want and math.copysign(1, got) == math.copysign(1, want)


# (-inf) ** p for a non-integer p: nan, value and gradient, as for any negative base (README, Robustness).
MINUS_INF_POWERS = [
    (0.5, math.nan, math.nan),
    (1.5, math.nan, math.nan),
    (-0.5, math.nan, math.nan),
    (2.0, math.inf, -math.inf),
]


@pytest.mark.parametrize(("p", "value", "grad"), MINUS_INF_POWERS)
def test_a_non_integer_power_of_minus_inf_is_nan(p: float, value: float, grad: float) -> None:
    x = Value(-math.inf)
    out = x**p
    out.backward()
    assert same_number(out.data, value) and same_number(x.grad, grad)


@needs_torch
@pytest.mark.parametrize(
    ("p", "check_value", "check_grad"), [(0.5, True, True), (-0.5, True, False), (1.5, False, True)]
)
def test_minus_inf_to_a_non_integer_power_where_pytorch_takes_a_square_root(p, check_value, check_grad) -> None:
    """PyTorch's x ** 0.5 is sqrt(x) and x ** -0.5 rsqrt(x), nan at -inf, and the gradient of x ** 1.5 is
    1.5 * x ** 0.5: livegrad agrees there. Elsewhere PyTorch's pow is IEEE's (inf or 0 at -inf) where
    livegrad says nan; the test above pins livegrad's side."""
    x = torch.tensor(-math.inf, dtype=torch.float64, requires_grad=True)
    (want := x**p).backward()
    ours = Value(-math.inf)
    (out := ours**p).backward()
    assert not check_value or same_number(out.data, want.item())
    assert not check_grad or same_number(ours.grad, x.grad.item())


def test_relu_passes_the_gradient_of_nan_as_pytorch_does() -> None:
    x = Value(-1.0)
    out = x.log().relu()  # relu(nan): PyTorch zeroes the gradient only where x <= 0, and nan <= 0 is false
    out.backward()
    assert math.isnan(out.data) and x.grad == -1.0


def test_tanh_gradient_is_exact_for_large_inputs() -> None:
    x = Value(1000.0)
    x.tanh().backward()
    assert x.grad == 0.0


def test_seed_003_neuron() -> None:
    v = seed_neuron()
    x1, x2, w1, w2, b, n, o = (v[k] for k in ("x1", "x2", "w1", "w2", "b", "n", "o"))
    o.backward()
    assert abs(o.data - 0.7071067811865476) < 1e-12
    for value, want in ((x1, -1.5), (w1, 1.0), (x2, 0.5), (w2, 0.0), (b, 0.5), (n, 0.5)):
        assert abs(value.grad - want) < 1e-12, value.label
    assert o.op == "tanh" and n.op == "+" and x1.op == "" and x1.is_leaf()


def test_seed_000_dense_unit_with_a_shared_input() -> None:
    w0, w1, b, x = Value(-1.0), Value(2.0), Value(4.0), Value(2.0)
    z = w0 * x + w1 * x + b
    u = z.tanh()
    y = z.relu()
    y.backward()
    assert y.data == 6.0
    assert x.grad == 1.0  # w0 + w1: two contributions accumulate on the shared input
    assert (w0.grad, w1.grad, b.grad) == (2.0, 2.0, 1.0)
    assert u.grad == 0.0  # y does not depend on u
    x1 = Value(1.7)
    y1 = (w0 * x1 + w1 * x1 + b).relu()
    y1.backward()
    assert (w0.grad, w1.grad) == (1.7, 1.7)


def test_reused_node_accumulates() -> None:
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0
    c = a * a
    c.backward()
    assert a.grad == 6.0


def test_backward_twice_gives_fresh_gradients() -> None:
    a, b = Value(2.0), Value(-3.0)
    out = (a * b + a).tanh()
    out.backward()
    first = (a.grad, b.grad)
    out.backward()
    assert (a.grad, b.grad) == first


def test_backward_can_accumulate_into_leaves() -> None:
    a = Value(2.0)
    out = a * 3
    out.backward()
    out.backward(accumulate=True)
    assert a.grad == 6.0
    out.backward()
    assert a.grad == 3.0


def test_forward_re_evaluates_in_place_exactly_like_a_rebuild() -> None:
    x, w = Value(0.5, "x"), Value(-1.2, "w")

    def build() -> Value:
        return ((x * w + 1).tanh() ** 2 + (x / w).exp()).log()

    out = build()
    x.data, w.data = 1.75, 0.3
    assert out.forward() == build().data
    order = topological_order(out)
    x.data = -0.25
    evaluate(order)
    assert out.data == build().data


def test_topological_order_puts_inputs_first_and_is_deterministic() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    out = (c + a) * (c - b)
    order = topological_order(out)
    position = {v: i for i, v in enumerate(order)}
    assert order[-1] is out and len(order) == len(set(order)) == 6
    for v in order:
        assert all(position[i] < position[v] for i in v.inputs)
    assert order == topological_order(out)
    left, right = out.inputs  # depth first, first inputs first: backward sums each grad in this order
    assert order == [a, b, c, left, right, out]


def test_a_sort_reaches_values_an_earlier_sort_marked() -> None:
    a, b = Value(1.0), Value(2.0)
    part = a * b
    assert topological_order(part) == [a, b, part]
    out = part + a
    assert topological_order(out) == [a, b, part, out]
    assert topological_order(part) == [a, b, part]


def test_a_chain_200000_ops_deep_runs_forward_and_backward() -> None:
    x = start = Value(1.0)
    for _ in range(100_000):
        x = x * 1.0001 + 0.001  # two ops a step
    x.backward()
    assert_close(x.data, -10 + 11 * 1.0001**100_000, rel=1e-9)
    assert_close(start.grad, 1.0001**100_000, rel=1e-9)
    assert x.forward() == x.data


def test_nodes_hold_no_reference_cycles() -> None:
    a = Value(1.0)
    out = (a * 2 + 1).tanh()
    out.backward()
    gone = freed(out)
    del out
    assert gone()  # freed by reference counting alone, without the cyclic collector


def test_repr_like_micrograd() -> None:
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2, label="x")) == "Value(data=2.0, grad=0.0, label='x')"


def test_labels_are_settable() -> None:
    v = Value(1.0) + 2
    assert (v.label, v._call) == ("", None)
    v.label = "s"
    assert v.label == "s" and v.op == "+" and v._call is None
    v._call = "a module call"
    assert (v.label, v._call) == ("s", "a module call")


@pytest.mark.parametrize("data", [np.float64(1.5), np.int32(3), True, 7, 2.5])
def test_value_accepts_real_numbers_and_stores_float(data) -> None:
    assert type(Value(data).data) is float


def test_a_custom_op_is_data_too() -> None:
    cube = Op("cube", 1, lambda a: a**3, lambda a, out: 3 * a * a)
    x = Value(2.0)
    out = cube(x) * 2
    out.backward()
    assert (out.data, x.grad, out.inputs[0].op) == (16.0, 24.0, "cube")
    with pytest.raises(TypeError, match="op 'cube' takes 1 input"):
        cube(x, x)
    with pytest.raises(TypeError, match="input of op 'cube' must be a Value or a real number, got str"):
        cube("x")


def test_an_op_may_give_constant_local_derivatives_as_numbers() -> None:
    twice_minus = Op("2a-b", 2, lambda a, b: 2 * a - b, (2.0, -1.0))
    halve = Op("half", 1, lambda a: a / 2, (0.5,))
    x, y = Value(3.0), Value(5.0)
    out = halve(twice_minus(x, y)) * twice_minus(x, x)  # x reaches out by three edges
    for _ in range(3):  # sorted, then steps kept, then re-run from the kept steps
        x.data += 1.0
        out.forward()
        out.backward()
        assert (x.grad, y.grad) == (1.0 * x.data + 0.5 * (2 * x.data - y.data), -0.5 * x.data)
    assert twice_minus.locals_at((1.0, 2.0), 0.0) == (2.0, -1.0) and halve.locals_at((7.0,), 3.5) == (0.5,)


def test_an_op_may_give_a_products_local_derivatives_as_other_input() -> None:
    times = Op("times", 2, lambda a, b: a * b, ops.OTHER_INPUT)  # d/da = b, d/db = a, as for *
    x, y = Value(3.0), Value(-2.0)
    out = times(times(x, y), x) + times(y, y)  # x reaches out twice, y three times (twice in y·y)
    for _ in range(3):  # sorted, then steps kept, then re-run from the kept steps
        x.data += 1.0
        out.forward()
        out.backward()
        assert out.data == x.data * y.data * x.data + y.data * y.data
        assert (x.grad, y.grad) == (2 * x.data * y.data, x.data * x.data + 2 * y.data)
    assert times.locals_at((3.0, 5.0), 15.0) == (5.0, 3.0) and ops.MUL.local is ops.OTHER_INPUT


# PyTorch as a second, exact oracle: the same program on 0-dim float64 tensors.
def torch_program(program: list[tuple], xs: list[float]) -> tuple[float, list[float]]:
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = run_program(program, leaves)
    if out.requires_grad:
        out.backward()
    return out.item(), [0.0 if leaf.grad is None else leaf.grad.item() for leaf in leaves]


def same_number(got: float, want: float) -> bool:
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    if math.isinf(want) or math.isinf(got):
        return got == want
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)


@needs_torch
@pytest.mark.parametrize("op", UNARY + BINARY)
def test_each_op_matches_pytorch_across_its_domain(op: str) -> None:
    points = [-1000.0, -3.0, -1.0, -0.5, 0.0, 0.25, 1.0, 2.0, 30.0, 1000.0]
    for a in points:
        for b in points if op in BINARY else [0.0]:
            program = [(op, 0, 1)]
            value, grads = autograd_gradients(lambda v, p=program: run_program(p, v), [a, b])
            want_value, want_grads = torch_program(program, [a, b])
            assert same_number(value, want_value), f"{op}({a}, {b}) = {value}, torch {want_value}"
            for got, want in zip(grads, want_grads):
                assert same_number(got, want), f"grad of {op}({a}, {b}): {grads} vs torch {want_grads}"


def test_micrograds_names_read_the_slots() -> None:
    a, b = Value(2.0, "a"), Value(3.0, "b")
    c = a * b
    assert (c._op, a._op, (a**2)._op) == ("*", "", "**2")
    assert c._prev == {a, b} and (a + a)._prev == {a} and a._prev == set()
    assert c._fn is ops.MUL and c.op == "*" and c.inputs == (a, b)
    c.value = 7.5  # seed 004's spelling of data
    assert c.data == 7.5 and c.value == 7.5
    with pytest.raises(AttributeError):
        c._op = "+"  # read-only: the op lives in the _fn slot


@pytest.mark.parametrize(
    ("make", "masked"),
    [
        (lambda x: x.relu(), "relu where a <= 0"),
        (lambda x: x**0, "the base of x ** 0"),
        (lambda x: x ** Value(0.0), "the base of a ** b where b == 0"),
    ],
)
def test_a_masked_edge_adds_nothing_even_under_an_infinite_gradient(make, masked: str) -> None:
    x = Value(-2.0)
    out = make(x) * Value(1e308) * Value(1e308)  # d out / d make(x) is inf
    out.backward()
    assert x.grad == 0.0, masked  # 0 × inf would be nan


def test_the_exponent_has_derivative_zero_where_the_base_is_zero() -> None:
    a, b = Value(0.0), Value(2.0)
    (a**b).backward()
    assert b.grad == 0.0  # not out·log(a) = 0 × -inf = nan
    out = (a**b) * Value(math.inf)
    out.backward()
    assert math.isnan(b.grad) and math.isnan(a.grad)  # PyTorch multiplies here: 0 × inf is nan


def two_moons(n: int = 100, noise: float = 0.1, seed: int = 1337) -> tuple[list[list[float]], list[float]]:
    """Two interleaved half circles (scikit-learn's make_moons), labels -1 and +1."""
    rng = random.Random(seed)
    half = [math.pi * i / (n // 2 - 1) for i in range(n // 2)]
    outer = [[math.cos(t), math.sin(t)] for t in half]
    inner = [[1 - math.cos(t), 0.5 - math.sin(t)] for t in half]
    points = [[x + rng.gauss(0, noise), y + rng.gauss(0, noise)] for x, y in outer + inner]
    return points, [-1.0] * (n // 2) + [1.0] * (n // 2)


def demo_loss(model: MLP, points: list[list[float]], labels: list[float]) -> Value:
    """micrograd's demo: SVM max-margin loss + 1e-4 L2 over the full batch."""
    losses = [(1 + -y * model(x)).relu() for x, y in zip(points, labels)]
    return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())


def sgd(model: MLP, k: int) -> None:
    for p in model.parameters():
        p.data -= (1.0 - 0.9 * k / 100) * p.grad


def test_training_a_graph_built_once_follows_the_rebuild_trajectory() -> None:
    points, labels = two_moons()
    rebuilt = MLP(2, [16, 16, 1], activation="relu", linear_output=True, seed=1337)
    once = MLP(2, [16, 16, 1], activation="relu", linear_output=True, seed=1337)
    want = []
    for k in range(5):
        loss = demo_loss(rebuilt, points, labels)
        loss.backward()
        sgd(rebuilt, k)
        want.append(loss.data)
    loss = demo_loss(once, points, labels)
    got, orders = [], []
    for k in range(5):
        loss.forward()
        loss.backward()
        orders.append(loss._more.plan.below)
        sgd(once, k)
        got.append(loss.data)
    assert max(abs(a - b) for a, b in zip(got, want)) <= 1e-12
    assert want[-1] < want[0]  # it trains
    assert all(order is orders[0] for order in orders)  # sorted once, on the first forward(); reused after


def test_the_kept_order_makes_no_reference_cycle() -> None:
    x = Value(0.5, "x")
    out = (x * 2 + 1).tanh()
    for _ in range(2):  # the first call keeps the order, the second the steps too
        out.forward()
        out.backward()
    gc.disable()
    try:
        gone = freed(out)
        del out
        assert gone()  # freed by reference counting, the kept order included
    finally:
        gc.enable()


def test_backward_on_an_inner_node_keeps_its_own_order() -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    n = a * b
    out = n.tanh() + a
    n.backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)
    out.backward()
    t = math.tanh(-6.0)
    assert math.isclose(a.grad, (1 - t * t) * -3.0 + 1, rel_tol=1e-12) and math.isclose(b.grad, (1 - t * t) * 2.0)
    n.backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)
