// Calls of user ops and lambdas. Each distinct instance (op, argument types, operator
// arguments) becomes a closed IR function `A<f32[63, 63]>` and the call a `call` op; the
// `specialise` pass then inlines every call, so regions see the operator's body.
import type * as A from "../../grammar/ast.js";
import { InternalError } from "../../base/diagnostics.js";
import type { Value } from "../ir/ir.js";
import { type Dim, dimUnify } from "../shapes.js";
import { tensor, type TensorT, typeToString } from "../types.js";
import { bindArgs } from "../check/args.js";
import { typeFrom } from "../check/annotations.js";
import { CheckContext } from "../check/context.js";
import type { Binding, Scope } from "../check/scope.js";
import { dimSubst } from "../shapes.js";
import { staticParam } from "../check/static.js";
import { objectId } from "../identity.js";
import { type StdModule, stdModuleOf } from "../stdlib.js";
import { LowerError } from "./context.js";
import { type Lowered, lowerExpr, single } from "./expr.js";
import type { Instance, Lowering } from "./lowering.js";
import { lowerBody } from "./stmt.js";

type Callable = Extract<Binding, { kind: "op" } | { kind: "lambda" }>;

function operatorArg(e: A.Expr, scope: Scope): Binding | undefined {
  if (e.kind === "Lambda") return { kind: "lambda", node: e, scope };
  if (e.kind !== "Name") return undefined;
  const b = scope.lookup(e.name);
  return b && (b.kind === "op" || b.kind === "lambda" || b.kind === "builtin") ? b : undefined;
}

function identity(b: Binding): string {
  if (b.kind === "op") return b.decl.name.name;
  // A lambda is its text and the scope it closes over (values differ between op instances).
  if (b.kind === "lambda") return `λ${b.node.span.start.line}:${b.node.span.start.column}#${objectId(b.node)}@${objectId(b.scope)}`;
  if (b.kind === "builtin") return b.spec.name;
  return b.kind;
}

/** Size parameters of a declared parameter type, bound from the argument's concrete shape. */
function bindSizes(p: A.Param, actual: TensorT, home: Scope, sizes: Map<string, Dim>): void {
  if (!p.type) return;
  const scratch = new CheckContext("<lowering>");
  const declared = typeFrom(scratch, p.type, home, { allowNew: true, introduced: new Map() });
  if (!declared || declared.tag !== "tensor") throw new InternalError(`parameter \`${p.name.name}\` lost its type in lowering`);
  if (declared.shape.length !== actual.shape.length || declared.dtype !== actual.dtype)
    throw new LowerError(`\`${p.name.name}\` expects ${typeToString(declared)}, but the argument is ${typeToString(actual)}.`, p.span);
  declared.shape.forEach((d, i) => {
    const r = dimUnify(d, actual.shape[i], sizes);
    if (r === false) throw new LowerError(`\`${p.name.name}\` expects ${typeToString(declared)}, but the argument is ${typeToString(actual)}.`, p.span);
    if (Array.isArray(r)) sizes.set(r[0], r[1]);
  });
}

export function callOperator(L: Lowering, c: Callable, args: readonly A.Arg[], span: A.Span, scope: Scope): Lowered {
  const params = c.kind === "op" ? c.decl.params : c.node.params;
  const bound = bindArgs(params.map((p) => ({ name: p.name.name, optional: p.default !== null })), args, span, "call");
  if (bound.errors.length) throw new InternalError("a call's arguments were accepted by the checker but not by lowering");
  const body = c.scope.child();
  const sizes = new Map<string, Dim>();
  const tensorArgs: Value[] = [];
  const keyParts: string[] = [];
  const defaults: { p: A.Param; e: A.Expr }[] = [];
  for (const p of params) {
    const given = bound.byName.get(p.name.name)?.[0];
    if (!given) {
      // A default known when compiling binds like a static argument (as the checker does).
      const st = p.type ? undefined : staticParam(p.name.name, p.default!, body, p.span);
      if (st) {
        body.define(p.name.name, st.binding);
        keyParts.push(st.key);
      } else defaults.push({ p, e: p.default! });
      continue;
    }
    const opArg = operatorArg(given, scope);
    if (opArg) {
      body.define(p.name.name, opArg);
      keyParts.push(identity(opArg));
      continue;
    }
    const st = p.type ? undefined : staticParam(p.name.name, given, scope, p.span);
    if (st) {
      body.define(p.name.name, st.binding);
      keyParts.push(st.key);
      continue;
    }
    const v = single(lowerExpr(L, given, scope), given.span);
    bindSizes(p, v.type, c.scope, sizes);
    tensorArgs.push(v);
    keyParts.push(typeToString(v.type));
  }
  for (const [n, d] of sizes) body.define(n, { kind: "dim", name: n, value: d, span });
  const std = c.kind === "op" ? stdModuleOf(c.decl) : undefined;
  const opName = c.kind === "op" ? `${std ? "std." : ""}${c.decl.name.name}` : identity(c);
  const name = `${opName}<${keyParts.join(", ")}>`;
  const build = () => lowerInstance(L, c, params, tensorArgs, defaults, body, sizes, name, span);
  const fn = L.instance(name, std ? () => inStdlib(std, c.kind === "op" ? c.decl.name.name : "", span, build) : build);
  const inputs = [...tensorArgs, ...fn.captures];
  const outs = L.fn.emit("call", inputs, { callee: fn.name }, fn.results.map((r) => r.type), { span });
  return outs.length === 1 ? outs[0] : outs;
}

/**
 * A problem found inside a standard-library op is reported at the user's call, saying where in
 * the library it arose (a stdlib span means nothing in the user's file).
 */
function inStdlib<T>(std: StdModule, op: string, span: A.Span, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof LowerError)) throw e;
    // Each enclosing call moves the error to its own place, so the user's call is where it ends.
    const message = e.inLibrary ? e.message : `In \`${op}\` of the standard library (${std.file}:${e.span.start.line}): ${e.message}`;
    const err = new LowerError(message, span, e.hint);
    err.inLibrary = true;
    throw err;
  }
}

/** Lowers the body of one instance as its own function, with the arguments as parameters. */
function lowerInstance(
  L: Lowering,
  c: Callable,
  params: readonly A.Param[],
  tensorArgs: Value[],
  defaults: { p: A.Param; e: A.Expr }[],
  body: Scope,
  sizes: Map<string, Dim>,
  name: string,
  span: A.Span,
): Instance {
  return L.inFunction(
    name,
    (fn) => {
    let next = 0;
    for (const p of params) {
      if (body.own(p.name.name) || defaults.some((d) => d.p === p)) continue;
      const arg = tensorArgs[next++];
      body.define(p.name.name, { kind: "value", name: p.name.name, type: arg.type, span: p.span, what: "parameter", ir: fn.param(arg.type, p.name.name) });
    }
    for (const { p, e } of defaults) {
      const v = single(lowerExpr(L, e, body), e.span);
      body.define(p.name.name, { kind: "value", name: p.name.name, type: v.type, span: p.span, what: "parameter", ir: v });
    }
    const result = c.kind === "op" ? lowerBody(L, c.decl.body, body) : lowerExpr(L, c.node.body, body);
    const results = Array.isArray(result) ? result : [result];
    if (c.kind === "op" && c.decl.result) checkDeclaredResult(c.decl, results, body, sizes);
    return results;
    },
    span,
  );
}

function checkDeclaredResult(decl: A.OpDecl | A.ModelDecl, results: Value[], scope: Scope, sizes: Map<string, Dim>): void {
  const declared = typeFrom(new CheckContext("<lowering>"), decl.result!, scope);
  if (!declared || declared.tag !== "tensor" || results.length !== 1) return;
  const want = tensor(declared.dtype, declared.shape.map((d) => dimSubst(d, sizes)));
  if (typeToString(want) !== typeToString(results[0].type))
    throw new LowerError(`\`${decl.name.name}\` is declared to give ${typeToString(want)}, but gives ${typeToString(results[0].type)} here.`, decl.result!.span);
}
