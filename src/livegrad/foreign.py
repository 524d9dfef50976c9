"""A learner's own engine: a micrograd-style graph read by duck typing and driven in place.

Learners following the tutorials write their own `Value` (or `Node`, or `Tensor`). livegrad
looks at their objects through `LearnerNode`, a thin read/write view: `data` and `grad` are
their attributes, nothing is copied into livegrad Values. What a node looks like:

- a number in ``data`` (or ``value``) and a number in ``grad``;
- its inputs in ``_prev``, ``_children``, ``_parents``, ``children`` or ``inputs`` (a set,
  tuple or list; empty for a leaf);
- its op's name in ``_op`` (a str), or else in its ``__repr__`` (``+``, ``relu``, ``** 2``)
  or, failing both, its class name; ``label`` if it has one.

Sets have no order, so a node's inputs are put in its op's argument order when that can be
read (micrograd's `_backward` closes over ``self`` and ``other``, the operands in order; a
tuple or list is already in order), else sorted by label and then data, ties keeping the
set's order (such inputs look the same on screen anyway).

Re-evaluating writes ``data`` back into their nodes with livegrad's op table (for the op names
it knows); a backward pass zeroes their grads and calls *their* ``backward()``, so the screen
shows the gradients their engine computes, bugs included.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable
from operator import itemgetter

from .adapters import EdgeCheck, GraphTooLarge
from .ops import BUILTIN_OPS, Op, central_difference, power_of

INPUT_ATTRS = ("_prev", "_children", "_parents", "children", "inputs")
DATA_ATTRS = ("data", "value")
OPERANDS = ("self", "other")  # micrograd's closures name the operands so, in argument order
_POWER = re.compile(r"\*\*\s*\(?\s*([-+]?[0-9.]+(?:e[-+]?[0-9]+)?)\s*\)?")
_SIMPLE = re.compile(r"[\w.]+")
_DONE = object()  # a marker on the walk's stack: every input of the node under it is placed

# How the checks probe a node's `_backward`: the gradient arriving from above, and a gradient
# its inputs already hold (a correct backward multiplies by the one and adds to the other).
PROBE_UPSTREAM = 2.0
PROBE_HELD = 1.0


class LearnerNode:
    """A view of one node of a learner's graph: ``data`` and ``grad`` read and write their object."""

    __slots__ = ("_data_attr", "_fn", "_result_cells", "inputs", "obj", "op")

    def __init__(
        self,
        obj: object,
        data_attr: str,
        inputs: tuple[LearnerNode, ...],
        op: str,
        fn: Op | None,
        result_cells: tuple[object, ...] = (),
    ) -> None:
        self.obj = obj
        self._data_attr = data_attr
        self.inputs = inputs
        self.op = op  # their name for it, as they wrote it ('' for a leaf)
        self._fn = fn if inputs else None  # livegrad's op; None: a leaf, or an op livegrad does not know
        # The `_backward` closure's cells that hold this node's result (micrograd's tanh keeps `t`): see `_holding`.
        self._result_cells = result_cells if self._fn is not None else ()

    @property
    def data(self) -> float:
        return float(getattr(self.obj, self._data_attr))

    @data.setter
    def data(self, x: float) -> None:
        setattr(self.obj, self._data_attr, x)

    @property
    def grad(self) -> float:
        return float(self.obj.grad)  # type: ignore[attr-defined]

    @grad.setter
    def grad(self, x: float) -> None:
        self.obj.grad = x  # type: ignore[attr-defined]

    @property
    def label(self) -> str:
        label = getattr(self.obj, "label", "")
        return label if isinstance(label, str) else ""

    @property
    def known(self) -> bool:
        """False for a computed node whose op livegrad cannot re-evaluate."""
        return self._fn is not None or not self.inputs

    def is_leaf(self) -> bool:
        return not self.inputs

    def __repr__(self) -> str:
        return f"LearnerNode({self.obj!r})"


def livegrad_op(name: str, arity: int) -> Op | None:
    """livegrad's op for a learner's op name (``ReLU``, ``** 2``, ``**-1``), or None if it has none."""
    key = name.replace(" ", "").lower()
    if arity == 1:
        power = _POWER.fullmatch(key)
        if power:
            try:
                return power_of(float(power.group(1)))
            except ValueError:
                return None
        key = "neg" if key == "-" else key
    op = BUILTIN_OPS.get(key)
    return op if op is not None and op.arity == arity else None


def topological_order(root: object, limit: int | None = None) -> list[LearnerNode]:
    """Views of every node `root` depends on, inputs before the nodes made from them.

    Iterative, so graphs of any depth work; deterministic (see the module's note on order).
    Past `limit` nodes it gives up (`GraphTooLarge`) rather than walk a huge graph to the end.
    """
    if _read(root) is None:
        raise TypeError(_not_a_node("root", root, _problems(root)))
    found: dict[int, tuple[object, str, tuple[object, ...], tuple[object, ...]]] = {}
    views: dict[int, LearnerNode] = {}
    ops: dict[tuple[str, int], Op | None] = {}  # their op names, looked up once each
    placed: list[object] = []
    stack: list[object] = [root]
    while stack:
        obj = stack.pop()
        if obj is _DONE:
            placed.append(stack.pop())
            continue
        if id(obj) in found:
            continue
        read = _read(obj)
        if read is None:
            where = f"an input of {_describe(_parent_of(obj, found))}"
            raise TypeError(_not_a_node(where, obj, _problems(obj)))
        data_attr, raw = read
        operands, others = _closure(obj)
        inputs = raw if type(raw) is tuple else _ordered_inputs(obj, raw, operands)
        found[id(obj)] = (obj, data_attr, inputs, others)
        if limit is not None and len(found) > limit:
            raise GraphTooLarge(len(found), limit)
        stack += (obj, _DONE, *reversed(inputs))  # an input met before is skipped when popped
    for obj in placed:  # (the views made together, after the walk, lie together in memory: faster to read)
        _, data_attr, inputs, others = found[id(obj)]
        if not inputs:
            views[id(obj)] = LearnerNode(obj, data_attr, (), "", None)
            continue
        op = _op_name(obj, len(inputs))
        key = (op, len(inputs))
        if key not in ops:
            ops[key] = livegrad_op(*key)
        fn = ops[key]
        held = _holding(others, getattr(obj, data_attr)) if fn is not None and others else ()
        views[id(obj)] = LearnerNode(obj, data_attr, tuple(map(views.__getitem__, map(id, inputs))), op, fn, held)
    return list(views.values())


def _holding(cells: tuple[object, ...], result: object) -> tuple[object, ...]:
    """The cells that hold a node's `result`, found while the result is theirs: a later match
    could be a coincidence (an exponent `n` equal to it)."""
    return tuple(
        cell
        for cell in cells
        if _filled(cell) and _number(cell.cell_contents) and cell.cell_contents == result  # type: ignore[attr-defined]
    )


def evaluate(order: Iterable[LearnerNode]) -> None:
    """Recompute, in place, every node whose op livegrad knows, from its inputs' data.

    A node whose op livegrad does not know keeps the data their engine gave it. A `_backward`
    that captured its node's result in a local (micrograd's tanh keeps ``t``) gets the new
    result there too, so their backward pass sees the same numbers as the records.
    """
    for node in order:  # their objects read and written directly (what `LearnerNode.data` does): once per node
        fn = node._fn
        if fn is None:
            continue
        new = fn.forward(*[float(getattr(x.obj, x._data_attr)) for x in node.inputs])
        setattr(node.obj, node._data_attr, new)
        for cell in node._result_cells:
            cell.cell_contents = new  # type: ignore[attr-defined]


def backpropagate(order: list[LearnerNode]) -> None:
    """Zero every grad of the graph, then run the learner's own backward pass from the root.

    Their ``backward()`` if the root has one; else (a tutorial that has not written it yet)
    their nodes' `_backward`s in reverse topological order, as the tutorials do by hand.
    """
    if not order:
        return
    for node in order:
        node.obj.grad = 0.0  # type: ignore[attr-defined]  # what `LearnerNode.grad`'s setter does, without the call
    root = order[-1]
    backward = getattr(root.obj, "backward", None)
    if callable(backward):
        backward()
        return
    root.grad = 1.0
    for node in reversed(order):
        step = getattr(node.obj, "_backward", None)
        if callable(step):
            step()


def local_derivatives(node: LearnerNode) -> tuple[float | None, ...]:
    """d node / d input for each input, as the learner's engine computes it.

    From their ``_local_grad(input)`` (seed 000's `Node`), or by running their `_backward` once
    with the node's grad at 1 and its inputs' grads at 0 (grads restored afterwards). An input
    used twice by one node gets half its total on each edge. An engine with neither: the op
    table's derivative (None: a masked edge; nan for an op livegrad does not know).
    """
    if not node.inputs:
        return ()
    local_grad = getattr(node.obj, "_local_grad", None)
    if callable(local_grad):
        return tuple(float(local_grad(x.obj)) for x in node.inputs)
    distinct = tuple(dict.fromkeys(node.inputs))  # `a * a`: probed once
    added = _added(node, distinct, upstream=1.0, held=0.0)
    if added is None:
        return _table_locals(node)
    if len(distinct) == len(node.inputs):
        return tuple(added)
    totals, uses = dict(zip(map(id, distinct), added)), _uses(node)
    return tuple(totals[id(x)] / uses[id(x)] for x in node.inputs)


def check_locals(
    node: LearnerNode,
    names: Callable[[LearnerNode], str],
    consumers: dict[LearnerNode, int],
    eps: float,
    rtol: float,
    atol: float,
) -> list[EdgeCheck]:
    """Check a node's backward edge by edge; [] for a leaf or an op livegrad does not know.

    Besides the derivative itself, a `_backward` is run with its node's grad at 2 and with its
    inputs' grads already at 1: a chain rule that does not multiply by ``out.grad`` (seed 001's
    ``1 - (t**2) * out.grad``) or that assigns instead of adding (``self.grad = ...``) is caught
    even where this graph happens to hide it. ``consumers`` counts the edges leaving each node.
    """
    fn = node._fn
    if fn is None:
        return []
    args = [x.data for x in node.inputs]
    totals = _probe(node, upstream=1.0, held=0.0)
    scaled = _probe(node, upstream=PROBE_UPSTREAM, held=0.0)
    added = _probe(node, upstream=1.0, held=PROBE_HELD)
    local_grad = getattr(node.obj, "_local_grad", None)
    if totals is None and callable(local_grad):
        totals = {}
        for x in node.inputs:
            totals[id(x)] = totals.get(id(x), 0.0) + float(local_grad(x.obj))

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= atol + rtol * abs(b) or (math.isnan(a) and math.isnan(b))

    def named(x: LearnerNode) -> str:  # `(x1*w1 + x2*w2).grad`, `x1.grad`
        name = names(x)
        return name if _SIMPLE.fullmatch(name) else f"({name})"

    checks = []
    for index, x in enumerate(node.inputs):
        numeric = central_difference(fn, args, [i for i, y in enumerate(node.inputs) if y is x], eps)
        if totals is None:
            continue  # neither _backward nor _local_grad: nothing of theirs to check here
        local = totals[id(x)]
        of = f"d {names(node)} / d {names(x)}"
        note = headline = ""
        if math.isfinite(numeric) and not close(local, numeric):  # a pole or an overflow cannot be judged
            note = f"{of}: its backward gives {_num(local)}, the op's derivative is {_num(numeric)}"
            headline = f"{of}: {_num(local)}, not {_num(numeric)}"
        elif scaled is not None and not close(scaled[id(x)], local):
            headline = f"{named(x)}.grad not × out.grad"
            note = (
                f"{of}: with {named(node)}.grad = {PROBE_UPSTREAM:g} its backward adds "
                f"{_num(scaled[id(x)] * PROBE_UPSTREAM)} to {named(x)}.grad, not {PROBE_UPSTREAM:g} × {_num(local)}: "
                "the local derivative must be multiplied by out.grad"
            )
        elif added is not None and not close(added[id(x)], local):
            used = consumers.get(x, 1)
            effect = (
                f"{names(x)} is used {used} times here, so its gradient is wrong"
                if used > 1
                else f"harmless here only because {names(x)} is used once"
            )
            note = f"its backward sets {named(x)}.grad instead of adding to it (+=): {effect}"
            headline = f"sets {named(x)}.grad with =, not +="
        checks.append(EdgeCheck(index, x, local, numeric, not note, note, headline))
    return checks


def consumer_counts(order: Iterable[LearnerNode]) -> dict[LearnerNode, int]:
    """How many input edges each node feeds (``a * a`` counts twice)."""
    counts: dict[LearnerNode, int] = {}
    for node in order:
        for x in node.inputs:
            counts[x] = counts.get(x, 0) + 1
    return counts


def _num(x: float) -> str:
    return "0" if abs(x) < 1e-12 else f"{x:.6g}"  # rounding noise is not news


def _probe(node: LearnerNode, upstream: float, held: float) -> dict[int, float] | None:
    """Run the node's own `_backward` with its grad at `upstream` and its inputs' grads at `held`;
    per input (by id of its view), what it added divided by `upstream`. Every grad is restored."""
    inputs = tuple(dict.fromkeys(node.inputs))
    added = _added(node, inputs, upstream, held)
    return None if added is None else dict(zip(map(id, inputs), added))


def _added(node: LearnerNode, inputs: tuple[LearnerNode, ...], upstream: float, held: float) -> list[float] | None:
    """`_probe` for these distinct inputs of the node, as a list in their order (None: no `_backward`).
    Plain loops: this runs for every node of a graph on each update, and comprehensions cost more."""
    obj = node.obj
    step = getattr(obj, "_backward", None)
    if not callable(step):
        return None
    saved = [obj.grad]  # type: ignore[attr-defined]
    for x in inputs:
        saved.append(x.obj.grad)  # type: ignore[attr-defined]
    try:
        for x in inputs:
            x.obj.grad = held  # type: ignore[attr-defined]
        obj.grad = upstream  # type: ignore[attr-defined]
        step()
        added = []
        for x in inputs:
            added.append((float(x.obj.grad) - held) / upstream)  # type: ignore[attr-defined]
        return added
    finally:
        obj.grad = saved[0]  # type: ignore[attr-defined]
        for x, grad in zip(inputs, saved[1:]):
            x.obj.grad = grad  # type: ignore[attr-defined]


def _table_locals(node: LearnerNode) -> tuple[float | None, ...]:
    """The op table's local derivatives (None: a masked edge; nan each for an op livegrad does not know)."""
    fn = node._fn
    if fn is None:
        return tuple(math.nan for _ in node.inputs)
    return fn.locals_at(tuple(x.data for x in node.inputs), node.data)


def _uses(node: LearnerNode) -> dict[int, int]:
    uses: dict[int, int] = {}
    for x in node.inputs:
        uses[id(x)] = uses.get(id(x), 0) + 1
    return uses


def _number(x: object) -> bool:
    kind = type(x)
    if kind is float or kind is int:  # the usual case, without the slower check against numbers.Real
        return True
    return isinstance(x, numbers.Real) and kind is not bool


def _read(x: object) -> tuple[str, tuple[object, ...] | set | frozenset] | None:
    """The attribute holding `x`'s number and its inputs as found, if `x` looks like a node (else None)."""
    for data_attr in DATA_ATTRS:
        if _number(getattr(x, data_attr, None)):
            break
    else:
        return None
    if not _number(getattr(x, "grad", None)):
        return None
    raw = _raw_inputs(x)
    return None if raw is None else (data_attr, raw)


def _problems(x: object) -> list[str]:
    """What `x` lacks to look like a node."""
    problems = []
    if not any(_number(getattr(x, a, None)) for a in DATA_ATTRS):
        seen = [f".{a} is {type(getattr(x, a)).__name__}" for a in DATA_ATTRS if hasattr(x, a)]
        problems.append(", ".join(seen) if seen else "no .data or .value")
    if not _number(getattr(x, "grad", None)):
        problems.append(f".grad is {type(x.grad).__name__}" if hasattr(x, "grad") else "no .grad")  # type: ignore[attr-defined]
    if _raw_inputs(x) is None:
        problems.append("no inputs attribute (" + ", ".join(f".{a}" for a in INPUT_ATTRS) + ")")
    return problems


def _raw_inputs(x: object) -> tuple[object, ...] | set | frozenset | None:
    for attr in INPUT_ATTRS:
        found = getattr(x, attr, None)
        if isinstance(found, (tuple, list)):
            return tuple(found)
        if isinstance(found, (set, frozenset)):
            return found
    return None


def _ordered_inputs(obj: object, raw: set | frozenset, operands: tuple[object, ...]) -> tuple[object, ...]:
    """A set of inputs (`raw`) in the op's argument order, as far as it can be read (`operands`: the
    cells of `obj`'s `_backward` closure named for them, see `_closure`). A tuple or list needs none."""
    held = []
    for cell in operands:  # (a plain loop: this runs once per node)
        if _filled(cell):
            held.append(cell.cell_contents)  # type: ignore[attr-defined]
    if held and {*map(id, held)} == {*map(id, raw)}:
        return tuple(held)  # argument order; `a + a` (a set of one) gets both operands
    ordered = tuple(sorted(raw, key=_sort_key))
    if len(ordered) == 1 and livegrad_op(_op_name(obj, 2), 2) is not None:
        return ordered * 2  # a set holds `a op a`'s input once
    return ordered


def _sort_key(x: object) -> tuple[str, str]:
    label = getattr(x, "label", "")
    data_attr = next((a for a in DATA_ATTRS if _number(getattr(x, a, None))), None)
    return (label if isinstance(label, str) else "", repr(getattr(x, data_attr)) if data_attr else "")


def _closure(obj: object) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The cells of the node's `_backward` closure that hold its operands (``self``, ``other``, in
    that order), and those that may hold its result (any other but ``out``); ((), ()) if it has none."""
    step = getattr(obj, "_backward", None)
    code, cells = getattr(step, "__code__", None), getattr(step, "__closure__", None)
    if code is None or not cells:
        return (), ()
    names = code.co_freevars
    layout = _LAYOUTS.get(names)
    if layout is None:
        layout = _LAYOUTS[names] = _layout(names)
    operands, others = layout
    return operands(cells), others(cells)


Picker = Callable[[tuple[object, ...]], tuple[object, ...]]
# Per tuple of a closure's free-variable names, its `_layout`. Every closure of one function has the
# same names, so this is worked out once per function of their engine, not per node.
_LAYOUTS: dict[tuple[str, ...], tuple[Picker, Picker]] = {}


def _layout(names: tuple[str, ...]) -> tuple[Picker, Picker]:
    """What picks a closure's operand cells out of its cells, and its other cells but ``out``."""
    operands = tuple(names.index(n) for n in OPERANDS if n in names)
    return _picker(operands), _picker(tuple(i for i, n in enumerate(names) if n not in (*OPERANDS, "out")))


def _picker(indices: tuple[int, ...]) -> Picker:
    """``lambda cells: tuple(cells[i] for i in indices)``, a few times faster."""
    if len(indices) > 1:
        return itemgetter(*indices)
    return (lambda cells: (cells[indices[0]],)) if indices else (lambda _: ())


def _filled(cell: object) -> bool:
    try:
        cell.cell_contents  # type: ignore[attr-defined]  # noqa: B018
    except ValueError:
        return False
    return True


def _op_name(obj: object, arity: int) -> str:
    """Their op's name: ``_op`` if it is a non-empty str, else the ``__repr__`` if it names an op
    livegrad knows (seed 000: ``relu``, ``** 2``), else the class name; '' for a leaf."""
    if arity == 0:
        return ""
    op = getattr(obj, "_op", None)
    if isinstance(op, str) and op:
        return op
    text = repr(obj)
    return text if livegrad_op(text, arity) is not None else type(obj).__name__


def _describe(x: object) -> str:
    kind = type(x)
    where = "" if kind.__module__ == "builtins" else f"{kind.__module__}."
    return f"a {where}{kind.__qualname__} ({x!r:.60})"


def _parent_of(obj: object, found: dict[int, tuple[object, str, tuple[object, ...], tuple[object, ...]]]) -> object:
    return next((parent for parent, _, inputs, _ in found.values() if any(x is obj for x in inputs)), obj)


def _not_a_node(role: str, x: object, problems: list[str]) -> str:
    return (
        f"{role} must be a livegrad Value or a node of a micrograd-style engine: a number in .data or .value, "
        f"a number in .grad, and its inputs in {', '.join('.' + a for a in INPUT_ATTRS)} (a set, tuple or list). "
        f"Got {_describe(x)}: {'; '.join(problems)}"
    )


class Learner:
    """A learner's own engine behind livegrad's `Engine` interface (`livegrad.adapters`)."""

    learner = True

    def order(self, root: object, limit: int | None) -> list[LearnerNode]:
        return topological_order(root, limit)

    def inputs(self, order: list[LearnerNode], index: dict[LearnerNode, int]) -> list[list[int]]:
        return [[index[v] for v in node.inputs] for node in order]

    def user_object(self, node: LearnerNode) -> object:
        return node.obj

    def known(self, node: LearnerNode) -> bool:
        return node.known

    def save(self, order: list[LearnerNode]) -> Callable[[], None]:
        """Their data, grads, and the `_backward` cells holding a node's result, as found."""
        found = [
            (v.obj, v._data_attr, getattr(v.obj, v._data_attr), v.obj.grad, [c.cell_contents for c in v._result_cells])  # type: ignore[attr-defined]
            for v in order
        ]

        def restore() -> None:
            for v, (obj, attr, data, grad, cells) in zip(order, found):
                setattr(obj, attr, data)
                obj.grad = grad  # type: ignore[attr-defined]
                for cell, held in zip(v._result_cells, cells):
                    cell.cell_contents = held  # type: ignore[attr-defined]

        return restore

    def forward(self, order: list[LearnerNode]) -> None:
        evaluate(order)

    def backward(self, order: list[LearnerNode]) -> None:
        backpropagate(order)

    def local_derivatives(self, node: LearnerNode) -> tuple[float | None, ...]:
        return local_derivatives(node)

    def edge_checks(
        self,
        order: list[LearnerNode],
        names: Callable[[LearnerNode], str],
        eps: float,
        rtol: float,
        atol: float,
    ) -> Iterable[tuple[LearnerNode, EdgeCheck]]:
        consumers = consumer_counts(order)
        for node in order:
            for check in check_locals(node, names, consumers, eps, rtol, atol):
                yield node, check


LEARNER = Learner()
