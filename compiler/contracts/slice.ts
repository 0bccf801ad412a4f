// The part of a program a contract needs: the declarations that define, directly or through
// others, every name the contract mentions. A contract about an op does not run the program's
// solves; one about a solve runs that solve and what it reads. `use` and `dim` are always kept;
// `check`, `data`, `train` and plain `export`s are dropped; `export e = v` becomes `let e = v`.
import type * as A from "../../grammar/ast.js";
import { namesIn } from "./template.js";

function definedBy(d: A.Decl): string[] {
  switch (d.kind) {
    case "Let":
      return d.names.map((n) => n.name);
    case "Input":
    case "ParamDecl":
    case "Op":
    case "Model":
      return [d.name.name];
    case "Export":
      return d.value ? [d.name.name] : [];
    case "Fixpoint":
      return [d.target.name];
    case "Solve":
    case "Minimize":
      return [d.unknown.name];
    case "Loop":
      return d.outputs.map((o) => o.name);
    default:
      return [];
  }
}

export function sliceProgram(decls: readonly A.Decl[], roots: Iterable<string>): A.Decl[] {
  const byName = new Map<string, A.Decl[]>();
  for (const d of decls) for (const n of definedBy(d)) byName.set(n, [...(byName.get(n) ?? []), d]);
  const keep = new Set<A.Decl>();
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const d of byName.get(name) ?? []) {
      if (keep.has(d)) continue;
      keep.add(d);
      queue.push(...namesIn(d));
    }
  }
  return decls.flatMap((d): A.Decl[] => {
    if (d.kind === "Use" || d.kind === "Dim") return [d];
    if (!keep.has(d)) return [];
    if (d.kind === "Export") return d.value ? [{ kind: "Let", names: [d.name], type: null, value: d.value, span: d.span }] : [];
    return [d];
  });
}
