// The generic drivers for methods written in iterlang (docs/stdlib.md's protocol): the method
// gives `start` and `step`; the driver owns the stopping rule, the history, NaN, growth and
// breakdown detection, the recomputed true residual (solves) and the report. Every method in
// stdlib/*.iter gets them the same way.
//
// Ownership: tensors created before the driver started (the right-hand side, captured values)
// are never disposed here; of the rest, a state tensor is disposed once no later state holds it.
import type { Reason, Report } from "../report.js";
import { errorBound } from "./bounds.js";
import {
  ConvergenceMonitor,
  convergedReason,
  type Decision,
  type DriverResult,
  flatDot,
  fmt,
  secondsSince,
  type StoppingRule,
  type Tensor,
  tensorIdMark,
  tolerance,
  type Tf,
  FLOAT32_TINY,
} from "./stopping.js";
import { floatName } from "./tensor-api.js";

export const MAX_REPLACEMENTS = 5;

export interface SolveMethodOptions<T extends Tensor = Tensor> {
  /** The method's state from an iterate; item 0 is the iterate. */
  start: (x: T) => T[];
  /** The next state, followed by the method's residual estimate and its health scalar. */
  step: (state: T[]) => T[];
  /** The operator, to recompute the true residual b − A x. */
  apply: (u: T) => T;
  x0?: T;
  stop: StoppingRule;
  name: string;
  method: string;
  /** What the health scalar is, for the breakdown message (compiler/methods.ts). */
  breakdown?: string;
  /** False for nonlinear solves (Newton), where b = 0 does not mean x = 0. Default true. */
  linear?: boolean;
}

export interface FixpointMethodOptions<T extends Tensor = Tensor> {
  start: (x: T) => T[];
  /** The next state, followed by ‖T(x) − x‖ at the incoming x. */
  step: (state: T[]) => T[];
  x0: T;
  stop: StoppingRule;
  name: string;
  method: string;
  /** A declared Lipschitz constant of T (< 1), for the report's error bound. */
  lipschitz?: number;
}

/** Disposes what `old` holds that `keep` does not, sparing tensors older than the driver. */
export function release<T extends Tensor>(old: readonly T[], keep: readonly T[], mark: number): void {
  for (const t of old) if (t.id > mark && !keep.includes(t) && !t.isDisposed) t.dispose();
}


/**
 * `count` steps from `state`, each step's last `tail` outputs kept as tensors and read once at
 * the end (one round trip to the device for all of them; `extra` adds a scalar of each step's
 * input). Returns every state, `states[0]` being `state` and `states[i]` the one after step i,
 * so the caller can stop at the first step that decides, exactly as one read per step would,
 * and release the others (`keepOnly`): a batch costs up to count − 1 discarded steps and holds
 * count + 1 states at once.
 */
function stepMany<T extends Tensor>(tf: Tf<T>, step: (s: T[]) => T[], state: T[], count: number, tail: number, mark: number, extra?: (s: T[]) => T): { states: T[][]; values: number[][] } {
  const width = tail + (extra ? 1 : 0);
  const states = [state];
  const scalars: T[] = [];
  for (let i = 0; i < count; i++) {
    const cur = states[states.length - 1];
    if (extra) scalars.push(extra(cur));
    const out = step(cur);
    states.push(out.slice(0, out.length - tail));
    scalars.push(...out.slice(out.length - tail));
  }
  const stats = tf.tidy(() => tf.stack(scalars.map((t) => tf.reshape(t, []))));
  const flat = [...stats.dataSync()];
  stats.dispose();
  release(scalars, states.flat(), mark);
  return { states, values: Array.from({ length: count }, (_, i) => flat.slice(i * width, (i + 1) * width)) };
}

/** Releases every state of a batch but `kept`. */
function keepOnly<T extends Tensor>(states: T[][], kept: T[], mark: number): void {
  for (const s of states) if (s !== kept) release(s, kept, mark);
}

/** The steps to take before the next read: `every`, or what is left of the iteration budget. */
function batchSize(every: number, done: number, maxIter: number): number {
  return every <= 1 ? 1 : Math.max(1, Math.min(every, maxIter - done));
}

function norm<T extends Tensor>(tf: Tf<T>, t: T): number {
  const d = tf.tidy(() => flatDot(tf, t, t));
  const v = Math.sqrt(d.dataSync()[0]);
  d.dispose();
  return v;
}

/** A report from a driver's monitor and the fields it knows; shared by every solve driver. */
export function buildReport(
  kind: "solve" | "fixpoint" | "minimize",
  o: { name: string; method: string },
  monitor: ConvergenceMonitor,
  t0: number,
  fields: Pick<Report, "residual" | "relResidual" | "reason"> & Partial<Report>,
): Report {
  const r: Report = {
    name: o.name,
    kind,
    method: o.method,
    iterations: Math.max(0, monitor.iteration),
    converged: fields.reason === "converged_atol" || fields.reason === "converged_rtol",
    history: monitor.history.toArray(),
    seconds: secondsSince(t0),
    ...fields,
  };
  if (monitor.history.truncated) r.historyTruncated = true;
  if (Number.isFinite(monitor.tolerance)) r.tolerance = monitor.tolerance;
  return r;
}

export function runSolveMethod<T extends Tensor>(tf: Tf<NoInfer<T>>, b: T, o: SolveMethodOptions<T>): DriverResult<T> {
  const t0 = performance.now();
  const mark = tensorIdMark(tf);
  const monitor = new ConvergenceMonitor(o.stop);
  const rule = monitor.rule;
  const every = Math.max(1, Math.floor(o.stop.checkEvery ?? 1));
  const trueResidual = (x: T) => {
    const r = tf.tidy(() => tf.sub(b, o.apply(x)));
    const n = norm(tf, r);
    r.dispose();
    return n;
  };
  const bnorm = norm(tf, b);
  const finish = (x: T, reason: Reason, trueRes: number, recursive: number, detail?: string): DriverResult<T> => ({
    value: x,
    report: buildReport("solve", o, monitor, t0, {
      residual: trueRes,
      // With b = 0 (a nonlinear F(x) = 0) no relative residual exists: NaN, shown as "—".
      relResidual: trueRes === 0 ? 0 : bnorm === 0 ? NaN : trueRes / bnorm,
      recursiveResidual: recursive,
      reason,
      ...(detail ? { detail } : {}),
      ...(every > 1 ? { checkedEvery: every } : {}),
    }),
  });
  if (!Number.isFinite(bnorm)) {
    monitor.observe(NaN, bnorm);
    return finish(tf.zerosLike(b), "diverged_nan", NaN, NaN, "NaN or ±Inf in the right-hand side");
  }
  if (bnorm === 0 && o.linear !== false) {
    // A zero right-hand side: the solution of a nonsingular system is exactly zero.
    monitor.observe(0, 0);
    return finish(tf.zerosLike(b), "converged_atol", 0, 0);
  }
  const x0 = o.x0 ? tf.clone(o.x0) : tf.zerosLike(b);
  const r0 = trueResidual(x0);
  const d0 = monitor.observe(r0, bnorm);
  if (d0.stop) return finish(x0, d0.reason, r0, r0, d0.reason === "diverged_nan" ? "the operator gives NaN or ±Inf at the initial guess" : undefined);
  let state = o.start(x0);
  if (!state.includes(x0)) x0.dispose();
  let recursive = r0;
  let replacements = 0;
  let lastTrue = Infinity;
  // What the method's own estimate must reach before the true residual is computed: the
  // tolerance, made finer after each confirmation that failed (see `confirmFailed`).
  let target = tolerance(rule, bnorm);
  for (;;) {
    // One step per read, or `every` on a GPU backend (their scalars read together); the first
    // step that decides is taken, as if each had been read.
    const k0 = monitor.iteration;
    const { states, values } = stepMany(tf, o.step, state, batchSize(every, k0, rule.maxIter), 2, mark);
    let d: Decision | undefined;
    let res = NaN;
    let j = 0;
    for (; j < values.length; j++) {
      const [r, health] = values[j];
      const k = k0 + j + 1;
      const bad = !Number.isFinite(r) || !Number.isFinite(health);
      const broken = !bad && !(health > 0) && !convergedReason(rule, r, bnorm);
      if (bad || broken) {
        // The step is rolled back: the previous iterate stays the answer.
        const x = states[j][0];
        keepOnly(states, [x], mark);
        const detail = bad
          ? `NaN or ±Inf at iteration ${k} (residual estimate ${fmt(r)}, ${o.breakdown ? "health" : "check"} ${fmt(health)})`
          : `${o.breakdown ?? "the method's health quantity"}: got ${fmt(health)} at iteration ${k}`;
        monitor.observe(bad ? NaN : r, bnorm);
        return finish(x, bad ? "diverged_nan" : "breakdown", trueResidual(x), recursive, detail);
      }
      d = monitor.observe(r, bnorm);
      res = r;
      recursive = r;
      // Met the tolerance but not yet the finer target of a replacement: go on while iterations remain.
      if (d.stop && !(d.converged && r > target && k < rule.maxIter)) break;
    }
    state = states[Math.min(j + 1, values.length)];
    keepOnly(states, state, mark);
    if (!d) throw new Error("internal error: a batch of steps read nothing");
    const k = monitor.iteration;
    // Met the tolerance but not yet the finer target of a replacement: go on while iterations remain.
    if (!d.stop || (d.converged && res > target && k < rule.maxIter)) continue;
    const x = state[0];
    if (!d.converged) {
      release(state, [x], mark);
      const detail = d.reason === "diverged_growth" ? `the residual ${fmt(res)} grew past ${fmt(rule.divergenceFactor)} × the initial ${fmt(monitor.initialResidual)}` : undefined;
      return finish(x, d.reason, trueResidual(x), recursive, detail);
    }
    // Converged on the method's estimate: the true residual must confirm it.
    const trueRes = trueResidual(x);
    const conv = convergedReason(rule, trueRes, bnorm);
    if (conv) {
      release(state, [x], mark);
      return finish(x, conv, trueRes, recursive);
    }
    const verdict = confirmFailed({ trueRes, lastTrue, replacements, target, tol: tolerance(rule, bnorm), atMax: k >= rule.maxIter });
    if (verdict.stop) {
      release(state, [x], mark);
      const why =
        `the method's residual ${fmt(res)} met the tolerance ${fmt(tolerance(rule, bnorm))} at iteration ${k}, but the true residual ‖b − Ax‖ = ${fmt(trueRes)} does not ` +
        `(${replacements} restart${replacements === 1 ? "" : "s"} from the true residual${verdict.stagnated ? `; it stopped falling: this is about the attainable ${floatName(x.dtype)} accuracy, about eps·‖A‖‖x‖ — loosen the tolerance` : ""})`;
      return finish(x, "max_iterations", trueRes, recursive, why);
    }
    // Restart from the true residual (residual replacement), aiming the estimate lower.
    lastTrue = trueRes;
    target = verdict.target;
    replacements++;
    const restarted = o.start(x);
    release(state, restarted, mark);
    state = restarted;
  }
}

/**
 * The method's estimate met `target` but the true residual `trueRes` misses the tolerance `tol`
 * (float32 drift between the two). Shared by every solve driver: restart from the true residual
 * (a residual replacement) with the estimate aimed lower — by the miss seen (at most 0.9×) the
 * first time, at least 2× after that: what asking for a finer tolerance does — unless the true residual has stopped falling (by less than
 * 1% since the last restart: float32's floor, about eps·‖A‖‖x‖, where more iterations cannot
 * help), the restarts ran out (MAX_REPLACEMENTS), or the iterations did.
 *
 * So a run that still makes progress is not given up above the tolerance. Measured on Poisson
 * (examples/poisson.iter's operator, f = 1): with the earlier criterion ("a restart must halve
 * the true residual"), CG at N = 127 asked for rtol 1.2e-4 stopped at 1.005× it after 173
 * iterations, and GMRES(30) at N = 63 asked for 1e-4 at 1.012× after 305; both converge now
 * (747 and 327 iterations). Continuing without a restart does not help CG: its recursive
 * residual falls on while x drifts, and the true residual grew 7× in the same test.
 */
export function confirmFailed(o: { trueRes: number; lastTrue: number; replacements: number; target: number; tol: number; atMax: boolean }): { stop: boolean; stagnated: boolean; target: number } {
  // The first restart aims just low enough to make up the miss it saw (a drifted estimate is the
  // usual cause, and the restart removes it); from the second on, at least twice lower.
  const ratio = o.tol / o.trueRes;
  const target = o.target * (o.replacements === 0 ? Math.min(0.9, ratio) : Math.min(0.5, 0.5 * ratio));
  const stagnated = Number.isFinite(o.lastTrue) && !(o.trueRes < 0.99 * o.lastTrue);
  const stop = stagnated || o.replacements >= MAX_REPLACEMENTS || o.atMax || !Number.isFinite(o.trueRes);
  return { stop, stagnated, target };
}

/**
 * Each step reports ‖T(x) − x‖ of its incoming iterate, so the decision for x_k is taken when
 * x_{k+1} has just been computed: on stopping, x_k is returned with its exact residual and the
 * extra step is dropped. history[k] is the residual of x_k (length = iterations + 1).
 */
export function runFixpointMethod<T extends Tensor>(tf: Tf<NoInfer<T>>, o: FixpointMethodOptions<T>): DriverResult<T> {
  const t0 = performance.now();
  const mark = tensorIdMark(tf);
  const monitor = new ConvergenceMonitor(o.stop);
  const x0 = tf.clone(o.x0);
  let state = o.start(x0);
  // A start that computes a new iterate (a fused region does) leaves the copy unused.
  if (!state.includes(x0)) x0.dispose();
  const every = Math.max(1, Math.floor(o.stop.checkEvery ?? 1));
  for (;;) {
    // One step per read, or `every` on a GPU backend: each step's residual and its input's ‖x‖
    // read together; the first step that decides is taken, as if each had been read.
    const { states, values } = stepMany(tf, o.step, state, batchSize(every, monitor.iteration, monitor.rule.maxIter), 1, mark, (s) => tf.tidy(() => tf.sqrt(flatDot(tf, s[0], s[0]))));
    let d: Decision | undefined;
    let [res, ref, j] = [NaN, NaN, 0];
    for (; j < values.length; j++) {
      [ref, res] = [Math.max(values[j][0], FLOAT32_TINY), values[j][1]];
      d = monitor.observe(res, ref);
      if (d.stop) break;
    }
    if (!d) throw new Error("internal error: a batch of steps read nothing");
    if (!d.stop) {
      state = states[values.length];
      keepOnly(states, state, mark);
      continue;
    }
    // Each step reports the residual of its input: the answer is the input of the deciding step.
    const x = states[j][0];
    keepOnly(states, [x], mark);
    const k = monitor.iteration;
    const detail =
      d.reason === "diverged_nan"
        ? `T(x) − x has NaN or ±Inf at iteration ${k}`
        : d.reason === "diverged_growth"
          ? `the residual ${fmt(res)} grew past ${fmt(monitor.rule.divergenceFactor)} × the initial ${fmt(monitor.initialResidual)} at iteration ${k}`
          : undefined;
    const r = buildReport("fixpoint", o, monitor, t0, { residual: res, relResidual: res === 0 ? 0 : res / ref, reason: d.reason, ...(detail ? { detail } : {}), ...(every > 1 ? { checkedEvery: every } : {}) });
    const bound = errorBound(r, { ...(o.lipschitz !== undefined ? { lipschitz: o.lipschitz } : {}), estimate: o.method === "picard" });
    if (bound) r.errorBound = bound;
    return { value: x, report: r };
  }
}
