// Statements: `let`, assignments in loop bodies, `return`, and the iterative constructs with
// their clauses. Each iterative construct defines its result name(s) in the enclosing scope.
import type * as A from "../../grammar/ast.js";
import { type Construct, DEFAULT_METHOD, FLOAT32_MIN_RTOL, findMethod, GRAD_MODES, methodsFor, type OptionSpec } from "../methods.js";
import { readStopRule } from "./stop.js";
import { didYouMean } from "../suggest.js";
import { scalar, type TensorT, type Type, typeToString, typesEqual } from "../types.js";
import { bindArgs } from "./args.js";
import { typeFrom } from "./annotations.js";
import type { CheckContext } from "./context.js";
import { describeType, sameTensorType, tensorOf, typeOf, unknownName } from "./expr.js";
import type { Scope } from "./scope.js";
import { asNumber, staticEval } from "./static.js";

/** What surrounds a statement: an op/model block may `return`; a loop body may assign. */
export interface BlockKind {
  kind: "top" | "body" | "loop";
  carried?: Map<string, TensorT>;
}

export function checkBody(ctx: CheckContext, body: A.Body, scope: Scope): Type | undefined {
  if (body.kind === "ExprBody") return typeOf(ctx, body.expr, scope);
  let result: Type | undefined;
  body.stmts.forEach((s, i) => {
    const t = checkStmt(ctx, s, scope, { kind: "body" });
    if (s.kind === "Return") {
      result = t;
      if (i !== body.stmts.length - 1) ctx.error(body.stmts[i + 1].span, "unreachable", "Nothing after `return` is ever computed.", { hint: "move `return` to the end of the block." });
    }
  });
  const last = body.stmts[body.stmts.length - 1];
  if (!last || last.kind !== "Return") {
    ctx.error(body.span, "missing-return", "This block does not end with `return`, so it gives no value.", { hint: "end it with `return expression`." });
    return undefined;
  }
  return result;
}

/** Defines a name, refusing to redefine one in the same scope (iterations carry names instead). */
export function defineValue(ctx: CheckContext, scope: Scope, id: A.Ident, type: Type, what: string): void {
  const prev = scope.own(id.name);
  if (prev && prev.kind !== "builtin") {
    ctx.error(id.span, "duplicate-name", `\`${id.name}\` is already defined in this scope.`, {
      notes: [ctx.origin(id.name, prev) ?? ""].filter(Boolean),
      hint: "choose another name; values in iterlang are never reassigned (a `loop` carries its names).",
    });
    return;
  }
  scope.define(id.name, { kind: "value", name: id.name, type, span: id.span, what });
}

/** Marks names whose definition failed, so their later uses report nothing more. */
export function poison(scope: Scope, ids: readonly A.Ident[]): void {
  for (const id of ids) if (!scope.own(id.name)) scope.define(id.name, { kind: "poisoned", name: id.name, span: id.span });
}

export function checkStmt(ctx: CheckContext, s: A.Stmt, scope: Scope, where: BlockKind): Type | undefined {
  switch (s.kind) {
    case "Let":
      return checkLet(ctx, s, scope);
    case "Assign":
      return checkAssign(ctx, s, scope, where);
    case "Return":
      if (where.kind !== "body") ctx.error(s.span, "misplaced-return", "`return` only ends the block of an `op` or `model`.");
      return typeOf(ctx, s.value, scope);
    case "Fixpoint":
      return checkFixpoint(ctx, s, scope);
    case "Solve":
      return checkSolve(ctx, s, scope);
    case "Minimize":
      return checkMinimize(ctx, s, scope);
    case "Loop":
      return checkLoop(ctx, s, scope);
  }
}

function checkLet(ctx: CheckContext, s: A.Let, scope: Scope): Type | undefined {
  const declared = s.type ? typeFrom(ctx, s.type, scope) : undefined;
  const t = typeOf(ctx, s.value, scope, declared?.tag === "tensor" ? declared : undefined);
  if (!t) {
    poison(scope, s.names);
    return undefined;
  }
  if (declared && !typesEqual(declared, t))
    ctx.error(s.value.span, "shape-mismatch", `\`${s.names.map((n) => n.name).join(", ")}\` is declared as ${typeToString(declared)}, but the value is ${typeToString(t)}.`);
  if (s.names.length === 1) defineValue(ctx, scope, s.names[0], declared ?? t, "value");
  else if (t.tag !== "tuple" || t.items.length !== s.names.length)
    ctx.error(s.value.span, "type-mismatch", `This gives ${describeType(t)}, which does not unpack into ${s.names.length} names.`);
  else s.names.forEach((n, i) => defineValue(ctx, scope, n, t.items[i], "value"));
  return t;
}

function checkAssign(ctx: CheckContext, s: A.Assign, scope: Scope, where: BlockKind): Type | undefined {
  const t = typeOf(ctx, s.value, scope);
  if (where.kind !== "loop" || !where.carried) {
    ctx.error(s.span, "misplaced-assign", "Only the carried names of a `loop` can be given new values.", {
      hint: `to define a new name, write \`let ${s.names[0]?.name ?? "x"} = ...\`.`,
    });
    return t;
  }
  const types = t?.tag === "tuple" ? t.items : [t];
  if (t && types.length !== s.names.length) ctx.error(s.value.span, "type-mismatch", `This gives ${types.length} value(s) for ${s.names.length} name(s).`);
  s.names.forEach((n, i) => {
    const want = where.carried!.get(n.name);
    if (!want && scope.lookup(n.name)?.kind === "poisoned") return;
    if (!want) {
      ctx.error(n.span, "not-carried", `\`${n.name}\` is not carried by this loop, so it cannot be updated.`, {
        hint: `carry it: \`carry (${n.name} = ...)\`, or define a new name with \`let\`.`,
      });
      return;
    }
    const got = types[i];
    if (got && (got.tag !== "tensor" || !sameTensorType(got, want)))
      ctx.error(s.value.span, "shape-mismatch", `\`${n.name}\` is carried as ${typeToString(want)}, but the new value is ${typeToString(got)}.`, {
        hint: "a carried value keeps its type and shape in every iteration.",
      });
  });
  return t;
}

// ---- clauses --------------------------------------------------------------------------

function checkOption(ctx: CheckContext, opt: OptionSpec, e: A.Expr, scope: Scope, method: string): void {
  const v = staticEval(e, scope);
  if (v.kind === "error") {
    ctx.error(e.span, "not-static", `The option \`${opt.name}\` of \`${method}\` must be known when compiling.`, { notes: [v.message] });
    return;
  }
  const n = asNumber(v);
  if ((opt.kind === "float" || opt.kind === "int") && n === undefined) ctx.error(e.span, "bad-option", `\`${opt.name}\` of \`${method}\` must be a number.`);
  else if (opt.kind === "int" && !Number.isInteger(n)) ctx.error(e.span, "bad-option", `\`${opt.name}\` of \`${method}\` must be a whole number.`);
  else if (opt.min !== undefined && n !== undefined && n < opt.min)
    ctx.error(e.span, "tolerance-too-fine", `\`${opt.name}: ${n}\` is finer than float32 arithmetic can reach.`, { hint: opt.minHint });
}

export function checkMethod(ctx: CheckContext, spec: A.MethodSpec | null, construct: Construct, scope: Scope): void {
  if (spec === null) return;
  const name = spec.name.name;
  const m = findMethod(construct, name);
  const known = methodsFor(construct).map((x) => x.name);
  if (!m) {
    ctx.error(spec.name.span, "unknown-method", `There is no ${construct === "precond" ? "preconditioner" : `${construct} method`} called \`${name}\`.`, {
      hint: didYouMean(name, known) ?? (known.length ? `the available ones are ${known.map((k) => `\`${k}\``).join(", ")}.` : `none is available yet for \`${construct}\`; it comes with the standard library.`),
    });
    return;
  }
  const bound = bindArgs(m.options.map((o) => ({ name: o.name, optional: true })), spec.args ?? [], spec.span, `\`${name}\``);
  for (const err of bound.errors) ctx.error(err.span, "unknown-option", err.message, err.hint ? { hint: err.hint } : {});
  for (const opt of m.options) {
    const e = bound.byName.get(opt.name)?.[0];
    if (e) checkOption(ctx, opt, e, scope, name);
  }
}

/** `max 60`: a positive whole number known when compiling. */
function checkMax(ctx: CheckContext, e: A.Expr | null, scope: Scope): void {
  if (e === null) return;
  const v = staticEval(e, scope);
  const n = v.kind === "error" ? undefined : asNumber(v);
  if (n === undefined || !Number.isInteger(n) || n < 1) ctx.error(e.span, "bad-clause", "`max` takes a positive whole number of iterations known when compiling.");
}

function refuse(ctx: CheckContext, clause: { span: A.Span } | null, word: string, construct: string): void {
  if (clause) ctx.error(clause.span, "bad-clause", `\`${word}\` has no meaning for \`${construct}\`.`);
}

function checkStopCondition(ctx: CheckContext, e: A.Expr | null, scope: Scope): void {
  if (e === null) return;
  const rule = readStopRule(e, scope);
  if ("error" in rule) {
    ctx.error(rule.span, "bad-clause", rule.error);
    return;
  }
  if (rule.rtol !== undefined && rule.rtol < FLOAT32_MIN_RTOL)
    ctx.error(e.span, "tolerance-too-fine", `\`rel_residual < ${rule.rtol}\` is finer than float32 arithmetic can reach.`, {
      hint: "tfjs computes in float32, whose relative precision is about 6e-8: ask for 1e-6 or 1e-7 at the finest.",
    });
}

function checkGrad(ctx: CheckContext, g: A.GradSpec | null): void {
  if (g && !(GRAD_MODES as readonly string[]).includes(g.mode.name))
    ctx.error(g.mode.span, "unknown-method", `\`grad ${g.mode.name}\` is not a way to differentiate a fixpoint.`, {
      hint: didYouMean(g.mode.name, GRAD_MODES) ?? `the modes are ${GRAD_MODES.map((m) => `\`${m}\``).join(", ")}.`,
    });
}

// ---- iterative constructs -------------------------------------------------------------

/** The type of an unknown: declared, else the initial value's, else a fallback. */
function unknownType(ctx: CheckContext, declared: A.TypeExpr | null, init: A.Expr | null, scope: Scope, fallback?: TensorT): TensorT | undefined {
  const ann = declared ? typeFrom(ctx, declared, scope) : undefined;
  if (declared && (!ann || ann.tag !== "tensor")) return undefined;
  const annT = ann as TensorT | undefined;
  const expected = annT ?? fallback;
  // A bare creator (`init zeros`) takes its shape from the unknown; alone it tells nothing.
  const shapeless = init?.kind === "Name" && scope.lookup(init.name)?.kind === "builtin" && !expected;
  const initT = init && !shapeless ? tensorOf(ctx, init, scope, expected) : undefined;
  if (annT && initT && !sameTensorType(annT, initT))
    ctx.error(init!.span, "shape-mismatch", `The initial value is ${typeToString(initT)}, but the unknown is declared as ${typeToString(annT)}.`);
  return annT ?? initT ?? fallback;
}

function checkFixpoint(ctx: CheckContext, s: A.Fixpoint, scope: Scope): Type | undefined {
  checkMethod(ctx, s.method, "fixpoint", scope);
  refuse(ctx, s.precond, "precond", "fixpoint");
  checkMax(ctx, s.max, scope);
  checkStopCondition(ctx, s.until, scope);
  checkGrad(ctx, s.grad);
  const t = unknownType(ctx, s.type, s.init, scope);
  if (!t) {
    if (!s.type && (!s.init || s.init.kind === "Name"))
      ctx.error(s.target.span, "cannot-infer", `I can't tell the shape of \`${s.target.name}\`.`, {
        hint: `give it a type, \`fixpoint ${s.target.name}: f32[...] = ...\`, or an \`init\` value with a shape.`,
      });
    poison(scope, [s.target]);
    return undefined;
  }
  const inner = scope.child();
  inner.define(s.target.name, { kind: "value", name: s.target.name, type: t, span: s.target.span, what: "fixpoint iterate" });
  const body = tensorOf(ctx, s.body, inner);
  if (body && !sameTensorType(body, t))
    ctx.error(s.body.span, "shape-mismatch", `A fixed point maps \`${s.target.name}\` to a value of its own type, but \`${s.target.name}\` is ${typeToString(t)} and this is ${typeToString(body)}.`);
  defineValue(ctx, scope, s.target, t, "fixpoint result");
  return t;
}

function checkSolve(ctx: CheckContext, s: A.Solve, scope: Scope): Type | undefined {
  checkMethod(ctx, s.method ?? null, "solve", scope);
  checkMethod(ctx, s.precond, "precond", scope);
  checkMax(ctx, s.max, scope);
  checkStopCondition(ctx, s.until, scope);
  refuse(ctx, s.grad, "grad", "solve (it is differentiated implicitly)");
  const rhs = tensorOf(ctx, s.rhs, scope);
  const t = rhs && unknownType(ctx, s.unknownType, s.init, scope, rhs);
  if (!rhs || !t) {
    poison(scope, [s.unknown]);
    return undefined;
  }
  const inner = scope.child();
  inner.define(s.unknown.name, { kind: "value", name: s.unknown.name, type: t, span: s.unknown.span, what: "unknown" });
  const lhs = tensorOf(ctx, s.lhs, inner);
  if (lhs && !sameTensorType(lhs, rhs))
    ctx.error(s.rhs.span, "shape-mismatch", "The operator and the right-hand side disagree.", {
      label: `I expected ${typeToString(lhs)} here`,
      notes: [
        `the left side maps \`${s.unknown.name}\`: ${typeToString(t)} to ${typeToString(lhs)}, and the right side is ${typeToString(rhs)}.`,
        ...originNote(ctx, s.rhs, scope),
      ],
    });
  if (!refersTo(s.lhs, s.unknown.name))
    ctx.error(s.lhs.span, "unknown-not-used", `The left side does not use the unknown \`${s.unknown.name}\`, so there is nothing to solve for.`, {
      hint: `write the operator applied to the unknown, as in \`solve A(${s.unknown.name}) = f ... -> ${s.unknown.name}\`.`,
    });
  defineValue(ctx, scope, s.unknown, t, "solution");
  return t;
}

/** "`f` is the input declared on line 4", when the expression is a plain name. */
function originNote(ctx: CheckContext, e: A.Expr, scope: Scope): string[] {
  const b = e.kind === "Name" ? scope.lookup(e.name) : undefined;
  const note = b && e.kind === "Name" ? ctx.origin(e.name, b) : undefined;
  return note ? [note] : [];
}

function refersTo(e: A.Expr, name: string): boolean {
  return JSON.stringify(e, (k, v) => (k === "span" ? undefined : v)).includes(`"kind":"Name","name":${JSON.stringify(name)}`);
}

function checkMinimize(ctx: CheckContext, s: A.Minimize, scope: Scope): Type | undefined {
  checkMethod(ctx, s.method, "minimize", scope);
  const t = unknownType(ctx, s.unknownType, s.init, scope);
  if (!t) {
    ctx.error(s.unknown.span, "cannot-infer", `I can't tell the shape of \`${s.unknown.name}\`.`, { hint: `give it a type (\`-> ${s.unknown.name}: f32[n]\`) or an \`init\` value.` });
    poison(scope, [s.unknown]);
    return undefined;
  }
  const inner = scope.child();
  inner.define(s.unknown.name, { kind: "value", name: s.unknown.name, type: t, span: s.unknown.span, what: "unknown" });
  const obj = tensorOf(ctx, s.objective, inner);
  if (obj && obj.shape.length !== 0) ctx.error(s.objective.span, "shape-mismatch", `\`minimize\` needs a scalar objective, but this is ${typeToString(obj)}.`, { hint: "reduce it, e.g. `sum(...)` or `mean(...)`." });
  defineValue(ctx, scope, s.unknown, t, "minimizer");
  return t;
}

function checkLoop(ctx: CheckContext, s: A.Loop, scope: Scope): Type | undefined {
  refuse(ctx, s.method, "method", "loop");
  refuse(ctx, s.precond, "precond", "loop");
  refuse(ctx, s.init, "init", "loop (initial values go in `carry`)");
  checkMax(ctx, s.max, scope);
  if (s.bound) checkMax(ctx, s.bound, scope);
  if (!s.bound && !s.max) ctx.error(s.span, "unbounded-loop", "This loop has no bound, so it might never end.", { hint: "add `max N` after the block, or count: `loop k < N ...`." });
  const carried = new Map<string, TensorT>();
  const failed: A.Ident[] = [];
  for (const c of s.carry) {
    const t = unknownType(ctx, c.type, c.value, scope);
    if (t) carried.set(c.name.name, t);
    else failed.push(c.name);
  }
  const body = scope.child();
  poison(body, failed);
  if (s.counter) body.define(s.counter.name, { kind: "value", name: s.counter.name, type: scalar("f32"), span: s.counter.span, what: "loop counter" });
  for (const [n, t] of carried) body.define(n, { kind: "value", name: n, type: t, span: s.span, what: "carried value" });
  for (const st of s.body) checkStmt(ctx, st, body, { kind: "loop", carried });
  if (s.until) {
    // `until` sees the carried values after the body, not the body's own `let`s.
    const after = scope.child();
    if (s.counter) after.define(s.counter.name, { kind: "value", name: s.counter.name, type: scalar("f32"), span: s.counter.span, what: "loop counter" });
    for (const [n, t] of carried) after.define(n, { kind: "value", name: n, type: t, span: s.span, what: "carried value" });
    const t = tensorOf(ctx, s.until, after);
    if (t && (t.dtype !== "bool" || t.shape.length !== 0)) ctx.error(s.until.span, "type-mismatch", `\`until\` needs a true/false condition, but this is ${typeToString(t)}.`);
  }
  const outs: TensorT[] = [];
  for (const o of s.outputs) {
    const t = carried.get(o.name);
    if (!t && failed.some((f) => f.name === o.name)) {
      poison(scope, [o]);
      continue;
    }
    if (!t) {
      if (!body.lookup(o.name)) unknownName(ctx, o.name, o.span, body);
      else ctx.error(o.span, "not-carried", `A loop gives back its carried names; \`${o.name}\` is not carried.`);
      continue;
    }
    defineValue(ctx, scope, o, t, "loop result");
    outs.push(t);
  }
  return outs.length === 1 ? outs[0] : { tag: "tuple", items: outs };
}

export { DEFAULT_METHOD };
