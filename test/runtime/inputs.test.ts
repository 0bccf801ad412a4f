// Input data files (runtime/inputs.ts): every way a .npy or .json file can be unusable is a
// message that names the input and the file, and for JSON the place in it (`[3][1]`); reading
// nested JSON is linear in the file's size whatever its depth; a float64 file read as float32
// comes with a note.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { conformInput, InputError, readInput, readJsonArray } from "../../runtime/inputs.js";
import { dimConst } from "../../compiler/shapes.js";
import { tensor } from "../../compiler/types.js";
import { writeNpy } from "../../runtime/npy.js";

const dir = mkdtempSync(join(tmpdir(), "iter-inputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The message readInput gives for `content` saved as `name`, for the input `b`. */
function refusal(name: string, content: string | Uint8Array): string {
  const path = file(name, content);
  try {
    readInput("b", path);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message.startsWith(`I can't use ${path} for the input \`b\`: `)).toBe(true);
    return (e as Error).message.slice(`I can't use ${path} for the input \`b\`: `.length);
  }
  throw new Error(`${name} was accepted`);
}

describe("nested JSON", () => {
  it("reads regular nested arrays, numbers and booleans", () => {
    expect(readJsonArray("a.json", "[[1, 2, 3], [4, 5, 6]]")).toEqual({ dtype: "float64", shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, 6]) });
    expect(readJsonArray("a.json", "[[true], [false]]")).toEqual({ dtype: "bool", shape: [2, 1], data: Uint8Array.from([1, 0]) });
    expect(readJsonArray("a.json", "2.5")).toEqual({ dtype: "float64", shape: [], data: Float64Array.from([2.5]) });
    expect(readJsonArray("a.json", '{"shape": [2, 2], "data": [1, 2, 3, 4]}').shape).toEqual([2, 2]);
  });

  it("says where ragged arrays, non-numbers and mixes break, by their path", () => {
    expect(refusal("r.json", "[[1, 2], [3, 4], [5]]")).toBe("the arrays are ragged: [2] has 1 item, but [0] has 2.");
    expect(refusal("r2.json", "[[[1], [2]], [[3], 4]]")).toBe("at [1][1] I expected an array, as at [0][0], but found 4.");
    expect(refusal("s.json", '[[1, 2], [3, "x"]]')).toBe('at [1][1] I expected a number, but found "x".');
    expect(refusal("n.json", "[[1, 2], [null, 4]]")).toBe("at [1][0] I expected a number, but found null.");
    expect(refusal("m.json", "[true, 1]")).toBe("at [1] I expected true or false, as at the first entry, but found 1.");
    expect(refusal("o.json", '[{"a": 1}]')).toBe("at [0] I expected a number, but found an object.");
    expect(refusal("t.json", '"abc"')).toBe('at the top level I expected a number, but found "abc".');
    expect(refusal("bad.json", "[1, 2")).toMatch(/^it is not valid JSON \(/);
  });

  it("keeps numbers as float64, beyond float32's range too (a float32 run refuses them: conformInput)", () => {
    expect([...readJsonArray("big.json", "[[1, 2], [3, -1e39]]").data]).toEqual([1, 2, 3, -1e39]);
    expect(readJsonArray("big2.json", '{"shape": [2], "data": [1, 1e300]}').data).toEqual(Float64Array.from([1, 1e300]));
  });

  it("refuses empty arrays, at any depth", () => {
    expect(refusal("e.json", "[]")).toBe("it holds no values (shape [0]).");
    expect(refusal("e2.json", "[[], []]")).toBe("it holds no values (shape [2, 0]).");
    expect(refusal("e3.json", '{"shape": [0, 3], "data": []}')).toBe("it holds no values (shape [0, 3]).");
  });

  it("explicit shape and data: clear messages", () => {
    expect(refusal("x1.json", '{"shape": [2, 2], "data": [1, 2, 3]}')).toBe('the shape [2, 2] holds 4 numbers, but "data" has 3.');
    expect(refusal("x2.json", '{"shape": [2, -1], "data": [1, 2]}')).toBe('"shape" must be a list of whole numbers.');
    expect(refusal("x3.json", '{"shape": [2], "data": [[1], [2]]}')).toBe('at "data"[0] I expected a number, but found an array.');
  });

  it("is linear in depth: 26 levels (once 45 s) and 100,000 levels are answered at once", () => {
    const t0 = performance.now();
    expect(readJsonArray("d.json", "[".repeat(26) + "1" + "]".repeat(26)).shape).toHaveLength(26);
    expect(refusal("deep.json", "[".repeat(100_000) + "]".repeat(100_000))).toBe(
      "the arrays nest deeper than 32 levels (at [0][0][0]…[0][0] (32 levels)).",
    );
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("is linear in width: a 1000×1000 array in well under a few seconds", () => {
    const text = JSON.stringify(Array.from({ length: 1000 }, (_, i) => Array.from({ length: 1000 }, (_, j) => i - j)));
    const t0 = performance.now();
    const a = readJsonArray("w.json", text);
    expect(a.shape).toEqual([1000, 1000]);
    expect(a.data[1001]).toBe(0);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe(".npy inputs", () => {
  const f8 = writeNpy({ dtype: "float32", shape: [3], data: Float32Array.from([1, 2, 3]) });

  it("a truncated file names the input and the file, and says how much is missing", () => {
    expect(refusal("cut.npy", f8.subarray(0, f8.length - 4))).toBe("the .npy file is truncated: its shape (3,) of float32 needs 12 bytes of data, and 8 are there.");
  });

  it("trailing bytes are refused", () => {
    expect(refusal("long.npy", new Uint8Array([...f8, 0, 0, 0, 0]))).toMatch(/^the \.npy file has 4 bytes after its data/);
  });

  it("an unknown extension, and a missing file, name the input", () => {
    expect(refusal("data.csv", "1,2,3\n")).toBe("inputs are read from .npy or .json files, not `.csv`.");
    expect(() => readInput("b", join(dir, "none.npy"))).toThrow(/for the input `b`: there is no such file/);
  });

  it("a float64 file is read exactly; a float32 run rounds it, and refuses what float32 cannot hold", () => {
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    const dict = header + " ".repeat((64 - ((10 + header.length + 1) % 64)) % 64) + "\n";
    const bytes = new Uint8Array(10 + dict.length + 16);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, dict.length, 0]);
    bytes.set(Array.from(dict, (c) => c.charCodeAt(0)), 10);
    const view = new DataView(bytes.buffer);
    view.setFloat64(10 + dict.length, 0.1, true);
    view.setFloat64(10 + dict.length + 8, 1e300, true);
    const array = readInput("b", file("f8.npy", bytes));
    expect(array.dtype).toBe("float64");
    expect([...array.data]).toEqual([0.1, 1e300]);
    const f32 = tensor("f32", [dimConst(2)]);
    expect(conformInput("b", array, f32, "f64").data).toEqual(Float64Array.from([0.1, 1e300]));
    expect(() => conformInput("b", array, f32, "f32")).toThrow(/holds 1e\+300 at \[1\], beyond float32's range/);
    const small = { ...array, data: Float64Array.from([0.1, -2]) };
    expect(conformInput("b", small, f32, "f32").data).toEqual(Float32Array.from([0.1, -2]));
  });
});
