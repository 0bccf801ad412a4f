// All wording of syntax errors lives here: what the parser expected, in words a person
// reads ("a name", "the end of the line"), never a raw token dump; and hints for habits
// brought from other languages.
import { EOF, type IParserErrorMessageProvider, type IRecognitionException, type IToken, type TokenType, tokenLabel, tokenMatcher } from "chevrotain";
import * as T from "./tokens.js";

/** What a token is, in words: `\`)\``, "a name", "the end of the line", "the end of the file". */
export function describeToken(tok: IToken): string {
  if (tok.tokenType === EOF) return "the end of the file";
  if (tokenMatcher(tok, T.Newline)) return "the end of the line";
  if (tokenMatcher(tok, T.NumberLit)) return `the number \`${tok.image}\``;
  if (tokenMatcher(tok, T.StringLit)) return `the string ${tok.image}`;
  if (T.RESERVED_WORDS.has(tok.image)) return `the keyword \`${tok.image}\``;
  if (tokenMatcher(tok, T.Identifier)) return `the name \`${tok.image}\``;
  return `\`${tok.image}\``;
}

/** Rules whose start is better named as a whole than as a list of first tokens. */
const RULE_PHRASES: Record<string, string> = {
  decl: "a declaration (`let`, `op`, `input`, `solve`, ...)",
  stmt: "a statement (`let`, `return`, `fixpoint`, `solve`, `loop`, or `name = value`)",
  type: "a type such as `f32[N, N]`",
  tensorType: "a type such as `f32[N, N]`",
  expr: "an expression",
  primary: "an expression",
  unary: "an expression",
  notExpr: "an expression",
  clause: "a clause (`init`, `method`, `precond`, `until`, `max`, `grad`)",
};

/** Expression-starting tokens are summarised as "an expression" rather than listed. */
const EXPRESSION_STARTS = new Set<TokenType>([T.NumberLit, T.StringLit, T.True, T.False, T.Identifier, T.LParen, T.LBracket, T.AdditiveOp, T.Not]);

function describeExpected(first: TokenType[]): string {
  const unique = [...new Set(first)];
  const exprLike = unique.filter((t) => EXPRESSION_STARTS.has(t));
  const rest = unique.filter((t) => !EXPRESSION_STARTS.has(t)).map((t) => (t === T.Newline ? "the end of the line" : tokenLabel(t)));
  const parts = exprLike.length >= 3 ? ["an expression", ...rest] : [...exprLike.map(tokenLabel), ...rest];
  if (parts.length === 1) return parts[0];
  if (parts.length <= 6) return `${parts.slice(0, -1).join(", ")} or ${parts[parts.length - 1]}`;
  return `${parts.slice(0, 5).join(", ")}, ...`;
}

function expectedPhrase(ruleName: string, paths: TokenType[][]): string {
  return RULE_PHRASES[ruleName] ?? describeExpected(paths.map((p) => p[0]).filter((t) => t !== undefined));
}

export const messageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    // At the top level the parser wants the end of the input; a person reads "the end of the
    // line" (parse.ts rewords it when the token starts a line: see `startOfLineMessage`).
    const what = expected === T.Newline || expected === EOF ? "the end of the line" : tokenLabel(expected);
    return `I expected ${what} here, but found ${describeToken(actual)}.`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `I did not expect ${describeToken(firstRedundant)} here.`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    return `I expected ${expectedPhrase(ruleName, expectedPathsPerAlt.flat())} here, but found ${describeToken(actual[0])}.`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    return `I expected ${expectedPhrase(ruleName, expectedIterationPaths)} here, but found ${describeToken(actual[0])}.`;
  },
};

/** The message for a token at the start of a line where a declaration should begin. */
export function startOfLineMessage(tok: IToken): string {
  return `I expected ${RULE_PHRASES.decl} here, but found ${describeToken(tok)}.`;
}

/** A hint for an error, when the offending token suggests a habit from another language. */
export function hintFor(error: IRecognitionException, startsLine: boolean): string | undefined {
  const tok = error.token;
  const rules = error.context?.ruleStack ?? [];
  const top = rules[rules.length - 1];
  const inRule = top === "program" && startsLine ? "decl" : top;
  if (tokenMatcher(tok, T.StarStar)) return "iterlang writes powers with `^`: `x^2`.";
  if (tokenMatcher(tok, T.Semicolon)) return "statements end at the end of a line; no `;` is needed.";
  if (tokenMatcher(tok, T.LBrace) && inRule === "signature") return "an op's body is `= expression` or a block `{ ... return value }`.";
  if (tokenMatcher(tok, T.Equals) && rules.includes("compare")) return "to compare, write `==`.";
  if (inRule === "decl" && tokenMatcher(tok, T.Identifier)) {
    if (["def", "fn", "function", "fun"].includes(tok.image)) return "operators are declared with `op name(args) = ...`.";
    if (["var", "const", "val"].includes(tok.image)) return "names are defined with `let name = ...`.";
    if (["for", "while"].includes(tok.image)) return "iterations are written `loop k < n carry (x = x0) { ... } -> x`.";
    if (tok.image === "import") return "modules are imported with `use std.krylov`.";
    return "to define a name at the top level, write `let name = ...`.";
  }
  if (inRule === "decl" && tokenMatcher(tok, T.Return)) return "`return` ends the block of an `op` or `model`.";
  return undefined;
}
