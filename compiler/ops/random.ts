// Random initialisers. Values come from iterlang's own generator (mulberry32 seeded by `seed`,
// Box–Muller for normals, computed in f64 and stored in the result's float), not from tfjs: the
// same seed gives the same values on every backend and in every tfjs version. Shapes come from
// `dims` or from the expected type (`param W: f32[H, H] init glorot(seed: 2)`). The result is
// f32, or f64 where the expected type is f64.
import { floatOf } from "../../base/dtype.js";
import { createdType, op } from "./common.js";
import type { ConcreteStatic, ParamSpec } from "./registry.js";

/** A reproducible stream of uniforms in (0, 1). */
export function uniformStream(seed: number): () => number {
  let s = (Math.imul(seed | 0, 0x9e3779b9) ^ 0x6d2b79f5) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** `count` standard normals (Box–Muller, f64). */
export function normals(seed: number, count: number): Float64Array {
  const u = uniformStream(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(u()));
    const th = 2 * Math.PI * u();
    out[i] = r * Math.cos(th);
    if (i + 1 < count) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

export function uniforms(seed: number, count: number, lo: number, hi: number): Float64Array {
  const u = uniformStream(seed);
  return Float64Array.from({ length: count }, () => lo + (hi - lo) * u());
}

/** fan_in and fan_out from the last two dims (a vector counts as square, a scalar as 1×1). */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  return [shape[shape.length - 2], shape[shape.length - 1]];
}

const SEED: ParamSpec = { name: "seed", kind: "int", default: 0, doc: "same seed, same values" };
const DIMS: ParamSpec = { name: "dims", kind: "dims", doc: "the sizes; absent: the expected type's" };

/** The values of a random op of `shape` from its seed and other statics, in f64. */
export type Generate = (shape: number[], seed: number, s: Record<string, ConcreteStatic>) => Float64Array;

/** Every random op's generator, by name: the values are the op's meaning, the same on every backend. */
export const GENERATORS = new Map<string, Generate>();

const num = (v: ConcreteStatic | undefined, fallback: number): number => (typeof v === "number" ? v : fallback);

function defineRandom(name: string, doc: string, extra: ParamSpec[], gen: Generate): void {
  op({ name, doc, kind: "random", pure: false, params: [DIMS, ...extra, SEED], shape: (q) => createdType(name, q, floatOf(q.expected?.dtype)) });
  GENERATORS.set(name, gen);
}

const count = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

defineRandom(
  "normal",
  "Normal samples with mean `mean` and standard deviation `std`.",
  [
    { name: "std", kind: "float", default: 1 },
    { name: "mean", kind: "float", default: 0 },
  ],
  (shape, seed, s) => {
    const std = num(s.std, 1);
    const mean = num(s.mean, 0);
    return normals(seed, count(shape)).map((z) => mean + std * z);
  },
);

defineRandom(
  "uniform",
  "Uniform samples on [lo, hi).",
  [
    { name: "lo", kind: "float", default: 0 },
    { name: "hi", kind: "float", default: 1 },
  ],
  (shape, seed, s) => uniforms(seed, count(shape), num(s.lo, 0), num(s.hi, 1)),
);

defineRandom(
  "glorot",
  "Glorot/Xavier uniform on ±sqrt(6/(fan_in+fan_out)), fans from the last two dims.",
  [],
  (shape, seed) => {
    const [fi, fo] = fans(shape);
    const limit = Math.sqrt(6 / Math.max(1, fi + fo));
    return uniforms(seed, count(shape), -limit, limit);
  },
);

defineRandom("he", "He normal: std sqrt(2/fan_in), fan_in from the second-to-last dim.", [], (shape, seed) => {
  const std = Math.sqrt(2 / Math.max(1, fans(shape)[0]));
  return normals(seed, count(shape)).map((z) => std * z);
});

/**
 * A matrix with orthonormal columns (tall) or rows (wide), by modified Gram–Schmidt of a
 * Gaussian matrix in f64; rows = product of all dims but the last, cols = the last dim.
 */
export function orthogonalValues(shape: readonly number[], seed: number, gain: number): Float64Array {
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1];
  const rows = count(shape) / Math.max(cols, 1);
  const [k, j] = rows >= cols ? [rows, cols] : [cols, rows];
  const g = normals(seed, k * j); // column c of the k×j matrix is g[c*k .. c*k+k)
  for (let c = 0; c < j; c++) {
    const col = g.subarray(c * k, c * k + k);
    for (let p = 0; p < c; p++) {
      const prev = g.subarray(p * k, p * k + k);
      let d = 0;
      for (let i = 0; i < k; i++) d += prev[i] * col[i];
      for (let i = 0; i < k; i++) col[i] -= d * prev[i];
    }
    let nrm = 0;
    for (let i = 0; i < k; i++) nrm += col[i] * col[i];
    nrm = Math.sqrt(nrm) || 1;
    for (let i = 0; i < k; i++) col[i] /= nrm;
  }
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows >= cols ? g[c * k + r] : g[r * k + c]);
  }
  return out;
}

defineRandom(
  "orthogonal",
  "Random orthogonal matrix (orthonormal columns if tall, rows if wide), times `gain`.",
  [{ name: "gain", kind: "float", default: 1 }],
  (shape, seed, s) => orthogonalValues(shape, seed, num(s.gain, 1)),
);
