// Methods written in iterlang (docs/stdlib.md): lowering builds a construct's `start` and
// `step` regions as calls of the stdlib ops `NAME_start` / `NAME_step`, passing the operator,
// the preconditioner and the options. The calls are ordinary AST built here with names no
// program can write (`%A`), resolved in a scope that extends the construct's own.
import type * as A from "../../grammar/ast.js";
import { InternalError } from "../../base/diagnostics.js";
import type { Region, Value } from "../ir/ir.js";
import { DRIVER_OPTIONS, findMethod, type MethodSpec } from "../methods.js";
import { stdOp } from "../stdlib.js";
import type { TensorT } from "../types.js";
import type { Binding, Scope } from "../check/scope.js";
import { lowerExpr } from "./expr.js";
import type { Lowering } from "./lowering.js";

const name = (n: string, span: A.Span): A.Name => ({ kind: "Name", name: n, span });
const arg = (value: A.Expr, label: string | null = null): A.Arg => ({
  kind: "Arg",
  name: label === null ? null : { kind: "Ident", name: label, span: value.span },
  value,
  span: value.span,
});

/** `x => body` as an operator binding, closed over `scope`. */
export function lambdaOf(param: A.Ident, body: A.Expr, scope: Scope): Binding {
  const node: A.Lambda = { kind: "Lambda", params: [{ kind: "Param", name: param, type: null, default: null, span: param.span }], body, span: body.span };
  return { kind: "lambda", node, scope };
}

/** The preconditioner as an operator `r => P(A, r, options)`, or the identity. */
export function precondOf(spec: A.MethodSpec | null, operator: Binding, scope: Scope, span: A.Span): Binding {
  const r: A.Ident = { kind: "Ident", name: "%r", span };
  if (!spec) return lambdaOf(r, name("%r", span), scope);
  const m = findMethod("precond", spec.name.name);
  const op = stdOp(spec.name.name);
  if (!m || !op) throw new InternalError(`the preconditioner \`${spec.name.name}\` has no stdlib op`);
  const inner = scope.child();
  inner.define("%A", operator);
  inner.define("%P", op);
  const call: A.Call = { kind: "Call", callee: name("%P", span), args: [arg(name("%A", span)), arg(name("%r", span)), ...optionArgs(m, spec, op.decl)], span };
  return lambdaOf(r, call, inner);
}

/**
 * The method's options that the op declares as parameters, as named arguments: what the clause
 * wrote, else the default of compiler/methods.ts (the one place defaults live). Driver options
 * (rtol, atol, maxiter) stay with the driver.
 */
function optionArgs(m: MethodSpec, spec: A.MethodSpec | null, decl: A.OpDecl | A.ModelDecl): A.Arg[] {
  const declared = new Set(decl.params.map((p) => p.name.name));
  const written = new Map((spec?.args ?? []).flatMap((a) => (a.name ? [[a.name.name, a.value] as const] : [])));
  const out: A.Arg[] = [];
  const span = spec?.span ?? decl.span;
  for (const opt of m.options) {
    if ((DRIVER_OPTIONS as readonly string[]).includes(opt.name) || !declared.has(opt.name)) continue;
    const value = written.get(opt.name) ?? literal(opt.default, span);
    if (value) out.push(arg(opt.kind === "string" ? asWord(value) : value, opt.name));
  }
  return out;
}

function literal(v: number | string | boolean | null, span: A.Span): A.Expr | undefined {
  if (typeof v === "number") return { kind: "Number", text: String(v), value: v, isInt: Number.isInteger(v), span };
  if (typeof v === "string") return { kind: "String", value: v, span };
  if (typeof v === "boolean") return { kind: "Bool", value: v, span };
  return undefined;
}

/** A bare word given to a string option (`cycle: W`) is that string, whatever it names. */
function asWord(e: A.Expr): A.Expr {
  return e.kind === "Name" ? { kind: "String", value: e.name, span: e.span } : e;
}

export interface MethodRegions {
  start: Region;
  step: Region;
}

/**
 * The start and step regions of an iterlang method. `lead` are the operators and values that
 * come before the state in the protocol: (A, M, b) for solves, (T) for fixpoints.
 */
export function methodRegions(L: Lowering, m: MethodSpec, spec: A.MethodSpec | null, lead: { name: string; binding: Binding }[], unknown: TensorT, scope: Scope, span: A.Span): MethodRegions {
  const start = stdOp(`${m.name}_start`);
  const step = stdOp(`${m.name}_step`);
  if (!start || !step) throw new InternalError(`the method \`${m.name}\` lacks \`${m.name}_start\` or \`${m.name}_step\` in stdlib/${m.implementation.kind === "iter" ? m.implementation.module : "?"}.iter`);
  const call = (op: typeof start, state: Value[]): Value[] => {
    const inner = scope.child();
    inner.define("%op", op);
    for (const l of lead) inner.define(l.name, l.binding);
    const stateArgs = state.map((v, i) => {
      inner.define(`%s${i}`, { kind: "value", name: `%s${i}`, type: v.type, span, what: "state", ir: v });
      return arg(name(`%s${i}`, span));
    });
    const c: A.Call = { kind: "Call", callee: name("%op", span), args: [...lead.map((l) => arg(name(l.name, span))), ...stateArgs, ...optionArgs(m, spec, op.decl)], span };
    const out = lowerExpr(L, c, inner);
    return Array.isArray(out) ? out : [out];
  };
  let stateTypes: { type: TensorT; hint?: string }[] = [];
  const startRegion = L.fn.region([{ type: unknown, hint: "x0" }], ([x0]) => {
    const s = call(start, [x0]);
    stateTypes = s.map((v) => ({ type: v.type }));
    return s;
  });
  const stepRegion = L.fn.region(stateTypes, (state) => call(step, state));
  return { start: startRegion, step: stepRegion };
}

/** A value as a binding, for the protocol's `b`. */
export function valueBinding(v: Value, span: A.Span): Binding {
  return { kind: "value", name: "%b", type: v.type, span, what: "right-hand side", ir: v };
}
