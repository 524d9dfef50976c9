"""The page replays built-in ops (js/replay.ts) and builds the backward trace (js/trace.ts) itself:
both must agree with Python."""

from __future__ import annotations

import math
import random
from pathlib import Path

from livegrad import Value, backward_trace
from livegrad.graph import Graph, json_number
from livegrad.ops import BUILTIN_OPS
from oracles import BINARY, UNARY, run_program
from page_checks import needs_node, run_crosscheck
from records import node_records


def random_cases(count: int, seed: int = 7) -> list[dict]:
    """Random graphs over every op, reused nodes, values across the domain (inf and nan included)."""
    rng = random.Random(seed)
    points = [-math.inf, -1000.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5, 30.0, 800.0, math.inf]
    cases = []
    for _ in range(count):
        program = [
            (rng.choice(UNARY + BINARY), rng.randrange(64), rng.randrange(64)) for _ in range(rng.randint(1, 14))
        ]
        leaves = [Value(rng.choice(points) * rng.choice([1.0, rng.random()]), f"x{i}") for i in range(3)]
        out = run_program(program, leaves)
        out.backward()
        graph = Graph.of(out)
        index = graph.index()
        trace = [
            [
                index[step.node],
                json_number(step.grad),
                [[index[e.input], json_number(e.contribution)] for e in step.edges],
            ]
            for step in backward_trace(out)
        ]
        cases.append({"topology": graph.topology(), "values": graph.values(), "trace": trace})
    return cases


@needs_node
def test_browser_replay_matches_python(tmp_path: Path) -> None:
    """Every op of the table, masked edges and inf and nan included: the page must replay each graph
    (the JS side asserts canReplay) to Python's numbers, so a row without its JS rule fails here."""
    cases = random_cases(2000)
    sent_ops = {node["op"] for case in cases for node in node_records(case["topology"])}
    assert sent_ops >= set(BUILTIN_OPS) | set(UNARY + BINARY)
    masked = sum(local is None for case in cases for row in case["values"]["local"] for local in row)
    assert masked > 100  # relu at a <= 0, x ** 0, a ** b with b == 0
    run_crosscheck("js/replay.crosscheck.test.ts", "LIVEGRAD_REPLAY_CASES", cases, tmp_path)
