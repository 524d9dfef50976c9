"""micrograd's demo, in plain Python: the two-moons points and the SVM loss it trains on.

    from livegrad.datasets import two_moons, svm_loss
    from livegrad.nn import MLP

    model = MLP(2, [16, 16, 1], "relu", linear_output=True, seed=1337)
    loss = svm_loss(model, *two_moons(100))  # 65,818 values: the demo's full-batch loss

No NumPy and no scikit-learn: the points follow `sklearn.datasets.make_moons` (two interleaved
half circles plus Gaussian noise), from a seeded generator of their own.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from .engine import Value


def two_moons(n: int = 100, noise: float = 0.1, seed: int = 1337) -> tuple[list[list[float]], list[float]]:
    """`n` points in two interleaved half circles, with labels -1 (upper) and +1 (lower), as make_moons."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 2:
        raise ValueError(f"n must be an int of at least 2, got {n!r}")
    rng = random.Random(seed)
    upper, lower = n // 2, n - n // 2
    points = [[math.cos(t), math.sin(t)] for t in _spaced(upper)]
    points += [[1 - math.cos(t), 0.5 - math.sin(t)] for t in _spaced(lower)]
    points = [[x + rng.gauss(0, noise), y + rng.gauss(0, noise)] for x, y in points]
    return points, [-1.0] * upper + [1.0] * lower


def _spaced(k: int) -> list[float]:
    return [math.pi * i / (k - 1) if k > 1 else 0.0 for i in range(k)]


def svm_loss(
    model: Callable[[list[Value]], object],
    points: Sequence[Sequence[float]],
    labels: Sequence[float],
    alpha: float = 1e-4,
) -> Value:
    """micrograd's demo loss over the full batch: the mean max-margin (hinge) loss, plus `alpha` times L2."""
    scores = [model([Value(x) for x in point]) for point in points]
    losses = [(1 + -y * score).relu() for y, score in zip(labels, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())  # type: ignore[attr-defined]
    total = data_loss + reg_loss
    # Named as the demo's code names them, so the drawing's top reads "data_loss + reg_loss = loss".
    data_loss.label, reg_loss.label, total.label = "data_loss", "reg_loss", "loss"
    return total
