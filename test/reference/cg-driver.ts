// A TypeScript reference CG, kept as a test oracle for stdlib/krylov.iter's CG through the
// generic driver (runtime/drivers/method.ts). Originally the driver of `method cg`. The operator
// and the preconditioner are callbacks (the executor evaluates their regions); this file knows
// nothing of the IR.
//
// What the report means for a solve:
//   residual          = the TRUE residual ‖b − A u‖₂ of the returned u, recomputed at the end;
//   recursiveResidual = the recursively updated ‖r‖₂ at exit (they drift apart in float32);
//   relResidual       = residual / ‖b‖₂ (0 when the residual is 0, as for a zero rhs);
//   history[k]        = the recursive ‖r_k‖₂ the convergence test used at iteration k.
// The convergence test is ‖r‖ ≤ max(atol, rtol·‖b‖). It is first passed by the recursive
// residual and then must be confirmed by the true one; when the true residual misses
// (float32 drift), the iteration restarts from the true residual (residual replacement, at most
// MAX_REPLACEMENTS times, within maxIter); if it still misses: `max_iterations`, with a detail
// giving both numbers. A run is never reported converged on the recursive residual alone.
//
// Per iteration, all inside one tf.tidy that keeps only the carried x, r, p, rᵀz:
//   q = A p; α = rᵀz / pᵀq; x' = x + αp; r' = r − αq; z' = M r'; β = r'ᵀz' / rᵀz; p' = z' + βp
// α and β stay on the device, and (pᵀq, r'ᵀr', r'ᵀz') come back in ONE dataSync at the end of the
// iteration. So the breakdown checks happen after the update: a bad iteration (pᵀAp ≤ 0 or NaN)
// is rolled back, and the previous iterate, still held, is returned. Without a preconditioner
// that is 11 kernels besides A (3 reductions, 4 axpy-halves, 2 scalar divisions, the stack):
// tfjs cannot fuse them, so this is as few passes over memory as tfjs allows.
import { type Reason, type Report } from "../../runtime/report.js";
import {
  ConvergenceMonitor,
  conform,
  convergedReason,
  describeNonFinite,
  flatDot,
  fmt,
  secondsSince,
  tolerance,
  type DriverResult,
  type StoppingRule,
} from "../../runtime/drivers/stopping.js";
import type { Tensor, Tf } from "../../runtime/tfjs/kernels/common.js";

export interface CgOptions {
  /** Initial guess (default zeros). Not disposed: it stays the caller's. */
  x0?: Tensor;
  /** z = M r with M ≈ A⁻¹, symmetric positive definite. */
  precond?: (r: Tensor) => Tensor;
  stop: StoppingRule;
  /** Source name of the construct, for the report. */
  name: string;
  /**
   * Called with every accepted iterate x_k (k = 0 is the initial guess); must not dispose it.
   * For tests and monitors (e.g. the A-norm of the error).
   */
  onIterate?: (k: number, x: Tensor) => void;
  /** Residual replacements allowed after the true residual fails to confirm (default 5). */
  maxReplacements?: number;
}

export const MAX_REPLACEMENTS = 5;

// A type alias, not an interface: tf.tidy accepts it as a TensorContainer.
type State = {
  x: Tensor;
  r: Tensor;
  p: Tensor;
  /** rᵀz, rank 0 */
  rz: Tensor;
};

function disposeState(s: State | undefined): void {
  if (!s) return;
  s.x.dispose();
  s.r.dispose();
  s.p.dispose();
  s.rz.dispose();
}

export function runCg(tf: Tf, apply: (u: Tensor) => Tensor, b: Tensor, opts: CgOptions): DriverResult<Tensor> {
  const t0 = performance.now();
  const monitor = new ConvergenceMonitor(opts.stop);
  const rule = monitor.rule;
  const precond = opts.precond;
  const maxReplacements = opts.maxReplacements ?? MAX_REPLACEMENTS;
  const A = (u: Tensor) => conform(tf, "the operator", apply(u), u);
  const M = precond ? (r: Tensor) => conform(tf, "the preconditioner", precond(r), r) : undefined;

  let s: State | undefined;
  let reason: Reason = "max_iterations";
  let detail: string | undefined;
  let bnorm = NaN;
  let recursive = NaN; // ‖r‖ carried by the recursion, for the accepted iterate
  let trueRes: number | undefined; // ‖b − A x‖ for the accepted iterate, when computed

  /** b − A x and its squared norm, for the current iterate (one apply, one read-back). */
  const trueResidual = (x: Tensor): { rt: Tensor; norm: number } => {
    const { rt, rr } = tf.tidy(() => {
      const bf = b.dtype === "float32" ? b : tf.cast(b, "float32");
      const rt = tf.sub(bf, A(x));
      return { rt, rr: flatDot(tf, rt, rt) };
    });
    const norm = Math.sqrt(rr.dataSync()[0]);
    rr.dispose();
    return { rt, norm };
  };

  try {
    // ---- set-up: r0 = b − A x0, z0 = M r0, p0 = z0; ‖b‖², ‖r0‖², r0ᵀz0 in one read-back.
    const init = tf.tidy(() => {
      const bf = b.dtype === "float32" ? b : tf.cast(b, "float32");
      let x: Tensor;
      let r: Tensor;
      if (opts.x0) {
        const x0 = conform(tf, "the initial guess", opts.x0, bf);
        x = x0 === opts.x0 ? tf.clone(x0) : x0;
        r = tf.sub(bf, A(x));
      } else {
        x = tf.zerosLike(bf);
        r = tf.clone(bf);
      }
      const z = M ? M(r) : r;
      const rz = flatDot(tf, r, z);
      const rr = M ? flatDot(tf, r, r) : rz;
      const bb = opts.x0 ? flatDot(tf, bf, bf) : rr;
      const state: State = { x, r, p: tf.clone(z), rz };
      return { state, stats: tf.stack([bb, rr, rz]) };
    });
    s = init.state;
    const [bb, rr0, rz0] = init.stats.dataSync();
    init.stats.dispose();
    bnorm = Math.sqrt(bb);
    recursive = Math.sqrt(rr0);

    if (bb === 0) {
      // Zero right-hand side: the solution of a nonsingular system is exactly zero.
      disposeState(s);
      s = undefined;
      monitor.observe(0, 0);
      const value = tf.zeros(b.shape, "float32");
      return finish(value, "converged_atol", undefined, 0, 0);
    }
    opts.onIterate?.(0, init.state.x);
    if (!Number.isFinite(bb)) {
      monitor.observe(NaN, bnorm);
      reason = "diverged_nan";
      detail = `NaN or ±Inf in the right-hand side (${describeNonFinite(b)})`;
    } else if (!Number.isFinite(rr0)) {
      monitor.observe(NaN, bnorm);
      reason = "diverged_nan";
      detail = `the initial residual b − A x0 has NaN or ±Inf: the operator produced them at the initial guess`;
    } else {
      const d0 = monitor.observe(recursive, bnorm);
      if (d0.stop && d0.converged) {
        // r0 was computed directly (it is the true residual): the initial guess already solves.
        trueRes = recursive;
        reason = d0.reason;
      } else if (M && !(rz0 > 0)) {
        reason = Number.isFinite(rz0) ? "breakdown" : "diverged_nan";
        detail =
          reason === "diverged_nan"
            ? `rᵀz = ${fmt(rz0)} at iteration 0 (the preconditioner produced NaN or ±Inf)`
            : `rᵀz = ${fmt(rz0)} ≤ 0 at iteration 0 (the preconditioner is not positive definite)`;
      } else if (d0.stop) {
        reason = d0.reason;
      } else {
        ({ reason, detail } = iterate());
      }
    }
    const st = s!;
    s = undefined;
    st.r.dispose();
    st.p.dispose();
    st.rz.dispose();
    if (trueRes === undefined) {
      try {
        const { rt, norm } = trueResidual(st.x);
        rt.dispose();
        trueRes = norm;
      } catch (e) {
        st.x.dispose();
        throw e;
      }
    }
    return finish(st.x, reason, detail, trueRes, recursive);
  } catch (e) {
    disposeState(s);
    throw e;
  }

  /** The main loop, from a state that passed the initial checks. */
  function iterate(): { reason: Reason; detail?: string } {
    let replacements = 0;
    let lastTrue = Infinity;
    for (;;) {
      const k = monitor.iteration + 1;
      const cur = s!;
      const next = tf.tidy(() => {
        const q = A(cur.p);
        const pAp = flatDot(tf, cur.p, q);
        const alpha = tf.div(cur.rz, pAp);
        const x = tf.add(cur.x, tf.mul(alpha, cur.p));
        const r = tf.sub(cur.r, tf.mul(alpha, q));
        const z = M ? M(r) : r;
        const rz = flatDot(tf, r, z);
        const rr = M ? flatDot(tf, r, r) : rz;
        const p = tf.add(z, tf.mul(tf.div(rz, cur.rz), cur.p));
        const state: State = { x, r, p, rz };
        return { state, stats: tf.stack([pAp, rr, rz]) };
      });
      const [pAp, rr, rz] = next.stats.dataSync();
      next.stats.dispose();

      // A bad step is rolled back: the previous iterate stays the answer.
      if (!Number.isFinite(pAp)) {
        disposeState(next.state);
        return { reason: "diverged_nan", detail: `pᵀAp = ${fmt(pAp)} at iteration ${k}: the operator produced NaN or ±Inf` };
      }
      if (pAp <= 0) {
        disposeState(next.state);
        return {
          reason: "breakdown",
          detail: `pᵀAp = ${fmt(pAp)} ≤ 0 at iteration ${k} (the operator is not positive definite)`,
        };
      }
      if (!Number.isFinite(rr)) {
        disposeState(next.state);
        return { reason: "diverged_nan", detail: `‖r‖ = ${fmt(Math.sqrt(rr))} at iteration ${k} (pᵀAp = ${fmt(pAp)})` };
      }
      disposeState(cur);
      s = next.state;
      recursive = Math.sqrt(rr);
      trueRes = undefined;
      opts.onIterate?.(k, s.x);

      const d = monitor.observe(recursive, bnorm);
      if (d.stop && d.converged) {
        const { rt, norm } = trueResidual(s.x);
        trueRes = norm;
        const conv = convergedReason(rule, norm, bnorm);
        if (conv) {
          rt.dispose();
          return { reason: conv };
        }
        // Give up when out of iterations or replacements, or when the last replacement did not
        // at least halve the true residual: it has stagnated at the attainable accuracy
        // (about eps·‖A‖‖u‖ in float32), and more restarts only burn iterations.
        const stagnated = replacements > 0 && !(norm < 0.5 * lastTrue);
        if (replacements >= maxReplacements || k >= rule.maxIter || stagnated || !Number.isFinite(norm)) {
          rt.dispose();
          return {
            reason: "max_iterations",
            detail:
              `the recursive residual ${fmt(recursive)} met the tolerance ${fmt(tolerance(rule, bnorm))} at iteration ${k}, ` +
              `but the true residual ‖b − Au‖ = ${fmt(norm)} does not (float32 drift; ` +
              `${replacements} residual replacement${replacements === 1 ? "" : "s"}` +
              (stagnated ? `, the last one stagnated: this is about the attainable float32 accuracy, loosen the tolerance` : "") +
              `)`,
          };
        }
        lastTrue = norm;
        // Residual replacement: restart the recursion from the true residual.
        replacements++;
        const old = s;
        const restarted = tf.tidy(() => {
          const z = M ? M(rt) : rt;
          const rz = flatDot(tf, rt, z);
          return { p: tf.clone(z), rz };
        });
        s = { x: old.x, r: rt, p: restarted.p, rz: restarted.rz };
        old.r.dispose();
        old.p.dispose();
        old.rz.dispose();
        recursive = norm;
        const rzr = s.rz.dataSync()[0];
        if (M && !(rzr > 0)) {
          return {
            reason: Number.isFinite(rzr) ? "breakdown" : "diverged_nan",
            detail: `rᵀz = ${fmt(rzr)} at iteration ${k} after a residual replacement (the preconditioner is not positive definite)`,
          };
        }
        continue;
      }
      if (M && !(rz > 0) && Number.isFinite(rr)) {
        return Number.isFinite(rz)
          ? { reason: "breakdown", detail: `rᵀz = ${fmt(rz)} ≤ 0 at iteration ${k} (the preconditioner is not positive definite)` }
          : { reason: "diverged_nan", detail: `rᵀz = ${fmt(rz)} at iteration ${k}: the preconditioner produced NaN or ±Inf` };
      }
      if (d.stop) {
        if (d.reason === "diverged_growth") {
          return {
            reason: d.reason,
            detail: `‖r‖ = ${fmt(recursive)} at iteration ${k} exceeds ${fmt(rule.divergenceFactor)} × the initial ${fmt(monitor.initialResidual)}`,
          };
        }
        return { reason: d.reason };
      }
    }
  }

  function finish(value: Tensor, why: Reason, why2: string | undefined, residual: number, rec: number): DriverResult<Tensor> {
    const history = monitor.history;
    const converged = why === "converged_atol" || why === "converged_rtol";
    const report: Report = {
      name: opts.name,
      kind: "solve",
      method: "cg",
      iterations: Math.max(0, monitor.iteration),
      residual,
      relResidual: residual === 0 ? 0 : residual / bnorm,
      recursiveResidual: rec,
      reason: why,
      converged,
      history: history.toArray(),
      seconds: secondsSince(t0),
    };
    if (history.truncated) report.historyTruncated = true;
    if (why2 !== undefined) report.detail = why2;
    return { value, report };
  }
}
