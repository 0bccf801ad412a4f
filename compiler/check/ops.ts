// Calls of user operators and lambdas. An op is size-polymorphic: its parameter types bind
// size names (`u: f32[n, n]` binds `n`) at each call, and its body is checked once per
// distinct instance (op, argument types, operator arguments, static values). The instance —
// its parameters' symbols, its checked body and its result — is what the typed call points at,
// and what lowering turns into one IR function.
import type * as A from "../../grammar/ast.js";
import { objectId } from "../identity.js";
import { type Dim, dimSubst, dimSym, dimSymbols, dimToString, dimUnify } from "../shapes.js";
import { stdModuleOf } from "../stdlib.js";
import { type TensorT, tensor, type Type, typeToString, typesEqual } from "../types.js";
import type { Instance, Sym, TExpr, TStmt, TTensor } from "../typed/program.js";
import { typeFrom } from "./annotations.js";
import { bindArgs, type BoundArgs } from "./args.js";
import { wholeSizes } from "./builtins.js";
import { type CheckContext, MAX_INSTANCE_DEPTH } from "./context.js";
import { tensorOf, typeOf } from "./expr.js";
import type { Binding, Scope } from "./scope.js";
import { staticParam } from "./static.js";
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

/** How an operator argument is named in an instance's name: the op, or where the lambda is. */
function operatorName(b: Binding): string {
  if (b.kind === "op") return b.decl.name.name;
  // A lambda is its text and the scope it closes over (values differ between op instances).
  if (b.kind === "lambda") return `λ${b.node.span.start.line}:${b.node.span.start.column}#${objectId(b.node)}@${objectId(b.scope)}`;
  if (b.kind === "builtin") return b.spec.name;
  return b.kind;
}

/** Binds `n` in a parameter's declared shape to the argument's size; reports a mismatch. */
function unifyParam(ctx: CheckContext, p: A.Param, declared: TensorT, actual: TensorT, argSpan: A.Span, sizes: Map<string, Dim>, what: string, fixed: ReadonlyMap<string, number>): boolean {
  const mismatch = (axis?: number) =>
    ctx.error(argSpan, "shape-mismatch", `${what} expects \`${p.name.name}\` to be ${typeToString(declared)}, but this argument is ${typeToString(actual)}.`, {
      label: `this is ${typeToString(actual)}`,
      notes: [`\`${p.name.name}\` is declared on line ${p.span.start.line} as ${typeToString(declared)}.`, ...(axis === undefined ? [] : axisNotes(declared, actual, axis, sizes, fixed))],
    });
  if (declared.dtype !== actual.dtype || declared.shape.length !== actual.shape.length) {
    mismatch();
    return false;
  }
  for (let i = 0; i < declared.shape.length; i++) {
    // A declared `dim` in the pattern is fixed: bound to itself, never to the argument's size.
    const env = new Map([...[...fixed.keys()].map((n): [string, Dim] => [n, dimSym(n)]), ...sizes]);
    const r = dimUnify(declared.shape[i], actual.shape[i], env);
    if (r === false) {
      mismatch(i);
      return false;
    }
    if (Array.isArray(r)) sizes.set(r[0], r[1]);
  }
  return true;
}

/** Why dimension `axis` failed: the sizes bound so far, or a declared `dim` that is fixed. */
function axisNotes(declared: TensorT, actual: TensorT, axis: number, sizes: ReadonlyMap<string, Dim>, fixed: ReadonlyMap<string, number>): string[] {
  const names = [...dimSymbols(declared.shape[axis])];
  const bound = names.filter((n) => sizes.has(n));
  const global = names.filter((n) => fixed.has(n));
  const notes: string[] = [];
  if (bound.length)
    notes.push(`${bound.map((n) => `\`${n}\` is ${dimToString(sizes.get(n)!)}`).join(" and ")} from the earlier dimensions, so dimension ${axis + 1} should be ${dimToString(dimSubst(declared.shape[axis], sizes))}, but it is ${dimToString(actual.shape[axis])}.`);
  for (const n of global) notes.push(`\`${n}\` is the size declared with \`dim\` on line ${fixed.get(n)}, so it is the same in every call; a size bound by each call needs a name of its own.`);
  return notes;
}

export function checkOpCall(ctx: CheckContext, c: Callable, name: string, args: readonly A.Arg[], span: A.Span, scope: Scope, site: "call" | "probe" = "call"): TExpr | undefined {
  const what = c.kind === "op" ? `\`${name}\`` : "this lambda";
  const bound = bindCallArgs(ctx, c, name, args, span, what);
  if (!bound) return undefined;
  const bind = bindParams(ctx, c, bound, scope, what);
  if (!bind) return undefined;
  const inst = instanceOf(ctx, c, bind, span, site);
  return inst && inst.type.tag !== "op" ? { k: "call", inst, args: bind.args, type: inst.type, span } : undefined;
}

/** The instance for these bindings: checked the first time, reused after. */
function instanceOf(ctx: CheckContext, c: Callable, bind: Bound, span: A.Span, site: "call" | "probe"): Instance | undefined {
  const id = c.kind === "op" ? `${c.decl.name.name}#${objectId(c.decl)}` : operatorName(c);
  const key = `${id}(${bind.keyParts.join(", ")})`;
  if (ctx.instances.has(key)) return ctx.instances.get(key);
  if (c.kind === "op" && ctx.active.has(key)) return endlessRecursion(ctx, c.decl, bind.keyParts, span);
  if (c.kind === "op" && ctx.mode === "generic" && [...ctx.active].some((k) => k.startsWith(`${id}(`))) return recursiveCall(ctx, c.decl, bind, span);
  if (ctx.active.size >= MAX_INSTANCE_DEPTH) return tooDeep(ctx, c.kind === "op" ? c.decl.name.name : "a lambda", span);
  if (c.kind === "op") ctx.used.add(c.decl.name.name);
  const std = c.kind === "op" ? stdModuleOf(c.decl) : undefined;
  ctx.calls.push({ name: c.kind === "op" ? c.decl.name.name : "lambda", span, sizes: bind.sizes, named: site === "call" && c.kind === "op", std: std !== undefined || c.scope.std, ...(std ? { file: std.file } : {}) });
  ctx.active.add(key);
  const checked = checkInstanceBody(ctx, c, bind);
  ctx.active.delete(key);
  ctx.calls.pop();
  const inst: Instance | undefined = checked && {
    name: `${std ? "std." : ""}${c.kind === "op" ? c.decl.name.name : operatorName(c)}<${bind.nameParts.join(", ")}>`,
    params: bind.params,
    defaults: bind.defaults,
    body: checked.stmts,
    result: checked.result,
    type: checked.result.type,
    sizes: bind.sizes,
    span: c.kind === "op" ? c.decl.span : c.node.span,
    std: std !== undefined || c.scope.std,
  };
  ctx.instances.set(key, inst);
  return inst;
}

function checkInstanceBody(ctx: CheckContext, c: Callable, bind: Bound): { stmts: TStmt[]; result: TExpr } | undefined {
  if (c.kind === "lambda") {
    const result = typeOf(ctx, c.node.body, bind.body);
    return result && { stmts: [], result };
  }
  const checked = checkBody(ctx, c.decl.body, bind.body, `\`${c.decl.name.name}\``);
  if (!checked) return undefined;
  return checkResult(ctx, c.decl, checked.result.type, bind.body) ? checked : undefined;
}

/** Each parameter of an op or lambda has a name of its own. */
export function checkParamNames(ctx: CheckContext, params: readonly A.Param[]): void {
  params.forEach((p, i) => {
    const first = params.findIndex((q) => q.name.name === p.name.name);
    if (first < i) ctx.error(p.name.span, "duplicate-name", `There are two parameters called \`${p.name.name}\`.`, { hint: "give each parameter a name of its own." });
  });
}

/** Matches arguments to parameters; a lambda called with the wrong count is reported at the lambda. */
function bindCallArgs(ctx: CheckContext, c: Callable, name: string, args: readonly A.Arg[], span: A.Span, what: string): BoundArgs | undefined {
  const params = paramsOf(c);
  if (c.kind === "lambda") checkParamNames(ctx, params);
  const bound = bindArgs(params.map((p) => ({ name: p.name.name, optional: p.default !== null })), args, span, what, "argument");
  if (!bound.errors.length) return bound;
  if (c.kind === "lambda" && args.every((a) => a.name === null)) {
    const n = params.length;
    ctx.error(c.node.span, "bad-argument", `This lambda takes ${n} parameter${n === 1 ? "" : "s"}, but it is called with ${args.length} argument${args.length === 1 ? "" : "s"}.`, {
      notes: [`it is called as \`${name}\` on line ${span.start.line}.`],
    });
    return undefined;
  }
  for (const err of bound.errors) ctx.error(err.span, "bad-argument", err.message, err.hint ? { hint: err.hint } : {});
  return undefined;
}

/** A call's parameters bound: the body's scope, the sizes, the tensor arguments and their symbols. */
interface Bound {
  body: Scope;
  sizes: Map<string, Dim>;
  /** What tells instances apart: argument types, operators (by identity), static values. */
  keyParts: string[];
  /** The same, readable, for the instance's name. */
  nameParts: string[];
  args: TTensor[];
  params: Sym[];
  defaults: { sym: Sym; value: TExpr }[];
}

/** Binds each parameter (an operator, a static, or a tensor whose declared shape binds sizes) in a new scope. */
function bindParams(ctx: CheckContext, c: Callable, bound: BoundArgs, scope: Scope, what: string): Bound | undefined {
  const home = c.scope;
  const body = home.child();
  const out: Bound = { body, sizes: new Map(), keyParts: [], nameParts: [], args: [], params: [], defaults: [] };
  for (const p of paramsOf(c)) {
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
      out.keyParts.push(operatorName(opArg));
      out.nameParts.push(operatorName(opArg));
      continue;
    }
    const st = p.type ? undefined : staticParam(p.name.name, argExpr, argScope, p.span);
    if (st) {
      body.define(p.name.name, st.binding);
      out.keyParts.push(st.key);
      out.nameParts.push(st.key);
      continue;
    }
    const actual = tensorOf(ctx, argExpr, argScope);
    if (!actual || (p.type && !checkParamType(ctx, p, p.type, actual.type, argExpr.span, home, out.sizes, what))) return undefined;
    const sym = ctx.sym(p.name.name, actual.type);
    body.define(p.name.name, { kind: "value", name: p.name.name, type: actual.type, span: p.span, what: "parameter", sym });
    if (given) {
      out.args.push(actual);
      out.params.push(sym);
    } else out.defaults.push({ sym, value: actual });
    out.keyParts.push(typeToString(actual.type));
    if (given) out.nameParts.push(typeToString(actual.type));
  }
  for (const [n, d] of out.sizes) body.define(n, { kind: "dim", name: n, value: d, span: c.kind === "op" ? c.decl.name.span : c.node.span });
  return out;
}

function checkParamType(ctx: CheckContext, p: A.Param, t: A.TypeExpr, actual: TensorT, argSpan: A.Span, home: Scope, sizes: Map<string, Dim>, what: string): boolean {
  const introduced = new Map<string, A.Span>();
  const declared = typeFrom(ctx, t, home, { allowNew: true, introduced });
  if (!declared || declared.tag !== "tensor") return false;
  const fixed = new Map<string, number>();
  for (const n of dimsOf(declared)) {
    const b = home.lookup(n);
    if (!introduced.has(n) && b?.kind === "dim") fixed.set(n, b.span.start.line);
  }
  return unifyParam(ctx, p, declared, actual, argSpan, sizes, what, fixed) && wholeSizes(ctx, tensor(declared.dtype, [...sizes.values()]), argSpan);
}

function dimsOf(t: TensorT): Set<string> {
  return new Set(t.shape.flatMap((d) => [...dimSymbols(d)]));
}

/** The same op at the same argument types inside its own call: it can only recurse forever. */
function endlessRecursion(ctx: CheckContext, decl: A.OpDecl | A.ModelDecl, keyParts: string[], span: A.Span): undefined {
  ctx.error(span, "recursion", `\`${decl.name.name}\` calls itself with the same sizes, so the recursion would never end.`, {
    notes: [`both this call and the one it is inside take (${keyParts.join(", ")}).`],
    hint: "call it on a smaller size (a coarser grid, say) under a compile-time `if` that stops the recursion; to repeat a step, use a `loop`.",
  });
  return undefined;
}

function tooDeep(ctx: CheckContext, name: string, span: A.Span): undefined {
  ctx.error(span, "recursion", `Calls nest more than ${MAX_INSTANCE_DEPTH} deep here (at \`${name}\`), so this recursion does not end.`, {
    hint: "end the recursion with a compile-time `if` on a size that shrinks at each call.",
  });
  return undefined;
}

/**
 * A call of an op from inside its own body (a multigrid cycle on the coarser grid) in a generic
 * check: its body is checked once, at the outermost call; inner calls take the declared result
 * type. The concrete elaboration, with numbers for sizes, checks every level and that a
 * compile-time `if` ends the recursion.
 */
function recursiveCall(ctx: CheckContext, decl: A.OpDecl | A.ModelDecl, bind: Bound, span: A.Span): Instance | undefined {
  if (!decl.result) {
    ctx.error(span, "recursion", `\`${decl.name.name}\` calls itself, so it must declare its result type.`, {
      hint: `write \`op ${decl.name.name}(...) -> f32[...] = ...\`, and end the recursion with a compile-time \`if\` (e.g. on a size); for a repetition, use a \`loop\`.`,
    });
    return undefined;
  }
  // The body's scope binds the call's sizes, so the declared type reads with them already.
  const type = typeFrom(ctx, decl.result, bind.body);
  if (!type || type.tag !== "tensor") return undefined;
  return { name: `${decl.name.name}<recursive>`, params: bind.params, defaults: bind.defaults, body: [], type, sizes: bind.sizes, span: decl.span, std: false };
}

/** The declared result type (`-> f32[n, n]`) must agree with what the body computes. */
function checkResult(ctx: CheckContext, decl: A.OpDecl | A.ModelDecl, result: Type, scope: Scope): boolean {
  if (!decl.result) return true;
  // The body's scope binds the call's sizes, so the declared type reads with them already.
  const subst = typeFrom(ctx, decl.result, scope);
  if (!subst) return false;
  if (!typesEqual(subst, result)) {
    ctx.error(decl.result.span, "shape-mismatch", `\`${decl.name.name}\` is declared to give ${typeToString(subst)}, but its body gives ${typeToString(result)}.`);
    return false;
  }
  return true;
}
