/**
 * Topologies as the kernel sends them for livegrad.nn.MLP, built by hand for tests: each call of
 * MLP, Layer and Neuron a group (nested), parameters recorded in the first call that uses them and
 * marked shared, and micrograd's demo loss over `samples` points when asked.
 */
import type { Group, Topology, TopologyNode, Values } from "../graph";
import { backward, forward } from "../replay";
import { OPS } from "./helpers";

export function mlpTopology(nin: number, sizes: number[], samples = 1, demoLoss = samples > 1): Topology {
  const nodes: TopologyNode[] = [];
  const groups: Group[] = [];
  const add = (node: TopologyNode): number => nodes.push(node) - 1;
  const leaf = (label: string, name = label, group?: number): number =>
    add({ label, name, op: "", inputs: [], ...(group !== undefined && { group, shared: true as const }) });
  const op = (op: string, inputs: number[], group: number | undefined, label = ""): number =>
    add({ label, name: label || op, op, inputs, ...(group !== undefined && { group }) });
  const call = (name: string, kind: string, parent: number | null, module: number, index: number, inputs: number[]) =>
    groups.push({ name, kind, parent, module, call: index, inputs, outputs: [] }) - 1;
  const params = new Map<string, number>();
  const param = (label: string, group: number): number => {
    if (!params.has(label)) params.set(label, leaf(label, label, group));
    return params.get(label)!;
  };
  const scores: number[] = [];
  for (let s = 0; s < samples; s++) {
    let x = Array.from({ length: nin }, (_, i) => leaf(`MLP input ${i}`));
    const mlp = call("MLP", "MLP", null, 0, s, x);
    let module = 1;
    sizes.forEach((size, l) => {
      const layer = call(`L${l}`, "Layer", mlp, module++, 0, x);
      const outs: number[] = [];
      for (let j = 0; j < size; j++) {
        const name = `L${l}.N${j}`;
        const neuron = call(name, "Neuron", layer, module++, 0, x);
        let act = param(`${name}.b`, neuron);
        x.forEach((xi, i) => {
          const product = op("*", [param(`${name}.w${i}`, neuron), xi], neuron);
          act = op("+", [act, product], neuron);
        });
        const last = l === sizes.length - 1;
        if (last) nodes[act] = { ...nodes[act], label: name, name };
        const out = last ? act : op("relu", [act], neuron, name);
        groups[neuron].outputs.push(out);
        outs.push(out);
      }
      groups[layer].outputs.push(...outs);
      x = outs;
    });
    groups[mlp].outputs.push(...x);
    scores.push(x[0]);
  }
  if (!demoLoss) {
    return { nodes, root: nodes.length - 1, ops: OPS, groups };
  }
  const losses = scores.map((score, s) => {
    const y = leaf("", s % 2 ? "1" : "-1");
    const margin = op("+", [op("*", [score, y], undefined), leaf("", "1")], undefined);
    return op("relu", [margin], undefined);
  });
  let total = op("+", [losses[0], leaf("", "0")], undefined);
  for (const l of losses.slice(1)) total = op("+", [total, l], undefined);
  const dataLoss = op("*", [total, leaf("", "0.01")], undefined);
  let reg = -1;
  for (const p of params.values()) {
    const square = op("*", [p, p], undefined);
    reg = reg < 0 ? op("+", [square, leaf("", "0")], undefined) : op("+", [reg, square], undefined);
  }
  const regLoss = op("*", [reg, leaf("", "0.0001")], undefined);
  op("+", [dataLoss, regLoss], undefined, "loss");
  return { nodes, root: nodes.length - 1, ops: OPS, groups };
}

/** Values as the kernel would send them: leaves from a fixed rule, the rest replayed. */
export function valuesOf(topology: Topology): Values & { data: number[]; grad: number[] } {
  const data = new Float64Array(topology.nodes.length);
  topology.nodes.forEach((node, id) => {
    if (node.inputs.length === 0) data[id] = node.label ? Math.sin(id + 1) : Number(node.name);
  });
  forward(topology.nodes, data);
  const grad = new Float64Array(data.length);
  backward(topology.nodes, data, grad, topology.root);
  return { data: [...data], grad: [...grad] };
}
