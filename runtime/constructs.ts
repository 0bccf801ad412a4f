// What each iterative construct means at run time, in one place: which driver runs it and with
// what — its regions as callbacks, its resolved method options and stopping rule — and, for the
// adjoint and tangent constructs autodiff adds, the policy when they (or the forward construct
// they differentiate) do not converge. A backend supplies only "run this region on these
// values"; the drivers own stopping, confirmation and the report. The tfjs interpreter uses
// this module, and so does every backend after it.
import { InternalError } from "../base/diagnostics.js";
import { type AdjointOf, methodSpec, numberOption, optionalNumber } from "../compiler/constructs.js";
import type { ConstructOp, FixpointOp, LoopOp, Region, SolveOp, UnrollOp } from "../compiler/ir/ir.js";
import { runAnderson } from "./drivers/anderson.js";
import { runBroyden } from "./drivers/broyden.js";
import { cgProtocol, picardProtocol } from "./drivers/callbacks.js";
import { runGmres } from "./drivers/gmres.js";
import { type NewtonCallbacks, runNewtonKrylov } from "./drivers/newton.js";
import { runLoop } from "./drivers/loop.js";
import { runFixpointMethod, runSolveMethod } from "./drivers/method.js";
import type { DriverResult, StoppingRule, Tensor, Tf } from "./drivers/stopping.js";
import { counting, tick } from "./drivers/counts.js";
import { runUnroll } from "./drivers/unroll.js";
import type { Tally } from "../compiler/ops/tally.js";
import type { Report } from "./report.js";
import { reportValues } from "./report-values.js";

/** A region as a function of its parameters' values, supplied by the backend. */
export type RunRegion = (region: Region) => (...args: Tensor[]) => Tensor[];

/** What a backend gives the constructs it runs. */
export interface ConstructHost {
  tf: Tf;
  run: RunRegion;
  /** The report of the construct that computed the value `id`, once it has run. */
  reportOf: (id: number) => Report | undefined;
}

export interface ConstructResult {
  values: Tensor[];
  report: Report;
}

/**
 * A gradient whose adjoint did not converge, or whose forward construct did not: under the
 * policy `raise` (the default) the run stops here — a gradient is never used silently — and the
 * reports so far, this one's included, say why.
 */
export class BackwardFailure extends Error {
  /** Every report of the run up to and including this one (the executor fills it in). */
  reports: Report[] = [];

  constructor(
    readonly report: Report,
    message: string,
  ) {
    super(message);
    this.name = "BackwardFailure";
  }
}

export function runConstruct(host: ConstructHost, op: ConstructOp, inputs: Tensor[]): ConstructResult {
  const { result, counts } = counting(op.kind === "loop" || op.kind === "unroll", () => (op.kind !== "unroll" && op.adjointOf ? adjoint(host, op, op.adjointOf, inputs) : runPlain(host, op, inputs)));
  result.report.counts = counts;
  if (op.kind === "unroll" || !op.reportFields?.length) return result;
  // The report fields the program reads, after the construct's own outputs.
  const maxIter = op.kind === "loop" ? op.maxIter : op.stop.maxIter;
  return { ...result, values: [...result.values, ...reportValues(host.tf, result.report, op.reportFields, maxIter)] };
}

function runPlain(host: ConstructHost, op: ConstructOp, inputs: Tensor[], stop?: StoppingRule): ConstructResult {
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

/** Broyden's options from its method clause (the registry's defaults filled in by the checker). */
function broydenOptions(method: FixpointOp["method"]) {
  const alpha = optionalNumber(method, "alpha");
  return {
    m: numberOption(method, "m"),
    ...(alpha !== undefined ? { alpha } : {}),
    reduction: method.options.reduction === "simple" ? ("simple" as const) : ("restart" as const),
    lineSearch: method.options.line_search !== false,
  };
}

/** The one-argument function a region computes, each call counted as an application of `what`. */
function unary(run: RunRegion, r: Region, what: Tally = "operator"): (x: Tensor) => Tensor {
  const f = run(r);
  return (x) => {
    tick(what);
    return f(x)[0];
  };
}

function fixpoint({ tf, run }: ConstructHost, op: FixpointOp, [x0]: Tensor[], stop: StoppingRule): DriverResult {
  const { start, step, map } = op.regions;
  const lipschitz = optionalNumber(op.method, "lipschitz");
  const common = { stop, name: op.label, ...(lipschitz !== undefined ? { lipschitz } : {}) };
  if (start && step) {
    const [begin, advance] = [run(start), run(step)];
    return runFixpointMethod(tf, { ...common, start: (x) => begin(x), step: (s) => advance(...s), x0, method: op.method.name });
  }
  if (op.method.name === "anderson") {
    const options = { m: numberOption(op.method, "m"), damping: numberOption(op.method, "damping"), ridge: numberOption(op.method, "ridge"), restart: numberOption(op.method, "restart"), safeguard: op.method.options.safeguard !== false };
    return runAnderson(tf, unary(run, map), x0, { ...options, ...common });
  }
  if (op.method.name === "broyden") return runBroyden(tf, { kind: "fixpoint", map: unary(run, map), x0 }, { ...broydenOptions(op.method), ...common });
  if (op.method.name === "picard") return runFixpointMethod(tf, { ...common, ...picardProtocol(tf, unary(run, map)), x0, method: "picard" });
  throw new InternalError(`fixpoint method \`${op.method.name}\` has no driver`);
}

function solve({ tf, run }: ConstructHost, op: SolveOp, [b, x0]: Tensor[], stop: StoppingRule): DriverResult {
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
    const side = op.method.options.side === "left" ? "left" : "right";
    result = runGmres(tf, apply, b, { ...common, restart: numberOption(op.method, "restart"), side, ...(precond ? { precond: unary(run, precond, "precond") } : {}) });
  } else if (op.method.name === "newton_krylov") {
    result = runNewtonKrylov(tf, newtonCallbacks(run, op), b, { ...common, inner: numberOption(op.method, "inner"), innerMax: numberOption(op.method, "inner_max"), forcing: op.method.options.forcing === "constant" ? "constant" : "ew", eta: numberOption(op.method, "eta") });
  } else if (op.method.name === "broyden") {
    result = runBroyden(tf, { kind: "solve", F: apply, b, ...(x0 ? { x0 } : {}) }, { ...broydenOptions(op.method), ...common });
  } else if (op.method.name === "cg") {
    // An adjoint solve: its operator is a transpose autodiff derived, so CG runs over callbacks.
    const cg = cgProtocol(tf, b, apply, precond ? unary(run, precond, "precond") : undefined);
    const breakdown = spec.implementation.kind === "iter" ? spec.implementation.breakdown : undefined;
    result = runSolveMethod(tf, b, { ...common, ...cg, apply, method: "cg", linear: true, ...(breakdown ? { breakdown } : {}) });
  } else throw new InternalError(`solve method \`${op.method.name}\` has no driver`);
  // An approximation the method makes is said in every report of it.
  if (spec.note) result.report.detail = result.report.detail ? `${result.report.detail}; ${spec.note}` : spec.note;
  return result;
}

/** F, J(x)v and the preconditioner of the Jacobian, from a Newton driver's regions, each call counted. */
function newtonCallbacks(run: RunRegion, op: SolveOp): NewtonCallbacks {
  const { operator, jacobian, precond } = op.regions;
  if (!jacobian) throw new InternalError(`the Newton solve \`${op.label}\` has no jacobian region`);
  const binary = (r: Region, what: Tally) => {
    const f = run(r);
    return (x: Tensor, v: Tensor) => {
      tick(what);
      return f(x, v)[0];
    };
  };
  return { F: unary(run, operator), J: binary(jacobian, "jacobian"), ...(precond ? { M: binary(precond, "precond") } : {}) };
}

function loop({ tf, run }: ConstructHost, op: LoopOp, inits: Tensor[], maxIter = op.maxIter): ConstructResult {
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

function unroll({ tf, run, reportOf }: ConstructHost, op: UnrollOp, inputs: Tensor[]): ConstructResult {
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
function adjoint(host: ConstructHost, op: FixpointOp | SolveOp | LoopOp, of: AdjointOf, inputs: Tensor[]): ConstructResult {
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
function phantom(host: ConstructHost, op: FixpointOp | SolveOp | LoopOp, k: number, inputs: Tensor[]): ConstructResult {
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
