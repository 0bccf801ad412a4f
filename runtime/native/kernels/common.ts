// What every plain-TS kernel of the native backend shares: the kernel type, the wrapper that
// handles empty tensors and never hands back an input, readers of static arguments, and
// broadcasting. Kernels compute in float64 (JavaScript numbers) and store into the output's
// typed array, which rounds once per op for float32 storage, as tfjs's kernels do.
import type { ConcreteStatic } from "../../../compiler/ops/registry.js";
import type { NativeArray, NativeData, NativeDType } from "../array.js";
import { sizeOf } from "../storage.js";

/** Where a kernel gets its output arrays (the facade's pool); `zeroed` when it writes only some entries. */
export interface KernelContext {
  alloc(dtype: NativeDType, length: number, zeroed?: boolean): NativeData;
}

/** The result's concrete shape and storage dtype, as the interpreter passes them. */
export interface OutType {
  shape: number[];
  dtype: NativeDType;
}

export type Statics = Record<string, ConcreteStatic>;

/**
 * Computes one op. `inputs` are the tensor arguments in declaration order (absent optional ones
 * are undefined); the result has `out`'s shape and dtype. A result may share an input's data
 * (reshape): the interpreter then shares that input's storage.
 */
export type NativeKernel = (ctx: KernelContext, inputs: (NativeArray | undefined)[], statics: Statics, out: OutType) => NativeArray;

/**
 * A kernel that never runs on tensors with no entries: an empty result is empty whatever the
 * op; a reduction of an empty input is its identity (`empty`), as the tfjs kernels decide.
 */
export function guarded(inner: NativeKernel, empty?: number): NativeKernel {
  return (ctx, inputs, statics, out) => {
    const n = sizeOf(out.shape);
    if (n === 0) return { dtype: out.dtype, shape: out.shape, data: ctx.alloc(out.dtype, 0) };
    if (empty !== undefined && inputs.some((t) => t !== undefined && t.data.length === 0)) {
      const data = ctx.alloc(out.dtype, n);
      data.fill(empty);
      return { dtype: out.dtype, shape: out.shape, data };
    }
    return inner(ctx, inputs, statics, out);
  };
}

/** A required tensor input at run time. */
export function input(inputs: (NativeArray | undefined)[], i: number): NativeArray {
  const t = inputs[i];
  if (t === undefined) throw new Error(`internal error: tensor input ${i} missing`);
  return t;
}

/** A fresh output array of `out`'s shape and dtype. */
export function output(ctx: KernelContext, out: OutType, zeroed = false): NativeArray {
  return { dtype: out.dtype, shape: out.shape, data: ctx.alloc(out.dtype, sizeOf(out.shape), zeroed) };
}

export function num(v: ConcreteStatic | undefined, fallback: number): number {
  return typeof v === "number" ? v : fallback;
}

export function ints(v: ConcreteStatic | undefined): number[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: ConcreteStatic | undefined, fallback: string): string {
  return typeof v === "string" ? v : fallback;
}

/** A possibly negative axis made non-negative (absent: 0). */
export function axisOf(v: ConcreteStatic | undefined, rank: number): number {
  const a = typeof v === "number" ? v : 0;
  return a < 0 ? a + rank : a;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * For each entry of `outShape` (row-major), the flat index of the entry of an array of
 * `inShape` that NumPy broadcasting reads there. Built once per call, for the general case
 * (the kernels take faster paths for equal shapes and single entries).
 */
export function broadcastMap(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = sizeOf(outShape);
  const map = new Int32Array(n);
  const rank = outShape.length;
  const offset = rank - inShape.length;
  const inStrides = stridesOf(inShape);
  // the stride in the input of each output axis (0 where broadcast)
  const step = outShape.map((_, i) => (i < offset || inShape[i - offset] === 1 ? 0 : inStrides[i - offset]));
  const coord = new Array<number>(rank).fill(0);
  let at = 0;
  for (let k = 0; k < n; k++) {
    map[k] = at;
    for (let ax = rank - 1; ax >= 0; ax--) {
      coord[ax]++;
      at += step[ax];
      if (coord[ax] < outShape[ax]) break;
      at -= step[ax] * coord[ax];
      coord[ax] = 0;
    }
  }
  return map;
}

/** How an operand is read for each output entry: directly, as one entry, or through a map. */
export type Access = { kind: "same" } | { kind: "one" } | { kind: "map"; map: Int32Array };

export function accessFor(x: NativeArray, outShape: readonly number[]): Access {
  const n = sizeOf(outShape);
  if (x.data.length === n && sameShape(x.shape, outShape)) return { kind: "same" };
  if (x.data.length === 1) return { kind: "one" };
  return { kind: "map", map: broadcastMap(x.shape, outShape) };
}

/** The operand's values in the output's layout (a copy only when broadcasting needs one). */
export function expanded(x: NativeArray, outShape: readonly number[]): ArrayLike<number> {
  const a = accessFor(x, outShape);
  if (a.kind === "same") return x.data;
  const n = sizeOf(outShape);
  const out = new Float64Array(n);
  if (a.kind === "one") out.fill(x.data[0]);
  else for (let k = 0; k < n; k++) out[k] = x.data[a.map[k]];
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
