// Stopping rules and the monitor that applies them: fed one residual per iteration, it records
// the history and decides whether to go on, and if not, why (the Reason of the report).
import { DEFAULT_RTOL } from "../../compiler/methods.js";
import { ResidualHistory, type Reason, type Report } from "../report.js";
import { isFloatDType, type Tensor, type TensorApi } from "./tensor-api.js";

export interface StoppingRule {
  /**
   * Relative tolerance: converged when residual ≤ rtol · ref, where ref is the driver's
   * reference norm (‖b‖ for solves, ‖x‖ for fixpoints). Default: 1e-5 when neither rtol nor
   * atol is given, else 0.
   */
  rtol?: number;
  /** Absolute tolerance: converged when residual ≤ atol. Default 0. */
  atol?: number;
  /** The most iterations (updates) allowed; reaching it stops with `max_iterations`. */
  maxIter: number;
  /** residual > divergenceFactor × initial residual → `diverged_growth`. Default 1e8. */
  divergenceFactor?: number;
  /**
   * Told every residual the monitor records; answering "stop" ends an iteration that would go
   * on, with the reason `aborted` (the caller asked). Not part of the rule's numbers: it is here
   * so that it reaches every driver's monitor through the options the driver already takes.
   */
  listener?: ResidualListener;
  /**
   * Read the method's residual every this many iterations instead of after each (a GPU
   * backend): the generic drivers (runtime/drivers/method.ts) take that many steps between
   * reads, one read for all their scalars. Default 1.
   */
  checkEvery?: number;
}

/**
 * Who watches a construct's iteration (runtime/monitor/watcher.ts): the residual just recorded
 * at `iteration`, the reference norm of its relative test and the threshold it was tested
 * against. Called once per recorded residual, so it must be cheap.
 */
export type ResidualListener = (iteration: number, residual: number, ref: number, tolerance: number) => "stop" | void;

export const DEFAULT_DIVERGENCE_FACTOR = 1e8;

export interface ResolvedRule {
  rtol: number;
  atol: number;
  maxIter: number;
  divergenceFactor: number;
}

/** Fills in the defaults and checks the numbers (a bad rule is a caller's bug: it throws). */
export function resolveRule(rule: StoppingRule): ResolvedRule {
  const neither = rule.rtol === undefined && rule.atol === undefined;
  const r: ResolvedRule = {
    rtol: rule.rtol ?? (neither ? DEFAULT_RTOL : 0),
    atol: rule.atol ?? 0,
    maxIter: rule.maxIter,
    divergenceFactor: rule.divergenceFactor ?? DEFAULT_DIVERGENCE_FACTOR,
  };
  if (!(r.rtol >= 0) || !(r.atol >= 0)) throw new RangeError(`tolerances must be ≥ 0 (rtol ${r.rtol}, atol ${r.atol})`);
  if (!Number.isInteger(r.maxIter) || r.maxIter < 0) throw new RangeError(`maxIter must be an integer ≥ 0, got ${r.maxIter}`);
  if (!(r.divergenceFactor > 0)) throw new RangeError(`divergenceFactor must be > 0, got ${r.divergenceFactor}`);
  return r;
}

export type Decision =
  | { stop: false; iteration: number }
  | { stop: true; iteration: number; reason: Reason; converged: boolean };

/** The threshold the convergence test compares against: max(atol, rtol · ref). */
export function tolerance(rule: ResolvedRule, ref: number): number {
  return Math.max(rule.atol, rule.rtol * ref);
}

/**
 * Which convergence criterion `residual` meets, if any: `converged_atol` when residual ≤ atol
 * (the absolute criterion is the one met, as PETSc reports it), else `converged_rtol` when
 * residual ≤ rtol · ref, else undefined. NaN meets neither.
 */
export function convergedReason(rule: ResolvedRule, residual: number, ref: number): Reason | undefined {
  if (residual <= rule.atol) return "converged_atol";
  if (residual <= rule.rtol * ref) return "converged_rtol";
  return undefined;
}

/**
 * Fed one residual per iteration (index 0 = the initial residual), decides continue/stop.
 * The checks, in order: NaN or ±Inf → `diverged_nan`; convergence (see `convergedReason`);
 * iteration ≥ maxIter → `max_iterations`; residual > divergenceFactor × initial residual →
 * `diverged_growth`.
 */
export class ConvergenceMonitor {
  readonly rule: ResolvedRule;
  readonly history = new ResidualHistory();
  /** The threshold of the latest decision, max(atol, rtol · ref): the report's `tolerance`. */
  tolerance = NaN;
  private readonly listener: ResidualListener | undefined;

  constructor(rule: StoppingRule) {
    this.rule = resolveRule(rule);
    this.listener = rule.listener;
  }

  /** The index of the latest residual observed (= completed iterations), -1 before any. */
  get iteration(): number {
    return this.history.length - 1;
  }

  get initialResidual(): number {
    return this.history.first;
  }

  /**
   * Records `residual` for the next iteration index and decides. `ref` is the rtol reference.
   * The listener hears of it; when it answers "stop", an iteration that would go on stops with
   * `aborted` (one that stops anyway keeps its own, more telling, reason).
   */
  observe(residual: number, ref: number): Decision {
    this.history.push(residual);
    const d = this.decide(residual, ref);
    if (this.listener?.(d.iteration, residual, ref, this.tolerance) === "stop" && !d.stop) {
      return { stop: true, iteration: d.iteration, reason: "aborted", converged: false };
    }
    return d;
  }

  /** Decides for the latest iteration index without recording anything. */
  decide(residual: number, ref: number): Decision {
    const iteration = this.iteration;
    this.tolerance = tolerance(this.rule, ref);
    if (!Number.isFinite(residual)) return { stop: true, iteration, reason: "diverged_nan", converged: false };
    const conv = convergedReason(this.rule, residual, ref);
    if (conv) return { stop: true, iteration, reason: conv, converged: true };
    if (iteration >= this.rule.maxIter) return { stop: true, iteration, reason: "max_iterations", converged: false };
    if (iteration > 0 && residual > this.rule.divergenceFactor * this.initialResidual) {
      return { stop: true, iteration, reason: "diverged_growth", converged: false };
    }
    return { stop: false, iteration };
  }
}

/** A short, readable number for `detail` messages. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}

// ---------------------------------------------------------------------------------------------
// Tensor helpers shared by the drivers. Every driver treats a tensor of any shape as a flat
// vector for inner products and norms.

export type Tf<T extends Tensor = Tensor> = TensorApi<T>;
export type { Tensor };

/** What a driver returns: the value (owned by the caller, who disposes it) and the report. */
export interface DriverResult<T extends Tensor = Tensor> {
  value: T;
  report: Report;
}

/** The smallest positive normal float32: the floor of a reference norm. */
export const FLOAT32_TINY = 1.1754943508222875e-38;

/**
 * ⟨a, b⟩ of two same-size tensors as flat vectors, a rank-0 tensor. One matMul of a [1, N] row
 * by an [N, 1] column: one kernel over the data (the reshapes are free views), measured faster
 * than `sum(mul(a, b))` (two kernels, one temporary) and than `tf.dot` on both cpu and wasm.
 */
export function flatDot<T extends Tensor>(tf: Tf<NoInfer<T>>, a: T, b: T): T {
  const n = a.size;
  // An empty system: the sum of no products is 0 (XNNPACK refuses a matMul with no entries).
  if (n === 0) return tf.scalar(0);
  return tf.reshape(tf.matMul(tf.reshape(a, [1, n]), tf.reshape(b, [n, 1])), []);
}

/**
 * The id of the newest tensor now: tensors created later have larger ids. The drivers use it to
 * tell tensors they created (and may dispose) from tensors a callback captured from outside.
 */
export function tensorIdMark(tf: Pick<Tf, "scalar">): number {
  const t = tf.scalar(0);
  const id = t.id;
  t.dispose();
  return id;
}

/** The seconds elapsed since `t0` (a `performance.now()` reading). */
export function secondsSince(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/**
 * For `detail` messages on a failure path (reads the tensor back; never called per iteration):
 * `3 NaN and 1 ±Inf of 64 entries, the first at flat index 5`, or `no NaN or ±Inf entries`.
 */
export function describeNonFinite(t: Tensor): string {
  const data = t.dataSync();
  let nan = 0;
  let inf = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isNaN(v)) nan++;
    else if (v === Infinity || v === -Infinity) inf++;
    else continue;
    if (first < 0) first = i;
  }
  if (first < 0) return "no NaN or ±Inf entries";
  const parts = [nan > 0 ? `${nan} NaN` : "", inf > 0 ? `${inf} ±Inf` : ""].filter((s) => s !== "");
  return `${parts.join(" and ")} of ${data.length} entries, the first at flat index ${first}`;
}

/**
 * A callback's result in the shape of its argument: reshaped (a free view) when only the shape
 * differs, so that arithmetic never broadcasts by accident; a different size is a caller's bug
 * and throws.
 */
export function conform<T extends Tensor>(tf: Tf<NoInfer<T>>, what: string, got: T, want: T): T {
  if (got.size !== want.size) {
    throw new Error(
      `${what} returned a tensor of shape [${got.shape.join(", ")}] for an argument of shape [${want.shape.join(", ")}]`,
    );
  }
  const same = got.shape.length === want.shape.length && got.shape.every((d, i) => d === want.shape[i]);
  const shaped = same ? got : tf.reshape(got, want.shape);
  return isFloatDType(shaped.dtype) ? shaped : tf.cast(shaped, "float32");
}
