// The driver of `minimize` with an optimiser written in iterlang (stdlib/optim.iter): each
// iteration evaluates the objective and its gradient at x, tests the gradient's norm (`gnorm`,
// and `rel_gnorm` against the first one), and otherwise lets the optimiser step. The optimiser
// sees x and g as matrices, [d0, d1·d2·…] (its protocol); the driver reshapes, which is free.
// The iterate returned is the last one tested, so its reported gradient norm and objective are
// its own.
import { type Report, ResidualHistory } from "../report.js";
import { buildReport, release } from "./method.js";
import { ConvergenceMonitor, type DriverResult, fmt, type StoppingRule, type Tensor, tensorIdMark, type Tf } from "./stopping.js";

export interface Objective<T extends Tensor = Tensor> {
  /** f(x) (a scalar) and ∇f(x) (x's shape). */
  value: (x: T) => [T, T];
}

export interface OptimiserOptions<T extends Tensor = Tensor> extends Objective<T> {
  /** The optimiser's state from x's matrix view; item 0 is x. */
  start: (x: T) => T[];
  /** The next state from the gradient (matrix view), the step number k ≥ 1, lr, and the state. */
  step: (g: T, k: T, lr: T, state: T[]) => T[];
  x0: T;
  lr: number;
  stop: StoppingRule;
  name: string;
  method: string;
}

/** [d0, d1·d2·…]: how an optimiser sees a tensor of `shape` (a vector as a column, a scalar as [1, 1]). */
export function matrixShape(shape: readonly number[]): [number, number] {
  const [first, ...rest] = shape;
  return [first ?? 1, rest.reduce((p, d) => p * d, 1)];
}

/** Reads f and ‖g‖ in one read-back. */
export function readValue<T extends Tensor>(tf: Tf<T>, f: T, g: T): [number, number] {
  const both = tf.tidy(() => tf.stack([tf.reshape(f, []), tf.sqrt(tf.sum(tf.mul(g, g)))]));
  const [fv, gn] = both.dataSync();
  both.dispose();
  return [fv, gn];
}

export function runOptimiser<T extends Tensor>(tf: Tf<NoInfer<T>>, o: OptimiserOptions<T>): DriverResult<T> {
  const t0 = performance.now();
  const mark = tensorIdMark(tf);
  const monitor = new ConvergenceMonitor(o.stop);
  const objective = new ResidualHistory();
  const shape = o.x0.shape;
  const view = matrixShape(shape);
  const lr = tf.scalar(o.lr);
  let state = o.start(tf.reshape(tf.clone(o.x0), view));
  let gnorm0 = NaN;
  for (;;) {
    const x = tf.reshape(state[0], shape);
    const [f, g] = o.value(x);
    const [fv, gnorm] = readValue(tf, f, g);
    objective.push(fv);
    if (Number.isNaN(gnorm0)) gnorm0 = gnorm;
    const d = Number.isFinite(fv) ? monitor.observe(gnorm, gnorm0) : monitor.observe(NaN, gnorm0);
    if (d.stop) {
      f.dispose();
      g.dispose();
      lr.dispose();
      const value = x === state[0] ? tf.clone(x) : x;
      release(state, [value], mark);
      const detail = d.reason === "diverged_nan" ? `the ${Number.isFinite(fv) ? "gradient" : "objective"} is NaN or ±Inf at iteration ${d.iteration}` : undefined;
      return { value, report: minimizeReport(o, monitor, objective, t0, { gnorm, gnorm0, fv, reason: d.reason, ...(detail ? { detail } : {}) }) };
    }
    const k = tf.scalar(d.iteration + 1);
    const gv = tf.reshape(g, view);
    const next = o.step(gv, k, lr, state);
    for (const t of [f, g, gv, k]) if (!t.isDisposed) t.dispose();
    if (x !== state[0]) x.dispose();
    release(state, next, mark);
    state = next;
  }
}

interface Final {
  gnorm: number;
  gnorm0: number;
  fv: number;
  reason: Report["reason"];
  detail?: string;
}

/** The report of a minimisation: the gradient norm is its residual, the objective beside it. */
export function minimizeReport(o: { name: string; method: string }, monitor: ConvergenceMonitor, objective: ResidualHistory, t0: number, end: Final): Report {
  const rel = end.gnorm === 0 ? 0 : end.gnorm / end.gnorm0;
  const r = buildReport("minimize", o, monitor, t0, { residual: end.gnorm, relResidual: rel, reason: end.reason });
  r.objective = end.fv;
  r.objectiveHistory = objective.toArray();
  const story = `f = ${fmt(end.fv)} (${fmt(objective.first)} at the start), ‖∇f‖ = ${fmt(end.gnorm)}`;
  r.detail = end.detail ? `${end.detail}; ${story}` : story;
  return r;
}
