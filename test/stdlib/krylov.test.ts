// stdlib/krylov.iter, one step at a time: each test program is the text of the module followed
// by a `loop` that calls NAME_start once and NAME_step K times, exporting every iterate, the
// method's residual estimate and its health. The invariants are then checked against
// independent float64 plain-TS references (Cholesky, LU, Chebyshev polynomials). Matrices and
// vectors are rounded to float32 before the references see them, so both sides solve the same
// problem. Solves through `solve ... method NAME` are in krylov-solve.test.ts.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { NpyArray } from "../../runtime/npy.js";
import { runSource } from "../../runtime/run.js";
import {
  aNorm,
  choleskySolve,
  f32,
  gaussian,
  norm,
  randomSpd,
  randomVector,
  rng,
  sub,
  type Mat,
  luSolve,
  symmetricIndefinite,
  relResidual,
  relError,
} from "../drivers/reference.js";

/** fast-check runs per property (KRYLOV_RUNS=50 to explore more seeds while changing a method). */
const runs = (n: number) => Number(process.env.KRYLOV_RUNS ?? n);
const STD = readFileSync(
  new URL("../../stdlib/krylov.iter", import.meta.url),
  "utf8",
);

/** The state of each method, in the protocol's order (the iterate first). */
const STATE: Record<string, string[]> = {
  cg: ["x", "r", "p", "rz"],
  minres: [
    "x",
    "r",
    "rp",
    "rc",
    "y",
    "beta",
    "oldb",
    "w",
    "w2",
    "dbar",
    "epsln",
    "phibar",
    "cs",
    "sn",
  ],
  bicgstab: [
    "x",
    "r",
    "rhat",
    "p",
    "v",
    "rho",
    "rho_prev",
    "alpha",
    "omega",
    "nrhat",
  ],
  chebyshev: ["x", "r", "d", "rho"],
  richardson: ["x", "r"],
};

interface Steps {
  /** xs[k] is the iterate after k + 1 steps. */
  xs: Float32Array[];
  /** res[k], health[k]: what step k + 1 returned. */
  res: number[];
  health: number[];
}

interface StepOptions {
  /** M(r) = r / d (Jacobi with the given diagonal); else the identity. */
  jacobi?: ArrayLike<number>;
  /** M(r) = -r: a negative definite "preconditioner". */
  negate?: boolean;
  /** The method's options, passed by name to start and step. */
  options?: Record<string, number>;
  x0?: ArrayLike<number>;
}

const f32in = (shape: number[], data: ArrayLike<number>): NpyArray => ({
  dtype: "float32",
  shape,
  data: Float32Array.from(data),
});

/** Runs NAME_start and K steps of NAME_step on the dense operator u ↦ A u. */
async function runSteps(
  method: string,
  A: Mat,
  b: ArrayLike<number>,
  n: number,
  K: number,
  o: StepOptions = {},
): Promise<Steps> {
  const st = STATE[method];
  const pre = o.jacobi ? "r => r / d" : o.negate ? "r => -r" : "r => r";
  const opts = Object.entries(o.options ?? {})
    .map(([k, v]) => `, ${k}: ${v}`)
    .join("");
  const src = `${STD}
input A: f32[n, n]
input b: f32[n]
input x0: f32[n]
${o.jacobi ? "input d: f32[n]" : ""}
let (${st.map((s) => `s_${s}`).join(", ")}) = ${method}_start(u => A @ u, ${pre}, b, x0${opts})
loop k < ${K} carry (${st.map((s) => `${s} = s_${s}`).join(", ")}, res = 0.0, h = 0.0, X = zeros(${K}, n), R = zeros(${K}), H = zeros(${K})) {
  (${st.join(", ")}, res, h) = ${method}_step(u => A @ u, ${pre}, b, ${st.join(", ")}${opts})
  let e = cast(arange(${K}) == k, "f32")
  X = X + outer(e, x)
  R = R + e * res
  H = H + e * h
} -> (X, R, H)
export X
export R
export H
`;
  const inputs = new Map<string, NpyArray>([
    ["A", f32in([n, n], A)],
    ["b", f32in([n], b)],
    ["x0", f32in([n], o.x0 ?? new Float64Array(n))],
  ]);
  if (o.jacobi) inputs.set("d", f32in([n], o.jacobi));
  const out = await runSource(src, {
    file: `krylov-${method}.iter`,
    inputs,
    backend: "cpu",
  });
  const errors = out.diagnostics.filter((d) => d.severity === "error");
  if (errors.length)
    throw new Error(
      errors.map((d) => `${d.message} (line ${d.span.start.line})`).join("\n"),
    );
  const get = (name: string) =>
    out.exports.find((e) => e.name === name)!.data as Float32Array;
  const X = get("X");
  return {
    xs: Array.from({ length: K }, (_, k) => X.slice(k * n, (k + 1) * n)),
    res: Array.from(get("R")),
    health: Array.from(get("H")),
  };
}

// ---------------------------------------------------------------------------------------------
// Float64 references



/** Non-symmetric, strictly diagonally dominant: Gaussian off-diagonal, aᵢᵢ = dom·Σⱼ|aᵢⱼ|. */
function diagonallyDominant(n: number, dom: number, seed: number): Mat {
  const g = gaussian(rng(seed));
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      A[i * n + j] = g();
      s += Math.abs(A[i * n + j]);
    }
    A[i * n + i] = dom * s;
  }
  return f32(A);
}

/** D·S·D with D = diag(10^uniform(lo, hi)). */
function scaled(S: Mat, n: number, lo: number, hi: number, seed: number): Mat {
  const u = rng(seed);
  const D = Array.from({ length: n }, () => 10 ** (lo + (hi - lo) * u()));
  return f32(
    Float64Array.from(S, (v, k) => D[Math.floor(k / n)] * v * D[k % n]),
  );
}

const diagonalOf = (A: Mat, n: number) =>
  Float64Array.from({ length: n }, (_, i) => A[i * n + i]);
/** The first k (1-based) whose iterate has a float64 relative residual ≤ tol, or Infinity. */
const itersTo = (
  s: Steps,
  A: Mat,
  b: ArrayLike<number>,
  n: number,
  tol: number,
) => {
  const k = s.xs.findIndex((x) => relResidual(A, x, b, n) <= tol);
  return k < 0 ? Infinity : k + 1;
};
/** The first k (1-based) with ‖x* − xₖ‖_A ≤ tol·‖x*‖_A (float64), or Infinity. */
const itersToANorm = (
  s: Steps,
  A: Mat,
  xStar: ArrayLike<number>,
  n: number,
  tol: number,
) => {
  const e0 = aNorm(A, xStar, n);
  const k = s.xs.findIndex((x) => aNorm(A, sub(x, xStar), n) <= tol * e0);
  return k < 0 ? Infinity : k + 1;
};
const allFinite = (s: Steps) =>
  s.xs.every((x) => x.every(Number.isFinite)) &&
  s.res.every(Number.isFinite) &&
  s.health.every(Number.isFinite);

/** Chebyshev polynomial T_k(t), by the three-term recurrence. */
function chebT(k: number, t: number): number {
  let [a, b] = [1, t];
  if (k === 0) return 1;
  for (let i = 1; i < k; i++) [a, b] = [b, 2 * t * b - a];
  return b;
}

// ---------------------------------------------------------------------------------------------

describe("cg", () => {
  // Random SPD A = Q·diag(λ)·Qᵀ, λ log-spaced in [1, 100], n = 10..40, b Gaussian, x0 = 0.
  // Measured on 40 seeds (KRYLOV_RUNS=40): the recursive residual first meets 1e-5‖b‖ after
  // n + 2 … n + 11 steps (exact CG: ≤ n; float32 loses orthogonality, so CG runs past n); the
  // iterate there has a float64 residual ≤ 1e-5‖b‖ (the recursive–true gap is about
  // eps·κ·‖A‖‖x‖/‖b‖). Asserted: ≤ n + 12 steps, float64 residual < 5e-5.
  // The A-norm of the error decreases monotonically (exact CG minimises it over a growing
  // space). In float32 it does until it reaches the attainable floor (1e-7 … 7e-7 of ‖e₀‖_A,
  // about eps·κ); there it wobbles up by at most 4e-8 of ‖e₀‖_A. Asserted:
  // ‖eₖ₊₁‖_A ≤ ‖eₖ‖_A + 1e-6‖e₀‖_A.
  it("on random SPD systems: the A-norm of the error never grows; rtol 1e-5 within n + 12 steps; matches Cholesky", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 10, max: 40 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        async (n, seed) => {
          const A = randomSpd(n, 100, seed);
          const b = randomVector(n, seed + 1);
          const xStar = choleskySolve(A, b, n);
          const s = await runSteps("cg", A, b, n, n + 15);
          expect(allFinite(s)).toBe(true);
          const e0 = aNorm(A, xStar, n);
          const errs = s.xs.map((x) => aNorm(A, sub(x, xStar), n) / e0);
          expect(errs[0]).toBeLessThan(1);
          for (let k = 1; k < errs.length; k++)
            expect(errs[k]).toBeLessThanOrEqual(errs[k - 1] + 1e-6);
          const bn = norm(b);
          const k5 = s.res.findIndex((r) => r <= 1e-5 * bn) + 1;
          expect(k5).toBeGreaterThan(0);
          expect(k5).toBeLessThanOrEqual(n + 12);
          expect(relResidual(A, s.xs[k5 - 1], b, n)).toBeLessThan(5e-5);
          // Forward error ≤ κ · relative residual (an exact inequality), κ = 100.
          expect(relError(s.xs[k5 - 1], xStar)).toBeLessThan(100 * 5e-5);
          // pᵀAp > 0 at every step.
          for (const h of s.health) expect(h).toBeGreaterThan(0);
        },
      ),
      { seed: 11, numRuns: runs(6) },
    );
  });

  // The family: A = D·S·D, S = Q·diag(λ)·Qᵀ with λ log-spaced in [1, 10] (well conditioned),
  // D = diag(10^uniform(-2, 2)) — κ(A) up to ~10⁹, all of it from the scaling, which Jacobi
  // (M r = r / diag(A)) removes up to diag(S). Counted: steps until ‖x* − xₖ‖_A ≤ 1e-4‖x*‖_A
  // (float64; the A-norm is the one CG minimises — a residual criterion would measure the
  // float32 floor eps·‖A‖‖x‖, which here is above 1e-5‖b‖), capped at 3n (∞: not reached).
  // Measured on 25 seeds (n = 10..38): PCG 9–14 steps always; plain CG 21–39 on 5 of them
  // and ∞ on the other 20. Asserted: PCG ≤ CG and PCG ≤ min(n, 20).
  it("Jacobi-preconditioned CG never takes more iterations than CG on diagonally scaled systems", async () => {
    const counts: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 10, max: 40 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        async (n, seed) => {
          const S = randomSpd(n, 10, seed);
          const A = scaled(S, n, -2, 2, seed + 1);
          const b = randomVector(n, seed + 2);
          const xStar = choleskySolve(A, b, n);
          const plain = await runSteps("cg", A, b, n, 3 * n);
          const pcg = await runSteps("cg", A, b, n, 3 * n, {
            jacobi: diagonalOf(A, n),
          });
          expect(allFinite(pcg)).toBe(true);
          const kPlain = itersToANorm(plain, A, xStar, n, 1e-4);
          const kPcg = itersToANorm(pcg, A, xStar, n, 1e-4);
          counts.push(`n=${n}: CG ${kPlain}, PCG ${kPcg}`);
          expect(kPcg).toBeLessThanOrEqual(kPlain);
          expect(kPcg).toBeLessThanOrEqual(Math.min(n, 20));
        },
      ),
      { seed: 14, numRuns: runs(5) },
    );
    expect(counts.length).toBeGreaterThan(0);
  });

  it("an indefinite operator: pᵀAp ≤ 0 shows in health, the breaking step does not move, all finite", async () => {
    const n = 16;
    const A = symmetricIndefinite(n, 10, 5);
    const b = randomVector(n, 6);
    const s = await runSteps("cg", A, b, n, 6);
    expect(allFinite(s)).toBe(true);
    const k = s.health.findIndex((h) => h <= 0);
    expect(k).toBeGreaterThanOrEqual(0);
    // α = 0 on that step: the iterate is the incoming one.
    const before = k === 0 ? new Float32Array(n) : s.xs[k - 1];
    expect(Array.from(s.xs[k])).toEqual(Array.from(before));
  });

  it("a negative definite preconditioner: rᵀz < 0 is the health at once", async () => {
    const n = 12;
    const A = randomSpd(n, 10, 7);
    const s = await runSteps("cg", A, randomVector(n, 8), n, 2, {
      negate: true,
    });
    expect(allFinite(s)).toBe(true);
    expect(s.health[0]).toBeLessThan(0);
  });
});

describe("minres", () => {
  // Symmetric indefinite A (half the eigenvalues negative, |λ| log-spaced in [1, 10]); MINRES
  // minimises ‖b − A x‖₂ over a growing Krylov space, so without a preconditioner the residual
  // never grows. The carried residual rₖ = sₖ² rₖ₋₁ − (φₖ/γₖ) βₖ₊₁qₖ₊₁ must be b − A xₖ: measured
  // gap ≤ 3.4e-7‖b‖ on 40 seeds (float32 rounding of the updates); asserted ≤ 1e-5‖b‖ + 1e-3·res.
  // Convergence to 1e-5: measured n + 1 … n + 16 steps on 40 seeds (an indefinite spectrum
  // converges like κ², not κ; rounding delays finite termination); asserted ≤ n + 25. Forward
  // error ≤ κ·(relative residual), κ = 10.
  it("symmetric indefinite systems: monotone residual, the carried residual is the true one, matches LU", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 10, max: 40 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        async (n, seed) => {
          const A = symmetricIndefinite(n, 10, seed);
          const b = randomVector(n, seed + 1);
          const xStar = luSolve(A, b, n);
          const s = await runSteps("minres", A, b, n, 4 * n);
          expect(allFinite(s)).toBe(true);
          const bn = norm(b);
          for (let k = 1; k < s.res.length; k++)
            expect(s.res[k]).toBeLessThanOrEqual(
              s.res[k - 1] * (1 + 1e-4) + 1e-7 * bn,
            );
          for (let k = 0; k < s.res.length; k++) {
            const tr = relResidual(A, s.xs[k], b, n) * bn;
            expect(Math.abs(tr - s.res[k])).toBeLessThanOrEqual(
              1e-5 * bn + 1e-3 * s.res[k],
            );
          }
          const k5 = s.res.findIndex((r) => r <= 1e-5 * bn) + 1;
          expect(k5).toBeGreaterThan(0);
          expect(k5).toBeLessThanOrEqual(n + 25);
          expect(relResidual(A, s.xs[k5 - 1], b, n)).toBeLessThan(3e-5);
          expect(relError(s.xs[k5 - 1], xStar)).toBeLessThan(10 * 3e-5);
        },
      ),
      { seed: 12, numRuns: runs(5) },
    );
  });

  // Preconditioned: A = D·S·D with S symmetric indefinite (|λ| in [1, 10]), D = 10^U(-1, 1),
  // M = |diag(A)|⁻¹ (SPD). Measured: with M a float64 residual ≤ 1e-5‖b‖ after 44 steps;
  // without, 1e-4 after 88 and not 1e-5 within 4n = 96.
  it("preconditioned by an SPD Jacobi on a badly scaled indefinite system: converges to the LU solution", async () => {
    const n = 24;
    const S = symmetricIndefinite(n, 10, 31);
    const A = scaled(S, n, -1, 1, 32);
    const b = randomVector(n, 33);
    const xStar = luSolve(A, b, n);
    const s = await runSteps("minres", A, b, n, 4 * n, {
      jacobi: diagonalOf(A, n).map(Math.abs),
    });
    expect(allFinite(s)).toBe(true);
    // Health is β² of the M-norm: positive throughout for an SPD M.
    for (const h of s.health.slice(0, 10)) expect(h).toBeGreaterThan(0);
    const k = itersTo(s, A, b, n, 1e-5);
    expect(k).toBeLessThan(Infinity);
    // The carried residual is ‖b − A x‖₂, not the M-norm φ̄.
    const tr = relResidual(A, s.xs[k - 1], b, n) * norm(b);
    expect(Math.abs(s.res[k - 1] - tr)).toBeLessThan(1e-5 * norm(b));
    expect(relError(s.xs[k - 1], xStar)).toBeLessThan(1e-2);
  });

  it("a happy breakdown: b in a 1-dimensional invariant space gives res = 0 together with β = 0", async () => {
    // A = 2I: the Krylov space of any b is span{b}; one step solves exactly. b has ‖b‖ = 4,
    // so every float32 operation of the step is exact and β₂ comes out exactly 0.
    const n = 16;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) A[i * n + i] = 2;
    const b = Float64Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1));
    const s = await runSteps("minres", A, b, n, 1);
    expect(s.res[0]).toBe(0);
    expect(s.health[0]).toBeLessThanOrEqual(0);
    expect(Array.from(s.xs[0])).toEqual(Array.from(b, (v) => v / 2));
  });
});

describe("bicgstab", () => {
  // Non-symmetric, strictly diagonally dominant (aᵢᵢ = 1.1·Σ|aᵢⱼ|). Measured on 40 seeds: a
  // float64 residual ≤ 1e-5‖b‖ after 4–7 steps, 4–6 with right Jacobi preconditioning; the
  // recursive–true residual gap there ≤ 1.2e-7‖b‖. Asserted: ≤ 12 steps, gap < 2e-6‖b‖,
  // forward error ≤ 1e-4 (κ ≲ 20 for this family).
  it("non-symmetric diagonally dominant systems: converges, matches LU, with and without right Jacobi", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 10, max: 40 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        async (n, seed) => {
          const A = diagonallyDominant(n, 1.1, seed);
          const b = randomVector(n, seed + 1);
          const xStar = luSolve(A, b, n);
          for (const o of [{}, { jacobi: diagonalOf(A, n) }]) {
            const s = await runSteps("bicgstab", A, b, n, 25, o);
            expect(allFinite(s)).toBe(true);
            const k = itersTo(s, A, b, n, 1e-5);
            expect(k).toBeLessThanOrEqual(12);
            // The recursive residual tracks the true one until the float32 floor.
            const tr = relResidual(A, s.xs[k - 1], b, n) * norm(b);
            expect(Math.abs(s.res[k - 1] - tr)).toBeLessThan(2e-6 * norm(b));
            expect(relError(s.xs[k - 1], xStar)).toBeLessThan(1e-4);
            // Healthy while not converged.
            for (let j = 0; j < k - 1; j++)
              expect(s.health[j]).toBeGreaterThan(0);
          }
        },
      ),
      { seed: 13, numRuns: runs(4) },
    );
  });

  it("a skew-symmetric operator: tᵀs = 0 makes ω vanish, health ≤ 0 at the first step, all finite", async () => {
    // Block-diagonal 2×2 rotations by 90°, scaled: Aᵀ = −A, so sᵀAs = 0 for every s.
    const n = 10;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i += 2) {
      A[i * n + i + 1] = 1 + i;
      A[(i + 1) * n + i] = -(1 + i);
    }
    const s = await runSteps("bicgstab", A, randomVector(n, 41), n, 1);
    expect(allFinite(s)).toBe(true);
    expect(s.health[0]).toBeLessThanOrEqual(0);
  });
});

describe("chebyshev", () => {
  // A = diag(λ), λ spread over [1, 50] with both ends included, x0 = 0, b Gaussian; with the
  // exact bounds lmin = 1, lmax = 50. The error after k steps is exactly
  // eₖ = Tₖ((θ − A)/δ) e₀ / Tₖ(σ₁) (θ = 25.5, δ = 24.5, σ₁ = θ/δ), computed here in float64;
  // the float32 iterates follow it to within 2e-6‖x*‖ (measured max 1.6e-7), and
  // ‖eₖ‖ ≤ ‖e₀‖/Tₖ(σ₁) (the Chebyshev bound; max over [lmin, lmax] of |Tₖ((θ − λ)/δ)| is 1).
  // The λ are the n = 30 extrema of T₂₉ mapped to [lmin, lmax], so at k = 29 every component
  // has |T₂₉| = 1 and the bound is attained (measured ratio 0.99998): asserted > 0.999.
  it("on a diagonal SPD matrix: the iterates are the Chebyshev polynomial's, the error within the bound", async () => {
    const n = 30;
    const [lmin, lmax] = [1, 50];
    const lam = Array.from({ length: n }, (_, i) =>
      Math.fround(
        lmin + ((lmax - lmin) * (1 - Math.cos((Math.PI * i) / (n - 1)))) / 2,
      ),
    );
    const A = new Float64Array(n * n);
    lam.forEach((l, i) => (A[i * n + i] = l));
    const b = randomVector(n, 51);
    const xStar = Float64Array.from(b, (v, i) => v / lam[i]);
    const K = 40;
    const s = await runSteps("chebyshev", A, b, n, K, {
      options: { lmin, lmax },
    });
    expect(allFinite(s)).toBe(true);
    const [theta, delta] = [(lmax + lmin) / 2, (lmax - lmin) / 2];
    const sigma = theta / delta;
    const e0 = norm(xStar);
    for (let k = 1; k <= K; k++) {
      const tk = chebT(k, sigma);
      const ref = Float64Array.from(
        xStar,
        (x, i) => x - (chebT(k, (theta - lam[i]) / delta) / tk) * x,
      );
      expect(norm(sub(s.xs[k - 1], ref)) / e0).toBeLessThan(2e-6);
      const ek = norm(sub(s.xs[k - 1], xStar));
      expect(ek).toBeLessThanOrEqual(e0 / tk + 2e-6 * e0);
    }
    expect(norm(sub(s.xs[n - 2], xStar))).toBeGreaterThan(
      (0.999 * e0) / chebT(n - 1, sigma),
    );
    // 40 steps reach 2((√κ − 1)/(√κ + 1))⁴⁰ ≈ 2.2e-5 at κ = 50.
    expect(norm(sub(s.xs[K - 1], xStar)) / e0).toBeLessThan(2.5e-5);
  });

  it("lmin = lmax is Richardson with ω = 1/lmin; bad bounds give health −1 at once", async () => {
    const n = 6;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) A[i * n + i] = 2;
    const b = Float64Array.from({ length: n }, (_, i) => i - 2);
    const s = await runSteps("chebyshev", A, b, n, 2, {
      options: { lmin: 2, lmax: 2 },
    });
    expect(Array.from(s.xs[0])).toEqual(Array.from(b, (v) => v / 2));
    expect(s.res[0]).toBe(0);
    const bad = await runSteps("chebyshev", A, b, n, 1, {
      options: { lmin: 0, lmax: 2 },
    });
    expect(allFinite(bad)).toBe(true);
    expect(bad.health[0]).toBe(-1);
  });
});

describe("richardson", () => {
  // A = diag(λ), λ in [1, 10]: eₖ = (I − ωA)ᵏ e₀ exactly, converging iff ω < 2/λmax = 0.2.
  it("follows (I − ωA)ᵏ e₀ on a diagonal matrix; res is the true residual", async () => {
    const n = 12;
    const lam = Array.from({ length: n }, (_, i) =>
      Math.fround(1 + (9 * i) / (n - 1)),
    );
    const A = new Float64Array(n * n);
    lam.forEach((l, i) => (A[i * n + i] = l));
    const b = randomVector(n, 61);
    const xStar = Float64Array.from(b, (v, i) => v / lam[i]);
    for (const omega of [0.18, 0.21]) {
      const K = 30;
      const s = await runSteps("richardson", A, b, n, K, {
        options: { omega },
      });
      expect(allFinite(s)).toBe(true);
      for (let k = 1; k <= K; k++) {
        const ref = Float64Array.from(
          xStar,
          (x, i) => x - (1 - omega * lam[i]) ** k * x,
        );
        const scale =
          Math.max(1, ...lam.map((l) => Math.abs(1 - omega * l) ** k)) *
          norm(xStar);
        expect(norm(sub(s.xs[k - 1], ref))).toBeLessThan(1e-5 * scale);
        expect(
          Math.abs(s.res[k - 1] - relResidual(A, s.xs[k - 1], b, n) * norm(b)),
        ).toBeLessThan(1e-5 * scale * 10);
      }
      const last = relResidual(A, s.xs[K - 1], b, n);
      if (omega < 0.2) expect(last).toBeLessThan(0.3);
      else expect(last).toBeGreaterThan(1);
    }
  });

  it("a preconditioner: Jacobi-preconditioned Richardson with ω = 1 solves a diagonal system in one step", async () => {
    const n = 5;
    const A = new Float64Array(n * n);
    const dd = [1, 2, 4, 8, 16];
    dd.forEach((v, i) => (A[i * n + i] = v));
    const b = [3, 1, 4, 1, 5];
    const s = await runSteps("richardson", A, b, n, 1, { jacobi: dd });
    expect(Array.from(s.xs[0])).toEqual(b.map((v, i) => v / dd[i]));
    expect(s.res[0]).toBe(0);
  });
});
