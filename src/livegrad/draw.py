"""The classic static picture of a graph, as a `graphviz.Digraph` (micrograd's `draw_dot`)."""

from __future__ import annotations

import re

import graphviz

from .graph import RANKDIRS, Graph
from .scope import display_path

FORMATS = ("svg", "png", "pdf", "dot", "jpg", "gif")
_RECORD_SPECIAL = re.compile(r'([\\{}|<>"])')


def record_text(text: str) -> str:
    """`text` as literal content of a Graphviz record field: metacharacters escaped, lines kept.

    Spaces are escaped too, since record fields otherwise trim and collapse them.
    """
    escaped = _RECORD_SPECIAL.sub(r"\\\1", text).replace(" ", "\\ ")
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def draw_dot(root: object, format: str = "svg", rankdir: str = "LR") -> graphviz.Digraph:
    """A record per value (label | data | grad) and a small node per op, in the seeds' style.

    Node names come from the topological order (``v0``, ``v1``, ...), so the same graph
    gives the same DOT text on every run. Rendering needs Graphviz's ``dot``; in a notebook
    `GraphWidget` draws without it. `root` may be a learner's own micrograd-style node.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    graph = Graph.of(root)
    index = graph.index()
    dot = graphviz.Digraph(format=format, graph_attr={"rankdir": rankdir})
    for i, value in enumerate(graph.order):
        fields = f"{record_text(display_path(graph.labels[i]))}|data {value.data:.4f}|grad {value.grad:.4f}"
        dot.node(f"v{i}", label=f"{{{fields}}}", shape="record")
        if not value.is_leaf():
            dot.node(f"v{i}op", label=graphviz.escape(value.op))
            dot.edge(f"v{i}op", f"v{i}")
            for source in value.inputs:
                dot.edge(f"v{index[source]}", f"v{i}op")
    return dot
