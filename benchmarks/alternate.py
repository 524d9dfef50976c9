"""Run engines side by side in one run: each in a fresh process of its own, alternating round after round.

A fresh process per engine imports only that engine (nothing else's objects in its heap for the
garbage collector to scan), and alternating makes every engine meet the same drifting machine load.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable

COMPILED_SUFFIX = "+compiled"
"""An engine named ``livegrad+compiled`` runs the worker of ``livegrad`` on the compiled build."""


def alternate(
    command: Callable[[str], list[str]], engines: list[str], rounds: int, compiled: str | None = None
) -> dict[str, list[dict]]:
    """Each round, run ``command(engine)`` for every engine in turn; each prints one JSON object.
    Returns, per engine, its objects in round order. An engine named ``<name>+compiled`` runs
    ``command(<name>)`` with the directory `compiled` (where a compiled build of livegrad is
    installed, e.g. an unpacked wheel) first on its PYTHONPATH."""
    results: dict[str, list[dict]] = {name: [] for name in engines}
    for _ in range(rounds):
        for name in engines:
            env = {**os.environ, "LIVEGRAD_EXPECT_COMPILED": "0"}
            if name.endswith(COMPILED_SUFFIX):
                if compiled is None:
                    raise ValueError(f"{name}: no directory of a compiled build given")
                path = [compiled, *filter(None, [os.environ.get("PYTHONPATH")])]
                env = {**os.environ, "PYTHONPATH": os.pathsep.join(path), "LIVEGRAD_EXPECT_COMPILED": "1"}
                name = name.removesuffix(COMPILED_SUFFIX)
            out = subprocess.run(command(name), capture_output=True, text=True, check=True, env=env).stdout
            results[name + (COMPILED_SUFFIX if env["LIVEGRAD_EXPECT_COMPILED"] == "1" else "")].append(json.loads(out))
    return results


def check_build() -> None:
    """In a worker started by `alternate`: fail loudly if the engine imported is not the build it asked for
    (a worker run on its own checks nothing)."""
    from livegrad import engine

    expected = os.environ.get("LIVEGRAD_EXPECT_COMPILED")
    if expected is not None and engine.COMPILED != (expected == "1"):
        raise SystemExit(
            f"asked for the {'compiled' if not engine.COMPILED else 'interpreted'} build, got {engine.__file__}"
        )
