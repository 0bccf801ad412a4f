// tfjs kernels of the reductions (compiler/ops/reduce.ts holds their meaning). Each computes in
// its result's dtype (bool counts as i32).
import type { ConcreteStatic } from "../../../compiler/ops/registry.js";
import { castTo, input, type Tensor, type Tf, type TfjsKernel } from "./common.js";

type ReduceFn = (tf: Tf, x: Tensor, axis: number | undefined, keep: boolean) => Tensor;

function axisOf(v: ConcreteStatic | undefined, rank: number): number | undefined {
  if (typeof v !== "number") return undefined;
  return v < 0 ? v + rank : v;
}

const reduction =
  (fn: ReduceFn): TfjsKernel =>
  (tf, inputs, statics, out) => {
    const x = input(inputs, 0);
    return fn(tf, castTo(tf, x, out.dtype), axisOf(statics.axis, x.rank), statics.keepdims === true);
  };

export const REDUCE_KERNELS: Record<string, TfjsKernel> = {
  sum: reduction((tf, x, a, k) => tf.sum(x, a, k)),
  mean: reduction((tf, x, a, k) => tf.mean(x, a, k)),
  max: reduction((tf, x, a, k) => tf.max(x, a, k)),
  min: reduction((tf, x, a, k) => tf.min(x, a, k)),
  prod: reduction((tf, x, a, k) => tf.prod(x, a, k)),
  norm: reduction((tf, x, a, k) => tf.sqrt(tf.sum(tf.square(x), a, k))),
  norm_inf: reduction((tf, x, a, k) => tf.max(tf.abs(x), a, k)),
  fro: (tf, inputs) => {
    const a = castTo(tf, input(inputs, 0), "f32");
    return tf.sqrt(tf.sum(tf.square(a), [a.rank - 2, a.rank - 1]));
  },
  dot: (tf, inputs, _s, out) => tf.sum(tf.mul(castTo(tf, input(inputs, 0), out.dtype), castTo(tf, input(inputs, 1), out.dtype))),
};
