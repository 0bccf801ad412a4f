// float64 end to end on the native backend: solves that stop at float32's floor converge to
// 1e-10 in float64 (Poisson by CG and by multigrid-preconditioned CG against its closed form;
// GMRES on a non-symmetric convection–diffusion problem against a dense LU), and f64 runs agree
// with float64 plain-TS references of the same computation to 1e-10.
import { describe, expect, it } from "vitest";
import { GENERATORS } from "../../compiler/ops/random.js";
import type { NpyArray } from "../../runtime/npy.js";
import { type ExportedValue, type RunOptions, type RunOutput, runSource } from "../../runtime/run.js";
import { luSolve } from "../drivers/reference.js";

async function run(source: string, options: RunOptions = {}): Promise<RunOutput> {
  const out = await runSource(source, { file: "f64.iter", backend: "native", ...options });
  expect(out.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return out;
}

function exported(out: RunOutput, name: string): ExportedValue {
  const e = out.exports.find((x) => x.name === name);
  if (!e) throw new Error(`no export \`${name}\``);
  return e;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** x(1 − x)·y(1 − y) on the N×N interior grid: the discrete solution too (the stencil is exact on it). */
function closedForm(N: number): Float64Array {
  const u = new Float64Array(N * N);
  for (let i = 0; i < N; i++)
    for (let j = 0; j < N; j++) {
      const [x, y] = [(j + 1) / (N + 1), (i + 1) / (N + 1)];
      u[i * N + j] = x * (1 - x) * y * (1 - y);
    }
  return u;
}

const poisson = (N: number, method: string, precond = "") => `
dim N = ${N}
op A(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2
let x = grid(N, axis: 1)
let y = grid(N, axis: 0)
let f = 2 * (x * (1 - x) + y * (1 - y))
solve A(u) = f method ${method} ${precond} -> u
export u
`;

describe("solves that stop at the float32 floor converge in float64 to 1e-10", () => {
  const N = 63;

  it("float32 cannot certify rtol 1e-7 at N = 63 (the floor), and refuses 1e-10 outright", async () => {
    const f32 = await run(poisson(N, "cg(rtol: 1e-7, maxiter: 2000)"));
    expect(f32.reports[0]).toMatchObject({ converged: false, reason: "max_iterations" });
    const refused = await runSource(poisson(N, "cg(rtol: 1e-10, maxiter: 2000)"), { file: "f64.iter", backend: "native" });
    const errors = refused.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.code, d.message])).toEqual([["tolerance-too-fine", "`rtol: 1e-10` is finer than float32 arithmetic can reach."]]);
    expect(errors[0].hint).toContain("--precision f64");
  });

  it("CG in float64 (`--precision f64`): true relative residual ≤ 1e-10, u within 1e-10 of the closed form", async () => {
    const out = await run(poisson(N, "cg(rtol: 1e-11, maxiter: 2000)"), { precision: "f64" });
    const r = out.reports[0];
    expect(r).toMatchObject({ method: "cg", converged: true, reason: "converged_rtol", engine: expect.stringMatching(/^native f64: fused .*step \(native: .*f64/) });
    expect(r.relResidual).toBeLessThanOrEqual(1e-10);
    const u = exported(out, "u");
    expect(u.dtype).toBe("float64");
    expect(maxDiff(u.data, closedForm(N))).toBeLessThanOrEqual(1e-10);
  });

  it("multigrid-preconditioned CG in float64: the same accuracy in a handful of iterations, flat in N", async () => {
    const iterations: number[] = [];
    for (const n of [31, 63]) {
      const out = await run(poisson(n, "cg(rtol: 1e-11, maxiter: 200)", "precond multigrid"), { precision: "f64" });
      const r = out.reports[0];
      expect(r).toMatchObject({ converged: true, reason: "converged_rtol" });
      expect(r.relResidual).toBeLessThanOrEqual(1e-10);
      expect(maxDiff(exported(out, "u").data, closedForm(n))).toBeLessThanOrEqual(1e-10);
      iterations.push(r.iterations);
    }
    expect(Math.max(...iterations)).toBeLessThanOrEqual(15);
    expect(iterations[1]).toBeLessThanOrEqual(iterations[0] + 2);
  });

  it("GMRES on a non-symmetric convection–diffusion problem, declared f64: within 1e-10 of a dense float64 LU", async () => {
    const n = 15;
    // −Δu + c ∂u/∂x by central differences: weights (row, column) on the 3×3 neighbourhood, × (n+1)².
    const c = 0.3;
    const w = [0, -1, 0, -1 - c, 4, -1 + c, 0, -1, 0];
    const W: NpyArray = { dtype: "float64", shape: [3, 3], data: Float64Array.from(w) };
    const b: NpyArray = { dtype: "float64", shape: [n, n], data: Float64Array.from({ length: n * n }, (_, k) => Math.sin(k + 1)) };
    const source = `
input W: f64[3, 3]
input b: f64[n, n]
op A(u: f64[m, m]) = stencil(u, W) * (m + 1)^2
solve A(u) = b method gmres(rtol: 1e-12, restart: 40, maxiter: 400) -> u
export u
`;
    const out = await run(source, { inputs: new Map([["W", W], ["b", b]]) });
    expect(out.reports[0]).toMatchObject({ method: "gmres", converged: true });
    // the dense matrix of the same operator (zero boundary)
    const h2 = (n + 1) ** 2;
    const A = new Float64Array(n * n * n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        for (let a = 0; a < 3; a++)
          for (let d = 0; d < 3; d++) {
            const [ii, jj] = [i + a - 1, j + d - 1];
            if (ii >= 0 && ii < n && jj >= 0 && jj < n) A[(i * n + j) * n * n + ii * n + jj] += w[a * 3 + d] * h2;
          }
    const ref = luSolve(A, b.data, n * n);
    const u = exported(out, "u");
    expect(u.dtype).toBe("float64");
    const scale = Math.max(...Array.from(ref, Math.abs));
    expect(maxDiff(u.data, ref) / scale).toBeLessThanOrEqual(1e-10);
  });
});

describe("f64 runs agree with float64 plain-TS references to 1e-10", () => {
  it("examples/newton-schulz.iter in float64 (`--precision f64`): the same 25 iterations in plain TS", async () => {
    const n = 32;
    const { readFileSync } = await import("node:fs");
    const file = new URL("../../examples/newton-schulz.iter", import.meta.url);
    const out = await run(readFileSync(file, "utf8"), { precision: "f64" });
    const G = GENERATORS.get("normal")!([n, n], 3, { std: 1, mean: 0 });
    const matmul = (X: Float64Array, Y: Float64Array) => {
      const Z = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) Z[i * n + j] += X[i * n + k] * Y[k * n + j];
      return Z;
    };
    const eye = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
    const Gt = Float64Array.from({ length: n * n }, (_, k) => G[(k % n) * n + Math.floor(k / n)]);
    const A = matmul(G, Gt).map((v, k) => v / n + eye[k]);
    const s = Math.sqrt(A.reduce((acc, v) => acc + v * v, 0));
    let [Y, Z] = [A.map((v) => v / s), eye];
    for (let k = 0; k < 25; k++) {
      const T = matmul(Z, Y).map((v, i) => 0.5 * (3 * eye[i] - v));
      [Y, Z] = [matmul(Y, T), matmul(T, Z)];
    }
    const sqrtA = Y.map((v) => v * Math.sqrt(s));
    const got = exported(out, "sqrtA");
    expect(got.dtype).toBe("float64");
    expect(maxDiff(got.data, sqrtA)).toBeLessThanOrEqual(1e-10);
    expect(exported(out, "defect").data[0]).toBeLessThan(1e-13);
  });

  it("a fixed point x = tanh(W x + b) from float64 inputs: Picard in plain TS, to 1e-10", async () => {
    const n = 24;
    const G = GENERATORS.get("normal")!([n, n], 7, { std: 1, mean: 0 });
    const W: NpyArray = { dtype: "float64", shape: [n, n], data: G.map((v) => (0.6 * v) / Math.sqrt(n)) };
    const bb: NpyArray = { dtype: "float64", shape: [n], data: Float64Array.from({ length: n }, (_, i) => Math.cos(i) / 3) };
    const source = `
input W: f32[n, n]
input b: f32[n]
fixpoint x: f32[n] = tanh(W @ x + b) init zeros until residual < 1e-14 max 2000
export x
`;
    const out = await run(source, { precision: "f64", inputs: new Map([["W", W], ["b", bb]]) });
    expect(out.reports[0]).toMatchObject({ converged: true });
    let x = new Float64Array(n);
    for (let k = 0; k < 2000; k++) {
      const next = Float64Array.from({ length: n }, (_, i) => {
        let acc = bb.data[i];
        for (let j = 0; j < n; j++) acc += W.data[i * n + j] * x[j];
        return Math.tanh(acc);
      });
      const done = maxDiff(next, x) < 1e-16;
      x = next;
      if (done) break;
    }
    expect(maxDiff(exported(out, "x").data, x)).toBeLessThanOrEqual(1e-10);
  });
});

describe("the tfjs backends refuse float64, naming the native backend", () => {
  it("`--precision f64` on cpu", async () => {
    await expect(runSource("export y = ones(3) * 2", { file: "t.iter", backend: "cpu", precision: "f64" })).rejects.toThrow(/computes in float32 only.*--backend native/);
  });

  it("an f64 value on wasm", async () => {
    await expect(runSource("let a = cast(ones(3), \"f64\")\nexport y = a * 2", { file: "t.iter", backend: "wasm" })).rejects.toThrow(/float64.*--backend native/);
  });

  it("auto runs float64 on native", async () => {
    const out = await runSource("export y = ones(3) / 3", { file: "t.iter", precision: "f64" });
    expect(out.backend?.name).toBe("native");
    expect(Array.from(exported(out, "y").data)).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });
});
