// The IR: typed SSA values, ops with attributes, and structured regions. `loop`, `fixpoint`
// and `solve` stay region ops with their method and stopping rule as attributes, so later
// passes (autodiff's implicit rules, fusion) see what they are, not a lowered loop.
//
// Scoping: an op inside a region may use any value defined earlier in an enclosing region
// (implicit capture, as in MLIR's regions without isolation). Region parameters are the
// values the construct passes in each time it runs its region (the iterate, the carried
// values); region results are what the region yields.
import type { Span } from "../../grammar/ast.js";
import type { TensorT } from "../types.js";

export interface Value {
  id: number;
  type: TensorT;
  /** The source name this value carries, for printing and messages (`u`, `Y`). */
  hint?: string;
}

/** Compile-time attribute values. */
export type Attr = number | string | boolean | null | number[] | Attr[] | { [key: string]: Attr };

export interface Region {
  params: Value[];
  ops: Op[];
  results: Value[];
}

/**
 * Structural opcodes; every other opcode names a builtin of compiler/ops (add, matmul,
 * stencil5, ...) whose `statics` attribute holds its compile-time arguments.
 */
export type StructuralOpcode =
  | "const" // attrs: value (number | nested number[]), output type gives dtype/shape
  | "input" // attrs: name — a program input, bound by the caller at run time
  | "param" // attrs: name — a trainable parameter (its initialiser is lowered as ops)
  | "call" // attrs: callee (function name); inputs: arguments; removed by `specialise`
  | "loop" // inputs: initial carried values; regions: [body, until?]; attrs: maxIter, counter
  | "fixpoint" // inputs: [init]; regions: [map]; attrs: method, options, stop, maxIter, grad
  | "solve"; // inputs: [rhs, init?]; regions: [operator, precond?]; attrs: method, options

export interface Op {
  opcode: StructuralOpcode | string;
  inputs: Value[];
  outputs: Value[];
  attrs: Record<string, Attr>;
  regions: Region[];
  /** Where in the source this op comes from (generated code and errors point back to it). */
  span?: Span;
  /** The source-level name of an iterative construct, for its report (`u`, `z`). */
  label?: string;
}

/** A function: one per `op`/`model` before specialisation, and `main` for the program. */
export interface Func {
  name: string;
  body: Region;
  /** Size parameters still symbolic in this function (empty once specialised). */
  sizeParams: string[];
}

export interface Module {
  funcs: Map<string, Func>;
  /** Program outputs: exported names and the values of `main` they refer to. */
  exports: { name: string; value: Value }[];
}

/** Hands out fresh value ids; one per module so ids stay unique across functions. */
export class ValueFactory {
  private next = 0;

  value(type: TensorT, hint?: string): Value {
    return hint === undefined ? { id: this.next++, type } : { id: this.next++, type, hint };
  }

  /** Continue numbering after the largest id already in use (after a pass built a module). */
  reserve(upTo: number): void {
    this.next = Math.max(this.next, upTo + 1);
  }
}

/** Visits every op of a region, depth first, regions of an op after the op itself. */
export function* walkOps(region: Region): Generator<Op> {
  for (const op of region.ops) {
    yield op;
    for (const r of op.regions) yield* walkOps(r);
  }
}
