// The stopping rule of a fixpoint, solve or minimize, read from its `until` clause:
// `residual < 1e-5`, `rel_residual < 1e-6`, or both joined by `or` (a minimize measures the
// gradient: `gnorm`, `rel_gnorm`).
import type * as A from "../../grammar/ast.js";
import type { UntilClause } from "../constructs.js";
import type { Scope } from "./scope.js";
import { asNumber, staticEval } from "./static.js";
import { suggestName } from "../../base/suggest.js";

export type StopResult = UntilClause | { error: string; span: A.Span; hint?: string };

/** The absolute and the relative quantity an `until` clause may test. */
export interface StopNames {
  abs: string;
  rel: string;
}
export const RESIDUAL_NAMES: StopNames = { abs: "residual", rel: "rel_residual" };
export const GRADIENT_NAMES: StopNames = { abs: "gnorm", rel: "rel_gnorm" };

const form = (n: StopNames) => `\`until\` compares \`${n.abs}\` or \`${n.rel}\` with a number, e.g. \`until ${n.abs} < 1e-5\`, joined by \`or\`.`;
const FORM_HINT = "to stop on another condition, write the iteration as a `loop` with `until`.";

export function readStopRule(e: A.Expr, scope: Scope, names: StopNames = RESIDUAL_NAMES): StopResult {
  const FORM = form(names);
  if (e.kind === "Paren") return readStopRule(e.inner, scope, names);
  if (e.kind === "Binary" && e.op === "or") {
    const l = readStopRule(e.left, scope, names);
    if ("error" in l) return l;
    const r = readStopRule(e.right, scope, names);
    if ("error" in r) return r;
    return { ...l, ...r };
  }
  if (e.kind !== "Binary" || (e.op !== "<" && e.op !== "<=") || e.left.kind !== "Name") return { error: FORM, span: e.span, hint: FORM_HINT };
  const which = e.left.name;
  if (which !== names.abs && which !== names.rel) return { error: FORM, span: e.left.span, hint: suggestName(which, [names.abs, names.rel]) ?? FORM_HINT };
  const v = staticEval(e.right, scope);
  const n = v.kind === "error" ? undefined : asNumber(v);
  if (n === undefined || !(n > 0)) return { error: "The tolerance must be a positive number known when compiling.", span: e.right.span };
  return which === names.abs ? { atol: n } : { rtol: n };
}
