// Checking source text in tests: the diagnostics as short `line:column severity message` lines.
import { check } from "../../compiler/check/index.js";
import type { Diagnostic } from "../../base/diagnostics.js";
import { parse } from "../../grammar/parse.js";

export function diagnose(source: string, sizes: Record<string, number> = {}, file = "test.iter"): Diagnostic[] {
  const parsed = parse(source, file);
  if (parsed.diagnostics.length) throw new Error(`syntax errors in a checker test:\n${parsed.diagnostics.map((d) => d.message).join("\n")}`);
  return check(parsed.program, { sizes: new Map(Object.entries(sizes)) }).diagnostics;
}

export const show = (d: Diagnostic): string => `${d.span.start.line}:${d.span.start.column} ${d.severity} ${d.message}`;

/** Every diagnostic, shown. */
export function report(source: string, sizes: Record<string, number> = {}): string[] {
  return diagnose(source, sizes).map(show);
}

/** Only the errors, shown. */
export function errors(source: string, sizes: Record<string, number> = {}): string[] {
  return diagnose(source, sizes)
    .filter((d) => d.severity === "error")
    .map(show);
}

/** A program from lines, so tests read like the files they stand for. */
export const lines = (...ls: string[]): string => ls.join("\n") + "\n";
