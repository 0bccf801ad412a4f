// Calls of user operators and lambdas. An op is size-polymorphic: its parameter types bind
// size names (`u: f32[n, n]` binds `n`) at each call, and its body is checked once per
// distinct instance — the same specialisation that lowering performs.
import type * as A from "../../grammar/ast.js";
import { type Dim, dimSubst, dimUnify, dimToString } from "../shapes.js";
import { type TensorT, tensor, type Type, typeToString, typesEqual } from "../types.js";
import { bindArgs } from "./args.js";
import { typeFrom } from "./annotations.js";
import type { CheckContext } from "./context.js";
import { tensorOf, typeOf } from "./expr.js";
import type { Binding, Scope } from "./scope.js";
import { checkBody } from "./stmt.js";

type Callable = Extract<Binding, { kind: "op" } | { kind: "lambda" }>;

function paramsOf(c: Callable): A.Param[] {
  return c.kind === "op" ? c.decl.params : c.node.params;
}

/** An argument that is itself an operator: a name bound to one, or a lambda. */
function operatorArg(e: A.Expr, scope: Scope): Binding | undefined {
  if (e.kind === "Lambda") return { kind: "lambda", node: e, scope };
  if (e.kind !== "Name") return undefined;
  const b = scope.lookup(e.name);
  return b && (b.kind === "op" || b.kind === "lambda" || b.kind === "builtin") ? b : undefined;
}

function bindingKey(b: Binding): string {
  switch (b.kind) {
    case "op":
      return `op:${b.decl.name.name}`;
    case "lambda":
      return `lambda@${b.node.span.start.offset}`;
    case "builtin":
      return `builtin:${b.spec.name}`;
    case "value":
      return typeToString(b.type);
    default:
      return b.kind;
  }
}

/** Binds `n` in a parameter's declared shape to the argument's size; reports a mismatch. */
function unifyParam(ctx: CheckContext, p: A.Param, declared: TensorT, actual: TensorT, argSpan: A.Span, sizes: Map<string, Dim>, what: string): boolean {
  const mismatch = () =>
    ctx.error(argSpan, "shape-mismatch", `${what} expects \`${p.name.name}\` to be ${typeToString(declared)}, but this argument is ${typeToString(actual)}.`, {
      label: `this is ${typeToString(actual)}`,
      notes: [`\`${p.name.name}\` is declared on line ${p.span.start.line} as ${typeToString(declared)}.`],
    });
  if (declared.dtype !== actual.dtype || declared.shape.length !== actual.shape.length) {
    mismatch();
    return false;
  }
  for (let i = 0; i < declared.shape.length; i++) {
    const r = dimUnify(declared.shape[i], actual.shape[i], sizes);
    if (r === false) {
      mismatch();
      return false;
    }
    if (Array.isArray(r)) sizes.set(r[0], r[1]);
  }
  return true;
}

export function checkOpCall(ctx: CheckContext, c: Callable, name: string, args: readonly A.Arg[], span: A.Span, scope: Scope): Type | undefined {
  const params = paramsOf(c);
  const what = c.kind === "op" ? `\`${name}\`` : "this lambda";
  const bound = bindArgs(params.map((p) => ({ name: p.name.name, optional: p.default !== null })), args, span, what);
  for (const err of bound.errors) ctx.error(err.span, "bad-argument", err.message, err.hint ? { hint: err.hint } : {});
  if (bound.errors.length) return undefined;
  const home = c.scope;
  const body = home.child();
  const sizes = new Map<string, Dim>();
  const keyParts: string[] = [];
  for (const p of params) {
    const given = bound.byName.get(p.name.name)?.[0];
    const argExpr = given ?? p.default!;
    const argScope = given ? scope : body;
    const opArg = operatorArg(argExpr, argScope);
    if (opArg || p.type?.kind === "OpType") {
      if (!opArg) {
        ctx.error(argExpr.span, "type-mismatch", `\`${p.name.name}\` of ${what} is an operator; pass an op's name or a lambda such as \`x => 2 * x\`.`);
        return undefined;
      }
      body.define(p.name.name, opArg);
      keyParts.push(bindingKey(opArg));
      continue;
    }
    const actual = tensorOf(ctx, argExpr, argScope);
    if (!actual) return undefined;
    if (p.type) {
      const introduced = new Map<string, A.Span>();
      const declared = typeFrom(ctx, p.type, home, { allowNew: true, introduced });
      if (!declared || declared.tag !== "tensor") return undefined;
      if (!unifyParam(ctx, p, declared, actual, argExpr.span, sizes, what)) return undefined;
    }
    body.define(p.name.name, { kind: "value", name: p.name.name, type: actual, span: p.span, what: "parameter" });
    keyParts.push(typeToString(actual));
  }
  for (const [n, d] of sizes) body.define(n, { kind: "dim", name: n, value: d, span: span });
  const key = `${c.kind === "op" ? name : `lambda@${c.node.span.start.offset}`}(${keyParts.join(", ")})`;
  if (ctx.instances.has(key)) return ctx.instances.get(key);
  if (c.kind === "op" && [...ctx.active].some((k) => k.startsWith(`${name}(`))) return recursiveCall(ctx, c.decl, body, sizes, span);
  if (c.kind === "op") ctx.used.add(name);
  ctx.active.add(key);
  const result = c.kind === "op" ? checkBody(ctx, c.decl.body, body) : typeOf(ctx, c.node.body, body);
  ctx.active.delete(key);
  const checked = c.kind === "op" && result ? checkResult(ctx, c.decl, result, body, sizes) : result;
  ctx.instances.set(key, checked);
  return checked;
}

/**
 * A call of an op from inside its own body (a multigrid cycle on the coarser grid). Its body
 * is checked once, at the outermost call; inner calls take the declared result type, and
 * lowering, with concrete sizes, checks that a compile-time `if` ends the recursion.
 */
function recursiveCall(ctx: CheckContext, decl: A.OpDecl | A.ModelDecl, scope: Scope, sizes: Map<string, Dim>, span: A.Span): Type | undefined {
  if (!decl.result) {
    ctx.error(span, "recursion", `\`${decl.name.name}\` calls itself, so it must declare its result type.`, {
      hint: `write \`op ${decl.name.name}(...) -> f32[...] = ...\`, and end the recursion with a compile-time \`if\` (e.g. on a size); for a repetition, use a \`loop\`.`,
    });
    return undefined;
  }
  const declared = typeFrom(ctx, decl.result, scope);
  if (!declared || declared.tag !== "tensor") return declared;
  return tensor(declared.dtype, declared.shape.map((d) => dimSubst(d, sizes)));
}

/** The declared result type (`-> f32[n, n]`) must agree with what the body computes. */
function checkResult(ctx: CheckContext, decl: A.OpDecl | A.ModelDecl, result: Type, scope: Scope, sizes: Map<string, Dim>): Type | undefined {
  if (!decl.result) return result;
  const declared = typeFrom(ctx, decl.result, scope);
  if (!declared) return undefined;
  const subst = declared.tag === "tensor" ? tensor(declared.dtype, declared.shape.map((d) => dimSubst(d, sizes))) : declared;
  if (!typesEqual(subst, result)) {
    ctx.error(decl.result.span, "shape-mismatch", `\`${decl.name.name}\` is declared to give ${typeToString(subst)}, but its body gives ${typeToString(result)}.`, {
      notes: [...sizes].map(([n, d]) => `here \`${n}\` = ${dimToString(d)}`),
    });
    return undefined;
  }
  return subst;
}
