// Helpers shared by the builtin families: reading static arguments (symbolic or concrete),
// axes, dtype promotion, sizes in messages, and the `builtin` wrapper around defineBuiltin.
import type { DType } from "../../grammar/ast.js";
import { type Dim, dimConst, dimMul, dimToString, dimValue } from "../shapes.js";
import { type TensorT, tensor, typeToString } from "../types.js";
import {
  type BuiltinSpec,
  type ConcreteStatic,
  defineBuiltin,
  type ShapeQuery,
  type StaticValue,
  type Tensor,
  type Tf,
} from "./registry.js";

export type TfDType = "float32" | "int32" | "bool";

export const TF_DTYPE: Record<DType, TfDType> = { f32: "float32", i32: "int32", bool: "bool" };

/**
 * Defines a builtin whose impl runs inside `tf.tidy` (intermediates are freed) and never hands
 * back one of its inputs itself (the executor may dispose inputs and outputs independently).
 * The result is cast to the declared dtype when a tfjs kernel chose another one.
 */
export function builtin(spec: BuiltinSpec): BuiltinSpec {
  const inner = spec.impl;
  return defineBuiltin({
    ...spec,
    impl: (tf, inputs, statics, out) =>
      tf.tidy(() => {
        let r = inner(tf, inputs, statics, out);
        if (r.dtype !== TF_DTYPE[out.dtype]) r = tf.cast(r, TF_DTYPE[out.dtype]);
        return inputs.includes(r) ? tf.clone(r) : r;
      }),
  });
}

/** A required tensor argument's type (the checker always supplies required ones). */
export function arg(q: ShapeQuery, i: number): TensorT {
  const t = q.tensors[i];
  if (t === undefined) throw new Error(`internal error: tensor argument ${i} missing`);
  return t;
}

/** A required tensor input at run time. */
export function input(inputs: (Tensor | undefined)[], i: number): Tensor {
  const t = inputs[i];
  if (t === undefined) throw new Error(`internal error: tensor input ${i} missing`);
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

export function concreteInt(v: ConcreteStatic | undefined, name: string): number {
  if (typeof v !== "number") throw new Error(`internal error: static \`${name}\` is not a number`);
  return v;
}

export function concreteInts(v: ConcreteStatic | undefined): number[] {
  return Array.isArray(v) ? v : [];
}

export function concreteNumber(v: ConcreteStatic | undefined, fallback: number): number {
  return typeof v === "number" ? v : fallback;
}

export function concreteString(v: ConcreteStatic | undefined, fallback: string): string {
  return typeof v === "string" ? v : fallback;
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

/** Numeric promotion: bool < i32 < f32 (an i32 with an f32 gives f32). */
export function promote(a: DType, b: DType): DType {
  if (a === "f32" || b === "f32") return "f32";
  if (a === "i32" || b === "i32") return "i32";
  return "bool";
}

/** Arithmetic promotion: like `promote`, but bool counts as i32 (true + true = 2). */
export function arithmetic(a: DType, b: DType): DType {
  const p = promote(a, b);
  return p === "bool" ? "i32" : p;
}

export function castTo(tf: Tf, x: Tensor, dtype: DType): Tensor {
  return x.dtype === TF_DTYPE[dtype] ? x : tf.cast(x, TF_DTYPE[dtype]);
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
