// Small dense linear algebra on the host, in float64, for the drivers' least-squares problems
// (Anderson's, m ≤ ~20 columns): Givens rotations, triangular solves, the condition number of a
// triangular factor, and a regularised least-squares solve. Never throws on singular input:
// non-finite results are the caller's to check.

/** The rotation (c, s) with [c s; −s c]·(a, b) = (r, 0). */
export function givens(a: number, b: number): { c: number; s: number } {
  const r = Math.hypot(a, b);
  return r === 0 ? { c: 1, s: 0 } : { c: a / r, s: b / r };
}

/** R γ = y for upper-triangular R (R[i][j], j ≥ i), by back substitution. */
export function solveUpper(R: readonly (readonly number[])[], y: readonly number[]): number[] {
  const p = y.length;
  const g = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i];
    for (let j = i + 1; j < p; j++) s -= R[i][j] * g[j];
    g[i] = s / R[i][i];
  }
  return g;
}

/**
 * The 2-norm condition number of R with its columns scaled to unit length: what the least-squares
 * problem's accuracy depends on, whatever the columns' sizes (those shrink as an iteration
 * converges, and scaling the unknowns does not change the fit). Infinity when singular.
 */
export function scaledCondition(R: readonly (readonly number[])[]): number {
  const p = R.length;
  if (p === 0) return 1;
  const norms = R.map((_, j) => Math.hypot(...R.slice(0, j + 1).map((row) => row[j])));
  // (R D⁻¹)ᵀ(R D⁻¹), p×p, in float64: its eigenvalues are the squared singular values.
  const G = Array.from({ length: p }, (_, i) =>
    Array.from({ length: p }, (_, j) => {
      let s = 0;
      for (let k = 0; k <= Math.min(i, j); k++) s += R[k][i] * R[k][j];
      return s / (norms[i] * norms[j]);
    }),
  );
  const mu = symmetricEigen(G).values.map((v) => Math.max(v, 0));
  const lo = Math.min(...mu);
  return lo > 0 ? Math.sqrt(Math.max(...mu) / lo) : Infinity;
}

/**
 * min ‖y − R γ‖² + ridge · ‖D γ‖² with D = diag(column norms of R): ridge 0 is the triangular
 * solve; otherwise the stacked problem [R; √ridge D] γ ≈ [y; 0] solved by Givens QR (no normal
 * equations, so no squared condition number).
 */
export function ridgeSolve(R: readonly (readonly number[])[], y: readonly number[], ridge: number): number[] {
  const p = y.length;
  if (ridge === 0) return solveUpper(R, y);
  const top = R.map((row) => [...row]);
  const rhs = [...y];
  for (let j = 0; j < p; j++) {
    // Eliminate the diagonal entry √ridge·‖col j‖ of the lower block row j against rows j… of R.
    const bottom = new Array<number>(p).fill(0);
    bottom[j] = Math.sqrt(ridge) * Math.hypot(...R.slice(0, j + 1).map((row) => row[j]));
    let extra = 0;
    for (let k = j; k < p; k++) {
      if (bottom[k] === 0) continue;
      const { c, s } = givens(top[k][k], bottom[k]);
      for (let l = k; l < p; l++) {
        const [a, b] = [top[k][l], bottom[l]];
        top[k][l] = c * a + s * b;
        bottom[l] = -s * a + c * b;
      }
      const [a, b] = [rhs[k], extra];
      rhs[k] = c * a + s * b;
      extra = -s * a + c * b;
    }
  }
  return solveUpper(top, rhs);
}

/**
 * Eigenvalues and eigenvectors of a small symmetric matrix by cyclic Jacobi rotations (float64):
 * A = V diag(values) Vᵀ, eigenvector i in column i of `vectors`. Converges quadratically; capped
 * at 100 sweeps. Non-finite entries propagate as NaN (no throw).
 */
export function symmetricEigen(A: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const n = A.length;
  const a = A.map((row) => [...row]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i][i] * a[i][i];
      for (let j = i + 1; j < n; j++) off += a[i][j] * a[i][j];
    }
    if (!(off > 1e-30 * diag)) break; // also stops on NaN
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p][q];
        if (apq === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [akp, akq] = [a[k][p], a[k][q]];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const [apk, aqk] = [a[p][k], a[q][k]];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const [vkp, vkq] = [v[k][p], v[k][q]];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]), vectors: v };
}
