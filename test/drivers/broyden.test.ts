// runBroyden (runtime/drivers/broyden.ts) on the cpu backend and `method broyden` through the
// language, against float64 plain-TS references: a transcription of the driver's algorithm
// (good Broyden, limited memory, the same line search), float64 roots, and Gay's theorem on
// linear problems.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { runBroyden, type BroydenOptions, type BroydenProblem } from "../../runtime/drivers/broyden.js";
import { runSource, type RunOutput } from "../../runtime/run.js";
import type { NpyArray } from "../../runtime/npy.js";
import { dot, f32, gaussian, matvec, norm, qdrt, randomOrthogonal, rng, sub, tf, useCpu } from "./reference.js";

beforeAll(useCpu);

type Tensor = tf.Tensor;
type Vec = Float64Array<ArrayBufferLike>;

// ---------------------------------------------------------------------------------------------
// The float64 reference: the driver's header, line by line, on plain arrays.

interface Ref64Options {
  m: number;
  alpha: number;
  reduction: "restart" | "simple";
  lineSearch: boolean;
}

/** Accepted iterates x₀, x₁, … of good Broyden on R(x) = 0 (H₀ = −αI), at most `steps` of them after x₀. */
function broyden64(R: (x: Vec) => Vec, x0: Vec, o: Ref64Options, steps: number): { xs: Vec[]; failed: boolean } {
  const us: Vec[] = [];
  const vs: Vec[] = [];
  const H = (v: Vec) => {
    const out = v.map((a) => -o.alpha * a);
    us.forEach((u, i) => {
      const c = dot(vs[i], v);
      for (let j = 0; j < out.length; j++) out[j] += c * u[j];
    });
    return out;
  };
  const Ht = (v: Vec) => {
    const out = v.map((a) => -o.alpha * a);
    us.forEach((u, i) => {
      const c = dot(u, v);
      for (let j = 0; j < out.length; j++) out[j] += c * vs[i][j];
    });
    return out;
  };
  let x: Vec = Float64Array.from(x0);
  let r: Vec = R(x);
  const xs = [x];
  for (let k = 0; k < steps; k++) {
    let found: { x: Vec; r: Vec } | undefined;
    for (;;) {
      const d = H(r).map((v) => -v);
      let t = 1;
      for (let h = 0; h <= 20; h++) {
        const xt = x.map((v, i) => v + t * d[i]);
        const rt = R(xt);
        const rn = norm(rt);
        if (Number.isFinite(rn) && (!o.lineSearch || rn <= (1 - 1e-4 * t) * norm(r))) {
          found = { x: xt, r: rt };
          break;
        }
        t *= 0.5;
      }
      if (found || us.length === 0) break;
      us.length = 0;
      vs.length = 0;
    }
    if (!found) return { xs, failed: true };
    const s = sub(found.x, x);
    const y = sub(found.r, r);
    const Hy = H(y);
    const v = Ht(s);
    const den = dot(v, y);
    if (o.m > 0 && Math.abs(den) > 1e-10 * norm(s) * norm(Hy)) {
      if (us.length >= o.m) {
        const drop = o.reduction === "restart" ? us.length : 1;
        us.splice(0, drop);
        vs.splice(0, drop);
      }
      us.push(sub(s, Hy).map((a) => a / den));
      vs.push(v);
    }
    x = found.x;
    r = found.r;
    xs.push(x);
  }
  return { xs, failed: false };
}

/** The driver's accepted iterates as float64 arrays, and its report. */
function driverIterates(tfProblem: BroydenProblem<Tensor>, o: Partial<BroydenOptions<Tensor>> & Pick<BroydenOptions<Tensor>, "m" | "reduction" | "lineSearch">, maxIter: number) {
  const xs: Vec[] = [];
  const ts: number[] = [];
  const { value, report } = runBroyden(tf, tfProblem, {
    stop: { atol: 0, rtol: 0, maxIter, divergenceFactor: Infinity },
    name: "x",
    ...o,
    onIterate: (_k, x, t) => {
      xs.push(Float64Array.from(x.dataSync()));
      ts.push(t);
    },
  });
  value.dispose();
  return { xs, ts, report };
}

// ---------------------------------------------------------------------------------------------
// Problems: x ← tanh(W x + b) (‖W‖₂ ≤ ρ) and linear contractions T(x) = G x + b.

function randomW(n: number, rho: number, normal: () => number, flat: boolean): Vec {
  const U = randomOrthogonal(n, normal);
  const V = randomOrthogonal(n, normal);
  return f32(qdrt(U, Array.from({ length: n }, () => (flat ? rho : rho * Math.abs(Math.cos(7 * normal())))), V, n));
}

function tanhProblem(n: number, rho: number, scale: number, seed: number, flat = false) {
  const normal = gaussian(rng(seed));
  const W = randomW(n, rho, normal, flat);
  const b = f32(Array.from({ length: n }, () => scale * normal()));
  const Wt = tf.tensor2d(Float32Array.from(W), [n, n]);
  const bt = tf.tensor1d(Float32Array.from(b));
  let calls = 0;
  const map = (x: Tensor) => {
    calls++;
    return tf.tanh(tf.add(tf.reshape(tf.matMul(Wt, tf.reshape(x, [n, 1])), [n]), bt));
  };
  const T64 = (x: ArrayLike<number>) => matvec(W, x, n).map((v, i) => Math.tanh(v + b[i]));
  return { n, map, T64, R64: (x: Vec) => sub(T64(x), x), calls: () => calls, dispose: () => tf.dispose([Wt, bt]) };
}

function linearProblem(n: number, rho: number, seed: number) {
  const normal = gaussian(rng(seed));
  const G = randomW(n, rho, normal, false);
  const b = f32(Array.from({ length: n }, normal));
  const Gt = tf.tensor2d(Float32Array.from(G), [n, n]);
  const bt = tf.tensor1d(Float32Array.from(b));
  const map = (x: Tensor) => tf.add(tf.reshape(tf.matMul(Gt, tf.reshape(x, [n, 1])), [n]), bt);
  const T64 = (x: ArrayLike<number>) => matvec(G, x, n).map((v, i) => v + b[i]);
  return { n, G, b, map, T64, R64: (x: Vec) => sub(T64(x), x), dispose: () => tf.dispose([Gt, bt]) };
}

// ---------------------------------------------------------------------------------------------

/**
 * The iterates against the float64 reference's, relative to the size of its last: each within
 * 2e-5, until the reference has `converged` (float32 cannot follow it further). The largest
 * difference and how many were compared.
 */
function compareIterates(xs: Float64Array[], ref: Float64Array[], converged: (x: Float64Array) => boolean): { worst: number; compared: number } {
  const scale = Math.max(1, norm(ref[ref.length - 1]));
  let [worst, compared] = [0, 0];
  for (let k = 1; k < Math.min(xs.length, ref.length); k++) {
    const err = norm(sub(xs[k], ref[k])) / scale;
    worst = Math.max(worst, err);
    expect(err).toBeLessThanOrEqual(2e-5);
    compared++;
    if (converged(ref[k])) break;
  }
  return { worst, compared };
}

describe("runBroyden against its float64 transcription", () => {
  // The same steps, the same line-search decisions, the same updates: the iterates agree to
  // float32 while ‖R‖ is above 1e-4·‖R(x₀)‖ (below, float32's differences of nearly equal
  // residuals decide). Measured over these 40 cases (434 iterates compared): at most
  // 2.1e-6·max(1, ‖x*‖) apart; allowed 2e-5.
  it("fixpoints x ← tanh(W x + b): iterates within float32, with and without line search, both reductions", () => {
    let worst = 0;
    let compared = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 24 }),
        fc.constantFrom(0.5, 0.9, 0.99),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom("restart", "simple"),
        fc.boolean(),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (n, rho, m, reduction, lineSearch, seed) => {
          const p = tanhProblem(n, rho, 0.5, seed);
          const x0 = tf.zeros([n]);
          const steps = 15;
          const o = { m, reduction, lineSearch, alpha: 1 } as const;
          const { xs } = driverIterates({ kind: "fixpoint", map: p.map, x0 }, o, steps);
          const ref = broyden64(p.R64, new Float64Array(n), o, steps);
          tf.dispose(x0);
          p.dispose();
          const r0 = norm(p.R64(new Float64Array(n)));
          const c = compareIterates(xs, ref.xs, (x) => norm(p.R64(x)) < 1e-4 * r0);
          worst = Math.max(worst, c.worst);
          compared += c.compared;
        },
      ),
      { seed: 31, numRuns: 40 },
    );
    expect(compared).toBeGreaterThan(40 * 4);
    expect(worst).toBeGreaterThan(0);
  });
});

describe("runBroyden as a solve, against its float64 transcription", () => {
  // R(u) = b − F(u), F(u) = A u + 0.1 u³ (A = I + ½·SPD with eigenvalues in [0, 1]), u₀ = 0 and
  // α by SciPy's rule 0.5·max(‖u₀‖, 1)/‖R(u₀)‖. Measured over these 30 cases (278 iterates):
  // at most 1.8e-6·max(1, ‖u*‖) apart in the first 10 steps; allowed 2e-5.
  it("F(u) = A u + 0.1 u³ = b: iterates within float32, the α SciPy's", () => {
    let worst = 0;
    let compared = 0;
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 16 }), fc.integer({ min: 1, max: 8 }), fc.boolean(), fc.integer({ min: 1, max: 2 ** 30 }), (n, m, lineSearch, seed) => {
        const normal = gaussian(rng(seed));
        const Q = randomOrthogonal(n, normal);
        const A = f32(qdrt(Q, Array.from({ length: n }, (_, i) => 1 + (0.5 * i) / n), Q, n));
        const b = f32(Array.from({ length: n }, normal));
        const At = tf.tensor2d(Float32Array.from(A), [n, n]);
        const bt = tf.tensor1d(Float32Array.from(b));
        const F = (u: Tensor) => tf.add(tf.reshape(tf.matMul(At, tf.reshape(u, [n, 1])), [n]), tf.mul(0.1, tf.pow(u, 3)));
        const R64 = (u: Vec) => sub(b, matvec(A, u, n).map((v, i) => v + 0.1 * u[i] ** 3));
        // The trajectories part after ~10 steps, where ‖R‖ stalls for a few steps and the
        // updates' small denominators sᵀHy amplify float32 rounding (measured: 1.7e-7 at step 11,
        // 2.4e-5 at step 12 on one case; 2.6e-6 at step 14, 1.4e-4 at 15 on another).
        const steps = 10;
        const { xs, report } = driverIterates({ kind: "solve", F, b: bt }, { m, reduction: "restart", lineSearch }, steps);
        tf.dispose([At, bt]);
        const alpha = 0.5 / norm(b);
        expect(report.detail).toContain(`α = ${Number(alpha.toPrecision(3))}`);
        const ref = broyden64(R64, new Float64Array(n), { m, alpha, reduction: "restart", lineSearch }, steps);
        const c = compareIterates(xs, ref.xs, (x) => norm(R64(x)) < 1e-4 * norm(b));
        worst = Math.max(worst, c.worst);
        compared += c.compared;
      }),
      { seed: 33, numRuns: 30 },
    );
    expect(worst).toBeGreaterThan(0);
    expect(compared).toBeGreaterThan(30 * 4);
  });
});

describe("Broyden on linear problems", () => {
  // Gay (1979): on a linear R with nonsingular Jacobian, good Broyden without line search and
  // with unlimited memory finds the root in at most 2n steps (in exact arithmetic). Measured in
  // float32 over these 40 cases: at most 2n steps (reached), so the bound holds as stated.
  it("Gay's theorem: ≤ 2n steps to 1e-5 relative on random linear contractions (no line search, m ≥ 2n)", () => {
    const steps: number[] = [];
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10 }), fc.double({ min: 0.2, max: 0.95, noNaN: true }), fc.integer({ min: 1, max: 2 ** 30 }), (n, rho, seed) => {
        const p = linearProblem(n, rho, seed);
        const x0 = tf.zeros([n]);
        const { value, report } = runBroyden(tf, { kind: "fixpoint", map: p.map, x0 }, { m: 2 * n, reduction: "restart", lineSearch: false, stop: { rtol: 1e-5, maxIter: 10 * n }, name: "x" });
        const x = value.dataSync();
        tf.dispose([value, x0]);
        p.dispose();
        expect(report.converged).toBe(true);
        expect(report.iterations).toBeLessThanOrEqual(2 * n);
        steps.push(report.iterations / n);
        // the answer: (I − G) x* = b in float64; ‖x − x*‖ ≤ ‖R(x)‖ / (1 − ρ)
        expect(norm(sub(x, p.T64(x)))).toBeLessThanOrEqual(2e-5 * norm(x) + 1e-6);
      }),
      { seed: 32, numRuns: 40 },
    );
    expect(Math.max(...steps)).toBeLessThanOrEqual(2);
  });
});

// ---------------------------------------------------------------------------------------------

const arr = (data: ArrayLike<number>, shape: number[]): NpyArray => ({ dtype: "float32", shape, data: Float32Array.from(data) });

async function run(program: string, inputs: Record<string, NpyArray> = {}): Promise<RunOutput> {
  const out = await runSource(program, { file: "broyden.iter", backend: "cpu", inputs: new Map(Object.entries(inputs)) });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return out;
}
const exported = (out: RunOutput, name: string) => out.exports.find((e) => e.name === name)!.data as Float32Array;
const evaluationsOf = (detail: string) => Number(/(\d+) function evaluations/.exec(detail)![1]);

describe("method broyden through the language", () => {
  it("fixpoint: the examples/contraction.iter family at ρ = 0.99 — converged, fewer map evaluations than picard, within r/(1 − ρ) of the float64 fixed point", async () => {
    // W = 0.99·(a Householder reflection), b = 0.1·normal: Picard's rate is close to 0.99.
    // Measured: picard 364 iterations; broyden (m: 10, no line search) 139 steps, 140 map
    // evaluations; with the line search 70 steps but 248 evaluations (177 backtracks).
    const out = await run(`dim n = 32
let v = normal(n, seed: 1)
export W = 0.99 * (eye(n) - 2 * outer(v, v) / dot(v, v))
export b = 0.1 * normal(n, seed: 2)
fixpoint x: f32[n] = tanh(W @ x + b) init zeros method broyden until residual < 1e-6 max 2000
fixpoint y: f32[n] = tanh(W @ y + b) init zeros method picard until residual < 1e-6 max 2000
fixpoint z: f32[n] = tanh(W @ z + b) init zeros method broyden(line_search: true) until residual < 1e-6 max 2000
export x
export z
`);
    const [rx, ry, rz] = ["x", "y", "z"].map((n) => out.reports.find((r) => r.name === n)!);
    for (const r of [rx, rz]) {
      expect(r).toMatchObject({ kind: "fixpoint", method: "broyden", converged: true, reason: "converged_atol" });
      expect(r.counts!.operator).toBe(evaluationsOf(r.detail!));
      expect(r.history.length).toBe(r.iterations + 1);
    }
    expect(rx.detail).toMatch(/no line search/);
    expect(rx.counts!.operator).toBeLessThan(ry.counts!.operator / 2);
    // the float64 fixed point of the same float32 W and b
    const n = 32;
    const W = Float64Array.from(exported(out, "W"));
    const b = exported(out, "b");
    const T = (x: ArrayLike<number>) => matvec(W, x, n).map((v, i) => Math.tanh(v + b[i]));
    let xs: Vec = new Float64Array(n);
    for (let k = 0; k < 20000 && norm(sub(T(xs), xs)) > 1e-14; k++) xs = T(xs);
    for (const name of ["x", "z"]) {
      const x = exported(out, name);
      const r64 = norm(sub(T(x), x));
      expect(norm(sub(x, xs))).toBeLessThanOrEqual((1 + 1e-4) * (r64 / (1 - 0.99)) + 1e-10);
    }
  });

  it("solve: x³ + x = b converges to the float64 roots (|x − x*| ≤ |F(x) − b| since F′ ≥ 1)", async () => {
    const normal = gaussian(rng(21));
    const n = 20;
    const b = f32(Array.from({ length: n }, () => 4 * normal()));
    const out = await run(`input b: f32[n]\nop cubic(u) = u^3 + u\nsolve cubic(x) = b method broyden(rtol: 1e-6) -> x\nexport x`, { b: arr(b, [n]) });
    const r = out.reports.find((q) => q.name === "x")!;
    expect(r).toMatchObject({ kind: "solve", method: "broyden", converged: true, reason: "converged_rtol" });
    expect(r.counts!.operator).toBe(evaluationsOf(r.detail!));
    const x = exported(out, "x");
    const F64 = Array.from(x, (v, i) => v ** 3 + v - b[i]);
    // the reported residual is the returned x's own
    expect(Math.abs(r.residual - norm(F64))).toBeLessThanOrEqual(1e-6 * norm(b));
    for (let i = 0; i < n; i++) {
      let root = Math.cbrt(b[i]);
      for (let k = 0; k < 100; k++) root -= (root ** 3 + root - b[i]) / (3 * root * root + 1);
      expect(Math.abs(x[i] - root)).toBeLessThanOrEqual(1.1 * r.residual + 1e-6 * Math.max(1, Math.abs(root)));
    }
  });

  it("solve without a root (u² = −1): line_search_failed, the step not taken, never converged", async () => {
    const out = await run(`op sq(u) = u * u\nsolve sq(x) = -ones(4) method broyden -> x\nexport x`);
    const r = out.reports.find((q) => q.name === "x")!;
    expect(r).toMatchObject({ reason: "line_search_failed", converged: false, iterations: 0 });
    expect(r.detail).toMatch(/^no step along the plain direction α·R\(x\) at step 1 decreases ‖R‖/);
    expect(Array.from(exported(out, "x"))).toEqual([0, 0, 0, 0]);
  });

  it("a preconditioner is refused with a located error; options are checked", async () => {
    const refused = await runSource(`dim n = 4\nop cubic(u) = u^3 + u\nsolve cubic(x) = ones(n) method broyden precond jacobi -> x`, { file: "p.iter", backend: "cpu" });
    const err = refused.diagnostics.find((d) => d.severity === "error")!;
    expect(err.message).toMatch(/`broyden` takes no preconditioner/);
    expect(err.span.start.line).toBe(3);
    const typo = await runSource(`dim n = 4\nfixpoint x: f32[n] = 0.5 * x + 1 init zeros method broyden(memory: 3)`, { file: "p.iter", backend: "cpu" });
    expect(typo.diagnostics.some((d) => d.severity === "error")).toBe(true);
  });
});

describe("runBroyden: failures and resources", () => {
  it("T(x) = x + c: no step decreases ‖R‖ — line_search_failed at step 1, x₀ returned; without line search, max_iterations", () => {
    const c = tf.tensor1d([0.5, 0, 0]);
    const x0 = tf.ones([3]);
    const before = tf.memory().numTensors;
    const ls = runBroyden(tf, { kind: "fixpoint", map: (x) => tf.add(x, c), x0 }, { m: 5, reduction: "restart", lineSearch: true, stop: { rtol: 1e-6, maxIter: 50 }, name: "x" });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(ls.report).toMatchObject({ reason: "line_search_failed", iterations: 0, converged: false });
    expect(Array.from(ls.value.dataSync())).toEqual([1, 1, 1]);
    const free = runBroyden(tf, { kind: "fixpoint", map: (x) => tf.add(x, c), x0 }, { m: 5, reduction: "restart", lineSearch: false, stop: { rtol: 1e-6, maxIter: 50 }, name: "x" });
    expect(free.report).toMatchObject({ reason: "max_iterations", iterations: 50 });
    // y = R(x₊) − R(x) = 0 makes sᵀHy = 0: every update is skipped, H stays −I, x₅₀ = x₀ + 50·c
    expect(free.report.detail).toMatch(/0 updates stored, 50 skipped/);
    expect(free.value.dataSync()[0]).toBeCloseTo(1 + 25, 4);
    tf.dispose([ls.value, free.value, x0, c]);
  });

  it("a map that throws leaks nothing, whenever it throws; a long run keeps at most 2m + a few tensors", () => {
    const x0 = tf.zeros([6]);
    for (const at of [1, 2, 3, 7]) {
      let calls = 0;
      const before = tf.memory().numTensors;
      expect(() =>
        runBroyden(
          tf,
          {
            kind: "fixpoint",
            map: (x) => {
              if (++calls === at) throw new Error("boom");
              return tf.tanh(tf.add(tf.mul(x, 0.9), 1));
            },
            x0,
          },
          { m: 3, reduction: "simple", lineSearch: true, stop: { rtol: 1e-7, maxIter: 100 }, name: "x" },
        ),
      ).toThrow("boom");
      expect(tf.memory().numTensors).toBe(before);
    }
    const before = tf.memory().numTensors;
    const live: number[] = [];
    const { value } = runBroyden(tf, { kind: "fixpoint", map: (x) => tf.add(tf.add(x, 0.5), tf.mul(tf.sin(x), 0.1)), x0 }, {
      m: 4,
      reduction: "simple",
      lineSearch: false,
      stop: { rtol: 1e-7, maxIter: 200, divergenceFactor: Infinity },
      name: "x",
      onIterate: (k) => {
        if (k > 20) live.push(tf.memory().numTensors - before);
      },
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Math.max(...live)).toBeLessThanOrEqual(2 * 4 + 3);
    tf.dispose([value, x0]);
  });

  it("options are checked", () => {
    const x0 = tf.zeros([2]);
    const go = (o: Partial<BroydenOptions>) => () => runBroyden(tf, { kind: "fixpoint", map: (x) => x, x0 }, { m: 3, reduction: "restart", lineSearch: true, stop: { maxIter: 1 }, name: "x", ...o });
    expect(go({ m: -1 })).toThrow(RangeError);
    expect(go({ m: 1.5 })).toThrow(RangeError);
    expect(go({ alpha: 0 })).toThrow(RangeError);
    expect(go({ alpha: NaN })).toThrow(RangeError);
    x0.dispose();
  });
});
