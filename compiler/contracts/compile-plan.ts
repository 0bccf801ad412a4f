// A planned contract's program through the usual pipeline: the generic check, the concrete
// elaboration at the contract's sizes and shapes, lowering and the passes. Only errors are
// kept: the program's warnings were said when the file itself was checked.
import { check } from "../check/index.js";
import { type Compiled, compileChecked, type CompileOptions } from "../compile.js";
import type { ContractPlan } from "./plan.js";

export function compilePlan(plan: ContractPlan, options: Pick<CompileOptions, "memory" | "verify"> = {}): Compiled {
  const generic = check(plan.program, { sizes: plan.set });
  const errors = generic.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) return { diagnostics: errors, program: plan.program };
  const inputShapes = new Map(plan.draws.map((d) => [d.name, d.shape]));
  const compiled = compileChecked({ diagnostics: [], program: plan.program }, { ...options, file: plan.program.file, sizes: plan.set, inputShapes });
  return { ...compiled, diagnostics: compiled.diagnostics.filter((d) => d.severity === "error") };
}
