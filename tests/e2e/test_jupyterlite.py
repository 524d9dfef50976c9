"""JupyterLite with the Pyodide kernel: livegrad in a static site, Python running in the browser, offline.

The site is built at test time by `jupyter lite build` (jupyterlite-core and jupyterlite-pyodide-kernel, pinned
in the test extra), which needs no network, and served as plain files from localhost; the page may fetch
nothing else. Pyodide's runtime is npm's `pyodide` package (pinned in package.json). That package has the
interpreter and the standard library but none of the packages of Pyodide's full distribution (those sit on
its CDN), and the kernel needs some of them: micropip, then IPython and Jedi with what they need. Here they
are PyPI's wheels (pip downloads them first), at the versions of the package's own pyodide-lock.json, and
the lock the site serves names those wheels instead. livegrad (a wheel built from this tree) and what it
needs that the lock has not (anywidget, ipywidgets, ...; PyPI's wheels at the versions installed here, so
the page's extensions match) are piplite's wheels, which the notebook installs with `%pip install livegrad`,
PyPI fallback off.

Covers: the kernel starts with no server, livegrad installs and imports, the neuron's graph draws with
Python's values, a slider moves the records and reaches Python, refresh() in a training loop ends on the
last state, stepping reaches Python. Not covered: Pyodide's CDN and PyPI seen from the browser (a course
site on GitHub Pages would load Pyodide and its packages from there), other JupyterLite kernels.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import nbformat
import pytest
from notebook import KERNEL_READY, drag_x1, first_backward_step, in_kernel, record, shown
from playwright.sync_api import Page, Route, expect

ROOT = Path(__file__).resolve().parents[2]
PYODIDE = ROOT / "node_modules" / "pyodide"  # npm's pyodide: the runtime only
# Files of npm's package the site serves (its source maps and consoles are not needed).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
# What the kernel loads from Pyodide's distribution (micropip), or installs and finds there (the rest).
FROM_THE_LOCK = ("micropip", "ipython", "jedi", "traitlets", "typing-extensions")
# What livegrad needs that the lock has not, as piplite wheels at the versions installed here.
FROM_PIPLITE = ("anywidget", "ipywidgets", "jupyterlab_widgets", "comm", "graphviz", "psygnal")

CELLS = [
    "%pip install livegrad",
    """\
from livegrad import GraphWidget, Value

x1 = Value(2.0, label="x1")
x2 = Value(0.0, label="x2")
w1 = Value(-3.0, label="w1")
w2 = Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
n = x1 * w1 + x2 * w2 + b
n.label = "n"
o = n.tanh()
o.label = "o"
o.backward()
w = GraphWidget(o)
w""",
]


def lock_closure(lock: dict, names: tuple[str, ...]) -> list[dict]:
    """The lock's entries for these packages and everything they depend on."""
    packages = lock["packages"]
    found: dict[str, dict] = {}

    def add(name: str) -> None:
        name = name.lower().replace("_", "-")
        if name not in found:
            found[name] = packages[name]
            for dependency in packages[name]["depends"]:
                add(dependency)

    for name in names:
        add(name)
    return list(found.values())


def download(requirements: list[str], folder: Path) -> None:
    """PyPI's pure-Python wheels of these `name==version`s, for Pyodide's Python (3.14), into `folder`."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
    command += ["--platform", "any", "--python-version", "3.14", "--implementation", "py", "-d", str(folder)]
    done = subprocess.run([*command, *requirements], capture_output=True, text=True)
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR")] or [done.stderr[-800:]]
        pytest.skip(f"pip could not download a wheel for Pyodide from the package index: {' '.join(errors)}")


def wheel_of(folder: Path, name: str) -> Path:
    stem = name.lower().replace("-", "_")
    (wheel,) = (p for p in folder.glob("*.whl") if p.name.lower().split("-")[0] == stem)
    return wheel


def pyodide_with_local_packages(lite: Path, work: Path) -> None:
    """npm's Pyodide in the site's static/pyodide, its lock cut down to the packages served beside it."""
    missing = [name for name in PYODIDE_FILES if not (PYODIDE / name).exists()]
    if missing:
        pytest.skip(f"{PYODIDE / missing[0]} missing (npm ci installs npm's pyodide, pinned in package.json)")
    target = lite / "static" / "pyodide"
    target.mkdir(parents=True)
    for name in PYODIDE_FILES[:-1]:
        shutil.copy(PYODIDE / name, target / name)
    lock = json.loads((PYODIDE / "pyodide-lock.json").read_text())
    entries = lock_closure(lock, FROM_THE_LOCK)
    download([f"{entry['name']}=={entry['version']}" for entry in entries], work / "lock-wheels")
    packages = {}
    for entry in entries:
        wheel = wheel_of(work / "lock-wheels", entry["name"])
        shutil.copy(wheel, target / wheel.name)
        sha256 = hashlib.sha256(wheel.read_bytes()).hexdigest()
        key = entry["name"].lower().replace("_", "-")
        packages[key] = {**entry, "file_name": wheel.name, "sha256": sha256, "unvendored_tests": False}
    lock["packages"] = packages
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1))


def piplite_wheels(lite: Path) -> None:
    """livegrad's wheel, built from this tree, and its dependencies not in the lock, in the site's pypi/."""
    wheels = lite / "pypi"
    wheels.mkdir()
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(ROOT)]
    subprocess.run(command, check=True, capture_output=True)
    try:
        requirements = [f"{name}=={version(name)}" for name in FROM_PIPLITE]
    except PackageNotFoundError as missing:
        pytest.skip(f"{missing.name} is not installed (pip install -e '.[test]')")
    download(requirements, wheels)


class Files(http.server.SimpleHTTPRequestHandler):
    """A static host, as GitHub Pages would be: WebAssembly and ES modules with their own MIME types."""

    extensions_map = {  # noqa: RUF012 (the base class's own attribute, overridden)
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
    }

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def lite_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The JupyterLite site, built offline into a temp folder and served on a free port."""
    pytest.importorskip("jupyterlite_core", reason="jupyterlite-core is in the test extra: pip install -e '.[test]'")
    pytest.importorskip("jupyterlite_pyodide_kernel", reason="jupyterlite-pyodide-kernel is in the test extra")
    work = tmp_path_factory.mktemp("jupyterlite")
    lite = work / "lite"
    (lite / "files").mkdir(parents=True)
    with ThreadPoolExecutor() as pool:  # mostly waiting on pip: side by side
        for job in [pool.submit(pyodide_with_local_packages, lite, work), pool.submit(piplite_wheels, lite)]:
            job.result()
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell) for cell in CELLS])
    book.metadata = {"kernelspec": {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}}
    nbformat.write(book, lite / "files" / "neuron.ipynb")
    settings = {"@jupyterlite/pyodide-kernel-extension:kernel": {"disablePyPIFallback": True}}
    config = {"jupyter-config-data": {"exposeAppInBrowser": True, "litePluginSettings": settings}}
    (lite / "jupyter-lite.json").write_text(json.dumps(config))
    output = work / "site"
    command = [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite), "--output-dir", str(output)]
    command += ["--no-sourcemaps", "--apps", "lab"]
    built = subprocess.run(command, cwd=work, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Files, directory=str(output)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_jupyterlite_runs_the_neuron_in_the_browser(page: Page, lite_site: str, screenshots: Path) -> None:
    elsewhere: list[str] = []

    def only_the_site(route: Route) -> None:
        if route.request.url.startswith((lite_site, "data:", "blob:")):
            return route.continue_()
        elsewhere.append(route.request.url)
        route.abort()

    page.context.route("**/*", only_the_site)
    expect.set_options(timeout=30_000)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{lite_site}/lab/index.html?path=neuron.ipynb")
    page.wait_for_function(KERNEL_READY, timeout=180_000)  # Pyodide starts, then installs IPython
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    root = page.locator(".livegrad[data-ready]")
    expect(root).to_be_visible(timeout=120_000)  # the first cell installs livegrad and what it needs
    expect(record(root, "o")).to_contain_text("data 0.7071")
    expect(record(root, "x1")).to_contain_text("grad -1.5000")
    expect(root.locator("g.lg-value")).to_have_count(10)
    expect(root.locator("g.lg-op")).to_have_count(5)

    # A slider: the page replays at once; the kernel in the browser applies the move and answers.
    seed = drag_x1(root, 10)
    assert float(in_kernel(page, "print(repr(x1.data))")) == seed["x1"].data

    # Training: refresh() in a loop. The first call sends at once, the next two come within 1/30 s and wait:
    # only the trailing send, from Pyodide's event loop after the cell, brings the page the last state.
    in_kernel(page, "for k in range(3):\n    w1.data = -2.0 + k / 2\n    w.refresh()")
    seed["w1"].data = -1.0
    seed["o"].forward()
    seed["o"].backward()
    for label in ("w1", "n", "o"):
        expect(record(root, label)).to_contain_text(f"data {shown(seed[label].data)}")
    expect(record(root, "x1")).to_contain_text(f"grad {shown(seed['x1'].grad)}")

    # Stepping: the first backward step gives n its gradient; the kernel holds the mode and the step.
    first_backward_step(root, seed)
    for _ in range(100):
        if in_kernel(page, "print(w.mode, w.step)").split() == ["backward", "1"]:
            break
        page.wait_for_timeout(50)
    assert in_kernel(page, "print(w.mode, w.step)").split() == ["backward", "1"]
    root.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "jupyterlite-neuron-1400.png")
    assert elsewhere == []
