// The derivatives of the iterative constructs: a solve and a fixpoint by the implicit function
// theorem (an adjoint or tangent construct of their own, run by the drivers, with a report),
// a loop by differentiating through its iterations.
import type { ConstructOp, Value } from "../ir/ir.js";
import type { Emitter } from "./emitter.js";
import { NotDifferentiable } from "./errors.js";

/** The cotangents a construct passes back: to its inputs, and to the values its regions capture. */
export interface ConstructCotangents {
  inputs: (Value | undefined)[];
  free: Map<number, Value>;
}

export function reverseConstruct(_e: Emitter, op: ConstructOp, _outCts: (Value | undefined)[], _activeIn: boolean[], _activeFree: ReadonlySet<number>): ConstructCotangents {
  throw new NotDifferentiable(op.kind, op.span, "reverse mode through iterative constructs is not written yet");
}

export function forwardConstruct(_e: Emitter, op: ConstructOp, _ins: (Value | undefined)[], _free: ReadonlyMap<number, Value>): (Value | undefined)[] {
  throw new NotDifferentiable(op.kind, op.span, "forward mode through iterative constructs is not written yet");
}
