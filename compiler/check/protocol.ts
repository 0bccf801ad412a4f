// Methods written in iterlang (docs/stdlib.md): a construct's `start` and `step` are calls of
// the stdlib ops `NAME_start` / `NAME_step`, given the operator, the preconditioner and the
// options. They are checked here like any call a user writes — ordinary AST built with names no
// program can write (`%A`), resolved in a scope that extends the construct's own — so a method
// that does not fit the unknown is a located error at the user's construct, and lowering gets
// both calls already typed.
import type * as A from "../../grammar/ast.js";
import { InternalError } from "../../base/diagnostics.js";
import { DRIVER_OPTIONS, findMethod, type MethodSpec } from "../methods.js";
import type { MethodChoice } from "../constructs.js";
import { getOp } from "../ops/index.js";
import type { Tally } from "../ops/tally.js";
import { stdOp } from "../stdlib.js";
import type { TensorT } from "../types.js";
import type { Operator, Protocol, Sym, TExpr } from "../typed/program.js";
import type { CheckContext } from "./context.js";
import { tensorOf, typeOf } from "./expr.js";
import type { Binding, Scope } from "./scope.js";

const name = (n: string, span: A.Span): A.Name => ({ kind: "Name", name: n, span });
const arg = (value: A.Expr, label: string | null = null): A.Arg => ({
  kind: "Arg",
  name: label === null ? null : { kind: "Ident", name: label, span: value.span },
  value,
  span: value.span,
});

/** `x => body` as an operator binding, closed over `scope`. */
export function lambdaOf(param: A.Ident, body: A.Expr, scope: Scope): Extract<Binding, { kind: "lambda" }> {
  const node: A.Lambda = { kind: "Lambda", params: [{ kind: "Param", name: param, type: null, default: null, span: param.span }], body, span: body.span };
  return { kind: "lambda", node, scope };
}

/** A value binding for a symbol, under a name no program can write. */
export function symBinding(sym: Sym, span: A.Span, what: string): Binding {
  return { kind: "value", name: sym.name, type: sym.type, span, what, sym };
}

/**
 * The preconditioner as an operator binding: `r => P(A, r, options)` for one of the standard
 * library, `r => P(r)` for the user's own operator `user`, or the identity.
 */
export function precondOf(spec: A.MethodSpec | null, operator: Binding, scope: Scope, span: A.Span, user?: Binding): Binding {
  const r: A.Ident = { kind: "Ident", name: "%r", span };
  if (!spec) return lambdaOf(r, name("%r", span), scope);
  if (user) {
    const inner = scope.child();
    inner.define("%P", user);
    return lambdaOf(r, { kind: "Call", callee: name("%P", span), args: [arg(name("%r", span))], span }, inner);
  }
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
 * `r => Π(M(r))`, Π w = w − z (⟨z, w⟩/⟨z, z⟩): a preconditioner whose output is kept
 * orthogonal to a solve's null space `z` (a symbol lowering binds before the regions), as
 * PETSc's KSP removes the null space from the preconditioned residual. Without it a singular
 * coarse problem (a multigrid cycle's coarsest, from a residual orthogonal to z only to
 * rounding) lets the iterate drift along z, and a large component along z costs the operator
 * its float32 precision.
 */
export function projectedPrecond(M: Binding, z: Binding, scope: Scope, span: A.Span): Binding {
  const sum = getOp("sum");
  if (!sum) throw new InternalError("the `sum` op is not registered");
  const inner = scope.child();
  inner.define("%M", M);
  inner.define("%z", z);
  inner.define("%sum", { kind: "builtin", spec: sum });
  const bin = (op: A.BinaryOp, left: A.Expr, right: A.Expr): A.Expr => ({ kind: "Binary", op, left, right, span });
  const sumOf = (e: A.Expr): A.Expr => ({ kind: "Call", callee: name("%sum", span), args: [arg(e)], span });
  const [w, z_] = [name("%w", span), name("%z", span)];
  const project = lambdaOf({ kind: "Ident", name: "%w", span }, bin("-", w, bin("*", z_, bin("/", sumOf(bin("*", z_, w)), sumOf(bin("*", z_, z_))))), inner);
  inner.define("%proj", project);
  const applied: A.Expr = { kind: "Call", callee: name("%M", span), args: [arg(name("%r", span))], span };
  return lambdaOf({ kind: "Ident", name: "%r", span }, { kind: "Call", callee: name("%proj", span), args: [arg(applied)], span }, inner);
}

/**
 * `v => tally(f(v), what: ...)`: the operator `f` counting each application into the report of
 * the construct that runs it (compiler/ops/tally.ts). Methods receive their operators so.
 */
export function tallied(f: Binding, what: Tally, scope: Scope, span: A.Span): Binding {
  const inner = scope.child();
  inner.define("%f", f);
  const spec = getOp("tally");
  if (!spec) throw new InternalError("the `tally` op is not registered");
  inner.define("%tally", { kind: "builtin", spec });
  const v: A.Ident = { kind: "Ident", name: "%v", span };
  const applied: A.Call = { kind: "Call", callee: name("%f", span), args: [arg(name("%v", span))], span };
  const call: A.Call = { kind: "Call", callee: name("%tally", span), args: [arg(applied), arg({ kind: "String", value: what, span }, "what")], span };
  return lambdaOf(v, call, inner);
}

/** An operator binding applied to a fresh parameter of `type`: a region's body. */
export function applyOperator(ctx: CheckContext, op: Extract<Binding, { kind: "lambda" }>, type: TensorT, what = "argument"): Operator | undefined {
  const p = op.node.params[0].name;
  const param = ctx.sym(p.name.startsWith("%") ? p.name.slice(1) : p.name, type);
  const inner = op.scope.child();
  inner.define(p.name, symBinding(param, p.span, what));
  const body = tensorOf(ctx, op.node.body, inner);
  return body && { param, body };
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

/**
 * The start and step calls of an iterlang method. `lead` are the operators and values that come
 * before the state in the protocol: (A, M, b) for solves, (T) for fixpoints. Undefined after a
 * reported error (the method does not fit).
 */
export function checkProtocol(
  ctx: CheckContext,
  choice: MethodChoice,
  spec: A.MethodSpec | null,
  lead: { name: string; binding: Binding }[],
  unknown: TensorT,
  scope: Scope,
  span: A.Span,
  startLead: { name: string; binding: Binding }[] = lead,
): Protocol | undefined {
  const m = findMethod(choice.construct, choice.name);
  const start = stdOp(`${choice.name}_start`);
  const step = stdOp(`${choice.name}_step`);
  if (!m || !start || !step) throw new InternalError(`the method \`${choice.name}\` lacks \`${choice.name}_start\` or \`${choice.name}_step\` in the standard library`);
  const call = (op: typeof start, state: Sym[], lead: { name: string; binding: Binding }[]): TExpr | undefined => {
    const inner = scope.child();
    inner.define("%op", op);
    for (const l of lead) inner.define(l.name, l.binding);
    const stateArgs = state.map((s, i) => {
      inner.define(`%s${i}`, symBinding(s, span, "state"));
      return arg(name(`%s${i}`, span));
    });
    const c: A.Call = { kind: "Call", callee: name("%op", span), args: [...lead.map((l) => arg(name(l.name, span))), ...stateArgs, ...optionArgs(m, spec, op.decl)], span };
    return typeOf(ctx, c, inner);
  };
  const x0 = ctx.sym("x0", unknown);
  const startCall = call(start, [x0], startLead);
  if (!startCall) return undefined;
  const stateTypes = startCall.type.tag === "tuple" ? startCall.type.items : [startCall.type];
  if (!stateTypes.every((t): t is TensorT => t.tag === "tensor")) throw new InternalError(`\`${choice.name}_start\` gives a non-tensor state`);
  // The state has no source names: `%` marks a symbol lowering gives no hint.
  const params = stateTypes.map((t, i) => ctx.sym(`%s${i}`, t));
  const stepCall = call(step, params, lead);
  return stepCall && { start: { param: x0, call: startCall }, step: { params, call: stepCall } };
}
