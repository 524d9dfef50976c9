"""Names for a graph's values from the variables of the code that asked to see it.

Engines in microgpt's shape have no labels, and even a labelled engine leaves most values
unlabelled: the names a learner knows are their variables (``x1``, ``n``, ``loss``) and the
paths into their containers (``state_dict['wte'][26][3]``). `variable_names` finds them in the
caller's frame (its locals, then its module's globals) without changing anything.

The scan is cheap on big notebooks: it walks only dicts, lists, tuples and the attributes of
objects whose class the notebook itself defined, and skips at once a container whose first item
is neither a node of the graph nor a container (a list of a million floats costs one look).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from types import FrameType

# Frames of these packages are not the user's: the names are looked for in the first frame outside them.
INTERNAL = ("livegrad", "traitlets", "anywidget", "ipywidgets", "contextlib")
# IPython's own bookkeeping (its output history would name every value ever displayed ``Out[12]``).
SKIPPED = frozenset({"In", "Out", "exit", "quit", "get_ipython"})
MAX_DEPTH = 6  # state_dict['layer0.attn_wq'][3][15] is 3 deep; a learner's model.layers[0].neurons[1].w[2] is 6
USER_MODULES = ("__main__",)  # the notebook's own classes: their instances are walked by attribute


def user_frame() -> FrameType | None:
    """The innermost frame of the caller outside livegrad (and the widget libraries it runs in)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] in INTERNAL:
        frame = frame.f_back  # type: ignore[assignment]
    return frame


def variable_names(frame: FrameType | None, targets: Mapping[int, object]) -> dict[int, str]:
    """For each target (``id(object) -> object``) held by a variable of `frame`, the best name for it
    by id: a variable holding it directly (locals before globals), else the shortest path through
    containers, a path through a dict (``state_dict['wte'][26][3]``) before one through lists only
    (``params[4191]``). Names starting with ``_`` are private or IPython's history, and are skipped."""
    if frame is None or not targets:
        return {}
    kinds = {type(x) for x in targets.values()}
    best: dict[int, tuple[tuple[int, int, int], str]] = {}
    try:
        for name, found, rank in _paths(frame, targets, kinds):
            key = id(found)
            if key not in best or rank < best[key][0]:
                best[key] = rank, name
    finally:
        # Before Python 3.13, reading a function's f_locals leaves a snapshot of its locals on the frame,
        # which would keep their values (the user's graph) alive until that function returns. Emptying
        # the snapshot changes none of the function's variables; from 3.13 on f_locals is no dict.
        if frame.f_locals is not frame.f_globals and type(frame.f_locals) is dict:
            frame.f_locals.clear()
    return {key: name for key, (_, name) in best.items()}


def display_path(path: str) -> str:
    """A path's shorter form on the page: a dict's own variable name dropped when a string key follows
    (``state_dict['wte'][26][3]`` shows ``wte[26][3]``); search still finds the full path."""
    variable, bracket, rest = path.partition("['")
    if not bracket or "[" in variable or "." in variable:
        return path
    key, quote, after = rest.partition("']")
    return key + after if quote else path


def _paths(
    frame: FrameType, targets: Mapping[int, object], kinds: set[type]
) -> Iterator[tuple[str, object, tuple[int, int, int]]]:
    """Every (path, target, rank) found breadth first; a rank orders paths best first."""
    scopes = [frame.f_globals] if frame.f_locals is frame.f_globals else [frame.f_locals, frame.f_globals]
    walked: dict[int, bool] = {}  # each container walked already: whether a dict's key was on the way
    level: list[tuple[str, object, bool]] = []  # (path, object, through a dict)
    for scope_rank, scope in enumerate(scopes):
        for name, value in list(scope.items()):
            if not isinstance(name, str) or not name.isidentifier() or name[:1] == "_" or name in SKIPPED:
                continue
            if id(value) in targets:
                yield name, value, (0, scope_rank, 0)
            elif _walkable(value, kinds):
                level.append((name, value, False))
    for depth in range(1, MAX_DEPTH + 1):
        deeper: list[tuple[str, object, bool]] = []
        for path, container, keyed in level:
            before = walked.get(id(container))
            if before is not None and (before or not keyed):
                continue  # walked already by a path as good (so each container is walked at most twice)
            walked[id(container)] = keyed
            for step, item, by_key in _items(container):
                through = keyed or by_key
                if id(item) in targets:
                    yield path + step, item, (1, 0 if through else 1, depth)
                elif _walkable(item, kinds):
                    deeper.append((path + step, item, through))
        if not deeper:
            return
        level = deeper


def _items(container: object) -> Iterator[tuple[str, object, bool]]:
    """What a container holds, with the step that reaches each item and whether it is a dict's key."""
    if isinstance(container, dict):
        for key, item in list(container.items()):
            if isinstance(key, (str, int)) and not isinstance(key, bool):
                yield f"[{key!r}]", item, True
    elif isinstance(container, (list, tuple)):
        for i, item in enumerate(container):
            yield f"[{i}]", item, False
    else:
        for attr, item in list(vars(container).items()):
            if attr[:1] != "_":
                yield f".{attr}", item, False


def _walkable(x: object, kinds: set[type]) -> bool:
    """Whether `x` may hold nodes of the graph: a non-empty dict, list or tuple whose first item is a
    node (of the graph or not: a row of parameters may start with one this graph does not use) or
    walkable itself, or an instance of a class the notebook defined that is not a node."""
    if isinstance(x, (list, tuple)):
        return bool(x) and (type(x[0]) in kinds or _walkable(x[0], kinds))
    if isinstance(x, dict):
        if not x:
            return False
        first = next(iter(x.values()))
        return type(first) in kinds or _walkable(first, kinds)
    kind = type(x)
    return kind.__module__ in USER_MODULES and kind not in kinds and hasattr(x, "__dict__") and not isinstance(x, type)
