// Statements: `let`, assignments in loop bodies, `return`, and the iterative constructs with
// their clauses. Each iterative construct defines its result name(s) in the enclosing scope.
import type * as A from "../../grammar/ast.js";
import { DEFAULT_METHOD } from "../methods.js";
import { checkGrad, checkMax, checkMethod, checkStopCondition, refuse } from "./clauses.js";
import { dimToString } from "../shapes.js";
import { scalar, type TensorT, type Type, typeToString, typesEqual } from "../types.js";
import { typeFrom } from "./annotations.js";
import { CheckContext } from "./context.js";
import { describeType, originNote, sameTensorType, tensorOf, typeOf, unknownName } from "./expr.js";
import { bindingLine, type Scope } from "./scope.js";
import { definitions } from "./defs.js";

/** What surrounds a statement: an op/model block may `return`; a loop body may assign. */
export interface BlockKind {
  kind: "top" | "body" | "loop";
  carried?: Map<string, TensorT>;
}

export function checkBody(ctx: CheckContext, body: A.Body, scope: Scope, owner = "this op"): Type | undefined {
  if (body.kind === "ExprBody") return typeOf(ctx, body.expr, scope);
  scope.expect(definitions(body.stmts));
  let result: Type | undefined;
  let returned = false;
  for (const s of body.stmts) {
    if (returned) {
      ctx.error(s.span, "unreachable", "Nothing after `return` is ever computed.", { hint: "move `return` to the end of the block." });
      break;
    }
    result = checkStmt(ctx, s, scope, { kind: "body" });
    returned = s.kind === "Return";
  }
  if (!returned) missingReturn(ctx, body.span, owner);
  return returned ? result : undefined;
}

/** Points at the closing brace, where the `return` belongs. */
function missingReturn(ctx: CheckContext, span: A.Span, owner: string): void {
  const { end } = span;
  const brace = { start: { offset: end.offset - 1, line: end.line, column: Math.max(1, end.column - 1) }, end };
  ctx.error(brace, "missing-return", `The block of ${owner} ends without \`return\`, so it gives no value.`, {
    label: "I expected `return` before this",
    hint: "end the block with `return expression`.",
  });
}

/** Defines a name, refusing to redefine one in the same scope (iterations carry names instead). */
export function defineValue(ctx: CheckContext, scope: Scope, id: A.Ident, type: Type, what: string): void {
  const prev = scope.own(id.name);
  if (prev && prev.kind !== "builtin") {
    const line = bindingLine(prev);
    ctx.error(id.span, "duplicate-name", `\`${id.name}\` is already defined${line !== undefined ? ` on line ${line}` : ""}.`, {
      hint: "choose another name: values in iterlang are never reassigned (a `loop` carries its names).",
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
      if (where.kind !== "body")
        ctx.error(s.span, "misplaced-return", "`return` only ends the block of an `op` or `model`.", {
          hint: where.kind === "loop" ? "a loop gives back its carried names after the block: `} -> x`." : "name the result with `let` or `export`.",
        });
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
  if (!t || !bindsValues(ctx, t, s.value.span)) {
    poison(scope, s.names);
    return undefined;
  }
  if (declared && !typesEqual(declared, t))
    ctx.error(s.value.span, "shape-mismatch", `\`${s.names.map((n) => n.name).join(", ")}\` is declared as ${typeToString(declared)}, but the value is ${typeToString(t)}.`);
  if (s.names.length === 1) defineValue(ctx, scope, s.names[0], declared ?? t, "value");
  else if (t.tag !== "tuple" || t.items.length !== s.names.length) {
    ctx.error(s.value.span, "type-mismatch", `This gives ${describeType(t)}, which does not unpack into ${s.names.length} names.`);
    poison(scope, s.names);
  } else s.names.forEach((n, i) => defineValue(ctx, scope, n, t.items[i], "value"));
  return t;
}

/** `let` names tensors (or tuples of them); an operator or a string has no value to name. */
function bindsValues(ctx: CheckContext, t: Type, span: A.Span): boolean {
  if (t.tag === "tensor" || (t.tag === "tuple" && t.items.every((i) => i.tag === "tensor"))) return true;
  const hint =
    t.tag === "op"
      ? "declare an operator with `op f(x) = ...`; a lambda is written where an operator is expected, such as an argument."
      : "strings name files and options; they are not values.";
  ctx.error(span, "type-mismatch", `\`let\` names tensors, but this is ${describeType(t)}.`, { hint });
  return false;
}

function checkAssign(ctx: CheckContext, s: A.Assign, scope: Scope, where: BlockKind): Type | undefined {
  const t = typeOf(ctx, s.value, scope);
  if (where.kind !== "loop" || !where.carried) {
    misplacedAssign(ctx, s, scope);
    return t;
  }
  const types = t?.tag === "tuple" ? t.items : [t];
  if (t && types.length !== s.names.length) ctx.error(s.value.span, "type-mismatch", `This gives ${types.length} value${types.length === 1 ? "" : "s"} for ${s.names.length} name${s.names.length === 1 ? "" : "s"}.`);
  s.names.forEach((n, i) => assignCarried(ctx, n, types[i], s.value.span, scope, where.carried!));
  return t;
}

function misplacedAssign(ctx: CheckContext, s: A.Assign, scope: Scope): void {
  const name = s.names[0]?.name ?? "x";
  const defined = scope.lookup(name) !== undefined;
  ctx.error(s.span, "misplaced-assign", "Only the carried names of a `loop` can be given new values.", {
    hint: defined
      ? `values are never reassigned: give the new value a name of its own (\`let ${name}2 = ...\`), or carry \`${name}\` in a \`loop\`.`
      : `to define a new name, write \`let ${name} = ...\`.`,
  });
}

function assignCarried(ctx: CheckContext, n: A.Ident, got: Type | undefined, valueSpan: A.Span, scope: Scope, carried: Map<string, TensorT>): void {
  const want = carried.get(n.name);
  if (!want && scope.lookup(n.name)?.kind === "poisoned") return;
  if (!want) {
    ctx.error(n.span, "not-carried", `\`${n.name}\` is not carried by this loop, so it cannot be updated.`, {
      hint: `carry it, \`carry (..., ${n.name} = ...)\`, or give the new value a name of its own with \`let\`.`,
    });
    return;
  }
  if (got && (got.tag !== "tensor" || !sameTensorType(got, want)))
    ctx.error(valueSpan, "shape-mismatch", `\`${n.name}\` is carried as ${typeToString(want)}, but the new value is ${typeToString(got)}.`, {
      label: `this is ${typeToString(got)}`,
      hint: "a carried value keeps its type and shape in every iteration.",
    });
}

// ---- iterative constructs -------------------------------------------------------------

/**
 * The type of an unknown: declared, else the initial value's, else a fallback. Undefined
 * after reporting why; null when nothing gives it a shape (the caller says what would).
 */
function unknownType(ctx: CheckContext, declared: A.TypeExpr | null, init: A.Expr | null, scope: Scope, fallback?: TensorT): TensorT | undefined | null {
  const ann = declared ? typeFrom(ctx, declared, scope) : undefined;
  if (declared && (!ann || ann.tag !== "tensor")) return undefined;
  const annT = ann as TensorT | undefined;
  const expected = annT ?? fallback;
  if (!expected && (!init || isBareCreator(init, scope))) return null;
  const initT = init ? tensorOf(ctx, init, scope, expected) : undefined;
  if (annT && initT && !sameTensorType(annT, initT))
    ctx.error(init!.span, "shape-mismatch", `The initial value is ${typeToString(initT)}, but the unknown is declared as ${typeToString(annT)}.`, { label: `this is ${typeToString(initT)}` });
  if (init && !initT && !annT) return undefined;
  return annT ?? initT ?? fallback;
}

/** `init zeros`: a creator without sizes takes its shape from the unknown's type. */
function isBareCreator(e: A.Expr, scope: Scope): boolean {
  return e.kind === "Name" && scope.lookup(e.name)?.kind === "builtin";
}

function checkFixpoint(ctx: CheckContext, s: A.Fixpoint, scope: Scope): Type | undefined {
  checkMethod(ctx, s.method, "fixpoint", scope);
  refuse(ctx, s.precond, "precond", "fixpoint", "a preconditioner belongs to a `solve`.");
  checkMax(ctx, s.max, scope);
  checkStopCondition(ctx, s.until, scope);
  checkGrad(ctx, s.grad);
  const t = unknownType(ctx, s.type, s.init, scope);
  if (!t) {
    if (t === null) cannotInferFixpoint(ctx, s, scope);
    poison(scope, [s.target]);
    return undefined;
  }
  const inner = scope.child();
  inner.define(s.target.name, { kind: "value", name: s.target.name, type: t, span: s.target.span, what: "fixpoint iterate" });
  const body = tensorOf(ctx, s.body, inner);
  if (body && !sameTensorType(body, t))
    ctx.error(s.body.span, "shape-mismatch", `A fixed point maps \`${s.target.name}\` to a value of its own type, but \`${s.target.name}\` is ${typeToString(t)} and this is ${typeToString(body)}.`, {
      label: `this is ${typeToString(body)}`,
    });
  defineValue(ctx, scope, s.target, t, "fixpoint result");
  return t;
}

/** The shape is circular: say so, and show both fixes, with the shape when a guess finds it. */
function cannotInferFixpoint(ctx: CheckContext, s: A.Fixpoint, scope: Scope): void {
  const z = s.target.name;
  const guess = guessIterate(ctx, s, scope);
  const type = guess ? typeToString(guess) : "f32[...]";
  const init = guess ? (guess.shape.length ? `zeros(${guess.shape.map(dimToString).join(", ")})` : "0") : "zeros(...)";
  const bare = s.init && isBareCreator(s.init, scope) ? [`\`init ${(s.init as A.Name).name}\` takes its shape from the type of \`${z}\`, and it has none.`] : [];
  ctx.error(s.target.span, "cannot-infer", `I can't tell the shape of \`${z}\`: it is defined only by its own equation.`, {
    notes: bare,
    hint: `give it a type, \`fixpoint ${z}: ${type} = ...\`, or an initial value with a shape, \`init ${init}\`.`,
  });
}

/** What the body gives when the iterate is a scalar, if that checks cleanly: a likely shape. */
function guessIterate(ctx: CheckContext, s: A.Fixpoint, scope: Scope): TensorT | undefined {
  const quiet = new CheckContext(ctx.file);
  const inner = scope.child();
  inner.define(s.target.name, { kind: "value", name: s.target.name, type: scalar("f32"), span: s.target.span, what: "fixpoint iterate" });
  const t = typeOf(quiet, s.body, inner);
  return t?.tag === "tensor" && quiet.diags.items.length === 0 ? t : undefined;
}

function checkSolve(ctx: CheckContext, s: A.Solve, scope: Scope): Type | undefined {
  checkMethod(ctx, s.method ?? null, "solve", scope);
  checkMethod(ctx, s.precond, "precond", scope);
  checkMax(ctx, s.max, scope);
  checkStopCondition(ctx, s.until, scope);
  refuse(ctx, s.grad, "grad", "solve", "a solve is always differentiated implicitly.");
  if (rhsUsesUnknown(ctx, s, scope)) {
    poison(scope, [s.unknown]);
    return undefined;
  }
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

/** `solve A(u) = f + u -> u`: the unknown belongs on the left. */
function rhsUsesUnknown(ctx: CheckContext, s: A.Solve, scope: Scope): boolean {
  const u = s.unknown.name;
  if (scope.lookup(u) !== undefined || !refersTo(s.rhs, u)) return false;
  ctx.error(s.rhs.span, "unknown-on-right", `The right side uses the unknown \`${u}\`, which is what the solve finds.`, {
    hint: `move every term with \`${u}\` to the left, as in \`solve A(${u}) - ${u} = f -> ${u}\`.`,
  });
  return true;
}

function refersTo(e: A.Expr, name: string): boolean {
  return JSON.stringify(e, (k, v) => (k === "span" ? undefined : v)).includes(`"kind":"Name","name":${JSON.stringify(name)}`);
}

function checkMinimize(ctx: CheckContext, s: A.Minimize, scope: Scope): Type | undefined {
  checkMethod(ctx, s.method, "minimize", scope);
  const t = unknownType(ctx, s.unknownType, s.init, scope);
  if (!t) {
    if (t === null) ctx.error(s.unknown.span, "cannot-infer", `I can't tell the shape of \`${s.unknown.name}\`.`, { hint: `give it a type (\`-> ${s.unknown.name}: f32[n]\`) or an \`init\` value.` });
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
  checkLoopClauses(ctx, s, scope);
  const { carried, failed } = carriedTypes(ctx, s, scope);
  const body = loopScope(scope, s, carried);
  poison(body, failed);
  body.expect(definitions(s.body));
  for (const st of s.body) checkStmt(ctx, st, body, { kind: "loop", carried });
  if (s.until) {
    // `until` sees the carried values after the body, not the body's own `let`s.
    const t = tensorOf(ctx, s.until, loopScope(scope, s, carried));
    if (t && (t.dtype !== "bool" || t.shape.length !== 0))
      ctx.error(s.until.span, "type-mismatch", `\`until\` needs a true/false condition, but this is ${typeToString(t)}.`, { hint: "compare, as in `until norm(r) < 1e-5`." });
  }
  return loopOutputs(ctx, s, scope, body, carried);
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

export { DEFAULT_METHOD };
