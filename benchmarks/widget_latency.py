"""GraphWidget's latency in real JupyterLab with a live kernel, measured inside the page.

    python benchmarks/widget_latency.py [--moves 60]

For MLP(2, [16, 16, 1]) on one input (1,619 drawn nodes) and MLP(3, [4, 4, 1]) (188), prints:
- first render: layout and drawing (the widget's own `livegrad render` performance measure);
- slider to records: from the slider's input event to the updated records in the DOM;
- slider to kernel: from the input event until the kernel's answer is back in the page
  (Python's Values updated, forward and backward re-run there);
- one step of the backward stepper, from the key press to the records restyled and laid out.
Needs Chromium (Debian's `chromium`) and the package installed (`./run.sh test` sets both up).
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
from notebook import open_and_run, widget
from server import CHROMIUM, FLAGS, running_jupyter

GRAPHS = {
    "MLP(2, [16, 16, 1])": "MLP(2, [16, 16, 1], activation='relu', linear_output=True, seed=1)(x2)",
    "MLP(3, [4, 4, 1])": "MLP(3, [4, 4, 1], seed=1)(x3)",
}

# One slider move, timed in the page: input event -> records changed (MutationObserver) and
# -> the kernel's answer (the widget's data-synced marker).
MOVE = """async ({ value }) => {
  const root = document.querySelector('.livegrad[data-ready]');
  const input = root.querySelector('input[type=range]');
  const graph = root.querySelector('.lg-graph');
  let recordsAt = null, syncedAt = null;
  const records = new MutationObserver(() => { recordsAt ??= performance.now(); });
  records.observe(graph, { subtree: true, characterData: true, childList: true });
  const synced = new Promise((resolve) => {
    const watch = new MutationObserver(() => {
      if (root.dataset.synced === 'true') { syncedAt = performance.now(); watch.disconnect(); resolve(); }
    });
    watch.observe(root, { attributes: true, attributeFilter: ['data-synced'] });
  });
  input.value = String(value);
  const start = performance.now();
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await new Promise((resolve) => setTimeout(resolve, 0));
  records.disconnect();
  await Promise.race([synced, new Promise((resolve) => setTimeout(resolve, 5000))]);
  return { records: recordsAt - start, kernel: syncedAt === null ? null : syncedAt - start };
}"""


# Backward steps by keyboard, timed in the page: the handler plus the style and layout it forces.
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


def notebook_for(expression: str) -> nbformat.NotebookNode:
    book = nbformat.v4.new_notebook()
    book.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    code = (
        "from livegrad import GraphWidget, Value\nfrom livegrad.nn import MLP\n"
        "x2, x3 = [Value(0.5), Value(-1.2)], [Value(2.0), Value(3.0), Value(-1.0)]  # shared inputs\n"
        f"out = {expression}\nGraphWidget(out)"
    )
    book.cells = [nbformat.v4.new_code_cell(code)]
    return book


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=60, help="slider moves per graph")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        notebooks = Path(work) / "bench"
        notebooks.mkdir()
        for i, expression in enumerate(GRAPHS.values()):
            nbformat.write(notebook_for(expression), notebooks / f"graph{i}.ipynb")
        with running_jupyter(Path(work) / "jupyter", notebooks) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for i, name in enumerate(GRAPHS):
                open_and_run(page, server.open_url(f"graph{i}.ipynb"))
                root = widget(page)
                drawn = root.locator("g.node").count()
                render, layout = page.evaluate(
                    "() => ['livegrad render', 'livegrad layout'].map("
                    "(name) => performance.getEntriesByName(name).map((e) => e.duration).pop())"
                )
                low = float(root.locator("input[type=range]").first.get_attribute("min"))
                high = float(root.locator("input[type=range]").first.get_attribute("max"))
                moves = [
                    page.evaluate(MOVE, {"value": low + (high - low) * ((k * 7) % 100) / 100})
                    for k in range(args.moves)
                ]
                records = [m["records"] for m in moves]
                kernel = [m["kernel"] for m in moves if m["kernel"] is not None]
                print(f"\n{name}: {drawn:,} drawn nodes, {len(moves)} slider moves")
                print(f"  first render: {render:7.1f} ms, of which Graphviz layout {layout:.1f} ms   target <= 1000 ms")
                print(
                    f"  slider -> records in the DOM:  median {statistics.median(records):6.1f} ms, "
                    f"p95 {percentile(records, 0.95):6.1f} ms   target median <= 16, p95 <= 33"
                )
                print(
                    f"  slider -> kernel's answer back: median {statistics.median(kernel):6.1f} ms, "
                    f"p95 {percentile(kernel, 0.95):6.1f} ms   ({len(kernel)} of {len(moves)} answered)"
                )
                steps = page.evaluate(STEPS, {"count": args.moves})
                print(
                    f"  one backward step (keyboard):   median {statistics.median(steps):6.1f} ms, "
                    f"p95 {percentile(steps, 0.95):6.1f} ms   target <= 16 ms"
                )
            browser.close()


if __name__ == "__main__":
    main()
