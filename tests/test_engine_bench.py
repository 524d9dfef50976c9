"""The engine benchmark's harness trains livegrad and micrograd on the same trajectory.

Only the harness is checked here; its timings are read by people, never asserted (shared machines).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("micrograd")

BENCH = Path(__file__).parents[1] / "benchmarks" / "engine_bench.py"


def run_worker(engine: str, steps: int) -> dict:
    command = [sys.executable, str(BENCH), "--demo-worker", engine, "--steps", str(steps)]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True, timeout=600).stdout)


def test_livegrad_trains_on_micrograds_loss_trajectory() -> None:
    live, micro = run_worker("livegrad", steps=1), run_worker("micrograd", steps=1)
    assert len(live["losses"]) == 4  # two warm-up steps, one in the loop, one alone
    assert live["losses"] == pytest.approx(micro["losses"], rel=1e-12)
    assert live["losses"][-1] < live["losses"][0]
    for result in (live, micro):
        assert sorted(result["times"]) == ["loop", "reclaimed", "unreclaimed"]
        assert all(len(times) == 1 and times[0] > 0 for times in result["times"].values())
        assert result["times"]["reclaimed"][0] >= result["times"]["unreclaimed"][0]
