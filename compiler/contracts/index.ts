// The contracts of a program, in the order they are written: its `check`s and the structure
// tags of its ops, each resolved. Only for a program that checked without errors.
import type * as A from "../../grammar/ast.js";
import { indexProgram, type ProgramIndex } from "./program-index.js";
import { resolvedChecks, resolveTag, type ResolvedContract } from "./resolve.js";
import { staticNumber } from "./sizes.js";

export interface ProgramContracts {
  index: ProgramIndex;
  contracts: ResolvedContract[];
}

export function contractsOf(program: A.Program): ProgramContracts {
  const index = indexProgram(program);
  const sizes = new Map<string, number>();
  const tags = [...index.ops.values()].flatMap((op) => op.tags.flatMap((t) => resolveTag(op, t, index, (e) => staticNumber(e, sizes)).contract ?? []));
  const contracts = [...resolvedChecks(index, sizes), ...tags].sort((a, b) => a.span.start.offset - b.span.start.offset);
  return { index, contracts };
}

export { planContract, type ContractPlan, type Draw, PlanError } from "./plan.js";
export { compilePlan } from "./compile-plan.js";
export type { ResolvedContract } from "./resolve.js";
export type { Measure, Observation, ReportView } from "./record.js";
