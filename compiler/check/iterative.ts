// The iterative constructs that find an unknown: `fixpoint`, `solve` and `minimize`, with
// their clauses resolved once (method and options, stopping rule, grad mode) and, for methods
// written in iterlang, their start and step calls checked like user code. Each defines its
// result name in the enclosing scope, or poisons it.
import type * as A from "../../grammar/ast.js";
import { type MethodChoice, resolveStop, type StopRule, type UntilClause } from "../constructs.js";
import { findMethod } from "../methods.js";
import { dimSub, dimToString, dimValue } from "../shapes.js";
import { scalar, type TensorT, typeToString } from "../types.js";
import type { ReportRef, TFixpoint, TSolve, TTensor } from "../typed/program.js";
import { typeFrom } from "./annotations.js";
import { checkBackwardPolicy, checkGrad, checkMax, checkMethod, checkPrecond, checkStopCondition, refuse, settleTolerances } from "./clauses.js";
import { CheckContext } from "./context.js";
import { originNote, sameTensorType, tensorOf, typeOf } from "./expr.js";
import { jacobianOf, jacobianPrecond } from "./linearise.js";
import { applyOperator, checkProtocol, lambdaOf, precondOf, projectedPrecond, symBinding, tallied } from "./protocol.js";
import type { Scope } from "./scope.js";
import { RESIDUAL_NAMES, type StopNames } from "./stop.js";
import { defineValue, poison } from "./stmt.js";

/** An unknown's type and its checked initial value, when it has one. */
export interface Unknown {
  type: TensorT;
  init?: TTensor;
}

/**
 * The type of an unknown: declared, else the initial value's, else a fallback. Undefined
 * after reporting why; null when nothing gives it a shape (the caller says what would).
 */
export function unknownType(ctx: CheckContext, declared: A.TypeExpr | null, init: A.Expr | null, scope: Scope, fallback?: TensorT): Unknown | undefined | null {
  const ann = declared ? typeFrom(ctx, declared, scope) : undefined;
  if (declared && (!ann || ann.tag !== "tensor")) return undefined;
  const annT = ann as TensorT | undefined;
  const expected = annT ?? fallback;
  if (!expected && (!init || isBareCreator(init, scope))) return null;
  const initT = init ? tensorOf(ctx, init, scope, expected) : undefined;
  if (annT && initT && !sameTensorType(annT, initT.type)) {
    ctx.error(init!.span, "shape-mismatch", `The initial value is ${typeToString(initT.type)}, but the unknown is declared as ${typeToString(annT)}.`, { label: `this is ${typeToString(initT.type)}` });
    return annT ? { type: annT } : undefined;
  }
  if (init && !initT && !annT) return undefined;
  const type = annT ?? initT?.type ?? fallback;
  return type && { type, ...(initT ? { init: initT } : {}) };
}

/** The stopping rule from `max` and `until` and the method's options; undefined after an error. */
export function stopOf(ctx: CheckContext, s: A.Clauses, method: MethodChoice | undefined, scope: Scope, names: StopNames = RESIDUAL_NAMES): StopRule | undefined {
  const max = s.max ? checkMax(ctx, s.max, scope) : null;
  let until: UntilClause | undefined;
  if (s.until) {
    until = checkStopCondition(ctx, s.until, scope, names);
    if (!until) return undefined;
  }
  if (!method || max === undefined) return undefined;
  return resolveStop(method, until, max ?? undefined);
}

/** `init zeros`: a creator without sizes takes its shape from the unknown's type. */
function isBareCreator(e: A.Expr, scope: Scope): boolean {
  return e.kind === "Name" && scope.lookup(e.name)?.kind === "builtin";
}

export function checkFixpoint(ctx: CheckContext, s: A.Fixpoint, scope: Scope): TFixpoint | undefined {
  const fine = ctx.fineTolerances.length;
  const method = checkMethod(ctx, s.method, "fixpoint", scope);
  refuse(ctx, s.precond, "precond", "fixpoint", "a preconditioner belongs to a `solve`.");
  refuse(ctx, s.nullspace, "nullspace", "fixpoint", "a null space belongs to a `solve`'s operator.");
  const stop = stopOf(ctx, s, method, scope);
  const grad = checkGrad(ctx, s.grad, "fixpoint", scope);
  const onBackwardFail = checkBackwardPolicy(ctx, s.onBackwardFail, scope);
  const u = unknownType(ctx, s.type, s.init, scope);
  settleTolerances(ctx, fine, u?.type.dtype);
  if (!u) {
    if (u === null) cannotInferFixpoint(ctx, s, scope);
    poison(scope, [s.target]);
    return undefined;
  }
  const t = u.type;
  const T = lambdaOf(s.target, s.body, scope);
  const map = applyOperator(ctx, T, t, "fixpoint iterate");
  const fits = map !== undefined && sameTensorType(map.body.type, t);
  if (map && !fits)
    ctx.error(s.body.span, "shape-mismatch", `A fixed point maps \`${s.target.name}\` to a value of its own type, but \`${s.target.name}\` is ${typeToString(t)} and this is ${typeToString(map.body.type)}.`, {
      label: `this is ${typeToString(map.body.type)}`,
    });
  const report = reportRef("fixpoint", stop, s.target.name);
  const out = defineValue(ctx, scope, s.target, t, "fixpoint result", report);
  if (!map || !fits || !method || !stop || !grad || !onBackwardFail) return undefined;
  const iter = findMethod("fixpoint", method.name)?.implementation.kind === "iter";
  const protocol = iter ? checkProtocol(ctx, method, s.method, [{ name: "%T", binding: tallied(T, "operator", scope, s.span) }], t, scope, s.span) : undefined;
  if (iter && !protocol) return undefined;
  return { k: "fixpoint", out, ...(u.init ? { init: u.init } : {}), map, method, stop, grad, onBackwardFail, ...(protocol ? { protocol } : {}), report, label: s.target.name, span: s.span };
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
  inner.define(s.target.name, symBinding(quiet.sym(s.target.name, scalar("f32")), s.target.span, "fixpoint iterate"));
  const t = typeOf(quiet, s.body, inner)?.type;
  return t?.tag === "tensor" && quiet.diags.items.length === 0 ? t : undefined;
}

export function checkSolve(ctx: CheckContext, s: A.Solve, scope: Scope): TSolve | undefined {
  const fine = ctx.fineTolerances.length;
  const method = checkMethod(ctx, s.method ?? null, "solve", scope);
  if (method?.name === "broyden" && s.precond) {
    // Broyden builds its own approximate inverse Jacobian from values of F; there is nothing for a preconditioner to act on.
    ctx.error(s.precond.span, "bad-clause", "`broyden` takes no preconditioner: it builds its own approximation of the inverse Jacobian from values of F.", {
      hint: "scale its first step with `alpha`, or use `method newton_krylov`, whose preconditioner acts on the Jacobian.",
    });
    return undefined;
  }
  const precondChecked = s.precond ? checkPrecond(ctx, s.precond, scope) : undefined;
  const precondChoice = precondChecked?.choice;
  const stop = stopOf(ctx, s, method, scope);
  refuse(ctx, s.grad, "grad", "solve", "a solve is always differentiated implicitly.");
  const onBackwardFail = checkBackwardPolicy(ctx, s.onBackwardFail, scope);
  if (rhsUsesUnknown(ctx, s, scope)) {
    settleTolerances(ctx, fine, undefined);
    poison(scope, [s.unknown]);
    return undefined;
  }
  const rhs = tensorOf(ctx, s.rhs, scope);
  const u = rhs && unknownType(ctx, s.unknownType, s.init, scope, rhs.type);
  settleTolerances(ctx, fine, u ? u.type.dtype : undefined);
  if (!rhs || !u) {
    poison(scope, [s.unknown]);
    return undefined;
  }
  if (unknownMisnamed(ctx, s, scope)) {
    poison(scope, [s.unknown]);
    return undefined;
  }
  const t = u.type;
  const A = lambdaOf(s.unknown, shifted(s, method), scope);
  const operator = applyOperator(ctx, A, t, "unknown");
  const lhs = operator?.body.type;
  const fits = lhs?.tag === "tensor" && sameTensorType(lhs, rhs.type);
  if (lhs?.tag === "tensor" && !fits) solveMismatch(ctx, s, scope, t, lhs, rhs.type);
  const used = refersTo(s.lhs, s.unknown.name);
  if (!used)
    ctx.error(s.lhs.span, "unknown-not-used", `The left side does not use the unknown \`${s.unknown.name}\`, so there is nothing to solve for.`, {
      hint: `write the operator applied to the unknown, as in \`solve A(${s.unknown.name}) = f ... -> ${s.unknown.name}\`.`,
    });
  const nullspace = s.nullspace ? checkNullspace(ctx, s.nullspace, t, method, scope) : undefined;
  const report = reportRef("solve", stop, s.unknown.name);
  const out = defineValue(ctx, scope, s.unknown, t, "solution", report);
  if (!operator || !fits || !used || !method || !stop || !onBackwardFail || (s.precond && !precondChoice) || nullspace === null) return undefined;
  const rhsSym = ctx.sym("%b", rhs.type);
  const zSym = nullspace ? ctx.sym("%z", t) : undefined;
  const given = precondOf(s.precond, A, scope, s.span, precondChecked?.user);
  const M = zSym && s.precond ? projectedPrecond(given, symBinding(zSym, s.nullspace!.span, "null space"), scope, s.span) : given;
  const iter = findMethod("solve", method.name)?.implementation.kind === "iter";
  const lead = [
    { name: "%A", binding: tallied(A, "operator", scope, s.span) },
    { name: "%M", binding: s.precond ? tallied(M, "precond", scope, s.span) : M },
    { name: "%b", binding: symBinding(rhsSym, s.rhs.span, "right-hand side") },
  ];
  const protocol = iter ? checkProtocol(ctx, method, s.method, lead, t, scope, s.span) : undefined;
  if (iter && !protocol) return undefined;
  // The preconditioner as a region of its own: GMRES applies it, and a gradient its transpose;
  // a driver that applies the Jacobian gets it as a region too, and a preconditioner of it.
  const linearised = findMethod("solve", method.name)?.jacobian === true;
  const jacobian = linearised ? jacobianOf(ctx, A, t, s.span, scope) : undefined;
  if (linearised && !jacobian) return undefined;
  const precondOp = !precondChoice ? undefined : linearised ? jacobianPrecond(ctx, s.precond!, precondChecked?.user, A, t, rhs.type, s.span, scope) : M.kind === "lambda" ? { op: applyOperator(ctx, M, rhs.type) } : undefined;
  if (precondChoice && !precondOp?.op) return undefined;
  return {
    k: "solve",
    out,
    rhs,
    rhsSym,
    ...(u.init ? { init: u.init } : {}),
    operator,
    ...(precondChoice && precondOp?.op ? { precond: { choice: precondChoice, op: precondOp.op, ...("at" in precondOp ? { at: precondOp.at } : {}) } } : {}),
    ...(jacobian ? { jacobian } : {}),
    ...(nullspace && zSym ? { nullspace: { z: nullspace, sym: zSym } } : {}),
    method,
    stop,
    onBackwardFail,
    ...(protocol ? { protocol } : {}),
    report,
    label: s.unknown.name,
    span: s.span,
  };
}

/**
 * `nullspace constant` (the constant vectors: a pure Neumann or periodic problem) or
 * `nullspace z`, a tensor of the unknown's type spanning the null space of a singular A (and of
 * Aᵀ: the solve projects the right side onto z's orthogonal complement). Null after an error.
 */
function checkNullspace(ctx: CheckContext, e: A.Expr, t: TensorT, method: MethodChoice | undefined, scope: Scope): TTensor | "constant" | null {
  if (method && findMethod("solve", method.name)?.nonlinear) {
    ctx.error(e.span, "bad-clause", `\`nullspace\` belongs to a linear solve, and \`${method.name}\` solves a nonlinear one.`, {
      hint: "a nonlinear F has no fixed null space; remove the clause, or fix the free component in F itself.",
    });
    return null;
  }
  if (e.kind === "Name" && e.name === "constant" && scope.lookup("constant") === undefined) return "constant";
  const z = tensorOf(ctx, e, scope, t);
  if (!z) return null;
  if (!sameTensorType(z.type, t)) {
    ctx.error(e.span, "shape-mismatch", `A null space vector has the unknown's type, ${typeToString(t)}, and this is ${typeToString(z.type)}.`, {
      label: `this is ${typeToString(z.type)}`,
      hint: "write `nullspace constant` for the constant vectors, or give a tensor of the unknown's shape.",
    });
    return null;
  }
  return z;
}

/**
 * The left side as the method solves it: `A(u) − σ u` for a method with a nonzero `shift`
 * (MINRES's), so the method, the driver's true residual and a gradient all see one operator.
 */
function shifted(s: A.Solve, method: MethodChoice | undefined): A.Expr {
  const sigma = method?.options.shift;
  if (typeof sigma !== "number" || sigma === 0) return s.lhs;
  const span = s.lhs.span;
  const scaled: A.Expr = { kind: "Binary", op: "*", left: { kind: "Number", text: String(sigma), value: sigma, isInt: Number.isInteger(sigma), span }, right: { kind: "Name", name: s.unknown.name, span }, span };
  return { kind: "Binary", op: "-", left: { kind: "Paren", inner: s.lhs, span }, right: scaled, span };
}

/** The report a construct's result carries, its fields filled in as the program reads them. */
function reportRef(construct: ReportRef["construct"], stop: StopRule | undefined, label: string): ReportRef {
  return { construct, maxIter: stop?.maxIter ?? Infinity, label, fields: new Map() };
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

