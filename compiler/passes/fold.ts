// fold: constant folding and exact algebraic identities.
//
// - An op whose record has a `fold` (its scalar semantics) and whose inputs are all `const` ops (≤ MAX_FOLD_ELEMENTS elements) is
//   evaluated here in plain JS, with the run's float semantics (f32 inputs and results rounded
//   to float32 — or kept in float64 when the run computes f32 in float64, `--precision f64` —
//   f64 kept, i32 kept whole), and becomes a `const` with the same output value. Results that
//   tfjs would store differently (an i32 overflow, a bool from NaN) are left unfolded.
// - An op whose record says `sameTypeIsIdentity` (reshape, broadcast, flatten) becomes its input
//   when its result has the input's type: a reshape to the shape the value already has.
// - The records' identities (x*1, 1*x, x+0, 0+x, x-0, x/1, x^1) become x, but only when the op's type equals x's type,
//   so broadcasting or a dtype promotion is never dropped. These are exact in IEEE arithmetic
//   (NaN and ±inf included) with one exception, as in every fast-math compiler: x+0 turns a
//   -0 into +0, and the fold keeps the -0. x*0 is not folded: NaN*0 and inf*0 are NaN.
//
// Regions are folded too. Only consts are evaluated, so nothing that depends on a region
// param is ever computed here; an identity may forward a param (`u*1` → `u`), which is exact.
import type { DType } from "../../base/dtype.js";
import { getOp } from "../ops/index.js";
import { type Attr, type ConstOp, mapRegions, type Module, type Op, type Region, type Value } from "../ir/ir.js";
import { concreteShape, sizeOf, type TensorT, typesEqual } from "../types.js";
import type { Pass } from "./pipeline.js";

/** Larger constants stay as ops: folding them would bloat the IR and the generated code. */
export const MAX_FOLD_ELEMENTS = 4096;

const bool = (c: boolean) => (c ? 1 : 0);

/** The scalar function of a foldable op: its record's `fold`. */
function folder(opcode: string): ((...x: number[]) => number) | undefined {
  return getOp(opcode)?.fold;
}

/**
 * How the run stores f32 values: in float32 (tfjs, and the native backend by default) or in
 * float64 (`--precision f64`, which runs a whole program in float64).
 */
export type F32Storage = "f32" | "f64";

/** A value as the run stores it in `dtype`, or undefined when the fold should not decide. */
function store(x: number, dtype: DType, f32: F32Storage): number | undefined {
  if (dtype === "f32") return f32 === "f32" ? Math.fround(x) : x;
  if (dtype === "f64") return x;
  if (dtype === "bool") return Number.isNaN(x) ? undefined : bool(x !== 0);
  if (!Number.isFinite(x)) return undefined;
  const t = Math.trunc(x);
  return t >= -2147483648 && t <= 2147483647 ? t : undefined;
}

function flatten(value: Attr, out: number[]): boolean {
  if (typeof value === "number") {
    out.push(value);
    return true;
  }
  return Array.isArray(value) && (value as Attr[]).every((v) => flatten(v, out));
}

/** The elements of a const op (row-major, stored in its dtype), when it has a fitting value. */
function constElements(op: ConstOp, f32: F32Storage): number[] | undefined {
  const type = op.outputs[0].type;
  const n = sizeOf(type.shape);
  const flat: number[] = [];
  if (n === undefined || n > MAX_FOLD_ELEMENTS || !flatten(op.value, flat) || flat.length !== n) return undefined;
  const stored = flat.map((x) => store(x, type.dtype, f32));
  return stored.every((x) => x !== undefined) ? (stored as number[]) : undefined;
}

/** Row-major nested arrays for `shape` (a bare number for a scalar), as lowering writes them. */
function nest(flat: readonly number[], shape: readonly number[]): Attr {
  if (shape.length === 0) return flat[0];
  const [d, ...rest] = shape;
  const step = flat.length / Math.max(d, 1);
  return Array.from({ length: d }, (_, i) => nest(flat.slice(i * step, (i + 1) * step), rest));
}

/** The index into an input of shape `inShape` for each element of the broadcast `outShape`. */
function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): (flat: number) => number {
  const offset = outShape.length - inShape.length;
  const strides = inShape.map((_, i) => inShape.slice(i + 1).reduce((a, b) => a * b, 1));
  return (flat) => {
    let idx = 0;
    let rem = flat;
    for (let i = outShape.length - 1; i >= 0; i--) {
      const coord = rem % outShape[i];
      rem = Math.floor(rem / outShape[i]);
      const j = i - offset;
      if (j >= 0 && inShape[j] !== 1) idx += coord * strides[j];
    }
    return idx;
  };
}

/** Evaluates a foldable builtin on constant inputs; undefined when it cannot or should not. */
export function evaluate(opcode: string, inputs: { type: TensorT; data: number[] }[], out: TensorT, f32: F32Storage = "f32"): number[] | undefined {
  const fn = folder(opcode);
  const n = sizeOf(out.shape);
  if (!fn || n === undefined || n > MAX_FOLD_ELEMENTS) return undefined;
  // Computing in float32 (an f32 operand or result, nothing in f64, f32 stored as float32) first
  // rounds the operands, as tfjs's cast does.
  const types = [out.dtype, ...inputs.map((i) => i.type.dtype)];
  const round = f32 === "f32" && types.includes("f32") && !types.includes("f64");
  const outShape = concreteShape(out.shape);
  const readers = inputs.map((i) => {
    const at = broadcastIndex(concreteShape(i.type.shape), outShape);
    return (k: number) => (round ? Math.fround(i.data[at(k)]) : i.data[at(k)]);
  });
  const result: number[] = [];
  for (let k = 0; k < n; k++) {
    const r = store(fn(...readers.map((read) => read(k))), out.dtype, f32);
    if (r === undefined) return undefined;
    result.push(r);
  }
  return result;
}

class Folder {
  constructor(private readonly f32: F32Storage) {}

  /** Const ops by output id, across regions (ids are unique in a module). */
  private readonly consts = new Map<number, number[] | undefined>();
  private readonly constOps = new Map<number, ConstOp>();
  readonly rename = new Map<number, Value>();

  private use = (v: Value): Value => this.rename.get(v.id) ?? v;

  private elements(v: Value): number[] | undefined {
    const op = this.constOps.get(v.id);
    if (!op) return undefined;
    if (!this.consts.has(v.id)) this.consts.set(v.id, constElements(op, this.f32));
    return this.consts.get(v.id);
  }

  private isAll(v: Value, unit: number): boolean {
    const data = this.elements(v);
    return data !== undefined && data.length > 0 && data.every((x) => x === unit);
  }

  region(r: Region): Region {
    const ops: Op[] = [];
    for (const original of r.ops) {
      const op: Op = { ...mapRegions(original, (inner) => this.region(inner)), inputs: original.inputs.map(this.use) };
      const replaced = this.identity(op);
      if (replaced) {
        this.rename.set(op.outputs[0].id, replaced);
        continue;
      }
      const folded = this.fold(op) ?? op;
      if (folded.kind === "const" && folded.outputs.length === 1) this.constOps.set(folded.outputs[0].id, folded);
      ops.push(folded);
    }
    return { params: r.params, ops, results: r.results.map(this.use) };
  }

  /** The value an identity op reduces to (x for x*1), when it is exact and keeps the type. */
  private identity(op: Op): Value | undefined {
    const record = op.kind === "builtin" ? getOp(op.opcode) : undefined;
    if (record?.sameTypeIsIdentity && op.outputs.length === 1 && typesEqual(op.inputs[0].type, op.outputs[0].type)) return op.inputs[0];
    const rule = record?.identity;
    if (!rule || op.inputs.length !== 2 || op.outputs.length !== 1) return undefined;
    const [a, b] = op.inputs;
    const out = op.outputs[0].type;
    if (rule.keeps.includes("left") && typesEqual(a.type, out) && this.isAll(b, rule.unit)) return a;
    if (rule.keeps.includes("right") && typesEqual(b.type, out) && this.isAll(a, rule.unit)) return b;
    return undefined;
  }

  private fold(op: Op): ConstOp | undefined {
    if (op.kind !== "builtin" || !folder(op.opcode) || op.outputs.length !== 1) return undefined;
    const inputs: { type: TensorT; data: number[] }[] = [];
    for (const v of op.inputs) {
      const data = this.elements(v);
      if (!data) return undefined;
      inputs.push({ type: v.type, data });
    }
    const out = op.outputs[0].type;
    const data = evaluate(op.opcode, inputs, out, this.f32);
    if (!data) return undefined;
    const folded: ConstOp = { kind: "const", inputs: [], outputs: op.outputs, value: nest(data, concreteShape(out.shape)) };
    if (op.span) folded.span = op.span;
    return folded;
  }
}

/** The fold pass for a run that stores f32 values as `f32` says. */
export function foldFor(f32: F32Storage): Pass {
  return {
    name: "fold",
    run(m: Module): Module {
      const folder = new Folder(f32);
      const funcs = new Map([...m.funcs].map(([name, f]) => [name, { ...f, body: folder.region(f.body) }]));
      // Uses are renamed as the walk reaches them, so a rename already points at the final value.
      return { funcs, exports: m.exports.map((e) => ({ name: e.name, value: folder.rename.get(e.value.id) ?? e.value })) };
    },
  };
}

export const fold: Pass = foldFor("f32");

