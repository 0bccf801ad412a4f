// Lines of a source text, counted as the lexer counts them: a line ends at LF, CRLF or a lone
// CR (grammar/tokens.ts). Everything that turns an offset into a line and column, or a line
// into text, goes through here, so a file with any mix of line endings gets one numbering.
import type { Pos } from "./ast.js";

/** The same terminators as the lexer's LINE_TERMINATOR, for splitting. */
const TERMINATOR = /\r\n?|\n/g;

export interface SourceLine {
  /** The line's text without its terminator. */
  text: string;
  /** Offset of the line's first character. */
  offset: number;
}

/** Every line of `source`; a source ending with a terminator has a last, empty line. */
export function sourceLines(source: string): SourceLine[] {
  const lines: SourceLine[] = [];
  let start = 0;
  TERMINATOR.lastIndex = 0;
  for (let m = TERMINATOR.exec(source); m !== null; m = TERMINATOR.exec(source)) {
    lines.push({ text: source.slice(start, m.index), offset: start });
    start = m.index + m[0].length;
  }
  lines.push({ text: source.slice(start), offset: start });
  return lines;
}

/** The position just past the last character. */
export function endPosition(source: string): Pos {
  const lines = sourceLines(source);
  const last = lines[lines.length - 1];
  return { offset: source.length, line: lines.length, column: last.text.length + 1 };
}

/** The offset where the line holding `offset` starts. */
export function lineStartOf(source: string, offset: number): number {
  for (let i = Math.min(offset, source.length) - 1; i >= 0; i--) {
    const c = source.charCodeAt(i);
    if (c === 10 || c === 13) return i + 1;
  }
  return 0;
}

/** The line and column of `offset` (1-based), as the lexer would give them. */
export function positionAt(source: string, offset: number): Pos {
  const lines = sourceLines(source.slice(0, offset));
  return { offset, line: lines.length, column: lines[lines.length - 1].text.length + 1 };
}
