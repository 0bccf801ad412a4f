// .npy and JSON-lines data sets: columns of a 2-D array, a 1-D array as one column, fields by
// key, and each format's errors with their place.
import { describe, expect, it } from "vitest";
import { loadDataset } from "../../runtime/data/index.js";
import { readJsonl } from "../../runtime/data/jsonl.js";
import { writeNpy } from "../../runtime/npy.js";
import { column, dataError, key, range, scratch, spec } from "./files.js";

const { iterFile, write } = scratch("iter-npy-jsonl-");
const load = (path: string, fields = [range("x", 0, 2), column("y", 2)]) => loadDataset(spec(path, fields), { iterFile });
const f32 = (shape: number[], values: number[]) => writeNpy({ dtype: "float32", shape, data: Float32Array.from(values) });

describe(".npy data sets", () => {
  it("select columns of a 2-D array like a CSV's", () => {
    write("a.npy", f32([2, 3], [1, 2, 3, 4, 5, 6]));
    const d = load("a.npy");
    expect(d.rows).toBe(2);
    expect(d.fields.get("x")).toEqual({ perRow: [2], data: Float32Array.from([1, 2, 4, 5]) });
    expect(d.fields.get("y")).toEqual({ perRow: [], data: Float32Array.from([3, 6]) });
  });

  it("read a 1-D array as one column, and int32 as float32", () => {
    write("v.npy", writeNpy({ dtype: "int32", shape: [3], data: Int32Array.from([7, -8, 9]) }));
    expect(load("v.npy", [column("y", 0)]).fields.get("y")).toEqual({ perRow: [], data: Float32Array.from([7, -8, 9]) });
  });

  it("keep float32 values bit for bit", () => {
    const values = [Math.fround(Math.PI), 1.401298464324817e-45, -3.4028234663852886e38, -0];
    write("exact.npy", f32([4, 1], values));
    expect(Array.from(load("exact.npy", [column("y", 0)]).fields.get("y")!.data)).toEqual(values);
  });

  it("errors: out-of-bounds columns, 3-D arrays, NaN values (row and column), not a .npy, no rows", () => {
    write("b.npy", f32([2, 2], [1, 2, 3, 4]));
    const e = dataError(() => load("b.npy", [range("x", 0, 3)]));
    expect([e.kind, e.line, e.problem]).toEqual(["out-of-bounds", undefined, "The field `x` of data `toy` selects the columns 0..3 (0 to 2), but the file has 2 columns (0 to 1)."]);
    expect(dataError(() => load("b.npy", [column("y", 2)])).problem).toBe("The field `y` of data `toy` selects column 2, but the file has 2 columns (0 to 1).");
    write("c.npy", f32([1, 2, 2], [1, 2, 3, 4]));
    expect(dataError(() => load("c.npy", [column("y", 0)])).problem).toMatch(/1-D or 2-D array .* shape \(1, 2, 2\)/);
    write("nan.npy", f32([2, 2], [1, 2, 3, NaN]));
    const nan = dataError(() => load("nan.npy", [range("x", 0, 2)]));
    expect([nan.kind, nan.problem]).toEqual(["not-finite", "The value at row 1, column 1 is NaN; I refuse NaN and infinite values in training data."]);
    write("inf.npy", f32([1, 1], [-Infinity]));
    expect(dataError(() => load("inf.npy", [column("y", 0)])).problem).toMatch(/is an infinity/);
    write("fake.npy", "x,y\n1,2\n");
    expect(dataError(() => load("fake.npy", [column("y", 0)])).problem).toMatch(/can't be used as data: not a .npy file/);
    write("short.npy", f32([4, 1], [1, 2, 3, 4]).subarray(0, 130));
    expect(dataError(() => load("short.npy", [column("y", 0)])).problem).toMatch(/truncated/);
    write("none.npy", f32([0, 3], []));
    expect(dataError(() => load("none.npy", [column("y", 0)])).kind).toBe("empty");
    expect(dataError(() => load("b.npy", [key("y", "label")])).problem).toMatch(/no column names/);
  });
});

describe("JSON-lines data sets", () => {
  const lines = '{"x": [1, 2], "y": 3}\n\n{"y": 6, "x": [4, 5], "note": "text is ignored"}\r\n';

  it("read fields by key: a list of numbers, or a number", () => {
    write("a.jsonl", lines);
    const d = load("a.jsonl", [key("x", "x"), key("label", "y")]);
    expect(d.rows).toBe(2);
    expect(d.fields.get("x")).toEqual({ perRow: [2], data: Float32Array.from([1, 2, 4, 5]) });
    expect(d.fields.get("label")).toEqual({ perRow: [], data: Float32Array.from([3, 6]) });
  });

  it("give the same result whatever the read chunk size", () => {
    const path = write("chunked.jsonl", `\uFEFF${lines}{"x": [7, 8], "y": 9}`);
    const s = spec("chunked.jsonl", [key("x", "x"), key("y", "y")]);
    const whole = readJsonl(path, "chunked.jsonl", s);
    expect(whole.rows).toBe(3);
    for (const size of [1, 3, 7]) expect(readJsonl(path, "chunked.jsonl", s, size)).toEqual(whole);
  });

  it("a line that is not JSON: its line and the column JSON.parse stopped at", () => {
    write("bad.jsonl", '{"x": [1, 2], "y": 3}\n{"x": [1, 2] "y": 3}\n');
    const e = dataError(() => load("bad.jsonl", [key("y", "y")]));
    expect(e.kind).toBe("not-json");
    expect(e.problem).toMatch(/^This line is not valid JSON \(.+\)\.$/);
    expect([e.line, e.column]).toEqual([2, 14]);
    write("list.jsonl", "[1, 2]\n");
    expect(dataError(() => load("list.jsonl", [key("y", "y")])).problem).toBe("This line holds a list, not a JSON object.");
  });

  it("a missing key (with a did-you-mean), a null, text, a list of another length", () => {
    write("keys.jsonl", '{"x": 1, "label": 2}\n');
    const e = dataError(() => load("keys.jsonl", [key("y", "labl")]));
    expect([e.kind, e.line, e.column]).toEqual(["missing-key", 1, undefined]);
    expect(e.problem).toBe('This line has no key "labl" (data `toy`).');
    expect(e.hint).toBe("did you mean `label`?");
    write("null.jsonl", '{"y": 1}\n{"y": null}\n');
    expect(dataError(() => load("null.jsonl", [key("y", "y")])).problem).toMatch(/has "y": null/);
    write("text.jsonl", '{"y": "one"}\n');
    const t = dataError(() => load("text.jsonl", [key("y", "y")]));
    expect([t.kind, t.problem, t.column]).toEqual(["non-numeric", 'The value "\\"one\\"" under "y" is not a number.', 2]);
    write("widths.jsonl", '{"x": [1, 2]}\n{"x": [1, 2, 3]}\n{"x": 4}\n');
    const w = dataError(() => load("widths.jsonl", [key("x", "x")]));
    expect([w.kind, w.line, w.problem]).toEqual(["ragged-row", 2, 'Under "x" this line has a list of 3, but the lines before have a list of 2.']);
    write("huge.jsonl", '{"y": 1e39}\n');
    expect(dataError(() => load("huge.jsonl", [key("y", "y")])).kind).toBe("not-finite");
  });

  it("fields select keys, not columns; an empty file has no rows", () => {
    write("cols.jsonl", '{"y": 1}\n');
    expect(dataError(() => load("cols.jsonl", [column("y", 0)])).hint).toBe('name the key the field reads, e.g. `y: "y"`.');
    write("empty.jsonl", "\n");
    expect(dataError(() => load("empty.jsonl", [key("y", "y")])).kind).toBe("empty");
  });
});
