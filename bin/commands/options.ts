// Parsing of option values shared by several commands, and their checks against the program.
import type * as A from "../../grammar/ast.js";
import { didYouMean } from "../../base/suggest.js";
import { parse } from "../../grammar/parse.js";
import { UsageError } from "./io.js";

/** The largest size `--set` accepts: tensor sizes are int32 in tfjs. */
export const MAX_SIZE = 2 ** 31 - 1;

/** The value of `--set NAME=VALUE`, or why it is not a size. */
function sizeValue(item: string, value: string): number {
  const flag = `\`--set ${item}\``;
  const hint = "a size is a whole number, for example `--set N=63`.";
  if (/^-\s*\d+(\.\d*)?$/.test(value)) throw new UsageError(`${flag}: a size cannot be negative.`, hint);
  if (/^\d+\.\d*$|^\d*\.\d+$|^\d+(\.\d*)?[eE][+-]?\d+$/.test(value)) throw new UsageError(`${flag}: a size is a whole number, not ${value}.`, hint);
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag}: \`${value}\` is not a whole number.`, hint);
  const n = Number(value);
  if (n > MAX_SIZE) throw new UsageError(`${flag}: ${value} is larger than the largest size I handle, ${MAX_SIZE}.`);
  return n;
}

/** `--set N=63 --set M=10` → Map { N → 63, M → 10 }; a size given twice is an error. */
export function parseSizes(items: readonly string[] | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const given = new Map<string, string>();
  for (const item of items ?? []) {
    const m = /^\s*([A-Za-z_\u00C0-\u024F\u0370-\u03FF][\w\u00C0-\u024F\u0370-\u03FF]*)\s*=\s*(.*?)\s*$/.exec(item);
    if (!m) throw new UsageError(`\`--set ${item}\` is not of the form NAME=WHOLE_NUMBER.`, "for example `--set N=63`.");
    const [, name, text] = m;
    const value = sizeValue(item, text);
    const earlier = given.get(name);
    if (earlier !== undefined) throw new UsageError(`The size \`${name}\` is given twice: \`--set ${earlier}\`, then \`--set ${item}\`.`, "give each size once.");
    given.set(name, item);
    out.set(name, value);
  }
  return out;
}

/** The size names a program has: its `dim`s, and the names in its inputs' declared shapes. */
export function programSizes(program: A.Program): string[] {
  const names = new Set<string>();
  for (const d of program.decls) {
    if (d.kind === "Dim") for (const item of d.items) names.add(item.name.name);
    if (d.kind === "Input") for (const n of namesIn(d.type)) names.add(n);
  }
  names.delete("?");
  return [...names];
}

/** The names in a type's shape expressions (a shape is a short expression: a stack suffices). */
function namesIn(type: A.TypeExpr): string[] {
  const out: string[] = [];
  const stack: unknown[] = [type];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== "object" || v === null) continue;
    if (Array.isArray(v)) stack.push(...v);
    else if ((v as { kind?: string }).kind === "Name") out.push((v as A.Name).name);
    else for (const [k, child] of Object.entries(v)) if (k !== "span") stack.push(child);
  }
  return out;
}

/** Every `--set` names a size of the program, or it is an error with a did-you-mean. */
export function checkSizeNames(program: A.Program, sizes: ReadonlyMap<string, number>): void {
  const known = programSizes(program);
  for (const name of sizes.keys()) {
    if (known.includes(name)) continue;
    const suggestion = didYouMean(name, known);
    const list = known.map((k) => `\`${k}\``).join(", ");
    const tail = suggestion ? `; ${suggestion}` : known.length ? `; its sizes are ${list}.` : " (it declares none).";
    throw new UsageError(`\`--set ${name}=...\`: the program has no size \`${name}\`${tail}`, "sizes are declared with `dim N = ...`, or named in the shape of an input.");
  }
}

/**
 * The sizes of `--set` for the program in `source`: well formed, each given once, each a size
 * the program has. A source with syntax errors is not checked here (its errors come first).
 */
export function sizesFor(source: string, file: string, items: readonly string[] | undefined): Map<string, number> {
  const sizes = parseSizes(items);
  if (sizes.size === 0) return sizes;
  const { program, diagnostics } = parse(source, file);
  if (!diagnostics.some((d) => d.severity === "error")) checkSizeNames(program, sizes);
  return sizes;
}

/** Commander's accumulator for a repeatable option: `--set N=63 --set M=7`. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
