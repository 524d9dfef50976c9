"""The compiled build of the engine (mypyc, see the README's *Performance*) against the pure-Python module
it is compiled from: every value and gradient the same, bit for bit, on random graphs with inf and nan
inside, on the forward()/backward() re-runs of a graph built once, and on the microgpt-shaped GPT.

Runs where the installed `livegrad.engine` is the compiled one (a wheel built with
``HATCH_BUILD_HOOK_ENABLE_MYPYC=1``); the source module is then loaded beside it from engine.py.
The rest of the suite (test_engine.py, test_properties.py, ...) runs on whichever build is installed.
"""

from __future__ import annotations

import importlib.util
import math
import struct
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

import microgpt_like
from livegrad import engine
from oracles import BINARY, CONSTANT_POWERS, UNARY, apply

pytestmark = pytest.mark.skipif(
    not engine.COMPILED, reason="the compiled build is not installed (HATCH_BUILD_HOOK_ENABLE_MYPYC=1 pip install .)"
)


def source_engine() -> ModuleType:
    """engine.py itself, as a second module of the package (its relative imports resolve as the build's do)."""
    name = "livegrad._engine_source"
    if name not in sys.modules:
        path = Path(engine.__file__).with_name("engine.py")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[name] = module
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    return sys.modules[name]


def bits(x: float) -> bytes:
    """A float's bits, so 0.0 and -0.0 differ and nan equals nan (every nan here is the same one)."""
    return struct.pack("<d", x) if not math.isnan(x) else b"nan"


def test_the_source_module_is_the_interpreted_one() -> None:
    assert not source_engine().COMPILED
    assert source_engine().Value is not engine.Value


LEAVES = st.sampled_from([0.0, -0.0, 1000.0, -1000.0, 710.0, 1e300, -1.0, 1.0, 2.5]) | st.floats(-3.0, 3.0)
OPS = UNARY + BINARY


@st.composite
def programs(draw: st.DrawFn) -> list[tuple[str, int, int, float | None]]:
    """Instructions `op(pool[i], pool[j])`, some with a plain number for one operand (the reflected forms)."""
    instruction = st.tuples(
        st.sampled_from(OPS), st.integers(0, 63), st.integers(0, 63), st.none() | st.sampled_from([2.0, -0.5, 3])
    )
    return draw(st.lists(instruction, min_size=1, max_size=14))


def run(value_type: type, program: list[tuple], xs: list[float]) -> tuple[list, object]:
    leaves = [value_type(x) for x in xs]
    pool = list(leaves)
    for k, (op, i, j, number) in enumerate(program):
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if number is not None and op in BINARY:
            a, b = (number, b) if k % 2 else (a, number)  # number op value, or value op number
        pool.append(apply(op, a, b))
    return leaves, pool[-1]


@given(program=programs(), xs=st.lists(LEAVES, min_size=3, max_size=3))
def test_random_graphs_give_the_same_bits_in_both_builds(program: list[tuple], xs: list[float]) -> None:
    source = source_engine()
    results = []
    for value_type, module in ((engine.Value, engine), (source.Value, source)):
        leaves, out = run(value_type, program, xs)
        out.backward()
        order = module.topological_order(out)
        first = [(v.op, bits(v.data), bits(v.grad)) for v in order]
        for leaf in leaves:  # then re-run in place from moved leaves: the kept steps of a graph built once
            leaf.data = leaf.data * 0.5 + 0.25
        out.forward()
        out.backward()
        out.forward()
        out.backward(accumulate=True)
        results.append((first, [(bits(v.data), bits(v.grad)) for v in order]))
    assert results[0] == results[1]


def test_every_op_is_covered() -> None:
    assert set(OPS) >= set(CONSTANT_POWERS)


def test_the_gpt_trains_to_the_same_bits_in_both_builds() -> None:
    compiled = microgpt_like.train(engine.Value, steps=3)
    source = microgpt_like.train(source_engine().Value, steps=3)
    assert [bits(x) for x in compiled] == [bits(x) for x in source]
