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
  clause: "a clause (`init`, `method`, `precond`, `until`, `max`, `grad`, `nullspace`)",
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
const CLAUSE_HINT = "is a clause of `fixpoint`, `solve`, `minimize` and `loop`";

/** Hints keyed by what the offending token is, wherever it appears. */
function tokenHint(tok: IToken, rules: readonly string[], startsLine: boolean): string | undefined {
  if (tokenMatcher(tok, T.StarStar)) return "iterlang writes powers with `^`: `x^2`.";
  if (tokenMatcher(tok, T.Semicolon)) return "statements end at the end of a line; no `;` is needed.";
  if (tokenMatcher(tok, T.DotDot)) return "a range is `a..b`; ranges do not chain.";
  if (tokenMatcher(tok, T.CompareOp) && !rules.includes("compare")) return "comparisons do not chain: write `0 < x and x < 1`.";
  if (tokenMatcher(tok, T.Equals) && rules.includes("compare")) return "to compare, write `==`.";
  if (tokenMatcher(tok, T.Equals) && rules.includes("clause"))
    return "a line that starts with a clause word (`max`, `init`, `until`, ...) continues the construct above; rename the variable.";
  if (tokenMatcher(tok, T.Equals) && rules.includes("trainSetting")) return "settings are written without `=`: `optimizer adam(lr: 1e-3)`.";
  if (tokenMatcher(tok, T.Colon) && rules.includes("trainSetting")) return "settings are written without `:`: `epochs 30`.";
  if (tokenMatcher(tok, T.Colon) && rules.includes("suffix")) return "a slice has at most three parts: `start:stop:step`.";
  if (tokenMatcher(tok, T.RBracket) && rules.includes("tensorType")) return "a scalar type is written without brackets: `f32`.";
  if ((tokenMatcher(tok, T.AdditiveOp) || tokenMatcher(tok, T.MultiplicativeOp)) && startsLine)
    return "a line that starts with an operator does not continue the one above; end the line above with the operator instead.";
  if ((tokenMatcher(tok, T.ExprClauseWord) || tokenMatcher(tok, T.SpecClauseWord)) && !startsLine) {
    const last = rules[rules.length - 1];
    if (last === "program" || last === "block") return `\`${tok.image}\` ${CLAUSE_HINT}, and its clauses come before \`-> name\`.`;
  }
  return undefined;
}

/** Hints keyed by the rule the parser was in. */
function ruleHint(tok: IToken, inRule: string | undefined, rules: readonly string[]): string | undefined {
  if (tokenMatcher(tok, T.LBrace) && inRule === "signature") return "an op's body is `= expression` or a block `{ ... return value }`.";
  if (inRule === "signature" && tokenMatcher(tok, T.Newline)) return "put `=` at the end of this line: a line that starts with `=` does not continue the one above.";
  const inLoopHead = inRule === "loopStmt" || (inRule === "block" && rules[rules.length - 2] === "loopStmt");
  if (inLoopHead && tokenMatcher(tok, T.Identifier)) return "a loop counter is written `k < n` (for k = 0..10, write `loop k < 11`); carried values go in `carry (x = x0)`.";
  if (inRule === "loopStmt" && tokenMatcher(tok, T.LParen)) return "the carried names follow the word `carry`: `carry (x = x0)`.";
  if (inRule === "loopStmt") return "a loop is `loop k < n carry (x = x0) { ... } -> x`.";
  if ((inRule === "inputDecl" || inRule === "paramDecl") && !tokenMatcher(tok, T.Colon)) return "a declaration names its type after a colon: `param W: f32[H, H] init glorot`.";
  if (inRule === "trainSetting" && rules.includes("trainSetting")) return "a setting is a name and a value: `epochs 30`, `checkpoint \"dir\" every 100 steps`.";
  if (inRule === "trainDecl") return "each line of a `train` block is a setting: a name, then its value (`epochs 30`).";
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

/** A hint for an error, when the offending token or place suggests a habit or a slip. */
export function hintFor(error: IRecognitionException, startsLine: boolean): string | undefined {
  const tok = error.token;
  const rules = error.context?.ruleStack ?? [];
  const top = rules[rules.length - 1];
  const inRule = top === "program" && startsLine ? "decl" : top;
  return tokenHint(tok, rules, startsLine) ?? ruleHint(tok, inRule, rules);
}
