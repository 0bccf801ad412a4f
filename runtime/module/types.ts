// The types a generated module and its callers see. Values cross the module's boundary as
// plain typed arrays with shapes; inside it, tensors are opaque handles. No tfjs type appears
// here, so a generated module's declarations never pull tfjs's into its users' type checks.
import type { ConstructSpec } from "../construct-spec.js";

declare const tensorBrand: unique symbol;

/** A tensor inside a generated module: an opaque handle (tfjs stays an implementation detail). */
export interface Tensor {
  readonly [tensorBrand]: "iterlang.Tensor";
}

export type DType = "f32" | "i32" | "bool";

/** The typed array that holds each dtype's values. */
export interface ArrayOf {
  f32: Float32Array;
  i32: Int32Array;
  bool: Uint8Array;
}

/**
 * An n-dimensional array as plain data: its values in row-major order and its shape, whose
 * length is its rank (`[]` for a scalar). `S` is a tuple type, so the rank is in the type.
 */
export interface NDArray<D extends DType = DType, S extends readonly number[] = readonly number[]> {
  readonly shape: S;
  readonly data: ArrayOf[D];
}

/** A value's dtype and concrete shape, as the compiler decided them. */
export interface ValueType {
  dtype: DType;
  shape: number[];
}

/** A compile-time argument of a kernel (`axis: 1`, `boundary: "zero"`). */
export type Static = number | string | boolean | null | readonly Static[] | { readonly [key: string]: Static };

/** One builtin op on tensors: its tensor arguments, the type of its result, its static arguments. */
export type Kernel = (inputs: readonly Tensor[], out: ValueType, statics?: Readonly<Record<string, Static>>) => Tensor;

/** A region of a construct, as generated code writes it: a function of the region's parameters. */
export type RegionFn = (...args: Tensor[]) => Tensor[];

/** A construct as generated code writes it: its attributes, and its regions as closures. */
export type Construct = ConstructSpec<RegionFn>;

/** An input or output of a module, as its `signature` lists it. */
export interface ValueSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface InputSpec extends ValueSpec {
  /** The input has a default, computed when the caller gives none. */
  readonly optional: boolean;
}

/** What a generated module takes and gives, for the checks at its boundary and for its users. */
export interface Signature {
  /** The `.iter` file it was compiled from. */
  readonly file: string;
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly ValueSpec[];
}
