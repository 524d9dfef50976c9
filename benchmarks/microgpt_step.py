"""A training step of the tests' GPT in microgpt's shape (`tests/microgpt_like.py`), on its own engine and
with livegrad's `Value` swapped in: the same code, the same losses, side by side in one run.

Each engine trains in a fresh process of its own, and the engines alternate round after round so both
see the same machine load; a round's figure is the mean of its steps (after two warm-up steps), and
the best round is reported, with the others shown. One step: the loss of one name (43,091 values for
"emma"), backward, an Adam update of 4,192 parameters.

    python benchmarks/microgpt_step.py [--steps 6] [--rounds 3]

Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import microgpt_like as gpt

WARM_UP_STEPS = 2


def worker(engine: str, steps: int) -> None:
    """Train in this process; print the step times and the losses as JSON."""
    if engine == "livegrad":
        from livegrad import Value
    else:
        Value = gpt.Value
    times, losses = [], []
    steps_of = gpt.training(Value, WARM_UP_STEPS + steps)
    while True:
        start = time.perf_counter()
        loss = next(steps_of, None)
        if loss is None:
            break
        times.append(time.perf_counter() - start)
        losses.append(loss)
    times = times[WARM_UP_STEPS:]
    print(json.dumps({"times": times, "losses": losses}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", choices=("script", "livegrad"))
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.steps)
        return
    engines = ("script", "livegrad")
    rounds: dict[str, list[float]] = {name: [] for name in engines}
    losses: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for name in engines:
            command = [sys.executable, __file__, "--worker", name, "--steps", str(args.steps)]
            result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
            rounds[name].append(sum(result["times"]) / len(result["times"]))
            losses[name] = result["losses"]
    print(f"microgpt-shaped GPT step (tests/microgpt_like.py), {args.rounds} rounds of {args.steps} steps, best round")
    best = {name: min(times) for name, times in rounds.items()}
    for name in engines:
        shown = " ".join(f"{t * 1000:.1f}" for t in rounds[name])
        ratio = best["script"] / best[name]
        print(f"  {name:9s} {best[name] * 1000:7.1f} ms/step   script/this = {ratio:4.2f}x   (rounds: {shown} ms)")
    drift = max(abs(a - b) / abs(b) for a, b in zip(losses["livegrad"], losses["script"]))
    print(f"  losses: {', '.join(f'{x:.6f}' for x in losses['script'])}; max relative difference {drift:.1e}")


if __name__ == "__main__":
    main()
