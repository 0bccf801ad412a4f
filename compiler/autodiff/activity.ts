// Which values depend on what is being differentiated: only they get tangents or cotangents.
import { freeValues } from "../ir/free.js";
import type { Op } from "../ir/ir.js";

/** `seed` and every output of `ops` that depends on it, through inputs or captured values. */
export function activeOutputs(ops: readonly Op[], seed: ReadonlySet<number>): Set<number> {
  const active = new Set(seed);
  for (const op of ops) {
    const touched = op.inputs.some((v) => active.has(v.id)) || [...freeValues(op)].some((id) => active.has(id));
    if (touched) for (const o of op.outputs) active.add(o.id);
  }
  return active;
}
