"""Navigation on big graphs, timed inside a saved page (`GraphWidget.save_html`) in headless Chromium.

    python benchmarks/navigation.py [--runs 3]

Two graphs: MLP(2, [16, 16, 1]) on one input (979 values) and micrograd's demo loss over 100
two-moons points (65,818 values). For each, the median over runs (each in a fresh page) of:
- search: Enter in the Find field to the match revealed, laid out again and centred (the relayout
  is the fold's; the search itself is one pass over the values);
- a click's paths to the output, and an Alt-click's dependencies: the sets and their marks (half a
  second after the search: within one frame of it, the click also pays the new drawing's first style);
- one backward and one forward step (the click's own work; ten steps, their median and their worst).
Only the page's main-thread work is timed (performance.now around the synchronous handlers), against
the 100 ms no-long-task target of issue 11. No kernel: the saved page replays the graph itself.
It asserts nothing: machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from server import CHROMIUM, FLAGS

from livegrad import GraphWidget, Value
from livegrad.datasets import svm_loss, two_moons
from livegrad.nn import MLP

TIMED = """async ([query]) => {
  const frame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  const named = (b, name) => b.textContent === name || b.getAttribute("aria-label") === name;
  const button = (name) => [...document.querySelectorAll("button")].find((b) => named(b, name));
  const input = document.querySelector("input[type=search]");
  input.value = query;
  let t = performance.now();
  input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  await Promise.resolve();
  await Promise.resolve();
  const search = performance.now() - t;
  await frame();
  await new Promise((done) => setTimeout(done, 500)); // the new layout settled, as before a person's click
  const card = [...document.querySelectorAll("g.lg-value")].find((g) => g.dataset.label === query);
  t = performance.now();
  card.dispatchEvent(new MouseEvent("click", { bubbles: true }));
  const paths = performance.now() - t;
  t = performance.now();
  card.dispatchEvent(new MouseEvent("click", { bubbles: true, altKey: true }));
  const dependencies = performance.now() - t;
  const steps = {};
  for (const pass of ["backward", "forward"]) {
    button(`Step ${pass} pass`).click();
    await frame();
    steps[pass] = [];
    for (let i = 0; i < 10; i++) {
      t = performance.now();
      button("Next step").click();
      steps[pass].push(performance.now() - t);
      await frame();
    }
  }
  return { search, paths, dependencies, backward: steps.backward, forward: steps.forward };
}"""


def graphs(folder: Path) -> dict[str, Path]:
    single = MLP(2, [16, 16, 1], "relu", linear_output=True, seed=1)
    out = single([Value(0.5, label="x0"), Value(-1.0, label="x1")])
    model = MLP(2, [16, 16, 1], "relu", linear_output=True, seed=1337)
    loss = svm_loss(model, *two_moons(100))
    return {
        "MLP(2, [16, 16, 1]), one input (979 values)": GraphWidget(out).save_html(folder / "mlp.html"),
        "demo loss (65,818 values)": GraphWidget(loss).save_html(folder / "demo.html"),
    }


def report(name: str, results: list[dict]) -> None:
    """The medians over runs, and each pass's steps pooled: their median and their worst."""
    print(f"\n{name}, {len(results)} runs (ms; target: no task over 100)")
    for key, what in (
        ("search", "search L1.N3.b, revealed and centred"),
        ("paths", "click: paths to the output"),
        ("dependencies", "Alt-click: what it depends on"),
    ):
        print(f"  {what:40s}{statistics.median(r[key] for r in results):8.1f}")
    for key in ("backward", "forward"):
        times = sorted(t for r in results for t in r[key])
        print(f"  {key + ' step: median, worst':40s}{statistics.median(times):8.1f}{times[-1]:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for name, page_path in graphs(Path(folder)).items():
            results = []
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(page_path.as_uri())
                page.locator(".livegrad[data-ready]").wait_for(timeout=120_000)
                results.append(page.evaluate(TIMED, ["L1.N3.b"]))
                page.close()
            report(name, results)
        browser.close()


if __name__ == "__main__":
    main()
