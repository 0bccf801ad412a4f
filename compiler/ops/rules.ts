// The autodiff slots of an op record: IR-to-IR rules, each short and kept beside the op's
// other rules. A rule adds ops through a RuleBuilder (the autodiff pass supplies it) and never
// sees a backend: the derivative of an op is more IR, which every backend then runs.
import type { Value } from "../ir/ir.js";
import type { ConcreteStatic } from "./registry.js";

/** What a rule may do: add ops to the IR being built. */
export interface RuleBuilder {
  /** Appends builtin `name` on `inputs`; its type comes from the op's own shape rule. */
  op(name: string, inputs: Value[], statics?: Record<string, ConcreteStatic>): Value;
  /** A scalar constant of `like`'s dtype (f32 when absent). */
  scalar(value: number, like?: Value): Value;
  /** Sums `v` down to the shape of `like`: undoes NumPy broadcasting, so no rule has to. */
  unbroadcast(v: Value, like: Value): Value;
}

/** The op being differentiated: its tensor inputs, its output and its statics. */
export interface RuleArgs {
  inputs: readonly Value[];
  output: Value;
  statics: Readonly<Record<string, ConcreteStatic>>;
}

/** Forward mode: the output's tangent from the inputs' tangents (undefined: zero). */
export type JvpRule = (b: RuleBuilder, a: RuleArgs, tangents: readonly (Value | undefined)[]) => Value | undefined;

/** Reverse mode: each input's cotangent from the output's (undefined: zero, or not differentiable). */
export type VjpRule = (b: RuleBuilder, a: RuleArgs, cotangent: Value) => (Value | undefined)[];

/** For a linear op: applies its transpose to a cotangent (`linear` says in which inputs). */
export type TransposeRule = VjpRule;

export interface AutodiffRules {
  jvp?: JvpRule;
  vjp?: VjpRule;
  transpose?: TransposeRule;
}
