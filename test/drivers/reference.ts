// Independent float64 plain-TS references for the driver tests: a seeded PRNG, dense linear
// algebra (Cholesky, products, Householder-free Gram–Schmidt), nothing from tfjs.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { mulberry32 } from "../../base/mulberry32.js";

export { tf };

export async function useCpu(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}

/** mulberry32: a small, fast, seedable PRNG returning uniforms in [0, 1). */
export const rng = mulberry32;

/** Standard normal samples (Box–Muller). */
export function gaussian(rand: () => number): () => number {
  return () => {
    const u = 1 - rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/** Row-major n×n. */
export type Mat = Float64Array;

export function matvec(A: Mat, x: ArrayLike<number>, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
    y[i] = s;
  }
  return y;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

export function sub(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** A random orthogonal n×n matrix: modified Gram–Schmidt (twice) on a Gaussian matrix. */
export function randomOrthogonal(n: number, normal: () => number): Mat {
  const Q = new Float64Array(n * n); // columns stored as rows of this array: Q[c*n + i]
  for (let i = 0; i < n * n; i++) Q[i] = normal();
  for (let c = 0; c < n; c++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let d = 0; d < c; d++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += Q[c * n + i] * Q[d * n + i];
        for (let i = 0; i < n; i++) Q[c * n + i] -= s * Q[d * n + i];
      }
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += Q[c * n + i] ** 2;
    s = Math.sqrt(s);
    for (let i = 0; i < n; i++) Q[c * n + i] /= s;
  }
  // transpose into row-major Q (columns orthonormal)
  const out = new Float64Array(n * n);
  for (let c = 0; c < n; c++) for (let i = 0; i < n; i++) out[i * n + c] = Q[c * n + i];
  return out;
}

/** Q · diag(d) · Rᵀ. */
export function qdrt(Q: Mat, d: ArrayLike<number>, R: Mat, n: number): Mat {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += Q[i * n + k] * d[k] * R[j * n + k];
      A[i * n + j] = s;
    }
  }
  return A;
}

/** Rounds every entry to float32 (what tfjs will see), keeping a float64 array. */
export function f32(a: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.fround(a[i]);
  return out;
}

/**
 * A random SPD matrix Q·diag(d)·Qᵀ with eigenvalues log-spaced in [1, cond], rounded to float32
 * and exactly symmetric after rounding.
 */
export function randomSpd(n: number, cond: number, seed: number): Mat {
  const normal = gaussian(rng(seed));
  const Q = randomOrthogonal(n, normal);
  const d = Array.from({ length: n }, (_, i) => cond ** (n === 1 ? 0 : i / (n - 1)));
  const A = f32(qdrt(Q, d, Q, n));
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i];
  return A;
}

/** Solves A x = b for SPD A by Cholesky, in float64. Throws if A is not positive definite. */
export function choleskySolve(A: Mat, b: ArrayLike<number>, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = A[j * n + j];
    for (let k = 0; k < j; k++) s -= L[j * n + k] ** 2;
    if (!(s > 0)) throw new Error(`not positive definite at column ${j}`);
    const ljj = Math.sqrt(s);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = A[i * n + j];
      for (let k = 0; k < j; k++) t -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = t / ljj;
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

/** ‖e‖_A = sqrt(eᵀ A e) in float64. */
export function aNorm(A: Mat, e: ArrayLike<number>, n: number): number {
  return Math.sqrt(Math.max(0, dot(e, matvec(A, e, n))));
}

/** A random vector of standard normals, rounded to float32. */
export function randomVector(n: number, seed: number): Float64Array {
  const normal = gaussian(rng(seed));
  return f32(Array.from({ length: n }, normal));
}

/** Plain CG in float64 from x0 = 0; the iterations to ‖r‖ ≤ rtol‖b‖ (recursive r), or -1. */
export function cgIterations64(A: Mat, b: ArrayLike<number>, n: number, rtol: number, maxIter = 10 * n): number {
  const x = new Float64Array(n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  let rr = dot(r, r);
  const tol = rtol * norm(b);
  for (let k = 1; k <= maxIter; k++) {
    const q = matvec(A, p, n);
    const alpha = rr / dot(p, q);
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * q[i];
    }
    const rrNew = dot(r, r);
    if (Math.sqrt(rrNew) <= tol) return k;
    const beta = rrNew / rr;
    rr = rrNew;
    for (let i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
  }
  return -1;
}

/** Solves A x = b by LU with partial pivoting, in float64. */
export function luSolve(A: Mat, b: ArrayLike<number>, n: number): Float64Array {
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++)
      if (Math.abs(M[i * n + c]) > Math.abs(M[p * n + c])) p = i;
    if (M[p * n + c] === 0) throw new Error("singular");
    if (p !== c) {
      for (let j = 0; j < n; j++)
        [M[c * n + j], M[p * n + j]] = [M[p * n + j], M[c * n + j]];
      [x[c], x[p]] = [x[p], x[c]];
    }
    for (let i = c + 1; i < n; i++) {
      const f = M[i * n + c] / M[c * n + c];
      if (f === 0) continue;
      for (let j = c; j < n; j++) M[i * n + j] -= f * M[c * n + j];
      x[i] -= f * x[c];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let j = i + 1; j < n; j++) s -= M[i * n + j] * x[j];
    x[i] = s / M[i * n + i];
  }
  return x;
}

/** A symmetric Q·diag(λ)·Qᵀ with |λ| log-spaced in [1, cond] and alternating signs (indefinite). */
export function symmetricIndefinite(n: number, cond: number, seed: number): Mat {
  const Q = randomOrthogonal(n, gaussian(rng(seed)));
  const d = Array.from(
    { length: n },
    (_, i) => (i % 2 ? -1 : 1) * cond ** (i / (n - 1)),
  );
  const A = f32(qdrt(Q, d, Q, n));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i];
  return A;
}

/** ‖b − A x‖ / ‖b‖ in float64. */
export const relResidual = (A: Mat, x: ArrayLike<number>, b: ArrayLike<number>, n: number) => norm(sub(b, matvec(A, x, n))) / norm(b);

/** ‖x − x*‖ / ‖x*‖ in float64. */
export const relError = (x: ArrayLike<number>, xs: ArrayLike<number>) => norm(sub(x, xs)) / norm(xs);
