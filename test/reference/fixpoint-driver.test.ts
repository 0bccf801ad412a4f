// runFixpoint against float64 plain-TS reference iterations, on the cpu backend.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { runFixpoint } from "./fixpoint-driver.js";
import { f32, gaussian, matvec, norm, randomOrthogonal, rng, sub, tf, useCpu } from "../drivers/reference.js";

beforeAll(useCpu);

type Tensor = tf.Tensor;

/** W = 0.9 · Q₁ D Q₂ᵀ with D uniform in [0, 1] and its largest entry exactly 1: ‖W‖₂ = 0.9. */
function contraction(n: number, seed: number): { W: Float64Array; b: Float64Array } {
  const normal = gaussian(rng(seed));
  const Q1 = randomOrthogonal(n, normal);
  const Q2 = randomOrthogonal(n, normal);
  const u = rng(seed + 7);
  const d = Array.from({ length: n }, (_, i) => (i === 0 ? 1 : u()));
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += Q1[i * n + k] * d[k] * Q2[j * n + k];
      W[i * n + j] = 0.9 * s;
    }
  return { W: f32(W), b: f32(Array.from({ length: n }, normal)) };
}

/** T(x) = tanh(W x + b) in float64. */
function T64(W: Float64Array, b: Float64Array, x: ArrayLike<number>, n: number): Float64Array {
  const y = matvec(W, x, n);
  for (let i = 0; i < n; i++) y[i] = Math.tanh(y[i] + b[i]);
  return y;
}

/** The fixed point by float64 Picard iteration to ‖T(x) − x‖ ≤ 1e-15 (L ≤ 0.9: error ≤ 1e-14). */
function fixpoint64(W: Float64Array, b: Float64Array, n: number): Float64Array {
  let x: Float64Array = new Float64Array(n);
  for (let k = 0; k < 2000; k++) {
    const y = T64(W, b, x, n);
    const r = norm(sub(y, x));
    x = y;
    if (r <= 1e-15) break;
  }
  return x;
}

function tanhMap(W: Float64Array, b: Float64Array, n: number) {
  const Wt = tf.tensor2d(Float32Array.from(W), [n, n]);
  const bt = tf.tensor1d(Float32Array.from(b));
  const map = (x: Tensor) => tf.tanh(tf.add(tf.reshape(tf.matMul(Wt, tf.reshape(x, [n, 1])), [n]), bt));
  return { map, dispose: () => tf.dispose([Wt, bt]) };
}

describe("runFixpoint on x ← tanh(Wx + b), ‖W‖₂ = 0.9", () => {
  // Tolerances: the returned x has ‖T(x) − x‖ = r ≤ rtol‖x‖ and T is a 0.9-contraction, so
  // ‖x − x*‖ ≤ r / (1 − 0.9) = 10 r (exact). float32 adds, per map evaluation, rounding of about
  // eps·(‖W‖‖x‖ + ‖b‖)·√n ≲ 1e-6 for n ≤ 40, amplified by the same 1/(1 − L) = 10: so assert
  // ‖x − x*‖ ≤ 10 r₆₄ + 1e-5, with r₆₄ = ‖T(x) − x‖ recomputed in float64, at rtol 1e-5.
  // To match the reference entrywise to 1e-5, run to rtol 1e-6 (float32 reaches it here): the
  // bound gives ≤ 10·1e-6·‖x‖ ≤ 6e-5 (|x_i| < 1, n ≤ 40); measured max |x − x*|_∞ = 3.1e-6
  // (Picard) and 3.9e-6 (damped) on these 25 maps, so 1e-5 holds with a 2.5× margin.
  for (const method of ["picard", "damped"] as const) {
    it(`${method}: converges to rtol 1e-5 (and 1e-6) and matches a float64 reference iteration`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 2 ** 30 }), (n, seed) => {
          const { W, b } = contraction(n, seed);
          const xStar = fixpoint64(W, b, n);
          const { map, dispose } = tanhMap(W, b, n);
          const x0 = tf.zeros([n]);
          for (const rtol of [1e-5, 1e-6]) {
            const before = tf.memory().numTensors;
            const { value, report } = runFixpoint(tf, map, x0, {
              method,
              stop: { rtol, maxIter: 1000 },
              name: "z",
              lipschitz: 0.9,
            });
            expect(tf.memory().numTensors).toBe(before + 1);
            const x = value.dataSync();
            value.dispose();

            expect(report).toMatchObject({ kind: "fixpoint", method, converged: true, reason: "converged_rtol" });
            expect(report.history.length).toBe(report.iterations + 1);
            expect(report.relResidual).toBeLessThanOrEqual(rtol);
            expect(report.relResidual).toBeCloseTo(report.residual / norm(x), 6);
            // the reported residual is the returned value's own ‖T(x) − x‖
            const r64 = norm(sub(T64(W, b, x, n), x));
            expect(Math.abs(report.residual - r64)).toBeLessThanOrEqual(0.05 * r64 + 1e-6);
            const err = norm(sub(x, xStar));
            expect(err).toBeLessThanOrEqual(10 * r64 + 1e-5);
            expect(report.errorBound).toMatchObject({ lipschitz: 0.9, source: "declared" });
            expect(err).toBeLessThanOrEqual(report.errorBound!.value + 1e-5);
            if (rtol === 1e-6) for (let i = 0; i < n; i++) expect(Math.abs(x[i] - xStar[i])).toBeLessThanOrEqual(1e-5);
          }
          x0.dispose();
          dispose();
        }),
        { seed: 1, numRuns: 25 },
      );
    });
  }

  it("Picard's history is the float64 residual of each iterate; damped converges more slowly", () => {
    const n = 16;
    const { W, b } = contraction(n, 42);
    const { map, dispose } = tanhMap(W, b, n);
    const x0 = tf.zeros([n]);
    const seen: number[] = [];
    const picard = runFixpoint(tf, map, x0, {
      method: "picard",
      stop: { rtol: 1e-5, maxIter: 1000 },
      name: "z",
      onIterate: (_k, x) => {
        const xv = x.dataSync();
        seen.push(norm(sub(T64(W, b, xv, n), xv)));
      },
    });
    expect(seen.length).toBe(picard.report.iterations + 1);
    for (let k = 0; k < seen.length; k++) {
      expect(Math.abs(picard.report.history[k] - seen[k])).toBeLessThanOrEqual(1e-3 * seen[k] + 1e-6);
    }
    const damped = runFixpoint(tf, map, x0, { method: "damped", damping: 0.5, stop: { rtol: 1e-5, maxIter: 1000 }, name: "z" });
    expect(damped.report.converged).toBe(true);
    expect(damped.report.iterations).toBeGreaterThan(picard.report.iterations);
    // an estimated error bound for the converged Picard run (no declared Lipschitz constant)
    expect(picard.report.errorBound?.source).toBe("estimated");
    expect(picard.report.errorBound!.lipschitz).toBeLessThan(0.9);
    tf.dispose([picard.value, damped.value, x0]);
    dispose();
  });
});

describe("runFixpoint failures", () => {
  it("a divergent map x ← 2x + 1 → diverged_growth", () => {
    const x0 = tf.zeros([3]);
    const before = tf.memory().numTensors;
    const { value, report } = runFixpoint(tf, (x) => tf.add(tf.mul(x, 2), 1), x0, {
      method: "picard",
      stop: { rtol: 1e-6, maxIter: 1000 },
      name: "x",
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    // r_k = 2^k·√3 > 1e8·√3 first at k = 27
    expect(report).toMatchObject({ reason: "diverged_growth", converged: false, iterations: 27 });
    expect(report.history.length).toBe(28);
    expect(report.detail).toMatch(/exceeds 1\.00e\+8 × the initial 1\.73: the map is not contractive here/);
    expect(value.dataSync().every(Number.isFinite)).toBe(true);
    tf.dispose([value, x0]);
  });

  it("the iteration cap → max_iterations, converged false, history length = iterations + 1", () => {
    const n = 8;
    const { W, b } = contraction(n, 3);
    const { map, dispose } = tanhMap(W, b, n);
    const x0 = tf.zeros([n]);
    const { value, report } = runFixpoint(tf, map, x0, { method: "picard", stop: { rtol: 1e-6, maxIter: 5 }, name: "z" });
    expect(report).toMatchObject({ reason: "max_iterations", converged: false, iterations: 5 });
    expect(report.history.length).toBe(6);
    expect(report.errorBound).toBeUndefined();
    tf.dispose([value, x0]);
    dispose();
  });

  it("NaN from the map → diverged_nan naming the iteration and the entries; the last finite iterate is returned", () => {
    const x0 = tf.zeros([6]);
    let calls = 0;
    const map = (x: Tensor) => {
      calls++;
      const y = tf.add(tf.mul(x, 0.5), 1);
      return calls === 4 ? tf.div(y, tf.zeros([6])) : y; // positive / 0 = +Inf everywhere
    };
    const before = tf.memory().numTensors;
    const { value, report } = runFixpoint(tf, map, x0, { method: "picard", stop: { rtol: 1e-9, maxIter: 100 }, name: "x" });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(report.reason).toBe("diverged_nan");
    // calls 1, 2, 3 evaluate T at x_0, x_1, x_2; call 4 evaluates T(x_3): iteration 4 fails
    expect(report.iterations).toBe(3);
    expect(report.detail).toBe("NaN or ±Inf in T(x) at iteration 4 (6 ±Inf of 6 entries, the first at flat index 0)");
    expect(report.history.length).toBe(4);
    expect(Number.isFinite(report.history[3])).toBe(false); // ‖T(x_3) − x_3‖ = Inf
    expect(Array.from(value.dataSync())).toEqual(new Array(6).fill(1.75)); // x_3 = 1 + 0.5 + 0.25
    tf.dispose([value, x0]);
  });

  it("NaN in a single entry is located", () => {
    const x0 = tf.zeros([4]);
    const { value, report } = runFixpoint(
      tf,
      (x) => tf.tidy(() => tf.where(tf.tensor1d([false, false, true, false], "bool"), tf.fill([4], NaN), tf.add(x, 1))),
      x0,
      { method: "damped", stop: { rtol: 1e-9, maxIter: 100 }, name: "x" },
    );
    expect(report.reason).toBe("diverged_nan");
    expect(report.iterations).toBe(0);
    expect(report.detail).toBe("NaN or ±Inf in T(x) at iteration 1 (in the damped update: 1 NaN of 4 entries, the first at flat index 2)");
    tf.dispose([value, x0]);
  });

  it("NaN in the initial iterate → diverged_nan at iteration 0", () => {
    const x0 = tf.tensor1d([0, NaN]);
    const { value, report } = runFixpoint(tf, (x) => tf.mul(x, 0.5), x0, { method: "picard", stop: { maxIter: 10 }, name: "x" });
    expect(report).toMatchObject({ reason: "diverged_nan", iterations: 0, converged: false });
    expect(report.detail).toBe("NaN or ±Inf in the initial iterate (1 NaN of 2 entries, the first at flat index 1)");
    tf.dispose([value, x0]);
  });

  it("a map that throws leaks nothing", () => {
    const x0 = tf.zeros([4]);
    for (const method of ["picard", "damped"] as const) {
      let calls = 0;
      const before = tf.memory().numTensors;
      expect(() =>
        runFixpoint(
          tf,
          (x) => {
            if (++calls === 3) throw new Error("boom");
            return tf.add(tf.mul(x, 0.5), 1);
          },
          x0,
          { method, stop: { rtol: 1e-9, maxIter: 100 }, name: "x" },
        ),
      ).toThrow("boom");
      expect(tf.memory().numTensors).toBe(before);
    }
    x0.dispose();
  });
});

describe("runFixpoint ownership and shapes", () => {
  it("a map returning its argument (x0 is already a fixpoint): 0 iterations, a fresh value, x0 untouched", () => {
    const x0 = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const before = tf.memory().numTensors;
    const { value, report } = runFixpoint(tf, (x) => x, x0, { method: "picard", stop: { maxIter: 10 }, name: "x" });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(report).toMatchObject({ reason: "converged_atol", iterations: 0, residual: 0, relResidual: 0 });
    expect(value).not.toBe(x0);
    expect(value.shape).toEqual([2, 2]);
    value.dispose();
    expect(Array.from(x0.dataSync())).toEqual([1, 2, 3, 4]);
    x0.dispose();
  });

  it("a map returning a captured constant: converges in 1 iteration without disposing the constant", () => {
    const c = tf.tensor1d([5, 6]);
    const x0 = tf.zeros([2]);
    for (const method of ["picard", "damped"] as const) {
      const before = tf.memory().numTensors;
      const { value, report } = runFixpoint(tf, () => c, x0, { method, damping: 1, stop: { maxIter: 10 }, name: "x" });
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(report).toMatchObject({ converged: true, iterations: 1 });
      expect(Array.from(value.dataSync())).toEqual([5, 6]);
      value.dispose();
    }
    expect(c.isDisposed).toBe(false);
    tf.dispose([c, x0]);
  });

  it("any shape: a [3, 4] iterate is a flat vector for the norms", () => {
    const x0 = tf.zeros([3, 4]);
    const { value, report } = runFixpoint(tf, (x) => tf.add(tf.mul(x, 0.5), 1), x0, {
      method: "picard",
      stop: { rtol: 1e-6, maxIter: 100 },
      name: "x",
    });
    expect(value.shape).toEqual([3, 4]);
    expect(report.converged).toBe(true);
    // r_0 = ‖T(0) − 0‖ = ‖ones(12)‖
    expect(report.history[0]).toBeCloseTo(Math.sqrt(12), 5);
    for (const v of value.dataSync()) expect(v).toBeCloseTo(2, 5);
    tf.dispose([value, x0]);
  });

  it("10,000 Picard iterations leave only the result behind, the live count flat throughout", () => {
    // a rotation by 0.1 rad: ‖T(x) − x‖ stays 2 sin(0.05)‖x‖, so the run goes to the cap
    const R = tf.tensor2d([Math.cos(0.1), -Math.sin(0.1), Math.sin(0.1), Math.cos(0.1)], [2, 2]);
    const x0 = tf.tensor1d([1, 0]);
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const { value, report } = runFixpoint(tf, (x) => tf.reshape(tf.matMul(R, tf.reshape(x, [2, 1])), [2]), x0, {
      method: "picard",
      stop: { rtol: 1e-6, maxIter: 10_000 },
      name: "x",
      onIterate: (k) => {
        if (k % 1000 === 1) counts.push(tf.memory().numTensors);
      },
    });
    expect(report).toMatchObject({ reason: "max_iterations", iterations: 10_000, historyTruncated: true });
    expect(report.history.length).toBe(2000);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(counts.length).toBe(10);
    expect(new Set(counts).size).toBe(1);
    tf.dispose([value, x0, R]);
  }, 30_000);
});
