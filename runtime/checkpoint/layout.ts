// How a checkpoint folder is laid out, and which entries in it are the checkpoint's own:
//
//   runs/mlp/checkpoint.json     the manifest: the commit point, replaced atomically
//   runs/mlp/step-200/W.npy      the tensors of the checkpoint it names, one .npy each
//
// A write stages a new `step-N` folder under a hidden `.tmp-…` name, moves it into place, then
// replaces the manifest; only then is the previous `step-M` folder removed. Whatever stops a
// write, the manifest names a complete folder.
import { MANIFEST } from "./types.js";

const GENERATION = /^step-\d+(?:-\d+)?$/;
const STAGING = /^\.tmp-/;
const MANIFEST_TEMP = new RegExp(`^\\.${MANIFEST.replace(".", "\\.")}\\..+\\.tmp$`);

/** An entry a checkpoint writer made: a tensor folder, a staging folder, a manifest's temporary. */
export function isOwnEntry(name: string): boolean {
  return GENERATION.test(name) || STAGING.test(name) || MANIFEST_TEMP.test(name);
}

/** A name for the new tensor folder that no entry has: `step-200`, or `step-200-2`, … */
export function generationName(step: number, taken: ReadonlySet<string>): string {
  let name = `step-${step}`;
  for (let k = 2; taken.has(name); k++) name = `step-${step}-${k}`;
  return name;
}

/**
 * A file name per tensor: the name itself where it is a safe file name, other characters as
 * `_`, never hidden, and made unique ignoring case (for case-insensitive file systems).
 */
export function tensorFileNames(names: readonly string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const name of names) {
    let base = name.replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^\./, "_") || "_";
    if (base.length > 100) base = base.slice(0, 100);
    let file = `${base}.npy`;
    for (let k = 2; used.has(file.toLowerCase()); k++) file = `${base}-${k}.npy`;
    used.add(file.toLowerCase());
    out.set(name, file);
  }
  return out;
}
