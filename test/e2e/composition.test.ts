// Methods and preconditioners composed in one line on shapes other than the examples' 2D grids:
// a vector unknown, a dense operator, Jacobi's probed diagonal on a 1D grid.
import { describe, expect, it } from "vitest";
import { runSource } from "../../runtime/run.js";

const run = (source: string) => runSource(source, { file: "t.iter", backend: "cpu" });

describe("composition", () => {
  it("gmres with jacobi on a dense SPD system and anderson on a vector converge", async () => {
    const out = await run(`dim n = 50
let A = normal(n, n, seed: 1)
let M = A @ transpose(A) + n * eye(n)
let b = ones(n)
solve M @ x = b method gmres(restart: 20, rtol: 1e-6) precond jacobi -> x
fixpoint z = 0.5 * tanh(z) + 1 init zeros(n) method anderson(m: 3) until residual < 1e-6
export x
export z`);
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(out.reports.map((r) => [r.name, r.method, r.converged])).toEqual([
      ["x", "gmres", true],
      ["z", "anderson", true],
    ]);
  });

  it("CG with the probed Jacobi diagonal on a 1D three-point stencil with a varying coefficient", async () => {
    // The diagonal varies (2 + 10 x²), so Jacobi helps; probing is exact for 3-point stencils.
    const src = (precond: string) => `dim N = 200
let c = 2 + 10 * linspace(0, 1, N)^2
op A(u: f32[n]) {
  let p = pad(u, 1)
  return c * u - 0.9 * (p[0:n] + p[2:n + 2])
}
let f = ones(N)
solve A(u) = f method cg(rtol: 1e-5) ${precond} -> u
export u`;
    const plain = await run(src(""));
    const jacobi = await run(src("precond jacobi"));
    for (const out of [plain, jacobi]) expect(out.reports[0].converged).toBe(true);
    expect(jacobi.reports[0].iterations).toBeLessThan(plain.reports[0].iterations);
  });
});

describe("checking with concrete sizes", () => {
  it("iterc check reports a method that does not fit the unknown's shape, at the user's solve", async () => {
    const { checkSource } = await import("../../compiler/compile.js");
    const src = "dim n = 8\nlet b = ones(n)\nsolve 2 * x = b method cg precond multigrid -> x\nexport x";
    const errors = checkSource(src, { file: "t.iter" }).diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.code, d.span.start.line])).toEqual([["method-does-not-fit", 3]]);
    expect(errors[0].message).toMatch(/^In `multigrid` of the standard library \(stdlib\/multigrid\.iter:\d+\): `\w+` expects `b` to be f32\[n, n\], but this argument is f32\[n\]/);
  });

  it("finds a method that does not fit even while the sizes are still symbolic", async () => {
    const { checkSource } = await import("../../compiler/compile.js");
    const src = "dim n\nlet b = ones(n)\nsolve 2 * x = b method cg precond multigrid -> x\nexport x";
    const errors = checkSource(src, { file: "t.iter" }).diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.code, d.span.start.line])).toEqual([["method-does-not-fit", 3]]);
  });

  it("says nothing of what only a size without a value could decide", async () => {
    const { checkSource } = await import("../../compiler/compile.js");
    const src = "dim N\ninput f: f32[N]\nlet g = f[0:N / 2]\nexport g";
    expect(checkSource(src, { file: "t.iter" }).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("input dtypes", () => {
  const k = (data: number[]) => new Map([["k", { dtype: "float32" as const, shape: [3], data: Float32Array.from(data) }]]);
  it("whole numbers given as float32 (JSON) fill an i32 input", async () => {
    const out = await runSource("input k: i32[3]\nexport s = sum(k)", { file: "t.iter", backend: "cpu", inputs: k([1, 2, 3]) });
    expect([...out.exports[0].data]).toEqual([6]);
  });
  it("a fraction given for an i32 input is an error naming the input and both dtypes", async () => {
    await expect(runSource("input k: i32[3]\nexport s = sum(k)", { file: "t.iter", backend: "cpu", inputs: k([1.5, 2, 3]) })).rejects.toThrow(
      "The data given for `k` holds float32 values, but `k` is declared as i32[3] (int32).",
    );
  });
});
