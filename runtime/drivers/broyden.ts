// Broyden's method ("good" Broyden, limited memory) for `fixpoint x = T(x) method broyden(...)`
// and `solve F(u) = b method broyden(...)`: a quasi-Newton method that needs only values of the
// function, as torchdeq's `broyden` solver and SciPy's `scipy.optimize.broyden1` have it.
//
// Why a TypeScript driver: it keeps up to m pairs of vectors (a low-rank inverse Jacobian) and
// updates one pair per step; the language has no indexed update of one column of a tensor, and
// a failed line search is a reason of its own.
//
// The residual function R and its root: R(x) = T(x) − x for a fixpoint, R(u) = b − F(u) for a
// solve (so that for a positive operator, as for a contraction, R's Jacobian is "negative" and
// the same initial guess fits both). H ≈ R′(x)⁻¹ is kept as
//   H = −α I + Σ_i u_i v_iᵀ            (at most m pairs)
// with H₀ = −α I: the first step is x + α R(x) — Picard's T(x) for a fixpoint with α = 1,
// Richardson's step for a solve. The good Broyden update of the Jacobian, inverted by
// Sherman–Morrison (Kelley, "Iterative Methods for Linear and Nonlinear Equations", SIAM 1995,
// §7.3; torchdeq's update), after a step s = x₊ − x with y = R(x₊) − R(x):
//   H₊ = H + (s − H y) sᵀH / (sᵀ H y),   i.e. u = (s − H y)/(sᵀ H y), v = Hᵀ s.
// An update whose denominator |sᵀHy| is below 1e-10·‖s‖·‖Hy‖ (or not finite) is skipped
// (counted). When m pairs are stored, `reduction: restart` (SciPy's default, Kelley's brsola)
// forgets them all before storing the new one; `reduction: simple` forgets the oldest (SciPy's
// "simple", torchdeq's ring buffer).
//
// Line search (`line_search: true`, the default; SciPy's broyden1 searches by default too):
// the step x + t d, d = −H R(x), is accepted when ‖R(x + t d)‖ ≤ (1 − 1e-4·t)‖R(x)‖ (the
// derivative-free sufficient decrease of Kelley's brsola); otherwise t is halved, at most 20
// times. When no t is accepted and pairs are stored, they are forgotten and the plain direction
// α R(x) is searched instead (a "restart after a failed search", counted); when that fails too,
// the run stops with `line_search_failed`, the step not taken, the last accepted iterate
// returned. With `line_search: false` every step is taken at t = 1 (torchdeq's default), except
// that a trial with NaN or ±Inf is halved as above.
//
// Stopping and residuals: a fixpoint's residual is ‖T(x) − x‖ of the returned x, relative to ‖x‖
// (as picard's and anderson's); a solve's is ‖b − F(u)‖, relative to ‖b − F(u₀)‖ (as
// newton_krylov's, PETSc's SNES rtol). The history has one entry per accepted step. `detail`
// says the steps, the updates stored and skipped, the memory resets, the backtracks and the
// function evaluations (also `counts.operator`).
//
// Cost per step: one function evaluation per line-search trial (one when t = 1 is accepted),
// about 4p + 8 vector operations for p stored pairs, and two read-backs (the trial's norms; the
// update's denominator and norms). Memory: 2m + 4 vectors.
import type { Reason, Report } from "../report.js";
import { errorBound } from "./bounds.js";
import { ConvergenceMonitor, FLOAT32_TINY, conform, describeNonFinite, flatDot, fmt, secondsSince, type DriverResult, type StoppingRule, type Tensor, type Tf } from "./stopping.js";

export interface BroydenOptions<T extends Tensor = Tensor> {
  /** The most (u, v) pairs kept (integer ≥ 0; 0 is the iteration x ← x + α R(x) with a line search). */
  m: number;
  /** H₀ = −α I. Undefined: 1 for a fixpoint; SciPy's 0.5·max(‖x₀‖, 1)/‖R(x₀)‖ for a solve. */
  alpha?: number;
  /** What to forget when the memory is full. */
  reduction: "restart" | "simple";
  lineSearch: boolean;
  stop: StoppingRule;
  name: string;
  /** A declared Lipschitz constant L < 1 of T (fixpoints): the report bounds ‖x − x*‖ ≤ r/(1 − L). */
  lipschitz?: number;
  /** Each accepted iterate (k = 0 is x₀) with the step length that produced it; must not dispose it. */
  onIterate?: (k: number, x: T, t: number) => void;
}

/** The problem: a fixpoint's map, or a solve's operator and right-hand side. */
export type BroydenProblem<T extends Tensor = Tensor> = { kind: "fixpoint"; map: (x: T) => T; x0: T } | { kind: "solve"; F: (x: T) => T; b: T; x0?: T };

const SUFFICIENT = 1e-4;
const MAX_HALVINGS = 20;
const SKIP = 1e-10;

export function runBroyden<T extends Tensor>(tf: Tf<NoInfer<T>>, problem: BroydenProblem<T>, o: BroydenOptions<T>): DriverResult<T> {
  const t0 = performance.now();
  if (!Number.isInteger(o.m) || o.m < 0) throw new RangeError(`m must be an integer ≥ 0, got ${o.m}`);
  if (o.alpha !== undefined && !(o.alpha > 0 && Number.isFinite(o.alpha))) throw new RangeError(`alpha must be > 0, got ${o.alpha}`);
  const fixpoint = problem.kind === "fixpoint";
  const monitor = new ConvergenceMonitor(o.stop);
  const R = (x: T): T =>
    tf.tidy(() => (problem.kind === "fixpoint" ? tf.sub(conform(tf, "the fixpoint map", problem.map(x), x), x) : tf.sub(problem.b, conform(tf, "the operator", problem.F(x), problem.b))));
  /** R at x with ‖R‖ and ‖x‖ in one read-back. */
  const evaluate = (x: T) => {
    evaluations++;
    const r = R(x);
    const s = tf.tidy(() => tf.stack([flatDot(tf, r, r), flatDot(tf, x, x)]));
    const [rr, xx] = s.dataSync();
    s.dispose();
    return { r, rn: Math.sqrt(rr), xn: Math.sqrt(xx) };
  };

  let evaluations = 0;
  const stats = { updates: 0, skipped: 0, resets: 0, searchRestarts: 0, backtracks: 0 };
  const us: T[] = [];
  const vs: T[] = [];
  const forget = (all: boolean) => {
    const k = all ? us.length : 1;
    tf.dispose([...us.splice(0, k), ...vs.splice(0, k)]);
  };

  const start = problem.x0 ?? (problem.kind === "solve" ? problem.b : undefined)!;
  let x: T = !problem.x0 ? tf.zerosLike(start) : start.dtype === "float32" ? tf.clone(start) : tf.cast(start, "float32");
  let cur: { r: T; rn: number; xn: number };
  try {
    cur = evaluate(x);
  } catch (e) {
    x.dispose();
    throw e;
  }
  const ref0 = cur.rn;
  const ref = (xn: number) => (fixpoint ? Math.max(xn, FLOAT32_TINY) : ref0);
  const alpha = o.alpha ?? (fixpoint ? 1 : cur.rn > 0 && Number.isFinite(cur.rn) ? (0.5 * Math.max(cur.xn, 1)) / cur.rn : 1);
  let reason: Reason | undefined;
  let detail: string | undefined;

  /** H v = −α v + Σ u_i (v_iᵀ v). */
  const H = (v: T) => tf.tidy(() => us.reduce((acc, u, i) => tf.add(acc, tf.mul(flatDot(tf, vs[i], v), u)), tf.mul(-alpha, v)));
  /** Hᵀ v = −α v + Σ v_i (u_iᵀ v). */
  const Ht = (v: T) => tf.tidy(() => us.reduce((acc, u, i) => tf.add(acc, tf.mul(flatDot(tf, u, v), vs[i])), tf.mul(-alpha, v)));

  /** The good Broyden update from s = x₊ − x, y = R(x₊) − R(x) (x, R(x) the current iterate's). */
  const update = (xNew: T, rNew: T) => {
    const upd = tf.tidy(() => {
      const s = tf.sub(xNew, x);
      const y = tf.sub(rNew, cur.r);
      const Hy = H(y);
      const v = Ht(s);
      const w = tf.sub(s, Hy);
      return { v, w, stats: tf.stack([flatDot(tf, v, y), flatDot(tf, s, s), flatDot(tf, Hy, Hy)]) };
    });
    const [den, ss, hh] = upd.stats.dataSync();
    upd.stats.dispose();
    const usable = o.m > 0 && Number.isFinite(den) && Number.isFinite(ss) && Number.isFinite(hh) && Math.abs(den) > SKIP * Math.sqrt(ss * hh) && den !== 0;
    if (usable) {
      if (us.length >= o.m) {
        forget(o.reduction === "restart");
        stats.resets++;
      }
      us.push(tf.tidy(() => tf.div(upd.w, den)));
      vs.push(upd.v);
      upd.w.dispose();
      stats.updates++;
    } else {
      if (o.m > 0) stats.skipped++;
      tf.dispose([upd.v, upd.w]);
    }
  };

  try {
    o.onIterate?.(0, x, 0);
    const d0 = monitor.observe(cur.rn, ref(cur.xn));
    if (d0.stop) {
      reason = d0.reason;
      if (d0.reason === "diverged_nan") detail = `NaN or ±Inf in ${fixpoint ? "T(x) − x" : "b − F(u)"} at the initial iterate (${describeNonFinite(cur.r)})`;
    }
    while (!reason) {
      const k = monitor.iteration + 1;
      let found: { x: T; r: T; rn: number; xn: number; t: number } | undefined;
      /** The first trials along the plain direction, for the detail of a failure. */
      const tried: string[] = [];
      for (;;) {
        const d = tf.tidy(() => tf.mul(H(cur.r), -1));
        let t = 1;
        for (let halving = 0; halving <= MAX_HALVINGS; halving++) {
          const xt = tf.tidy(() => tf.add(x, tf.mul(t, d)));
          let ev: { r: T; rn: number; xn: number };
          try {
            ev = evaluate(xt);
          } catch (e) {
            tf.dispose([xt, d]);
            throw e;
          }
          const finite = Number.isFinite(ev.rn) && Number.isFinite(ev.xn);
          if (finite && (!o.lineSearch || ev.rn <= (1 - SUFFICIENT * t) * cur.rn)) {
            found = { x: xt, ...ev, t };
            break;
          }
          tf.dispose([xt, ev.r]);
          stats.backtracks++;
          if (tried.length < 3) tried.push(`t = ${fmt(t)} (‖R‖ = ${fmt(ev.rn)})`);
          t *= 0.5;
        }
        d.dispose();
        if (found || us.length === 0) break;
        // the quasi-Newton direction failed: forget the pairs, search the plain direction
        forget(true);
        tried.length = 0;
        stats.searchRestarts++;
      }
      if (!found) {
        // the step is not taken; the history and the iterations are those of the steps taken
        reason = "line_search_failed";
        const what = o.lineSearch ? `decreases ‖R‖ by the factor (1 − ${SUFFICIENT}·t)` : "gives a finite R";
        detail = `no step along the plain direction α·R(x) at step ${k} ${what}: tried ${tried.join(", ")}, … (${MAX_HALVINGS + 1} step lengths, halving), from ‖R(x)‖ = ${fmt(cur.rn)}; the step is not taken, the last accepted iterate is returned`;
        break;
      }
      update(found.x, found.r);
      const next = found;
      tf.dispose([x, cur.r]);
      x = next.x;
      cur = { r: next.r, rn: next.rn, xn: next.xn };
      o.onIterate?.(k, x, next.t);
      const dec = monitor.observe(cur.rn, ref(cur.xn));
      if (dec.stop) {
        reason = dec.reason;
        if (dec.reason === "diverged_growth") detail = `‖R‖ = ${fmt(cur.rn)} at step ${k} exceeds ${fmt(monitor.rule.divergenceFactor)} × the initial ${fmt(monitor.initialResidual)}`;
      }
    }
  } catch (e) {
    tf.dispose([x, cur.r]);
    forget(true);
    throw e;
  }
  tf.dispose(cur.r);
  forget(true);

  const summary =
    `broyden(m: ${o.m}, ${o.reduction}${o.lineSearch ? "" : ", no line search"}): ${monitor.iteration} steps, ` +
    `${stats.updates} updates stored, ${stats.skipped} skipped (|sᵀHy| too small), ${stats.resets} memory ${stats.resets === 1 ? "reset" : "resets"} (${o.reduction === "restart" ? "all pairs forgotten" : "the oldest pair forgotten"}), ` +
    `${stats.searchRestarts} ${stats.searchRestarts === 1 ? "restart" : "restarts"} after a failed line search, ${stats.backtracks} ${stats.backtracks === 1 ? "backtrack" : "backtracks"}, ` +
    `${evaluations} function evaluations, α = ${fmt(alpha)}`;
  const history = monitor.history;
  const residual = history.last;
  const relative = residual === 0 ? 0 : fixpoint ? residual / Math.max(cur.xn, FLOAT32_TINY) : ref0 === 0 ? NaN : residual / ref0;
  const report: Report = {
    name: o.name,
    kind: fixpoint ? "fixpoint" : "solve",
    method: "broyden",
    iterations: Math.max(0, monitor.iteration),
    residual,
    relResidual: relative,
    reason: reason!,
    converged: reason === "converged_atol" || reason === "converged_rtol",
    history: history.toArray(),
    seconds: secondsSince(t0),
    detail: detail ? `${detail}; ${summary}` : summary,
  };
  if (history.truncated) report.historyTruncated = true;
  if (Number.isFinite(monitor.tolerance)) report.tolerance = monitor.tolerance;
  if (fixpoint) {
    const bound = errorBound(report, { ...(o.lipschitz !== undefined ? { lipschitz: o.lipschitz } : {}), estimate: false });
    if (bound) report.errorBound = bound;
  }
  return { value: x, report };
}
