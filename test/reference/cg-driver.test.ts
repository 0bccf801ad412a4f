// runCg against float64 plain-TS references (Cholesky), on the cpu backend.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { runCg } from "./cg-driver.js";
import {
  aNorm,
  cgIterations64,
  choleskySolve,
  gaussian,
  matvec,
  norm,
  randomOrthogonal,
  randomSpd,
  randomVector,
  rng,
  sub,
  tf,
  useCpu,
  type Mat,
} from "../drivers/reference.js";

beforeAll(useCpu);

type Tensor = tf.Tensor;

/** u ↦ A u for a dense n×n A, on tensors of shape [n]. */
function denseOperator(A: Mat, n: number): { apply: (u: Tensor) => Tensor; At: Tensor } {
  const At = tf.tensor2d(Float32Array.from(A), [n, n]);
  const apply = (u: Tensor) => tf.reshape(tf.matMul(At, tf.reshape(u, [n, 1])), [n]);
  return { apply, At };
}

/** 1D Laplacian (2, −1) with zero boundary, matrix-free, any n. */
function laplace1d(n: number): (u: Tensor) => Tensor {
  return (u) =>
    tf.tidy(() => {
      const p = tf.pad(u, [[1, 1]]);
      return tf.sub(tf.mul(u, 2), tf.add(tf.slice(p, [0], [n]), tf.slice(p, [2], [n])));
    });
}

const COND = 100;

describe("runCg on random SPD systems (condition 100)", () => {
  // Tolerances, from float32 (eps = 2^-24 ≈ 6e-8 per rounding) and κ = 100:
  // - the run stops when the true residual, computed in float32, is ≤ rtol·‖b‖ = 1e-5‖b‖. That
  //   float32 evaluation of b − A u errs by at most about √n·eps·‖A‖‖u‖ ≤ √n·eps·κ‖b‖ ≈ 5e-5‖b‖
  //   (n ≤ 60), typically far less; so the float64 residual is ≤ 1e-5 + 5e-5 → assert ≤ 6e-5.
  // - forward error: ‖u − u*‖/‖u*‖ ≤ κ · ‖b − A u‖/‖b‖ (exact inequality) ≤ 100 · 6e-5 = 6e-3;
  //   asserted both as that bound and against the inequality with the measured residual.
  it("matches a float64 Cholesky solve; iterations near n (see bound); the A-norm of the error never grows", () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 60 }), fc.integer({ min: 1, max: 2 ** 30 }), (n, seed) => {
        const A = randomSpd(n, COND, seed);
        const b = randomVector(n, seed + 1);
        const xStar = choleskySolve(A, b, n);
        const { apply, At } = denseOperator(A, n);
        const bt = tf.tensor1d(Float32Array.from(b));
        const errs: number[] = [];
        const before = tf.memory().numTensors;
        const { value, report } = runCg(tf, apply, bt, {
          stop: { rtol: 1e-5, maxIter: 10 * n },
          name: "u",
          onIterate: (_k, x) => errs.push(aNorm(A, sub(x.dataSync(), xStar), n)),
        });
        expect(tf.memory().numTensors).toBe(before + 1);
        const u = value.dataSync();
        value.dispose();
        bt.dispose();
        At.dispose();

        expect(report.converged).toBe(true);
        expect(report.reason).toBe("converged_rtol");
        // Iterations. Exact CG ends in ≤ n steps, but rounding delays that finite termination
        // (loss of orthogonality): float64 CG with the same test already needs up to n + 2 here,
        // and float32 5–9 more than float64 (measured on these 25 systems). So: ≤ float64 + 12,
        // ≤ n + 12, and the requested n + 5 where n ≥ 40 (there the spectrum, not n, decides).
        const it64 = cgIterations64(A, b, n, 1e-5);
        expect(it64).toBeGreaterThan(0);
        expect(report.iterations).toBeLessThanOrEqual(it64 + 12);
        expect(report.iterations).toBeLessThanOrEqual(n + 12);
        if (n >= 40) expect(report.iterations).toBeLessThanOrEqual(n + 5);
        expect(report.history.length).toBe(report.iterations + 1);

        const r64 = norm(sub(b, matvec(A, u, n))) / norm(b);
        expect(report.relResidual).toBeLessThanOrEqual(1e-5);
        expect(r64).toBeLessThanOrEqual(6e-5);
        const fwd = norm(sub(u, xStar)) / norm(xStar);
        expect(fwd).toBeLessThanOrEqual(COND * r64 * (1 + 1e-6) + 1e-12);
        expect(fwd).toBeLessThanOrEqual(6e-3);

        // ‖x_k − x*‖_A is monotone in exact arithmetic. In float32 each step may add rounding
        // noise to the iterate of a few eps·‖x*‖_A; allow 1e-6·‖e_0‖_A (≈ 16 eps, and 10× below
        // the ≈ 1e-5‖e_0‖_A the runs end at). Measured: strictly decreasing on all 25 systems.
        expect(errs.length).toBe(report.iterations + 1);
        const slack = 1e-6 * errs[0];
        for (let k = 1; k < errs.length; k++) expect(errs[k]).toBeLessThanOrEqual(errs[k - 1] + slack);
      }),
      { seed: 1, numRuns: 25 },
    );
  });

  it("accepts any tensor shape (a [5, 8] unknown, treated as a flat vector)", () => {
    const n = 40;
    const A = randomSpd(n, COND, 7);
    const b = randomVector(n, 8);
    const xStar = choleskySolve(A, b, n);
    const At = tf.tensor2d(Float32Array.from(A), [n, n]);
    const apply = (u: Tensor) => tf.reshape(tf.matMul(At, tf.reshape(u, [n, 1])), [5, 8]);
    const bt = tf.tensor2d(Float32Array.from(b), [5, 8]);
    const { value, report } = runCg(tf, apply, bt, { stop: { rtol: 1e-5, maxIter: 200 }, name: "U" });
    expect(value.shape).toEqual([5, 8]);
    expect(report.converged).toBe(true);
    expect(norm(sub(value.dataSync(), xStar)) / norm(xStar)).toBeLessThan(6e-3);
    tf.dispose([value, bt, At]);
  });

  it("with a Jacobi preconditioner converges to the same solution", () => {
    const n = 30;
    // badly scaled SPD: D^{1/2} A D^{1/2} with D spanning 1e-2..1e2, which Jacobi undoes
    const A0 = randomSpd(n, 10, 3);
    const s = Array.from({ length: n }, (_, i) => 10 ** (2 * (i / (n - 1)) - 1));
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = Math.fround(s[i] * A0[i * n + j] * s[j]);
    const b = randomVector(n, 4);
    const xStar = choleskySolve(A, b, n);
    const { apply, At } = denseOperator(A, n);
    const invDiag = tf.tensor1d(Array.from({ length: n }, (_, i) => 1 / A[i * n + i]));
    const bt = tf.tensor1d(Float32Array.from(b));
    const before = tf.memory().numTensors;
    const plain = runCg(tf, apply, bt, { stop: { rtol: 1e-5, maxIter: 1000 }, name: "plain" });
    const pre = runCg(tf, apply, bt, { stop: { rtol: 1e-5, maxIter: 1000 }, name: "jacobi", precond: (r) => tf.mul(r, invDiag) });
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(pre.report.converged).toBe(true);
    expect(pre.report.iterations).toBeLessThan(plain.report.iterations);
    const u = pre.value.dataSync();
    const r64 = norm(sub(b, matvec(A, u, n))) / norm(b);
    expect(norm(sub(u, xStar)) / norm(xStar)).toBeLessThanOrEqual(1e4 * r64 + 1e-12); // κ(A) ≤ 10·1e2·1e2
    tf.dispose([plain.value, pre.value, bt, At, invDiag]);
  });
});

describe("runCg edge cases", () => {
  it("zero right-hand side: exact zeros, 0 iterations, converged_atol (even from a nonzero x0)", () => {
    const n = 12;
    const apply = laplace1d(n);
    const b = tf.zeros([n]);
    const x0 = tf.ones([n]);
    for (const opts of [{}, { x0 }]) {
      const before = tf.memory().numTensors;
      const { value, report } = runCg(tf, apply, b, { ...opts, stop: { rtol: 1e-6, maxIter: 100 }, name: "z" });
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(Array.from(value.dataSync())).toEqual(new Array(n).fill(0));
      expect(report).toMatchObject({ iterations: 0, reason: "converged_atol", converged: true, residual: 0, relResidual: 0 });
      expect(report.history).toEqual([0]);
      value.dispose();
    }
    tf.dispose([b, x0]);
  });

  it("an initial guess that already solves returns at once", () => {
    const n = 16;
    const apply = laplace1d(n);
    const x0 = tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3)); // small integers: A x0 is exact
    const b = apply(x0);
    const calls = { n: 0 };
    const { value, report } = runCg(tf, (u) => (calls.n++, apply(u)), b, { x0, stop: { rtol: 1e-6, maxIter: 100 }, name: "u" });
    expect(report).toMatchObject({ iterations: 0, converged: true, residual: 0 });
    expect(Array.from(value.dataSync())).toEqual(Array.from(x0.dataSync()));
    expect(value).not.toBe(x0); // a fresh tensor the caller owns
    expect(calls.n).toBe(1);
    tf.dispose([value, x0, b]);
  });

  it("indefinite operator: breakdown or max_iterations, never NaN, never converged", () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 30 }), fc.integer({ min: 1, max: 2 ** 30 }), (n, seed) => {
        // eigenvalues ±[1, 10], random orthogonal basis
        const Qo = randomOrthogonal(n, gaussian(rng(seed)));
        const d = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) * (1 + (9 * i) / n));
        const A = new Float64Array(n * n);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += Qo[i * n + k] * d[k] * Qo[j * n + k];
            A[i * n + j] = Math.fround(s);
          }
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i];
        const { apply, At } = denseOperator(A, n);
        const bt = tf.tensor1d(Float32Array.from(randomVector(n, seed + 5)));
        const before = tf.memory().numTensors;
        const { value, report } = runCg(tf, apply, bt, { stop: { rtol: 1e-6, maxIter: 4 * n }, name: "u" });
        expect(tf.memory().numTensors).toBe(before + 1);
        expect(report.converged).toBe(false);
        expect(["breakdown", "max_iterations", "diverged_growth"]).toContain(report.reason);
        expect(value.dataSync().every(Number.isFinite)).toBe(true);
        expect(Number.isFinite(report.residual)).toBe(true);
        if (report.reason === "breakdown") expect(report.detail).toMatch(/pᵀAp = .* ≤ 0 at iteration \d+ \(the operator is not positive definite\)/);
        tf.dispose([value, bt, At]);
      }),
      { seed: 1, numRuns: 25 },
    );
  });

  it("a negative definite operator breaks down at iteration 1 and returns x0", () => {
    const n = 8;
    const lap = laplace1d(n);
    const b = tf.ones([n]);
    const { value, report } = runCg(tf, (u) => tf.neg(lap(u)), b, { stop: { rtol: 1e-6, maxIter: 50 }, name: "neg" });
    expect(report.reason).toBe("breakdown");
    expect(report.iterations).toBe(0);
    expect(report.detail).toMatch(/^pᵀAp = -\S+ ≤ 0 at iteration 1 \(the operator is not positive definite\)$/);
    expect(Array.from(value.dataSync())).toEqual(new Array(n).fill(0));
    tf.dispose([value, b]);
  });

  it("NaN injected into the operator at its 6th call → diverged_nan naming iteration 6, the last good iterate returned", () => {
    const n = 50;
    const lap = laplace1d(n);
    const b = tf.tensor1d(Float32Array.from(randomVector(n, 11)));
    let calls = 0;
    const apply = (u: Tensor) => {
      calls++;
      const y = lap(u);
      if (calls !== 6) return y;
      return tf.tidy(() => tf.where(tf.equal(tf.range(0, n), 17), tf.fill([n], NaN), y));
    };
    const before = tf.memory().numTensors;
    const { value, report } = runCg(tf, apply, b, { stop: { rtol: 1e-6, maxIter: 500 }, name: "u" });
    expect(tf.memory().numTensors).toBe(before + 1);
    // call 1..5 are iterations 1..5 (no x0, so no call for the initial residual); call 6 is iteration 6
    expect(report.reason).toBe("diverged_nan");
    expect(report.converged).toBe(false);
    expect(report.detail).toMatch(/^pᵀAp = NaN at iteration 6: the operator produced NaN or ±Inf$/);
    expect(report.iterations).toBe(5); // the returned value is the last good iterate, x_5
    expect(report.history.length).toBe(6);
    expect(value.dataSync().every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(report.residual)).toBe(true); // the true residual of x_5 (call 7 is clean)
    tf.dispose([value, b]);
  });

  it("NaN in the right-hand side → diverged_nan at iteration 0", () => {
    const b = tf.tensor1d([1, NaN, 2]);
    const { value, report } = runCg(tf, (u) => tf.mul(u, 2), b, { stop: { rtol: 1e-6, maxIter: 10 }, name: "u" });
    expect(report.reason).toBe("diverged_nan");
    expect(report.iterations).toBe(0);
    expect(report.detail).toMatch(/right-hand side \(1 NaN of 3 entries, the first at flat index 1\)/);
    tf.dispose([value, b]);
  });

  it("a preconditioner that is not SPD → breakdown naming rᵀz", () => {
    const n = 10;
    const b = tf.ones([n]);
    const { value, report } = runCg(tf, laplace1d(n), b, {
      precond: (r) => tf.neg(r),
      stop: { rtol: 1e-6, maxIter: 50 },
      name: "u",
    });
    expect(report.reason).toBe("breakdown");
    expect(report.detail).toMatch(/^rᵀz = -\S+ ≤ 0 at iteration 0 \(the preconditioner is not positive definite\)$/);
    tf.dispose([value, b]);
  });

  it("iteration cap → max_iterations, true and recursive residuals both reported", () => {
    const n = 200;
    const b = tf.tensor1d(Float32Array.from(randomVector(n, 3)));
    const { value, report } = runCg(tf, laplace1d(n), b, { stop: { rtol: 1e-6, maxIter: 10 }, name: "u" });
    expect(report).toMatchObject({ reason: "max_iterations", converged: false, iterations: 10 });
    expect(report.history.length).toBe(11);
    expect(report.recursiveResidual).toBeDefined();
    expect(Math.abs(report.residual - report.recursiveResidual!)).toBeLessThan(1e-3 * report.residual);
    expect(report.relResidual).toBeCloseTo(report.residual / norm(randomVector(n, 3)), 5);
    tf.dispose([value, b]);
  });

  it("never claims convergence on the recursive residual alone: an unattainable rtol ends in max_iterations", () => {
    // 1D Laplacian, n = 400: κ ≈ 6.5e4, so the float32 true residual stalls near eps·κ·‖b‖ ≈ 1e-3‖b‖
    // while the recursive one keeps falling.
    const n = 400;
    const bv = randomVector(n, 5);
    const b = tf.tensor1d(Float32Array.from(bv));
    const before = tf.memory().numTensors;
    const { value, report } = runCg(tf, laplace1d(n), b, { stop: { rtol: 1e-7, maxIter: 3000 }, name: "u" });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(report.converged).toBe(false);
    expect(report.reason).toBe("max_iterations");
    expect(report.detail).toMatch(/the recursive residual .* met the tolerance .* but the true residual ‖b − Au‖ = .* does not/);
    expect(report.recursiveResidual!).toBeLessThan(report.residual);
    // the reported true residual is the real one (checked in float64)
    const u = value.dataSync();
    const lapU = Array.from({ length: n }, (_, i) => 2 * u[i] - (i > 0 ? u[i - 1] : 0) - (i < n - 1 ? u[i + 1] : 0));
    const r64 = norm(sub(bv, lapU));
    expect(Math.abs(report.residual - r64)).toBeLessThan(0.5 * r64);
    tf.dispose([value, b]);
  });
});

describe("runCg memory", () => {
  it("2,000 iterations leave only the result behind, and the live count stays flat throughout", () => {
    // 1D Laplacian with n = 3000: κ ≈ 3.6e6, CG is far from rtol 1e-7 after 2,000 iterations
    const n = 3000;
    const b = tf.tensor1d(Float32Array.from(randomVector(n, 9)));
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const { value, report } = runCg(tf, laplace1d(n), b, {
      stop: { rtol: 1e-7, maxIter: 2000 },
      name: "u",
      onIterate: (k) => {
        if (k % 250 === 1) counts.push(tf.memory().numTensors);
      },
    });
    expect(report.iterations).toBe(2000);
    expect(report.reason).toBe("max_iterations");
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(new Set(counts).size).toBe(1);
    expect(counts.length).toBe(8);
    // 2001 residuals: more than the 2 × 1000 kept
    expect(report.historyTruncated).toBe(true);
    expect(report.history.length).toBe(2000);
    tf.dispose([value, b]);
  }, 30_000);

  it("history up to 2 × 1000 entries is complete", () => {
    const n = 3000;
    const b = tf.tensor1d(Float32Array.from(randomVector(n, 10)));
    const { value, report } = runCg(tf, laplace1d(n), b, { stop: { rtol: 1e-7, maxIter: 1999 }, name: "u" });
    expect(report.iterations).toBe(1999);
    expect(report.historyTruncated).toBeUndefined();
    expect(report.history.length).toBe(2000);
    tf.dispose([value, b]);
  }, 30_000);

  it("an operator or preconditioner that throws leaks nothing (set-up, iteration, final check)", () => {
    const n = 20;
    const lap = laplace1d(n);
    const b = tf.ones([n]);
    const x0 = tf.zeros([n]);
    for (const failAt of [1, 2, 3, 7]) {
      for (const where of ["operator", "precond"] as const) {
        let calls = 0;
        const boom = <T>(f: () => T): T => {
          if (++calls === failAt) throw new Error("boom");
          return f();
        };
        const before = tf.memory().numTensors;
        expect(() =>
          runCg(tf, where === "operator" ? (u) => boom(() => lap(u)) : lap, b, {
            ...(where === "operator" ? { x0 } : { precond: (r: Tensor) => boom(() => tf.mul(r, 0.5)) }),
            stop: { rtol: 1e-6, maxIter: 100 },
            name: "u",
          }),
        ).toThrow("boom");
        expect(tf.memory().numTensors).toBe(before);
      }
    }
    tf.dispose([b, x0]);
  });
});
