"""A scalar autograd engine: `Value`, and the graph walks that evaluate and differentiate it.

A node stores its op and at most two inputs, nothing else: no closure, no tuple, no
reference cycle. So Python's cyclic garbage collector has little to rescan, graphs of
any depth work (every walk is iterative), and a graph can be re-run in place after its
leaves change: build a loss once, then train it with ``loss.forward()`` and
``loss.backward()``, which sort the graph the first time and keep its flat steps (node,
op rules, inputs) from the second, so each later sweep is one pass over a list.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, Final, NamedTuple

from . import ops
from .ops import DIV, OTHER_INPUT

try:
    from mypy_extensions import mypyc_attr
except ImportError:  # the decorator matters only to mypyc, which reads it from the source

    def mypyc_attr(*attrs: str, **kwattrs: object) -> Callable[[type], type]:  # type: ignore[misc,no-redef]
        return lambda cls: cls


COMPILED = not __file__.endswith(".py")
"""True where this module is the mypyc build of itself (see *Performance* in the README)."""
_INTERPRETED: Final = not COMPILED
# The ops the hot paths name, as Final names of this module: compiled, a Final name is a C variable, while a
# name imported from another module is looked up in this module's dict at every use.
ADD: Final = ops.ADD
SUB: Final = ops.SUB
MUL: Final = ops.MUL


class Value:
    """A scalar in a computation graph, with the gradient of the last `backward()` root."""

    # A compiled class keeps its fields in a C struct of its own and may not have __slots__; it has no
    # __weakref__ either (mypyc gives weak references only to classes with a __dict__).
    __slots__ = () if COMPILED else ("__weakref__", "_a", "_b", "_fn", "_mark", "_more", "data", "grad")
    __array_ufunc__: ClassVar[None] = None  # make NumPy scalars defer to our reflected ops: np.float64(2) * v

    data: float
    grad: float
    _fn: ops.Op | None  # the op that made this value; its inputs are _a and _b
    _a: Value | None
    _b: Value | None
    _mark: int  # the number of the last topological sort that reached this value (see `topological_order`)
    _more: More | None  # what few values have: a label, a plan, a module call

    # (`object`: the checks below are this method's, with their messages, in the compiled build too,
    # whose wrappers would otherwise check the types first: so in every public signature that checks)
    def __init__(self, data: float | object, label: str | object = "") -> None:
        if type(data) is not float:  # the exact type first: the ABC check is slow
            if not isinstance(data, numbers.Real):
                raise TypeError(f"Value data must be a real number, got {type(data).__name__}")
            data = float(data)
        if type(label) is not str:
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.data = data
        self.grad = 0.0
        self._fn = self._a = self._b = None
        self._mark = 0
        self._more = More(label) if label else None

    @property
    def label(self) -> str:
        """The value's name ('' unless given)."""
        return "" if self._more is None else self._more.label

    @label.setter
    def label(self, label: str) -> None:
        self._extended().label = label

    @property
    def _call(self) -> object:
        """Set by livegrad.nn on a module's outputs: the call that returned it (None on other values)."""
        return None if self._more is None else self._more.call

    @_call.setter
    def _call(self, call: object) -> None:
        self._extended().call = call

    def _extended(self) -> More:
        """This value's `More`, made on first use."""
        if self._more is None:
            self._more = More()
        return self._more

    @property
    def op(self) -> str:
        """The name of the op that made this value ('' for a leaf)."""
        return self._fn.name if self._fn is not None else ""

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The values this one was computed from, in argument order."""
        if self._a is None:
            return ()
        return (self._a,) if self._b is None else (self._a, self._b)

    # micrograd's names, for learners' own draw_dot and topo code: read-only views of the slots
    @property
    def _op(self) -> str:
        """`op`, by micrograd's name."""
        return self.op

    @property
    def _prev(self) -> set[Value]:
        """The set of inputs, as micrograd has it."""
        return set(self.inputs)

    @property
    def value(self) -> float:
        """`data`, by the name seed 004 uses."""
        return self.data

    @value.setter
    def value(self, data: float) -> None:
        self.data = data

    def is_leaf(self) -> bool:
        return self._fn is None

    # The binary operators run for nearly every value of a forward pass: each makes its node inline
    # (a call to a helper would cost as much as the rest) and computes + - * itself, not through
    # the op table's forward (the same IEEE operation; a call saved). Reflected forms (2 * v) are rare.

    def __add__(self, other: object) -> Value | Any:
        b = other if type(other) is Value else _operand(other)
        if b is None:
            return NotImplemented
        out = _new(Value) if _INTERPRETED else Value(0.0)
        out.data = self.data + b.data
        out.grad = 0.0
        out._more = None
        out._fn = ADD
        out._a = self
        out._b = b
        out._mark = 0
        return out

    def __mul__(self, other: object) -> Value | Any:
        b = other if type(other) is Value else _operand(other)
        if b is None:
            return NotImplemented
        out = _new(Value) if _INTERPRETED else Value(0.0)
        out.data = self.data * b.data
        out.grad = 0.0
        out._more = None
        out._fn = MUL
        out._a = self
        out._b = b
        out._mark = 0
        return out

    def __sub__(self, other: object) -> Value | Any:
        b = other if type(other) is Value else _operand(other)
        if b is None:
            return NotImplemented
        out = _new(Value) if _INTERPRETED else Value(0.0)
        out.data = self.data - b.data
        out.grad = 0.0
        out._more = None
        out._fn = SUB
        out._a = self
        out._b = b
        out._mark = 0
        return out

    def __truediv__(self, other: object) -> Value | Any:
        return _binary(DIV, self, other)

    def __radd__(self, other: object) -> Value | Any:
        return _binary(ADD, other, self)

    def __rmul__(self, other: object) -> Value | Any:
        return _binary(MUL, other, self)

    def __rsub__(self, other: object) -> Value | Any:
        return _binary(SUB, other, self)

    def __rtruediv__(self, other: object) -> Value | Any:
        return _binary(DIV, other, self)

    def __rpow__(self, other: object) -> Value | Any:
        return _binary(ops.POW, other, self)

    def __pow__(self, other: object) -> Value | Any:
        if isinstance(other, Value):
            return _node(ops.POW, self, other)
        if isinstance(other, numbers.Real):
            return _node(ops.power_of(float(other)), self)
        return NotImplemented

    def pow(self, exponent: Value | float) -> Value:
        """``self ** exponent``, as a method (some tutorials write ``x.pow(2)``)."""
        return self**exponent

    def __neg__(self) -> Value:
        return _node(ops.NEG, self)

    def tanh(self) -> Value:
        return _node(ops.TANH, self)

    def exp(self) -> Value:
        return _node(ops.EXP, self)

    def log(self) -> Value:
        return _node(ops.LOG, self)

    def relu(self) -> Value:
        return _node(ops.RELU, self)

    def sigmoid(self) -> Value:
        return _node(ops.SIGMOID, self)

    def _backward(self) -> None:
        """This node's own step of the chain rule, as micrograd's lecture runs it by hand (``o.grad = 1.0;
        o._backward(); n._backward(); ...``): each input's grad += its local derivative × this grad."""
        grad = self.grad
        for x, local in zip(self.inputs, local_derivatives(self)):
            if local is not None:  # no gradient passes (a relu at <= 0)
                x.grad += local * grad

    def backward(self, accumulate: bool | object = False) -> None:
        """Set each node's grad to d self / d node.

        By default gradients are fresh: every grad in this graph is recomputed, so calling
        `backward()` twice gives the same grads. With ``accumulate=True`` the leaves' grads
        are added to instead (PyTorch style, for summing over several backward calls; clear
        them with `Module.zero_grad()`); interior grads are always fresh. The graph is sorted on
        the first call only (see `_planned`), so a loss built once trains fast.
        """
        if not isinstance(accumulate, bool):
            raise TypeError(f"accumulate must be a bool, got {type(accumulate).__name__}")
        plan = self._planned()
        zero_grads(plan.below, accumulate)
        self.grad = 1.0
        if plan.kept is None:  # a graph used once: read each node as the sweep reaches it
            sweep_nodes_backward([self])  # the root's own step first (a plan leaves it out), then the rest
            sweep_nodes_backward(reversed(plan.below))
        else:
            sweep_backward(steps([self]))
            sweep_backward(reversed(plan.kept))

    def forward(self) -> float:
        """Re-evaluate this graph in place from its leaves' current data; returns the new data.

        Gives exactly the numbers a rebuild would; like `backward()`, it sorts the graph once.
        """
        plan = self._planned()
        if plan.kept is None:
            sweep_nodes_forward(plan.below)
            sweep_nodes_forward([self])
        else:
            sweep_forward(plan.kept)
            sweep_forward(steps([self]))
        return self.data

    def _planned(self) -> Plan:
        """The graph below this root: sorted on the first call; from the second call on (the graph
        is being re-run, as a loss built once is) its steps are kept too, so the sweeps fetch no op
        or input from a node. A graph used once, as in a loop that rebuilds it, pays nothing for them.

        Safe to keep: a node's inputs are fixed when it is made, so the values a root depends on
        never change. The plan leaves the root itself out, and nothing below refers back up to it,
        so keeping it makes no reference cycle: the graph is still freed the moment it is dropped.
        """
        more = self._extended()
        plan = more.plan
        if plan is None:  # first call: sort once
            below = topological_order(self)
            below.pop()
            plan = more.plan = Plan(below)
        elif plan.kept is None and _INTERPRETED:  # second call: keep the steps (compiled code reads nodes faster)
            plan = more.plan = Plan(plan.below, list(steps(plan.below)))
        return plan

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data}, grad={self.grad}{label})"


class More:
    """What few values have, in an object of its own rather than in fields of every value: each field
    of a `Value` costs all of a graph's values memory, and the garbage collector a visit to each."""

    __slots__ = () if COMPILED else ("call", "label", "plan")

    label: str
    plan: Plan | None  # set by forward() or backward() on a root: the graph below it, sorted once
    call: object  # set by livegrad.nn on a module's outputs: the call that returned it

    def __init__(self, label: str = "") -> None:
        self.label = label
        self.plan = None
        self.call = None


def _node(op: ops.Op, a: Value, b: Value | None = None) -> Value:
    """A new node `op(a[, b])`. (`a + b`, `a * b` and `a - b` inline these lines.)"""
    out = _new(Value) if _INTERPRETED else Value(0.0)
    out.data = op.forward(a.data) if b is None else op.forward(a.data, b.data)
    out.grad = 0.0
    out._more = None
    out._fn, out._a, out._b = op, a, b
    out._mark = 0
    return out


def _binary(op: ops.Op, a: object, b: object) -> Value | Any:
    """`op(a, b)`, a number on either side made a constant; NotImplemented (Python then tries the other
    operand's method) where one is neither a Value nor a real number."""
    left, right = _operand(a), _operand(b)
    if left is None or right is None:
        return NotImplemented
    return _node(op, left, right)


_new = object.__new__  # interpreted: a node without __init__'s frame (compiled, the constructor is a C call)


def _operand(x: object) -> Value | None:
    """`x` as a Value (a real number becomes an unlabelled constant), or None if it can't be."""
    if isinstance(x, Value):
        return x
    if type(x) is float or type(x) is int or isinstance(x, numbers.Real):  # exact types first: the ABC check is slow
        if _INTERPRETED:
            const = _new(Value)
            const.data, const.grad, const._more = float(x), 0.0, None  # type: ignore[arg-type]
            const._fn = const._a = const._b = None
            const._mark = 0
            return const
        return Value(float(x))  # type: ignore[arg-type]
    return None


def as_value(x: object, role: str = "operand") -> Value:
    """`x` as a Value, or a TypeError that names `role` and the type received."""
    value = _operand(x)
    if value is None:
        raise TypeError(f"{role} must be a Value or a real number, got {type(x).__name__}")
    return value


@mypyc_attr(native_class=False)  # a subclass of an interpreted dataclass: it stays interpreted
class Op(ops.Op):
    """An op of your own, called on Values (or numbers) to build a node.

    ``cube = Op("cube", 1, lambda a: a**3, lambda a, out: 3 * a * a)``, then ``cube(x)``.
    The fields are those of `livegrad.ops.Op`; the table's built-in ops are reached through
    Value's operators and methods instead.
    """

    __slots__ = ()

    def __call__(self, *inputs: object) -> Value:
        if len(inputs) != self.arity:
            raise TypeError(f"op {self.name!r} takes {self.arity} input(s), got {len(inputs)}")
        return _node(self, *(as_value(x, f"input of op {self.name!r}") for x in inputs))


def local_derivatives(node: Value) -> tuple[float | None, ...]:
    """d node / d input for each input, from the node's op (None: no gradient reaches that input)."""
    op, a, b = node._fn, node._a, node._b
    if op is None or a is None:
        return ()
    return op.locals_at((a.data,) if b is None else (a.data, b.data), node.data)


def topological_order(root: Value) -> list[Value]:
    """Every value that `root` depends on, inputs before the values made from them.

    Iterative depth-first search, so graphs of any depth work; the order is deterministic. A value
    is marked with this sort's numbers rather than put in a set (no hashing): `entered` while its
    inputs are being placed (it waits on the stack under them), `entered + 1` once it is placed.
    So, as with backward(), one sort of a graph at a time: not from two threads at once.
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    entered: int = next(_SORTS)
    order: list[Value] = []
    stack: list[Value] = []  # values entered, each under the inputs it waits for, and inputs to enter
    node = root
    while True:
        a, b = node._a, node._b
        new_a = a is not None and a._mark < entered
        new_b = b is not None and b._mark < entered
        if new_a or new_b:  # place its new inputs first, the first one straight away
            node._mark = entered
            stack.append(node)
            if new_b:
                stack.append(b)  # type: ignore[arg-type]
            if new_a:
                node = a  # type: ignore[assignment]
                continue
        else:  # a leaf, or its inputs are placed already
            node._mark = entered + 1
            order.append(node)
        while stack:  # back down the stack: place the values whose inputs are now placed, up to one to enter
            node = stack.pop()
            mark = node._mark
            if mark < entered:
                break
            if mark == entered:
                node._mark = entered + 1
                order.append(node)
        else:
            return order


_SORTS: Final = itertools.count(2, 2)
"""Numbers for `topological_order`'s marks, two per sort; a value never sorted has mark 0."""


Step = tuple[Value, Callable[..., float], Any, Value, Value | None]
"""An interior node, its op's forward and local rules, and its inputs: all a sweep reads, fetched once."""


def steps(order: Iterable[Value]) -> Iterator[Step]:
    """The steps of a topologically ordered graph's interior nodes, in its order; leaves have none."""
    for node in order:
        op = node._fn
        if op is not None:
            yield node, op.forward, op.local, node._a, node._b  # type: ignore[misc]


class Plan(NamedTuple):
    """What `Value.forward()` and `backward()` keep on a root (see `Value._planned`)."""

    below: list[Value]  # every value the root depends on, in topological order, the root left out
    kept: list[Step] | None = None  # the steps of `below`, kept once the graph is re-run


def evaluate(order: Iterable[Value]) -> None:
    """Recompute every interior node of a topologically ordered graph from its inputs, in place."""
    sweep_nodes_forward(order)


def backpropagate(order: list[Value], accumulate: bool = False) -> None:
    """Set the grads of a topologically ordered graph whose last element is the root (see `backward`)."""
    if order:
        zero_grads(order, accumulate)
        order[-1].grad = 1.0
        sweep_nodes_backward(reversed(order))


def sweep_nodes_forward(nodes: Iterable[Value]) -> None:
    """`sweep_forward` over nodes in topological order rather than kept steps; sums and products inline."""
    mul, add = MUL, ADD
    a: Value  # not Value | None: compiled, a union's attributes are looked up by name
    b: Value
    for node in nodes:
        op = node._fn
        if op is None:
            continue
        if op is mul:
            a, b = node._a, node._b  # type: ignore[assignment]
            node.data = a.data * b.data
        elif op is add:
            a, b = node._a, node._b  # type: ignore[assignment]
            node.data = a.data + b.data
        else:
            a = node._a  # type: ignore[assignment]
            node.data = op.forward(a.data) if node._b is None else op.forward(a.data, node._b.data)


def sweep_forward(steps: Iterable[Step]) -> None:
    """Recompute each step's node from its inputs, in the steps' (topological) order."""
    for node, forward, _, a, b in steps:
        node.data = forward(a.data) if b is None else forward(a.data, b.data)


def zero_grads(order: list[Value], accumulate: bool) -> None:
    """Clear the grads a backward sweep adds to: all of them, or only the interior ones when accumulating."""
    if accumulate:
        for node in order:
            if node._fn is not None:
                node.grad = 0.0
    else:
        for node in order:
            node.grad = 0.0


def sweep_nodes_backward(nodes: Iterable[Value]) -> None:
    """The backward sweep of `sweep_backward`, over nodes in reverse topological order rather than
    kept steps: a graph swept once saves making its steps. Sums and products, most of a network's
    nodes, are done inline (a sum's local derivatives are 1.0, and ``1.0 * grad`` is ``grad`` exactly)."""
    mul, add = MUL, ADD
    a: Value  # (see sweep_nodes_forward)
    b: Value
    for node in nodes:
        op = node._fn
        if op is None:
            continue
        if op is mul:
            a, b, grad = node._a, node._b, node.grad  # type: ignore[assignment]
            a.grad += b.data * grad
            b.grad += a.data * grad
        elif op is add:
            a, b, grad = node._a, node._b, node.grad  # type: ignore[assignment]
            a.grad += grad
            b.grad += grad
        else:
            sweep_backward(((node, op.forward, op.local, node._a, node._b),))  # type: ignore[arg-type]


def sweep_backward(steps: Iterable[Step]) -> None:
    """Reverse-mode sweep over a graph's steps in reverse order, from the root's grad down.

    An input whose local derivative is None gets nothing (PyTorch selects there: 0·inf is not nan).
    Constant derivatives (a tuple) and a product's (`ops.OTHER_INPUT`) are read with no call.
    """
    for node, _, local, a, b in steps:
        grad = node.grad
        if b is None:
            d_a = local[0] if type(local) is tuple else local(a.data, node.data)
            if d_a is not None:
                a.grad += d_a * grad
        elif local is OTHER_INPUT:
            a.grad += b.data * grad
            b.grad += a.data * grad
        else:
            d_a, d_b = local if type(local) is tuple else local(a.data, b.data, node.data)
            if d_a is not None:
                a.grad += d_a * grad
            if d_b is not None:
                b.grad += d_b * grad
