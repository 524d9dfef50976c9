"""``with livegrad.record(): loss = ...``: the block that records which of the user's calls computed each
value (`livegrad.recording` keeps what it records). Its own room so that PyTorch's part, installed only
where torch is already imported, sits above the recording it writes into, not beside it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from .recording import Recording, begin, put


@contextmanager
def record(namespace: dict[str, object] | None = None) -> Iterator[Recording]:
    """Record which of your functions computed each value, so the widget folds the graph by them:
    ``with livegrad.record(): loss = train_step(...)`` then ``GraphWidget(loss)``. (`namespace`: the
    module globals whose functions to follow, by default those of the code that opens the block.)"""
    recording, patches = begin(namespace)
    for owner, name, _, wrapped in patches:
        put(owner, name, wrapped)
    try:
        if "torch" in sys.modules:  # torch.nn modules' calls too (never importing torch here)
            from .torchrecord import recorded

            with recorded(recording):
                yield recording
        else:
            yield recording
    finally:
        for owner, name, original, _ in reversed(patches):
            put(owner, name, original)
