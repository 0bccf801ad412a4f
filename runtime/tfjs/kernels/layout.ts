// tfjs kernels of the layout ops (compiler/ops/layout.ts holds their meaning, including the
// subscript plans `index` executes).
import { alignWidths, type PadMode, parseIndexSpec, planIndexing } from "../../../compiler/ops/layout.js";
import { dimConst, dimValue } from "../../../compiler/shapes.js";
import { castTo, concreteAxis, concreteInts, input, type Tensor, type Tf, type TfjsKernel } from "./common.js";

function index(tf: Tf, x: Tensor, spec: string, bounds: number[], outShape: number[]): Tensor {
  const axes = parseIndexSpec(spec, bounds.map(dimConst));
  const plans = typeof axes === "string" ? axes : planIndexing(x.shape.map(dimConst), axes);
  if (typeof plans === "string") throw new Error(`internal error: ${plans}`);
  const p = plans.map((a) => ({ start: dimValue(a.start)!, count: dimValue(a.count)!, step: a.step }));
  if (p.some((a) => a.count === 0)) return tf.zeros(outShape, x.dtype);
  let y: Tensor;
  if (p.every((a) => a.step === 1)) {
    y = tf.slice(x, p.map((a) => a.start), p.map((a) => a.count));
  } else {
    const first = p.map((a) => (a.step > 0 ? a.start : a.start + (a.count - 1) * a.step));
    const end = p.map((a, i) => first[i] + (a.count - 1) * Math.abs(a.step) + 1);
    y = tf.stridedSlice(x, first, end, p.map((a) => Math.abs(a.step)));
    const backwards = p.flatMap((a, i) => (a.step < 0 ? [i] : []));
    if (backwards.length > 0) y = tf.reverse(y, backwards);
  }
  return tf.reshape(y, outShape);
}

function sliceAxis(tf: Tf, x: Tensor, axis: number, start: number, size: number): Tensor {
  const begin = x.shape.map((_, i) => (i === axis ? start : 0));
  const sizes = x.shape.map((d, i) => (i === axis ? size : d));
  return tf.slice(x, begin, sizes);
}

/**
 * Pads every axis by before[i] / after[i]: `zero` with zeros, `reflect` mirrors without
 * repeating the edge (NumPy's and tfjs's "reflect": 1 2 3 → 2 | 1 2 3 | 2), `periodic` wraps.
 */
export function padWith(tf: Tf, x: Tensor, before: number[], after: number[], mode: PadMode): Tensor {
  const pads = x.shape.map((_, i): [number, number] => [before[i] ?? 0, after[i] ?? 0]);
  if (pads.every(([b, a]) => b === 0 && a === 0)) return x;
  if (mode === "zero") return tf.pad(x, pads);
  if (mode === "reflect") return tf.mirrorPad(x, pads, "reflect");
  let y = x;
  pads.forEach(([b, a], axis) => {
    if (b === 0 && a === 0) return;
    const n = y.shape[axis];
    const parts: Tensor[] = [];
    if (b > 0) parts.push(sliceAxis(tf, y, axis, n - b, b));
    parts.push(y);
    if (a > 0) parts.push(sliceAxis(tf, y, axis, 0, a));
    y = tf.concat(parts, axis);
  });
  return y;
}

/** The flat positions in a tensor of `shape` that a subscript selects, in the order `index` gives them. */
function selectedPositions(shape: number[], spec: string, bounds: number[]): Int32Array {
  const axes = parseIndexSpec(spec, bounds.map(dimConst));
  const plans = typeof axes === "string" ? axes : planIndexing(shape.map(dimConst), axes);
  if (typeof plans === "string") throw new Error(`internal error: ${plans}`);
  const p = plans.map((a) => ({ start: dimValue(a.start)!, count: dimValue(a.count)!, step: a.step }));
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  let flat = [0];
  p.forEach((a, i) => {
    const next: number[] = [];
    for (const base of flat) for (let k = 0; k < a.count; k++) next.push(base + (a.start + k * a.step) * strides[i]);
    flat = next;
  });
  return Int32Array.from(flat);
}

export const LAYOUT_KERNELS: Record<string, TfjsKernel> = {
  broadcast: (tf, inputs, _s, out) => tf.broadcastTo(castTo(tf, input(inputs, 0), out.dtype), out.shape),
  index_scatter: (tf, inputs, s, out) => {
    const x = input(inputs, 0);
    const positions = selectedPositions(out.shape, typeof s.spec === "string" ? s.spec : "", concreteInts(s.bounds));
    const total = out.shape.reduce((a, b) => a * b, 1);
    const scattered = tf.scatterND(tf.tensor2d(positions, [positions.length, 1], "int32"), tf.reshape(castTo(tf, x, out.dtype), [positions.length]), [total]);
    return tf.reshape(scattered, out.shape);
  },
  reshape: (tf, inputs, _s, out) => tf.reshape(input(inputs, 0), out.shape),
  flatten: (tf, inputs, _s, out) => tf.reshape(input(inputs, 0), out.shape),
  index: (tf, inputs, s, out) => index(tf, input(inputs, 0), typeof s.spec === "string" ? s.spec : "", concreteInts(s.bounds), out.shape),
  slice: (tf, inputs, s, out) => {
    const x = input(inputs, 0);
    const axis = concreteAxis(s.axis, x.rank);
    const start = typeof s.start === "number" ? s.start : 0;
    const begin = x.shape.map((d, i) => (i === axis ? (start < 0 ? start + d : start) : 0));
    return tf.slice(x, begin, out.shape);
  },
  concat: (tf, inputs, s, out) => {
    const [a, b] = [castTo(tf, input(inputs, 0), out.dtype), castTo(tf, input(inputs, 1), out.dtype)];
    return tf.concat([a, b], concreteAxis(s.axis, a.rank));
  },
  stack: (tf, inputs, s, out) => {
    const [a, b] = [castTo(tf, input(inputs, 0), out.dtype), castTo(tf, input(inputs, 1), out.dtype)];
    return tf.stack([a, b], concreteAxis(s.axis, a.rank + 1));
  },
  pad: (tf, inputs, s) => {
    const x = input(inputs, 0);
    const w = alignWidths(concreteInts(s.width), x.rank, 0);
    return padWith(tf, x, w, w, (s.mode ?? "zero") as PadMode);
  },
};
