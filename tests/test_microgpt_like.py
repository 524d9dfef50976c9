"""The tests' GPT in microgpt's shape (tests/microgpt_like.py): its own engine's gradients are right, and the
same script with ``from livegrad import Value`` in place of its engine runs unchanged, with the same losses."""

from __future__ import annotations

import ast
import math
import types
from pathlib import Path

import pytest

import livegrad
import microgpt_like as gpt
from livegrad import gradcheck

SCRIPT = Path(gpt.__file__)


def swapped_script() -> types.ModuleType:
    """The script's own source with its `class Value` replaced by ``from livegrad import Value``, and
    nothing else changed, run as a module of its own."""
    tree = ast.parse(SCRIPT.read_text())
    engine = [i for i, node in enumerate(tree.body) if isinstance(node, ast.ClassDef) and node.name == "Value"]
    assert len(engine) == 1
    tree.body[engine[0]] = ast.parse("from livegrad import Value").body[0]
    module = types.ModuleType("microgpt_like_on_livegrad")
    exec(compile(ast.fix_missing_locations(tree), str(SCRIPT), "exec"), module.__dict__)
    return module


def test_the_scripts_engine_has_microgpts_shape() -> None:
    assert gpt.Value.__slots__ == ("data", "grad", "_children", "_local_grads")
    a, b = gpt.Value(2.0), gpt.Value(-3.0)
    product = a * b
    assert product._children == (a, b) and product._local_grads == (-3.0, 2.0)
    assert (a + b)._local_grads == (1, 1)
    quotient = a / b  # a * b**-1: division by composition, as microgpt has it
    assert quotient._children[0] is a and quotient._children[1]._children == (b,)


def test_every_gradient_of_a_tiny_gpt_matches_central_differences(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tiny GPT (4 wide, 2 heads, 4 positions), every parameter: backward() against (f(p + h) - f(p - h)) / 2h,
    each f a fresh forward pass of the script's own engine."""
    for name, value in (("N_EMBD", 4), ("N_HEAD", 2), ("HEAD_DIM", 2), ("BLOCK", 4)):
        monkeypatch.setattr(gpt, name, value)
    state_dict = gpt.make_state_dict(seed=3)
    loss = gpt.loss_of(state_dict, "ava")
    loss.backward()
    params = [p for mat in state_dict.values() for row in mat for p in row]
    h, nonzero = 1e-6, 0
    for p in params:
        x = p.data
        p.data = x + h
        above = gpt.loss_of(state_dict, "ava").data
        p.data = x - h
        below = gpt.loss_of(state_dict, "ava").data
        p.data = x
        numeric = (above - below) / (2 * h)
        assert p.grad == pytest.approx(numeric, rel=1e-5, abs=1e-8)
        nonzero += numeric != 0
    assert nonzero > 150  # the unused tokens' embeddings get nothing; the rest do


def test_livegrad_checks_the_full_size_scripts_gradients() -> None:
    state_dict = gpt.make_state_dict()
    loss = gpt.loss_of(state_dict, "ava")
    loss.backward()
    some = [state_dict["wte"][0][0], state_dict["layer0.attn_wq"][3][5], state_dict["lm_head"][gpt.BOS][2]]
    report = gradcheck(loss, leaves=some)
    assert all(c.judged and c.ok for c in report.checks) and not report.faulty_nodes


def test_the_script_runs_unchanged_on_livegrad_with_the_same_losses() -> None:
    """Its source with the engine replaced by the import trains to the same losses: the first bit for bit
    (the same operations), later ones to rounding (division is `a * b**-1` there, one op in livegrad)."""
    swapped = swapped_script()
    assert swapped.Value is livegrad.Value
    theirs = gpt.train(gpt.Value, steps=3)
    ours = swapped.train(swapped.Value, steps=3)
    assert ours[0] == theirs[0] and len(set(ours)) == 3
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(ours, theirs))
