"""What opening a learner's own engine's graph in a GraphWidget costs the kernel, beside livegrad's.

micrograd 0.1.0 stands for a learner's engine (``_prev`` sets, ``_op`` strings, ``_backward``
closures), read by duck typing (`livegrad.foreign`). The graph is micrograd's demo loss (SVM
max-margin loss + 1e-4 L2 of MLP(2, [16, 16, 1]) over two-moons points, as `engine_bench.py`
builds it), once with micrograd's Values and once with livegrad's (the reference: the same model,
the same weights). For 100 points (65,818 micrograd values) and 10 points, in one run, it times:

- sort/adapt: ``Graph.of(loss, MAX_VALUES)`` (for micrograd, the walk that wraps each node in a view);
- topology: what is drawn (names, groups, ops) from that order;
- forward + backward: what the widget runs once on opening (for micrograd, livegrad's op table
  through the views, then micrograd's own ``backward()``);
- values: data and grad, and for micrograd each edge's local derivative as its ``_backward`` gives it
  (the page steps with them, since it must not replay a learner's engine);
- the whole ``GraphWidget(loss)``, which also hands its state to ipywidgets.

Each part runs with Python's garbage collector paused, as GraphWidget runs them.

    python benchmarks/learner_graphs.py [--repeat 3]

Prints medians of wall and CPU time (CPU drifts less on a shared machine) and the ratio
micrograd / livegrad; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os

import micrograd.engine

import engine_bench as bench  # its demo loss and its two models with the same weights
import livegrad
from demo_snapshot import median_ms  # collector paused, as GraphWidget runs
from livegrad import GraphWidget
from livegrad.graph import MAX_VALUES, Graph


def parts(loss: object, repeat: int) -> dict[str, tuple[float, float]]:
    """Each part of opening `loss` in a GraphWidget, then the whole."""
    graph = Graph.of(loss, MAX_VALUES)

    def run_once() -> None:
        graph.forward()
        graph.backward()

    return {
        "sort/adapt": median_ms(lambda: Graph.of(loss, MAX_VALUES), repeat),
        "topology": median_ms(lambda: Graph(graph.order, graph.learner).topology(), repeat),
        "forward + backward": median_ms(run_once, repeat),
        "values": median_ms(lambda: graph.values(local=not graph.replayable), repeat),
        "GraphWidget(loss)": median_ms(lambda: GraphWidget(loss), repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each part (the median is printed)")
    repeat = parser.parse_args().repeat
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; medians of {repeat} runs")
    for n in (10, 100):
        points, labels = bench.two_moons(n)
        theirs, ours = bench.models()
        their_loss = bench.demo_loss(theirs, micrograd.engine.Value, points, labels)
        our_loss = bench.demo_loss(ours, livegrad.Value, points, labels)
        sizes = len(Graph.of(their_loss).order), len(Graph.of(our_loss).order)
        assert abs(their_loss.data - our_loss.data) <= 1e-9 * abs(our_loss.data)  # the same loss, two engines
        learner, reference = parts(their_loss, repeat), parts(our_loss, repeat)
        print(f"\nmicrograd's demo loss over {n} points: {sizes[0]:,} micrograd values, {sizes[1]:,} livegrad values")
        head = f"{'micrograd wall':>15s} {'CPU':>9s}   {'livegrad wall':>14s} {'CPU':>9s}   {'CPU ratio':>9s}"
        print(f"  {'':20s} {head}")
        for part, (wall, cpu) in learner.items():
            ref_wall, ref_cpu = reference[part]
            print(
                f"  {part:20s} {wall:12.1f} ms {cpu:6.1f} ms   {ref_wall:11.1f} ms {ref_cpu:6.1f} ms   "
                f"{cpu / ref_cpu:8.1f}x"
            )


if __name__ == "__main__":
    main()
