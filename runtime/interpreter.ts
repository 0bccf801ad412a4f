// The execution walk every backend shares: run a specialised IR module op by op, hand each
// iterative construct to runtime/constructs.ts with its regions as callbacks, free values after
// their last use, and keep the reports (runtime/construct-reports.ts, shared with generated
// modules: by output id, for the adjoints that look them up). A
// backend supplies its tensor API, its constants and its builtin kernels
// (runtime/tfjs/interpreter.ts, runtime/native/interpreter.ts), and may run a region its own way
// (the native backend's fused regions).
import { InternalError } from "../base/diagnostics.js";
import type { BuiltinOp, ConstOp, ConstructOp, Module, Op, Region } from "../compiler/ir/ir.js";
import { ConstructReports } from "./construct-reports.js";
import type { ConstructHost } from "./constructs.js";
import type { Tensor, TensorApi } from "./drivers/tensor-api.js";
import type { Watcher } from "./monitor/watcher.js";
import { Env, Release } from "./release.js";
import type { Report } from "./report.js";
import type { TrainingHost } from "./training-host.js";

export interface ExecutionResult<T extends Tensor = Tensor> {
  exports: Map<string, T>;
  reports: Report[];
  /** The most tensor memory held at once, sampled after every op (the backend's own count). */
  peakBytes: number;
}

/**
 * Watches the constructs of a run: before each runs, it may wrap the host its regions run on
 * (`iterc check` records the iterates of the construct a contract follows). Observing changes
 * nothing of what runs.
 */
export interface ConstructObserver<T extends Tensor = Tensor> {
  host(op: ConstructOp, host: ConstructHost<T>, inputs: readonly T[]): ConstructHost<T>;
}

/** What every execution backend provides. */
export interface ExecutionBackend<T extends Tensor = Tensor> {
  readonly name: string;
  run(module: Module, inputs: ReadonlyMap<string, T>): ExecutionResult<T>;
}

export type Inputs<T> = ReadonlyMap<string, T>;

export abstract class Interpreter<T extends Tensor> implements ExecutionBackend<T> {
  abstract readonly name: string;
  protected abstract readonly tf: TensorApi<T>;
  private reports = new ConstructReports();
  private peakBytes = 0;

  /** Who hears of each construct run and iteration, and may stop the run (set before `run`). */
  watch?: Watcher;
  /** The data and checkpoints of `train` blocks (set before `run`; absent: a program without one). */
  training?: TrainingHost;
  /** Who may wrap each construct's host (set before `run`; `iterc check` records iterates). */
  observer?: ConstructObserver<T>;

  /** A constant op's value. */
  protected abstract constant(op: ConstOp): T;
  /** A builtin op's value: the backend's kernel for its opcode. */
  protected abstract builtin(op: BuiltinOp, args: T[]): T;
  /** The bytes of tensor memory held now, for `peakBytes`. */
  protected abstract bytesInUse(): number;
  /** Which engine ran a construct, for its report (`tfjs-wasm`, `native f64, op by op`). */
  protected abstract engineOf(op: ConstructOp): string;

  /** How many iterations the generic drivers take between residual reads: 1 unless reads are round trips to a device. */
  protected checkEvery(): number {
    return 1;
  }

  /** The function a construct's driver calls for a region: by default, the region op by op. */
  protected regionFunction(region: Region, env: Env<T>, inputs: Inputs<T>): (...xs: T[]) => T[] {
    return (...xs) => this.evalRegion(region, xs, env, inputs);
  }

  run(module: Module, inputs: Inputs<T>): ExecutionResult<T> {
    const main = module.funcs.get("main");
    if (!main) throw new InternalError("the module has no main function");
    this.reports = new ConstructReports();
    this.peakBytes = this.bytesInUse();
    const env = new Env<T>();
    const keep = new Set<number>(module.exports.map((e) => e.value.id));
    const given = new Set(inputs.values());
    const release = new Release(main.body, given, keep);
    try {
      main.body.ops.forEach((op, i) => {
        this.evalOp(op, env, inputs);
        release.after(i, op, env);
      });
      const exports = new Map(module.exports.map((e) => [e.name, env.get(e.value.id)]));
      return { exports, reports: this.reports.all, peakBytes: this.peakBytes };
    } finally {
      // Everything computed at the top level but not exported is released, inputs excepted.
      const exported = new Set([...keep].map((id) => env.find(id)));
      for (const t of env.own()) if (!given.has(t) && !exported.has(t) && !t.isDisposed) t.dispose();
    }
  }

  /** Runs a region on arguments; every intermediate tensor is released, results kept. */
  protected evalRegion(region: Region, args: T[], parent: Env<T>, inputs: Inputs<T>): T[] {
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

  private evalOp(op: Op, env: Env<T>, inputs: Inputs<T>): void {
    const outs = this.compute(op, env, inputs);
    op.outputs.forEach((o, i) => env.set(o.id, outs[i]));
    this.peakBytes = Math.max(this.peakBytes, this.bytesInUse());
  }

  private compute(op: Op, env: Env<T>, inputs: Inputs<T>): T[] {
    const args = op.inputs.map((v) => env.get(v.id));
    switch (op.kind) {
      case "const":
        return [this.constant(op)];
      case "input": {
        const t = inputs.get(op.name);
        if (!t) throw new InternalError(`input \`${op.name}\` was not bound`);
        return [t];
      }
      case "param":
        return [this.tf.clone(args[0])];
      case "fixpoint":
      case "solve":
      case "minimize":
      case "train":
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

  /**
   * Runs a construct through the one module that says what each construct means; its report is
   * kept (a construct that stops the run leaves its report among the others).
   */
  private construct(op: ConstructOp, args: T[], env: Env<T>, inputs: Inputs<T>): T[] {
    const base: ConstructHost<T> = {
      tf: this.tf,
      run: (region: Region) => this.regionFunction(region, env, inputs),
      reportOf: this.reports.reportOf,
      engine: this.engineOf(op),
      ...(this.checkEvery() > 1 ? { checkEvery: this.checkEvery() } : {}),
      ...(this.training ? { training: this.training } : {}),
      ...(this.watch ? { watch: this.watch } : {}),
    };
    const host = this.observer ? this.observer.host(op, base, args) : base;
    return this.reports.run(host, op, args, () => this.engineOf(op));
  }
}
