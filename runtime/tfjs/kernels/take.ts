// tfjs kernels of `take` and `put` (compiler/ops/take.ts holds their meaning): an entry along
// an axis at an index known only when running, floored, negative from the end, clipped.
import { castTo, concreteAxis, input, type Tensor, type Tf, type TfjsKernel } from "./common.js";

/** The index as an int32 scalar in [0, n). */
function clipped(tf: Tf, i: Tensor, n: number): Tensor {
  const k = tf.floor(castTo(tf, i, "f32"));
  const wrapped = tf.where(tf.less(k, 0), tf.add(k, n), k);
  return tf.cast(tf.clipByValue(wrapped, 0, Math.max(n - 1, 0)), "int32");
}

/** 1 at the index along `axis`, shaped to broadcast against x. */
function rowMask(tf: Tf, x: Tensor, i: Tensor, axis: number): Tensor {
  const n = x.shape[axis];
  const hit = tf.equal(tf.range(0, n, 1, "int32"), clipped(tf, i, n));
  return tf.reshape(hit, x.shape.map((_, k) => (k === axis ? n : 1)));
}

export const TAKE_KERNELS: Record<string, TfjsKernel> = {
  take: (tf, inputs, statics, out) => {
    const x = input(inputs, 0);
    const axis = concreteAxis(statics.axis, x.rank);
    const picked = tf.gather(x, tf.reshape(clipped(tf, input(inputs, 1), x.shape[axis]), [1]), axis);
    return tf.reshape(picked, out.shape);
  },
  put: (tf, inputs, statics, out) => {
    const x = castTo(tf, input(inputs, 0), out.dtype);
    const axis = concreteAxis(statics.axis, x.rank);
    const row = x.shape.map((d, k) => (k === axis ? 1 : d));
    const v = tf.broadcastTo(tf.reshape(castTo(tf, input(inputs, 2), out.dtype), alignTo(input(inputs, 2).shape, row, axis)), row);
    return tf.where(tf.broadcastTo(rowMask(tf, x, input(inputs, 1), axis), x.shape), tf.broadcastTo(v, x.shape), x);
  },
};

/** v's shape (broadcastable to x's row, the axis dropped) with the axis put back as 1. */
function alignTo(vShape: readonly number[], row: readonly number[], axis: number): number[] {
  const dropped = row.filter((_, k) => k !== axis);
  const lead = dropped.length - vShape.length;
  const full = dropped.map((_, k) => (k < lead ? 1 : vShape[k - lead]));
  full.splice(axis, 0, 1);
  return full;
}
