"""The microgpt-shaped script: its own engine's gradients against central differences, and the same
script with ``from livegrad import Value`` in place of its engine giving the same losses and gradients."""

from __future__ import annotations

import ast
import types
from itertools import islice
from pathlib import Path

import pytest

import livegrad
import microgpt_like as script

TINY = script.Config(n_layer=1, n_embd=4, n_head=2, block_size=4)
SCRIPT = Path(script.__file__)


def swapped_script() -> types.ModuleType:
    """The script's own source with its `class Value` replaced by ``from livegrad import Value``,
    and nothing else changed, run as a module of its own."""
    tree = ast.parse(SCRIPT.read_text())
    engine = [i for i, node in enumerate(tree.body) if isinstance(node, ast.ClassDef) and node.name == "Value"]
    assert len(engine) == 1
    tree.body[engine[0]] = ast.parse("from livegrad import Value").body[0]
    module = types.ModuleType("microgpt_like_on_livegrad")
    exec(compile(ast.fix_missing_locations(tree), str(SCRIPT), "exec"), module.__dict__)
    return module


def grads_after_one_backward(value_type: type, name: str = "ava") -> tuple[float, list[float]]:
    state_dict = script.init_params(value_type, TINY, seed=3)
    loss = script.name_loss(state_dict, name, TINY)
    loss.backward()
    return loss.data, [p.grad for p in script.parameters(state_dict)]


def test_the_scripts_engine_has_microgpts_shape() -> None:
    assert script.Value.__slots__ == ("_children", "_local_grads", "data", "grad")
    a, b = script.Value(2.0), script.Value(-3.0)
    product = a * b
    assert product._children == (a, b) and product._local_grads == (-3.0, 2.0)
    total = a + b
    assert total._local_grads == (1, 1)
    quotient = a / b  # a * b**-1: division by composition, as microgpt has it
    assert quotient._children[0] is a and quotient._children[1]._children == (b,)


def test_the_scripts_gradients_match_central_differences() -> None:
    """Every parameter of a tiny GPT: d loss / d p from backward() against (f(p + h) - f(p - h)) / 2h,
    each f a fresh forward pass of the script's own engine."""
    state_dict = script.init_params(script.Value, TINY, seed=3)
    loss = script.name_loss(state_dict, "ava", TINY)
    loss.backward()
    params = script.parameters(state_dict)
    assert len(params) == 2 * 27 * 4 + 4 * 4 + 4 * 4 * 4 + 2 * 4 * 16
    h = 1e-6
    nonzero = 0
    for p in params:
        x = p.data
        p.data = x + h
        above = script.name_loss(state_dict, "ava", TINY).data
        p.data = x - h
        below = script.name_loss(state_dict, "ava", TINY).data
        p.data = x
        numeric = (above - below) / (2 * h)
        assert p.grad == pytest.approx(numeric, rel=1e-5, abs=1e-8)
        nonzero += numeric != 0
    assert nonzero > 150  # the unused tokens' embeddings get nothing; the rest do


def test_livegrad_swapped_in_gives_the_same_gradients() -> None:
    """Division is `a * b**-1` in the script and one op in livegrad, so the two round differently:
    they agree to 1e-13 relative, not to the last bit."""
    mine_loss, mine = grads_after_one_backward(script.Value)
    live_loss, live = grads_after_one_backward(livegrad.Value)
    assert live_loss == pytest.approx(mine_loss, rel=1e-14)
    assert live == pytest.approx(mine, rel=1e-12, abs=1e-15)
    assert any(g != 0 for g in live)


def test_the_script_runs_unchanged_on_livegrad() -> None:
    """The script's source with its engine replaced by the import trains to the same losses."""
    swapped = swapped_script()
    assert swapped.Value is livegrad.Value
    config = script.Config()  # the full size: 1 layer, 16 wide, 4 heads
    mine = list(islice(script.training(script.Value, config), 4))
    live = list(islice(swapped.training(swapped.Value, config), 4))
    assert live == pytest.approx(mine, rel=1e-12)
    assert mine[0] == pytest.approx(3.2958, abs=0.2)  # about log(27): an untrained model guesses uniformly
    assert len(set(mine)) == 4
