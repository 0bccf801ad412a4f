// tfjs kernels of the stencils and convolutions (compiler/ops/stencil.ts holds their meaning).
import type { Tensor3D, Tensor4D } from "@tensorflow/tfjs-core";
import type { PadMode } from "../../../compiler/ops/layout.js";
import { castTo, concreteNumber, concreteString, input, type Tensor, type Tf, type TfjsKernel } from "./common.js";
import { padWith } from "./layout.js";

/** Folds leading axes into a batch: [..., n, m] → [B, n, m, 1] (NHWC with one channel). */
function toNHWC(tf: Tf, u: Tensor): Tensor {
  const [n, m] = u.shape.slice(-2);
  return tf.reshape(castTo(tf, u, "f32"), [-1, n, m, 1]);
}

/** Correlates the grid(s) in u with a [kh, kw] kernel, boundary by padding. */
function correlate2d(tf: Tf, u: Tensor, w: Tensor, mode: PadMode): Tensor {
  const [kh, kw] = w.shape;
  const x = toNHWC(tf, u);
  const filter = tf.reshape(castTo(tf, w, "f32"), [kh, kw, 1, 1]) as Tensor4D;
  const [rh, rw] = [(kh - 1) / 2, (kw - 1) / 2];
  const y =
    mode === "zero"
      ? tf.conv2d(x as Tensor4D, filter, 1, "same")
      : tf.conv2d(padWith(tf, x, [0, rh, rw, 0], [0, rh, rw, 0], mode) as Tensor4D, filter, 1, "valid");
  return tf.reshape(y, u.shape);
}

/** The 5-point stencil by shifted slices of the padded grid. */
export function stencil5Slices(tf: Tf, u0: Tensor, center: number, side: number, mode: PadMode): Tensor {
  const u = castTo(tf, u0, "f32");
  const [n, m] = u.shape.slice(-2);
  const lead = u.shape.slice(0, -2);
  const p = padWith(tf, u, [...lead.map(() => 0), 1, 1], [...lead.map(() => 0), 1, 1], mode);
  const at = (di: number, dj: number): Tensor => tf.slice(p, [...lead.map(() => 0), di, dj], [...lead, n, m]);
  const vert = tf.add(at(0, 1), at(2, 1));
  const horiz = tf.add(at(1, 0), at(1, 2));
  return tf.add(tf.mul(u, tf.scalar(center)), tf.mul(tf.add(vert, horiz), tf.scalar(side)));
}

/** The 5-point stencil as a 3×3 conv2d. */
export function stencil5Conv(tf: Tf, u: Tensor, center: number, side: number, mode: PadMode): Tensor {
  const w = tf.tensor2d([0, side, 0, side, center, side, 0, side, 0], [3, 3], "float32");
  return correlate2d(tf, u, w, mode);
}

/**
 * The faster strategy per backend, measured at 256² / 1024² (ms per call, zero boundary):
 * wasm slices 0.73 / 11.9 vs conv2d 1.85 / 28.4 (XNNPACK does not shine on one channel);
 * cpu conv2d 4.2 vs slices 112 at 256² (the cpu backend's strided slice is slow).
 */
function stencil5(tf: Tf, u: Tensor, center: number, side: number, mode: PadMode): Tensor {
  return tf.getBackend() === "wasm" ? stencil5Slices(tf, u, center, side, mode) : stencil5Conv(tf, u, center, side, mode);
}

/** tfjs's "same" padding: total max((out-1)·s + k - n, 0), the smaller half before. */
function samePads(n: number, k: number, s: number): [number, number] {
  const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function conv(tf: Tf, x0: Tensor, k: Tensor, stride: number, same: boolean, mode: PadMode): Tensor {
  const sp = k.rank - 2;
  const batched = x0.rank === k.rank;
  let x = castTo(tf, x0, "f32");
  if (!batched) x = tf.expandDims(x, 0);
  let pad: "same" | "valid" = same ? "same" : "valid";
  if (same && mode !== "zero") {
    const pads = x.shape.slice(1, 1 + sp).map((n, i) => samePads(n, k.shape[i], stride));
    x = padWith(tf, x, [0, ...pads.map((p) => p[0]), 0], [0, ...pads.map((p) => p[1]), 0], mode);
    pad = "valid";
  }
  const kf = castTo(tf, k, "f32");
  const y = sp === 1 ? tf.conv1d(x as Tensor3D, kf as Tensor3D, stride, pad) : tf.conv2d(x as Tensor4D, kf as Tensor4D, stride, pad);
  return batched ? y : tf.squeeze(y, [0]);
}

const boundary = (s: Record<string, unknown>): PadMode => concreteString(s.boundary as string, "zero") as PadMode;

export const STENCIL_KERNELS: Record<string, TfjsKernel> = {
  stencil5: (tf, inputs, s) => stencil5(tf, input(inputs, 0), concreteNumber(s.center, 0), concreteNumber(s.side, 0), boundary(s)),
  laplacian: (tf, inputs, s) => {
    const h2 = concreteNumber(s.h, 1) ** 2;
    return stencil5(tf, input(inputs, 0), -4 / h2, 1 / h2, boundary(s));
  },
  stencil: (tf, inputs, s) => correlate2d(tf, input(inputs, 0), input(inputs, 1), boundary(s)),
  conv: (tf, inputs, s) => conv(tf, input(inputs, 0), input(inputs, 1), concreteNumber(s.stride, 1), s.padding !== "valid", boundary(s)),
};
