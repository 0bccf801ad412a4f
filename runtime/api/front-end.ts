// `check` and `format` as the library API gives them: source text in, plain data out, as
// `iterc check` and `iterc fmt` do.
import type { Diagnostic } from "../../base/diagnostics.js";
import { checkSource } from "../../compiler/compile.js";
import type * as A from "../../grammar/ast.js";
import { format as formatProgram, type FormatOptions } from "../../grammar/format.js";
import { parse } from "../../grammar/parse.js";
import { memoryLimit } from "../limits.js";
import type { CheckResult } from "./types.js";

export interface CheckOptions {
  /** The name diagnostics give the file. Default `<input>`. */
  file?: string;
  /** Values for sizes, as `--set`: with every size known, the program is also elaborated concretely. */
  sizes?: Readonly<Record<string, number>>;
}

/** Names, types and shapes: every diagnostic of the program at once, as data. */
export function check(source: string, options: CheckOptions = {}): CheckResult {
  const sizes = new Map(Object.entries(options.sizes ?? {}));
  const { diagnostics } = checkSource(source, { file: options.file ?? "<input>", sizes, memory: memoryLimit() });
  return { ok: !diagnostics.some((d) => d.severity === "error"), diagnostics };
}

/** Source text that does not parse, given to `format`: its syntax errors are in `diagnostics`. */
export class FormatError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`the program does not parse: ${diagnostics[0]?.message ?? "syntax error"}`);
    this.name = "FormatError";
  }
}

/**
 * The canonical form of a program, given as source text or as a parsed AST. Text that does not
 * parse cannot be formatted: that throws a FormatError, as Prettier does.
 */
export function format(program: string | A.Program, options?: FormatOptions): string {
  if (typeof program !== "string") return formatProgram(program, options);
  const parsed = parse(program, "<input>");
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new FormatError(errors);
  return formatProgram(parsed.program, options);
}
