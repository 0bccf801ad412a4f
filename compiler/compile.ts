// The compiler's front door: source text → diagnostics and, when there are no errors, an IR
// module specialised to concrete sizes and run through the pass pipeline. The stages run top
// to bottom, each named, none reaching back.
import type * as A from "../grammar/ast.js";
import { parse } from "../grammar/parse.js";
import { check } from "./check/index.js";
import type { Diagnostic } from "./diagnostics.js";
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

/** Parses and checks: what `iterc check` runs. */
export function checkSource(source: string, options: CompileOptions = {}): Compiled {
  const file = options.file ?? "<input>";
  const parsed = parse(source, file);
  if (hasErrors(parsed.diagnostics)) return { diagnostics: parsed.diagnostics, program: parsed.program };
  const checked = check(parsed.program, options.sizes ? { sizes: options.sizes } : {});
  return { diagnostics: [...parsed.diagnostics, ...checked.diagnostics], program: parsed.program };
}

export function compileSource(source: string, options: CompileOptions = {}): Compiled {
  const checked = checkSource(source, options);
  if (hasErrors(checked.diagnostics) || !checked.program) return checked;
  const file = options.file ?? "<input>";
  let lowered: Lowered;
  try {
    lowered = lower(checked.program, { ...(options.sizes ? { sizes: options.sizes } : {}), ...(options.inputShapes ? { inputShapes: options.inputShapes } : {}) });
  } catch (e) {
    if (!(e instanceof LowerError)) throw e;
    const d: Diagnostic = { severity: "error", code: "specialise", message: e.message, file, span: e.span, ...(e.hint ? { hint: e.hint } : {}) };
    return { ...checked, diagnostics: [...checked.diagnostics, d] };
  }
  const module = runPipeline(lowered.module, defaultPasses({ specialise }), {
    verify: options.verify ?? true,
    ...(options.dumpAfter ? { dumpAfter: options.dumpAfter } : {}),
    ...(options.dump ? { dump: options.dump } : {}),
  });
  return { ...checked, lowered, module };
}
