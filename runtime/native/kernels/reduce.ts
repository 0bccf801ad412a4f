// Native kernels of the reductions (compiler/ops/reduce.ts holds their meaning). Every
// reduction accumulates in float64 and stores its result once, in the output's dtype.
import type { NativeArray } from "../array.js";
import type { KernelContext, NativeKernel, OutType, Statics } from "./common.js";
import { input, output } from "./common.js";

/** A reduction as a fold over one run of entries: start, step, finish(acc, count). */
interface Fold {
  start: number;
  step: (acc: number, x: number) => number;
  finish?: (acc: number, count: number) => number;
}

const FOLDS: Record<string, Fold> = {
  sum: { start: 0, step: (a, x) => a + x },
  mean: { start: 0, step: (a, x) => a + x, finish: (a, n) => a / n },
  // NaN propagates: a comparison with NaN is false, so NaN is taken explicitly.
  max: { start: -Infinity, step: (a, x) => (x > a || Number.isNaN(x) ? x : a) },
  min: { start: Infinity, step: (a, x) => (x < a || Number.isNaN(x) ? x : a) },
  prod: { start: 1, step: (a, x) => a * x },
  norm: { start: 0, step: (a, x) => a + x * x, finish: (a) => Math.sqrt(a) },
  norm_inf: { start: 0, step: (a, x) => { const m = Math.abs(x); return m > a || Number.isNaN(m) ? m : a; } },
};

/** Reduces along `axis` (all entries when undefined): x viewed as [outer, n, inner]. */
function reduceAlong(ctx: KernelContext, fold: Fold, x: NativeArray, axis: number | undefined, out: OutType): NativeArray {
  const y = output(ctx, out);
  const d = x.data;
  const o = y.data;
  if (axis === undefined) {
    let acc = fold.start;
    if (fold === FOLDS.sum) for (let i = 0; i < d.length; i++) acc += d[i];
    else for (let i = 0; i < d.length; i++) acc = fold.step(acc, d[i]);
    o[0] = fold.finish ? fold.finish(acc, d.length) : acc;
    return y;
  }
  const n = x.shape[axis];
  const inner = x.shape.slice(axis + 1).reduce((p, s) => p * s, 1);
  const outer = x.shape.slice(0, axis).reduce((p, s) => p * s, 1);
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < inner; j++) {
      let acc = fold.start;
      for (let k = 0, at = a * n * inner + j; k < n; k++, at += inner) acc = fold.step(acc, d[at]);
      o[a * inner + j] = fold.finish ? fold.finish(acc, n) : acc;
    }
  }
  return y;
}

function axisStatic(statics: Statics, rank: number): number | undefined {
  const v = statics.axis;
  if (typeof v !== "number") return undefined;
  return v < 0 ? v + rank : v;
}

const reduction =
  (fold: Fold): NativeKernel =>
  (ctx, inputs, statics, out) => {
    const x = input(inputs, 0);
    return reduceAlong(ctx, fold, x, axisStatic(statics, x.shape.length), out);
  };

/** The Frobenius norm of each matrix (the last two axes). */
const fro: NativeKernel = (ctx, inputs, _s, out) => {
  const x = input(inputs, 0);
  const m = x.shape.slice(-2).reduce((p, s) => p * s, 1);
  const y = output(ctx, out);
  for (let b = 0; b < y.data.length; b++) {
    let acc = 0;
    for (let i = b * m; i < (b + 1) * m; i++) acc += x.data[i] * x.data[i];
    y.data[b] = Math.sqrt(acc);
  }
  return y;
};

const dot: NativeKernel = (ctx, inputs, _s, out) => {
  const [a, b] = [input(inputs, 0).data, input(inputs, 1).data];
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += a[i] * b[i];
  const y = output(ctx, out);
  y.data[0] = acc;
  return y;
};

const trace: NativeKernel = (ctx, inputs, _s, out) => {
  const x = input(inputs, 0);
  const [n, m] = x.shape;
  let acc = 0;
  for (let i = 0; i < Math.min(n, m); i++) acc += x.data[i * m + i];
  const y = output(ctx, out);
  y.data[0] = acc;
  return y;
};

export const REDUCE_KERNELS: Record<string, NativeKernel> = {
  ...Object.fromEntries(Object.entries(FOLDS).map(([name, f]) => [name, reduction(f)])),
  fro,
  dot,
  trace,
};
