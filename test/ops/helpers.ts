// Test helpers: run an op the way the checker and executor will (its record's shape rule on
// concrete types, then the tfjs backend's kernel, and the native backend's kernel beside it,
// which must agree), float64 plain-TS references, and float32-aware comparisons.
import { expect } from "vitest";
import type { DType } from "../../grammar/ast.js";
import { type ConcreteStatic, getOp, type StaticValue } from "../../compiler/ops/index.js";
import type { Tf } from "../../runtime/tfjs/kernels/common.js";
import { TFJS_KERNELS } from "../../runtime/tfjs/kernels/index.js";
import { NATIVE_KERNELS } from "../../runtime/native/kernels/index.js";
import { dimConst } from "../../compiler/shapes.js";
import { concreteShape, shapeOf, type TensorT, tensor } from "../../compiler/types.js";
import { mulberry32 } from "../../base/mulberry32.js";

export interface Arr {
  shape: number[];
  data: ArrayLike<number>;
  dtype?: DType;
}

export interface Result {
  shape: number[];
  dtype: DType;
  data: number[];
}

/** A reproducible uniform stream in [0, 1) (mulberry32), independent of the code under test. */
export const rng = mulberry32;

/** Random float32-representable values in [lo, hi), shaped. */
export function rand(seed: number, shape: number[], lo = -1, hi = 1): Arr {
  const u = rng(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return { shape, data: Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * u())) };
}

export function randInt(seed: number, shape: number[], lo: number, hi: number): Arr {
  const u = rng(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return { shape, dtype: "i32", data: Array.from({ length: n }, () => lo + Math.floor((hi - lo) * u())) };
}

const TF_DT = { f32: "float32", f64: "float32", i32: "int32", bool: "bool" } as const;

function toStatic(v: ConcreteStatic): StaticValue {
  return Array.isArray(v) ? v.map(dimConst) : v;
}

/** Fills in the declared defaults of a builtin's static params. */
function withDefaults(name: string, statics: Record<string, ConcreteStatic>): Record<string, ConcreteStatic> {
  const spec = getOp(name)!;
  const out: Record<string, ConcreteStatic> = {};
  for (const p of spec.params) {
    if (p.kind === "tensor") continue;
    out[p.name] = p.name in statics ? statics[p.name] : p.default === undefined ? null : p.default;
  }
  return out;
}

/** The type the shape rule gives on concrete argument types, or its message. */
export function shapeOfCall(
  name: string,
  inputs: (Arr | undefined)[],
  statics: Record<string, ConcreteStatic> = {},
  expected?: TensorT,
): TensorT | string {
  const spec = getOp(name);
  if (!spec) throw new Error(`no builtin ${name}`);
  const s = withDefaults(name, statics);
  const tensors = inputs.map((a) => (a ? tensor(a.dtype ?? "f32", shapeOf(...a.shape)) : undefined));
  return spec.shape({ tensors, statics: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, toStatic(v)])), expected });
}

/**
 * Runs a builtin on concrete inputs: the shape rule first, then impl; checks the result's
 * shape and dtype agree with the rule and that no tensor leaked.
 */
export function run(
  tf: Tf,
  name: string,
  inputs: (Arr | undefined)[],
  statics: Record<string, ConcreteStatic> = {},
  expected?: TensorT,
): Result {
  const t = shapeOfCall(name, inputs, statics, expected);
  if (typeof t === "string") throw new Error(t);
  const before = tf.memory().numTensors;
  const ins = inputs.map((a) => (a ? tf.tensor(Array.from(a.data), a.shape, TF_DT[a.dtype ?? "f32"]) : undefined));
  const out = { shape: concreteShape(t.shape), dtype: t.dtype };
  const y = TFJS_KERNELS.get(name)!(tf, ins, withDefaults(name, statics), out);
  expect(y.shape).toEqual(out.shape);
  expect(y.dtype).toBe(TF_DT[out.dtype]);
  const data = Array.from(y.dataSync());
  y.dispose();
  for (const i of ins) i?.dispose();
  expect(tf.memory().numTensors).toBe(before);
  expectNativeAgrees(name, inputs, withDefaults(name, statics), out, data);
  return { shape: out.shape, dtype: out.dtype, data };
}

const newArray = { f32: Float32Array, f64: Float64Array, i32: Int32Array, bool: Uint8Array } as const;

/**
 * The native backend's plain-TS kernel (float32 storage) gives what tfjs gave: within 2e-5 of
 * the result's largest magnitude (a float32 kernel rounds each op's result once, tfjs's may
 * round inside the op too, and sums in another order: a few ulps of the largest term).
 */
function expectNativeAgrees(name: string, inputs: (Arr | undefined)[], statics: Record<string, ConcreteStatic>, out: { shape: number[]; dtype: DType }, want: number[]): void {
  const arrays = inputs.map((a) => {
    if (!a) return undefined;
    const dtype = a.dtype ?? "f32";
    return { dtype, shape: a.shape, data: newArray[dtype].from(Array.from(a.data)) };
  });
  const ctx = { alloc: (dtype: DType, n: number) => new newArray[dtype](n) };
  const y = NATIVE_KERNELS.get(name)!(ctx, arrays, statics, out);
  expect(y.shape, `native \`${name}\`: shape`).toEqual(out.shape);
  expect(y.dtype, `native \`${name}\`: dtype`).toBe(out.dtype);
  const scale = Math.max(1, ...want.map((x) => (Number.isFinite(x) ? Math.abs(x) : 0)));
  expectClose(Array.from(y.data), want, 0, 2e-5 * scale);
}

/** |got - want| <= abs + rel·|want| entrywise, with the first failure in the message. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, abs = 0): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = Math.abs(got[i] - want[i]) <= abs + rel * Math.abs(want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i]));
    if (!ok) expect.fail(`entry ${i}: got ${got[i]}, want ${want[i]} (rel ${rel}, abs ${abs})`);
  }
}

/**
 * Tolerance for a float32 sum of `terms`: naive or pairwise summation errs by at most
 * n·u·Σ|t| (u = 2^-24 ≈ 6e-8); sqrt(n)·1e-6·Σ|t| covers that for n ≤ 277, our sizes.
 */
export function sumTol(terms: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < terms.length; i++) s += Math.abs(terms[i]);
  return Math.sqrt(Math.max(terms.length, 1)) * 1e-6 * s + 1e-30;
}

/** Row-major strides. */
export function strides(shape: number[]): number[] {
  const out = Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1] * shape[i + 1];
  return out;
}

/** NumPy broadcasting reference: f applied to the broadcast entries of a and b. */
export function broadcastRef(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  const n = Math.max(a.shape.length, b.shape.length);
  const pa = [...Array(n - a.shape.length).fill(1), ...a.shape];
  const pb = [...Array(n - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const [sa, sb, so] = [strides(pa), strides(pb), strides(shape)];
  const count = shape.reduce((p, d) => p * d, 1);
  const data = new Array<number>(count);
  for (let k = 0; k < count; k++) {
    let ia = 0;
    let ib = 0;
    for (let ax = 0; ax < n; ax++) {
      const c = Math.floor(k / so[ax]) % shape[ax];
      ia += (pa[ax] === 1 ? 0 : c) * sa[ax];
      ib += (pb[ax] === 1 ? 0 : c) * sb[ax];
    }
    data[k] = f(a.data[ia], b.data[ib]);
  }
  return { shape, data };
}
