// Expressions to IR, with every size concrete. The checker has accepted the program, so a
// shape problem here is a bug — except the few that only concrete sizes reveal (LowerError).
import type * as A from "../../grammar/ast.js";
import { InternalError } from "../../base/diagnostics.js";
import type { Attr, Value } from "../ir/ir.js";
import type { OpRecord } from "../ops/index.js";
import { type Dim, dimSymbols, dimToString, dimValue } from "../shapes.js";
import { scalar, shapeOf, tensor, type TensorT } from "../types.js";
import { bindArgs } from "../check/args.js";
import type { Binding, Scope } from "../check/scope.js";
import { asDim, asNumber, staticEval } from "../check/static.js";
import { subscriptStatics } from "../check/subscript.js";
import { LowerError } from "./context.js";
import { callOperator } from "./call.js";
import type { Lowering } from "./lowering.js";

export type Lowered = Value | Value[];

const BINARY_BUILTIN: Record<A.BinaryOp, string> = {
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

export function single(l: Lowered, span: A.Span): Value {
  if (Array.isArray(l)) throw new LowerError("I expected one tensor here, but this is a tuple.", span);
  return l;
}

function concrete(d: Dim, span: A.Span): number {
  const v = dimValue(d);
  if (v === undefined) {
    const name = [...dimSymbols(d)][0] ?? "N";
    const err = new LowerError(`The size \`${dimToString(d)}\` has no value yet.`, span, `give it one with \`dim ${name} = ...\` or \`--set ${name}=...\`.`);
    err.undecided = true;
    throw err;
  }
  if (!Number.isInteger(v)) throw new LowerError(`This size works out to ${v}, which is not a whole number.`, span, "choose sizes that divide exactly (e.g. an odd N for N / 2 + 1/2 shapes).");
  return v;
}

export function constant(L: Lowering, value: number, dtype: "f32" | "bool" = "f32", span?: A.Span): Value {
  return L.fn.emit("const", [], { value }, [scalar(dtype)], span ? { span } : {})[0];
}

export function lowerExpr(L: Lowering, e: A.Expr, scope: Scope, expected?: TensorT): Lowered {
  switch (e.kind) {
    case "Number":
      return constant(L, e.value, "f32", e.span);
    case "Bool":
      return constant(L, e.value ? 1 : 0, "bool", e.span);
    case "Paren":
      return lowerExpr(L, e.inner, scope, expected);
    case "Name":
      return lowerName(L, e, scope, expected);
    case "Unary": {
      const x = single(lowerExpr(L, e.operand, scope), e.operand.span);
      if (e.op === "+") return x;
      return L.fn.builtin(e.op === "-" ? "neg" : "logical_not", [x], {}, e.span);
    }
    case "Binary": {
      const l = single(lowerExpr(L, e.left, scope), e.left.span);
      const r = single(lowerExpr(L, e.right, scope), e.right.span);
      return L.fn.builtin(BINARY_BUILTIN[e.op], [l, r], {}, e.span);
    }
    case "Call":
      return lowerCall(L, e, scope, expected);
    case "Index":
      return lowerIndex(L, e, scope);
    case "TensorLit":
      return lowerTensorLit(L, e, scope);
    case "Tuple":
      return e.items.map((i) => single(lowerExpr(L, i, scope), i.span));
    case "If": {
      const c = staticEval(e.cond, scope);
      if (c.kind !== "bool") throw new InternalError("an `if` condition is not decided once sizes are concrete");
      return lowerExpr(L, c.value ? e.then : e.else, scope, expected);
    }
    case "Diff":
      throw new LowerError(`\`${e.mode}\` is checked but cannot run yet: automatic differentiation comes with the autodiff passes (planned).`, e.span);
    case "String":
    case "Member":
    case "Range":
    case "Lambda":
      throw new InternalError(`a ${e.kind} reached lowering in value position`);
  }
}

function lowerName(L: Lowering, e: A.Name, scope: Scope, expected?: TensorT): Lowered {
  const b = scope.lookup(e.name);
  if (b?.kind === "value" && b.ir !== undefined) return b.ir;
  if (b?.kind === "dim") return constant(L, concrete(b.value, e.span), "f32", e.span);
  if (b?.kind === "static" && typeof b.value !== "string") return constant(L, Number(b.value), typeof b.value === "boolean" ? "bool" : "f32", e.span);
  if (b?.kind === "builtin" && expected) return lowerBuiltin(L, b.spec, [], e.span, scope, expected);
  throw new InternalError(`the name \`${e.name}\` has no value in lowering (${b?.kind ?? "unbound"})`);
}

function lowerCall(L: Lowering, e: A.Call, scope: Scope, expected?: TensorT): Lowered {
  const b = e.callee.kind === "Name" ? scope.lookup(e.callee.name) : undefined;
  if (!b) throw new InternalError("a call of an unknown name reached lowering");
  return lowerCallOf(L, b, e.args, e.span, scope, expected);
}

export function lowerCallOf(L: Lowering, b: Binding, args: readonly A.Arg[], span: A.Span, scope: Scope, expected?: TensorT): Lowered {
  if (b.kind === "builtin") return lowerBuiltin(L, b.spec, args, span, scope, expected);
  if (b.kind === "op" || b.kind === "lambda") return callOperator(L, b, args, span, scope);
  throw new InternalError(`a call of a ${b.kind} reached lowering`);
}

/** The concrete value of a static argument, in the form the builtin's rules take. */
function staticArg(kind: string, e: A.Expr, scope: Scope): Attr {
  const s = staticEval(e, scope);
  if (s.kind === "error") throw new LowerError(s.message, s.span);
  if (s.kind === "symbolic") throw new InternalError("a static argument is still symbolic after sizes became concrete");
  if (kind === "int") return concrete(asDim(s) ?? (() => { throw new LowerError("This must be a whole number.", e.span); })(), e.span);
  if (kind === "float") return asNumber(s) ?? 0;
  return s.kind === "dim" ? concrete(s.value, e.span) : s.value;
}

export function lowerBuiltin(L: Lowering, spec: OpRecord, args: readonly A.Arg[], span: A.Span, scope: Scope, expected?: TensorT): Value {
  const params = spec.params.map((p) => ({ name: p.name, optional: p.default !== undefined || p.kind === "dims", rest: p.kind === "dims" }));
  const bound = bindArgs(params, args, span, `\`${spec.name}\``);
  if (bound.errors.length) throw new InternalError(`arguments of \`${spec.name}\` were accepted by the checker but not by lowering`);
  const inputs: Value[] = [];
  const statics: Record<string, Attr> = {};
  for (const p of spec.params) {
    const given = bound.byName.get(p.name);
    if (p.kind === "tensor") {
      if (given) inputs.push(single(lowerExpr(L, given[0], scope), given[0].span));
    } else if (p.kind === "dims") statics[p.name] = (given ?? []).map((g) => staticArg("int", g, scope) as number);
    else statics[p.name] = given ? staticArg(p.kind, given[0], scope) : (p.default ?? null);
  }
  // Creators (builtins of no tensor) given no sizes take the expected shape (`init zeros`,
  // `param W: ... init glorot`), so the op's statics alone describe its result.
  const dimsParam = spec.params.find((p) => p.kind === "dims");
  const creator = spec.params.every((p) => p.kind !== "tensor");
  if (expected && creator && dimsParam && (statics[dimsParam.name] as number[]).length === 0)
    statics[dimsParam.name] = expected.shape.map((d) => concrete(d, span));
  return L.fn.builtin(spec.name, inputs, statics, span);
}

function lowerIndex(L: Lowering, e: A.Index, scope: Scope): Value {
  const x = single(lowerExpr(L, e.target, scope), e.target.span);
  const sub = subscriptStatics(e.indices, scope);
  if ("error" in sub) throw new LowerError(sub.error, sub.span);
  return L.fn.builtin("index", [x], { spec: sub.spec, bounds: sub.bounds.map((d) => concrete(d, e.span)) }, e.span);
}

/** Nested number literals become one constant; anything else is stacked item by item. */
function literalNumbers(e: A.Expr): number[] | number | undefined {
  if (e.kind === "Number") return e.value;
  if (e.kind === "Unary" && e.op === "-" && e.operand.kind === "Number") return -e.operand.value;
  if (e.kind !== "TensorLit") return undefined;
  const items = e.items.map(literalNumbers);
  return items.every((i) => i !== undefined) ? (items as number[]) : undefined;
}

function literalShape(v: number[] | number): number[] {
  return Array.isArray(v) ? [v.length, ...literalShape(v[0] as unknown as number[] | number)] : [];
}

function lowerTensorLit(L: Lowering, e: A.TensorLit, scope: Scope): Value {
  const lit = literalNumbers(e);
  if (lit !== undefined) {
    return L.fn.emit("const", [], { value: lit as Attr }, [tensor("f32", shapeOf(...literalShape(lit)))], { span: e.span })[0];
  }
  // `stack` and `concat` are binary: give each item a leading axis of 1 and concatenate.
  const rows = e.items.map((i) => {
    const v = single(lowerExpr(L, i, scope), i.span);
    const dims = v.type.shape.map((d) => concrete(d, i.span));
    return L.fn.builtin("reshape", [v], { dims: [1, ...dims] }, i.span);
  });
  return rows.slice(1).reduce((acc, r) => L.fn.builtin("concat", [acc, r], { axis: 0 }, e.span), rows[0]);
}

