// Names in generated code. A value is named after its source name (`hint`) when that is a
// plain identifier, else `t<id>`; names never shadow one another along a chain of nested
// closures (siblings may reuse one), so every reference means what the IR means. A name from
// the source reaches the output only after this check: letters, digits and `_`, not a reserved
// word, not one of the names generated code itself uses.
import { type Region, regionsOf, type Value } from "../ir/ir.js";
import { lastUses } from "../ir/liveness.js";

/** ECMAScript reserved and strict-mode words, TypeScript's type keywords, and globals a module may read. */
const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in " +
    "instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package " +
    "private protected public await async of get set arguments eval undefined NaN Infinity globalThis any as boolean constructor declare " +
    "module namespace never number object require string symbol type unknown bigint abstract readonly keyof infer is asserts unique out " +
    "accessor satisfies override from global Object Array Math Number String Symbol Error Promise Float32Array Int32Array Uint8Array JSON"
  ).split(" "),
);

/** The names generated code uses for itself (imports, the run context, module-level functions). */
export const HELPERS = ["k", "$", "f32", "i32", "bool", "constant", "param", "free", "tidy", "kernels", "execute", "main", "program", "signature", "run"];

/** A letter or `_`, then letters, digits and `_` (the Unicode classes ECMAScript identifiers use). */
const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;

/** Whether `s` is made of identifier characters (it may still be a reserved word). */
export function isIdentifierText(s: string): boolean {
  return IDENTIFIER.test(s);
}

/** Whether `s` may be written as an identifier in generated code. */
export function isSafeIdentifier(s: string): boolean {
  return IDENTIFIER.test(s) && !RESERVED.has(s) && !s.startsWith("__");
}

/** A source name as a name in generated code: itself, or `class_` for a reserved word; none when it cannot be one. */
function usable(name: string | undefined): string | undefined {
  if (name === undefined || !IDENTIFIER.test(name) || name.startsWith("__")) return undefined;
  return RESERVED.has(name) ? `${name}_` : name;
}

/** Names of the values of a region and of every region nested in it. */
export class Names {
  private readonly byId = new Map<number, string>();

  /** `fallback`: names for values without a source name of their own (an export's name for its value). */
  constructor(
    root: Region,
    private readonly fallback: ReadonlyMap<number, string> = new Map(),
  ) {
    this.assign(root, new Set(HELPERS));
  }

  of(v: Value): string {
    const name = this.byId.get(v.id);
    if (name === undefined) throw new Error(`internal error: value %${v.id} has no name in generated code`);
    return name;
  }

  /** A region's own values first, then each nested region with those names taken. */
  private assign(region: Region, taken: Set<string>): void {
    const own = new Set(taken);
    const used = lastUses(region);
    const name = (v: Value, param = false) => {
      if (this.byId.has(v.id)) return;
      const hinted = usable(v.hint) ?? usable(this.fallback.get(v.id)) ?? `t${v.id}`;
      // A parameter the region does not read says so (and strict compilers do not complain).
      const base = param && !used.has(v.id) ? `_${hinted}` : hinted;
      let candidate = base;
      for (let i = 2; own.has(candidate); i++) candidate = `${base}_${i}`;
      own.add(candidate);
      this.byId.set(v.id, candidate);
    };
    for (const p of region.params) name(p, true);
    for (const op of region.ops) for (const o of op.outputs) name(o);
    for (const op of region.ops) for (const r of regionsOf(op)) this.assign(r, own);
  }
}
