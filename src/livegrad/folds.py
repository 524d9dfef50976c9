"""Folding the page's groups by name from Python: `expand`, `collapse` and `pick`, a part of `GraphWidget`.

The page and Python share the folds through two traits, ``expanded`` (open groups and Σ chains) and
``picks`` (the call on show of each stack); these methods write them as a user's clicks would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .graph import Graph


class FoldsByName:
    """`GraphWidget`'s folds, driven by name: it reads the widget's graph and writes its traits."""

    _graph: Graph
    expanded: list[str] | None
    picks: dict[str, int]

    def expand(self, name: str) -> None:
        """Open the group `name` (a module path, ``"L1.N3"``, or a Σ chain's ``"#<id>"``) on the page,
        and every group around it, so it becomes visible. Before the page has drawn its default view,
        everything else starts folded."""
        shown = dict.fromkeys(self.expanded or [])
        shown.update(dict.fromkeys(self._enclosing(name, "expand")))
        self.expanded = list(shown)

    def collapse(self, name: str) -> None:
        """Fold the group (or Σ chain) `name` on the page; the groups inside it keep their state."""
        self._enclosing(name, "collapse")
        self.expanded = [shown for shown in self.expanded or [] if shown != name]

    def pick(self, name: str, call: int) -> None:
        """Show call `call` (from 0) of the stack `name` (a module called several times in a row,
        drawn as ``MLP × 100``): the page shows that call's values inside it."""
        stacks = self._stacks()
        if name not in stacks:
            known = ", ".join(list(stacks)[:5]) or "none in this graph"
            raise ValueError(f"pick: {name!r} is not a stack (a module called several times); stacks: {known}")
        if type(call) is not int or not 0 <= call < stacks[name]:
            raise ValueError(f"pick: {name!r} has calls 0 to {stacks[name] - 1}, got {call!r:.50}")
        self.picks = {**self.picks, name: call}

    def _stacks(self) -> dict[str, int]:
        """Each stack's name and its number of calls: sibling calls of one module, two or more."""
        counts: dict[str, int] = {}
        for call in self._graph.groups.calls:
            counts[call["name"]] = max(counts.get(call["name"], 0), call["call"] + 1)  # type: ignore[call-overload,operator]
        return {name: n for name, n in counts.items() if n > 1}

    def _enclosing(self, name: str, argument: str) -> list[str]:
        """`name` and the names of the groups around it (outermost first); a ValueError if unknown."""
        calls = self._graph.groups.calls
        if not isinstance(name, str):
            raise TypeError(f"{argument}: a group is named by a str ('L1.N3', or '#12' for a Σ chain), got {name!r:.9}")
        if name.startswith("#") and name[1:].isdigit() and self._is_sum(int(name[1:])):
            inner = [self._graph.groups.of[int(name[1:])]]
        else:
            inner = [g for g, call in enumerate(calls) if call["name"] == name]
        if not inner:
            known = list(dict.fromkeys(call["name"] for call in calls))
            sample = ", ".join(known[:5]) + (", ..." if len(known) > 5 else "") if known else "none in this graph"
            raise ValueError(f"{argument}: no group named {name!r}: groups are named by module, as {sample}")
        around: dict[str, None] = {}
        for g in inner:
            chain = []
            while g >= 0:
                chain.append(calls[g]["name"])
                parent = calls[g]["parent"]
                g = -1 if parent is None else parent  # type: ignore[assignment]
            around.update(dict.fromkeys(reversed(chain)))
        around[name] = None  # a Σ chain's key, after the groups around it
        return list(around)

    def _is_sum(self, node_id: int) -> bool:
        """Whether `node_id` is a value a Σ chain can end at: a sum (an op "+")."""
        return 0 <= node_id < len(self._graph.order) and self._graph.order[node_id].op == "+"
