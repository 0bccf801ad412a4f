// `iterc check`'s second half: every contract of a file (its `check`s and its ops' structure
// tags), each planned, compiled and run as a property with a fixed seed. A contract either
// holds on every run, fails with a shrunk counterexample, or cannot be run as written (an
// error located at the contract, exit 2).
import type { Diagnostic } from "../../base/diagnostics.js";
import { checkSource } from "../../compiler/compile.js";
import { compilePlan, type ContractPlan, contractsOf, PlanError, planContract, type ResolvedContract } from "../../compiler/contracts/index.js";
import type { MemoryLimit } from "../../compiler/check/memory.js";
import type { ProgramIndex } from "../../compiler/contracts/program-index.js";
import type { Tf } from "../tfjs/kernels/common.js";
import { type PropertyResult, runProperty } from "./property.js";

export interface ContractCheckOptions {
  file: string;
  /** `--set`: sizes for the whole file (a contract's `for n = …` comes first). */
  sizes?: ReadonlyMap<string, number>;
  seed: number;
  runs: number;
  shrinkRuns?: number;
  memory?: MemoryLimit;
  /** Only the contracts written on these lines. */
  lines?: ReadonlySet<number>;
}

export interface ContractOutcome {
  contract: ResolvedContract;
  plan?: ContractPlan;
  /** `error`: the contract could not be run as written (see `diagnostics`). */
  status: "holds" | "fails" | "error";
  result?: PropertyResult;
  diagnostics: Diagnostic[];
  seed: number;
  seconds: number;
}

/** The seed of one contract's runs: the file's seed and the contract's line, so adding a contract changes no other. */
export function contractSeed(seed: number, c: ResolvedContract): number {
  return (Math.imul(seed, 1_000_003) + c.span.start.line * 7919 + c.span.start.column) >>> 0;
}

/** The file's diagnostics (errors stop here), then each contract's outcome in file order. */
export function checkFile(tf: Tf | (() => Promise<Tf>), source: string, o: ContractCheckOptions): { diagnostics: Diagnostic[]; contracts: ResolvedContract[]; run: () => AsyncGenerator<ContractOutcome> } {
  const checked = checkSource(source, { file: o.file, ...(o.sizes ? { sizes: o.sizes } : {}), ...(o.memory ? { memory: o.memory } : {}) });
  const errors = checked.diagnostics.some((d) => d.severity === "error");
  const found = errors || !checked.program ? undefined : contractsOf(checked.program);
  const contracts = (found?.contracts ?? []).filter((c) => !o.lines || o.lines.has(c.span.start.line));
  async function* run(): AsyncGenerator<ContractOutcome> {
    if (!found || contracts.length === 0) return;
    const engine = typeof tf === "function" ? await tf() : tf;
    for (const c of contracts) yield await runContract(engine, found.index, c, o);
  }
  return { diagnostics: checked.diagnostics, contracts, run };
}

export async function runContract(tf: Tf, index: ProgramIndex, c: ResolvedContract, o: ContractCheckOptions): Promise<ContractOutcome> {
  const t0 = performance.now();
  const seed = contractSeed(o.seed, c);
  const done = (rest: Omit<ContractOutcome, "contract" | "seed" | "seconds">): ContractOutcome => ({ contract: c, seed, seconds: (performance.now() - t0) / 1000, ...rest });
  let plan: ContractPlan;
  try {
    plan = planContract(index, c, o.sizes);
  } catch (e) {
    if (!(e instanceof PlanError)) throw e;
    return done({ status: "error", diagnostics: [{ severity: "error", code: "bad-contract", message: e.message, file: o.file, span: e.span, ...(e.hint ? { hint: e.hint } : {}) }] });
  }
  const compiled = compilePlan(plan, o.memory ? { memory: o.memory } : {});
  if (!compiled.module) return done({ plan, status: "error", diagnostics: compiled.diagnostics.map((d) => ({ ...d, notes: [...(d.notes ?? []), `while preparing the runs of \`${c.text}\` (line ${c.span.start.line}).`] })) });
  const result = await runProperty(tf, plan, compiled.module, { seed, runs: o.runs, ...(o.shrinkRuns !== undefined ? { shrinkRuns: o.shrinkRuns } : {}) });
  return done({ plan, status: result.counterexample ? "fails" : "holds", result, diagnostics: [] });
}
