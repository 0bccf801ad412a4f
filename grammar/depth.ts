// Bounds on how deeply a program may nest, so that no walk over its tree — the parser's, the
// CST→AST visitor's, the formatter's, JSON output, and the checker's and lowering's after them —
// can run out of stack. Two limits, each a located error:
//
// - MAX_NESTING brackets `( [ {`: the parser recurses through about twelve rules per bracket.
// - MAX_EXPR_DEPTH levels of expression: a chain `a + b + c` nests one level per operator in
//   the tree (it is left-associated), a prefix `-`/`not`, a `^`, an `if` and a `=>` one level
//   each. The tokens are scanned before parsing for the constructs the parser recurses on
//   (prefixes, `^`, `if`, `=>`), and the finished tree is measured, without recursion, for the
//   rest (long chains of binary operators, of calls and of indexing).
//
// Why 256: measured on node 20's default stack (984 KiB), checking an expression with lowering
// overflows at about 1,500 levels of a sum and the parser at about 840 levels of `^`; 256 leaves
// those passes a margin of about 6 (3 for the parser) for deeper frames in future passes and for
// expressions checked inside op instances. No hand-written expression comes near it; a generated
// one can name its parts with `let`. See docs/design-notes.md.
import type { IToken } from "chevrotain";
import { tokenMatcher } from "chevrotain";
import type * as A from "./ast.js";
import * as T from "./tokens.js";

/** The deepest bracket nesting read. */
export const MAX_NESTING = 64;
/** The deepest expression nesting read (levels of the expression tree). */
export const MAX_EXPR_DEPTH = 256;

export interface TooDeep {
  token: IToken;
  message: string;
  hint: string;
}

const EXPR_MESSAGE = `This expression nests deeper than ${MAX_EXPR_DEPTH} levels, which is more than I read.`;

const OPENERS = [T.LParen, T.LBracket, T.LBrace];
const CLOSERS = [T.RParen, T.RBracket, T.RBrace];
/** Tokens after which a `-` or `+` is binary (they end an operand). */
const OPERAND_ENDS = [T.Identifier, T.NumberLit, T.StringLit, T.True, T.False, T.RParen, T.RBracket, T.RBrace];
/** Tokens that neither end nor extend a chain of prefixes and `^` (`- - x.y ^ - z`). */
const OPERAND_PARTS = [T.Identifier, T.NumberLit, T.StringLit, T.True, T.False, T.Dot];

const matches = (t: IToken, types: readonly unknown[]): boolean => types.some((ty) => tokenMatcher(t, ty as never));

/** Per bracket level: the prefixes and `^` of the current operand, and the open `if`s and `=>`s. */
interface Frame {
  prefix: number;
  keyword: number;
}

function hintFor(t: IToken): string {
  if (tokenMatcher(t, T.Caret)) return "`^` nests to the right (`a^b^c` is `a^(b^c)`): name the inner powers with `let`.";
  if (tokenMatcher(t, T.If)) return "each `else if` nests one level: choose among many cases with a lookup (`[a, b, c][k]`) or split the choice with `let`.";
  if (tokenMatcher(t, T.FatArrow)) return "each `=>` of a lambda returning a lambda nests one level.";
  return "each prefix `-`, `+` or `not` nests one level: `- - x` is `x`; simplify the run, or name parts with `let`.";
}

/**
 * The first token past either limit, scanning the tokens the parser will see (after layout):
 * an upper bound of the parser's recursion, and a lower bound of the tree's depth, so a
 * program refused here would have been refused after parsing anyway.
 */
export function tooDeepTokens(tokens: readonly IToken[]): TooDeep | undefined {
  const frames: Frame[] = [{ prefix: 0, keyword: 0 }];
  let nested = 0; // Σ prefix + keyword over the frames
  let prev: IToken | undefined;
  for (const t of tokens) {
    const top = frames[frames.length - 1];
    if (matches(t, OPENERS)) {
      frames.push({ prefix: 0, keyword: 0 });
      if (frames.length - 1 > MAX_NESTING)
        return { token: t, message: `This is nested more than ${MAX_NESTING} brackets deep, which is more than I read.`, hint: "name the inner parts with `let` to flatten the expression." };
    } else if (matches(t, CLOSERS)) {
      if (frames.length > 1) nested -= top.prefix + top.keyword;
      if (frames.length > 1) frames.pop();
    } else if (tokenMatcher(t, T.Newline) || tokenMatcher(t, T.Comma)) {
      nested -= top.prefix + top.keyword;
      top.prefix = top.keyword = 0;
    } else if (tokenMatcher(t, T.If) || tokenMatcher(t, T.FatArrow)) {
      top.keyword++;
      nested++;
    } else if (tokenMatcher(t, T.Not) || tokenMatcher(t, T.Caret) || (tokenMatcher(t, T.AdditiveOp) && !(prev && matches(prev, OPERAND_ENDS)))) {
      top.prefix++;
      nested++;
    } else if (!matches(t, OPERAND_PARTS)) {
      // A binary operator, `..`, `then`, `=`, ...: the prefixes and powers before it are closed.
      nested -= top.prefix;
      top.prefix = 0;
    }
    if (nested >= MAX_EXPR_DEPTH) return { token: t, message: EXPR_MESSAGE, hint: hintFor(t) };
    prev = t;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// The depth of the finished tree.

const EXPR_KINDS: ReadonlySet<string> = new Set<A.Expr["kind"]>([
  "Number",
  "String",
  "Bool",
  "Name",
  "Unary",
  "Binary",
  "Call",
  "Diff",
  "Index",
  "Member",
  "TensorLit",
  "Tuple",
  "Range",
  "Lambda",
  "If",
  "Paren",
]);

const isNode = (v: unknown): v is { kind: string; span: A.Span } => typeof v === "object" && v !== null && typeof (v as { kind?: unknown }).kind === "string";

/** Where a value sits: its container and the key or index in it. */
interface Slot {
  holder: Record<string, unknown> | unknown[];
  key: string | number;
}

export interface DeepExpression {
  /** The outermost expression holding the too-deep part (replaced by a placeholder). */
  root: A.Expr;
  /** The expression at MAX_EXPR_DEPTH + 1 levels. */
  at: A.Expr;
}

export interface TreeDepthError {
  span: A.Span;
  message: string;
  hint: string;
}

function depthHint(at: A.Expr): string {
  if (at.kind === "Binary")
    return "each operator of a chain such as `a + b + c` nests one level: add the terms in parts (`let s1 = a1 + … + a100`), then add the parts.";
  if (at.kind === "Call" || at.kind === "Index" || at.kind === "Member") return "each call, index or field of a chain (`f(x)(y)`, `a[0][0]`) nests one level: name the inner parts with `let`.";
  return "name the inner parts with `let` to flatten the expression.";
}

/**
 * Measures every expression of `program` without recursion. Each outermost expression deeper
 * than MAX_EXPR_DEPTH is replaced by a placeholder `?` (so that no later walk, even of a tree
 * with errors, goes that deep) and reported once.
 */
export function limitExpressionDepth(program: A.Program): TreeDepthError[] {
  const errors: TreeDepthError[] = [];
  interface Entry {
    value: unknown;
    depth: number;
    /** The slot of the outermost expression this value is in; undefined outside expressions. */
    root?: Slot;
  }
  const replaced = new Set<Slot>();
  const stack: Entry[] = [{ value: program, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth, root } = stack.pop()!;
    if (root && replaced.has(root)) continue;
    const container = value as Record<string, unknown> | unknown[];
    const entries: [string | number, unknown][] = Array.isArray(container) ? container.map((v, i) => [i, v]) : Object.entries(container);
    for (const [key, child] of entries) {
      if (key === "span" || typeof child !== "object" || child === null) continue;
      const isExpr = isNode(child) && EXPR_KINDS.has(child.kind);
      const slot: Slot | undefined = root ?? (isExpr ? { holder: container, key } : undefined);
      const d = isExpr ? depth + 1 : depth;
      if (d > MAX_EXPR_DEPTH && slot && !replaced.has(slot)) {
        const at = child as A.Expr;
        const rootExpr = (slot.holder as Record<string | number, unknown>)[slot.key] as A.Expr;
        const start = at.span.start;
        errors.push({ span: { start, end: { ...start, offset: start.offset + 1, column: start.column + 1 } }, message: EXPR_MESSAGE, hint: depthHint(at) });
        (slot.holder as Record<string | number, unknown>)[slot.key] = { kind: "Name", name: "?", span: rootExpr.span } satisfies A.Name;
        replaced.add(slot);
        continue;
      }
      stack.push({ value: child, depth: d, ...(slot ? { root: slot } : {}) });
    }
  }
  return errors.sort((a, b) => a.span.start.offset - b.span.start.offset);
}
