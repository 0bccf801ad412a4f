// Parsing of option values shared by several commands.
import { UsageError } from "./io.js";

/** `--set N=63 --set M=10` → Map { N → 63, M → 10 }. */
export function parseSizes(items: readonly string[] | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items ?? []) {
    const m = /^([A-Za-z_]\w*)=(\d+)$/.exec(item.trim());
    if (!m) throw new UsageError(`\`--set ${item}\` is not of the form NAME=WHOLE_NUMBER.`, "for example `--set N=63`.");
    out.set(m[1], Number(m[2]));
  }
  return out;
}

/** Commander's accumulator for a repeatable option: `--set N=63 --set M=7`. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
