"""What a slider move costs in Python on a learner's own engine, beside the same graph in livegrad.

    python benchmarks/learner_widget.py [--moves 200]

micrograd 0.1.0 stands for a learner's engine (``_prev`` sets, ``_op`` strings, ``_backward``
closures). Both graphs are micrograd's MLP(3, [16, 16, 1]) on one input, with the same weights
(`MLP.micrograd`). A move is ``w.set(...)``: on micrograd's graph livegrad re-evaluates it with its
op table through views of micrograd's objects, zeroes their grads, calls micrograd's ``backward()``
and probes every node's ``_backward`` for the stepper's local derivatives; on livegrad's graph it
runs its own forward and backward. Prints medians and the ratio; asserts only that both agree.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import micrograd.engine
import micrograd.nn

import livegrad
from livegrad import GraphWidget
from livegrad.nn import MLP

SEED = 1337


def graphs() -> tuple[tuple[object, object], tuple[livegrad.Value, livegrad.Value]]:
    random.seed(SEED)
    theirs = micrograd.nn.MLP(3, [16, 16, 1])
    x = micrograd.engine.Value(0.5)
    x.label = "x"
    ours = MLP.micrograd(3, [16, 16, 1], seed=SEED)
    y = livegrad.Value(0.5, label="x")
    return (theirs([x, 1.0, -1.0]), x), (ours([y, 1.0, -1.0]), y)


def median_move(widget: GraphWidget, moves: int) -> float:
    times = []
    for i in range(moves):
        start = time.perf_counter()
        widget.set(x=-1 + 2 * i / moves)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=200)
    moves = parser.parse_args().moves
    (their_root, x), (our_root, y) = graphs()
    theirs, ours = GraphWidget(their_root), GraphWidget(our_root)
    counts = len(theirs.topology["columns"]["name"]), len(ours.topology["columns"]["name"])
    their_time, our_time = median_move(theirs, moves), median_move(ours, moves)
    assert their_root.data == our_root.data and abs(x.grad - y.grad) <= 1e-12 * max(1.0, abs(y.grad))
    print(f"micrograd's MLP(3, [16, 16, 1]) on one input, {moves} moves each")
    print(f"(micrograd wraps a number once per use: {counts[0] - counts[1]} more constant leaves than livegrad)")
    print(f"{'graph':<36} {'values':>7} {'median per move':>16}")
    print(f"{'micrograd objects (learner engine)':<36} {counts[0]:>7} {their_time * 1e3:>13.1f} ms")
    print(f"{'livegrad Values':<36} {counts[1]:>7} {our_time * 1e3:>13.1f} ms")
    print(f"ratio learner / livegrad: {their_time / our_time:.1f}x")


if __name__ == "__main__":
    main()
