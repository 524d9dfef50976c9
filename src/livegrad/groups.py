"""The groups a graph folds into: the recorded calls (of `livegrad.nn` modules, and of the user's
functions under `livegrad.record`) that computed its values, nested, with each value's innermost call.
`graph.Graph.groups` makes them; the page folds, expands and stacks them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .nn import Call
from .recording import Function

if TYPE_CHECKING:
    from .graph import Node


@dataclass(frozen=True)
class Groups:
    """A graph's module calls (`livegrad.nn.Call`) as the page folds them.

    ``calls``: the topology's "groups", parents before children: name, kind (class name), parent,
    module (index of the distinct module object), call (index among the parent's calls of that
    module), inputs and outputs (node ids). ``of``: per node id, its innermost group call (-1: top
    level). ``shared``: ids of values used by several calls of one module (its parameters), each a
    member of the first call only.
    """

    calls: list[dict[str, object]]
    of: list[int]
    shared: set[int]


def module_groups(
    order: list[Node], call_of: Callable[[Node], Call | None], by_id: dict[int, int], node_inputs: list[list[int]]
) -> Groups:
    """The groups of a graph: every recorded call (a module's or a function's) that returned one of
    its values (`call_of`), and the calls around and inside those that hold any. A call's members
    are the values reachable backwards from its outputs, stopping at its inputs, that no call
    inside it claims: calls are walked children first, and a walk that meets a child's value goes
    on from that child's inputs, so each value is visited once per enclosing call (nodes x nesting
    depth). (`by_id`: node id by the id of the object the user holds.)"""
    returned: dict[int, int] = {}  # id of each value a call returned (as the user holds it) -> its node id
    found: dict[int, Call] = {}  # the calls that returned a value of the graph, and the calls inside them
    outermost: dict[int, Call] = {}  # node id -> the outermost call that returned it
    for key, i in by_id.items():
        call = call_of(order[i])
        if call is not None:
            returned[key] = i
            outermost[i] = call
            found[id(call)] = call
    above: dict[int, Call] = {}  # id of a call -> the call it ran in
    stack = list(found.values())
    while stack:
        call = stack.pop()
        for child in call.children or ():
            above[id(child)] = call
            if id(child) not in found:
                found[id(child)] = child
                stack.append(child)
        for part in _parts(call):
            above[id(part)], found[id(part)] = call, part

    def outputs_in_graph(call: Call) -> list[int]:
        """Its returned values in the graph: each one's slot names this call, or a call around it that
        returned the value too (an id alone could be a newer value's, once the one returned is gone)."""
        ids = []
        for key in (call.outputs,) if type(call.outputs) is int else call.outputs:
            if key in returned:
                last, around = outermost[returned[key]], call
                while around is not None and around is not last:
                    around = above.get(id(around))
                if around is not None:
                    ids.append(returned[key])
        return list(dict.fromkeys(ids))

    everything = sorted(found.values(), key=lambda c: c.seq)  # the order they started: parents first
    outputs_of = {id(c): outputs_in_graph(c) for c in everything}
    kept = {id(c) for c in everything if outputs_of[id(c)]}  # with a value in the graph, or such a call inside
    for call in reversed(everything):
        if id(call) in kept and id(call) in above:
            kept.add(id(above[id(call)]))
    calls = [c for c in everything if id(c) in kept]
    position = {id(c): g for g, c in enumerate(calls)}
    parent = [position[id(above[id(c)])] if id(c) in above else -1 for c in calls]

    received: dict[int, list[int]] = {}  # a layer's neurons receive one list: read it once

    def arguments(call: Call) -> list[int]:
        """The graph's values among what the call received; of a function's, the computed ones only:
        the leaves it reaches (``linear(x, w)``'s weights) are its members, as a module's parameters are."""
        key = id(call.received)  # alive (the call holds it): the id is its own
        if key not in received:
            held = _held(call.received, by_id)
            received[key] = [i for i in held if node_inputs[i]] if isinstance(call.module, Function) else held
        return received[key]

    inputs = [arguments(c) for c in calls]
    outputs = [outputs_of[id(c)] for c in calls]
    modules: dict[int, int] = {}  # id of a module object -> its index, in the order of first call
    module = [modules.setdefault(id(c.module), len(modules)) for c in calls]

    names: list[str] = []
    namesakes: dict[tuple[int, str], list[int]] = {}  # (parent, name) -> modules of that name, in call order
    calls_so_far: Counter[tuple[int, int]] = Counter()  # (parent, module) -> its calls so far
    entries = []
    for g, c in enumerate(calls):
        name = getattr(c.module, "name", None)
        base = name if isinstance(name, str) and name else type(c.module).__name__
        same = namesakes.setdefault((parent[g], base), [])
        if module[g] not in same:
            same.append(module[g])
        rank = same.index(module[g])
        names.append(base if rank == 0 else f"{base}#{rank + 1}")
        key = (parent[g], module[g])
        entries.append(
            {
                "name": names[g],
                "kind": type(c.module).__name__,
                "parent": None if parent[g] < 0 else parent[g],
                "module": module[g],
                "call": calls_so_far[key],
                "inputs": inputs[g],
                "outputs": outputs[g],
            }
        )
        calls_so_far[key] += 1

    of = [-1] * len(order)
    shared: set[int] = set()
    leaves: list[int] = []  # the leaves the calls hold: their parameters among them
    for g in _children_first(parent):
        stop = set(inputs[g])
        entered: set[int] = set()  # children of g whose inputs the walk has gone on from
        stack = list(outputs[g])
        while stack:
            i = stack.pop()
            owner = of[i]
            if i in stop or owner == g:
                continue
            if owner < 0:
                of[i] = g
                if node_inputs[i]:
                    stack += node_inputs[i]
                else:
                    leaves.append(i)
                continue
            child = owner  # the call inside g that holds i, if any
            while child >= 0 and parent[child] != g:
                child = parent[child]
            if child < 0:  # another call's value: a parameter of this module, met again
                if module[owner] == module[g]:
                    shared.add(i)
            elif child not in entered:
                entered.add(child)
                if inputs[child] is not inputs[g]:  # (a layer's neurons receive the layer's own inputs)
                    stack += inputs[child]
    parameters: dict[int, set[int]] = {}  # per module holding leaves, the ids of its parameters
    for i in leaves:
        m = module[of[i]]
        if m not in parameters:
            parameters[m] = {by_id[id(p)] for p in calls[of[i]].module.parameters() if id(p) in by_id}
        if i in parameters[m]:
            shared.add(i)
    return Groups(entries, of, shared)


def _held(x: object, by_id: dict[int, int]) -> list[int]:
    """The node ids of the graph's values in `x`: one, or any in (nested) lists, tuples and dicts, in order."""
    found: dict[int, None] = {}
    stack = [x]
    while stack:
        item = stack.pop()
        i = by_id.get(id(item))
        if i is not None:
            found[i] = None
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(item.values()))
    return list(found)


def _parts(call: Call) -> list[Call]:
    """The calls of a layer's neurons, recorded with the layer's call (see `livegrad.nn.Call`)."""
    if not call.parts:
        return []
    outputs = (call.outputs,) if type(call.outputs) is int else call.outputs
    made = []
    for k, (module, output) in enumerate(zip(call.parts, outputs), 1):
        part = object.__new__(Call)
        part.module, part.received, part.outputs = module, call.received, output
        part.seq = call.seq + k / (len(call.parts) + 1)  # after the layer's start, before the next call's
        part.children = part.parts = None
        made.append(part)
    return made


def _children_first(parent: list[int]) -> list[int]:
    """The calls in the order they returned: each call's children (in call order) before it."""
    children: list[list[int]] = [[] for _ in parent]
    for g, p in enumerate(parent):
        if p >= 0:
            children[p].append(g)
    done: list[int] = []
    stack = [(g, False) for g in reversed(range(len(parent))) if parent[g] < 0]
    while stack:
        g, returned = stack.pop()
        if returned:
            done.append(g)
            continue
        stack.append((g, True))
        stack.extend((k, False) for k in reversed(children[g]))
    return done
