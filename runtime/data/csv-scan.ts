// Splitting CSV text into records and cells, per RFC 4180: cells separated by commas, records
// by LF, CRLF or CR; a cell may be quoted, and then holds commas, line breaks and quotes written
// twice (""). Lines that are empty or only spaces are skipped wherever they are, as pandas does,
// so a blank last line is no row. Works on bytes, one chunk at a time: a record cut by the end
// of a chunk is left for the next call, so every record handed on is whole.
import { DataError } from "./errors.js";

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** One record, its cells as byte ranges of the chunk; the arrays are reused between records. */
export interface CsvRecord {
  /** The line (1-based) where the record starts. */
  line: number;
  count: number;
  start: number[];
  end: number[];
  quoted: boolean[];
  /** Per cell: its line, and the offset in the chunk where that line starts (for columns). */
  cellLine: number[];
  lineStart: number[];
}

/** The 1-based character column of byte `pos` on the line starting at byte `lineStart`. */
export function columnAt(buf: Buffer, lineStart: number, pos: number): number {
  return buf.toString("utf8", lineStart, pos).length + 1;
}

/** A cell's text, quotes undone. */
export function cellText(buf: Buffer, rec: CsvRecord, i: number): string {
  const text = buf.toString("utf8", rec.start[i], rec.end[i]);
  return rec.quoted[i] ? text.replaceAll('""', '"') : text;
}

export class CsvScanner {
  private line = 1;
  private readonly rec: CsvRecord = { line: 1, count: 0, start: [], end: [], quoted: [], cellLine: [], lineStart: [] };

  constructor(
    private readonly file: string,
    private readonly onRecord: (buf: Buffer, rec: CsvRecord) => void,
  ) {}

  /** Hands on every whole record of `buf`; returns the offset where the unfinished one begins. */
  scan(buf: Buffer, final: boolean): number {
    let p = 0;
    while (p < buf.length) {
      const next = this.record(buf, p, final);
      if (next < 0) return p;
      p = next;
    }
    return p;
  }

  /** Reads the record at `p`; returns the offset after it, or -1 when the chunk ends inside it. */
  private record(buf: Buffer, p: number, final: boolean): number {
    const rec = this.rec;
    const n = buf.length;
    rec.line = this.line;
    rec.count = 0;
    let line = this.line;
    let lineStart = p;
    let i = p;
    for (;;) {
      const cellLine = line;
      const cellLineStart = lineStart;
      let start: number;
      let end: number;
      const quoted = i < n && buf[i] === QUOTE;
      if (quoted) {
        start = i + 1;
        i++;
        for (;;) {
          if (i >= n) {
            if (!final) return -1;
            throw this.unclosed(buf, cellLine, cellLineStart, start - 1);
          }
          const c = buf[i];
          if (c === QUOTE) {
            if (i + 1 >= n && !final) return -1;
            if (buf[i + 1] === QUOTE) {
              i += 2;
              continue;
            }
            break;
          }
          if (c === LF || (c === CR && buf[i + 1] !== LF)) {
            line++;
            lineStart = i + 1;
          }
          i++;
        }
        end = i++;
        if (i < n && buf[i] !== COMMA && buf[i] !== LF && buf[i] !== CR) throw this.afterQuote(buf, line, lineStart, i);
      } else {
        start = i;
        while (i < n && buf[i] !== COMMA && buf[i] !== LF && buf[i] !== CR) i++;
        end = i;
        if (i >= n && !final) return -1;
      }
      this.push(start, end, quoted, cellLine, cellLineStart);
      if (i >= n) break;
      if (buf[i] === COMMA) {
        i++;
        continue;
      }
      if (buf[i] === CR) {
        if (i + 1 >= n && !final) return -1;
        i += buf[i + 1] === LF ? 2 : 1;
      } else i++;
      line++;
      break;
    }
    this.line = line;
    if (!isBlank(buf, rec)) this.onRecord(buf, rec);
    return i;
  }

  private push(start: number, end: number, quoted: boolean, line: number, lineStart: number): void {
    const r = this.rec;
    const k = r.count++;
    r.start[k] = start;
    r.end[k] = end;
    r.quoted[k] = quoted;
    r.cellLine[k] = line;
    r.lineStart[k] = lineStart;
  }

  private unclosed(buf: Buffer, line: number, lineStart: number, at: number): DataError {
    return new DataError({
      kind: "bad-csv",
      problem: "This quoted cell has no closing quote before the end of the file.",
      file: this.file,
      line,
      column: columnAt(buf, lineStart, at),
      hint: 'close the quote; a quote inside a quoted cell is written twice: "a ""b"" c".',
    });
  }

  private afterQuote(buf: Buffer, line: number, lineStart: number, at: number): DataError {
    return new DataError({
      kind: "bad-csv",
      problem: "I expected a comma or the end of the line after this quoted cell's closing quote.",
      file: this.file,
      line,
      column: columnAt(buf, lineStart, at),
      hint: 'a quote inside a quoted cell is written twice: "a ""b"" c".',
    });
  }
}

/** An empty line, or one of spaces and tabs only. */
function isBlank(buf: Buffer, rec: CsvRecord): boolean {
  if (rec.count !== 1 || rec.quoted[0]) return false;
  for (let i = rec.start[0]; i < rec.end[0]; i++) if (buf[i] !== 0x20 && buf[i] !== 0x09) return false;
  return true;
}
