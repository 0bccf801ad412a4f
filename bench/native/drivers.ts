// Drivers for the fused peers, written the way runtime/drivers/method.ts drives a method (the
// native interpreter's drivers will do the same over NativeArrays): a solve's start, then
// steps that return (state…, res, health) with the state passed straight back, the stopping
// test on `res`, and the true residual ‖b − A x‖ confirming convergence (a restart from it
// when it does not). Fixed points: Picard through the method protocol (start, step → (x', ‖T(x) − x‖)),
// Anderson(m) over the map with the mixing in plain float64 TypeScript.
import type { NativeArray } from "../../runtime/native/array.js";
import type { Precision } from "../../runtime/native/fused.js";
import { array, type Bound } from "./programs.js";

const norm = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
};

export interface SolveRun {
  iterations: number;
  converged: boolean;
  /** ‖b − A x‖ / ‖b‖ at the returned x, recomputed. */
  trueRelResidual: number;
  restarts: number;
}

export interface SolveRegions {
  start: Bound;
  step: Bound;
  apply: Bound;
  /** How many state items a step returns before (res, health). */
  state: number;
}

/**
 * Solves to ‖res‖ ≤ rtol ‖b‖; with `confirm` (the solve driver's rule) the true residual must
 * agree, else the method restarts from it (at most 5 times). Without, it stops on the method's
 * own residual: float32 arithmetic cannot certify 1e-6 on Poisson (its floor is eps·‖A‖‖x‖),
 * so the f32 rows stop there and report the true residual reached.
 */
export function solveFused(r: SolveRegions, b: NativeArray, precision: Precision, rtol: number, maxIter: number, confirm = true): SolveRun {
  const bnorm = norm(b.data);
  const trueRes = (x: NativeArray) => {
    const ax = r.apply.run([x])[0].data;
    let s = 0;
    for (let i = 0; i < ax.length; i++) s += (b.data[i] - ax[i]) ** 2;
    return Math.sqrt(s);
  };
  const x0 = array(precision, [...b.shape]);
  let state = r.start.run([x0]).slice(0, r.state);
  let restarts = 0;
  for (let k = 1; k <= maxIter; k++) {
    const out = r.step.run(state);
    const res = out[r.state].data[0];
    const health = out[r.state + 1].data[0];
    if (!Number.isFinite(res) || !Number.isFinite(health)) return { iterations: k, converged: false, trueRelResidual: NaN, restarts };
    state = out.slice(0, r.state);
    if (res > rtol * bnorm) continue;
    const t = trueRes(state[0]);
    if (!confirm) return { iterations: k, converged: true, trueRelResidual: t / bnorm, restarts };
    if (t <= rtol * bnorm || restarts >= 5) return { iterations: k, converged: t <= rtol * bnorm, trueRelResidual: t / bnorm, restarts };
    restarts++;
    state = r.start.run([state[0]]).slice(0, r.state);
  }
  return { iterations: maxIter, converged: false, trueRelResidual: trueRes(state[0]) / bnorm, restarts };
}

/** `iterations` steps of a solve method exactly (for per-iteration timing), driven like solveFused. */
export function iterateFused(r: SolveRegions, state: NativeArray[], iterations: number): NativeArray[] {
  let s = state;
  for (let k = 0; k < iterations; k++) {
    const out = r.step.run(s);
    const res = out[r.state].data[0];
    if (Number.isNaN(res)) throw new Error("NaN residual");
    s = out.slice(0, r.state);
  }
  return s;
}

export interface FixpointRun {
  iterations: number;
  converged: boolean;
  residual: number;
}

/** Picard by the fixpoint method protocol: step(x) = (T(x), ‖T(x) − x‖); stops on x_k. */
export function picardFused(step: Bound, x0: NativeArray, atol: number, maxIter: number): FixpointRun {
  let x = x0;
  for (let k = 0; k < maxIter; k++) {
    const [next, res] = step.run([x]);
    const r = res.data[0];
    if (r < atol) return { iterations: k, converged: true, residual: r };
    x = next;
  }
  return { iterations: maxIter, converged: false, residual: NaN };
}

/**
 * Anderson(m), type II (Walker–Ni), damping 1: γ = argmin ‖f − ΔF γ‖² + ridge·Σ‖ΔF_j‖²γ_j²,
 * x ← x + f − (ΔX + ΔF) γ, solved through the m×m normal equations in float64.
 */
export function andersonFused(map: Bound, x0: NativeArray, precision: Precision, m: number, atol: number, maxIter: number): FixpointRun {
  const n = x0.data.length;
  let x = Float64Array.from(x0.data);
  const xArg = array(precision, [...x0.shape]);
  let fPrev: Float64Array | null = null;
  let xPrev: Float64Array | null = null;
  const dF: Float64Array[] = [];
  const dG: Float64Array[] = [];
  for (let k = 0; k < maxIter; k++) {
    xArg.data.set(x);
    const g = map.run([xArg])[0].data;
    const f = new Float64Array(n);
    for (let i = 0; i < n; i++) f[i] = g[i] - x[i];
    const r = norm(f);
    if (r < atol) return { iterations: k, converged: true, residual: r };
    if (fPrev && xPrev) {
      const df = new Float64Array(n);
      const dg = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        df[i] = f[i] - fPrev[i];
        dg[i] = x[i] - xPrev[i] + df[i];
      }
      dF.push(df);
      dG.push(dg);
      if (dF.length > m) {
        dF.shift();
        dG.shift();
      }
    }
    const gamma = leastSquares(dF, f, 1e-6);
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let v = x[i] + f[i];
      for (let j = 0; j < gamma.length; j++) v -= dG[j][i] * gamma[j];
      next[i] = v;
    }
    [fPrev, xPrev, x] = [f, x, next];
  }
  return { iterations: maxIter, converged: false, residual: NaN };
}

/** argmin ‖f − Σ γ_j c_j‖² + ridge Σ ‖c_j‖² γ_j², by Gaussian elimination on the normal equations. */
function leastSquares(cols: readonly Float64Array[], f: Float64Array, ridge: number): number[] {
  const k = cols.length;
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  };
  const A = cols.map((a, i) => cols.map((b, j) => dot(a, b) * (i === j ? 1 + ridge : 1)));
  const y = cols.map((c) => dot(c, f));
  for (let p = 0; p < k; p++) {
    const piv = A[p][p] || 1e-300;
    for (let r = p + 1; r < k; r++) {
      const q = A[r][p] / piv;
      for (let c = p; c < k; c++) A[r][c] -= q * A[p][c];
      y[r] -= q * y[p];
    }
  }
  const g = new Array<number>(k).fill(0);
  for (let p = k - 1; p >= 0; p--) {
    let s = y[p];
    for (let c = p + 1; c < k; c++) s -= A[p][c] * g[c];
    g[p] = s / (A[p][p] || 1e-300);
  }
  return g;
}
