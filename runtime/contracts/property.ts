// A contract as a fast-check property: the drawn values are the property's input, one run of
// the probe program its body. fast-check draws `runs` sets of values from the seed and, on a
// failure, shrinks them (arbitrary.ts) while they still fail, up to a budget of runs.
import type { ContractPlan, Measure } from "../../compiler/contracts/index.js";
import type { Module } from "../../compiler/ir/ir.js";
import type { Tf } from "../tfjs/kernels/common.js";
import { type Drawn, drawsArbitrary, type FastCheck } from "./arbitrary.js";
import { evaluate, type Outcome } from "./evaluate.js";

export interface PropertyOptions {
  seed: number;
  runs: number;
  /** Runs spent on shrinking a counterexample at most. */
  shrinkRuns?: number;
}

export interface Counterexample {
  drawn: Drawn;
  measures: Measure[];
  /** Which run failed first (1-based), and how many shrinking steps made it simpler. */
  run: number;
  shrinks: number;
}

export interface PropertyResult {
  /** Random runs made (shrinking not counted). */
  runs: number;
  /** For each quantity, its value closest to (or past) its bound over the runs. */
  worst: Measure[];
  counterexample?: Counterexample;
}

export const DEFAULT_SHRINK_RUNS = 30;

/** Keeps, per quantity, the measure nearest its bound. */
function keepWorst(worst: Map<string, Measure>, measures: readonly Measure[]): void {
  for (const m of measures) {
    const prev = worst.get(m.what);
    const worse = !prev || Number.isNaN(m.value) || (m.relation === "≤" ? m.value > prev.value : m.value < prev.value);
    if (worse && !(prev && Number.isNaN(prev.value))) worst.set(m.what, m);
  }
}

export async function runProperty(tf: Tf, plan: ContractPlan, module: Module, o: PropertyOptions): Promise<PropertyResult> {
  const fc: FastCheck = (await import("fast-check")).default;
  const random = plan.draws.some((d) => d.dist.seed === undefined);
  const numRuns = random ? o.runs : 1;
  const worst = new Map<string, Measure>();
  let runs = 0;
  let failedAt = 0;
  let shrinking = 0;
  const budget = o.shrinkRuns ?? DEFAULT_SHRINK_RUNS;
  let thrown: { error: unknown } | undefined;
  const property = fc.property(drawsArbitrary(fc, plan.draws), (drawn) => {
    // Past the budget, a simpler candidate is not tried: the counterexample found so far stands.
    if (thrown || (failedAt && ++shrinking > budget)) return true;
    let outcome: Outcome;
    try {
      outcome = evaluate(tf, plan, module, drawn);
    } catch (error) {
      thrown = { error };
      return true;
    }
    if (!failedAt) {
      runs++;
      keepWorst(worst, outcome.measures);
      if (!outcome.holds) failedAt = runs;
    }
    return outcome.holds;
  });
  const details = fc.check(property, { seed: o.seed, numRuns });
  // A run that threw (a bug, or memory) is not a counterexample: it is said as what it is.
  if (thrown) throw thrown.error;
  if (!details.failed) return { runs, worst: [...worst.values()] };
  const [drawn] = details.counterexample!;
  const again = evaluate(tf, plan, module, drawn);
  return { runs, worst: [...worst.values()], counterexample: { drawn, measures: again.measures, run: failedAt, shrinks: details.numShrinks } };
}
