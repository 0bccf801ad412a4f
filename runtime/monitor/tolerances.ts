// STOPGAP until the drivers put `tolerance` in their reports (then delete this file and its
// call in bin/commands/run.ts): the tolerance each top-level construct was tested against,
// rebuilt from the compiled module's stopping-rule attributes and the report's own numbers,
// so `--plot` can draw the tolerance line today. It reads the IR and never changes it.
//
// The threshold is max(atol, rtol · ref) (runtime/drivers/stopping.ts), and the reference norm
// of a report is residual / relResidual (‖b‖ for a solve, ‖x‖ of the returned iterate for a
// fixpoint). Where that ratio does not exist (a zero residual, no relative residual), only a
// positive atol is certain.
import type { Attr, Module, Region } from "../../compiler/ir/ir.js";
import { resolveRule } from "../drivers/stopping.js";
import type { Report } from "../report.js";

interface Tolerances {
  rtol: number;
  atol: number;
}

const num = (a: Attr | undefined): number | undefined => (typeof a === "number" ? a : undefined);

/** The same reading as runtime/interpreter.ts's `stoppingRule`: an `until` clause wins over the method's options. */
function rule(attrs: Record<string, Attr>): Tolerances {
  const options = (attrs.options ?? {}) as Record<string, Attr>;
  const stop = (attrs.stop ?? {}) as Record<string, Attr>;
  const until = Object.keys(stop).length > 0;
  const rtol = until ? (num(stop.rtol) ?? 0) : num(options.rtol);
  const atol = until ? (num(stop.atol) ?? 0) : num(options.atol);
  const r = resolveRule({ maxIter: 0, ...(rtol !== undefined ? { rtol } : {}), ...(atol !== undefined ? { atol } : {}) });
  return { rtol: r.rtol, atol: r.atol };
}

/** The stopping tolerances of the top-level `solve` and `fixpoint` ops of `main`, by label. */
export function stoppingTolerances(module: Module): Map<string, Tolerances> {
  const out = new Map<string, Tolerances>();
  const main: Region | undefined = module.funcs.get("main")?.body;
  for (const op of main?.ops ?? []) {
    if ((op.opcode === "solve" || op.opcode === "fixpoint") && op.label !== undefined && !out.has(op.label)) out.set(op.label, rule(op.attrs));
  }
  return out;
}

/** The threshold a report's residual was tested against, when its numbers determine it. */
export function thresholdOf(r: Report, t: Tolerances): number | undefined {
  const ref = r.residual / r.relResidual;
  if (Number.isFinite(ref) && ref > 0) return Math.max(t.atol, t.rtol * ref);
  return t.atol > 0 ? t.atol : undefined;
}

/** Copies of the reports with `tolerance` filled in where the report lacks it and the module says it. */
export function withTolerances(reports: readonly Report[], module: Module): Report[] {
  const rules = stoppingTolerances(module);
  return reports.map((r) => {
    if (r.tolerance !== undefined) return r;
    const t = rules.get(r.name);
    const threshold = t && thresholdOf(r, t);
    return threshold === undefined ? r : { ...r, tolerance: threshold };
  });
}
