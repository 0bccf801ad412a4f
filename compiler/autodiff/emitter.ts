// Where the autodiff pass writes: a list of ops being built (a region's), fresh values from the
// module's factory, and the RuleBuilder the op records' rules write through.
import type { Span } from "../../base/span.js";
import { InternalError } from "../../base/diagnostics.js";
import { builtinType } from "../ir/builder.js";
import type { Attr, Op, Region, Value, ValueFactory } from "../ir/ir.js";
import type { ConcreteStatic } from "../ops/registry.js";
import type { RuleBuilder } from "../ops/rules.js";
import { concreteShape, scalar, type TensorT, typeToString } from "../types.js";

export class Emitter implements RuleBuilder {
  readonly ops: Op[] = [];

  constructor(
    readonly values: ValueFactory,
    /** Where the derivative was asked for: the span the ops it adds carry. */
    readonly span?: Span,
  ) {}

  emit(op: Op): void {
    this.ops.push(op);
  }

  fresh(type: TensorT, hint?: string): Value {
    return this.values.value(type, hint);
  }

  op(name: string, inputs: Value[], statics: Record<string, ConcreteStatic> = {}): Value {
    const type = builtinType(name, inputs, statics as Record<string, Attr>);
    if (typeof type === "string") throw new InternalError(`a derivative built \`${name}\` on (${inputs.map((v) => typeToString(v.type)).join(", ")}), which it rejects: ${type}`);
    const out = this.fresh(type);
    this.emit({ kind: "builtin", opcode: name, inputs, outputs: [out], statics: statics as Record<string, Attr>, ...(this.span ? { span: this.span } : {}) });
    return out;
  }

  scalar(value: number, like?: Value): Value {
    const out = this.fresh(scalar(like?.type.dtype === "i32" ? "i32" : "f32"));
    this.emit({ kind: "const", inputs: [], outputs: [out], value });
    return out;
  }

  zerosLike(like: Value): Value {
    const dims = concreteShape(like.type.shape);
    // `zeros` with no sizes means "the type the context expects", which a rule has not got.
    return dims.length === 0 ? this.scalar(0) : this.op("zeros", [], { dims });
  }

  broadcastTo(v: Value, like: Value): Value {
    const dims = concreteShape(like.type.shape);
    const from = concreteShape(v.type.shape);
    return from.length === dims.length && from.every((d, i) => d === dims[i]) ? v : this.op("broadcast", [v], { dims });
  }

  unbroadcast(v: Value, like: Value): Value {
    const want = concreteShape(like.type.shape);
    let out = v;
    // Leading axes broadcasting added, then axes where `like` has 1 and `v` more.
    while (concreteShape(out.type.shape).length > want.length) out = this.op("sum", [out], { axis: 0, keepdims: false });
    const have = concreteShape(out.type.shape);
    have.forEach((d, i) => {
      if (want[i] === 1 && d !== 1) out = this.op("sum", [out], { axis: i, keepdims: true });
    });
    return out;
  }

  /** Appends the op `make` builds around fresh outputs of `types`; returns the outputs. */
  addOp(types: readonly TensorT[], make: (outputs: Value[]) => Op): Value[] {
    const outputs = types.map((t) => this.fresh(t));
    this.emit(make(outputs));
    return outputs;
  }

  /** `a + b`, or whichever is defined. */
  add(a: Value | undefined, b: Value | undefined): Value | undefined {
    if (!a) return b;
    if (!b) return a;
    return this.op("add", [a, b]);
  }

  /** A nested region: `body` gets its own emitter and its params, and returns its results. */
  region(params: { type: TensorT; hint?: string }[], body: (e: Emitter, params: Value[]) => Value[]): Region {
    const inner = new Emitter(this.values, this.span);
    const ps = params.map((p) => inner.fresh(p.type, p.hint));
    const results = body(inner, ps);
    return { params: ps, ops: inner.ops, results };
  }
}
