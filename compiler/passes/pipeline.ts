// The pass manager: the IR goes through one straight list of named passes, top to bottom,
// like Halide's Lower.cpp. After each pass the IR can be verified (tests always do) and
// printed (`iterc compile --dump-after=NAME`). `lower` names the IR as lowering made it,
// before any pass.
import { InternalError } from "../../base/diagnostics.js";
import type { Module } from "../ir/ir.js";
import { printModule } from "../ir/print.js";
import { verifyModule } from "../ir/verify.js";
import { cse } from "./cse.js";
import { dce } from "./dce.js";
import { type F32Storage, fold, foldFor } from "./fold.js";
import { licm } from "./licm.js";

export interface Pass {
  name: string;
  run(m: Module): Module;
}

export interface PipelineOptions {
  /** Verify the input and the output of every pass; a broken invariant is an InternalError. */
  verify?: boolean;
  /** Print the IR after the pass with this name (`lower`: before the first pass). */
  dumpAfter?: string;
  /** Where the dump goes; stdout by default. */
  dump?: (pass: string, text: string) => void;
}

/** The name of the IR before any pass, for `dumpAfter`. */
export const INPUT_STAGE = "lower";

/**
 * The simplification passes, in order: fold exposes merges; licm moves what does not change
 * between iterations out of the iterative constructs, where cse then merges it with its twins
 * outside; dce removes what is left unused.
 */
export const DEFAULT_PASSES: readonly Pass[] = [fold, licm, cse, dce];

/**
 * The full pipeline. `specialise` lives in compiler/passes/specialise.ts and is passed in (it
 * imports from the IR helpers this module also serves, so passing it avoids an import cycle
 * and lets tests run the simplifications on hand-built, already specialised modules):
 *
 *   defaultPasses({ specialise, autodiff })  →  specialise, autodiff, fold, licm, cse, dce
 *
 * `f32: "f64"` folds constants the way a `--precision f64` run computes them (no float32 rounding).
 *
 * Later passes (autodiff after specialise, fusion last) take their slots here the same way.
 */
export function defaultPasses(extra: { specialise?: Pass; autodiff?: Pass; f32?: F32Storage } = {}): Pass[] {
  const simplify = extra.f32 && extra.f32 !== "f32" ? [foldFor(extra.f32), licm, cse, dce] : DEFAULT_PASSES;
  return [...(extra.specialise ? [extra.specialise] : []), ...(extra.autodiff ? [extra.autodiff] : []), ...simplify];
}

/** A `dumpAfter` that names no stage: a user error the CLI reports (not a compiler bug). */
export class UnknownPassError extends Error {
  readonly isUserError = true;
  constructor(
    readonly pass: string,
    readonly known: readonly string[],
  ) {
    super(`there is no pass \`${pass}\`; the stages are: ${known.join(", ")}`);
    this.name = "UnknownPassError";
  }
}

/** The stage names `dumpAfter` accepts for this list of passes. */
export function stageNames(passes: readonly Pass[]): string[] {
  return [INPUT_STAGE, ...passes.map((p) => p.name)];
}

function check(m: Module, stage: string): void {
  const errors = verifyModule(m);
  if (errors.length === 0) return;
  const shown = errors.slice(0, 5).join("\n  ");
  const more = errors.length > 5 ? `\n  (and ${errors.length - 5} more)` : "";
  const what = stage === INPUT_STAGE ? "lowering produced invalid IR" : `the pass \`${stage}\` produced invalid IR`;
  throw new InternalError(`${what}:\n  ${shown}${more}`);
}

/** Runs `passes` in order on `m`; the input module is left as it was. */
export function runPipeline(m: Module, passes: readonly Pass[], options: PipelineOptions = {}): Module {
  const stages = stageNames(passes);
  if (options.dumpAfter !== undefined && !stages.includes(options.dumpAfter)) throw new UnknownPassError(options.dumpAfter, stages);
  const dump = options.dump ?? ((pass: string, text: string) => void process.stdout.write(`// after ${pass}\n${text}\n`));
  const after = (stage: string, module: Module) => {
    if (options.verify) check(module, stage);
    if (options.dumpAfter === stage) dump(stage, printModule(module));
  };
  after(INPUT_STAGE, m);
  let current = m;
  for (const pass of passes) {
    current = pass.run(current);
    after(pass.name, current);
  }
  return current;
}
