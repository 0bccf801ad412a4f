// stdlib/fixed-point.iter: picard, damped and halpern, run (1) by calling their _start/_step ops
// directly from a test program (a `loop` that records every iterate and residual), against
// float64 plain-TS references, and (2) through `fixpoint ... method NAME` and the generic driver.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { runFixpoint } from "../reference/fixpoint-driver.js";
import type { NpyArray } from "../../runtime/npy.js";
import { type RunOutput, runSource } from "../../runtime/run.js";
import { f32, gaussian, matvec, norm, qdrt, randomOrthogonal, rng, sub, tf, useCpu } from "../drivers/reference.js";

beforeAll(useCpu);

const LIB = readFileSync(new URL("../../stdlib/fixed-point.iter", import.meta.url), "utf8");

const arr = (data: ArrayLike<number>, shape: number[]): NpyArray => ({ dtype: "float32", shape, data: Float32Array.from(data) });

async function run(program: string, inputs: Record<string, NpyArray>, withLib = true): Promise<RunOutput> {
  const out = await runSource((withLib ? LIB + "\n" : "") + program, { file: "test.iter", backend: "cpu", inputs: new Map(Object.entries(inputs)) });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return out;
}

function exported(out: RunOutput, name: string): Float32Array {
  const e = out.exports.find((x) => x.name === name);
  if (!e) throw new Error(`no export ${name}`);
  return e.data as Float32Array;
}

/** Row k of a row-major [rows, n] array. */
const row = (X: Float32Array, k: number, n: number) => X.subarray(k * n, (k + 1) * n);

// ---------------------------------------------------------------------------------------------
// x ← tanh(W x + b) with ‖W‖₂ = 0.9: W = 0.9·Q₁ D Q₂ᵀ, D uniform in [0, 1] with max exactly 1.

interface Contraction {
  n: number;
  W: Float64Array; // float32-rounded
  b: Float64Array;
}

function contraction(n: number, seed: number): Contraction {
  const normal = gaussian(rng(seed));
  const Q1 = randomOrthogonal(n, normal);
  const Q2 = randomOrthogonal(n, normal);
  const u = rng(seed + 7);
  const d = Array.from({ length: n }, (_, i) => 0.9 * (i === 0 ? 1 : u()));
  return { n, W: f32(qdrt(Q1, d, Q2, n)), b: f32(Array.from({ length: n }, normal)) };
}

function T64({ n, W, b }: Contraction, x: ArrayLike<number>): Float64Array {
  const y = matvec(W, x, n);
  for (let i = 0; i < n; i++) y[i] = Math.tanh(y[i] + b[i]);
  return y;
}

function fixpoint64(c: Contraction): Float64Array {
  let x: Float64Array = new Float64Array(c.n);
  for (let k = 0; k < 5000; k++) {
    const y = T64(c, x);
    const r = norm(sub(y, x));
    x = y;
    if (r <= 1e-15) break;
  }
  return x;
}

const contractionInputs = (c: Contraction) => ({ W: arr(c.W, [c.n, c.n]), b: arr(c.b, [c.n]) });

/** K steps of NAME from x₀ = 0, recording x_k (rows 0..K of X) and the step's res (R[k], k < K). */
function recorder(K: number, name: "picard" | "damped", opts = ""): string {
  return `
input W: f32[n, n]
input b: f32[n]
dim K = ${K}
let x0 = ${name}_start(z => tanh(W @ z + b), zeros(n)${opts})
loop k < K carry (x = x0, X = zeros(K + 1, n), R = zeros(K)) {
  let (xn, r) = ${name}_step(z => tanh(W @ z + b), x${opts})
  X = X + outer(where(arange(K + 1, dtype: "f32") == k + 1, 1, 0), xn)
  R = R + where(arange(K, dtype: "f32") == k, r, 0)
  x = xn
} -> (X, R)
export X
export R
`;
}

describe("picard_step on x ← tanh(Wx + b), ‖W‖₂ = 0.9, against float64", () => {
  const L = 0.9;
  it("every iterate and residual matches the float64 iteration; both a-posteriori bounds hold at every k", async () => {
    // Tolerances. Each float32 map evaluation errs by δ_k = ‖x_k − T₆₄(x_{k−1})‖ (measured below,
    // ~1e-7); errors contract: ‖x_k − x_k⁶⁴‖ ≤ max δ / (1 − L) ≈ 1e-6, asserted ≤ 5e-6.
    // The bounds are checked in their exact form for a perturbed iteration x_k = T(x_{k−1}) + e_k:
    //   ‖x_k − x*‖ ≤ (L‖x_k − x_{k−1}‖ + δ_k) / (1 − L)      (the classical L/(1−L)·step bound)
    //   ‖x_k − x*‖ ≤ ‖T(x_k) − x_k‖ / (1 − L)                 (runFixpoint's errorBound, r/(1−L))
    // with x* a float64 fixed point (error ≤ 1e-14) and the residual recomputed in float64; the
    // reported float32 res is checked against that residual to 1e-3 relative + 3e-7 absolute.
    const K = 60;
    const src = recorder(K, "picard");
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 24 }), fc.integer({ min: 1, max: 2 ** 30 }), async (n, seed) => {
        const c = contraction(n, seed);
        const out = await run(src, contractionInputs(c));
        const X = exported(out, "X");
        const R = exported(out, "R");
        const xs = fixpoint64(c);
        let x64: Float64Array = new Float64Array(n);
        for (let k = 0; k <= K; k++) {
          const xk = row(X, k, n);
          expect(norm(sub(xk, x64))).toBeLessThanOrEqual(5e-6);
          const err = norm(sub(xk, xs));
          if (k < K) {
            const r64 = norm(sub(T64(c, xk), xk));
            expect(Math.abs(R[k] - r64)).toBeLessThanOrEqual(1e-3 * r64 + 3e-7);
            expect(err).toBeLessThanOrEqual(r64 / (1 - L) + 1e-12);
          }
          if (k >= 1) {
            const prev = row(X, k - 1, n);
            const delta = norm(sub(xk, T64(c, prev)));
            expect(delta).toBeLessThanOrEqual(1e-6);
            expect(err).toBeLessThanOrEqual((L * norm(sub(xk, prev)) + delta) / (1 - L) + 1e-12);
          }
          x64 = T64(c, x64);
        }
      }),
      { seed: 3, numRuns: 6 },
    );
  });

  it("`fixpoint ... method picard(lipschitz: 0.9)`: the reported errorBound r/(1 − L) bounds the true error", async () => {
    // What runFixpointMethod reports: { value: r/(1 − L), lipschitz: L, source: "declared" } with
    // r the residual ‖T(x) − x‖ of the returned x (one step ahead of the L/(1−L)·‖x_k − x_{k−1}‖
    // form). The float32 r differs from float64's by ≲ 3e-7, which the 1/(1 − L) = 10 turns into
    // the 3e-6 margin. Without a declared L a converged picard run gets an ESTIMATED L (largest of
    // the last 5 residual ratios, from below): checked here to be ≤ 0.9 + 1e-3, labelled
    // `estimated`, and (measured on these instances) also an upper bound of the error.
    for (const seed of [11, 12, 13]) {
      const c = contraction(16, seed);
      const xs = fixpoint64(c);
      for (const tol of [1e-3, 1e-5]) {
        for (const decl of ["(lipschitz: 0.9)", ""]) {
          const out = await run(
            `input W: f32[n, n]
input b: f32[n]
fixpoint x: f32[n] = tanh(W @ x + b) init zeros method picard${decl} until residual < ${tol} max 1000
export x`,
            contractionInputs(c),
            false,
          );
          const [r] = out.reports;
          expect(r).toMatchObject({ method: "picard", converged: true });
          const err = norm(sub(exported(out, "x"), xs));
          expect(r.errorBound).toBeDefined();
          if (decl) {
            expect(r.errorBound).toMatchObject({ lipschitz: 0.9, source: "declared" });
            expect(r.errorBound!.value).toBeCloseTo(r.residual / 0.1, 6);
          } else {
            expect(r.errorBound!.source).toBe("estimated");
            expect(r.errorBound!.lipschitz).toBeLessThanOrEqual(0.9 + 1e-3);
          }
          expect(err).toBeLessThanOrEqual(r.errorBound!.value + 3e-6);
        }
      }
      // the declared bound is the driver's, whatever the method: halpern(lipschitz: 0.9) too
      const out = await run(
        `input W: f32[n, n]
input b: f32[n]
fixpoint x: f32[n] = tanh(W @ x + b) init zeros method halpern(lipschitz: 0.9) until residual < 1e-2 max 5000
export x`,
        contractionInputs(c),
        false,
      );
      const [r] = out.reports;
      expect(r).toMatchObject({ method: "halpern", converged: true, errorBound: { lipschitz: 0.9, source: "declared" } });
      expect(norm(sub(exported(out, "x"), xs))).toBeLessThanOrEqual(r.errorBound!.value + 3e-6);
    }
  });
});

describe("damped_step", () => {
  it("matches the float64 Krasnoselskii–Mann iteration x ← (1 − α)x + αT(x), and runFixpoint's damped driver", async () => {
    const K = 40;
    const alpha = 0.3;
    const c = contraction(10, 5);
    const out = await run(recorder(K, "damped", `, damping: ${alpha}`), contractionInputs(c));
    const X = exported(out, "X");
    const R = exported(out, "R");
    let x64: Float64Array = new Float64Array(c.n);
    for (let k = 0; k <= K; k++) {
      const xk = row(X, k, c.n);
      // errors contract by 1 − α(1 − L) = 0.97 per step: ≤ δ/0.03 ≈ 3e-6
      expect(norm(sub(xk, x64))).toBeLessThanOrEqual(1e-5);
      const t = T64(c, x64);
      if (k < K) expect(Math.abs(R[k] - norm(sub(t, x64)))).toBeLessThanOrEqual(1e-3 * R[k] + 1e-5);
      x64 = x64.map((v, i) => (1 - alpha) * v + alpha * t[i]);
    }
    // the default damping is 0.5, as in compiler/methods.ts and runFixpoint
    const d = await run(recorder(3, "damped"), contractionInputs(c));
    const Wt = tf.tensor2d(Float32Array.from(c.W), [c.n, c.n]);
    const bt = tf.tensor1d(Float32Array.from(c.b));
    const ref = runFixpoint(tf, (x) => tf.tanh(tf.add(tf.reshape(tf.matMul(Wt, tf.reshape(x, [c.n, 1])), [c.n]), bt)), tf.zeros([c.n]), {
      method: "damped",
      stop: { atol: 0, rtol: 0, maxIter: 3 },
      name: "x",
    });
    const dx = row(exported(d, "X"), 3, c.n);
    const rx = ref.value.dataSync();
    for (let i = 0; i < c.n; i++) expect(dx[i]).toBeCloseTo(rx[i], 6);
    tf.dispose([Wt, bt, ref.value]);
  });
});

// ---------------------------------------------------------------------------------------------
// Halpern on a nonexpansive map with a known fixed-point set:
//   T(x) = c + R·P(x − c),  P = projection onto the ball of radius ρ at 0,  R orthogonal with
//   R = I on a subspace S (dim s ≥ 1) and rotations by angles in [0.2, π] on 2×2 blocks of S⊥.
// T is nonexpansive (P is, R is an isometry). Fix T = c + (S ∩ ball): if x − c = R P(x − c) then
// ‖x − c‖ = ‖P(x − c)‖ ≤ ρ, so P is the identity there and x − c = R(x − c) ∈ S. The fixed point
// nearest x₀ is x* = c + P(P_S(x₀ − c)) (the ball is centred in S), and Halpern's iterates
// converge to it. Picard does not converge at all when x₀ − c is inside the ball with a
// component in S⊥ (a rotation keeps ‖T x − x‖ constant).

interface Nonexpansive {
  n: number;
  R: Float64Array;
  c: Float64Array;
  rad: number;
  x0: Float64Array;
  xStar: Float64Array;
  d0: number; // ‖x₀ − x*‖
}

function nonexpansive(n: number, s: number, seed: number): Nonexpansive {
  const rand = rng(seed);
  const normal = gaussian(rand);
  const Q = randomOrthogonal(n, normal);
  // block-diagonal B: identity on the first s coordinates, 2×2 rotations after (a lone last
  // coordinate is reflected: −1, still orthogonal with no fixed direction)
  const B = new Float64Array(n * n);
  for (let i = 0; i < s; i++) B[i * n + i] = 1;
  for (let i = s; i < n; i += 2) {
    if (i + 1 === n) {
      B[i * n + i] = -1;
      break;
    }
    const th = 0.2 + (Math.PI - 0.2) * rand();
    B[i * n + i] = Math.cos(th);
    B[i * n + i + 1] = -Math.sin(th);
    B[(i + 1) * n + i] = Math.sin(th);
    B[(i + 1) * n + i + 1] = Math.cos(th);
  }
  // R = Q B Qᵀ
  const QB = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) QB[i * n + j] += Q[i * n + k] * B[k * n + j];
  const R = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) R[i * n + j] += QB[i * n + k] * Q[j * n + k];
  const Rf = f32(R);
  const c = f32(Array.from({ length: n }, normal));
  const x0 = f32(Array.from({ length: n }, () => 2 * normal()));
  const rad = Math.fround(0.5 + 2 * rand());
  // x* = c + P(P_S(x₀ − c)), P_S = Q[:, :s] Q[:, :s]ᵀ
  const u = sub(x0, c);
  const ps = new Float64Array(n);
  for (let j = 0; j < s; j++) {
    let a = 0;
    for (let i = 0; i < n; i++) a += Q[i * n + j] * u[i];
    for (let i = 0; i < n; i++) ps[i] += a * Q[i * n + j];
  }
  const scale = Math.min(1, rad / norm(ps));
  const xStar = c.map((v, i) => v + scale * ps[i]);
  return { n, R: Rf, c, rad, x0, xStar, d0: norm(sub(x0, xStar)) };
}

function halpernProgram(K: number): string {
  return `
input Rm: f32[n, n]
input c: f32[n]
input x0: f32[n]
input rad: f32
dim K = ${K}
op ball(u) = u * minimum(1, rad / maximum(norm(u), 1e-30))
op T(z) = c + Rm @ ball(z - c)
let (a0, s0, k0) = halpern_start(z => T(z), x0)
loop k < K carry (x = a0, anchor = s0, kk = k0, X = outer(where(arange(K + 1, dtype: "f32") == 0, 1, 0), a0), R = zeros(K)) {
  let (xn, an, kn, r) = halpern_step(z => T(z), x, anchor, kk)
  X = X + outer(where(arange(K + 1, dtype: "f32") == k + 1, 1, 0), xn)
  R = R + where(arange(K, dtype: "f32") == k, r, 0)
  x = xn
  anchor = an
  kk = kn
} -> (X, R, kk)
export X
export R
export kk
`;
}

const halpernInputs = (p: Nonexpansive) => ({ Rm: arr(p.R, [p.n, p.n]), c: arr(p.c, [p.n]), x0: arr(p.x0, [p.n]), rad: arr([p.rad], []) });

function Tne(p: Nonexpansive, x: ArrayLike<number>): Float64Array {
  const u = sub(x, p.c);
  const nu = norm(u);
  const s = nu > p.rad ? p.rad / nu : 1;
  const y = matvec(p.R, u.map((v) => v * s), p.n);
  return y.map((v, i) => v + p.c[i]);
}

describe("halpern_step on nonexpansive maps", () => {
  it("‖x_k − T x_k‖ ≤ 2‖x₀ − x*‖/(k + 1) at every k (random rotations ∘ ball projections)", async () => {
    // The bound (Lieder 2021, tight for λ_k = 1/(k + 2)) holds for exact arithmetic. In float32
    // each step errs by δ ≲ 1e-7·(‖x‖ + ‖c‖ + ρ)·√n; Halpern's errors do not contract but do not
    // grow either (x_{k+1} − x̃_{k+1} = (1 − λ)(T x_k − T x̃_k) + e: ‖E_{k+1}‖ ≤ ‖E_k‖ + δ), so the
    // residual is off by ≤ 2kδ: slack 1e-6·(k + 1)·scale. The residual is recomputed in float64
    // at every recorded float32 iterate too (a check of the map, not just of the step's res).
    const K = 200;
    const src = halpernProgram(K);
    let tightest = Infinity;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 1, max: 2 ** 30 }), async (n, seed) => {
        const s = 1 + (seed % (n - 2));
        const p = nonexpansive(n, s, seed);
        const out = await run(src, halpernInputs(p));
        const X = exported(out, "X");
        const R = exported(out, "R");
        expect(exported(out, "kk")[0]).toBe(K);
        const scale = norm(p.x0) + norm(p.c) + p.rad;
        for (let k = 0; k < K; k++) {
          const xk = row(X, k, n);
          const r64 = norm(sub(Tne(p, xk), xk));
          expect(Math.abs(R[k] - r64)).toBeLessThanOrEqual(1e-5 * scale);
          const bound = (2 * p.d0) / (k + 1);
          expect(R[k]).toBeLessThanOrEqual(bound + 1e-6 * (k + 1) * scale);
          expect(r64).toBeLessThanOrEqual(bound + 1e-6 * (k + 1) * scale);
          if (k > 0) tightest = Math.min(tightest, bound / r64);
        }
        // the iterates approach the fixed point nearest x₀ (no rate is promised; measured ≤ 0.06)
        expect(norm(sub(row(X, K, n), p.xStar))).toBeLessThanOrEqual(0.2 * p.d0 + 1e-4);
        // x₁ = x₀/2 + T(x₀)/2 exactly as written (λ₀ = 1/2)
        const t0 = Tne(p, p.x0);
        const x1 = row(X, 1, n);
        for (let i = 0; i < n; i++) expect(x1[i]).toBeCloseTo(0.5 * p.x0[i] + 0.5 * t0[i], 5);
      }),
      { seed: 4, numRuns: 8 },
    );
    // the bound is not vacuous on these instances: within a factor of ~10 somewhere
    expect(tightest).toBeLessThan(10);
  });

  it("`fixpoint ... method halpern` through the generic driver: the same residual history, the bound, and Picard stalls", async () => {
    const p = nonexpansive(6, 2, 77);
    const program = (method: string) => `
input Rm: f32[n, n]
input c: f32[n]
input x0: f32[n]
input rad: f32
op ball(u) = u * minimum(1, rad / maximum(norm(u), 1e-30))
fixpoint x: f32[n] = c + Rm @ ball(x - c) init x0 method ${method} until residual < 1e-2 max 3000
export x`;
    // measured: 457 iterations to residual 1e-2 (‖x₀ − x*‖ = 4.58; the worst case allows 915)
    const h = await run(program("halpern"), halpernInputs(p), false);
    const [r] = h.reports;
    expect(r).toMatchObject({ kind: "fixpoint", method: "halpern", converged: true, reason: "converged_atol" });
    expect(r.history.length).toBe(r.iterations + 1);
    r.history.forEach((res, k) => expect(res).toBeLessThanOrEqual((2 * p.d0) / (k + 1) + 1e-6 * (k + 1) * 10));
    const direct = await run(halpernProgram(r.iterations), halpernInputs(p));
    const R = exported(direct, "R");
    for (let k = 0; k < r.iterations; k++) expect(r.history[k]).toBeCloseTo(R[k], 5);
    // Picard on the same map: x₀ − c is rotated, never converging unless it starts in Fix T
    const pic = await run(program("picard"), halpernInputs(p), false);
    expect(pic.reports[0]).toMatchObject({ method: "picard", converged: false, reason: "max_iterations" });
  });
});
