// What every step's code generator shares: the memory plan and the host imports.
import type { UnaryOp } from "../kernel-ir.js";
import type { MemoryPlan } from "../plan.js";

export interface CodegenContext {
  readonly plan: MemoryPlan;
  /** Function indices of the imported host Math functions. */
  readonly host: ReadonlyMap<UnaryOp, number>;
}

export function registerAddress(ctx: CodegenContext, name: string): number {
  const a = ctx.plan.scalars.get(name);
  if (a === undefined) throw new Error(`internal error: scalar \`${name}\` has no placement`);
  return a;
}
