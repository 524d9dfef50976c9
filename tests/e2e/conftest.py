"""A real Jupyter server (JupyterLab and Notebook 7) with a real kernel, driven by headless Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from server import CHROMIUM, FLAGS, Server, running_jupyter

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TEST_NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": FLAGS}


@pytest.fixture(scope="session")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    notebooks = tmp_path_factory.mktemp("notebooks")
    for source in (*EXAMPLES.glob("*.ipynb"), *TEST_NOTEBOOKS.glob("*.ipynb")):
        shutil.copy(source, notebooks)
    with running_jupyter(tmp_path_factory.mktemp("jupyter"), notebooks) as server:
        yield server


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Path:
    """Screenshots go to test-results/ in the repo (ignored by git), to be looked at."""
    folder = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
