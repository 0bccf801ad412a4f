// Type annotations as written (`f32[N, n + 1]`) to checked types. Names in a shape are sizes:
// declared `dim`s, or — where a declaration may introduce them — new size parameters
// (`op A(u: f32[n, n])` binds `n` at each call; `input A: f32[n, n]` binds it from the data).
import type * as A from "../../grammar/ast.js";
import { type Dim, dimSym } from "../shapes.js";
import { suggestName } from "../../base/suggest.js";
import { tensor, type Type } from "../types.js";
import type { CheckContext } from "./context.js";
import type { Scope } from "./scope.js";
import { asDim, staticEval } from "./static.js";

/** Where new size names may appear, and what has been introduced so far. */
export interface SizeNames {
  allowNew: boolean;
  introduced: Map<string, A.Span>;
  /** A name declared further down (`dim N` after `input x: f32[N]`) is not a new size. */
  respectLater?: boolean;
}

/** Every name used in a dimension expression. */
function namesIn(e: A.Expr, out: A.Name[] = []): A.Name[] {
  if (e.kind === "Name") out.push(e);
  else if (e.kind === "Binary") (namesIn(e.left, out), namesIn(e.right, out));
  else if (e.kind === "Unary") namesIn(e.operand, out);
  else if (e.kind === "Paren") namesIn(e.inner, out);
  return out;
}

export function dimOf(ctx: CheckContext, e: A.Expr, scope: Scope, sizes: SizeNames): Dim | undefined {
  const local = scope.child();
  for (const n of namesIn(e)) {
    const b = scope.lookup(n.name);
    if (b?.kind === "dim" || local.own(n.name)) continue;
    const later = scope.later(n.name);
    if (b === undefined && (sizes.allowNew || sizes.introduced.has(n.name)) && !(sizes.respectLater && later?.kind === "dim")) {
      if (!sizes.introduced.has(n.name)) sizes.introduced.set(n.name, n.span);
      local.define(n.name, { kind: "dim", name: n.name, value: dimSym(n.name), span: n.span });
      continue;
    }
    if (b === undefined) unknownSize(ctx, n, scope);
    else if (b.kind !== "poisoned") ctx.error(n.span, "not-a-size", `\`${n.name}\` is not a size, so it cannot be part of a shape.`, { notes: [ctx.origin(n.name, b) ?? ""].filter(Boolean) });
    return undefined;
  }
  const s = staticEval(e, local);
  const d = s.kind === "error" ? undefined : asDim(s);
  if (!d) ctx.error(e.span, "bad-shape", "A dimension must be a whole number or a size expression such as `N + 1`, `2 * n` or `N / 2`.");
  return d;
}

function unknownSize(ctx: CheckContext, n: A.Name, scope: Scope): void {
  const later = scope.later(n.name);
  if (later?.kind === "dim")
    ctx.error(n.span, "used-before-definition", `The size \`${n.name}\` is used before it is declared.`, {
      label: "used here",
      notes: [`\`${n.name}\` is declared on line ${later.span.start.line}.`],
      hint: `move \`dim ${n.name}\` above this line.`,
    });
  else
    ctx.error(n.span, "unknown-name", `I don't know the size \`${n.name}\`.`, {
      hint: suggestName(n.name, scope.visibleNames(true)) ?? `declare it with \`dim ${n.name} = ...\`, or take it from an input's shape.`,
    });
}

export function typeFrom(ctx: CheckContext, t: A.TypeExpr, scope: Scope, sizes: SizeNames = { allowNew: false, introduced: new Map() }): Type | undefined {
  switch (t.kind) {
    case "TensorType": {
      if (t.shape === null) return tensor(t.dtype, []);
      const dims = t.shape.map((d) => dimOf(ctx, d, scope, sizes));
      return dims.every((d) => d !== undefined) ? tensor(t.dtype, dims as Dim[]) : undefined;
    }
    case "TupleType": {
      const items = t.items.map((i) => typeFrom(ctx, i, scope, sizes));
      return items.every((i) => i !== undefined) ? { tag: "tuple", items: items as Type[] } : undefined;
    }
    case "OpType":
      return { tag: "op", name: "op" };
  }
}
