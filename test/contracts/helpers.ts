// Running a file's contracts in-process, for the tests: the cpu backend, few runs, a short
// shrinking budget (each run of a contract is one run of its probe program).
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { checkFile, type ContractOutcome } from "../../runtime/contracts/contract-check.js";
import type { Diagnostic } from "../../base/diagnostics.js";

export interface Checked {
  diagnostics: Diagnostic[];
  outcomes: ContractOutcome[];
}

export async function runContracts(source: string, o: { runs?: number; seed?: number; shrinkRuns?: number; sizes?: Record<string, number> } = {}): Promise<Checked> {
  const tf = (await selectBackend("cpu")).tf;
  const f = checkFile(tf, source, { file: "test.iter", seed: o.seed ?? 1, runs: o.runs ?? 8, shrinkRuns: o.shrinkRuns ?? 10, sizes: new Map(Object.entries(o.sizes ?? {})) });
  const outcomes: ContractOutcome[] = [];
  for await (const outcome of f.run()) outcomes.push(outcome);
  return { diagnostics: f.diagnostics, outcomes };
}

/** The last contract of a file (the `check` a test is about): its outcome, after checking the file had no errors. */
export async function lastOutcome(source: string, o: Parameters<typeof runContracts>[1] = {}): Promise<ContractOutcome> {
  const { diagnostics, outcomes } = await runContracts(source, o);
  const errors = diagnostics.filter((d) => d.severity === "error").map((d) => `${d.span.start.line}:${d.span.start.column} ${d.message}`);
  if (errors.length) throw new Error(`the file has errors: ${errors.join("; ")}`);
  const out = outcomes.at(-1);
  if (!out) throw new Error("the file has no contract");
  if (out.status === "error") throw new Error(`the contract cannot run: ${out.diagnostics.map((d) => d.message).join("; ")}`);
  return out;
}

/** The failing measures of a failed contract, as `what > bound` facts. */
export function failing(o: ContractOutcome): { what: string; value: number; bound: number }[] {
  return (o.result?.counterexample?.measures ?? []).filter((m) => !m.holds).map((m) => ({ what: m.what, value: m.value, bound: m.bound }));
}

export const lines = (...ls: string[]): string => ls.join("\n") + "\n";
