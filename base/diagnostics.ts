// Diagnostics are values: every stage collects them and returns them; none is thrown for a
// user error. A compiler bug is different: it is an `InternalError`, and the CLI says so.
import { codeFrameColumns } from "@babel/code-frame";
import type { DiagnosticCode } from "./codes.js";
import type { Span } from "./span.js";

export type { DiagnosticCode } from "./codes.js";

export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  /** A stable kebab-case code named for the mistake (base/codes.ts lists them all). */
  code: DiagnosticCode;
  /** One sentence a person reads first. */
  message: string;
  file: string;
  span: Span;
  /** Short text shown under the caret. */
  label?: string;
  /** Further facts, each shown as `= ...`. */
  notes?: string[];
  /** What to do about it, shown as `= hint: ...`. */
  hint?: string;
}

/** Collects diagnostics up to a cap, so that one bad file cannot flood the terminal. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];
  truncated = 0;

  constructor(readonly cap = 50) {}

  add(d: Diagnostic): void {
    if (this.items.length < this.cap) this.items.push(d);
    else this.truncated++;
  }

  error(file: string, span: Span, code: DiagnosticCode, message: string, extra: Partial<Diagnostic> = {}): void {
    this.add({ severity: "error", code, message, file, span, ...extra });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
}

/** A bug in iterlang itself: never a user's fault, always reported as such. */
export class InternalError extends Error {
  constructor(message: string) {
    super(`internal error: ${message}`);
    this.name = "InternalError";
  }
}

/** Asserts an invariant of the compiler; failing it is a bug, not a user error. */
export function internalAssert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new InternalError(message);
}

export const BUG_REPORT_HINT =
  "This is a bug in iterlang, not in your program. Please report it with the file that triggered it and the output above.";

/** `file:line:column`, the form editors and terminals make clickable. */
export function formatLocation(file: string, span: Span): string {
  return `${file}:${span.start.line}:${span.start.column}`;
}

/**
 * The source as the code frame should split it. Babel's code frame ends lines at LF, CRLF, lone
 * CR (as the lexer does) and also at U+2028/U+2029, which the lexer does not count: those become
 * spaces (same length, so columns stay), and line numbers agree with the diagnostics'.
 */
function frameSource(source: string): string {
  return source.replace(/[\u2028\u2029]/g, " ");
}

/** Renders a diagnostic with a code frame of `source` and a caret under the span. */
export function renderDiagnostic(d: Diagnostic, source: string | undefined): string {
  const lines = [`${d.severity}[${d.code}]: ${d.message}`, `  --> ${formatLocation(d.file, d.span)}`];
  if (source !== undefined) {
    const { start, end } = d.span;
    const sameLine = end.line === start.line && end.column > start.column;
    const frame = codeFrameColumns(
      frameSource(source),
      {
        start: { line: start.line, column: start.column },
        end: sameLine ? { line: end.line, column: end.column } : undefined,
      },
      { linesAbove: 1, linesBelow: 0, highlightCode: false, message: d.label },
    );
    lines.push(frame.replace(/^/gm, "  "));
  }
  for (const note of d.notes ?? []) lines.push(`  = ${note}`);
  if (d.hint) lines.push(`  = hint: ${d.hint}`);
  return lines.join("\n");
}

export function renderDiagnostics(ds: readonly Diagnostic[], sources: ReadonlyMap<string, string>): string {
  return ds.map((d) => renderDiagnostic(d, sources.get(d.file))).join("\n\n");
}
