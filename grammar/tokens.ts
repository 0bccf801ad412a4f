// Tokens of iterlang. Every token has a `label`: the words a person reads in an error message.
// Reserved words are keywords; clause words (`init`, `method`, `max`, ...) are "soft": they
// belong to the Identifier category, so `max(x)` is still a call.
import { createToken, Lexer, type TokenType } from "chevrotain";

export const Identifier = createToken({
  name: "Identifier",
  // ASCII, Latin-1/Extended and Greek letters (`α`, `λ`); chevrotain's lexer has no /u flag.
  pattern: /[A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0370-\u03FF][A-Za-z0-9_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0370-\u03FF]*/,
  label: "a name",
});

function keyword(word: string): TokenType {
  return createToken({ name: word[0].toUpperCase() + word.slice(1), pattern: word, longer_alt: Identifier, label: `\`${word}\`` });
}

function softKeyword(word: string, category?: TokenType): TokenType {
  return createToken({
    name: word[0].toUpperCase() + word.slice(1),
    pattern: word,
    longer_alt: Identifier,
    categories: category ? [Identifier, category] : [Identifier],
    label: `\`${word}\``,
  });
}

/** Clause words followed by an expression (`until residual < 1e-5`) or by a method spec. */
export const ExprClauseWord = createToken({ name: "ExprClauseWord", pattern: Lexer.NA, label: "`init`, `until`, `max` or `nullspace`" });
export const SpecClauseWord = createToken({ name: "SpecClauseWord", pattern: Lexer.NA, label: "`method`, `precond` or `grad`" });

export const Use = keyword("use");
export const Dim = keyword("dim");
export const Input = keyword("input");
export const ParamKw = keyword("param");
export const Op = keyword("op");
export const Model = keyword("model");
export const Data = keyword("data");
export const Train = keyword("train");
export const Export = keyword("export");
export const Check = keyword("check");
export const Let = keyword("let");
export const Return = keyword("return");
export const Fixpoint = keyword("fixpoint");
export const Solve = keyword("solve");
export const Minimize = keyword("minimize");
export const Loop = keyword("loop");
export const True = keyword("true");
export const False = keyword("false");
export const And = keyword("and");
export const Or = keyword("or");
export const Not = keyword("not");
export const If = keyword("if");
export const Then = keyword("then");
export const Else = keyword("else");

export const Init = softKeyword("init", ExprClauseWord);
export const Method = softKeyword("method", SpecClauseWord);
export const Precond = softKeyword("precond", SpecClauseWord);
export const Until = softKeyword("until", ExprClauseWord);
export const Max = softKeyword("max", ExprClauseWord);
export const Grad = softKeyword("grad", SpecClauseWord);
/** `solve A(u) = f nullspace constant -> u`: a known null space of a singular operator. */
export const Nullspace = softKeyword("nullspace", ExprClauseWord);
export const Carry = softKeyword("carry");
export const On = softKeyword("on");
export const Every = softKeyword("every");
/** `check ... for x ~ normal(std: 2)`: what a contract's inputs are drawn from. */
export const For = softKeyword("for");
/** `op A(u: f32[n, n]) is spd = ...`: the structure an op declares. */
export const Is = softKeyword("is");

/** Words that continue the previous line's construct when they start a line. */
export const CLAUSE_WORDS: readonly TokenType[] = [Init, Method, Precond, Until, Max, Grad, Nullspace, Carry, On];

export const NumberLit = createToken({
  name: "NumberLit",
  pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
  label: "a number",
});
/** `3.` or `.5`: parse.ts reports it once and reads it as `3.0` / `0.5`. */
export const BadNumber = createToken({ name: "BadNumber", pattern: /\d+\.(?![\d.A-Za-z_])|\.\d+/, label: "a number" });
export const StringLit = createToken({
  name: "StringLit",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/,
  label: "a string",
});
/** A string not closed on its line: parse.ts reports it once and reads it as if closed. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*/,
  label: "a string",
});

function punct(name: string, pattern: RegExp | string, label: string, categories: TokenType[] = []): TokenType {
  return createToken({ name, pattern, label: `\`${label}\``, categories });
}

// Operator categories let a rule consume "any additive operator" and keep their order in the CST.
export const AdditiveOp = createToken({ name: "AdditiveOp", pattern: Lexer.NA, label: "`+` or `-`" });
export const MultiplicativeOp = createToken({ name: "MultiplicativeOp", pattern: Lexer.NA, label: "`*`, `/`, `%` or `@`" });
export const CompareOp = createToken({ name: "CompareOp", pattern: Lexer.NA, label: "a comparison" });

export const Arrow = punct("Arrow", "->", "->");
export const FatArrow = punct("FatArrow", /=>|↦/, "=>");
export const DotDot = punct("DotDot", "..", "..");
export const EqEq = punct("EqEq", "==", "==", [CompareOp]);
export const NotEq = punct("NotEq", /!=|≠/, "!=", [CompareOp]);
export const LessEq = punct("LessEq", /<=|≤/, "<=", [CompareOp]);
export const GreaterEq = punct("GreaterEq", />=|≥/, ">=", [CompareOp]);
export const Less = punct("Less", "<", "<", [CompareOp]);
export const Greater = punct("Greater", ">", ">", [CompareOp]);
export const Equals = punct("Equals", "=", "=");
export const Plus = punct("Plus", "+", "+", [AdditiveOp]);
export const Minus = punct("Minus", "-", "-", [AdditiveOp]);
export const StarStar = punct("StarStar", "**", "**");
export const Star = punct("Star", "*", "*", [MultiplicativeOp]);
export const Slash = punct("Slash", "/", "/", [MultiplicativeOp]);
export const Percent = punct("Percent", "%", "%", [MultiplicativeOp]);
export const At = punct("At", "@", "@", [MultiplicativeOp]);
export const Caret = punct("Caret", "^", "^");
export const Tilde = punct("Tilde", "~", "~");
export const LParen = punct("LParen", "(", "(");
export const RParen = punct("RParen", ")", ")");
export const LBracket = punct("LBracket", "[", "[");
export const RBracket = punct("RBracket", "]", "]");
export const LBrace = punct("LBrace", "{", "{");
export const RBrace = punct("RBrace", "}", "}");
export const Comma = punct("Comma", ",", ",");
export const Colon = punct("Colon", ":", ":");
export const Semicolon = punct("Semicolon", ";", ";");
export const Dot = punct("Dot", ".", ".");

// A line ends at LF, CRLF or a lone CR (old Mac files, or a stray `\r`): the same three
// terminators the lexer counts lines by (its default, below), grammar/lines.ts splits by,
// and the diagnostics' code frames use, so every position agrees on which line it is.
export const Newline = createToken({ name: "Newline", pattern: /\r\n?|\n/, line_breaks: true, label: "the end of the line" });
export const Comment = createToken({ name: "Comment", pattern: /#[^\r\n]*/, group: "comments" });
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\f]+/, group: Lexer.SKIPPED });

const keywords = [Use, Dim, Input, ParamKw, Op, Model, Data, Train, Export, Check, Let, Return, Fixpoint, Solve, Minimize, Loop, True, False, And, Or, Not, If, Then, Else];
const softKeywords = [Init, Method, Precond, Until, Max, Grad, Nullspace, Carry, On, Every, For, Is];

/** Order matters: longer punctuation before its prefixes, keywords before Identifier. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  Newline,
  ...keywords,
  ...softKeywords,
  Identifier,
  BadNumber,
  NumberLit,
  StringLit,
  UnterminatedString,
  Arrow,
  FatArrow,
  DotDot,
  EqEq,
  NotEq,
  LessEq,
  GreaterEq,
  Less,
  Greater,
  Equals,
  Plus,
  Minus,
  StarStar,
  Star,
  Slash,
  Percent,
  At,
  Caret,
  Tilde,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Semicolon,
  Dot,
  AdditiveOp,
  MultiplicativeOp,
  CompareOp,
  ExprClauseWord,
  SpecClauseWord,
];

export const RESERVED_WORDS: ReadonlySet<string> = new Set(keywords.map((k) => k.PATTERN as string));

// The lexer counts lines by chevrotain's default terminators, /\n|\r\n?/ (LF, CRLF, lone CR):
// the ones Newline matches and grammar/lines.ts splits by.
export const lexer = new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: false });
