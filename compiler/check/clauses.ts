// The clauses of the iterative constructs: `method`/`precond` with their options (validated
// against compiler/methods.ts), `until` stopping rules, `max`, `grad`, and clauses that a
// construct does not take.
import { originNote, tensorOf } from "./expr.js";
import type * as A from "../../grammar/ast.js";
import { type Construct, FLOAT32_MIN_RTOL, findMethod, GRAD_MODES, methodsFor, type OptionSpec } from "../methods.js";
import { bindArgs } from "./args.js";
import type { CheckContext } from "./context.js";
import type { Scope } from "./scope.js";
import { asNumber, type Static, staticEval } from "./static.js";
import { readStopRule } from "./stop.js";
import { suggestName } from "../../base/suggest.js";

const FLOAT32_HINT = "tfjs computes in float32, whose relative precision is about 6e-8: ask for 1e-6 or 1e-7 at the finest.";

/** What is wrong with a known option value, or undefined when it is fine. */
function optionProblem(opt: OptionSpec, v: Static, method: string): { message: string; hint?: string } | undefined {
  const of = `\`${opt.name}\` of \`${method}\``;
  if (opt.kind === "string") {
    if (v.kind !== "string") return { message: `${of} must be one of its choices${opt.choices ? `: ${opt.choices.map((c) => `\`${c}\``).join(", ")}` : ""}.` };
    if (opt.choices && !opt.choices.includes(v.value))
      return { message: `\`${v.value}\` is not a choice for ${of}.`, hint: suggestName(v.value, opt.choices) ?? `the choices are ${opt.choices.map((c) => `\`${c}\``).join(", ")}.` };
    return undefined;
  }
  if (opt.kind === "bool") return v.kind === "bool" ? undefined : { message: `${of} must be \`true\` or \`false\`.` };
  if (v.kind === "dim" && asNumber(v) === undefined) return undefined; // a size: whole, known once sizes are
  const n = asNumber(v);
  if (n === undefined) return { message: `${of} must be a number.` };
  if (opt.kind === "int" && !Number.isInteger(n)) return { message: `${of} must be a whole number.` };
  if (opt.min !== undefined && n < opt.min)
    return opt.name === "rtol" || opt.name === "atol"
      ? { message: `\`${opt.name}: ${n}\` is finer than float32 arithmetic can reach.`, hint: opt.minHint ?? FLOAT32_HINT }
      : { message: `\`${opt.name}: ${n}\` of \`${method}\` must be at least ${opt.min}.`, hint: opt.minHint ?? opt.doc };
  return undefined;
}

/** `smoother: jacobi(omega: 0.8)`: a choice is a name; its settings are the method's own options. */
function nestedCall(ctx: CheckContext, opt: OptionSpec, e: A.Call, name: string, method: string): void {
  const settings = e.args.flatMap((a) => (a.name && a.value.kind === "Number" ? [`${a.name.name}: ${a.value.text}`] : []));
  ctx.error(e.span, "bad-option", `\`${opt.name}\` of \`${method}\` takes a name, not a call.`, {
    hint: `write \`${opt.name}: ${name}\`${settings.length ? `; its settings are options of \`${method}\` itself: \`${method}(${opt.name}: ${name}, ${settings.join(", ")})\`` : ""}.`,
  });
}

function checkOption(ctx: CheckContext, opt: OptionSpec, e: A.Expr, scope: Scope, method: string): void {
  if (opt.kind === "tensor") {
    // A tensor option (a given diagonal) is an argument of the method's ops, checked there.
    tensorOf(ctx, e, scope);
    return;
  }
  if (opt.kind === "string" && e.kind === "Call" && e.callee.kind === "Name") return nestedCall(ctx, opt, e, e.callee.name, method);
  const v = staticEval(e, scope);
  if (v.kind === "error" || v.kind === "symbolic") {
    const wants = opt.kind === "string" ? "a name" : opt.kind === "bool" ? "`true` or `false`" : opt.kind === "int" ? "a whole number" : "a number";
    ctx.error(e.span, "not-static", `\`${opt.name}\` of \`${method}\` must be ${wants} known when compiling.`, {
      label: e.kind === "Name" ? `\`${e.name}\` is computed at run time` : "this is computed at run time",
      notes: originNote(ctx, e, scope),
    });
    return;
  }
  const p = optionProblem(opt, v, method);
  if (p) ctx.error(e.span, p.message.includes("finer than float32") ? "tolerance-too-fine" : "bad-option", p.message, p.hint ? { hint: p.hint } : {});
}

function unknownMethod(ctx: CheckContext, spec: A.MethodSpec, construct: Construct | "minimize"): void {
  const name = spec.name.name;
  const known = construct === "minimize" ? [] : methodsFor(construct).map((x) => x.name);
  const what = construct === "precond" ? "preconditioner" : `${construct} method`;
  const list = known.length ? `the ${construct === "precond" ? "preconditioners" : "methods"} are ${known.map((k) => `\`${k}\``).join(", ")}.` : `none is available yet for \`${construct}\`; they come with the standard library.`;
  ctx.error(spec.name.span, "unknown-method", `There is no ${what} called \`${name}\`.`, { hint: suggestName(name, known) ?? list });
}

export function checkMethod(ctx: CheckContext, spec: A.MethodSpec | null, construct: Construct | "minimize", scope: Scope): void {
  if (spec === null) return;
  const name = spec.name.name;
  const m = construct === "minimize" ? undefined : findMethod(construct, name);
  if (!m) return unknownMethod(ctx, spec, construct);
  const bound = bindArgs(m.options.map((o) => ({ name: o.name, optional: true })), spec.args ?? [], spec.span, `\`${name}\``);
  for (const err of bound.errors) ctx.error(err.span, "unknown-option", err.message, err.hint ? { hint: err.hint } : {});
  for (const opt of m.options) {
    const e = bound.byName.get(opt.name)?.[0];
    if (e) checkOption(ctx, opt, e, scope, name);
    else if (opt.required)
      ctx.error(spec.span, "missing-option", `\`${name}\` needs the option \`${opt.name}\`: ${opt.doc}.`, { hint: `write \`${name}(${opt.name}: ...)\`.` });
  }
}

/** `max 60` or the count of `loop k < 25`: a positive whole number known when compiling. */
export function checkMax(ctx: CheckContext, e: A.Expr | null, scope: Scope, counter?: string): void {
  if (e === null) return;
  const v = staticEval(e, scope);
  const n = v.kind === "error" ? undefined : asNumber(v);
  if ((n !== undefined && Number.isInteger(n) && n >= 1) || (v.kind === "dim" && n === undefined)) return; // or a size such as `N`
  const label = v.kind === "error" ? "this is computed at run time" : n !== undefined ? `this is ${n}` : undefined;
  const [message, hint] = counter
    ? [`The count of \`loop ${counter} < ...\` must be a positive whole number known when compiling.`, `write a number such as \`loop ${counter} < 100\`, or a size such as \`loop ${counter} < N\`; to stop on a condition, add \`until\`.`]
    : ["`max` takes a positive whole number of iterations known when compiling.", "write a number such as `max 100`, or a size such as `max N`."];
  ctx.error(e.span, "bad-clause", message, { ...(label ? { label } : {}), hint });
}

export function refuse(ctx: CheckContext, clause: { span: A.Span } | null, word: string, construct: string, hint?: string): void {
  if (clause) ctx.error(clause.span, "bad-clause", `\`${word}\` has no meaning for \`${construct}\`.`, hint ? { hint } : {});
}

export function checkStopCondition(ctx: CheckContext, e: A.Expr | null, scope: Scope): void {
  if (e === null) return;
  const rule = readStopRule(e, scope);
  if ("error" in rule) {
    ctx.error(rule.span, "bad-clause", rule.error, rule.hint ? { hint: rule.hint } : {});
    return;
  }
  if (rule.rtol !== undefined && rule.rtol < FLOAT32_MIN_RTOL)
    ctx.error(e.span, "tolerance-too-fine", `\`rel_residual < ${rule.rtol}\` is finer than float32 arithmetic can reach.`, { hint: FLOAT32_HINT });
}

export function checkGrad(ctx: CheckContext, g: A.GradSpec | null): void {
  if (g && !(GRAD_MODES as readonly string[]).includes(g.mode.name))
    ctx.error(g.mode.span, "unknown-method", `\`grad ${g.mode.name}\` is not a way to differentiate a fixpoint.`, {
      hint: suggestName(g.mode.name, GRAD_MODES) ?? `the modes are ${GRAD_MODES.map((m) => `\`${m}\``).join(", ")}.`,
    });
}
