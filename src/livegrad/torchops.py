"""PyTorch's backward node types as livegrad reads them: each one's forward op by name (``TanhBackward0``
is ``tanh``), livegrad's op of the same formula where there is one, and how to replay it with torch; and
where a node keeps the operands it needs for backward. A table: one row per op, no logic of the graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from .ops import ADD, DIV, EXP, LOG, MUL, NEG, RELU, SIGMOID, SUB, TANH, Op

Replay = Callable[[object, list[torch.Tensor]], torch.Tensor]


@dataclass(frozen=True)
class TorchOp:
    """How one backward node type is shown and replayed: its forward op's name (``tanh``), livegrad's
    op with the same formula (for names such as ``tanh(n)``; None: none), and the forward in torch."""

    name: str
    op: Op | None
    replay: Replay


def _dim(d: int | tuple[int, ...] | list[int]) -> int | list[int]:
    """A dimension as torch keeps it for backward: a negative one (``-1``) is stored as unsigned."""
    if isinstance(d, (tuple, list)):
        return [int(_dim(x)) for x in d]  # type: ignore[arg-type]
    return d - (1 << 64) if d >= 1 << 63 else d


def _alpha(fn: object) -> float:
    return float(getattr(fn, "_saved_alpha", 1))


REPLAYS: dict[str, TorchOp] = {
    "AddBackward0": TorchOp("+", ADD, lambda fn, a: torch.add(a[0], a[1], alpha=_alpha(fn))),
    "SubBackward0": TorchOp("-", SUB, lambda fn, a: torch.sub(a[0], a[1], alpha=_alpha(fn))),
    "MulBackward0": TorchOp("*", MUL, lambda fn, a: torch.mul(a[0], a[1])),
    "DivBackward0": TorchOp("/", DIV, lambda fn, a: torch.div(a[0], a[1])),
    "NegBackward0": TorchOp("neg", NEG, lambda fn, a: torch.neg(a[0])),
    "TanhBackward0": TorchOp("tanh", TANH, lambda fn, a: torch.tanh(a[0])),
    "ExpBackward0": TorchOp("exp", EXP, lambda fn, a: torch.exp(a[0])),
    "LogBackward0": TorchOp("log", LOG, lambda fn, a: torch.log(a[0])),
    "ReluBackward0": TorchOp("relu", RELU, lambda fn, a: torch.relu(a[0])),
    "SigmoidBackward0": TorchOp("sigmoid", SIGMOID, lambda fn, a: torch.sigmoid(a[0])),
    "SqrtBackward0": TorchOp("sqrt", None, lambda fn, a: torch.sqrt(a[0])),
    "AbsBackward0": TorchOp("abs", None, lambda fn, a: torch.abs(a[0])),
    "SinBackward0": TorchOp("sin", None, lambda fn, a: torch.sin(a[0])),
    "CosBackward0": TorchOp("cos", None, lambda fn, a: torch.cos(a[0])),
    "SoftmaxBackward0": TorchOp("softmax", None, lambda fn, a: torch.softmax(a[0], _dim(fn._saved_dim))),  # type: ignore[attr-defined]
    "LogSoftmaxBackward0": TorchOp("log_softmax", None, lambda fn, a: torch.log_softmax(a[0], _dim(fn._saved_dim))),  # type: ignore[attr-defined]
    "PowBackward0": TorchOp("**", None, lambda fn, a: torch.pow(a[0], fn._saved_exponent)),  # type: ignore[attr-defined]
    "PowBackward1": TorchOp("**", None, lambda fn, a: torch.pow(a[0], a[1])),
    "MmBackward0": TorchOp("mm", None, lambda fn, a: torch.mm(a[0], a[1])),
    "AddmmBackward0": TorchOp(
        "addmm",
        None,
        lambda fn, a: torch.addmm(a[0], a[1], a[2], beta=fn._saved_beta, alpha=fn._saved_alpha),  # type: ignore[attr-defined]
    ),
    "TBackward0": TorchOp("t", None, lambda fn, a: a[0].t()),
    "BmmBackward0": TorchOp("bmm", None, lambda fn, a: torch.bmm(a[0], a[1])),
    "TransposeBackward0": TorchOp(
        "transpose",
        None,
        lambda fn, a: a[0].transpose(_dim(fn._saved_dim0), _dim(fn._saved_dim1)),  # type: ignore[attr-defined]
    ),
    "PermuteBackward0": TorchOp("permute", None, lambda fn, a: a[0].permute(_dim(fn._saved_dims))),  # type: ignore[attr-defined]
    "UnsqueezeBackward0": TorchOp("unsqueeze", None, lambda fn, a: a[0].unsqueeze(_dim(fn._saved_dim))),  # type: ignore[attr-defined]
    "CloneBackward0": TorchOp("clone", None, lambda fn, a: a[0].clone()),
    # Ops of several outputs: each output is a value of its own (its `nr`), replayed as the op's nr-th.
    "SplitBackward0": TorchOp("split", None, lambda fn, a: a[0].split(fn._saved_split_size, _dim(fn._saved_dim))),  # type: ignore[attr-defined]
    "SplitWithSizesBackward0": TorchOp(
        "split",
        None,
        lambda fn, a: a[0].split(list(fn._saved_split_sizes), _dim(fn._saved_dim)),  # type: ignore[attr-defined]
    ),
    "UnbindBackward0": TorchOp("unbind", None, lambda fn, a: a[0].unbind(_dim(fn._saved_dim))),  # type: ignore[attr-defined]
    # Shape ops: the output's shape is what the backward node expects its gradient to be.
    "ViewBackward0": TorchOp("view", None, lambda fn, a: a[0].reshape(_out_shape(fn))),
    "UnsafeViewBackward0": TorchOp("view", None, lambda fn, a: a[0].reshape(_out_shape(fn))),
    "ReshapeAliasBackward0": TorchOp("reshape", None, lambda fn, a: a[0].reshape(_out_shape(fn))),
    "ExpandBackward0": TorchOp("expand", None, lambda fn, a: a[0].expand(_out_shape(fn))),
    "GeluBackward0": TorchOp(
        "gelu",
        None,
        lambda fn, a: torch.nn.functional.gelu(a[0], approximate=fn._saved_approximate),  # type: ignore[attr-defined]
    ),
    "SumBackward0": TorchOp("sum", None, lambda fn, a: a[0].sum()),
    "MeanBackward0": TorchOp("mean", None, lambda fn, a: a[0].mean()),
    "SumBackward1": TorchOp(
        "sum",
        None,
        lambda fn, a: a[0].sum(dim=_dim(fn._saved_dim), keepdim=fn._saved_keepdim),  # type: ignore[attr-defined]
    ),
    "MeanBackward1": TorchOp(
        "mean",
        None,
        lambda fn, a: a[0].mean(dim=_dim(fn._saved_dim), keepdim=fn._saved_keepdim),  # type: ignore[attr-defined]
    ),
}


def _out_shape(fn: object) -> list[int]:
    """The shape of the tensor a backward node's forward op made (the gradient it expects)."""
    return list(fn._input_metadata[0].shape)  # type: ignore[attr-defined]


def _op_name(kind: str) -> str:
    """A backward node's forward op, as a learner calls it: ``TanhBackward0`` is ``tanh``."""
    known = REPLAYS.get(kind)
    if known is not None:
        return known.name
    base = kind.split("Backward")[0] if "Backward" in kind else kind
    return base.lower() or kind


# Where a backward node keeps each operand, by place, until backward frees it (None: not kept).
SAVED_OPERANDS: dict[str, tuple[str | None, ...]] = {
    "MulBackward0": ("_saved_self", "_saved_other"),
    "DivBackward0": ("_saved_self", "_saved_other"),
    "PowBackward1": ("_saved_self", "_saved_exponent"),
    "MmBackward0": ("_saved_self", "_saved_mat2"),
    "BmmBackward0": ("_saved_self", "_saved_mat2"),
    "AddmmBackward0": (None, "_saved_mat1", "_saved_mat2"),
}
