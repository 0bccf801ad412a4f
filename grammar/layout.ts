// Newlines end statements, except where a line obviously continues: inside `(...)` and
// `[...]`, after a token that cannot end an expression, and before a clause word, `->` or a
// closing bracket (and before `for` in a `check`). This pass drops the newlines that do not end anything and collapses
// runs of them, so the parser sees one Newline per statement boundary.
import type { IToken, TokenType } from "chevrotain";
import { tokenMatcher } from "chevrotain";
import * as T from "./tokens.js";

/** After these, the expression or declaration is not finished yet. */
const CONTINUES_AFTER: readonly TokenType[] = [
  T.AdditiveOp,
  T.MultiplicativeOp,
  T.CompareOp,
  T.Caret,
  T.And,
  T.Or,
  T.Not,
  T.Comma,
  T.Equals,
  T.Colon,
  T.FatArrow,
  T.Arrow,
  T.DotDot,
  T.Dot,
  T.LParen,
  T.LBracket,
  T.LBrace,
  T.If,
  T.Then,
  T.Else,
];

/** Before these, the line continues the previous one. */
const CONTINUES_BEFORE: readonly TokenType[] = [...T.CLAUSE_WORDS, T.Arrow, T.RParen, T.RBracket, T.RBrace, T.Then, T.Else];

const matchesAny = (tok: IToken, types: readonly TokenType[]) => types.some((t) => tokenMatcher(tok, t));

/** `for` continues a `check` (its inputs' clauses); elsewhere it starts a line of its own. */
const continuesCheck = (first: IToken | undefined, next: IToken | undefined) =>
  first !== undefined && next !== undefined && tokenMatcher(first, T.Check) && tokenMatcher(next, T.For);

export function layout(tokens: readonly IToken[]): IToken[] {
  const out: IToken[] = [];
  let depth = 0; // nesting of ( and [; braces hold statements, so newlines inside them count
  let first: IToken | undefined; // the first token of the current statement
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tokenMatcher(tok, T.LParen) || tokenMatcher(tok, T.LBracket)) depth++;
    if ((tokenMatcher(tok, T.RParen) || tokenMatcher(tok, T.RBracket)) && depth > 0) depth--;
    if (!tokenMatcher(tok, T.Newline)) {
      if (out.length === 0 || tokenMatcher(out[out.length - 1], T.Newline)) first = tok;
      out.push(tok);
      continue;
    }
    const prev = out[out.length - 1];
    let j = i + 1;
    while (j < tokens.length && tokenMatcher(tokens[j], T.Newline)) j++;
    const next = tokens[j];
    const redundant =
      depth > 0 ||
      prev === undefined ||
      tokenMatcher(prev, T.Newline) ||
      matchesAny(prev, CONTINUES_AFTER) ||
      next === undefined ||
      matchesAny(next, CONTINUES_BEFORE) ||
      continuesCheck(first, next);
    if (!redundant) out.push(tok);
  }
  return out;
}
