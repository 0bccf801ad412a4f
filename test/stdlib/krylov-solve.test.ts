// The Krylov methods of stdlib/krylov.iter through `solve ... method NAME`, i.e. with the
// generic driver (runtime/drivers/method.ts): its stopping rule, true-residual confirmation,
// breakdown and growth detection. Results are compared with float64 plain-TS references; the
// edge cases check that no run ends in NaN or in a success the true residual does not confirm.
// The step-by-step invariants of each method are in krylov.test.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { NpyArray } from "../../runtime/npy.js";
import type { Report } from "../../runtime/report.js";
import { runSource } from "../../runtime/run.js";
import {
  choleskySolve,
  f32,
  gaussian,
  matvec,
  norm,
  randomSpd,
  randomVector,
  rng,
  type Mat,
  luSolve,
  symmetricIndefinite,
  relResidual,
  relError,
} from "../drivers/reference.js";

const runs = (n: number) => Number(process.env.KRYLOV_RUNS ?? n);

const f32in = (shape: number[], data: ArrayLike<number>): NpyArray => ({
  dtype: "float32",
  shape,
  data: Float32Array.from(data),
});

interface Solved {
  u: Float32Array;
  report: Report;
}

/** `solve A @ u = b method SPEC -> u` for a dense A given as input (with `init x0` if given). */
async function solveDense(
  A: Mat,
  b: ArrayLike<number>,
  n: number,
  spec: string,
  x0?: ArrayLike<number>,
): Promise<Solved> {
  const src = `
input A: f32[n, n]
input b: f32[n]
${x0 ? "input x0: f32[n]" : ""}
solve A @ u = b ${x0 ? "init x0" : ""} method ${spec} -> u
export u
`;
  const inputs = new Map<string, NpyArray>([
    ["A", f32in([n, n], A)],
    ["b", f32in([n], b)],
  ]);
  if (x0) inputs.set("x0", f32in([n], x0));
  return solved(
    await runSource(src, { file: "krylov-solve.iter", inputs, backend: "cpu" }),
  );
}

function solved(out: Awaited<ReturnType<typeof runSource>>): Solved {
  const errors = out.diagnostics.filter((d) => d.severity === "error");
  if (errors.length)
    throw new Error(
      errors.map((d) => `${d.message} (line ${d.span.start.line})`).join("\n"),
    );
  const reports = out.reports.filter((r) => r.kind === "solve");
  expect(reports).toHaveLength(1);
  return {
    u: out.exports.find((e) => e.name === "u")!.data as Float32Array,
    report: reports[0],
  };
}

// ---- float64 references -----------------------------------------------------------------------



function diagonallyDominant(n: number, seed: number): Mat {
  const g = gaussian(rng(seed));
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      A[i * n + j] = g();
      s += Math.abs(A[i * n + j]);
    }
    A[i * n + i] = 1.1 * s;
  }
  return f32(A);
}

/** The 5-point Laplacian of examples/poisson.iter on an N×N grid, as a dense N²×N² matrix. */
function poissonMatrix(N: number): Mat {
  const m = N * N;
  const h2 = (N + 1) ** 2;
  const A = new Float64Array(m * m);
  for (let i = 0; i < N; i++)
    for (let j = 0; j < N; j++) {
      const k = i * N + j;
      A[k * m + k] = 4 * h2;
      for (const [di, dj] of [
        [-1, 0],
        [1, 0],
        [0, -1],
        [0, 1],
      ]) {
        const [a, c] = [i + di, j + dj];
        if (a >= 0 && a < N && c >= 0 && c < N) A[k * m + a * N + c] = -h2;
      }
    }
  return A;
}

const CONVERGED = ["converged_rtol", "converged_atol"];

/** What every report must satisfy, whatever the outcome. */
function wellFormed(
  r: Report,
  A: Mat,
  u: Float32Array,
  b: ArrayLike<number>,
  n: number,
): void {
  expect(r.reason).not.toBe("diverged_nan");
  expect(u.every(Number.isFinite)).toBe(true);
  expect(r.history.length).toBe(r.iterations + 1);
  // The reported residual is the true one of the returned u (float32 vs float64 evaluation).
  const tr = relResidual(A, u, b, n);
  expect(Math.abs(r.relResidual - tr)).toBeLessThanOrEqual(1e-5 + 1e-3 * tr);
  // Never a false success: converged means the float64 residual meets rtol (1e-5 here) up to
  // the float32 evaluation error of b − A u.
  if (CONVERGED.includes(r.reason)) expect(tr).toBeLessThan(2e-5);
}

// ---------------------------------------------------------------------------------------------

describe("each method on the class it is for, against float64", () => {
  // n = 30; rtol 1e-5 (default). Forward error ≤ κ·(relative residual) with a float32 slack:
  // κ = 100 for the SPD system, 10 for the indefinite one, ≲ 20 for the dominant one.
  // Iterations: the bounds asserted below are the ones measured in krylov.test.ts, and for
  // chebyshev and richardson the rates of their polynomials.
  const n = 30;
  const spd = randomSpd(n, 100, 71);
  const indef = symmetricIndefinite(n, 10, 72);
  const dom = diagonallyDominant(n, 73);
  const b = randomVector(n, 74);
  const cases: [string, Mat, string, number, number][] = [
    ["cg", spd, "cg", 100, n + 12],
    ["minres (SPD)", spd, "minres", 100, n + 12],
    ["minres (indefinite)", indef, "minres", 10, n + 25],
    ["bicgstab", dom, "bicgstab", 20, 12],
    ["bicgstab (SPD)", spd, "bicgstab", 100, 2 * n],
    // ‖rₖ‖ ≤ ‖r₀‖/Tₖ(σ₁) ≤ 2·(9/11)ᵏ‖r₀‖ at κ = 100: ≤ 1e-5 by k = 62.
    ["chebyshev", spd, "chebyshev(lmin: 1, lmax: 100)", 100, 80],
    // ω = 2/(λmin + λmax): contraction (κ − 1)/(κ + 1) = 99/101 per step: ~600 to 1e-5.
    ["richardson", spd, "richardson(omega: 0.0198, maxiter: 2000)", 100, 900],
  ];
  for (const [label, A, spec, kappa, maxIts] of cases) {
    it(`${label}: converges and matches the float64 solution`, async () => {
      const { u, report } = await solveDense(A, b, n, spec);
      wellFormed(report, A, u, b, n);
      expect(report.reason).toBe("converged_rtol");
      expect(report.iterations).toBeGreaterThan(0);
      expect(report.iterations).toBeLessThanOrEqual(maxIts);
      expect(report.history[0]).toBeCloseTo(norm(b), 4);
      expect(relError(u, luSolve(A, b, n))).toBeLessThan(kappa * 2e-5);
    });
  }

  it("the Poisson problem of examples/poisson.iter with every SPD method; Chebyshev with its exact spectrum", async () => {
    // -Δu = f on a 15×15 grid, f = 2[x(1−x) + y(1−y)]: exact solution x(1−x)y(1−y) (the
    // stencil is exact on it). The spectrum of the scaled 5-point Laplacian is
    // 8(N+1)²·[sin²(π/(2(N+1))), cos²(π/(2(N+1)))] (λ for the (1,1) and (N,N) modes).
    const N = 15;
    const lmin = 8 * (N + 1) ** 2 * Math.sin(Math.PI / (2 * (N + 1))) ** 2;
    const lmax = 8 * (N + 1) ** 2 * Math.cos(Math.PI / (2 * (N + 1))) ** 2;
    const A = poissonMatrix(N);
    const specs = [
      "cg",
      "minres",
      "bicgstab",
      `chebyshev(lmin: ${lmin}, lmax: ${lmax})`,
      `richardson(omega: ${2 / (lmin + lmax)}, maxiter: 2000)`,
    ];
    const its: number[] = [];
    for (const spec of specs) {
      const src = `
dim N = ${N}
op A(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2
let x = grid(N, axis: 1)
let y = grid(N, axis: 0)
let f = 2 * (x * (1 - x) + y * (1 - y))
solve A(u) = f method ${spec} -> u
export u
export f
`;
      const out = await runSource(src, {
        file: "poisson.iter",
        backend: "cpu",
      });
      const { u, report } = solved(out);
      const f = out.exports.find((e) => e.name === "f")!.data as Float32Array;
      wellFormed(report, A, u, f, N * N);
      expect(report.reason).toBe("converged_rtol");
      its.push(report.iterations);
      // κ = cot²(π/32) ≈ 103: forward error ≤ 103 · 2e-5 (rtol plus float32 slack).
      expect(relError(u, choleskySolve(A, f, N * N))).toBeLessThan(103 * 2e-5);
    }
    // Chebyshev with exact bounds: ‖rₖ‖ ≤ ‖r₀‖/Tₖ(σ₁), so it must stop by the first k with
    // Tₖ(σ₁) ≥ 1e5 (62 here; measured 63: float32 puts the last residual just above); the
    // Krylov methods adapt to the spectrum (and to this smooth f) and need fewer (measured cg 20,
    // minres 20, bicgstab 13); Richardson with the best ω about ln(1e-5)/ln((κ − 1)/(κ + 1)) ≈ 590
    // (measured 594).
    const sigma = (lmax + lmin) / (lmax - lmin);
    let kBound = 1;
    while (Math.cosh(kBound * Math.acosh(sigma)) < 1e5) kBound++;
    const [cg, minres, , cheb, rich] = its;
    expect(cg).toBeLessThan(cheb);
    expect(minres).toBeLessThanOrEqual(cg + 2);
    expect(cheb).toBeLessThanOrEqual(kBound + 2);
    expect(rich).toBeGreaterThan(400);
    expect(rich).toBeLessThanOrEqual(650);
  });
});

describe("edge cases", () => {
  const METHODS = [
    "cg",
    "minres",
    "bicgstab",
    "chebyshev(lmin: 1, lmax: 100)",
    "richardson(omega: 0.0198)",
  ];

  it("a zero right-hand side gives exact zeros in 0 iterations, for every method", async () => {
    const n = 12;
    const A = randomSpd(n, 100, 81);
    for (const spec of METHODS) {
      const { u, report } = await solveDense(A, new Float64Array(n), n, spec);
      expect(Array.from(u)).toEqual(new Array(n).fill(0));
      expect(report.iterations).toBe(0);
      expect(report.converged).toBe(true);
      expect(report.residual).toBe(0);
    }
  });

  it("an initial guess that already solves returns at once, for every method", async () => {
    // An integer SPD system whose float32 residual at the integer solution is exactly 0:
    // A = tridiag(−1, 4, −1) scaled to have λ in [2, 6] (bounds for chebyshev: [1, 100] still
    // contain them — any valid bounds do, since no step is taken).
    const n = 10;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      A[i * n + i] = 4;
      if (i > 0) A[i * n + i - 1] = -1;
      if (i < n - 1) A[i * n + i + 1] = -1;
    }
    const xs = Array.from({ length: n }, (_, i) => (i % 3) - 1);
    const b = matvec(A, xs, n);
    for (const spec of METHODS) {
      const { u, report } = await solveDense(A, b, n, spec, xs);
      expect(report.iterations).toBe(0);
      expect(report.converged).toBe(true);
      expect(Array.from(u)).toEqual(xs);
    }
  });

  // Measured on 20 seeds: always breakdown, at step 1 (13) or 2 (7).
  it("cg on symmetric indefinite operators ends in breakdown or max_iterations: never NaN, never a false success", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 6, max: 30 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        async (n, seed) => {
          const A = symmetricIndefinite(n, 10, seed);
          const b = randomVector(n, seed + 1);
          const { u, report } = await solveDense(A, b, n, "cg(maxiter: 200)");
          wellFormed(report, A, u, b, n);
          expect(["breakdown", "max_iterations"]).toContain(report.reason);
          if (report.reason === "breakdown")
            expect(report.detail).toMatch(/pᵀAp/);
        },
      ),
      { seed: 21, numRuns: runs(6) },
    );
  });

  it("minres on non-symmetric operators ends in max_iterations (it stagnates honestly): never NaN, never a false success", async () => {
    // S + G with S symmetric indefinite (|λ| in [1, 10]) and G a Gaussian matrix: far from
    // symmetric. Measured on 20 seeds: after 150 steps the true residual is 0.7–3.3 ‖b‖ (the
    // Lanczos recurrence no longer minimises anything); the carried residual stays the true
    // one, so nothing claims convergence.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 6, max: 30 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        async (n, seed) => {
          const g = gaussian(rng(seed + 2));
          const A = f32(
            Float64Array.from(
              symmetricIndefinite(n, 10, seed),
              (v) => v + 2 * g(),
            ),
          );
          const b = randomVector(n, seed + 1);
          const { u, report } = await solveDense(
            A,
            b,
            n,
            "minres(maxiter: 150)",
          );
          wellFormed(report, A, u, b, n);
          expect(["breakdown", "max_iterations"]).toContain(report.reason);
        },
      ),
      { seed: 22, numRuns: runs(5) },
    );
  });

  it("bicgstab on a skew-symmetric operator: ω vanishes, breakdown at the first step", async () => {
    const n = 10;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i += 2) {
      A[i * n + i + 1] = 1 + i;
      A[(i + 1) * n + i] = -(1 + i);
    }
    const b = randomVector(n, 91);
    const { u, report } = await solveDense(A, b, n, "bicgstab");
    wellFormed(report, A, u, b, n);
    expect(report.reason).toBe("breakdown");
    expect(report.detail).toMatch(/ω/);
    // The breaking step is rolled back: u is the initial guess.
    expect(Array.from(u)).toEqual(new Array(n).fill(0));
  });

  it("richardson converges for ω < 2/λmax and reports diverged_growth beyond it", async () => {
    // A = diag(λ), λ evenly spaced in [1, 10]: 2/λmax = 0.2.
    const n = 10;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) A[i * n + i] = Math.fround(1 + i);
    const b = randomVector(n, 92);
    const good = await solveDense(
      A,
      b,
      n,
      "richardson(omega: 0.19, maxiter: 2000)",
    );
    wellFormed(good.report, A, good.u, b, n);
    expect(good.report.reason).toBe("converged_rtol");
    const bad = await solveDense(
      A,
      b,
      n,
      "richardson(omega: 0.21, maxiter: 2000)",
    );
    wellFormed(bad.report, A, bad.u, b, n);
    expect(bad.report.reason).toBe("diverged_growth");
    // |1 − 0.21·10| = 1.1 per step: 10⁸ growth after about 8/log10(1.1) ≈ 193 steps.
    expect(bad.report.iterations).toBeGreaterThan(150);
    expect(bad.report.iterations).toBeLessThan(260);
  });

  it("chebyshev: invalid bounds are a breakdown at the first step; a too small lmax diverges, reported", async () => {
    const n = 10;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) A[i * n + i] = Math.fround(1 + i);
    const b = randomVector(n, 93);
    const invalid = await solveDense(A, b, n, "chebyshev(lmin: 0, lmax: 10)");
    wellFormed(invalid.report, A, invalid.u, b, n);
    expect(invalid.report.reason).toBe("breakdown");
    expect(invalid.report.iterations).toBeLessThanOrEqual(1);
    expect(Array.from(invalid.u)).toEqual(new Array(n).fill(0));
    // λ = 10 lies outside [1, 5], where the Chebyshev polynomial grows like Tₖ(σ) with
    // σ = (θ − 10)/δ = −3.5: the error grows ~(3.5 + √(3.5² − 1))ᵏ/Tₖ(1.5) ≈ 2.6ᵏ.
    const wrong = await solveDense(
      A,
      b,
      n,
      "chebyshev(lmin: 1, lmax: 5, maxiter: 500)",
    );
    wellFormed(wrong.report, A, wrong.u, b, n);
    expect(wrong.report.reason).toBe("diverged_growth");
  });

  it("chebyshev without lmin or lmax is refused when checking, naming the option", async () => {
    const src = ["dim n = 4", "input A: f32[n, n]", "input b: f32[n]", "solve A @ u = b method chebyshev(lmax: 5) -> u", "export u"].join("\n");
    const out = await runSource(src, { file: "t.iter", backend: "cpu" });
    const errors = out.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.code, d.message, d.span.start.line])).toEqual([["missing-option", expect.stringMatching(/^`chebyshev` needs the option `lmin`/), 4]]);
  });
});
