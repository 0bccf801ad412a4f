// L-BFGS for `minimize … method lbfgs(m: 10)`: the two-loop recursion (Nocedal & Wright,
// Numerical Optimization, 2nd ed., Algorithm 7.4) with the initial scaling γ = sᵀy / yᵀy, and a
// line search that returns a step satisfying the strong Wolfe conditions (Algorithms 3.5 and
// 3.6, cubic interpolation safeguarded by bisection):
//   f(x + αd) ≤ f(x) + c1 α ∇f(x)ᵀd   and   |∇f(x + αd)ᵀd| ≤ c2 |∇f(x)ᵀd|.
// A pair (s, y) is kept only when sᵀy > 0 (what the Wolfe conditions guarantee in exact
// arithmetic), so the implicit inverse Hessian stays positive definite. When the line search
// finds no acceptable step within its budget, the step is not taken: the report says
// `line_search_failed`, with the iterate it had. Near a minimum f is flat to float32's precision
// while its slope is still informative, so a tie in f does not end a bracket (Algorithm 3.6
// compares with ≥; here a tie goes to the slope test).
import { ResidualHistory } from "../report.js";
import { type Objective, minimizeReport, readValue } from "./minimize.js";
import { ConvergenceMonitor, type DriverResult, flatDot, fmt, type StoppingRule, type Tensor, type Tf } from "./stopping.js";

export interface LbfgsOptions<T extends Tensor = Tensor> extends Objective<T> {
  x0: T;
  stop: StoppingRule;
  name: string;
  /** How many (s, y) pairs to keep. */
  m: number;
  c1: number;
  c2: number;
  /** The most evaluations of one line search. */
  lsMax: number;
}

/** A point on the search line: its step, φ(α) = f(x + αd), φ'(α) = ∇f(x + αd)ᵀd, and its tensors. */
interface Point<T extends Tensor = Tensor> {
  alpha: number;
  phi: number;
  dphi: number;
  x: T;
  g: T;
}

interface Pair<T extends Tensor = Tensor> {
  s: T;
  y: T;
  rho: number;
}

const scalarOf = <T extends Tensor>(t: T): number => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

export function runLbfgs<T extends Tensor>(tf: Tf<NoInfer<T>>, o: LbfgsOptions<T>): DriverResult<T> {
  const t0 = performance.now();
  const monitor = new ConvergenceMonitor(o.stop);
  const objective = new ResidualHistory();
  const dot = (a: T, b: T) => scalarOf(tf.tidy(() => flatDot(tf, a, b)));
  const pairs: Pair<T>[] = [];
  let evaluations = 1;
  let x = tf.clone(o.x0);
  let [f, g] = o.value(x);
  let [fv, gnorm] = readValue(tf, f, g);
  f.dispose();
  const gnorm0 = gnorm;
  const finish = (reason: DriverResult<T>["report"]["reason"], detail?: string): DriverResult<T> => {
    g.dispose();
    for (const p of pairs) [p.s, p.y].forEach((t) => t.dispose());
    const report = minimizeReport({ name: o.name, method: "lbfgs" }, monitor, objective, t0, { gnorm, gnorm0, fv, reason, ...(detail ? { detail } : {}) });
    report.detail += `; ${evaluations} evaluations of f and ∇f`;
    return { value: x, report };
  };
  for (;;) {
    objective.push(fv);
    const decision = monitor.observe(Number.isFinite(fv) ? gnorm : NaN, gnorm0);
    if (decision.stop) return finish(decision.reason, decision.reason === "diverged_nan" ? `f or ∇f is NaN or ±Inf at iteration ${decision.iteration}` : undefined);
    let d = direction(tf, g, pairs, dot);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (curvature information gone stale in float32): restart from −g.
      d.dispose();
      for (const p of pairs.splice(0)) [p.s, p.y].forEach((t) => t.dispose());
      d = tf.mul(g, -1);
      slope = -gnorm * gnorm;
    }
    const alpha0 = pairs.length === 0 ? Math.min(1, 1 / gnorm) : 1;
    const search = lineSearch(tf, o, x, d, fv, slope, alpha0, dot);
    evaluations += search.evaluations;
    d.dispose();
    if (!search.point) return finish("line_search_failed", `the line search found no step with f(x + αd) ≤ f(x) + c1·α·∇fᵀd and |∇f(x + αd)ᵀd| ≤ c2·|∇fᵀd| in ${search.evaluations} evaluations (${search.why}); the step was not taken`);
    const p = search.point;
    const s = tf.sub(p.x, x);
    const y = tf.sub(p.g, g);
    const sy = dot(s, y);
    if (sy > 0) {
      pairs.push({ s, y, rho: 1 / sy });
      if (pairs.length > o.m) for (const old of pairs.splice(0, 1)) [old.s, old.y].forEach((t) => t.dispose());
    } else [s, y].forEach((t) => t.dispose());
    x.dispose();
    g.dispose();
    [x, g] = [p.x, p.g];
    fv = p.phi;
    gnorm = Math.sqrt(dot(g, g));
  }
}

/** −H g by the two-loop recursion over the pairs, oldest first; −g when there are none. */
function direction<T extends Tensor>(tf: Tf<T>, g: T, pairs: readonly Pair<T>[], dot: (a: T, b: T) => number): T {
  if (pairs.length === 0) return tf.mul(g, -1);
  const alphas: number[] = [];
  let q = tf.clone(g);
  for (let i = pairs.length - 1; i >= 0; i--) {
    const a = pairs[i].rho * dot(pairs[i].s, q);
    alphas[i] = a;
    q = replace(q, tf.sub(q, tf.mul(tf.scalar(a), pairs[i].y)));
  }
  const last = pairs[pairs.length - 1];
  const gamma = 1 / (last.rho * dot(last.y, last.y));
  let r = tf.mul(tf.scalar(gamma), q);
  q.dispose();
  for (let i = 0; i < pairs.length; i++) {
    const b = pairs[i].rho * dot(pairs[i].y, r);
    r = replace(r, tf.add(r, tf.mul(tf.scalar(alphas[i] - b), pairs[i].s)));
  }
  return replace(r, tf.mul(r, -1));
}

/** `next`, after disposing `old` (a step of an update chain). */
function replace<T extends Tensor>(old: T, next: T): T {
  old.dispose();
  return next;
}

interface Search<T extends Tensor = Tensor> {
  point?: Point<T>;
  evaluations: number;
  why?: string;
}

/** Algorithm 3.5 (bracketing) and 3.6 (zoom) of Nocedal & Wright; a point that meets both conditions, or why none was found. */
function lineSearch<T extends Tensor>(tf: Tf<T>, o: LbfgsOptions<T>, x: T, d: T, phi0: number, dphi0: number, alpha0: number, dot: (a: T, b: T) => number): Search<T> {
  const kept = new Set<Point<T>>();
  let evaluations = 0;
  const at = (alpha: number): Point<T> => {
    evaluations++;
    const xa = tf.tidy(() => tf.add(x, tf.mul(tf.scalar(alpha), d)));
    const [f, g] = o.value(xa);
    const phi = scalarOf(f);
    const p = { alpha, phi, dphi: dot(g, d), x: xa, g };
    kept.add(p);
    return p;
  };
  const done = (p: Point<T> | undefined, why?: string): Search<T> => {
    for (const q of kept) if (q !== p) [q.x, q.g].forEach((t) => t.dispose());
    return { ...(p ? { point: p } : {}), evaluations, ...(why ? { why } : {}) };
  };
  const armijo = (p: Point<T>) => p.phi <= phi0 + o.c1 * p.alpha * dphi0;
  const curvature = (p: Point<T>) => Math.abs(p.dphi) <= -o.c2 * dphi0;
  const zoom = (lo: Point<T>, hi: Point<T>): Search<T> => {
    while (evaluations < o.lsMax) {
      const p = at(interpolate(lo, hi));
      if (!Number.isFinite(p.phi) || !Number.isFinite(p.dphi) || !armijo(p) || p.phi > lo.phi) hi = p;
      else {
        if (curvature(p)) return done(p);
        if (p.dphi * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = p;
      }
      if (Math.abs(hi.alpha - lo.alpha) <= 1e-12 * Math.max(1, Math.abs(lo.alpha))) return done(undefined, `the bracket shrank to [${fmt(lo.alpha)}, ${fmt(hi.alpha)}]: f cannot decrease further in float32 along d`);
    }
    return done(undefined, "its budget ran out while zooming");
  };
  let prev: Point<T> = { alpha: 0, phi: phi0, dphi: dphi0, x, g: x };
  let alpha = alpha0;
  while (evaluations < o.lsMax) {
    const p = at(alpha);
    if (!Number.isFinite(p.phi) || !Number.isFinite(p.dphi) || !armijo(p) || (evaluations > 1 && p.phi > prev.phi)) return zoom(prev, p);
    if (curvature(p)) return done(p);
    if (p.dphi >= 0) return zoom(p, prev);
    prev = p;
    alpha *= 2;
  }
  return done(undefined, "its budget ran out while bracketing");
}

/** The minimiser of the cubic through both ends (eq. 3.59), kept inside the middle 98% of the bracket; else bisection. */
function interpolate<T extends Tensor>(lo: Point<T>, hi: Point<T>): number {
  const [a, b] = [lo.alpha, hi.alpha];
  const d1 = lo.dphi + hi.dphi - (3 * (lo.phi - hi.phi)) / (a - b);
  const disc = d1 * d1 - lo.dphi * hi.dphi;
  const mid = (a + b) / 2;
  if (!(disc >= 0) || !Number.isFinite(hi.phi)) return mid;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  const t = b - (b - a) * ((hi.dphi + d2 - d1) / (hi.dphi - lo.dphi + 2 * d2));
  const [low, high] = [Math.min(a, b), Math.max(a, b)];
  const margin = 0.01 * (high - low);
  return Number.isFinite(t) && t >= low + margin && t <= high - margin ? t : mid;
}
