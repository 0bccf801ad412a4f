// `a[i, 1:N, ::2]` as the `index` builtin's statics (spec "#, #:#, ::#" and its bounds), so
// the checker and lowering share one shape rule: the builtin's own (compiler/ops/layout.ts).
import type * as A from "../../grammar/ast.js";
import type { Dim } from "../shapes.js";
import type { Scope } from "./scope.js";
import { asDim, staticEval } from "./static.js";

export type Subscript = { spec: string; bounds: Dim[] } | { error: string; span: A.Span; label?: string };

export function subscriptStatics(indices: readonly (A.Expr | A.Slice)[], scope: Scope): Subscript {
  const bounds: Dim[] = [];
  const bound = (e: A.Expr | null): string | { error: string; span: A.Span; label?: string } => {
    if (e === null) return "";
    const s = staticEval(e, scope);
    const d = asDim(s);
    if (!d)
      return {
        error: "An index or slice bound must be known when compiling: a whole number, or a size such as `N - 1`.",
        span: e.span,
        label: s.kind === "number" ? `this is ${s.value}` : e.kind === "Name" ? `\`${e.name}\` is computed at run time` : "this is computed at run time",
      };
    bounds.push(d);
    return "#";
  };
  const axes: string[] = [];
  for (const item of indices) {
    const parts = item.kind === "Slice" ? [item.start, item.stop, ...(item.step ? [item.step] : [])] : [item];
    const texts: string[] = [];
    for (const p of parts) {
      const t = bound(p);
      if (typeof t !== "string") return t;
      texts.push(t);
    }
    axes.push(texts.join(":"));
  }
  return { spec: axes.join(", "), bounds };
}
