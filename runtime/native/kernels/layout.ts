// Native kernels of the layout ops (compiler/ops/layout.ts holds their meaning, including the
// subscript plans `index` executes). reshape and flatten share their input's data.
import { alignWidths, type PadMode, parseIndexSpec, planIndexing } from "../../../compiler/ops/layout.js";
import { dimConst, dimValue } from "../../../compiler/shapes.js";
import type { NativeArray } from "../array.js";
import { sizeOf } from "../storage.js";
import { axisOf, expanded, input, ints, type KernelContext, type NativeKernel, type OutType, output, stridesOf, str } from "./common.js";
import { boundaryIndex } from "./stencil.js";

/** The flat positions in a tensor of `shape` that a subscript selects, in the order `index` gives them. */
export function selectedPositions(shape: readonly number[], spec: string, bounds: number[]): Int32Array {
  const axes = parseIndexSpec(spec, bounds.map(dimConst));
  const plans = typeof axes === "string" ? axes : planIndexing(shape.map(dimConst), axes);
  if (typeof plans === "string") throw new Error(`internal error: ${plans}`);
  const strides = stridesOf(shape);
  let flat = [0];
  plans.forEach((a, i) => {
    const [start, count] = [dimValue(a.start)!, dimValue(a.count)!];
    const next: number[] = [];
    for (const base of flat) for (let k = 0; k < count; k++) next.push(base + (start + k * a.step) * strides[i]);
    flat = next;
  });
  return Int32Array.from(flat);
}

function gather(ctx: KernelContext, x: NativeArray, positions: Int32Array, out: OutType): NativeArray {
  const y = output(ctx, out);
  for (let k = 0; k < positions.length; k++) y.data[k] = x.data[positions[k]];
  return y;
}

/** The entries of x with each axis i read through maps[i] (−1: a zero), as an odometer. */
function remap(ctx: KernelContext, x: NativeArray, maps: Int32Array[], out: OutType): NativeArray {
  const y = output(ctx, out, true);
  const rank = out.shape.length;
  const strides = stridesOf(x.shape);
  const coord = new Array<number>(rank).fill(0);
  for (let k = 0; k < y.data.length; k++) {
    let at = 0;
    let zero = false;
    for (let ax = 0; ax < rank; ax++) {
      const i = maps[ax][coord[ax]];
      if (i < 0) zero = true;
      at += i * strides[ax];
    }
    if (!zero) y.data[k] = x.data[at];
    for (let ax = rank - 1; ax >= 0; ax--) {
      if (++coord[ax] < out.shape[ax]) break;
      coord[ax] = 0;
    }
  }
  return y;
}

/** Pads each axis by before[i] / after[i] in a boundary mode. */
function padded(ctx: KernelContext, x: NativeArray, before: number[], mode: PadMode, out: OutType): NativeArray {
  const maps = out.shape.map((n, ax) => Int32Array.from({ length: n }, (_, o) => boundaryIndex(o - before[ax], x.shape[ax], mode)));
  return remap(ctx, x, maps, out);
}

/** a and b joined along `axis` (their other sizes equal). */
function concat2(ctx: KernelContext, a: NativeArray, b: NativeArray, axis: number, out: OutType): NativeArray {
  const y = output(ctx, out);
  const inner = out.shape.slice(axis + 1).reduce((p, s) => p * s, 1);
  const [ca, cb] = [a.shape[axis] * inner, b.shape[axis] * inner];
  const outer = sizeOf(out.shape.slice(0, axis));
  for (let o = 0; o < outer; o++) {
    const base = o * (ca + cb);
    for (let i = 0; i < ca; i++) y.data[base + i] = a.data[o * ca + i];
    for (let i = 0; i < cb; i++) y.data[base + ca + i] = b.data[o * cb + i];
  }
  return y;
}

/** Shares x's data under another shape. */
const sameData = (x: NativeArray, out: OutType): NativeArray => ({ dtype: x.dtype, shape: out.shape, data: x.data });

const spec = (s: Record<string, unknown>): string => str(s.spec as string, "");

export const LAYOUT_KERNELS: Record<string, NativeKernel> = {
  reshape: (_ctx, inputs, _s, out) => sameData(input(inputs, 0), out),
  flatten: (_ctx, inputs, _s, out) => sameData(input(inputs, 0), out),
  broadcast: (ctx, inputs, _s, out) => {
    const y = output(ctx, out);
    y.data.set(expanded(input(inputs, 0), out.shape));
    return y;
  },
  index: (ctx, inputs, s, out) => {
    const x = input(inputs, 0);
    return gather(ctx, x, selectedPositions(x.shape, spec(s), ints(s.bounds)), out);
  },
  index_scatter: (ctx, inputs, s, out) => {
    const x = input(inputs, 0);
    const positions = selectedPositions(out.shape, spec(s), ints(s.bounds));
    const y = output(ctx, out, true);
    for (let k = 0; k < positions.length; k++) y.data[positions[k]] += x.data[k];
    return y;
  },
  slice: (ctx, inputs, s, out) => {
    const x = input(inputs, 0);
    const axis = axisOf(s.axis, x.shape.length);
    const start0 = typeof s.start === "number" ? s.start : 0;
    const start = start0 < 0 ? start0 + x.shape[axis] : start0;
    const maps = out.shape.map((n, ax) => Int32Array.from({ length: n }, (_, o) => (ax === axis ? o + start : o)));
    return remap(ctx, x, maps, out);
  },
  concat: (ctx, inputs, s, out) => {
    const [a, b] = [input(inputs, 0), input(inputs, 1)];
    return concat2(ctx, a, b, axisOf(s.axis, a.shape.length), out);
  },
  stack: (ctx, inputs, s, out) => {
    const [a, b] = [input(inputs, 0), input(inputs, 1)];
    const axis = axisOf(s.axis, a.shape.length + 1);
    const grow = (t: NativeArray): NativeArray => ({ ...t, shape: [...t.shape.slice(0, axis), 1, ...t.shape.slice(axis)] });
    return concat2(ctx, grow(a), grow(b), axis, out);
  },
  pad: (ctx, inputs, s, out) => {
    const x = input(inputs, 0);
    const w = alignWidths(ints(s.width), x.shape.length, 0);
    return padded(ctx, x, w, (s.mode ?? "zero") as PadMode, out);
  },
};
