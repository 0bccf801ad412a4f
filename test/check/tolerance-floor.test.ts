// The checker's tolerance floor follows the float a construct computes in: float32 refuses a
// relative tolerance below 1e-7, float64 (an f64 unknown, or `--precision f64`) below 1e-14.
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/compile.js";

const solve = (dtype: string, method: string) => `
dim N = 15
op A(u: ${dtype}[n]) = 4 * u
let b = cast(ones(N), "${dtype}")
solve A(u) = b method ${method} -> u
export u
`;

const fixpoint = (dtype: string, until: string) => `
dim n = 4
fixpoint x: ${dtype}[n] = 0.5 * x + 1 init zeros until ${until} max 100
export x
`;

function errors(source: string, precision?: "f32" | "f64"): string[] {
  const out = checkSource(source, { file: "t.iter", ...(precision ? { precision } : {}) });
  return out.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code}: ${d.message}`);
}

describe("the tolerance floor follows the dtype", () => {
  it("float32 refuses rtol 1e-9, naming float64 as the way out", () => {
    expect(errors(solve("f32", "cg(rtol: 1e-9)"))).toEqual(["tolerance-too-fine: `rtol: 1e-9` is finer than float32 arithmetic can reach."]);
    const hint = checkSource(solve("f32", "cg(rtol: 1e-9)"), { file: "t.iter" }).diagnostics.find((d) => d.code === "tolerance-too-fine")?.hint;
    expect(hint).toContain("`f64`");
    expect(hint).toContain("--precision f64");
  });

  it("an f64 unknown takes rtol 1e-12; `--precision f64` does for an f32 one", () => {
    expect(errors(solve("f64", "cg(rtol: 1e-12)"))).toEqual([]);
    expect(errors(solve("f32", "cg(rtol: 1e-12)"), "f64")).toEqual([]);
  });

  it("float64 refuses below 1e-14", () => {
    expect(errors(solve("f64", "cg(rtol: 1e-15)"))).toEqual(["tolerance-too-fine: `rtol: 1e-15` is finer than float64 arithmetic can reach."]);
    expect(errors(solve("f32", "cg(rtol: 1e-16)"), "f64")).toEqual(["tolerance-too-fine: `rtol: 1e-16` is finer than float64 arithmetic can reach."]);
  });

  it("`until rel_residual < ...` follows the same floors", () => {
    expect(errors(fixpoint("f32", "rel_residual < 1e-10"))).toEqual(["tolerance-too-fine: `rel_residual < 1e-10` is finer than float32 arithmetic can reach."]);
    expect(errors(fixpoint("f64", "rel_residual < 1e-10"))).toEqual([]);
    expect(errors(fixpoint("f32", "rel_residual < 1e-10"), "f64")).toEqual([]);
    expect(errors(fixpoint("f64", "rel_residual < 1e-15"))).toEqual(["tolerance-too-fine: `rel_residual < 1e-15` is finer than float64 arithmetic can reach."]);
  });

  it("float32's floor itself is unchanged", () => {
    expect(errors(solve("f32", "cg(rtol: 1e-7)"))).toEqual([]);
  });
});
