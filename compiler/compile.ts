// The compiler's front door: source text → diagnostics and, when there are no errors, an IR
// module specialised to concrete sizes and run through the pass pipeline. The stages run top
// to bottom, each named, none reaching back.
import type * as A from "../grammar/ast.js";
import { parse } from "../grammar/parse.js";
import { check } from "./check/index.js";
import type { Diagnostic } from "../base/diagnostics.js";
import type { Module } from "./ir/ir.js";
import { lower, LowerError, type Lowered } from "./lower/index.js";
import { defaultPasses, runPipeline } from "./passes/pipeline.js";
import { specialise } from "./passes/specialise.js";

export interface CompileOptions {
  file?: string;
  /** `--set N=63` */
  sizes?: ReadonlyMap<string, number>;
  /** Shapes of the inputs that will be given, which bind the sizes inputs mention. */
  inputShapes?: ReadonlyMap<string, readonly number[]>;
  /** Verify the IR after every pass (tests do; it is cheap). */
  verify?: boolean;
  /** Print the IR after the named pass (`lower` for the IR before any pass). */
  dumpAfter?: string;
  dump?: (pass: string, text: string) => void;
}

export interface Compiled {
  diagnostics: Diagnostic[];
  program?: A.Program;
  /** Present when there were no errors. */
  lowered?: Lowered;
  module?: Module;
}

const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === "error");

/**
 * Parses and checks: what `iterc check` runs. `specialise` also lowers, when every size has a
 * value, for the errors only concrete sizes reveal (compileSource lowers anyway, so it skips it).
 */
export function checkSource(source: string, options: CompileOptions = {}, specialise = true): Compiled {
  const file = options.file ?? "<input>";
  const parsed = parse(source, file);
  if (hasErrors(parsed.diagnostics)) return { diagnostics: parsed.diagnostics, program: parsed.program };
  const checked = check(parsed.program, options.sizes ? { sizes: options.sizes } : {});
  const diagnostics = [...parsed.diagnostics, ...checked.diagnostics];
  if (specialise && !hasErrors(diagnostics)) diagnostics.push(...specialisationErrors(parsed.program, file, options));
  return { diagnostics, program: parsed.program };
}

/**
 * The errors only concrete sizes reveal (a size that is not whole, an index out of range, a
 * standard-library method that does not fit the unknown's shape): when every size has a value,
 * checking lowers the program too, without running it. Undecidable cases (a size still without
 * a value) say nothing here; `iterc run` decides them.
 */
function specialisationErrors(program: A.Program, file: string, options: CompileOptions): Diagnostic[] {
  try {
    lower(program, { ...(options.sizes ? { sizes: options.sizes } : {}), checkOnly: true });
    return [];
  } catch (e) {
    if (!(e instanceof LowerError)) throw e;
    return e.undecided ? [] : [lowerDiagnostic(e, file)];
  }
}

function lowerDiagnostic(e: LowerError, file: string): Diagnostic {
  return { severity: "error", code: "method-does-not-fit", message: e.message, file, span: e.span, ...(e.hint ? { hint: e.hint } : {}) };
}

export function compileSource(source: string, options: CompileOptions = {}): Compiled {
  const checked = checkSource(source, options, false);
  if (hasErrors(checked.diagnostics) || !checked.program) return checked;
  const file = options.file ?? "<input>";
  let lowered: Lowered;
  try {
    lowered = lower(checked.program, { ...(options.sizes ? { sizes: options.sizes } : {}), ...(options.inputShapes ? { inputShapes: options.inputShapes } : {}) });
  } catch (e) {
    if (!(e instanceof LowerError)) throw e;
    return { ...checked, diagnostics: [...checked.diagnostics, lowerDiagnostic(e, file)] };
  }
  const module = runPipeline(lowered.module, defaultPasses({ specialise }), {
    verify: options.verify ?? true,
    ...(options.dumpAfter ? { dumpAfter: options.dumpAfter } : {}),
    ...(options.dump ? { dump: options.dump } : {}),
  });
  return { ...checked, lowered, module };
}
