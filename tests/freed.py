"""Whether a value has been freed, in both builds of the engine."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable


def freed(value: object) -> Callable[[], bool]:
    """A probe: call it to learn whether `value` has been freed since.

    A weak reference where the value takes one; the compiled build's Value takes none (mypyc gives weak
    references only to classes with a __dict__), so there the probe looks for the object among those the
    collector tracks (compiled Values are tracked), by its id: call it right after dropping the value,
    before new objects could take its address."""
    try:
        ref = weakref.ref(value)
    except TypeError:
        key, kind = id(value), type(value)
        return lambda: not any(id(o) == key and type(o) is kind for o in gc.get_objects())
    return lambda: ref() is None
