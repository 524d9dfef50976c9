"""``with livegrad.record(): loss = ...``: which of the user's function calls computed each value.

A graph of 40,000 scalars means nothing as 40,000 cards; as ``gpt × 5 > linear, softmax, rmsnorm``
it reads like the code that made it. Inside `record`, every call of a function of the user's own
(not the standard library's, an installed package's, livegrad's, or a method of the engine's
nodes) becomes a `livegrad.nn.Call`, exactly as a `livegrad.nn` module's call does, so the page
folds, expands, searches and steps through functions as it does modules: a function called
several times in a row is a stack (``linear × 9``).

It works with any engine. A livegrad `Value` a call returned points to the call itself (its
``_call`` slot); another engine's node is remembered by the recording, which keeps what the
calls returned alive (so an id stays theirs) until it is one of `KEPT` recordings ago.

Recording uses Python's trace hook (`sys.settrace`): a callback per Python call, and none for
lines, since only the user's functions are followed into. A debugger's or a coverage tool's
hook is put back when recording ends (they do not see the calls made while recording).
"""

from __future__ import annotations

import os
import sys
import sysconfig
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import CodeType, FrameType

from . import nn
from .engine import Value
from .nn import Call

KEPT = 3  # recordings whose calls a later GraphWidget can still find (each holds what its calls returned)
# Packages whose frames are never the user's functions (livegrad's own, the notebook's machinery).
INTERNAL = ("livegrad", "IPython", "ipykernel", "ipywidgets", "anywidget", "traitlets", "torch", "numpy")
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
        self._functions: dict[CodeType, Function | None] = {}  # per code: the user's function, or None
        self._frames: list[FrameType] = []  # the user's calls running now, innermost last

    def _trace(self, frame: FrameType, event: str, arg: object) -> object:
        """The global trace hook: called once per Python call. Follows the user's functions only."""
        if event != "call":
            return None
        code = frame.f_code
        function = self._functions.get(code, self)
        if function is self:
            function = self._functions[code] = _function_of(frame)
        if function is None:
            return None
        frame.f_trace_lines = False  # only the return is wanted
        call = object.__new__(Call)
        call.module, call.children, call.parts, call.seq = function, None, None, nn._next_seq()
        call.received = tuple(frame.f_locals[name] for name in code.co_varnames[: code.co_argcount])
        call.outputs = ()
        _attach(call)
        self._frames.append(frame)
        return self._returned

    def _returned(self, frame: FrameType, event: str, arg: object) -> object:
        """The local trace hook of a user's function: on its return, what it returned."""
        if event != "return":
            return self._returned
        if self._frames and self._frames[-1] is frame:
            self._frames.pop()
            call = nn._open.pop()
            outputs = _nodes_in(arg)
            for out in outputs:
                if type(out) is Value:
                    out._call = call
                else:
                    if id(out) not in self.returned:
                        self.held.append(out)
                    self.returned[id(out)] = call
            call.outputs = tuple(map(id, outputs))
        return None


_recordings: list[Recording] = []
_lock = threading.Lock()


@contextmanager
def record() -> Iterator[Recording]:
    """Record which of your functions computed each value, so the widget folds the graph by them:
    ``with livegrad.record(): loss = train_step(...)`` then ``GraphWidget(loss)``."""
    recording = Recording()
    previous = sys.gettrace()
    with _lock:
        _recordings.append(recording)
        del _recordings[:-KEPT]
    sys.settrace(recording._trace)
    try:
        yield recording
    finally:
        sys.settrace(previous)
        while recording._frames:  # a block left by an exception inside a recorded call
            recording._frames.pop()
            nn._open.pop()


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


def _function_of(frame: FrameType) -> Function | None:
    """The user's function running in `frame`, or None for code that is not theirs to fold by: a
    library's, a comprehension's, a dunder of theirs but ``__call__``, a method of the engine's nodes
    (``Value.exp``) or of a livegrad module (recorded as a module already)."""
    code = frame.f_code
    name = code.co_name
    if name[:1] == "<" or (name[:2] == "__" and name != "__call__"):
        return None
    if frame.f_globals.get("__name__", "").partition(".")[0] in INTERNAL:
        return None
    if os.path.normcase(code.co_filename).startswith(_LIBRARIES):
        return None
    if code.co_argcount:
        first = frame.f_locals.get(code.co_varnames[0])
        if isinstance(first, nn.Module) or _is_node(first):
            return None
    return Function(getattr(code, "co_qualname", name))  # (Python 3.10 has no co_qualname)


def _is_node(x: object) -> bool:
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
