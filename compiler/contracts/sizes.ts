// The numbers a contract's planner needs before anything runs: sizes (from `dim`, `--set`,
// `for n = 8`, or the default) and the static arguments written with them (`below: 0.9`).

/** A size no `dim`, `--set` or `for` gives a value takes this one in a contract's runs. */
export const DEFAULT_SIZE = 8;

import type * as A from "../../grammar/ast.js";

/** Numbers, size names and + − × ÷ ^ of them; undefined for anything else. */
export function staticNumber(e: A.Expr, sizes: ReadonlyMap<string, number>): number | undefined {
  const rec = (x: A.Expr) => staticNumber(x, sizes);
  switch (e.kind) {
    case "Number":
      return e.value;
    case "Name":
      return sizes.get(e.name);
    case "Paren":
      return rec(e.inner);
    case "Unary": {
      const v = rec(e.operand);
      return v === undefined || e.op === "not" ? undefined : e.op === "-" ? -v : v;
    }
    case "Binary": {
      const [a, b] = [rec(e.left), rec(e.right)];
      if (a === undefined || b === undefined) return undefined;
      const ops: Partial<Record<A.BinaryOp, number>> = { "+": a + b, "-": a - b, "*": a * b, "/": a / b, "^": a ** b };
      return ops[e.op];
    }
    default:
      return undefined;
  }
}
