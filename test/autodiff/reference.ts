// Float64 references for the autodiff tests: a plain-TS implementation of every differentiable
// builtin (written from the ops' documented meaning, not from the compiler's code), central
// finite differences of any function built from them, and the comparisons the rule and
// program tests make.
//
// Why the comparisons are what they are. The rules run in float32 (unit roundoff u = 2^-24 ≈
// 6e-8); these references run in float64 on the very same (float32-representable) inputs, so
// the only differences are
//   - float32 rounding of the primal and of the rule's own arithmetic: each entry of J·t (or
//     Jᵀ·c) is a sum of at most K ≤ 64 products in our cases, each product carrying a few
//     roundings (the primal value it uses, one or two elementwise ops, a transcendental kernel
//     accurate to a few ulp, pow through exp/log which scales its error by |y log x| ≤ 3). The
//     error is bounded by about (K + 10)·u·S ≈ 5e-6·S, where S is the same sum taken with
//     absolute values (S = (|J|·|t|)_i, or (|J|ᵀ·|c|)_j); in practice it is ~1e-7·S.
//     The input domains keep the derivative factors away from cancellation (tanh of |x| ≤ 2,
//     so 1 − tanh² ≥ 0.07 loses at most ~2e-6 of itself).
//   - the finite-difference error: fourth-order central differences with a step h = 1e-4
//     along a direction of entries ≤ 1, in float64: truncation h⁴/30·|f⁽⁵⁾| ≈ 3e-18 and
//     cancellation ≈ 2ε64·|f|/h ≈ 2e-12·|f| — negligible even where an entry's derivative is
//     much smaller than f (every nonsmooth op gets inputs at least 1e-2 from its kinks, so no
//     step, at most 2h, crosses one).
// So an entry is accepted within RTOL = 1e-4 of its absolute-value scale S (with S ≥ 1e-6 so
// that an all-zero row compares absolutely): 20× the worst-case float32 bound and over 100×
// the largest error measured over all the rule cases (between 3e-7·S and 1e-6·S), yet 1e4×
// smaller than what any wrong rule (wrong factor, sign, transposition, axis or boundary) does
// to an entry.
import { expect } from "vitest";
import { mulberry32 } from "../../base/mulberry32.js";

/** A dense float64 tensor, row-major. */
export interface T {
  shape: number[];
  data: number[];
}

export const RTOL = 1e-4;
export const FD_STEP = 1e-4;

// ---- construction ------------------------------------------------------------------------

export const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

export function tensor(shape: number[], data: ArrayLike<number>): T {
  if (data.length !== size(shape)) throw new Error(`reference: ${data.length} values for shape [${shape.join(", ")}]`);
  return { shape: [...shape], data: Array.from(data) };
}

export const scalar = (x: number): T => ({ shape: [], data: [x] });
export const zeros = (shape: number[]): T => ({ shape: [...shape], data: Array<number>(size(shape)).fill(0) });

/** A reproducible uniform stream in [0, 1) (mulberry32). */
export const rng = mulberry32;

/** Float32-representable values uniform in [lo, hi). */
export function uniform(seed: number, shape: number[], lo = -1, hi = 1): T {
  const u = rng(seed);
  return tensor(shape, Array.from({ length: size(shape) }, () => Math.fround(lo + (hi - lo) * u())));
}

/** Float32-representable values with |x| uniform in [lo, hi) and a random sign: away from 0. */
export function awayFromZero(seed: number, shape: number[], lo: number, hi: number): T {
  const u = rng(seed);
  return tensor(shape, Array.from({ length: size(shape) }, () => Math.fround((u() < 0.5 ? -1 : 1) * (lo + (hi - lo) * u()))));
}

/**
 * Distinct values, any two at least `gap` apart: a shuffled ladder k·gap·1.5 plus a jitter of
 * at most gap/4, centred on 0. For max, min and norm_inf, whose derivatives jump at ties.
 */
export function distinct(seed: number, shape: number[], gap = 0.1): T {
  const u = rng(seed);
  const n = size(shape);
  const ladder = Array.from({ length: n }, (_, k) => (k - (n - 1) / 2) * 1.5 * gap);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [ladder[i], ladder[j]] = [ladder[j], ladder[i]];
  }
  return tensor(shape, ladder.map((v) => Math.fround(v + (u() - 0.5) * 0.5 * gap)));
}

/** Like `distinct`, but with distinct magnitudes at least `gap` from each other and from 0, random signs. */
export function distinctAbs(seed: number, shape: number[], gap = 0.1): T {
  const u = rng(seed + 7919);
  const d = distinct(seed, shape, gap);
  const lo = Math.min(...d.data);
  return tensor(shape, d.data.map((v) => Math.fround((u() < 0.5 ? -1 : 1) * (v - lo + gap))));
}

// ---- shapes and broadcasting ---------------------------------------------------------------

export function strides(shape: readonly number[]): number[] {
  const out = Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1] * shape[i + 1];
  return out;
}

/** The multi-index of flat position k in `shape`. */
function unflat(k: number, shape: readonly number[]): number[] {
  const idx = Array<number>(shape.length).fill(0);
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    idx[ax] = k % shape[ax];
    k = Math.floor(k / shape[ax]);
  }
  return idx;
}

function flat(idx: readonly number[], shape: readonly number[]): number {
  let k = 0;
  for (let ax = 0; ax < shape.length; ax++) k = k * shape[ax] + idx[ax];
  return k;
}

export function broadcastShape(...shapes: number[][]): number[] {
  const n = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - n + i] ?? 1;
      if (e !== 1 && d !== 1 && e !== d) throw new Error(`reference: shapes [${shapes.map((x) => x.join(",")).join("] [")}] do not broadcast`);
      if (e !== 1) d = e;
    }
    out.push(d);
  }
  return out;
}

/** The entry of `a` that NumPy broadcasting reads for multi-index `idx` of the broadcast shape. */
function readBroadcast(a: T, idx: readonly number[]): number {
  const off = idx.length - a.shape.length;
  let k = 0;
  for (let ax = 0; ax < a.shape.length; ax++) k = k * a.shape[ax] + (a.shape[ax] === 1 ? 0 : idx[off + ax]);
  return a.data[k];
}

/** f applied entrywise to broadcast operands (NumPy rules). */
export function zipWith(args: T[], f: (...x: number[]) => number): T {
  const shape = broadcastShape(...args.map((a) => a.shape));
  const n = size(shape);
  const data = Array<number>(n);
  for (let k = 0; k < n; k++) {
    const idx = unflat(k, shape);
    data[k] = f(...args.map((a) => readBroadcast(a, idx)));
  }
  return { shape, data };
}

export const map = (a: T, f: (x: number) => number): T => ({ shape: [...a.shape], data: a.data.map(f) });

export function broadcastTo(a: T, dims: number[]): T {
  return zipWith([a, zeros(dims)], (x) => x);
}

// ---- elementwise ---------------------------------------------------------------------------

export const UNARY: Record<string, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => Math.max(x, 0),
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  tan: Math.tan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  arcsin: Math.asin,
  arccos: Math.acos,
  arctan: Math.atan,
  arcsinh: Math.asinh,
  arccosh: Math.acosh,
  arctanh: Math.atanh,
  log1p: Math.log1p,
  expm1: Math.expm1,
  log2: Math.log2,
  log10: Math.log10,
  exp2: (x) => 2 ** x,
  cbrt: Math.cbrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  softplus: (x) => Math.log(1 + Math.exp(x)),
};

export const BINARY: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  // floored modulo: the result has the divisor's sign
  mod: (a, b) => a - b * Math.floor(a / b),
  maximum: Math.max,
  minimum: Math.min,
  // the angle of the point (b, a)
  arctan2: Math.atan2,
  hypot: (a, b) => Math.sqrt(a * a + b * b),
};

export const unary = (name: string, a: T): T => map(a, UNARY[name]);
export const binary = (name: string, a: T, b: T): T => zipWith([a, b], BINARY[name]);
export const where = (cond: T, a: T, b: T): T => zipWith([cond, a, b], (c, x, y) => (c !== 0 ? x : y));

// ---- reductions ----------------------------------------------------------------------------

export type Reduction = "sum" | "mean" | "max" | "min" | "prod" | "norm" | "norm_inf";

const REDUCERS: Record<Reduction, (xs: number[]) => number> = {
  sum: (xs) => xs.reduce((p, x) => p + x, 0),
  mean: (xs) => xs.reduce((p, x) => p + x, 0) / xs.length,
  max: (xs) => Math.max(...xs),
  min: (xs) => Math.min(...xs),
  prod: (xs) => xs.reduce((p, x) => p * x, 1),
  norm: (xs) => Math.sqrt(xs.reduce((p, x) => p + x * x, 0)),
  norm_inf: (xs) => Math.max(...xs.map(Math.abs)),
};

/** A reduction over all entries (axis null) or one axis (negative counts from the end). */
export function reduce(kind: Reduction, a: T, axis: number | null = null, keepdims = false): T {
  if (axis === null) {
    const v = REDUCERS[kind](a.data);
    return keepdims ? tensor(a.shape.map(() => 1), [v]) : scalar(v);
  }
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const kept = a.shape.map((d, i) => (i === ax ? 1 : d));
  const out = zeros(kept);
  for (let k = 0; k < out.data.length; k++) {
    const idx = unflat(k, kept);
    const xs: number[] = [];
    for (let j = 0; j < a.shape[ax]; j++) {
      idx[ax] = j;
      xs.push(a.data[flat(idx, a.shape)]);
    }
    out.data[k] = REDUCERS[kind](xs);
  }
  return keepdims ? out : { shape: a.shape.filter((_, i) => i !== ax), data: out.data };
}

/** Frobenius norm of each matrix (the last two axes). */
export function fro(a: T): T {
  const [n, m] = a.shape.slice(-2);
  const lead = a.shape.slice(0, -2);
  const out = zeros(lead);
  for (let b = 0; b < out.data.length; b++) {
    let s = 0;
    for (let i = 0; i < n * m; i++) s += a.data[b * n * m + i] ** 2;
    out.data[b] = Math.sqrt(s);
  }
  return out;
}

export function dot(a: T, b: T): T {
  if (a.data.length !== b.data.length) throw new Error("reference: dot of different sizes");
  return scalar(a.data.reduce((p, x, i) => p + x * b.data[i], 0));
}

// ---- linear algebra ------------------------------------------------------------------------

/** NumPy matmul: vectors as a row (left) or column (right), batch axes broadcast. */
export function matmul(a: T, b: T): T {
  const A = a.shape.length === 1 ? { shape: [1, a.shape[0]], data: a.data } : a;
  const B = b.shape.length === 1 ? { shape: [b.shape[0], 1], data: b.data } : b;
  const [n, k] = A.shape.slice(-2);
  const [k2, m] = B.shape.slice(-2);
  if (k !== k2) throw new Error("reference: matmul inner sizes differ");
  const batch = broadcastShape(A.shape.slice(0, -2), B.shape.slice(0, -2));
  const out = zeros([...batch, n, m]);
  const at = (X: T, bIdx: number[], i: number, j: number): number => {
    const lead = X.shape.slice(0, -2);
    const off = bIdx.length - lead.length;
    const li = lead.map((d, ax) => (d === 1 ? 0 : bIdx[off + ax]));
    return X.data[flat([...li, i, j], X.shape)];
  };
  for (let bk = 0; bk < size(batch); bk++) {
    const bIdx = unflat(bk, batch);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let l = 0; l < k; l++) s += at(A, bIdx, i, l) * at(B, bIdx, l, j);
        out.data[(bk * n + i) * m + j] = s;
      }
    }
  }
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [n]), ...(b.shape.length === 1 ? [] : [m])];
  return { shape, data: out.data };
}

/** Permutes the axes: output axis j is input axis perm[j] (default: reversed). */
export function transpose(a: T, perm?: number[]): T {
  const p = perm ?? a.shape.map((_, i) => a.shape.length - 1 - i);
  const shape = p.map((i) => a.shape[i]);
  const out = zeros(shape);
  for (let k = 0; k < out.data.length; k++) {
    const oi = unflat(k, shape);
    const ii = Array<number>(a.shape.length);
    p.forEach((src, j) => (ii[src] = oi[j]));
    out.data[k] = a.data[flat(ii, a.shape)];
  }
  return out;
}

export function outer(a: T, b: T): T {
  const out = zeros([a.data.length, b.data.length]);
  a.data.forEach((x, i) => b.data.forEach((y, j) => (out.data[i * b.data.length + j] = x * y)));
  return out;
}

export function diag(v: T): T {
  const n = v.data.length;
  const out = zeros([n, n]);
  for (let i = 0; i < n; i++) out.data[i * n + i] = v.data[i];
  return out;
}

export function diagonal(a: T): T {
  const [n, m] = a.shape;
  return tensor([Math.min(n, m)], Array.from({ length: Math.min(n, m) }, (_, i) => a.data[i * m + i]));
}

export const trace = (a: T): T => scalar(diagonal(a).data.reduce((p, x) => p + x, 0));

// ---- layout --------------------------------------------------------------------------------

export function reshape(a: T, dims: number[]): T {
  const known = dims.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  return tensor(
    dims.map((d) => (d === -1 ? a.data.length / known : d)),
    a.data,
  );
}

export const flatten = (a: T): T => tensor([a.data.length], a.data);

/** One axis of a subscript: a single index (drops the axis) or a Python slice. */
type Sub = { at: number } | { start: number | null; stop: number | null; step: number | null };

function parseSubscript(text: string): Sub[] {
  const num = (s: string): number | null => (s.trim() === "" ? null : Number(s.trim()));
  return text.split(",").map((part) => {
    const bits = part.split(":");
    if (bits.length === 1) return { at: Number(bits[0].trim()) };
    return { start: num(bits[0]), stop: num(bits[1]), step: bits.length > 2 ? num(bits[2]) : null };
  });
}

/** The positions a Python subscript selects along an axis of size n (slice.indices semantics). */
function positions(s: Sub, n: number): number[] {
  if ("at" in s) return [s.at < 0 ? s.at + n : s.at];
  const step = s.step ?? 1;
  const clamp = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    if (v < 0) return Math.max(v + n, step > 0 ? 0 : -1);
    return Math.min(v, step > 0 ? n : n - 1);
  };
  const start = clamp(s.start, step > 0 ? 0 : n - 1);
  const stop = clamp(s.stop, step > 0 ? n : -1);
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

/**
 * What `a[subscript]` selects: the result's shape and, in order, the flat positions in `a` of
 * its entries. The subscript is written as in the language ("1:3, ::2", "-1", "::-1, 2").
 */
function selection(shape: readonly number[], subscript: string): { shape: number[]; from: number[] } {
  const subs = parseSubscript(subscript);
  while (subs.length < shape.length) subs.push({ start: null, stop: null, step: null });
  const pos = subs.map((s, ax) => positions(s, shape[ax]));
  const outShape = subs.flatMap((s, ax) => ("at" in s ? [] : [pos[ax].length]));
  const counts = pos.map((p) => p.length);
  const from: number[] = [];
  for (let k = 0; k < size(counts); k++) {
    const ci = unflat(k, counts);
    from.push(flat(ci.map((c, ax) => pos[ax][c]), shape));
  }
  return { shape: outShape, from };
}

export function index(a: T, subscript: string): T {
  const sel = selection(a.shape, subscript);
  return tensor(sel.shape, sel.from.map((k) => a.data[k]));
}

/** Zeros of `dims` with `a` placed where `subscript` selects. */
export function indexScatter(a: T, dims: number[], subscript: string): T {
  const sel = selection(dims, subscript);
  const out = zeros(dims);
  sel.from.forEach((k, i) => (out.data[k] += a.data[i]));
  return out;
}

/** The `size` entries from `start` along `axis` (negative start counts from the end; -1 size: to the end). */
export function slice(a: T, start: number, sz: number, axis: number): T {
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const n = a.shape[ax];
  const s = start < 0 ? start + n : start;
  const count = sz === -1 ? n - s : sz;
  return index(a, a.shape.map((_, i) => (i === ax ? `${s}:${s + count}` : ":")).join(", "));
}

export function concat(a: T, b: T, axis: number): T {
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const shape = a.shape.map((d, i) => (i === ax ? d + b.shape[i] : d));
  const out = zeros(shape);
  for (let k = 0; k < out.data.length; k++) {
    const idx = unflat(k, shape);
    if (idx[ax] < a.shape[ax]) out.data[k] = a.data[flat(idx, a.shape)];
    else {
      idx[ax] -= a.shape[ax];
      out.data[k] = b.data[flat(idx, b.shape)];
    }
  }
  return out;
}

export function stack(a: T, b: T, axis: number): T {
  const ax = axis < 0 ? axis + a.shape.length + 1 : axis;
  const shape = [...a.shape];
  shape.splice(ax, 0, 2);
  const out = zeros(shape);
  for (let k = 0; k < out.data.length; k++) {
    const idx = unflat(k, shape);
    const which = idx[ax];
    idx.splice(ax, 1);
    out.data[k] = (which === 0 ? a : b).data[flat(idx, a.shape)];
  }
  return out;
}

export type Boundary = "zero" | "reflect" | "periodic";

/** The index an out-of-range position i of an axis of size n reads, or -1 for a zero. */
function boundaryIndex(i: number, n: number, mode: Boundary): number {
  if (i >= 0 && i < n) return i;
  if (mode === "zero") return -1;
  if (mode === "periodic") return ((i % n) + n) % n;
  // reflect about the edge point, the edge not repeated: u[-1] = u[1], u[n] = u[n - 2]
  return i < 0 ? -i : 2 * (n - 1) - i;
}

/** The entry of `a` at `idx`, with out-of-range indices on the last `axes` axes by `mode`. */
function readPadded(a: T, idx: number[], mode: Boundary): number {
  const fixed = idx.map((i, ax) => boundaryIndex(i, a.shape[ax], mode));
  return fixed.some((i) => i < 0) ? 0 : a.data[flat(fixed, a.shape)];
}

/** Pads the trailing axes by `widths` on both sides (NumPy pad "constant", "reflect", "wrap"). */
export function pad(a: T, widths: number[], mode: Boundary): T {
  const w = [...Array<number>(a.shape.length - widths.length).fill(0), ...widths];
  const shape = a.shape.map((d, i) => d + 2 * w[i]);
  const out = zeros(shape);
  for (let k = 0; k < out.data.length; k++) {
    const idx = unflat(k, shape).map((i, ax) => i - w[ax]);
    out.data[k] = readPadded(a, idx, mode);
  }
  return out;
}

// ---- stencils ------------------------------------------------------------------------------

/** Correlation on the last two axes: out[i, j] = Σ w[a, b] u[i + a − r, j + b − s]. */
export function correlate(u: T, w: T, mode: Boundary): T {
  const [kh, kw] = w.shape;
  const [r, s] = [(kh - 1) / 2, (kw - 1) / 2];
  const out = zeros(u.shape);
  for (let k = 0; k < out.data.length; k++) {
    const idx = unflat(k, u.shape);
    const [i, j] = idx.slice(-2);
    let acc = 0;
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const at = [...idx.slice(0, -2), i + a - r, j + b - s];
        acc += w.data[a * kw + b] * readPadded(u, at, mode);
      }
    }
    out.data[k] = acc;
  }
  return out;
}

/** center·u[i, j] + side·(u[i±1, j] + u[i, j±1]) on the last two axes. */
export function stencil5(u: T, center: number, side: number, mode: Boundary): T {
  return correlate(u, tensor([3, 3], [0, side, 0, side, center, side, 0, side, 0]), mode);
}

export const laplacian = (u: T, h: number, mode: Boundary): T => stencil5(u, -4 / (h * h), 1 / (h * h), mode);

/** tfjs's "same" padding of one axis: total max((⌈n/s⌉ − 1)·s + k − n, 0), the smaller half first. */
function samePads(n: number, k: number, s: number): number {
  return Math.floor(Math.max((Math.ceil(n / s) - 1) * s + k - n, 0) / 2);
}

/**
 * conv in tfjs's layout (a correlation): x [batch?, ...space, in], k [...kspace, in, out], 1 or
 * 2 spatial axes; "same" keeps ⌈n/stride⌉ outputs with the boundary mode filling the padding.
 */
export function conv(x: T, k: T, stride: number, padding: "same" | "valid", mode: Boundary): T {
  const sp = k.shape.length - 2;
  const batched = x.shape.length === k.shape.length;
  const X = batched ? x : { shape: [1, ...x.shape], data: x.data };
  const space = X.shape.slice(1, 1 + sp);
  const ks = k.shape.slice(0, sp);
  const [cin, cout] = k.shape.slice(sp);
  const outSpace = space.map((n, i) => (padding === "same" ? Math.ceil(n / stride) : Math.floor((n - ks[i]) / stride) + 1));
  const before = space.map((n, i) => (padding === "same" ? samePads(n, ks[i], stride) : 0));
  const shape = [X.shape[0], ...outSpace, cout];
  const out = zeros(shape);
  for (let o = 0; o < out.data.length; o++) {
    const idx = unflat(o, shape);
    const [bi, oc] = [idx[0], idx[idx.length - 1]];
    const pos = idx.slice(1, 1 + sp);
    let acc = 0;
    for (let kk = 0; kk < size(ks); kk++) {
      const koff = unflat(kk, ks);
      const at = pos.map((p, i) => p * stride + koff[i] - before[i]);
      for (let ic = 0; ic < cin; ic++) {
        const xv = readPadded(X, [bi, ...at, ic], mode);
        acc += xv * k.data[flat([...koff, ic, oc], k.shape)];
      }
    }
    out.data[o] = acc;
  }
  return batched ? out : { shape: shape.slice(1), data: out.data };
}

// ---- multigrid transfers -------------------------------------------------------------------

const FW = [1, 2, 1, 2, 4, 2, 1, 2, 1];

/** Full weighting, as documented: (R u)[i, j] = Σ w[a, b] u[2i + a, 2j + b] / 16. */
export function restrictFw(u: T): T {
  const [n, k] = u.shape.slice(-2);
  const [m, l] = [(n - 1) / 2, (k - 1) / 2];
  const lead = u.shape.slice(0, -2);
  const out = zeros([...lead, m, l]);
  for (let o = 0; o < out.data.length; o++) {
    const idx = unflat(o, out.shape);
    const [i, j] = idx.slice(-2);
    let acc = 0;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) acc += FW[a * 3 + b] * u.data[flat([...idx.slice(0, -2), 2 * i + a, 2 * j + b], u.shape)];
    out.data[o] = acc / 16;
  }
  return out;
}

/** 1D linear interpolation weight of coarse point c at fine point f (fine 2c + 1 is coarse c). */
function hat(f: number, c: number): number {
  const d = Math.abs(f - (2 * c + 1));
  return d === 0 ? 1 : d === 1 ? 0.5 : 0;
}

/** Bilinear interpolation with zeros beyond the boundary, as documented: the tensor product of 1D hats. */
export function prolongBilinear(v: T): T {
  const [m, l] = v.shape.slice(-2);
  return prolongTo(v, [2 * m + 1, 2 * l + 1]);
}

/**
 * prolong_to as documented: the same interpolation onto a fine grid of the given sizes, each
 * 2m + 1 or 2m (the even grid is the odd one without its last row and column).
 */
export function prolongTo(v: T, fine: number[]): T {
  const [m, l] = v.shape.slice(-2);
  const lead = v.shape.slice(0, -2);
  const out = zeros([...lead, ...fine]);
  for (let o = 0; o < out.data.length; o++) {
    const idx = unflat(o, out.shape);
    const [fi, fj] = idx.slice(-2);
    let acc = 0;
    for (let ci = 0; ci < m; ci++) {
      const wi = hat(fi, ci);
      if (wi === 0) continue;
      for (let cj = 0; cj < l; cj++) {
        const wj = hat(fj, cj);
        if (wj !== 0) acc += wi * wj * v.data[flat([...idx.slice(0, -2), ci, cj], v.shape)];
      }
    }
    out.data[o] = acc;
  }
  return out;
}

/**
 * Cell-centred bilinear interpolation m × l → 2m × 2l as documented (compiler/ops/multigrid.ts):
 * per axis fine[2i] = ¾ v[i] + ¼ v[i − 1], fine[2i + 1] = ¾ v[i] + ¼ v[i + 1], the value beyond
 * an edge −v[edge] ("zero") or v[edge] ("reflect"), signs multiplying at a corner.
 */
export function prolongCc(v: T, bc: "zero" | "reflect"): T {
  const [m, l] = v.shape.slice(-2);
  const lead = v.shape.slice(0, -2);
  const out = zeros([...lead, 2 * m, 2 * l]);
  const ghost = bc === "zero" ? -1 : 1;
  /** The coarse index and weight sign of the neighbour `c` along an axis of `size`. */
  const at = (c: number, size: number): [number, number] => (c < 0 ? [0, ghost] : c >= size ? [size - 1, ghost] : [c, 1]);
  const parents = (q: number): [number, number][] => [[q >> 1, 0.75], [q % 2 === 0 ? (q >> 1) - 1 : (q >> 1) + 1, 0.25]];
  for (let o = 0; o < out.data.length; o++) {
    const idx = unflat(o, out.shape);
    const [fi, fj] = idx.slice(-2);
    let acc = 0;
    for (const [ci, wi] of parents(fi))
      for (const [cj, wj] of parents(fj)) {
        const [[i, si], [j, sj]] = [at(ci, m), at(cj, l)];
        acc += wi * wj * si * sj * v.data[flat([...idx.slice(0, -2), i, j], v.shape)];
      }
    out.data[o] = acc;
  }
  return out;
}

/** restrict_cc as documented: R = Pᵀ/4, built here as the transpose of prolongCc, one coarse entry at a time. */
export function restrictCc(u: T, bc: "zero" | "reflect"): T {
  const [n, k] = u.shape.slice(-2);
  const lead = u.shape.slice(0, -2);
  const out = zeros([...lead, n / 2, k / 2]);
  const unit = zeros([n / 2, k / 2]);
  const batch = u.data.length / (n * k);
  for (let c = 0; c < unit.data.length; c++) {
    unit.data.fill(0);
    unit.data[c] = 1;
    const column = prolongCc(unit, bc).data;
    for (let g = 0; g < batch; g++) {
      let acc = 0;
      for (let f = 0; f < n * k; f++) acc += column[f] * u.data[g * n * k + f];
      out.data[g * unit.data.length + c] = acc / 4;
    }
  }
  return out;
}

// ---- entries at an index known when running -------------------------------------------------

/** The position `take` and `put` use along an axis of size n: rounded down, negative from the end, clipped. */
function runIndex(i: number, n: number): number {
  let k = Math.floor(i);
  if (k < 0) k += n;
  return Math.min(Math.max(k, 0), n - 1);
}

/** Entry i of x along `axis` (the axis dropped). */
export function take(x: T, i: number, axis = 0): T {
  const k = runIndex(i, x.shape[axis]);
  return index(x, x.shape.map((_, ax) => (ax === axis ? String(k) : ":")).join(", "));
}

/** x with entry i along `axis` replaced by v (broadcast to the entry's shape). */
export function put(x: T, i: number, v: T, axis = 0): T {
  const k = runIndex(i, x.shape[axis]);
  const out: T = { shape: [...x.shape], data: [...x.data] };
  const row = broadcastTo(v, x.shape.filter((_, ax) => ax !== axis));
  for (let o = 0; o < out.data.length; o++) {
    const idx = unflat(o, x.shape);
    if (idx[axis] !== k) continue;
    out.data[o] = row.data[flat(idx.filter((_, ax) => ax !== axis), row.shape)];
  }
  return out;
}

// ---- linear solves -------------------------------------------------------------------------

/** The solution of A u = b (A square), by Gaussian elimination with partial pivoting. */
export function solve(A: T, b: T): T {
  const n = b.data.length;
  const M = Array.from({ length: n }, (_, i) => [...A.data.slice(i * n, (i + 1) * n), b.data[i]]);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(M[i][k]) > Math.abs(M[p][k])) p = i;
    [M[k], M[p]] = [M[p], M[k]];
    for (let i = k + 1; i < n; i++) {
      const f = M[i][k] / M[k][k];
      for (let j = k; j <= n; j++) M[i][j] -= f * M[k][j];
    }
  }
  const u = Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = M[i][n];
    for (let j = i + 1; j < n; j++) s -= M[i][j] * u[j];
    u[i] = s / M[i][i];
  }
  return tensor([n], u);
}

// ---- spectral ------------------------------------------------------------------------------

/** The DFT along the second-to-last axis of complex data [..., n, 2]: unnormalised forward, 1/n inverse. */
export function dft(x: T, inverse: boolean): T {
  const n = x.shape[x.shape.length - 2];
  const batch = x.data.length / (2 * n);
  const out = zeros(x.shape);
  const sg = inverse ? 1 : -1;
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < n; k++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < n; j++) {
        const th = (sg * 2 * Math.PI * ((j * k) % n)) / n;
        const [a, c] = [x.data[2 * (b * n + j)], x.data[2 * (b * n + j) + 1]];
        re += a * Math.cos(th) - c * Math.sin(th);
        im += a * Math.sin(th) + c * Math.cos(th);
      }
      out.data[2 * (b * n + k)] = inverse ? re / n : re;
      out.data[2 * (b * n + k) + 1] = inverse ? im / n : im;
    }
  }
  return out;
}

// ---- finite differences and comparisons ----------------------------------------------------

const axpy = (x: T, h: number, t: T): T => ({ shape: x.shape, data: x.data.map((v, i) => v + h * t.data[i]) });

/**
 * J·t by fourth-order central differences in float64:
 * (−f(x + 2h t) + 8 f(x + h t) − 8 f(x − h t) + f(x − 2h t)) / 12h. The plain two-point
 * formula errs by h²/6·f''' — for v³ at a small v that is ~1e-8, as large as the whole
 * derivative 3v² there; this one errs by h⁴/30·f⁽⁵⁾ ≈ 3e-18.
 */
export function directional(f: (x: T) => T, x: T, t: T, h = FD_STEP): T {
  const [p2, p1, m1, m2] = [2, 1, -1, -2].map((s) => f(axpy(x, s * h, t)));
  return { shape: p1.shape, data: p1.data.map((v, i) => (8 * (v - m1.data[i]) - (p2.data[i] - m2.data[i])) / (12 * h)) };
}

/** The points `directional` evaluates f at, for a caller that must check they are all smooth. */
export const STEPS = [2, 1, -1, -2].map((s) => s * FD_STEP);

/** The whole Jacobian by central differences: column j is J·e_j (rows: output entries). */
export function jacobian(f: (x: T) => T, x: T, h = FD_STEP): { out: number[]; cols: number[][] } {
  const cols: number[][] = [];
  let out: number[] = [];
  for (let j = 0; j < x.data.length; j++) {
    const e = zeros(x.shape);
    e.data[j] = 1;
    const d = directional(f, x, e, h);
    out = d.shape;
    cols.push(d.data);
  }
  return { out, cols };
}

/** Jᵀ·c and the scale |J|ᵀ·|c| (column j dotted with c). */
export function transposeApply(J: { cols: number[][] }, c: ArrayLike<number>): { value: number[]; scale: number[] } {
  return {
    value: J.cols.map((col) => col.reduce((p, v, i) => p + v * c[i], 0)),
    scale: J.cols.map((col) => col.reduce((p, v, i) => p + Math.abs(v * c[i]), 0)),
  };
}

/** |J|·|t|, per output entry: the magnitude a float32 J·t is summed from. */
export function absApply(J: { cols: number[][] }, t: ArrayLike<number>, rows: number): number[] {
  const out = Array<number>(rows).fill(0);
  J.cols.forEach((col, j) => col.forEach((v, i) => (out[i] += Math.abs(v * t[j]))));
  return out;
}

/**
 * Each got[i] within RTOL·max(scale[i], floor) of want[i]: the float32 error bound is relative
 * to the absolute-value sum the entry is made of (see the header), not to the entry itself.
 */
export function expectWithin(what: string, got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>, rtol = RTOL, floor = 1e-6): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = rtol * Math.max(scale[i], floor);
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol)) expect.fail(`${what}, entry ${i}: got ${got[i]}, want ${want[i]} (error ${err.toExponential(2)} > tolerance ${tol.toExponential(2)})`);
  }
}

export const inner = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

export const innerAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] * b[i]);
  return s;
};
