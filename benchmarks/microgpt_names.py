"""What reading a GPT in microgpt's shape costs: recording its functions, and naming its values.

The GPT is the tests' own (`tests/microgpt_like.py`: 1 layer, 16-wide, 4 heads, 27 characters),
on the five-token name "emma": 43,091 values, 4,192 parameters in a ``state_dict``. In one run,
alternating, it times:

- the build of the loss, plain and under ``livegrad.record()`` (the issue's bound: under 2x);
- ``Graph.of(loss)``, which names the values after the caller's variables (here this module's
  globals: the state_dict, a flat list of the parameters, and a big notebook's clutter beside
  them: a list of a million floats, a dict of 100,000 strings), beside ``Graph.of(loss, named=False)``;
- the whole ``GraphWidget(loss)`` of the recorded graph.

    python benchmarks/microgpt_names.py [--rounds 5]

Prints medians (and the ratios); asserts nothing about time.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import livegrad
import microgpt_like as gpt
from livegrad import GraphWidget
from livegrad.graph import Graph

state_dict = gpt.make_state_dict()
params = [p for mat in state_dict.values() for row in mat for p in row]
floats = [0.5] * 1_000_000  # a big notebook's globals: walked past, not through
words = {f"w{i}": "text" for i in range(100_000)}


def seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def recorded_loss() -> object:
    with livegrad.record():
        return gpt.loss_of(state_dict, "emma")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (the median is printed)")
    rounds = parser.parse_args().rounds
    loss = recorded_loss()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; medians of {rounds} alternating rounds")
    print(f"{len(Graph.of(loss, named=False).order):,} values, {len(params):,} parameters")
    times: dict[str, list[float]] = {k: [] for k in ("plain", "recorded", "named", "unnamed", "widget")}
    for _ in range(rounds):
        gc.collect()
        times["plain"].append(seconds(lambda: gpt.loss_of(state_dict, "emma")))
        times["recorded"].append(seconds(recorded_loss))
        times["named"].append(seconds(lambda: Graph.of(loss)))
        times["unnamed"].append(seconds(lambda: Graph.of(loss, named=False)))
        times["widget"].append(seconds(lambda: GraphWidget(loss)))
    ms = {k: statistics.median(v) * 1000 for k, v in times.items()}
    print(f"build the loss:            {ms['plain']:8.1f} ms")
    print(f"  under livegrad.record(): {ms['recorded']:8.1f} ms   ({ms['recorded'] / ms['plain']:.2f}x)")
    print(f"Graph.of(loss, named=False): {ms['unnamed']:6.1f} ms")
    print(f"  named after variables:   {ms['named']:8.1f} ms   (+{ms['named'] - ms['unnamed']:.1f} ms)")
    print(f"GraphWidget(loss):         {ms['widget']:8.1f} ms")
    graph = Graph.of(loss)
    names = [n for n in graph.labels if n]
    print(f"named values: {len(names):,}, e.g. {names[0]!r}, {graph.labels[-1]!r}")


if __name__ == "__main__":
    main()
