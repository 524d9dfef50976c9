/**
 * The browser's replay against the Python engine: tests/test_replay.py writes random graphs
 * with the values and gradients Python computed, and runs this file on them.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { toNumbers } from "./format";
import { readTopology, type SentTopology, type Values } from "./graph";
import { backward, canReplay, forward, localDerivatives } from "./replay";
import { backwardSteps } from "./trace";

type PythonTrace = [node: number, grad: number | string, edges: [input: number, contribution: number | string][]][];

const casesFile = process.env.LIVEGRAD_REPLAY_CASES;

function same(got: number, want: number): boolean {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got);
  if (!Number.isFinite(want) || !Number.isFinite(got)) return got === want;
  return Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want));
}

describe.skipIf(!casesFile)("replay matches the Python engine", () => {
  it("on every graph Python sent", () => {
    const cases: { topology: SentTopology; values: Values; trace: PythonTrace }[] = JSON.parse(
      readFileSync(casesFile!, "utf8"),
    );
    expect(cases.length).toBeGreaterThan(0);
    const mismatches: string[] = [];
    for (const [k, { topology: sent, values, trace }] of cases.entries()) {
      const topology = readTopology(sent);
      expect(canReplay(topology.nodes)).toBe(true);
      const wantData = toNumbers(values.data);
      const wantGrad = toNumbers(values.grad);
      const data = Float64Array.from(wantData, (x, i) => (topology.nodes[i].op ? 12345 : x));
      const grad = new Float64Array(data.length);
      forward(topology.nodes, data);
      backward(topology.nodes, data, grad, topology.root);
      data.forEach((x, i) => {
        if (!same(x, wantData[i]) || !same(grad[i], wantGrad[i])) {
          mismatches.push(
            `case ${k} node ${i} (${topology.nodes[i].op}): data ${x} vs ${wantData[i]}, grad ${grad[i]} vs ${wantGrad[i]}`,
          );
        }
      });
      // The trace, from the page's own local derivatives, step by step as Python has it.
      const steps = backwardSteps(topology.nodes, localDerivatives(topology.nodes, data), topology.root);
      expect(steps.map((s) => s.node)).toEqual(trace.map(([node]) => node));
      steps.forEach((step, s) => {
        const [, grad, edges] = trace[s];
        const ok =
          same(step.grad, Number(grad)) &&
          step.edges.every((e, j) => e.input === edges[j][0] && same(e.contribution, Number(edges[j][1])));
        if (!ok) mismatches.push(`case ${k} step ${s}: ${JSON.stringify(step)} vs ${JSON.stringify(trace[s])}`);
      });
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});
