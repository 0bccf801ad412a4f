// The element types of tensors. `f32` is what tfjs computes in; `f64` only the native backend
// computes (tfjs refuses it with a message naming `--backend native`).
export type DType = "f32" | "f64" | "i32" | "bool";

export const DTYPES: readonly DType[] = ["f32", "f64", "i32", "bool"];

export type FloatDType = "f32" | "f64";

export function isFloat(d: DType): d is FloatDType {
  return d === "f32" || d === "f64";
}

/** The float a computation on these dtypes gives: f64 when any is f64, else f32. */
export function floatOf(...ds: (DType | undefined)[]): FloatDType {
  return ds.includes("f64") ? "f64" : "f32";
}
