// tfjs kernels of linear algebra (compiler/ops/linalg.ts holds the meaning): matmul with
// NumPy's vector and batch rules, transpose, eye, outer, diag, diagonal, trace.
import { castTo, concreteInts, input, type Tensor, type Tf, type TfjsKernel } from "./common.js";

/** Broadcasts the batch dims of a (rank >= 2) operand and folds them into one. */
function toBatch3(tf: Tf, x: Tensor, batch: number[]): Tensor {
  const [r, c] = x.shape.slice(-2);
  const full = [...batch, r, c];
  const grown = x.shape.length === full.length && x.shape.every((d, i) => d === full[i]) ? x : tf.broadcastTo(x, full);
  return tf.reshape(grown, [batch.reduce((p, d) => p * d, 1), r, c]);
}

function matmul(tf: Tf, a0: Tensor, b0: Tensor, outShape: number[]): Tensor {
  let a = castTo(tf, a0, "f32");
  let b = castTo(tf, b0, "f32");
  if (a.rank === 1) a = tf.reshape(a, [1, a.shape[0]]);
  if (b.rank === 1) b = tf.reshape(b, [b.shape[0], 1]);
  if (a.rank === 2 && b.rank === 2) return tf.reshape(tf.matMul(a, b), outShape);
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const n = Math.max(batchA.length, batchB.length);
  const batch: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = batchA[batchA.length - n + i] ?? 1;
    const db = batchB[batchB.length - n + i] ?? 1;
    batch.push(da === 1 ? db : da);
  }
  return tf.reshape(tf.matMul(toBatch3(tf, a, batch), toBatch3(tf, b, batch)), outShape);
}

function diagonal(tf: Tf, a: Tensor): Tensor {
  const [n, m] = a.shape;
  const len = Math.min(n, m);
  const idx = tf.range(0, len * (m + 1), m + 1, "int32");
  return tf.gather(tf.reshape(a, [n * m]), idx);
}

export const LINALG_KERNELS: Record<string, TfjsKernel> = {
  matmul: (tf, inputs, _s, out) => matmul(tf, input(inputs, 0), input(inputs, 1), out.shape),
  transpose: (tf, inputs, statics) => {
    const perm = concreteInts(statics.perm);
    return tf.transpose(input(inputs, 0), perm.length > 0 ? perm : undefined);
  },
  eye: (tf, _inputs, _s, out) => tf.eye(out.shape[0], out.shape[1]),
  outer: (tf, inputs, _s, out) => {
    const a = castTo(tf, input(inputs, 0), out.dtype);
    const b = castTo(tf, input(inputs, 1), out.dtype);
    return tf.mul(tf.reshape(a, [-1, 1]), tf.reshape(b, [1, -1]));
  },
  diag: (tf, inputs) => {
    const v = input(inputs, 0);
    return v.rank === 2 ? diagonal(tf, v) : tf.diag(v);
  },
  diagonal: (tf, inputs) => diagonal(tf, input(inputs, 0)),
  trace: (tf, inputs, _s, out) => tf.sum(castTo(tf, diagonal(tf, input(inputs, 0)), out.dtype)),
};
