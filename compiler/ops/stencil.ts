// Stencils and convolutions on grids.
//
// stencil5, stencil and laplacian act on the last two axes (n×m; leading axes are a batch).
// Boundary modes say what lies outside the grid: "zero" (Dirichlet zero), "periodic" (wraps),
// "reflect" (mirror about the edge point, edge not repeated: u[-1] = u[1], the centred
// Neumann condition). `stencil` is a correlation like scipy.ndimage.correlate:
// out[i, j] = Σ weights[a, b] · u[i + a - r, j + b - s] for a kh×kw (odd) weights tensor.
//
// conv layout (tfjs's): 1D x [batch, width, in] with k [kw, in, out]; 2D (NHWC) x [batch,
// height, width, in] with k [kh, kw, in, out]; the batch axis may be left out. It is a
// correlation too. padding "same" keeps ceil(size/stride) outputs (the boundary mode fills
// the pad); "valid" uses only inside points.
import type { Tensor3D, Tensor4D } from "@tensorflow/tfjs-core";
import { type Dim, dimAdd, dimConst, dimDivConst, dimEq, dimSub, dimValue } from "../shapes.js";
import type { TensorT } from "../types.js";
import { arg, builtin, castTo, concreteNumber, concreteString, input, show, staticInt, tensor } from "./common.js";
import { PAD_MODES, type PadMode, padFits, padWith } from "./layout.js";
import type { ParamSpec, Tensor, Tf } from "./registry.js";

const BOUNDARY: ParamSpec = {
  name: "boundary",
  kind: "string",
  default: "zero",
  choices: PAD_MODES,
  doc: '"zero" (Dirichlet), "periodic" (wrap) or "reflect" (mirror, Neumann)',
};

function gridShape(op: string, u: TensorT, mode: PadMode, r: number): TensorT | string {
  if (u.shape.length < 2) return `\`${op}\` needs a 2D grid (n×m, optionally batched), got ${show(u)}`;
  if (u.dtype === "bool") return `\`${op}\` needs numbers, got ${show(u)}`;
  for (const n of u.shape.slice(-2)) {
    const bad = padFits(mode, n, dimConst(r), dimConst(r));
    if (bad) return `\`${op}\` with boundary "${mode}" on ${show(u)}: ${bad}`;
  }
  return tensor("f32", u.shape);
}

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

/**
 * The faster strategy per backend, measured at 256² / 1024² (ms per call, zero boundary):
 * wasm slices 0.73 / 11.9 vs conv2d 1.85 / 28.4 (XNNPACK does not shine on one channel);
 * cpu conv2d 4.2 vs slices 112 at 256² (the cpu backend's strided slice is slow).
 */
function stencil5(tf: Tf, u: Tensor, center: number, side: number, mode: PadMode): Tensor {
  return tf.getBackend() === "wasm" ? stencil5Slices(tf, u, center, side, mode) : stencil5Conv(tf, u, center, side, mode);
}

/** The 5-point stencil as a 3×3 conv2d. */
export function stencil5Conv(tf: Tf, u: Tensor, center: number, side: number, mode: PadMode): Tensor {
  const w = tf.tensor2d([0, side, 0, side, center, side, 0, side, 0], [3, 3], "float32");
  return correlate2d(tf, u, w, mode);
}

builtin({
  name: "stencil5",
  doc: "5-point stencil on the last two axes: center·u[i,j] + side·(sum of the 4 neighbours).",
  params: [
    { name: "u", kind: "tensor" },
    { name: "center", kind: "float" },
    { name: "side", kind: "float" },
    BOUNDARY,
  ],
  shape: (q) => gridShape("stencil5", arg(q, 0), (q.statics.boundary ?? "zero") as PadMode, 1),
  impl: (tf, inputs, s) =>
    stencil5(
      tf,
      input(inputs, 0),
      concreteNumber(s.center, 0),
      concreteNumber(s.side, 0),
      concreteString(s.boundary, "zero") as PadMode,
    ),
});

builtin({
  name: "laplacian",
  doc: "Discrete Laplacian (u[i±1,j] + u[i,j±1] - 4u[i,j]) / h² on the last two axes.",
  params: [{ name: "u", kind: "tensor" }, { name: "h", kind: "float", default: 1 }, BOUNDARY],
  shape: (q) => gridShape("laplacian", arg(q, 0), (q.statics.boundary ?? "zero") as PadMode, 1),
  impl(tf, inputs, s) {
    const h2 = concreteNumber(s.h, 1) ** 2;
    return stencil5(tf, input(inputs, 0), -4 / h2, 1 / h2, concreteString(s.boundary, "zero") as PadMode);
  },
});

builtin({
  name: "stencil",
  doc: "Correlates the grid (last two axes) with a small odd-sized weights matrix, e.g. 3×3.",
  params: [{ name: "u", kind: "tensor" }, { name: "weights", kind: "tensor" }, BOUNDARY],
  shape(q) {
    const [u, w] = [arg(q, 0), arg(q, 1)];
    const sizes = w.shape.map(dimValue);
    if (sizes.length !== 2 || sizes.some((k) => k === undefined || k % 2 !== 1)) {
      return `\`stencil\` needs a weights matrix with odd constant sizes (3×3, 5×5), got ${show(w)}`;
    }
    return gridShape("stencil", u, (q.statics.boundary ?? "zero") as PadMode, Math.max(...(sizes as number[])) >> 1);
  },
  impl: (tf, inputs, s) =>
    correlate2d(tf, input(inputs, 0), input(inputs, 1), concreteString(s.boundary, "zero") as PadMode),
});

// ---------------------------------------------------------------------------------------
// conv

/** Output length along one axis: "same" → ceil(n/s), "valid" → floor((n-k)/s) + 1. */
function convLength(n: Dim, k: number, stride: number, same: boolean): Dim {
  const len = same ? n : dimSub(n, dimConst(k - 1));
  if (stride === 1) return len;
  const v = dimValue(len);
  if (v !== undefined) return dimConst(Math.ceil(v / stride));
  return dimDivConst(dimAdd(len, dimConst(stride - 1)), stride);
}

function convShape(x: TensorT, k: TensorT, stride: number, same: boolean): TensorT | string {
  const kr = k.shape.length;
  if (kr !== 3 && kr !== 4) return `\`conv\` needs a kernel [kw, in, out] (1D) or [kh, kw, in, out] (2D), got ${show(k)}`;
  const sp = kr - 2;
  const batched = x.shape.length === kr;
  if (!batched && x.shape.length !== kr - 1) {
    return `\`conv\` with the ${sp}D kernel ${show(k)} needs x as [batch, ${sp === 1 ? "width" : "height, width"}, in], got ${show(x)}`;
  }
  const ksz = k.shape.slice(0, sp).map(dimValue);
  if (ksz.some((v) => v === undefined)) return `\`conv\` needs a kernel with constant sizes, got ${show(k)}`;
  const cin = x.shape[x.shape.length - 1];
  const kin = k.shape[sp];
  if (!dimEq(cin, kin)) return `\`conv\` needs x's channels to match the kernel's inputs: ${show(x)} and ${show(k)}`;
  const space = x.shape.slice(batched ? 1 : 0, -1).map((n, i) => convLength(n, ksz[i]!, stride, same));
  return tensor("f32", [...(batched ? [x.shape[0]] : []), ...space, k.shape[kr - 1]]);
}

/** tfjs's "same" padding: total max((out-1)·s + k - n, 0), the smaller half before. */
function samePads(n: number, k: number, s: number): [number, number] {
  const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function convImpl(tf: Tf, x0: Tensor, k: Tensor, stride: number, same: boolean, mode: PadMode): Tensor {
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
  const y =
    sp === 1
      ? tf.conv1d(x as Tensor3D, kf as Tensor3D, stride, pad)
      : tf.conv2d(x as Tensor4D, kf as Tensor4D, stride, pad);
  return batched ? y : tf.squeeze(y, [0]);
}

builtin({
  name: "conv",
  doc: "1D (NWC) or 2D (NHWC) convolution (correlation) with kernel [..., in, out], tfjs layout.",
  params: [
    { name: "x", kind: "tensor" },
    { name: "k", kind: "tensor" },
    { name: "stride", kind: "int", default: 1 },
    { name: "padding", kind: "string", default: "same", choices: ["same", "valid"] },
    BOUNDARY,
  ],
  shape(q) {
    const stride = staticInt(q.statics.stride ?? 1);
    if (stride === undefined || stride < 1) return "`conv` needs a positive constant stride";
    return convShape(arg(q, 0), arg(q, 1), stride, q.statics.padding !== "valid");
  },
  impl: (tf, inputs, s) =>
    convImpl(
      tf,
      input(inputs, 0),
      input(inputs, 1),
      concreteNumber(s.stride, 1),
      s.padding !== "valid",
      concreteString(s.boundary, "zero") as PadMode,
    ),
});
