// Newton–Krylov for a nonlinear `solve F(u) = b method newton_krylov(...)`: inexact Newton steps
// J(x) δ = b − F(x) solved by GMRES (runtime/drivers/gmres.ts) on exact Jacobian-vector products
// (forward-mode autodiff through F), an Eisenstat–Walker forcing term, an inner budget that
// adapts, and a backtracking line search that never takes a step it rejected.
//
// Why a TypeScript driver: its inner solver is GMRES, which the language cannot say (it grows a
// basis one column at a time); the rest would fit the method protocol, but then the line search
// could not report its failure as a reason of its own.
//
// One Newton step from x with r = b − F(x) (Kelley, "Solving Nonlinear Equations with Newton's
// Method", SIAM 2003, ch. 3; PETSc's SNESNEWTONLS with SNESLINESEARCHBT):
//
// * Inner solve: GMRES(m) on J(x) δ = r from δ = 0, right-preconditioned by M(x, ·) ≈ J(x)⁻¹
//   (the preconditioner of a nonlinear solve acts on its Jacobian), to ‖r − J δ‖ ≤ η ‖r‖ within
//   a budget of m iterations. GMRES minimises ‖r − J δ‖, so rᵀJδ ≥ ½‖Jδ‖² > 0 unless δ = 0:
//   δ is a descent direction of the merit function f = ½‖b − F‖².
// * Forcing term η: Eisenstat & Walker (1996), choice 1, η_k = |‖F_k‖ − ‖F_{k−1} + J s‖| / ‖F_{k−1}‖
//   (how badly the linear model predicted the new residual), safeguarded by η_{k−1}^φ (φ the golden
//   ratio) when that exceeds 0.1 — except when the model predicted the residual to 1e-4, i.e. F is
//   linear along the step: then the next step is solved to the final tolerance, which is what lets
//   a linear F converge in two steps. Bounded by η_max = 0.9 above and by ½·tol/‖F_k‖ below (no
//   solving past the tolerance), η₀ = 0.3 (PETSc's `-snes_ksp_ew` rtol_0). `forcing: constant`
//   uses η = `eta` throughout.
// * Inner budget: starts at `inner` iterations; a step whose GMRES used it all without reaching η
//   doubles it for the next step, up to `inner_max` (hard problems get more Krylov work; easy ones
//   never pay for it).
// * Line search: backtracking on f(t) = ½‖b − F(x + tδ)‖², accepted when Armijo's condition
//   f(t) ≤ f(0) − α t rᵀJδ holds (α = 1e-4, with f'(0) = −rᵀJδ computed by one more Jacobian
//   product, as PETSc's bt does); t = 1 first, then the minimiser of the quadratic through f(0),
//   f'(0), f(t), kept within [0.1 t, 0.5 t]; a non-finite f(t) halves t. When t falls below 1e-10
//   or 30 trials fail, the step is NOT taken: the run ends with `line_search_failed`, the last
//   accepted iterate returned, and `detail` says what was tried.
//
// Stopping: ‖b − F(x)‖ ≤ max(atol, rtol · ‖b − F(x₀)‖) — relative to the initial residual, as
// PETSc's SNES rtol (for x₀ = 0 and F(0) = 0 that is ‖b‖, as for linear solves). The residual is
// the true nonlinear residual at every step (F is evaluated there anyway), so it never drifts.
//
// Report: `residual` = ‖b − F(u)‖₂ of the returned u, `relResidual` over ‖b − F(x₀)‖, history
// per Newton step; `detail` gives Newton steps, GMRES iterations, the budget, the forcing terms
// and the backtracks; `counts` the evaluations of F, Jacobian products and preconditioner
// applications (runtime/constructs.ts counts the callbacks).
import type { Reason } from "../report.js";
import { runGmres } from "./gmres.js";
import { buildReport } from "./method.js";
import { ConvergenceMonitor, conform, flatDot, fmt, tolerance, type DriverResult, type StoppingRule, type Tensor, type Tf } from "./stopping.js";

export interface NewtonOptions<T extends Tensor = Tensor> {
  x0?: T;
  stop: StoppingRule;
  name: string;
  /** The first GMRES budget per Newton step (iterations; also its restart length). */
  inner: number;
  /** The largest budget the adaptation may reach. */
  innerMax: number;
  forcing: "ew" | "constant";
  /** η₀ of Eisenstat–Walker, or the constant forcing term. */
  eta: number;
  /** Every line-search trial, for tests: the iterate x (not to be disposed), t, f(0), f'(0), f(t), accepted. */
  onTrial?: (trial: Trial<T>) => void;
}

export interface Trial<T extends Tensor = Tensor> {
  step: number;
  x: T;
  direction: T;
  t: number;
  f0: number;
  slope: number;
  ft: number;
  accepted: boolean;
}

export const ARMIJO = 1e-4;
export const ETA_MAX = 0.9;
const GOLDEN = (1 + Math.sqrt(5)) / 2;
const MAX_TRIALS = 30;
const MIN_STEP = 1e-10;

export interface NewtonCallbacks<T extends Tensor = Tensor> {
  F: (x: T) => T;
  /** J(x) v. */
  J: (x: T, v: T) => T;
  /** z ≈ J(x)⁻¹ r. */
  M?: (x: T, r: T) => T;
}

interface Accepted<T extends Tensor = Tensor> {
  x: T;
  Fx: T;
  rn: number;
  t: number;
  trials: number;
}

export function runNewtonKrylov<T extends Tensor>(tf: Tf<NoInfer<T>>, cb: NewtonCallbacks<T>, b: T, o: NewtonOptions<T>): DriverResult<T> {
  const t0 = performance.now();
  const monitor = new ConvergenceMonitor(o.stop);
  const F = (x: T) => conform(tf, "the operator", cb.F(x), b);
  const residualOf = (Fx: T): number => scalarOf(tf.tidy(() => tf.sqrt(flatDot(tf, tf.sub(b, Fx), tf.sub(b, Fx)))));
  let x = o.x0 ? tf.clone(o.x0) : tf.zerosLike(b);
  let Fx = F(x);
  let rn = residualOf(Fx);
  const ref = rn;
  let eta = o.eta;
  let budget = o.inner;
  const stats = { gmres: 0, backtracks: 0, etaFirst: eta, etaLast: eta, budgetFirst: budget };
  const finish = (reason: Reason, detail?: string): DriverResult<T> => {
    tf.dispose(Fx);
    const summary =
      `Newton–Krylov: ${monitor.iteration} Newton step${monitor.iteration === 1 ? "" : "s"}, ${stats.gmres} GMRES iterations (budget ${stats.budgetFirst}${budget !== stats.budgetFirst ? ` → ${budget}` : ""}), ` +
      `forcing η ${fmt(stats.etaFirst)} … ${fmt(stats.etaLast)} (${o.forcing === "ew" ? "Eisenstat–Walker" : "constant"}), ${stats.backtracks} backtrack${stats.backtracks === 1 ? "" : "s"}`;
    const report = buildReport("solve", { name: o.name, method: "newton_krylov" }, monitor, t0, {
      residual: rn,
      relResidual: rn === 0 ? 0 : ref === 0 ? NaN : rn / ref,
      reason,
      detail: detail ? `${detail}; ${summary}` : summary,
    });
    return { value: x, report };
  };
  const d0 = monitor.observe(rn, ref);
  if (d0.stop) return finish(d0.reason, d0.reason === "diverged_nan" ? "F gives NaN or ±Inf at the initial guess" : undefined);
  for (;;) {
    const k = monitor.iteration + 1;
    const r = tf.tidy(() => tf.sub(b, Fx));
    const xk = x;
    const inner = runGmres(tf, (v) => cb.J(xk, v), r, {
      stop: { rtol: eta, atol: 0, maxIter: budget },
      restart: budget,
      name: `${o.name}/inner`,
      ...(cb.M ? { precond: (q: T) => cb.M!(xk, q) } : {}),
    });
    const delta = inner.value;
    stats.gmres += inner.report.iterations;
    if (inner.report.reason === "diverged_nan") {
      tf.dispose([r, delta]);
      monitor.observe(NaN, ref);
      return finish("diverged_nan", `the inner GMRES met NaN or ±Inf at Newton step ${k}: ${inner.report.detail ?? "the Jacobian or the preconditioner produced them"}`);
    }
    if (!inner.report.converged && inner.report.iterations >= budget) budget = Math.min(2 * budget, o.innerMax);
    // f'(0) of f(t) = ½‖b − F(x + tδ)‖² is −rᵀJδ; ‖Jδ‖² gives the linear model's residual at t.
    const [rJd, JdJd] = readAll(tf.tidy(() => {
      const Jd = cb.J(xk, delta);
      return tf.stack([flatDot(tf, r, Jd), flatDot(tf, Jd, Jd)]);
    }));
    r.dispose();
    const accepted = rJd > 0 && Number.isFinite(rJd) ? lineSearch(tf, F, b, x, delta, rn, rJd, k, o.onTrial) : undefined;
    if (!accepted || "failed" in accepted) {
      delta.dispose();
      const why =
        !accepted
          ? `the Newton direction is not a descent direction of ‖b − F‖² at step ${k} (rᵀJδ = ${fmt(rJd)}: the inner solve made no progress, ${inner.report.reason} after ${inner.report.iterations} iterations)`
          : `no step along the Newton direction at step ${k} decreases ½‖b − F‖² by Armijo's condition (α = ${ARMIJO}): tried ${accepted.failed}; the step is not taken, the last accepted iterate is returned`;
      if (accepted) stats.backtracks += accepted.trials - 1;
      // The step is not taken: the history and the iterations are those of the steps taken.
      return finish("line_search_failed", why);
    }
    stats.backtracks += accepted.trials - 1;
    delta.dispose();
    tf.dispose([Fx]);
    if (x !== accepted.x) x.dispose();
    x = accepted.x;
    Fx = accepted.Fx;
    const rnOld = rn;
    rn = accepted.rn;
    const d = monitor.observe(rn, ref);
    if (d.stop) return finish(d.reason, d.reason === "diverged_nan" ? `F gives NaN or ±Inf at Newton step ${k}` : undefined);
    // The next forcing term.
    const tol = tolerance(monitor.rule, ref);
    if (o.forcing === "ew") {
      const t = accepted.t;
      const linear = Math.sqrt(Math.max(0, rnOld * rnOld - 2 * t * rJd + t * t * JdJd));
      const model = Math.abs(rn - linear) / rnOld;
      const guard = eta ** GOLDEN;
      const next = guard > 0.1 && model > 1e-4 ? Math.max(model, guard) : model;
      eta = Math.min(ETA_MAX, Math.max(next, (0.5 * tol) / rn));
    } else eta = Math.min(ETA_MAX, Math.max(o.eta, (0.5 * tol) / rn));
    stats.etaLast = eta;
  }
}

/**
 * Backtracking from t = 1 along δ until Armijo's condition holds. Returns the accepted point
 * (x + tδ, F there, its residual, t, the trials made) or what was tried.
 */
function lineSearch<T extends Tensor>(
  tf: Tf<T>,
  F: (x: T) => T,
  b: T,
  x: T,
  delta: T,
  rn: number,
  rJd: number,
  step: number,
  onTrial: NewtonOptions<T>["onTrial"],
): Accepted<T> | { failed: string; trials: number } {
  const f0 = 0.5 * rn * rn;
  const slope = -rJd;
  const tried: string[] = [];
  const residuals: number[] = [];
  let t = 1;
  for (let trial = 1; trial <= MAX_TRIALS; trial++) {
    const xt = tf.tidy(() => tf.add(x, tf.mul(t, delta)));
    const Ft = F(xt);
    const rt = scalarOf(tf.tidy(() => tf.sqrt(flatDot(tf, tf.sub(b, Ft), tf.sub(b, Ft)))));
    const ft = 0.5 * rt * rt;
    const ok = Number.isFinite(ft) && ft <= f0 + ARMIJO * t * slope;
    onTrial?.({ step, x, direction: delta, t, f0, slope, ft, accepted: ok });
    if (ok) return { x: xt, Fx: Ft, rn: rt, t, trials: trial };
    tf.dispose([xt, Ft]);
    tried.push(`t = ${fmt(t)} (‖b − F‖ = ${fmt(rt)})`);
    residuals.push(rt);
    // The minimiser of the quadratic through f(0), f'(0) and f(t), within [0.1 t, 0.5 t].
    const q = Number.isFinite(ft) ? (-slope * t * t) / (2 * (ft - f0 - slope * t)) : 0.5 * t;
    t = Math.min(0.5 * t, Math.max(0.1 * t, q));
    if (t < MIN_STEP) break;
  }
  const shown = tried.length > 4 ? [...tried.slice(0, 3), "…", tried[tried.length - 1]] : tried;
  // Every trial within 1% of ‖b − F(x)‖: F's own rounding hides any decrease along δ.
  const flat = residuals.length > 0 && residuals.every((r) => Math.abs(r - rn) <= 0.01 * rn);
  const floor = flat ? " — ‖b − F‖ no longer changes along the direction by more than float32 rounding: it is about the attainable float32 accuracy, loosen the tolerance" : "";
  return { failed: `${tried.length} steps, ${shown.join(", ")}, from ‖b − F(x)‖ = ${fmt(rn)}${floor}`, trials: tried.length };
}

function scalarOf<T extends Tensor>(t: T): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

function readAll<T extends Tensor>(t: T): number[] {
  const d = [...t.dataSync()];
  t.dispose();
  return d;
}
