// Helpers for the IR tests: building small modules by hand, and a tiny plain-JS interpreter
// for the elementwise subset (written independently of the fold pass's own table), used as
// the oracle that the simplification passes keep every exported value.
import "../../compiler/ops/index.js";
import { Builder } from "../../compiler/ir/builder.js";
import { type GradChoice, type MethodChoice, RAISE, type StopRule } from "../../compiler/constructs.js";
import { type Attr, type Func, type Module, type Op, type Region, type Value, ValueFactory } from "../../compiler/ir/ir.js";
import { concreteShape, shapeOf, tensor, type TensorT } from "../../compiler/types.js";
import type { DType } from "../../grammar/ast.js";

export const t = (dtype: DType, ...sizes: number[]): TensorT => tensor(dtype, shapeOf(...sizes));
export const f32 = (...sizes: number[]): TensorT => t("f32", ...sizes);

/** A module with one function `main` built by `body`, exporting what it returns by name. */
export function mainModule(body: (b: Builder) => Record<string, Value>, values = new ValueFactory()): Module {
  const b = new Builder(values);
  const exported = body(b);
  const exports = Object.entries(exported).map(([name, value]) => ({ name, value }));
  const main: Func = { name: "main", body: b.finish(exports.map((e) => e.value)), sizeParams: [] };
  return { funcs: new Map([["main", main]]), exports };
}

export function withMain(m: Module, body: Region): Module {
  const main = m.funcs.get("main")!;
  return { funcs: new Map([...m.funcs, ["main", { ...main, body }]]), exports: m.exports };
}

export function mainOps(m: Module): Op[] {
  return m.funcs.get("main")!.body.ops;
}

/** A method choice with no options, for constructs built by hand. */
export const method = (name: string, construct: MethodChoice["construct"] = "solve"): MethodChoice => ({ name, construct, options: {} });
export const stop = (maxIter = 1000): StopRule => ({ rtol: 1e-5, atol: 0, maxIter });
const implicit: GradChoice = { mode: "implicit", options: {} };

/** A fixpoint of `map` from `init`, picard, run at most `maxIter` times. */
export function fixpointOp(b: Builder, init: Value, map: Region, maxIter = 1000, label = "z"): Value {
  return b.add([init.type], (outputs) => ({ kind: "fixpoint", inputs: [init], outputs, regions: { map }, method: method("picard", "fixpoint"), stop: stop(maxIter), grad: implicit, onBackwardFail: RAISE, label }))[0];
}

/** A loop carrying `inits` through `body` (and `until`), with the counter's name if it has one. */
export function loopOp(b: Builder, inits: Value[], body: Region, o: { until?: Region; counter?: string; maxIter?: number; label?: string } = {}): Value[] {
  const label = o.label ?? "x";
  return b.add(
    inits.map((v) => v.type),
    (outputs) => ({ kind: "loop", inputs: inits, outputs, regions: { body, ...(o.until ? { until: o.until } : {}) }, maxIter: o.maxIter ?? 1000, counter: o.counter ?? null, counted: o.counter !== undefined, checkpoint: 1, label }),
    inits.map(() => label),
  );
}

/** A solve of `operator` for `rhs` (and an initial guess) by `name`, with a precond region if given. */
export function solveOp(b: Builder, inputs: Value[], type: Op["outputs"][number]["type"], regions: { operator: Region; precond?: Region }, name = "cg", label = "u"): Value {
  return b.add([type], (outputs) => ({ kind: "solve", inputs, outputs, regions, method: method(name), stop: stop(), precond: null, onBackwardFail: RAISE, label }))[0];
}

/**
 * Raw ops for verifier tests, which must build what a Builder would refuse: `opcode` is a
 * structural kind or a builtin's name; `attrs` hold a const's `value`, an input's `name`, a
 * call's `callee`, a loop's `maxIter`/`counter`, a builtin's `statics`; `regions` in the
 * order of REGION_NAMES.
 */
export function rawOp(opcode: string, inputs: Value[], outputs: Value[], attrs: Record<string, Attr> = {}, regions: Region[] = []): Op {
  switch (opcode) {
    case "const":
      return { kind: "const", inputs, outputs, value: attrs.value as Attr };
    case "input":
    case "param":
      return { kind: opcode, inputs, outputs, name: String(attrs.name) };
    case "call":
      return { kind: "call", inputs, outputs, callee: String(attrs.callee) };
    case "fixpoint":
      return { kind: "fixpoint", inputs, outputs, regions: { map: regions[0], ...(regions[1] ? { start: regions[1], step: regions[2] } : {}) }, method: method("picard", "fixpoint"), stop: stop(), grad: implicit, onBackwardFail: RAISE, label: "z" };
    case "solve":
      return { kind: "solve", inputs, outputs, regions: { operator: regions[0], ...(regions[1] ? { precond: regions[1] } : {}) }, method: method("cg"), stop: stop(), precond: null, onBackwardFail: RAISE, label: "u" };
    case "loop": {
      const counter = typeof attrs.counter === "string" ? attrs.counter : null;
      return { kind: "loop", inputs, outputs, regions: { body: regions[0], ...(regions[1] ? { until: regions[1] } : {}) }, maxIter: Number(attrs.maxIter ?? 10), counter, counted: counter !== null, checkpoint: 1, label: "x" };
    }
    default:
      return { kind: "builtin", opcode, inputs, outputs, statics: (attrs.statics ?? {}) as Record<string, Attr> };
  }
}

export interface Arr {
  shape: number[];
  data: number[];
}

const truth = (x: number) => (x !== 0 ? 1 : 0);

/** Reference semantics of the elementwise subset; results are stored by dtype afterwards. */
const REFERENCE: Record<string, (...x: number[]) => number> = {
  neg: (x) => -x,
  abs: (x) => Math.abs(x),
  sqrt: (x) => Math.sqrt(x),
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
  tanh: (x) => Math.tanh(x),
  square: (x) => x * x,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => a ** b,
  maximum: (a, b) => Math.max(a, b),
  minimum: (a, b) => Math.min(a, b),
  lt: (a, b) => (a < b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  where: (c, a, b) => (truth(c) ? a : b),
};

/** As a tfjs tensor of `dtype` holds it (Float32Array, Int32Array, bool as 0/1). */
function stored(x: number, dtype: DType): number {
  return dtype === "f32" ? Math.fround(x) : dtype === "i32" ? Math.trunc(x) | 0 : truth(x);
}

export const REFERENCE_OPS = Object.keys(REFERENCE);

function flat(v: Attr): number[] {
  return Array.isArray(v) ? (v as Attr[]).flatMap(flat) : [v as number];
}

function broadcastRead(a: Arr, out: number[]): (k: number) => number {
  const off = out.length - a.shape.length;
  return (k) => {
    let idx = 0;
    let stride = 1;
    let rem = k;
    for (let i = out.length - 1; i >= 0; i--) {
      const c = rem % out[i];
      rem = Math.floor(rem / out[i]);
      const j = i - off;
      if (j >= 0) {
        if (a.shape[j] !== 1) idx += c * stride;
        stride *= a.shape[j];
      }
    }
    return a.data[idx];
  };
}

/**
 * Runs `main` on `inputs` (by input name); returns every export. Only the subset above, and
 * `fixpoint`, run for exactly `maxIter` steps. Inputs of f32 ops are already f32 values.
 */
export function interpret(m: Module, inputs: ReadonlyMap<string, Arr> = new Map()): Map<string, Arr> {
  const env = new Map<number, Arr>();
  const run = (r: Region) => {
    for (const op of r.ops) {
      const out = op.outputs[0];
      const shape = concreteShape(out.type.shape);
      if (op.kind === "const") {
        const data = flat(op.value).map((x) => stored(x, out.type.dtype));
        env.set(out.id, { shape, data });
      } else if (op.kind === "fixpoint") {
        // Test semantics: exactly maxIter applications of the map, no stopping rule.
        const map = op.regions.map;
        let x = env.get(op.inputs[0].id)!;
        for (let k = 0; k < op.stop.maxIter; k++) {
          env.set(map.params[0].id, x);
          run(map);
          x = env.get(map.results[0].id)!;
        }
        env.set(out.id, x);
      } else if (op.kind === "input") {
        env.set(out.id, inputs.get(op.name)!);
      } else if (op.kind === "builtin") {
        const fn = REFERENCE[op.opcode];
        if (!fn) throw new Error(`the test interpreter has no \`${op.opcode}\``);
        const readers = op.inputs.map((v) => broadcastRead(env.get(v.id)!, shape));
        const n = shape.reduce((p, d) => p * d, 1);
        env.set(out.id, { shape, data: Array.from({ length: n }, (_, k) => stored(fn(...readers.map((rd) => rd(k))), out.type.dtype)) });
      } else throw new Error(`the test interpreter has no \`${op.kind}\``);
    }
  };
  run(m.funcs.get("main")!.body);
  return new Map(m.exports.map((e) => [e.name, env.get(e.value.id)!]));
}

/** Equal as float32 results: NaN equals NaN, and +0 equals -0. */
export function sameValues(a: Arr, b: Arr): boolean {
  return a.shape.join() === b.shape.join() && a.data.length === b.data.length && a.data.every((x, i) => x === b.data[i] || (Number.isNaN(x) && Number.isNaN(b.data[i])));
}
