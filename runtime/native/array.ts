// The native backend's value: a dense row-major array in a typed array, with its shape. It is
// what the native interpreter passes between ops, what fused regions take and return, and what
// the drivers see through the native backend's tensor facade. `data` may be a view into a
// fused region's WebAssembly memory (valid until that region's next call).

export type NativeDType = "f32" | "f64" | "i32" | "bool";
export type NativeData = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface NativeArray {
  readonly dtype: NativeDType;
  readonly shape: readonly number[];
  readonly data: NativeData;
}
