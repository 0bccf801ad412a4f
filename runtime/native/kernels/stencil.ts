// Native kernels of the stencils and convolutions (compiler/ops/stencil.ts holds their
// meaning): correlations on the last two axes with a boundary mode saying what lies outside.
import type { PadMode } from "../../../compiler/ops/layout.js";
import type { NativeArray } from "../array.js";
import { input, type KernelContext, type NativeKernel, num, type OutType, output, str } from "./common.js";

/** The index read for position i of an axis of n entries, or -1 for a zero outside it. */
export function boundaryIndex(i: number, n: number, mode: PadMode): number {
  if (i >= 0 && i < n) return i;
  if (mode === "zero") return -1;
  if (mode === "periodic") return ((i % n) + n) % n;
  return i < 0 ? -i : 2 * (n - 1) - i;
}

/**
 * out[i, j] = Σ w[a][b] · u[i + a − r, j + b − s] on each grid of the last two axes (weights
 * kh × kw, r = (kh − 1)/2, s = (kw − 1)/2), in float64 per entry.
 */
function correlate2d(ctx: KernelContext, u: NativeArray, w: ArrayLike<number>, kh: number, kw: number, mode: PadMode, out: OutType): NativeArray {
  const [n, m] = u.shape.slice(-2);
  const grids = n * m === 0 ? 0 : u.data.length / (n * m);
  const [r, s] = [(kh - 1) / 2, (kw - 1) / 2];
  const y = output(ctx, out);
  const d = u.data;
  const rows = Array.from({ length: kh }, (_, a) => Int32Array.from({ length: n }, (_, i) => boundaryIndex(i + a - r, n, mode)));
  const cols = Array.from({ length: kw }, (_, b) => Int32Array.from({ length: m }, (_, j) => boundaryIndex(j + b - s, m, mode)));
  for (let g = 0; g < grids; g++) {
    const base = g * n * m;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let acc = 0;
        for (let a = 0; a < kh; a++) {
          const ii = rows[a][i];
          if (ii < 0) continue;
          for (let b = 0; b < kw; b++) {
            const jj = cols[b][j];
            const wv = w[a * kw + b];
            if (jj >= 0 && wv !== 0) acc += wv * d[base + ii * m + jj];
          }
        }
        y.data[base + i * m + j] = acc;
      }
    }
  }
  return y;
}

/** center·u + side·(the four neighbours), with a fast loop over the interior. */
function stencil5(ctx: KernelContext, u: NativeArray, center: number, side: number, mode: PadMode, out: OutType): NativeArray {
  const [n, m] = u.shape.slice(-2);
  if (n < 3 || m < 3) return correlate2d(ctx, u, [0, side, 0, side, center, side, 0, side, 0], 3, 3, mode, out);
  const y = correlate2dEdges(ctx, u, center, side, mode, out);
  const d = u.data;
  const o = y.data;
  const grids = d.length / (n * m);
  for (let g = 0; g < grids; g++) {
    for (let i = 1; i < n - 1; i++) {
      const row = g * n * m + i * m;
      for (let j = row + 1; j < row + m - 1; j++) o[j] = center * d[j] + side * (d[j - m] + d[j + m] + d[j - 1] + d[j + 1]);
    }
  }
  return y;
}

/** The 5-point stencil on the first and last rows and columns only (the interior is left to the caller). */
function correlate2dEdges(ctx: KernelContext, u: NativeArray, center: number, side: number, mode: PadMode, out: OutType): NativeArray {
  const [n, m] = u.shape.slice(-2);
  const y = output(ctx, out);
  const d = u.data;
  const grids = d.length / (n * m);
  const at = (base: number, i: number, j: number): number => {
    const ii = boundaryIndex(i, n, mode);
    const jj = boundaryIndex(j, m, mode);
    return ii < 0 || jj < 0 ? 0 : d[base + ii * m + jj];
  };
  const edge = (base: number, i: number, j: number) => {
    y.data[base + i * m + j] = center * d[base + i * m + j] + side * (at(base, i - 1, j) + at(base, i + 1, j) + at(base, i, j - 1) + at(base, i, j + 1));
  };
  for (let g = 0; g < grids; g++) {
    const base = g * n * m;
    for (let j = 0; j < m; j++) (edge(base, 0, j), edge(base, n - 1, j));
    for (let i = 1; i < n - 1; i++) (edge(base, i, 0), edge(base, i, m - 1));
  }
  return y;
}

/** tfjs's "same" padding: total max((out − 1)·s + k − n, 0), the smaller half before. */
function samePads(n: number, k: number, s: number): [number, number] {
  const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * conv in tfjs's layout, 1D as 2D with one row: x [B?, H, W, Cin], k [kh, kw, Cin, Cout],
 * out[b, oy, ox, co] = Σ x[b, oy·s + ky − py, ox·s + kx − px, ci] · k[ky, kx, ci, co].
 */
function conv(ctx: KernelContext, x: NativeArray, k: NativeArray, stride: number, same: boolean, mode: PadMode, out: OutType): NativeArray {
  const sp = k.shape.length - 2;
  const batched = x.shape.length === k.shape.length;
  const xs = batched ? x.shape : [1, ...x.shape];
  const [B, H, W, C] = sp === 1 ? [xs[0], 1, xs[1], xs[2]] : [xs[0], xs[1], xs[2], xs[3]];
  const [kh, kw] = sp === 1 ? [1, k.shape[0]] : [k.shape[0], k.shape[1]];
  const co = k.shape[k.shape.length - 1];
  const [py] = sp === 1 || !same ? [0] : samePads(H, kh, stride);
  const [px] = same ? samePads(W, kw, stride) : [0];
  const oh = sp === 1 ? 1 : same ? Math.ceil(H / stride) : Math.floor((H - kh) / stride) + 1;
  const ow = same ? Math.ceil(W / stride) : Math.floor((W - kw) / stride) + 1;
  const y = output(ctx, out);
  for (let b = 0; b < B; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let c = 0; c < co; c++) {
          let acc = 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = boundaryIndex(oy * stride + ky - py, H, mode);
            if (iy < 0) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = boundaryIndex(ox * stride + kx - px, W, mode);
              if (ix < 0) continue;
              for (let ci = 0; ci < C; ci++) acc += x.data[((b * H + iy) * W + ix) * C + ci] * k.data[((ky * kw + kx) * C + ci) * co + c];
            }
          }
          y.data[((b * oh + oy) * ow + ox) * co + c] = acc;
        }
  return y;
}

const boundary = (s: Record<string, unknown>): PadMode => str(s.boundary as string, "zero") as PadMode;

export const STENCIL_KERNELS: Record<string, NativeKernel> = {
  stencil5: (ctx, inputs, s, out) => stencil5(ctx, input(inputs, 0), num(s.center, 0), num(s.side, 0), boundary(s), out),
  laplacian: (ctx, inputs, s, out) => {
    const h2 = num(s.h, 1) ** 2;
    return stencil5(ctx, input(inputs, 0), -4 / h2, 1 / h2, boundary(s), out);
  },
  stencil: (ctx, inputs, s, out) => {
    const w = input(inputs, 1);
    return correlate2d(ctx, input(inputs, 0), w.data, w.shape[0], w.shape[1], boundary(s), out);
  },
  conv: (ctx, inputs, s, out) => conv(ctx, input(inputs, 0), input(inputs, 1), num(s.stride, 1), s.padding !== "valid", boundary(s), out),
};
