// runAnderson (runtime/drivers/anderson.ts) on the cpu backend, against runFixpoint's Picard and
// float64 plain-TS references; the host least squares against its definition.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type AndersonStepKind, runAnderson } from "../../runtime/drivers/anderson.js";
import { ColumnQR } from "../../runtime/drivers/column-qr.js";
import { ridgeSolve, scaledCondition, solveUpper, symmetricEigen } from "../../runtime/drivers/small-lstsq.js";
import { flatDot } from "../../runtime/drivers/stopping.js";
import { runFixpoint } from "../reference/fixpoint-driver.js";
import { runSource } from "../../runtime/run.js";
import { dot, f32, gaussian, matvec, norm, qdrt, randomOrthogonal, rng, sub, tf, useCpu } from "./reference.js";

const scalar = (t: tf.Tensor): number => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

beforeAll(useCpu);

type Tensor = tf.Tensor;

// ---------------------------------------------------------------------------------------------
// The examples/contraction.iter family: x ← tanh(W x + b), W = ρ·(I − 2vvᵀ/vᵀv) (ρ times a
// Householder reflection, so ‖W‖₂ = ρ exactly), b = scale·normal. W and b are made by the
// language itself (its seeded `normal`), with the example's formulas, so ρ = 0.9, scale 1,
// seeds 1 and 2 is the example's own instance.

interface Instance {
  n: number;
  rho: number;
  W: Float32Array;
  b: Float32Array;
}

async function instance(rho: number, scale: number, seedV: number, seedB: number, n = 32): Promise<Instance> {
  const src = `dim n = ${n}
let v = normal(n, seed: ${seedV})
export W = ${rho} * (eye(n) - 2 * outer(v, v) / dot(v, v))
export b = ${scale} * normal(n, seed: ${seedB})
`;
  const out = await runSource(src, { file: "family.iter", backend: "cpu" });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const get = (name: string) => out.exports.find((e) => e.name === name)!.data as Float32Array;
  return { n, rho, W: get("W"), b: get("b") };
}

function tanhMap({ n, W, b }: Instance) {
  const Wt = tf.tensor2d(W, [n, n]);
  const bt = tf.tensor1d(b);
  const map = (x: Tensor) => tf.tanh(tf.add(tf.reshape(tf.matMul(Wt, tf.reshape(x, [n, 1])), [n]), bt));
  return { map, dispose: () => tf.dispose([Wt, bt]) };
}

function T64({ n, W, b }: Instance, x: ArrayLike<number>): Float64Array {
  const y = matvec(Float64Array.from(W), x, n);
  for (let i = 0; i < n; i++) y[i] = Math.tanh(y[i] + b[i]);
  return y;
}

/** The fixed point by float64 Picard to ‖T x − x‖ ≤ 1e-14 (error ≤ 1e-14/(1 − ρ)). */
function fixpoint64(inst: Instance): Float64Array {
  let x: Float64Array = new Float64Array(inst.n);
  for (let k = 0; k < 100_000; k++) {
    const y = T64(inst, x);
    const r = norm(sub(y, x));
    x = y;
    if (r <= 1e-14) break;
  }
  return x;
}

/** Counts map evaluations. */
function counting(map: (x: Tensor) => Tensor) {
  const c = { calls: 0, map: (x: Tensor) => (c.calls++, map(x)) };
  return c;
}

describe("runAnderson on the examples/contraction.iter family", () => {
  // The example's stopping rule (`until residual < 1e-6`), m = 5, β = 1, defaults otherwise.
  // Measured, n = 32, seed pairs (1, 2) — the example's own instance at ρ = 0.9 —, (3, 4), (5, 6):
  //   ρ = 0.5:  Picard 16 / 18 / 17 iterations, Anderson 10 / 10 / 10 (12 / 12 / 12 map evaluations; 1 / 1 / 1 fallbacks)
  //   ρ = 0.9:  Picard 80 / 53 / 28,            Anderson 16 / 18 / 13 (18 / 21 / 15; 1 / 2 / 1)
  //   ρ = 0.99: Picard 107 / 46 / 26,           Anderson 20 / 18 / 12 (25 / 21 / 14; 4 / 2 / 1)
  // (Picard makes iterations + 1 evaluations.) Accuracy: ‖x − x*‖ ≤ r₆₄/(1 − ρ) holds exactly for
  // a ρ-contraction, with r₆₄ = ‖T(x) − x‖ recomputed in float64 at the returned (float32) x and
  // the float64 reference built on the same float32-rounded W and b; the margin (1 + 1e-4) and
  // 1e-10 covers ‖W₃₂‖₂ = ρ(1 ± 1e-7) and the reference's own error (≤ 1e-14/(1 − ρ)).
  const stop = { atol: 1e-6, maxIter: 5000 };
  const cases: [number, number, number, number][] = [];
  for (const rho of [0.5, 0.9, 0.99]) for (const [sv, sb] of [[1, 2], [3, 4], [5, 6]]) cases.push([rho, 1, sv, sb]);

  it.each(cases)("ρ = %f, b scale %f, seeds %i/%i: no more iterations or map evaluations than Picard, and accurate", async (rho, scale, sv, sb) => {
    const inst = await instance(rho, scale, sv, sb);
    const { map, dispose } = tanhMap(inst);
    const x0 = tf.zeros([inst.n]);
    const before = tf.memory().numTensors;
    const picard = runFixpoint(tf, map, x0, { method: "picard", stop, name: "x" });
    const counted = counting(map);
    const anderson = runAnderson(tf, counted.map, x0, { stop, name: "x" });
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(picard.report.converged).toBe(true);
    expect(anderson.report).toMatchObject({ kind: "fixpoint", method: "anderson", converged: true, reason: "converged_atol" });
    expect(anderson.report.iterations).toBeLessThanOrEqual(picard.report.iterations);
    expect(counted.calls).toBeLessThanOrEqual(picard.report.iterations + 1);
    expect(anderson.report.detail).toContain(`${counted.calls} map evaluations`);
    expect(anderson.report.history.length).toBe(anderson.report.iterations + 1);

    const x = anderson.value.dataSync();
    const r64 = norm(sub(T64(inst, x), x));
    // the reported residual is the returned x's own (float32 evaluation vs float64)
    expect(Math.abs(anderson.report.residual - r64)).toBeLessThanOrEqual(0.05 * r64 + 2e-7);
    expect(norm(sub(x, fixpoint64(inst)))).toBeLessThanOrEqual((1 + 1e-4) * (r64 / (1 - rho)) + 1e-10);
    tf.dispose([picard.value, anderson.value, x0]);
    dispose();
  });

  it("ρ = 0.99 where Picard needs ≥ 100 iterations: Anderson needs at least 3× fewer", async () => {
    // b scale 0.1 keeps tanh nearly linear (tanh' ≈ 1), so the contraction factor is close to
    // ρ. Measured (seed pairs (1, 2), (3, 4), (5, 6)): Picard 364 / 219 / 145 iterations,
    // Anderson(m: 5) 45 / 41 / 36 (53 / 46 / 42 map evaluations, 7 / 4 / 5 safeguard fallbacks):
    // 8.1×, 5.3×, 4.0× fewer iterations, 6.9×, 4.8×, 3.5× fewer map evaluations.
    const stop = { atol: 1e-6, maxIter: 5000 };
    for (const [sv, sb] of [[1, 2], [3, 4], [5, 6]]) {
      const inst = await instance(0.99, 0.1, sv, sb);
      const { map, dispose } = tanhMap(inst);
      const x0 = tf.zeros([inst.n]);
      const picard = runFixpoint(tf, map, x0, { method: "picard", stop, name: "x" });
      const counted = counting(map);
      const anderson = runAnderson(tf, counted.map, x0, { m: 5, stop, name: "x" });
      expect(picard.report.converged && anderson.report.converged).toBe(true);
      expect(picard.report.iterations).toBeGreaterThanOrEqual(100);
      expect(3 * anderson.report.iterations).toBeLessThanOrEqual(picard.report.iterations);
      expect(3 * counted.calls).toBeLessThanOrEqual(picard.report.iterations + 1);
      const x = anderson.value.dataSync();
      expect(norm(sub(x, fixpoint64(inst)))).toBeLessThanOrEqual((1 + 1e-4) * (norm(sub(T64(inst, x), x)) / (1 - 0.99)) + 1e-10);
      tf.dispose([picard.value, anderson.value, x0]);
      dispose();
    }
  });

  it("examples/contraction.iter itself with `method anderson(m: 5)`: same answer, fewer iterations than picard", async () => {
    // Measured: picard 80 iterations, anderson 16.
    const src = readFileSync(new URL("../../examples/contraction.iter", import.meta.url), "utf8");
    expect(src).toContain("method picard");
    const picard = await runSource(src, { file: "contraction.iter", backend: "cpu" });
    const anderson = await runSource(src.replace("method picard", "method anderson(m: 5)"), { file: "contraction.iter", backend: "cpu" });
    for (const out of [picard, anderson]) expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const [rp] = picard.reports;
    const [ra] = anderson.reports;
    expect(rp).toMatchObject({ method: "picard", converged: true });
    expect(ra).toMatchObject({ method: "anderson", converged: true, reason: "converged_atol" });
    expect(ra.iterations).toBeLessThan(rp.iterations / 3);
    const xp = picard.exports.find((e) => e.name === "x")!.data;
    const xa = anderson.exports.find((e) => e.name === "x")!.data;
    // both within r/(1 − 0.9) ≤ 1e-5 of x*
    for (let i = 0; i < xp.length; i++) expect(Math.abs(xp[i] - xa[i])).toBeLessThanOrEqual(2e-5);
    expect(anderson.exports.find((e) => e.name === "defect")!.data[0]).toBeLessThan(1e-6);
  });
});

// ---------------------------------------------------------------------------------------------
// Linear contractions T(x) = G x + b, G = U diag(σ) Vᵀ with σ ∈ [0, ρ] (so ‖G‖₂ ≤ ρ < 1), rounded
// to float32; the float64 references below run on the same rounded G and b.

interface Linear {
  n: number;
  G: Float64Array;
  b: Float64Array;
}

function linearContraction(n: number, rho: number, seed: number): Linear {
  const normal = gaussian(rng(seed));
  const U = randomOrthogonal(n, normal);
  const V = randomOrthogonal(n, normal);
  const sigma = Array.from({ length: n }, (_, i) => (rho * (i + 1)) / n);
  return { n, G: f32(qdrt(U, sigma, V, n)), b: f32(Array.from({ length: n }, normal)) };
}

const T64lin = ({ n, G, b }: Linear, x: ArrayLike<number>) => {
  const y = matvec(G, x, n);
  for (let i = 0; i < n; i++) y[i] += b[i];
  return y;
};

function linearMap({ n, G, b }: Linear) {
  const Gt = tf.tensor2d(Float32Array.from(G), [n, n]);
  const bt = tf.tensor1d(Float32Array.from(b));
  const map = (x: Tensor) => tf.add(tf.reshape(tf.matMul(Gt, tf.reshape(x, [n, 1])), [n]), bt);
  return { map, dispose: () => tf.dispose([Gt, bt]) };
}

/** min ‖f − F γ‖ over γ (F given as columns) by modified Gram–Schmidt done twice, float64. */
function lstsq64(F: ArrayLike<number>[], f: ArrayLike<number>): number[] {
  const { Q, R } = qr64(F);
  return solveUpper(R, Q.map((q) => dot(q, f)));
}

/** σ_max/σ_min of R D⁻¹ (D = column norms; R upper triangular) by power and inverse-power iteration, float64. */
function scaledCondition64(R: number[][]): number {
  const p = R.length;
  const d = R.map((_, j) => Math.hypot(...R.map((row) => row[j])));
  const M = R.map((row) => row.map((v, j) => v / d[j]));
  const mul = (v: number[]) => M.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
  const mulT = (v: number[]) => M[0].map((_, j) => M.reduce((s, row, i) => s + row[j] * v[i], 0));
  const solve = (v: number[]) => solveUpper(M, v);
  const solveT = (v: number[]) => {
    // Mᵀ z = v, Mᵀ lower triangular: forward substitution
    const z = new Array<number>(p).fill(0);
    for (let i = 0; i < p; i++) {
      let s = v[i];
      for (let k = 0; k < i; k++) s -= M[k][i] * z[k];
      z[i] = s / M[i][i];
    }
    return z;
  };
  const power = (apply: (v: number[]) => number[]) => {
    let v = Array.from({ length: p }, (_, i) => 1 + 0.1 * i);
    let lambda = 0;
    for (let k = 0; k < 3000; k++) {
      const w = apply(v);
      lambda = Math.hypot(...w);
      v = w.map((x) => x / lambda);
    }
    return lambda;
  };
  const smax = Math.sqrt(power((v) => mulT(mul(v))));
  const sminInv = Math.sqrt(power((v) => solve(solveT(v))));
  return smax * sminInv;
}

/** The first `steps` iterates of GMRES on (I − G) x = b from x₀ = 0, float64: x_k minimises ‖b − (I − G)x‖ over the Krylov space K_k. */
function gmres64(L: Linear, steps: number): Float64Array[] {
  const { n, G, b } = L;
  const A = (v: ArrayLike<number>) => sub(v, matvec(G, v, n));
  const xs: Float64Array[] = [new Float64Array(n)];
  const basis: Float64Array[] = [];
  let v = Float64Array.from(b);
  for (let k = 1; k <= steps; k++) {
    // Arnoldi: orthonormalise the next Krylov vector (MGS, twice)
    for (let pass = 0; pass < 2; pass++)
      for (const q of basis) {
        const c = dot(q, v);
        for (let r = 0; r < n; r++) v[r] -= c * q[r];
      }
    const nv = norm(v);
    basis.push(v.map((x) => x / nv));
    const c = lstsq64(basis.map(A), b);
    const x = new Float64Array(n);
    basis.forEach((q, j) => q.forEach((qv, r) => (x[r] += c[j] * qv)));
    xs.push(x);
    v = Float64Array.from(A(basis[basis.length - 1]));
  }
  return xs;
}

/** Anderson type II with window m and mixing β in float64, as the driver's header defines it (no ridge, no drops, no safeguard). */
function anderson64(T: (x: ArrayLike<number>) => Float64Array, x0: ArrayLike<number>, m: number, beta: number, steps: number, restart = Infinity): { xs: Float64Array[]; drops: number } {
  const xs = [Float64Array.from(x0)];
  const fs = [sub(T(x0), x0)];
  /** the oldest difference still in the history */
  let first = 0;
  let drops = 0;
  for (let k = 0; k < steps; k++) {
    const x = xs[k];
    const f = fs[k];
    first = Math.max(first, k - m);
    // drop the oldest while the kept columns, scaled to unit norm, are worse conditioned than `restart`
    while (k - first > 1 && !(scaledCondition64(qrR(Array.from({ length: k - first }, (_, i) => sub(fs[first + i + 1], fs[first + i])))) <= restart)) {
      first++;
      drops++;
    }
    const lo = first;
    const dF: Float64Array[] = [];
    const dX: Float64Array[] = [];
    for (let j = lo; j < k; j++) {
      dF.push(sub(fs[j + 1], fs[j]));
      dX.push(sub(xs[j + 1], xs[j]));
    }
    const gamma = dF.length ? lstsq64(dF, f) : [];
    const next = x.map((v, i) => v + beta * f[i] - gamma.reduce((s, g, j) => s + g * (dX[j][i] + beta * dF[j][i]), 0));
    xs.push(next);
    fs.push(sub(T(next), next));
  }
  return { xs, drops };
}

/** The QR factorisation of the columns F (MGS twice), float64: Q's columns and R. */
function qr64(F: ArrayLike<number>[]): { Q: Float64Array[]; R: number[][] } {
  const p = F.length;
  const Q: Float64Array[] = [];
  const R = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let j = 0; j < p; j++) {
    const w = Float64Array.from(F[j]);
    for (let pass = 0; pass < 2; pass++)
      for (let i = 0; i < j; i++) {
        const c = dot(Q[i], w);
        R[i][j] += c;
        for (let r = 0; r < w.length; r++) w[r] -= c * Q[i][r];
      }
    R[j][j] = norm(w);
    Q.push(w.map((v) => v / R[j][j]));
  }
  return { Q, R };
}

/** R of the QR factorisation of the columns F (MGS twice), float64. */
const qrR = (F: ArrayLike<number>[]): number[][] => qr64(F).R;

/** Accepted iterates of the driver, as float64 arrays. */
function andersonIterates(map: (x: Tensor) => Tensor, n: number, opts: Partial<Parameters<typeof runAnderson>[3]>, maxIter: number) {
  const xs: Float64Array[] = [];
  const kinds: AndersonStepKind[] = [];
  const x0 = tf.zeros([n]);
  const { value, report } = runAnderson(tf, map, x0, {
    ...opts,
    stop: { atol: 0, rtol: 0, maxIter },
    name: "x",
    onIterate: (_k, x, kind) => {
      xs.push(Float64Array.from(x.dataSync()));
      kinds.push(kind);
    },
  });
  tf.dispose([value, x0]);
  return { xs, kinds, report };
}

describe("runAnderson on linear contractions, against float64 references", () => {
  // Walker & Ni 2011, Theorem 2.2: with β = 1 and memory ≥ the iteration count (no column ever
  // dropped), Anderson's x_{k+1} = T(x_k^GMRES), GMRES on (I − G)x = b from the same x₀. The
  // driver runs with ridge 0, restart ∞ and the safeguard off (pure Anderson). It is compared
  // while the GMRES residual is above 1e-4·‖b‖: below, the float32 differences ΔF = f_{j+1} − f_j
  // cancel most of their digits, and both are converged anyway. Measured: at most 5.4e-7·‖x*‖
  // apart over these 40 cases (n ≤ 12, ρ ≤ 0.95); allowed 2e-5·‖x*‖ (~170 ε₃₂).
  it("m ≥ n: x_{k+1} = T(x_k^GMRES) within float32 (property test, fixed seed)", () => {
    let worst = 0;
    let compared = 0;
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.double({ min: 0.2, max: 0.95, noNaN: true }), fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 0, max: 3 }), (n, rho, seed, extra) => {
        const L = linearContraction(n, rho, seed);
        const { map, dispose } = linearMap(L);
        const { xs, kinds } = andersonIterates(map, n, { m: n + extra, ridge: 0, restart: Infinity, safeguard: false }, n + 1);
        dispose();
        const xg = gmres64(L, n);
        const xstar = xg[n];
        const bnorm = norm(L.b);
        const scale = norm(xstar);
        expect(kinds.slice(0, 2)).toEqual(["initial", "plain"]);
        for (let k = 0; k + 1 < xs.length && k < n; k++) {
          if (norm(sub(L.b, sub(xg[k], matvec(L.G, xg[k], n)))) < 1e-4 * bnorm) break;
          expect(kinds[k + 1]).toBe(k === 0 ? "plain" : "accelerated");
          const err = norm(sub(xs[k + 1], T64lin(L, xg[k]))) / scale;
          worst = Math.max(worst, err);
          expect(err).toBeLessThanOrEqual(2e-5);
          compared++;
        }
      }),
      { seed: 18, numRuns: 40 },
    );
    // most cases compare several accelerated iterates, not just the plain first step
    expect(compared).toBeGreaterThan(40 * 3);
    expect(worst).toBeGreaterThan(0);
  });

  // Condition control: with `restart` = 3 and a full memory, the driver drops the oldest columns
  // while the scaled ΔF is worse conditioned than 3, as the float64 transcription does with its
  // own condition number (power iteration): the same columns dropped, the iterates within
  // float32. Measured: 170 columns dropped over the 30 cases, iterates at most 1.9e-7·‖x*‖ apart.
  it("restart: the oldest columns go while the least squares is ill-conditioned, as in float64", () => {
    let worst = 0;
    let totalDrops = 0;
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 16 }), fc.integer({ min: 1, max: 2 ** 30 }), (n, seed) => {
        const L = linearContraction(n, 0.95, seed);
        const T = (x: ArrayLike<number>) => T64lin(L, x);
        // K: the iterations until the float64 residual is below 1e-4·‖b‖ (float32 noise beyond)
        const long = anderson64(T, new Float64Array(n), n, 1, 40, 3).xs;
        const K = long.findIndex((x) => norm(sub(T(x), x)) < 1e-4 * norm(L.b));
        expect(K).toBeGreaterThan(2);
        const { map, dispose } = linearMap(L);
        const { xs, report } = andersonIterates(map, n, { m: n, ridge: 0, restart: 3, safeguard: false }, K);
        dispose();
        const ref = anderson64(T, new Float64Array(n), n, 1, K, 3);
        const dropped = Number(report.detail!.match(/(\d+) columns? dropped/)![1]);
        expect(dropped).toBe(ref.drops);
        totalDrops += dropped;
        const scale = norm(ref.xs[K]);
        expect(xs.length).toBe(K + 1);
        for (let k = 1; k <= K; k++) {
          const err = norm(sub(xs[k], ref.xs[k])) / scale;
          worst = Math.max(worst, err);
          expect(err).toBeLessThanOrEqual(2e-5);
        }
      }),
      { seed: 21, numRuns: 30 },
    );
    expect(totalDrops).toBeGreaterThan(100);
    expect(worst).toBeLessThan(2e-5);
  });

  // The same driver settings against the float64 transcription of the header's formulas, with a
  // window shorter than the dimension (columns leave the QR) and β < 1. Measured: at most
  // 1.8e-6·‖x*‖ apart; allowed 2e-5·‖x*‖.
  it("window m < n and damping β < 1: the driver's iterates are float64 Anderson's within float32", () => {
    let worst = 0;
    let compared = 0;
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 16 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(1, 0.7, 0.4), fc.integer({ min: 1, max: 2 ** 30 }), (n, m, beta, seed) => {
        const L = linearContraction(n, 0.9, seed);
        const { map, dispose } = linearMap(L);
        const steps = 12;
        const { xs, kinds } = andersonIterates(map, n, { m, damping: beta, ridge: 0, restart: Infinity, safeguard: false }, steps);
        dispose();
        const ref = anderson64((x) => T64lin(L, x), new Float64Array(n), m, beta, steps).xs;
        const scale = norm(ref[steps]);
        for (let k = 1; k < xs.length; k++) {
          if (norm(sub(T64lin(L, ref[k - 1]), ref[k - 1])) < 1e-4 * norm(L.b)) break;
          expect(kinds[k]).toBe(k === 1 ? "plain" : "accelerated");
          const err = norm(sub(xs[k], ref[k])) / scale;
          worst = Math.max(worst, err);
          expect(err).toBeLessThanOrEqual(2e-5);
          compared++;
        }
      }),
      { seed: 19, numRuns: 40 },
    );
    expect(compared).toBeGreaterThan(40 * 5);
  });
});

describe("anderson through the language: the safeguard in the report", () => {
  // The ρ = 0.99, b scale 0.1 instance with seeds (1, 2): 7 fallbacks with the safeguard
  // (measured), none without it.
  const program = (method: string) => `dim n = 32
let v = normal(n, seed: 1)
let W = 0.99 * (eye(n) - 2 * outer(v, v) / dot(v, v))
let b = 0.1 * normal(n, seed: 2)
fixpoint x: f32[n] = tanh(W @ x + b) init zeros method ${method} until residual < 1e-6 max 2000
export x
export iters = x.iterations
`;
  it("counts.operator = map evaluations = iterations + 1 + fallbacks; safeguard: false has none", async () => {
    for (const [method, fallbacksExpected] of [["anderson(m: 5)", true], ["anderson(m: 5, safeguard: false)", false]] as const) {
      const out = await runSource(program(method), { file: "sg.iter", backend: "cpu" });
      expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const [r] = out.reports;
      expect(r).toMatchObject({ method: "anderson", converged: true });
      const fallbacks = Number(r.detail!.match(/(\d+) fallbacks? to the plain step/)![1]);
      const evaluations = Number(r.detail!.match(/(\d+) map evaluations/)![1]);
      expect(evaluations).toBe(r.iterations + 1 + fallbacks);
      expect(r.counts?.operator).toBe(evaluations);
      if (fallbacksExpected) expect(fallbacks).toBeGreaterThan(0);
      else {
        expect(fallbacks).toBe(0);
        expect(r.detail).toContain("safeguard off");
      }
      expect(out.exports.find((e) => e.name === "iters")!.data[0]).toBe(r.iterations);
    }
  });
});

describe("runAnderson's safeguard", () => {
  it("every accepted accelerated step decreases the residual; a fallback iterate is the plain step T(x_{k−1})", async () => {
    // The b scale 0.1, ρ = 0.99 instances have 4–7 fallbacks each (measured), so both branches
    // are exercised. The invariant is checked through onIterate's step kinds and the history.
    let totalFallbacks = 0;
    for (const [sv, sb] of [[1, 2], [3, 4], [5, 6]]) {
      const inst = await instance(0.99, 0.1, sv, sb);
      const { map, dispose } = tanhMap(inst);
      const x0 = tf.zeros([inst.n]);
      const kinds: AndersonStepKind[] = [];
      const xs: Float32Array[] = [];
      const { value, report } = runAnderson(tf, map, x0, {
        stop: { atol: 1e-6, maxIter: 5000 },
        name: "x",
        onIterate: (k, x, kind) => {
          expect(k).toBe(kinds.length);
          kinds.push(kind);
          xs.push(x.dataSync() as Float32Array);
        },
      });
      expect(report.converged).toBe(true);
      expect(kinds[0]).toBe("initial");
      expect(kinds.length).toBe(report.iterations + 1);
      const h = report.history;
      for (let k = 1; k < kinds.length; k++) {
        if (kinds[k] === "accelerated") expect(h[k]).toBeLessThan(h[k - 1]);
        if (kinds[k] === "fallback" || kinds[k] === "plain") {
          // β = 1: the plain step is T(x_{k−1}) itself, bit for bit
          const prev = tf.tensor1d(xs[k - 1]);
          const y = map(prev);
          expect(Array.from(xs[k])).toEqual(Array.from(y.dataSync()));
          tf.dispose([prev, y]);
        }
      }
      const fallbacks = kinds.filter((k) => k === "fallback").length;
      totalFallbacks += fallbacks;
      expect(report.detail).toContain(`${fallbacks} fallback`);
      expect(report.detail).toContain(`${kinds.filter((k) => k === "accelerated").length} accelerated steps`);
      tf.dispose([value, x0]);
      dispose();
    }
    expect(totalFallbacks).toBeGreaterThan(0);
  });

  // "Never worse than the plain iteration by more than the safeguard's cost": on random
  // contractions x ← tanh(W x + b) (W = U diag(σ) Vᵀ, σ ≤ ρ spread over [0, ρ] or all = ρ), Anderson (defaults, m = 5) against the plain
  // iteration with the same β (Picard for β = 1, runFixpoint's damped iteration otherwise), both
  // to the same atol: Anderson's map evaluations ≤ the plain iteration's + one per fallback,
  // i.e. no more accepted iterates. Not a theorem (the safeguard only asks each accelerated step
  // to keep up with the plain iteration's observed rate); measured on these 400 cases: it holds
  // in all; Anderson's evaluations / the plain iteration's: median 0.74, at most 1.57 (11 against
  // 7, a saturated map the plain iteration solves in 6 steps), 325 fallbacks in all. With a test
  // of decrease alone: median 0.69, at most 1.08, but 1 case of 400 took 13 iterations against
  // 12, and fast-check found 26 against 17 (n = 5, ρ = 0.97, β = 0.6: Anderson stagnating).
  it("never more iterations than the plain damped iteration; each fallback costs exactly one evaluation (property test)", () => {
    const ratios: number[] = [];
    let totalFallbacks = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 40 }),
        fc.constantFrom(0.5, 0.8, 0.9, 0.97, 0.99),
        fc.constantFrom(0.1, 1, 3),
        fc.constantFrom(1, 1, 0.6),
        fc.boolean(),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (n, rho, scale, beta, flat, seed) => {
          const normal = gaussian(rng(seed));
          const U = randomOrthogonal(n, normal);
          const V = randomOrthogonal(n, normal);
          const W = f32(qdrt(U, Array.from({ length: n }, () => (flat ? rho : rho * Math.abs(Math.cos(7 * normal())))), V, n));
          const b = f32(Array.from({ length: n }, () => scale * normal()));
          const { map, dispose } = tanhMap({ n, rho, W: Float32Array.from(W), b: Float32Array.from(b) });
          const x0 = tf.zeros([n]);
          const stop = { atol: 1e-5, maxIter: 20000 };
          const plain = runFixpoint(tf, map, x0, beta === 1 ? { method: "picard", stop, name: "x" } : { method: "damped", damping: beta, stop, name: "x" });
          const counted = counting(map);
          const kinds: AndersonStepKind[] = [];
          const acc = runAnderson(tf, counted.map, x0, { damping: beta, stop, name: "x", onIterate: (_k, _x, kind) => kinds.push(kind) });
          tf.dispose([plain.value, acc.value, x0]);
          dispose();
          expect(plain.report.converged && acc.report.converged).toBe(true);
          const fallbacks = kinds.filter((k) => k === "fallback").length;
          totalFallbacks += fallbacks;
          expect(counted.calls).toBe(acc.report.iterations + 1 + fallbacks);
          expect(acc.report.iterations).toBeLessThanOrEqual(plain.report.iterations);
          ratios.push(counted.calls / (plain.report.iterations + 1));
        },
      ),
      { seed: 20, numRuns: 400 },
    );
    ratios.sort((a, b) => a - b);
    // the figures quoted above, so a change of the safeguard shows here
    expect(ratios[ratios.length >> 1]).toBeLessThanOrEqual(0.8);
    expect(totalFallbacks).toBeGreaterThan(100);
  });

  it("a NaN at an accelerated candidate is a fallback, not a failure", () => {
    // T(x) = 0.5 x + 1 (x* = 2), poisoned on its 4th call. Calls: x₀, the plain x₁, the
    // accelerated candidate x₂ (exact for an affine map: converged)... so poison call 3 instead:
    // the accelerated candidate x₂ gets NaN, is rejected, and the plain step is taken.
    let calls = 0;
    const map = (x: Tensor) => {
      calls++;
      const y = tf.add(tf.mul(x, 0.5), 1);
      return calls === 3 ? tf.mul(y, NaN) : y;
    };
    const x0 = tf.zeros([3]);
    const kinds: AndersonStepKind[] = [];
    const before = tf.memory().numTensors;
    const { value, report } = runAnderson(tf, map, x0, { stop: { rtol: 1e-6, maxIter: 50 }, name: "x", onIterate: (_k, _x, kind) => kinds.push(kind) });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(report).toMatchObject({ converged: true });
    expect(kinds.slice(0, 3)).toEqual(["initial", "plain", "fallback"]);
    expect(report.detail).toMatch(/1 fallback to the plain step/);
    for (const v of value.dataSync()) expect(v).toBeCloseTo(2, 5);
    tf.dispose([value, x0]);
  });

  it("damping β: the plain and fallback steps are x + β(T(x) − x); m = 0 is runFixpoint's damped iteration", () => {
    const inst = { n: 6, rho: 0.8, W: new Float32Array(36), b: new Float32Array(6) };
    const normal = gaussian(rng(11));
    for (let i = 0; i < 36; i++) inst.W[i] = 0.8 * normal() / Math.sqrt(6) / 2;
    for (let i = 0; i < 6; i++) inst.b[i] = normal();
    const { map, dispose } = tanhMap(inst);
    const x0 = tf.zeros([6]);
    const damped = runFixpoint(tf, map, x0, { method: "damped", damping: 0.6, stop: { rtol: 1e-6, maxIter: 500 }, name: "x" });
    const kinds: AndersonStepKind[] = [];
    const m0 = runAnderson(tf, map, x0, { m: 0, damping: 0.6, stop: { rtol: 1e-6, maxIter: 500 }, name: "x", onIterate: (_k, _x, kind) => kinds.push(kind) });
    expect(m0.report.iterations).toBe(damped.report.iterations);
    expect(new Set(kinds.slice(1))).toEqual(new Set(["plain"]));
    for (let k = 0; k < m0.report.history.length; k++) {
      expect(Math.abs(m0.report.history[k] - damped.report.history[k])).toBeLessThanOrEqual(1e-5 * damped.report.history[k] + 1e-7);
    }
    tf.dispose([damped.value, m0.value, x0]);
    dispose();
  });
});

describe("runAnderson on singular histories never throws", () => {
  it("T constant: one plain step to the constant, residual 0", () => {
    const c = tf.tensor1d([1, -2, 3, 0.5]);
    const x0 = tf.zeros([4]);
    const before = tf.memory().numTensors;
    const { value, report } = runAnderson(tf, () => c, x0, { stop: { rtol: 1e-6, maxIter: 50 }, name: "x" });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(report).toMatchObject({ converged: true, reason: "converged_atol", iterations: 1, residual: 0 });
    expect(Array.from(value.dataSync())).toEqual([1, -2, 3, 0.5]);
    expect(c.isDisposed).toBe(false);
    tf.dispose([value, x0, c]);
  });

  it("T(x) = x + c, c in a one-dimensional subspace: every ΔF is 0, plain steps to max_iterations", () => {
    const c = tf.tensor1d([0.5, 0, 0, 0, 0]);
    const x0 = tf.ones([5]);
    const before = tf.memory().numTensors;
    const { value, report } = runAnderson(tf, (x) => tf.add(x, c), x0, { stop: { rtol: 1e-6, maxIter: 40 }, name: "x" });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(report).toMatchObject({ converged: false, reason: "max_iterations", iterations: 40 });
    for (const r of report.history) expect(r).toBeCloseTo(0.5, 5);
    expect(report.detail).toMatch(/^anderson\(m: 5\): 0 accelerated steps, .* 41 map evaluations$/);
    const x = value.dataSync();
    expect(x[0]).toBeCloseTo(1 + 40 * 0.5, 4);
    expect(Array.from(x.slice(1))).toEqual([1, 1, 1, 1]);
    tf.dispose([value, x0, c]);
  });

  // T = a rotation by θ in the plane of e₀, e₁ and the identity elsewhere (nonexpansive; Fix T =
  // the other axes). f(x) = (R − I)x lies in that plane, so ΔF has rank ≤ 2 and with m = 5 the
  // Gram matrix is singular from the third column on.
  const rotation = (n: number, theta: number) => {
    const R = new Float32Array(n * n);
    for (let i = 0; i < n; i++) R[i * n + i] = 1;
    R[0] = Math.cos(theta);
    R[1] = -Math.sin(theta);
    R[n] = Math.sin(theta);
    R[n + 1] = Math.cos(theta);
    return R;
  };
  // Measured (atol 1e-6): 4 iterations with each option set below, no column dropped.
  for (const opts of [{}, { ridge: 0, restart: Infinity }, { ridge: 0 }]) {
    it(`a rank-2 history (rotation in one plane), options ${JSON.stringify(opts)}: converges to the projection onto Fix T`, () => {
      const n = 6;
      const Rt = tf.tensor2d(rotation(n, 0.3), [n, n]);
      const map = (x: Tensor) => tf.reshape(tf.matMul(Rt, tf.reshape(x, [n, 1])), [n]);
      const x0 = tf.tensor1d([1, 2, 3, 4, 5, 6]);
      const before = tf.memory().numTensors;
      const { value, report } = runAnderson(tf, map, x0, { ...opts, stop: { atol: 1e-6, maxIter: 200 }, name: "x" });
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(report.converged).toBe(true);
      expect(report.iterations).toBeLessThanOrEqual(6);
      const x = value.dataSync();
      // x → (0, 0, 3, 4, 5, 6); in the plane ‖f‖ = 2 sin(θ/2)·‖(x₀, x₁)‖ exactly, and the axes
      // outside it never move (T is the identity there, and so is every difference)
      expect(Math.hypot(x[0], x[1])).toBeLessThanOrEqual((1.01 * report.residual) / (2 * Math.sin(0.15)) + 1e-7);
      expect(Array.from(x.slice(2)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([3, 4, 5, 6]);
      for (const v of report.history) expect(Number.isFinite(v)).toBe(true);
      tf.dispose([value, x0, Rt]);
    });
  }

  it("restart: 1 keeps one column (Anderson(1), slow on a rotation) without ever failing", () => {
    // Measured: 200 iterations, 132 columns dropped, 66 fallbacks, the residual 0.668 → 0.216.
    const n = 6;
    const Rt = tf.tensor2d(rotation(n, 0.3), [n, n]);
    const map = (x: Tensor) => tf.reshape(tf.matMul(Rt, tf.reshape(x, [n, 1])), [n]);
    const x0 = tf.tensor1d([1, 2, 3, 4, 5, 6]);
    const before = tf.memory().numTensors;
    const { value, report } = runAnderson(tf, map, x0, { restart: 1, stop: { atol: 1e-6, maxIter: 200 }, name: "x" });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(report).toMatchObject({ reason: "max_iterations", iterations: 200 });
    expect(report.residual).toBeLessThan(report.history[0]);
    for (const v of report.history) expect(Number.isFinite(v)).toBe(true);
    expect(report.detail).toMatch(/[1-9]\d* columns dropped/);
    tf.dispose([value, x0, Rt]);
  });

  it("the identity map: x₀ is already a fixed point, 0 iterations, a fresh value", () => {
    const x0 = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const before = tf.memory().numTensors;
    const { value, report } = runAnderson<Tensor>(tf, (x) => x, x0, { stop: { maxIter: 10 }, name: "x" });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(report).toMatchObject({ reason: "converged_atol", iterations: 0, residual: 0, relResidual: 0 });
    expect(value).not.toBe(x0);
    expect(value.shape).toEqual([2, 2]);
    tf.dispose([value, x0]);
  });
});

describe("runAnderson failures and resources", () => {
  it("NaN from the map at a plain step → diverged_nan, the last finite iterate returned, detail with the counts", () => {
    const x0 = tf.zeros([4]);
    let calls = 0;
    const map = (x: Tensor) => (++calls === 2 ? tf.div(tf.ones([4]), tf.zeros([4])) : tf.add(tf.mul(x, 0.5), 1));
    const before = tf.memory().numTensors;
    const { value, report } = runAnderson(tf, map, x0, { stop: { rtol: 1e-7, maxIter: 100 }, name: "x" });
    expect(tf.memory().numTensors).toBe(before + 1);
    // call 1: T(x₀); call 2: T(x₁) with x₁ = T(x₀) = 1 (a plain step, accepted) → +Inf
    expect(report).toMatchObject({ reason: "diverged_nan", converged: false, iterations: 1 });
    expect(report.detail).toMatch(/^NaN or ±Inf in T\(x\) at iteration 2 \(4 ±Inf of 4 entries, the first at flat index 0\); anderson\(m: 5\): /);
    expect(Array.from(value.dataSync())).toEqual([1, 1, 1, 1]);
    tf.dispose([value, x0]);
  });

  it("NaN in the initial iterate → diverged_nan at iteration 0", () => {
    const x0 = tf.tensor1d([0, NaN]);
    const { value, report } = runAnderson<Tensor>(tf, (x) => tf.mul(x, 0.5), x0, { stop: { maxIter: 10 }, name: "x" });
    expect(report).toMatchObject({ reason: "diverged_nan", iterations: 0, converged: false });
    expect(report.detail).toMatch(/^NaN or ±Inf in the initial iterate \(1 NaN of 2 entries, the first at flat index 1\)/);
    tf.dispose([value, x0]);
  });

  it("a map that throws leaks nothing, whenever it throws", () => {
    const x0 = tf.zeros([4]);
    for (const at of [1, 2, 3, 5]) {
      let calls = 0;
      const before = tf.memory().numTensors;
      expect(() =>
        runAnderson(
          tf,
          (x) => {
            if (++calls === at) throw new Error("boom");
            return tf.tanh(tf.add(tf.mul(x, 0.9), 1));
          },
          x0,
          { stop: { rtol: 1e-7, maxIter: 100 }, name: "x" },
        ),
      ).toThrow("boom");
      expect(tf.memory().numTensors).toBe(before);
    }
    x0.dispose();
  });

  it("options are checked", () => {
    const x0 = tf.zeros([2]);
    const run = (o: object) => () => runAnderson(tf, (x) => x, x0, { ...o, stop: { maxIter: 1 }, name: "x" });
    expect(run({ m: -1 })).toThrow(RangeError);
    expect(run({ m: 1.5 })).toThrow(RangeError);
    expect(run({ damping: 0 })).toThrow(RangeError);
    expect(run({ damping: 1.5 })).toThrow(RangeError);
    expect(run({ ridge: -1 })).toThrow(RangeError);
    expect(run({ restart: 0.5 })).toThrow(RangeError);
    x0.dispose();
  });

  it("a declared Lipschitz constant gives the bound r/(1 − L), which holds against float64", async () => {
    const inst = await instance(0.9, 1, 7, 8);
    const { map, dispose } = tanhMap(inst);
    const x0 = tf.zeros([inst.n]);
    for (const atol of [1e-2, 1e-4, 1e-6]) {
      const { value, report } = runAnderson(tf, map, x0, { lipschitz: 0.9, stop: { atol, maxIter: 500 }, name: "x" });
      expect(report.errorBound).toMatchObject({ lipschitz: 0.9, source: "declared" });
      expect(report.errorBound!.value).toBeCloseTo(report.residual / 0.1, 6);
      // the bound uses the float32 residual; float64's differs by ≤ ~1e-6 relative + 1e-7
      const err = norm(sub(value.dataSync(), fixpoint64(inst)));
      expect(err).toBeLessThanOrEqual(report.errorBound!.value * (1 + 1e-3) + 1e-6);
      value.dispose();
    }
    x0.dispose();
    dispose();
  });

  it("500 iterations with a full history leave only the result behind, the live count bounded", () => {
    // T(x) = x + 0.5 + 0.1 sin(x): T(x) − x ≥ 0.4 everywhere, so no fixed point, ΔF ≠ 0
    const x0 = tf.zeros([16]);
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const { value, report } = runAnderson(tf, (x) => tf.add(tf.add(x, 0.5), tf.mul(tf.sin(x), 0.1)), x0, {
      m: 8,
      stop: { rtol: 1e-6, maxIter: 500, divergenceFactor: Infinity },
      name: "x",
      onIterate: (k) => {
        if (k >= 100 && k % 50 === 0) counts.push(tf.memory().numTensors);
      },
    });
    expect(report).toMatchObject({ reason: "max_iterations", iterations: 500 });
    expect(tf.memory().numTensors).toBe(before + 1);
    // live: the iterate, T(x), f, β and at most m columns of two vectors each (the count varies
    // with restarts, measured 13–15 above `before`): bounded, not growing
    expect(counts.length).toBe(9);
    for (const c of counts) expect(c).toBeLessThanOrEqual(before + 4 + 2 * 8);
    expect(report.detail).toMatch(/fallbacks/);
    tf.dispose([value, x0]);
  });
});

describe("the host least squares", () => {
  /** A random m×p matrix (columns) of standard normals. */
  const columns = (m: number, p: number, seed: number) => {
    const normal = gaussian(rng(seed));
    return Array.from({ length: p }, () => Array.from({ length: m }, normal));
  };

  it("symmetricEigen: A V = V Λ and VᵀV = I to 1e-12 (random symmetric, p ≤ 20)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 2 ** 30 }), (p, seed) => {
        const B = columns(p, p, seed);
        const A = B.map((row, i) => row.map((v, j) => v + B[j][i]));
        const { values, vectors } = symmetricEigen(A);
        const scale = Math.max(...values.map(Math.abs), 1);
        for (let i = 0; i < p; i++)
          for (let c = 0; c < p; c++) {
            let av = 0;
            for (let j = 0; j < p; j++) av += A[i][j] * vectors[j][c];
            expect(Math.abs(av - values[c] * vectors[i][c])).toBeLessThanOrEqual(1e-12 * scale);
            let vv = 0;
            for (let j = 0; j < p; j++) vv += vectors[j][i] * vectors[j][c];
            expect(Math.abs(vv - (i === c ? 1 : 0))).toBeLessThanOrEqual(1e-12);
          }
      }),
      { seed: 5, numRuns: 30 },
    );
  });

  /** Random upper-triangular p×p with |diagonal| in [0.5, 2], off-diagonal normals. */
  const upper = (p: number, seed: number) => {
    const rand = rng(seed);
    const normal = gaussian(rand);
    return Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (j < i ? 0 : j === i ? (0.5 + 1.5 * rand()) * (rand() < 0.5 ? -1 : 1) : normal())));
  };

  it("solveUpper: R γ = y to 1e-12; ridgeSolve: the normal equations (RᵀR + ridge·D²)γ = Rᵀy hold (float64 reference)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 2 ** 30 }), fc.constantFrom(0, 1e-8, 1e-4, 1), (p, seed, ridge) => {
        const R = upper(p, seed);
        const y = columns(p, 1, seed + 1)[0];
        if (ridge === 0) {
          const g = solveUpper(R, y);
          for (let i = 0; i < p; i++) expect(Math.abs(R[i].reduce((s, v, j) => s + v * g[j], 0) - y[i])).toBeLessThanOrEqual(1e-10 * (1 + norm(y)));
        }
        const g = ridgeSolve(R, y, ridge);
        const d2 = R.map((_, j) => R.reduce((s, row) => s + row[j] * row[j], 0));
        const Rg = R.map((row) => row.reduce((s, v, j) => s + v * g[j], 0));
        const scale = Math.max(...d2) * (norm(g) + 1) + norm(y) * Math.sqrt(Math.max(...d2));
        for (let j = 0; j < p; j++) {
          // column j of R against (y − Rγ), minus ridge·d_j²·γ_j: the gradient, zero at the minimiser
          const grad = R.reduce((s, row, i) => s + row[j] * (y[i] - Rg[i]), 0) - ridge * d2[j] * g[j];
          expect(Math.abs(grad)).toBeLessThanOrEqual(1e-9 * scale);
        }
      }),
      { seed: 6, numRuns: 60 },
    );
  });

  it("scaledCondition is σ_max/σ_min of R with unit columns (float64 power and inverse-power iteration reference)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 2 ** 30 }), (p, seed) => {
        const R = upper(p, seed);
        const c = scaledCondition(R);
        expect(Math.abs(c - scaledCondition64(R))).toBeLessThanOrEqual(1e-6 * c);
      }),
      { seed: 7, numRuns: 30 },
    );
    // scaling a column does not change it; nearly parallel columns make it large; singular is ∞
    expect(scaledCondition([[1, 0], [0, 1e-3]])).toBeCloseTo(1, 12);
    const eps = 1e-5;
    // columns (1, 0) and (1, ε)/√(1+ε²): σ_max/σ_min = cot(θ/2), θ = atan ε
    expect(scaledCondition([[1, 1], [0, eps]]) / (1 / Math.tan(Math.atan(eps) / 2))).toBeCloseTo(1, 5);
    expect(scaledCondition([[1, 1], [0, 0]])).toBe(Infinity);
    expect(scaledCondition([])).toBe(1);
  });

  it("ridgeSolve on a singular R: non-finite γ with ridge 0 (the caller's to check), finite with ridge > 0, no throw", () => {
    const R = [[1, 2], [0, 0]];
    expect(ridgeSolve(R, [1, 1], 0).every(Number.isFinite)).toBe(false);
    const g = ridgeSolve(R, [1, 1], 1e-6);
    expect(g.every(Number.isFinite)).toBe(true);
    expect(ridgeSolve([[0]], [0], 1e-6).every(Number.isFinite)).toBe(false);
  });
});

describe("ColumnQR: QR of the history kept up to date as columns come and go", () => {
  it("after appends and drops of the oldest: Q R = the columns kept, QᵀQ = I, y = Qᵀf, companions in step (float32 vs float64)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 7, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 2 ** 30 }), (n, m, seed) => {
        const normal = gaussian(rng(seed));
        const qr = new ColumnQR<Tensor>(tf);
        const f = Array.from({ length: n }, normal);
        const ft = tf.tensor1d(f);
        let y: number[] = [];
        const kept: number[][] = [];
        const before = tf.memory().numTensors;
        for (let k = 0; k < 3 * m; k++) {
          // columns with a common component, so later ones are far from orthogonal
          const v = Array.from({ length: n }, (_, i) => normal() + 2 * Math.sin(i + k * 0.1));
          const o = tf.tidy(() => qr.orthogonalise(tf.tensor1d(v)));
          const stats = tf.tidy(() => tf.stack([...o.stats, flatDot(tf, o.w, ft)]));
          const s = [...stats.dataSync()];
          stats.dispose();
          tf.dispose(o.stats);
          const fin = qr.finish(o.w, s.slice(0, -1));
          const wf = fin.w === o.w ? s[s.length - 1] : scalar(tf.tidy(() => flatDot(tf, fin.w, ft)));
          expect(ColumnQR.usable(fin)).toBe(true);
          y = tf.tidy(() => qr.Q.map((q) => scalar(flatDot(tf, q, ft))));
          y.push(qr.append(fin, tf.tensor1d([k]), wf));
          kept.push(v);
          while (qr.size > m) {
            y = qr.dropOldest(y);
            kept.shift();
          }
          const p = qr.size;
          expect(p).toBe(kept.length);
          const Q = qr.Q.map((q) => Array.from(q.dataSync()));
          for (let j = 0; j < p; j++) {
            // Q R e_j = column j
            const col = new Array<number>(n).fill(0);
            for (let i = 0; i <= j; i++) for (let r = 0; r < n; r++) col[r] += Q[i][r] * qr.R[i][j];
            expect(norm(sub(col, kept[j]))).toBeLessThanOrEqual(1e-5 * norm(kept[j]));
            for (let i = 0; i < p; i++) expect(Math.abs(dot(Q[i], Q[j]) - (i === j ? 1 : 0))).toBeLessThanOrEqual(1e-5);
            expect(Math.abs(y[j] - dot(Q[j], f))).toBeLessThanOrEqual(1e-5 * norm(f));
            expect(qr.companions[j].dataSync()[0]).toBe(k - p + 1 + j);
          }
          for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) expect(qr.R[i][j]).toBe(0);
        }
        // p columns of Q and p companions live, nothing else
        expect(tf.memory().numTensors).toBe(before + 2 * qr.size);
        qr.clear();
        expect(tf.memory().numTensors).toBe(before);
        ft.dispose();
      }),
      { seed: 8, numRuns: 25 },
    );
  });

  it("a column in the span of the others is not usable; one nearly so is re-orthogonalised to float32 accuracy", () => {
    const qr = new ColumnQR<Tensor>(tf);
    const a = [1, 2, 3, 4];
    const b = [0, 1, 0, -1];
    for (const v of [a, b]) {
      const o = tf.tidy(() => qr.orthogonalise(tf.tensor1d(v)));
      const s = tf.tidy(() => [...tf.stack(o.stats).dataSync()]);
      tf.dispose(o.stats);
      qr.append(qr.finish(o.w, s), tf.scalar(0), 0);
    }
    const check = (v: number[]) => {
      const o = tf.tidy(() => qr.orthogonalise(tf.tensor1d(v)));
      const s = tf.tidy(() => [...tf.stack(o.stats).dataSync()]);
      tf.dispose(o.stats);
      const fin = qr.finish(o.w, s);
      const w = Array.from(fin.w.dataSync());
      fin.w.dispose();
      return { fin, w };
    };
    expect(ColumnQR.usable(check(a.map((v, i) => 2 * v - 3 * b[i])).fin)).toBe(false);
    // 1e-4 off the span: the first pass cancels ~4 digits, the second restores orthogonality
    const { fin, w } = check(a.map((v, i) => v + b[i] + 1e-4 * (i === 0 ? 1 : 0)));
    expect(ColumnQR.usable(fin)).toBe(true);
    const Q = qr.Q.map((q) => Array.from(q.dataSync()));
    for (const q of Q) expect(Math.abs(dot(q, w))).toBeLessThanOrEqual(1e-6 * norm(w) + 1e-9);
    qr.clear();
  });
});
