// The tensor operations the drivers and runtime/constructs.ts use, and nothing more: the
// contract between them and a backend. tfjs-core's module satisfies it structurally
// (`TensorApi<tfc.Tensor>`: the tfjs backends pass `tf` itself); the native backend implements
// it over NativeArray (runtime/native/facade.ts). Keeping the list short is the point: every
// function here is one a new backend must write.
//
// The API is generic in its tensor type T so that a backend gets its own tensors back from the
// drivers, and so that tfjs fits: a function of tfjs takes tfjs tensors, not any Tensor.
// Semantics are tfjs's: NumPy broadcasting in the binary ops; `tidy` disposes every tensor made
// inside it except those its result holds; `reshape` may share storage; `dataSync` reads the
// values (do not keep the array past the tensor's disposal).

export interface Tensor {
  /** Increases with creation: tensors made later have larger ids (see tensorIdMark). */
  readonly id: number;
  readonly shape: number[];
  readonly size: number;
  readonly rank: number;
  /** "float32", "float64" (the native backend only), "int32" or "bool". */
  readonly dtype: string;
  readonly isDisposed: boolean;
  dataSync(): Float32Array | Float64Array | Int32Array | Uint8Array;
  dispose(): void;
}

/** What `tidy` may return: tensors, possibly inside arrays and plain objects. */
export type TensorContainer<T> = void | T | string | number | boolean | TensorContainerObject<T> | TensorContainerArray<T> | Float32Array | Int32Array | Uint8Array;
export interface TensorContainerObject<T> {
  [key: string]: TensorContainer<T>;
}
export interface TensorContainerArray<T> extends Array<TensorContainer<T>> {}

type Operand<T> = T | number;

/** The dtypes a driver asks for by name: a float is the backend's float (see isFloatDType). */
export type RequestedDType = "float32" | "int32" | "bool";

export interface TensorApi<T extends Tensor = Tensor> {
  tidy<C extends TensorContainer<T>>(fn: () => C): C;
  dispose(container: TensorContainer<T>): void;
  clone(x: T): T;
  scalar(value: number): T;
  /** A float tensor holding these values (C order), in the backend's float. */
  tensor(values: Float32Array | Float64Array, shape: number[], dtype: "float32"): T;
  zeros(shape: number[], dtype?: RequestedDType): T;
  zerosLike(x: T): T;
  reshape(x: T, shape: number[]): T;
  cast(x: T, dtype: RequestedDType): T;
  stack(xs: T[], axis?: number): T;
  concat(xs: T[], axis?: number): T;
  add(a: Operand<T>, b: Operand<T>): T;
  sub(a: Operand<T>, b: Operand<T>): T;
  mul(a: Operand<T>, b: Operand<T>): T;
  div(a: Operand<T>, b: Operand<T>): T;
  minimum(a: Operand<T>, b: Operand<T>): T;
  greater(a: Operand<T>, b: Operand<T>): T;
  where(condition: T, a: T, b: T): T;
  sqrt(x: T): T;
  logicalNot(x: T): T;
  isFinite(x: T): T;
  any(x: T): T;
  matMul(a: T, b: T): T;
  /** The sum of every entry, rank 0. */
  sum(x: T): T;
}

/** Whether a tensor of this dtype holds floats (the drivers cast anything else to float32). */
export function isFloatDType(dtype: string): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** The name of a float tensor's arithmetic, for messages about attainable accuracy. */
export function floatName(dtype: string): "float32" | "float64" {
  return dtype === "float64" ? "float64" : "float32";
}
