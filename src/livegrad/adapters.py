"""Each kind of engine behind one interface: how livegrad walks, evaluates, differentiates and
restores a graph of that kind, so that `Graph` and everything above it never asks which it is.

- `OWN`: livegrad's `Value`s, driven by livegrad's op table and backward pass.
- `LEARNER` (`livegrad.learner`): a learner's own micrograd- or microgpt-shaped engine, seen
  through `livegrad.foreign`'s views; their backward pass, their local derivatives.
- `TORCH` (`livegrad.torchgraph`): a PyTorch tensor's autograd graph; torch's ops and backward.

A kind is picked by `graph.kind_of(root)`. An engine of a new kind implements `Engine`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from . import engine
from .ops import central_difference

if TYPE_CHECKING:
    from .nn import Call
    from .ops import Op


class Node(Protocol):
    """What livegrad reads of any kind of engine's node (a `Value`, or a view of another engine's)."""

    data: float
    grad: float
    _fn: Op | None

    @property
    def label(self) -> str: ...

    @property
    def op(self) -> str: ...

    @property
    def inputs(self) -> tuple[Node, ...]: ...

    def is_leaf(self) -> bool: ...


class GraphTooLarge(ValueError):
    """A graph with more values than a snapshot takes; `counted` were found before the walk gave up."""

    def __init__(self, counted: int, limit: int) -> None:
        super().__init__(f"this graph has more than {limit:,} values")
        self.counted, self.limit = counted, limit


@dataclass(frozen=True)
class EdgeCheck:
    """One input edge of a node: the engine's local derivative (None: no gradient passes, compared as
    0) beside a central difference of the op. ``note`` says what is wrong in the learner's terms and
    ``headline`` in a few words (a mark on the graph); both '' when ``ok`` or not judged."""

    index: int
    input: Node
    autograd: float | None
    numeric: float
    ok: bool
    note: str = ""
    headline: str = ""


class Engine(Protocol):
    """What livegrad needs from one kind of engine."""

    learner: bool  # gradients come from the engine's own backward pass: the page must not replay ops

    def order(self, root: object, limit: int | None) -> list[Node]:
        """The nodes `root` depends on, inputs first (`GraphTooLarge` past `limit`)."""

    def inputs(self, order: list[Node], index: dict[Node, int]) -> list[list[int]]:
        """Each node's inputs by id, in argument order."""

    def user_object(self, node: Node) -> object:
        """The object the user holds for `node`."""

    def known(self, node: Node) -> bool:
        """False for a computed node whose op livegrad cannot re-evaluate."""

    def save(self, order: list[Node]) -> Callable[[], None]:
        """Everything evaluating or differentiating writes; the returned call puts it back exactly."""

    def forward(self, order: list[Node]) -> None:
        """Re-evaluate the graph in place from its leaves' data."""

    def backward(self, order: list[Node]) -> None:
        """A fresh backward pass from the root (the last node)."""

    def local_derivatives(self, node: Node) -> tuple[float | None, ...]:
        """d node / d input per input (None: no gradient reaches it here)."""

    def edge_checks(
        self, order: list[Node], names: Callable[[Node], str], eps: float, rtol: float, atol: float
    ) -> Iterable[tuple[Node, EdgeCheck]]:
        """Each edge's local derivative beside a central difference of its op."""

    def slidable(self, node: Node) -> bool:
        """Whether a slider may set this leaf (not a tensor of many numbers)."""

    def columns(self, order: list[Node]) -> dict[str, list[object]]:
        """More columns of the topology, one entry per node (a tensor's ``shape``); {} for none."""

    def summaries(self, order: list[Node]) -> dict[str, object]:
        """More of the values sent on each change (a tensor's summary of data and grad); {} for none."""

    def call_of(self, node: Node) -> Call | None:
        """The outermost recorded call (a module's or, under `livegrad.record`, a function's) that
        returned `node`, if any: the page folds the graph by them."""


class Own:
    """livegrad's own `Value`s."""

    learner = False

    def order(self, root: object, limit: int | None) -> list[Node]:
        order = engine.topological_order(root)  # type: ignore[arg-type]
        if limit is not None and len(order) > limit:
            raise GraphTooLarge(len(order), limit)
        return order  # type: ignore[return-value]

    def inputs(self, order: list[Node], index: dict[Node, int]) -> list[list[int]]:
        return [
            [] if (a := v._a) is None else [index[a]] if (b := v._b) is None else [index[a], index[b]]  # type: ignore[union-attr]
            for v in order
        ]

    def user_object(self, node: Node) -> object:
        return node

    def known(self, node: Node) -> bool:
        return True

    def save(self, order: list[Node]) -> Callable[[], None]:
        kept = [(v.data, v.grad) for v in order]

        def restore() -> None:
            for v, (data, grad) in zip(order, kept):
                v.data, v.grad = data, grad

        return restore

    def forward(self, order: list[Node]) -> None:
        engine.evaluate(order)  # type: ignore[arg-type]

    def backward(self, order: list[Node]) -> None:
        engine.backpropagate(order)  # type: ignore[arg-type]

    def local_derivatives(self, node: Node) -> tuple[float | None, ...]:
        return engine.local_derivatives(node)  # type: ignore[arg-type]

    def slidable(self, node: Node) -> bool:
        return True

    def columns(self, order: list[Node]) -> dict[str, list[object]]:
        return {}

    def summaries(self, order: list[Node]) -> dict[str, object]:
        return {}

    def call_of(self, node: Node) -> Call | None:
        return getattr(node, "_call", None)  # (a slot set only on values a module call returned)

    def edge_checks(
        self, order: list[Node], names: Callable[[Node], str], eps: float, rtol: float, atol: float
    ) -> Iterable[tuple[Node, EdgeCheck]]:
        for node in order:
            args = [v.data for v in node.inputs]
            for index, (source, local) in enumerate(zip(node.inputs, engine.local_derivatives(node))):  # type: ignore[arg-type]
                numeric = central_difference(node._fn, args, [index], eps)  # type: ignore[arg-type]
                got = 0.0 if local is None else local  # (a pole or an overflow cannot be judged)
                ok = not math.isfinite(numeric) or math.isnan(got) or abs(got - numeric) <= atol + rtol * abs(numeric)
                yield node, EdgeCheck(index, source, local, numeric, ok)


OWN = Own()
