// What every tfjs kernel shares: the kernel type, the wrapper that runs it inside `tf.tidy`
// and casts its result to the declared dtype, and readers of concrete static arguments.
import type * as tfc from "@tensorflow/tfjs-core";
import type { DType } from "../../../base/dtype.js";
import type { ConcreteStatic } from "../../../compiler/ops/registry.js";

export type Tf = typeof tfc;
export type Tensor = tfc.Tensor;
export type TfDType = "float32" | "int32" | "bool";

/** tfjs's dtype of each of ours. tfjs has no float64: a program with f64 values is refused before it runs (runtime/run.ts). */
export const TF_DTYPE: Record<DType, TfDType> = { f32: "float32", f64: "float32", i32: "int32", bool: "bool" };

/** The result type's concrete shape and dtype, as the executor passes it. */
export interface OutType {
  shape: number[];
  dtype: DType;
}

/**
 * Computes one op on tfjs. `inputs` are the tensor arguments in declaration order (absent
 * optional ones are undefined); `out` is the result type's concrete shape and dtype.
 */
export type TfjsKernel = (tf: Tf, inputs: (Tensor | undefined)[], statics: Record<string, ConcreteStatic>, out: OutType) => Tensor;

/**
 * A kernel run inside `tf.tidy` (intermediates are freed) that never hands back one of its
 * inputs itself (the executor may dispose inputs and outputs independently), its result cast
 * to the declared dtype when a tfjs kernel chose another one.
 */
export function tidyKernel(inner: TfjsKernel, empty?: number): TfjsKernel {
  return (tf, inputs, statics, out) =>
    tf.tidy(() => {
      // Tensors with no entries: an empty result is empty whatever the op; a reduction of an
      // empty input is its identity (`empty`). tfjs's own kernels disagree here (wasm reads
      // garbage), so no kernel runs on them.
      if (out.shape.includes(0)) return tf.zeros(out.shape, TF_DTYPE[out.dtype]);
      if (empty !== undefined && inputs.some((t) => t !== undefined && t.size === 0)) return tf.fill(out.shape, empty, TF_DTYPE[out.dtype]);
      let r = inner(tf, inputs, statics, out);
      if (r.dtype !== TF_DTYPE[out.dtype]) r = tf.cast(r, TF_DTYPE[out.dtype]);
      return inputs.includes(r) ? tf.clone(r) : r;
    });
}

/** A required tensor input at run time. */
export function input(inputs: (Tensor | undefined)[], i: number): Tensor {
  const t = inputs[i];
  if (t === undefined) throw new Error(`internal error: tensor input ${i} missing`);
  return t;
}

export function castTo(tf: Tf, x: Tensor, dtype: DType): Tensor {
  return x.dtype === TF_DTYPE[dtype] ? x : tf.cast(x, TF_DTYPE[dtype]);
}

export function dtypeOf(t: Tensor): DType {
  return t.dtype === "float32" ? "f32" : t.dtype === "bool" ? "bool" : "i32";
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

/** A possibly negative axis made non-negative (absent: 0). */
export function concreteAxis(v: ConcreteStatic | undefined, rank: number): number {
  const a = typeof v === "number" ? v : 0;
  return a < 0 ? a + rank : a;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
