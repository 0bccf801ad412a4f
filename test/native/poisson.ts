// Plain float64 TypeScript for the 2-D Poisson problem: the 5-point operator (4u − the four
// neighbours, zero outside), a right-hand side, and textbook CG (three passes, no fusion),
// as the independent reference for the native CG kernels.

export function applyPoisson(
  u: ArrayLike<number>,
  n: number,
  out: Float64Array = new Float64Array(n * n),
): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const at = (a: number, b: number) => (a < 0 || a >= n || b < 0 || b >= n ? 0 : u[a * n + b]);
      out[i * n + j] = 4 * u[i * n + j] - at(i - 1, j) - at(i + 1, j) - at(i, j - 1) - at(i, j + 1);
    }
  }
  return out;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** h²·f for f(x, y) = 2π² sin(πx) sin(πy) + a little off-centre bump (not an eigenvector). */
export function poissonRhs(n: number): Float64Array {
  const h = 1 / (n + 1);
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const [x, y] = [(i + 1) * h, (j + 1) * h];
      const f =
        2 * Math.PI ** 2 * Math.sin(Math.PI * x) * Math.sin(Math.PI * y) +
        10 * Math.exp(-40 * ((x - 0.3) ** 2 + (y - 0.6) ** 2));
      b[i * n + j] = h * h * f;
    }
  }
  return b;
}

/** ‖b − A x‖ / ‖b‖ in float64. */
export function trueRelativeResidual(x: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  const ax = applyPoisson(x, n);
  let rr = 0;
  for (let i = 0; i < ax.length; i++) rr += (b[i] - ax[i]) ** 2;
  return Math.sqrt(rr / dot(b, b));
}

/** Textbook CG from x = 0 until ‖r‖ ≤ rtol‖b‖. */
export function referenceCg(
  b: Float64Array,
  n: number,
  rtol: number,
  maxIter: number,
): { x: Float64Array; iterations: number } {
  const x = new Float64Array(n * n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  const q = new Float64Array(n * n);
  let rz = dot(r, r);
  const bound = rtol * rtol * rz;
  let k = 0;
  while (k < maxIter && rz > bound) {
    applyPoisson(p, n, q);
    const alpha = rz / dot(p, q);
    for (let i = 0; i < x.length; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * q[i];
    }
    const rz1 = dot(r, r);
    const beta = rz1 / rz;
    rz = rz1;
    for (let i = 0; i < p.length; i++) p[i] = r[i] + beta * p[i];
    k++;
  }
  return { x, iterations: k };
}
