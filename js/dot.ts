/**
 * The DOT text laid out by Graphviz. Labels never enter it: each text is a run of
 * placeholder characters of the same length (the font is monospace), and the real text
 * is set later with textContent. So no label can be read as DOT, SVG or HTML.
 */
import { WIDEST_NUMBER, cardName } from "./format";
import type { Cluster, Element, VisibleGraph } from "./fold";
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

/** What a folded element's record says, field by field (the view fills the same fields with textContent). */
export function foldFields(element: Exclude<Element, { kind: "value" }>, outputs: number): string[] {
  const number = (name: string): string => `${name} ${WIDEST_NUMBER}`;
  const first = outputs > 1 ? [`${outputs} outputs; the first:`] : [];
  switch (element.kind) {
    case "more":
      return [moreText(element.values)];
    case "group":
      return [`▸ ${element.summary}`, ...first, number("data"), number("grad")];
    case "sum":
      return [`▸ ${element.summary}`, `${element.terms} terms`, number("data"), number("grad")];
    case "stack":
      return element.expanded
        ? [
            `${element.name} × ${element.calls.length}`,
            pickerText(element.calls.length),
            `${element.calls.length - 1} other calls`,
          ]
        : [
            `▸ ${element.name} × ${element.calls.length}`,
            element.summary,
            pickerText(element.calls.length),
            ...first,
            number("data"),
            number("grad"),
          ];
  }
}

/** What a cut view's "⋯" element says: the values hidden below the element it stands under. */
export const moreText = (values: number): string =>
  `⋯ ${values.toLocaleString("en-US")} more value${values === 1 ? "" : "s"}`;

/** The room a stack's picker takes: "call 99 (0–99)" at its widest. */
export const pickerText = (calls: number): string => `call ${calls - 1} (0–${calls - 1}) ▴▾`;

/** An open group's or Σ's header, above its cluster. */
export function clusterHeader(cluster: Cluster): string {
  if (cluster.kind === "sum") return `▾ ${cluster.summary ?? "Σ"}`;
  return cluster.stack
    ? `▾ ${cluster.name} · call ${cluster.stack.picked} of ${cluster.stack.calls}`
    : `▾ ${cluster.name}`;
}

/** The DOT name of element `e`: a value by its node id, as before folding; anything else by its index. */
export const dotName = (visible: VisibleGraph, e: number): string => {
  const element = visible.elements[e];
  return element.kind === "value" ? `v${element.id}` : `e${e}`;
};

/**
 * Each value is a card: its name over its data over its grad, so a record is as narrow as
 * "grad -0000.0000" and the classic label | data | grad still reads top to bottom. A folded
 * element is a card too, its fields from `foldFields`; an open group or Σ is a cluster.
 */
export function toDot(topology: Topology, visible: VisibleGraph, rankdir: string): string {
  const lines = header(rankdir, visible.clusters.length > 0);
  const numberField = placeholder(WIDEST_NUMBER);
  // A record's fields run across the ranks' direction: with ranks left to right, "a|b|c" stacks.
  const [open, close] = rankdir === "LR" || rankdir === "RL" ? ["", ""] : ["{", "}"];
  const { elements, clusters } = visible;
  const edges: string[] = [];
  const incoming: number[][] = elements.map(() => []);
  for (const [from, to] of visible.edges) incoming[to].push(from);
  // A module's parameter sits beside what it feeds, not a rank before it: a layer's cluster then
  // starts after the previous layer's outputs, not beside them (no staircase of clusters).
  const beside = (from: number): string => {
    const source = elements[from];
    return source.kind === "value" && topology.nodes[source.id].shared ? " [minlen=0]" : "";
  };
  const sources = sourcesOf(topology, visible, incoming);
  const { busOf, homes } = junctions(visible, sources, (from) => beside(from) !== "");
  const joined = new Set<number>();
  /** The edges into element `e`, whose head in DOT is `head` (its record, or its op's node). */
  const into = (e: number, head: string): void => {
    const bus = busOf[e];
    if (bus < 0) {
      for (const from of sources[e]) edges.push(`  ${dotName(visible, from)} -> ${head}${beside(from)};`);
      return;
    }
    if (!joined.has(bus)) {
      joined.add(bus);
      for (const from of sources[e]) edges.push(`  ${dotName(visible, from)} -> b${bus} [arrowhead=none];`);
    }
    edges.push(`  b${bus} -> ${head};`);
  };
  const declare = (e: number, indent: string): void => {
    const element = elements[e];
    const name = dotName(visible, e);
    if (element.kind !== "value") {
      const outputs = element.kind === "sum" ? 1 : element.kind === "more" ? 0 : element.outputs.length;
      const fields = foldFields(element, outputs).map(placeholder);
      const style = element.kind === "more" ? " style=dashed" : "";
      lines.push(`${indent}${name} [shape=record${style} label="${open}${fields.join("|")}${close}"];`);
      into(e, name);
      return;
    }
    const node = topology.nodes[element.id];
    const label = placeholder(shownLabel(cardName(node)));
    lines.push(
      `${indent}${name} [shape=record label="${open}${label}|data ${numberField}|grad ${numberField}${close}"];`,
    );
    if (!node.op) return;
    lines.push(`${indent}${name}op [label="${placeholder(opText(node))}" width=0 height=0 margin="0.04,0.02"];`);
    edges.push(`  ${name}op -> ${name};`);
    into(e, `${name}op`);
  };
  const items = clusterItems(visible);
  const emit = (c: number, indent: string): void => {
    for (const [, e, inner] of items[c + 1].sort((x, y) => x[0] - y[0] || x[2] - y[2])) {
      if (e >= 0) {
        declare(e, indent);
        continue;
      }
      const label = placeholder(clusterHeader(clusters[inner]));
      lines.push(
        `${indent}subgraph cluster_${inner} {`,
        `${indent}  label="${label}"; labeljust=l; fontname="Courier"; fontsize=10;`,
      );
      emit(inner, indent + "  ");
      lines.push(`${indent}}`);
    }
    homes.forEach((home, bus) => {
      if (home === c) lines.push(`${indent}b${bus} [shape=point width=0.06 class="lg-bus"];`);
    });
  };
  emit(-1, "  ");
  lines.push(...sameRanks(topology, visible, rankdir));
  lines.push(...edges, "}");
  return lines.join("\n");
}

/** The DOT graph's opening lines: its direction and spacing, and the records' font. */
function header(rankdir: string, clustered: boolean): string[] {
  const lines = [
    "digraph G {",
    // searchsize: a shorter network-simplex search, about a fifth faster on large graphs here
    `  rankdir=${rankdir}; bgcolor="transparent"; nodesep=0.12; ranksep=0.25; searchsize=10;`,
    '  node [fontname="Courier" fontsize=10 height=0.2 margin="0.05,0.02"]; edge [arrowsize=0.5];',
  ];
  // One ranking for the whole graph rather than per cluster: with clusters, about three times faster
  // on the demo's first view (400 -> 130 ms), and edges that cross clusters keep their direction.
  if (clustered) lines.push("  newrank=true;");
  return lines;
}

/** Each element's sources: the elements its values' inputs are drawn in (a folded one's: its edges). */
function sourcesOf(topology: Topology, visible: VisibleGraph, incoming: number[][]): number[][] {
  const { elements } = visible;
  return elements.map((element, e) => {
    if (element.kind !== "value") return incoming[e];
    const found = new Set<number>();
    for (const input of topology.nodes[element.id].inputs) {
      const from = visible.elementOf[input];
      if (from >= 0 && from !== e) found.add(from);
    }
    for (const from of incoming[e]) if (elements[from].kind === "more") found.add(from); // inputs cut away
    return [...found];
  });
}

/** Each cluster's elements and inner clusters (index c + 1; 0 the top level) in the order of their first
 * element, as [where, element or -1, inner cluster or -1]: the drawing keeps the graph's order. */
function clusterItems(visible: VisibleGraph): [at: number, e: number, cluster: number][][] {
  const { clusters, clusterOf } = visible;
  const first = clusters.map(() => Infinity);
  clusterOf.forEach((c, e) => {
    for (let k = c; k >= 0 && first[k] > e; k = clusters[k].parent) first[k] = e;
  });
  const items: [at: number, e: number, cluster: number][][] = [[], ...clusters.map(() => [])];
  clusterOf.forEach((c, e) => items[c + 1].push([e, e, -1]));
  clusters.forEach((cluster, c) => {
    if (first[c] !== Infinity) items[cluster.parent + 1].push([first[c], -1, c]);
  });
  return items;
}

/** The DOT lines that put each open group's outputs on one rank, in the module's order. */
function sameRanks(topology: Topology, visible: VisibleGraph, rankdir: string): string[] {
  const lines: string[] = [];
  for (const cluster of visible.clusters) {
    if (cluster.kind !== "group") continue;
    const outs = new Set(
      (topology.groups ?? [])[cluster.group].outputs.map((o) => visible.elementOf[o]).filter((e) => e >= 0),
    );
    if (outs.size < 2) continue;
    const names = [...outs].map((e) => dotName(visible, e));
    lines.push(`  {rank=same; ${names.join("; ")}}`);
    // ... in the module's order (N0, N1, ...), kept by invisible edges within the rank: crossing
    // minimisation cannot tell a fully connected layer's orders apart and would rotate them.
    // (Graphviz orders a rank left to right, which ranks laid out left to right turn bottom to top.)
    const downward = rankdir === "LR" || rankdir === "RL" ? [...names].reverse() : names;
    lines.push(`  ${downward.join(" -> ")} [style=invis];`);
  }
  return lines;
}

/** The fewest sources, and targets, of a block drawn through a junction (see junctions). */
const BUS_SIZE = 3;

/**
 * Fully connected blocks: several elements each fed by the same several sources (a layer's
 * neurons by the layer before). Each block's edges meet at one junction node, `bN`: S + T edges
 * rather than S × T. The drawing reads as a bus rather than a grey band, and Graphviz lays it out
 * several times faster (a folded MLP(2, [16, 16, 1]): 288 edges become 64). `busOf[e]`: element
 * e's junction, -1 none; `homes[bus]`: the innermost cluster holding all of the block (-1: none).
 */
function junctions(
  visible: VisibleGraph,
  sources: readonly number[][],
  pinned: (from: number) => boolean, // an edge with its own attributes: never joined
): { busOf: Int32Array; homes: number[] } {
  const blocks = new Map<string, number[]>(); // the sources, sorted -> the elements they all feed
  sources.forEach((from, e) => {
    if (from.length < BUS_SIZE || from.some(pinned)) return;
    const key = [...from].sort((x, y) => x - y).join(",");
    const block = blocks.get(key);
    if (block) block.push(e);
    else blocks.set(key, [e]);
  });
  const { clusters, clusterOf } = visible;
  const around = (e: number): number[] => {
    const chain: number[] = [];
    for (let c = clusterOf[e]; c >= 0; c = clusters[c].parent) chain.unshift(c);
    return chain;
  };
  const busOf = new Int32Array(sources.length).fill(-1);
  const homes: number[] = [];
  for (const targets of blocks.values()) {
    const from = sources[targets[0]];
    if (targets.length < BUS_SIZE || from.length * targets.length < 2 * (from.length + targets.length)) continue;
    let common = around(targets[0]);
    for (const e of [...from, ...targets]) {
      const chain = around(e);
      let k = 0;
      while (k < common.length && common[k] === chain[k]) k++;
      common = common.slice(0, k);
    }
    for (const e of targets) busOf[e] = homes.length;
    homes.push(common.length > 0 ? common[common.length - 1] : -1);
  }
  return { busOf, homes };
}
