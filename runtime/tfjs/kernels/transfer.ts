// tfjs kernels of the multigrid grid transfers and the red–black colouring
// (compiler/ops/multigrid.ts holds their meaning).
//
// Restriction is one stride-2 "valid" conv2d with the 3×3 full-weighting weights; prolongation
// is one stride-2 "valid" conv2dTranspose with the weights × 4, which is exactly 4 Rᵀ.
// Measured (ms per call, one thread; n = 255 → 127 and 1023 → 511): restriction cpu 1.1 / 15,
// wasm 0.5 / 8; prolongation cpu 1.9 / 32, wasm 1.0 / 17, against cpu 56 / 1070 and wasm 4.3 /
// 63 for prolongation by pad, slices, stack and reshape: the single kernels win on both.
import type { Tensor4D } from "@tensorflow/tfjs-core";
import { CELL_TAPS, ghostSign, indexSums, parityValues } from "../../../compiler/ops/multigrid.js";
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

/** The 4×4 outer product of the cell-centred taps, times `scale`. */
function cellWeights(tf: Tf, scale: number): Tensor4D {
  const w = CELL_TAPS.flatMap((a) => CELL_TAPS.map((b) => a * b * scale));
  return tf.tensor4d(w, [4, 4, 1, 1], "float32");
}

/**
 * Each grid extended by one ghost cell on every side: the edge value (mirrorPad "symmetric"
 * repeats the edge) times the boundary's sign per axis, so −edge for "zero" (a corner ghost,
 * beyond two walls, gets (−1)² = 1: the rule is a tensor product).
 */
function edgeExtended(tf: Tf, x: Tensor4D, sign: number): Tensor4D {
  const ext = tf.mirrorPad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], "symmetric");
  if (sign === 1) return ext;
  const [n, k] = ext.shape.slice(1, 3);
  const ring = (len: number) => Array.from({ length: len }, (_, i) => (i === 0 || i === len - 1 ? sign : 1));
  const [rows, cols] = [ring(n), ring(k)];
  const mask = tf.tensor4d(rows.flatMap((r) => cols.map((c) => r * c)), [1, n, k, 1], "float32");
  return tf.mul(ext, mask);
}

/**
 * Cell-centred restriction R = Pᵀ/4: the edge-extended fine grid (index j holds f[j − 1])
 * correlated with stride 2 with the taps ⊗ taps / 4, so coarse[i] reads f[2i − 1 … 2i + 2].
 */
export function restrictCc(tf: Tf, u: Tensor, boundary: unknown): Tensor {
  const [n, k] = u.shape.slice(-2);
  return tf.tidy(() => {
    const y = tf.conv2d(edgeExtended(tf, toNHWC(tf, u), ghostSign(boundary)), cellWeights(tf, 0.25), 2, "valid");
    return tf.reshape(y, [...u.shape.slice(0, -2), n / 2, k / 2]);
  });
}

/**
 * Cell-centred bilinear prolongation: the edge-extended coarse grid (index j holds v[j − 1])
 * spread with stride 2 by the taps ⊗ taps, which puts fine[q] at q + 3 of the 2m + 6 outputs
 * (the fine grid's size is 2m × 2l, checked by the shape rule).
 */
export function prolongCc(tf: Tf, v: Tensor, boundary: unknown): Tensor {
  const [m, l] = v.shape.slice(-2);
  return tf.tidy(() => {
    const x = edgeExtended(tf, toNHWC(tf, v), ghostSign(boundary));
    const y = tf.conv2dTranspose(x, cellWeights(tf, 1), [x.shape[0], 2 * m + 6, 2 * l + 6, 1], 2, "valid");
    const fine = tf.slice(y, [0, 3, 3, 0], [x.shape[0], 2 * m, 2 * l, 1]);
    return tf.reshape(fine, [...v.shape.slice(0, -2), 2 * m, 2 * l]);
  });
}

export const TRANSFER_KERNELS: Record<string, TfjsKernel> = {
  restrict_cc: (tf, inputs, statics) => restrictCc(tf, input(inputs, 0), statics.boundary),
  prolong_cc: (tf, inputs, statics) => prolongCc(tf, input(inputs, 0), statics.boundary),
  restrict_fw: (tf, inputs) => restrictFw(tf, input(inputs, 0)),
  prolong_bilinear: (tf, inputs) => prolongBilinear(tf, input(inputs, 0)),
  prolong_to: (tf, inputs) => prolongTo(tf, input(inputs, 0), input(inputs, 1)),
  parity: (tf, _inputs, _s, out) => tf.tensor(parityValues(out.shape), out.shape, "float32"),
  wavefront: (tf, _inputs, _s, out) => tf.tensor(indexSums(out.shape), out.shape, "float32"),
};
