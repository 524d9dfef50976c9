"""``with livegrad.record(): loss = ...``: which of the user's function calls computed each value.

A graph of 40,000 scalars means nothing as 40,000 cards; as ``gpt × 5 > linear, softmax, rmsnorm``
it reads like the code that made it. Inside `record`, every call of a function of the user's own
becomes a `livegrad.nn.Call`, exactly as a `livegrad.nn` module's call does, so the page folds,
expands, searches and steps through functions as it does modules: a function called several
times in a row is a stack (``linear × 9``).

Whose functions: those defined in the module that opens the block (a notebook's, a script's), and
in the modules of the user's own that it has imported by name (``import microgpt_like as m``), with
the ``forward`` and ``__call__`` methods of classes defined there (not the engine's node classes,
nor `livegrad.nn` modules, which are recorded already). For the block's duration each is replaced
in its module by a recording wrapper, so a call costs a few microseconds more and a value nothing:
building microgpt's 43,000 values is not slowed measurably (`benchmarks/microgpt_names.py`). Not
recorded: functions defined inside other functions, and those held under other names before the
block began.

It works with any engine. A livegrad `Value` a call returned points to the call itself (its
``_call`` slot); another engine's node is remembered by the recording, which keeps what the
calls returned alive (so an id stays theirs) until it is one of `KEPT` recordings ago.
"""

from __future__ import annotations

import functools
import os
import sys
import sysconfig
import threading
from collections.abc import Callable
from types import FunctionType, ModuleType

from . import nn
from .engine import Value
from .nn import Call
from .scope import user_frame

KEPT = 3  # recordings whose calls a later GraphWidget can still find (each holds what its calls returned)
METHODS = ("forward", "__call__")  # the methods of a user's class that are calls to fold by
NODE_METHODS = ("backward", "_backward")  # a class with these is an engine's node class: its methods are ops
_LIBRARIES = tuple(
    os.path.normcase(path) + os.sep
    for path in {sysconfig.get_path(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    if path
)


class Function:
    """A user's function as `graph.module_groups` sees a module: one per function, named by its
    qualified name; it owns no parameters (the leaves its calls reach are its members)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def parameters(self) -> list[object]:
        return []


class Recording:
    """The calls recorded in one `record` block, and what they returned (``returned``: id -> the
    outermost call that returned it; ``held`` keeps those objects alive, so the ids stay theirs)."""

    def __init__(self) -> None:
        self.returned: dict[int, Call] = {}
        self.held: list[object] = []

    def wrap(self, fn: Callable[..., object], name: str) -> Callable[..., object]:
        """`fn`, recording each call as a `Call` of the function `name`."""
        function = Function(name)

        @functools.wraps(fn)
        def recorded(*args: object, **kwargs: object) -> object:
            call = object.__new__(Call)
            call.module, call.children, call.parts, call.seq = function, None, None, nn._next_seq()
            call.received, call.outputs = (*args, *kwargs.values()), ()
            _attach(call)
            try:
                out = fn(*args, **kwargs)
            finally:
                nn._open.pop()
            self._returned(call, out)
            return out

        return recorded

    def _returned(self, call: Call, out: object) -> None:
        outputs = _nodes_in(out)
        for node in outputs:
            if type(node) is Value:
                node._call = call
            else:
                if id(node) not in self.returned:
                    self.held.append(node)
                self.returned[id(node)] = call
        call.outputs = tuple(map(id, outputs))


_recordings: list[Recording] = []
_lock = threading.Lock()


def begin(namespace: dict[str, object] | None) -> tuple[Recording, list[Patch]]:
    """A new recording, kept among the last `KEPT`, and the wraps of the user's functions for it (not yet
    put in place): those of `namespace`, by default the globals of the code that opens the block."""
    recording = Recording()
    if namespace is None:
        frame = user_frame()
        namespace = frame.f_globals if frame is not None else {}
    with _lock:
        _recordings.append(recording)
        del _recordings[:-KEPT]
    return recording, _patches(namespace, recording) if _users_namespace(namespace) else []


def put(owner: object, name: str, value: object) -> None:
    """Set `name` in a module's namespace (a dict) or on a class."""
    if isinstance(owner, dict):
        owner[name] = value
    else:
        setattr(owner, name, value)


Patch = tuple[object, str, object, object]  # (namespace or class, name, the original, its wrapper)


def _patches(namespace: dict[str, object], recording: Recording) -> list[Patch]:
    """The user's functions and methods to wrap: those defined in `namespace` (a module's globals),
    and in the user's modules it holds by name."""
    patches: list[Patch] = []
    modules = [namespace] + [
        vars(m) for m in namespace.values() if isinstance(m, ModuleType) and _users(m) and vars(m) is not namespace
    ]
    for space in modules:
        here = space.get("__name__")
        for name, x in list(space.items()):
            if isinstance(x, FunctionType) and x.__module__ == here and not name.startswith("__"):
                patches.append((space, name, x, recording.wrap(x, x.__qualname__)))
            elif isinstance(x, type) and x.__module__ == here and _foldable_class(x):
                for method in METHODS:
                    fn = x.__dict__.get(method)
                    if isinstance(fn, FunctionType):
                        patches.append((x, method, fn, recording.wrap(fn, x.__qualname__)))
    return patches


def _users_namespace(namespace: dict[str, object]) -> bool:
    """A notebook's or a script's globals, or those of a module of the user's own (never a library's:
    a block opened from the kernel's machinery must not wrap asyncio's functions)."""
    if namespace.get("__name__") == "__main__":
        return True
    file = namespace.get("__file__")
    return isinstance(file, str) and not os.path.normcase(file).startswith(_LIBRARIES)


def _users(module: ModuleType | None) -> bool:
    """A module of the user's own: not livegrad's, the standard library's or an installed package's
    (a notebook's `__main__` is the user's)."""
    if module is not None and module.__name__ == "__main__":
        return True
    file = getattr(module, "__file__", None)
    if module is None or not isinstance(file, str):
        return False
    return module.__name__.partition(".")[0] != "livegrad" and not os.path.normcase(file).startswith(_LIBRARIES)


def _foldable_class(cls: type) -> bool:
    """A user's class whose calls are worth a group: not an engine's node class, and not built on a
    library's class (a `livegrad.nn` or `torch.nn` module is recorded as a module already)."""
    if any(hasattr(cls, m) for m in NODE_METHODS):
        return False
    return all(base is object or _users(sys.modules.get(base.__module__)) for base in cls.__mro__[1:])


def call_returning(obj: object) -> Call | None:
    """The outermost recorded call that returned `obj` (a node of any engine but livegrad's), if any."""
    for recording in reversed(_recordings):
        call = recording.returned.get(id(obj))
        if call is not None:
            return call
    return None


def _attach(call: Call) -> None:
    """Open `call` inside the call running now (a module's or a function's), as `livegrad.nn` does."""
    parent = nn._open[-1] if nn._open else None
    if parent is not None:
        if parent.children is None:
            parent.children = [call]
        else:
            parent.children.append(call)
    nn._open.append(call)


def _is_node(x: object) -> bool:
    if type(x).__module__.startswith("torch"):  # (reading a non-leaf tensor's .grad warns)
        return type(x).__name__ in ("Tensor", "Parameter")
    return hasattr(x, "grad") and (hasattr(x, "data") or hasattr(x, "value")) and not isinstance(x, (list, tuple))


def _nodes_in(x: object) -> list[object]:
    """The nodes a call returned: one, or those in (nested) lists and tuples of them, in order."""
    if _is_node(x):
        return [x]
    found: list[object] = []
    stack = [x]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif _is_node(item):
            found.append(item)
    return found
