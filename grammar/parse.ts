// The front end's entry point: source text in, AST and diagnostics out. Never throws for any
// input; a throw from here is a bug (the robustness tests feed it random bytes).
import { type CstNode, type ILexingError, type IRecognitionException, type IToken, tokenMatcher } from "chevrotain";
import type { Comment, Pos, Program, Span } from "./ast.js";
import { type Diagnostic, Diagnostics } from "../base/diagnostics.js";
import { layout } from "./layout.js";
import { limitExpressionDepth, tooDeepTokens } from "./depth.js";
import { endPosition, lineStartOf, sourceLines } from "./lines.js";
import { describeToken, hintFor, startOfLineMessage } from "./messages.js";
import { parser } from "./parser.js";
import { BadNumber, lexer, NumberLit, StringLit, UnterminatedString } from "./tokens.js";
import { AstBuilder } from "./to-ast.js";

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** The most syntax errors reported for one file: past this, errors are mostly echoes. */
export const MAX_SYNTAX_ERRORS = 25;
export { MAX_EXPR_DEPTH, MAX_NESTING } from "./depth.js";

function tokenSpan(t: IToken, eof: Pos): Span {
  if (Number.isNaN(t.startOffset) || t.startLine === undefined) return { start: eof, end: eof };
  return {
    start: { offset: t.startOffset, line: t.startLine, column: t.startColumn ?? 1 },
    end: { offset: (t.endOffset ?? t.startOffset) + 1, line: t.endLine ?? t.startLine, column: (t.endColumn ?? 1) + 1 },
  };
}

const LEX_HINTS: Record<string, string> = {
  "'": 'strings use double quotes: `"..."`.',
  "!": "write `not` for negation and `!=` for inequality.",
  "&": "write `and`.",
  "|": "write `or`.",
  "$": "names are letters, digits and `_`.",
};

function lexDiagnostic(file: string, source: string, e: ILexingError): Diagnostic {
  const start = { offset: e.offset, line: e.line ?? 1, column: e.column ?? 1 };
  const text = source.slice(e.offset, e.offset + e.length);
  const quote = text.startsWith('"');
  return {
    severity: "error",
    code: "syntax",
    message: quote ? "This string is not closed before the end of the line." : `I don't know what \`${text}\` means here.`,
    file,
    span: { start, end: { ...start, offset: e.offset + e.length, column: start.column + Math.max(1, e.length) } },
    label: quote ? "unterminated string" : "unexpected character",
    hint: quote ? 'close it with `"` on the same line.' : LEX_HINTS[text],
  };
}

/** True when only blanks stand between the start of the line and `offset`. */
function startsLine(source: string, offset: number): boolean {
  return source.slice(lineStartOf(source, offset), offset).trim() === "";
}

/** The position just after the last code on the lines before `line` (comments ignored). */
function endOfPreviousCode(source: string, line: number): Pos | undefined {
  const lines = sourceLines(source);
  for (let l = Math.min(line, lines.length + 1) - 2; l >= 0; l--) {
    const code = lines[l].text.replace(/#.*$/, "").trimEnd();
    if (code.trim() !== "") return { offset: lines[l].offset + code.length, line: l + 1, column: code.length + 1 };
  }
  return undefined;
}

function parseDiagnostic(file: string, source: string, e: IRecognitionException, eof: Pos): Diagnostic {
  const tok = e.token;
  const atEnd = Number.isNaN(tok.startOffset);
  const span = atEnd ? { start: eof, end: eof } : tokenSpan(tok, eof);
  const atLineStart = !atEnd && startsLine(source, tok.startOffset);
  const topLevel = e.context.ruleStack.length === 1 && atLineStart;
  const hint = hintFor(e, atLineStart);
  const common = { severity: "error" as const, code: "syntax" as const, file, ...(hint ? { hint } : {}) };
  if (topLevel) return { ...common, message: startOfLineMessage(tok), span, label: `unexpected ${describeToken(tok).replace(/^the /, "")}` };
  // A construct left unfinished at the end of a line: point there, not at the next line.
  const end = atLineStart || atEnd ? endOfPreviousCode(source, atEnd ? eof.line + 1 : tok.startLine ?? 1) : undefined;
  if (end) {
    const message = e.message.replace(/ here, but found .*$/, ", but the line ends here.");
    return { ...common, message, span: { start: end, end: { ...end, offset: end.offset + 1, column: end.column + 1 } }, label: "unfinished" };
  }
  return { ...common, message: e.message, span, label: atEnd ? "the file ends here" : `unexpected ${describeToken(tok).replace(/^the /, "")}` };
}

/**
 * Malformed literals are reported once and read as what they surely meant, so the rest of the
 * line parses normally: an unclosed string as closed, `3.` as `3.0`, `.5` as `0.5`.
 */
function repairLiterals(tokens: IToken[], file: string, diags: Diagnostics, eof: Pos): IToken[] {
  return tokens.map((t) => {
    const span = tokenSpan(t, eof);
    if (tokenMatcher(t, UnterminatedString)) {
      diags.error(file, span, "syntax", "This string is not closed before the end of the line.", { label: "unterminated string", hint: 'close it with `"` on the same line.' });
      return { ...t, tokenType: StringLit, tokenTypeIdx: StringLit.tokenTypeIdx!, image: t.image + '"' };
    }
    if (tokenMatcher(t, BadNumber)) {
      const fixed = t.image.startsWith(".") ? `0${t.image}` : `${t.image}0`;
      diags.error(file, span, "syntax", "A number needs a digit on both sides of its point.", { label: "incomplete number", hint: `write \`${fixed}\`.` });
      return { ...t, tokenType: NumberLit, tokenTypeIdx: NumberLit.tokenTypeIdx!, image: fixed };
    }
    return t;
  });
}

/** One syntax error per line: the first explains it, the rest are mostly its echoes. */
function firstPerLine(ds: readonly Diagnostic[]): Diagnostic[] {
  const lines = new Set<number>();
  return ds.filter((d) => {
    if (d.code !== "syntax") return true;
    if (lines.has(d.span.start.line)) return false;
    lines.add(d.span.start.line);
    return true;
  });
}

function emptyProgram(file: string, comments: Comment[], eof: Pos): Program {
  return { kind: "Program", file, decls: [], comments, span: { start: { offset: 0, line: 1, column: 1 }, end: eof } };
}

export function parse(source: string, file = "<input>"): ParseResult {
  const diags = new Diagnostics(MAX_SYNTAX_ERRORS);
  const eof = endPosition(source);
  const lexed = lexer.tokenize(source);
  for (const e of lexed.errors) diags.add(lexDiagnostic(file, source, e));
  const comments: Comment[] = (lexed.groups.comments ?? []).map((t) => ({ text: t.image, span: tokenSpan(t, eof) }));
  const tokens = layout(repairLiterals(lexed.tokens, file, diags, eof));
  // Nesting the parser would recurse on too deeply is refused before parsing (grammar/depth.ts).
  const deep = tooDeepTokens(tokens);
  if (deep) {
    diags.error(file, tokenSpan(deep.token, eof), "syntax", deep.message, { label: "too deep", hint: deep.hint });
    return { program: emptyProgram(file, comments, eof), diagnostics: diags.items };
  }
  parser.input = tokens;
  let cst: CstNode;
  try {
    cst = parser.program();
  } catch (e) {
    // A last resort: the limits above keep the parser's recursion to a fraction of the stack,
    // but a caller may already have used most of it. One message, not the parser's echoes.
    if (!(e instanceof RangeError)) throw e;
    diags.error(file, { start: eof, end: eof }, "syntax", "This file nests too deeply for me to read it here.", {
      hint: "name deeply nested parts with `let` to flatten them.",
    });
    return { program: emptyProgram(file, comments, eof), diagnostics: diags.items };
  }
  // One diagnostic per position: recovery can report the same spot more than once.
  const seen = new Set<number>();
  for (const e of parser.errors) {
    const key = e.token.startOffset;
    if (seen.has(key)) continue;
    seen.add(key);
    diags.add(parseDiagnostic(file, source, e, eof));
  }
  const program = new AstBuilder(file, diags, eof).program(cst, comments);
  for (const e of limitExpressionDepth(program)) diags.error(file, e.span, "syntax", e.message, { label: "too deep", hint: e.hint });
  const diagnostics = firstPerLine([...diags.items].sort((a, b) => a.span.start.offset - b.span.start.offset));
  return { program, diagnostics };
}
