// What a `data` declaration asks for, and what loading it gives: each field one Float32Array,
// rows first, ready to be gathered into batches.

/** Which columns (or, in JSON lines, which key) a field reads. */
export type FieldSelect =
  /** Columns [from, to): `x: 0..8` is columns 0 to 7; the field has `to - from` values per row. */
  | { from: number; to: number }
  /** One column: `y: 8`; the field has one value per row. */
  | { column: number }
  /** JSON lines: an object key whose value is a number or a list of numbers; CSV with a header: a column's name. */
  | { key: string };

export interface FieldSpec {
  name: string;
  select: FieldSelect;
}

export type DataFormat = "csv" | "npy" | "jsonl";

export interface DatasetSpec {
  /** The `data` declaration's name, for messages. */
  name: string;
  format: DataFormat;
  /** As written in the .iter file. */
  path: string;
  /** CSV only: whether the first row names the columns; undefined = detect (see csv.ts). */
  header?: boolean;
  fields: FieldSpec[];
}

/** Where a data path is resolved from, and the folder it may not leave. */
export interface DataLocation {
  /** The .iter file whose `data` declaration this is; relative paths start at its folder. */
  iterFile: string;
  /** The folder data may come from (`--data-root`); the .iter file's folder by default. */
  dataRoot?: string;
}

export interface Field {
  /** The shape of one row's value: [] for one column, [k] for a range or a list of k numbers. */
  perRow: number[];
  /** rows × product(perRow) values, row-major. */
  data: Float32Array;
}

export interface Dataset {
  name: string;
  rows: number;
  fields: Map<string, Field>;
  /** The data file's real path (symlinks resolved). */
  source: string;
}

/** One field of one batch: shape [count, ...perRow]. */
export interface BatchTensor {
  shape: number[];
  data: Float32Array;
}
