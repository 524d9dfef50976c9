"""A microgpt-shaped GPT's training step: the script's own engine against livegrad's `Value` swapped in.

The GPT is the tests' own script in microgpt's shape (tests/microgpt_like.py: 1 layer, 16-wide
embeddings, 4 heads, 27 characters, one name a step, Adam). Each engine trains it in a fresh process
of its own that imports only that engine, the engines alternating round after round, Python's garbage
collector on; the same names in the same order, so the same graphs:

    python benchmarks/microgpt_step.py              # 3 rounds of 20 steps (under a minute)
    python benchmarks/microgpt_step.py --quick      # 1 round of 5 steps
    python benchmarks/microgpt_step.py --compiled DIR   # also livegrad's compiled build, installed in DIR

Prints each engine's mean and median step (the best round's, every round shown) and the ratio, and how
far apart the two loss trajectories are; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

from alternate import COMPILED_SUFFIX, alternate, check_build

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import microgpt_like

ENGINES = ["script", "livegrad"]
WARM_UP_STEPS = 1


def engine_class(engine: str) -> type:
    if engine == "script":
        return microgpt_like.Value
    import livegrad

    check_build()
    return livegrad.Value


def worker(engine: str, steps: int) -> None:
    """Train with one engine in this process; print its step times and losses as JSON."""
    training = microgpt_like.training(engine_class(engine), steps=WARM_UP_STEPS + steps)
    losses = [next(training) for _ in range(WARM_UP_STEPS)]
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        losses.append(next(training))
        times.append(time.perf_counter() - start)
    print(json.dumps({"times": times, "losses": losses}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round of 5 steps")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--compiled", metavar="DIR", help="where a compiled build of livegrad is installed")
    parser.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.steps = 1, 5
    if args.worker:
        return worker(args.worker, args.steps)
    command = lambda name: [sys.executable, __file__, "--worker", name, "--steps", str(args.steps)]  # noqa: E731
    engines = ENGINES + ([f"livegrad{COMPILED_SUFFIX}"] if args.compiled else [])
    results = alternate(command, engines, args.rounds, args.compiled)
    m = microgpt_like
    print(f"Python {sys.version.split()[0]}; gc enabled: {gc.isenabled()}")
    print(
        f"microgpt-shaped GPT ({m.N_LAYER} layer, {m.N_EMBD} wide, {m.N_HEAD} heads, {m.VOCAB} tokens), "
        "one name per training step (forward, backward, Adam);"
    )
    print(f"  {args.rounds} rounds of {args.steps} steps, each engine in a fresh process, alternating; best round")
    best: dict[str, dict[str, float]] = {}
    for name, runs in results.items():
        means = [statistics.mean(run["times"]) * 1000 for run in runs]
        medians = [statistics.median(run["times"]) * 1000 for run in runs]
        best[name] = {"mean": min(means), "median": min(medians)}
        shown = " ".join(f"{m:.1f}/{d:.1f}" for m, d in zip(means, medians))
        print(
            f"    {name:17s} mean {best[name]['mean']:7.1f} ms   median {best[name]['median']:7.1f} ms"
            f"   (rounds, mean/median: {shown})"
        )
    for name in engines[1:]:
        mean, median = (best["script"][k] / best[name][k] for k in ("mean", "median"))
        print(f"  script's engine / {name}: {mean:.2f}x (mean), {median:.2f}x (median)")
        mine, theirs = results["script"][-1]["losses"], results[name][-1]["losses"]
        drift = max(abs(a - b) / abs(a) for a, b in zip(mine, theirs, strict=True))
        print(
            f"  losses over {len(mine)} steps: first {mine[0]:.6f}, last {mine[-1]:.6f}; max relative gap {drift:.1e}"
        )


if __name__ == "__main__":
    main()
