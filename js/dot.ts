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

export function toDot(topology: Topology, rankdir: string): string {
  const lines = [
    "digraph G {",
    // searchsize: a shorter network-simplex search, about a fifth faster on large graphs here
    `  rankdir=${rankdir}; bgcolor="transparent"; nodesep=0.15; ranksep=0.3; searchsize=10;`,
    '  node [fontname="Courier" fontsize=12 height=0.3]; edge [arrowsize=0.6];',
  ];
  const numberField = placeholder(WIDEST_NUMBER);
  topology.nodes.forEach((node, i) => {
    const label = placeholder(shownLabel(node.label));
    lines.push(`  v${i} [shape=record label="{${label}|data ${numberField}|grad ${numberField}}"];`);
    if (node.op) {
      lines.push(`  v${i}op [label="${placeholder(opText(node))}" margin="0.04,0.02"];`);
      lines.push(`  v${i}op -> v${i};`);
      for (const input of node.inputs) lines.push(`  v${input} -> v${i}op;`);
    }
  });
  lines.push("}");
  return lines.join("\n");
}
