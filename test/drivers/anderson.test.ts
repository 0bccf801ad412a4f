// runAnderson (runtime/drivers/anderson.ts) on the cpu backend, against runFixpoint's Picard and
// float64 plain-TS references; the host least squares against its definition.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type AndersonStepKind, runAnderson, solveScaled, symmetricEigen } from "../../runtime/drivers/anderson.js";
import { runFixpoint } from "../reference/fixpoint-driver.js";
import { runSource } from "../../runtime/run.js";
import { gaussian, matvec, norm, rng, sub, tf, useCpu } from "./reference.js";

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
  //   ρ = 0.5:  Picard 16 / 18 / 17 iterations, Anderson 10 / 10 / 10 (11 map evaluations each)
  //   ρ = 0.9:  Picard 80 / 53 / 28,            Anderson 18 / 18 / 13 (19 / 19 / 14)
  //   ρ = 0.99: Picard 107 / 46 / 26,           Anderson 23 / 17 / 12 (26 / 18 / 13; 2 / 0 / 0 fallbacks)
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
    // Anderson(m: 5) 38 / 40 / 35 (42 / 45 / 38 map evaluations, 3 / 4 / 2 safeguard fallbacks):
    // 9.6×, 5.5×, 4.1× fewer iterations, 8.7×, 4.9×, 3.8× fewer map evaluations.
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
    // Measured: picard 80 iterations, anderson 18.
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

describe("runAnderson's safeguard", () => {
  it("every accepted accelerated step decreases the residual; a fallback iterate is the plain step T(x_{k−1})", async () => {
    // The b scale 0.1, ρ = 0.99 instances have 2–4 fallbacks each (measured), so both branches
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
  // Measured (atol 1e-6): defaults 5 iterations (1 restart: the third column makes Ĝ singular);
  // ridge 0 with no restart (the pseudo-inverse on the singular Gram matrix) 4 iterations.
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
    // Measured: 200 iterations, 117 restarts, 81 fallbacks, the residual 0.668 → 0.39 or so.
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
    expect(report.detail).toMatch(/[1-9]\d* restarts/);
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
  const gram = (F: number[][]) => F.map((a) => F.map((b) => a.reduce((s, v, i) => s + v * b[i], 0)));
  const dotv = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

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

  it("solveScaled with ridge 0 on full-rank columns is the least-squares solution (normal equations hold)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 2 ** 30 }), (p, seed) => {
        const F = columns(30, p, seed);
        const f = columns(30, 1, seed + 1)[0];
        const { gamma, cond } = solveScaled(gram(F), F.map((c) => dotv(c, f)), 0);
        expect(Number.isFinite(cond)).toBe(true);
        // Fᵀ(f − Fγ) = 0
        const r = f.map((v, i) => v - F.reduce((s, c, j) => s + c[i] * gamma[j], 0));
        for (const c of F) expect(Math.abs(dotv(c, r))).toBeLessThanOrEqual(1e-9 * norm(f) * norm(c));
      }),
      { seed: 6, numRuns: 30 },
    );
  });

  it("solveScaled on exactly dependent columns: finite γ, infinite (or huge) condition, with or without ridge", () => {
    const [a, b] = columns(10, 2, 3);
    const F = [a, b, a.map((v, i) => v + 2 * b[i]), a];
    const f = columns(10, 1, 4)[0];
    for (const ridge of [0, 1e-6]) {
      const { gamma, cond } = solveScaled(gram(F), F.map((c) => dotv(c, f)), ridge);
      expect(gamma.every(Number.isFinite)).toBe(true);
      expect(cond).toBeGreaterThan(1e12);
    }
    // all-zero Gram (no usable column): non-finite γ, reported to the caller, no throw
    expect(solveScaled([[0]], [0], 1e-6).gamma.every(Number.isFinite)).toBe(false);
  });
});
