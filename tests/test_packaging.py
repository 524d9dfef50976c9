"""The wheel, built as the README says (`pip wheel . --no-deps`): it carries the licence and the built frontend."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STATIC = REPO / "src" / "livegrad" / "static"


def test_wheel_carries_license_and_frontend(tmp_path: Path) -> None:
    # With the bundle built (run.sh builds it first), hatch-jupyter-builder skips npm: a few seconds, offline.
    assert (STATIC / "widget.js").exists(), "build the frontend first: npm run build"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--quiet", "--wheel-dir", str(tmp_path)],
        check=True,
    )
    (wheel,) = tmp_path.glob("livegrad-*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")  # pure Python: the compiled build is opt-in (README)
    with zipfile.ZipFile(wheel) as archive:
        assert not [name for name in archive.namelist() if name.endswith((".so", ".pyd"))]
        (info,) = {name.split("/")[0] for name in archive.namelist() if ".dist-info/" in name}
        metadata = archive.read(f"{info}/METADATA").decode()
        assert archive.read(f"{info}/licenses/LICENSE") == (REPO / "LICENSE").read_bytes()
        for name in ("widget.js", "widget.css", "standalone.js"):
            assert archive.read(f"livegrad/static/{name}") == (STATIC / name).read_bytes()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert "License-File: LICENSE" in metadata.splitlines()
    assert "Copyright (c) 2026 the livegrad authors" in (REPO / "LICENSE").read_text()
