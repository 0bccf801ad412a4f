// Anderson acceleration for `fixpoint x = T(x) method anderson(m, damping, ridge, restart)`.
//
// Why a TypeScript driver and not stdlib/fixed-point.iter: Anderson keeps a ring buffer of the m
// latest differences of iterates and residuals and solves a small least-squares problem over
// them every step. The language has neither ring buffers (no indexed update of one column of a
// tensor, no variable-length state) nor a least-squares/eigen builtin, so it cannot say it.
//
// The iteration (type II, Walker–Ni form). With f(x) = T(x) − x, f_k = f(x_k), and the history
// columns ΔF_j = f_{j+1} − f_j, ΔX_j = x_{j+1} − x_j of the last (at most) m accepted steps:
//   γ = argmin ‖f_k − ΔF γ‖² + ridge · ‖D^{1/2} γ‖²          (D = diag(‖ΔF_j‖²))
//   x_{k+1} = x_k + β f_k − (ΔX + β ΔF) γ                       (β = damping)
// Without history this is the damped step x + β f (Picard when β = 1).
//
// Robustness, in order:
// * The least squares is solved through its m×m normal equations in float64 ON THE HOST, after
//   scaling the columns to unit norm (Ĝ = D^{-1/2} ΔFᵀΔF D^{-1/2}, unit diagonal), so the ridge
//   is relative to the problem's scale; Ĝ is diagonalised by cyclic Jacobi (see the cost below)
//   and γ̂ = Σ v_i (v_iᵀ ĥ) / (μ_i + ridge) with μ_i clipped at 0. With
//   ridge = 0 this is the pseudo-inverse (eigenvalues below 1e-12 μ_max dropped). A singular
//   system never throws.
// * Restart: when the condition number μ_max/μ_min of Ĝ (that of the scaled ΔF, squared)
//   exceeds `restart`, every column but the newest is dropped. A ΔF column that is zero or not
//   finite (T(x) = x + c, a stalled iterate) is never stored.
// * Safeguard: an accelerated candidate whose residual ‖f(x_c)‖ is NOT strictly below ‖f_k‖
//   (or not finite) is rejected; the history is cleared and the plain damped step x_k + β f_k is
//   taken instead (a "fallback"; it costs one more map evaluation). Plain steps are always
//   accepted. A candidate whose map evaluation gives NaN/±Inf is rejected the same way, so an
//   extrapolation that leaves T's domain costs a fallback, not the run. Tests check the
//   invariant through `onIterate`'s step kinds: every accepted accelerated iterate has a residual
//   strictly below its predecessor's, and a fallback iterate is exactly the plain step.
//
// Cost per iteration: one map evaluation (two after a fallback); about 4m + 10 small kernels
// (2m + 4 inner products, m scaled subtractions for the candidate, the differences ΔF, ΔX + βΔF);
// and ONE read-back of at most 2m + 4 float32 scalars (‖f‖², ‖x‖², the new column's inner
// products with itself, with f and with the stored columns, and the stored columns' with f),
// after which the host does O(m³) float64 work (a few thousand flops for m = 5, ~10⁵ for m = 20).
// Memory: 2m + 3 vectors (ΔF and ΔX + βΔF per column; x, T(x), f). So for vectors of more than a
// few thousand entries the device work dominates, as for Picard; the read-back is one sync per
// iteration, as in runFixpoint.
//
// Residual semantics are runFixpoint's (runtime/drivers/fixpoint.ts): residual r_k =
// ‖T(x_k) − x_k‖₂ of the iterate x_k that is returned; relResidual = r_k / ‖x_k‖; history[k] = r_k
// for every ACCEPTED iterate (a rejected candidate is not an iterate). `detail` always says how
// often the history was restarted and the safeguard fell back, and how many map evaluations
// were made.
import { defaultNumber } from "../../compiler/methods.js";
import { type Report } from "../report.js";
import { errorBound } from "./bounds.js";
import {
  ConvergenceMonitor,
  FLOAT32_TINY,
  conform,
  describeNonFinite,
  flatDot,
  fmt,
  secondsSince,
  tensorIdMark,
  type Decision,
  type DriverResult,
  type StoppingRule,
  type Tensor,
  type Tf,
} from "./stopping.js";
import { floatName, isFloatDType } from "./tensor-api.js";

/** How an accepted iterate was produced. */
export type AndersonStepKind =
  /** x₀ */
  | "initial"
  /** x + β f with no history (the first step, or after a restart dropped everything) */
  | "plain"
  /** the extrapolated Anderson step, accepted by the safeguard */
  | "accelerated"
  /** x + β f taken because the accelerated candidate did not decrease the residual */
  | "fallback";

export interface AndersonOptions<T extends Tensor = Tensor> {
  /** Memory: how many past differences to combine (integer ≥ 0; 0 is damped iteration). Default 5. */
  m?: number;
  /** β in x + β f − (ΔX + βΔF)γ, in (0, 1]. Default 1. */
  damping?: number;
  /** Tikhonov regularisation relative to the column-scaled Gram matrix (≥ 0). Default 1e-6. */
  ridge?: number;
  /** Restart when the scaled Gram matrix's condition number exceeds this (≥ 1). Default 1e6. */
  restart?: number;
  stop: StoppingRule;
  /** Source name of the construct, for the report. */
  name: string;
  /** A declared Lipschitz constant L < 1 of T: the report then carries ‖x − x*‖ ≤ r / (1 − L). */
  lipschitz?: number;
  /** Called with each accepted iterate (k = 0 is x0) before its test; must not dispose it. */
  onIterate?: (k: number, x: T, kind: AndersonStepKind) => void;
}

/** Options left out take the registry's defaults (compiler/methods.ts), as the language does. */
const fallback = (option: string): number => defaultNumber("fixpoint", "anderson", option);

/** One history column: ΔF_j and ΔG_j = ΔX_j + β ΔF_j (what the candidate subtracts). */
type Column<T> = {
  dF: T;
  dG: T;
};

/** A map evaluation at a candidate, with the inner products the host needs. */
interface Evaluation<T> {
  x: T;
  /** T(x), owned by the driver */
  g: T;
  /** T(x) − x */
  f: T;
  /** the difference column to the previous accepted iterate, when one was asked for */
  col?: Column<T>;
  ff: number;
  xx: number;
  /** ⟨ΔF_new, ΔF_new⟩ */
  nn: number;
  /** ⟨ΔF_new, ΔF_j⟩ for the stored columns j */
  nj: number[];
  /** ⟨ΔF_new, f⟩ */
  nf: number;
  /** ⟨ΔF_j, f⟩ for the stored columns j */
  jf: number[];
}

export function runAnderson<T extends Tensor>(tf: Tf<NoInfer<T>>, map: (x: T) => T, x0: T, opts: AndersonOptions<T>): DriverResult<T> {
  const t0 = performance.now();
  const m = opts.m ?? fallback("m");
  const beta = opts.damping ?? fallback("damping");
  const ridge = opts.ridge ?? fallback("ridge");
  const restartCond = opts.restart ?? fallback("restart");
  if (!Number.isInteger(m) || m < 0) throw new RangeError(`m must be an integer ≥ 0, got ${m}`);
  if (!(beta > 0 && beta <= 1)) throw new RangeError(`damping must be in (0, 1], got ${beta}`);
  if (!(ridge >= 0) || !Number.isFinite(ridge)) throw new RangeError(`ridge must be ≥ 0, got ${ridge}`);
  if (!(restartCond >= 1)) throw new RangeError(`restart must be ≥ 1, got ${restartCond}`);
  const monitor = new ConvergenceMonitor(opts.stop);

  const mark = tensorIdMark(tf);
  let x: T = isFloatDType(x0.dtype) ? x0 : tf.cast(x0, "float32");
  let owned = x !== x0;
  let g: T | undefined;
  let f: T | undefined;
  let cols: Column<T>[] = [];
  /** Gram matrix ⟨ΔF_i, ΔF_j⟩ of the stored columns, and h_j = ⟨ΔF_j, f_k⟩, in float64. */
  let G: number[][] = [];
  let h: number[] = [];
  let pending: T | undefined; // the candidate being evaluated
  let evaluations = 0;
  let restarts = 0;
  let fallbacks = 0;
  let accelerated = 0;
  let decision: Extract<Decision, { stop: true }> | undefined;
  let detail: string | undefined;
  let xnorm = NaN;
  const betaT = tf.scalar(beta);

  const disposeColumn = (c: Column<T> | undefined) => {
    if (c) tf.dispose([c.dF, c.dG]);
  };
  const clearHistory = () => {
    for (const c of cols) disposeColumn(c);
    cols = [];
    G = [];
    h = [];
  };

  /** Evaluates T at `xc`; with `prev`, also the new history column and its inner products. */
  const evaluate = (xc: T, prev: { x: T; f: T } | undefined): Evaluation<T> => {
    evaluations++;
    const stored = cols;
    const out = tf.tidy(() => {
      const y = conform(tf, "the fixpoint map", map(xc), xc);
      const fc = tf.sub(y, xc);
      // keep T(x) only if it is ours to dispose (not the argument or a captured constant)
      const gc = y === xc || y.id <= mark ? tf.clone(y) : y;
      const scalars = [flatDot(tf, fc, fc), flatDot(tf, xc, xc)];
      let col: Column<T> | undefined;
      if (prev) {
        const dF = tf.sub(fc, prev.f);
        const dG = tf.add(tf.sub(xc, prev.x), tf.mul(betaT, dF));
        col = { dF, dG };
        scalars.push(flatDot(tf, dF, dF), flatDot(tf, dF, fc));
        for (const c of stored) scalars.push(flatDot(tf, dF, c.dF));
      }
      for (const c of stored) scalars.push(flatDot(tf, c.dF, fc));
      return { g: gc, f: fc, col, stats: tf.stack(scalars) };
    });
    const s = out.stats.dataSync();
    out.stats.dispose();
    const p = stored.length;
    const ev: Evaluation<T> = { x: xc, g: out.g, f: out.f, ff: s[0], xx: s[1], nn: NaN, nj: [], nf: NaN, jf: [] };
    if (out.col) {
      ev.col = out.col;
      ev.nn = s[2];
      ev.nf = s[3];
      ev.nj = Array.from(s.subarray(4, 4 + p));
      ev.jf = Array.from(s.subarray(4 + p, 4 + 2 * p));
    } else {
      ev.jf = Array.from(s.subarray(2, 2 + p));
    }
    return ev;
  };
  const disposeEvaluation = (ev: Evaluation<T> | undefined, withX: boolean) => {
    if (!ev) return;
    tf.dispose([ev.g, ev.f]);
    disposeColumn(ev.col);
    if (withX && ev.x !== x) ev.x.dispose();
  };

  /** The plain damped step x + β f (T(x) itself when β = 1), a fresh tensor. */
  const plainCandidate = (): T => (beta === 1 ? tf.clone(g!) : tf.tidy(() => tf.add(x, tf.mul(betaT, f!))));

  /** Stores the accepted evaluation's column (if usable) and updates G and h on the host. */
  const updateHistory = (ev: Evaluation<T>) => {
    const col = ev.col;
    ev.col = undefined;
    h = ev.jf;
    const usable = col !== undefined && m > 0 && ev.nn > 0 && Number.isFinite(ev.nn) && Number.isFinite(ev.nf) && ev.nj.every(Number.isFinite);
    if (usable) {
      for (let i = 0; i < cols.length; i++) G[i].push(ev.nj[i]);
      G.push([...ev.nj, ev.nn]);
      cols.push(col);
      h.push(ev.nf);
      if (cols.length > m) {
        disposeColumn(cols.shift());
        G.shift();
        for (const row of G) row.shift();
        h.shift();
      }
    } else disposeColumn(col);
    if (!h.every(Number.isFinite)) {
      restarts++;
      clearHistory();
    }
  };

  /** The next candidate: accelerated when there is history, else plain. */
  const planCandidate = (): { xc: T; kind: "plain" | "accelerated" } => {
    if (cols.length === 0) return { xc: plainCandidate(), kind: "plain" };
    let sol = solveScaled(G, h, ridge);
    if (sol.cond > restartCond && cols.length > 1) {
      restarts++;
      const last = cols.length - 1;
      for (let i = 0; i < last; i++) disposeColumn(cols[i]);
      cols = [cols[last]];
      G = [[G[last][last]]];
      h = [h[last]];
      sol = solveScaled(G, h, ridge);
    }
    const gamma = sol.gamma;
    if (!gamma.every(Number.isFinite)) {
      restarts++;
      clearHistory();
      return { xc: plainCandidate(), kind: "plain" };
    }
    const xc = tf.tidy(() => {
      let acc = beta === 1 ? g! : tf.add(x, tf.mul(betaT, f!));
      for (let j = 0; j < cols.length; j++) acc = tf.sub(acc, tf.mul(tf.scalar(gamma[j]), cols[j].dG));
      return acc === g ? tf.clone(acc) : acc;
    });
    return { xc, kind: "accelerated" };
  };

  let current: Evaluation<T> | undefined;
  let next: Evaluation<T> | undefined;
  try {
    // x₀
    current = evaluate(x, undefined);
    g = current.g;
    f = current.f;
    opts.onIterate?.(0, x, "initial");
    if (!Number.isFinite(current.xx)) {
      monitor.observe(NaN, 0);
      decision = { stop: true, iteration: 0, reason: "diverged_nan", converged: false };
      detail = `NaN or ±Inf in the initial iterate (${describeNonFinite(x)})`;
    } else {
      xnorm = Math.sqrt(current.xx);
      let fnorm = Math.sqrt(current.ff);
      const d0 = monitor.observe(fnorm, Math.max(xnorm, FLOAT32_TINY));
      if (d0.stop) {
        decision = d0;
        if (d0.reason === "diverged_nan") detail = nanInMapDetail(1, current.g);
      }
      while (!decision) {
        const k = monitor.iteration + 1;
        const plan = planCandidate();
        pending = plan.xc;
        let kind: AndersonStepKind = plan.kind;
        next = evaluate(pending, { x, f });
        if (kind === "accelerated") {
          const r = Math.sqrt(next.ff);
          if (!(r < fnorm) || !Number.isFinite(next.xx)) {
            // the safeguard: reject, forget the history that proposed it, take the plain step
            fallbacks++;
            disposeEvaluation(next, true);
            next = undefined;
            pending = undefined;
            clearHistory();
            pending = plainCandidate();
            kind = "fallback";
            next = evaluate(pending, { x, f });
          } else accelerated++;
        }
        if (!Number.isFinite(next.xx)) {
          // the plain step itself overflowed: keep x_k
          decision = { stop: true, iteration: monitor.iteration, reason: "diverged_nan", converged: false };
          detail = `NaN or ±Inf in the iterate at iteration ${k} (${describeNonFinite(pending)})`;
          disposeEvaluation(next, true);
          next = undefined;
          pending = undefined;
          break;
        }
        // accept x_{k} := the candidate
        if (owned) x.dispose();
        disposeEvaluation(current, false);
        current = next;
        next = undefined;
        x = pending;
        pending = undefined;
        owned = true;
        g = current.g;
        f = current.f;
        opts.onIterate?.(k, x, kind);
        xnorm = Math.sqrt(current.xx);
        fnorm = Math.sqrt(current.ff);
        const d = monitor.observe(fnorm, Math.max(xnorm, FLOAT32_TINY));
        if (d.stop) {
          decision = d;
          if (d.reason === "diverged_nan") detail = nanInMapDetail(k + 1, current.g);
          else if (d.reason === "diverged_growth") {
            detail = `‖T(x) − x‖ = ${fmt(fnorm)} at iteration ${k} exceeds ${fmt(monitor.rule.divergenceFactor)} × the initial ${fmt(monitor.initialResidual)}`;
          }
          break;
        }
        updateHistory(current);
      }
    }
  } catch (e) {
    disposeEvaluation(next, false);
    pending?.dispose();
    disposeEvaluation(current, false);
    clearHistory();
    if (owned) x.dispose();
    betaT.dispose();
    throw e;
  }
  disposeEvaluation(current, false);
  clearHistory();
  betaT.dispose();

  const value = owned ? x : tf.clone(x);
  const history = monitor.history;
  const residual = history.last;
  const counts =
    `anderson(m: ${m}): ${accelerated} accelerated steps, ` +
    `${restarts} ${restarts === 1 ? "restart" : "restarts"} of the history (condition estimate above ${fmt(restartCond)} or a degenerate system), ` +
    `${fallbacks} ${fallbacks === 1 ? "fallback" : "fallbacks"} to the plain step (the accelerated step did not decrease ‖T(x) − x‖), ` +
    `${evaluations} map evaluations`;
  const report: Report = {
    name: opts.name,
    kind: "fixpoint",
    method: "anderson",
    iterations: monitor.iteration,
    residual,
    relResidual: residual === 0 ? 0 : residual / Math.max(xnorm, FLOAT32_TINY),
    reason: decision!.reason,
    converged: decision!.converged,
    history: history.toArray(),
    seconds: secondsSince(t0),
    detail: detail === undefined ? counts : `${detail}; ${counts}`,
  };
  if (history.truncated) report.historyTruncated = true;
  if (Number.isFinite(monitor.tolerance)) report.tolerance = monitor.tolerance;
  // r / (1 − L) bounds ‖x − x*‖ whatever method produced x; no estimated L (Anderson's residual
  // ratios do not estimate T's Lipschitz constant)
  const bound = errorBound(report, { ...(opts.lipschitz !== undefined ? { lipschitz: opts.lipschitz } : {}), estimate: false });
  if (bound) report.errorBound = bound;
  return { value, report };
}

function nanInMapDetail(iteration: number, tx: Tensor): string {
  const where = describeNonFinite(tx);
  return where === "no NaN or ±Inf entries"
    ? `‖T(x) − x‖ overflowed ${floatName(tx.dtype)} at iteration ${iteration}`
    : `NaN or ±Inf in T(x) at iteration ${iteration} (${where})`;
}

// ---------------------------------------------------------------------------------------------
// The host-side least squares (float64, m ≤ ~20).

export interface ScaledSolution {
  gamma: number[];
  /** μ_max / μ_min of the column-scaled Gram matrix (Infinity when singular). */
  cond: number;
}

/**
 * Minimises ‖f − ΔF γ‖² + ridge ‖D^{1/2} γ‖² given G = ΔFᵀΔF and h = ΔFᵀf, D = diag(G): with
 * Ĝ = D^{-1/2} G D^{-1/2} (unit diagonal) = V diag(μ) Vᵀ, γ = D^{-1/2} V diag(1/(μ + ridge)) Vᵀ
 * D^{-1/2} h, μ clipped at 0; with ridge = 0, the pseudo-inverse (μ ≤ 1e-12 μ_max dropped).
 * Never throws: a zero or non-finite diagonal gives non-finite γ, which the caller checks.
 */
export function solveScaled(G: readonly (readonly number[])[], h: readonly number[], ridge: number): ScaledSolution {
  const p = h.length;
  const d = G.map((row, i) => Math.sqrt(row[i]));
  const S = G.map((row, i) => row.map((v, j) => (i === j ? 1 : v / (d[i] * d[j]))));
  const hs = h.map((v, i) => v / d[i]);
  const { values, vectors } = symmetricEigen(S);
  const mu = values.map((v) => Math.max(v, 0));
  const muMax = Math.max(...mu);
  const muMin = Math.min(...mu);
  const cond = muMin > 0 ? muMax / muMin : Infinity;
  const gs = new Array<number>(p).fill(0);
  for (let i = 0; i < p; i++) {
    const denom = mu[i] + ridge;
    if (ridge === 0 && !(mu[i] > 1e-12 * muMax)) continue;
    let c = 0;
    for (let j = 0; j < p; j++) c += vectors[j][i] * hs[j];
    c /= denom;
    for (let j = 0; j < p; j++) gs[j] += c * vectors[j][i];
  }
  return { gamma: gs.map((v, i) => v / d[i]), cond };
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
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]), vectors: v };
}
