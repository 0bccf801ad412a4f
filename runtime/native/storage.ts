// How the native backend stores a value: which typed array an IR dtype becomes at a precision,
// and the arrays themselves (allocation, dtype conversion, NativeArray construction).
import type { DType } from "../../base/dtype.js";
import type { NativeArray, NativeData, NativeDType } from "./array.js";
import type { Precision } from "./fused.js";

/** The storage of an IR dtype: `f32` values are stored at the run's precision, `f64` always in float64. */
export function storageDType(dtype: DType, precision: Precision): NativeDType {
  return dtype === "f32" ? precision : dtype;
}

export const BYTES: Record<NativeDType, number> = { f32: 4, f64: 8, i32: 4, bool: 1 };

export function isFloat(d: NativeDType): boolean {
  return d === "f32" || d === "f64";
}

/** A new zeroed typed array for the dtype. */
export function newData(dtype: NativeDType, length: number): NativeData {
  switch (dtype) {
    case "f32":
      return new Float32Array(length);
    case "f64":
      return new Float64Array(length);
    case "i32":
      return new Int32Array(length);
    case "bool":
      return new Uint8Array(length);
  }
}

/** The dtype a typed array stores. */
export function dataDType(data: NativeData): NativeDType {
  if (data instanceof Float32Array) return "f32";
  if (data instanceof Float64Array) return "f64";
  if (data instanceof Int32Array) return "i32";
  return "bool";
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function nativeArray(dtype: NativeDType, shape: readonly number[], data: NativeData): NativeArray {
  return { dtype, shape: [...shape], data };
}

/**
 * Copies `from` into `to`, converting to `to`'s dtype as a cast does: a float stored as int32
 * truncates toward zero (NaN and ±Inf become 0), anything stored as bool is 1 when non-zero
 * (NaN too).
 */
export function convertInto(from: ArrayLike<number>, to: NativeData): void {
  const n = to.length;
  if (to instanceof Uint8Array) {
    for (let i = 0; i < n; i++) to[i] = from[i] !== 0 ? 1 : 0;
  } else if (to instanceof Int32Array) {
    for (let i = 0; i < n; i++) {
      const v = from[i];
      to[i] = Number.isFinite(v) ? Math.trunc(v) : 0;
    }
  } else {
    to.set(from);
  }
}

/** Values as a new array of the dtype (a copy even when the dtype is the same). */
export function converted(from: ArrayLike<number>, dtype: NativeDType): NativeData {
  const out = newData(dtype, from.length);
  convertInto(from, out);
  return out;
}
