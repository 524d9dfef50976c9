"""Run engines side by side in one run: each in a fresh process of its own, alternating round after round.

A fresh process per engine imports only that engine (nothing else's objects in its heap for the
garbage collector to scan), and alternating makes every engine meet the same drifting machine load.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable


def alternate(command: Callable[[str], list[str]], engines: list[str], rounds: int) -> dict[str, list[dict]]:
    """Each round, run ``command(engine)`` for every engine in turn; each prints one JSON object.
    Returns, per engine, its objects in round order."""
    results: dict[str, list[dict]] = {name: [] for name in engines}
    for _ in range(rounds):
        for name in engines:
            out = subprocess.run(command(name), capture_output=True, text=True, check=True).stdout
            results[name].append(json.loads(out))
    return results
