// Two rewrites of the items before fusion:
//
// - Results: each tensor result must be stored by an op of the region into the result's own
//   buffer. A result that is a parameter, a capture, a constant or a repeat's output, or a value
//   already returned in another position, gets a `copy` op at the end (fused into the last loop
//   of its shape).
// - Invariants: ops that depend on no argument (a red–black mask, the diagonal probed from it,
//   scalar arithmetic on constants) are moved to the `init` items, run once when the region is
//   instantiated, not on every call.
import type { LowerContext } from "./context.js";
import type { Graph } from "./graph.js";
import type { Item, OpItem } from "./types.js";

/** Rewrites `graph.results` and appends copies to `graph.items`; returns the copy items. */
export function prepareResults(graph: Graph, ctx: LowerContext): Set<OpItem> {
  const copies = new Set<OpItem>();
  const claimed = new Set<number>();
  let next = Math.max(0, ...graph.values.keys()) + 1;
  const results = graph.results as number[];
  results.forEach((id, j) => {
    const v = ctx.value(id);
    if (v.shape.length === 0) return;
    if (v.def.kind === "op" && !claimed.has(id)) {
      claimed.add(id);
      return;
    }
    const item: OpItem = { kind: "op", opcode: "copy", statics: {}, inputs: [id], output: next++ };
    graph.values.set(item.output, { id: item.output, shape: v.shape, elem: v.elem, def: { kind: "op", item } });
    graph.items.push(item);
    copies.add(item);
    claimed.add(item.output);
    results[j] = item.output;
  });
  return copies;
}

/** Splits the items (repeat bodies included) into those that depend on no argument and the rest. */
export function splitInvariant(items: readonly Item[], ctx: LowerContext, keep: ReadonlySet<OpItem>): { init: OpItem[]; main: Item[] } {
  const known = new Map<number, boolean>();
  const invariant = (id: number): boolean => {
    const cached = known.get(id);
    if (cached !== undefined) return cached;
    const def = ctx.value(id).def;
    const result = def.kind === "literal" || def.kind === "data" || (def.kind === "op" && !keep.has(def.item) && def.item.inputs.every(invariant));
    known.set(id, result);
    return result;
  };
  const init: OpItem[] = [];
  const split = (list: readonly Item[]): Item[] =>
    list.flatMap((item): Item[] => {
      if (item.kind === "repeat") return [{ ...item, body: split(item.body) }];
      if (invariant(item.output)) {
        init.push(item);
        return [];
      }
      return [item];
    });
  const main = split(items);
  return { init, main };
}
