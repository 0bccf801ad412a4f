// The seam between the native interpreter (which runs any IR op with plain-TS kernels) and the
// fusing compiler (which turns a whole region body into WebAssembly SIMD kernels). The
// interpreter asks the fuser for each region a construct's driver calls (a method's step, a
// fixpoint's map, a V-cycle); when the fuser refuses, the region runs op by op, and the report
// says which ran.
import type { Region } from "../../compiler/ir/ir.js";
import type { NativeArray } from "./array.js";

/** Floating-point precision of a native run: f32 values are stored as this. */
export type Precision = "f32" | "f64";

export interface FusedRegion {
  /** For reports: what runs, e.g. "native: 2 kernels, 3 passes over memory, f64". */
  readonly description: string;
  /**
   * Runs the region on its arguments (in the order of the region's parameters; rank-0 values
   * are shape-[] arrays) and returns its results in order. A result may be a view into the
   * region's own memory, valid until the next call; an argument that is such a view of this
   * region is not copied in.
   */
  call(args: readonly NativeArray[]): NativeArray[];
}

export type FuseResult = { ok: true; region: FusedRegion } | { ok: false; refused: string };

/** Compiles a region body for a precision, or says why it cannot (an op with no emit rule, …). */
export type RegionFuser = (region: Region, precision: Precision) => FuseResult;
