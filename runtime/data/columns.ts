// Which columns each field reads, checked against the columns the file has: a range or a
// column past the last is a located error naming both counts; a name (CSV with a header)
// that no column has gets a "did you mean".
import { didYouMean } from "../../base/suggest.js";
import { internalAssert } from "../../base/diagnostics.js";
import { DataError } from "./errors.js";
import type { FieldSpec } from "./types.js";

export interface FieldColumns {
  name: string;
  columns: number[];
  perRow: number[];
}

export interface ColumnContext {
  dataset: string;
  file: string;
  /** Where the row that fixed the column count is, when the file has lines. */
  line?: number;
  /** The header's names, when the file has them. */
  names?: string[];
}

export function resolveColumns(fields: FieldSpec[], count: number, at: ColumnContext): FieldColumns[] {
  internalAssert(new Set(fields.map((f) => f.name)).size === fields.length, `data \`${at.dataset}\` has a field named twice`);
  return fields.map((f) => resolveField(f, count, at));
}

function resolveField(f: FieldSpec, count: number, at: ColumnContext): FieldColumns {
  const s = f.select;
  if ("key" in s) return { name: f.name, columns: [columnNamed(f, s.key, at)], perRow: [] };
  if ("column" in s) {
    checkIndex(f, s.column, count, at, `column ${s.column}`);
    return { name: f.name, columns: [s.column], perRow: [] };
  }
  internalAssert(Number.isInteger(s.from) && Number.isInteger(s.to) && s.from >= 0, `data field \`${f.name}\` has the range ${s.from}..${s.to}`);
  if (s.to <= s.from) throw outOfBounds(at, `The field \`${f.name}\` of data \`${at.dataset}\` selects the columns ${s.from}..${s.to}, which are none.`, "a range `a..b` is the columns a to b-1, so b must be larger than a.");
  checkIndex(f, s.to - 1, count, at, `the columns ${s.from}..${s.to} (${s.from} to ${s.to - 1})`);
  return { name: f.name, columns: Array.from({ length: s.to - s.from }, (_, i) => s.from + i), perRow: [s.to - s.from] };
}

function checkIndex(f: FieldSpec, index: number, count: number, at: ColumnContext, what: string): void {
  internalAssert(Number.isInteger(index) && index >= 0, `data field \`${f.name}\` selects column ${index}`);
  if (index < count) return;
  const has = count === 1 ? "1 column (column 0)" : `${count} columns (0 to ${count - 1})`;
  throw outOfBounds(at, `The field \`${f.name}\` of data \`${at.dataset}\` selects ${what}, but the file has ${has}.`, "columns count from 0: `x: 0..8` is columns 0 to 7, and `y: 8` is the ninth column.");
}

function columnNamed(f: FieldSpec, key: string, at: ColumnContext): number {
  if (!at.names) {
    throw outOfBounds(at, `The field \`${f.name}\` of data \`${at.dataset}\` selects the column named "${key}", but these data have no column names.`, "select columns by number (`x: 0..8`, `y: 8`), or give the CSV a header row.");
  }
  const i = at.names.indexOf(key);
  if (i >= 0) return i;
  const near = didYouMean(key, at.names);
  const list = at.names.map((n) => `"${n}"`).join(", ");
  throw outOfBounds(at, `The field \`${f.name}\` of data \`${at.dataset}\` selects the column "${key}", but the header has no such column.`, near ?? `the columns are ${list}.`);
}

function outOfBounds(at: ColumnContext, problem: string, hint: string): DataError {
  return new DataError({ kind: "out-of-bounds", problem, file: at.file, line: at.line, hint });
}
