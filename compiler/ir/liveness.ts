// Liveness on the IR: where each value is used for the last time, and from that the peak of
// the memory a region holds while it runs. The executors free a value after its last use, so
// the peak computed here is what a run needs (give or take a backend's own scratch), and a
// program whose peak cannot fit is refused before it runs, at the op where the peak occurs.
import type { Span } from "../../base/span.js";
import { freeInRegion } from "./free.js";
import { type Region, regionsOf, type Value } from "./ir.js";

/**
 * For each value used in `region`, the index of the last op of `region` that uses it (a use
 * inside an op's nested regions counts as a use by that op); values the region yields are
 * used by the end, index `region.ops.length`.
 */
export function lastUses(region: Region): Map<number, number> {
  const last = new Map<number, number>();
  region.ops.forEach((op, i) => {
    for (const v of op.inputs) last.set(v.id, i);
    for (const r of regionsOf(op)) for (const id of freeInRegion(r)) last.set(id, i);
  });
  for (const v of region.results) last.set(v.id, region.ops.length);
  return last;
}

/** The bytes a value takes (its shape is concrete after specialisation). */
export type SizeOf = (v: Value) => number;

export interface Peak {
  bytes: number;
  /** The op during which the peak is reached (the innermost one, when inside a region). */
  span?: Span;
}

/**
 * The most bytes alive at once while `region` runs, its parameters included: each op's outputs
 * are born when it runs, a value dies after its last use, and an op with regions adds the peak
 * of its largest region (a construct holds its state and one region's work at a time). Values
 * of enclosing regions are counted by the caller.
 */
export function peakOf(region: Region, size: SizeOf): Peak {
  const last = lastUses(region);
  const params = region.params.reduce((s, p) => s + size(p), 0);
  const alive = new Map<number, number>();
  const total = () => params + [...alive.values()].reduce((a, b) => a + b, 0);
  let peak: Peak = { bytes: params };
  region.ops.forEach((op, i) => {
    for (const o of op.outputs) alive.set(o.id, size(o));
    const inner = regionsOf(op)
      .map((r) => peakOf(r, size))
      .reduce<Peak>((a, b) => (b.bytes > a.bytes ? b : a), { bytes: 0 });
    const during = total() + inner.bytes;
    if (during > peak.bytes) {
      const span = (inner.bytes > 0 ? inner.span : undefined) ?? op.span;
      peak = { bytes: during, ...(span ? { span } : {}) };
    }
    for (const id of [...alive.keys()]) if ((last.get(id) ?? -1) <= i) alive.delete(id);
  });
  return peak;
}
