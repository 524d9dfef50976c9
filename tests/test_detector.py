"""gradcheck as a bug detector (tests/detector.py): on random graphs in both engine shapes, every planted
bug that changes a number is named at its node, and correct engines raise no alarm."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detector
from livegrad import gradcheck
from livegrad.graph import Graph

seeds = st.integers(min_value=0, max_value=10**6)


@pytest.mark.parametrize("bug", detector.BUGS, ids=lambda b: f"{b.shape}: {b.kind}")
@given(seed=seeds)
@settings(max_examples=25, deadline=None)
def test_every_findable_planted_bug_is_named_at_its_node(bug: detector.Bug, seed: int) -> None:
    root = detector.random_graph(bug.engine, seed)
    present = bug.op is None or any(v.op == bug.op for v in Graph.of(root).order)
    if present and detector.findable(bug, seed):
        assert detector.named(bug, root)


@pytest.mark.parametrize("shape", sorted(detector.CORRECT))
@given(seed=seeds)
@settings(max_examples=40, deadline=None)
def test_correct_engines_raise_no_alarm(shape: str, seed: int) -> None:
    report = gradcheck(detector.random_graph(detector.CORRECT[shape], seed))
    assert report.ok and not report.faulty_nodes


def test_a_bug_that_changes_no_number_here_cannot_be_found_and_is_not_claimed() -> None:
    """``=`` in microgpt's backward() is harmless where no value is used twice: the gradients are right,
    so there is nothing to find on this graph (in micrograd's shape the probes would still see it)."""
    a, b = detector.SlottedAssigns(2.0), detector.SlottedAssigns(3.0)
    root = (a * b).exp()
    report = gradcheck(root)
    assert report.ok and not report.faulty_nodes


def test_the_measured_figures_cover_every_bug_kind() -> None:
    rows = detector.measure(graphs=20)
    assert [(bug.shape, bug.kind) for bug, *_ in rows] == [(b.shape, b.kind) for b in detector.BUGS]
    for bug, planted, findable, found in rows:
        assert found == findable <= planted, bug
    assert detector.false_alarms(graphs=20) == {"micrograd": 0, "microgpt": 0}
