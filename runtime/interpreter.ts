// The tfjs execution backend: walks a specialised IR module and runs each op on tfjs kernels.
// Iterative constructs hand their regions to the drivers as callbacks, so the drivers know
// nothing of the IR and a later backend (generated, fused code) can replace this one whole.
import type * as tfc from "@tensorflow/tfjs-core";
import { InternalError } from "../base/diagnostics.js";
import type { BuiltinOp, ConstructOp, Module, Op, Region } from "../compiler/ir/ir.js";
import type { ConcreteStatic } from "../compiler/ops/index.js";
import { concreteShape } from "../compiler/types.js";
import { lastUses } from "../compiler/ir/liveness.js";
import { ConstructReports } from "./construct-reports.js";
import type { Report } from "./report.js";
import { TF_DTYPE } from "./tfjs/kernels/common.js";
import { TFJS_KERNELS } from "./tfjs/kernels/index.js";

type Tf = typeof tfc;
type Tensor = tfc.Tensor;

export interface ExecutionResult {
  exports: Map<string, Tensor>;
  reports: Report[];
  /** The most tensor memory held at once, sampled after every op (tfjs's own count). */
  peakBytes: number;
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

  /** Whether the value was set in this scope (not its parent's). */
  owns(id: number): boolean {
    return this.values.has(id);
  }

  /** Every tensor this scope holds (not its parent's). */
  own(): Tensor[] {
    return [...this.values.values()];
  }
}

export class TfjsInterpreter implements ExecutionBackend {
  readonly name: string;
  private reports = new ConstructReports();
  private peakBytes = 0;

  constructor(private readonly tf: Tf) {
    this.name = `tfjs-${tf.getBackend()}`;
  }

  run(module: Module, inputs: ReadonlyMap<string, Tensor>): ExecutionResult {
    const main = module.funcs.get("main");
    if (!main) throw new InternalError("the module has no main function");
    this.reports = new ConstructReports();
    this.peakBytes = this.tf.memory().numBytes;
    const env = new Env();
    const keep = new Set<number>(module.exports.map((e) => e.value.id));
    const release = new Release(main.body, new Set(inputs.values()), keep);
    try {
      main.body.ops.forEach((op, i) => {
        this.evalOp(op, env, inputs);
        release.after(i, op, env);
      });
      const exports = new Map(module.exports.map((e) => [e.name, env.get(e.value.id)]));
      return { exports, reports: this.reports.all, peakBytes: this.peakBytes };
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
      const release = new Release(region, new Set(args), new Set());
      region.ops.forEach((op, i) => {
        this.evalOp(op, env, inputs);
        release.after(i, op, env);
      });
      return region.results.map((r) => env.get(r.id));
    });
  }

  private evalOp(op: Op, env: Env, inputs: ReadonlyMap<string, Tensor>): void {
    const outs = this.compute(op, env, inputs);
    op.outputs.forEach((o, i) => env.set(o.id, outs[i]));
    this.peakBytes = Math.max(this.peakBytes, this.tf.memory().numBytes);
  }

  private compute(op: Op, env: Env, inputs: ReadonlyMap<string, Tensor>): Tensor[] {
    const tf = this.tf;
    const args = op.inputs.map((v) => env.get(v.id));
    switch (op.kind) {
      case "const": {
        const out = op.outputs[0].type;
        return [tf.tensor(op.value as number | number[], concreteShape(out.shape), TF_DTYPE[out.dtype])];
      }
      case "input": {
        const t = inputs.get(op.name);
        if (!t) throw new InternalError(`input \`${op.name}\` was not bound`);
        return [t];
      }
      case "param":
        return [tf.clone(args[0])];
      case "fixpoint":
      case "solve":
      case "loop":
      case "unroll":
        return this.construct(op, args, env, inputs);
      case "call":
        throw new InternalError("a `call` op reached execution: the specialise pass did not run");
      case "diff":
        throw new InternalError("a `diff` op reached execution: the autodiff pass did not run");
      case "builtin":
        return [this.builtin(op, args)];
    }
  }

  private builtin(op: BuiltinOp, args: Tensor[]): Tensor {
    const kernel = TFJS_KERNELS.get(op.opcode);
    if (!kernel) throw new InternalError(`the tfjs backend has no kernel for \`${op.opcode}\``);
    const out = op.outputs[0].type;
    return kernel(this.tf, args, op.statics as Record<string, ConcreteStatic>, { shape: concreteShape(out.shape), dtype: out.dtype });
  }

  /** Runs a construct through the one module that says what each construct means; its report is kept. */
  private construct(op: ConstructOp, args: Tensor[], env: Env, inputs: ReadonlyMap<string, Tensor>): Tensor[] {
    const run = (region: Region) => (...xs: Tensor[]) => this.evalRegion(region, xs, env, inputs);
    return this.reports.run({ tf: this.tf, run }, op, args);
  }
}

/**
 * Frees each value a region computes after its last use (compiler/ir/liveness.ts), so a run
 * holds what the compiler's memory estimate planned for, not every intermediate until the
 * region ends. Only the region's own values are freed (never a parameter, an input, an export
 * or a value of an enclosing region); a tensor two values share (a loop of no iterations gives
 * back its input) is freed with the last of them.
 */
class Release {
  private readonly last: Map<number, number>;
  /** The values whose last use is op i. */
  private readonly dying = new Map<number, number[]>();
  private readonly holders = new Map<Tensor, number>();

  constructor(
    body: Region,
    private readonly given: ReadonlySet<Tensor>,
    private readonly exported: ReadonlySet<number>,
  ) {
    this.last = lastUses(body);
    for (const [id, i] of this.last) this.dying.set(i, [...(this.dying.get(i) ?? []), id]);
  }

  after(i: number, op: Op, env: Env): void {
    for (const o of op.outputs) {
      const t = env.get(o.id);
      this.holders.set(t, (this.holders.get(t) ?? 0) + 1);
    }
    for (const o of op.outputs) if (!this.last.has(o.id)) this.drop(o.id, env);
    for (const id of this.dying.get(i) ?? []) this.drop(id, env);
  }

  private drop(id: number, env: Env): void {
    if (this.exported.has(id) || !env.owns(id)) return;
    const t = env.get(id);
    const left = (this.holders.get(t) ?? 1) - 1;
    this.holders.set(t, left);
    if (left <= 0 && !this.given.has(t) && !t.isDisposed) t.dispose();
  }
}

function safeGet(env: Env, id: number): Tensor | undefined {
  try {
    return env.get(id);
  } catch {
    return undefined;
  }
}
