// What each iterative construct means at run time, in one place: which driver runs it and with
// what — its regions as callbacks, its resolved method options and stopping rule — and, for the
// adjoint and tangent constructs autodiff adds, the policy when they (or the forward construct
// they differentiate) do not converge. A backend supplies only "run this region on these
// values"; the drivers own stopping, confirmation and the report. The tfjs interpreter uses
// this module, and so does every backend after it.
import { InternalError } from "../base/diagnostics.js";
import { type AdjointOf, methodSpec, numberOption, optionalNumber } from "../compiler/constructs.js";
import type { Region } from "../compiler/ir/ir.js";
import type { ConstructSpec, FixpointSpec, LoopSpec, SolveSpec, UnrollSpec } from "./construct-spec.js";
import { runAnderson } from "./drivers/anderson.js";
import { cgProtocol, picardProtocol } from "./drivers/callbacks.js";
import { runGmres } from "./drivers/gmres.js";
import { runLoop } from "./drivers/loop.js";
import { runFixpointMethod, runSolveMethod } from "./drivers/method.js";
import type { DriverResult, StoppingRule, Tensor, Tf } from "./drivers/stopping.js";
import { runUnroll } from "./drivers/unroll.js";
import type { Report } from "./report.js";
import { BackwardFailure } from "./backward-failure.js";

export { BackwardFailure };

/**
 * A region as a function of its parameters' values, supplied by the backend. `R` is how the
 * backend holds a region: an IR region (the interpreter), a closure (generated code).
 */
export type RunRegion<R = Region> = (region: R) => (...args: Tensor[]) => Tensor[];

/** What a backend gives the constructs it runs. */
export interface ConstructHost<R = Region> {
  tf: Tf;
  run: RunRegion<R>;
  /** The report of the construct that computed the value `id`, once it has run. */
  reportOf: (id: number) => Report | undefined;
}

export interface ConstructResult {
  values: Tensor[];
  report: Report;
}

export function runConstruct<R>(host: ConstructHost<R>, op: ConstructSpec<R>, inputs: Tensor[]): ConstructResult {
  if (op.kind !== "unroll" && op.adjointOf) return adjoint(host, op, op.adjointOf, inputs);
  return runPlain(host, op, inputs);
}

function runPlain<R>(host: ConstructHost<R>, op: ConstructSpec<R>, inputs: Tensor[], stop?: StoppingRule): ConstructResult {
  switch (op.kind) {
    case "fixpoint":
      return single(fixpoint(host, op, inputs, stop ?? op.stop));
    case "solve":
      return single(solve(host, op, inputs, stop ?? op.stop));
    case "loop":
      return loop(host, op, inputs, stop?.maxIter);
    case "unroll":
      return unroll(host, op, inputs);
  }
}

const single = (r: DriverResult): ConstructResult => ({ values: [r.value], report: r.report });

/** The one-argument function a region computes. */
function unary<R>(run: RunRegion<R>, r: R): (x: Tensor) => Tensor {
  const f = run(r);
  return (x) => f(x)[0];
}

function fixpoint<R>({ tf, run }: ConstructHost<R>, op: FixpointSpec<R>, [x0]: Tensor[], stop: StoppingRule): DriverResult {
  const { start, step, map } = op.regions;
  const lipschitz = optionalNumber(op.method, "lipschitz");
  const common = { stop, name: op.label, ...(lipschitz !== undefined ? { lipschitz } : {}) };
  if (start && step) {
    const [begin, advance] = [run(start), run(step)];
    return runFixpointMethod(tf, { ...common, start: (x) => begin(x), step: (s) => advance(...s), x0, method: op.method.name });
  }
  if (op.method.name === "anderson") {
    const options = { m: numberOption(op.method, "m"), damping: numberOption(op.method, "damping"), ridge: numberOption(op.method, "ridge"), restart: numberOption(op.method, "restart") };
    return runAnderson(tf, unary(run, map), x0, { ...options, ...common });
  }
  if (op.method.name === "picard") return runFixpointMethod(tf, { ...common, ...picardProtocol(tf, unary(run, map)), x0, method: "picard" });
  throw new InternalError(`fixpoint method \`${op.method.name}\` has no driver`);
}

function solve<R>({ tf, run }: ConstructHost<R>, op: SolveSpec<R>, [b, x0]: Tensor[], stop: StoppingRule): DriverResult {
  const { operator, precond, start, step } = op.regions;
  const apply = unary(run, operator);
  const spec = methodSpec(op.method);
  const common = { stop, name: op.label, ...(x0 ? { x0 } : {}) };
  let result: DriverResult;
  if (start && step) {
    const [begin, advance] = [run(start), run(step)];
    const breakdown = spec.implementation.kind === "iter" ? spec.implementation.breakdown : undefined;
    result = runSolveMethod(tf, b, { ...common, start: (x) => begin(x), step: (s) => advance(...s), apply, method: op.method.name, linear: !spec.nonlinear, ...(breakdown ? { breakdown } : {}) });
  } else if (op.method.name === "gmres") {
    result = runGmres(tf, apply, b, { ...common, restart: numberOption(op.method, "restart"), ...(precond ? { precond: unary(run, precond) } : {}) });
  } else if (op.method.name === "cg") {
    // An adjoint solve: its operator is a transpose autodiff derived, so CG runs over callbacks.
    const cg = cgProtocol(tf, b, apply, precond ? unary(run, precond) : undefined);
    const breakdown = spec.implementation.kind === "iter" ? spec.implementation.breakdown : undefined;
    result = runSolveMethod(tf, b, { ...common, ...cg, apply, method: "cg", linear: true, ...(breakdown ? { breakdown } : {}) });
  } else throw new InternalError(`solve method \`${op.method.name}\` has no driver`);
  // An approximation the method makes is said in every report of it.
  if (spec.note) result.report.detail = result.report.detail ? `${result.report.detail}; ${spec.note}` : spec.note;
  return result;
}

function loop<R>({ tf, run }: ConstructHost<R>, op: LoopSpec<R>, inits: Tensor[], maxIter = op.maxIter): ConstructResult {
  const { body, until } = op.regions;
  const counted = op.counter !== null;
  const withCounter = (k: number, xs: Tensor[]) => (counted ? [tf.scalar(k), ...xs] : xs);
  const [step, done] = [run(body), until ? run(until) : undefined];
  const { values, report } = runLoop(tf, {
    init: inits,
    step: (k, xs) => tf.tidy(() => step(...withCounter(k, xs))),
    done: done ? (k, xs) => tf.tidy(() => done(...withCounter(k, xs))[0]) : undefined,
    maxIter,
    counted: op.counted,
    names: op.outputs.map((o) => o.hint ?? `%${o.id}`),
    name: op.label,
  });
  return { values, report };
}

function unroll<R>({ tf, run, reportOf }: ConstructHost<R>, op: UnrollSpec<R>, inputs: Tensor[]): ConstructResult {
  const n = inputs.length / 2;
  const counted = op.counter !== null;
  const withCounter = (k: number, xs: Tensor[]) => (counted ? [tf.scalar(k), ...xs] : xs);
  const [step, back, done] = [run(op.regions.body), run(op.regions.back), op.regions.until ? run(op.regions.until) : undefined];
  // A fixpoint differentiated `unrolled`: as many steps as the forward one took.
  const forward = op.iterationsOf !== undefined ? reportOf(op.iterationsOf) : undefined;
  if (op.iterationsOf !== undefined && !forward) throw new InternalError(`the forward construct of \`${op.label}\` has no report`);
  const result = runUnroll(tf, {
    init: inputs.slice(0, n),
    cts: inputs.slice(n),
    step: (k, xs) => tf.tidy(() => step(...withCounter(k, xs))),
    ...(done ? { done: (k: number, xs: Tensor[]) => tf.tidy(() => done(...withCounter(k, xs))[0]) } : {}),
    back: (k, xs, cts) => tf.tidy(() => back(...withCounter(k, xs), ...cts)),
    captured: op.outputs.length - n,
    maxIter: forward ? forward.iterations : op.maxIter,
    checkpoint: op.checkpoint,
    name: op.label,
  });
  if (op.adjointOf) result.report.adjointOf = op.adjointOf.label;
  if (forward && !forward.converged) policyFailure(result.report, op.adjointOf, `the forward fixpoint \`${forward.name}\` did not converge (${forward.reason})`);
  return result;
}

/**
 * An adjoint or tangent construct, under its policy: it runs only on a converged forward
 * construct, and its own failure to converge is never passed on silently.
 */
function adjoint<R>(host: ConstructHost<R>, op: FixpointSpec<R> | SolveSpec<R> | LoopSpec<R>, of: AdjointOf, inputs: Tensor[]): ConstructResult {
  const forward = host.reportOf(of.forward);
  const forwardFailed = forward && !forward.converged ? `the forward ${forward.kind} \`${forward.name}\` did not converge (${forward.reason}), so it is not differentiated as if it had` : undefined;
  const result = forwardFailed && of.onFail.mode === "phantom" ? phantom(host, op, of.onFail.k, inputs) : runPlain(host, op, inputs);
  result.report.adjointOf = of.label;
  if (forwardFailed) {
    // The cause is the forward construct's, whatever the adjoint itself did.
    result.report.reason = "forward_failed";
    policyFailure(result.report, of, forwardFailed);
  }
  else if (!result.report.converged && of.onFail.mode === "phantom") {
    disposeAll(result.values);
    const again = phantom(host, op, of.onFail.k, inputs);
    again.report.adjointOf = of.label;
    again.report.detail = `the adjoint did not converge (${result.report.reason}); ${again.report.detail}`;
    return again;
  } else if (!result.report.converged) policyFailure(result.report, of, `the ${of.role} ${result.report.kind} did not converge (${result.report.reason})`);
  return result;
}

/** `on backward_fail phantom(k: n)`: n steps of the adjoint iteration, an approximate gradient. */
function phantom<R>(host: ConstructHost<R>, op: FixpointSpec<R> | SolveSpec<R> | LoopSpec<R>, k: number, inputs: Tensor[]): ConstructResult {
  const r = runPlain(host, op, inputs, { rtol: 0, atol: 0, maxIter: k });
  r.report.reason = "completed";
  r.report.converged = true;
  r.report.detail = `${k} step${k === 1 ? "" : "s"} of the adjoint iteration stand in for its solution (a phantom gradient, approximate) per \`on backward_fail phantom\``;
  return r;
}

/** Under `raise`, a failure stops the run; under `phantom`, it is said in the report. */
function policyFailure(report: Report, of: AdjointOf | undefined, why: string): void {
  report.detail = report.detail ? `${why}; ${report.detail}` : why;
  if (of?.onFail.mode === "phantom") return;
  report.converged = false;
  if (report.reason === "completed" || report.reason.startsWith("converged")) report.reason = "forward_failed";
  throw new BackwardFailure(report, `the gradient through \`${of?.label ?? report.name}\` is not used: ${why}`);
}

function disposeAll(ts: readonly Tensor[]): void {
  for (const t of ts) if (!t.isDisposed) t.dispose();
}
