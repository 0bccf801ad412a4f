// Source positions, shared by every stage: the grammar puts a span on each node, the checker
// and the IR carry them, and every diagnostic points with one.

/** A position in a source file; `line` and `column` are 1-based, `offset` 0-based. */
export interface Pos {
  offset: number;
  line: number;
  column: number;
}

/** A half-open source range `[start, end)`. */
export interface Span {
  start: Pos;
  end: Pos;
}

/** A span covering `a` through `b`. */
export function joinSpans(a: Span, b: Span): Span {
  return { start: a.start, end: b.end };
}

/** The empty span at the start of a file, for what has no better place. */
export const FILE_START: Span = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };
