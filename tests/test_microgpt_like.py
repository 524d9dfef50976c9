"""The tests' GPT in microgpt's shape (tests/microgpt_like.py): its own engine's gradients are right, and
livegrad's Value runs the same code unchanged, with the same losses."""

from __future__ import annotations

import math

import livegrad
import microgpt_like as gpt
from livegrad import gradcheck


def test_the_scripts_engine_gives_gradients_that_match_central_differences() -> None:
    state_dict = gpt.make_state_dict()
    loss = gpt.loss_of(state_dict, "ava")
    loss.backward()
    some = [state_dict["wte"][0][0], state_dict["layer0.attn_wq"][3][5], state_dict["lm_head"][gpt.BOS][2]]
    report = gradcheck(loss, leaves=some)
    assert all(c.judged and c.ok for c in report.checks) and not report.faulty_nodes


def test_livegrads_value_runs_the_script_unchanged_with_the_same_losses() -> None:
    theirs = gpt.train(gpt.Value, steps=3)
    ours = gpt.train(livegrad.Value, steps=3)
    assert len(ours) == 3 and ours[0] == theirs[0]  # the first loss: the same operations, the same rounding
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(ours, theirs))  # later: a / b vs a·b**-1
