// Builtin operations: each one declares, in one place, its signature, its shape rule and its
// tfjs implementation (and later its JVP/VJP). The checker, the IR verifier and the executor
// all read this registry; nothing else knows what a builtin does.
import type * as tfc from "@tensorflow/tfjs-core";
import type { DType } from "../../grammar/ast.js";
import type { Dim } from "../shapes.js";
import type { TensorT } from "../types.js";

export type Tf = typeof tfc;
export type Tensor = tfc.Tensor;

/**
 * How a parameter is passed. `tensor`: a runtime value (a number literal is a scalar tensor).
 * The others are compile-time constants: `int` and `float` numbers (an `int` may be a
 * dimension expression such as `n + 1`), `string`, `bool`, and `dims`, which takes all
 * remaining positional arguments as sizes (`zeros(N, N)`).
 */
export type ParamKind = "tensor" | "int" | "float" | "string" | "bool" | "dims";

export interface ParamSpec {
  name: string;
  kind: ParamKind;
  /** A default makes the parameter optional; `null` means optional with no default. */
  default?: number | string | boolean | null;
  /** Allowed values of a `string` parameter (checked at compile time, with "did you mean"). */
  choices?: readonly string[];
  doc?: string;
}

/** A compile-time argument value. `int` params may hold a symbolic size until specialised. */
export type StaticValue = number | string | boolean | Dim | Dim[] | null;

export interface ShapeQuery {
  /** Types of the `tensor` parameters, in declaration order (absent optional ones: undefined). */
  tensors: (TensorT | undefined)[];
  /** Values of the static parameters by name (defaults filled in). */
  statics: Record<string, StaticValue>;
  /** The type the context expects (`param W: f32[H, H] init normal(...)`), if any. */
  expected?: TensorT;
}

/** Concrete static values, as the executor passes them: every Dim is a number by then. */
export type ConcreteStatic = number | string | boolean | number[] | null;

export interface BuiltinSpec {
  name: string;
  /** One line for docs/stdlib.md and hover text. */
  doc: string;
  params: readonly ParamSpec[];
  /** The result type, or a message saying in plain words what is wrong with the arguments. */
  shape(q: ShapeQuery): TensorT | string;
  /**
   * Computes the result on tfjs. `inputs` are the tensor arguments in declaration order
   * (absent optional ones are undefined); `out` is the result type's concrete shape and dtype.
   */
  impl(
    tf: Tf,
    inputs: (Tensor | undefined)[],
    statics: Record<string, ConcreteStatic>,
    out: { shape: number[]; dtype: DType },
  ): Tensor;
}

const registry = new Map<string, BuiltinSpec>();

export function defineBuiltin(spec: BuiltinSpec): BuiltinSpec {
  if (registry.has(spec.name)) throw new Error(`internal error: builtin \`${spec.name}\` defined twice`);
  registry.set(spec.name, spec);
  return spec;
}

export function getBuiltin(name: string): BuiltinSpec | undefined {
  return registry.get(name);
}

export function builtinNames(): string[] {
  return [...registry.keys()];
}
