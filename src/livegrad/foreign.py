"""A learner's own engine: a micrograd-style graph read by duck typing and driven in place.

Learners following the tutorials write their own `Value` (or `Node`, or `Tensor`). livegrad
looks at their objects through `LearnerNode`, a thin read/write view: `data` and `grad` are
their attributes, nothing is copied into livegrad Values. What a node looks like:

- a number in ``data`` (or ``value``) and a number in ``grad``;
- its inputs in ``_prev``, ``_children``, ``_parents``, ``children`` or ``inputs`` (a set,
  tuple or list; empty for a leaf);
- its op's name in ``_op`` (a str), or else in its ``__repr__`` (``+``, ``relu``, ``** 2``);
  failing both (microgpt's engine names no op), the op is read from the numbers
  (`livegrad.infer`), or is unknown: ``?``;
- optionally its local derivatives as numbers, one per input, in ``_local_grads`` or
  ``local_grads`` (microgpt's): the stepper shows them and the checks judge them;
- ``label`` if it has one.

Sets have no order, so a node's inputs are put in its op's argument order when that can be
read (micrograd's `_backward` closes over ``self`` and ``other``, the operands in order; a
tuple or list is already in order), else sorted by label and then data, ties keeping the
set's order (such inputs look the same on screen anyway).

Re-evaluating writes ``data`` back into their nodes with livegrad's op table (for the op names
it knows); a backward pass zeroes their grads and calls *their* ``backward()``, so the screen
shows the gradients their engine computes, bugs included. Stored local derivatives are only
right where their engine computed them: away from that point (a slider moved) livegrad writes
its op's local derivatives in their place, and back at it, theirs again.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable
from operator import itemgetter

from .adapters import EdgeCheck, GraphTooLarge
from .infer import candidates
from .nn import Call
from .ops import BUILTIN_OPS, Op, power_of
from .recording import call_returning

INPUT_ATTRS = ("_prev", "_children", "_parents", "children", "inputs")
DATA_ATTRS = ("data", "value")
LOCALS_ATTRS = ("_local_grads", "local_grads")  # local derivatives stored as numbers, one per input
UNKNOWN = "?"  # the op of a node whose op is neither named nor readable from its numbers
OPERANDS = ("self", "other")  # micrograd's closures name the operands so, in argument order
_POWER = re.compile(r"\*\*\s*\(?\s*([-+]?[0-9.]+(?:e[-+]?[0-9]+)?)\s*\)?")
_DONE = object()  # a marker on the walk's stack: every input of the node under it is placed


class LearnerNode:
    """A view of one node of a learner's graph: ``data`` and ``grad`` read and write their object."""

    __slots__ = ("_built", "_data_attr", "_fn", "_locals_attr", "_result_cells", "inputs", "obj", "op")

    def __init__(
        self,
        obj: object,
        data_attr: str,
        inputs: tuple[LearnerNode, ...],
        op: str,
        fn: Op | None,
        result_cells: tuple[object, ...] = (),
        locals_attr: str | None = None,
    ) -> None:
        self.obj = obj
        self._data_attr = data_attr
        self.inputs = inputs
        self.op = op  # their name for it, or livegrad's for an op read from the numbers ('' for a leaf)
        self._fn = fn if inputs else None  # livegrad's op; None: a leaf, or an op livegrad does not know
        # The `_backward` closure's cells that hold this node's result (micrograd's tanh keeps `t`): see `_holding`.
        self._result_cells = result_cells if self._fn is not None else ()
        self._locals_attr = locals_attr if inputs else None  # where their local derivatives are stored, if they are
        # The point their engine built the node at, with its stored local derivatives there.
        self._built = (getattr(obj, data_attr), getattr(obj, locals_attr)) if self._locals_attr else None

    @property
    def stored_locals(self) -> tuple[float, ...] | None:
        """The local derivatives their engine stored on this node (None: it stores none)."""
        if self._locals_attr is None:
            return None
        return tuple(map(float, getattr(self.obj, self._locals_attr)))

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
    names = {id(obj): _op_name(obj, len(found[id(obj)][2])) for obj in placed}
    guesses = _guesses(placed, found, names)
    for obj in placed:  # (the views made together, after the walk, lie together in memory: faster to read)
        _, data_attr, inputs, others = found[id(obj)]
        if not inputs:
            views[id(obj)] = LearnerNode(obj, data_attr, (), "", None)
            continue
        node_inputs = tuple(map(views.__getitem__, map(id, inputs)))
        op = names[id(obj)]
        if op:
            key = (op, len(inputs))
            if key not in ops:
                ops[key] = livegrad_op(*key)
            fn = ops[key]
        else:  # no name for it anywhere: read from the numbers
            fn = guesses[id(obj)]
            op = fn.name if fn is not None else _class_op(obj, inputs)
        held = _holding(others, getattr(obj, data_attr)) if fn is not None and others else ()
        views[id(obj)] = LearnerNode(obj, data_attr, node_inputs, op, fn, held, _locals_attr(obj, len(inputs)))
    return list(views.values())


def _guesses(placed: list[object], found: dict[int, tuple], names: dict[int, str]) -> dict[int, Op | None]:
    """The op read from the numbers of each node that names none (`livegrad.infer`). Where several
    fit, the one the engine is seen using elsewhere in the graph, if only one of them is."""
    fits: dict[int, list[Op]] = {}
    for obj in placed:
        _, data_attr, inputs, _ = found[id(obj)]
        if inputs and not names[id(obj)]:
            attr = _locals_attr(obj, len(inputs))
            stored = tuple(map(float, getattr(obj, attr))) if attr else None
            args = tuple(float(getattr(x, found[id(x)][1])) for x in inputs)
            fits[id(obj)] = candidates(float(getattr(obj, data_attr)), args, stored)
    seen = {ops[0].name for ops in fits.values() if len(ops) == 1}
    guesses: dict[int, Op | None] = {}
    for key, ops in fits.items():
        if len(ops) > 1:
            ops = [op for op in ops if op.name in seen]
        guesses[key] = ops[0] if len(ops) == 1 else None
    return guesses


def _class_op(obj: object, inputs: tuple[object, ...]) -> str:
    """An op livegrad cannot read: named by its class if it has one of its own (seed 000's ``Times``),
    else ``?`` (microgpt's nodes are all ``Value``s: the class name would say nothing)."""
    kind = type(obj)
    return kind.__name__ if all(type(x) is not kind for x in inputs) else UNKNOWN


def _locals_attr(obj: object, arity: int) -> str | None:
    """The attribute where `obj` stores its local derivatives as numbers, one per input (or None)."""
    for attr in LOCALS_ATTRS:
        found = getattr(obj, attr, None)
        if isinstance(found, (tuple, list)) and len(found) == arity and all(map(_number, found)):
            return attr
    return None


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
    result there too, and stored local derivatives are made to fit the new data (see the module's
    note), so their backward pass sees the same numbers as the records.
    """
    for node in order:  # their objects read and written directly (what `LearnerNode.data` does): once per node
        fn = node._fn
        if fn is None:
            continue
        args = [float(getattr(x.obj, x._data_attr)) for x in node.inputs]
        new = fn.forward(*args)
        setattr(node.obj, node._data_attr, new)
        for cell in node._result_cells:
            cell.cell_contents = new  # type: ignore[attr-defined]
        if node._built is not None:  # stored local derivatives: theirs where they made them, else the op's
            data, stored = node._built
            if new == data or (new != new and data != data):
                fresh = stored
            else:
                fresh = tuple(0.0 if d is None else d for d in fn.locals_at(tuple(args), new))
            setattr(node.obj, node._locals_attr, fresh)  # type: ignore[arg-type]


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

    Their stored ones (microgpt's ``_local_grads``), from their ``_local_grad(input)`` (seed 000's
    `Node`), or by running their `_backward` once
    with the node's grad at 1 and its inputs' grads at 0 (grads restored afterwards). An input
    used twice by one node gets half its total on each edge. An engine with neither: the op
    table's derivative (None: a masked edge; nan for an op livegrad does not know).
    """
    if not node.inputs:
        return ()
    stored = node.stored_locals
    if stored is not None:
        return stored
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
    livegrad knows (seed 000: ``relu``, ``** 2``); '' if neither (and for a leaf)."""
    if arity == 0:
        return ""
    op = getattr(obj, "_op", None)
    if isinstance(op, str) and op:
        return op
    text = repr(obj)
    return text if livegrad_op(text, arity) is not None else ""


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
        """Their data, grads, stored local derivatives and the `_backward` cells holding a node's
        result, as found."""
        found = [
            (
                getattr(v.obj, v._data_attr),
                v.obj.grad,  # type: ignore[attr-defined]
                [c.cell_contents for c in v._result_cells],  # type: ignore[attr-defined]
                getattr(v.obj, v._locals_attr) if v._locals_attr else None,
            )
            for v in order
        ]

        def restore() -> None:
            for v, (data, grad, cells, stored) in zip(order, found):
                setattr(v.obj, v._data_attr, data)
                v.obj.grad = grad  # type: ignore[attr-defined]
                for cell, held in zip(v._result_cells, cells):
                    cell.cell_contents = held  # type: ignore[attr-defined]
                if v._locals_attr:
                    setattr(v.obj, v._locals_attr, stored)

        return restore

    def forward(self, order: list[LearnerNode]) -> None:
        evaluate(order)

    def backward(self, order: list[LearnerNode]) -> None:
        backpropagate(order)

    def local_derivatives(self, node: LearnerNode) -> tuple[float | None, ...]:
        return local_derivatives(node)

    def call_of(self, node: LearnerNode) -> Call | None:
        return call_returning(node.obj)

    def slidable(self, node: LearnerNode) -> bool:
        return True

    def columns(self, order: list[LearnerNode]) -> dict[str, list[object]]:
        return {}

    def summaries(self, order: list[LearnerNode]) -> dict[str, object]:
        return {}

    def edge_checks(
        self,
        order: list[LearnerNode],
        names: Callable[[LearnerNode], str],
        eps: float,
        rtol: float,
        atol: float,
    ) -> Iterable[tuple[LearnerNode, EdgeCheck]]:
        from .learner_checks import check_locals, check_pass, consumer_counts  # (they read this module's views)

        consumers = consumer_counts(order)
        for node in order:
            for check in check_locals(node, names, consumers, eps, rtol, atol):
                yield node, check
        for check in check_pass(order, names, rtol, atol):
            yield check.input, check


LEARNER = Learner()
