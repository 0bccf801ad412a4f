// The IR: typed SSA values, ops, and structured regions. `loop`, `fixpoint` and `solve` stay
// region ops with their method, options and stopping rule as typed fields and their regions
// named by role, so later passes (autodiff's implicit rules, fusion, backends) see what each
// construct is, not a lowered loop.
//
// Scoping: an op inside a region may use any value defined earlier in an enclosing region
// (implicit capture, as in MLIR's regions without isolation). Region parameters are the
// values the construct passes in each time it runs its region (the iterate, the carried
// values); region results are what the region yields.
import type { Span } from "../../base/span.js";
import type { AdjointOf, BackwardPolicy, GradChoice, MethodChoice, ReportField, StopRule } from "../constructs.js";
import type { DataSource, TrainSettings } from "../training.js";
import type { TensorT } from "../types.js";

export interface Value {
  id: number;
  type: TensorT;
  /** The source name this value carries, for printing and messages (`u`, `Y`). */
  hint?: string;
}

/** Compile-time attribute values: a builtin's static arguments, a constant's entries. */
export type Attr = number | string | boolean | null | number[] | Attr[] | { [key: string]: Attr };

export interface Region {
  params: Value[];
  ops: Op[];
  results: Value[];
}

interface OpBase {
  inputs: Value[];
  outputs: Value[];
  /** Where in the source this op comes from (generated code and errors point back to it). */
  span?: Span;
}

/** A builtin of compiler/ops: its record gives its meaning; `statics` its compile-time arguments. */
export interface BuiltinOp extends OpBase {
  kind: "builtin";
  opcode: string;
  statics: Record<string, Attr>;
}

/** A constant: a number (scalar) or nested arrays matching the output's shape. */
export interface ConstOp extends OpBase {
  kind: "const";
  value: Attr;
}

/** A program input, bound by the caller at run time. */
export interface InputOp extends OpBase {
  kind: "input";
  name: string;
}

/** A trainable parameter; its initial value is the op's input. */
export interface ParamOp extends OpBase {
  kind: "param";
  name: string;
}

/** A call of a function of the module (an op instance); removed by `specialise`. */
export interface CallOp extends OpBase {
  kind: "call";
  callee: string;
}

/** Fields every iterative construct has: its source name, for its report. */
interface ConstructBase extends OpBase {
  label: string;
  /** Set on the constructs autodiff adds: which forward construct they differentiate. */
  adjointOf?: AdjointOf;
  /**
   * The report fields the program reads (`u.iterations`), in order: one more output each,
   * after the construct's own (compiler/constructs.ts gives their types). Never differentiated.
   */
  reportFields?: ReportField[];
}

/**
 * `loop`: inputs are the initial carried values; `body` maps (counter?, carried…) to the next
 * carried values; `until`, when present, maps them to a bool scalar that ends the loop.
 */
export interface LoopOp extends ConstructBase {
  kind: "loop";
  regions: { body: Region; until?: Region };
  maxIter: number;
  /** The source name of the counter (`k` of `loop k < n`), when the body receives one. */
  counter: string | null;
  /** `loop k < n`: running all n iterations is the normal end. */
  counted: boolean;
  /** For a gradient through it: how many iterations apart the stored states are (`grad unrolled(checkpoint: k)`). */
  checkpoint: number;
}

/**
 * `fixpoint`: input is the initial iterate; `map` is T. A method written in iterlang adds its
 * `start` and `step` regions (docs/stdlib.md); a TypeScript driver uses `map` alone.
 */
export interface FixpointOp extends ConstructBase {
  kind: "fixpoint";
  regions: { map: Region; start?: Region; step?: Region };
  method: MethodChoice;
  stop: StopRule;
  grad: GradChoice;
  /** What a gradient through this fixpoint does if its adjoint does not converge. */
  onBackwardFail: BackwardPolicy;
}

/**
 * `solve`: inputs are the right-hand side and, optionally, the initial guess; `operator` is
 * A. A method written in iterlang adds `start` and `step`; a TypeScript driver (GMRES) may have
 * a `precond` region instead. A driver that applies the Jacobian of a nonlinear A (Newton–Krylov)
 * has `jacobian` (x, v) ↦ J(x)v, and its `precond` takes the iterate first: (x, r) ↦ z.
 */
export interface SolveOp extends ConstructBase {
  kind: "solve";
  regions: { operator: Region; precond?: Region; jacobian?: Region; start?: Region; step?: Region };
  method: MethodChoice;
  stop: StopRule;
  /** The preconditioner's method, when the solve names one. */
  precond: MethodChoice | null;
  /** What a gradient through this solve does if its adjoint does not converge. */
  onBackwardFail: BackwardPolicy;
  /**
   * The solve projects out a known null space (compiler/lower/nullspace.ts): the inputs are
   * then [b, x0, stats], stats = [|⟨z, f⟩|/‖z‖, ‖z‖] for the report, b already projected.
   */
  nullspace?: boolean;
}

/**
 * `grad(f, x)`, `jvp(f, x, t)`, `vjp(f, x, c)`: inputs are x and the direction (t or c); `fn`
 * maps x to f(x). The autodiff pass replaces every diff op by the ops of its derivative.
 */
/**
 * `minimize`: inputs [init]; `value` maps x to (f(x), ∇f(x)); an optimiser written in iterlang
 * adds `start` (matrix view of x → state) and `step` (g, k, lr, state → state), on the matrix
 * view [d0, d1·d2·…] of x (compiler/check/minimize.ts); lbfgs is a driver and has neither.
 */
export interface MinimizeOp extends ConstructBase {
  kind: "minimize";
  regions: { value: Region; start?: Region; step?: Region };
  method: MethodChoice;
  stop: StopRule;
}

/**
 * `train`: inputs are the params' values before, outputs after; then the values of the data sets
 * the program computes (`tensors(...)`: the training set's fields, then the validation set's; see
 * `operandCount` in compiler/training.ts). `loss` maps (params…, batch
 * fields…) to the batch's loss; `gradient` to (loss, ∇ per param…); `start` maps each param's
 * matrix view to its optimiser state (the view first), all params' states in a row; `step` maps
 * (∇ views…, k, lr, states…) to the next states (compiler/check/train.ts).
 */
export interface TrainOp extends ConstructBase {
  kind: "train";
  regions: { loss: Region; gradient: Region; start: Region; step: Region };
  optimizer: MethodChoice;
  /** How many state tensors each param's optimiser keeps, its matrix view first. */
  stateCounts: number[];
  data: DataSource;
  validation?: DataSource;
  settings: TrainSettings;
}

export interface DiffOp extends OpBase {
  kind: "diff";
  mode: "grad" | "jvp" | "vjp";
  regions: { fn: Region };
}

/**
 * Reverse mode through the iterations of a loop (or of a fixpoint differentiated `unrolled`):
 * the driver runs `body` forward from the initial values, keeping every `checkpoint`-th state,
 * then steps back through the iterations with `back`, recomputing each segment from its
 * checkpoint. Inputs: the initial carried values, then the cotangents of the loop's results.
 * Outputs: the cotangents of the initial values, then of the values `back` differentiates with
 * respect to (the loop's captured values), summed over the iterations. `back` maps
 * (counter?, carried_k…, ct_{k+1}…) to (ct_k…, ct_captured…).
 */
export interface UnrollOp extends ConstructBase {
  kind: "unroll";
  regions: { body: Region; until?: Region; back: Region };
  maxIter: number;
  counter: string | null;
  counted: boolean;
  /** How many iterations apart the stored states are (1: every state). */
  checkpoint: number;
  /** When set, the iteration count is the forward construct's (a fixpoint's), read from its report. */
  iterationsOf?: number;
}

export type StructuralOp = ConstOp | InputOp | ParamOp | CallOp | LoopOp | FixpointOp | SolveOp | MinimizeOp | TrainOp | UnrollOp | DiffOp;
export type ConstructOp = LoopOp | FixpointOp | SolveOp | MinimizeOp | TrainOp | UnrollOp;
export type Op = BuiltinOp | StructuralOp;
export type OpKind = Op["kind"];

/** The region names of each construct, in the order passes visit and the printer prints them. */
export const REGION_NAMES = {
  loop: ["body", "until"],
  fixpoint: ["map", "start", "step"],
  solve: ["operator", "precond", "jacobian", "start", "step"],
  minimize: ["value", "start", "step"],
  train: ["loss", "gradient", "start", "step"],
  unroll: ["body", "until", "back"],
  diff: ["fn"],
} as const;

/** An op that owns regions. */
export type RegionOp = ConstructOp | DiffOp;

export function hasRegions(op: Op): op is RegionOp {
  return op.kind in REGION_NAMES;
}

export function isConstruct(op: Op): op is ConstructOp {
  return op.kind === "loop" || op.kind === "fixpoint" || op.kind === "solve" || op.kind === "minimize" || op.kind === "train" || op.kind === "unroll";
}

/** A construct's own outputs: its results without the report values the program reads. */
export function ownOutputs(op: ConstructOp): Value[] {
  const n = "reportFields" in op && op.reportFields ? op.reportFields.length : 0;
  return n === 0 ? op.outputs : op.outputs.slice(0, op.outputs.length - n);
}

/** An op's regions with their names, in order (none for ops without regions). */
export function namedRegions(op: Op): [string, Region][] {
  if (!hasRegions(op)) return [];
  const regions = op.regions as Record<string, Region | undefined>;
  return REGION_NAMES[op.kind].flatMap((n) => (regions[n] ? [[n, regions[n]] as [string, Region]] : []));
}

/** An op's regions, in order. */
export function regionsOf(op: Op): Region[] {
  return namedRegions(op).map(([, r]) => r);
}

/** The same op with each region replaced by `f(region)`; ops without regions come back as they are. */
export function mapRegions<T extends Op>(op: T, f: (r: Region, name: string) => Region): T {
  if (!hasRegions(op)) return op;
  const regions: Record<string, Region> = {};
  for (const [name, r] of namedRegions(op)) regions[name] = f(r, name);
  return { ...op, regions } as T;
}

/** The name an op prints under: a builtin's opcode, else its kind. */
export function opName(op: Op): string {
  return op.kind === "builtin" ? op.opcode : op.kind;
}

/** A function: one per op instance before specialisation, and `main` for the program. */
export interface Func {
  name: string;
  body: Region;
  /** Size parameters still symbolic in this function (empty once specialised). */
  sizeParams: string[];
  /**
   * An instance of a standard-library op: its ops' spans are lines of a stdlib file, so
   * `specialise` gives them the span of the call they are inlined at (a span is a place in the
   * user's file: messages, generated code and source maps point there).
   */
  std?: boolean;
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

/** What the printer shows of an adjoint: whose, and the policy when it is not the default. */
function adjointAttrs(op: FixpointOp | SolveOp): Record<string, Attr> {
  const out: Record<string, Attr> = {};
  if (op.adjointOf) out[op.adjointOf.role] = op.adjointOf.label;
  if (op.onBackwardFail.mode !== "raise") out.onBackwardFail = { ...op.onBackwardFail };
  return out;
}

/** The report fields a construct gives as outputs, when it gives any. */
function reportAttrs(op: LoopOp | FixpointOp | SolveOp): Record<string, Attr> {
  return op.reportFields?.length ? { report: [...op.reportFields] } : {};
}

/** Visits every op of a region, depth first, regions of an op after the op itself. */
export function* walkOps(region: Region): Generator<Op> {
  for (const op of region.ops) {
    yield op;
    for (const r of regionsOf(op)) yield* walkOps(r);
  }
}

/**
 * An op's compile-time fields as one record, for what treats ops alike: the printer and cse's
 * keys. A builtin's statics come first in its parameter order (the printer keeps that order).
 */
export function opAttrs(op: Op): Record<string, Attr> {
  switch (op.kind) {
    case "builtin":
      return op.statics;
    case "const":
      return { value: op.value };
    case "input":
    case "param":
      return { name: op.name };
    case "call":
      return { callee: op.callee };
    case "loop":
      return { counted: op.counted, counter: op.counter, maxIter: op.maxIter, ...reportAttrs(op) };
    case "unroll":
      return { checkpoint: op.checkpoint, counted: op.counted, counter: op.counter, maxIter: op.maxIter, ...(op.adjointOf ? { adjoint: op.adjointOf.label } : {}) };
    case "fixpoint":
      return { grad: op.grad.mode, method: op.method.name, options: { ...op.method.options }, stop: { ...op.stop }, ...adjointAttrs(op), ...reportAttrs(op) };
    case "solve":
      return { method: op.method.name, options: { ...op.method.options }, precond: op.precond?.name ?? null, stop: { ...op.stop }, ...(op.nullspace ? { nullspace: true } : {}), ...adjointAttrs(op), ...reportAttrs(op) };
    case "minimize":
      return { method: op.method.name, options: { ...op.method.options }, stop: { ...op.stop } };
    case "train":
      return { optimizer: op.optimizer.name, options: { ...op.optimizer.options }, data: op.data.name, ...(op.validation ? { validation: op.validation.name } : {}), settings: JSON.parse(JSON.stringify(op.settings)) as Attr };
    case "diff":
      return { mode: op.mode };
  }
}
