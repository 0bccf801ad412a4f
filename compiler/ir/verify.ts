// The IR verifier: the invariants every pass may rely on and must keep. It returns messages
// (empty when the module is valid) rather than throwing, so a test can show them all; the
// pass pipeline turns them into an InternalError naming the pass that broke them.
//
// The rules:
//   - every value is defined once in the module (a region param or an op output);
//   - every use (op input, region result, export) is dominated by its definition: defined
//     earlier in the same region or in an enclosing one (implicit capture; never a value of
//     a nested region, a sibling region or another function, never one defined later);
//   - `input` and `const` take no inputs and give one value; a `const`'s value fits its
//     type's shape; `param` takes its initial value and gives one of the same type;
//   - each construct has the regions, params and results its meaning needs (see `loop`,
//     `fixpoint`, `solve` below), and a `call`'s callee exists and agrees;
//   - a builtin's record exists and its shape rule gives exactly its output's type.
import { reportFieldType } from "../constructs.js";
import { dimConst, dimValue } from "../shapes.js";
import { operandCount } from "../training.js";
import { scalar as scalarType, tensor, type TensorT, typesEqual } from "../types.js";
import { builtinType } from "./builder.js";
import type { Attr, BuiltinOp, CallOp, ConstOp, DiffOp, FixpointOp, Func, LoopOp, MinimizeOp, Module, Op, Region, SolveOp, TrainOp, UnrollOp, Value } from "./ir.js";
import { namedRegions, opName } from "./ir.js";
import { printAttr, printType, printValue } from "./print.js";

const show = (t: TensorT) => printType(t);
const showTypes = (vs: readonly Value[]) => `(${vs.map((v) => show(v.type)).join(", ")})`;

/** Values visible at a point: those of the current region so far, then of enclosing ones. */
class Scope {
  private readonly own = new Set<number>();
  constructor(
    readonly parent: Scope | undefined,
    /** Every value the region defines, anywhere in it (to tell use-before-def apart). */
    readonly definedHere: ReadonlySet<number>,
  ) {}

  define(v: Value): void {
    this.own.add(v.id);
  }

  has(id: number): boolean {
    return this.own.has(id) || (this.parent?.has(id) ?? false);
  }

  definedInChain(id: number): boolean {
    return this.definedHere.has(id) || (this.parent?.definedInChain(id) ?? false);
  }
}

/** Ids a region defines directly (params and its own ops' outputs, not nested regions'). */
function directDefs(r: Region): Set<number> {
  const ids = new Set(r.params.map((p) => p.id));
  for (const op of r.ops) for (const o of op.outputs) ids.add(o.id);
  return ids;
}

class Verifier {
  readonly errors: string[] = [];
  private readonly defined = new Map<number, string>();
  private func = "";

  constructor(private readonly m: Module) {}

  error(where: string, message: string): void {
    this.errors.push(`in func ${this.func}: ${where}: ${message}`);
  }

  run(): string[] {
    for (const f of this.m.funcs.values()) {
      this.func = f.name;
      const scope = this.region(f.body, undefined, "");
      if (f.name === "main") this.exports(scope);
    }
    if (!this.m.funcs.has("main") && this.m.exports.length) this.errors.push("the module has exports but no main function");
    return this.errors;
  }

  private exports(main: Scope): void {
    const seen = new Set<string>();
    for (const e of this.m.exports) {
      if (seen.has(e.name)) this.error(`export ${e.name}`, "is exported twice");
      seen.add(e.name);
      if (!main.has(e.value.id)) this.error(`export ${e.name}`, `${printValue(e.value)} is not defined at the top level of main`);
    }
  }

  private define(v: Value, where: string, scope: Scope): void {
    const first = this.defined.get(v.id);
    if (first !== undefined) this.error(where, `${printValue(v)} is defined twice (first by ${first})`);
    else this.defined.set(v.id, `${where} in func ${this.func}`);
    scope.define(v);
  }

  private use(v: Value, where: string, scope: Scope): void {
    if (scope.has(v.id)) return;
    if (scope.definedInChain(v.id)) this.error(where, `${printValue(v)} is used before its definition`);
    else this.error(where, `${printValue(v)} is not defined in this region or an enclosing one`);
  }

  /** Checks a region under `parent`; returns its scope as it stands at the end. */
  region(r: Region, parent: Scope | undefined, path: string): Scope {
    const scope = new Scope(parent, directDefs(r));
    const at = (what: string) => (path ? `${path} / ${what}` : what);
    for (const p of r.params) this.define(p, at("param"), scope);
    r.ops.forEach((op, i) => {
      const where = at(`op #${i} (${opName(op)})`);
      op.inputs.forEach((v) => this.use(v, where, scope));
      for (const [name, inner] of namedRegions(op)) this.region(inner, scope, `${where} / ${name}`);
      for (const o of op.outputs) this.define(o, where, scope);
      this.op(op, where);
    });
    r.results.forEach((v) => this.use(v, at("result"), scope));
    return scope;
  }

  private op(op: Op, where: string): void {
    switch (op.kind) {
      case "const":
      case "input":
        return this.leaf(op, where);
      case "param":
        this.count(where, "inputs", op.inputs.length, 1);
        return this.same(where, "outputs", op.outputs, op.inputs.map((v) => v.type));
      case "call":
        return this.call(op, where);
      case "loop":
        return this.loop(op, where);
      case "fixpoint":
        return this.fixpoint(op, where);
      case "solve":
        return this.solve(op, where);
      case "minimize":
        return this.minimize(op, where);
      case "train":
        return this.train(op, where);
      case "diff":
        return this.diff(op, where);
      case "unroll":
        return this.unroll(op, where);
      case "builtin":
        return this.builtin(op, where);
    }
  }

  /**
   * unroll: inputs are the initial carried values and their cotangents; the body maps (counter?,
   * carried) to carried; back maps (counter?, carried, cts) to (cts, cts of captured values),
   * which are the outputs after the initial values' cotangents.
   */
  private unroll(op: UnrollOp, where: string): void {
    const n = op.inputs.length / 2;
    if (!Number.isInteger(n)) return this.error(where, `has ${op.inputs.length} inputs, expected the carried values and as many cotangents`);
    const carried = op.inputs.slice(0, n).map((v) => v.type);
    this.same(where, "cotangent inputs", op.inputs.slice(n), carried);
    this.same(where, "outputs for the initial values", op.outputs.slice(0, n), carried);
    const counted = op.counter !== null;
    const { body, back } = op.regions;
    this.same(where, "body region params", counted ? body.params.slice(1) : body.params, carried);
    this.same(where, "body region results", body.results, carried);
    this.same(where, "back region params", back.params.slice(counted ? 1 : 0), [...carried, ...carried]);
    this.same(where, "back region results", back.results, op.outputs.map((o) => o.type));
    if (op.checkpoint < 1 || !Number.isInteger(op.checkpoint)) this.error(where, `has checkpoint ${op.checkpoint}, expected a whole number ≥ 1`);
  }

  /** diff: fn maps x to f(x); grad needs a scalar f; jvp's direction is x-shaped, vjp's f-shaped. */
  /** grad: inputs [x1, …] (≥ 1), one gradient each; jvp and vjp: inputs [x, direction]. */
  private diff(op: DiffOp, where: string): void {
    if (op.mode === "grad" && op.inputs.length > 1) return this.gradOfMany(op, where);
    if (!this.count(where, "inputs", op.inputs.length, op.mode === "grad" ? 1 : 2)) return;
    if (!this.count(where, "outputs", op.outputs.length, 1)) return;
    const [x, dir] = op.inputs;
    const { fn } = op.regions;
    this.same(where, "fn region params", fn.params, [x.type]);
    if (!this.count(where, "fn region results", fn.results.length, 1)) return;
    const y = fn.results[0].type;
    if (op.mode === "grad" && y.shape.length !== 0) this.error(where, `grad of a function giving ${show(y)}, expected a scalar`);
    if (op.mode === "jvp") this.same(where, "direction and output", [dir, op.outputs[0]], [x.type, y]);
    else this.same(where, "output", op.outputs, [x.type]);
    if (op.mode === "vjp") this.same(where, "direction", [dir], [y]);
  }

  private gradOfMany(op: DiffOp, where: string): void {
    const types = op.inputs.map((v) => v.type);
    this.same(where, "fn region params", op.regions.fn.params, types);
    this.same(where, "outputs", op.outputs, types);
    if (!this.count(where, "fn region results", op.regions.fn.results.length, 1)) return;
    const y = op.regions.fn.results[0].type;
    if (y.shape.length !== 0) this.error(where, `grad of a function giving ${show(y)}, expected a scalar`);
  }

  private count(where: string, what: string, actual: number, expected: number | [number, number]): boolean {
    const [lo, hi] = typeof expected === "number" ? [expected, expected] : expected;
    if (actual >= lo && actual <= hi) return true;
    const want = lo === hi ? String(lo) : `${lo} to ${hi}`;
    this.error(where, `has ${actual} ${what}, expected ${want}`);
    return false;
  }

  private same(where: string, what: string, actual: readonly Value[], expected: readonly TensorT[]): void {
    if (!this.count(where, what, actual.length, expected.length)) return;
    actual.forEach((v, i) => {
      if (!typesEqual(v.type, expected[i])) this.error(where, `${what} ${i} (${printValue(v)}) is ${show(v.type)}, expected ${show(expected[i])}`);
    });
  }

  private leaf(op: Op, where: string): void {
    this.count(where, "inputs", op.inputs.length, 0);
    if (!this.count(where, "outputs", op.outputs.length, 1)) return;
    if (op.kind !== "const") return;
    const problem = constProblem((op as ConstOp).value, op.outputs[0].type);
    if (problem) this.error(where, problem);
  }

  private call(op: CallOp, where: string): void {
    const fn: Func | undefined = this.m.funcs.get(op.callee);
    if (!fn) {
      this.error(where, `calls \`${op.callee}\`, which is not a function of the module`);
      return;
    }
    this.same(where, "inputs", op.inputs, fn.body.params.map((p) => p.type));
    this.same(where, "outputs", op.outputs, fn.body.results.map((r) => r.type));
  }

  /** loop: inputs = initial carried values; body (counter?, carried...) -> carried; until -> bool. */
  private loop(op: LoopOp, where: string): void {
    const carried = op.inputs.map((v) => v.type);
    this.same(where, "outputs", op.outputs, [...carried, ...reportTypes(op, op.maxIter)]);
    const counted = op.counter !== null;
    const { body, until } = op.regions;
    const params = (r: Region, name: string) => {
      const rest = counted ? r.params.slice(1) : r.params;
      if (counted) {
        if (r.params.length === 0) return this.error(where, `${name} region has no counter param, but the loop has counter \`${op.counter}\``);
        if (r.params[0].type.shape.length !== 0) this.error(where, `${name} region's counter ${printValue(r.params[0])} is ${show(r.params[0].type)}, expected a scalar`);
      }
      this.same(where, `${name} region params${counted ? " after the counter" : ""}`, rest, carried);
    };
    params(body, "body");
    this.same(where, "body region results", body.results, carried);
    if (!until) return;
    params(until, "until");
    if (!this.count(where, "until region results", until.results.length, 1)) return;
    const t = until.results[0].type;
    if (t.dtype !== "bool" || t.shape.length !== 0) this.error(where, `until region yields ${show(t)}, expected bool[]`);
  }

  /**
   * fixpoint: inputs [init]; map region init-type -> init-type; one output of that type; a
   * method written in iterlang adds start (x -> state) and step (state -> state ++ [res]).
   */
  private fixpoint(op: FixpointOp, where: string): void {
    if (!this.count(where, "inputs", op.inputs.length, 1)) return;
    const t = op.inputs[0].type;
    this.same(where, "outputs", op.outputs, [t, ...reportTypes(op, op.stop.maxIter)]);
    const { map, start, step } = op.regions;
    this.same(where, "map region params", map.params, [t]);
    this.same(where, "map region results", map.results, [t]);
    this.protocol(where, start, step, t, 1);
  }

  /** The start and step regions of a method written in iterlang: both or neither. */
  private protocol(where: string, start: Region | undefined, step: Region | undefined, t: TensorT, extra: number): void {
    if (start && step) this.methodRegions(where, start, step, t, extra);
    else if (start || step) this.error(where, `has a ${start ? "start" : "step"} region without a ${start ? "step" : "start"} region`);
  }

  /** start: [x] -> state (item 0 of type x); step: state -> state ++ `extra` scalars. */
  private methodRegions(where: string, start: Region, step: Region, t: TensorT, extra: number): void {
    this.same(where, "start region params", start.params, [t]);
    if (start.results.length === 0) return this.error(where, "the start region yields no state");
    this.same(where, "the state's first item (the iterate)", [start.results[0]], [t]);
    this.same(where, "step region params", step.params, start.results.map((v) => v.type));
    const state = start.results.length;
    this.same(where, "step region results", step.results.slice(0, state), start.results.map((v) => v.type));
    if (!this.count(where, "step region results", step.results.length, state + extra)) return;
    for (const v of step.results.slice(state)) {
      const ok = v.type.shape.length === 0 && (v.type.dtype === "f32" || v.type.dtype === "f64");
      if (!ok) this.error(where, `step region result ${printValue(v)} is ${show(v.type)}, expected a float scalar (a residual estimate or health)`);
    }
  }

  /** minimize: inputs [init]; value x -> (f[], x-type gradient); step (g, k, lr, state…) -> state. */
  private minimize(op: MinimizeOp, where: string): void {
    if (!this.count(where, "inputs", op.inputs.length, 1)) return;
    const t = op.inputs[0].type;
    this.same(where, "outputs", op.outputs, [t]);
    const { value, start, step } = op.regions;
    this.same(where, "value region params", value.params, [t]);
    this.same(where, "value region results", value.results, [scalarType(t.dtype), t]);
    if (start && step) {
      if (start.results.length === 0) return this.error(where, "the start region yields no state");
      const view = start.params[0].type;
      this.same(where, "step region params", step.params, [view, scalarType("f32"), scalarType("f32"), ...start.results.map((v) => v.type)]);
      this.same(where, "step region results", step.results, start.results.map((v) => v.type));
    } else if (start || step) this.error(where, `has a ${start ? "start" : "step"} region without a ${start ? "step" : "start"} region`);
  }

  /** train: inputs and outputs the params; loss (params, fields) -> f[]; gradient -> (f[], ∇ params); start/step over the states. */
  private train(op: TrainOp, where: string): void {
    const types = op.outputs.map((v) => v.type);
    const operands = operandCount(op.data) + (op.validation ? operandCount(op.validation) : 0);
    if (!this.count(where, "inputs (the params, then the data sets' operands)", op.inputs.length, types.length + operands)) return;
    this.same(where, "inputs (the params)", op.inputs.slice(0, types.length), types);
    const { loss, gradient, start, step } = op.regions;
    this.same(where, "loss region params (the params first)", loss.params.slice(0, types.length), types);
    this.same(where, "loss region results", loss.results, [scalarType("f32")]);
    this.same(where, "gradient region params", gradient.params, loss.params.map((v) => v.type));
    this.same(where, "gradient region results", gradient.results, [scalarType("f32"), ...types]);
    const states = op.stateCounts.reduce((a, b) => a + b, 0);
    if (!this.count(where, "start region params", start.params.length, types.length) || !this.count(where, "start region results", start.results.length, states)) return;
    const views = start.params.map((v) => v.type);
    this.same(where, "step region params", step.params, [...views, scalarType("f32"), scalarType("f32"), ...start.results.map((v) => v.type)]);
    this.same(where, "step region results", step.results, start.results.map((v) => v.type));
  }

  /** solve: inputs [rhs, init?]; operator unknown -> rhs; precond rhs -> unknown. */
  private solve(op: SolveOp, where: string): void {
    if (!this.count(where, "inputs", op.inputs.length, op.nullspace ? 3 : [1, 2])) return;
    const fields = reportTypes(op, op.stop.maxIter);
    if (!this.count(where, "outputs", op.outputs.length, 1 + fields.length)) return;
    this.same(where, "report outputs", op.outputs.slice(1), fields);
    const rhs = op.inputs[0].type;
    const unknown = op.outputs[0].type;
    if (op.inputs[1]) this.same(where, "inputs after the rhs (the initial guess)", [op.inputs[1]], [unknown]);
    if (op.nullspace) this.same(where, "null space statistics", [op.inputs[2]], [tensor(rhs.dtype, [dimConst(2)])]);
    const { operator, precond, jacobian, start, step } = op.regions;
    this.same(where, "operator region params", operator.params, [unknown]);
    this.same(where, "operator region results", operator.results, [rhs]);
    this.protocol(where, start, step, unknown, 2);
    if (jacobian) {
      this.same(where, "jacobian region params", jacobian.params, [unknown, unknown]);
      this.same(where, "jacobian region results", jacobian.results, [rhs]);
    }
    if (!precond) return;
    // A Newton driver's preconditioner takes the iterate first.
    this.same(where, "precond region params", precond.params, jacobian ? [unknown, rhs] : [rhs]);
    this.same(where, "precond region results", precond.results, [unknown]);
  }

  private builtin(op: BuiltinOp, where: string): void {
    if (!this.count(where, "outputs", op.outputs.length, 1)) return;
    const statics = op.statics;
    let expected: TensorT | string;
    try {
      // The op's own output type is what its context expected: creation ops take their dtype from it.
      expected = builtinType(op.opcode, op.inputs, statics, op.outputs[0].type);
    } catch (e) {
      expected = `its shape rule failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    const out = op.outputs[0].type;
    if (typeof expected === "string") this.error(where, `rejects ${showTypes(op.inputs)}: ${expected}`);
    else if (!typesEqual(out, expected)) this.error(where, `gives ${show(out)}, but its shape rule gives ${show(expected)} for ${showTypes(op.inputs)}`);
  }
}

/** The types of the report values a construct gives after its own outputs. */
function reportTypes(op: LoopOp | FixpointOp | SolveOp, maxIter: number): TensorT[] {
  return (op.reportFields ?? []).map((f) => reportFieldType(f, maxIter));
}

/** Why a const's value does not fit its type, or undefined when it does. */
function constProblem(value: Attr | undefined, type: TensorT): string | undefined {
  if (value === undefined) return "has no `value` attribute";
  const shape = type.shape.map(dimValue);
  if (shape.some((d) => d === undefined)) return undefined; // symbolic: checked once specialised
  if (nestedFits(value, shape as number[])) return undefined;
  return `has the value ${truncate(printAttr(value))}, which does not fit its type ${printType(type)}`;
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function nestedFits(v: Attr, shape: readonly number[]): boolean {
  if (shape.length === 0) return typeof v === "number";
  return Array.isArray(v) && v.length === shape[0] && (v as Attr[]).every((x) => nestedFits(x, shape.slice(1)));
}

/** Every way `m` breaks the IR's invariants; empty when it keeps them all. */
export function verifyModule(m: Module): string[] {
  return new Verifier(m).run();
}

/** Checks one region as if it were a function body (for passes working region by region). */
export function verifyRegion(r: Region, funcs: Module["funcs"] = new Map()): string[] {
  const v = new Verifier({ funcs, exports: [] });
  v.region(r, undefined, "");
  return v.errors;
}
