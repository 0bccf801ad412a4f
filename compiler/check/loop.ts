// `loop k < n carry (x = x0) { ... } until cond max m -> x`: the carried names, the body
// (where only they may be assigned), the `until` condition and the names given back.
import type * as A from "../../grammar/ast.js";
import { scalar, type TensorT, typeToString } from "../types.js";
import type { ReportRef, Sym, TLoop, TStmt, TTensor } from "../typed/program.js";
import { checkGrad, checkMax, refuse } from "./clauses.js";
import type { CheckContext } from "./context.js";
import { definitions, namesUsed } from "./defs.js";
import { tensorOf, unknownName } from "./expr.js";
import { unknownType } from "./iterative.js";
import { symBinding } from "./protocol.js";
import type { Scope } from "./scope.js";
import { checkStmt, defineValue, poison } from "./stmt.js";

export function checkLoop(ctx: CheckContext, s: A.Loop, scope: Scope): TLoop | undefined {
  const bounds = checkLoopClauses(ctx, s, scope);
  const grad = checkGrad(ctx, s.grad, "loop", scope);
  const { carried, inits, failed } = carriedTypes(ctx, s, scope);
  const entry = loopScope(ctx, scope, s, carried);
  const body = entry.scope;
  poison(body, failed);
  body.expect(definitions(s.body));
  const stmts: TStmt[] = [];
  let ok = failed.length === 0;
  for (const st of s.body) {
    const c = checkStmt(ctx, st, body, { kind: "loop", carried });
    if (c && "stmt" in c) stmts.push(c.stmt);
    else ok = false;
  }
  const next = [...carried.keys()].map((n) => {
    const b = body.lookup(n);
    return b?.kind === "value" ? b.sym : undefined;
  });
  let until: TLoop["until"];
  if (s.until && !untilUsesBodyLet(ctx, s, body, scope)) {
    // `until` sees the carried values after the body, not the body's own `let`s.
    const after = loopScope(ctx, scope, s, carried);
    const cond = tensorOf(ctx, s.until, after.scope);
    if (cond && (cond.type.dtype !== "bool" || cond.type.shape.length !== 0)) {
      ctx.error(s.until.span, "type-mismatch", `\`until\` needs a true/false condition, but this is ${typeToString(cond.type)}.`, { hint: "compare, as in `until norm(r) < 1e-5`." });
      ok = false;
    } else if (cond) until = { carried: after.carried, ...(after.counter ? { counter: after.counter } : {}), cond };
    else ok = false;
  } else if (s.until) ok = false;
  const report: ReportRef = { construct: "loop", maxIter: bounds?.maxIter ?? Infinity, label: s.outputs.map((o) => o.name).join(", "), fields: new Map() };
  const outs = loopOutputs(ctx, s, scope, body, carried, report);
  if (!ok || !bounds || !outs || !grad || next.some((x) => x === undefined)) return undefined;
  const names = [...carried.keys()];
  return {
    k: "loop",
    outs: outs.map((o) => o.sym),
    inits,
    ...(entry.counter ? { counter: entry.counter } : {}),
    carried: entry.carried,
    body: stmts,
    next: next as Sym[],
    ...(until ? { until } : {}),
    maxIter: bounds.maxIter,
    counted: bounds.counted,
    checkpoint: typeof grad.options.checkpoint === "number" ? grad.options.checkpoint : 1,
    given: outs.map((o) => names.indexOf(o.name)),
    report,
    label: report.label,
    span: s.span,
  };
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

/** The iteration bound: the count of `loop k < n`, `max m`, or the smaller of both. */
function checkLoopClauses(ctx: CheckContext, s: A.Loop, scope: Scope): { maxIter: number; counted: boolean } | undefined {
  refuse(ctx, s.method, "method", "loop", "a loop's body is its method.");
  refuse(ctx, s.precond, "precond", "loop");
  refuse(ctx, s.init, "init", "loop", "initial values go in `carry (x = ...)`.");
  refuse(ctx, s.nullspace, "nullspace", "loop", "a null space belongs to a `solve`'s operator.");
  refuse(ctx, s.onBackwardFail, "on backward_fail", "loop", "a loop's gradient goes through its iterations: there is no adjoint to fail.");
  const max = s.max ? checkMax(ctx, s.max, scope) : null;
  const bound = s.bound ? checkMax(ctx, s.bound, scope, s.counter?.name ?? "k") : null;
  if (!s.bound && !s.max) {
    ctx.error(s.span, "unbounded-loop", "This loop has no bound, so it might never end.", { hint: "add `max 100` after the block, or count: `loop k < 100 ...`." });
    return undefined;
  }
  if (max === undefined || bound === undefined) return undefined;
  // A size without a value yet (generic checks) bounds the loop at run time.
  return { maxIter: Math.min(bound ?? Infinity, max ?? Infinity), counted: s.bound !== null };
}

function carriedTypes(ctx: CheckContext, s: A.Loop, scope: Scope): { carried: Map<string, TensorT>; inits: TTensor[]; failed: A.Ident[] } {
  const carried = new Map<string, TensorT>();
  const inits: TTensor[] = [];
  const failed: A.Ident[] = [];
  for (const c of s.carry) {
    if (carried.has(c.name.name) || failed.some((f) => f.name === c.name.name)) {
      ctx.error(c.name.span, "duplicate-name", `\`${c.name.name}\` is carried twice.`);
      continue;
    }
    const u = unknownType(ctx, c.type, c.value, scope);
    if (u === null)
      ctx.error(c.value.span, "cannot-infer", `I can't tell the shape of \`${c.name.name}\` from \`${(c.value as A.Name).name}\` alone.`, {
        hint: `give the sizes, \`${c.name.name} = ${(c.value as A.Name).name}(N)\`, or a type, \`${c.name.name}: f32[N] = ${(c.value as A.Name).name}\`.`,
      });
    if (u && u.init) {
      carried.set(c.name.name, u.type);
      inits.push(u.init);
    } else failed.push(c.name);
  }
  return { carried, inits, failed };
}

/** A scope with the counter and the carried names, for the body and for `until`; their symbols. */
function loopScope(ctx: CheckContext, scope: Scope, s: A.Loop, carried: Map<string, TensorT>): { scope: Scope; carried: Sym[]; counter?: Sym } {
  const inner = scope.child();
  const counter = s.counter ? ctx.sym(s.counter.name, scalar("f32")) : undefined;
  if (s.counter && counter) inner.define(s.counter.name, symBinding(counter, s.counter.span, "loop counter"));
  const syms: Sym[] = [];
  for (const c of s.carry) {
    const t = carried.get(c.name.name);
    if (!t || syms.some((x) => x.name === c.name.name)) continue;
    const sym = ctx.sym(c.name.name, t);
    syms.push(sym);
    inner.define(c.name.name, symBinding(sym, c.name.span, "carried value"));
  }
  return { scope: inner, carried: syms, ...(counter ? { counter } : {}) };
}

function loopOutputs(ctx: CheckContext, s: A.Loop, scope: Scope, body: Scope, carried: Map<string, TensorT>, report: ReportRef): { name: string; sym: Sym }[] | undefined {
  const outs: { name: string; sym: Sym }[] = [];
  let ok = true;
  for (const o of s.outputs) {
    const t = carried.get(o.name);
    if (t) {
      outs.push({ name: o.name, sym: defineValue(ctx, scope, o, t, "loop result", report) });
      continue;
    }
    ok = false;
    poison(scope, [o]);
    if (s.carry.some((c) => c.name.name === o.name)) continue; // its carry failed, and said so
    if (!body.lookup(o.name)) unknownName(ctx, o.name, o.span, body);
    else
      ctx.error(o.span, "not-carried", `A loop gives back its carried names, and \`${o.name}\` is not carried.`, {
        hint: `carry it, \`carry (..., ${o.name} = ...)\`, and update it in the body.`,
      });
  }
  return ok ? outs : undefined;
}
