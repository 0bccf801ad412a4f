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

/**
 * Drops the ops nothing reads (a second lowering's `uniform` values leave the ops that computed
 * them dead, and the ones that fed those). Repeats are kept whole; their bodies are pruned.
 */
export function removeDead(items: readonly Item[], results: readonly number[]): Item[] {
  const live = new Set(results);
  const mark = (list: readonly Item[]): void => {
    for (let i = list.length - 1; i >= 0; i--) {
      const item = list[i];
      if (item.kind === "repeat") {
        for (const c of item.carried) {
          live.add(c.init);
          live.add(c.result);
        }
        mark(item.body);
      } else if (live.has(item.output)) for (const x of item.inputs) live.add(x);
    }
  };
  // Twice: a repeat's body may read values defined before it that only the body keeps alive.
  mark(items);
  mark(items);
  const prune = (list: readonly Item[]): Item[] =>
    list.flatMap((item): Item[] => (item.kind === "repeat" ? [{ ...item, body: prune(item.body) }] : live.has(item.output) ? [item] : []));
  return prune(items);
}

/**
 * Moves each reduction of tensors right after the op that computes its last input, so that
 * it joins the loop that produces that input (`sqrt(dot(r1, r1))` at the end of CG's step
 * folds into the loop that computes r1, not into a later one that would read r1 again).
 * Reductions of values defined before the list stay where they are.
 */
export function hoistReductions(items: readonly Item[], ctx: LowerContext): Item[] {
  const defined = new Map<number, number>();
  items.forEach((item, i) => {
    if (item.kind === "op") defined.set(item.output, i);
    else for (const c of item.carried) defined.set(c.output, i);
  });
  const moved = new Map<number, Item[]>();
  const gone = new Set<Item>();
  items.forEach((item, i) => {
    if (item.kind !== "op" || !isTensorReduction(item, ctx)) return;
    const anchor = Math.max(-1, ...item.inputs.map((x) => defined.get(x) ?? -1));
    if (anchor < 0 || anchor >= i - 1) return;
    moved.set(anchor, [...(moved.get(anchor) ?? []), item]);
    gone.add(item);
  });
  const out: Item[] = [];
  items.forEach((item, i) => {
    if (gone.has(item)) return;
    out.push(item.kind === "repeat" ? { ...item, body: hoistReductions(item.body, ctx) } : item);
    out.push(...(moved.get(i) ?? []));
  });
  return out;
}

function isTensorReduction(item: OpItem, ctx: LowerContext): boolean {
  return ctx.rule(item).kind === "reduce" && ctx.rank(item.output) === 0 && item.inputs.some((x) => ctx.rank(x) > 0);
}

/**
 * The invariant tensors that are cheaper to recompute per lane than to read from memory: a
 * lane op (no stencil, no reduction) of literals and of other such values. Returns the init
 * items without those that only the step kernels read (they recompute them).
 */
export function findRemat(init: readonly OpItem[], ctx: LowerContext): OpItem[] {
  for (const item of init) {
    const kind = ctx.rule(item).kind;
    if (ctx.rank(item.output) === 0 || (kind !== "lane" && kind !== "compare" && kind !== "where")) continue;
    if (item.inputs.every((x) => ctx.value(x).def.kind === "literal" || ctx.remat.has(x))) ctx.remat.add(item.output);
  }
  const needed = new Set<number>();
  for (let i = init.length - 1; i >= 0; i--) {
    const item = init[i];
    if (!ctx.remat.has(item.output) || needed.has(item.output)) for (const x of item.inputs) needed.add(x);
  }
  return init.filter((item) => !ctx.remat.has(item.output) || needed.has(item.output));
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
