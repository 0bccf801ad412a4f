// A record's quantities are iterlang expressions over its parameter and point names
// (`norm(T(a) - T(b))`). Instantiating one replaces each of those names by what the contract
// was given (an op's name, the user's expression, a drawn input) and puts every node the
// template adds at the contract's place in the file, so a message about it points there.
import type * as A from "../../grammar/ast.js";
import { InternalError } from "../../base/diagnostics.js";
import type { Span } from "../../base/span.js";
import { parse } from "../../grammar/parse.js";

const parsed = new Map<string, A.Expr>();

/** The expression of a template, parsed once. */
export function templateExpr(text: string): A.Expr {
  let e = parsed.get(text);
  if (!e) {
    const p = parse(`let q = ${text}\n`, "<contract>");
    const d = p.program.decls[0];
    if (p.diagnostics.length || d?.kind !== "Let") throw new InternalError(`the contract quantity \`${text}\` does not parse`);
    e = d.value;
    parsed.set(text, e);
  }
  return e;
}

/** A copy of `e` with names replaced by `by`, and every template node at `span`. */
export function instantiate(e: A.Expr, by: ReadonlyMap<string, A.Expr>, span: Span): A.Expr {
  return copy(e, by, span) as A.Expr;
}

function copy(node: unknown, by: ReadonlyMap<string, A.Expr>, span: Span): unknown {
  if (Array.isArray(node)) return node.map((n) => copy(n, by, span));
  if (node === null || typeof node !== "object") return node;
  const rec = node as Record<string, unknown>;
  if (rec.kind === "Name" && by.has(rec.name as string)) return by.get(rec.name as string);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) out[k] = k === "span" ? span : copy(v, by, span);
  return out;
}

/** Every name a piece of syntax mentions (values, ops, sizes), for slicing and fresh names. */
export function namesIn(node: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => namesIn(n, out));
  else if (node !== null && typeof node === "object") {
    const rec = node as Record<string, unknown>;
    if ((rec.kind === "Name" || rec.kind === "Ident") && typeof rec.name === "string") out.add(rec.name);
    for (const [k, v] of Object.entries(rec)) if (k !== "span") namesIn(v, out);
  }
  return out;
}
