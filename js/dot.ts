/**
 * The DOT text laid out by Graphviz. Labels never enter it: each text is a run of
 * placeholder characters of the same length (the font is monospace), and the real text
 * is set later with textContent. So no label can be read as DOT, SVG or HTML.
 */
import { WIDEST_NUMBER } from "./format";
import type { Topology, TopologyNode } from "./graph";

/** Labels longer than this are cut (with an ellipsis) on screen; the tooltip has them whole. */
export const MAX_LABEL_CHARS = 40;

export function shownLabel(label: string): string {
  const oneLine = label.replace(/\s+/g, " ");
  const chars = Array.from(oneLine);
  return chars.length > MAX_LABEL_CHARS ? chars.slice(0, MAX_LABEL_CHARS - 1).join("") + "…" : oneLine;
}

const placeholder = (text: string): string => "X".repeat(Math.max(1, Array.from(text).length));

/** An op node's text; a learner's op livegrad does not know is marked with "?". */
export const opText = (node: TopologyNode): string => (node.unknown_op ? `${node.op} ?` : node.op);

/**
 * Each value is a card: its name over its data over its grad, so a record is as narrow as
 * "grad -0000.0000" and the classic label | data | grad still reads top to bottom.
 */
export function toDot(topology: Topology, rankdir: string): string {
  const lines = [
    "digraph G {",
    // searchsize: a shorter network-simplex search, about a fifth faster on large graphs here
    `  rankdir=${rankdir}; bgcolor="transparent"; nodesep=0.12; ranksep=0.25; searchsize=10;`,
    '  node [fontname="Courier" fontsize=10 height=0.2 margin="0.05,0.02"]; edge [arrowsize=0.5];',
  ];
  const numberField = placeholder(WIDEST_NUMBER);
  // A record's fields run across the ranks' direction: with ranks left to right, "a|b|c" stacks.
  const [open, close] = rankdir === "LR" || rankdir === "RL" ? ["", ""] : ["{", "}"];
  topology.nodes.forEach((node, i) => {
    const label = placeholder(shownLabel(node.name));
    lines.push(`  v${i} [shape=record label="${open}${label}|data ${numberField}|grad ${numberField}${close}"];`);
    if (node.op) {
      lines.push(`  v${i}op [label="${placeholder(opText(node))}" width=0 height=0 margin="0.04,0.02"];`);
      lines.push(`  v${i}op -> v${i};`);
      for (const input of node.inputs) lines.push(`  v${input} -> v${i}op;`);
    }
  });
  lines.push("}");
  return lines.join("\n");
}
