// The function being lowered: where new ops go (a stack of nested regions), which values it
// defines, and which values of enclosing functions it captures. A captured value becomes an
// extra parameter of the function and an extra input of each call, so every function of the
// module is closed — `specialise` can then inline calls without caring where a value came from.
import { InternalError } from "../../base/diagnostics.js";
import type { Func, Op, Region, Value, ValueFactory } from "../ir/ir.js";
import type { TensorT } from "../types.js";

export class FnLowering {
  readonly params: Value[] = [];
  readonly captures: { outer: Value; param: Value }[] = [];
  private readonly defined = new Set<number>();
  private readonly stack: Op[][] = [[]];

  constructor(
    readonly name: string,
    readonly values: ValueFactory,
    readonly parent?: FnLowering,
  ) {}

  fresh(type: TensorT, hint?: string): Value {
    const v = this.values.value(type, hint);
    this.defined.add(v.id);
    return v;
  }

  param(type: TensorT, hint?: string): Value {
    const v = this.fresh(type, hint);
    this.params.push(v);
    return v;
  }

  /** The value as seen from this function: itself if defined here, else a capture. */
  use(v: Value): Value {
    if (this.defined.has(v.id)) return v;
    const known = this.captures.find((c) => c.outer.id === v.id);
    if (known) return known.param;
    if (!this.parent) throw new InternalError(`value %${v.id} is used but defined nowhere`);
    const param = this.fresh(v.type, v.hint);
    this.captures.push({ outer: v, param });
    return param;
  }

  /**
   * Appends the op `make` builds from its inputs (as this function sees them) and fresh
   * outputs of `types`; returns the outputs.
   */
  emit(inputs: Value[], types: readonly TensorT[], make: (inputs: Value[], outputs: Value[]) => Op, hints: readonly (string | undefined)[] = []): Value[] {
    const outputs = types.map((t, i) => this.fresh(t, hints[i]));
    const seen = inputs.map((v) => this.use(v));
    this.stack[this.stack.length - 1].push(make(seen, outputs));
    return outputs;
  }

  /** Builds a nested region: `body` receives its parameters and returns its results. */
  region(paramTypes: { type: TensorT; hint?: string }[], body: (params: Value[]) => Value[]): Region {
    const params = paramTypes.map((p) => this.fresh(p.type, p.hint));
    this.stack.push([]);
    const results = body(params).map((v) => this.use(v));
    const ops = this.stack.pop()!;
    return { params, ops, results };
  }

  finish(results: Value[]): Func {
    const body: Region = { params: [...this.params, ...this.captures.map((c) => c.param)], ops: this.stack[0], results: results.map((v) => this.use(v)) };
    return { name: this.name, body, sizeParams: [] };
  }
}
