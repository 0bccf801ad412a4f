// The seam between the native interpreter and the region fuser, with a fuser that returns views
// of reused buffers (test/native-rt/view-fuser.ts): fused runs give exactly the unfused answers,
// the reports say which regions ran fused, and `auto` picks native exactly when every region
// the constructs call is fused. And the default fuser (runtime/native/fuse.ts, WebAssembly)
// through runSource: `auto` takes native with it, and a region run again sees new captures.
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { chooseAuto, memoFuser } from "../../runtime/engine.js";
import { refusingFuser } from "../../runtime/native/refusing-fuser.js";
import { type RunOutput, runSource } from "../../runtime/run.js";
import { viewFuser } from "./view-fuser.js";

const POISSON = (method: string) => `
dim N = 15
op A(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2
let x = grid(N, axis: 1)
let y = grid(N, axis: 0)
let f = 2 * (x * (1 - x) + y * (1 - y))
solve A(u) = f method ${method} -> u
export u
`;

const PROGRAMS: Record<string, string> = {
  "cg (stdlib, start/step)": POISSON("cg(rtol: 1e-5, maxiter: 500)"),
  "bicgstab (stdlib)": POISSON("bicgstab(rtol: 1e-5, maxiter: 500)"),
  "gmres (TypeScript driver)": POISSON("gmres(rtol: 1e-5, restart: 20, maxiter: 500)"),
  "picard": `
dim n = 16
let W = normal(n, n, seed: 1) * 0.1
fixpoint x: f32[n] = tanh(W @ x + 1) init zeros until residual < 1e-6 max 200
export x
`,
  "anderson": `
dim n = 16
let W = normal(n, n, seed: 1) * 0.2
fixpoint x: f32[n] = tanh(W @ x + 1) init zeros method anderson(m: 3) until residual < 1e-6 max 200
export x
`,
  "loop": `
dim n = 8
loop k < 50 carry (x = ones(n), y = zeros(n)) {
  x = 0.5 * x + 0.1 * tanh(y)
  y = 0.9 * y + x * k / 50
} -> (x, y)
export s = sum(x * y)
`,
  "gradient through a fixpoint (an adjoint solve)": `
dim n = 8
input b: f32[n] = ones(n)
op F(b: f32[n]) {
  fixpoint x: f32[n] = 0.5 * tanh(x) + b init zeros until residual < 1e-6 max 200
  return sum(x * x)
}
export g = grad(F, b)
`,
};

async function run(source: string, fuser?: ReturnType<typeof viewFuser>): Promise<RunOutput> {
  const out = await runSource(source, { file: "t.iter", backend: "native", fuser: fuser ?? refusingFuser });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return out;
}

describe("fused regions", () => {
  it.each(Object.keys(PROGRAMS))("%s: fused views give exactly the unfused answer", async (name) => {
    const source = PROGRAMS[name];
    const fuser = viewFuser();
    const [plain, fused] = [await run(source), await run(source, fuser)];
    expect(fuser.calls).toBeGreaterThan(0);
    expect(fused.reports.map((r) => [r.name, r.iterations, r.reason])).toEqual(plain.reports.map((r) => [r.name, r.iterations, r.reason]));
    fused.exports.forEach((e, i) => expect(Array.from(e.data)).toEqual(Array.from(plain.exports[i].data)));
    for (const r of plain.reports) expect(r.engine).toBe("native f32: op by op (plain TS)");
    for (const r of fused.reports) expect(r.engine).toMatch(/^native f32: fused .*test: op by op into reused buffers/);
  });

  it("a region the fuser refuses runs op by op, and the report names it with the reason", async () => {
    // the operator region (one parameter, one result) is refused; start and step are fused
    const fuser = viewFuser((r) => (r.params.length === 1 && r.results.length === 1 ? "no emit rule for `stencil5` (test)" : undefined));
    const out = await run(POISSON("cg(rtol: 1e-5, maxiter: 500)"), fuser);
    expect(out.reports[0].engine).toMatch(/^native f32: fused (start|step).*; op by op: operator \(no emit rule for `stencil5` \(test\)\)$/);
  });
});

describe("the default fuser's regions", () => {
  it("a construct run again reads its captured value anew, even in the array of the last run's", async () => {
    // Each trip of the outer body (op by op: it holds constructs) runs both inner loops again.
    // The first inner loop's result d is a view of its fused body's memory, in the same array on
    // every trip; the second captures it. Taken as unchanged, the first trip's d (= c) was
    // added on every trip: x = 3c instead of x_{k+1} = 2 x_k + c = 7c (newton_krylov_step's
    // line search read the first Newton direction on every step the same way).
    const source = `
let c = [1.0, 2, 3, 4]
loop k < 3 carry (x = zeros(4)) {
  loop carry (d = x) { d = d + c } until sum(d) > 0 max 5 -> d
  loop carry (w = x) { w = w + d } until sum(w) > -1e9 max 5 -> w
  x = w
} -> x
export x
`;
    const out = await runSource(source, { file: "t.iter", backend: "native" });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(Array.from(out.exports[0].data)).toEqual([7, 14, 21, 28]);
    expect(out.reports.filter((r) => /fused/.test(r.engine ?? "")).length).toBeGreaterThan(0);
  });

  it("the module's constants reach the fuser: minres's `gbar^2`, its exponent a const hoisted out of the step, compiles", async () => {
    // Loop-invariant code motion moves the literal 2 out of the step; passed as a runtime value,
    // `pow` would be refused (its exponent must be known when compiling) and the step would run
    // op by op, so auto would not take native.
    const source = `
let A = [[1.0, 0, 0, 0], [0, 2.0, 0, 0], [0, 0, 3.0, 0], [0, 0, 0, 4.0]]
let b = [1.0, -2, 0.5, 3]
solve A @ u = b method minres(rtol: 1e-6) -> u
export u
`;
    const out = await runSource(source, { file: "t.iter" });
    expect(out.backend?.name).toBe("native");
    expect(out.reports[0]).toMatchObject({ converged: true, engine: expect.stringMatching(/^native f32: fused .*step \(native: /) });
    expect(out.reports[0].engine).not.toContain("op by op");
    const u = Array.from(out.exports[0].data);
    [1, -1, 0.5 / 3, 0.75].forEach((want, i) => expect(u[i]).toBeCloseTo(want, 5));
  });
});

describe("auto", () => {
  const module = (source: string) => compileSource(source, { file: "t.iter" }).module!;
  const cg = module(POISSON("cg(rtol: 1e-5, maxiter: 500)"));

  it("takes native on a CPU when every region the constructs call is fused", () => {
    expect(chooseAuto(cg, viewFuser(), "f32", false)).toMatchObject({ engine: "native" });
  });

  it("takes tfjs when a region is refused, saying which and why", () => {
    const choice = chooseAuto(cg, viewFuser((r) => (r.ops.some((op) => op.kind === "builtin" && op.opcode === "stencil5") ? "no emit rule for `stencil5`" : undefined)), "f32", false);
    expect(choice).toEqual({ engine: "tfjs", why: "a region of `u` cannot be fused: no emit rule for `stencil5`" });
    expect(chooseAuto(cg, refusingFuser, "f32", false).engine).toBe("tfjs");
  });

  it("takes tfjs on a GPU, and for a program with nothing to fuse", () => {
    expect(chooseAuto(cg, viewFuser(), "f32", true)).toMatchObject({ engine: "tfjs", why: "a GPU is available" });
    expect(chooseAuto(module("export y = ones(3) * 2"), viewFuser(), "f32", false)).toMatchObject({ engine: "tfjs" });
  });

  it("takes native for float64, whatever the fuser and the device", () => {
    expect(chooseAuto(cg, refusingFuser, "f64", true)).toMatchObject({ engine: "native" });
    const f64 = module("let a = cast(ones(3), \"f64\")\nexport b = 2 * a");
    expect(chooseAuto(f64, refusingFuser, "f32", false)).toMatchObject({ engine: "native", why: expect.stringContaining("computes in float64") });
  });

  it("asks the fuser once per region: the choice and the run share the answers", () => {
    const fuser = viewFuser();
    const memo = memoFuser(fuser);
    chooseAuto(cg, memo, "f32", false);
    const first = fuser.compiled;
    chooseAuto(cg, memo, "f32", false);
    expect(fuser.compiled).toBe(first);
  });

  it("through runSource: native with a fuser that fuses everything, tfjs with the refusing fuser", async () => {
    const source = POISSON("cg(rtol: 1e-5, maxiter: 500)");
    const fused = await runSource(source, { file: "t.iter", fuser: viewFuser() });
    expect(fused.backend?.name).toBe("native");
    expect(fused.backend?.description).toContain("auto: the fuser compiles every region");
    const plain = await runSource(source, { file: "t.iter", fuser: refusingFuser });
    expect(plain.backend?.name).not.toBe("native");
  });

  it("through runSource with the default fuser (the WebAssembly one): native on a CPU, its regions fused", async () => {
    const out = await runSource(POISSON("cg(rtol: 1e-5, maxiter: 500)"), { file: "t.iter" });
    expect(out.backend?.name).toBe("native");
    expect(out.backend?.description).toContain("fused regions where the fuser compiles them");
    expect(out.backend?.description).toContain("auto: the fuser compiles every region");
    expect(out.reports[0]).toMatchObject({ converged: true, engine: expect.stringMatching(/^native f32: fused operator \(native: .*start \(native: .*step \(native: /) });
    const onlyOps = await runSource(POISSON("cg(rtol: 1e-5, maxiter: 500)"), { file: "t.iter", backend: "native", fuser: refusingFuser });
    expect(onlyOps.backend?.description).toContain("plain-TS kernels; no region fuser");
    expect(onlyOps.reports[0].engine).toBe("native f32: op by op (plain TS)");
  });
});
