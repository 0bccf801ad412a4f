// The values a region captures: used in it (or in regions nested in it) but defined outside.
// Liveness, autodiff's activity and the construct rules all ask.
import { type Op, type Region, regionsOf } from "./ir.js";

/** The values a region uses that it does not define (what it captures), nested regions included. */
export function freeInRegion(region: Region): Set<number> {
  const defined = new Set(region.params.map((p) => p.id));
  const used = new Set<number>();
  for (const op of region.ops) {
    for (const v of op.inputs) if (!defined.has(v.id)) used.add(v.id);
    for (const r of regionsOf(op)) for (const id of freeInRegion(r)) if (!defined.has(id)) used.add(id);
    for (const o of op.outputs) defined.add(o.id);
  }
  for (const v of region.results) if (!defined.has(v.id)) used.add(v.id);
  return used;
}

/** The values an op's regions capture from outside it. */
export function freeValues(op: Op): Set<number> {
  const out = new Set<number>();
  for (const r of regionsOf(op)) for (const id of freeInRegion(r)) out.add(id);
  return out;
}
