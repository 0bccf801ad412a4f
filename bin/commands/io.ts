// Shared by the commands: reading sources, printing diagnostics, and the exit codes.
import { FileRefusal, MAX_SOURCE_BYTES, readRegularFile } from "../../runtime/fs/read-file.js";
import { parse, type ParseResult } from "../../grammar/parse.js";
import { type Diagnostic, renderDiagnostics } from "../../base/diagnostics.js";
import { paintDiagnostics, painterFor } from "../../runtime/monitor/colour.js";

/** The exit codes of every command; docs/cli.md and `iterc --help` list the same. 4 is a check a command makes failing: `fmt --check` (a file not formatted) or `check` (a contract's counterexample). */
export const EXIT = { ok: 0, internal: 1, user: 2, notConverged: 3, notFormatted: 4, contractFailed: 4 } as const;

/** A user error that is not tied to a place in a `.iter` file (a missing file, a bad flag). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** A .iter source: a regular file of at most MAX_SOURCE_BYTES (runtime/fs/read-file.ts). */
export function readSource(file: string): string {
  try {
    return readRegularFile(file, MAX_SOURCE_BYTES, "a .iter source").toString("utf8");
  } catch (e) {
    if (!(e instanceof FileRefusal)) throw e;
    if (e.reason === "missing") throw new UsageError(`I can't find the file \`${file}\`.`, e.hint);
    throw new UsageError(`I can't read \`${file}\`: ${e.message}.`, e.hint);
  }
}

export interface Loaded {
  file: string;
  source: string;
  parsed: ParseResult;
}

export function load(file: string): Loaded {
  const source = readSource(file);
  return { file, source, parsed: parse(source, file) };
}

export function printDiagnostics(ds: readonly Diagnostic[], file: string, source: string): void {
  if (ds.length === 0) return;
  const paint = painterFor(process.stderr);
  process.stderr.write(paintDiagnostics(renderDiagnostics(ds, new Map([[file, source]])), paint) + "\n\n");
  const errors = ds.filter((d) => d.severity === "error").length;
  const warnings = ds.length - errors;
  const parts = [errors && `${errors} error${errors === 1 ? "" : "s"}`, warnings && `${warnings} warning${warnings === 1 ? "" : "s"}`].filter(Boolean);
  process.stderr.write(`${file}: ${paint.paint(errors ? "red" : "yellow", parts.join(", "))}\n`);
}

export const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === "error");
