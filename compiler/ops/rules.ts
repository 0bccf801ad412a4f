// The autodiff slots of an op record: IR-to-IR rules, each short and kept beside the op's
// other rules. A rule adds ops through a RuleBuilder (the autodiff pass supplies it) and never
// sees a backend: the derivative of an op is more IR, which every backend then runs.
//
// Conventions: a vjp rule gets the output's cotangent and returns one cotangent per tensor
// input, in order, each of that input's shape (`b.unbroadcast` undoes NumPy broadcasting so no
// rule has to); `undefined` means zero (an input the output does not depend on smoothly, such
// as a comparison's). A jvp rule gets one tangent per input (`undefined`: zero) and returns the
// output's. An op with no rule at all cannot be differentiated: the pass says so, naming the op
// and the place.
import type { Value } from "../ir/ir.js";
import { concreteShape } from "../types.js";
import type { ConcreteStatic } from "./registry.js";

/** What a rule may do: add ops to the IR being built. */
export interface RuleBuilder {
  /** Appends builtin `name` on `inputs`; its type comes from the op's own shape rule. */
  op(name: string, inputs: Value[], statics?: Record<string, ConcreteStatic>): Value;
  /** A scalar constant of `like`'s dtype (f32 when absent). */
  scalar(value: number, like?: Value): Value;
  /** Sums `v` down to the shape of `like`: undoes NumPy broadcasting, so no rule has to. */
  unbroadcast(v: Value, like: Value): Value;
  /** `v` broadcast to the shape of `like` (NumPy's broadcast_to). */
  broadcastTo(v: Value, like: Value): Value;
  /** Zeros of `like`'s shape and dtype. */
  zerosLike(like: Value): Value;
}

/** The op being differentiated: its name, tensor inputs, output and statics. */
export interface RuleArgs {
  op: string;
  inputs: readonly Value[];
  /** Which inputs depend on what is differentiated (a rule may skip the others' cotangents). */
  active: readonly boolean[];
  output: Value;
  statics: Readonly<Record<string, ConcreteStatic>>;
}

/** Forward mode: the output's tangent from the inputs' tangents (undefined: zero). */
export type JvpRule = (b: RuleBuilder, a: RuleArgs, tangents: readonly (Value | undefined)[]) => Value | undefined;

/** Reverse mode: each input's cotangent from the output's (undefined: zero). */
export type VjpRule = (b: RuleBuilder, a: RuleArgs, cotangent: Value) => (Value | undefined)[];

export interface AutodiffRules {
  jvp?: JvpRule;
  vjp?: VjpRule;
}

/** The rules of an op that is linear in all its tensor inputs together: f(t) forward, fᵀ back. */
export function linearRules(transpose: VjpRule): AutodiffRules {
  return { vjp: transpose, jvp: jvpOfJointLinear };
}

/** The tangent of a jointly linear op: the op itself on the tangents (zeros for the missing). */
export const jvpOfJointLinear: JvpRule = (b, a, ts) => {
  if (ts.every((t) => t === undefined)) return undefined;
  return b.op(a.op, ts.map((t, i) => t ?? b.zerosLike(a.inputs[i])), { ...a.statics });
};

/**
 * Rules for an op whose derivative is zero wherever it exists (comparisons, floor, sign): no
 * gradient flows through, which is the derivative, not a missing rule.
 */
export const ZERO_DERIVATIVE: AutodiffRules = {
  jvp: () => undefined,
  vjp: (_b, a) => a.inputs.map(() => undefined),
};

/**
 * Thrown by a rule for a case it does not cover (a boundary mode whose adjoint is not written,
 * an input that is not differentiable): the autodiff pass reports it where the derivative was
 * asked for, as it does for an op with no rule at all.
 */
export class NoRule extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = "NoRule";
  }
}

/** A subscript spec selecting `[from, to)` along `axis` of a rank-`rank` tensor, whole elsewhere. */
export function rangeSpec(rank: number, axis: number): string {
  return Array.from({ length: rank }, (_, i) => (i === axis ? "#:#" : ":")).join(", ");
}

/** A subscript spec picking entry `#` along `axis` (which it drops). */
export function pickSpec(rank: number, axis: number): string {
  return Array.from({ length: rank }, (_, i) => (i === axis ? "#" : ":")).join(", ");
}

/** The concrete shape of a value (autodiff runs after specialisation: sizes are numbers). */
export function shapeOfValue(v: Value): number[] {
  return concreteShape(v.type.shape);
}
