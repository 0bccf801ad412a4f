// `check` declarations and structure tags: what a contract says is resolved by
// compiler/contracts/resolve.ts (the same resolution `iterc check` plans from), and checked
// here for types: each operator is applied to a point of its domain (or to the value it is
// applied to), maps that domain to itself where the contract needs it, and values and
// conditions have the types their contract asks for. Nothing here runs; `iterc check` does.
import type * as A from "../../grammar/ast.js";
import { closest } from "../../base/suggest.js";
import { CONTRACTS } from "../contracts/registry.js";
import { SERIES } from "../contracts/record.js";
import { namesUsed } from "./defs.js";
import type { ProgramIndex } from "../contracts/program-index.js";
import { type OperatorRef, type Resolution, resolveCheck, resolveTag, type ResolvedContract } from "../contracts/resolve.js";
import { dimSym, dimSymbols } from "../shapes.js";
import { type TensorT, typesEqual, typeToString } from "../types.js";
import { typeFrom } from "./annotations.js";
import type { CheckContext } from "./context.js";
import { tensorOf, unknownName } from "./expr.js";
import { checkOpCall } from "./ops.js";
import type { Scope } from "./scope.js";
import { asNumber, staticEval } from "./static.js";
import { checkConstructArg } from "./contract-constructs.js";

const numberIn = (scope: Scope) => (e: A.Expr) => {
  const v = staticEval(e, scope);
  return v.kind === "error" ? undefined : asNumber(v);
};

const lookupIn = (scope: Scope) => (name: string) => {
  const b = scope.lookup(name);
  return b === undefined ? undefined : b.kind === "builtin" ? ("builtin" as const) : ("user" as const);
};

/**
 * Contracts are checked by the generic check only: they add nothing to the typed program, and
 * the concrete elaboration must not trip over the sizes a contract's domain leaves open.
 */
export function checkContract(ctx: CheckContext, d: A.CheckDecl, scope: Scope, index: ProgramIndex): void {
  if (ctx.mode === "concrete") return;
  const e = d.contract;
  // A callee that is neither defined nor near a contract's name is an unknown name.
  if (e.kind === "Call" && e.callee.kind === "Name" && !scope.lookup(e.callee.name) && !CONTRACTS.has(e.callee.name) && !closest(e.callee.name, [...CONTRACTS.keys()]))
    return unknownName(ctx, e.callee.name, e.callee.span, scope);
  const unknown = unknownArgs(d, scope);
  unknown.forEach((n) => unknownName(ctx, n.name, n.span, scope));
  const r = resolveCheck(d, index, lookupIn(scope), numberIn(scope));
  report(ctx, { problems: r.problems.filter((p) => !unknown.some((n) => n.span === p.span)) });
  if (r.contract) checkTypes(ctx, r.contract, scope);
  else if (e.kind === "Call") for (const a of e.args) if (a.value.kind === "Lambda") checkNamesIn(ctx, a.value, scope);
}

/** Arguments of a contract call that are names nothing defines (a series word is not one). */
function unknownArgs(d: A.CheckDecl, scope: Scope): A.Name[] {
  const e = d.contract;
  const record = e.kind === "Call" && e.callee.kind === "Name" ? CONTRACTS.get(e.callee.name) : undefined;
  if (!record || e.kind !== "Call") return [];
  const words = record.params.some((p) => p.kind === "series") ? new Set(SERIES as readonly string[]) : new Set<string>();
  return e.args.flatMap((a) => (a.value.kind === "Name" && !words.has(a.value.name) && !scope.lookup(a.value.name) ? [a.value] : []));
}

/** A lambda that could not be checked for types (its points have no type) is checked for its names. */
function checkNamesIn(ctx: CheckContext, lambda: A.Lambda, scope: Scope): void {
  const bound = new Set(lambda.params.map((p) => p.name.name));
  for (const n of namesUsed(lambda.body)) if (!bound.has(n.name) && !scope.lookup(n.name)) unknownName(ctx, n.name, n.span, scope);
}

/** Every structure tag of an op: resolved and checked like the `check` it stands for. */
export function checkTags(ctx: CheckContext, op: A.OpDecl | A.ModelDecl, scope: Scope, index: ProgramIndex): void {
  if (ctx.mode === "concrete") return;
  for (const tag of op.tags) {
    const r = resolveTag(op, tag, index, numberIn(scope));
    report(ctx, r);
    if (r.contract) checkTypes(ctx, r.contract, scope);
  }
}

function report(ctx: CheckContext, r: Resolution): void {
  for (const p of r.problems) ctx.error(p.span, p.code, p.message, p.hint ? { hint: p.hint } : {});
}

function checkTypes(ctx: CheckContext, c: ResolvedContract, scope: Scope): void {
  const values = new Map<string, TensorT>();
  for (const [name, e] of c.values) {
    const t = tensorOf(ctx, e, scope)?.type;
    if (t) values.set(name, t);
  }
  const cond = values.get("cond");
  if (c.values.has("cond") && cond && (cond.dtype !== "bool" || cond.shape.length !== 0))
    ctx.error(c.values.get("cond")!.span, "type-mismatch", `A contract is a true/false condition, such as \`check fro(W) < 1\`, or a contract call, such as \`check contractive(T, below: 1)\`; this is ${typeToString(cond)}.`);
  const [a, b] = [values.get("a"), values.get("b")];
  if (c.record.name === "equal" && a && b && !typesEqual(a, b)) ctx.error(c.span, "shape-mismatch", `\`equal\` compares values of one type; these are ${typeToString(a)} and ${typeToString(b)}.`);
  for (const [param, op] of c.operators) {
    const applied = c.record.applies?.[param];
    const domain = applied ? values.get(applied) : op.domain && domainType(ctx, op.domain, scope);
    if (domain) checkOperator(ctx, c, param, op, domain, scope);
  }
  for (const ref of c.constructs.values()) checkConstructArg(ctx, c, ref);
}

function domainType(ctx: CheckContext, t: A.TypeExpr, scope: Scope): TensorT | undefined {
  const dt = typeFrom(ctx, t, scope, { allowNew: true, introduced: new Map() });
  if (dt && dt.tag !== "tensor") ctx.error(t.span, "bad-type", "The points of a contract are tensors: give a type such as `f32[N]`.");
  return dt?.tag === "tensor" ? dt : undefined;
}

/** `T` applied to a value of its domain: it must accept it, and (where needed) give that type back. */
function checkOperator(ctx: CheckContext, c: ResolvedContract, param: string, op: OperatorRef, domain: TensorT, scope: Scope): void {
  if (op.kind === "fixpoint") return; // its map was checked with the fixpoint
  const probe = scope.child();
  const name = `${op.point}\u0000point`;
  probe.define(name, { kind: "value", name, type: domain, span: c.span, what: "point", sym: ctx.sym(name, domain) });
  for (const d of domain.shape) for (const s of dimSymbols(d)) if (!scope.lookup(s)) probe.define(s, { kind: "dim", name: s, value: dimSym(s), span: c.span });
  const callee = op.kind === "op" ? scope.lookup(op.name) : { kind: "lambda" as const, node: op.node, scope };
  if (callee?.kind !== "op" && callee?.kind !== "lambda") return;
  const arg: A.Arg = { kind: "Arg", name: null, value: { kind: "Name", name, span: c.span }, span: c.span };
  const result = checkOpCall(ctx, callee, op.kind === "op" ? op.name : "lambda", [arg], c.span, probe, "probe");
  if (!result || !c.record.endomorphisms?.includes(param)) return;
  if (result.type.tag !== "tensor" || !typesEqual(result.type, domain))
    ctx.error(c.span, "shape-mismatch", `\`${c.record.name}\` needs \`${param}\` to map its domain to itself, but it takes ${typeToString(domain)} and gives ${result.type.tag === "tensor" ? typeToString(result.type) : "something else"}.`);
}
