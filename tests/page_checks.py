"""Running a page-side (vitest) cross-check on cases Python wrote: the page's own computations
checked against Python's, graph by graph."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
needs_node = pytest.mark.skipif(
    shutil.which("npx") is None or not (ROOT / "node_modules" / "vitest").exists(),
    reason="needs Node.js and `npm ci`",
)


def run_crosscheck(test_file: str, variable: str, cases: list, folder: Path) -> None:
    """Write `cases` as JSON, name the file in the environment `variable`, and run the vitest file on them."""
    cases_file = folder / "cases.json"
    cases_file.write_text(json.dumps(cases, allow_nan=False))
    result = subprocess.run(
        ["npx", "vitest", "run", test_file],
        cwd=ROOT,
        env={**os.environ, variable: str(cases_file), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout, result.stdout[-2000:]
