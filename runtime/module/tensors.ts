// What generated code calls besides constructs: kernels by name, constants, parameters, and
// freeing. Each is a thin wrapper: the kernels are the tfjs backend's own table (the one the
// interpreter uses), so a generated module computes exactly what `iterc run` computes.
import * as tf from "@tensorflow/tfjs-core";
import type { ConcreteStatic } from "../../compiler/ops/registry.js";
import { TF_DTYPE } from "../tfjs/kernels/common.js";
import { TFJS_KERNELS } from "../tfjs/kernels/index.js";
import { asHandle, asTf } from "./handles.js";
import type { DType, Kernel, Tensor, ValueType } from "./types.js";


/**
 * The kernels a module uses, by name (`const k = kernels(["add", "matmul"])`, then
 * `k.matmul([W, x], f32(64))`). A name this runtime lacks means the module was compiled by
 * another version of iterc: said when the module loads, not in the middle of a run.
 */
export function kernels<N extends string>(names: readonly N[]): { readonly [K in N]: Kernel } {
  return Object.fromEntries(
    names.map((name) => {
      const kernel = TFJS_KERNELS.get(name);
      if (!kernel) throw new Error(`This iterlang runtime has no kernel \`${name}\`: the module was compiled by another version of iterc. Compile it again.`);
      const call: Kernel = (inputs, out, statics = {}) => asHandle(kernel(tf, inputs.map(asTf), statics as Record<string, ConcreteStatic>, out));
      return [name, call];
    }),
  ) as { readonly [K in N]: Kernel };
}

const typeOf =
  (dtype: DType) =>
  (...shape: number[]): ValueType => ({ dtype, shape });

/** The type of a value: `f32(63, 63)`, `f32()` for a scalar. */
export const f32 = typeOf("f32");
export const i32 = typeOf("i32");
export const bool = typeOf("bool");

type Nested = number | boolean | readonly Nested[];

/** A constant: a number, or nested arrays matching its shape. */
export function constant(value: Nested, type: ValueType): Tensor {
  return asHandle(tf.tensor(value as number | number[], type.shape, TF_DTYPE[type.dtype]));
}

/** A parameter's value: its own copy of its initial value. */
export function param(init: Tensor): Tensor {
  return asHandle(tf.clone(asTf(init)));
}

/** Frees values after their last use (the compiler placed each call). */
export function free(...values: Tensor[]): void {
  for (const t of values.map(asTf)) if (!t.isDisposed) t.dispose();
}

/** Runs a region's body: every tensor it makes is freed when it returns, its results excepted. */
export function tidy(body: () => Tensor[]): Tensor[] {
  return tf.tidy(() => body().map(asTf)).map(asHandle);
}
