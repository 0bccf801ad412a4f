// Expressions as a person wrote them, printed canonically, for messages about contracts.
import type * as A from "../../grammar/ast.js";
import { format } from "../../grammar/format.js";

export function exprText(e: A.Expr): string {
  const program: A.Program = { kind: "Program", file: "", decls: [{ kind: "Check", contract: e, given: [], span: e.span }], comments: [], span: e.span };
  return format(program, { width: 10_000 }).trim().replace(/^check /, "");
}
