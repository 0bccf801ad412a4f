// Native kernels of linear algebra (compiler/ops/linalg.ts holds the meaning): matmul with
// NumPy's vector and batch rules, transpose, eye, outer, diag, diagonal.
import type { NativeArray } from "../array.js";
import { broadcastMap, input, ints, type NativeKernel, output, stridesOf } from "./common.js";

/** C[n, m] (at offset oc) = A[n, k] (at oa) @ B[k, m] (at ob), rows accumulated in float64. */
function matmulInto(a: ArrayLike<number>, oa: number, b: ArrayLike<number>, ob: number, c: { [i: number]: number }, oc: number, n: number, k: number, m: number, row: Float64Array): void {
  for (let i = 0; i < n; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const s = a[oa + i * k + p];
      if (s === 0) continue;
      const base = ob + p * m;
      for (let j = 0; j < m; j++) row[j] += s * b[base + j];
    }
    for (let j = 0; j < m; j++) c[oc + i * m + j] = row[j];
  }
}

/** `a @ b`: a vector on the left is a row, on the right a column; batch dims broadcast. */
const matmul: NativeKernel = (ctx, inputs, _s, out) => {
  const [a, b] = [input(inputs, 0), input(inputs, 1)];
  const A = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const B = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const [n, k] = A.slice(-2);
  const m = B[B.length - 1];
  const batchA = A.slice(0, -2);
  const batchB = B.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = batchA[batchA.length - rank + i] ?? 1;
    const db = batchB[batchB.length - rank + i] ?? 1;
    batch.push(da === 1 ? db : da);
  }
  const mapA = broadcastMap(batchA, batch);
  const mapB = broadcastMap(batchB, batch);
  const y = output(ctx, out);
  const row = new Float64Array(m);
  for (let t = 0; t < mapA.length; t++) matmulInto(a.data, mapA[t] * n * k, b.data, mapB[t] * k * m, y.data, t * n * m, n, k, m, row);
  return y;
};

/** Permutes the axes (reversed when `perm` is empty). */
const transpose: NativeKernel = (ctx, inputs, statics, out) => {
  const x = input(inputs, 0);
  const rank = x.shape.length;
  const given = ints(statics.perm);
  const perm = given.length > 0 ? given : [...Array(rank).keys()].reverse();
  const inStrides = stridesOf(x.shape);
  const step = perm.map((p) => inStrides[p]);
  const y = output(ctx, out);
  const coord = new Array<number>(rank).fill(0);
  let at = 0;
  for (let k = 0; k < y.data.length; k++) {
    y.data[k] = x.data[at];
    for (let ax = rank - 1; ax >= 0; ax--) {
      coord[ax]++;
      at += step[ax];
      if (coord[ax] < out.shape[ax]) break;
      at -= step[ax] * coord[ax];
      coord[ax] = 0;
    }
  }
  return y;
};

function diagonalOf(x: NativeArray): number[] {
  const [n, m] = x.shape;
  return Array.from({ length: Math.min(n, m) }, (_, i) => x.data[i * m + i]);
}

export const LINALG_KERNELS: Record<string, NativeKernel> = {
  matmul,
  transpose,
  eye: (ctx, _i, _s, out) => {
    const y = output(ctx, out, true);
    const [n, m] = out.shape;
    for (let i = 0; i < Math.min(n, m); i++) y.data[i * m + i] = 1;
    return y;
  },
  outer: (ctx, inputs, _s, out) => {
    const [a, b] = [input(inputs, 0).data, input(inputs, 1).data];
    const y = output(ctx, out);
    for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) y.data[i * b.length + j] = a[i] * b[j];
    return y;
  },
  diag: (ctx, inputs, _s, out) => {
    const v = input(inputs, 0).data;
    const y = output(ctx, out, true);
    for (let i = 0; i < v.length; i++) y.data[i * v.length + i] = v[i];
    return y;
  },
  diagonal: (ctx, inputs, _s, out) => {
    const y = output(ctx, out);
    y.data.set(diagonalOf(input(inputs, 0)));
    return y;
  },
};
