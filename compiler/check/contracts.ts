// `check` contracts. They become property tests later (planned), so today they are checked
// for what can be known now: a bool condition, or a known contract call whose operator
// exists and whose static options are numbers; names inside lambdas are checked to exist.
import type * as A from "../../grammar/ast.js";
import { bindArgs } from "./args.js";
import type { CheckContext } from "./context.js";
import { typeToString } from "../types.js";
import { tensorOf, unknownName } from "./expr.js";
import type { Scope } from "./scope.js";
import { asNumber, staticEval } from "./static.js";
import { suggestName } from "../../base/suggest.js";

/** Each contract: its parameters; `T` takes an operator, the others numbers. */
const CONTRACTS: Record<string, { name: string; optional: boolean }[]> = {
  contractive: [
    { name: "T", optional: false },
    { name: "below", optional: false },
  ],
};

const FORM = "A contract is a true/false condition, such as `check fro(W) < 1`, or a contract call, such as `check contractive(T, below: 1)`.";

export function checkContract(ctx: CheckContext, d: A.CheckDecl, scope: Scope): void {
  ctx.warn(d.span, "planned", "`check` contracts are parsed but not yet turned into property tests (planned).");
  const e = d.contract;
  const callee = e.kind === "Call" && e.callee.kind === "Name" && scope.lookup(e.callee.name) === undefined ? e.callee : undefined;
  if (e.kind === "Call" && callee) return contractCall(ctx, e, callee, scope);
  const t = tensorOf(ctx, e, scope)?.type;
  if (t && (t.dtype !== "bool" || t.shape.length !== 0)) ctx.error(e.span, "type-mismatch", `${FORM.slice(0, -1)}; this is ${typeToString(t)}.`);
}

function contractCall(ctx: CheckContext, e: A.Call, callee: A.Name, scope: Scope): void {
  const params = CONTRACTS[callee.name];
  if (!params) {
    const near = suggestName(callee.name, Object.keys(CONTRACTS));
    if (near) ctx.error(callee.span, "unknown-contract", `There is no contract \`${callee.name}\`.`, { hint: near });
    else unknownName(ctx, callee.name, callee.span, scope);
    return;
  }
  const bound = bindArgs(params, e.args, e.span, `\`${callee.name}\``, "argument");
  for (const err of bound.errors) ctx.error(err.span, "bad-argument", err.message, err.hint ? { hint: err.hint } : {});
  for (const [name, [value]] of bound.byName) {
    if (name === "T") checkOperatorNames(ctx, value, scope);
    else if (!isStaticNumber(value, scope))
      ctx.error(value.span, "not-static", `\`${name}\` of \`${callee.name}\` must be a number known when compiling.`);
  }
}

function isStaticNumber(e: A.Expr, scope: Scope): boolean {
  const v = staticEval(e, scope);
  return v.kind !== "error" && asNumber(v) !== undefined;
}

/** An operator argument: an op's name, or a lambda whose free names all exist. */
function checkOperatorNames(ctx: CheckContext, e: A.Expr, scope: Scope): void {
  if (e.kind === "Lambda") return freeNames(ctx, e.body, scope, new Set(e.params.map((p) => p.name.name)));
  const b = e.kind === "Name" ? scope.lookup(e.name) : undefined;
  if (e.kind === "Name" && !b) return unknownName(ctx, e.name, e.span, scope);
  if (!b || (b.kind !== "op" && b.kind !== "builtin" && b.kind !== "lambda" && b.kind !== "poisoned"))
    ctx.error(e.span, "type-mismatch", "I expected an operator here: an op's name or a lambda such as `z => tanh(W @ z)`.");
}

/** Reports names used in `e` that are neither bound in `scope` nor lambda parameters. */
function freeNames(ctx: CheckContext, e: A.Expr, scope: Scope, bound: Set<string>): void {
  const walk = (x: A.Expr | A.Slice | null): void => freeNames(ctx, x as A.Expr, scope, bound);
  switch (e?.kind) {
    case "Name":
      if (!bound.has(e.name) && !scope.lookup(e.name)) unknownName(ctx, e.name, e.span, scope);
      return;
    case "Lambda":
      return freeNames(ctx, e.body, scope, new Set([...bound, ...e.params.map((p) => p.name.name)]));
    case "Unary":
      return walk(e.operand);
    case "Binary":
      return (walk(e.left), walk(e.right));
    case "Paren":
      return walk(e.inner);
    case "Call":
      return (walk(e.callee), e.args.forEach((a) => walk(a.value)));
    case "Diff":
      return e.args.forEach((a) => walk(a.value));
    case "Index":
      return (walk(e.target), e.indices.forEach((i) => (i.kind === "Slice" ? [i.start, i.stop, i.step].forEach((p) => p && walk(p)) : walk(i))));
    case "TensorLit":
    case "Tuple":
      return e.items.forEach(walk);
    default:
      return;
  }
}
