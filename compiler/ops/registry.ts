// The op records: one per builtin, holding every compile-time rule of the op side by side —
// its signature, its shape rule, what kind of computation it is and what it reads, its scalar
// semantics for folding, its purity and algebraic facts, and the slots autodiff fills (`jvp`,
// `vjp`, `transpose` for linear ops). The checker, the IR verifier and every pass read this
// registry; nothing else knows what a builtin means.
//
// What an op *computes* on a given backend is that backend's business: each backend keeps its
// kernels in one table keyed by these names (tfjs in runtime/tfjs/kernels, the native emitter
// in its own), and test/ops/kernel-coverage.test.ts checks that every record has a kernel in
// every backend or is declared unsupported there with a message.
import type { DType } from "../../base/dtype.js";
import type { Dim } from "../shapes.js";
import type { TensorT } from "../types.js";
import type { AutodiffRules } from "./rules.js";

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

/** Concrete static values, as backends receive them: every Dim is a number by then. */
export type ConcreteStatic = number | string | boolean | number[] | null;

/**
 * What kind of computation an op is, and so what it reads — what fusion and the native
 * emitter decide by:
 * - `elementwise`: out[i] reads in[i] of each input (NumPy broadcasting);
 * - `stencil`: out[i, j] reads the grid at constant offsets (`offsets`; absent when they come
 *   from a weights tensor's shape, as for `stencil` and `conv`);
 * - `reduction`: reads every entry of its input once, writes fewer;
 * - `layout`: moves entries without arithmetic (reshape, slices, pad, concat);
 * - `linalg`: dense linear algebra (matmul, transpose, outer, diagonal);
 * - `transfer`: multigrid grid transfers (restriction, prolongation) and colourings;
 * - `spectral`: Fourier transforms;
 * - `create`: makes a tensor from its statics alone (zeros, eye, grid);
 * - `random`: makes a tensor from a seed (never merged or moved: two draws are two params).
 */
export type OpKind = "elementwise" | "stencil" | "reduction" | "layout" | "linalg" | "transfer" | "spectral" | "create" | "random";

/**
 * Linearity, for autodiff's transposition and for checks of linear operators:
 * - `joint`: linear in all tensor inputs together (add, sub, neg, sum, reshape, stencil5);
 * - `{ in: [i, …] }`: linear in each listed input with the others held fixed (mul and matmul
 *   in both, div in its numerator).
 */
export type Linearity = "joint" | { in: readonly number[] };

/** An exact algebraic identity: `x op unit = x` for the operand sides in `keeps`. */
export interface Identity {
  unit: number;
  keeps: readonly ("left" | "right")[];
}

export interface OpRecord extends AutodiffRules {
  name: string;
  /** One line for docs/stdlib.md and hover text. */
  doc: string;
  params: readonly ParamSpec[];
  /** The result type, or a message saying in plain words what is wrong with the arguments. */
  shape(q: ShapeQuery): TensorT | string;
  kind: OpKind;
  /** For `stencil` ops with fixed offsets: the (row, column) offsets read around each point. */
  offsets?: readonly (readonly [number, number])[];
  /** False for ops whose two calls must stay two (random initialisers). Default true. */
  pure?: boolean;
  /**
   * The scalar function, for constant folding: applied elementwise with broadcasting to the
   * operands as numbers of their dtype (bool as 0/1); the result is stored in the output's
   * dtype afterwards (so `cast` is the identity here). Only elementwise ops have one.
   */
  fold?: (...x: number[]) => number;
  /** The tensor inputs may be swapped without changing the result (cse compares them as a set). */
  commutative?: boolean;
  identity?: Identity;
  /** The op is the identity when its result has its first input's type (a reshape to the same shape). */
  sameTypeIsIdentity?: boolean;
  linear?: Linearity;
  /**
   * More positional tensors than the op's two are folded from the left into nested calls of
   * it, sharing the static arguments: `concat(a, b, c, axis: 1)` is
   * `concat(concat(a, b, axis: 1), c, axis: 1)`.
   */
  variadic?: boolean;
  /** Made by the compiler only (a counter of applications): no program can name it. */
  internal?: boolean;
}

/** Whether two calls of the op with equal inputs may be merged, or one moved out of a loop. */
export function isPure(r: OpRecord): boolean {
  return r.pure !== false;
}

/** A record's output dtype helper type, for rules that compute one. */
export type DTypeRule = (a: DType, b: DType) => DType;

const registry = new Map<string, OpRecord>();

export function defineOp(record: OpRecord): OpRecord {
  if (registry.has(record.name)) throw new Error(`internal error: op \`${record.name}\` defined twice`);
  registry.set(record.name, record);
  return record;
}

export function getOp(name: string): OpRecord | undefined {
  return registry.get(name);
}

export function opNames(): string[] {
  return [...registry.keys()];
}

export function allOps(): OpRecord[] {
  return [...registry.values()];
}
