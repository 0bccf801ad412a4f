import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../runtime/tfjs/kernels/common.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { type Arr, broadcastRef, expectClose, rand, randInt, run } from "./helpers.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
});

// Tolerance: inputs are float32 values, the float64 reference computes on those exact values,
// so the only differences are the result's rounding (half an ulp, 6e-8 relative) and the
// kernels' own approximations (a few ulps for exp/tanh/sigmoid): 1e-5 relative + 1e-6 absolute
// (near zero, e.g. sin(π)) is tight for float32 and well above its noise.
const REL = 1e-5;
const ABS = 1e-6;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const UNARY: [string, (x: number) => number, [number, number]][] = [
  ["neg", (x) => -x, [-3, 3]],
  ["abs", Math.abs, [-3, 3]],
  ["sqrt", Math.sqrt, [0, 9]],
  ["exp", Math.exp, [-5, 5]],
  ["log", Math.log, [0.01, 10]],
  ["sin", Math.sin, [-6, 6]],
  ["cos", Math.cos, [-6, 6]],
  ["tanh", Math.tanh, [-4, 4]],
  ["sigmoid", sigmoid, [-8, 8]],
  ["relu", (x) => Math.max(x, 0), [-3, 3]],
  ["sign", Math.sign, [-3, 3]],
  ["floor", Math.floor, [-5, 5]],
  ["ceil", Math.ceil, [-5, 5]],
  ["square", (x) => x * x, [-3, 3]],
  ["reciprocal", (x) => 1 / x, [0.1, 5]],
];

describe("unary", () => {
  UNARY.forEach(([name, f, [lo, hi]], k) => {
    it(`${name} matches Math on random f32 input`, () => {
      const x = rand(100 + k, [4, 5], lo, hi);
      const r = run(tf, name, [x]);
      expect(r.shape).toEqual([4, 5]);
      expectClose(r.data, Array.from(x.data, f), REL, ABS);
    });
  });

  it("round rounds halves to even (NumPy)", () => {
    const r = run(tf, "round", [{ shape: [6], data: [0.5, 1.5, 2.5, -0.5, -1.5, 2.4] }]);
    expect(r.data.map((v) => v + 0)).toEqual([0, 2, 2, 0, -2, 2]);
  });

  it("keeps i32 for neg/abs/square/floor, computes f32 for sqrt", () => {
    const x = randInt(7, [5], -9, 9);
    const neg = run(tf, "neg", [x]);
    expect(neg.dtype).toBe("i32");
    expect(neg.data).toEqual(Array.from(x.data, (v) => -v || 0));
    expect(run(tf, "square", [x]).data).toEqual(Array.from(x.data, (v) => v * v));
    expect(run(tf, "floor", [x]).data).toEqual(Array.from(x.data));
    const s = run(tf, "sqrt", [{ ...x, data: Array.from(x.data, Math.abs) }]);
    expect(s.dtype).toBe("f32");
    expectClose(s.data, Array.from(x.data, (v) => Math.sqrt(Math.abs(v))), REL);
  });

  it("rejects bool with a message", () => {
    expect(() => run(tf, "exp", [{ shape: [2], data: [1, 0], dtype: "bool" }])).toThrow(/needs numbers/);
  });
});

const fmod = (a: number, b: number) => a - b * Math.floor(a / b);
const BINARY: [string, (a: number, b: number) => number][] = [
  ["add", (a, b) => a + b],
  ["sub", (a, b) => a - b],
  ["mul", (a, b) => a * b],
  ["div", (a, b) => a / b],
  ["maximum", Math.max],
  ["minimum", Math.min],
  ["mod", fmod],
];

describe("binary with broadcasting", () => {
  const cases: [number[], number[]][] = [
    [[3, 4], [3, 4]],
    [[3, 1], [1, 4]],
    [[2, 3, 4], [4]],
    [[], [3, 2]],
  ];
  BINARY.forEach(([name, f], k) => {
    it(`${name} matches a float64 reference`, () => {
      cases.forEach(([sa, sb], c) => {
        const a = rand(10 * k + c, sa, -3, 3);
        const b = rand(10 * k + c + 500, sb, 0.5, 3);
        const r = run(tf, name, [a, b]);
        const want = broadcastRef(a, b, f);
        expect(r.shape).toEqual(want.shape);
        // mod: a - b·floor(a/b) loses up to |a| ulps when the quotient is large; our |a/b| ≤ 6.
        expectClose(r.data, want.data, name === "mod" ? 1e-5 : REL, name === "mod" ? 1e-5 : ABS);
      });
    });
  });

  it("pow on positive bases", () => {
    const a = rand(1, [3, 4], 0.1, 3);
    const b = rand(2, [4], -2, 2);
    expectClose(run(tf, "pow", [a, b]).data, broadcastRef(a, b, Math.pow).data, REL, ABS);
  });

  it("mod follows the divisor's sign (floored, like NumPy)", () => {
    const r = run(tf, "mod", [
      { shape: [4], data: [7, -7, 7, -7] },
      { shape: [4], data: [3, 3, -3, -3] },
    ]);
    expect(r.data).toEqual([1, 2, -2, -1]);
  });

  it("promotes i32 with f32 to f32, keeps i32 + i32, and div is true division", () => {
    const i = randInt(3, [4], -5, 5);
    const f = rand(4, [4]);
    expect(run(tf, "add", [i, f]).dtype).toBe("f32");
    const ii = run(tf, "add", [i, i]);
    expect(ii.dtype).toBe("i32");
    expect(ii.data).toEqual(Array.from(i.data, (v) => 2 * v));
    const d = run(tf, "div", [{ shape: [2], data: [7, -7], dtype: "i32" }, { shape: [2], data: [2, 2], dtype: "i32" }]);
    expect(d.dtype).toBe("f32");
    expect(d.data).toEqual([3.5, -3.5]);
    const bb = run(tf, "add", [{ shape: [1], data: [1], dtype: "bool" }, { shape: [1], data: [1], dtype: "bool" }]);
    expect(bb).toMatchObject({ dtype: "i32", data: [2] });
  });

  it("reports shapes that do not broadcast", () => {
    expect(() => run(tf, "add", [rand(1, [3, 4]), rand(2, [3])])).toThrow(/do not broadcast.*4 vs 3/);
  });
});

describe("comparisons and logic", () => {
  const CMP: [string, (a: number, b: number) => boolean][] = [
    ["lt", (a, b) => a < b],
    ["le", (a, b) => a <= b],
    ["gt", (a, b) => a > b],
    ["ge", (a, b) => a >= b],
    ["eq", (a, b) => a === b],
    ["ne", (a, b) => a !== b],
  ];
  // Small integers stored as f32 so that equality cases occur.
  const a: Arr = { shape: [3, 4], data: [0, 1, 2, 3, 1, 1, 2, 0, 3, 2, 1, 0] };
  const b: Arr = { shape: [4], data: [1, 1, 2, 2] };
  CMP.forEach(([name, f]) => {
    it(`${name} gives bool`, () => {
      const r = run(tf, name, [a, b]);
      expect(r.dtype).toBe("bool");
      expect(r.data).toEqual(broadcastRef(a, b, (x, y) => (f(x, y) ? 1 : 0)).data);
    });
  });

  it("logical_and / logical_or / logical_not, non-zero is true", () => {
    const p: Arr = { shape: [4], data: [0, 0, 1, 1], dtype: "bool" };
    const q: Arr = { shape: [4], data: [0, 2.5, 0, -1] };
    expect(run(tf, "logical_and", [p, q]).data).toEqual([0, 0, 0, 1]);
    expect(run(tf, "logical_or", [p, q]).data).toEqual([0, 1, 1, 1]);
    expect(run(tf, "logical_not", [q])).toMatchObject({ dtype: "bool", data: [1, 0, 1, 0] });
  });

  it("where broadcasts all three", () => {
    const c: Arr = { shape: [3, 1], data: [1, 0, 1], dtype: "bool" };
    const x = rand(5, [1, 4]);
    const y = rand(6, [3, 4]);
    const r = run(tf, "where", [c, x, y]);
    expect(r.shape).toEqual([3, 4]);
    const want = y.data as number[];
    expect(r.data).toEqual(want.map((v, k) => (c.data[Math.floor(k / 4)] ? x.data[k % 4] : v)));
  });

  it("cast truncates toward zero and maps non-zero to true", () => {
    const x: Arr = { shape: [4], data: [1.7, -1.7, 0, 2] };
    expect(run(tf, "cast", [x], { dtype: "i32" })).toMatchObject({ dtype: "i32", data: [1, -1, 0, 2] });
    expect(run(tf, "cast", [x], { dtype: "bool" })).toMatchObject({ dtype: "bool", data: [1, 1, 0, 1] });
  });
});
