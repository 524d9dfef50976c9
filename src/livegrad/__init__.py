"""livegrad: a scalar autograd engine, and a live view of its computation graph."""

from .compare import compare
from .draw import draw_dot
from .engine import Op, Value
from .order import naive_backward_trace, topo_trace
from .recorder import record
from .trace import backward_trace, forward_trace, gradcheck

__all__ = [
    "GraphWidget",
    "Op",
    "Value",
    "backward_trace",
    "compare",
    "draw_dot",
    "forward_trace",
    "gradcheck",
    "naive_backward_trace",
    "record",
    "topo_trace",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    if name == "GraphWidget":  # imported on first use: the engine alone needs no Jupyter stack
        from .widget import GraphWidget

        return GraphWidget
    raise AttributeError(f"module 'livegrad' has no attribute {name!r}")
