// The tfjs execution backend: walks a specialised IR module and runs each op on tfjs kernels.
// Iterative constructs hand their regions to the drivers as callbacks, so the drivers know
// nothing of the IR and a later backend (generated, fused code) can replace this one whole.
import type * as tfc from "@tensorflow/tfjs-core";
import { InternalError } from "../base/diagnostics.js";
import type { Attr, Module, Op, Region } from "../compiler/ir/ir.js";
import { type ConcreteStatic, getOp } from "../compiler/ops/index.js";
import { concreteShape } from "../compiler/types.js";
import { TFJS_KERNELS } from "./tfjs/kernels/index.js";
import { runAnderson } from "./drivers/anderson.js";
import { runGmres } from "./drivers/gmres.js";
import { runLoop } from "./drivers/loop.js";
import { runFixpointMethod, runSolveMethod } from "./drivers/method.js";
import type { DriverResult, StoppingRule } from "./drivers/stopping.js";
import type { Report } from "./report.js";

type Tf = typeof tfc;
type Tensor = tfc.Tensor;

export interface ExecutionResult {
  exports: Map<string, Tensor>;
  reports: Report[];
}

/** What every execution backend provides; `TfjsInterpreter` is the first. */
export interface ExecutionBackend {
  readonly name: string;
  run(module: Module, inputs: ReadonlyMap<string, Tensor>): ExecutionResult;
}

/** Values by id; a region's environment falls back to its enclosing one (implicit capture). */
class Env {
  private readonly values = new Map<number, Tensor>();

  constructor(private readonly parent?: Env) {}

  get(id: number): Tensor {
    const v = this.values.get(id) ?? this.parent?.get(id);
    if (v === undefined) throw new InternalError(`value %${id} has not been computed`);
    return v;
  }

  set(id: number, t: Tensor): void {
    this.values.set(id, t);
  }

  /** Every tensor this scope holds (not its parent's). */
  own(): Tensor[] {
    return [...this.values.values()];
  }
}

const num = (a: Attr | undefined): number | undefined => (typeof a === "number" ? a : undefined);

/** An `until` clause is the whole rule when present; else the method's rtol/atol options. */
function stoppingRule(attrs: Record<string, Attr>, fallbackMax: number): StoppingRule {
  const options = (attrs.options ?? {}) as Record<string, Attr>;
  const stop = (attrs.stop ?? {}) as Record<string, Attr>;
  const until = Object.keys(stop).length > 0;
  const rtol = until ? (num(stop.rtol) ?? 0) : num(options.rtol);
  const atol = until ? (num(stop.atol) ?? 0) : num(options.atol);
  const rule: StoppingRule = { maxIter: num(attrs.maxIter) ?? num(options.maxiter) ?? fallbackMax };
  if (rtol !== undefined) rule.rtol = rtol;
  if (atol !== undefined) rule.atol = atol;
  return rule;
}

/** Anderson's options from a method clause's attributes (defaults are compiler/methods.ts's). */
function andersonOptions(o: Record<string, Attr>): { m: number; damping: number; ridge: number; restart: number } {
  return { m: num(o.m) ?? 5, damping: num(o.damping) ?? 1, ridge: num(o.ridge) ?? 1e-6, restart: num(o.restart) ?? 1e6 };
}

export class TfjsInterpreter implements ExecutionBackend {
  readonly name: string;
  private reports: Report[] = [];
  /** Reports of constructs running inside another construct's regions (a smoother's loop). */
  private inner: Report[] | undefined;

  constructor(private readonly tf: Tf) {
    this.name = `tfjs-${tf.getBackend()}`;
  }

  run(module: Module, inputs: ReadonlyMap<string, Tensor>): ExecutionResult {
    const main = module.funcs.get("main");
    if (!main) throw new InternalError("the module has no main function");
    this.reports = [];
    const env = new Env();
    const keep = new Set<number>(module.exports.map((e) => e.value.id));
    try {
      for (const op of main.body.ops) this.evalOp(op, env, inputs);
      const exports = new Map(module.exports.map((e) => [e.name, env.get(e.value.id)]));
      return { exports, reports: this.reports };
    } finally {
      // Everything computed at the top level but not exported is released, inputs excepted.
      const given = new Set(inputs.values());
      const exported = new Set([...keep].map((id) => safeGet(env, id)));
      for (const t of env.own()) if (!given.has(t) && !exported.has(t) && !t.isDisposed) t.dispose();
    }
  }

  /** Runs a region on arguments; every intermediate tensor is released, results kept. */
  private evalRegion(region: Region, args: Tensor[], parent: Env, inputs: ReadonlyMap<string, Tensor>): Tensor[] {
    return this.tf.tidy(() => {
      const env = new Env(parent);
      region.params.forEach((p, i) => env.set(p.id, args[i]));
      for (const op of region.ops) this.evalOp(op, env, inputs);
      return region.results.map((r) => env.get(r.id));
    });
  }

  private evalOp(op: Op, env: Env, inputs: ReadonlyMap<string, Tensor>): void {
    const outs = this.compute(op, env, inputs);
    op.outputs.forEach((o, i) => env.set(o.id, outs[i]));
  }

  private compute(op: Op, env: Env, inputs: ReadonlyMap<string, Tensor>): Tensor[] {
    const tf = this.tf;
    const args = op.inputs.map((v) => env.get(v.id));
    const out = op.outputs[0];
    switch (op.opcode) {
      case "const":
        return [tf.tensor(op.attrs.value as number | number[], concreteShape(out.type.shape), out.type.dtype === "bool" ? "bool" : out.type.dtype === "i32" ? "int32" : "float32")];
      case "input": {
        const t = inputs.get(op.attrs.name as string);
        if (!t) throw new InternalError(`input \`${String(op.attrs.name)}\` was not bound`);
        return [t];
      }
      case "fixpoint":
        return [this.fixpoint(op, args, env, inputs)];
      case "solve":
        return [this.solve(op, args, env, inputs)];
      case "loop":
        return this.loop(op, args, env, inputs);
      case "call":
        throw new InternalError("a `call` op reached execution: the specialise pass did not run");
      default:
        return [this.builtin(op, args)];
    }
  }

  private builtin(op: Op, args: Tensor[]): Tensor {
    const spec = getOp(op.opcode);
    if (!spec) throw new InternalError(`no builtin \`${op.opcode}\``);
    const statics = (op.attrs.statics ?? {}) as Record<string, ConcreteStatic>;
    const tensors: (Tensor | undefined)[] = [];
    let next = 0;
    for (const p of spec.params) if (p.kind === "tensor") tensors.push(args[next++]);
    const out = op.outputs[0].type;
    const kernel = TFJS_KERNELS.get(op.opcode);
    if (!kernel) throw new InternalError(`the tfjs backend has no kernel for \`${op.opcode}\``);
    return kernel(this.tf, tensors, statics, { shape: concreteShape(out.shape), dtype: out.dtype });
  }

  /**
   * Runs a construct's driver with the reports of the constructs inside its regions collected
   * apart: they are summarised in the enclosing report (a failure among them is never hidden)
   * instead of each adding a row per application.
   */
  private nested<T extends { report: Report }>(run: () => T): T {
    const outer = this.inner;
    this.inner = [];
    try {
      const result = run();
      const failed = this.inner.filter((r) => !r.converged);
      if (failed.length) {
        const names = [...new Set(failed.map((r) => `\`${r.name}\``))].join(", ");
        const reasons = [...new Set(failed.map((r) => r.reason))].join(", ");
        const summary = `inner ${names}: ${failed.length} of ${this.inner.length} runs did not converge (${reasons})`;
        result.report.detail = result.report.detail ? `${result.report.detail}; ${summary}` : summary;
      }
      return result;
    } finally {
      this.inner = outer;
    }
  }

  private record<T extends { report: Report }>(result: T): T {
    (this.inner ?? this.reports).push(result.report);
    return result;
  }

  /** Evaluates a region on its arguments, as a callback for the drivers. */
  private callback(region: Region, env: Env, inputs: ReadonlyMap<string, Tensor>): (...args: Tensor[]) => Tensor[] {
    return (...args) => this.evalRegion(region, args, env, inputs);
  }

  private fixpoint(op: Op, [x0]: Tensor[], env: Env, inputs: ReadonlyMap<string, Tensor>): Tensor {
    const options = (op.attrs.options ?? {}) as Record<string, Attr>;
    const [mapRegion, startRegion, stepRegion] = op.regions;
    const map = (x: Tensor) => this.evalRegion(mapRegion, [x], env, inputs)[0];
    const stop = stoppingRule(op.attrs, 1000);
    const name = op.label ?? "fixpoint";
    const method = String(op.attrs.method);
    let result: DriverResult;
    if (startRegion && stepRegion) {
      const start = this.callback(startRegion, env, inputs);
      const step = this.callback(stepRegion, env, inputs);
      const lipschitz = num(options.lipschitz);
      result = this.nested(() => runFixpointMethod(this.tf, { start: (x) => start(x), step: (s) => step(...s), x0, stop, name, method, ...(lipschitz !== undefined ? { lipschitz } : {}) }));
    } else if (method === "anderson") {
      const lipschitz = num(options.lipschitz);
      result = this.nested(() => runAnderson(this.tf, map, x0, { ...andersonOptions(options), stop, name, ...(lipschitz !== undefined ? { lipschitz } : {}) }));
    } else throw new InternalError(`fixpoint method \`${method}\` has no driver`);
    return this.record(result).value;
  }

  private solve(op: Op, [b, x0]: Tensor[], env: Env, inputs: ReadonlyMap<string, Tensor>): Tensor {
    const [operator, second, third] = op.regions;
    const apply = (u: Tensor) => this.evalRegion(operator, [u], env, inputs)[0];
    const stop = stoppingRule(op.attrs, 1000);
    const name = op.label ?? "solve";
    const method = String(op.attrs.method);
    let result: DriverResult;
    if (second && third) {
      const start = this.callback(second, env, inputs);
      const step = this.callback(third, env, inputs);
      const breakdown = typeof op.attrs.breakdown === "string" ? op.attrs.breakdown : undefined;
      const linear = op.attrs.linear !== false;
      result = this.nested(() => runSolveMethod(this.tf, b, { start: (x) => start(x), step: (s) => step(...s), apply, ...(x0 ? { x0 } : {}), stop, name, method, linear, ...(breakdown ? { breakdown } : {}) }));
    } else if (method === "gmres") {
      const precond = second ? (r: Tensor) => this.evalRegion(second, [r], env, inputs)[0] : undefined;
      const restart = num(((op.attrs.options ?? {}) as Record<string, Attr>).restart) ?? 30;
      result = this.nested(() => runGmres(this.tf, apply, b, { ...(x0 ? { x0 } : {}), ...(precond ? { precond } : {}), restart, stop, name }));
    } else throw new InternalError(`solve method \`${method}\` has no driver`);
    if (typeof op.attrs.note === "string") result.report.detail = result.report.detail ? `${result.report.detail}; ${op.attrs.note}` : op.attrs.note;
    return this.record(result).value;
  }

  private loop(op: Op, inits: Tensor[], env: Env, inputs: ReadonlyMap<string, Tensor>): Tensor[] {
    const [body, until] = op.regions;
    const counted = op.attrs.counter !== null && op.attrs.counter !== undefined;
    const withCounter = (k: number, xs: Tensor[]) => (counted ? [this.tf.scalar(k), ...xs] : xs);
    const { values, report } = this.nested(() => runLoop(this.tf, {
      init: inits,
      step: (k, xs) => this.tf.tidy(() => this.evalRegion(body, withCounter(k, xs), env, inputs)),
      done: until ? (k, xs) => this.tf.tidy(() => this.evalRegion(until, withCounter(k, xs), env, inputs)[0]) : undefined,
      maxIter: num(op.attrs.maxIter) ?? Infinity,
      counted: op.attrs.counted === true,
      names: op.outputs.map((o) => o.hint ?? `%${o.id}`),
      name: op.label ?? "loop",
    }));
    this.record({ value: values[0], report });
    return values;
  }
}

function safeGet(env: Env, id: number): Tensor | undefined {
  try {
    return env.get(id);
  } catch {
    return undefined;
  }
}
