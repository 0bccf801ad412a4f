// What each iterative construct means at run time, in one place: which driver runs it and with
// what — its regions as callbacks, its resolved method options and stopping rule. A backend
// supplies only "run this region on these values"; the drivers own stopping, confirmation and
// the report. The tfjs interpreter uses this module, and so will every backend after it.
import { InternalError } from "../base/diagnostics.js";
import { methodSpec, numberOption, optionalNumber } from "../compiler/constructs.js";
import type { ConstructOp, FixpointOp, LoopOp, Region, SolveOp } from "../compiler/ir/ir.js";
import { runAnderson } from "./drivers/anderson.js";
import { runGmres } from "./drivers/gmres.js";
import { runLoop } from "./drivers/loop.js";
import { runFixpointMethod, runSolveMethod } from "./drivers/method.js";
import type { DriverResult, Tensor, Tf } from "./drivers/stopping.js";
import type { Report } from "./report.js";

/** A region as a function of its parameters' values, supplied by the backend. */
export type RunRegion = (region: Region) => (...args: Tensor[]) => Tensor[];

export interface ConstructResult {
  values: Tensor[];
  report: Report;
}

export function runConstruct(tf: Tf, op: ConstructOp, inputs: Tensor[], run: RunRegion): ConstructResult {
  switch (op.kind) {
    case "fixpoint":
      return single(fixpoint(tf, op, inputs, run));
    case "solve":
      return single(solve(tf, op, inputs, run));
    case "loop":
      return loop(tf, op, inputs, run);
  }
}

const single = (r: DriverResult): ConstructResult => ({ values: [r.value], report: r.report });

/** The one-argument function a region computes. */
function unary(run: RunRegion, r: Region): (x: Tensor) => Tensor {
  const f = run(r);
  return (x) => f(x)[0];
}

function fixpoint(tf: Tf, op: FixpointOp, [x0]: Tensor[], run: RunRegion): DriverResult {
  const { start, step, map } = op.regions;
  const lipschitz = optionalNumber(op.method, "lipschitz");
  const common = { stop: op.stop, name: op.label, ...(lipschitz !== undefined ? { lipschitz } : {}) };
  if (start && step) {
    const [begin, advance] = [run(start), run(step)];
    return runFixpointMethod(tf, { ...common, start: (x) => begin(x), step: (s) => advance(...s), x0, method: op.method.name });
  }
  if (op.method.name === "anderson") {
    const options = { m: numberOption(op.method, "m"), damping: numberOption(op.method, "damping"), ridge: numberOption(op.method, "ridge"), restart: numberOption(op.method, "restart") };
    return runAnderson(tf, unary(run, map), x0, { ...options, ...common });
  }
  throw new InternalError(`fixpoint method \`${op.method.name}\` has no driver`);
}

function solve(tf: Tf, op: SolveOp, [b, x0]: Tensor[], run: RunRegion): DriverResult {
  const { operator, precond, start, step } = op.regions;
  const apply = unary(run, operator);
  const spec = methodSpec(op.method);
  const common = { stop: op.stop, name: op.label, ...(x0 ? { x0 } : {}) };
  let result: DriverResult;
  if (start && step) {
    const [begin, advance] = [run(start), run(step)];
    const breakdown = spec.implementation.kind === "iter" ? spec.implementation.breakdown : undefined;
    result = runSolveMethod(tf, b, { ...common, start: (x) => begin(x), step: (s) => advance(...s), apply, method: op.method.name, linear: !spec.nonlinear, ...(breakdown ? { breakdown } : {}) });
  } else if (op.method.name === "gmres") {
    result = runGmres(tf, apply, b, { ...common, restart: numberOption(op.method, "restart"), ...(precond ? { precond: unary(run, precond) } : {}) });
  } else throw new InternalError(`solve method \`${op.method.name}\` has no driver`);
  // An approximation the method makes is said in every report of it.
  if (spec.note) result.report.detail = result.report.detail ? `${result.report.detail}; ${spec.note}` : spec.note;
  return result;
}

function loop(tf: Tf, op: LoopOp, inits: Tensor[], run: RunRegion): ConstructResult {
  const { body, until } = op.regions;
  const counted = op.counter !== null;
  const withCounter = (k: number, xs: Tensor[]) => (counted ? [tf.scalar(k), ...xs] : xs);
  const [step, done] = [run(body), until ? run(until) : undefined];
  const { values, report } = runLoop(tf, {
    init: inits,
    step: (k, xs) => tf.tidy(() => step(...withCounter(k, xs))),
    done: done ? (k, xs) => tf.tidy(() => done(...withCounter(k, xs))[0]) : undefined,
    maxIter: op.maxIter,
    counted: op.counted,
    names: op.outputs.map((o) => o.hint ?? `%${o.id}`),
    name: op.label,
  });
  return { values, report };
}
