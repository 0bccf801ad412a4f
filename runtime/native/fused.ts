// The seam between the native interpreter (which runs any IR op with plain-TS kernels) and the
// fusing compiler (which turns a whole region body into WebAssembly SIMD kernels). The
// interpreter asks the fuser for each region a construct's driver calls (a method's step, a
// fixpoint's map, a V-cycle); when the fuser refuses, the region runs op by op, and the report
// says which ran.
import type { Attr, Region } from "../../compiler/ir/ir.js";
import type { NativeArray } from "./array.js";

/** Floating-point precision of a native run: f32 values are stored as this. */
export type Precision = "f32" | "f64";

export interface FusedRegion {
  /** For reports: what runs, e.g. "native: 3 loops (1 staged), f64, 3 updated in place". */
  readonly description: string;
  /**
   * The values the region captures that are not known constants (value ids, e.g. a solve's
   * right-hand side b that its step reads): `call` takes their values after the parameters,
   * in this order.
   */
  readonly captures: readonly number[];
  /**
   * Runs the region on its arguments (the region's parameters, then `captures`; rank-0 values
   * are shape-[] arrays) and returns its results in order.
   *
   * Results are views into the region's own memory (and the returned array is reused): valid
   * until the next call, and through it when passed back to it as arguments, uncopied — a call
   * never writes its arguments, unless they were donated (`FuseOptions.donate`): then the
   * result is stored over the argument in place. A captured argument is copied in when its
   * data array is not the one of the previous call (the same array is taken as unchanged until `invalidateCaptures`).
   */
  call(args: readonly NativeArray[]): NativeArray[];
  /**
   * Says that the captured values may have changed even where their data arrays are the same
   * ones as in the last call: the next call copies every captured value in. The interpreter
   * calls it each time a construct starts using the region, since between two runs of a
   * construct an array can be reused for a new value (a pooled array; a view of another
   * fused region's memory, rewritten by that region's next call). Within one run the captured
   * values are fixed, so the identity test of `call` is sound there.
   */
  invalidateCaptures?(): void;
}

export type FuseResult = { ok: true; region: FusedRegion } | { ok: false; refused: string };

export interface FuseOptions {
  /**
   * The values the region captures that the compiler knows: the const ops of the regions
   * around it, by value id (their scalars become literals in the code).
   */
  constants?: ReadonlyMap<number, Attr>;
  /**
   * Parameters (indices) whose argument a call may overwrite when it is the previous call's
   * result in the same position: a method's state, when the driver no longer needs the old
   * state after a step (JAX's donate_argnums). Result i is then stored over parameter i where
   * no later step reads the old value: one buffer, no second kernel variant, and no extra
   * cache traffic for a second copy of the state. Default: none.
   */
  donate?: readonly number[];
}

/**
 * Compiles a region body for a precision, or says why it cannot (an op with no emit rule, …).
 * One instance per region, precision and donation: calls share its memory.
 */
export type RegionFuser = (region: Region, precision: Precision, options?: FuseOptions) => FuseResult;
