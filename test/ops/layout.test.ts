import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../runtime/tfjs/kernels/common.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { type Arr, rand, run } from "./helpers.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
});

const X: Arr = { shape: [4, 5, 6], data: Array.from({ length: 120 }, (_, k) => k) };

// Expected results computed with NumPy 2.4 on np.arange(120).reshape(4, 5, 6): the subscript,
// the result's shape, its first 12 entries (row-major) and the sum of all of them.
const NUMPY: [string, number[], number[], number][] = [
  ["1", [5, 6], [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41], 1335],
  ["-1", [5, 6], [90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101], 3135],
  ["1:3", [2, 5, 6], [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41], 3570],
  ["::2", [2, 5, 6], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 2670],
  ["::-1", [4, 5, 6], [90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101], 7140],
  ["-2:", [2, 5, 6], [60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71], 5370],
  ["1, 1:4, ::2", [3, 3], [36, 38, 40, 42, 44, 46, 48, 50, 52], 396],
  ["..., 2", [4, 5], [2, 8, 14, 20, 26, 32, 38, 44, 50, 56, 62, 68], 1180],
  ["2, ..., ::-2", [5, 3], [65, 63, 61, 71, 69, 67, 77, 75, 73, 83, 81, 79], 1125],
  ["3:0:-1, -1", [3, 6], [114, 115, 116, 117, 118, 119, 84, 85, 86, 87, 88, 89], 1557],
  ["1:100", [3, 5, 6], [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41], 6705],
  ["-100:2", [2, 5, 6], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 1770],
  [":, 4:1:-2, 5", [4, 2], [29, 17, 59, 47, 89, 77, 119, 107], 544],
  ["...", [4, 5, 6], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 7140],
  ["0:0", [0, 5, 6], [], 0],
];

describe("index (NumPy subscripts)", () => {
  for (const [spec, shape, head, total] of NUMPY) {
    it(`x[${spec}]`, () => {
      const r = run(tf, "index", [X], { spec });
      expect(r.shape).toEqual(shape);
      expect(r.data.slice(0, 12)).toEqual(head);
      expect(r.data.reduce((a, b) => a + b, 0)).toBe(total);
    });
  }

  it("takes `#` values from bounds in order", () => {
    const r = run(tf, "index", [X], { spec: "#, #:#, ::#", bounds: [1, 1, 4, 2] });
    expect(r.shape).toEqual([3, 3]);
    expect(r.data).toEqual([36, 38, 40, 42, 44, 46, 48, 50, 52]);
  });

  it("out-of-range indices and bad specs are messages", () => {
    expect(() => run(tf, "index", [X], { spec: "4" })).toThrow(/index 4 is out of range for axis 0 of size 4/);
    expect(() => run(tf, "index", [X], { spec: "::0" })).toThrow(/non-zero/);
    expect(() => run(tf, "index", [X], { spec: "0, 0, 0, 0" })).toThrow(/4 axes but the tensor has 3/);
    expect(() => run(tf, "index", [X], { spec: "#" })).toThrow(/more `#`/);
  });
});

describe("reshape, flatten, slice", () => {
  it("reshape keeps row-major order and infers -1", () => {
    const r = run(tf, "reshape", [X], { dims: [20, -1] });
    expect(r.shape).toEqual([20, 6]);
    expect(r.data).toEqual(X.data);
    expect(() => run(tf, "reshape", [X], { dims: [7, 7] })).toThrow(/same number of entries.*120.*49/);
  });

  it("flatten", () => {
    expect(run(tf, "flatten", [X]).shape).toEqual([120]);
  });

  it("slice along one axis: negative start, size -1 to the end", () => {
    const r = run(tf, "slice", [X], { start: -2, axis: 1 });
    expect(r.shape).toEqual([4, 2, 6]);
    expect(r.data.slice(0, 6)).toEqual([18, 19, 20, 21, 22, 23]);
    const q = run(tf, "slice", [X], { start: 1, size: 2 });
    expect(q.shape).toEqual([2, 5, 6]);
    expect(q.data[0]).toBe(30);
    expect(() => run(tf, "slice", [X], { start: 3, size: 2 })).toThrow(/does not fit axis 0/);
  });
});

describe("concat, stack", () => {
  it("concat along an axis", () => {
    const a = rand(1, [2, 3]);
    const b = rand(2, [2, 2]);
    const r = run(tf, "concat", [a, b], { axis: 1 });
    expect(r.shape).toEqual([2, 5]);
    expect(r.data.slice(0, 5)).toEqual([a.data[0], a.data[1], a.data[2], b.data[0], b.data[1]]);
    expect(() => run(tf, "concat", [a, b], { axis: 0 })).toThrow(/differ on axis 1/);
  });

  it("stack along a new axis, negative axis too", () => {
    const a = rand(1, [2, 3]);
    const b = rand(2, [2, 3]);
    expect(run(tf, "stack", [a, b]).shape).toEqual([2, 2, 3]);
    const r = run(tf, "stack", [a, b], { axis: -1 });
    expect(r.shape).toEqual([2, 3, 2]);
    expect(r.data.slice(0, 2)).toEqual([a.data[0], b.data[0]]);
  });
});

describe("pad", () => {
  const v: Arr = { shape: [4], data: [1, 2, 3, 4] };
  it("zero / reflect / periodic (NumPy's constant, reflect, wrap)", () => {
    expect(run(tf, "pad", [v], { width: [2] }).data).toEqual([0, 0, 1, 2, 3, 4, 0, 0]);
    expect(run(tf, "pad", [v], { width: [2], mode: "reflect" }).data).toEqual([3, 2, 1, 2, 3, 4, 3, 2]);
    expect(run(tf, "pad", [v], { width: [2], mode: "periodic" }).data).toEqual([3, 4, 1, 2, 3, 4, 1, 2]);
  });

  it("widths apply to the last axes", () => {
    const r = run(tf, "pad", [X], { width: [1, 2] });
    expect(r.shape).toEqual([4, 7, 10]);
    expect(() => run(tf, "pad", [v], { width: [4], mode: "reflect" })).toThrow(/at least 5, got 4/);
  });
});
