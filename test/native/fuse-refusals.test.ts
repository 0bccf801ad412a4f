// What the fuser refuses, and that it says so naming the op (the region then runs op by op):
// ops with no emit rule, arguments a rule cannot take, constructs a fused region cannot hold.
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { type Attr, isConstruct, namedRegions, walkOps } from "../../compiler/ir/ir.js";
import { allOps } from "../../compiler/ops/index.js";
import { NATIVE_RULES, NATIVE_UNSUPPORTED } from "../../compiler/native/lower/rules.js";
import { fuseRegion } from "../../runtime/native/fuse.js";

/** The first loop body of a program whose loop carries `y = a` (a: f32[8, 8] input). */
function refusal(body: string, extra = ""): string {
  const src = `dim n = 8\ninput a: f32[n, n]\n${extra}\nloop k < 3 carry (y = a) {\n  y = ${body}\n} -> y\nexport y\n`;
  const c = compileSource(src, { inputShapes: new Map([["a", [8, 8]]]) });
  if (!c.module) throw new Error(c.diagnostics.map((d) => d.message).join("\n"));
  const main = c.module.funcs.get("main")!;
  const constants = new Map<number, Attr>();
  for (const op of walkOps(main.body)) if (op.kind === "const") constants.set(op.outputs[0].id, op.value);
  const loop = [...walkOps(main.body)].find(isConstruct)!;
  const [, body0] = namedRegions(loop)[0];
  const f = fuseRegion(body0, "f32", { constants });
  return f.ok ? "accepted" : f.refused;
}

describe("refusals", () => {
  it("names an op without an emit rule", () => {
    expect(refusal("transpose(y)")).toMatch(/`transpose` is a layout op/);
    expect(refusal("y + sum(y, axis: 0) * 0")).toMatch(/`sum` over an axis/);
  });

  it("names the argument a rule cannot take", () => {
    expect(refusal('stencil5(y, center: 4, side: -1, boundary: "periodic")')).toMatch(/`stencil5` with boundary "periodic"/);
    expect(refusal("y ^ (k + 0.5)")).toMatch(/`pow` with an exponent that is not a constant/);
    expect(refusal("y * v", "let v = ones(n)")).toMatch(/`mul` broadcasting \[8\] to \[8, 8\]/);
  });

  it("accepts what has rules", () => {
    expect(refusal("stencil5(y, center: 4, side: -1) * 0.1 + y ^ 2 - 1 / (1 + abs(y))")).toBe("accepted");
  });

  it("has a rule or a reason for every op of the registry", () => {
    const missing = allOps()
      .map((r) => r.name)
      // Creations are made in the graph as constants; `tally` is x itself there, its count kept apart.
      .filter((n) => !NATIVE_RULES.has(n) && !NATIVE_UNSUPPORTED.has(n) && !["zeros", "ones", "fill", "eye", "grid", "linspace", "arange", "parity", "tally"].includes(n));
    expect(missing).toEqual([]);
  });
});
