// A CSV data set: one pass over the file, only the selected columns parsed, each straight into
// its field's Float32Array. Columns no field selects are not read as numbers (an id or a label
// column may hold text) but every row must still have as many cells as the first.
//
// The header: `header: true` or `false` says; left out, the first row is a header when none of
// its cells is a number and one is not empty. A header's names can select columns by name.
import { cellProblem, readCell } from "./numbers.js";
import { type ColumnContext, type FieldColumns, resolveColumns } from "./columns.js";
import { streamFile } from "./chunks.js";
import { type CsvRecord, CsvScanner, cellText, columnAt } from "./csv-scan.js";
import { fastDecimal } from "./decimal.js";
import { DataError, quoteCell } from "./errors.js";
import { FloatSink } from "./float-sink.js";
import type { DatasetSpec, Field } from "./types.js";

export interface Loaded {
  rows: number;
  fields: Map<string, Field>;
  /** Why there are no rows, when there are none and the reason is worth saying. */
  emptyNote?: string;
}

/** Reads the CSV at `real`; messages name it `display`. `chunkBytes` is for tests of chunk edges. */
export function readCsv(real: string, display: string, spec: DatasetSpec, chunkBytes?: number): Loaded {
  const reader = new CsvReader(display, spec);
  const scanner = new CsvScanner(display, (buf, rec) => reader.record(buf, rec));
  streamFile(real, (buf, final) => scanner.scan(buf, final), chunkBytes);
  return reader.finish();
}

class CsvReader {
  private width = -1;
  private headerLine?: number;
  private plan: FieldColumns[] = [];
  private columns: number[] = [];
  private sinks: FloatSink[] = [];
  private fieldSinks: FloatSink[] = [];
  private rows = 0;

  constructor(
    private readonly file: string,
    private readonly spec: DatasetSpec,
  ) {}

  record(buf: Buffer, rec: CsvRecord): void {
    if (this.width < 0 && this.first(buf, rec)) return;
    if (rec.count !== this.width) throw this.ragged(buf, rec);
    for (let k = 0; k < this.columns.length; k++) {
      const c = this.columns[k];
      const fast = rec.quoted[c] ? undefined : fastDecimal(buf, rec.start[c], rec.end[c]);
      this.sinks[k].push(fast ?? this.slowCell(buf, rec, c));
    }
    this.rows++;
  }

  /** A cell the fast path does not take: any number form, or an error saying what it is. */
  private slowCell(buf: Buffer, rec: CsvRecord, c: number): number {
    const cell = readCell(cellText(buf, rec, c));
    if (cell.kind !== "number") throw this.badCell(buf, rec, c, cell);
    return cell.value;
  }

  /** Fixes the columns from the first record; true when it is a header (no data). */
  private first(buf: Buffer, rec: CsvRecord): boolean {
    this.width = rec.count;
    const names = Array.from({ length: rec.count }, (_, i) => cellText(buf, rec, i).trim());
    const header = this.spec.header ?? looksLikeHeader(names);
    const at: ColumnContext = { dataset: this.spec.name, file: this.file, line: rec.line, names: header ? names : undefined };
    this.plan = resolveColumns(this.spec.fields, rec.count, at);
    for (const f of this.plan) {
      const sink = new FloatSink();
      this.fieldSinks.push(sink);
      for (const c of f.columns) {
        this.columns.push(c);
        this.sinks.push(sink);
      }
    }
    if (header) this.headerLine = rec.line;
    return header;
  }

  finish(): Loaded {
    const fields = new Map<string, Field>();
    this.plan.forEach((f, i) => fields.set(f.name, { perRow: f.perRow, data: this.fieldSinks[i].finish() }));
    const emptyNote = this.headerLine !== undefined ? `its only row (line ${this.headerLine}) was read as a header` : undefined;
    return { rows: this.rows, fields, emptyNote };
  }

  private ragged(buf: Buffer, rec: CsvRecord): DataError {
    const extra = rec.count > this.width;
    const k = extra ? this.width : rec.count - 1;
    const column = columnAt(buf, rec.lineStart[k], extra ? rec.start[k] - (rec.quoted[k] ? 1 : 0) : rec.end[k] + (rec.quoted[k] ? 1 : 0));
    return new DataError({
      kind: "ragged-row",
      problem: `This row has ${rec.count} cell${rec.count === 1 ? "" : "s"}, but the first row has ${this.width}.`,
      file: this.file,
      line: rec.cellLine[k],
      column,
      hint: extra ? 'every row needs the same number of cells; a cell that holds a comma must be quoted: "1,5".' : "every row needs the same number of cells; fill in the missing ones.",
    });
  }

  private badCell(buf: Buffer, rec: CsvRecord, c: number, cell: ReturnType<typeof readCell>): DataError {
    const text = cellText(buf, rec, c);
    const field = this.plan.find((f) => f.columns.includes(c))!;
    const what = cellProblem(cell, quoteCell(text), `column ${c} (field \`${field.name}\` of data \`${this.spec.name}\`)`)!;
    const firstRow = this.rows === 0 && this.headerLine === undefined;
    const hint = firstRow && cell.kind === "text" ? "if this first row names the columns, mark it as a header (`header: true`)." : what.hint;
    return new DataError({
      kind: what.kind,
      problem: what.problem,
      file: this.file,
      line: rec.cellLine[c],
      column: columnAt(buf, rec.lineStart[c], rec.start[c] - (rec.quoted[c] ? 1 : 0)),
      hint,
    });
  }
}

/** A first row is a header when none of its cells is a number and some cell holds text. */
function looksLikeHeader(cells: string[]): boolean {
  const kinds = cells.map((c) => readCell(c).kind);
  return kinds.every((k) => k === "text" || k === "empty") && kinds.includes("text");
}
