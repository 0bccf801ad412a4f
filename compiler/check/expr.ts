// Types and shapes of expressions, as typed expressions (compiler/typed/program.ts). Every
// function returns the typed expression, or undefined after reporting why there is none (so one
// mistake is reported once, not at every use).
import type * as A from "../../grammar/ast.js";
import { suggestName } from "../../base/suggest.js";
import { getOp } from "../ops/index.js";
import { type Dim, dimConst, dimEq, dimToString, dimValue } from "../shapes.js";
import { broadcastShapes, scalar, shapeToString, type TensorT, tensor, type Type, typesEqual, typeToString } from "../types.js";
import type { Literal, TExpr, TTensor } from "../typed/program.js";
import { builtinCall, builtinShape } from "./builtins.js";
import type { CheckContext } from "./context.js";
import { checkOpCall } from "./ops.js";
import type { Binding, Scope } from "./scope.js";
import { namesUsed } from "./defs.js";
import { staticEval } from "./static.js";
import { memberType } from "./report-fields.js";
import { subscriptStatics } from "./subscript.js";

/** A size used as a number (`(n + 1)^2`): a constant when known, else kept symbolic. */
export function sizeValue(d: Dim, span: A.Span): TTensor {
  const v = dimValue(d);
  return v !== undefined ? { k: "const", value: v, type: scalar("f32"), span } : { k: "size", dim: d, type: scalar("f32"), span };
}

export function typeOf(ctx: CheckContext, e: A.Expr, scope: Scope, expected?: TensorT): TExpr | undefined {
  switch (e.kind) {
    case "Number":
      return { k: "const", value: e.value, type: scalar("f32"), span: e.span };
    case "String":
      return { k: "opaque", type: { tag: "string" }, span: e.span };
    case "Bool":
      return { k: "const", value: e.value ? 1 : 0, type: scalar("bool"), span: e.span };
    case "Paren":
      return typeOf(ctx, e.inner, scope, expected);
    case "Name":
      return nameType(ctx, e, scope, expected);
    case "Unary":
      return unaryType(ctx, e, scope);
    case "Binary":
      return binaryType(ctx, e, scope);
    case "Call":
      return callType(ctx, e, scope, expected);
    case "Diff":
      return diffType(ctx, e, scope);
    case "Index":
      return indexType(ctx, e, scope);
    case "Member":
      return memberType(ctx, e, scope, (name, span) => unknownName(ctx, name, span, scope));
    case "TensorLit":
      return tensorLitType(ctx, e, scope);
    case "Tuple": {
      const items = e.items.map((i) => typeOf(ctx, i, scope));
      if (!items.every((t) => t !== undefined)) return undefined;
      return { k: "tuple", items: items as TExpr[], type: { tag: "tuple", items: (items as TExpr[]).map((i) => i.type) }, span: e.span };
    }
    case "Range":
      ctx.error(e.span, "range-misplaced", "A range `a..b` only selects columns in a `data` declaration.", { hint: "to slice a tensor, write `x[a:b]`." });
      return undefined;
    case "Lambda":
      return { k: "opaque", type: { tag: "op", name: "lambda" }, span: e.span };
    case "If":
      return ifType(ctx, e, scope, expected);
  }
}

/**
 * `if c then a else b` is decided when compiling: with the condition known, only the chosen
 * branch is checked (the other may not fit these sizes, as at the end of a recursion); with
 * it depending on sizes not yet known, both are, and they must agree.
 */
function ifType(ctx: CheckContext, e: A.If, scope: Scope, expected?: TensorT): TExpr | undefined {
  // A name nothing defines is a mistake here, not a bare word as in an option (`cycle: V`).
  const unknown = namesUsed(e.cond).find((n) => scope.lookup(n.name) === undefined);
  if (unknown) return void unknownName(ctx, unknown.name, unknown.span, scope);
  const c = staticEval(e.cond, scope);
  if (c.kind === "symbolic" && ctx.mode === "concrete") {
    const pending = namesUsed(e.cond).map((n) => scope.lookup(n.name)).find((b) => b?.kind === "dim" && dimValue(b.value) === undefined);
    if (pending?.kind === "dim") return void ctx.noValue(pending.value, e.cond.span);
    ctx.error(e.cond.span, "not-static", "This condition of `if` cannot be decided when compiling: it compares values of different kinds.", {
      hint: "compare sizes and numbers with numbers, strings with strings.",
    });
    return undefined;
  }
  if (c.kind === "error" || (c.kind !== "bool" && c.kind !== "symbolic")) {
    ctx.error(e.cond.span, "not-static", "`if` chooses when compiling, so its condition must be known then: sizes, numbers, strings and true/false.", {
      hint: "to choose element by element at run time, write `where(condition, a, b)`.",
    });
    return undefined;
  }
  if (c.kind === "bool") return typeOf(ctx, c.value ? e.then : e.else, scope, expected);
  const a = typeOf(ctx, e.then, scope, expected);
  const b = typeOf(ctx, e.else, scope, expected);
  if (a && b && !typesEqual(a.type, b.type)) {
    ctx.error(e.span, "type-mismatch", `The two branches of \`if\` must have one type: ${typeToString(a.type)} and ${typeToString(b.type)}.`);
    return undefined;
  }
  return a && b ? { k: "if", then: a, else: b, type: a.type, span: e.span } : undefined;
}

/** The typed expression of something that must be a tensor; reports what it is otherwise. */
export function tensorOf(ctx: CheckContext, e: A.Expr, scope: Scope, expected?: TensorT): TTensor | undefined {
  const t = typeOf(ctx, e, scope, expected);
  if (t === undefined) return undefined;
  if (t.type.tag === "tensor") return t as TTensor;
  ctx.error(e.span, "type-mismatch", `I expected a tensor here, but this is ${describeType(t.type)}.`);
  return undefined;
}

export function describeType(t: Type): string {
  switch (t.tag) {
    case "tensor":
      return `a tensor of type ${typeToString(t)}`;
    case "tuple":
      return `a tuple ${typeToString(t)}`;
    case "op":
      return "an operator";
    case "string":
      return "a string";
    case "report":
      return "a report";
  }
}

export function unknownName(ctx: CheckContext, name: string, span: A.Span, scope: Scope): void {
  const later = scope.later(name);
  // Defined further down, or above but only after the call whose body is being checked.
  if (later && (later.span.start.offset > span.start.offset || ctx.calls.length > 0)) {
    ctx.error(span, "used-before-definition", `\`${name}\` is used before it is defined.`, {
      label: "used here",
      notes: [`\`${name}\` is defined on line ${later.span.start.line}.`],
      hint: "move its definition above this use: a value is visible from the line that defines it.",
    });
    return;
  }
  ctx.error(span, "unknown-name", `I don't know the name \`${name}\`.`, {
    label: "not defined",
    hint: suggestName(name, scope.visibleNames()) ?? "define it with `let`, `input`, `param`, `dim` or `op` before using it.",
  });
}

function nameType(ctx: CheckContext, e: A.Name, scope: Scope, expected?: TensorT): TExpr | undefined {
  const b = scope.lookup(e.name);
  if (b === undefined) {
    unknownName(ctx, e.name, e.span, scope);
    return undefined;
  }
  switch (b.kind) {
    case "value":
      return { k: "sym", sym: b.sym, type: b.type, span: e.span };
    case "tuple":
      return { k: "tuple", items: b.syms.map((sym) => ({ k: "sym", sym, type: sym.type, span: e.span })), type: b.type, span: e.span };
    case "dim":
      // A size used as a number, e.g. `(n + 1)^2`.
      if (ctx.mode === "concrete" && dimValue(b.value) === undefined) return void ctx.noValue(b.value, e.span);
      return sizeValue(b.value, e.span);
    case "builtin":
      // A bare creator in an initialiser position: `init zeros`, `param W: ... init glorot`.
      if (expected) return builtinCall(ctx, b.spec, [], e.span, scope, expected);
      return { k: "opaque", type: { tag: "op", name: e.name }, span: e.span };
    case "op":
    case "lambda":
      return { k: "opaque", type: { tag: "op", name: e.name }, span: e.span };
    case "data":
      ctx.error(e.span, "type-mismatch", `\`${e.name}\` is a data set; it is used by \`train ... on ${e.name}\`.`);
      return undefined;
    case "poisoned":
      return undefined;
    case "static":
      if (typeof b.value === "string") return { k: "opaque", type: { tag: "string" }, span: e.span };
      return { k: "const", value: Number(b.value), type: scalar(typeof b.value === "boolean" ? "bool" : "f32"), span: e.span };
  }
}

/** A builtin applied to checked operands, typed by its record's own shape rule. */
function apply(ctx: CheckContext, op: string, args0: TTensor[], span: A.Span, what: string, notes: string[] = []): TTensor | undefined {
  const args = getOp(op)?.kind === "elementwise" && args0.some((a) => a.type.dtype === "f64") ? args0.map((a) => (isWeakScalar(a) ? asFloat64(a) : a)) : args0;
  const type = builtinShape(ctx, getOp(op), args.map((a) => a.type), {}, span, what, undefined, notes);
  return type && { k: "op", op, args, statics: {}, type, span };
}

/**
 * A scalar made of number literals and sizes alone (`0.1`, `(n + 1)^2`, `1 / (n + 1)`): a "weak"
 * f32 that takes the float of the value it meets, as JAX's Python scalars do, so that an f64
 * computation never sees a constant rounded to float32.
 */
function isWeakScalar(t: TExpr): boolean {
  if (t.type.tag !== "tensor" || t.type.dtype !== "f32" || t.type.shape.length !== 0) return false;
  if (t.k === "const" || t.k === "size") return true;
  return t.k === "op" && getOp(t.op)?.kind === "elementwise" && t.args.every(isWeakScalar);
}

/** A weak scalar computed in f64 instead (its literals are exact doubles already). */
function asFloat64(t: TTensor): TTensor {
  const type = tensor("f64", []);
  if (t.k === "op") return { ...t, args: t.args.map((a) => asFloat64(a as TTensor)), type };
  if (t.k === "const" || t.k === "size") return { ...t, type };
  return t;
}

function unaryType(ctx: CheckContext, e: A.Unary, scope: Scope): TExpr | undefined {
  const t = tensorOf(ctx, e.operand, scope);
  if (!t) return undefined;
  if (e.op === "not") {
    if (t.type.dtype !== "bool")
      ctx.error(e.operand.span, "type-mismatch", `\`not\` needs a bool, but this is ${typeToString(t.type)}.`, { hint: "compare first, as in `not (x > 0)`; to negate numbers, write `-x`." });
    return apply(ctx, "logical_not", [t], e.span, "`not`");
  }
  if (t.type.dtype === "bool") {
    // Said once; the bool stands in for the result, so later uses are checked as before.
    ctx.error(e.operand.span, "type-mismatch", `\`${e.op}\` needs numbers, but this is bool.`);
    return t;
  }
  return e.op === "+" ? t : apply(ctx, "neg", [t], e.span, "`-`");
}

/** "they differ in the last dimension: N vs N + 1" — the first clash from the right. */
function broadcastClash(a: readonly Dim[], b: readonly Dim[]): string {
  for (let k = 1; k <= Math.min(a.length, b.length); k++) {
    const [da, db] = [a[a.length - k], b[b.length - k]];
    if (!dimEq(da, db) && dimValue(da) !== 1 && dimValue(db) !== 1)
      return `they differ in the ${k === 1 ? "last" : k === 2 ? "second-to-last" : `${k}th-from-last`} dimension: ${dimToString(da)} vs ${dimToString(db)}.`;
  }
  return `the shapes ${shapeToString(a)} and ${shapeToString(b)} do not broadcast.`;
}

/** "`f` is the input declared on line 4", when the expression is a plain name. */
export function originNote(ctx: CheckContext, e: A.Expr, scope: Scope): string[] {
  const b = e.kind === "Name" ? scope.lookup(e.name) : undefined;
  const note = b?.kind === "value" && e.kind === "Name" ? ctx.origin(e.name, b) : undefined;
  return note ? [note] : [];
}

/** The builtin each binary operator is. */
export const BINARY_OP: Record<A.BinaryOp, string> = {
  "+": "add",
  "-": "sub",
  "*": "mul",
  "/": "div",
  "%": "mod",
  "^": "pow",
  "@": "matmul",
  "==": "eq",
  "!=": "ne",
  "<": "lt",
  "<=": "le",
  ">": "gt",
  ">=": "ge",
  and: "logical_and",
  or: "logical_or",
};

const ARITH: ReadonlySet<A.BinaryOp> = new Set(["+", "-", "*", "/", "%", "^"]);

function binaryType(ctx: CheckContext, e: A.Binary, scope: Scope): TExpr | undefined {
  const l = tensorOf(ctx, e.left, scope);
  const r = tensorOf(ctx, e.right, scope);
  if (!l || !r) return undefined;
  const origins = [...originNote(ctx, e.left, scope), ...originNote(ctx, e.right, scope)];
  if (e.op === "@") return apply(ctx, "matmul", [l, r], e.span, "`@`", origins);
  if (typeof broadcastShapes(l.type.shape, r.type.shape) === "string") {
    ctx.error(e.span, "shape-mismatch", `The two sides of \`${e.op}\` have shapes that do not fit together.`, {
      label: `${typeToString(l.type)} ${e.op} ${typeToString(r.type)}`,
      notes: [broadcastClash(l.type.shape, r.type.shape), ...origins],
      hint: "sizes must be equal or 1 in each trailing dimension (NumPy broadcasting).",
    });
    return undefined;
  }
  // A wrong dtype is said once; the op's own rule still gives the result's type, so later
  // uses are checked as they would be.
  const sides = [[e.left, l.type], [e.right, r.type]] as const;
  if (e.op === "and" || e.op === "or") {
    for (const [side, t] of sides)
      if (t.dtype !== "bool") ctx.error(side.span, "type-mismatch", `\`${e.op}\` needs bools, but this is ${typeToString(t)}.`, { hint: "compare first: `x > 0`." });
  } else if (ARITH.has(e.op)) {
    for (const [side, t] of sides)
      if (t.dtype === "bool") ctx.error(side.span, "type-mismatch", `\`${e.op}\` needs numbers, but this is a bool.`, { hint: "turn it into numbers with `where(c, 1, 0)`." });
  }
  return apply(ctx, BINARY_OP[e.op], [l, r], e.span, `\`${e.op}\``);
}

function callType(ctx: CheckContext, e: A.Call, scope: Scope, expected?: TensorT): TExpr | undefined {
  if (e.callee.kind !== "Name") {
    ctx.error(e.callee.span, "not-callable", "Only named operators can be called.", { hint: "give the operator a name with `op name(x) = ...`." });
    return undefined;
  }
  const b = scope.lookup(e.callee.name);
  if (b === undefined) {
    unknownName(ctx, e.callee.name, e.callee.span, scope);
    return undefined;
  }
  return callBinding(ctx, b, e.callee.name, e.args, e.span, scope, expected);
}

export function callBinding(ctx: CheckContext, b: Binding, name: string, args: readonly A.Arg[], span: A.Span, scope: Scope, expected?: TensorT): TExpr | undefined {
  switch (b.kind) {
    case "builtin":
      return builtinCall(ctx, b.spec, args, span, scope, expected);
    case "op":
    case "lambda":
      return checkOpCall(ctx, b, name, args, span, scope);
    case "poisoned":
      return undefined;
    default:
      ctx.error(span, "not-callable", `\`${name}\` is not an operator, so it cannot be called.`, {
        notes: [ctx.origin(name, b) ?? ""].filter(Boolean),
        hint: "to index a tensor, use brackets: `x[i, j]`.",
      });
      return undefined;
  }
}

function diffType(ctx: CheckContext, e: A.Diff, scope: Scope): TExpr | undefined {
  const [f, x, v] = e.args.map((a) => a.value);
  const need = e.mode === "grad" ? 2 : 3;
  if (e.args.length !== need) {
    ctx.error(e.span, "bad-argument", `\`${e.mode}\` takes ${need} arguments: ${e.mode === "grad" ? "`grad(f, x)`" : `\`${e.mode}(f, x, ${e.mode === "jvp" ? "v" : "c"})\``}.`);
    return undefined;
  }
  const fb = f.kind === "Name" ? scope.lookup(f.name) : undefined;
  const callable = f.kind === "Lambda" || fb?.kind === "op" || fb?.kind === "lambda" || fb?.kind === "builtin";
  if (!callable) {
    ctx.error(f.span, "type-mismatch", `The first argument of \`${e.mode}\` must be an operator or a lambda such as \`x => sum(x^2)\`.`);
    return undefined;
  }
  const xt = tensorOf(ctx, x, scope);
  if (!xt) return undefined;
  // f is checked applied to a fresh parameter of x's type: the function autodiff differentiates.
  const param = ctx.sym("%x", xt.type);
  const inner = scope.child();
  inner.define("%x", { kind: "value", name: "%x", type: xt.type, span: x.span, what: "argument", sym: param });
  const body = applyCallable(ctx, f, { kind: "Name", name: "%x", span: x.span }, inner, scope);
  if (!body) return undefined;
  const fx = body.type;
  if (e.mode === "grad") {
    if (fx.tag !== "tensor" || fx.shape.length !== 0) {
      ctx.error(f.span, "shape-mismatch", `\`grad\` needs a function with a scalar result, but this one gives ${typeToString(fx)}.`, { hint: "use `vjp(f, x, c)` for a vector-valued function." });
      return undefined;
    }
    return { k: "diff", mode: "grad", param, body, x: xt, type: xt.type, span: e.span };
  }
  const vt = tensorOf(ctx, v, scope);
  if (!vt) return undefined;
  const want = e.mode === "jvp" ? xt.type : fx;
  if (want.tag === "tensor" && !sameTensorType(vt.type, want)) {
    ctx.error(v.span, "shape-mismatch", `The direction of \`${e.mode}\` must have type ${typeToString(want)}, but it has ${typeToString(vt.type)}.`);
    return undefined;
  }
  if (fx.tag !== "tensor") return undefined;
  return { k: "diff", mode: e.mode, param, body, x: xt, direction: vt, type: e.mode === "jvp" ? fx : xt.type, span: e.span };
}

/** `f` (a name or a lambda, looked up in `fScope`) called on `arg` (looked up in `argScope`). */
function applyCallable(ctx: CheckContext, f: A.Expr, arg: A.Expr, argScope: Scope, fScope: Scope): TExpr | undefined {
  const args: A.Arg[] = [{ kind: "Arg", name: null, value: arg, span: arg.span }];
  if (f.kind === "Lambda") return checkOpCall(ctx, { kind: "lambda", node: f, scope: fScope }, "lambda", args, f.span, argScope);
  const b = f.kind === "Name" ? fScope.lookup(f.name) : undefined;
  return b ? callBinding(ctx, b, (f as A.Name).name, args, f.span, argScope) : undefined;
}

export function sameTensorType(a: TensorT, b: TensorT): boolean {
  return a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => dimEq(d, b.shape[i]));
}

/** Nested number literals, when every item is one (a constant tensor). */
function literalNumbers(e: A.Expr): Literal | undefined {
  if (e.kind === "Number") return e.value;
  if (e.kind === "Unary" && e.op === "-" && e.operand.kind === "Number") return -e.operand.value;
  if (e.kind !== "TensorLit") return undefined;
  const items = e.items.map(literalNumbers);
  return items.every((i) => i !== undefined) ? (items as Literal[]) : undefined;
}

function tensorLitType(ctx: CheckContext, e: A.TensorLit, scope: Scope): TExpr | undefined {
  if (e.items.length === 0) {
    ctx.error(e.span, "empty-tensor", "An empty tensor literal `[]` has no shape.", { hint: "use `zeros(0)` for an empty vector." });
    return undefined;
  }
  const items = e.items.map((i) => tensorOf(ctx, i, scope));
  if (items.some((t) => t === undefined)) return undefined;
  const first = items[0]!.type;
  for (let i = 1; i < items.length; i++)
    if (!sameTensorType(items[i]!.type, first)) {
      ctx.error(e.items[i].span, "shape-mismatch", `The items of a tensor literal must all have one shape: the first is ${typeToString(first)}, this one ${typeToString(items[i]!.type)}.`);
      return undefined;
    }
  const type = tensor(first.dtype, [dimConst(items.length), ...first.shape]);
  const lit = literalNumbers(e);
  if (lit !== undefined) return { k: "const", value: lit, type: tensor("f32", type.shape), span: e.span };
  return { k: "stack", items: items as TTensor[], type, span: e.span };
}

// ---- indexing -------------------------------------------------------------------------------

function indexType(ctx: CheckContext, e: A.Index, scope: Scope): TExpr | undefined {
  const t = tensorOf(ctx, e.target, scope);
  if (!t) return undefined;
  const dynamic = e.indices.filter((i): i is A.Expr => i.kind !== "Slice" && staticEval(i, scope).kind === "error");
  if (dynamic.length === 1) return takeType(ctx, e, t, dynamic[0], scope);
  const sub = subscriptStatics(e.indices, scope);
  if ("error" in sub) {
    ctx.error(sub.span, "not-static", sub.error, { ...(sub.label ? { label: sub.label } : {}), hint: "to pick entries by run-time values, use `where(condition, a, b)`." });
    return undefined;
  }
  const statics = { spec: sub.spec, bounds: sub.bounds };
  const type = builtinShape(ctx, getOp("index"), [t.type], statics, e.span, "", undefined, originNote(ctx, e.target, scope));
  return type && { k: "op", op: "index", args: [t], statics, type, span: e.span };
}

/**
 * `U[k]` with `k` known only when running (a loop counter): the static part of the subscript
 * first, with that axis kept whole, then `take` along it.
 */
function takeType(ctx: CheckContext, e: A.Index, t: TTensor, dyn: A.Expr, scope: Scope): TExpr | undefined {
  const i = tensorOf(ctx, dyn, scope);
  if (!i) return undefined;
  if (i.type.shape.length !== 0 || i.type.dtype === "bool") {
    ctx.error(dyn.span, "not-static", `An index known only when running must be one number, but this is ${typeToString(i.type)}.`, {
      hint: "to pick entries by a mask or by several run-time values, use `where(condition, a, b)`.",
    });
    return undefined;
  }
  const whole: A.Slice = { kind: "Slice", start: null, stop: null, step: null, span: dyn.span };
  const at = e.indices.indexOf(dyn);
  const indices = e.indices.map((x) => (x === dyn ? whole : x));
  const sub = subscriptStatics(indices, scope);
  if ("error" in sub) {
    ctx.error(sub.span, "not-static", sub.error, { ...(sub.label ? { label: sub.label } : {}), hint: "only one index of a subscript may be known only when running." });
    return undefined;
  }
  const statics = { spec: sub.spec, bounds: sub.bounds };
  const sliced = builtinShape(ctx, getOp("index"), [t.type], statics, e.span, "", undefined, originNote(ctx, e.target, scope));
  if (!sliced) return undefined;
  // The axis of the dynamic index in the sliced tensor: one per earlier item that keeps its axis.
  const axis = e.indices.slice(0, at).filter((x) => x.kind === "Slice").length;
  const base: TTensor = { k: "op", op: "index", args: [t], statics, type: sliced, span: e.span };
  const type = builtinShape(ctx, getOp("take"), [sliced, i.type], { axis }, e.span, "");
  return type && { k: "op", op: "take", args: [base, i], statics: { axis }, type, span: e.span };
}
