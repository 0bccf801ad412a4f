// `loop k < n carry (x = x0) { ... } until cond max m -> x`: the carried names, the body
// (where only they may be assigned), the `until` condition and the names given back.
import type * as A from "../../grammar/ast.js";
import { scalar, type TensorT, type Type, typeToString } from "../types.js";
import { checkMax, refuse } from "./clauses.js";
import type { CheckContext } from "./context.js";
import { definitions, namesUsed } from "./defs.js";
import { tensorOf, unknownName } from "./expr.js";
import { unknownType } from "./iterative.js";
import type { Scope } from "./scope.js";
import { checkStmt, defineValue, poison } from "./stmt.js";

export function checkLoop(ctx: CheckContext, s: A.Loop, scope: Scope): Type | undefined {
  checkLoopClauses(ctx, s, scope);
  const { carried, failed } = carriedTypes(ctx, s, scope);
  const body = loopScope(scope, s, carried);
  poison(body, failed);
  body.expect(definitions(s.body));
  for (const st of s.body) checkStmt(ctx, st, body, { kind: "loop", carried });
  if (s.until && !untilUsesBodyLet(ctx, s, body, scope)) {
    // `until` sees the carried values after the body, not the body's own `let`s.
    const t = tensorOf(ctx, s.until, loopScope(scope, s, carried));
    if (t && (t.dtype !== "bool" || t.shape.length !== 0))
      ctx.error(s.until.span, "type-mismatch", `\`until\` needs a true/false condition, but this is ${typeToString(t)}.`, { hint: "compare, as in `until norm(r) < 1e-5`." });
  }
  return loopOutputs(ctx, s, scope, body, carried);
}

/** `until norm(r) < tol` where `r` is a `let` of the body: it does not outlive one iteration. */
function untilUsesBodyLet(ctx: CheckContext, s: A.Loop, body: Scope, scope: Scope): boolean {
  const carriedOrOuter = (n: string) => s.carry.some((c) => c.name.name === n) || s.counter?.name === n || scope.lookup(n) !== undefined;
  const local = namesUsed(s.until).find((n) => !carriedOrOuter(n.name) && body.own(n.name));
  if (!local) return false;
  ctx.error(local.span, "not-carried", `\`until\` sees the carried values, and \`${local.name}\` is a \`let\` of the body, local to one iteration.`, {
    hint: `carry it, \`carry (..., ${local.name} = ...)\`, and update it in the body.`,
  });
  return true;
}

function checkLoopClauses(ctx: CheckContext, s: A.Loop, scope: Scope): void {
  refuse(ctx, s.method, "method", "loop", "a loop's body is its method.");
  refuse(ctx, s.precond, "precond", "loop");
  refuse(ctx, s.init, "init", "loop", "initial values go in `carry (x = ...)`.");
  refuse(ctx, s.grad, "grad", "loop");
  checkMax(ctx, s.max, scope);
  if (s.bound) checkMax(ctx, s.bound, scope, s.counter?.name ?? "k");
  if (!s.bound && !s.max)
    ctx.error(s.span, "unbounded-loop", "This loop has no bound, so it might never end.", { hint: "add `max 100` after the block, or count: `loop k < 100 ...`." });
}

function carriedTypes(ctx: CheckContext, s: A.Loop, scope: Scope): { carried: Map<string, TensorT>; failed: A.Ident[] } {
  const carried = new Map<string, TensorT>();
  const failed: A.Ident[] = [];
  for (const c of s.carry) {
    if (carried.has(c.name.name) || failed.some((f) => f.name === c.name.name)) {
      ctx.error(c.name.span, "duplicate-name", `\`${c.name.name}\` is carried twice.`);
      continue;
    }
    const t = unknownType(ctx, c.type, c.value, scope);
    if (t === null)
      ctx.error(c.value.span, "cannot-infer", `I can't tell the shape of \`${c.name.name}\` from \`${(c.value as A.Name).name}\` alone.`, {
        hint: `give the sizes, \`${c.name.name} = ${(c.value as A.Name).name}(N)\`, or a type, \`${c.name.name}: f32[N] = ${(c.value as A.Name).name}\`.`,
      });
    if (t) carried.set(c.name.name, t);
    else failed.push(c.name);
  }
  return { carried, failed };
}

/** A scope with the counter and the carried names, for the body and for `until`. */
function loopScope(scope: Scope, s: A.Loop, carried: Map<string, TensorT>): Scope {
  const inner = scope.child();
  if (s.counter) inner.define(s.counter.name, { kind: "value", name: s.counter.name, type: scalar("f32"), span: s.counter.span, what: "loop counter" });
  for (const c of s.carry) {
    const t = carried.get(c.name.name);
    if (t) inner.define(c.name.name, { kind: "value", name: c.name.name, type: t, span: c.name.span, what: "carried value" });
  }
  return inner;
}

function loopOutputs(ctx: CheckContext, s: A.Loop, scope: Scope, body: Scope, carried: Map<string, TensorT>): Type {
  const outs: TensorT[] = [];
  for (const o of s.outputs) {
    const t = carried.get(o.name);
    if (t) {
      defineValue(ctx, scope, o, t, "loop result");
      outs.push(t);
      continue;
    }
    poison(scope, [o]);
    if (s.carry.some((c) => c.name.name === o.name)) continue; // its carry failed, and said so
    if (!body.lookup(o.name)) unknownName(ctx, o.name, o.span, body);
    else
      ctx.error(o.span, "not-carried", `A loop gives back its carried names, and \`${o.name}\` is not carried.`, {
        hint: `carry it, \`carry (..., ${o.name} = ...)\`, and update it in the body.`,
      });
  }
  return outs.length === 1 ? outs[0] : { tag: "tuple", items: outs };
}
