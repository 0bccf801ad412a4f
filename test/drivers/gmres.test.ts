// runGmres against float64 plain-TS references (Gaussian elimination, a float64 GMRES), on the
// cpu backend.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { runGmres } from "../../runtime/drivers/gmres.js";
import { f32, gaussian, luSolve, matvec, norm, qdrt, randomOrthogonal, randomVector, rng, sub, tf, useCpu, type Mat } from "./reference.js";

beforeAll(useCpu);

type Tensor = tf.Tensor;

// ---- float64 references ------------------------------------------------------------------

/** A random non-symmetric, strictly row-diagonally-dominant matrix, rounded to float32. */
function randomDominant(n: number, seed: number, spread = 1): Mat {
  const normal = gaussian(rng(seed));
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      A[i * n + j] = Math.fround(normal() / Math.sqrt(n));
      off += Math.abs(A[i * n + j]);
    }
    // dominance margin in [0.1, 0.1 + spread]·off: eigenvalues in Gershgorin discs off zero
    A[i * n + i] = Math.fround((1.1 + spread * ((i * 7919) % n) / n) * off * (i % 3 === 0 ? -1 : 1));
  }
  return A;
}


/** ‖A⁻¹‖_F (≥ ‖A⁻¹‖₂) in float64, one solve per column. */
function inverseFro(A: Mat, n: number): number {
  let s = 0;
  for (let c = 0; c < n; c++) {
    const e = new Float64Array(n);
    e[c] = 1;
    const col = luSolve(A, e, n);
    s += col.reduce((a, v) => a + v * v, 0);
  }
  return Math.sqrt(s);
}

function fro(A: ArrayLike<number>): number {
  return norm(A);
}

/**
 * Restarted GMRES(m) in float64 (classical textbook form: MGS Arnoldi, Givens rotations, no
 * preconditioner, x0 = 0): the iterations until the least-squares residual ≤ rtol‖b‖, or -1.
 */
function gmresIterations64(A: Mat, b: ArrayLike<number>, n: number, m: number, rtol: number, maxIter = 10 * n): number {
  const x = new Float64Array(n);
  const tol = rtol * norm(b);
  let k = 0;
  while (k < maxIter) {
    const r = sub(b, matvec(A, x, n));
    const beta = norm(r);
    if (beta <= tol) return k;
    const V: Float64Array[] = [r.map((v) => v / beta)];
    const R: number[][] = [];
    const cs: number[] = [];
    const sn: number[] = [];
    const g = [beta];
    let j = 0;
    let done = false;
    for (; j < m && k < maxIter; j++) {
      k++;
      const w = matvec(A, V[j], n);
      const h: number[] = [];
      for (let i = 0; i <= j; i++) {
        let s = 0;
        for (let l = 0; l < n; l++) s += w[l] * V[i][l];
        h.push(s);
        for (let l = 0; l < n; l++) w[l] -= s * V[i][l];
      }
      const hn = norm(w);
      h.push(hn);
      for (let i = 0; i < j; i++) {
        const t = cs[i] * h[i] + sn[i] * h[i + 1];
        h[i + 1] = -sn[i] * h[i] + cs[i] * h[i + 1];
        h[i] = t;
      }
      const d = Math.hypot(h[j], h[j + 1]);
      cs.push(h[j] / d);
      sn.push(h[j + 1] / d);
      h[j] = d;
      R.push(h.slice(0, j + 1));
      g.push(-sn[j] * g[j]);
      g[j] = cs[j] * g[j];
      V.push(w.map((v) => v / hn));
      if (Math.abs(g[j + 1]) <= tol) {
        done = true;
        j++;
        break;
      }
    }
    const y = new Array<number>(j).fill(0);
    for (let i = j - 1; i >= 0; i--) {
      let s = g[i];
      for (let l = i + 1; l < j; l++) s -= R[l][i] * y[l];
      y[i] = s / R[i][i];
    }
    for (let i = 0; i < j; i++) for (let l = 0; l < n; l++) x[l] += y[i] * V[i][l];
    if (done) return k;
  }
  return -1;
}

// ---- tensors ---------------------------------------------------------------------------------

/** u ↦ A u for a dense n×n A, on tensors of shape [n]. */
function denseOperator(A: Mat, n: number): { apply: (u: Tensor) => Tensor; At: Tensor } {
  const At = tf.tensor2d(Float32Array.from(A), [n, n]);
  const apply = (u: Tensor) => tf.reshape(tf.matMul(At, tf.reshape(u, [n, 1])), [n]);
  return { apply, At };
}

/** 1D convection–diffusion −u'' + c u' (central differences, zero boundary): non-symmetric. */
function convectionDiffusion(n: number, c: number): { apply: (u: Tensor) => Tensor; dense: Mat } {
  const h = 1 / (n + 1);
  const lo = -1 / h ** 2 - c / (2 * h); // coefficient of u[i-1]
  const hi = -1 / h ** 2 + c / (2 * h); // coefficient of u[i+1]
  const mid = 2 / h ** 2;
  const dense = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    dense[i * n + i] = Math.fround(mid);
    if (i > 0) dense[i * n + i - 1] = Math.fround(lo);
    if (i < n - 1) dense[i * n + i + 1] = Math.fround(hi);
  }
  const apply = (u: Tensor) =>
    tf.tidy(() => {
      const p = tf.pad(u, [[1, 1]]);
      return tf.addN([tf.mul(u, mid), tf.mul(tf.slice(p, [0], [n]), lo), tf.mul(tf.slice(p, [2], [n]), hi)]);
    });
  return { apply, dense };
}

/** 1D Laplacian (2, −1) with zero boundary, matrix-free. */
function laplace1d(n: number): (u: Tensor) => Tensor {
  return (u) =>
    tf.tidy(() => {
      const p = tf.pad(u, [[1, 1]]);
      return tf.sub(tf.mul(u, 2), tf.add(tf.slice(p, [0], [n]), tf.slice(p, [2], [n])));
    });
}

const EPS32 = 2 ** -24;

describe("runGmres on random non-symmetric diagonally dominant systems", () => {
  // Tolerances, from float32 (eps = 2^-24 ≈ 6e-8 per rounding):
  // - the run stops when the true residual, computed in float32, is ≤ rtol·‖b‖ = 1e-5‖b‖; that
  //   float32 evaluation of b − A u errs by at most about √n·eps·‖A‖‖u‖ — computed per system
  //   below — so the float64 residual is ≤ 1e-5‖b‖ + 4√n·eps·‖A‖_F‖u‖;
  // - forward error ‖u − u*‖ ≤ ‖A⁻¹‖₂‖b − A u‖ ≤ ‖A⁻¹‖_F · (float64 residual): an exact inequality.
  // - within a cycle the least-squares residual of x_k is non-increasing in exact arithmetic.
  //   The float32 iterate x_k = x + M(V y) carries rounding of a few eps·‖x_k‖, whose residual
  //   is ≤ eps·‖A‖‖x_k‖·c; slack 8√n·eps·‖A‖_F·‖x_k‖ per step.
  it("matches a float64 LU solve; the residual of x_k never grows within a cycle; iterations as float64 GMRES", () => {
    const measured: string[] = [];
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 60 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.constantFrom(4, 10, 30),
        (n, seed, m) => {
          const A = randomDominant(n, seed);
          const b = randomVector(n, seed + 1);
          const xStar = luSolve(A, b, n);
          const { apply, At } = denseOperator(A, n);
          const bt = tf.tensor1d(Float32Array.from(b));
          const normA = fro(A);
          const bn = norm(b);
          // the float64 true residual of every iterate, with its cycle position
          const res: { k: number; inner: number; r: number; slack: number }[] = [];
          const before = tf.memory().numTensors;
          const { value, report } = runGmres(tf, apply, bt, {
            restart: m,
            stop: { rtol: 1e-5, maxIter: 20 * n },
            name: "u",
            onIterate: (k, x, inner) => {
              const xk = x.dataSync();
              res.push({ k, inner, r: norm(sub(b, matvec(A, xk, n))), slack: 8 * Math.sqrt(n) * EPS32 * normA * norm(xk) });
            },
          });
          expect(tf.memory().numTensors).toBe(before + 1);
          const u = value.dataSync();
          value.dispose();
          bt.dispose();
          At.dispose();

          expect(report).toMatchObject({ kind: "solve", method: "gmres", converged: true, reason: "converged_rtol" });
          expect(report.history.length).toBe(report.iterations + 1);
          const r64 = norm(sub(b, matvec(A, u, n)));
          expect(report.relResidual).toBeLessThanOrEqual(1e-5);
          expect(r64).toBeLessThanOrEqual(1e-5 * bn + 4 * Math.sqrt(n) * EPS32 * normA * norm(u));
          const fwd = norm(sub(u, xStar));
          expect(fwd).toBeLessThanOrEqual(inverseFro(A, n) * r64 * (1 + 1e-9));

          // within each cycle: the recursive residuals (history) are non-increasing exactly, and
          // the true residuals of the formed iterates up to rounding
          expect(res.length).toBe(report.iterations + 1);
          for (let i = 1; i < res.length; i++) {
            expect(res[i].k).toBe(i);
            if (res[i].inner > 1) {
              expect(res[i].inner).toBe(res[i - 1].inner + 1);
              expect(report.history[i]).toBeLessThanOrEqual(report.history[i - 1]);
              expect(res[i].r).toBeLessThanOrEqual(res[i - 1].r + res[i].slack);
            }
            // the recursive residual tracks the true one (float32 drift, ~1e-5 of ‖b‖ measured)
            expect(Math.abs(report.history[i] - res[i].r)).toBeLessThanOrEqual(1e-4 * bn);
          }

          // iterations: float64 GMRES(m) with the same test; float32 rounding may cost a little
          const it64 = gmresIterations64(A, b, n, m, 1e-5);
          expect(it64).toBeGreaterThan(0);
          expect(report.iterations).toBeLessThanOrEqual(it64 + 3);
          measured.push(`${n}/${m}:${report.iterations}vs${it64}`);
        },
      ),
      { seed: 7, numRuns: 20 },
    );
    // eslint-disable-next-line no-console
    if (process.env.GMRES_VERBOSE) console.log(measured.join(" "));
  });

  it("accepts any tensor shape (a [5, 8] unknown) and an initial guess, which stays the caller's", () => {
    const n = 40;
    const A = randomDominant(n, 11);
    const b = randomVector(n, 12);
    const xStar = luSolve(A, b, n);
    const At = tf.tensor2d(Float32Array.from(A), [n, n]);
    const apply = (u: Tensor) => tf.reshape(tf.matMul(At, tf.reshape(u, [n, 1])), [5, 8]);
    const bt = tf.tensor2d(Float32Array.from(b), [5, 8]);
    const x0 = tf.fill([5, 8], 0.5);
    const { value, report } = runGmres(tf, apply, bt, { x0, restart: 10, stop: { rtol: 1e-5, maxIter: 200 }, name: "U" });
    expect(value.shape).toEqual([5, 8]);
    expect(report.converged).toBe(true);
    expect(x0.isDisposed).toBe(false);
    expect(norm(sub(value.dataSync(), xStar)) / norm(xStar)).toBeLessThan(1e-4);
    tf.dispose([value, bt, At, x0]);
  });
});

describe("runGmres on convection–diffusion (non-normal, non-symmetric)", () => {
  // n = 100, Péclet number c·h/2 = 0.25: κ ≈ 5e3. rtol 1e-5 is attainable (eps·κ ≈ 3e-4 bounds
  // the forward error, the residual is evaluated to ~eps·‖A‖‖u‖/‖b‖ ≈ 1e-6 relative).
  const n = 100;
  const { apply, dense } = convectionDiffusion(n, 50.5);

  it("GMRES(30), GMRES(10) and full GMRES converge to the dense solution; full GMRES needs the fewest iterations (measured 99, 252, 227)", () => {
    const b = randomVector(n, 21);
    const xStar = luSolve(dense, b, n);
    const bt = tf.tensor1d(Float32Array.from(b));
    const its: number[] = [];
    for (const m of [100, 30, 10]) {
      const { value, report } = runGmres(tf, apply, bt, { restart: m, stop: { rtol: 1e-5, maxIter: 3000 }, name: "u" });
      expect(report.converged, `${m}: ${report.reason} ${report.detail ?? ""}`).toBe(true);
      const u = value.dataSync();
      value.dispose();
      const r64 = norm(sub(b, matvec(dense, u, n))) / norm(b);
      expect(r64).toBeLessThanOrEqual(2e-5);
      expect(norm(sub(u, xStar)) / norm(xStar)).toBeLessThan(inverseFro(dense, n) * fro(dense) * r64);
      its.push(report.iterations);
      const it64 = gmresIterations64(dense, b, n, m, 1e-5, 3000);
      expect(report.iterations).toBeLessThanOrEqual(Math.ceil(it64 * 1.1) + 3);
    }
    // full GMRES is optimal: no restarted run can beat it (between two restarted runs there is
    // no such order: a smaller restart is sometimes faster, Embree 2003)
    expect(its[0]).toBeLessThanOrEqual(its[1]);
    expect(its[0]).toBeLessThanOrEqual(its[2]);
    if (process.env.GMRES_VERBOSE) console.log("convection-diffusion iterations (m = 100, 30, 10):", its.join(", "));
    bt.dispose();
  });

  it("a right preconditioner (the tridiagonal solve of the exact operator) converges in one or two iterations", () => {
    const b = randomVector(n, 22);
    const bt = tf.tensor1d(Float32Array.from(b));
    const exact = (r: Tensor) => tf.tensor1d(Float32Array.from(luSolve(dense, r.dataSync(), n)));
    const before = tf.memory().numTensors;
    const { value, report } = runGmres(tf, apply, bt, { precond: exact, restart: 20, stop: { rtol: 1e-5, maxIter: 50 }, name: "u" });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(report.converged).toBe(true);
    expect(report.iterations).toBeLessThanOrEqual(2);
    tf.dispose([value, bt]);
  });

  it("Jacobi (diagonal) right preconditioning of a badly row-scaled system: fewer iterations, same solution", () => {
    const A0 = randomDominant(40, 5);
    const s = Array.from({ length: 40 }, (_, i) => 10 ** (3 * (i / 39) - 1.5));
    const A = A0.map((v, idx) => Math.fround(v * s[idx % 40])); // column scaling: A0·D
    const b = randomVector(40, 6);
    const xStar = luSolve(A, b, 40);
    const { apply: ap, At } = denseOperator(A, 40);
    const invDiag = tf.tensor1d(Array.from({ length: 40 }, (_, i) => 1 / A[i * 40 + i]));
    const bt = tf.tensor1d(Float32Array.from(b));
    const plain = runGmres(tf, ap, bt, { restart: 40, stop: { rtol: 1e-5, maxIter: 400 }, name: "plain" });
    const pre = runGmres(tf, ap, bt, { restart: 40, precond: (r) => tf.mul(r, invDiag), stop: { rtol: 1e-5, maxIter: 400 }, name: "jacobi" });
    expect(pre.report.converged).toBe(true);
    expect(pre.report.iterations).toBeLessThan(plain.report.iterations);
    const u = pre.value.dataSync();
    expect(norm(sub(b, matvec(A, u, 40))) / norm(b)).toBeLessThanOrEqual(2e-5);
    expect(norm(sub(u, xStar)) / norm(xStar)).toBeLessThan(1e-3);
    tf.dispose([plain.value, pre.value, At, invDiag, bt]);
  });
});

describe("runGmres edge cases", () => {
  it("zero right-hand side → zeros, converged_atol, no iterations, the operator never called", () => {
    let calls = 0;
    const b = tf.zeros([7]);
    const { value, report } = runGmres(tf, (u) => (calls++, tf.mul(u, 3)), b, { restart: 5, stop: { rtol: 1e-6, maxIter: 10 }, name: "u" });
    expect(report).toMatchObject({ reason: "converged_atol", converged: true, iterations: 0, residual: 0, relResidual: 0 });
    expect(report.history).toEqual([0]);
    expect(Array.from(value.dataSync())).toEqual(new Array(7).fill(0));
    expect(calls).toBe(0);
    tf.dispose([value, b]);
  });

  it("an initial guess that already solves → converged at iteration 0, a copy of it returned", () => {
    const b = tf.tensor1d([2, 4, 6]);
    const x0 = tf.tensor1d([1, 2, 3]);
    const { value, report } = runGmres<Tensor>(tf, (u) => tf.mul(u, 2), b, { x0, restart: 5, stop: { rtol: 1e-6, maxIter: 10 }, name: "u" });
    expect(report).toMatchObject({ converged: true, iterations: 0, residual: 0 });
    expect(Array.from(value.dataSync())).toEqual([1, 2, 3]);
    expect(value).not.toBe(x0);
    tf.dispose([value, b, x0]);
  });

  it("a multiple of the identity: happy breakdown at iteration 1, converged", () => {
    const b = tf.tensor1d(Float32Array.from(randomVector(30, 3)));
    const { value, report } = runGmres<Tensor>(tf, (u) => tf.mul(u, 4), b, { restart: 10, stop: { rtol: 1e-6, maxIter: 10 }, name: "u" });
    expect(report).toMatchObject({ converged: true, iterations: 1 });
    const want = b.dataSync().map((v) => v / 4);
    expect(norm(sub(value.dataSync(), want))).toBeLessThan(1e-6 * norm(want));
    tf.dispose([value, b]);
  });

  it("three distinct eigenvalues: the Krylov space is exhausted after 3 iterations (finite termination)", () => {
    const n = 60;
    const d = tf.tensor1d(Array.from({ length: n }, (_, i) => [1, 3, 7][i % 3]));
    const b = tf.tensor1d(Float32Array.from(randomVector(n, 4)));
    const { value, report } = runGmres<Tensor>(tf, (u) => tf.mul(u, d), b, { restart: 30, stop: { rtol: 1e-6, maxIter: 30 }, name: "u" });
    expect(report.converged).toBe(true);
    expect(report.iterations).toBe(3);
    tf.dispose([value, b, d]);
  });

  it("a singular operator with b outside its range → breakdown, naming the singular Krylov space", () => {
    // A = diag(1, …, 1, 0), b = e_0 + e_{n−1}: the best residual is 1, reached at iteration 1;
    // at iteration 2 A v_1 is dependent on A v_0 and the Arnoldi vector vanishes.
    const d = tf.tensor1d([1, 1, 1, 1, 1, 0]);
    const b = tf.tensor1d([1, 0, 0, 0, 0, 1]);
    const before = tf.memory().numTensors;
    const { value, report } = runGmres<Tensor>(tf, (u) => tf.mul(u, d), b, { restart: 5, stop: { rtol: 1e-6, maxIter: 20 }, name: "u" });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(report).toMatchObject({ reason: "breakdown", converged: false, iterations: 2 });
    expect(report.detail).toMatch(/^the Arnoldi vector vanished \(h_\{j\+1,j\} = .* at iteration 2\): the Krylov space is invariant, and A is singular on it/);
    expect(report.residual).toBeCloseTo(1, 5);
    // A u = e_0: the least-squares solution (u itself is not unique: u_5 is free)
    expect(Array.from(value.dataSync().slice(0, 5)).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([1, 0, 0, 0, 0]);
    tf.dispose([value, b, d]);
  });

  it("NaN from the operator at its 4th call → diverged_nan naming iteration 4, the iterate of iteration 3 returned", () => {
    const n = 50;
    const lap = laplace1d(n);
    const bv = randomVector(n, 11);
    const b = tf.tensor1d(Float32Array.from(bv));
    let calls = 0;
    const apply = (u: Tensor) => {
      calls++;
      const y = lap(u);
      if (calls !== 4) return y;
      return tf.tidy(() => tf.where(tf.equal(tf.range(0, n), 17), tf.fill([n], NaN), y));
    };
    const before = tf.memory().numTensors;
    const { value, report } = runGmres(tf, apply, b, { restart: 20, stop: { rtol: 1e-6, maxIter: 500 }, name: "u" });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(report).toMatchObject({ reason: "diverged_nan", converged: false, iterations: 3 });
    expect(report.detail).toMatch(/^the Arnoldi vector A\(M\(v\)\) has NaN or ±Inf at iteration 4: the operator produced them$/);
    expect(value.dataSync().every(Number.isFinite)).toBe(true);
    expect(report.history.length).toBe(4);
    // the returned value is x_3: its residual is the recursive one of iteration 3
    const u = value.dataSync();
    const r64 = norm(sub(bv, Array.from(u, (ui, i) => 2 * ui - (i > 0 ? u[i - 1] : 0) - (i < n - 1 ? u[i + 1] : 0))));
    expect(Math.abs(report.residual - r64)).toBeLessThan(1e-4 * norm(bv));
    expect(Math.abs(report.history[3] - r64)).toBeLessThan(1e-4 * norm(bv));
    tf.dispose([value, b]);
  });

  it("NaN in the right-hand side → diverged_nan at iteration 0", () => {
    const b = tf.tensor1d([1, NaN, 2]);
    const { value, report } = runGmres<Tensor>(tf, (u) => tf.mul(u, 2), b, { restart: 3, stop: { rtol: 1e-6, maxIter: 10 }, name: "u" });
    expect(report).toMatchObject({ reason: "diverged_nan", iterations: 0 });
    expect(report.detail).toMatch(/right-hand side \(1 NaN of 3 entries, the first at flat index 1\)/);
    tf.dispose([value, b]);
  });

  it("iteration cap mid-cycle → max_iterations; the true residual is that of the partial cycle's iterate", () => {
    const n = 200;
    const bv = randomVector(n, 3);
    const b = tf.tensor1d(Float32Array.from(bv));
    const { value, report } = runGmres(tf, laplace1d(n), b, { restart: 30, stop: { rtol: 1e-6, maxIter: 17 }, name: "u" });
    expect(report).toMatchObject({ reason: "max_iterations", converged: false, iterations: 17 });
    expect(report.history.length).toBe(18);
    expect(Math.abs(report.residual - report.recursiveResidual!)).toBeLessThan(1e-3 * report.residual);
    expect(report.relResidual).toBeCloseTo(report.residual / norm(bv), 5);
    tf.dispose([value, b]);
  });

  it("never claims convergence on the recursive residual alone: an unattainable rtol ends in max_iterations", () => {
    // A = Q D Qᵀ (dense, Q random orthogonal), D in three tight clusters near 1, 100 and 1e4:
    // GMRES drives its least-squares residual below any tolerance in a few iterations, but the
    // float32 evaluation of b − A u errs by about eps·‖A‖‖u‖ ≈ 6e-8 · 1e4 · ‖b‖ ≈ 6e-4‖b‖ (a
    // diagonal A would not show it: its rounding is relative per entry), so rtol 1e-6 is out of
    // reach, and the replacements (restarts from the true residual) stagnate.
    const n = 60;
    const Q = randomOrthogonal(n, gaussian(rng(3)));
    const dd = Array.from({ length: n }, (_, i) => [1, 100, 1e4][i % 3] * (1 + 1e-3 * Math.sin(i)));
    const { apply, At } = denseOperator(f32(qdrt(Q, dd, Q, n)), n);
    const b = tf.tensor1d(Float32Array.from(randomVector(n, 5)));
    const before = tf.memory().numTensors;
    const { value, report } = runGmres(tf, apply, b, { restart: 30, stop: { rtol: 1e-6, maxIter: 300 }, name: "u" });
    if (process.env.GMRES_VERBOSE) console.log(report.iterations, report.reason, report.detail, report.history.slice(-5));
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(report.converged).toBe(false);
    expect(report.reason).toBe("max_iterations");
    expect(report.detail).toMatch(/^the recursive residual .* met the tolerance .* but the true residual ‖b − Au‖ = .* does not \(float32 drift; \d+ residual replacements?.*\)$/);
    expect(report.recursiveResidual!).toBeLessThan(report.residual);
    expect(report.iterations).toBeLessThan(300);
    tf.dispose([value, b, At]);
  });

  it("restart must be a whole number ≥ 1", () => {
    const b = tf.ones([3]);
    expect(() => runGmres(tf, (u) => u, b, { restart: 0, stop: { maxIter: 3 }, name: "u" })).toThrow(RangeError);
    expect(() => runGmres(tf, (u) => u, b, { restart: 2.5, stop: { maxIter: 3 }, name: "u" })).toThrow(RangeError);
    b.dispose();
  });
});

describe("runGmres memory", () => {
  it("1,000 iterations (100 restarts) leave only the result behind, and the live count is flat", () => {
    // 1D Laplacian, n = 2000, GMRES(10): restarted GMRES all but stagnates on it.
    const n = 2000;
    const b = tf.tensor1d(Float32Array.from(randomVector(n, 9)));
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const { value, report } = runGmres(tf, laplace1d(n), b, {
      restart: 10,
      stop: { rtol: 1e-6, maxIter: 1000 },
      name: "u",
      onIterate: (k, _x, inner) => {
        if (k % 100 === 5) {
          expect(inner).toBe(5);
          counts.push(tf.memory().numTensors);
        }
      },
    });
    expect(report).toMatchObject({ iterations: 1000, reason: "max_iterations" });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(counts.length).toBe(10);
    expect(new Set(counts).size).toBe(1);
    tf.dispose([value, b]);
  }, 30_000);

  it("an operator or preconditioner that throws leaks nothing (set-up, mid-cycle, end of cycle)", () => {
    const n = 20;
    const lap = laplace1d(n);
    const b = tf.ones([n]);
    const x0 = tf.zeros([n]);
    for (const failAt of [1, 2, 3, 4, 6]) {
      for (const where of ["operator", "precond"] as const) {
        let calls = 0;
        const boom = <T>(f: () => T): T => {
          if (++calls === failAt) throw new Error("boom");
          return f();
        };
        const before = tf.memory().numTensors;
        expect(() =>
          runGmres(tf, where === "operator" ? (u) => boom(() => lap(u)) : lap, b, {
            ...(where === "operator" ? { x0 } : { precond: (r: Tensor) => boom(() => tf.mul(r, 0.5)) }),
            restart: 3,
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
