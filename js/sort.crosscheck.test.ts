/**
 * The page's sort and naive pass against Python's: tests/test_order.py writes random graphs with
 * reused values, and `topo_trace`'s and `naive_backward_trace`'s steps, and runs this file on them.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { toNumbers } from "./format";
import { readTopology, type SentTopology, type Values } from "./graph";
import { naivePlan, sortPlan, stackAt, whyOf } from "./sort";

interface Case {
  topology: SentTopology;
  values: Values;
  topo: [kind: string, id: number, stack: number[], topo: number[], why: string][];
  naive: { steps: [node: number, grad: number, fault: string][]; grads: number[]; wrong: number[] };
}

const casesFile = process.env.LIVEGRAD_SORT_CASES;

describe.skipIf(!casesFile)("the page's sort and naive pass match Python's", () => {
  it("on every graph Python sent", () => {
    const cases: Case[] = JSON.parse(readFileSync(casesFile!, "utf8"));
    expect(cases.length).toBeGreaterThan(0);
    for (const { topology: sent, values, topo, naive } of cases) {
      const { nodes, root } = readTopology(sent);
      const name = (id: number) => nodes[id].name;
      const plan = sortPlan(nodes, root);
      const got = plan.steps.map((s) => [
        s.kind,
        s.node,
        stackAt(plan, s),
        plan.order.slice(0, s.topo),
        whyOf(nodes, s, name),
      ]);
      expect(got).toEqual(topo);
      const locals = (values.local ?? []).map((row) => row.map((d) => (d === null ? null : Number(d))));
      const pass = naivePlan(nodes, locals, root)!;
      expect(pass.steps.map((s) => [s.node, s.fault])).toEqual(naive.steps.map(([node, , fault]) => [node, fault]));
      pass.steps.forEach((s, k) => expect(s.grad).toBeCloseTo(naive.steps[k][1], 9));
      expect([...pass.grads].map((g, i) => g - naive.grads[i]).every((d) => Math.abs(d) < 1e-9)).toBe(true);
      expect(pass.wrong).toEqual(naive.wrong);
      expect(toNumbers(values.grad).length).toBe(nodes.length);
    }
  });
});
