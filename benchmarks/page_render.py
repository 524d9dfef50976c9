"""The page's own first render, this checkout's bundle against another commit's, side by side in one run.

    python benchmarks/page_render.py [--against main] [--runs 8]

On a shared machine wall times of separate runs differ by two or three times; this compares two
bundles under the same load, alternating them in fresh pages of one headless Chromium. Each page
imports the bundle (`import`: fetch, parse, and the Graphviz WebAssembly decoded as the module
loads), then `render` draws the widget with the state the kernel would send (the topology as one
JSON buffer, big values as float64 buffers), to `data-ready`; `paint` is the next frame. No kernel,
no JupyterLab (benchmarks/big_graphs.py times those): what is left is the page's own work. Printed
per graph: the minimum and the median of each, and the ratio of the medians. Asserts nothing.
The other bundle is built from `git archive <commit> js` with this checkout's node_modules.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from server import CHROMIUM, FLAGS

from livegrad import GraphWidget
from livegrad.datasets import svm_loss, two_moons
from livegrad.nn import MLP

ROOT = Path(__file__).resolve().parents[1]

GRAPHS = {
    "MLP(2, [16, 16, 1]), one input": lambda: MLP(2, [16, 16, 1], "relu", linear_output=True, seed=1)([0.5, -1.2]),
    "micrograd's demo loss, 100 points": lambda: svm_loss(
        MLP(2, [16, 16, 1], "relu", linear_output=True, seed=1337), *two_moons(100)
    ),
}

PAGE = """<!doctype html><meta charset="utf-8"><div id="out" style="width: 1200px"></div>
<script type="module">
const f64 = (list) => new DataView(Float64Array.from(list, Number).buffer);
window.run = async (graph, bundle) => {
  const [topology, state] = await Promise.all([
    fetch(`/${graph}.topology`).then((r) => r.arrayBuffer()),
    fetch(`/${graph}.json`).then((r) => r.json()),
  ]);
  const values = { ...state.values, data: f64(state.values.data), grad: f64(state.values.grad) };
  const attrs = { ...state, values, topology: new DataView(topology), expanded: null, picks: {} };
  const model = { get: (k) => attrs[k], set: (k, v) => (attrs[k] = v), on() {}, off() {}, save_changes() {} };
  model.send = () => {};
  const t0 = performance.now();
  const widget = await import(`/${bundle}/widget.js`);
  const t1 = performance.now();
  await widget.default.render({ model, el: document.getElementById("out") });
  const t2 = performance.now();
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return { import: t1 - t0, render: t2 - t1, paint: performance.now() - t2 };
};
window.ready = true;
</script>"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def build(commit: str | None, into: Path) -> None:
    """The widget bundle of `commit` (None: this checkout's working tree), built by package.json's own
    `build:widget` with this checkout's node_modules."""
    source = ROOT
    if commit is not None:
        source = into / "source"
        source.mkdir()
        files = ["git", "archive", commit, "js", "package.json"]
        archive = subprocess.run(files, cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "x"], cwd=source, input=archive.stdout, check=True)
        (source / "node_modules").symlink_to(ROOT / "node_modules")
    subprocess.run(["npm", "run", "--silent", "build:widget"], cwd=source, check=True)
    (into / "widget.js").write_bytes((source / "src" / "livegrad" / "static" / "widget.js").read_bytes())


def write_state(graph: str, root: object, into: Path) -> None:
    """What the kernel sends for `root`: the topology buffer and the rest of the state as JSON."""
    widget = GraphWidget(root)
    state = widget.get_state()
    (into / f"{graph}.topology").write_bytes(bytes(state.pop("topology")))
    values = dict(state["values"])
    for key in ("data", "grad"):
        if not isinstance(values[key], list):
            values[key] = list(memoryview(values[key]).cast("d"))
    state["values"] = values
    (into / f"{graph}.json").write_text(json.dumps({k: v for k, v in state.items() if not k.startswith("_")}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="main", help="the commit to compare with (default: main)")
    parser.add_argument("--runs", type=int, default=8, help="pages per bundle and graph")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        served = Path(work)
        (served / "index.html").write_text(PAGE)
        (served / "this").mkdir()
        build(None, served / "this")
        (served / "other").mkdir()
        build(args.against, served / "other")
        for i, make in enumerate(GRAPHS.values()):
            write_state(f"g{i}", make(), served)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(served)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for i, name in enumerate(GRAPHS):
                times: dict[str, list[dict[str, float]]] = {"this": [], "other": []}
                for k in range(2 * args.runs):
                    bundle = ("other", "this")[k % 2]
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
                    page.wait_for_function("window.ready")
                    times[bundle].append(page.evaluate("([g, b]) => window.run(g, b)", [f"g{i}", bundle]))
                    page.close()
                print(f"\n{name}: min / median of {args.runs} pages each, ms")
                for key in ("import", "render", "paint"):
                    ours, theirs = ([t[key] for t in times[b]] for b in ("this", "other"))
                    ratio = statistics.median(ours) / statistics.median(theirs)
                    print(
                        f"  {key:7s} this checkout {min(ours):7.1f} / {statistics.median(ours):7.1f}   "
                        f"{args.against} {min(theirs):7.1f} / {statistics.median(theirs):7.1f}   ratio {ratio:.2f}"
                    )
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
