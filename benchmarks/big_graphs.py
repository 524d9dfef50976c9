"""GraphWidget on big graphs in real JupyterLab with a live kernel, measured inside the page.

    python benchmarks/big_graphs.py [--moves 30] [--gpt2 12] [--only gpt2]

Three graphs: MLP(3, [4, 4, 1]) on one input (188 drawn nodes unfolded), MLP(2, [16, 16, 1]) on
one input (1,619) and micrograd's demo loss, MLP(2, [16, 16, 1]) over 100 two-moons points
(65,818 values). For each it prints:
- Shift+Enter on the `GraphWidget(...)` cell to the widget's `data-ready` (the loss is built in
  an earlier cell; target for the demo loss: <= 2 s), the page's own first render within it (the
  widget's `draw` to `data-ready`: folds, layout, drawing; target for the single-input MLP, whose
  "first render" the issue asks for: <= 0.3 s; Shift+Enter adds the kernel's cell, JupyterLab making
  the widget's model and importing the frontend), and the drawn elements at first view (< 300);
- the longest main-thread task after the first render (target: none over 100 ms);
- expanding a collapsed group by click, to the new layout on screen (target <= 300 ms);
- slider to records: a slider's input event to the records changed in the DOM (within a frame), and
  to the kernel's answer back in the page (Python's Values set, forward and backward re-run there);
- one backward step by keyboard, from the key press to the records restyled and laid out;
- the bytes the kernel sent for the topology and the values.
With `--gpt2 N` (PyTorch installed) a fourth graph: N GPT-2 blocks with a loss, recorded by
module (`benchmarks/torch_graphs.py`'s model; 12 blocks: 783 grad_fn nodes, 85M parameters at the
default `--width 768`; 48 blocks: 3,103 nodes), held
to the demo loss's Shift+Enter target. `--only` picks graphs by a word of their names.
It asserts nothing: machines are shared and noisy, so it prints figures against the targets.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import nbformat
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from notebook import KERNEL_READY, in_kernel
from server import CHROMIUM, FLAGS, running_jupyter

SETUP = (
    "from livegrad import GraphWidget\nfrom livegrad.datasets import svm_loss, two_moons\nfrom livegrad.nn import MLP\n"
)

GRAPHS = {
    "MLP(3, [4, 4, 1]), one input": "out = MLP(3, [4, 4, 1], seed=1)([2.0, 3.0, -1.0])",
    "MLP(2, [16, 16, 1]), one input": "out = MLP(2, [16, 16, 1], 'relu', linear_output=True, seed=1)([0.5, -1.2])",
    "micrograd's demo loss, 100 points": (
        "model = MLP(2, [16, 16, 1], 'relu', linear_output=True, seed=1337)\nout = svm_loss(model, *two_moons(100))"
    ),
}

# Shift+Enter on the second cell, to the widget's data-ready; long tasks are collected from then on.
RUN_WIDGET_CELL = """async () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask' });
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  panel.content.activeCellIndex = 1;
  const ready = new Promise((resolve) => {
    const seen = () => document.querySelector('.livegrad[data-ready]');
    const watch = new MutationObserver(() => { if (seen()) { watch.disconnect(); resolve(performance.now()); } });
    watch.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready'] });
  });
  const start = performance.now();
  await app.commands.execute('notebook:run-cell-and-select-next');
  const end = await ready;
  return { firstRender: end - start, readyAt: end };
}"""

# Click a collapsed group; the time until the new layout carries it expanded and the browser has painted.
EXPAND = """async ({ name }) => {
  const root = document.querySelector('.livegrad[data-ready]');
  const target = root.querySelector(`[data-group="${name}"][aria-expanded="false"]`);
  if (!target) return null;
  const expanded = new Promise((resolve) => {
    const done = () => root.querySelector(`[data-group="${name}"][aria-expanded="true"]`);
    const watch = new MutationObserver(() => { if (done()) { watch.disconnect(); resolve(); } });
    watch.observe(root, { subtree: true, childList: true, attributes: true });
  });
  const start = performance.now();
  target.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  await expanded;
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return performance.now() - start;
}"""

MOVE = """async ({ value }) => {
  const root = document.querySelector('.livegrad[data-ready]');
  const input = root.querySelector('input[type=range]');
  const graph = root.querySelector('.lg-graph');
  let recordsAt = null, syncedAt = null;
  const records = new MutationObserver(() => { recordsAt ??= performance.now(); });
  records.observe(graph, { subtree: true, characterData: true, childList: true });
  input.value = String(value);
  const start = performance.now();
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await new Promise((resolve) => setTimeout(resolve, 0));
  records.disconnect();
  await new Promise((resolve) => {
    if (root.dataset.synced === 'true') return resolve();
    const watch = new MutationObserver(() => {
      if (root.dataset.synced === 'true') { syncedAt = performance.now(); watch.disconnect(); resolve(); }
    });
    watch.observe(root, { attributes: true, attributeFilter: ['data-synced'] });
  });
  const since = (t) => (t === null ? null : t - start);
  return { records: since(recordsAt), kernel: since(syncedAt) };
}"""

STEPS = """async ({ count }) => {
  const root = document.querySelector('.livegrad[data-ready]');
  const bar = root.querySelector('.lg-stepper');
  const named = (name) => [...root.querySelectorAll('button')].find((b) => b.textContent === name);
  named('Step backward pass').click();
  const times = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    bar.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    void root.getBoundingClientRect().height;
    times.push(performance.now() - start);
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  named('Done').click();
  return times;
}"""

# What the kernel sends for this widget: the JSON of its state and the binary buffers beside it.
SIZES = """
import json
from ipywidgets.widgets.widget import _remove_buffers
for key in ("topology", "values"):
    state, _, buffers = _remove_buffers(w.get_state(key))
    print(key, len(json.dumps(state)), sum(memoryview(b).nbytes for b in buffers))
"""


def gpt2(blocks: int, width: int) -> str:
    """The cell building `torch_graphs.py`'s GPT-2 blocks, a loss recorded by module."""
    here = str(Path(__file__).resolve().parent)
    return (
        f"import sys\nsys.path.insert(0, {here!r})\nfrom torch_graphs import build\n"
        f"model, out = build({blocks}, {width})"
    )


def notebook_for(build: str) -> nbformat.NotebookNode:
    book = nbformat.v4.new_notebook()
    book.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    book.cells = [nbformat.v4.new_code_cell(SETUP + build), nbformat.v4.new_code_cell("w = GraphWidget(out)\nw")]
    return book


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def median_p95(values: list[float]) -> str:
    if not values:
        return "none"
    return f"median {statistics.median(values):6.1f} ms, p95 {percentile(values, 0.95):6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30, help="slider moves and backward steps per graph")
    parser.add_argument("--gpt2", type=int, default=0, metavar="BLOCKS", help="add a graph of BLOCKS GPT-2 blocks")
    parser.add_argument("--screenshots", metavar="DIR", help="a screenshot of each page after its moves, here")
    parser.add_argument("--width", type=int, default=768, help="the GPT-2 blocks' width (a multiple of 12)")
    parser.add_argument("--only", nargs="*", default=[], help="only the graphs whose names hold one of these words")
    args = parser.parse_args()
    graphs = dict(GRAPHS)
    if args.gpt2:
        graphs[f"{args.gpt2} GPT-2 blocks of width {args.width} (PyTorch)"] = gpt2(args.gpt2, args.width)
    graphs = {k: v for k, v in graphs.items() if not args.only or any(w in k for w in args.only)}
    with tempfile.TemporaryDirectory() as work:
        notebooks = Path(work) / "bench"
        notebooks.mkdir()
        for i, build in enumerate(graphs.values()):
            nbformat.write(notebook_for(build), notebooks / f"graph{i}.ipynb")
        with running_jupyter(Path(work) / "jupyter", notebooks) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for i, name in enumerate(graphs):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(server.open_url(f"graph{i}.ipynb"))
                page.wait_for_function(KERNEL_READY, timeout=60_000)
                page.evaluate("() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
                page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell')")
                page.wait_for_function(KERNEL_READY, timeout=120_000)
                values = int(in_kernel(page, "print(len(__import__('livegrad').graph.Graph.of(out).order))"))
                shown = page.evaluate(RUN_WIDGET_CELL)
                root = page.locator(".livegrad[data-ready]").first
                # Drawn elements as the fold counts them: records (values and folded cards; an op's
                # ellipse belongs to its value's record, a junction to its edges), and the open
                # groups' frames beside them.
                elements = root.locator(".lg-graph g.node:not(.lg-op):not(.lg-bus)").count()
                frames = root.locator(".lg-graph g.cluster").count()
                page.wait_for_function(KERNEL_READY, timeout=60_000)
                page.wait_for_timeout(1000)  # let late work show up as long tasks
                longest = page.evaluate(
                    "(after) => Math.max(0, ...window.__longTasks.filter((t) => t.start >= after)"
                    ".map((t) => t.duration))",
                    shown["readyAt"],
                )
                groups = root.locator('[data-group][aria-expanded="false"]')
                group = groups.first.get_attribute("data-group") if groups.count() else None
                expand = page.evaluate(EXPAND, {"name": group}) if group else None
                sliders = root.locator("input[type=range]")
                moves = []
                if sliders.count():  # a tensor leaf has no slider
                    low, high = (float(sliders.first.get_attribute(end)) for end in ("min", "max"))
                    moves = [
                        page.evaluate(MOVE, {"value": low + (high - low) * ((k * 7) % 100) / 100})
                        for k in range(args.moves)
                    ]
                records = [m["records"] for m in moves if m["records"] is not None]
                answers = [m["kernel"] for m in moves if m["kernel"] is not None]
                steps = page.evaluate(STEPS, {"count": args.moves})
                sizes = dict(
                    (line.split()[0], (int(line.split()[1]), int(line.split()[2])))
                    for line in in_kernel(page, SIZES).splitlines()
                )
                print(f"\n{name}: {values:,} values; first view: {elements} drawn elements (target < 300), ", end="")
                print(f"{frames} open groups")
                render = page.evaluate(
                    "() => performance.getEntriesByName('livegrad render').map((e) => e.duration).pop() ?? null"
                )
                demo = name.startswith("micrograd's demo") or "GPT-2" in name
                single = name.startswith("MLP(2, [16, 16, 1])")
                print(f"  Shift+Enter -> data-ready: {shown['firstRender']:7.1f} ms" + ("   target <= 2000 ms" * demo))
                print(
                    f"  of which the page's first render (folds, layout, drawing): {render:7.1f} ms"
                    + ("   target <= 300 ms" * single)
                )
                print(f"  longest main-thread task after it: {longest:6.1f} ms   target <= 100 ms")
                took = "no collapsed group" if expand is None else f"{expand:.1f} ms   target <= 300 ms"
                print(f"  expand {group!r} by click: {took}")
                if args.screenshots:
                    page.screenshot(path=Path(args.screenshots) / f"big_graph_{i}.png")
                print(f"  slider -> records: {median_p95(records)}   ({len(records)} of {len(moves)} moves shown)")
                print(f"  slider -> kernel's answer: {median_p95(answers)}   ({len(answers)} answered after the move)")
                print(f"  one backward step (keyboard): {median_p95(steps)}")
                for key, (text, binary) in sizes.items():
                    print(f"  {key} message: {text:,} B of JSON + {binary:,} B of binary buffers")
                page.close()
            browser.close()


if __name__ == "__main__":
    main()
