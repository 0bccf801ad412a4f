// tfjs kernels of the multigrid grid transfers and the red–black colouring
// (compiler/ops/multigrid.ts holds their meaning).
//
// Restriction is one stride-2 "valid" conv2d with the 3×3 full-weighting weights; prolongation
// is one stride-2 "valid" conv2dTranspose with the weights × 4, which is exactly 4 Rᵀ.
// Measured (ms per call, one thread; n = 255 → 127 and 1023 → 511): restriction cpu 1.1 / 15,
// wasm 0.5 / 8; prolongation cpu 1.9 / 32, wasm 1.0 / 17, against cpu 56 / 1070 and wasm 4.3 /
// 63 for prolongation by pad, slices, stack and reshape: the single kernels win on both.
import type { Tensor4D } from "@tensorflow/tfjs-core";
import { indexSums, parityValues } from "../../../compiler/ops/multigrid.js";
import { castTo, input, type Tensor, type Tf, type TfjsKernel } from "./common.js";

const FW = [1, 2, 1, 2, 4, 2, 1, 2, 1];

/** [..., n, k] → [B, n, k, 1], the NHWC layout of one channel. */
function toNHWC(tf: Tf, u: Tensor): Tensor4D {
  const [n, k] = u.shape.slice(-2);
  return tf.reshape(castTo(tf, u, "f32"), [-1, n, k, 1]) as Tensor4D;
}

/** Full weighting: a stride-2 valid correlation with [1 2 1; 2 4 2; 1 2 1]/16. */
export function restrictFw(tf: Tf, u: Tensor): Tensor {
  const [n, k] = u.shape.slice(-2);
  const w = tf.tensor4d(FW.map((x) => x / 16), [3, 3, 1, 1], "float32");
  // An even size 2m: one zero (the boundary) appended, so the valid correlation gives m points.
  const x = toNHWC(tf, u);
  const padded = n % 2 === 0 || k % 2 === 0 ? tf.pad(x, [[0, 0], [0, n % 2 === 0 ? 1 : 0], [0, k % 2 === 0 ? 1 : 0], [0, 0]]) : x;
  const y = tf.conv2d(padded, w, 2, "valid");
  return tf.reshape(y, [...u.shape.slice(0, -2), Math.floor(n / 2), Math.floor(k / 2)]);
}

/** Bilinear prolongation onto u's grid: 2m + 1 points as prolongBilinear, or 2m (the last dropped). */
export function prolongTo(tf: Tf, v: Tensor, u: Tensor): Tensor {
  const [n, k] = u.shape.slice(-2);
  return tf.tidy(() => {
    const full = prolongBilinear(tf, v);
    const [N, K] = full.shape.slice(-2);
    if (N === n && K === k) return full;
    return tf.slice(full, full.shape.map(() => 0), [...full.shape.slice(0, -2), n, k]);
  });
}

/** Bilinear prolongation: a stride-2 valid transposed correlation with [1 2 1; 2 4 2; 1 2 1]/4. */
export function prolongBilinear(tf: Tf, v: Tensor): Tensor {
  const [m, l] = v.shape.slice(-2);
  const x = toNHWC(tf, v);
  const w = tf.tensor4d(FW.map((c) => c / 4), [3, 3, 1, 1], "float32");
  const y = tf.conv2dTranspose(x, w, [x.shape[0], 2 * m + 1, 2 * l + 1, 1], 2, "valid");
  return tf.reshape(y, [...v.shape.slice(0, -2), 2 * m + 1, 2 * l + 1]);
}

export const TRANSFER_KERNELS: Record<string, TfjsKernel> = {
  restrict_fw: (tf, inputs) => restrictFw(tf, input(inputs, 0)),
  prolong_bilinear: (tf, inputs) => prolongBilinear(tf, input(inputs, 0)),
  prolong_to: (tf, inputs) => prolongTo(tf, input(inputs, 0), input(inputs, 1)),
  parity: (tf, _inputs, _s, out) => tf.tensor(parityValues(out.shape), out.shape, "float32"),
  wavefront: (tf, _inputs, _s, out) => tf.tensor(indexSums(out.shape), out.shape, "float32"),
};
