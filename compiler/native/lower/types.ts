// The lowering's vocabulary: what goes in (a region, its precision, what is known about the
// values it captures), what it works on (items: the region's ops and repeated sub-regions,
// over values with concrete shapes) and what comes out (a kernel set and the call plan that
// says how a call maps arguments and results onto its buffers and registers).
import type { Attr } from "../../ir/ir.js";
import type { DType, KernelSet } from "../kernel-ir.js";

export interface LowerOptions {
  /** The dtype every floating-point value is computed and stored in. */
  precision: DType;
  /**
   * Values the region captures whose value the compiler knows (the const ops around it, by
   * value id): scalars become literals in the code, tensors data written once.
   */
  constants?: ReadonlyMap<number, Attr>;
  /**
   * Parameters whose argument the call may overwrite, when that argument is the region's own
   * previous result (JAX's donate_argnums): their next value is then stored in place. The
   * others are never written by a call: their next value goes to a second buffer, and calls
   * alternate between the two (two kernel variants).
   */
  donate?: readonly number[];
  /**
   * Tensors computed by the region's own ops that are known to have every entry equal to this
   * value (found by running the init kernel of a first lowering): they become literals, and
   * the ops that computed them disappear (a multigrid smoother's diagonal of a constant-
   * coefficient operator).
   */
  uniform?: ReadonlyMap<number, number>;
}

/** A refusal: the region stays on the op-by-op path, and `reason` says why (naming the op). */
export class Refusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "Refusal";
  }
}

/** A value's element type in the IR: floats are computed in the precision; bool and i32 as numbers. */
export type ElemType = "float" | "i32" | "bool";

export interface ValueInfo {
  readonly id: number;
  readonly shape: readonly number[];
  readonly elem: ElemType;
  def: Def;
}

export type Def =
  | { readonly kind: "param"; readonly index: number }
  | { readonly kind: "capture"; readonly index: number }
  /** A known scalar, or a tensor with every entry equal (a const op, a known capture, zeros, an inlined loop's counter). */
  | { readonly kind: "literal"; readonly value: number }
  /** A known tensor (a const op, a creation op such as parity or grid), row-major. */
  | { readonly kind: "data"; readonly values: Float64Array }
  | { readonly kind: "op"; readonly item: OpItem }
  /** The i-th carried value of a repeat, as its body sees it on each trip. */
  | { readonly kind: "carried"; readonly repeat: RepeatItem; readonly index: number }
  /** The i-th carried value after the repeat's last trip. */
  | { readonly kind: "repeated"; readonly repeat: RepeatItem; readonly index: number };

/** A builtin op of the region (or the lowering's own `copy`), with concrete statics. */
export interface OpItem {
  readonly kind: "op";
  readonly opcode: string;
  readonly statics: Readonly<Record<string, Attr>>;
  readonly inputs: readonly number[];
  readonly output: number;
}

/** A counted loop of the region, run `count` ≥ 2 times (one trip is inlined). */
export interface RepeatItem {
  readonly kind: "repeat";
  readonly count: number;
  readonly label: string;
  /** Per carried value: the body's parameter, the initial value, the body's result, the value after the loop. */
  readonly carried: readonly { param: number; init: number; result: number; output: number }[];
  readonly body: readonly Item[];
}

export type Item = OpItem | RepeatItem;

/** Where a region parameter's argument goes. */
export type ParamSlot =
  /** `read`: whether the region reads it (an unread one still tells which variant its argument belongs to). */
  | { readonly kind: "buffer"; readonly shape: readonly number[]; readonly buffers: readonly [string, string]; readonly read: boolean }
  | { readonly kind: "register"; readonly register: string }
  /** The region does not read it. */
  | { readonly kind: "unused" };

/** Where a captured value goes: like a parameter, but in one buffer (a call never writes it). */
export type CaptureSlot =
  | { readonly kind: "buffer"; readonly id: number; readonly shape: readonly number[]; readonly buffer: string }
  | { readonly kind: "register"; readonly id: number; readonly register: string }
  | { readonly kind: "unused"; readonly id: number };

/** Where a result is read from after the kernel ran. */
export type ResultSlot =
  | { readonly kind: "buffer"; readonly shape: readonly number[]; readonly buffers: readonly [string, string] }
  | { readonly kind: "register"; readonly register: string; readonly elem: ElemType }
  | { readonly kind: "literal"; readonly value: number; readonly elem: ElemType };

/**
 * A lowered region: its kernel set and the call plan. Variant v (0 or 1) reads parameter i
 * from `params[i].buffers[v]`, stores result j in `results[j].buffers[v]`, and is the kernel
 * `variants[v]`; a result stored in place has the same buffer in both. With one variant, both
 * entries name the same kernel.
 */
export interface LoweredRegion {
  readonly set: KernelSet;
  /** Contents written into buffers once, before `init` runs (constant tensors, masks). */
  readonly data: readonly { readonly buffer: string; readonly values: Float64Array }[];
  /** A kernel run once after `data` is written: the values that depend on no argument. */
  readonly init: string | null;
  /** The tensors the init kernel computes that the step kernels read (candidates for `uniform`). */
  readonly invariants: readonly { readonly id: number; readonly buffer: string }[];
  /** The init kernel alone with the buffers and registers it uses: run it to inspect `invariants` cheaply. */
  readonly initSet: KernelSet | null;
  readonly variants: readonly [string, string];
  readonly params: readonly ParamSlot[];
  readonly captures: readonly CaptureSlot[];
  readonly results: readonly ResultSlot[];
  /** The applications of operators a call counts (its `tally` ops, each times its enclosing repeats). */
  readonly tallies: ReadonlyMap<string, number>;
  /** For reports: loops, passes over memory, products, transfers, repeats, variants. */
  readonly summary: string;
}
