// Newton–Krylov (runtime/drivers/newton.ts) through `solve F(x) = b method newton_krylov(...)`
// and directly, against float64 references: roots computed in float64, 1D and 2D Bratu solved by
// float64 Newton, PETSc's iteration counts on its Bratu tutorial, and Armijo's condition
// recomputed in float64 on every step the line search accepts.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { runNewtonKrylov, type Trial, ARMIJO } from "../../runtime/drivers/newton.js";
import type { NpyArray } from "../../runtime/npy.js";
import { type RunOutput, runSource } from "../../runtime/run.js";
import { dot, f32, gaussian, norm, rng, sub, tf, useCpu } from "../drivers/reference.js";

beforeAll(useCpu);

const arr = (data: ArrayLike<number>, shape: number[]): NpyArray => ({ dtype: "float32", shape, data: Float32Array.from(data) });

async function run(program: string, inputs: Record<string, NpyArray> = {}): Promise<RunOutput> {
  const out = await runSource(program, { file: "test.iter", backend: "cpu", inputs: new Map(Object.entries(inputs)) });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return out;
}

function exported(out: RunOutput, name: string): Float32Array {
  const e = out.exports.find((x) => x.name === name);
  if (!e) throw new Error(`no export ${name}`);
  return e.data as Float32Array;
}

const solveReport = (out: RunOutput, name: string) => out.reports.find((r) => r.kind === "solve" && r.name === name)!;
const newtonSteps = (detail: string) => Number(/(\d+) Newton steps?/.exec(detail)![1]);
const gmresIterations = (detail: string) => Number(/(\d+) GMRES iterations/.exec(detail)![1]);

// ---- float64 references ---------------------------------------------------------------------

function cubicRoot64(b: number): number {
  let x = Math.cbrt(b);
  for (let k = 0; k < 100; k++) {
    const dx = (x ** 3 + x - b) / (3 * x * x + 1);
    x -= dx;
    if (Math.abs(dx) <= 1e-16 * (1 + Math.abs(x))) break;
  }
  return x;
}

/** 1D Bratu L u − λ(eᵘ − 1) = λ, L = tridiag(−1, 2, −1)(n + 1)²: float64 Newton with a Thomas solve. */
function bratu1d64(n: number, lambda: number): Float64Array {
  const h2 = (n + 1) ** 2;
  const u = new Float64Array(n);
  const F = (v: Float64Array) => v.map((x, i) => (2 * x - (i > 0 ? v[i - 1] : 0) - (i < n - 1 ? v[i + 1] : 0)) * h2 - lambda * Math.exp(x));
  for (let k = 0; k < 50; k++) {
    const r = F(u);
    if (norm(r) <= 1e-13) break;
    const d = u.map((x) => 2 * h2 - lambda * Math.exp(x));
    const c = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const m = d[i] - (i > 0 ? -h2 * c[i - 1] : 0);
      c[i] = -h2 / m;
      y[i] = (-r[i] - (i > 0 ? -h2 * y[i - 1] : 0)) / m;
    }
    for (let i = n - 2; i >= 0; i--) y[i] -= c[i] * y[i + 1];
    for (let i = 0; i < n; i++) u[i] += y[i];
  }
  return u;
}

/** 2D Bratu −Δu − λeᵘ = 0 on an n×n interior grid: float64 Newton, each step by CG on the SPD Jacobian. */
function bratu2d64(n: number, lambda: number, u0: Float64Array): Float64Array {
  const h2 = (n + 1) ** 2;
  const lap = (v: ArrayLike<number>) => {
    const out = new Float64Array(n * n);
    const at = (i: number, j: number) => (i < 0 || j < 0 || i >= n || j >= n ? 0 : v[i * n + j]);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = (4 * at(i, j) - at(i - 1, j) - at(i + 1, j) - at(i, j - 1) - at(i, j + 1)) * h2;
    return out;
  };
  const u = Float64Array.from(u0);
  for (let k = 0; k < 30; k++) {
    const Lu = lap(u);
    const r = u.map((x, i) => -(Lu[i] - lambda * Math.exp(x)));
    if (norm(r) <= 1e-10) break;
    const J = (v: ArrayLike<number>) => {
      const Lv = lap(v);
      return Lv.map((x, i) => x - lambda * Math.exp(u[i]) * v[i]);
    };
    // CG on J d = r
    const d = new Float64Array(n * n);
    let res = Float64Array.from(r);
    let p = Float64Array.from(r);
    let rr = dot(res, res);
    for (let it = 0; it < 2000 && Math.sqrt(rr) > 1e-13 * norm(r); it++) {
      const q = J(p);
      const alpha = rr / dot(p, q);
      for (let i = 0; i < d.length; i++) d[i] += alpha * p[i];
      res = res.map((x, i) => x - alpha * q[i]);
      const rr1 = dot(res, res);
      p = res.map((x, i) => x + (rr1 / rr) * p[i]);
      rr = rr1;
    }
    for (let i = 0; i < u.length; i++) u[i] += d[i];
  }
  return u;
}

/** PETSc ex5's initial guess (λ/(λ + 1))·√(distance to the boundary) on the n×n interior grid. */
function petscGuess(n: number, lambda: number): Float64Array {
  const h = 1 / (n + 1);
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) u[i * n + j] = (lambda / (lambda + 1)) * Math.sqrt(Math.min(Math.min(i + 1, n - i) * h, Math.min(j + 1, n - j) * h));
  return f32(u);
}

const BRATU2D = `
input u0: f32[n, n]
input lambda: f32
op F(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2 - lambda * exp(u)
`;

// ---- through the language ---------------------------------------------------------------------

describe("solve F(x) = b method newton_krylov", () => {
  it("x³ + x = b: converged, the true residual reported, the float64 root", async () => {
    // The floor: F' = 3x² + 1 ≥ 1, so |x − x*| ≤ |F(x) − b| ≲ eps·|x³|: 2e-6 of max(1, |x*|).
    const normal = gaussian(rng(21));
    const n = 20;
    const b = f32(Array.from({ length: n }, () => 4 * normal()));
    const out = await run(`input b: f32[n]\nop cubic(u) = u^3 + u\nsolve cubic(x) = b method newton_krylov(rtol: 1e-6) -> x\nexport x`, { b: arr(b, [n]) });
    const r = solveReport(out, "x");
    expect(r).toMatchObject({ method: "newton_krylov", converged: true, reason: "converged_rtol" });
    expect(r.iterations).toBeLessThanOrEqual(10);
    const x = exported(out, "x");
    const r64 = norm(Array.from(x, (v, i) => v ** 3 + v - b[i]));
    expect(Math.abs(r.residual - r64)).toBeLessThanOrEqual(1e-6 * norm(b));
    // |x − x*| ≤ |F(x) − b| / min F' ≤ ‖b − F(x)‖ (F' ≥ 1), plus x's own rounding.
    for (let i = 0; i < n; i++) expect(Math.abs(x[i] - cubicRoot64(b[i]))).toBeLessThanOrEqual(1.1 * r.residual + 1e-6 * Math.max(1, Math.abs(x[i])));
  });

  it("1D Bratu (n = 31, λ = 2) matches float64 Newton; a preconditioner of the Jacobian changes the inner work, not the answer", async () => {
    // Error bound: ‖u − u*‖ ≤ ‖J⁻¹‖·‖F(u) − b‖ with ‖J⁻¹‖ ≤ 1/(λ_min(L) − λ e^{max u}) ≈ 0.1 here.
    const n = 31;
    const lambda = 2;
    const src = (precond: string) => `input b: f32[n]
input lambda: f32
op lap(u: f32[n]) {
  let p = pad(u, 1)
  return (2 * u - p[0:n] - p[2:n + 2]) * (n + 1)^2
}
op F(u: f32[n]) = lap(u) - lambda * (exp(u) - 1)
solve F(u) = b method newton_krylov(rtol: 1e-4) ${precond} -> u
export u`;
    const ref = bratu1d64(n, lambda);
    const bound = 1 / (4 * (n + 1) ** 2 * Math.sin(Math.PI / (2 * (n + 1))) ** 2 - lambda * Math.exp(Math.max(...ref) + 0.01));
    const inputs = { b: arr(new Array(n).fill(lambda), [n]), lambda: arr([lambda], []) };
    const plain = await run(src(""), inputs);
    const pre = await run(src("precond jacobi"), inputs);
    for (const out of [plain, pre]) {
      const r = solveReport(out, "u");
      expect(r.converged).toBe(true);
      expect(r.iterations).toBeLessThanOrEqual(5);
      expect(norm(sub(exported(out, "u"), ref))).toBeLessThanOrEqual(bound * (1.1 * r.residual + 1e-7));
    }
    // Jacobi on J = L − λ diag(eᵘ): the diagonal probed is the Jacobian's (2(n + 1)² − λeᵘ), not F's.
    expect(gmresIterations(solveReport(pre, "u").detail!)).toBeLessThanOrEqual(gmresIterations(solveReport(plain, "u").detail!));
  });

  it("2D Bratu, PETSc's ex5 (λ = 6, its initial guess): as many Newton steps as PETSc's newtonls, the float64 solution", async () => {
    // PETSc's src/snes/tutorials/output/ex5_5_ls.out (newtonls with its defaults, 81×81 grid,
    // λ = 6): ‖F‖ = 1.13 → 8.47e-3 → 1.32e-4 → 3.52e-8, so 3 Newton steps to rtol 1e-5 (and
    // ex5_1.out, 17×17 with multigrid: 1.32 → 4.27e-2 → 6.77e-4 → 1.86e-7, 3 again). Here the
    // same problem on the 31×31 interior grid, SSOR on the Jacobian for the inner GMRES (PETSc
    // uses ILU(0)). Measured: 4 steps with Eisenstat–Walker (‖F‖ 1193 → 351 → 2.43 → 1.9e-2 →
    // 5.7e-3: the third lands at 1.6e-5 relative, just short), 3 or fewer with PETSc's fixed inner
    // rtol 1e-5; on PETSc's own 79×79 interior grid, 3 and 2.
    // Error bound as above: λ_min(L) = 8(n + 1)² sin²(π/(2(n + 1))) ≈ 19.7 > λ e^{max u*} ≈ 16.7.
    const n = 31;
    const lambda = 6;
    const u0 = petscGuess(n, lambda);
    const ref = bratu2d64(n, lambda, u0);
    const bound = 1 / (8 * (n + 1) ** 2 * Math.sin(Math.PI / (2 * (n + 1))) ** 2 - lambda * Math.exp(Math.max(...ref) + 0.01));
    const inputs = { u0: arr(u0, [n, n]), lambda: arr([lambda], []) };
    const out = await run(
      `${BRATU2D}
solve F(u) = zeros(n, n) init u0 method newton_krylov(rtol: 1e-5) precond ssor -> u
solve F(v) = zeros(n, n) init u0 method newton_krylov(rtol: 1e-5, forcing: constant, eta: 1e-5) precond ssor -> v
export u
export v`,
      inputs,
    );
    for (const [name, petsc] of [["u", 3 + 1], ["v", 3]] as const) {
      const r = solveReport(out, name);
      expect(r.converged).toBe(true);
      expect(r.iterations).toBeLessThanOrEqual(petsc);
      expect(norm(sub(exported(out, name), ref))).toBeLessThanOrEqual(bound * (1.1 * r.residual + 1e-6));
    }
    // Eisenstat–Walker solves the early steps loosely: fewer inner iterations than a fixed 1e-5.
    expect(gmresIterations(solveReport(out, "u").detail!)).toBeLessThan(gmresIterations(solveReport(out, "v").detail!));
  });

  it("the inner budget adapts: a step that uses it all doubles it", async () => {
    const n = 15;
    const out = await run(`${BRATU2D}solve F(u) = zeros(n, n) init u0 method newton_krylov(rtol: 1e-4, inner: 4) -> u`, { u0: arr(petscGuess(n, 6), [n, n]), lambda: arr([6], []) });
    const r = solveReport(out, "u");
    expect(r.converged).toBe(true);
    expect(r.detail).toMatch(/budget 4 → (8|16|32|64|128)\)/);
  });

  it("the line search globalises: tanh(x − 3) + 1 = 1 from x = 0, where plain Newton diverges", async () => {
    // Newton on tanh(y) = 0 (y = x − 3) is y ← y − sinh(2y)/2: from y = −3 the full step lands at
    // y ≈ 98.7 and the next overflows. Backtracking takes every step downhill in ‖F‖².
    const out = await run(`op g(u) = tanh(u - 3) + 1\nsolve g(x) = [1.0, 1.0] method newton_krylov(rtol: 1e-5) -> x\nexport x`);
    const r = solveReport(out, "x");
    expect(r.converged).toBe(true);
    for (const v of exported(out, "x")) expect(v).toBeCloseTo(3, 4);
    for (let k = 1; k < r.history.length; k++) expect(r.history[k]).toBeLessThan(r.history[k - 1]);
    expect(r.detail).toMatch(/[1-9]\d* backtracks/);
    let y = -3;
    for (let k = 0; k < 3; k++) y -= Math.sinh(2 * y) / 2;
    expect(Number.isFinite(y) && Math.abs(y) < 100).toBe(false);
  });

  it("no root: x² + 1 = 0 ends in line_search_failed, the last accepted iterate returned, its residual the true one", async () => {
    const out = await run(`op q(u) = u^2 + 1\nsolve q(x) = [0.0] init [1.5] method newton_krylov(rtol: 1e-5, maxiter: 40) -> x\nexport x`);
    const r = solveReport(out, "x");
    expect(r.reason).toBe("line_search_failed");
    expect(r.converged).toBe(false);
    expect(r.detail).toMatch(/the step is not taken|not a descent direction/);
    const x = exported(out, "x")[0];
    expect(r.residual).toBeCloseTo(x * x + 1, 5);
    expect(r.history.length).toBe(r.iterations + 1);
    for (let k = 1; k < r.history.length; k++) expect(r.history[k]).toBeLessThanOrEqual(r.history[k - 1]);
  });

  it("counts: one F per step and per backtrack, plus the first; the Jacobian products are GMRES's plus two per step", async () => {
    const out = await run(`op cubic(u) = u^3 + u\nsolve cubic(x) = [1.0, 2.0, -3.0] method newton_krylov(rtol: 1e-5) -> x`);
    const r = solveReport(out, "x");
    const backtracks = Number(/(\d+) backtracks?/.exec(r.detail!)![1]);
    const steps = newtonSteps(r.detail!);
    expect(r.counts).toEqual({ operator: 1 + steps + backtracks, precond: 0, jacobian: gmresIterations(r.detail!) + 2 * steps });
  });

  it("property: a well-conditioned linear F converges in at most two Newton steps", async () => {
    // W = I + 0.3 G/√n (G Gaussian): singular values in about [0.4, 1.6]. Step 1 solves to
    // η₀ = 0.3; Eisenstat–Walker then sees the linear model predict the new residual exactly, so
    // step 2 solves to the tolerance.
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 2 ** 30 }), async (n, seed) => {
        const g = gaussian(rng(seed));
        const W = Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 1 : 0) + (0.3 * g()) / Math.sqrt(n));
        const b = Array.from({ length: n }, () => g());
        const out = await run(`input W: f32[n, n]\ninput b: f32[n]\nsolve W @ x = b method newton_krylov(rtol: 1e-5) -> x\nexport x`, { W: arr(W, [n, n]), b: arr(b, [n]) });
        const r = solveReport(out, "x");
        expect(r.converged).toBe(true);
        expect(r.iterations).toBeLessThanOrEqual(2);
      }),
      { seed: 18, numRuns: 10 },
    );
  });
});

// ---- the driver directly: Armijo on every accepted step -----------------------------------------

describe("the line search never accepts a step that violates Armijo's condition", () => {
  it("property: on random nonlinear problems, every accepted step satisfies it, recomputed in float64", async () => {
    let rejected = 0;
    // F(x) = A x + c ∘ sin(3x) − b with A = I + 0.5 G/√n: nonlinear enough that full Newton steps
    // are often rejected. For each accepted trial the test recomputes, in float64 at the float32
    // iterate and direction, f(0) = ½‖b − F(x)‖², f(t) and f'(0) = −rᵀJδ, and checks
    // f(t) ≤ f(0) + α t f'(0) up to float32 evaluation error (4e-6·f(0) + 1e-12).
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 2 ** 30 }), async (n, seed) => {
        const g = gaussian(rng(seed));
        const A = Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 1 : 0) + (0.5 * g()) / Math.sqrt(n));
        const c = Array.from({ length: n }, () => 2 * g());
        const b = Array.from({ length: n }, () => 3 * g());
        const F64 = (x: ArrayLike<number>) => Array.from({ length: n }, (_, i) => {
          let s = c[i] * Math.sin(3 * x[i]);
          for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
          return s;
        });
        const J64 = (x: ArrayLike<number>, v: ArrayLike<number>) => Array.from({ length: n }, (_, i) => {
          let s = 3 * c[i] * Math.cos(3 * x[i]) * v[i];
          for (let j = 0; j < n; j++) s += A[i * n + j] * v[j];
          return s;
        });
        const At = tf.tensor2d(A, [n, n]);
        const ct = tf.tensor1d(c);
        const bt = tf.tensor1d(b);
        const mv = (M: tf.Tensor, v: tf.Tensor) => tf.reshape(tf.matMul(M, tf.reshape(v, [n, 1])), [n]);
        const accepted: Trial[] = [];
        const checks: { x: number[]; d: number[]; t: number }[] = [];
        const result = runNewtonKrylov<tf.Tensor>(
          tf,
          {
            F: (x) => tf.tidy(() => tf.add(mv(At, x), tf.mul(ct, tf.sin(tf.mul(3, x))))),
            J: (x, v) => tf.tidy(() => tf.add(mv(At, v), tf.mul(tf.mul(tf.mul(3, ct), tf.cos(tf.mul(3, x))), v))),
          },
          bt,
          {
            stop: { rtol: 1e-5, maxIter: 40 },
            name: "x",
            inner: 20,
            innerMax: 80,
            forcing: "ew",
            eta: 0.3,
            onTrial: (trial) => {
              if (!trial.accepted) return void rejected++;
              accepted.push(trial);
              checks.push({ x: [...trial.x.dataSync()], d: [...trial.direction.dataSync()], t: trial.t });
            },
          },
        );
        result.value.dispose();
        tf.dispose([At, ct, bt]);
        expect(accepted.length).toBe(result.report.iterations);
        for (const { x, d, t } of checks) {
          const r0 = sub(b, F64(x));
          const f0 = 0.5 * dot(r0, r0);
          const xt = x.map((v, i) => Math.fround(v + Math.fround(t * d[i])));
          const rt = sub(b, F64(xt));
          const ft = 0.5 * dot(rt, rt);
          const slope = -dot(r0, J64(x, d));
          expect(slope).toBeLessThan(0);
          expect(ft).toBeLessThanOrEqual(f0 + ARMIJO * t * slope + 4e-6 * f0 + 1e-12);
        }
      }),
      { seed: 5, numRuns: 25 },
    );
    // The check is not vacuous: full Newton steps were rejected along the way.
    expect(rejected).toBeGreaterThan(10);
  });
});
