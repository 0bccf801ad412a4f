// Builds regions op by op, for passes and tests (lowering has its own capture bookkeeping on
// top). `region` opens a nested op list; ops go to the innermost one open.
//
//   const b = new Builder(values);
//   const x = b.param(tensor("f32", shapeOf(3)), "x");
//   const y = b.builtin("mul", [x, b.const(2)], {});
//   const body = b.finish([y]);
import type { Span } from "../../base/span.js";
import { InternalError } from "../../base/diagnostics.js";
import { getOp, type StaticValue } from "../ops/registry.js";
import { scalar, type TensorT, typeToString } from "../types.js";
import type { Attr, Op, Region, Value, ValueFactory } from "./ir.js";

/** A region parameter: a type, or a type with the source name it stands for. */
export type ParamType = TensorT | { type: TensorT; hint?: string };

/** The result type of builtin `name` on `inputs`, or the shape rule's message. */
/** The type a builtin gives; `expected` is the type the context wants (what creation ops take their dtype from). */
export function builtinType(name: string, inputs: readonly Value[], statics: Record<string, Attr>, expected?: TensorT): TensorT | string {
  const spec = getOp(name);
  if (!spec) return `there is no builtin \`${name}\``;
  const tensorParams = spec.params.filter((p) => p.kind === "tensor");
  if (inputs.length > tensorParams.length) return `\`${name}\` takes ${tensorParams.length} tensor input(s), got ${inputs.length}`;
  const missing = tensorParams.findIndex((p, i) => i >= inputs.length && p.default === undefined);
  if (missing >= 0) return `\`${name}\` needs its tensor input \`${tensorParams[missing].name}\``;
  const tensors = tensorParams.map((_, i) => inputs[i]?.type);
  return spec.shape({ tensors, statics: statics as Record<string, StaticValue>, ...(expected ? { expected } : {}) });
}

export class Builder {
  private readonly params: Value[] = [];
  private readonly stack: Op[][] = [[]];

  constructor(readonly values: ValueFactory) {}

  /** A parameter of the region `finish` returns. */
  param(type: TensorT, hint?: string): Value {
    const v = this.values.value(type, hint);
    this.params.push(v);
    return v;
  }

  /**
   * Appends the op `make` builds around fresh outputs of `types` (with source names `hints`);
   * returns the outputs.
   */
  add(types: readonly TensorT[], make: (outputs: Value[]) => Op, hints: readonly (string | undefined)[] = []): Value[] {
    const outputs = types.map((t, i) => this.values.value(t, hints[i]));
    this.emit(make(outputs));
    return outputs;
  }

  /** Appends an op built elsewhere (a pass copying ops across). */
  emit(op: Op): void {
    this.stack[this.stack.length - 1].push(op);
  }

  /** A builtin op, typed by its record's own shape rule; a rejection is a compiler bug. */
  builtin(name: string, inputs: Value[], statics: Record<string, Attr>, span?: Span): Value {
    const type = builtinType(name, inputs, statics);
    if (typeof type === "string")
      throw new InternalError(`builtin \`${name}\` rejected (${inputs.map((v) => typeToString(v.type)).join(", ")}): ${type}`);
    return this.add([type], (outputs) => ({ kind: "builtin", opcode: name, inputs, outputs, statics, ...(span ? { span } : {}) }))[0];
  }

  /** A constant: a number (scalar) or nested arrays matching `type`'s shape. */
  const(value: number | Attr[], type: TensorT = scalar("f32"), hint?: string): Value {
    return this.add([type], (outputs) => ({ kind: "const", inputs: [], outputs, value }), [hint])[0];
  }

  /** A program input of `type`. */
  input(name: string, type: TensorT): Value {
    return this.add([type], (outputs) => ({ kind: "input", inputs: [], outputs, name }), [name])[0];
  }

  /** A nested region: `body` gets its params and returns its results; its ops go inside. */
  region(paramTypes: ParamType[], body: (params: Value[]) => Value[]): Region {
    const params = paramTypes.map((p) => ("tag" in p ? this.values.value(p) : this.values.value(p.type, p.hint)));
    this.stack.push([]);
    let results: Value[];
    try {
      results = body(params);
    } catch (e) {
      this.stack.pop();
      throw e;
    }
    return { params, ops: this.stack.pop()!, results };
  }

  /** The outermost region: the params made with `param`, every op emitted at the top level. */
  finish(results: Value[]): Region {
    if (this.stack.length !== 1) throw new InternalError("Builder.finish called inside a region");
    return { params: [...this.params], ops: this.stack[0], results };
  }
}
