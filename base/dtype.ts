// The element types of tensors. `f32` is what tfjs computes in; `f64` only the native backend
// computes (tfjs refuses it with a message naming `--backend native`).
export type DType = "f32" | "i32" | "bool";

export const DTYPES: readonly DType[] = ["f32", "i32", "bool"];
