// A TypeScript reference driver, kept as a test oracle for the methods written in iterlang
// (stdlib/fixed-point.iter through runtime/drivers/method.ts): x ← T(x) (Picard) or x ← (1 − α)x + αT(x) (damped / Krasnosel'skii–Mann)
// until ‖T(x) − x‖ is small, with a report. The map is a callback (the executor evaluates the
// region); this file knows nothing of the IR.
//
// Residual and reference (what the report's residual and relResidual mean for a fixpoint):
//   residual r_k = ‖T(x_k) − x_k‖₂ (absolute, flat 2-norm), for the iterate x_k that is RETURNED:
//     the map is evaluated at x_k, and if x_k passes the test, x_k (not T(x_k)) is the value, so
//     the report's residual is exactly the returned value's. Consequently a run of k iterations
//     evaluates the map k + 1 times.
//   relResidual = r_k / max(‖x_k‖₂, FLOAT32_TINY), and the rtol test is r_k ≤ rtol·‖x_k‖₂. A
//     fixed point at (or near) 0 cannot meet rtol: give atol there.
//   history[k] = r_k, k = 0 … iterations (length iterations + 1 unless truncated).
//
// Per iteration: one map evaluation, d = T(x) − x, the next iterate, and three squared norms
// (‖d‖², ‖x‖², ‖x_next‖²) read back in ONE dataSync; all inside one tf.tidy, keeping only the next
// iterate. ‖x_next‖² is how a NaN/Inf in the iterate itself is caught (before it is ever used);
// a non-finite ‖d‖² with a finite ‖x‖² is a NaN/Inf produced by the map.
import { type Report } from "../../runtime/report.js";
import { errorBound } from "../../runtime/drivers/bounds.js";
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
} from "../../runtime/drivers/stopping.js";
import type { Tensor, Tf } from "../../runtime/tfjs/kernels/common.js";

export interface FixpointOptions {
  method: "picard" | "damped";
  /** α in x ← (1 − α)x + αT(x), 0 < α ≤ 1; default 0.5. Only for `damped`. */
  damping?: number;
  stop: StoppingRule;
  /** Source name of the construct, for the report. */
  name: string;
  /**
   * A declared Lipschitz constant L < 1 of T: the report then carries the a-posteriori bound
   * ‖x − x*‖ ≤ r / (1 − L). Without it, Picard runs that converge get an estimated bound from
   * the last residual ratios (an estimate, not a guarantee: source `estimated`).
   */
  lipschitz?: number;
  /** Called with each iterate x_k (k = 0 is x0) before its test; must not dispose it. */
  onIterate?: (k: number, x: Tensor) => void;
}


export function runFixpoint(tf: Tf, map: (x: Tensor) => Tensor, x0: Tensor, opts: FixpointOptions): DriverResult<Tensor> {
  const t0 = performance.now();
  const monitor = new ConvergenceMonitor(opts.stop);
  const damped = opts.method === "damped";
  const alpha = damped ? (opts.damping ?? 0.5) : 1;
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`damping must be in (0, 1], got ${alpha}`);

  const mark = tensorIdMark(tf);
  // x is the current iterate; `owned` says whether this driver created it (x0 is the caller's).
  let x: Tensor = x0.dtype === "float32" ? x0 : tf.cast(x0, "float32");
  let owned = x !== x0;
  const alphaT = damped ? tf.scalar(alpha) : undefined;
  let decision: Decision | undefined;
  let detail: string | undefined;
  let xnorm = NaN;

  try {
    for (;;) {
      const k = monitor.iteration + 1;
      const cur = x;
      const step = tf.tidy(() => {
        const y = conform(tf, "the fixpoint map", map(cur), cur);
        const d = tf.sub(y, cur);
        // Picard's next iterate is T(x) itself; clone it when the map handed back a tensor it
        // did not create here (its argument or a captured constant), so it is ours to dispose.
        const xn = damped ? tf.add(cur, tf.mul(alphaT!, d)) : y === cur || y.id <= mark ? tf.clone(y) : y;
        const stats = tf.stack([flatDot(tf, d, d), flatDot(tf, cur, cur), flatDot(tf, xn, xn)]);
        return { xn, stats };
      });
      const [dd, xx, nn] = step.stats.dataSync();
      step.stats.dispose();
      opts.onIterate?.(k, x);

      if (!Number.isFinite(xx)) {
        // Only x0 can get here: later iterates were checked as ‖x_next‖² the step before.
        monitor.observe(NaN, 0);
        decision = { stop: true, iteration: k, reason: "diverged_nan", converged: false };
        detail = `NaN or ±Inf in the initial iterate (${describeNonFinite(x)})`;
        step.xn.dispose();
        break;
      }
      xnorm = Math.sqrt(xx);
      const r = Math.sqrt(dd);
      const d = monitor.observe(r, Math.max(xnorm, FLOAT32_TINY));
      if (d.stop) {
        if (d.reason === "diverged_nan") {
          const where = describeNonFinite(step.xn);
          detail =
            where === "no NaN or ±Inf entries"
              ? `‖T(x) − x‖ overflowed float32 at iteration ${k + 1}`
              : `NaN or ±Inf in T(x) at iteration ${k + 1} (${damped ? "in the damped update: " : ""}${where})`;
        } else if (d.reason === "diverged_growth") {
          detail = `‖T(x) − x‖ = ${fmt(r)} at iteration ${k} exceeds ${fmt(monitor.rule.divergenceFactor)} × the initial ${fmt(monitor.initialResidual)}: the map is not contractive here`;
        }
        decision = d;
        step.xn.dispose();
        break;
      }
      if (!Number.isFinite(nn)) {
        // x_{k+1} itself is NaN/Inf though T(x_k) − x_k had a finite norm (an overflow in the
        // damped update): stop before using it, keep x_k.
        decision = { stop: true, iteration: k, reason: "diverged_nan", converged: false };
        detail = `NaN or ±Inf in the iterate at iteration ${k + 1} (${describeNonFinite(step.xn)})`;
        step.xn.dispose();
        break;
      }
      if (owned) x.dispose();
      x = step.xn;
      owned = true;
    }
  } catch (e) {
    if (owned) x.dispose();
    alphaT?.dispose();
    throw e;
  }
  alphaT?.dispose();

  const value = owned ? x : tf.clone(x);
  const history = monitor.history;
  const residual = history.last;
  const report: Report = {
    name: opts.name,
    kind: "fixpoint",
    method: opts.method,
    iterations: monitor.iteration,
    residual,
    relResidual: residual === 0 ? 0 : residual / Math.max(xnorm, FLOAT32_TINY),
    reason: decision!.reason,
    converged: decision!.converged,
    history: history.toArray(),
    seconds: secondsSince(t0),
  };
  if (history.truncated) report.historyTruncated = true;
  if (detail !== undefined) report.detail = detail;
  const bound = errorBound(report, { ...(opts.lipschitz !== undefined ? { lipschitz: opts.lipschitz } : {}), estimate: opts.method === "picard" && alpha === 1 });
  if (bound) report.errorBound = bound;
  return { value, report };
}

