// What an iterative construct is, once its clauses are resolved: the method it runs with every
// option's value (defaults filled in from compiler/methods.ts, the one place they live), its
// stopping rule and, for a fixpoint, how it is differentiated. The checker resolves these once;
// the typed program, the IR's structural ops and every backend's construct runner carry them
// as they are, so no later stage re-derives a default or decodes an attribute.
import { InternalError } from "../base/diagnostics.js";
import { findMethod, type Construct, DEFAULT_MAXITER, DEFAULT_RTOL, type MethodSpec } from "./methods.js";
import { dimConst } from "./shapes.js";
import { scalar, type TensorT, tensor } from "./types.js";

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

/**
 * The fields of a construct's report a program can read (`u.iterations`, `u.history`): each read
 * field becomes one more output of the construct, after its own, computed from the report when
 * it has run. None is differentiable: a report says how the value was found, not what it is.
 */
export const REPORT_FIELDS = ["iterations", "residual", "rel_residual", "converged", "history"] as const;
export type ReportField = (typeof REPORT_FIELDS)[number];

/** What each field is, for messages and docs. */
export const REPORT_FIELD_DOCS: Record<ReportField, string> = {
  iterations: "the iterations done (f32)",
  residual: "the final residual (f32): the true ‖b − A u‖ of a solve, ‖T(z) − z‖ of a fixpoint",
  rel_residual: "the residual over the reference norm (f32): ‖b‖ for a solve, ‖z‖ for a fixpoint",
  converged: "whether it converged (bool)",
  history: "the residual before the first and after each iteration, f32[max + 1], after the last iteration repeating the final residual",
};

/** The fields a loop has (it has no residual). */
export const LOOP_REPORT_FIELDS: readonly ReportField[] = ["iterations", "converged"];

/** `history` has one entry per possible iteration: above this many, the program must bound `max`. */
export const HISTORY_FIELD_MAX = 1_000_000;

/** A field's type; `history` has `maxIter + 1` entries. */
export function reportFieldType(field: ReportField, maxIter: number): TensorT {
  if (field === "converged") return scalar("bool");
  if (field === "history") return tensor("f32", [dimConst(maxIter + 1)]);
  return scalar("f32");
}
