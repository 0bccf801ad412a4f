// From a region to the lowering's items: every value gets its concrete shape and where it
// comes from (a parameter, a capture, a known constant, an op), counted loops of one trip are
// inlined and longer ones become repeat items, and anything a fused region cannot hold (a
// nested solve, a loop that stops on a condition, a random draw) is refused here, by name.
import type { Attr, LoopOp, Op, Region, Value } from "../../ir/ir.js";
import { getOp } from "../../ops/registry.js";
import { dimValue } from "../../shapes.js";
import { attrValues, CREATE_OPS, createValues } from "./constants.js";
import { type Def, type ElemType, type Item, type LowerOptions, type OpItem, Refusal, type RepeatItem, type ValueInfo } from "./types.js";

export interface Graph {
  readonly values: Map<number, ValueInfo>;
  readonly items: Item[];
  readonly params: readonly number[];
  /** Result value ids, after inlining (a result may be a parameter, a capture, a constant). */
  readonly results: readonly number[];
  /** Captured values that are not known constants, in order of first use: the call's extra arguments. */
  readonly captures: readonly number[];
  /** The applications one call counts (`tally` ops, each as often as its enclosing repeats run). */
  readonly tallies: ReadonlyMap<string, number>;
}

const elemOf = (v: Value): ElemType => (v.type.dtype === "i32" ? "i32" : v.type.dtype === "bool" ? "bool" : "float");

export function buildGraph(region: Region, options: LowerOptions): Graph {
  const b = new GraphBuilder(options);
  const params = region.params.map((p, index) => b.define(p, { kind: "param", index }));
  const items = b.items(region.ops);
  const results = region.results.map((v) => b.use(v));
  return { values: b.values, items, params, results, captures: b.captures, tallies: b.tallies };
}

class GraphBuilder {
  readonly values = new Map<number, ValueInfo>();
  readonly captures: number[] = [];
  readonly tallies = new Map<string, number>();
  private readonly alias = new Map<number, number>();
  /** How often an op at this depth runs per call: the product of the enclosing repeats' counts. */
  private runs = 1;
  private readonly round: (x: number) => number;

  constructor(private readonly options: LowerOptions) {
    this.round = options.precision === "f32" ? Math.fround : (x) => x;
  }

  define(v: Value, def: Def): number {
    const shape = v.type.shape.map((d) => {
      const n = dimValue(d);
      if (n === undefined) throw new Refusal(`the value \`${v.hint ?? `%${v.id}`}\` has a symbolic size`);
      return n;
    });
    this.values.set(v.id, { id: v.id, shape, elem: elemOf(v), def });
    return v.id;
  }

  /** The id a use of `v` stands for: through inlined loops' aliases; a capture on first sight. */
  use(v: Value): number {
    let id = v.id;
    while (this.alias.has(id)) id = this.alias.get(id)!;
    if (this.values.has(id)) return id;
    const known = this.options.constants?.get(id);
    if (known !== undefined) return this.define(v, this.constant(known, v));
    this.captures.push(id);
    return this.define(v, { kind: "capture", index: this.captures.length - 1 });
  }

  private constant(value: Attr, v: Value): Def {
    const shape = v.type.shape.map((d) => dimValue(d) ?? 0);
    const float = elemOf(v) === "float";
    const values = attrValues(value, shape).map((x) => (float ? this.round(x) : x));
    return known(values);
  }

  items(ops: readonly Op[]): Item[] {
    const out: Item[] = [];
    for (const op of ops) this.item(op, out);
    return out;
  }

  private item(op: Op, out: Item[]): void {
    switch (op.kind) {
      case "const":
        this.define(op.outputs[0], this.constant(op.value, op.outputs[0]));
        return;
      case "builtin":
        this.builtin(op.opcode, op.statics, op.inputs, op.outputs, out);
        return;
      case "loop":
        this.loop(op, out);
        return;
      default:
        throw new Refusal(`a nested \`${op.kind}\` cannot be fused into its region`);
    }
  }

  private builtin(opcode: string, statics: Record<string, Attr>, inputs: Value[], outputs: Value[], out: Item[]): void {
    if (outputs.length !== 1) throw new Refusal(`\`${opcode}\` has ${outputs.length} outputs`);
    if (opcode === "tally") {
      // x itself; the application it counts is counted by the caller of the fused region.
      const what = String(statics.what);
      this.tallies.set(what, (this.tallies.get(what) ?? 0) + this.runs);
      this.alias.set(outputs[0].id, this.use(inputs[0]));
      return;
    }
    const record = getOp(opcode);
    if (record?.kind === "random") throw new Refusal(`\`${opcode}\` draws random numbers, which a fused region does not`);
    const ids = inputs.map((v) => this.use(v));
    const result = outputs[0];
    const uniform = this.options.uniform?.get(result.id);
    if (uniform !== undefined) {
      this.define(result, { kind: "literal", value: uniform });
      return;
    }
    // The colouring of a grid is computed per lane (it reads nothing of its argument).
    const lanewise = opcode === "parity" && result.type.shape.length <= 2;
    if (CREATE_OPS.has(opcode) && !lanewise) {
      const shape = result.type.shape.map((d) => dimValue(d) ?? 0);
      const float = elemOf(result) === "float";
      const values = createValues(opcode, statics, shape);
      if (float && this.options.precision === "f32") for (let i = 0; i < values.length; i++) values[i] = Math.fround(values[i]);
      this.define(result, known(values));
      return;
    }
    const item: OpItem = { kind: "op", opcode, statics, inputs: lanewise ? [] : ids, output: result.id };
    this.define(result, { kind: "op", item });
    out.push(item);
  }

  private loop(op: LoopOp, out: Item[]): void {
    if (op.regions.until) throw new Refusal(`the loop \`${op.label}\` stops on a condition (\`until\`), which a fused region cannot`);
    const body = op.regions.body;
    const counted = op.counter !== null;
    const carriedParams = counted ? body.params.slice(1) : body.params;
    const inits = op.inputs.map((v) => this.use(v));
    if (op.maxIter <= 1) {
      if (counted) this.define(body.params[0], { kind: "literal", value: 0 });
      carriedParams.forEach((p, i) => this.alias.set(p.id, inits[i]));
      if (op.maxIter === 1) out.push(...this.items(body.ops));
      const results = op.maxIter === 1 ? body.results.map((v) => this.use(v)) : inits;
      op.outputs.forEach((o, i) => this.alias.set(o.id, results[i]));
      return;
    }
    if (counted && usesValue(body, body.params[0].id))
      throw new Refusal(`the loop \`${op.label}\` reads its counter \`${op.counter}\` in a repeated body`);
    const carried: RepeatItem["carried"][number][] = [];
    const bodyItems: Item[] = [];
    const repeat: RepeatItem = { kind: "repeat", count: op.maxIter, label: op.label, carried, body: bodyItems };
    carriedParams.forEach((p, index) => this.define(p, { kind: "carried", repeat, index }));
    const outer = this.runs;
    this.runs = outer * op.maxIter;
    bodyItems.push(...this.items(body.ops));
    this.runs = outer;
    carriedParams.forEach((p, index) => {
      const output = this.define(op.outputs[index], { kind: "repeated", repeat, index });
      carried.push({ param: p.id, init: inits[index], result: this.use(body.results[index]), output });
    });
    out.push(repeat);
  }
}

/** A known value: a literal when every entry is the same (a scalar, zeros, a splat), else data. */
function known(values: Float64Array): Def {
  const first = values[0];
  for (let i = 1; i < values.length; i++) if (!Object.is(values[i], first)) return { kind: "data", values };
  return { kind: "literal", value: first };
}

function usesValue(region: Region, id: number): boolean {
  const inRegion = (r: Region): boolean =>
    r.results.some((v) => v.id === id) ||
    r.ops.some((op) => op.inputs.some((v) => v.id === id) || ("regions" in op && Object.values(op.regions).some((x) => x && inRegion(x as Region))));
  return inRegion(region);
}
