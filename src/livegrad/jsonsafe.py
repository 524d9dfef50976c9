"""Numbers as JSON can carry them: JSON has no inf or nan (the snapshot and every engine's summaries use this)."""

from __future__ import annotations

import math


def json_number(x: float) -> float | str:
    """JSON has no inf or nan: spell them as the strings JavaScript's Number() reads back."""
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
