"""Run N steps of micrograd's demo, for counting instructions with callgrind (which, unlike wall time,
does not drift with a shared machine's load). Count with N = 0 and N = 3 and divide the difference by 3,
so building the model and the data is not counted (one BLAS thread: NumPy's idle threads' spinning
would otherwise add millions of instructions at random):

    for n in 0 3; do
      OPENBLAS_NUM_THREADS=1 PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python benchmarks/engine_instructions.py built-once $n 2>&1 | grep Collected
    done

Engines: built-once (livegrad, the loss built once and re-run in place), livegrad (rebuilt every step),
unrecorded (livegrad rebuilt every step with livegrad.nn's recording of module calls taken out, so
livegrad - unrecorded is what recording the groups costs), micrograd (its own demo loop); build and
build-unrecorded (only building the demo loss, the garbage collector off, with and without the
recording). A built-once run with N = 0 builds the loss, sorts it and keeps its steps, so the steps
counted are the in-place ones.
"""

from __future__ import annotations

import gc
import sys

import micrograd.engine

import engine_bench as bench
import livegrad


def main() -> None:
    engine, steps = sys.argv[1], int(sys.argv[2])
    points, labels = bench.two_moons()
    micro, live = bench.models()
    if engine.endswith("unrecorded"):  # the modules' own forward, without the wrapper that records each call
        for module in (livegrad.nn.Neuron, livegrad.nn.Layer, livegrad.nn.MLP):
            module.forward = module.forward.__wrapped__
    if engine == "built-once":
        step = bench.built_once_trainer(live, points, labels)
        step(0)  # sorts the graph and keeps its steps: counted in both runs, so not in the difference
    elif engine in ("livegrad", "unrecorded"):
        step = lambda k: bench.train_step(live, livegrad.Value, points, labels, k)  # noqa: E731
    elif engine in ("build", "build-unrecorded"):
        gc.disable()
        step = lambda k: bench.demo_loss(live, livegrad.Value, points, labels)  # noqa: E731
    elif engine == "micrograd":
        step = lambda k: bench.train_step(micro, micrograd.engine.Value, points, labels, k)  # noqa: E731
    else:
        sys.exit(f"engine must be built-once, livegrad, unrecorded, build, build-unrecorded or micrograd: {engine!r}")
    for k in range(1, steps + 1):
        step(k)


if __name__ == "__main__":
    main()
