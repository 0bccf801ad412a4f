// The top-level declarations a contract can name, by name: ops, the constructs that define a
// value, inputs and sizes.
import type * as A from "../../grammar/ast.js";

export type ConstructDecl = A.Fixpoint | A.Solve | A.Loop | A.Minimize;

export interface ProgramIndex {
  program: A.Program;
  ops: Map<string, A.OpDecl | A.ModelDecl>;
  /** Each top-level construct by every name it defines (a loop's outputs, a solve's unknown). */
  constructs: Map<string, ConstructDecl>;
  inputs: Map<string, A.InputDecl>;
  dims: Map<string, A.DimItem>;
}

export function indexProgram(program: A.Program): ProgramIndex {
  const index: ProgramIndex = { program, ops: new Map(), constructs: new Map(), inputs: new Map(), dims: new Map() };
  for (const d of program.decls) {
    switch (d.kind) {
      case "Op":
      case "Model":
        if (!index.ops.has(d.name.name)) index.ops.set(d.name.name, d);
        break;
      case "Fixpoint":
        index.constructs.set(d.target.name, d);
        break;
      case "Solve":
      case "Minimize":
        index.constructs.set(d.unknown.name, d);
        break;
      case "Loop":
        for (const o of d.outputs) index.constructs.set(o.name, d);
        break;
      case "Input":
        index.inputs.set(d.name.name, d);
        break;
      case "Dim":
        for (const item of d.items) index.dims.set(item.name.name, item);
        break;
      default:
        break;
    }
  }
  return index;
}

/** The size names a type mentions (`f32[n, 2 * m]` → n, m). */
export function sizeNamesOf(t: A.TypeExpr | null): string[] {
  if (!t || t.kind !== "TensorType" || !t.shape) return [];
  const out: string[] = [];
  const walk = (e: A.Expr): void => {
    if (e.kind === "Name") out.push(e.name);
    else if (e.kind === "Binary") (walk(e.left), walk(e.right));
    else if (e.kind === "Paren" || e.kind === "Unary") walk(e.kind === "Paren" ? e.inner : e.operand);
  };
  t.shape.forEach(walk);
  return [...new Set(out)];
}
