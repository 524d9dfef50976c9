"""PyTorch's autograd graphs behind livegrad's `Engine` interface (`livegrad.adapters`).

Imported only when livegrad is handed a tensor, so PyTorch stays optional.

- The graph is read from ``grad_fn``: ``next_functions`` for the inputs, ``AccumulateGrad.variable``
  for the leaves. A constant a node keeps for its backward (``x * 2.0``) is a leaf of its own.
- Each node's data is re-computed by replaying the graph with torch's own ops (`torchops.REPLAYS`, one
  per backward node type: ``TanhBackward0`` replays ``torch.tanh``), starting from the leaves (sharing
  their storage; a slider gives a leaf a new tensor); a tensor the user holds (``n``, ``o``) is its own
  node's object.
  An op livegrad cannot replay keeps the data the user's tensor holds (nan if none) and is said to
  be unknown: the leaves below it get no slider, as for a learner's engine.
- Every node's gradient, interior ones included, comes from torch's own backward run over the
  replayed graph, read by hooks on the graph's nodes (``register_hook``, which also see what each node
  passes to each input: a tensor step's flows), with
  ``torch.autograd.grad`` (so no ``.grad`` of the user's is written while livegrad only looks,
  and no ``.grad`` of a non-leaf tensor is ever read: that warns).
- The nodes are ordered as torch's engine ran them: the interior ones in the reverse of the order
  the hooks fired, so stepping backward follows torch's own schedule.
- A slider sets a leaf: the replay runs from the new number and torch's backward again; then the
  user's leaf tensor is set in place (under ``no_grad``), its ``.grad`` set to torch's gradient,
  and the tensors the user holds for interior nodes updated in place, so Python holds what the
  page shows. (Their old graph's saved tensors are then stale: call their forward again to
  backward through it.)

Freeing a deep ``grad_fn`` graph whose nodes Python has touched crashes CPython (about 25,000
steps deep on these machines): the walk goes level by level and refuses graphs deeper than
`MAX_DEPTH` before touching more (`GraphTooDeep`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from types import FrameType

import torch

from . import recording
from .adapters import EdgeCheck, GraphTooLarge
from .jsonsafe import json_number
from .nn import Call
from .ops import ADD, SUB, Op, difference, power_of
from .recording import call_returning
from .scope import user_frame
from .torchops import REPLAYS, SAVED_OPERANDS, _alpha, _op_name

MAX_DEPTH = 10_000  # grad_fn levels walked at most (freeing a walked graph ~50,000 nodes deep crashed)
SMALL = 64  # tensors of at most this many elements send their every number (hover)
VANISHING = 1e-7  # a gradient whose norm is below this (and not 0) is marked vanishing: every element is


class GraphTooDeep(ValueError):
    """A grad_fn graph deeper than `MAX_DEPTH` levels: walking it on would risk crashing Python."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"this PyTorch graph is more than {limit:,} ops deep: livegrad does not walk it (freeing a "
            "grad_fn graph that deep after Python has walked it crashes the interpreter). Show a shorter "
            "part of it, such as the loss of a few steps."
        )
        self.limit = limit


class TorchNode:
    """One value of a torch graph: a leaf tensor (or a constant an op kept), or the output of one
    backward node (``fn``). ``value`` is livegrad's replayed tensor, ``gradient`` torch's gradient of
    the root in it; ``data`` and ``grad`` read them as numbers (a tensor's mean and gradient norm)."""

    __slots__ = (
        "_fn",
        "_gradient",
        "_measured",
        "_value",
        "backward_name",
        "complete",
        "edges",
        "flows",
        "fn",
        "held",
        "inputs",
        "label",
        "nr",
        "op",
        "replay",
        "synced",
        "tensor",
    )

    def __init__(self, fn: object | None, tensor: torch.Tensor | None, inputs: tuple[TorchNode, ...]) -> None:
        self.fn = fn  # the user's backward node (None for a leaf)
        self.nr = 0  # which output of `fn` this value is (a split has several)
        self.tensor = tensor  # the user's tensor: a leaf, or an interior one they hold (found by its grad_fn)
        self.held = tensor  # (kept apart from `tensor`: a constant's tensor is livegrad's, not the user's)
        self.inputs = inputs
        kind = type(fn).__name__ if fn is not None else ""
        self.backward_name = kind  # PyTorch's name for its backward: TanhBackward0
        self.label = ""  # a module's parameter: its path (``0.weight``); else named from the caller's variables
        known = REPLAYS.get(kind)
        self.replay = known.replay if known is not None else None
        self.op = _op_name(kind) if inputs else ""
        self._fn = _livegrad_op(kind, fn, inputs) if inputs else None
        self.edges: tuple[int, ...] = ()  # per input: its place among fn's next_functions
        self.flows: tuple[tuple[float, float] | None, ...] = ()  # per input: what backward sent it, its grad after
        self.complete = True  # False: an operand torch did not keep (x + 1.0): the op cannot be replayed
        self.value = torch.tensor(math.nan)
        self.synced = -1  # the leaf tensor's version `value` was copied at
        self.gradient = None
        if tensor is not None:
            self.hold(tensor)

    def hold(self, tensor: torch.Tensor) -> None:
        """`tensor` is the user's own for this node: a leaf's value shares its storage (a slider gives
        the leaf a new tensor; a block's weights are not copied), an interior node's value is its data
        until replayed."""
        self.tensor = self.held = tensor
        self.sync()

    def sync(self) -> None:
        """A leaf's value copied again from the user's tensor if they changed it since (an optimizer step)."""
        held = self.held
        if held is None or held._version == self.synced:
            return
        if not self.inputs:
            self.value = held.detach().requires_grad_(held.requires_grad)
        elif self.replay is None or not self.complete:
            self.value = held.detach()
        self.synced = held._version

    @property
    def value(self) -> torch.Tensor:
        return self._value

    @value.setter
    def value(self, tensor: torch.Tensor) -> None:
        self._value, self._measured = tensor, None

    @property
    def gradient(self) -> torch.Tensor | None:
        return self._gradient

    @gradient.setter
    def gradient(self, tensor: torch.Tensor | None) -> None:
        self._gradient, self._measured = tensor, None

    def measures(self) -> tuple[float, float, float]:
        """The data's mean and norm and the gradient's norm (nan where there is none), one pass each
        per tensor, shared by the record, the summary and the mark: a block's weights are millions of
        numbers. (A float32 mean: torch 2.13's ``sum()`` took 7 ms for 100k float32 numbers on 2 busy
        cores, ``mean()`` 0.015 ms.)"""
        if self._measured is None:
            x = self.value.detach()
            x = x if x.is_floating_point() else x.double()
            g = self.gradient
            self._measured = (
                float(x.mean()) if x.numel() else math.nan,
                float(torch.linalg.vector_norm(x)),
                math.nan if g is None else float(torch.linalg.vector_norm(g.detach())),
            )
        return self._measured

    @property
    def data(self) -> float:
        """Its only number; else its mean."""
        return float(self.value.detach().reshape(()).item()) if self.value.numel() == 1 else self.measures()[0]

    @data.setter
    def data(self, x: float) -> None:
        """A new number for this leaf, held by livegrad until the next backward pass sets the user's."""
        self.value = torch.full_like(self.value, x).requires_grad_(self.value.requires_grad)

    @property
    def grad(self) -> float:
        """nan where torch's backward over the replay could not reach the node (an op livegrad cannot
        replay lies between it and the root)."""
        if self.gradient is None:
            return math.nan
        return float(self.gradient.detach().reshape(()).item()) if self.value.numel() == 1 else self.measures()[2]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.shape)

    def is_leaf(self) -> bool:
        return not self.inputs

    def __repr__(self) -> str:
        return f"TorchNode({self.backward_name or 'leaf'}, shape {list(self.shape)})"


def _livegrad_op(kind: str, fn: object, inputs: tuple[TorchNode, ...]) -> Op | None:
    """livegrad's op with this node's formula, if one fits exactly (names read ``x1·w1``, ``n**2``)."""
    if kind == "PowBackward0":
        exponent = getattr(fn, "_saved_exponent", None)
        return power_of(float(exponent)) if isinstance(exponent, (int, float)) else None
    known = REPLAYS.get(kind)
    op = known.op if known is not None else None
    if op is None or op.arity != len(inputs) or (op in (ADD, SUB) and _alpha(fn) != 1):
        return None
    return op


Kept = dict[object, tuple[Callable[..., object], tuple, dict, torch.Tensor]]  # grad_fn -> (func, args, kwargs, out)


def walk(root: torch.Tensor, limit: int | None, kept: Kept | None = None) -> list[TorchNode]:
    """Views of every value `root` depends on, inputs first, level by level from the root (never
    deeper than `MAX_DEPTH`: `GraphTooDeep`; past `limit` values: `GraphTooLarge`)."""
    if root.grad_fn is None:
        if not root.requires_grad:
            raise TypeError(
                "root is a tensor that does not require grad, so it has no graph: set requires_grad=True on the "
                "leaves (x1.requires_grad = True) before computing it"
            )
        return [TorchNode(None, root, ())]
    below: dict[object, list[tuple[object, int, int]]] = {}  # each backward node's inputs: (node, its output, place)
    level, depth = [root.grad_fn], 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise GraphTooDeep(MAX_DEPTH)
        deeper = []
        for fn in level:
            if fn in below:
                continue
            edges = [(g, nr, k) for k, (g, nr) in enumerate(fn.next_functions)]
            below[fn] = edges
            if limit is not None and len(below) > limit:
                raise GraphTooLarge(len(below), limit)
            deeper += [g for g, _, _ in edges if g is not None and g not in below]
        level = deeper
    # Inputs first: a post-order walk over what was found (no new grad_fn objects are touched).
    # One value per output of a backward node (a split's q, k and v are three), by (node, output).
    views: dict[tuple[object, int], TorchNode] = {}
    stack: list[tuple[object, int, bool]] = [(root.grad_fn, root.output_nr, False)]
    while stack:
        fn, nr, ready = stack.pop()
        if (fn, nr) in views:
            continue
        if not ready:
            stack.append((fn, nr, True))
            stack += [(g, k, False) for g, k, _ in reversed(below[fn]) if g is not None and (g, k) not in views]
            continue
        views[(fn, nr)] = _view(fn, nr, below[fn], views, kept or {})
    return _unique(views.values())


def _view(
    fn: object, nr: int, edges: list[tuple[object, int, int]], views: dict[tuple[object, int], TorchNode], kept: Kept
) -> TorchNode:
    """The view of one backward node's output `nr`: a leaf for AccumulateGrad, else that output of `fn`."""
    variable = getattr(fn, "variable", None)
    if type(fn).__name__ == "AccumulateGrad" and isinstance(variable, torch.Tensor):
        return TorchNode(None, variable, ())
    inputs, places = [], []
    missing = [place for g, _, place in edges if g is None]
    recorded = _recorded_constants(kept.get(fn), len(missing))
    for g, k, place in edges:
        if g is not None:
            inputs.append(views[(g, k)])
            places.append(place)
            continue
        if recorded:  # the user's own tensor (a batch, a target): a leaf named after their variable
            inputs.append(TorchNode(None, recorded.pop(0), ()))
            places.append(place)
            continue
        constant = _constant(fn, place)
        if constant is not None:
            leaf = TorchNode(None, None, ())
            leaf.value = constant
            inputs.append(leaf)
            places.append(place)
    node = TorchNode(fn, None, tuple(inputs))
    node.nr = nr
    node.edges = tuple(places)
    node.complete = len(inputs) == len(edges)
    return node


def _constant(fn: object, place: int) -> torch.Tensor | None:
    """The constant operand at `place` of an op, while torch still keeps it (before backward)."""
    kept = SAVED_OPERANDS.get(type(fn).__name__, ())
    attr = kept[place] if place < len(kept) else None
    if attr is None:
        return None
    try:
        operand = getattr(fn, attr)
    except (AttributeError, RuntimeError):  # freed by a backward pass
        return None
    return operand.detach().clone() if isinstance(operand, torch.Tensor) else None


def _recorded_constants(found: tuple | None, missing: int) -> list[torch.Tensor]:
    """The tensors not requiring grad that a recorded call received (``F.linear(x, w, b)``'s batch
    ``x``), in order, when there are as many as the operands torch's backward node lacks; else []."""
    if found is None or not missing:
        return []
    _, args, kwargs, _ = found
    tensors = [x for x in (*args, *kwargs.values()) if isinstance(x, torch.Tensor) and not x.requires_grad]
    return tensors if len(tensors) == missing else []


def _unique(views: Iterable[TorchNode]) -> list[TorchNode]:
    """The views in order, each constant (met through its consumer only) just before its first
    consumer; a tensor of the user's used as a constant by several ops is one leaf."""
    views = list(views)
    walked = set(map(id, views))
    shared: dict[int, TorchNode] = {}  # id of a user's constant tensor -> its one leaf
    order: list[TorchNode] = []
    placed: set[int] = set()
    for node in views:
        if node.inputs:
            node.inputs = tuple(
                shared.setdefault(id(x.held), x) if id(x) not in walked and x.held is not None else x
                for x in node.inputs
            )
            for x in node.inputs:
                if id(x) not in walked and id(x) not in placed:
                    order.append(x)
                    placed.add(id(x))
        order.append(node)
    return order


def _held(frame: FrameType | None, nodes: dict[tuple[object, int], TorchNode]) -> None:
    """The user's own tensors for interior nodes, found by their grad_fn among the caller's variables
    (and the items of their lists, tuples and dicts, one level down)."""
    if frame is None:
        return
    scopes = [frame.f_globals] if frame.f_locals is frame.f_globals else [frame.f_locals, frame.f_globals]
    for scope in scopes:
        for name, value in list(scope.items()):
            if not isinstance(name, str) or name[:1] == "_":
                continue
            items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
            for x in (value, *items):
                if isinstance(x, torch.Tensor) and not x.is_leaf:
                    node = nodes.get((x.grad_fn, x.output_nr))
                    if node is not None and node.tensor is None:
                        node.hold(x)


class Torch:
    """PyTorch's autograd behind livegrad's `Engine` interface."""

    learner = True  # gradients are torch's: the page must not replay livegrad's ops

    def order(self, root: object, limit: int | None) -> list[TorchNode]:
        assert isinstance(root, torch.Tensor)
        kept: Kept = {}
        parameters: dict[int, tuple[torch.Tensor, str]] = {}
        for past in recording._recordings:
            kept.update(getattr(past, "torch_ops", {}))
            parameters.update(getattr(past, "torch_parameters", {}))
        order = walk(root, limit, kept)
        for node in order:
            named = parameters.get(id(node.held)) if not node.inputs else None
            if named is not None and named[0] is node.held:
                node.label = named[1]
        by_fn = {(node.fn, node.nr): node for node in order if node.fn is not None}
        if order[-1].fn is not None:
            order[-1].hold(root)
        _held(user_frame(), by_fn)
        _recorded_ops(order, by_fn, kept)
        ran = self._passes(order)
        leaves = [node for node in order if not node.inputs]
        if len(leaves) + len(ran) != len(order):  # some node torch's backward never reached: as walked
            return order
        return leaves + list(reversed(ran))

    def _passes(self, order: list[TorchNode]) -> list[TorchNode]:
        """Replay the graph with torch from the leaves' values, then torch's backward over it with a
        hook on each node; returns the interior nodes in the order torch's engine ran them."""
        self.forward(order)
        return _backward(order)

    def inputs(self, order: list[TorchNode], index: dict[TorchNode, int]) -> list[list[int]]:
        return [[index[x] for x in node.inputs] for node in order]

    def user_object(self, node: TorchNode) -> object:
        return node.tensor if node.tensor is not None else node

    def known(self, node: TorchNode) -> bool:
        return not node.inputs or (node.replay is not None and node.complete)

    def save(self, order: list[TorchNode]) -> Callable[[], None]:
        """livegrad's values and gradients by reference (a replay makes new tensors, never changes
        them), and what a backward pass writes of the user's: leaves' data and .grad, held tensors."""
        kept = [(node.value, node.gradient) for node in order]
        users = [
            (node.held, node.held.detach().clone(), node.held.grad if node.held.is_leaf else None)
            for node in order
            if node.held is not None
        ]

        def restore() -> None:
            for node, (value, gradient) in zip(order, kept):
                node.value, node.gradient = value, gradient
            with torch.no_grad():
                for tensor, data, grad in users:
                    if not torch.equal(tensor, data):
                        tensor.copy_(data)
                    if tensor.is_leaf:
                        tensor.grad = grad
            for node in order:
                if node.held is not None:
                    node.synced = node.held._version

        return restore

    def forward(self, order: list[TorchNode]) -> None:
        with torch.enable_grad():
            for node in order:
                node.sync()
                _evaluate(node)

    def backward(self, order: list[TorchNode]) -> None:
        """torch's backward over the replayed graph; then the user's tensors hold what the page shows."""
        _backward(order)
        with torch.no_grad():
            for node in order:
                held = node.held
                if held is None:
                    continue
                if not torch.equal(held, node.value):
                    held.copy_(node.value)
                if held.is_leaf and held.requires_grad:
                    held.grad = None if node.gradient is None else node.gradient.detach().clone()
                node.synced = held._version

    def call_of(self, node: TorchNode) -> Call | None:
        """The outermost recorded call (a `torch.nn` module's or a function's, under `livegrad.record`)
        that returned the user's tensor for `node`."""
        held = node.held
        return None if held is None else call_returning(held)

    def slidable(self, node: TorchNode) -> bool:
        return node.value.numel() == 1

    def columns(self, order: list[TorchNode]) -> dict[str, list[object]]:
        """Each tensor's shape (None for a single number) and PyTorch's name for each node's backward."""
        return {
            "shape": [None if node.value.numel() == 1 else list(node.shape) for node in order],
            "backward": [node.backward_name for node in order],
        }

    def summaries(self, order: list[TorchNode]) -> dict[str, object]:
        """Per node, a mark where its gradient is zero, vanishing, inf or nan (else ''); per tensor of
        more than one number, its data and gradient summed up (every number of a small one)."""
        return {
            "marks": [_mark(node) if node.value.requires_grad else "" for node in order],
            "tensors": [None if node.value.numel() == 1 else _summary(node) for node in order],
            "flows": [_flows(node) for node in order],
        }

    def local_derivatives(self, node: TorchNode) -> tuple[float | None, ...]:
        """d node / d input per input, from torch's backward node of the replay run on a gradient of 1
        (nan for tensors of more than one element, whose local derivatives are matrices)."""
        if not node.inputs:
            return ()
        fn = node.value.grad_fn
        if (
            fn is None
            or len(fn._input_metadata) != 1
            or node.value.numel() != 1
            or any(x.value.numel() != 1 for x in node.inputs)
        ):
            return tuple(math.nan for _ in node.inputs)
        with torch.no_grad():
            try:
                out = fn(torch.ones_like(node.value))
            except RuntimeError:
                return tuple(math.nan for _ in node.inputs)
        out = out if isinstance(out, tuple) else (out,)
        locals_: list[float | None] = []
        for x, place in zip(node.inputs, node.edges):
            got = out[place] if place < len(out) and x.value.requires_grad else None  # a constant gets none
            locals_.append(None if got is None else float(got.reshape(()).item()))
        return tuple(locals_)

    def edge_checks(
        self, order: list[TorchNode], names: Callable[[TorchNode], str], eps: float, rtol: float, atol: float
    ) -> Iterable[tuple[TorchNode, EdgeCheck]]:
        """Each scalar edge's local derivative (torch's backward node) beside a central difference of
        the op replayed with torch in float64."""
        for node in order:
            if not node.inputs or node.replay is None or not node.complete or node.value.numel() != 1:
                continue
            if any(x.value.numel() != 1 for x in node.inputs):
                continue
            args = [float(x.value.reshape(()).item()) for x in node.inputs]
            for index, (source, local) in enumerate(zip(node.inputs, self.local_derivatives(node))):
                numeric = _op_difference(node, args, index, eps)
                got = 0.0 if local is None else local
                ok = not math.isfinite(numeric) or math.isnan(got) or abs(got - numeric) <= atol + rtol * abs(numeric)
                yield node, EdgeCheck(index, source, local, numeric, ok)


def _evaluate(node: TorchNode) -> None:
    """Replay one node with torch from its inputs' values (a leaf, or an op livegrad cannot replay,
    keeps its value)."""
    if node.replay is None or not node.inputs or not node.complete:
        return
    args = [x.value for x in node.inputs]
    try:
        value = node.replay(node.fn, args)
        if isinstance(value, (tuple, list)):  # an op of several outputs (split): this node's
            value = value[node.nr]
    except (RuntimeError, TypeError, ValueError, IndexError):  # an input livegrad could not compute
        node.complete = False  # from now on an op livegrad cannot replay: its data stays as found
        return
    node.value = value


def _op_difference(node: TorchNode, args: list[float], index: int, eps: float) -> float:
    """The central difference of `node`'s op in input `index`, replayed in float64."""
    assert node.replay is not None
    h = eps * max(1.0, abs(args[index]))

    def at(shift: float) -> float:
        xs = [torch.tensor(a + (shift if k == index else 0.0), dtype=torch.float64) for k, a in enumerate(args)]
        with torch.no_grad():
            return float(node.replay(node.fn, xs).item())  # type: ignore[misc]

    return difference(at(0.0), at(h), at(-h), h)


def _backward(order: list[TorchNode]) -> list[TorchNode]:
    """torch's backward from the root over the replayed graph: every node's gradient read by a hook on
    its backward node (leaves' from `torch.autograd.grad`); the interior nodes as torch ran them."""
    root = order[-1]
    for node in order:
        node.gradient = None
    if not root.value.requires_grad:
        root.gradient = torch.ones_like(root.value)
        return [node for node in order if node.inputs]
    ran: list[TorchNode] = []
    handles = []
    sums: dict[TorchNode, torch.Tensor] = {}  # each input's gradient so far, summed as torch's engine does

    def hook(nodes: list[TorchNode]) -> Callable[[tuple, tuple], None]:
        def record(grad_inputs: tuple[torch.Tensor | None, ...], grad_outputs: tuple[torch.Tensor | None, ...]) -> None:
            for node in nodes:
                node.gradient = grad_outputs[node.value.output_nr]
                ran.append(node)
            node = nodes[0]  # values sharing a backward node pass their shares once (the replay makes one per value)
            node.flows = tuple(_flow(x, grad_inputs, place, sums) for x, place in zip(node.inputs, node.edges))

        return record

    by_fn: dict[object, list[TorchNode]] = {}
    for node in order:
        node.flows = ()
        fn = node.value.grad_fn if node.inputs else None
        if fn is not None and node.value.requires_grad:
            by_fn.setdefault(fn, []).append(node)
    handles = [fn.register_hook(hook(nodes)) for fn, nodes in by_fn.items()]  # type: ignore[attr-defined]
    leaves = [node for node in order if not node.inputs and node.value.requires_grad]
    try:
        grads = torch.autograd.grad(
            root.value,
            [node.value for node in leaves] or [root.value],
            torch.ones_like(root.value),
            retain_graph=True,  # the local derivatives are read from the same backward nodes afterwards
            allow_unused=True,
        )
    finally:
        for handle in handles:
            handle.remove()
    for node, grad in zip(leaves, grads):
        node.gradient = grad  # None: the pass never reached it (behind an op livegrad cannot replay)
    for node in order:
        if node.gradient is None and not node.inputs and not node.value.requires_grad:
            node.gradient = torch.zeros_like(node.value)  # a constant: torch gives it no gradient
    root.gradient = torch.ones_like(root.value) if root.inputs else root.gradient
    return ran


def _flow(
    x: TorchNode, grad_inputs: tuple[torch.Tensor | None, ...], place: int, sums: dict[TorchNode, torch.Tensor]
) -> tuple[float, float] | None:
    """What one step of torch's backward passes to input `x` (its vector-Jacobian product), and `x`'s
    gradient after it, each as one number (`TorchNode.grad`'s: the number of a one-number tensor, else
    the norm); None where no gradient reaches `x` there."""
    sent = grad_inputs[place] if place < len(grad_inputs) else None
    if sent is None:
        return None
    sent = sent.detach()
    total = sums[x] = sent if x not in sums else sums[x] + sent
    if sent.numel() == 1:
        return float(sent.reshape(()).item()), float(total.reshape(()).item())
    return float(torch.linalg.vector_norm(sent)), float(torch.linalg.vector_norm(total))


TORCH = Torch()


def _mark(node: TorchNode) -> str:
    """What is wrong with a gradient, if anything: where gradients die is what small models are debugged
    for. Read from its norm alone (nan if any element is, inf if any is; 0 only if all are)."""
    if node.gradient is None or node.gradient.numel() == 0:
        return ""
    norm = node.measures()[2]
    if math.isnan(norm):
        return "nan"
    return "inf" if math.isinf(norm) else "zero" if norm == 0 else "vanishing" if norm < VANISHING else ""


def _flows(node: TorchNode) -> list[list[float | str] | None] | None:
    """A tensor step's flows for the page, JSON-safe; None where its local derivatives tell the step
    (every number of it and its inputs one number) or it computes nothing."""
    if not node.inputs or (node.value.numel() == 1 and all(x.value.numel() == 1 for x in node.inputs)):
        return None
    flows = node.flows or (None,) * len(node.inputs)  # not run by torch's backward: nothing reached it
    return [None if flow is None else [json_number(flow[0]), json_number(flow[1])] for flow in flows]


def _summary(node: TorchNode) -> dict[str, object]:
    """A tensor's data (mean, std) and gradient (norm), JSON-safe; every number, with min and max,
    when it has at most `SMALL`."""
    n = node.value.numel()
    if not n:
        return {"mean": None, "std": None, "grad_norm": None}
    mean, norm, grad_norm = node.measures()
    square = norm**2 / n
    summary: dict[str, object] = {
        "mean": json_number(mean),
        "std": json_number(math.sqrt(max(square - mean * mean, 0.0) * n / max(n - 1, 1))),
        "grad_norm": json_number(grad_norm),
    }
    if n <= SMALL:
        x = node.value.detach()
        values = (x if x.is_floating_point() else x.double()).flatten().tolist()
        g = node.gradient.detach().flatten().tolist() if node.gradient is not None else [math.nan] * n
        summary.update(min=json_number(min(values)), max=json_number(max(values)))
        summary["data"] = [json_number(v) for v in values]
        summary["grad"] = [json_number(v) for v in g]
    return summary


def _recorded_ops(order: list[TorchNode], by_fn: dict[tuple[object, int], TorchNode], kept: Kept) -> None:
    """Nodes made under `livegrad.record()`: the tensor torch made is the node's (its data exactly),
    and an op the table cannot replay (or whose constant torch did not keep) is replayed by calling
    the recorded function again with the graph's new values in place of the old ones."""
    if not kept:
        return
    leaves = {id(node.held): node for node in order if not node.inputs and node.held is not None}

    def now(x: object) -> object:
        if isinstance(x, torch.Tensor):
            node = by_fn.get((x.grad_fn, x.output_nr)) if x.grad_fn is not None else leaves.get(id(x))
            return x if node is None else node.value
        if isinstance(x, (list, tuple)):
            return type(x)(map(now, x))
        return x

    for (fn, nr), node in by_fn.items():
        found = kept.get(fn)
        if found is None or nr != found[3].output_nr:
            continue
        func, args, kwargs, out = found
        if node.tensor is None:
            node.hold(out)
        if node.replay is None or not node.complete:
            if node.replay is None:
                node.op = getattr(func, "__name__", node.op).strip("_") or node.op
            node.replay = lambda _fn, _args, func=func, args=args, kwargs=kwargs: func(
                *now(args), **{k: now(v) for k, v in kwargs.items()}
            )
            node.complete = True
