// Structure tags: `op A(u: f32[n, n]) is spd = ...`. A tag is a contract about the op, written
// where the op is declared: `iterc check` verifies it with the contract's own property test,
// and solvers that need a structure (CG needs SPD) read it.
import { contractive, nonexpansive } from "./lipschitz.js";
import { linear, spd, symmetric } from "./linear-structure.js";
import { monotone } from "./monotone.js";
import type { ContractRecord } from "./record.js";

/** What a solver can rely on about an operator. */
export type Structure = "spd" | "symmetric" | "linear" | "contractive" | "nonexpansive" | "monotone";

export interface TagSpec {
  name: Structure;
  record: ContractRecord;
  /** The tag's positional arguments, as the contract's parameters: `contractive(0.9)` is `below`. */
  args: readonly string[];
  /** What the tag implies: an SPD operator is also symmetric and linear. */
  implies: readonly Structure[];
}

export const TAGS: ReadonlyMap<string, TagSpec> = new Map(
  (
    [
      { name: "spd", record: spd, args: [], implies: ["symmetric", "linear"] },
      { name: "symmetric", record: symmetric, args: [], implies: [] },
      { name: "linear", record: linear, args: [], implies: [] },
      { name: "contractive", record: contractive, args: ["below"], implies: ["nonexpansive"] },
      { name: "nonexpansive", record: nonexpansive, args: [], implies: [] },
      { name: "monotone", record: monotone, args: [], implies: [] },
    ] satisfies TagSpec[]
  ).map((t) => [t.name, t]),
);

/** The structures a set of tags (or verified contracts) gives, implications included. */
export function closure(names: Iterable<string>): Set<Structure> {
  const out = new Set<Structure>();
  const add = (n: string): void => {
    const t = TAGS.get(n);
    if (!t || out.has(t.name)) return;
    out.add(t.name);
    t.implies.forEach(add);
  };
  for (const n of names) add(n);
  return out;
}
