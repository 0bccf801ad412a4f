// What an iterative construct is, once its clauses are resolved: the method it runs with every
// option's value (defaults filled in from compiler/methods.ts, the one place they live), its
// stopping rule and, for a fixpoint, how it is differentiated. The checker resolves these once;
// the typed program, the IR's structural ops and every backend's construct runner carry them
// as they are, so no later stage re-derives a default or decodes an attribute.
import { InternalError } from "../base/diagnostics.js";
import { findMethod, type Construct, DEFAULT_MAXITER, DEFAULT_RTOL, type MethodSpec } from "./methods.js";

/** An option's value: a number, a name (`cycle: W`), a flag, or absent (`lipschitz` unset). */
export type OptionValue = number | string | boolean | null;

/** A method chosen by a `method` or `precond` clause, with all its static options. */
export interface MethodChoice {
  name: string;
  construct: Construct;
  /** Every static option of the method (tensor options are arguments of its ops instead). */
  options: Readonly<Record<string, OptionValue>>;
}

/**
 * When an iteration stops: residual ≤ max(atol, rtol · ref) converges (ref is ‖b‖ for a solve,
 * ‖x‖ for a fixpoint), and `maxIter` updates without that is `max_iterations`.
 */
export interface StopRule {
  rtol: number;
  atol: number;
  maxIter: number;
}

export const GRAD_MODES = ["implicit", "unrolled", "phantom"] as const;

/** How `grad implicit(solver: …)` finds the adjoint fixed point of a fixpoint. */
export const ADJOINT_SOLVERS = ["picard", "anderson", "gmres"] as const;
export type GradMode = (typeof GRAD_MODES)[number];

/** How reverse mode goes through a fixpoint: `grad implicit` unless the clause says otherwise. */
export interface GradChoice {
  mode: GradMode;
  options: Readonly<Record<string, OptionValue>>;
}

/**
 * What a gradient does when the backward (adjoint) construct does not converge, or the forward
 * one did not: `raise` stops the run with the reason (exit 3); `phantom` takes k steps of the
 * adjoint iteration instead (an approximate gradient, said in the report).
 */
export type BackwardPolicy = { mode: "raise" } | { mode: "phantom"; k: number };

export const RAISE: BackwardPolicy = { mode: "raise" };

/** An adjoint or tangent construct: which forward construct it differentiates, and its policy. */
export interface AdjointOf {
  /** The forward construct's label (its report's name). */
  label: string;
  /** The forward construct's output value: its report says whether it converged. */
  forward: number;
  /** `adjoint` for reverse mode, `tangent` for forward mode. */
  role: "adjoint" | "tangent";
  onFail: BackwardPolicy;
}

/** The method's spec from the registry; a name the checker accepted and the registry lacks is a bug. */
export function methodSpec(choice: MethodChoice): MethodSpec {
  const spec = findMethod(choice.construct, choice.name);
  if (!spec) throw new InternalError(`no ${choice.construct} method \`${choice.name}\``);
  return spec;
}

/** A numeric option the checker resolved; absent or not a number is a bug. */
export function numberOption(choice: MethodChoice, name: string): number {
  const v = choice.options[name];
  if (typeof v !== "number") throw new InternalError(`option \`${name}\` of \`${choice.name}\` is ${JSON.stringify(v)}, not a number`);
  return v;
}

/** A numeric option that may be unset (`lipschitz`). */
export function optionalNumber(choice: MethodChoice, name: string): number | undefined {
  const v = choice.options[name];
  return typeof v === "number" ? v : undefined;
}

/** The tolerances an `until` clause states: the whole rule when present. */
export interface UntilClause {
  rtol?: number;
  atol?: number;
}

/**
 * The stopping rule, in one place: an `until` clause is the whole tolerance rule when given;
 * else the method's `rtol`/`atol` options (the default rtol when it has none); `max` overrides
 * the method's `maxiter`, else the default bound.
 */
export function resolveStop(method: MethodChoice, until: UntilClause | undefined, max: number | undefined): StopRule {
  const opt = (name: string): number | undefined => optionalNumber(method, name);
  const tolerances = until
    ? { rtol: until.rtol ?? 0, atol: until.atol ?? 0 }
    : { rtol: opt("rtol") ?? (opt("atol") ? 0 : DEFAULT_RTOL), atol: opt("atol") ?? 0 };
  return { ...tolerances, maxIter: max ?? opt("maxiter") ?? DEFAULT_MAXITER };
}
