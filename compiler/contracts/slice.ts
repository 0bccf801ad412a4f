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

/**
 * The names a declaration reads from outside itself: every name in it, less the ones it binds
 * inside (an op's parameters and local definitions, lambda parameters, a loop's carried names
 * and counter). A local name that also names a top-level value keeps that declaration out:
 * inside, the local one is meant.
 */
export function freeNamesOf(d: A.Decl): Set<string> {
  const bound = new Set<string>();
  const bind = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(bind);
    if (node === null || typeof node !== "object") return;
    const r = node as Record<string, unknown> & { kind?: string };
    if (r.kind === "Param") bound.add((r as unknown as A.Param).name.name);
    if (r.kind === "CarryInit") bound.add((r as unknown as A.CarryInit).name.name);
    if (r.kind === "Loop" && (r as unknown as A.Loop).counter) bound.add((r as unknown as A.Loop).counter!.name);
    for (const [k, v] of Object.entries(r)) if (k !== "span") bind(v);
  };
  bind(d);
  if ((d.kind === "Op" || d.kind === "Model") && d.body.kind === "Block") for (const s of d.body.stmts) definedBy(s as A.Decl).forEach((n) => bound.add(n));
  const names = namesIn(d);
  for (const n of bound) names.delete(n);
  return names;
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
      queue.push(...freeNamesOf(d));
    }
  }
  return decls.flatMap((d): A.Decl[] => {
    if (d.kind === "Use" || d.kind === "Dim") return [d];
    if (!keep.has(d)) return [];
    if (d.kind === "Export") return d.value ? [{ kind: "Let", names: [d.name], type: null, value: d.value, span: d.span }] : [];
    return [d];
  });
}
