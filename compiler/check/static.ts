// Compile-time evaluation of the expressions that must be known before running: sizes
// (`n + 1`, `2 * N`), method options, builtin statics (`center: 4`, `seed: 1`).
import type * as A from "../../grammar/ast.js";
import { type Dim, dimAdd, dimConst, dimDivConst, dimEq, dimMul, dimSub, dimToString, dimValue } from "../shapes.js";
import type { Binding, Scope } from "./scope.js";

export type Static = { kind: "number"; value: number } | { kind: "dim"; value: Dim } | { kind: "string"; value: string } | { kind: "bool"; value: boolean };

/**
 * `symbolic`: known once sizes are concrete (`n <= 3` with `n` a size parameter), so the
 * checker considers both branches of an `if` and lowering decides.
 */
export type StaticResult = Static | { kind: "error"; message: string; span: A.Span } | { kind: "symbolic" };

const err = (span: A.Span, message: string): StaticResult => ({ kind: "error", message, span });

/**
 * An untyped op parameter given a value known when compiling is bound to that value, not to a
 * tensor: a whole number or a size becomes a size (usable as a loop count or in a shape), any
 * other number, a string or a bool a static (usable in `if` and passed on). The key part names
 * the value, so each distinct value is its own instance.
 */
export function staticParam(name: string, e: A.Expr, scope: Scope, span: A.Span): { binding: Binding; key: string } | undefined {
  if (e.kind === "Name" && scope.lookup(e.name) === undefined) return undefined; // an unknown name is reported as such
  const s = staticEval(e, scope);
  if (s.kind === "dim") return { binding: { kind: "dim", name, value: s.value, span }, key: `size ${dimToString(s.value)}` };
  if (s.kind === "number" && Number.isInteger(s.value)) return { binding: { kind: "dim", name, value: dimConst(s.value), span }, key: `${s.value}` };
  if (s.kind === "number" || s.kind === "string" || s.kind === "bool") return { binding: { kind: "static", name, value: s.value, span }, key: JSON.stringify(s.value) };
  return undefined;
}

/** A number or a size as a Dim (numbers must be whole to be sizes). */
export function asDim(s: StaticResult): Dim | undefined {
  if (s.kind === "dim") return s.value;
  if (s.kind === "symbolic" || s.kind === "error") return undefined;
  if (s.kind === "number" && Number.isInteger(s.value)) return dimConst(s.value);
  return undefined;
}

/** A plain number, when the static has one (a size with a known value counts). */
export function asNumber(s: StaticResult): number | undefined {
  if (s.kind === "number") return s.value;
  if (s.kind === "dim") return dimValue(s.value);
  return undefined;
}

export function staticEval(e: A.Expr, scope: Scope): StaticResult {
  switch (e.kind) {
    case "Number":
      return { kind: "number", value: e.value };
    case "String":
      return { kind: "string", value: e.value };
    case "Bool":
      return { kind: "bool", value: e.value };
    case "Paren":
      return staticEval(e.inner, scope);
    case "Name": {
      const b = scope.lookup(e.name);
      if (b?.kind === "dim") {
        const v = dimValue(b.value);
        return v !== undefined ? { kind: "number", value: v } : { kind: "dim", value: b.value };
      }
      if (b?.kind === "static") return typeof b.value === "number" ? { kind: "number", value: b.value } : typeof b.value === "string" ? { kind: "string", value: b.value } : { kind: "bool", value: b.value };
      if (b === undefined) return { kind: "string", value: e.name }; // a bare word: `cycle: V`
      return err(e.span, `\`${e.name}\` is a value computed at run time, but this must be known when compiling (a number or a size).`);
    }
    case "If": {
      const c = staticEval(e.cond, scope);
      if (c.kind === "bool") return staticEval(c.value ? e.then : e.else, scope);
      if (c.kind === "error" || c.kind === "symbolic") return c;
      return err(e.cond.span, "The condition of `if` must be true or false.");
    }
    case "Unary": {
      const v = staticEval(e.operand, scope);
      if (v.kind === "error" || v.kind === "symbolic" || e.op === "+") return v;
      if (e.op === "not") return v.kind === "bool" ? { kind: "bool", value: !v.value } : err(e.span, "`not` needs true or false here.");
      if (v.kind === "number") return { kind: "number", value: -v.value };
      if (v.kind === "dim") return { kind: "dim", value: dimSub(dimConst(0), v.value) };
      return err(e.span, "`-` needs a number here.");
    }
    case "Binary":
      return staticBinary(e, scope);
    default:
      return err(e.span, "this must be known when compiling: a number, a size such as `N + 1`, a string or true/false.");
  }
}

function staticBinary(e: A.Binary, scope: Scope): StaticResult {
  const l = staticEval(e.left, scope);
  if (l.kind === "error") return l;
  const r = staticEval(e.right, scope);
  if (r.kind === "error") return r;
  const logic = staticLogic(e.op, l, r);
  if (logic) return logic;
  if (l.kind === "symbolic" || r.kind === "symbolic") return { kind: "symbolic" };
  if (l.kind === "number" && r.kind === "number") {
    const f = NUMERIC[e.op];
    if (f) return { kind: "number", value: f(l.value, r.value) };
  }
  const a = asDim(l);
  const b = asDim(r);
  if (e.op === "%" && a && b) {
    // `n % 2` of a size: a number once the sizes are known (a cell-centred grid that halves no further).
    const [x, y] = [dimValue(a), dimValue(b)];
    return x !== undefined && y !== undefined && y !== 0 ? { kind: "number", value: x % y } : { kind: "symbolic" };
  }
  if (a && b) {
    if (e.op === "+") return { kind: "dim", value: dimAdd(a, b) };
    if (e.op === "-") return { kind: "dim", value: dimSub(a, b) };
    if (e.op === "*") return { kind: "dim", value: dimMul(a, b) };
    const k = dimValue(b);
    if (e.op === "/" && k !== undefined && k !== 0 && Number.isInteger(k)) return { kind: "dim", value: dimDivConst(a, k) };
  }
  return err(e.span, `\`${e.op}\` cannot be worked out when compiling here; sizes allow +, -, *, division by a whole number and %.`);
}

const COMPARE: Partial<Record<A.BinaryOp, (a: number, b: number) => boolean>> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
};

/** Comparisons, `and`/`or` and string equality; undefined when `op` is arithmetic. */
function staticLogic(op: A.BinaryOp, l: StaticResult, r: StaticResult): StaticResult | undefined {
  if (op === "and" || op === "or") {
    if (l.kind === "bool" && r.kind === "bool") return { kind: "bool", value: op === "and" ? l.value && r.value : l.value || r.value };
    if (l.kind === "bool" && (op === "and" ? !l.value : l.value)) return l; // decided by the left
    return { kind: "symbolic" };
  }
  const cmp = COMPARE[op];
  if (!cmp) return undefined;
  if (l.kind === "string" && r.kind === "string") return { kind: "bool", value: op === "==" ? l.value === r.value : op === "!=" ? l.value !== r.value : cmp(l.value.localeCompare(r.value), 0) };
  const a = asNumber(l);
  const b = asNumber(r);
  if (a !== undefined && b !== undefined) return { kind: "bool", value: cmp(a, b) };
  const da = asDim(l);
  const db = asDim(r);
  if (da && db && (op === "==" || op === "!=") && dimEq(da, db)) return { kind: "bool", value: op === "==" };
  return { kind: "symbolic" };
}

const NUMERIC: Partial<Record<A.BinaryOp, (a: number, b: number) => number>> = {
  "+": (a, b) => a + b,
  "-": (a, b) => a - b,
  "*": (a, b) => a * b,
  "/": (a, b) => a / b,
  "%": (a, b) => a % b,
  "^": (a, b) => a ** b,
};
