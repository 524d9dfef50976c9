"""livegrad: a scalar autograd engine, and a live view of its computation graph."""

from .draw import draw_dot
from .engine import Value
from .ops import Op

__all__ = ["Op", "Value", "draw_dot"]
__version__ = "0.1.0"
