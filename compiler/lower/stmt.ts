// Statements and iterative constructs to IR. `fixpoint`, `solve` and `loop` become region ops
// whose attributes hold the method, its options (defaults filled in from compiler/methods.ts)
// and the stopping rule: later passes see what each construct is, not a lowered loop.
import type * as A from "../../grammar/ast.js";
import { InternalError } from "../../base/diagnostics.js";
import type { Attr, Region, Value } from "../ir/ir.js";
import { type Construct, DEFAULT_METHOD, findMethod, type MethodSpec } from "../methods.js";
import { scalar, type TensorT } from "../types.js";
import { bindArgs } from "../check/args.js";
import type { Binding, Scope } from "../check/scope.js";
import { asNumber, staticEval } from "../check/static.js";
import { readStopRule } from "../check/stop.js";
import { LowerError } from "./context.js";
import { type Lowered, lowerExpr, single } from "./expr.js";
import type { Lowering } from "./lowering.js";
import { lambdaOf, methodRegions, precondOf, valueBinding } from "./methods.js";

export function bindValue(scope: Scope, id: A.Ident, v: Value, what: string): void {
  scope.define(id.name, { kind: "value", name: id.name, type: v.type, span: id.span, what, ir: v });
}

export function lowerBody(L: Lowering, body: A.Body, scope: Scope): Lowered {
  if (body.kind === "ExprBody") return lowerExpr(L, body.expr, scope);
  let result: Lowered | undefined;
  for (const s of body.stmts) result = lowerStmt(L, s, scope);
  if (result === undefined) throw new InternalError("a block without `return` reached lowering");
  return result;
}

/** Lowers one statement; returns the value of a `return`, else undefined. */
export function lowerStmt(L: Lowering, s: A.Stmt, scope: Scope): Lowered | undefined {
  switch (s.kind) {
    case "Let": {
      const v = lowerExpr(L, s.value, scope, expectedOf(L, s.type, scope));
      const vs = Array.isArray(v) ? v : [v];
      if (s.names.length === 1) bindValue(scope, s.names[0], single(v, s.value.span), "value");
      else s.names.forEach((n, i) => bindValue(scope, n, vs[i], "value"));
      return undefined;
    }
    case "Assign": {
      const v = lowerExpr(L, s.value, scope);
      const vs = Array.isArray(v) ? v : [v];
      s.names.forEach((n, i) => bindValue(scope, n, vs[i], "carried value"));
      return undefined;
    }
    case "Return":
      return lowerExpr(L, s.value, scope);
    case "Fixpoint":
      lowerFixpoint(L, s, scope);
      return undefined;
    case "Solve":
      lowerSolve(L, s, scope);
      return undefined;
    case "Loop":
      lowerLoop(L, s, scope);
      return undefined;
    case "Minimize":
      throw new LowerError("`minimize` is checked but cannot run yet: it needs gradients, which come with the autodiff passes (planned).", s.span);
  }
}

function expectedOf(L: Lowering, t: A.TypeExpr | null, scope: Scope): TensorT | undefined {
  if (!t) return undefined;
  const type = L.typeOf(t, scope);
  return type?.tag === "tensor" ? type : undefined;
}

/** A method clause as attributes: its name and every option, defaults filled in. */
function methodAttrs(spec: A.MethodSpec | null, construct: Construct, scope: Scope): { method: string; options: Record<string, Attr>; spec: MethodSpec } {
  const name = spec?.name.name ?? DEFAULT_METHOD[construct];
  const m = name ? findMethod(construct, name) : undefined;
  if (!m) throw new InternalError(`no ${construct} method \`${name}\` in lowering`);
  const bound = bindArgs(m.options.map((o) => ({ name: o.name, optional: true })), spec?.args ?? [], spec?.span ?? { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } }, name!);
  const options: Record<string, Attr> = {};
  for (const o of m.options) {
    if (o.kind === "tensor") continue; // passed to the method's ops as an argument, not an attribute
    const e = bound.byName.get(o.name)?.[0];
    const v = e ? staticEval(e, scope) : undefined;
    options[o.name] = v === undefined ? o.default : v.kind === "error" ? o.default : v.kind === "string" || v.kind === "bool" ? v.value : (asNumber(v) ?? o.default);
  }
  return { method: m.name, options, spec: m };
}

function maxIterations(e: A.Expr | null, scope: Scope): number | null {
  if (!e) return null;
  const v = staticEval(e, scope);
  return v.kind === "error" ? null : (asNumber(v) ?? null);
}

function stopAttrs(until: A.Expr | null, scope: Scope): Record<string, Attr> {
  if (!until) return {};
  const rule = readStopRule(until, scope);
  if ("error" in rule) throw new InternalError(`an \`until\` the checker accepted cannot be read: ${rule.error}`);
  return { ...rule };
}

function lowerFixpoint(L: Lowering, s: A.Fixpoint, scope: Scope): void {
  const declared = expectedOf(L, s.type, scope);
  const init = s.init ? single(lowerExpr(L, s.init, scope, declared), s.init.span) : undefined;
  const type = declared ?? init?.type;
  if (!type) throw new InternalError(`fixpoint \`${s.target.name}\` has no type in lowering`);
  const x0 = init ?? L.fn.builtin("zeros", [], { dims: L.concreteDims(type, s.span) }, s.span);
  const T = lambdaOf(s.target, s.body, scope);
  const map = operatorRegion(L, T, type, s.target.name);
  const { method, options, spec } = methodAttrs(s.method, "fixpoint", scope);
  const regions: Region[] = [map];
  if (spec.implementation.kind === "iter") {
    const r = methodRegions(L, spec, s.method, [{ name: "%T", binding: T }], type, scope, s.span);
    regions.push(r.start, r.step);
  }
  const attrs: Record<string, Attr> = { method, options, stop: stopAttrs(s.until, scope), maxIter: maxIterations(s.max, scope) ?? 1000, grad: s.grad?.mode.name ?? "implicit" };
  const [out] = L.fn.emit("fixpoint", [x0], attrs, [type], { span: s.span, label: s.target.name, regions, hints: [s.target.name] });
  bindValue(scope, s.target, out, "fixpoint result");
}

/** A region applying an operator binding to one argument of type `type`. */
function operatorRegion(L: Lowering, op: Binding, type: TensorT, hint: string): Region {
  return L.fn.region([{ type, hint }], ([u]) => {
    const inner = op.kind === "lambda" ? op.scope.child() : undefined;
    if (op.kind !== "lambda" || !inner) throw new InternalError("an operator region needs a lambda");
    const param = op.node.params[0].name;
    bindValue(inner, param, u, "argument");
    return [single(lowerExpr(L, op.node.body, inner), op.node.body.span)];
  });
}

function lowerSolve(L: Lowering, s: A.Solve, scope: Scope): void {
  const rhs = single(lowerExpr(L, s.rhs, scope), s.rhs.span);
  const declared = expectedOf(L, s.unknownType, scope);
  const init = s.init ? single(lowerExpr(L, s.init, scope, declared ?? rhs.type), s.init.span) : undefined;
  const type = declared ?? init?.type ?? rhs.type;
  const A = lambdaOf(s.unknown, s.lhs, scope);
  const M = precondOf(s.precond, A, scope, s.span);
  const regions: Region[] = [operatorRegion(L, A, type, s.unknown.name)];
  const { method, options, spec } = methodAttrs(s.method, "solve", scope);
  if (spec.implementation.kind === "iter") {
    const lead = [
      { name: "%A", binding: A },
      { name: "%M", binding: M },
      { name: "%b", binding: valueBinding(rhs, s.rhs.span) },
    ];
    const r = methodRegions(L, spec, s.method, lead, type, scope, s.span);
    regions.push(r.start, r.step);
  } else if (s.precond) regions.push(operatorRegion(L, M, rhs.type, "r"));
  // `until` is the whole stopping rule when given; `max` overrides the method's maxiter.
  const stop = stopAttrs(s.until, scope);
  const max = maxIterations(s.max, scope);
  const withMax = { ...options, ...(max !== null ? { maxiter: max } : {}) };
  const breakdown = spec.implementation.kind === "iter" ? (spec.implementation.breakdown ?? null) : null;
  const [out] = L.fn.emit("solve", init ? [rhs, init] : [rhs], { method, options: withMax, stop, precond: s.precond?.name.name ?? null, breakdown, linear: !spec.nonlinear, note: spec.note ?? null }, [type], {
    span: s.span,
    label: s.unknown.name,
    regions,
    hints: [s.unknown.name],
  });
  bindValue(scope, s.unknown, out, "solution");
}

function lowerLoop(L: Lowering, s: A.Loop, scope: Scope): void {
  const inits = s.carry.map((c) => single(lowerExpr(L, c.value, scope, expectedOf(L, c.type, scope)), c.value.span));
  const names = s.carry.map((c) => c.name);
  const counter = s.counter ? [{ type: scalar("f32"), hint: s.counter.name }] : [];
  const carriedTypes = inits.map((v, i) => ({ type: v.type, hint: names[i].name }));
  const bind = (inner: Scope, params: Value[]) => {
    const carried = s.counter ? params.slice(1) : params;
    if (s.counter) bindValue(inner, s.counter, params[0], "loop counter");
    names.forEach((n, i) => bindValue(inner, n, carried[i], "carried value"));
  };
  const body = L.fn.region([...counter, ...carriedTypes], (params) => {
    const inner = scope.child();
    bind(inner, params);
    for (const st of s.body) lowerStmt(L, st, inner);
    return names.map((n) => {
      const b = inner.lookup(n.name);
      if (b?.kind !== "value" || !b.ir || Array.isArray(b.ir)) throw new InternalError(`carried \`${n.name}\` lost its value`);
      return b.ir;
    });
  });
  const regions: Region[] = [body];
  if (s.until)
    regions.push(
      L.fn.region([...counter, ...carriedTypes], (params) => {
        const inner = scope.child();
        bind(inner, params);
        return [single(lowerExpr(L, s.until!, inner), s.until!.span)];
      }),
    );
  const bound = maxIterations(s.bound, scope);
  const max = maxIterations(s.max, scope);
  const maxIter = Math.min(bound ?? Infinity, max ?? Infinity);
  const attrs: Record<string, Attr> = { maxIter, counter: s.counter?.name ?? null, counted: bound !== null, hasUntil: s.until !== null };
  const label = s.outputs.map((o) => o.name).join(", ");
  const outs = L.fn.emit("loop", inits, attrs, inits.map((v) => v.type), { span: s.span, label, regions, hints: names.map((n) => n.name) });
  for (const o of s.outputs) {
    const i = names.findIndex((n) => n.name === o.name);
    bindValue(scope, o, outs[i], "loop result");
  }
}

