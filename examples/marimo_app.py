"""livegrad in marimo: the seed neuron's live graph, and a cell that reads the Values it moves.

Run it as an app:   marimo run examples/marimo_app.py
or edit it:         marimo edit examples/marimo_app.py
"""

import marimo

app = marimo.App(width="full")


@app.cell
def _():
    import marimo as mo

    from livegrad import GraphWidget, Value

    return GraphWidget, Value, mo


@app.cell
def _(GraphWidget, Value, mo):
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"

    widget = GraphWidget(o)
    # marimo re-runs the cells that read `values` whenever the graph's values change in Python
    # (a slider moved: the kernel has set the leaf, re-run forward and backward).
    values, set_values = mo.state(widget.values)
    widget.observe(lambda change: set_values(change["new"]), names="values")
    graph = mo.ui.anywidget(widget)
    graph  # noqa: B018 (a cell shows its last expression)
    return o, values, w1, x1


@app.cell
def _(mo, o, values, w1, x1):
    values()  # read, so that this cell follows the graph
    mo.md(
        f"Python holds x1 = {x1.data:.4f}, o = {o.data:.4f}, do/dx1 = {x1.grad:.4f}, do/dw1 = {w1.grad:.4f}"
        " (this cell reads your Value objects, and runs again whenever the graph changes)."
    )
    return


if __name__ == "__main__":
    app.run()
