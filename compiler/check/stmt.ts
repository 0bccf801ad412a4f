// Statements: `let`, assignments in loop bodies, `return`, and blocks ending in `return`. The
// iterative constructs are in iterative.ts and loop.ts.
import type * as A from "../../grammar/ast.js";
import { dimToString } from "../shapes.js";
import { type TensorT, type TupleT, type Type, typeToString, typesEqual } from "../types.js";
import type { ReportRef, Sym, TExpr, TStmt } from "../typed/program.js";
import { typeFrom } from "./annotations.js";
import type { CheckContext } from "./context.js";
import { definitions } from "./defs.js";
import { describeType, sameTensorType, typeOf } from "./expr.js";
import { checkFixpoint, checkSolve } from "./iterative.js";
import { checkMinimize } from "./minimize.js";
import { checkLoop } from "./loop.js";
import { bindingLine, type Scope } from "./scope.js";

/** What surrounds a statement: an op/model block may `return`; a loop body may assign. */
export interface BlockKind {
  kind: "top" | "body" | "loop";
  carried?: Map<string, TensorT>;
}

/** A statement checked: a typed statement, the value of a `return`, or nothing (an error). */
export type Checked = { stmt: TStmt } | { ret: TExpr } | undefined;

export function checkBody(ctx: CheckContext, body: A.Body, scope: Scope, owner = "this op"): { stmts: TStmt[]; result: TExpr } | undefined {
  if (body.kind === "ExprBody") {
    const result = typeOf(ctx, body.expr, scope);
    return result && { stmts: [], result };
  }
  scope.expect(definitions(body.stmts));
  const stmts: TStmt[] = [];
  let result: TExpr | undefined;
  let returned = false;
  let ok = true;
  for (const s of body.stmts) {
    if (returned) {
      ctx.error(s.span, "unreachable", "Nothing after `return` is ever computed.", { hint: "move `return` to the end of the block." });
      break;
    }
    const c = checkStmt(ctx, s, scope, { kind: "body" });
    if (c && "stmt" in c) stmts.push(c.stmt);
    else if (c) result = c.ret;
    else ok = false;
    returned = s.kind === "Return";
  }
  if (!returned) missingReturn(ctx, body.span, owner);
  return returned && ok && result ? { stmts, result } : undefined;
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

/**
 * Defines a name for a tensor value and returns its symbol, refusing to redefine one in the
 * same scope (iterations carry names instead).
 */
export function defineValue(ctx: CheckContext, scope: Scope, id: A.Ident, type: TensorT, what: string, report?: ReportRef): Sym {
  const sym = ctx.sym(id.name, type);
  const prev = scope.own(id.name);
  if (prev && prev.kind !== "builtin") {
    const line = bindingLine(prev);
    const carried = prev.kind === "value" && prev.what === "carried value";
    ctx.error(id.span, "duplicate-name", `\`${id.name}\` is already defined${line !== undefined ? ` on line ${line}` : ""}.`, {
      hint: carried
        ? `\`${id.name}\` is carried by the loop: give it its next value with \`${id.name} = ...\`, without \`let\`.`
        : "choose another name: values in iterlang are never reassigned (a `loop` carries its names).",
    });
    return sym;
  }
  scope.define(id.name, { kind: "value", name: id.name, type, span: id.span, what, sym, ...(report ? { report } : {}) });
  return sym;
}

/** Defines a name for a tuple of tensors; returns one symbol per item. */
function defineTuple(ctx: CheckContext, scope: Scope, id: A.Ident, type: TupleT, what: string): Sym[] {
  const syms = type.items.map((t, i) => ctx.sym(`${id.name}.${i}`, t as TensorT));
  if (scope.own(id.name)) defineValue(ctx, scope, id, type.items[0] as TensorT, what); // says it is a duplicate
  else scope.define(id.name, { kind: "tuple", name: id.name, type, span: id.span, what, syms });
  return syms;
}

/** Marks names whose definition failed, so their later uses report nothing more. */
export function poison(scope: Scope, ids: readonly A.Ident[]): void {
  for (const id of ids) if (!scope.own(id.name)) scope.define(id.name, { kind: "poisoned", name: id.name, span: id.span });
}

const asStmt = (stmt: TStmt | undefined): Checked => (stmt ? { stmt } : undefined);

export function checkStmt(ctx: CheckContext, s: A.Stmt, scope: Scope, where: BlockKind): Checked {
  switch (s.kind) {
    case "Let":
      return asStmt(checkLet(ctx, s, scope));
    case "Assign":
      return asStmt(checkAssign(ctx, s, scope, where));
    case "Return": {
      if (where.kind !== "body")
        ctx.error(s.span, "misplaced-return", "`return` only ends the block of an `op` or `model`.", {
          hint: where.kind === "loop" ? "a loop gives back its carried names after the block: `} -> x`." : "name the result with `let` or `export`.",
        });
      const ret = typeOf(ctx, s.value, scope);
      return ret && where.kind === "body" ? { ret } : undefined;
    }
    case "Fixpoint":
      return asStmt(checkFixpoint(ctx, s, scope));
    case "Solve":
      return asStmt(checkSolve(ctx, s, scope));
    case "Minimize":
      return asStmt(checkMinimize(ctx, s, scope));
    case "Loop":
      return asStmt(checkLoop(ctx, s, scope));
  }
}

function checkLet(ctx: CheckContext, s: A.Let, scope: Scope): TStmt | undefined {
  const declared = s.type ? typeFrom(ctx, s.type, scope) : undefined;
  const value = typeOf(ctx, s.value, scope, declared?.tag === "tensor" ? declared : undefined);
  const t = value?.type;
  if (!value || !t || !bindsValues(ctx, t, s, scope)) {
    poison(scope, s.names);
    return undefined;
  }
  if (declared && !typesEqual(declared, t)) {
    ctx.error(s.value.span, "shape-mismatch", `\`${s.names.map((n) => n.name).join(", ")}\` is declared as ${typeToString(declared)}, but the value is ${typeToString(t)}.`);
    poison(scope, s.names);
    return undefined;
  }
  if (s.names.length === 1 && t.tag === "tuple") return { k: "let", syms: defineTuple(ctx, scope, s.names[0], t, "value"), value, span: s.span };
  const types = t.tag === "tuple" ? t.items : [t];
  if (types.length !== s.names.length) {
    ctx.error(s.value.span, "type-mismatch", `This gives ${describeType(t)}, which does not unpack into ${s.names.length} names.`);
    poison(scope, s.names);
    return undefined;
  }
  const syms = s.names.map((n, i) => defineValue(ctx, scope, n, types[i] as TensorT, "value"));
  return { k: "let", syms, value, span: s.span };
}

/** `let` names tensors, or tuples of them (which unpack into as many names). */
function bindsValues(ctx: CheckContext, t: Type, s: A.Let, scope: Scope): boolean {
  const value = s.value;
  const span = value.span;
  const name = s.names[0]?.name ?? "x";
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

function checkAssign(ctx: CheckContext, s: A.Assign, scope: Scope, where: BlockKind): TStmt | undefined {
  const value = typeOf(ctx, s.value, scope);
  const t = value?.type;
  if (where.kind !== "loop" || !where.carried) {
    misplacedAssign(ctx, s, scope);
    return undefined;
  }
  const types = t?.tag === "tuple" ? t.items : [t];
  if (t && types.length !== s.names.length) {
    ctx.error(s.value.span, "type-mismatch", `This gives ${types.length} value${types.length === 1 ? "" : "s"} for ${s.names.length} name${s.names.length === 1 ? "" : "s"}.`);
    return undefined;
  }
  const syms = s.names.map((n, i) => assignCarried(ctx, n, types[i], s.value.span, scope, where.carried!));
  if (!value || syms.some((x) => x === undefined)) return undefined;
  return { k: "assign", syms: syms as Sym[], value, span: s.span };
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

/** The carried name's next value: a new symbol, visible to the rest of the body. */
function assignCarried(ctx: CheckContext, n: A.Ident, got: Type | undefined, valueSpan: A.Span, scope: Scope, carried: Map<string, TensorT>): Sym | undefined {
  const want = carried.get(n.name);
  if (!want && scope.lookup(n.name)?.kind === "poisoned") return undefined;
  if (!want) {
    ctx.error(n.span, "not-carried", `\`${n.name}\` is not carried by this loop, so it cannot be updated.`, {
      hint: `carry it, \`carry (..., ${n.name} = ...)\`, or give the new value a name of its own with \`let\`.`,
    });
    return undefined;
  }
  if (got && (got.tag !== "tensor" || !sameTensorType(got, want))) {
    ctx.error(valueSpan, "shape-mismatch", `\`${n.name}\` is carried as ${typeToString(want)}, but the new value is ${typeToString(got)}.`, {
      label: `this is ${typeToString(got)}`,
      ...growingHint(n.name, want, got),
    });
    return undefined;
  }
  if (!got) return undefined;
  const sym = ctx.sym(n.name, want);
  const prev = scope.lookup(n.name);
  scope.define(n.name, { kind: "value", name: n.name, type: want, span: prev?.kind === "value" ? prev.span : n.span, what: "carried value", sym });
  return sym;
}

/**
 * A carried value keeps one shape: every iteration runs the same compiled body. When the new
 * value only changes a size (a list grown by `concat`), say what to write instead: a tensor of
 * the final size, filled one entry per iteration with `put` and read with `U[k]`.
 */
function growingHint(name: string, want: TensorT, got: Type): { hint: string; notes?: string[] } {
  const base = "a carried value keeps its type and shape in every iteration: each iteration runs the same compiled body.";
  if (got.tag !== "tensor" || got.dtype !== want.dtype || got.shape.length !== want.shape.length || want.shape.length === 0) return { hint: base };
  const rest = want.shape.slice(1).map((d) => dimToString(d));
  const final = ["K", ...rest].join(", ");
  return {
    notes: [base],
    hint: `to collect one entry per iteration, carry the whole result at its final size and write entry k of \`loop k < K\`: \`carry (${name} = zeros(${final}))\` and \`${name} = put(${name}, k, value)\`; read entry k back with \`${name}[k]\`.`,
  };
}
