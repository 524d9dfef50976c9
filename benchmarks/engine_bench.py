"""livegrad's engine against micrograd 0.1.0 (and PyTorch scalar autograd, if installed).

micrograd's demo is trained three ways: micrograd and livegrad rebuilding the loss graph every
step, as the demo does, and livegrad on a loss graph built once ("built-once": each step is
``loss.forward(); loss.backward()`` and the update, reusing the order sorted once).

Run side by side in one run (each engine trains in a fresh process of its own that imports
only that engine, the engines alternating), Python's garbage collector left on, as users run them:

    python benchmarks/engine_bench.py            # full run (about 8 minutes)
    python benchmarks/engine_bench.py --quick    # one round of fewer steps, a 1e5 chain only

Prints figures and ratios; it asserts nothing about time (machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import statistics
import sys
import time
import tracemalloc
from importlib.metadata import version

import numpy as np

import livegrad
import livegrad.nn
from alternate import COMPILED_SUFFIX, alternate, check_build

try:
    import micrograd.engine
    import micrograd.nn
except ImportError:
    sys.exit("needs micrograd: pip install micrograd==0.1.0 (a benchmark-only dependency)")

# PyTorch is imported only by the process that times it: its hundred thousand objects would
# otherwise sit in every engine's heap, and each full collection would scan them.
TORCH_INSTALLED = importlib.util.find_spec("torch") is not None


def two_moons(n: int = 100, noise: float = 0.1, seed: int = 1337) -> tuple[list, list]:
    """scikit-learn's make_moons, with NumPy and a fixed seed; labels are -1 or +1."""
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    x = np.concatenate([np.cos(t_out), 1 - np.cos(t_in)])
    y = np.concatenate([np.sin(t_out), 1 - np.sin(t_in) - 0.5])
    points = np.stack([x, y], axis=1) + rng.normal(scale=noise, size=(n, 2))
    labels = np.concatenate([np.full(n_out, -1.0), np.full(n_in, 1.0)])
    return points.tolist(), labels.tolist()


def demo_loss(model, value_type, points, labels):
    """micrograd's demo: SVM max-margin loss + 1e-4 L2, over the full batch."""
    inputs = [[value_type(x) for x in row] for row in points]
    scores = [model(row) for row in inputs]
    losses = [(1 + -y * score).relu() for y, score in zip(labels, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def train_step(model, value_type, points, labels, k: int) -> float:
    loss = demo_loss(model, value_type, points, labels)
    model.zero_grad()
    loss.backward()
    sgd(model.parameters(), k)
    return loss.data


def sgd(parameters, k: int) -> None:
    learning_rate = 1.0 - 0.9 * k / 100  # micrograd's demo schedule
    for p in parameters:
        p.data -= learning_rate * p.grad


def built_once_trainer(model, points, labels):
    """livegrad's other way to train: the loss graph is built once, and each step re-runs it in
    place (``loss.forward()``, then ``loss.backward()``, both reusing the order sorted once)."""
    loss = demo_loss(model, livegrad.Value, points, labels)
    parameters = model.parameters()

    def step(k: int) -> float:
        loss.forward()
        loss.backward()
        sgd(parameters, k)
        return loss.data

    return step


def models() -> tuple[object, object]:
    """micrograd's demo model and a livegrad model with the very same initial weights."""
    import random

    random.seed(1337)
    micro = micrograd.nn.MLP(2, [16, 16, 1])
    live = livegrad.nn.MLP(2, [16, 16, 1], activation="relu", linear_output=True)
    for mp, lp in zip(micro.parameters(), live.parameters(), strict=True):
        lp.data = float(mp.data)
    return micro, live


class TorchScalarMLP:
    """The same MLP built node by node from 0-dim float64 tensors (PyTorch's scalar autograd)."""

    def __init__(self, weights: list[float]) -> None:
        import torch

        self.params = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in weights]
        self.sizes = [2, 16, 16, 1]

    def parameters(self) -> list:
        return self.params

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def __call__(self, x: list) -> object:
        it = iter(self.params)
        for layer, (nin, nout) in enumerate(zip(self.sizes, self.sizes[1:])):
            outs = []
            for _ in range(nout):
                w = [next(it) for _ in range(nin)]
                act = sum((wi * xi for wi, xi in zip(w, x)), next(it))
                outs.append(act.relu() if layer < len(self.sizes) - 2 else act)
            x = outs
        return x[0]


def torch_vectorised_trainer(weights: list[float], points, labels):
    """The same maths as matrices (PyTorch float64, one process thread): the physical reference for a step."""
    import torch

    torch.set_num_threads(1)
    it = iter(weights)
    params = []
    for nin, nout in ((2, 16), (16, 16), (16, 1)):  # livegrad's order: neuron by neuron, weights then bias
        rows = [[next(it) for _ in range(nin + 1)] for _ in range(nout)]
        w = torch.tensor([r[:-1] for r in rows], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([r[-1] for r in rows], dtype=torch.float64, requires_grad=True)
        params += [w, b]
    x = torch.tensor(points, dtype=torch.float64)
    y = torch.tensor(labels, dtype=torch.float64)

    def step(k: int) -> float:
        w1, b1, w2, b2, w3, b3 = params
        scores = ((x @ w1.T + b1).relu() @ w2.T + b2).relu() @ w3.T + b3
        data_loss = (1 + -y * scores[:, 0]).relu().sum() * (1.0 / len(labels))
        loss = data_loss + 1e-4 * sum((p * p).sum() for p in params)
        for p in params:
            p.grad = None
        loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        with torch.no_grad():
            for p in params:
                p -= learning_rate * p.grad
        return loss.item()

    return step


def torch_step(model, points, labels, k: int) -> float:
    import torch

    loss = demo_loss(model, lambda v: torch.tensor(v, dtype=torch.float64), points, labels)
    model.zero_grad()
    loss.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    with torch.no_grad():
        for p in model.parameters():
            p -= learning_rate * p.grad
    return loss.item()


METHODS = {  # how each timing is named in the report, and how a round's steps are averaged
    "loop": ("training loop, steps back to back as the demo runs them: mean per step", statistics.mean),
    "reclaimed": ("one step, then gc.collect() to reclaim its graph, both timed: median", statistics.median),
    "unreclaimed": ("one step, its garbage left for an untimed gc.collect(): median", statistics.median),
}


WARM_UP_STEPS = 2


def demo_worker(engine: str, steps: int) -> None:
    """Train one engine in this process; print, as JSON, its step times measured three ways.

    A livegrad graph is freed by reference counting the moment it is dropped, inside the step
    that drops it; a micrograd graph is made of reference cycles and waits for the cyclic
    collector, whenever that runs. So where a measurement puts that collection decides whether
    micrograd pays for freeing its graphs:
    "loop": steps back to back, as micrograd's demo notebook runs them: what a user waits for.
    "reclaimed": one step, then a full collection, both timed: each engine pays for its own garbage.
    "unreclaimed": the same step without the collection in the timing; micrograd then frees
    nothing inside the step while livegrad does (this script's first method; its micrograd figure,
    about 1 s, is the one in the reference figures the target was set from)."""
    points, labels = two_moons()
    micro, live = models()
    if engine in ("livegrad", "built-once"):
        check_build()
    if engine == "micrograd":
        step = lambda k: train_step(micro, micrograd.engine.Value, points, labels, k)  # noqa: E731
    elif engine == "livegrad":
        step = lambda k: train_step(live, livegrad.Value, points, labels, k)  # noqa: E731
    elif engine == "built-once":
        step = built_once_trainer(live, points, labels)
    elif engine == "torch-vectorised":
        step = torch_vectorised_trainer([p.data for p in live.parameters()], points, labels)
    else:
        tmodel = TorchScalarMLP([p.data for p in live.parameters()])
        step = lambda k: torch_step(tmodel, points, labels, k)  # noqa: E731
    times: dict[str, list[float]] = {method: [] for method in METHODS}
    losses = [step(k) for k in range(WARM_UP_STEPS)]  # the allocator takes its memory from the OS
    for k in range(WARM_UP_STEPS, WARM_UP_STEPS + steps):
        start = time.perf_counter()
        losses.append(step(k))
        times["loop"].append(time.perf_counter() - start)
    for k in range(WARM_UP_STEPS + steps, WARM_UP_STEPS + 2 * steps):
        gc.collect()
        start = time.perf_counter()
        losses.append(step(k))
        stepped = time.perf_counter()
        gc.collect()
        times["unreclaimed"].append(stepped - start)
        times["reclaimed"].append(time.perf_counter() - start)
    print(json.dumps({"times": times, "losses": losses}))


def bench_demo(steps: int, rounds: int, compiled: str | None) -> None:
    """Each engine trains in a fresh process of its own, as a user's notebook would; the engines
    alternate, round after round, so all see the same machine load. A round's figure is the mean
    (loop) or median (single steps) of its steps; the best round is reported, as timeit advises,
    since other processes on a shared machine only ever add time; the other rounds are shown."""
    engines = ["micrograd", "livegrad", "built-once"]
    if compiled:
        engines += [f"livegrad{COMPILED_SUFFIX}", f"built-once{COMPILED_SUFFIX}"]
    engines += ["torch", "torch-vectorised"] if TORCH_INSTALLED else []
    per_round: dict[str, dict[str, list[float]]] = {method: {name: [] for name in engines} for method in METHODS}
    command = lambda name: [sys.executable, __file__, "--demo-worker", name, "--steps", str(steps)]  # noqa: E731
    results = alternate(command, engines, rounds, compiled)
    for name, runs in results.items():
        for result in runs:
            for method, (_, average) in METHODS.items():
                per_round[method][name].append(average(result["times"][method]))
    losses = {name: runs[-1]["losses"] for name, runs in results.items()}
    _, live = models()
    values = count_values(live, *two_moons())
    print(f"\nmicrograd demo step: MLP(2, [16, 16, 1]), 100 two-moons points, {values:,} values/step")
    print(f"  gc on; {rounds} rounds of {steps} steps per method, each engine in a fresh process; best round")
    for method, (title, _) in METHODS.items():
        best = {name: min(per_round[method][name]) for name in engines}
        print(f"  {title}")
        for name in engines:
            rounds_shown = " ".join(f"{t:.3f}" for t in per_round[method][name])
            ratio = best["micrograd"] / best[name]
            print(f"    {name:19s} {best[name]:7.4f} s   micrograd/this = {ratio:6.1f}x   (rounds: {rounds_shown})")
        if "torch" in best:
            print(f"    livegrad vs PyTorch scalar autograd: {best['torch'] / best['livegrad']:.1f}x faster")
            for name in engines:
                if name.startswith("built-once"):
                    print(f"    {name} / vectorised PyTorch: {best[name] / best['torch-vectorised']:.1f}x the time")
    trajectory = losses["livegrad"]
    drift = max(abs(a - b) for a, b in zip(losses["micrograd"], trajectory))
    print(f"  loss trajectory over {len(trajectory)} steps: first {trajectory[0]:.6f}, last {trajectory[-1]:.6f};")
    print(f"  max |livegrad - micrograd| over the trajectory = {drift:.2e}")
    drift = max(abs(a - b) for a, b in zip(losses["built-once"], trajectory))
    print(f"  max |built once - rebuilt every step| over the trajectory = {drift:.2e}")
    if "torch" in losses:
        drift = max(abs(a - b) for a, b in zip(losses["torch"], trajectory))
        print(f"  max |livegrad - PyTorch| over the trajectory = {drift:.2e}")


def count_values(model, points, labels) -> int:
    return len(livegrad.engine.topological_order(demo_loss(model, livegrad.Value, points, labels)))


def bench_breakdown(steps: int) -> None:
    """Where a livegrad step's time goes (medians over `steps` steps, gc on, as in "one step alone")."""
    points, labels = two_moons()
    _, live = models()
    in_gc = {"start": 0.0, "total": 0.0}

    def on_gc(phase: str, info: dict) -> None:
        now = time.perf_counter()
        if phase == "start":
            in_gc["start"] = now
        else:
            in_gc["total"] += now - in_gc["start"]

    parts: dict[str, list[float]] = {"forward": [], "topological order": [], "backward": [], "freeing": [], "gc": []}
    gc.callbacks.append(on_gc)
    try:
        for _ in range(steps):
            gc.collect()
            in_gc["total"] = 0.0
            start = time.perf_counter()
            loss = demo_loss(live, livegrad.Value, points, labels)
            built = time.perf_counter()
            order = livegrad.engine.topological_order(loss)
            sorted_ = time.perf_counter()
            livegrad.engine.backpropagate(order)
            done = time.perf_counter()
            del loss, order
            freed = time.perf_counter()
            seconds = (built - start, sorted_ - built, done - sorted_, freed - done, in_gc["total"])
            for part, taken in zip(parts, seconds):
                parts[part].append(taken)
    finally:
        gc.callbacks.remove(on_gc)
    medians = {part: statistics.median(times) * 1000 for part, times in parts.items()}
    shown = ", ".join(f"{part} {ms:.1f} ms" for part, ms in medians.items() if part != "gc")
    print(f"\nwhere a livegrad step goes (median of {steps}): {shown};")
    print(f"  of which the cyclic garbage collector (scanning; livegrad makes no cycles): {medians['gc']:.1f} ms")


def bench_memory() -> None:
    """Peak traced bytes per value while building the demo's full-batch loss graph."""
    points, labels = two_moons()
    micro, live = models()
    n_values = count_values(live, points, labels)
    print(f"\npeak memory while building the demo loss graph ({n_values:,} values):")
    per_value = {}
    for name, model, value_type in (
        ("micrograd", micro, micrograd.engine.Value),
        ("livegrad", live, livegrad.Value),
    ):
        gc.collect()
        tracemalloc.start()
        loss = demo_loss(model, value_type, points, labels)
        loss.backward()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del loss
        per_value[name] = peak / n_values
        print(f"  {name:10s} {peak / 2**20:7.1f} MiB peak, {per_value[name]:6.0f} bytes per value")
    print(f"  livegrad / micrograd = {per_value['livegrad'] / per_value['micrograd']:.2f}")


def deep_chain(value_type, steps: int) -> tuple[float, float, float]:
    x = value_type(1.0)
    start = time.perf_counter()
    for _ in range(steps):
        x = x * 1.0001 + 0.001
    built = time.perf_counter()
    x.backward()
    done = time.perf_counter()
    return built - start, done - built, x.data


def bench_deep(steps_list: list[int]) -> None:
    print("\ndeep chain x = x * 1.0001 + 0.001:")
    for steps in steps_list:
        nodes = 4 * steps + 1  # each step: a mul, an add and two constants
        build, back, data = deep_chain(livegrad.Value, steps)
        expected = -10.0 + 11.0 * 1.0001**steps  # the recurrence has its fixed point at -10
        ok = math.isclose(data, expected, rel_tol=1e-6)
        print(
            f"  livegrad {steps:>9,} steps ({nodes:,} nodes): forward {build:.2f} s, backward"
            f" {back:.2f} s = {back / nodes * 1e9:.0f} ns/node; result {'correct' if ok else 'WRONG'}"
        )
    try:
        deep_chain(micrograd.engine.Value, steps_list[0])
        print("  micrograd: ran")
    except RecursionError:
        print(f"  micrograd {steps_list[0]:>9,} steps: RecursionError")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps, shorter chains")
    parser.add_argument(
        "--demo-worker",
        choices=["micrograd", "livegrad", "built-once", "torch", "torch-vectorised"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--compiled", metavar="DIR", help="also livegrad's compiled build, installed in DIR")
    parser.add_argument("--rounds", type=int, help="rounds of the demo (default 5; --quick: 1)")
    parser.add_argument("--steps", type=int, default=20, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.demo_worker:
        return demo_worker(args.demo_worker, args.steps)
    print(
        f"Python {sys.version.split()[0]}, livegrad {livegrad.__version__}, micrograd 0.1.0, "
        f"torch {version('torch') if TORCH_INSTALLED else 'not installed'}; gc enabled: {gc.isenabled()}"
    )
    bench_demo(steps=4 if args.quick else 10, rounds=args.rounds or (1 if args.quick else 5), compiled=args.compiled)
    bench_breakdown(steps=5 if args.quick else 20)
    bench_memory()
    bench_deep([100_000] if args.quick else [100_000, 1_000_000])


if __name__ == "__main__":
    main()
