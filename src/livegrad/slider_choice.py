"""Which leaves get sliders, and over what range: a part of `GraphWidget`.

By default every named leaf (its label, or the caller's variable holding it), the graph's inputs
first, then the parameters inside module calls; a leaf whose change livegrad cannot follow to the
root (it feeds an op livegrad cannot re-run) gets none. A leaf is named by its label, its variable
(the full path or the page's shorter form) or the object itself.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from .engine import Value
from .graph import json_number

if TYPE_CHECKING:
    from .graph import Graph, Node

Range = tuple[float, float] | tuple[float, float, float]


def default_range(value: float) -> tuple[float, float, float]:
    """Centred on `value`, wide enough to cross zero and to double it; a thousand steps."""
    half = max(2.0, 2.0 * abs(value)) if math.isfinite(value) else 2.0
    centre = value if math.isfinite(value) else 0.0
    return centre - half, centre + half, 2 * half / 1000


class SliderChoice:
    """`GraphWidget`'s leaves by name, and its sliders' choice and ranges."""

    _graph: Graph
    _index: dict[Node, int]
    _by_label: dict[str, Node]
    _build: object
    _input_ids: dict[int, str]

    def _settable(self, node_id: int) -> bool:
        """Whether the page may set this id: an input of from_function, or any leaf the graph can be
        re-evaluated from (the page can add a slider to any leaf's card)."""
        if self._build is not None:
            return node_id in self._input_ids
        order, graph = self._graph.order, self._graph
        return (
            0 <= node_id < len(order)
            and order[node_id].is_leaf()
            and order[node_id] not in graph.blocked
            and graph.engine.slidable(order[node_id])
        )

    def _leaf(self, key: str | object, argument: str) -> Node:
        if not isinstance(key, str):
            node = self._graph.node_of(key)
            if node is None:
                if isinstance(key, Value) or self._graph.learner:
                    raise ValueError(f"{argument}: {key!r:.60} is not in this graph")
                raise TypeError(f"{argument}: a leaf is named by its label (str) or Value, got {type(key).__name__}")
            if not node.is_leaf():
                raise ValueError(f"{argument}: {key!r:.60} is computed by {node.op!r}, not a leaf")
            return node
        if key not in self._by_label:
            known = ", ".join(sorted(self._by_label)[:20]) or "none"
            raise ValueError(f"{argument}: no leaf labelled {key!r} in this graph (leaves: {known})")
        return self._by_label[key]

    def _pick_sliders(self, sliders: Iterable[str | Value] | None) -> list[Node]:
        blocked = self._graph.blocked
        if sliders is None:
            return [v for v in self._default_sliders() if v not in blocked and self._graph.engine.slidable(v)]
        if isinstance(sliders, (str, Value)) or not isinstance(sliders, Iterable):
            raise TypeError(f"sliders must be a list of labels or Values, got {type(sliders).__name__}")
        chosen = list(dict.fromkeys(self._leaf(key, "sliders") for key in sliders))
        for leaf in chosen:
            if leaf in blocked:
                raise ValueError(
                    f"sliders: {self._name(leaf)} feeds an op livegrad does not know, so the graph cannot be "
                    "re-evaluated from it; GraphWidget.from_function(build, ...) rebuilds it instead"
                )
        return chosen

    def _resolve_ranges(self, ranges: Mapping[str | Value, Range] | None, chosen: list[Value]) -> dict:
        if ranges is None:
            return {}
        if not isinstance(ranges, Mapping):
            raise TypeError(f"ranges must map a label or Value to (min, max[, step]), got {type(ranges).__name__}")
        resolved = {}
        for key, spec in ranges.items():
            leaf = self._leaf(key, "ranges")
            if leaf not in chosen:
                raise ValueError(f"ranges: {name_of(key)} has no slider")
            resolved[leaf] = checked_range(spec, name_of(key))
        return resolved

    def _default_sliders(self) -> list[Node]:
        """The graph's inputs first (named leaves outside every module call, those held in containers,
        such as microgpt's state_dict, after the others; then the inputs of the first outermost call),
        then the labelled leaves inside module calls (parameters), call by call."""
        groups, index, graph = self._graph.groups, self._index, self._graph
        labelled = [(index[v], v) for v in dict.fromkeys(self._by_label.values())]
        first = next((call for call in groups.calls if call["parent"] is None), None)
        call_inputs = [self._graph.order[i] for i in first["inputs"] if not self._graph.inputs[i]] if first else []
        inside = sorted((groups.of[i], i, v) for i, v in labelled if groups.of[i] >= 0)
        outside = [v for i, v in labelled if groups.of[i] < 0]
        outside.sort(key=lambda v: graph.order[index[v]].label == "" and "[" in graph.labels[index[v]])
        return list(dict.fromkeys([*outside, *call_inputs, *(v for _, _, v in inside)]))

    def _name(self, node: Node) -> str:
        return self._graph.names[self._index[node]]

    def _slider_spec(self, leaf: Node, spec: tuple[float, float, float] | None) -> dict[str, object]:
        low, high, step = spec or default_range(leaf.data)
        i = self._index[leaf]
        group = self._graph.groups.of[i]
        label = leaf.label or self._name(leaf)  # unlabelled: its name on the page (``wte[26][0]``, ``MLP input 0``)
        # "initial": where the page's Reset puts the leaf back, its value when the widget was made.
        return {
            "id": i,
            "label": label,
            "min": low,
            "max": high,
            "step": step,
            "initial": json_number(leaf.data),
            "group": self._graph.groups.calls[group]["name"] if group >= 0 else None,
        }


def name_of(key: str | object) -> str:
    """How an error message names a leaf the user gave (a label, or a Value's label or repr)."""
    return repr(key) if isinstance(key, str) else repr(getattr(key, "label", "") or key)


def finite_number(x: object, what: str) -> float:
    if not isinstance(x, numbers.Real) or isinstance(x, bool) or not math.isfinite(x):
        raise TypeError(f"{what} must be a finite real number, got {x!r:.50}")
    return float(x)


def checked_range(spec: object, name: str) -> tuple[float, float, float]:
    if not isinstance(spec, (tuple, list)) or len(spec) not in (2, 3):
        raise TypeError(f"ranges[{name}] must be (min, max) or (min, max, step), got {spec!r:.50}")
    low = finite_number(spec[0], f"ranges[{name}] min")
    high = finite_number(spec[1], f"ranges[{name}] max")
    if not low < high:
        raise ValueError(f"ranges[{name}]: min must be below max, got {low} and {high}")
    step = finite_number(spec[2], f"ranges[{name}] step") if len(spec) == 3 else (high - low) / 1000
    if step <= 0:
        raise ValueError(f"ranges[{name}]: step must be positive, got {step}")
    return low, high, step
