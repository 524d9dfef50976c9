"""`GraphWidget`: the live computation graph of a Value in a notebook (an anywidget).

The topology is sent once; on every change only the values travel. A slider message
sets the user's own leaf Values, re-evaluates the graph in place, runs a fresh
backward pass and pushes the new values, so what is on screen is what Python holds.
The root may be a learner's own micrograd-style node (`livegrad.foreign`): the sliders
then set their objects and the backward pass is theirs.
"""

from __future__ import annotations

import asyncio
import json
import math
import numbers
import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import anywidget
import traitlets

from .engine import Value
from .export import standalone_html
from .folds import FoldsByName
from .graph import MAX_VALUES, RANKDIRS, Graph, GraphTooLarge, Node, collector_paused, json_number
from .order import MAX_NAIVE_CALLS, naive_calls, topo_steps
from .recorder import record
from .scope import display_path
from .slider_choice import Range, SliderChoice, default_range, finite_number, name_of
from .trace import check_graph

if TYPE_CHECKING:
    from .trace import LeafCheck, LocalCheck

STATIC = Path(__file__).parent / "static"
REFRESH_INTERVAL = 1 / 30  # seconds: refresh() sends at most this often, about a display's frame rate
Input = float | tuple[float, float, float]  # from_function: a first number, or (first, min, max)


class History:
    """The root's value at each `refresh()`, kept small: past `MAX_POINTS`, every other point is dropped
    and from then on only every other refresh is kept, so a long run keeps its whole shape in few points."""

    MAX_POINTS = 500

    def __init__(self) -> None:
        self.points: list[float] = []
        self._calls = 0
        self._stride = 1

    def __len__(self) -> int:
        return self._calls

    def append(self, x: float) -> None:
        if self._calls % self._stride == 0:
            self.points.append(x)
            if len(self.points) > self.MAX_POINTS:
                self.points, self._stride = self.points[::2], self._stride * 2
        self._calls += 1


class MessageError(ValueError):
    """A message from the frontend that the widget refuses."""


class GraphWidget(SliderChoice, FoldsByName, anywidget.AnyWidget):
    """Draws the graph of `root`: a record per value (label | data | grad), a node per op.

    ``sliders`` picks the leaves that get a slider (names or Values; default: every named
    leaf, named by its label or by the caller's variable holding it); ``ranges`` maps a leaf
    (name or Value) to ``(min, max[, step])``. `root` may be a node of a learner's own engine.
    A leaf that feeds an op livegrad does not know gets no slider. The calls of `livegrad.nn`
    modules, and of your functions under `livegrad.record()`, are groups the page folds: `expand`, `collapse` and `pick`
    drive them from Python. A graph of more than `MAX_VALUES` values is refused with what to do instead.
    """

    _esm = STATIC / "widget.js"
    _css = STATIC / "widget.css"

    topology = traitlets.Dict().tag(sync=True, to_json=lambda topology, _: _json_buffer(topology))
    values = traitlets.Dict().tag(sync=True)
    sliders = traitlets.List().tag(sync=True)
    rankdir = traitlets.Enum(RANKDIRS, "LR").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    # "topo" steps the lecture's build_topo (livegrad.topo_trace) rather than a pass.
    mode = traitlets.Enum(("backward", "forward", "topo"), "backward").tag(sync=True)
    step = traitlets.Int(-1).tag(sync=True)  # steps of `mode` shown; -1: not stepping, all shown
    # The backward pass stepped in micrograd #64's naive order (livegrad.naive_backward_trace), to see it go wrong.
    naive = traitlets.Bool(False).tag(sync=True)
    presenting = traitlets.Bool(False).tag(sync=True)  # presenter mode: full screen, large type (present())
    check_gradients = traitlets.Bool(False).tag(sync=True)
    # While check_gradients is on: per slider leaf, autograd beside a finite difference ("leaves"), and
    # per edge of each computed value, the op's local derivative beside a central difference ("locals").
    # "summary": the verdict in a line. A check with "judged": false could not be judged, and says "why".
    gradient_check = traitlets.Dict({"leaves": [], "locals": [], "summary": ""}).tag(sync=True)
    # The folded view: the groups (module names, "L1.N3") and Σ chains ("#<id of the chain's top>") shown
    # open; None until the page has chosen its default view and written it back. Page and Python both write.
    expanded = traitlets.List(traitlets.Unicode(), default_value=None, allow_none=True).tag(sync=True)
    # Per stack (a module called several times in a row, "MLP × 100"): the call on show (default 0).
    picks = traitlets.Dict(key_trait=traitlets.Unicode(), value_trait=traitlets.Int()).tag(sync=True)

    def __init__(
        self,
        root: object,
        sliders: Iterable[str | Value] | None = None,
        ranges: Mapping[str | Value, Range] | None = None,
        rankdir: str = "LR",
        **kwargs: object,
    ) -> None:
        if rankdir not in RANKDIRS:
            raise ValueError(f"rankdir must be one of {RANKDIRS}, got {rankdir!r}")
        self._build: Callable[..., object] | None = None  # from_function: rebuilds the graph on every change
        self._history = History()  # the root's value at each refresh(): a training loop's curve
        self._inputs: dict[str, float] = {}
        self._input_ids: dict[int, str] = {}
        with collector_paused():  # the snapshot, its JSON and the first values: no collection half-way
            topology = self._take(root)
            chosen = self._pick_sliders(sliders)
            slider_ranges = self._resolve_ranges(ranges, chosen)
            self._slider_ids = {self._index[v] for v in chosen}
            super().__init__(
                topology=topology,
                sliders=[self._slider_spec(v, slider_ranges.get(v)) for v in chosen],
                rankdir=rankdir,
                **kwargs,
            )
            self.on_msg(self._on_frontend_message)
            self._send_values()  # as found: looking changes nothing of the user's (a slider re-runs the passes)

    @classmethod
    def from_function(cls, build: Callable[..., object], /, **inputs: Input) -> GraphWidget:
        """A graph rebuilt from numbers: a slider per keyword of ``build``, which returns a root in any engine.

        ``inputs`` maps each keyword to its first number, or to ``(first, min, max)``. Every slider
        move calls ``build`` again with the new numbers (so code with loops and branches works); a
        graph of a different shape is laid out again. ``w.set(x=1.0)`` moves an input from Python.
        """
        if not callable(build):
            raise TypeError(f"build must be a function of the inputs returning a root, got {type(build).__name__}")
        if not inputs:
            raise TypeError("from_function needs at least one input, e.g. GraphWidget.from_function(build, x=1.0)")
        specs = {name: _input_spec(name, spec) for name, spec in inputs.items()}
        first = {name: spec[0] for name, spec in specs.items()}
        widget = cls(_call_build(build, first), sliders=())
        widget._graph.forward()  # the graph is the one build just made, not one of the user's: its passes run
        widget._graph.backward()
        widget._locals = True  # the page cannot replay a rebuilt graph: it steps with the kernel's locals
        widget._build, widget._inputs = build, first
        widget._input_ids = {-1 - k: name for k, name in enumerate(specs)}  # below 0: never a node's id
        widget._slider_ids = set(widget._input_ids)
        widget.topology = {**widget.topology, "replay": False}
        widget._send_values()
        widget.sliders = [
            {
                "id": -1 - k,
                "label": name,
                "min": low,
                "max": high,
                "step": (high - low) / 1000,
                "initial": value,  # where the page's Reset puts it back
                "value": value,  # where it is now (no node holds it)
                "group": None,
            }
            for k, (name, (value, low, high)) in enumerate(specs.items())
        ]
        return widget

    def _take(self, root: object, named: bool = True) -> dict[str, object]:
        """Show `root`'s graph from now on; returns its topology (or, past MAX_VALUES values, why not).
        `named`: its values are named after the caller's variables (not for a graph `build` rebuilt).

        A graph that large is refused as soon as the sort passes the limit: the kernel neither
        sorts nor sends it, and the page shows what to do instead.
        """
        try:
            graph = Graph.of(root, MAX_VALUES, named)
        except GraphTooLarge as refused:
            graph, too_large = Graph([]), _too_large(refused)
        else:
            too_large = None
        self._graph = graph
        self._index = graph.index()
        self._by_label = {}  # each named leaf by its label or variable (full path and the page's shorter form)
        for v, inputs, label in zip(graph.order, graph.inputs, graph.labels):
            if not inputs and label:
                self._by_label.setdefault(label, v)
                self._by_label.setdefault(display_path(label), v)
        self._step_count = sum(1 for inputs in graph.inputs if inputs)
        self._topo_count = topo_steps(graph)
        self._naive_count = naive_calls(graph)
        self._locals = not graph.replayable  # the page replays the ops itself when it can
        self._too_large = too_large
        topology = graph.topology()
        if too_large is not None:
            topology["too_large"] = too_large
        return topology

    @property
    def root(self) -> object:
        """The root as you hold it: a Value, or your own engine's node."""
        return self._graph.root_object

    # refresh()'s coalescing: when it last sent, whether a newer state waits, whether a send is scheduled
    _refresh_sent_at = -math.inf
    _refresh_stale = False
    _refresh_scheduled = False

    def refresh(self, *, ack: str | int | None = None) -> None:
        """Re-run forward and a fresh backward from the leaves' current data, and redraw the values.

        Call it after changing Values yourself, for example after each training step: the page keeps a
        small curve of the root's value, one point per call (`history`). Python's Values are updated at
        once; the page is sent at most ~30 updates a second, and the last state always follows (from the
        kernel's event loop, once the running cell lets it run). A widget made by `from_function` calls
        its function again instead, lays the graph out again if its shape changed, and sends at once.
        (`ack` names a page's message these values answer: sent at once, and no point of the curve.)
        """
        self._passes(ack, record=ack is None)

    def _passes(self, ack: str | int | None = None, record: bool = False) -> None:
        """Forward and backward, then the values sent (`ack` names the page's message they answer: sent at
        once); with `record`, the root's new value joins the curve first."""
        with self.hold_sync():  # one message: a new shape arrives with its sliders and values
            if self._build is not None:
                topology = {**self._take(_call_build(self._build, self._inputs), named=False), "replay": False}
                self._locals = True
                self.sliders = [{**spec, "value": self._inputs[spec["label"]]} for spec in self.sliders]
                if _shape(topology) != _shape(self.topology):  # names alone may change: a constant's is its number
                    self.topology = topology
            self._graph.forward()
            self._graph.backward()
            if record and self._graph.order:
                self._history.append(self._graph.root.data)
            self._refresh_stale = True
            waited = time.monotonic() - self._refresh_sent_at
            coalesce = ack is None and self._build is None and waited < REFRESH_INTERVAL
            if coalesce and self._send_later(REFRESH_INTERVAL - waited):
                return
            self._send_values(ack)

    def _send_later(self, delay: float) -> bool:
        """Send the newest values after `delay` on the running event loop; False if there is none
        (a plain script), since nothing would then send the last state."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        if not self._refresh_scheduled:
            self._refresh_scheduled = True
            loop.call_later(delay, self._send_trailing)
        return True

    def _values(self, binary: bool | None = None) -> dict[str, object]:
        """The graph's numbers as Python holds them; ``grads_computed`` is False while the root's grad is 0
        (no backward has run, or the grads were zeroed), so the page can say so rather than show zeros."""
        graph = self._graph
        computed = bool(graph.order) and graph.root.grad != 0
        values = {**graph.values(local=self._locals, binary=binary), "grads_computed": computed}
        if len(self._history) > 1:  # a training loop calls refresh(): the root's value per call, for a curve
            values["history"] = {"steps": len(self._history), "root": [json_number(x) for x in self._history.points]}
        return values

    def _send_trailing(self) -> None:
        self._refresh_scheduled = False
        if self._refresh_stale and self._graph.order:  # not for a widget closed meanwhile
            self._send_values()

    def _send_values(self, ack: str | int | None = None) -> None:
        self.values = {**self._values(), "ack": ack}
        self._refresh_stale = False
        self._refresh_sent_at = time.monotonic()
        self._check_gradients()

    @traitlets.validate("step")
    def _valid_step(self, proposal: dict) -> int:
        """Clamped to -1 (not stepping) ... the number of steps of the mode on show, whoever sets it."""
        return max(-1, min(proposal["value"], self._steps_of_mode()))

    def _steps_of_mode(self) -> int:
        """A pass: one step per computed value (the naive order: one per path); the sort: topo_trace's steps."""
        if self.mode == "topo":
            return self._topo_count
        if self.naive and self.mode == "backward" and self._naive_count <= MAX_NAIVE_CALLS:
            return self._naive_count
        return self._step_count

    @traitlets.observe("mode", "naive")
    def _clamp_step(self, _change: dict) -> None:
        self.step = min(self.step, self._steps_of_mode())

    def present(self) -> None:
        """Presenter mode: the widget fills the screen with large type for a lecture hall; Escape leaves.

        From Python the browser refuses full screen (it needs a click), so the widget fills the
        window; the page's **Present** button asks for the screen itself.
        """
        self.presenting = True

    @traitlets.observe("check_gradients")
    def _on_check_gradients(self, _change: dict) -> None:
        self._check_gradients()

    def _check_gradients(self) -> None:
        if not self.check_gradients:
            self.gradient_check = {"leaves": [], "locals": [], "summary": ""}
            return
        ids = {self._graph.order[i]: i for i in self._slider_ids if i >= 0}
        for i, name in self._input_ids.items():  # from_function: an input checked through the leaf of its name
            if name in self._by_label:
                ids[self._by_label[name]] = i
        try:
            report = check_graph(self._graph, leaves=list(ids))
        except Exception as failed:  # user code runs here too; the widget stays usable
            self.error = f"Check gradients: your {self._culprit()} raised {type(failed).__name__}: {failed}"
            self.gradient_check = {"leaves": [], "locals": [], "summary": ""}
            return
        index = self._index
        self.gradient_check = {
            "leaves": [{"id": ids[c.leaf], **_compared(c)} for c in report.checks],
            "locals": [
                {"node": index[c.node], "index": c.index, "input": index[c.input], **_compared(c)}
                | ({"note": c.headline, "finding": c.note} if c.headline else {})  # a learner's backward: what is wrong
                for c in report.local_checks
            ],
            "summary": report.summary,
        }

    def set(self, leaves: Mapping[str | Value, float] | None = None, /, **by_label: float) -> None:
        """Set leaves (by Value or label) as a slider would: ``w.set(x1=1.0)``."""
        updates = {**(leaves or {}), **by_label}
        for key, number in updates.items():
            number = finite_number(number, f"the value for {name_of(key)}")
            if self._build is None:
                self._leaf(key, "set").data = number
            elif key in self._inputs:
                self._inputs[key] = number  # type: ignore[index]
            else:
                known = ", ".join(self._inputs)
                raise ValueError(f"set: {name_of(key)} is not an input of this widget (inputs: {known})")
        self._passes()
        if self._refresh_stale:  # a deliberate move, like a slider's: shown at once, never held back
            self._send_values()

    def set_state(self, sync_data: dict) -> None:
        """A trait update from the page (`step`, `mode`, ...); a malformed one is refused, not raised.
        What fails after the update was taken (an observer running user code) is not the page's fault."""
        try:
            super().set_state(sync_data)
        except traitlets.TraitError as refused:
            self.error = f"Refused a message from the page: {refused}"
        except Exception as failed:
            changed = ", ".join(map(str, sync_data))
            self.error = f"Could not apply {changed}: {type(failed).__name__}: {failed}"

    def close(self) -> None:
        """Close every view and let go of the graph, so the Values can be freed."""
        super().close()
        self._graph, self._build = Graph([]), None
        self._index, self._by_label, self._slider_ids, self._step_count = {}, {}, set(), 0
        self._topo_count = self._naive_count = 0

    def _on_frontend_message(self, _widget: object, content: object, _buffers: object) -> None:
        """Apply a slider message; refuse a malformed one with a message shown in the widget."""
        ack = content.get("ack") if isinstance(content, dict) else None
        ack = ack if isinstance(ack, (str, int)) else None
        if isinstance(content, dict) and content.get("type") == "backward":  # the page's "Run backward"
            self._run_passes(ack)
            return
        try:
            for target, number in self._parse_set_message(content):
                if isinstance(target, str):
                    self._inputs[target] = number
                else:
                    target.data = number
        except MessageError as refused:
            self.error = f"Refused a message from the page: {refused}"
            self.values = {**self.values, "ack": ack}  # answered all the same, so the page's queue moves on
        else:
            self._run_passes(ack)

    def _run_passes(self, ack: str | int | None) -> None:
        """Forward and backward at the user's request (a slider, Run backward), answering the page's message."""
        self.error = ""
        try:
            self._passes(ack)
        except Exception as failed:  # user code (a build function, a learner's backward, an Op) raised
            self.error = f"Your {self._culprit()} raised {type(failed).__name__}: {failed}"
            self.values = {**self.values, "ack": ack}

    def _culprit(self) -> str:
        """Whose code runs when this widget recomputes, for the message when it raises."""
        if self._build is not None:
            return "build function"
        return "engine's backward pass" if self._graph.learner else "op"

    def _parse_set_message(self, content: object) -> list[tuple[Node | str, float]]:
        """The leaves (or from_function's inputs, by name) to set, and their numbers."""
        if not isinstance(content, dict) or content.get("type") != "set":
            raise MessageError(f"expected {{'type': 'set', 'values': [[id, number], ...]}}, got {content!r:.200}")
        pairs = content.get("values")
        if not isinstance(pairs, list) or not pairs:
            raise MessageError(f"'values' must be a non-empty list of [id, number] pairs, got {pairs!r:.200}")
        parsed = []
        for pair in pairs:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise MessageError(f"each entry of 'values' must be [id, number], got {pair!r:.200}")
            node_id, number = pair
            if type(node_id) is not int or not self._settable(node_id):  # any leaf can get a slider on the page
                raise MessageError(f"{node_id!r:.50} is not the id of a leaf with a slider")
            if not isinstance(number, numbers.Real) or isinstance(number, bool) or not math.isfinite(number):
                raise MessageError(f"the value for node {node_id} must be a finite number, got {number!r:.50}")
            parsed.append((self._input_ids.get(node_id) or self._graph.order[node_id], float(number)))
        return parsed

    # --- Sharing: a page that needs no kernel, and a text fallback (issue 13) ---

    def save_html(self, path: str | os.PathLike[str]) -> Path:
        """Write the widget as it is now to one self-contained HTML file, and return its path.

        Opened from disk with no kernel and no network, sliders, stepping and **Check gradients**
        keep working: the page replays the graph's ops itself. Sliders of leaves that feed an op
        of your own (`livegrad.Op`) are disabled there, since the page cannot replay it.
        """
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"save_html: path must be a str or path-like, got {type(path).__name__}")
        if self._too_large is not None:
            raise ValueError(f"save_html: {self._too_large['message']}")
        if not self._graph.order:
            raise ValueError("save_html: this widget is closed; make a new GraphWidget of the graph")
        target = Path(path)
        base = set(anywidget.AnyWidget.class_trait_names(sync=True))
        state = {n: getattr(self, n) for n in self.trait_names(sync=True) if n not in base and not n.startswith("_")}
        state["values"] = {**self._values(binary=False), "ack": None}  # JSON: no buffers
        target.write_text(standalone_html(state, f"livegrad: {self._summary_name()}"), encoding="utf-8")
        return target

    def __repr__(self) -> str:
        """What a notebook shows where the live widget cannot be drawn (an export without widget state)."""
        if getattr(self, "_too_large", None) is not None:
            return f"GraphWidget: {self._too_large['message']}"
        if not getattr(self, "_graph", None) or not self._graph.order:
            return "GraphWidget (closed)"
        root = self._graph.root  # a Value, or the view of a learner's node (its data may be .value)
        grad = f"grad {root.grad:.4f}" if root.grad != 0 else "grads not computed"
        return f"GraphWidget({self._summary_name()}: data {root.data:.4f}, {grad}, {len(self._graph.order):,} values)"

    def _summary_name(self) -> str:
        return self._graph.names[-1]  # the root's name, as the page shows it


def _json_buffer(topology: dict) -> memoryview:
    """The topology as one UTF-8 JSON buffer, parsed once by the page. Sent as a dict, ipywidgets would
    walk its every node looking for buffers, and Jupyter would encode it again: a second on a big graph.
    (Fresh lists and dicts: no cycle to check for.)"""
    text = json.dumps(topology, ensure_ascii=False, check_circular=False, allow_nan=False, separators=(",", ":"))
    return memoryview(text.encode())


def _too_large(refused: GraphTooLarge) -> dict[str, object]:
    """What the page shows instead of a graph past MAX_VALUES values, and what to do about it."""
    return {
        "values": refused.counted,  # all of them (a learner's graph: counted until past the limit)
        "limit": refused.limit,
        "message": (
            f"This graph has more than {refused.limit:,} values: too many to send to the page. Show a part of "
            "it instead: the loss of one sample or of a small batch (GraphWidget(loss_of_one_sample)), "
            "or draw_dot(...) of such a part."
        ),
    }


def _compared(check: LeafCheck | LocalCheck) -> dict[str, object]:
    """Autograd beside the numeric value, JSON-safe; a local derivative of None (no gradient passes:
    a dead relu) is compared, and sent, as 0. One that could not be judged says why."""
    autograd = 0.0 if check.autograd is None else check.autograd
    compared = {"autograd": json_number(autograd), "numeric": json_number(check.numeric), "ok": check.ok}
    return compared if check.judged else {**compared, "judged": False, "why": check.why}


def _input_spec(name: str, spec: object) -> tuple[float, float, float]:
    """An input of from_function as (first, min, max): a number gets a range around it."""
    if isinstance(spec, (tuple, list)):
        if len(spec) != 3:
            raise TypeError(f"input {name!r} must be a number or (first, min, max), got {spec!r:.50}")
        roles = ("first", "min", "max")
        first, low, high = (finite_number(x, f"input {name!r} {role}") for x, role in zip(spec, roles))
        if not low <= first <= high or low == high:
            raise ValueError(f"input {name!r}: need min <= first <= max and min < max, got {first}, {low}, {high}")
        return first, low, high
    first = finite_number(spec, f"input {name!r}")
    low, high, _ = default_range(first)
    return first, low, high


def _shape(topology: Mapping[str, object]) -> tuple[object, ...]:
    """What a layout depends on: each node's op, inputs, exponent and label (not its display name)."""
    columns: Mapping[str, object] = topology["columns"]  # type: ignore[assignment]
    fields = (columns["op"], columns["inputs"], topology["exponents"], columns["label"])
    return topology.get("too_large"), *fields


def _call_build(build: Callable[..., object], inputs: dict[str, float]) -> object:
    with record(getattr(build, "__globals__", None)):  # the graph folds by the functions that built it
        root = build(**inputs)
    if root is None:
        raise TypeError("build returned None: it must return the root of the graph (a Value, or your engine's node)")
    return root
