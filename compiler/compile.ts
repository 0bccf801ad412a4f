// The compiler's front door: source text → diagnostics and, when there are no errors, an IR
// module specialised to concrete sizes and run through the pass pipeline. The stages run top
// to bottom, each named, none reaching back:
//
//   parse → check (generic: sizes may be symbolic) → check (concrete: every size a number,
//   every instance elaborated) → lower → passes
import type * as A from "../grammar/ast.js";
import { parse } from "../grammar/parse.js";
import { check, type GivenData } from "./check/index.js";
import { formatBytes, limitText, type MemoryLimit, tensorBytes } from "./check/memory.js";
import { peakOf } from "./ir/liveness.js";
import { FILE_START } from "../base/span.js";
import type { Diagnostic } from "../base/diagnostics.js";
import type { FloatDType } from "../base/dtype.js";
import type { Module } from "./ir/ir.js";
import { lower, type Lowered } from "./lower/index.js";
import { defaultPasses, runPipeline, stageNames } from "./passes/pipeline.js";
import { specialise } from "./passes/specialise.js";
import { autodiff } from "./autodiff/pass.js";
import { NotDifferentiable } from "./autodiff/errors.js";
import { batchSizesOf } from "./check/train.js";
import type { TProgram } from "./typed/program.js";

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
  /** The memory a run may plan for (`--max-memory`); a program that cannot fit is refused. */
  memory?: MemoryLimit;
  /** Compile the default of this input instead: the module's one export is its value (code generation). */
  exportInput?: string;
  /**
   * How `f32` values are computed: in float32 (default), or in float64 (`--precision f64`, which
   * runs a whole program in float64 on the native backend): constants fold that way, and the
   * tolerance floor is float64's.
   */
  precision?: FloatDType;
}

export interface Compiled {
  diagnostics: Diagnostic[];
  program?: A.Program;
  /** The concrete elaboration, when there were no errors and every size had a value. */
  typed?: TProgram;
  /** The generic check's typed program (sizes without a value symbolic), when it had no errors. */
  generic?: TProgram;
  /** Present when there were no errors. */
  lowered?: Lowered;
  module?: Module;
}

const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === "error");

/** The stages `dumpAfter` names, in order: `lower`, then every pass of the pipeline. */
export const STAGES: readonly string[] = stageNames(defaultPasses({ specialise, autodiff }));

/**
 * Parses and checks: what `iterc check` runs. `concrete` also elaborates with every size a
 * number when every size has a value, so what only concrete sizes reveal (a size that is not
 * whole, a standard-library method that does not fit the unknown) is found without running.
 * A size without a value yet decides nothing there: `iterc run` decides it.
 */
export function checkSource(source: string, options: CompileOptions = {}, concrete = true): Compiled {
  const file = options.file ?? "<input>";
  const parsed = parse(source, file);
  if (hasErrors(parsed.diagnostics)) return { diagnostics: parsed.diagnostics, program: parsed.program };
  const generic = check(parsed.program, { ...(options.sizes ? { sizes: options.sizes } : {}), ...(options.precision ? { precision: options.precision } : {}) });
  const diagnostics = [...parsed.diagnostics, ...generic.diagnostics];
  if (hasErrors(diagnostics)) return { diagnostics, program: parsed.program };
  if (!concrete) return { diagnostics, program: parsed.program, ...(generic.typed ? { generic: generic.typed } : {}) };
  const elaborated = elaborate(parsed.program, options, { shapes: options.inputShapes ?? new Map(), required: false });
  if (elaborated.undecided) return { diagnostics, program: parsed.program };
  return { diagnostics: [...diagnostics, ...elaborated.errors], program: parsed.program, ...(elaborated.typed ? { typed: elaborated.typed } : {}) };
}

/** The concrete elaboration; only its errors are new (its warnings repeat the generic check's). */
function elaborate(program: A.Program, options: CompileOptions, data: GivenData): { errors: Diagnostic[]; typed?: TProgram; undecided: boolean } {
  // `batch 64` gives a batch dimension declared without a value its value; --set overrides it.
  const sizes = new Map([...batchSizesOf(program), ...(options.sizes ?? [])]);
  const r = check(program, { sizes, ...(options.memory ? { memory: options.memory } : {}), ...(options.precision ? { precision: options.precision } : {}), concrete: data });
  return { errors: r.diagnostics.filter((d) => d.severity === "error"), ...(r.typed ? { typed: r.typed } : {}), undecided: r.undecided === true };
}

export function compileSource(source: string, options: CompileOptions = {}): Compiled {
  return compileChecked(checkSource(source, options, false), options);
}

/**
 * The stages after the generic check: the concrete elaboration, lowering and the passes. Split
 * from compileSource so a caller can act between them (a run selects its backend, whose memory
 * limit bounds the elaboration).
 */
export function compileChecked(checked: Compiled, options: CompileOptions = {}): Compiled {
  if (hasErrors(checked.diagnostics) || !checked.program) return checked;
  const elaborated = elaborate(checked.program, options, { shapes: options.inputShapes ?? new Map(), required: true });
  if (!elaborated.typed) return { ...checked, diagnostics: [...checked.diagnostics, ...elaborated.errors] };
  const lowered = lower(elaborated.typed, options.exportInput !== undefined ? { exportInput: options.exportInput } : {});
  let module: Module;
  try {
    module = runPipeline(lowered.module, defaultPasses({ specialise, autodiff, f32: options.precision ?? "f32" }), {
      verify: options.verify ?? true,
      ...(options.dumpAfter ? { dumpAfter: options.dumpAfter } : {}),
      ...(options.dump ? { dump: options.dump } : {}),
    });
  } catch (e) {
    if (!(e instanceof NotDifferentiable)) throw e;
    return { ...checked, diagnostics: [...checked.diagnostics, notDifferentiable(e, checked.program.file)], typed: elaborated.typed };
  }
  const tooLarge = options.memory && peakTooLarge(module, options.memory, checked.program.file);
  if (tooLarge) return { ...checked, diagnostics: [...checked.diagnostics, tooLarge], typed: elaborated.typed };
  return { ...checked, typed: elaborated.typed, lowered, module };
}

/** A derivative through an op without a rule: said where it was asked for, naming the op. */
function notDifferentiable(e: NotDifferentiable, file: string): Diagnostic {
  return {
    severity: "error",
    code: "not-differentiable",
    message: `This derivative goes through \`${e.op}\`, which cannot be differentiated here: ${e.why}.`,
    file,
    span: e.askedAt ?? e.at ?? FILE_START,
    ...(e.at ? { notes: [`\`${e.op}\` is computed on line ${e.at.start.line}.`] } : {}),
  };
}

/** The tensors alive at once at the peak of a run, when they cannot fit: said at the op of the peak. */
function peakTooLarge(module: Module, limit: MemoryLimit, file: string): Diagnostic | undefined {
  const main = module.funcs.get("main");
  const peak = main ? peakOf(main.body, (v) => tensorBytes(v.type) ?? 0) : { bytes: 0 };
  if (peak.bytes <= limit.bytes) return undefined;
  return {
    severity: "error",
    code: "too-large",
    message: `At its peak, the run holds ${formatBytes(peak.bytes)} of tensors at once, more than the ${limitText(limit)}.`,
    file,
    span: peak.span ?? FILE_START,
    notes: ["a value stays in memory from where it is computed to its last use; this is where the most are alive at once."],
    hint: limit.hint,
  };
}
