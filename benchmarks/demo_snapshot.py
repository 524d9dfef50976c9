"""What opening micrograd's demo loss in a GraphWidget costs the kernel, and what it sends (issue 11).

The loss: livegrad.nn.MLP(2, [16, 16, 1], "relu", linear_output=True) over 100 two-moons points,
micrograd's SVM loss plus 1e-4 L2 (65,818 values; `livegrad.datasets`). Measured:

- in this process, each part of ``GraphWidget(loss)``: the sort, the names, the groups, the
  topology, the values, and the whole constructor, itemised: its own calls of those parts, timed
  inside one constructor call each (the sort, the topology, its JSON buffer, the sliders, forward,
  backward, the values), the cyclic garbage collector's passes during it, and the rest
  (ipywidgets' state and comm);
- in a real kernel (jupyter_client), the ``GraphWidget(loss)`` cell (displayed, as a notebook shows
  it) from execute request to reply, with the size of the messages it sends (their JSON and binary
  buffers); with ``--baseline``, beside another checkout's kernels in alternating rounds;
- the bytes of the topology (JSON) and of the values as JSON lists and as float64 buffers;
- a graph of about a million values (the same model over 1,600 points): how long the refusal takes.

    python benchmarks/demo_snapshot.py            # everything (about a minute)
    python benchmarks/demo_snapshot.py --no-kernel
    python benchmarks/demo_snapshot.py --baseline ../old/src   # kernels of another checkout alternating

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time
from collections.abc import Callable

from livegrad import GraphWidget, widget
from livegrad.datasets import svm_loss, two_moons
from livegrad.graph import Graph, collector_paused, display_names, module_groups
from livegrad.nn import MLP

BUILD = """
from time import process_time
from livegrad import GraphWidget, widget
from livegrad.datasets import svm_loss, two_moons
from livegrad.nn import MLP
loss = svm_loss(MLP(2, [16, 16, 1], "relu", linear_output=True, seed=1337), *two_moons(100))
"""


def demo_loss(points: int = 100) -> object:
    return svm_loss(MLP(2, [16, 16, 1], "relu", linear_output=True, seed=1337), *two_moons(points))


def median_ms(run: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """Median wall time and median CPU time of this process, in ms (on a shared machine the CPU time
    drifts less with the load). The cyclic collector is paused, as GraphWidget pauses it: a part's
    row is its own work, not a full collection its objects happen to trigger."""
    wall, cpu = [], []
    for _ in range(repeat):
        with collector_paused():
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return 1000 * statistics.median(wall), 1000 * statistics.median(cpu)


def in_process() -> None:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    loss = demo_loss()
    graph = Graph.of(loss)
    order = graph.order
    print(f"demo loss: {len(order):,} values, {len(graph.topology()['groups']):,} group calls")
    rows = [
        ("sort (bounded at MAX_VALUES)", lambda: Graph.of(loss, 250_000)),
        ("ids and inputs", lambda: Graph(order).inputs),
        ("names", lambda: display_names(order, graph.inputs)),
        ("groups", lambda: module_groups(order, graph.index(), graph.inputs)),
        ("topology, all of it from the order", lambda: Graph(order).topology()),
        ("values (float64 buffers, no locals)", lambda: graph.values(local=False)),
        ("GraphWidget(loss), no kernel", lambda: GraphWidget(loss).close()),
    ]
    print(f"  {'':40s} {'wall':>8s} {'CPU':>8s}")
    for name, run in rows:
        wall, cpu = median_ms(run)
        print(f"  {name:40s} {wall:8.1f} {cpu:8.1f} ms")
    constructor_parts(loss)
    topology = widget._json_buffer(graph.topology())
    as_json = json.dumps(graph.values(local=False, binary=False), allow_nan=False).encode()
    with_locals = json.dumps(graph.values(local=True, binary=False), allow_nan=False).encode()
    binary = graph.values(local=False)
    print(f"  topology JSON, one buffer (sent)         {len(topology) / 1e6:8.2f} MB")
    print(f"  values as JSON lists, with locals (before) {len(with_locals) / 1e6:6.2f} MB")
    print(f"  values as JSON lists, no locals          {len(as_json) / 1e6:8.2f} MB")
    print(f"  values as float64 buffers (sent)         {(len(binary['data']) + len(binary['grad'])) / 1e6:8.2f} MB")


# The calls GraphWidget(loss) makes, each timed where the constructor makes it: (owner, attribute, row).
PARTS = [
    (Graph, "of", "sort"),
    (Graph, "topology", "topology"),
    (GraphWidget, "_take", "_take"),  # the sort, the topology, and what the widget reads of the graph
    (widget, "_json_buffer", "topology as one JSON buffer"),
    (GraphWidget, "_pick_sliders", "sliders: which leaves"),
    (GraphWidget, "_slider_spec", "sliders: their specs"),
    (Graph, "forward", "forward pass"),
    (Graph, "backward", "backward pass"),
    (Graph, "values", "values (float64 buffers)"),
]

TAKE = "the widget's reading of the graph (inputs, ...)"  # _take beside the sort and the topology
REST = "the rest (ipywidgets' state and comm, ...)"
ROWS = [*(row for *_, row in PARTS if row != "_take"), TAKE]


def constructor_parts(loss: object, repeat: int = 5) -> None:
    """`GraphWidget(loss)` itemised: each part timed inside the constructor (wrapped for the run), the
    garbage collector's passes during it (inside whichever part triggered them), and the rest. CPU
    time, which a shared machine's load disturbs less than wall time."""
    spent: dict[str, float] = {}

    def timed(run: Callable, row: str) -> Callable:
        def wrapper(*args: object, **kwargs: object) -> object:
            start = time.process_time()
            try:
                return run(*args, **kwargs)
            finally:
                spent[row] = spent.get(row, 0.0) + time.process_time() - start

        return wrapper

    def collector(phase: str, info: dict) -> None:
        if phase == "start":
            collector.started = time.process_time()  # type: ignore[attr-defined]
        else:
            spent["garbage collector (within the parts above)"] = (
                spent.get("garbage collector (within the parts above)", 0.0) + time.process_time() - collector.started  # type: ignore[attr-defined]
            )
            spent["full collections"] = spent.get("full collections", 0) + (info["generation"] == 2)

    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in PARTS]
    runs: list[dict[str, float]] = []
    gc.callbacks.append(collector)
    try:
        for owner, name, row in PARTS:
            setattr(owner, name, timed(getattr(owner, name), row))
        for _ in range(repeat):
            spent.clear()
            start = time.process_time()
            made = GraphWidget(loss)
            total = time.process_time() - start
            made.close()  # as the other rows: no widget kept, so the collector's passes do not grow run by run
            spent[TAKE] = spent.pop("_take") - spent["sort"] - spent["topology"]
            parts = sum(spent.get(row, 0.0) for row in ROWS)
            runs.append({**spent, REST: total - parts, "total": total})
    finally:
        gc.callbacks.remove(collector)
        for owner, name, original in originals:
            setattr(owner, name, original)
    print(
        "  GraphWidget(loss) itemised (CPU time of this process, median of 5 calls; each part inside the constructor):"
    )
    rows = [
        *ROWS,
        REST,
        "total",
        "garbage collector (within the parts above)",
    ]
    for row in rows:
        print(f"    {row:48s} {1000 * statistics.median(r.get(row, 0.0) for r in runs):8.1f} ms")
    full = statistics.median(r.get("full collections", 0) for r in runs)
    print(f"    {'full collections (generation 2) per call':48s} {full:8.0f}")


def in_kernel(baseline: str | None, rounds: int = 3, repeat: int = 3) -> None:
    """The cell in real kernels: this checkout's, alternating round by round with `baseline`'s (the
    ``src`` directory of another checkout, e.g. the commit before a change) when given, so both
    sides see the same load."""
    from jupyter_client.manager import start_new_kernel

    sides = {"this checkout": os.environ.get("PYTHONPATH", "")}
    if baseline:
        sides["baseline"] = baseline
    took: dict[str, list[float]] = {side: [] for side in sides}  # request to reply, wall
    cpu: dict[str, list[float]] = {side: [] for side in sides}  # the kernel's CPU time in the cell (less load-bound)
    for _ in range(rounds if baseline else 1):
        for side, path in sides.items():
            manager, client = start_new_kernel(kernel_name="python3", env={**os.environ, "PYTHONPATH": path})
            try:
                client.execute_interactive(BUILD, timeout=120)
                for k in range(repeat):
                    messages: list[dict] = []
                    start = time.perf_counter()
                    cell = f"_cpu = process_time()\nw{k} = GraphWidget(loss)\nprint(process_time() - _cpu)\nw{k}"
                    client.execute_interactive(cell, timeout=120, output_hook=messages.append)
                    took[side].append(time.perf_counter() - start)
                    printed = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
                    cpu[side].append(float(printed))
                    sent = [m for m in messages if m["msg_type"] in ("comm_open", "comm_msg")]
                    json_bytes = sum(len(json.dumps(m["content"], separators=(",", ":")).encode()) for m in sent)
                    buffer_bytes = sum(len(b) for m in sent for b in m.get("buffers", []))
                    print(
                        f"  kernel ({side}): the GraphWidget(loss) cell, request to reply {1000 * took[side][-1]:7.1f} "
                        f"ms (the kernel's CPU time in it {1000 * cpu[side][-1]:.0f} ms); its widget messages "
                        f"{json_bytes / 1e6:.2f} MB JSON + {buffer_bytes / 1e6:.2f} MB binary buffers "
                        f"(load {os.getloadavg()[0]:.1f})"
                    )
            finally:
                client.stop_channels()
                manager.shutdown_kernel(now=True)
    for side, times in took.items():
        print(
            f"  kernel ({side}): median {1000 * statistics.median(times):.0f} ms over {len(times)} cells; the "
            f"kernel's CPU time in the cell median {1000 * statistics.median(cpu[side]):.0f} ms"
        )


def a_million() -> None:
    start = time.perf_counter()
    loss = demo_loss(1_600)
    built = time.perf_counter() - start
    start = time.perf_counter()
    widget = GraphWidget(loss)
    refused = time.perf_counter() - start
    values = len(Graph.of(loss).order)
    print(f"about a million values ({values:,}, built in {built:.1f} s): GraphWidget refused it in {refused:.3f} s")
    print(f"  {widget.topology['too_large']['message']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--no-kernel", action="store_true", help="skip the real kernel")
    parser.add_argument("--baseline", help="another checkout's src directory: its kernels alternate with this one's")
    args = parser.parse_args()
    in_process()
    if not args.no_kernel:
        in_kernel(args.baseline)
    a_million()


if __name__ == "__main__":
    main()
