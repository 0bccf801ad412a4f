// The names a list of declarations or statements defines, with where, so that a use before
// the definition can say "defined later, on line 9" instead of "I don't know the name".
import type * as A from "../../grammar/ast.js";

export type DefKind = "dim" | "value" | "data";

export interface Def {
  kind: DefKind;
  span: A.Span;
}

function idsOf(d: A.Decl | A.Stmt): [DefKind, A.Ident][] {
  switch (d.kind) {
    case "Dim":
      return d.items.map((i) => ["dim", i.name]);
    case "Let":
      return d.names.map((n) => ["value", n]);
    case "Input":
    case "ParamDecl":
      return [["value", d.name]];
    case "Export":
      return d.value ? [["value", d.name]] : [];
    case "Data":
      return [["data", d.name]];
    case "Fixpoint":
      return [["value", d.target]];
    case "Solve":
    case "Minimize":
      return [["value", d.unknown]];
    case "Loop":
      return d.outputs.map((o) => ["value", o]);
    default:
      return [];
  }
}

/** The first definition of each name in `items`. */
export function definitions(items: readonly (A.Decl | A.Stmt)[]): Map<string, Def> {
  const out = new Map<string, Def>();
  for (const d of items) for (const [kind, id] of idsOf(d)) if (!out.has(id.name)) out.set(id.name, { kind, span: id.span });
  return out;
}

/** Every name an expression mentions (callees and lambda bodies included). */
export function namesUsed(e: A.Expr | A.Slice | null, out: A.Name[] = []): A.Name[] {
  if (e === null) return out;
  const walk = (x: A.Expr | A.Slice | null) => namesUsed(x, out);
  switch (e.kind) {
    case "Name":
      out.push(e);
      break;
    case "Unary":
      walk(e.operand);
      break;
    case "Binary":
      (walk(e.left), walk(e.right));
      break;
    case "Paren":
      walk(e.inner);
      break;
    case "Call":
      (walk(e.callee), e.args.forEach((a) => walk(a.value)));
      break;
    case "Diff":
      e.args.forEach((a) => walk(a.value));
      break;
    case "Index":
      (walk(e.target), e.indices.forEach(walk));
      break;
    case "Slice":
      [e.start, e.stop, e.step].forEach(walk);
      break;
    case "Member":
      walk(e.target);
      break;
    case "TensorLit":
    case "Tuple":
      e.items.forEach(walk);
      break;
    case "Lambda":
      walk(e.body);
      break;
    case "Range":
      (walk(e.start), walk(e.stop));
      break;
    case "If":
      [e.cond, e.then, e.else].forEach(walk);
      break;
    default:
      break;
  }
  return out;
}
