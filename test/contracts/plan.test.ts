// The planner: the probe program holds what the contract needs and nothing more, at the sizes
// the file, `--set` and `for` give (8 for a size nothing gives), drawing what has no value.
import { describe, expect, it } from "vitest";
import { contractsOf, planContract } from "../../compiler/contracts/index.js";
import { format } from "../../grammar/format.js";
import { parse } from "../../grammar/parse.js";
import { lines } from "./helpers.js";

function plans(source: string, set: Record<string, number> = {}) {
  const p = parse(source, "t.iter");
  expect(p.diagnostics).toEqual([]);
  const { index, contracts } = contractsOf(p.program);
  return contracts.map((c) => planContract(index, c, new Map(Object.entries(set))));
}

const file = lines(
  "dim N = 63",
  "input f: f32[N, N]",
  "input A: f32[m, m]",
  "op L(u: f32[n, n]) is spd = stencil5(u, center: 4, side: -1)",
  "solve L(u) = f method cg -> u",
  "let s = fro(A)",
  "check fro(A) < 10 for A ~ uniform(lo: 0, hi: 0.1)",
  "check converges(u, within: 100) for N = 15",
);

describe("planContract", () => {
  it("a tag's program holds its op and the probe, not the program's solve", () => {
    const [tag] = plans(file);
    const text = format(tag.program);
    expect(text).toMatch(/op L\(u: f32\[n, n\]\) is spd/);
    expect(text).not.toMatch(/solve/);
    expect(tag.sizes.get("n")).toBe(8);
    expect(tag.draws.map((d) => [d.name, d.role, d.shape])).toEqual([
      ["x", "point", [8, 8]],
      ["y", "point", [8, 8]],
      ["v", "point", [8, 8]],
    ]);
  });

  it("an input without a value is drawn, from its `for` distribution; a size it introduces gets a value", () => {
    const [, cond] = plans(file);
    expect(cond.draws).toEqual([{ name: "A", role: "input", dtype: "f32", shape: [8, 8], dist: { name: "uniform", params: { lo: 0, hi: 0.1 } } }]);
    expect(format(cond.program)).toMatch(/^dim m = 8$/m);
    expect(format(cond.program)).not.toMatch(/input f/);
  });

  it("`for N = 15` sizes the runs of one contract; `--set` the others; the solve and its input are kept", () => {
    const [, , conv] = plans(file, { N: 31, n: 4 });
    expect(conv.set).toEqual(new Map([["N", 15]]));
    expect(conv.draws.map((d) => [d.name, d.shape])).toEqual([["f", [15, 15]]]);
    expect(format(conv.program)).toMatch(/solve L\(u\) = f/);
    const [tag] = plans(file, { n: 4 });
    expect(tag.draws[0].shape).toEqual([4, 4]);
  });
});
