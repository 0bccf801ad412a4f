// CSV data sets: the quirks real files have (headers, quotes, CRLF, a BOM, a blank last line,
// records cut across read chunks) and every error, each checked for its message and location.
import { describe, expect, it } from "vitest";
import { loadDataset } from "../../runtime/data/index.js";
import { readCsv } from "../../runtime/data/csv.js";
import { column, dataError, range, scratch, spec } from "./files.js";

const { iterFile, write } = scratch("iter-csv-");
const load = (path: string, fields = [range("x", 0, 2), column("y", 2)], extra = {}) => loadDataset(spec(path, fields, extra), { iterFile });
const values = (a: Float32Array) => Array.from(a);

describe("reading CSV", () => {
  it("selects a column range and a column, rows first", () => {
    write("plain.csv", "1,2,3\n4,5,6\n");
    const d = load("plain.csv");
    expect(d.rows).toBe(2);
    expect(d.fields.get("x")).toEqual({ perRow: [2], data: Float32Array.from([1, 2, 4, 5]) });
    expect(d.fields.get("y")).toEqual({ perRow: [], data: Float32Array.from([3, 6]) });
    expect(d.name).toBe("toy");
    expect(d.source.endsWith("plain.csv")).toBe(true);
  });

  it("detects a header, skips it, and lets a field select a column by its name", () => {
    write("header.csv", "a,b,label\n1,2,3\n");
    expect(load("header.csv").rows).toBe(1);
    const d = load("header.csv", [{ name: "y", select: { key: "label" } }]);
    expect(values(d.fields.get("y")!.data)).toEqual([3]);
  });

  it("takes `header` when given: false reads the first row as data, true skips a numeric one", () => {
    write("numeric-header.csv", "0,1,2\n7,8,9\n");
    expect(load("numeric-header.csv", undefined, { header: true }).rows).toBe(1);
    expect(load("numeric-header.csv", undefined, { header: false }).rows).toBe(2);
  });

  it("reads quoted cells, quotes written twice, commas and line breaks inside quotes", () => {
    write("quoted.csv", 'name,x,y\n"Smith, J. ""Jr""",1,"2"\n"two\nlines",3,4\n');
    const d = load("quoted.csv", [column("x", 1), column("y", 2)]);
    expect(values(d.fields.get("x")!.data)).toEqual([1, 3]);
    expect(values(d.fields.get("y")!.data)).toEqual([2, 4]);
  });

  it("accepts CRLF, a lone CR, a byte-order mark, spaces around numbers, blank lines and no final newline", () => {
    write("crlf.csv", "\uFEFFx1,x2,y\r\n1, 2 ,3\r\n\r\n4,5,6\r\n\r\n");
    expect(values(load("crlf.csv").fields.get("y")!.data)).toEqual([3, 6]);
    write("cr.csv", "1,2,3\r4,5,6");
    expect(values(load("cr.csv").fields.get("x")!.data)).toEqual([1, 2, 4, 5]);
  });

  it("reads decimal forms exactly as float32 does", () => {
    write("forms.csv", "-1.5,.5,2.\n1e-3,+7,3.4e38\n0.1,1E2,-0\n");
    const d = load("forms.csv", [range("x", 0, 3)]);
    expect(values(d.fields.get("x")!.data)).toEqual([-1.5, 0.5, 2, 1e-3, 7, 3.4e38, 0.1, 100, -0].map(Math.fround));
  });

  it("leaves columns no field selects unparsed (text there is fine)", () => {
    write("ids.csv", "id,x\nalpha,1\nbeta,2\n");
    expect(values(load("ids.csv", [column("x", 1)]).fields.get("x")!.data)).toEqual([1, 2]);
  });

  it("gives the same result whatever the read chunk size (records cut anywhere)", () => {
    const text = '\uFEFFa,b,c\r\n"1,",2,3\r\n"x""y\r\nz",5,6\r\n7,8,9';
    const path = write("chunks.csv", text);
    const whole = readCsv(path, "chunks.csv", spec("chunks.csv", [column("b", 1), column("c", 2)]));
    for (const size of [1, 2, 3, 5, 8, 13]) {
      const cut = readCsv(path, "chunks.csv", spec("chunks.csv", [column("b", 1), column("c", 2)]), size);
      expect(cut).toEqual(whole);
    }
    expect(values(whole.fields.get("b")!.data)).toEqual([2, 5, 8]);
  });
});

describe("CSV errors, located in the data file", () => {
  it("a ragged row: how many cells, against the first row's, at the first extra cell", () => {
    write("ragged.csv", "1,2,3\n4,5,6,7\n");
    const e = dataError(() => load("ragged.csv"));
    expect(e.kind).toBe("ragged-row");
    expect(e.problem).toBe("This row has 4 cells, but the first row has 3.");
    expect([e.line, e.column]).toEqual([2, 7]);
    expect(e.hint).toMatch(/quoted/);
    expect(e.message).toBe(`This row has 4 cells, but the first row has 3.\n  --> ${e.file}:2:7\n  = hint: ${e.hint}`);
    expect(e.file).toMatch(/ragged\.csv$/);
  });

  it("a short row: located after its last cell", () => {
    write("short.csv", "1,2,3\n4,5\n");
    const e = dataError(() => load("short.csv"));
    expect(e.problem).toBe("This row has 2 cells, but the first row has 3.");
    expect([e.line, e.column]).toEqual([2, 4]);
  });

  it("a non-numeric cell: quoted, with its column and place", () => {
    write("text.csv", "x,y,z\n1,2,3\n4,five,6\n");
    const e = dataError(() => load("text.csv"));
    expect(e.kind).toBe("non-numeric");
    expect(e.problem).toBe('The cell "five" in column 1 (field `x` of data `toy`) is not a number.');
    expect([e.line, e.column]).toEqual([3, 3]);
  });

  it("a character column counts characters, not bytes, on lines with non-ASCII text", () => {
    write("utf8.csv", "é,ü,1\n");
    const e = dataError(() => load("utf8.csv", [column("y", 2), column("x", 1)], { header: false }));
    expect(e.problem).toMatch(/"ü"/);
    expect([e.line, e.column]).toEqual([1, 3]);
  });

  it("a text first row that is not all text hints at `header: true`", () => {
    write("mixed.csv", "x,2,3\n1,2,3\n");
    const e = dataError(() => load("mixed.csv"));
    expect([e.kind, e.line, e.column]).toEqual(["non-numeric", 1, 1]);
    expect(e.hint).toMatch(/header: true/);
  });

  it("an empty cell, and hex or other non-decimal forms", () => {
    write("empty-cell.csv", "1,,3\n");
    expect(dataError(() => load("empty-cell.csv")).problem).toBe("The cell in column 1 (field `x` of data `toy`) is empty, but a number is needed there.");
    write("hex.csv", "0x10,1,2\n");
    expect(dataError(() => load("hex.csv")).problem).toMatch(/^The cell "0x10" in column 0 .* is not a number\.$/);
  });

  it("NaN and infinite cells are refused, and so are numbers float32 cannot hold", () => {
    for (const [cell, what] of [["NaN", "is NaN"], ["-inf", "is an infinity"], ["Infinity", "is an infinity"], ["1e39", "too large for float32"]]) {
      write("nan.csv", `1,2,3\n4,${cell},6\n`);
      const e = dataError(() => load("nan.csv"));
      expect(e.kind).toBe("not-finite");
      expect(e.problem).toContain(what);
      expect([e.line, e.column]).toEqual([2, 3]);
    }
  });

  it("a column range past the last column names both counts", () => {
    write("narrow.csv", "1,2,3\n");
    const e = dataError(() => load("narrow.csv", [range("x", 0, 8), column("y", 8)]));
    expect(e.kind).toBe("out-of-bounds");
    expect(e.problem).toBe("The field `x` of data `toy` selects the columns 0..8 (0 to 7), but the file has 3 columns (0 to 2).");
    expect(e.line).toBe(1);
    expect(e.hint).toMatch(/count from 0/);
    expect(dataError(() => load("narrow.csv", [column("y", 3)])).problem).toMatch(/selects column 3, but the file has 3 columns/);
  });

  it("a column name the header lacks gets a did-you-mean; no header, no names", () => {
    write("named.csv", "feature,label\n1,2\n");
    expect(dataError(() => load("named.csv", [{ name: "y", select: { key: "labl" } }])).hint).toBe("did you mean `label`?");
    write("unnamed.csv", "1,2\n");
    expect(dataError(() => load("unnamed.csv", [{ name: "y", select: { key: "label" } }])).problem).toMatch(/no column names/);
  });

  it("an unclosed quote, and text after a closing quote", () => {
    write("unclosed.csv", '1,2,3\n4,"5,6\n');
    const e = dataError(() => load("unclosed.csv"));
    expect([e.kind, e.line, e.column]).toEqual(["bad-csv", 2, 3]);
    expect(e.problem).toMatch(/no closing quote/);
    write("after.csv", '1,"2"x,3\n');
    expect([dataError(() => load("after.csv")).line, dataError(() => load("after.csv")).column]).toEqual([1, 6]);
  });

  it("an empty file, blank lines only, or a header alone: no rows", () => {
    write("empty.csv", "");
    expect(dataError(() => load("empty.csv")).problem).toBe("The data set `toy` has no rows.");
    write("blank.csv", "\n\n  \n");
    expect(dataError(() => load("blank.csv")).kind).toBe("empty");
    write("only-header.csv", "a,b,c\n");
    expect(dataError(() => load("only-header.csv")).problem).toBe("The data set `toy` has no rows (its only row (line 1) was read as a header).");
  });
});
