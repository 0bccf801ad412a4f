// The stopping rule of a fixpoint or solve, read from its `until` clause:
// `residual < 1e-5`, `rel_residual < 1e-6`, or both joined by `or`.
import type * as A from "../../grammar/ast.js";
import type { UntilClause } from "../constructs.js";
import type { Scope } from "./scope.js";
import { asNumber, staticEval } from "./static.js";
import { suggestName } from "../../base/suggest.js";

export type StopResult = UntilClause | { error: string; span: A.Span; hint?: string };

const FORM = "`until` compares `residual` or `rel_residual` with a number, e.g. `until residual < 1e-5`, joined by `or`.";
const FORM_HINT = "to stop on another condition, write the iteration as a `loop` with `until`.";

export function readStopRule(e: A.Expr, scope: Scope): StopResult {
  if (e.kind === "Paren") return readStopRule(e.inner, scope);
  if (e.kind === "Binary" && e.op === "or") {
    const l = readStopRule(e.left, scope);
    if ("error" in l) return l;
    const r = readStopRule(e.right, scope);
    if ("error" in r) return r;
    return { ...l, ...r };
  }
  if (e.kind !== "Binary" || (e.op !== "<" && e.op !== "<=") || e.left.kind !== "Name") return { error: FORM, span: e.span, hint: FORM_HINT };
  const which = e.left.name;
  if (which !== "residual" && which !== "rel_residual") return { error: FORM, span: e.left.span, hint: suggestName(which, ["residual", "rel_residual"]) ?? FORM_HINT };
  const v = staticEval(e.right, scope);
  const n = v.kind === "error" ? undefined : asNumber(v);
  if (n === undefined || !(n > 0)) return { error: "The tolerance must be a positive number known when compiling.", span: e.right.span };
  return which === "residual" ? { atol: n } : { rtol: n };
}
