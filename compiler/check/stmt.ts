// Statements: `let`, assignments in loop bodies, `return`, and blocks ending in `return`. The
// iterative constructs are in iterative.ts and loop.ts.
import type * as A from "../../grammar/ast.js";
import { type TensorT, type Type, typeToString, typesEqual } from "../types.js";
import { typeFrom } from "./annotations.js";
import type { CheckContext } from "./context.js";
import { definitions } from "./defs.js";
import { describeType, sameTensorType, typeOf } from "./expr.js";
import { checkFixpoint, checkMinimize, checkSolve } from "./iterative.js";
import { checkLoop } from "./loop.js";
import { bindingLine, type Scope } from "./scope.js";

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
    const carried = prev.kind === "value" && prev.what === "carried value";
    ctx.error(id.span, "duplicate-name", `\`${id.name}\` is already defined${line !== undefined ? ` on line ${line}` : ""}.`, {
      hint: carried
        ? `\`${id.name}\` is carried by the loop: give it its next value with \`${id.name} = ...\`, without \`let\`.`
        : "choose another name: values in iterlang are never reassigned (a `loop` carries its names).",
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
  if (!t || !bindsValues(ctx, t, s.value, scope, s.names[0]?.name ?? "x")) {
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
function bindsValues(ctx: CheckContext, t: Type, value: A.Expr, scope: Scope, name: string): boolean {
  const span = value.span;
  if (t.tag === "tensor" || (t.tag === "tuple" && t.items.every((i) => i.tag === "tensor"))) return true;
  if (value.kind === "Name" && scope.lookup(value.name)?.kind === "builtin") {
    ctx.error(span, "type-mismatch", `\`${value.name}\` alone is an operator; a \`let\` names a tensor.`, {
      hint: `call it with sizes, \`${value.name}(N)\`, or give the name a type and \`${value.name}\` takes its shape: \`let ${name}: f32[N] = ${value.name}\`.`,
    });
    return false;
  }
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

