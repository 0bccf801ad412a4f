// The iterative constructs that find an unknown: `fixpoint`, `solve` and `minimize`, with
// their clauses. Each defines its result name in the enclosing scope, or poisons it.
import type * as A from "../../grammar/ast.js";
import { dimSub, dimToString, dimValue } from "../shapes.js";
import { scalar, type TensorT, type Type, typeToString } from "../types.js";
import { typeFrom } from "./annotations.js";
import { checkGrad, checkMax, checkMethod, checkStopCondition, refuse } from "./clauses.js";
import { CheckContext } from "./context.js";
import { originNote, sameTensorType, tensorOf, typeOf } from "./expr.js";
import type { Scope } from "./scope.js";
import { defineValue, poison } from "./stmt.js";

/**
 * The type of an unknown: declared, else the initial value's, else a fallback. Undefined
 * after reporting why; null when nothing gives it a shape (the caller says what would).
 */
export function unknownType(ctx: CheckContext, declared: A.TypeExpr | null, init: A.Expr | null, scope: Scope, fallback?: TensorT): TensorT | undefined | null {
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

export function checkFixpoint(ctx: CheckContext, s: A.Fixpoint, scope: Scope): Type | undefined {
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

export function checkSolve(ctx: CheckContext, s: A.Solve, scope: Scope): Type | undefined {
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
  if (unknownMisnamed(ctx, s, scope)) {
    poison(scope, [s.unknown]);
    return undefined;
  }
  const inner = scope.child();
  inner.define(s.unknown.name, { kind: "value", name: s.unknown.name, type: t, span: s.unknown.span, what: "unknown" });
  const lhs = tensorOf(ctx, s.lhs, inner);
  if (lhs && !sameTensorType(lhs, rhs)) solveMismatch(ctx, s, scope, t, lhs, rhs);
  if (!refersTo(s.lhs, s.unknown.name))
    ctx.error(s.lhs.span, "unknown-not-used", `The left side does not use the unknown \`${s.unknown.name}\`, so there is nothing to solve for.`, {
      hint: `write the operator applied to the unknown, as in \`solve A(${s.unknown.name}) = f ... -> ${s.unknown.name}\`.`,
    });
  defineValue(ctx, scope, s.unknown, t, "solution");
  return t;
}

/** The style guide's example: what each side is, where the right side came from, how to fix it. */
function solveMismatch(ctx: CheckContext, s: A.Solve, scope: Scope, t: TensorT, lhs: TensorT, rhs: TensorT): void {
  const b = s.rhs.kind === "Name" ? scope.lookup(s.rhs.name) : undefined;
  const name = s.rhs.kind === "Name" ? s.rhs.name : undefined;
  const slice = name ? sliceTo(rhs, lhs) : undefined;
  const declare = name && b?.kind === "value" && b.what === "input" ? `declare \`input ${name}: ${typeToString(lhs)}\`` : undefined;
  const fixes = [declare, slice && `slice it: \`${name}[${slice}]\``].filter(Boolean);
  ctx.error(s.rhs.span, "shape-mismatch", "The operator and the right-hand side disagree.", {
    label: `I expected ${typeToString(lhs)} here`,
    notes: [`the left side maps \`${s.unknown.name}\`: ${typeToString(t)} to ${typeToString(lhs)}, and the right side is ${typeToString(rhs)}.`, ...originNote(ctx, s.rhs, scope)],
    ...(fixes.length ? { hint: `${fixes.join(", or ")}.` } : {}),
  });
}

/** `1:N + 1, :` when `from` is `to` with a few more entries on some axes; else undefined. */
function sliceTo(from: TensorT, to: TensorT): string | undefined {
  if (from.shape.length !== to.shape.length || from.dtype !== to.dtype) return undefined;
  const extra = from.shape.map((d, i) => dimValue(dimSub(d, to.shape[i])));
  if (extra.some((x) => x === undefined || x < 0 || !Number.isInteger(x)) || extra.every((x) => x === 0)) return undefined;
  return extra.map((x, i) => (x === 0 ? ":" : `${x}:${dimToString(from.shape[i])}`)).join(", ");
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

/**
 * `solve P(u) = f -> v`: the left side uses an undefined `u` and not the unknown `v`. One error
 * says what the `->` name is for, instead of an unknown name and an unused unknown.
 */
function unknownMisnamed(ctx: CheckContext, s: A.Solve, scope: Scope): boolean {
  if (refersTo(s.lhs, s.unknown.name)) return false;
  const undefinedNames = [...new Set(namesIn(s.lhs).filter((n) => scope.lookup(n) === undefined))];
  if (undefinedNames.length !== 1) return false;
  const [u] = undefinedNames;
  ctx.error(s.unknown.span, "unknown-not-used", `The unknown of a solve is the name after \`->\`, here \`${s.unknown.name}\`, but the left side uses \`${u}\`, which is not defined.`, {
    hint: `write \`-> ${u}\`, or use \`${s.unknown.name}\` on the left side.`,
  });
  return true;
}

/** Every name an expression mentions. */
function namesIn(e: unknown, out: string[] = []): string[] {
  if (Array.isArray(e)) for (const x of e) namesIn(x, out);
  else if (e && typeof e === "object") {
    const node = e as { kind?: string; name?: unknown };
    if (node.kind === "Name" && typeof node.name === "string") out.push(node.name);
    else for (const [k, v] of Object.entries(e)) if (k !== "span") namesIn(v, out);
  }
  return out;
}

function refersTo(e: A.Expr, name: string): boolean {
  return JSON.stringify(e, (k, v) => (k === "span" ? undefined : v)).includes(`"kind":"Name","name":${JSON.stringify(name)}`);
}

export function checkMinimize(ctx: CheckContext, s: A.Minimize, scope: Scope): Type | undefined {
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
