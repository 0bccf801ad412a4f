// tfjs kernels of the creation ops (compiler/ops/create.ts holds their meaning and the value
// generators every backend shares).
import { gridPoints, linspaceValues } from "../../../compiler/ops/create.js";
import { concreteNumber, TF_DTYPE, type TfjsKernel } from "./common.js";

export const CREATE_KERNELS: Record<string, TfjsKernel> = {
  zeros: (tf, _i, _s, out) => tf.zeros(out.shape, TF_DTYPE[out.dtype]),
  ones: (tf, _i, _s, out) => tf.ones(out.shape, TF_DTYPE[out.dtype]),
  fill: (tf, _i, s, out) => tf.fill(out.shape, concreteNumber(s.value, 0), TF_DTYPE[out.dtype]),
  arange: (tf, _i, _s, out) => tf.range(0, out.shape[0], 1, out.dtype === "f32" ? "float32" : "int32"),
  linspace: (tf, _i, s, out) => tf.tensor1d(Float32Array.from(linspaceValues(concreteNumber(s.start, 0), concreteNumber(s.stop, 1), out.shape[0])), "float32"),
  grid: (tf, _i, s, out) => {
    const n = out.shape[0];
    const line = tf.tensor1d(Float32Array.from(gridPoints(n, concreteNumber(s.lo, 0), concreteNumber(s.hi, 1), s.interior !== false)), "float32");
    return tf.broadcastTo(s.axis === 1 ? tf.reshape(line, [1, n]) : tf.reshape(line, [n, 1]), [n, n]);
  },
};
