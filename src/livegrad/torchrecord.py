"""`livegrad.record()`'s part for PyTorch: each call of a `torch.nn` module becomes a `livegrad.nn.Call`
(so the page folds the graph by module, named by attribute path), and each torch call that makes a
tensor of a graph is kept, so that any op can be replayed with its constants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
from torch.overrides import TorchFunctionMode

from . import nn, recording
from .nn import Call
from .recording import Recording


class ModuleCall:
    """A `torch.nn` module as `graph.module_groups` sees one: named by its attribute path in the
    outermost module called (``0``, ``encoder.layer.1``), its parameters the module's. Its class is
    made per torch class, with that class's name, so a group's kind reads ``Linear``."""

    __slots__ = ("module", "name")

    def __init__(self, module: torch.nn.Module, name: str) -> None:
        self.module, self.name = module, name

    def parameters(self) -> list[torch.Tensor]:
        return list(self.module.parameters())


_KINDS: dict[type, type[ModuleCall]] = {}


def _module_call(module: torch.nn.Module, name: str) -> ModuleCall:
    kind = type(module)
    if kind not in _KINDS:
        _KINDS[kind] = type(kind.__name__, (ModuleCall,), {"__slots__": ()})
    return _KINDS[kind](module, name)


class _KeptOps(TorchFunctionMode):
    """Keeps each torch call that made a tensor of a graph: its function, arguments (constants
    included, which torch's backward nodes do not all keep) and output, by the output's grad_fn."""

    def __init__(self, kept: dict[object, tuple[Callable[..., object], tuple, dict, torch.Tensor]]) -> None:
        super().__init__()
        self.kept = kept

    def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if type(out) is torch.Tensor and out.grad_fn is not None:
            self.kept.setdefault(out.grad_fn, (func, args, kwargs, out))
        return out


@contextmanager
def recorded(into: Recording) -> Iterator[None]:
    """Inside `livegrad.record()`: each call of a `torch.nn` module becomes a `livegrad.nn.Call` (so
    the page folds the graph by module), and each torch call is kept so that any op can be replayed."""
    kept: dict[object, tuple[Callable[..., object], tuple, dict, torch.Tensor]] = {}
    into.torch_ops = kept  # type: ignore[attr-defined]
    parameters: dict[int, tuple[torch.Tensor, str]] = {}  # id -> (parameter, its path in the outermost module)
    into.torch_parameters = parameters  # type: ignore[attr-defined]
    paths: dict[int, str] = {}  # id of each module of the outermost module called -> its attribute path
    calls: dict[int, ModuleCall] = {}
    depth = [0]  # torch module calls open now

    def before(module: torch.nn.Module, args: tuple[object, ...]) -> None:
        if depth[0] == 0:
            paths.clear()
            paths.update((id(m), path or type(module).__name__) for path, m in module.named_modules())
            parameters.update((id(p), (p, path)) for path, p in module.named_parameters())
        depth[0] += 1
        key = id(module)
        if key not in calls:
            calls[key] = _module_call(module, paths.get(key, type(module).__name__))
        call = object.__new__(Call)
        call.module, call.children, call.parts, call.seq = calls[key], None, None, nn._next_seq()
        call.received, call.outputs = tuple(args), ()
        recording._attach(call)

    def after(module: torch.nn.Module, args: tuple[object, ...], output: object) -> None:
        depth[0] -= 1
        call = nn._open.pop()
        outputs = [t for t in recording._nodes_in(output) if isinstance(t, torch.Tensor)]
        for t in outputs:
            if id(t) not in into.returned:
                into.held.append(t)
            into.returned[id(t)] = call
        call.outputs = tuple(map(id, outputs))

    handles = [
        torch.nn.modules.module.register_module_forward_pre_hook(before),
        torch.nn.modules.module.register_module_forward_hook(after, always_call=True),
    ]
    try:
        with _KeptOps(kept):
            yield
    finally:
        for handle in handles:
            handle.remove()
