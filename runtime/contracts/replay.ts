// `iterc check FILE --replay DIR`: one contract, rerun on the values of a saved counterexample
// at the sizes it was found at. The same evaluation as every run of `iterc check`.
import type { Diagnostic } from "../../base/diagnostics.js";
import { checkSource } from "../../compiler/compile.js";
import { compilePlan, type ContractPlan, contractsOf, planContract } from "../../compiler/contracts/index.js";
import type { MemoryLimit } from "../../compiler/check/memory.js";
import type { Tf } from "../tfjs/kernels/common.js";
import { CounterexampleError, type SavedCounterexample } from "./counterexample.js";
import type { Drawn } from "./arbitrary.js";
import { evaluate, type Outcome } from "./evaluate.js";

export interface Replayed {
  diagnostics: Diagnostic[];
  plan?: ContractPlan;
  outcome?: Outcome;
}

export function replay(tf: Tf, source: string, file: string, saved: SavedCounterexample, drawn: Drawn, memory?: MemoryLimit): Replayed {
  const checked = checkSource(source, { file, ...(memory ? { memory } : {}) });
  if (checked.diagnostics.some((d) => d.severity === "error") || !checked.program) return { diagnostics: checked.diagnostics };
  const { index, contracts } = contractsOf(checked.program);
  const c = contracts.find((k) => k.text === saved.contract && k.span.start.line === saved.line) ?? contracts.find((k) => k.text === saved.contract);
  if (!c) throw new CounterexampleError(`\`${file}\` has no contract \`${saved.contract}\` any more (it was on line ${saved.line} when the counterexample was saved).`);
  const plan = planContract(index, c, new Map(Object.entries(saved.sizes)));
  const missing = plan.draws.find((d) => !drawn[d.name] || drawn[d.name].length !== d.shape.reduce((a, b) => a * b, 1));
  if (missing) throw new CounterexampleError(`The counterexample has no value of the right size for \`${missing.name}\`: the contract or its sizes changed since it was saved.`);
  const compiled = compilePlan(plan, memory ? { memory } : {});
  if (!compiled.module) return { diagnostics: compiled.diagnostics, plan };
  return { diagnostics: checked.diagnostics, plan, outcome: evaluate(tf, plan, compiled.module, drawn) };
}
