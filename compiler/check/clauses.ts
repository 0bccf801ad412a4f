// The clauses of the iterative constructs: `method`/`precond` with their options (validated
// against compiler/methods.ts and resolved, defaults filled in, into a MethodChoice), `until`
// stopping rules, `max`, `grad`, and clauses that a construct does not take.
import { originNote, tensorOf } from "./expr.js";
import type * as A from "../../grammar/ast.js";
import { ADJOINT_SOLVERS, type BackwardPolicy, GRAD_MODES, type GradChoice, type GradMode, type MethodChoice, type OptionValue, RAISE, type UntilClause } from "../constructs.js";
import { type Construct, DEFAULT_METHOD, FLOAT32_MIN_RTOL, FLOAT64_MIN_RTOL, findMethod, LONG_ITERATION_BOUND, MAX_ITERATION_BOUND, methodsFor, type MethodSpec, type OptionSpec } from "../methods.js";
import type { DType } from "../../base/dtype.js";
import { bindArgs } from "./args.js";
import type { CheckContext } from "./context.js";
import type { Binding, Scope } from "./scope.js";
import { asNumber, type Static, staticEval } from "./static.js";
import { readStopRule, RESIDUAL_NAMES, type StopNames } from "./stop.js";
import { suggestName } from "../../base/suggest.js";

const FLOAT32_HINT =
  "float32's relative precision is about 6e-8: ask for 1e-6 or 1e-7 at the finest, or compute in float64 (declare the unknown `f64`, or run with `--precision f64` on the native backend).";
const FLOAT64_HINT = "float64's relative precision is about 1e-16: ask for 1e-12 or 1e-13 at the finest.";

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
  // `rtol: 0` switches the relative test off (the absolute one alone decides; checkMethod
  // requires an `atol` then): the float32 refusal is for a relative tolerance that would bind.
  if (opt.name === "rtol" && n === 0) return undefined;
  if (opt.kind === "int" && !Number.isInteger(n)) return { message: `${of} must be a whole number.` };
  if (opt.max !== undefined && n > opt.max && opt.name !== "maxiter")
    return { message: `\`${opt.name}: ${n}\` of \`${method}\` must be at most ${opt.max}.`, hint: opt.doc };
  if (opt.max !== undefined && n > opt.max)
    return { message: `\`${opt.name}: ${bigNumber(n)}\` of \`${method}\` is more iterations than any run can make (at most ${bigNumber(opt.max)}).`, hint: "to stop on convergence, give a tolerance; the bound is a safeguard." };
  if (!Number.isFinite(n)) return { message: `${of} must be a finite number.`, hint: opt.doc };
  if (opt.above !== undefined && !(n > opt.above)) return { message: `\`${opt.name}: ${n}\` of \`${method}\` must be greater than ${opt.above}.`, hint: opt.doc };
  const tolerance = opt.name === "rtol" || opt.name === "atol";
  // A negative tolerance is not a fine one: it can never be met.
  if (tolerance && n < 0) return { message: `\`${opt.name}: ${n}\` of \`${method}\` must be at least 0.`, hint: opt.doc };
  if (opt.min !== undefined && n < opt.min)
    return tolerance
      ? { message: `\`${opt.name}: ${n}\` is finer than float64 arithmetic can reach.`, hint: FLOAT64_HINT }
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

/** An option's value, or undefined after saying what is wrong with it. */
function checkOption(ctx: CheckContext, opt: OptionSpec, e: A.Expr, scope: Scope, method: string): OptionValue | undefined {
  if (opt.kind === "tensor") {
    // A tensor option (a given diagonal) is an argument of the method's ops, checked there.
    return tensorOf(ctx, e, scope) ? null : undefined;
  }
  if (opt.kind === "string" && e.kind === "Call" && e.callee.kind === "Name") return void nestedCall(ctx, opt, e, e.callee.name, method);
  const v = staticEval(e, scope);
  if (v.kind === "error" || v.kind === "symbolic") {
    const wants = opt.kind === "string" ? "a name" : opt.kind === "bool" ? "`true` or `false`" : opt.kind === "int" ? "a whole number" : "a number";
    ctx.error(e.span, "not-static", `\`${opt.name}\` of \`${method}\` must be ${wants} known when compiling.`, {
      label: e.kind === "Name" ? `\`${e.name}\` is computed at run time` : "this is computed at run time",
      notes: originNote(ctx, e, scope),
    });
    return undefined;
  }
  const p = optionProblem(opt, v, method);
  if (p) {
    const code = p.message.includes("finer than float") ? "tolerance-too-fine" : p.message.includes("than any run can make") ? "absurd-bound" : "bad-option";
    ctx.error(e.span, code, p.message, p.hint ? { hint: p.hint } : {});
    return undefined;
  }
  const n = asNumber(v);
  if (opt.name === "maxiter" && n !== undefined && n >= LONG_ITERATION_BOUND) longRun(ctx, e.span, n, `\`maxiter: ${bigNumber(n)}\``);
  if (opt.name === "rtol" && n !== undefined && n > 0 && n < FLOAT32_MIN_RTOL) ctx.fineTolerances.push({ span: e.span, text: `\`rtol: ${n}\`` });
  // A size without a value yet (generic checks) stands for a whole number known at run time.
  return v.kind === "string" || v.kind === "bool" ? v.value : (asNumber(v) ?? null);
}

function unknownMethod(ctx: CheckContext, spec: A.MethodSpec, construct: Construct): void {
  const name = spec.name.name;
  const known = methodsFor(construct).map((x) => x.name);
  const what = construct === "precond" ? "preconditioner" : `${construct} method`;
  const list = known.length ? `the ${construct === "precond" ? "preconditioners" : "methods"} are ${known.map((k) => `\`${k}\``).join(", ")}.` : `none is available yet for \`${construct}\`; they come with the standard library.`;
  ctx.error(spec.name.span, "unknown-method", `There is no ${what} called \`${name}\`.`, { hint: suggestName(name, known) ?? list });
}

/** The method a clause names, with every static option resolved (defaults from the registry). */
export function checkMethod(ctx: CheckContext, spec: A.MethodSpec | null, construct: Construct, scope: Scope): MethodChoice | undefined {
  if (spec === null) return defaultMethod(construct);
  const name = spec.name.name;
  const m = findMethod(construct, name);
  if (!m) return void unknownMethod(ctx, spec, construct);
  const bound = bindArgs(m.options.map((o) => ({ name: o.name, optional: true })), spec.args ?? [], spec.span, `\`${name}\``);
  for (const err of bound.errors) ctx.error(err.span, "unknown-option", err.message, err.hint ? { hint: err.hint } : {});
  let ok = bound.errors.length === 0;
  const options: Record<string, OptionValue> = {};
  for (const opt of m.options) {
    const e = bound.byName.get(opt.name)?.[0];
    const v = e ? checkOption(ctx, opt, e, scope, name) : opt.default;
    if (!e && opt.required) {
      ctx.error(spec.span, "missing-option", `\`${name}\` needs the option \`${opt.name}\`: ${opt.doc}.`, { hint: `write \`${name}(${opt.name}: ...)\`.` });
      ok = false;
    }
    if (v === undefined) ok = false;
    else if (opt.kind !== "tensor") options[opt.name] = v;
  }
  if (ok && options.rtol === 0 && !(typeof options.atol === "number" && options.atol > 0)) {
    ctx.error(bound.byName.get("rtol")?.[0]?.span ?? spec.span, "bad-option", `With \`rtol: 0\` only an absolute tolerance can stop \`${name}\`, and it has none.`, {
      hint: `give one: \`${name}(rtol: 0, atol: 1e-6)\`, or a relative tolerance float32 can certify (1e-7 at the finest).`,
    });
    ok = false;
  }
  return ok ? { name: m.name, construct: m.construct, options } : undefined;
}

/**
 * A `precond` clause: a preconditioner of the standard library (`precond jacobi(omega: 0.8)`), or
 * the user's own operator — an `op` or operator parameter named alone (`precond P`) or a lambda
 * (`precond v => D_inv * v`), applied to the residual as it is. `user` is then its binding.
 */
export function checkPrecond(ctx: CheckContext, spec: A.MethodSpec, scope: Scope): { choice: MethodChoice; user?: Binding } | undefined {
  const name = spec.name.name;
  if (spec.lambda) return { choice: { name: "lambda", construct: "precond", options: {} }, user: { kind: "lambda", node: spec.lambda, scope } };
  const b = scope.lookup(name);
  const own = (b?.kind === "op" && !b.scope.std) || b?.kind === "lambda";
  if (own && b) {
    if (spec.args !== null) {
      ctx.error(spec.span, "bad-option", `\`${name}\` is your own operator: a preconditioner given by name is applied to the residual as it is, so it takes no options.`, {
        hint: `write a lambda that passes them: \`precond r => ${name}(r${spec.args.length ? ", ..." : ""})\`.`,
      });
      return undefined;
    }
    return { choice: { name, construct: "precond", options: {} }, user: b };
  }
  const choice = checkMethod(ctx, spec, "precond", scope);
  return choice && { choice };
}

/** The method of a construct that names none (cg for a solve, picard for a fixpoint), with its defaults. */
function defaultMethod(construct: Construct): MethodChoice | undefined {
  const m: MethodSpec | undefined = DEFAULT_METHOD[construct] ? findMethod(construct, DEFAULT_METHOD[construct]!) : undefined;
  if (!m) return undefined;
  const options = Object.fromEntries(m.options.filter((o) => o.kind !== "tensor").map((o) => [o.name, o.default]));
  return { name: m.name, construct, options };
}

/** `1e9`, not `1000000000` or `1e+40`. */
const bigNumber = (n: number): string => (n >= 1e6 ? n.toExponential().replace("e+", "e") : String(n));

/** A bound of a million iterations or more: the run may take hours if it gets there. */
function longRun(ctx: CheckContext, span: A.Span, n: number, what: string): void {
  // The library's own safeguards (a sweep's `max 1000000`) are not the user's to change.
  if (ctx.inLibrary()) return;
  ctx.warn(span, "long-run", `${what} allows ${bigNumber(n)} iterations: at tens of microseconds each at the least, a run that goes that far takes minutes to hours.`, {
    hint: "bound the iterations by what you expect to need; a bound is a safeguard that stops a run that goes wrong.",
  });
}

/**
 * `max 60` or the count of `loop k < 25`: a positive whole number known when compiling. Its
 * value, `null` for a size without a value yet (generic checks), undefined after an error.
 */
export function checkMax(ctx: CheckContext, e: A.Expr, scope: Scope, counter?: string): number | null | undefined {
  const v = staticEval(e, scope);
  const n = v.kind === "error" ? undefined : asNumber(v);
  if (n !== undefined && Number.isInteger(n) && n >= 1 && n <= MAX_ITERATION_BOUND) {
    if (n >= LONG_ITERATION_BOUND) longRun(ctx, e.span, n, counter ? `\`loop ${counter} < ${bigNumber(n)}\`` : `\`max ${bigNumber(n)}\``);
    return n;
  }
  if (n !== undefined && n > MAX_ITERATION_BOUND) {
    ctx.error(e.span, "absurd-bound", `${bigNumber(n)} iterations are more than any run can make (at most ${bigNumber(MAX_ITERATION_BOUND)}).`, {
      hint: counter ? "count to what you mean to run; to stop on a condition, add `until`." : "to stop on convergence, give a tolerance with `until`; `max` is a safeguard.",
    });
    return undefined;
  }
  if (v.kind === "dim" && n === undefined) return null; // a size such as `N`
  const label = v.kind === "error" ? "this is computed at run time" : n !== undefined ? `this is ${n}` : undefined;
  const [message, hint] = counter
    ? [`The count of \`loop ${counter} < ...\` must be a positive whole number known when compiling.`, `write a number such as \`loop ${counter} < 100\`, or a size such as \`loop ${counter} < N\`; to stop on a condition, add \`until\`.`]
    : ["`max` takes a positive whole number of iterations known when compiling.", "write a number such as `max 100`, or a size such as `max N`."];
  ctx.error(e.span, "bad-clause", message, { ...(label ? { label } : {}), hint });
  return undefined;
}

export function refuse(ctx: CheckContext, clause: { span: A.Span } | null, word: string, construct: string, hint?: string): void {
  if (clause) ctx.error(clause.span, "bad-clause", `\`${word}\` has no meaning for \`${construct}\`.`, hint ? { hint } : {});
}

/** The tolerances of an `until` clause, or undefined after an error. */
export function checkStopCondition(ctx: CheckContext, e: A.Expr, scope: Scope, names: StopNames = RESIDUAL_NAMES): UntilClause | undefined {
  const rule = readStopRule(e, scope, names);
  if ("error" in rule) {
    ctx.error(rule.span, "bad-clause", rule.error, rule.hint ? { hint: rule.hint } : {});
    return undefined;
  }
  if (rule.rtol !== undefined && rule.rtol > 0 && rule.rtol < FLOAT64_MIN_RTOL) {
    ctx.error(e.span, "tolerance-too-fine", `\`${names.rel} < ${rule.rtol}\` is finer than float64 arithmetic can reach.`, { hint: FLOAT64_HINT });
    return undefined;
  }
  if (rule.rtol !== undefined && rule.rtol > 0 && rule.rtol < FLOAT32_MIN_RTOL) ctx.fineTolerances.push({ span: e.span, text: `\`${names.rel} < ${rule.rtol}\`` });
  return rule;
}

/**
 * The tolerances finer than float32 reaches that were met since `from` (ctx.fineTolerances):
 * refused when the construct computes in float32 (its unknown is not f64 and the run does not
 * compute f32 in float64), fine otherwise.
 */
export function settleTolerances(ctx: CheckContext, from: number, unknown: DType | undefined): void {
  const fine = ctx.fineTolerances.splice(from);
  if (unknown === "f64" || ctx.precision === "f64") return;
  for (const f of fine) ctx.error(f.span, "tolerance-too-fine", `${f.text} is finer than float32 arithmetic can reach.`, { hint: FLOAT32_HINT });
}

/** `on backward_fail raise` (the default) or `on backward_fail phantom(k: n)`. */
export function checkBackwardPolicy(ctx: CheckContext, spec: A.MethodSpec | null, scope: Scope): BackwardPolicy | undefined {
  if (!spec) return RAISE;
  const name = spec.name.name;
  if (name === "raise") {
    if (spec.args?.length) ctx.error(spec.span, "bad-option", "`raise` takes no options.");
    return spec.args?.length ? undefined : RAISE;
  }
  if (name !== "phantom") {
    ctx.error(spec.name.span, "unknown-method", `\`${name}\` is not a policy for a failed backward pass.`, {
      hint: suggestName(name, ["raise", "phantom"]) ?? "the policies are `raise` (stop the run, the default) and `phantom(k: n)` (n steps of the adjoint iteration instead).",
    });
    return undefined;
  }
  const bound = bindArgs([{ name: "k", optional: false }], spec.args ?? [], spec.span, "`phantom`");
  for (const err of bound.errors) ctx.error(err.span, "unknown-option", err.message, err.hint ? { hint: err.hint } : {});
  const e = bound.byName.get("k")?.[0];
  if (!e) return undefined;
  const v = staticEval(e, scope);
  const k = v.kind === "error" ? undefined : asNumber(v);
  if (k === undefined || !Number.isInteger(k) || k < 1 || k > MAX_ITERATION_BOUND) {
    ctx.error(e.span, "bad-option", "`k` of `phantom` must be a whole number of steps from 1 known when compiling.");
    return undefined;
  }
  return { mode: "phantom", k };
}

/** The options of each grad mode: `unrolled(checkpoint: 10)`, `phantom(k: 5)`. */
const GRAD_OPTIONS: Record<GradMode, { name: string; required: boolean; doc: string; choices?: readonly string[] }[]> = {
  implicit: [{ name: "solver", required: false, doc: "how the adjoint fixed point w = Jᵀw + z̄ is found: `picard` (default), `anderson` or `gmres` (on (I − Jᵀ) w = z̄)", choices: ADJOINT_SOLVERS }],
  unrolled: [{ name: "checkpoint", required: false, doc: "how many iterations apart the stored states are (default 1: every state)" }],
  phantom: [{ name: "k", required: true, doc: "how many steps of the adjoint iteration stand in for its solution" }],
};

/**
 * How a fixpoint or a loop is differentiated: a fixpoint `grad implicit` unless the clause says
 * `unrolled` or `phantom`; a loop only through its iterations (`grad unrolled`, the default).
 */
export function checkGrad(ctx: CheckContext, g: A.GradSpec | null, construct: "fixpoint" | "loop", scope: Scope): GradChoice | undefined {
  const modes: readonly GradMode[] = construct === "loop" ? ["unrolled"] : GRAD_MODES;
  if (!g) return { mode: construct === "loop" ? "unrolled" : "implicit", options: {} };
  if (!(modes as readonly string[]).includes(g.mode.name)) {
    ctx.error(g.mode.span, "unknown-method", `\`grad ${g.mode.name}\` is not a way to differentiate a ${construct}.`, {
      hint: suggestName(g.mode.name, modes) ?? `${construct === "loop" ? "a loop is differentiated through its iterations: `grad unrolled(checkpoint: k)`" : `the modes are ${modes.map((m) => `\`${m}\``).join(", ")}`}.`,
    });
    return undefined;
  }
  const mode = g.mode.name as GradMode;
  const params = GRAD_OPTIONS[mode];
  const bound = bindArgs(params.map((p) => ({ name: p.name, optional: !p.required })), g.args ?? [], g.span, `\`grad ${mode}\``);
  for (const err of bound.errors) ctx.error(err.span, "unknown-option", err.message, err.hint ? { hint: err.hint } : {});
  if (bound.errors.length) return undefined;
  const options: Record<string, OptionValue> = {};
  for (const p of params) {
    const e = bound.byName.get(p.name)?.[0];
    if (!e) continue;
    const v = staticEval(e, scope);
    if (p.choices) {
      const word = e.kind === "Name" ? e.name : v.kind === "string" ? v.value : undefined;
      if (word === undefined || !p.choices.includes(word)) {
        ctx.error(e.span, "bad-option", `\`${p.name}\` of \`grad ${mode}\` is one of ${p.choices.map((c) => `\`${c}\``).join(", ")}: ${p.doc}.`, word ? { hint: suggestName(word, p.choices) ?? "" } : {});
        return undefined;
      }
      options[p.name] = word;
      continue;
    }
    const n = v.kind === "error" ? undefined : asNumber(v);
    if (n === undefined || !Number.isInteger(n) || n < 1 || n > MAX_ITERATION_BOUND) {
      ctx.error(e.span, "bad-option", `\`${p.name}\` of \`grad ${mode}\` must be a whole number from 1 to ${bigNumber(MAX_ITERATION_BOUND)} known when compiling: ${p.doc}.`);
      return undefined;
    }
    options[p.name] = n;
  }
  return { mode, options };
}
