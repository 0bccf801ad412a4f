// The typed program: what checking produces and lowering consumes. Every name is resolved to a
// symbol, every expression carries its type and shape, every call of an op or lambda points at
// the instance it calls (with the sizes it bound and its checked body), every builtin call
// carries its evaluated static arguments, and every iterative construct carries its method,
// options and stopping rule resolved once. Lowering translates this into IR and never
// re-derives a type, re-binds an argument or reports a user error.
//
// The same structures serve the generic check (sizes still symbolic: `iterc check` without
// values) and the concrete elaboration that precedes lowering (every size a number, every
// compile-time `if` decided, recursion over shrinking sizes unrolled into one instance per
// level). Only the concrete form is ever lowered.
import type { Span } from "../../base/span.js";
import type { BackwardPolicy, GradChoice, MethodChoice, ReportField, StopRule } from "../constructs.js";
import type { Dim } from "../shapes.js";
import type { StaticValue } from "../ops/registry.js";
import type { DataSource, TrainSettings } from "../training.js";
import type { TensorT, TupleT, Type } from "../types.js";

/** A value slot: a `let`, an input, a parameter, an iterate, a carried value. */
export interface Sym {
  id: number;
  name: string;
  type: TensorT;
}

/** Nested arrays of numbers, row-major, for a literal tensor. */
export type Literal = number | Literal[];

export type TExpr =
  /** A number, a bool, a literal tensor, a size or a static used as a value. */
  | { k: "const"; value: Literal; type: TensorT; span: Span }
  /** A size used as a number while it is still symbolic (generic checks only). */
  | { k: "size"; dim: Dim; type: TensorT; span: Span }
  | { k: "sym"; sym: Sym; type: TensorT; span: Span }
  /** A builtin: its tensor arguments in parameter order (absent optional ones left out). */
  | { k: "op"; op: string; args: TExpr[]; statics: Record<string, StaticValue>; type: TensorT; span: Span }
  /** A call of an op or lambda instance on its tensor arguments (operators and statics are bound in the instance). */
  | { k: "call"; inst: Instance; args: TTensor[]; type: Type; span: Span }
  /** A tensor literal whose items are not all numbers: stacked along a new first axis. */
  | { k: "stack"; items: TExpr[]; type: TensorT; span: Span }
  | { k: "tuple"; items: TExpr[]; type: TupleT; span: Span }
  /** A compile-time `if` whose condition depends on sizes not known yet (generic checks only). */
  | { k: "if"; then: TExpr; else: TExpr; type: Type; span: Span }
  /**
   * `grad(f, x)`, `jvp(f, x, t)`, `vjp(f, x, c)`: `body` is f applied to `param`, the function
   * differentiated at x.
   */
  | { k: "diff"; mode: "grad" | "jvp" | "vjp"; param: Sym; body: TExpr; x: TTensor; direction?: TTensor; type: TensorT; span: Span }
  /** A string or an operator named in value position: only ever reported on, never lowered. */
  | { k: "opaque"; type: Type; span: Span };

export type TTensor = TExpr & { type: TensorT };

/**
 * One instance of an op or lambda: its body checked for one choice of argument types,
 * operator arguments and static values. `params` are its tensor parameters in order;
 * parameters with a default expression are computed in the body (`defaults`).
 */
export interface Instance {
  /** The IR function name: `A<f32[63, 63]>`, `std.cg_step<...>`, `λ7:12<...>`. */
  name: string;
  params: Sym[];
  defaults: { sym: Sym; value: TExpr }[];
  body: TStmt[];
  /** Undefined only for a recursive call in a generic check (its body is the outer one's). */
  result?: TExpr;
  type: Type;
  /** The sizes the call bound (`n` → 63), for messages and printing. */
  sizes: ReadonlyMap<string, Dim>;
  span: Span;
  /** True for an instance of a standard-library op. */
  std: boolean;
}

/** A one-argument operator as a region's body: `u => A(u)`, its parameter and what it gives. */
export interface Operator {
  param: Sym;
  body: TTensor;
}

/** A method written in iterlang: the start and step calls of its protocol (docs/stdlib.md). */
export interface Protocol {
  /** `start(x0)`: the region parameter and the call that builds the state. */
  start: { param: Sym; call: TExpr };
  /** `step(state…)`: the region parameters and the call that advances it. */
  step: { params: Sym[]; call: TExpr };
}

/**
 * The report of a construct as the program reads it: each field read (`u.iterations`) gets a
 * symbol once, and lowering makes it an output of the construct. The checker fills `fields` as
 * it meets the reads, after the construct itself; lowering runs after all checking.
 */
export interface ReportRef {
  construct: "solve" | "fixpoint" | "loop";
  /** The iteration bound: `history` has maxIter + 1 entries. */
  maxIter: number;
  label: string;
  fields: Map<ReportField, Sym>;
}

export type TStmt =
  | { k: "let"; syms: Sym[]; value: TExpr; span: Span }
  /** `x = …` in a loop body: new symbols for the carried names' next values. */
  | { k: "assign"; syms: Sym[]; value: TExpr; span: Span }
  | TFixpoint
  | TSolve
  | TMinimize
  | TLoop;

/**
 * `minimize f(x) -> x`: the objective and its gradient as operators of the unknown, and the
 * optimiser's protocol when it is written in iterlang (its state lives on the matrix view of the
 * unknown, `view`; the driver reshapes between the two).
 */
export interface TMinimize {
  k: "minimize";
  out: Sym;
  init?: TExpr;
  objective: Operator;
  gradient: Operator;
  method: MethodChoice;
  stop: StopRule;
  protocol?: Protocol;
  label: string;
  span: Span;
}

export interface TFixpoint {
  k: "fixpoint";
  out: Sym;
  init?: TExpr;
  map: Operator;
  method: MethodChoice;
  stop: StopRule;
  grad: GradChoice;
  onBackwardFail: BackwardPolicy;
  protocol?: Protocol;
  report: ReportRef;
  label: string;
  span: Span;
}

export interface TSolve {
  k: "solve";
  out: Sym;
  /** The right-hand side, bound to `rhsSym` before the construct (the protocol's `b`). */
  rhs: TExpr;
  rhsSym: Sym;
  init?: TExpr;
  operator: Operator;
  /**
   * The preconditioner chosen, and its region: GMRES (a TypeScript driver) applies it, and the
   * adjoint of the solve applies its transpose (methods in iterlang call it from their step).
   * For a nonlinear solve it approximates the inverse Jacobian at the iterate `at`, its first
   * parameter.
   */
  precond?: { choice: MethodChoice; op: Operator; at?: Sym };
  /** For a driver that applies the Jacobian (Newton–Krylov): (at, v) ↦ J(at) v, by forward-mode autodiff of F. */
  jacobian?: { at: Sym; op: Operator };
  /**
   * A known null space of a singular A (`nullspace constant`, or a tensor z of the unknown's
   * type), bound to `sym` before the regions (the preconditioner projects its output with it):
   * lowering projects it out of the right side and the solution.
   */
  nullspace?: { z: TExpr | "constant"; sym: Sym };
  method: MethodChoice;
  stop: StopRule;
  onBackwardFail: BackwardPolicy;
  protocol?: Protocol;
  report: ReportRef;
  label: string;
  span: Span;
}

export interface TLoop {
  k: "loop";
  outs: Sym[];
  inits: TExpr[];
  counter?: Sym;
  /** The carried values as the body and `until` see them. */
  carried: Sym[];
  body: TStmt[];
  /** The carried names' values at the end of the body (a `carried` sym when not assigned). */
  next: Sym[];
  until?: { carried: Sym[]; counter?: Sym; cond: TExpr };
  /** The iteration bound; Infinity when only `until` … `max` would end it (never: the checker requires a bound). */
  maxIter: number;
  /** True for `loop k < n`: running all n iterations is the normal end. */
  counted: boolean;
  /** For a gradient through it: how many iterations apart the stored states are. */
  checkpoint: number;
  /** Which carried values the loop gives back, by index into `carried`. */
  given: number[];
  report: ReportRef;
  label: string;
  span: Span;
}

/**
 * A training block: the loss of one batch over the trained params and the batch's fields, the
 * optimiser with one protocol per param (on its matrix view), the data and the settings.
 */
export interface TTrain {
  /** The model's name: the report's. */
  label: string;
  params: Sym[];
  fields: Sym[];
  loss: TTensor;
  data: DataSource;
  validation?: DataSource;
  /** The values of `tensors(...)` data sets (the training set's fields, then the validation set's), bound where each `data` is declared. */
  operands: Sym[];
  optimizer: MethodChoice;
  protocols: Protocol[];
  settings: TrainSettings;
  span: Span;
}

/** A top-level declaration, in source order. */
export type TDecl =
  /** An input: bound to the data given (`fromData`), else computed from its default. */
  | { k: "input"; sym: Sym; fromData: boolean; default?: TTensor; span: Span }
  | { k: "param"; sym: Sym; init: TTensor; span: Span }
  | { k: "stmt"; stmt: TStmt }
  /** `train MODEL on DATA { … }`: after it, `params` hold their trained values. */
  | { k: "train"; train: TTrain }
  /** `export u`, or `export e = expr`, which also defines `e` (`sym`). */
  | { k: "export"; name: string; value: TTensor; sym?: Sym; span: Span };

export interface TProgram {
  decls: TDecl[];
  /** Every size with its value (concrete elaboration) or its symbol (generic check). */
  sizes: ReadonlyMap<string, Dim>;
}
