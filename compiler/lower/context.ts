// The function being lowered: where new ops go (a stack of nested regions), which values it
// defines, and which values of enclosing functions it captures. A captured value becomes an
// extra parameter of the function and an extra input of each call, so every function of the
// module is closed — `specialise` can then inline calls without caring where a value came from.
import type * as A from "../../grammar/ast.js";
import { InternalError } from "../../base/diagnostics.js";
import type { Attr, Func, Op, Region, Value, ValueFactory } from "../ir/ir.js";
import { getOp } from "../ops/index.js";
import type { TensorT } from "../types.js";
import { typeToString } from "../types.js";

/** A user error found only once sizes are concrete (e.g. `N / 2` with N odd). */
export class LowerError extends Error {
  /** Set once the error has been placed at the user's call of a standard-library op. */
  inLibrary = false;
  /** True when a size or an input has no value yet: not a mistake, only not decidable now. */
  undecided = false;
  constructor(
    message: string,
    readonly span: A.Span,
    readonly hint?: string,
  ) {
    super(message);
  }
}

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

  emit(opcode: string, inputs: Value[], attrs: Record<string, Attr>, outTypes: TensorT[], extra: { span?: A.Span; label?: string; regions?: Region[]; hints?: (string | undefined)[] } = {}): Value[] {
    const outputs = outTypes.map((t, i) => this.fresh(t, extra.hints?.[i]));
    const op: Op = { opcode, inputs: inputs.map((v) => this.use(v)), outputs, attrs, regions: extra.regions ?? [] };
    if (extra.span) op.span = extra.span;
    if (extra.label) op.label = extra.label;
    this.stack[this.stack.length - 1].push(op);
    return outputs;
  }

  /** A builtin op; its result type comes from the builtin's own shape rule. */
  builtin(name: string, inputs: Value[], statics: Record<string, Attr>, span?: A.Span): Value {
    const spec = getOp(name);
    if (!spec) throw new InternalError(`no builtin \`${name}\``);
    const tensorInputs: (TensorT | undefined)[] = [];
    let next = 0;
    for (const p of spec.params) if (p.kind === "tensor") tensorInputs.push(inputs[next++]?.type);
    const out = spec.shape({ tensors: tensorInputs, statics: statics as never });
    if (typeof out === "string") {
      if (span) throw new LowerError(`\`${name}\` cannot take these arguments: ${out}`, span);
      throw new InternalError(`builtin \`${name}\` rejected ${tensorInputs.map((t) => (t ? typeToString(t) : "_")).join(", ")}: ${out}`);
    }
    return this.emit(name, inputs, { statics }, [out], span ? { span } : {})[0];
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
