"""Live training: micrograd's demo steps per second with the widget following (`w.refresh()` each
step) and without, in a real Jupyter kernel (the comm messages are really serialised and sent),
and what one refresh() costs when it sends and when it is coalesced.

The training code is examples/05_live_training.ipynb's own cells; rounds alternate between the two
ways, and each way's best round is reported, since this shared machine's speed drifts.

    python benchmarks/live_training.py [--rounds 5] [--steps 5]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import nbformat
from nbclient import NotebookClient

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "05_live_training.ipynb"

MEASURE = """
import json
sent = []
w.observe(lambda change: sent.append(1), names="values")
rounds = {"with": [], "without": []}
for _ in range(ROUNDS):
    for way in ("with", "without"):
        rounds[way].append(train(STEPS, widget=w if way == "with" else None))
refreshes = ROUNDS * STEPS
messages = len(sent)
import statistics, time
def refresh_cost(pause):
    costs = []
    for _ in range(40):
        time.sleep(pause)
        began = time.perf_counter()
        w.refresh()
        costs.append(time.perf_counter() - began)
    return statistics.median(costs)
sending = refresh_cost(0.04)  # past the 1/30 s interval: every refresh snapshots and sends
coalesced = refresh_cost(0)  # back to back: forward and backward of the drawn graph only
result = {"rounds": rounds, "refreshes": refreshes, "messages": messages, "sending": sending, "coalesced": coalesced}
print("RESULT " + json.dumps(result))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    example = nbformat.read(EXAMPLE, as_version=4)
    setup = [c for c in example.cells if c.cell_type == "code"][:3]  # data and model, loss and train, the widget
    measure = MEASURE.replace("ROUNDS", str(args.rounds)).replace("STEPS", str(args.steps))
    notebook = nbformat.v4.new_notebook(cells=[*setup, nbformat.v4.new_code_cell(measure)])
    NotebookClient(notebook, timeout=3600, kernel_name="python3").execute()
    text = "".join(o.get("text", "") for o in notebook.cells[-1].outputs if o.output_type == "stream")
    result = json.loads(text.split("RESULT ", 1)[1])
    best = {way: max(rates) for way, rates in result["rounds"].items()}
    print(f"micrograd's demo, {args.steps} steps a round, {args.rounds} rounds alternating, best round of each:")
    print(f"  with the widget following (refresh() each step): {best['with']:.2f} steps/s")
    print(f"  without the widget:                                {best['without']:.2f} steps/s")
    print(f"  ratio: {best['with'] / best['without']:.3f}")
    print(f"  rounds: with {[round(r, 2) for r in result['rounds']['with']]}")
    print(f"          without {[round(r, 2) for r in result['rounds']['without']]}")
    print(f"  {result['refreshes']} refreshes sent {result['messages']} value updates to the page")
    step = 1 / best["without"]
    for way in ("sending", "coalesced"):
        cost = result[way]
        print(f"  one refresh(), {way}: median {cost * 1e3:.2f} ms = {cost / step:.1%} of a step without the widget")


if __name__ == "__main__":
    main()
