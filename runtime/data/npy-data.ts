// A .npy data set: a 2-D array's columns are selected as a CSV's are; a 1-D array is one
// column. The file is read once and only the selected columns are decoded.
import { readFileSync } from "node:fs";
import { NpyError, type NpyLayout, readNpyLayout } from "../npy.js";
import { resolveColumns } from "./columns.js";
import type { Loaded } from "./csv.js";
import { DataError } from "./errors.js";
import { NOT_FINITE_HINT } from "./numbers.js";
import type { DatasetSpec, Field } from "./types.js";

export function readNpyData(real: string, display: string, spec: DatasetSpec): Loaded {
  const l = layoutOf(real, display);
  if (l.shape.length !== 1 && l.shape.length !== 2) {
    throw new DataError({
      kind: "bad-file",
      problem: `A .npy data set is a 1-D or 2-D array (rows × columns), but this one has shape (${l.shape.join(", ")}).`,
      file: display,
      hint: "reshape it to two dimensions before saving: np.save(path, a.reshape(len(a), -1)).",
    });
  }
  const rows = l.shape[0];
  const width = l.shape.length === 2 ? l.shape[1] : 1;
  const plan = resolveColumns(spec.fields, width, { dataset: spec.name, file: display });
  try {
    return { rows, fields: new Map(plan.map((f) => [f.name, columnsOf(l, rows, width, f.columns, f.perRow, display)])) };
  } catch (e) {
    if (e instanceof NpyError) badFile(display, e.message);
    throw e;
  }
}

function columnsOf(l: NpyLayout, rows: number, width: number, columns: number[], perRow: number[], display: string): Field {
  const data = new Float32Array(rows * columns.length);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    for (const c of columns) {
      const v = l.value(r * width + c);
      if (!Number.isFinite(Math.fround(v))) throw notFinite(v, r, c, display);
      data[k++] = v;
    }
  }
  return { perRow, data };
}

function layoutOf(real: string, display: string): NpyLayout {
  try {
    return readNpyLayout(readFileSync(real));
  } catch (e) {
    if (!(e instanceof NpyError)) throw e;
    return badFile(display, e.message);
  }
}

function badFile(display: string, message: string): never {
  throw new DataError({ kind: "bad-file", problem: `This .npy file can't be used as data: ${message}.`, file: display, hint: "write it with np.save from a float or int array." });
}

function notFinite(v: number, r: number, c: number, display: string): DataError {
  const what = Number.isNaN(v) ? "NaN" : Number.isFinite(v) ? "too large for float32 (the largest is about 3.4e38)" : "an infinity";
  return new DataError({
    kind: "not-finite",
    problem: `The value at row ${r}, column ${c} is ${what}; I refuse NaN and infinite values in training data.`,
    file: display,
    hint: NOT_FINITE_HINT,
  });
}
