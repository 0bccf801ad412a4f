// Native kernels of `take` and `put` (compiler/ops/take.ts holds their meaning: an entry along an
// axis at an index known only when running, floored, negative from the end, clipped) and of
// `tally` (x itself, one application counted: compiler/ops/tally.ts).
import type { Tally } from "../../../compiler/ops/tally.js";
import { tick } from "../../drivers/counts.js";
import type { NativeArray } from "../array.js";
import { axisOf, expanded, input, type NativeKernel, output, stridesOf } from "./common.js";

/** The index in [0, n): floored, counted from the end when negative, clipped. */
function clippedIndex(i: NativeArray, n: number): number {
  const k = Math.floor(i.data[0]);
  const wrapped = k < 0 ? k + n : k;
  return Math.min(Math.max(wrapped, 0), Math.max(n - 1, 0));
}

/** Calls f(flat index in x, flat index in the row with `axis` removed) for every entry whose index along `axis` is k. */
function eachAt(shape: readonly number[], axis: number, k: number, f: (at: number, row: number) => void): void {
  const strides = stridesOf(shape);
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  for (let a = 0; a < outer; a++) for (let b = 0; b < inner; b++) f(a * strides[axis] * shape[axis] + k * strides[axis] + b, a * inner + b);
}

const take: NativeKernel = (ctx, inputs, statics, out) => {
  const x = input(inputs, 0);
  const axis = axisOf(statics.axis, x.shape.length);
  const k = clippedIndex(input(inputs, 1), x.shape[axis]);
  const y = output(ctx, out);
  eachAt(x.shape, axis, k, (at, row) => (y.data[row] = x.data[at]));
  return y;
};

const put: NativeKernel = (ctx, inputs, statics, out) => {
  const x = input(inputs, 0);
  const axis = axisOf(statics.axis, x.shape.length);
  const k = clippedIndex(input(inputs, 1), x.shape[axis]);
  const y = output(ctx, out);
  y.data.set(x.data);
  // v broadcasts against x's row at index k (the axis dropped).
  const row = x.shape.filter((_, d) => d !== axis);
  const v = expanded(input(inputs, 2), row);
  eachAt(x.shape, axis, k, (at, r) => (y.data[at] = v[r]));
  return y;
};

const tally: NativeKernel = (ctx, inputs, statics, out) => {
  tick(statics.what as Tally);
  const y = output(ctx, out);
  y.data.set(input(inputs, 0).data);
  return y;
};

export const INDEXING_KERNELS: Record<string, NativeKernel> = { take, put, tally };
