"""Two graphs of the same maths side by side: the seeds' cross-check of micrograd against PyTorch.

``livegrad.compare(o_micrograd, o_torch)`` matches the leaves of two roots by name (their labels, or
the caller's variables: ``x1``, ``w1``, ...), runs each engine's own backward pass (on a copy of the
state: nothing of the user's changes) and says, leaf by leaf, whether the gradients agree (✓) or not
(✗, with both numbers). Either side may be a livegrad Value, a learner's own engine or a PyTorch tensor.
In a notebook the result shows both graphs live, side by side, above the table.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from .graph import Graph


@dataclass(frozen=True)
class Match:
    """One name on either side: each side's value of it (None: not on that side) and the verdict."""

    name: str
    left: float | None
    right: float | None
    ok: bool

    @property
    def mark(self) -> str:
        return "✓" if self.ok else "✗"


class Comparison:
    """The leaves of two graphs matched by name, with each engine's gradient; the roots' values too."""

    def __init__(self, left: object, right: object, rtol: float = 1e-6, atol: float = 1e-9) -> None:
        self._roots = (left, right)
        self.graphs = (Graph.of(left), Graph.of(right))
        self.rtol, self.atol = rtol, atol
        grads = [_leaf_grads(graph) for graph in self.graphs]
        names = list(dict.fromkeys([*grads[0], *grads[1]]))
        self.leaves = tuple(
            Match(n, grads[0].get(n), grads[1].get(n), self._same(grads[0].get(n), grads[1].get(n))) for n in names
        )
        roots = [graph.root.data for graph in self.graphs]
        self.root = Match("root data", roots[0], roots[1], self._same(*roots))
        self._sides: list[object] | None = None
        try:  # made now, while the caller's variables can name the values (not from IPython's display)
            from .widget import GraphWidget
        except ImportError:  # no notebook stack: the table alone
            return
        self._sides = [GraphWidget(root) for root in self._roots]

    def _same(self, a: float | None, b: float | None) -> bool:
        if a is None or b is None:
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= self.atol + self.rtol * abs(b)

    @property
    def ok(self) -> bool:
        return self.root.ok and all(m.ok for m in self.leaves)

    def __str__(self) -> str:
        kinds = [_kind(graph) for graph in self.graphs]
        rows = [f"{'':<2}{'leaf':<12} {kinds[0]:>14} {kinds[1]:>14}"]
        for m in (*self.leaves, self.root):
            rows.append(f"{m.mark:<2}{m.name:<12.12} {_shown(m.left):>14} {_shown(m.right):>14}")
        bad = sum(not m.ok for m in self.leaves)
        rows.append("all gradients agree" if not bad else f"{bad} gradient(s) differ")
        return "\n".join(rows)

    def widget(self) -> object:
        """Both graphs live, side by side, above the table (text, never markup). Each shows its engine's
        backward pass, run as the seeds run it before comparing (so the roots' grads are set)."""
        import ipywidgets

        if self._sides is None:
            raise ImportError("the side-by-side view needs anywidget and ipywidgets (pip install livegrad[lab])")
        columns = []
        for side, graph in zip(self._sides, self.graphs):
            side.refresh()  # type: ignore[attr-defined]
            title = ipywidgets.Label(_kind(graph), style={"font_weight": "bold"})  # which engine: text, never markup
            # Two columns where they fit, one above the other in a narrow output (no side cut at its edge)
            columns.append(ipywidgets.VBox([title, side], layout=ipywidgets.Layout(flex="1 1 420px", min_width="0")))
        text = html.escape(str(self))  # text, never markup; a narrow output scrolls it rather than wrap it
        style = "white-space: pre; overflow-x: auto"
        table = ipywidgets.HTML(f"<pre class='livegrad-compare' style='{style}'>{text}</pre>")
        return ipywidgets.VBox([ipywidgets.HBox(columns, layout=ipywidgets.Layout(flex_flow="row wrap")), table])

    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        return self.widget()._repr_mimebundle_(**kwargs)  # type: ignore[attr-defined]


def compare(left: object, right: object, rtol: float = 1e-6, atol: float = 1e-9) -> Comparison:
    """micrograd's (or livegrad's, or your engine's) graph beside PyTorch's, or any two: their leaves
    matched by name, each gradient from its own engine's backward, ✓ where they agree, ✗ where not."""
    return Comparison(left, right, rtol, atol)


def _leaf_grads(graph: Graph) -> dict[str, float]:
    """Each named leaf's gradient from a fresh backward pass of its own engine (the state restored)."""
    with graph.preserved():
        graph.forward()
        graph.backward()
        return {
            name: leaf.grad
            for leaf, name, inputs in zip(graph.order, graph.names, graph.inputs)
            if not inputs and name and graph.engine.slidable(leaf)
        }


def _kind(graph: Graph) -> str:
    name = type(graph.engine).__name__
    return {"Own": "livegrad", "Learner": "your engine", "Torch": "PyTorch"}.get(name, name)


def _shown(x: float | None) -> str:
    return "—" if x is None else f"{x:.10g}"
