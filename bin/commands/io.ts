// Shared by the commands: reading sources, printing diagnostics, and the exit codes.
import { readFileSync } from "node:fs";
import { parse, type ParseResult } from "../../grammar/parse.js";
import { type Diagnostic, renderDiagnostics } from "../../base/diagnostics.js";
import { paintDiagnostics, painterFor } from "../../runtime/monitor/colour.js";

export const EXIT = { ok: 0, internal: 1, user: 2, notConverged: 3, contractFailed: 4 } as const;

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

export function readSource(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`I can't find the file \`${file}\`.`, "check the path; it is relative to the current folder.");
    if (code === "EISDIR") throw new UsageError(`\`${file}\` is a folder, not a .iter file.`);
    throw new UsageError(`I can't read \`${file}\`: ${(e as Error).message}`);
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
