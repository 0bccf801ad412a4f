// Types and shapes of expressions. Every function returns the inferred type, or undefined
// after reporting why there is none (so one mistake is reported once, not at every use).
import type * as A from "../../grammar/ast.js";
import { getOp } from "../ops/index.js";
import { type Dim, dimConst, dimEq, dimToString, dimValue } from "../shapes.js";
import { suggestName } from "../../base/suggest.js";
import { broadcastShapes, typesEqual, scalar, shapeToString, type TensorT, tensor, type Type, typeToString } from "../types.js";
import { builtinShape, builtinType } from "./builtins.js";
import type { CheckContext } from "./context.js";
import { checkOpCall } from "./ops.js";
import type { Binding, Scope } from "./scope.js";
import { staticEval } from "./static.js";
import { subscriptStatics } from "./subscript.js";

export function typeOf(ctx: CheckContext, e: A.Expr, scope: Scope, expected?: TensorT): Type | undefined {
  switch (e.kind) {
    case "Number":
      return scalar("f32");
    case "String":
      return { tag: "string" };
    case "Bool":
      return scalar("bool");
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
      ctx.error(e.field.span, "not-yet", `Fields such as \`.${e.field.name}\` are not available yet.`, {
        hint: "convergence reports are printed by `iterc run` and returned by the API; reading them in the language is planned.",
      });
      return undefined;
    case "TensorLit":
      return tensorLitType(ctx, e, scope);
    case "Tuple": {
      const items = e.items.map((i) => typeOf(ctx, i, scope));
      return items.every((t) => t !== undefined) ? { tag: "tuple", items: items as Type[] } : undefined;
    }
    case "Range":
      ctx.error(e.span, "range-misplaced", "A range `a..b` only selects columns in a `data` declaration.", { hint: "to slice a tensor, write `x[a:b]`." });
      return undefined;
    case "Lambda":
      return { tag: "op", name: "lambda" };
    case "If":
      return ifType(ctx, e, scope, expected);
  }
}

/**
 * `if c then a else b` is decided when compiling: with the condition known, only the chosen
 * branch is checked (the other may not fit these sizes, as at the end of a recursion); with
 * it depending on sizes not yet known, both are, and they must agree.
 */
function ifType(ctx: CheckContext, e: A.If, scope: Scope, expected?: TensorT): Type | undefined {
  const c = staticEval(e.cond, scope);
  if (c.kind === "error" || (c.kind !== "bool" && c.kind !== "symbolic")) {
    ctx.error(e.cond.span, "not-static", "`if` chooses when compiling, so its condition must be known then: sizes, numbers, strings and true/false.", {
      hint: "to choose element by element at run time, write `where(condition, a, b)`.",
    });
    return undefined;
  }
  if (c.kind === "bool") return typeOf(ctx, c.value ? e.then : e.else, scope, expected);
  const a = typeOf(ctx, e.then, scope, expected);
  const b = typeOf(ctx, e.else, scope, expected);
  if (a && b && !typesEqual(a, b)) {
    ctx.error(e.span, "type-mismatch", `The two branches of \`if\` must have one type: ${typeToString(a)} and ${typeToString(b)}.`);
    return undefined;
  }
  return a && b ? a : undefined;
}

/** The type of an expression that must be a tensor; reports what it is otherwise. */
export function tensorOf(ctx: CheckContext, e: A.Expr, scope: Scope, expected?: TensorT): TensorT | undefined {
  const t = typeOf(ctx, e, scope, expected);
  if (t === undefined) return undefined;
  if (t.tag === "tensor") return t;
  ctx.error(e.span, "type-mismatch", `I expected a tensor here, but this is ${describeType(t)}.`);
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

function nameType(ctx: CheckContext, e: A.Name, scope: Scope, expected?: TensorT): Type | undefined {
  const b = scope.lookup(e.name);
  if (b === undefined) {
    unknownName(ctx, e.name, e.span, scope);
    return undefined;
  }
  switch (b.kind) {
    case "value":
      return b.type;
    case "dim":
      return scalar("f32"); // a size used as a number, e.g. `(n + 1)^2`
    case "builtin":
      // A bare creator in an initialiser position: `init zeros`, `param W: ... init glorot`.
      if (expected) return builtinType(ctx, b.spec, [], e.span, scope, expected);
      return { tag: "op", name: e.name };
    case "op":
    case "lambda":
      return { tag: "op", name: e.name };
    case "data":
      ctx.error(e.span, "type-mismatch", `\`${e.name}\` is a data set; it is used by \`train ... on ${e.name}\`.`);
      return undefined;
    case "poisoned":
      return undefined;
    case "static":
      return typeof b.value === "string" ? { tag: "string" } : scalar(typeof b.value === "boolean" ? "bool" : "f32");
  }
}

function unaryType(ctx: CheckContext, e: A.Unary, scope: Scope): Type | undefined {
  const t = tensorOf(ctx, e.operand, scope);
  if (!t) return undefined;
  if (e.op === "not") {
    if (t.dtype !== "bool") ctx.error(e.operand.span, "type-mismatch", `\`not\` needs a bool, but this is ${typeToString(t)}.`, { hint: "compare first, as in `not (x > 0)`; to negate numbers, write `-x`." });
    return tensor("bool", t.shape);
  }
  if (t.dtype === "bool") ctx.error(e.operand.span, "type-mismatch", `\`${e.op}\` needs numbers, but this is bool.`);
  return t;
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

const ARITH: ReadonlySet<A.BinaryOp> = new Set(["+", "-", "*", "/", "%", "^"]);
const COMPARE: ReadonlySet<A.BinaryOp> = new Set(["==", "!=", "<", "<=", ">", ">="]);

function binaryType(ctx: CheckContext, e: A.Binary, scope: Scope): Type | undefined {
  const l = tensorOf(ctx, e.left, scope);
  const r = tensorOf(ctx, e.right, scope);
  if (!l || !r) return undefined;
  const origins = [...originNote(ctx, e.left, scope), ...originNote(ctx, e.right, scope)];
  if (e.op === "@") return builtinShape(ctx, getOp("matmul"), [l, r], {}, e.span, "`@`", undefined, origins);
  const shape = broadcastShapes(l.shape, r.shape);
  if (typeof shape === "string") {
    ctx.error(e.span, "shape-mismatch", `The two sides of \`${e.op}\` have shapes that do not fit together.`, {
      label: `${typeToString(l)} ${e.op} ${typeToString(r)}`,
      notes: [broadcastClash(l.shape, r.shape), ...origins],
      hint: "sizes must be equal or 1 in each trailing dimension (NumPy broadcasting).",
    });
    return undefined;
  }
  if (e.op === "and" || e.op === "or") {
    for (const [side, t] of [[e.left, l], [e.right, r]] as const)
      if (t.dtype !== "bool") ctx.error(side.span, "type-mismatch", `\`${e.op}\` needs bools, but this is ${typeToString(t)}.`, { hint: "compare first: `x > 0`." });
    return tensor("bool", shape);
  }
  if (COMPARE.has(e.op)) return tensor("bool", shape);
  if (ARITH.has(e.op)) {
    for (const [side, t] of [[e.left, l], [e.right, r]] as const)
      if (t.dtype === "bool") ctx.error(side.span, "type-mismatch", `\`${e.op}\` needs numbers, but this is a bool.`, { hint: "turn it into numbers with `where(c, 1, 0)`." });
    const dtype = l.dtype === "i32" && r.dtype === "i32" && e.op !== "/" && e.op !== "^" ? "i32" : "f32";
    return tensor(dtype, shape);
  }
  return undefined;
}

function callType(ctx: CheckContext, e: A.Call, scope: Scope, expected?: TensorT): Type | undefined {
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

export function callBinding(
  ctx: CheckContext,
  b: Binding,
  name: string,
  args: readonly A.Arg[],
  span: A.Span,
  scope: Scope,
  expected?: TensorT,
): Type | undefined {
  switch (b.kind) {
    case "builtin":
      return builtinType(ctx, b.spec, args, span, scope, expected);
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

function diffType(ctx: CheckContext, e: A.Diff, scope: Scope): Type | undefined {
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
  const fx = applyCallable(ctx, f, [x], scope);
  if (!fx) return undefined;
  if (e.mode === "grad") {
    if (fx.tag !== "tensor" || fx.shape.length !== 0) {
      ctx.error(f.span, "shape-mismatch", `\`grad\` needs a function with a scalar result, but this one gives ${typeToString(fx)}.`, { hint: "use `vjp(f, x, c)` for a vector-valued function." });
      return undefined;
    }
    return xt;
  }
  const vt = tensorOf(ctx, v, scope);
  if (!vt) return undefined;
  const want = e.mode === "jvp" ? xt : fx;
  if (want.tag === "tensor" && !sameTensorType(vt, want))
    ctx.error(v.span, "shape-mismatch", `The direction of \`${e.mode}\` must have type ${typeToString(want)}, but it has ${typeToString(vt)}.`);
  return e.mode === "jvp" ? fx : xt;
}

/** The result type of calling `f` (a name or a lambda) on the given argument expressions. */
function applyCallable(ctx: CheckContext, f: A.Expr, args: A.Expr[], scope: Scope): Type | undefined {
  const asArgs = args.map((value): A.Arg => ({ kind: "Arg", name: null, value, span: value.span }));
  if (f.kind === "Lambda") return checkOpCall(ctx, { kind: "lambda", node: f, scope }, "lambda", asArgs, f.span, scope);
  const b = f.kind === "Name" ? scope.lookup(f.name) : undefined;
  return b ? callBinding(ctx, b, (f as A.Name).name, asArgs, f.span, scope) : undefined;
}

export function sameTensorType(a: TensorT, b: TensorT): boolean {
  return a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => dimEq(d, b.shape[i]));
}

function tensorLitType(ctx: CheckContext, e: A.TensorLit, scope: Scope): TensorT | undefined {
  if (e.items.length === 0) {
    ctx.error(e.span, "empty-tensor", "An empty tensor literal `[]` has no shape.", { hint: "use `zeros(0)` for an empty vector." });
    return undefined;
  }
  const items = e.items.map((i) => tensorOf(ctx, i, scope));
  if (items.some((t) => t === undefined)) return undefined;
  const first = items[0]!;
  for (let i = 1; i < items.length; i++)
    if (!sameTensorType(items[i]!, first)) {
      ctx.error(e.items[i].span, "shape-mismatch", `The items of a tensor literal must all have one shape: the first is ${typeToString(first)}, this one ${typeToString(items[i]!)}.`);
      return undefined;
    }
  return tensor(first.dtype, [dimConst(items.length), ...first.shape]);
}

// ---- indexing -------------------------------------------------------------------------------

function indexType(ctx: CheckContext, e: A.Index, scope: Scope): TensorT | undefined {
  const t = tensorOf(ctx, e.target, scope);
  if (!t) return undefined;
  const sub = subscriptStatics(e.indices, scope);
  if ("error" in sub) {
    ctx.error(sub.span, "not-static", sub.error, { ...(sub.label ? { label: sub.label } : {}), hint: "to pick entries by run-time values, use `where(condition, a, b)`." });
    return undefined;
  }
  return builtinShape(ctx, getOp("index"), [t], { spec: sub.spec, bounds: sub.bounds }, e.span, "", undefined, originNote(ctx, e.target, scope));
}

