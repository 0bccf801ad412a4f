// End-to-end: the standard-library examples run on wasm, and what each one's comments claim
// holds, checked where possible against float64 references computed here from the same seeded
// data (the random builtins are iterlang's own generator, reproduced with compiler/ops/random.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { normals, uniforms } from "../../compiler/ops/random.js";
import type { Report } from "../../runtime/report.js";
import { type RunOutput, runSource } from "../../runtime/run.js";

const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));

async function runExample(name: string, sizes: Record<string, number> = {}): Promise<RunOutput> {
  const file = join(EXAMPLES, name);
  const out = await runSource(readFileSync(file, "utf8"), { file, sizes: new Map(Object.entries(sizes)), backend: "wasm" });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  for (const r of out.reports) expect(r.converged, `${r.name}: ${r.reason} ${r.detail ?? ""}`).toBe(true);
  return out;
}

function data(out: RunOutput, name: string): Float32Array {
  const e = out.exports.find((x) => x.name === name);
  if (!e) throw new Error(`no export \`${name}\` (have ${out.exports.map((x) => x.name).join(", ")})`);
  return e.data as Float32Array;
}

function scalar(out: RunOutput, name: string): number {
  const d = data(out, name);
  expect(d.length).toBe(1);
  return d[0];
}

function report(out: RunOutput, name: string): Report {
  const r = out.reports.find((x) => x.name === name);
  if (!r) throw new Error(`no report \`${name}\` (have ${out.reports.map((x) => x.name).join(", ")})`);
  return r;
}

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
const f32 = (v: ArrayLike<number>) => Float64Array.from(v, Math.fround);

describe("anderson.iter", () => {
  it("Anderson reaches the fixed point Picard reaches, in far fewer iterations", async () => {
    const out = await runExample("anderson.iter");
    const picard = report(out, "x_picard");
    const anderson = report(out, "x_anderson");
    expect(picard).toMatchObject({ method: "picard", converged: true });
    expect(anderson).toMatchObject({ method: "anderson", converged: true });
    // measured 281 vs 37
    expect(anderson.iterations).toBeLessThan(picard.iterations / 4);
    expect(scalar(out, "defect_picard")).toBeLessThan(1e-5);
    expect(scalar(out, "defect_anderson")).toBeLessThan(1e-5);
    // both within their a-posteriori error bounds r/(1 − L) of x*: with L ≤ 0.99 and r < 1e-5,
    // each is within 1e-3 of x*, so of each other
    expect(scalar(out, "gap")).toBeLessThan(2e-3);
  });
});

describe("halpern.iter", () => {
  it("Picard stalls, damped crawls, Halpern converges within its O(1/k) guarantee", async () => {
    const p = 32;
    const out = await runExample("halpern.iter");
    const h = report(out, "xh");
    expect(h).toMatchObject({ method: "halpern", converged: true });
    // x* from the same seed: ‖x₀ − x*‖ = ‖x*‖ with x₀ = 0
    const xstar = f32(uniforms(5, 2 * p, -0.3, 0.3));
    const d0 = norm(xstar);
    // Lieder's bound ‖T(x_k) − x_k‖ ≤ 2‖x₀ − x*‖/(k + 1) at every k, up to float32 rounding of
    // the iterate (a few eps·‖x‖ ≈ 1e-6)
    expect(h.historyTruncated).toBeUndefined();
    h.history.forEach((r, k) => expect(r).toBeLessThanOrEqual((2 * d0) / (k + 1) + 1e-5));
    expect(scalar(out, "residual_halpern")).toBeLessThan(2e-3);
    expect(scalar(out, "error_halpern")).toBeLessThan(0.05);
    // Picard: an isometry keeps ‖x_k − x*‖ = ‖x*‖ and the residual at its initial value ‖c‖
    // (rounding aside): no progress in K = 1000 steps
    expect(scalar(out, "error_picard")).toBeCloseTo(d0, 3);
    expect(scalar(out, "residual_picard")).toBeGreaterThan(0.5);
    // damped: progress, but after K steps still well behind Halpern at ITS stopping point
    expect(scalar(out, "residual_damped")).toBeLessThan(scalar(out, "residual_picard"));
    expect(scalar(out, "residual_damped")).toBeGreaterThan(5 * scalar(out, "residual_halpern"));
    expect(h.iterations).toBeLessThan(1000);
    expect(scalar(out, "bound_at_K")).toBeCloseTo((2 * d0) / 1001, 6);
  });
});

describe("rank-centrality.iter", () => {
  // The data set rebuilt in float64 from the same seeds, and the stationary distribution of the
  // same chain by float64 power iteration to 1e-14.
  function reference(n: number, L: number, q: number): { w: Float64Array; pi: Float64Array } {
    const w = f32(uniforms(11, n, 0, 3)).map(Math.exp);
    const met = f32(uniforms(13, n * n, 0, 1));
    const games = f32(uniforms(12, L * n * n, 0, 1));
    const wins = new Float64Array(n * n); // wins[i*n + j] = games i won against j
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        if (!(met[i * n + j] < q)) continue;
        const p = w[i] / (w[i] + w[j]);
        let won = 0;
        for (let l = 0; l < L; l++) if (games[l * n * n + i * n + j] < p) won++;
        wins[i * n + j] = won;
        wins[j * n + i] = L - won;
      }
    const deg = Array.from({ length: n }, (_, i) => {
      let d = 0;
      for (let j = i + 1; j < n; j++) if (met[i * n + j] < q) d++;
      for (let j = 0; j < i; j++) if (met[j * n + i] < q) d++;
      return d;
    });
    const dmax = Math.max(...deg);
    // P[i][j] = (games j won against i) / (L dmax); P[i][i] = 1 − the rest
    const P = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        P[i * n + j] = wins[j * n + i] / (L * dmax);
        s += P[i * n + j];
      }
      P[i * n + i] = 1 - s;
    }
    let pi = new Float64Array(n).fill(1 / n);
    for (let it = 0; it < 100000; it++) {
      const next = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) next[j] += pi[i] * P[i * n + j];
      const s = next.reduce((a, b) => a + b, 0);
      let diff = 0;
      for (let j = 0; j < n; j++) {
        next[j] /= s;
        diff = Math.max(diff, Math.abs(next[j] - pi[j]));
      }
      pi = next;
      if (diff < 1e-14) break;
    }
    return { w, pi };
  }

  function agreement(s: ArrayLike<number>, w: ArrayLike<number>): number {
    const n = w.length;
    let same = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if ((s[i] - s[j]) * (w[i] - w[j]) > 0) same++;
    return same / (n * (n - 1));
  }

  it("recovers the hidden order (and better than the win rate); the scores match a float64 chain", async () => {
    const n = 64;
    const out = await runExample("rank-centrality.iter");
    expect(report(out, "pi")).toMatchObject({ kind: "fixpoint", converged: true });
    const scores = data(out, "scores");
    const truth = data(out, "truth");
    expect(scores.length).toBe(n);
    const { w, pi } = reference(n, 64, 0.25);
    const wsum = w.reduce((a, b) => a + b, 0);
    // the data set is the one the file describes
    for (let i = 0; i < n; i++) expect(Math.abs(truth[i] - w[i] / wsum)).toBeLessThanOrEqual(1e-6 * (w[i] / wsum) + 1e-9);
    // π: float32 power iteration stopped at ‖T(π) − π‖ ≤ 1e-6‖π‖ with rate ≈ 0.89, so its error is
    // ≈ 1e-6/(1 − 0.89) ≈ 1e-5 relative in norm; P itself is rounded to float32 (≈ 1e-7). A single
    // game decided differently (a draw within float32 rounding of p_ij) would move π by
    // ≈ 1/(L·d) ≈ 1e-3: the 1e-4 below would catch it. Measured: 7e-6.
    const dist = norm(Array.from(scores, (s, i) => s - pi[i])) / norm(pi);
    expect(dist).toBeLessThan(1e-4);
    // the claims: π orders the items nearly as w does (measured 0.972), better than the win rate
    // (0.918); both exports are what they say, recomputed here in float64
    const agree = scalar(out, "agreement");
    expect(agree).toBeCloseTo(agreement(scores, w), 6);
    expect(agree).toBeGreaterThanOrEqual(0.95);
    expect(agreement(pi, w)).toBeGreaterThanOrEqual(0.95);
    expect(agree).toBeGreaterThan(scalar(out, "agreement_win_rate") + 0.02);
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});

describe("gram-iteration.iter", () => {
  /** W = normal(n, m, seed: 21) / sqrt(n) in float32 entries, as the file makes it. */
  function matrixW(n: number, m: number): Float64Array {
    const g = f32(normals(21, n * m));
    return g.map((v) => Math.fround(v / Math.fround(Math.sqrt(n))));
  }

  /** σ₁(W) in float64: the largest eigenvalue of WᵀW by cyclic Jacobi rotations. */
  function sigma1(W: Float64Array, n: number, m: number): number {
    const S = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += W[k * m + i] * W[k * m + j];
        S[i * m + j] = s;
      }
    for (let sweep = 0; sweep < 50; sweep++) {
      let off = 0;
      for (let p = 0; p < m; p++)
        for (let q = p + 1; q < m; q++) {
          const apq = S[p * m + q];
          off += apq * apq;
          if (Math.abs(apq) < 1e-300) continue;
          const theta = (S[q * m + q] - S[p * m + p]) / (2 * apq);
          const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          const c = 1 / Math.sqrt(t * t + 1);
          const s = t * c;
          for (let k = 0; k < m; k++) {
            const akp = S[k * m + p];
            const akq = S[k * m + q];
            S[k * m + p] = c * akp - s * akq;
            S[k * m + q] = s * akp + c * akq;
          }
          for (let k = 0; k < m; k++) {
            const apk = S[p * m + k];
            const aqk = S[q * m + k];
            S[p * m + k] = c * apk - s * aqk;
            S[q * m + k] = s * apk + c * aqk;
          }
        }
      if (off < 1e-30) break;
    }
    let top = 0;
    for (let i = 0; i < m; i++) top = Math.max(top, S[i * m + i]);
    return Math.sqrt(top);
  }

  /** The Gram-iteration bound after T steps, in float64 (no rescaling needed at this size). */
  function gramBound64(W: Float64Array, n: number, m: number, T: number): number {
    // G_1 = WᵀW, then G ← GᵀG = G² (G symmetric), normalised to keep it in range
    let G = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += W[k * m + i] * W[k * m + j];
        G[i * m + j] = s;
      }
    let logScale = 0; // G_t = exp(logScale) · G
    for (let t = 2; t <= T; t++) {
      const f = norm(G);
      const H = new Float64Array(m * m);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < m; j++) {
          let s = 0;
          for (let k = 0; k < m; k++) s += G[k * m + i] * G[k * m + j];
          H[i * m + j] = s / (f * f);
        }
      logScale = 2 * (logScale + Math.log(f));
      G = H;
    }
    return Math.exp((logScale + Math.log(norm(G))) / 2 ** T);
  }

  it("the bound is above σ₁ (float64), the power-iteration estimate below it, their ratio ≤ 1.1", async () => {
    const [n, m, T] = [64, 48, 5];
    const out = await runExample("gram-iteration.iter");
    const bound = scalar(out, "bound");
    const estimate = scalar(out, "estimate");
    const W = matrixW(n, m);
    const s1 = sigma1(W, n, m);
    // The bound is computed in float32; its rounding error is divided by 2^T by the final root
    // (≈ 1e-7 relative), far below its overestimate here, so it is strictly above σ₁.
    expect(bound).toBeGreaterThanOrEqual(s1);
    expect(Math.abs(bound - gramBound64(W, n, m, T)) / s1).toBeLessThan(1e-5);
    // the file says the overestimate is below 1.004 after 5 steps
    expect(bound / s1).toBeLessThan(1.004);
    // ‖W v‖ ≤ σ₁ for a unit v, up to float32 rounding of W v (≈ √m·eps)
    expect(estimate).toBeLessThanOrEqual(s1 * (1 + 1e-6));
    expect(estimate).toBeGreaterThan(0.99 * s1);
    expect(bound).toBeGreaterThanOrEqual(estimate);
    expect(scalar(out, "ratio")).toBeGreaterThanOrEqual(1);
    expect(scalar(out, "ratio")).toBeLessThanOrEqual(1.1);
  });
});

describe("poisson-precond.iter", () => {
  const solves = ["u_plain", "u_jacobi", "u_ssor", "u_mg", "u_gmres"];

  it("N = 63: every variant converges to the exact solution; the iteration counts order as the comments say", async () => {
    const out = await runExample("poisson-precond.iter");
    const its = Object.fromEntries(solves.map((s) => [s, report(out, s).iterations]));
    expect(report(out, "u_gmres").method).toBe("gmres");
    // Jacobi on a constant diagonal is a rescaling: CG's iterates are the same up to rounding
    expect(Math.abs(its.u_jacobi - its.u_plain)).toBeLessThanOrEqual(1);
    expect(its.u_ssor).toBeLessThan(0.7 * its.u_plain);
    expect(its.u_mg).toBeLessThanOrEqual(6);
    expect(its.u_gmres).toBeLessThanOrEqual(6);
    // rtol 1e-3 on the residual; the discretisation is exact, so the error is the solve's alone
    for (const e of ["error_plain", "error_jacobi", "error_ssor", "error_mg", "error_gmres"]) expect(scalar(out, e)).toBeLessThan(1e-4);
  });

  it("N = 127: plain CG needs about twice the iterations, multigrid-preconditioned ones do not", async () => {
    const small = await runExample("poisson-precond.iter", { N: 63 });
    const large = await runExample("poisson-precond.iter", { N: 127 });
    const its = (out: RunOutput, s: string) => report(out, s).iterations;
    expect(its(large, "u_plain")).toBeGreaterThan(1.6 * its(small, "u_plain"));
    expect(its(large, "u_mg")).toBeLessThanOrEqual(its(small, "u_mg") + 2);
    expect(its(large, "u_gmres")).toBeLessThanOrEqual(its(small, "u_gmres") + 2);
  });
});
