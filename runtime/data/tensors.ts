// A data set made of tensors the program computed (`data pairs = tensors(f: F, u: U)`): each
// field's values, read back once when the `train` block runs, are its rows. The checker has
// seen the types (f32[R, w] or f32[R], one R for all fields); what is left to find is a value
// that is not finite, which a file's loader refuses too, and an empty set.
import { internalAssert } from "../../base/diagnostics.js";
import { DataError } from "./errors.js";
import type { Dataset, Field } from "./types.js";

export interface ComputedField {
  name: string;
  /** [R] or [R, w]. */
  shape: number[];
  data: Float32Array;
}

/** Where the declaration is, for messages: the .iter file and the `data` line. */
export interface ComputedAt {
  file: string;
  line: number;
}

export function datasetOfTensors(name: string, fields: readonly ComputedField[], at: ComputedAt): Dataset {
  internalAssert(fields.length > 0, `the data set \`${name}\` has no fields`);
  const rows = fields[0].shape[0];
  const out = new Map<string, Field>();
  for (const f of fields) {
    internalAssert(f.shape.length >= 1 && f.shape.length <= 2 && f.shape[0] === rows, `the field \`${f.name}\` of \`${name}\` has shape [${f.shape}] next to ${rows} rows`);
    const width = f.shape[1] ?? 1;
    const bad = f.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      const [row, entry] = [Math.floor(bad / width), bad % width];
      throw new DataError({
        kind: "not-finite",
        problem: `The field \`${f.name}\` of the data set \`${name}\` is ${f.data[bad]} in row ${row}${width > 1 ? `, entry ${entry}` : ""}: the program computed it so, and training on it would give a NaN loss.`,
        ...at,
        hint: "look at how the program computes it (an `export` of it shows its values), or train on rows that are finite.",
      });
    }
    out.set(f.name, { perRow: f.shape.length === 2 ? [width] : [], data: f.data });
  }
  if (rows === 0) throw new DataError({ kind: "empty", problem: `The data set \`${name}\` has no rows: its fields have 0.`, ...at, hint: "training needs at least one batch of rows." });
  return { name, rows, fields: out, source: `${at.file}:${at.line} (\`${name}\`, computed by the program)` };
}
