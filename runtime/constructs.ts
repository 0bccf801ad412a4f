// What each iterative construct means at run time, in one place: which driver runs it and with
// what — its regions as callbacks, its resolved method options and stopping rule — and, for the
// adjoint and tangent constructs autodiff adds, the policy when they (or the forward construct
// they differentiate) do not converge. A backend supplies only "run this region on these
// values"; the drivers own stopping, confirmation and the report. The tfjs interpreter uses
// this module, and so does every backend after it, generated modules included: a region is
// whatever the backend runs (`R`: an IR region for the interpreters, a closure for generated
// code), and a construct is its spec (runtime/construct-spec.ts; an IR construct op is one).
import { InternalError } from "../base/diagnostics.js";
import { type AdjointOf, methodSpec, numberOption, optionalNumber } from "../compiler/constructs.js";
import { operandCount } from "../compiler/training.js";
import type { ConstructOp, Region } from "../compiler/ir/ir.js";
import type { ConstructSpec, FixpointSpec, LoopSpec, MinimizeSpec, SolveSpec, TrainSpec, UnrollSpec } from "./construct-spec.js";
import { runAnderson } from "./drivers/anderson.js";
import { runBroyden } from "./drivers/broyden.js";
import { cgProtocol, picardProtocol } from "./drivers/callbacks.js";
import { runGmres } from "./drivers/gmres.js";
import { type NewtonCallbacks, runNewtonKrylov } from "./drivers/newton.js";
import { counting, tick } from "./drivers/counts.js";
import type { Tally } from "../compiler/ops/tally.js";
import { reportValues } from "./report-values.js";
import { runLbfgs } from "./drivers/lbfgs.js";
import { runLoop } from "./drivers/loop.js";
import { runFixpointMethod, runSolveMethod } from "./drivers/method.js";
import { runOptimiser } from "./drivers/minimize.js";
import { runTrain, type StepProgress } from "./drivers/train.js";
import type { TrainingHost } from "./training-types.js";
import { type DriverResult, flatDot, type ResidualListener, type StoppingRule, type Tensor, type Tf } from "./drivers/stopping.js";
import { runUnroll } from "./drivers/unroll.js";
import { watchedRun } from "./monitor/watched-run.js";
import type { Watcher } from "./monitor/watcher.js";
import type { Report } from "./report.js";
import { BackwardFailure } from "./backward-failure.js";

export { BackwardFailure };

/**
 * A region as a function of its parameters' values, supplied by the backend. `R` is how the
 * backend holds a region: an IR region (the interpreters), a closure (generated code).
 */
export type RunRegion<T extends Tensor = Tensor, R = Region> = (region: R) => (...args: T[]) => T[];

/** What a backend gives the constructs it runs. */
export interface ConstructHost<T extends Tensor = Tensor, R = Region> {
  tf: Tf<T>;
  run: RunRegion<T, R>;
  /** The report of the construct that computed the value `id`, once it has run. */
  reportOf: (id: number) => Report | undefined;
  /** Data, checkpoints and resumption for `train` (absent: a program without one). */
  training?: TrainingHost;
  /** Which engine runs the construct (`tfjs-wasm`, `native f64: …`), for its report. */
  engine?: string;
  /** Who watches the run (monitors, the API's onIteration, an abort); absent: nobody, at no cost. */
  watch?: Watcher;
  /** The open run's listener, which runConstruct gives the stopping rules of the run it opens. */
  listen?: ResidualListener;
  /**
   * Read the residual every this many iterations (a GPU backend, where each read is a round
   * trip): the generic drivers step that often between reads and say so in the report.
   */
  checkEvery?: number;
}

export interface ConstructResult<T extends Tensor = Tensor> {
  values: T[];
  report: Report;
}

/**
 * The regions a construct's driver calls, adjoints and phantom gradients included: what a
 * backend must be able to run for it (a method written in iterlang runs `start` and `step`, and
 * a solve's `operator` for the true residual; a TypeScript driver runs `map`, or `operator`,
 * `precond` and a Newton solve's `jacobian`).
 */
export function calledRegions(op: ConstructOp): Region[] {
  const some = (...rs: (Region | undefined)[]): Region[] => rs.filter((r): r is Region => r !== undefined);
  switch (op.kind) {
    case "fixpoint":
      return op.regions.start && op.regions.step ? some(op.regions.start, op.regions.step) : [op.regions.map];
    case "solve": {
      const { operator, precond, jacobian, start, step } = op.regions;
      return start && step ? some(start, step, operator) : some(operator, precond, jacobian);
    }
    case "loop":
      return some(op.regions.body, op.regions.until);
    case "unroll":
      return some(op.regions.body, op.regions.back, op.regions.until);
    case "minimize":
      return some(op.regions.value, op.regions.start, op.regions.step);
    case "train":
      return some(op.regions.loss, op.regions.gradient, op.regions.start, op.regions.step);
  }
}

export function runConstruct<T extends Tensor, R = Region>(host: ConstructHost<T, R>, op: ConstructSpec<R>, inputs: T[]): ConstructResult<T> {
  // The report says which engine ran it before anyone watching hears of its end.
  const run = (h: ConstructHost<T, R>): ConstructResult<T> => {
    const { result, counts } = counting(op.kind === "loop" || op.kind === "unroll", () => runOp(h, op, inputs));
    result.report.counts = counts;
    if (host.engine) result.report.engine = host.engine;
    return withReportFields(h.tf, op, result);
  };
  if (!host.watch) return run(host);
  return watchedRun(host.watch, op, (listen) => run({ ...host, listen }), (r) => disposeAll(r.values));
}

/** The report fields the program reads (`u.iterations`, …), after the construct's own outputs. */
function withReportFields<T extends Tensor, R>(tf: Tf<T>, op: ConstructSpec<R>, result: ConstructResult<T>): ConstructResult<T> {
  if (op.kind !== "fixpoint" && op.kind !== "solve" && op.kind !== "loop") return result;
  if (!op.reportFields?.length) return result;
  const maxIter = op.kind === "loop" ? op.maxIter : op.stop.maxIter;
  return { ...result, values: [...result.values, ...reportValues(tf, result.report, op.reportFields, maxIter)] };
}

function runOp<T extends Tensor, R>(host: ConstructHost<T, R>, op: ConstructSpec<R>, inputs: T[]): ConstructResult<T> {
  if ((op.kind === "fixpoint" || op.kind === "solve" || op.kind === "loop") && op.adjointOf) return adjoint(host, op, op.adjointOf, inputs);
  return runPlain(host, op, inputs);
}

/** The rule with the open run's listener, when someone watches. */
function heard<T extends Tensor, R>(host: ConstructHost<T, R>, rule: StoppingRule): StoppingRule {
  return { ...rule, ...(host.listen ? { listener: host.listen } : {}), ...(host.checkEvery && host.checkEvery > 1 ? { checkEvery: host.checkEvery } : {}) };
}

function runPlain<T extends Tensor, R>(host: ConstructHost<T, R>, op: ConstructSpec<R>, inputs: T[], stop?: StoppingRule): ConstructResult<T> {
  switch (op.kind) {
    case "fixpoint":
      return single(fixpoint(host, op, inputs, heard(host, stop ?? op.stop)));
    case "solve":
      return single(solve(host, op, inputs, heard(host, stop ?? op.stop)));
    case "minimize":
      return single(minimize(host, op, inputs, heard(host, stop ?? op.stop)));
    case "train":
      return train(host, op, inputs);
    case "loop":
      return loop(host, op, inputs, stop?.maxIter);
    case "unroll":
      return unroll(host, op, inputs);
  }
}

const single = <T extends Tensor>(r: DriverResult<T>): ConstructResult<T> => ({ values: [r.value], report: r.report });

/** Broyden's options from its method clause (the registry's defaults filled in by the checker). */
function broydenOptions(method: FixpointSpec<unknown>["method"]) {
  const alpha = optionalNumber(method, "alpha");
  return {
    m: numberOption(method, "m"),
    ...(alpha !== undefined ? { alpha } : {}),
    reduction: method.options.reduction === "simple" ? ("simple" as const) : ("restart" as const),
    lineSearch: method.options.line_search !== false,
  };
}

/** The one-argument function a region computes, each call counted as an application of `what`. */
function unary<T extends Tensor, R>(run: RunRegion<T, R>, r: R, what: Tally = "operator"): (x: T) => T {
  const f = run(r);
  return (x) => {
    tick(what);
    return f(x)[0];
  };
}

function fixpoint<T extends Tensor, R>({ tf, run }: ConstructHost<T, R>, op: FixpointSpec<R>, [x0]: T[], stop: StoppingRule): DriverResult<T> {
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

function solve<T extends Tensor, R>(host: ConstructHost<T, R>, op: SolveSpec<R>, inputs: T[], stop: StoppingRule): DriverResult<T> {
  if (!op.nullspace) return solveGiven(host, op, inputs, stop);
  const [b, x0, stats] = inputs;
  const [removed, znorm] = [...stats.dataSync()];
  const result = solveGiven(host, op, [b, x0], stop);
  const r = result.report;
  if (!(znorm > 0 && Number.isFinite(znorm))) {
    // b = f − (⟨z, f⟩/⟨z, z⟩) z is NaN: the driver has stopped on it; say why.
    r.detail = `the null space vector is ${znorm === 0 ? "zero" : "not finite"} (‖z‖ = ${znorm}), so it spans nothing to project out${r.detail ? `; ${r.detail}` : ""}`;
    return result;
  }
  // ‖f‖² = ‖b‖² + removed²: b is f with its component along z removed.
  const d = host.tf.tidy(() => flatDot(host.tf, b, b));
  const fnorm = Math.hypot(Math.sqrt(d.dataSync()[0]), removed);
  d.dispose();
  r.nullspace = { removed, relative: fnorm > 0 ? removed / fnorm : 0 };
  return result;
}

function solveGiven<T extends Tensor, R>({ tf, run }: ConstructHost<T, R>, op: SolveSpec<R>, [b, x0]: T[], stop: StoppingRule): DriverResult<T> {
  const { operator, precond, start, step } = op.regions;
  const apply = unary(run, operator);
  const spec = methodSpec(op.method);
  const common = { stop, name: op.label, ...(x0 ? { x0 } : {}) };
  let result: DriverResult<T>;
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
function newtonCallbacks<T extends Tensor, R>(run: RunRegion<T, R>, op: SolveSpec<R>): NewtonCallbacks<T> {
  const { operator, jacobian, precond } = op.regions;
  if (!jacobian) throw new InternalError(`the Newton solve \`${op.label}\` has no jacobian region`);
  const binary = (r: R, what: Tally) => {
    const f = run(r);
    return (x: T, v: T) => {
      tick(what);
      return f(x, v)[0];
    };
  };
  return { F: unary(run, operator), J: binary(jacobian, "jacobian"), ...(precond ? { M: binary(precond, "precond") } : {}) };
}

function minimize<T extends Tensor, R>({ tf, run }: ConstructHost<T, R>, op: MinimizeSpec<R>, [x0]: T[], stop: StoppingRule): DriverResult<T> {
  const { value, start, step } = op.regions;
  const evaluate = run(value);
  const objective = { value: (x: T) => evaluate(x) as [T, T] };
  const common = { ...objective, x0, stop, name: op.label };
  if (start && step) {
    const [begin, advance] = [run(start), run(step)];
    return runOptimiser(tf, { ...common, start: (x) => begin(x), step: (g, k, lr, s) => advance(g, k, lr, ...s), lr: numberOption(op.method, "lr"), method: op.method.name });
  }
  if (op.method.name === "lbfgs") {
    const [m, c1, c2, lsMax] = ["m", "c1", "c2", "ls_max"].map((n) => numberOption(op.method, n));
    return runLbfgs(tf, { ...common, m, c1, c2, lsMax });
  }
  throw new InternalError(`minimize method \`${op.method.name}\` has no driver`);
}

function train<T extends Tensor, R>({ tf, run, training, listen }: ConstructHost<T, R>, op: TrainSpec<R>, inputs: T[]): ConstructResult<T> {
  if (!training) throw new InternalError(`\`train ${op.label}\` ran without data: the backend was given no training host`);
  // The params, then the values of the data sets the program computed (compiler/training.ts).
  const params = inputs.slice(0, op.outputs.length);
  const operands = inputs.slice(op.outputs.length);
  const own = operandCount(op.data);
  const [loss, gradient, begin, advance] = [run(op.regions.loss), run(op.regions.gradient), run(op.regions.start), run(op.regions.step)];
  const checkpoint = op.settings.checkpoint;
  const resume = training.resumeFor(op.label);
  return runTrain(tf, {
    name: op.label,
    method: op.optimizer.name,
    paramNames: op.outputs.map((o) => o.hint ?? `%${o.id}`),
    params,
    fields: op.data.fields.map((f) => f.name),
    data: training.load(op.data, operands.slice(0, own)),
    ...(op.validation ? { validation: training.load(op.validation, operands.slice(own)) } : {}),
    settings: op.settings,
    lr: numberOption(op.optimizer, "lr"),
    stateCounts: op.stateCounts,
    loss: (p, f) => loss(...p, ...f)[0],
    gradient: (p, f) => gradient(...p, ...f),
    start: (views) => begin(...views),
    step: (g, k, lr, s) => advance(...g, k, lr, ...s),
    ...(checkpoint ? { save: (c: Parameters<TrainingHost["save"]>[1]) => training.save(checkpoint.dir, { ...c, meta: { ...c.meta, train: op.label } }) } : {}),
    ...(resume ? { resume } : {}),
    ...(listen ? { listener: listen } : {}),
    ...(training.onStep ? { onStep: (step: number, epoch: number, l: number, seconds: number, progress: StepProgress) => training.onStep!(op.label, step, epoch, l, seconds, progress) } : {}),
  });
}

function loop<T extends Tensor, R>({ tf, run, listen, watch }: ConstructHost<T, R>, op: LoopSpec<R>, inits: T[], maxIter = op.maxIter): ConstructResult<T> {
  const { body, until } = op.regions;
  const counted = op.counter !== null;
  const withCounter = (k: number, xs: T[]) => (counted ? [tf.scalar(k), ...xs] : xs);
  const [step, done] = [run(body), until ? run(until) : undefined];
  // A loop has no residual: a watcher hears of each iteration with NaN, and can stop it.
  const heartbeat = (k: number) => void listen?.(k, NaN, NaN, NaN);
  const { values, report } = runLoop(tf, {
    init: inits,
    step: (k, xs) => {
      const next = tf.tidy(() => step(...withCounter(k, xs)));
      heartbeat(k + 1);
      return next;
    },
    ...(watch ? { interrupted: () => watch.stopRequested } : {}),
    done: done ? (k, xs) => tf.tidy(() => done(...withCounter(k, xs))[0]) : undefined,
    maxIter,
    counted: op.counted,
    names: op.outputs.map((o) => o.hint ?? `%${o.id}`),
    name: op.label,
  });
  return { values, report };
}

function unroll<T extends Tensor, R>({ tf, run, reportOf }: ConstructHost<T, R>, op: UnrollSpec<R>, inputs: T[]): ConstructResult<T> {
  const n = inputs.length / 2;
  const counted = op.counter !== null;
  const withCounter = (k: number, xs: T[]) => (counted ? [tf.scalar(k), ...xs] : xs);
  const [step, back, done] = [run(op.regions.body), run(op.regions.back), op.regions.until ? run(op.regions.until) : undefined];
  // A fixpoint differentiated `unrolled`: as many steps as the forward one took.
  const forward = op.iterationsOf !== undefined ? reportOf(op.iterationsOf) : undefined;
  if (op.iterationsOf !== undefined && !forward) throw new InternalError(`the forward construct of \`${op.label}\` has no report`);
  const result = runUnroll(tf, {
    init: inputs.slice(0, n),
    cts: inputs.slice(n),
    step: (k, xs) => tf.tidy(() => step(...withCounter(k, xs))),
    ...(done ? { done: (k: number, xs: T[]) => tf.tidy(() => done(...withCounter(k, xs))[0]) } : {}),
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
function adjoint<T extends Tensor, R>(host: ConstructHost<T, R>, op: FixpointSpec<R> | SolveSpec<R> | LoopSpec<R>, of: AdjointOf, inputs: T[]): ConstructResult<T> {
  const forward = host.reportOf(of.forward);
  const forwardFailed = forward && !forward.converged ? `the forward ${forward.kind} \`${forward.name}\` did not converge (${forward.reason}), so it is not differentiated as if it had` : undefined;
  const result = forwardFailed && of.onFail.mode === "phantom" ? phantom(host, op, of.onFail.k, inputs) : runPlain(host, op, inputs);
  result.report.adjointOf = of.label;
  // Stopped by the caller: no policy applies, and no phantom step stands in for it.
  if (result.report.reason === "aborted") return result;
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
function phantom<T extends Tensor, R>(host: ConstructHost<T, R>, op: FixpointSpec<R> | SolveSpec<R> | LoopSpec<R>, k: number, inputs: T[]): ConstructResult<T> {
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

function disposeAll<T extends Tensor>(ts: readonly T[]): void {
  for (const t of ts) if (!t.isDisposed) t.dispose();
}
