// Typed statements and constructs to IR. `fixpoint`, `solve` and `loop` become region ops that
// carry the method, options and stopping rule the checker resolved, and whose regions are
// named by role (compiler/ir/ir.ts).
import { InternalError } from "../../base/diagnostics.js";
import type { Region, Value } from "../ir/ir.js";
import type { Operator, Protocol, ReportRef, Sym, TFixpoint, TLoop, TMinimize, TSolve, TStmt } from "../typed/program.js";
import { concreteType, emitBuiltin, lowerExpr, single } from "./expr.js";
import { hintOf, type Lowering } from "./lowering.js";
import { nullVector, projectOut, removedStats } from "./nullspace.js";

/** Binds each symbol to its value (a tuple gives one value per symbol). */
function bindAll(L: Lowering, syms: readonly Sym[], v: Value | Value[]): void {
  const vs = Array.isArray(v) ? v : [v];
  if (vs.length !== syms.length) throw new InternalError(`${syms.length} names were checked for ${vs.length} values`);
  syms.forEach((s, i) => L.bind(s, vs[i]));
}

export function lowerStmt(L: Lowering, s: TStmt): void {
  switch (s.k) {
    case "let":
    case "assign":
      return bindAll(L, s.syms, lowerExpr(L, s.value));
    case "fixpoint":
      return lowerFixpoint(L, s);
    case "solve":
      return lowerSolve(L, s);
    case "minimize":
      return lowerMinimize(L, s);
    case "loop":
      return lowerLoop(L, s);
  }
}

/** A region applying an operator to one argument (after the iterate `at`, for a Newton driver's). */
function operatorRegion(L: Lowering, op: Operator, at?: Sym): Region {
  const params = [...(at ? [at] : []), op.param];
  return L.fn.region(params.map((p) => ({ type: concreteType(p.type), hint: hintOf(p) })), (values) => {
    params.forEach((p, i) => L.bind(p, values[i]));
    return [single(lowerExpr(L, op.body), "an operator")];
  });
}

/** The start and step regions of a method written in iterlang. */
function protocolRegions(L: Lowering, p: Protocol): { start: Region; step: Region } {
  const results = (v: Value | Value[]) => (Array.isArray(v) ? v : [v]);
  const start = L.fn.region([{ type: concreteType(p.start.param.type), hint: hintOf(p.start.param) }], ([x0]) => {
    L.bind(p.start.param, x0);
    return results(lowerExpr(L, p.start.call));
  });
  const step = L.fn.region(
    p.step.params.map((s) => ({ type: concreteType(s.type), hint: hintOf(s) })),
    (state) => {
      p.step.params.forEach((s, i) => L.bind(s, state[i]));
      return results(lowerExpr(L, p.step.call));
    },
  );
  return { start, step };
}

/** The report fields the program reads: their names, types and hints, and their binding after the construct. */
function reportOutputs(s: { report: ReportRef }) {
  const fields = [...s.report.fields];
  return {
    names: fields.map(([f]) => f),
    types: fields.map(([, sym]) => concreteType(sym.type)),
    hints: fields.map(([f]) => `${s.report.label}.${f}`),
    attr: fields.length ? { reportFields: fields.map(([f]) => f) } : {},
    bind: (L: Lowering, outs: Value[]) => fields.forEach(([, sym], i) => L.bind(sym, outs[i])),
  };
}

function lowerFixpoint(L: Lowering, s: TFixpoint): void {
  const type = concreteType(s.out.type);
  const x0 = s.init ? single(lowerExpr(L, s.init), "an initial value") : emitBuiltin(L, "zeros", [], { dims: type.shape }, type, s.span);
  const map = operatorRegion(L, s.map);
  const regions = { map, ...(s.protocol ? protocolRegions(L, s.protocol) : {}) };
  const rep = reportOutputs(s);
  const [out, ...fields] = L.fn.emit([x0], [type, ...rep.types], (inputs, outputs) => ({ kind: "fixpoint", inputs, outputs, regions, method: s.method, stop: s.stop, grad: s.grad, onBackwardFail: s.onBackwardFail, ...rep.attr, label: s.label, span: s.span }), [s.label, ...rep.hints]);
  L.bind(s.out, out);
  rep.bind(L, fields);
}

function lowerSolve(L: Lowering, s: TSolve): void {
  const given = single(lowerExpr(L, s.rhs), "a right-hand side");
  const ns = nullVector(L, s);
  const projected = ns && projectOut(L, given, ns, s);
  const rhs = projected?.value ?? given;
  L.bind(s.rhsSym, rhs);
  const type = concreteType(s.out.type);
  // With a null space the inputs are always [b, x0, stats]: an absent guess is zeros.
  const init = s.init ? single(lowerExpr(L, s.init), "an initial guess") : ns ? emitBuiltin(L, "zeros", [], { dims: type.shape }, type, s.span) : undefined;
  const stats = projected && ns ? [removedStats(L, projected.zv, ns, s)] : [];
  const operator = operatorRegion(L, s.operator);
  const regions = {
    operator,
    ...(s.precond ? { precond: operatorRegion(L, s.precond.op, s.precond.at) } : {}),
    ...(s.jacobian ? { jacobian: operatorRegion(L, s.jacobian.op, s.jacobian.at) } : {}),
    ...(s.protocol ? protocolRegions(L, s.protocol) : {}),
  };
  const rep = reportOutputs(s);
  const [out, ...fields] = L.fn.emit([rhs, ...(init ? [init] : []), ...stats], [type, ...rep.types], (inputs, outputs) => ({
    kind: "solve",
    inputs,
    outputs,
    regions,
    method: s.method,
    stop: s.stop,
    precond: s.precond?.choice ?? null,
    onBackwardFail: s.onBackwardFail,
    ...(ns ? { nullspace: true } : {}),
    ...rep.attr,
    label: s.label,
    span: s.span,
  }), [s.label, ...rep.hints]);
  L.bind(s.out, ns ? projectOut(L, out, ns, s).value : out);
  rep.bind(L, fields);
}

/** `minimize`: the value region x ↦ (f(x), ∇f(x)), the gradient a `diff` that autodiff expands. */
function lowerMinimize(L: Lowering, s: TMinimize): void {
  const type = concreteType(s.out.type);
  const x0 = s.init ? single(lowerExpr(L, s.init), "an initial value") : emitBuiltin(L, "zeros", [], { dims: type.shape }, type, s.span);
  const value = L.fn.region([{ type, hint: hintOf(s.objective.param) }], ([x]) => {
    L.bind(s.objective.param, x);
    L.bind(s.gradient.param, x);
    return [single(lowerExpr(L, s.objective.body), "an objective"), single(lowerExpr(L, s.gradient.body), "a gradient")];
  });
  const regions = { value, ...(s.protocol ? protocolRegions(L, s.protocol) : {}) };
  const [out] = L.fn.emit([x0], [type], (inputs, outputs) => ({ kind: "minimize", inputs, outputs, regions, method: s.method, stop: s.stop, label: s.label, span: s.span }), [s.label]);
  L.bind(s.out, out);
}

function lowerLoop(L: Lowering, s: TLoop): void {
  const inits = s.inits.map((i) => single(lowerExpr(L, i), "a carried value"));
  const param = (sym: Sym) => ({ type: concreteType(sym.type), hint: hintOf(sym) });
  const body = L.fn.region([...(s.counter ? [param(s.counter)] : []), ...s.carried.map(param)], (params) => {
    bindAll(L, [...(s.counter ? [s.counter] : []), ...s.carried], params);
    for (const st of s.body) lowerStmt(L, st);
    return s.next.map((n) => L.valueOf(n));
  });
  const until = s.until;
  const untilRegion = until
    ? L.fn.region([...(until.counter ? [param(until.counter)] : []), ...until.carried.map(param)], (params) => {
        bindAll(L, [...(until.counter ? [until.counter] : []), ...until.carried], params);
        return [single(lowerExpr(L, until.cond), "an `until` condition")];
      })
    : undefined;
  const regions = { body, ...(untilRegion ? { until: untilRegion } : {}) };
  const rep = reportOutputs(s);
  const outs = L.fn.emit(inits, [...inits.map((v) => v.type), ...rep.types], (inputs, outputs) => ({
    kind: "loop",
    inputs,
    outputs,
    regions,
    maxIter: s.maxIter,
    counter: s.counter?.name ?? null,
    counted: s.counted,
    checkpoint: s.checkpoint,
    ...rep.attr,
    label: s.label,
    span: s.span,
  }), [...s.carried.map((c) => c.name), ...rep.hints]);
  s.outs.forEach((o, i) => L.bind(o, outs[s.given[i]]));
  rep.bind(L, outs.slice(inits.length));
}
