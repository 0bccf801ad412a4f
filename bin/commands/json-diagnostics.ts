// Diagnostics as JSON for editors and CI (`iterc check --json`, `iterc run --json`): one object
// per diagnostic with its place, code, message and hint. A mistake that has no place in a .iter
// file (a missing file, a bad flag, data that does not fit) has `line` and `column` null.
import { type Diagnostic, type DiagnosticCode } from "../../base/diagnostics.js";

export interface JsonDiagnostic {
  file: string | null;
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
  severity: "error" | "warning";
  code: DiagnosticCode;
  message: string;
  hint: string | null;
  label?: string;
  notes?: string[];
}

export function diagnosticJson(d: Diagnostic): JsonDiagnostic {
  const { start, end } = d.span;
  return {
    file: d.file,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    severity: d.severity,
    code: d.code,
    message: d.message,
    hint: d.hint ?? null,
    ...(d.label ? { label: d.label } : {}),
    ...(d.notes?.length ? { notes: d.notes } : {}),
  };
}

/** A mistake with no place in a .iter file. */
export function unplacedJson(code: DiagnosticCode, message: string, hint?: string, file: string | null = null): JsonDiagnostic {
  return { file, line: null, column: null, endLine: null, endColumn: null, severity: "error", code, message, hint: hint ?? null };
}

/** What a failed command prints on stdout with `--json`. */
export function failureJson(diagnostics: readonly JsonDiagnostic[], more: Record<string, unknown> = {}): string {
  return JSON.stringify({ ok: false, diagnostics, ...more }, null, 2) + "\n";
}
