// Helpers shared by the op families' shape rules: reading static arguments (symbolic or
// concrete), axes, dtype promotion, sizes in messages.
import type { DType } from "../../base/dtype.js";
import { type Dim, dimConst, dimMul, dimToString, dimValue } from "../shapes.js";
import { type TensorT, tensor, typeToString } from "../types.js";
import { defineOp, type OpRecord, type ShapeQuery, type StaticValue } from "./registry.js";

/** Registers an op record (each family file calls this once per op at load). */
export function op(record: OpRecord): OpRecord {
  return defineOp(record);
}

/** A required tensor argument's type (the checker always supplies required ones). */
export function arg(q: ShapeQuery, i: number): TensorT {
  const t = q.tensors[i];
  if (t === undefined) throw new Error(`internal error: tensor argument ${i} missing`);
  return t;
}

export const show = (t: TensorT): string => `\`${typeToString(t)}\``;

export function isDim(v: StaticValue): v is Dim {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A static size (a number or a symbolic Dim) as a Dim; undefined for null/absent. */
export function staticDim(v: StaticValue | undefined): Dim | undefined {
  if (typeof v === "number") return dimConst(v);
  if (v !== undefined && isDim(v)) return v;
  return undefined;
}

/** A static integer known at check time (a constant Dim counts), else undefined. */
export function staticInt(v: StaticValue | undefined): number | undefined {
  const d = staticDim(v);
  return d === undefined ? undefined : dimValue(d);
}

/** A static list of sizes (`dims` parameters); null/absent gives undefined. */
export function staticDims(v: StaticValue | undefined): Dim[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((d) => (typeof d === "number" ? dimConst(d) : d));
}

export function staticNumber(v: StaticValue | undefined, fallback: number): number {
  if (typeof v === "number") return v;
  const d = staticDim(v);
  const n = d === undefined ? undefined : dimValue(d);
  return n ?? fallback;
}

/** Normalises a possibly negative axis, or says why it does not fit. */
export function normAxis(op: string, axis: number, rank: number): number | string {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    return `\`${op}\` has axis ${axis}, but its argument has ${rank} dimension${rank === 1 ? "" : "s"} (axes ${rank ? `-${rank}..${rank - 1}` : "none"})`;
  }
  return axis < 0 ? axis + rank : axis;
}

/** The number of elements of a shape, as a Dim. */
export function numel(shape: readonly Dim[]): Dim {
  return shape.reduce((acc, d) => dimMul(acc, d), dimConst(1));
}

export const dimStr = (d: Dim): string => `\`${dimToString(d)}\``;

/** Numeric promotion: bool < i32 < f32 < f64 (an i32 with an f32 gives f32). */
export function promote(a: DType, b: DType): DType {
  if (a === "f64" || b === "f64") return "f64";
  if (a === "f32" || b === "f32") return "f32";
  if (a === "i32" || b === "i32") return "i32";
  return "bool";
}

/** Arithmetic promotion: like `promote`, but bool counts as i32 (true + true = 2). */
export function arithmetic(a: DType, b: DType): DType {
  const p = promote(a, b);
  return p === "bool" ? "i32" : p;
}

export { tensor };

/** The shape a creation builtin makes: its `dims`, else the type the context expects. */
export function createdType(op: string, q: ShapeQuery, dtype?: DType): TensorT | string {
  const dims = staticDims(q.statics.dims);
  if (dims && dims.length > 0) {
    const bad = dims.find((d) => (dimValue(d) ?? 1) < 0);
    if (bad) return `\`${op}\` got the negative size ${dimToString(bad)}`;
    return tensor(dtype ?? q.expected?.dtype ?? "f32", dims);
  }
  if (q.expected) return tensor(dtype ?? q.expected.dtype, q.expected.shape);
  return `\`${op}\` needs sizes here: write e.g. \`${op}(N, N)\`, or use it where the type is known (\`init ${op}\`)`;
}
