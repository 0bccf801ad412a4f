// End-to-end against independent float64 references: small programs written here, data made
// here by a seeded PRNG and passed as inputs (rounded to float32, and the references use the
// same rounded values, so both sides solve exactly the same problem), results compared with
// plain-TypeScript float64 computations that share nothing with tfjs or iterlang.
import { describe, expect, it } from "vitest";
import type { NpyArray } from "../../runtime/npy.js";
import { type ExportedValue, type RunOutput, runSource } from "../../runtime/run.js";
import { mulberry32 } from "../../base/mulberry32.js";

// ---------------------------------------------------------------------------------------------
// Float64 helpers (row-major n×n matrices)

/** mulberry32: a small seedable PRNG, uniforms in [0, 1). */
const rng = mulberry32;

/** Standard normals by Box–Muller. */
function normals(seed: number, count: number): Float64Array {
  const u = rng(seed);
  return Float64Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()));
}

/** Rounds every entry to float32: the values the program will actually see. */
const f32 = (a: ArrayLike<number>): Float64Array => Float64Array.from(a as ArrayLike<number>, Math.fround);

function matvec(A: ArrayLike<number>, x: ArrayLike<number>, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
    y[i] = s;
  }
  return y;
}

function matmul(A: ArrayLike<number>, B: ArrayLike<number>, n: number): Float64Array {
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const a = A[i * n + k];
      for (let j = 0; j < n; j++) C[i * n + j] += a * B[k * n + j];
    }
  return C;
}

function norm2(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const diff = (a: ArrayLike<number>, b: ArrayLike<number>): Float64Array => Float64Array.from({ length: a.length }, (_, i) => a[i] - b[i]);

/** A random orthogonal matrix: modified Gram–Schmidt on the columns of a Gaussian matrix. */
function orthogonal(n: number, seed: number): Float64Array {
  const G = normals(seed, n * n);
  const Q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const v = Float64Array.from({ length: n }, (_, i) => G[i * n + j]);
    for (let k = 0; k < j; k++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += Q[i * n + k] * v[i];
      for (let i = 0; i < n; i++) v[i] -= d * Q[i * n + k];
    }
    const nv = norm2(v);
    for (let i = 0; i < n; i++) Q[i * n + j] = v[i] / nv;
  }
  return Q;
}

/** Q diag(λ) Qᵀ, exactly symmetric (the upper triangle is mirrored). */
function spdWithEigenvalues(lambda: readonly number[], seed: number): Float64Array {
  const n = lambda.length;
  const Q = orthogonal(n, seed);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += Q[i * n + k] * lambda[k] * Q[j * n + k];
      A[i * n + j] = s;
      A[j * n + i] = s;
    }
  return A;
}

/** Solves A x = b for SPD A by Cholesky, in float64. */
function choleskySolve(A: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= L[j * n + k] ** 2;
    if (!(d > 0)) throw new Error("not SPD");
    L[j * n + j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / L[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Running programs

const input = (shape: number[], data: ArrayLike<number>): NpyArray => ({ dtype: "float32", shape, data: Float32Array.from(data as ArrayLike<number>) });

async function run(source: string, inputs: Record<string, NpyArray>): Promise<RunOutput> {
  const out = await runSource(source, { file: "<test>", inputs: new Map(Object.entries(inputs)), backend: "wasm" });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return out;
}

function exported(out: RunOutput, name: string): ExportedValue {
  const e = out.exports.find((x) => x.name === name);
  if (!e) throw new Error(`no export \`${name}\``);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Picard and damped on x ← tanh(W x + b), ‖W‖₂ = 0.9

describe("fixpoint x ← tanh(W x + b) with ‖W‖₂ = 0.9", () => {
  const n = 16;
  // W = 0.9 (I − 2vvᵀ/vᵀv): 0.9 times an orthogonal reflection, so every singular value is 0.9.
  const v = normals(11, n);
  const vv = v.reduce((s, x) => s + x * x, 0);
  const W = f32(Float64Array.from({ length: n * n }, (_, k) => 0.9 * ((Math.floor(k / n) === k % n ? 1 : 0) - (2 * v[Math.floor(k / n)] * v[k % n]) / vv)));
  const b = f32(normals(12, n));
  const T = (x: ArrayLike<number>) => matvec(W, x, n).map((y, i) => Math.tanh(y + b[i]));

  // The float64 reference: Picard from zeros until ‖T(x) − x‖ < 1e-12.
  let xStar = new Float64Array(n);
  for (let it = 0; it < 10_000; it++) {
    const next = T(xStar);
    const r = norm2(diff(next, xStar));
    xStar = next;
    if (r < 1e-12) break;
  }
  expect(norm2(diff(T(xStar), xStar))).toBeLessThan(1e-12);

  // Tolerance: the program stops when r = ‖T(x) − x‖₂ < 1e-6 (evaluated in float32), and T is
  // L-Lipschitz with L = 0.9 (tanh is 1-Lipschitz, ‖W‖₂ = 0.9), so
  //   ‖x − x*‖ ≤ ‖x − T x‖ + ‖T x − T x*‖ ≤ r + L‖x − x*‖  ⇒  ‖x − x*‖ ≤ r/(1 − L) = 1e-5,
  // and the max-abs error is at most the 2-norm. Float32 rounding in evaluating r (a few ulps of
  // ‖x‖ ≈ 3, i.e. ~1e-7 in each entry) is well inside the margin a contraction typically leaves.
  const TOL = 1e-6 / (1 - 0.9);

  const program = (method: string) => `
input W: f32[n, n]
input b: f32[n]
fixpoint x: f32[n] = tanh(W @ x + b)
  init zeros
  method ${method}
  until residual < 1e-6
  max 2000
export x
`;

  it("picard matches a float64 Picard iteration to r/(1 − L) = 1e-5", async () => {
    const out = await run(program("picard"), { W: input([n, n], W), b: input([n], b) });
    expect(out.reports).toHaveLength(1);
    const [r] = out.reports;
    expect(r).toMatchObject({ kind: "fixpoint", method: "picard", converged: true, reason: "converged_atol" });
    expect(r.residual).toBeLessThan(1e-6);
    expect(maxAbsDiff(exported(out, "x").data, xStar)).toBeLessThan(TOL);
  });

  it("damped(damping: 0.5) converges to the same point", async () => {
    const out = await run(program("damped(damping: 0.5)"), { W: input([n, n], W), b: input([n], b) });
    const [r] = out.reports;
    expect(r).toMatchObject({ kind: "fixpoint", method: "damped", converged: true, reason: "converged_atol" });
    // The report's residual is ‖T(x) − x‖ of the undamped map, so the same bound holds.
    expect(r.residual).toBeLessThan(1e-6);
    expect(maxAbsDiff(exported(out, "x").data, xStar)).toBeLessThan(TOL);
  });
});

// ---------------------------------------------------------------------------------------------
// CG on a dense SPD system

describe("solve A @ u = b method cg on a dense SPD system, n = 16", () => {
  const n = 16;
  const kappa = 50;
  // Eigenvalues spread geometrically over [1, κ]: cond₂(A) = κ (up to float32 rounding of A).
  const lambda = Array.from({ length: n }, (_, i) => kappa ** (i / (n - 1)));
  const A = f32(spdWithEigenvalues(lambda, 21));
  const b = f32(normals(22, n));
  const uStar = choleskySolve(A, b, n);

  it("matches a float64 Cholesky solve to κ·(rtol + n·eps)", async () => {
    const rtol = 1e-5;
    const out = await run(
      `
input A: f32[n, n]
input b: f32[n]
solve A @ u = b method cg(rtol: ${rtol}) -> u
export u
`,
      { A: input([n, n], A), b: input([n], b) },
    );
    const [r] = out.reports;
    expect(r).toMatchObject({ kind: "solve", method: "cg", converged: true, reason: "converged_rtol" });
    expect(r.relResidual).toBeLessThanOrEqual(rtol);
    const u = exported(out, "u");
    expect(u.shape).toEqual([n]);
    // ‖u − u*‖/‖u*‖ ≤ κ · ‖b − A u‖/‖b‖. The solver certifies a relative residual ≤ rtol, which
    // float32 evaluates with an error of about n·eps₃₂ (eps₃₂ = 2⁻²³ ≈ 1.2e-7); κ = 50 turns
    // that into a relative error bound of κ·(rtol + n·eps₃₂) ≈ 6e-4.
    const eps32 = 2 ** -23;
    const relErr = norm2(diff(u.data, uStar)) / norm2(uStar);
    expect(relErr).toBeLessThan(kappa * (rtol + n * eps32));
    // And the same inequality with the residual recomputed in float64 (a theorem, no slack but κ's
    // float32 rounding): the error is what the residual says it is.
    const res64 = norm2(diff(b, matvec(A, u.data, n))) / norm2(b);
    expect(res64).toBeLessThan(2 * rtol);
    expect(relErr).toBeLessThanOrEqual(1.01 * kappa * res64);
  });
});

// ---------------------------------------------------------------------------------------------
// Newton–Schulz square root of an SPD input

describe("Newton–Schulz square root of an SPD input", () => {
  it("Y·Y matches A to 1e-4 relative (Frobenius, in float64)", async () => {
    const n = 16;
    const lambda = Array.from({ length: n }, (_, i) => 1 + (4 * i) / (n - 1)); // spectrum [1, 5]
    const A = f32(spdWithEigenvalues(lambda, 31));
    const out = await run(
      `
input A: f32[n, n]
let s = fro(A)
loop k < 25 carry (Y = A / s, Z = eye(n)) {
  let T = 0.5 * (3 * eye(n) - Z @ Y)
  Y = Y @ T
  Z = T @ Z
} -> (Y, Z)
export sqrtA = Y * sqrt(s)
`,
      { A: input([n, n], A) },
    );
    expect(out.reports[0]).toMatchObject({ kind: "loop", reason: "completed", iterations: 25, converged: true });
    const S = exported(out, "sqrtA");
    expect(S.shape).toEqual([n, n]);
    const SS = matmul(S.data, S.data, n);
    expect(norm2(diff(SS, A)) / norm2(A)).toBeLessThan(1e-4);
  });
});

// ---------------------------------------------------------------------------------------------
// A loop whose `until` stops it early

describe("loop with `until` that stops early", () => {
  it("stops after as many iterations as the float64 recurrence", async () => {
    // Richardson: x ← x + ω r, r = b − A x, until ‖r‖ < tol; spectrum of A in [1, 5], ω = 0.3,
    // so the residual contracts by max|1 − ωλ| = 0.7 per iteration.
    const n = 16;
    const omega = 0.3;
    const tol = 1e-3;
    const lambda = Array.from({ length: n }, (_, i) => 1 + (4 * i) / (n - 1));
    const A = f32(spdWithEigenvalues(lambda, 41));
    const b = f32(normals(42, n));

    const norms: number[] = [];
    let x: Float64Array = new Float64Array(n);
    let r: Float64Array = Float64Array.from(b);
    let iterations = 0;
    while (iterations < 200) {
      x = x.map((xi, i) => xi + omega * r[i]);
      r = diff(b, matvec(A, x, n));
      iterations++;
      norms.push(norm2(r));
      if (norm2(r) < tol) break;
    }
    expect(iterations).toBeGreaterThan(5);
    expect(iterations).toBeLessThan(200);
    // The stopping test is not a near tie that float32 could decide either way.
    expect(Math.abs(norms[iterations - 1] - tol) / tol).toBeGreaterThan(1e-3);
    expect(Math.abs(norms[iterations - 2] - tol) / tol).toBeGreaterThan(1e-3);

    const out = await run(
      `
input A: f32[n, n]
input b: f32[n]
loop k < 200 carry (x = zeros(n), r = b) {
  x = x + ${omega} * r
  r = b - A @ x
}
  until norm(r) < ${tol}
  -> x
export x
`,
      { A: input([n, n], A), b: input([n], b) },
    );
    const [rep] = out.reports;
    expect(rep).toMatchObject({ kind: "loop", reason: "completed", converged: true });
    expect(rep.iterations).toBe(iterations);
    expect(maxAbsDiff(exported(out, "x").data, x)).toBeLessThan(1e-4);
  });
});

// ---------------------------------------------------------------------------------------------
// The stopping rule is the one written

describe("solve with only an absolute `until`", () => {
  // Once a regression: the method's default rtol applied beside `until residual < …`, so the
  // solve reported converged_rtol at a residual far above the one asked for.
  it("is not reported converged_rtol, and converges only at the asked residual", async () => {
    const out = await run(
      `
dim N = 15
op A(u: f32[n, n]) = stencil5(u, center: 6, side: -1)
let f = 1000 * ones(N, N)
solve A(u) = f method cg until residual < 1e-6 -> u
export u
`,
      {},
    );
    const [r] = out.reports;
    expect(r.reason).not.toBe("converged_rtol");
    if (r.converged) expect(r.residual).toBeLessThan(1e-6);
  });
});
