"""PyTorch graphs in livegrad (livegrad.torchgraph): the seeds' cross-check, against torch's own numbers."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oracles import apply, programs

torch = pytest.importorskip("torch", reason="PyTorch not installed: it is optional (pip install torch)")

from livegrad import GraphWidget, backward_trace, draw_dot, forward_trace, gradcheck  # noqa: E402
from livegrad.graph import Graph  # noqa: E402
from livegrad.torchgraph import MAX_DEPTH, GraphTooDeep  # noqa: E402
from test_engine import same_number, torch_program  # noqa: E402

SRC = Path(__file__).resolve().parents[1] / "src"
SEED_B = 6.8813735870195432  # seed 003's b (seed 002 prints 6.8813735)


def seed_leaves(b: float = SEED_B, x1: float = 2.0) -> tuple[torch.Tensor, ...]:
    """The seeds' five leaves, made as the seeds make them."""
    leaves = []
    for x in (x1, 0.0, -3.0, 1.0, b):
        t = torch.Tensor([x]).double()
        t.requires_grad = True
        leaves.append(t)
    return tuple(leaves)


def oracle(x1: float = 2.0, b: float = SEED_B) -> dict[str, tuple[float, float]]:
    """The neuron in torch alone, on tensors of its own, with retain_grad on its own intermediates:
    data and grad of every value by name."""
    tx1, tx2, tw1, tw2, tb = seed_leaves(b, x1)
    x1w1, x2w2 = tx1 * tw1, tx2 * tw2
    s = x1w1 + x2w2
    tn = s + tb
    to = torch.tanh(tn)
    for t in (x1w1, x2w2, s, tn, to):
        t.retain_grad()
    to.backward()
    named = {"x1": tx1, "x2": tx2, "w1": tw1, "w2": tw2, "b": tb, "x1·w1": x1w1, "x2·w2": x2w2}
    named.update({"x1·w1 + x2·w2": s, "n": tn, "o": to})
    return {k: (t.item(), t.grad.item()) for k, t in named.items()}


def test_the_seeds_neuron_names_data_and_every_grad_are_torchs() -> None:
    x1, x2, w1, w2, b = seed_leaves()
    n = x1 * w1 + x2 * w2 + b
    o = torch.tanh(n)
    o.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reading .grad of a non-leaf tensor warns: livegrad never does
        w = GraphWidget(o)
    names = w.topology["columns"]["name"]
    assert {"x1", "x2", "w1", "w2", "b", "n"} <= set(names)
    want = oracle()
    for name, data, grad in zip(names, w.values["data"], w.values["grad"]):
        assert (data, grad) == pytest.approx(want[name], rel=1e-12, abs=1e-15), name
    assert w.values["grad"][names.index("n")] == pytest.approx(0.5, abs=1e-6)
    ops = dict(zip(names, w.topology["columns"]["op"]))
    assert (ops["o"], ops["n"], ops["x1·w1"]) == ("tanh", "+", "*")
    assert w.root is o
    # Looking changed nothing of theirs: the leaves' grads are the ones their backward() left.
    assert x1.grad.item() == pytest.approx(-1.5000003851533106, rel=1e-12)


def test_a_slider_sets_the_leaf_in_place_and_torchs_backward_runs_again() -> None:
    x1, x2, w1, w2, b = seed_leaves()
    n = x1 * w1 + x2 * w2 + b
    o = torch.tanh(n)
    o.backward()
    leaf_before = x1
    w = GraphWidget(o)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w.set(x1=1.0)
    assert x1 is leaf_before and x1.item() == 1.0
    want = oracle(x1=1.0)
    assert x1.grad.item() == pytest.approx(want["x1"][1], rel=1e-12)
    assert w1.grad.item() == pytest.approx(want["w1"][1], rel=1e-12)
    assert w.values["data"][-1] == pytest.approx(want["o"][0], rel=1e-12)
    assert w.values["grad"][w.topology["columns"]["name"].index("n")] == pytest.approx(want["n"][1], rel=1e-12)
    assert o.item() == pytest.approx(want["o"][0], rel=1e-12)  # the tensors they hold follow the page
    assert n.item() == pytest.approx(want["n"][0], rel=1e-12)


def test_looking_before_backward_leaves_their_graph_usable() -> None:
    x1, x2, w1, w2, b = seed_leaves()
    n = x1 * w1 + x2 * w2 + b
    o = torch.tanh(n)
    GraphWidget(o)
    report = gradcheck(o)
    assert report.ok and len(report.checks) == 5
    assert x1.grad is None  # no .grad written while only looking
    o.backward()  # their saved tensors were not touched in place: this still works
    assert x1.grad.item() == pytest.approx(oracle()["x1"][1], rel=1e-12)


def test_gradcheck_backward_trace_forward_trace_and_draw_dot_take_the_tensor() -> None:
    x1, x2, w1, w2, b = seed_leaves()
    n = x1 * w1 + x2 * w2 + b
    o = torch.tanh(n)
    o.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = gradcheck(o)
        steps = backward_trace(o)
        forward = forward_trace(o)
        source = draw_dot(o).source
    assert report.ok and {report.names[c.leaf] for c in report.checks} == {"x1", "x2", "w1", "w2", "b"}
    for check in report.checks:
        assert check.judged and check.autograd == pytest.approx(check.numeric, rel=1e-6, abs=1e-9)
    assert len(report.local_checks) == 9 and all(c.ok for c in report.local_checks)
    # The steps' chain rule reproduces torch's gradients (x1's grad, -1.5 at the seeds' point).
    grads: dict[object, float] = {}
    for step in steps:
        for edge in step.edges:
            grads[edge.input] = edge.grad_after
    x1_node = next(v for v in Graph.of(o).order if v.tensor is x1)
    assert steps[0].node.op == "tanh"
    assert any(k.tensor is x1 and v == pytest.approx(-1.5000003851533106, rel=1e-9) for k, v in grads.items())
    assert x1_node.grad == pytest.approx(-1.5000003851533106, rel=1e-12)
    assert [s.op for s in forward][-1] == "tanh"
    assert "{n|data 0.8814|grad 0.5000}" in source and "{x1|data 2.0000|grad -1.5000}" in source
    assert x1.grad.item() == pytest.approx(-1.5000003851533106, rel=1e-12)  # all left as found


def test_stepping_follows_the_order_torchs_engine_ran_the_nodes() -> None:
    a = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    c = torch.tensor(-0.5, dtype=torch.float64, requires_grad=True)
    e = a * c
    d = e + a.exp()
    root = (d * e).tanh() + c.sigmoid()
    ran: list[str] = []  # the oracle: hooks on their own graph's nodes, one backward with the graph kept
    seen, stack = set(), [root.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen or type(fn).__name__ == "AccumulateGrad":
            continue
        seen.add(fn)
        fn.register_prehook(lambda grads, fn=fn: ran.append(type(fn).__name__))
        stack += [g for g, _ in fn.next_functions]
    root.backward(retain_graph=True)
    steps = backward_trace(root)
    assert [s.node.backward_name for s in steps] == ran


def test_the_backward_name_and_the_known_ops() -> None:
    x = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    y = (x**2 / (x + 1.0)).relu() - x.log()
    graph = Graph.of(y)
    names = [v.backward_name for v in graph.order if v.inputs]
    assert "PowBackward0" in names and "ReluBackward0" in names and "LogBackward0" in names
    plus_one = next(v for v in graph.order if v.backward_name == "AddBackward0")
    assert not graph.engine.known(plus_one)  # x + 1.0: torch keeps no 1.0, so livegrad cannot replay it
    assert graph.order[0] in graph.blocked  # x feeds it: no slider


def test_a_graph_deeper_than_the_guard_is_refused_and_python_survives_freeing_it() -> None:
    """Freeing a deep grad_fn graph after Python walked it crashed CPython at about 25,000 steps: the
    walk stops at MAX_DEPTH levels. Run in a child process, since the failure is a crash."""
    steps = 30_000  # 60,000 levels: a full walk, then freeing it, crashes the interpreter
    program = textwrap.dedent(
        f"""
        import torch
        from livegrad.graph import Graph
        from livegrad.torchgraph import GraphTooDeep
        x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        y = x
        for _ in range({steps}):
            y = y * 1.0001 + 0.001
        try:
            Graph.of(y)
        except GraphTooDeep as refused:
            print("refused:", refused)
        del y
        print("freed")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env={"PYTHONPATH": str(SRC)}, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"more than {MAX_DEPTH:,} ops deep" in done.stdout and "freed" in done.stdout


def test_a_graph_within_the_guard_is_walked_without_recursion() -> None:
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y = x
    steps = MAX_DEPTH - 1  # a level per product, and one for the leaf: MAX_DEPTH levels
    for _ in range(steps):
        y = y * 1.0001  # each product keeps its constant: a leaf of its own
    graph = Graph.of(y)
    assert len(graph.order) == 1 + 2 * steps
    assert graph.order[0].tensor is x and graph.order[0].grad == pytest.approx(1.0001**steps, rel=1e-9)
    with pytest.raises(GraphTooDeep):
        Graph.of(y * 1.0001)


def test_a_tensor_without_a_graph_is_refused_with_what_to_do() -> None:
    with pytest.raises(TypeError, match="requires_grad"):
        GraphWidget(torch.tensor([1.0]))


def test_a_constant_kept_by_torch_is_a_leaf_of_its_own() -> None:
    x = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    y = x * 2.0  # before backward torch keeps the 2.0 for it
    w = GraphWidget(y)
    names = w.topology["columns"]["name"]
    assert names == ["x", "2", "y"] and w.values["data"] == [3.0, 2.0, 6.0]
    assert w.values["grad"][0] == 2.0
    w.set(x=4.0)
    assert x.item() == 4.0 and x.grad.item() == 2.0 and y.item() == 8.0
    assert not math.isnan(w.values["data"][-1])


def small_model() -> tuple[torch.nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    return model, torch.randn(8, 4), torch.randn(8, 1)


def test_a_model_on_a_batch_is_grouped_by_module_with_torchs_gradients_everywhere() -> None:
    import copy

    import livegrad

    model, x, y = small_model()
    twin = copy.deepcopy(model)  # the oracle: the same model, its intermediates' grads retained
    hidden = twin[0](x)
    hidden.retain_grad()
    out = twin[2](twin[1](hidden))
    out.retain_grad()
    ((out - y) ** 2).mean().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with livegrad.record():
            loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        w = GraphWidget(loss)
    columns = w.topology["columns"]
    names = columns["name"]
    groups = w.topology["groups"]
    assert [(g["name"], g["kind"], g["parent"]) for g in groups] == [
        ("Sequential", "Sequential", None),
        ("0", "Linear", 0),
        ("1", "ReLU", 0),
        ("2", "Linear", 0),
    ]
    assert {"x", "y", "loss", "0.weight", "0.bias", "2.weight", "2.bias"} <= set(names)
    shape = dict(zip(names, columns["shape"]))
    assert shape["x"] == [8, 4] and shape["0.weight"] == [8, 4] and shape["loss"] is None
    tensors = dict(zip(names, w.values["tensors"]))
    grads = dict(zip(names, w.values["grad"]))
    assert grads["0.weight"] == pytest.approx(float(twin[0].weight.grad.double().norm()), rel=1e-6)
    assert tensors["0.weight"]["grad_norm"] == pytest.approx(float(twin[0].weight.grad.double().norm()), rel=1e-6)
    first = next(g["outputs"][0] for g in groups if g["name"] == "0")
    assert w.values["grad"][first] == pytest.approx(float(hidden.grad.double().norm()), rel=1e-6)
    assert tensors[names[first]]["mean"] == pytest.approx(float(hidden.detach().double().mean()), rel=1e-6)
    second = next(g["outputs"][0] for g in groups if g["name"] == "2")
    assert tensors[names[second]]["grad"] == pytest.approx(out.grad.flatten().tolist(), rel=1e-6)
    assert dict(zip(names, columns["backward"]))["loss"] == "MeanBackward0"
    assert model[0].weight.grad.allclose(twin[0].weight.grad)  # looking changed nothing of theirs
    sliders = {s["label"] for s in w.sliders}
    assert "2.bias" in sliders and "x" not in sliders and "0.weight" not in sliders  # one number each


def test_a_tensor_step_tells_what_torch_passed_each_input_and_its_gradient_after() -> None:
    """A tensor's local derivatives are matrices: a step reads as torch ran it, each input's share
    (the vector-Jacobian product) and its gradient summed so far, as norms."""
    a = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    doubled = a * 2
    grown = a.exp()
    loss = (doubled + grown).sum()
    w = GraphWidget(loss)
    names, flows = w.topology["columns"]["name"], w.values["flows"]
    by_name = dict(zip(names, flows))
    assert by_name["a"] is None  # a leaf computes nothing
    assert by_name["loss"] == [[pytest.approx(math.sqrt(3)), pytest.approx(math.sqrt(3))]]  # sum: ones(3)
    (mul_sent, mul_after), (exp_sent, exp_after) = by_name["doubled"][0], by_name["grown"][0]
    assert mul_sent == pytest.approx(2 * math.sqrt(3)) and exp_sent == pytest.approx(float(a.detach().exp().norm()))
    first, last = sorted([(mul_sent, mul_after), (exp_sent, exp_after)], key=lambda f: f[1])
    assert first[1] == first[0]  # the first share is the whole gradient so far
    assert last[1] == pytest.approx(float((2 + a.detach().exp()).norm()))  # then both summed: a's gradient
    assert last[1] == pytest.approx(w.values["grad"][names.index("a")])
    seed = seed_leaves()
    x1, x2, w1, w2, b = seed
    n = x1 * w1 + x2 * w2 + b
    o = torch.tanh(n)
    o.backward()
    assert GraphWidget(o).values["flows"] == [None] * len(GraphWidget(o).topology["columns"]["name"])


def test_each_output_of_a_split_tells_its_own_share() -> None:
    """q and k share one backward node in the user's graph; the replay computes each on its own, so each
    step passes its own share to `a` (zeros elsewhere) and the second step's 'after' is a's whole gradient."""
    a = torch.arange(6.0, dtype=torch.float64, requires_grad=True)
    q, k = a.split(3)
    loss = (q * 2).sum() + (k * 3).sum()
    w = GraphWidget(loss)
    names, flows = w.topology["columns"]["name"], w.values["flows"]
    first, second = sorted((names.index("q"), names.index("k")), reverse=True)  # the page steps down from the root
    shares = {names.index("q"): 2 * math.sqrt(3), names.index("k"): 3 * math.sqrt(3)}
    assert flows[first][0] == [pytest.approx(shares[first]), pytest.approx(shares[first])]
    assert flows[second][0] == [pytest.approx(shares[second]), pytest.approx(math.sqrt(3 * 4 + 3 * 9))]
    assert flows[second][0][1] == pytest.approx(w.values["grad"][names.index("a")])  # [2, 2, 2, 3, 3, 3]


def test_a_slider_on_a_models_parameter_re_runs_torch() -> None:
    import livegrad

    model, x, y = small_model()
    with livegrad.record():
        loss = ((model(x) - y) ** 2).mean()
    w = GraphWidget(loss)
    w.set(**{"2.bias": 0.25})
    assert model[2].bias.item() == 0.25
    with torch.no_grad():
        want = ((model(x) - y) ** 2).mean()
    assert w.values["data"][-1] == pytest.approx(want.item(), rel=1e-6)
    assert loss.item() == pytest.approx(want.item(), rel=1e-6)
    assert model[0].weight.grad is not None  # torch's backward ran and set the leaves' .grad


def test_dead_and_broken_gradients_are_marked() -> None:
    w1 = torch.full((3, 2), -1.0, requires_grad=True)
    x = torch.ones(2, 4)
    dead = (w1 @ x).relu().sum()  # every pre-activation is negative: no gradient reaches w1
    assert dict(zip(Graph.of(dead).names, GraphWidget(dead).values["marks"]))["w1"] == "zero"
    a = torch.tensor([1e-9, 2e-9], requires_grad=True)
    tiny = (a * 1e-9).sum()  # d tiny / d a is 1e-9: vanishing
    assert GraphWidget(tiny).values["marks"][0] == "vanishing"
    b = torch.tensor([0.0, 1.0], requires_grad=True)
    broken = b.sqrt().sum()  # d sqrt(b) / db at 0 is inf
    assert GraphWidget(broken).values["marks"][0] == "inf"
    c = torch.tensor([-1.0, 1.0], requires_grad=True)
    assert GraphWidget(c.sqrt().sum()).values["marks"][0] == "nan"  # sqrt(-1) is nan, and so its gradient


# Leaves off tiny magnitudes (as test_properties' ORDINARY): there rounding, not the graph, decides.
ORDINARY = st.floats(-3.0, 3.0).filter(lambda x: x == 0 or abs(x) >= 1e-3)


def close(got: float, want: float) -> bool:
    if math.isnan(want) or math.isinf(want):
        return same_number(got, want)
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=60, deadline=None)
@given(program=programs(), xs=st.lists(ORDINARY, min_size=3, max_size=3), moved=ORDINARY)
def test_random_torch_graphs_every_nodes_numbers(program: list[tuple], xs: list[float], moved: float) -> None:
    """Any graph of the op table's rows built in torch: every node's data and grad as livegrad shows them
    are what torch's own backward gives the same tensors (retain_grad on the test's tensors, after
    livegrad has looked); after a leaf moves, what torch computes from scratch at the new point."""
    pool = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    for op, i, j in program:
        pool.append(apply(op, pool[i % len(pool)], pool[j % len(pool)]))
    graph = Graph.of(pool[-1])
    for t in pool[3:]:
        t.retain_grad()
    pool[-1].backward()
    for t in pool:
        node = graph.node_of(t)
        if node is not None:
            assert close(node.data, t.item()), (node, node.data, t.item())
            assert close(node.grad, t.grad.item()), (node, node.grad, t.grad.item())
    first = graph.node_of(pool[0])
    if first is None or first in graph.blocked:
        return
    first.data = moved
    graph.forward()
    graph.backward()
    want_value, want_grads = torch_program(program, [moved, *xs[1:]])
    assert pool[0].item() == moved and close(graph.root.data, want_value)
    assert close(pool[0].grad.item(), want_grads[0]) and close(first.grad, want_grads[0])


def test_a_gpt_block_written_out_replays_every_op_with_torchs_gradients() -> None:
    """nanoGPT's attention (one projection split in three, views, transposes with negative dims,
    a causal mask, softmax) and MLP: every op replayed, and the gradients torch gives the model."""
    import copy
    import sys

    import livegrad

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from torch_graphs import Block

    torch.manual_seed(1)
    block = Block(width=8, heads=2)
    twin = copy.deepcopy(block)
    x = torch.randn(2, 5, 8)
    twin(x).pow(2).mean().backward()
    with livegrad.record():
        loss = block(x).pow(2).mean()
    graph = Graph.of(loss)
    assert all(graph.engine.known(v) for v in graph.order)
    assert graph.root.data == pytest.approx(loss.item(), rel=1e-6)
    for name, p in twin.named_parameters():
        node = graph.node_of(dict(block.named_parameters())[name])
        assert node.grad == pytest.approx(float(p.grad.norm()), rel=1e-5), name
    assert "split" in {v.op for v in graph.order} and len({v.nr for v in graph.order if v.op == "split"}) == 3


def test_compare_matches_micrograds_neuron_and_torchs_leaf_by_leaf() -> None:
    from livegrad import compare
    from seeds import seed_neuron

    o_livegrad = seed_neuron()["o"]
    x1, x2, w1, w2, b = seed_leaves()
    o = torch.tanh(x1 * w1 + x2 * w2 + b)
    o.backward()
    report = compare(o_livegrad, o)
    assert [m.name for m in report.leaves] == ["x1", "w1", "x2", "w2", "b"]
    assert report.ok and all(m.mark == "✓" for m in report.leaves)
    x1_row = report.leaves[0]
    assert x1_row.left == pytest.approx(-1.5, abs=1e-6) and x1_row.right == pytest.approx(x1.grad.item(), rel=1e-12)
    assert o_livegrad.grad == 0.0  # the comparison ran each engine's backward on a copy of the state
    assert "✓ x1" in str(report) and "PyTorch" in str(report) and "all gradients agree" in str(report)

    w2.data.fill_(2.0)  # a different neuron on the right: the leaves whose gradients change are marked
    o2 = torch.tanh(x1 * w1 + x2 * w2 + b)
    differ = compare(o_livegrad, o2)
    assert not differ.ok
    by_name = {m.name: m for m in differ.leaves}
    assert by_name["x2"].mark == "✗" and by_name["w2"].mark == "✓"  # d o / d w2 = x2 · (1 − o²) = 0 on both
    assert "✗ x2" in str(differ)


def test_compare_shows_both_graphs_live_side_by_side() -> None:
    from livegrad import compare
    from seeds import seed_neuron

    o_livegrad = seed_neuron()["o"]
    x1, x2, w1, w2, b = seed_leaves()
    o = torch.tanh(x1 * w1 + x2 * w2 + b)
    box = compare(o_livegrad, o).widget()
    titles, sides = zip(*(column.children for column in box.children[0].children))
    assert [t.value for t in titles] == ["livegrad", "PyTorch"]  # which graph is which engine's
    assert [type(w).__name__ for w in sides] == ["GraphWidget", "GraphWidget"]
    assert sides[1].topology["columns"]["name"][-1] == "o" and "✓ x1" in box.children[1].value


def test_livegrad_never_imports_torch_unless_handed_a_tensor() -> None:
    program = textwrap.dedent(
        """
        import sys
        import livegrad
        from livegrad import GraphWidget, Value, compare, draw_dot, gradcheck
        a = Value(2.0, label="a")
        b = (a * a).tanh()
        b.backward()
        GraphWidget(b), gradcheck(b), draw_dot(b), compare(b, b)
        with livegrad.record():
            c = a * 3
        print("torch" in sys.modules)
        """
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env={"PYTHONPATH": str(SRC)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"
