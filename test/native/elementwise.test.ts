// Elementwise loops: every unary and binary op, selects on every comparison, broadcast
// scalars and constants, on sizes around the vector width (simd main loop, leftover vector,
// scalar tail), against the reference interpreter.
//
// Agreement expected: f32 bit for bit with the interpreter's f32 emulation (every Wasm f32
// operation is IEEE correctly rounded, and so is Math.fround of the same operation done in
// float64 on float32 inputs, since 53 ≥ 2·24 + 2; transcendentals are computed in f64 and
// rounded on both sides). f64 bit for bit as well: the same operations in the same order —
// except exp, tanh and sigmoid, which the module computes itself (codegen/inline-math.ts,
// Cephes's algorithms) and the interpreter with Math.*: within 4 ulp of each other.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  binary,
  compare,
  let_,
  lit,
  loop,
  read,
  reg,
  select,
  store,
  temp,
  unary,
} from "../../compiler/native/build.js";
import type { BinaryOp, CompareOp, DType, Expr, KernelSet, UnaryOp } from "../../compiler/native/kernel-ir.js";
import { runBoth } from "./harness.js";
import { firstMismatch } from "./reference.js";

const DTYPES: DType[] = ["f32", "f64"];
/** 1 lane, under one vector, one f32 vector, the unroll boundary ± 1, and a long odd run. */
const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 101];

function mapSet(dtype: DType, n: number, expr: Expr, inputs = ["a", "b"]): KernelSet {
  return {
    buffers: [...inputs, "out"].map((name) => ({ name, dtype, shape: [n] })),
    scalars: [{ name: "s" }],
    kernels: [{ name: "map", steps: [loop(dtype, [n], [store("out", expr)])] }],
  };
}

/** The ops computed in the module in f64 (not bit for bit with Math.* in f64). */
const INLINE: readonly UnaryOp[] = ["exp", "tanh", "sigmoid"];

function expectSame(set: KernelSet, o: Parameters<typeof runBoth>[2] = {}, ulps = 0): void {
  const { native, ref } = runBoth(set, ["map"], o);
  const got = native.view("out");
  const want = ref.buffers.get("out")!;
  const close = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= ulps * 2 ** -52 * Math.abs(b);
  const at = ulps === 0 ? firstMismatch(got, want) : [...got].findIndex((g, i) => !close(g, want[i]));
  expect(at, `first mismatch at ${at}: got ${got[at]}, want ${want[at]}`).toBe(-1);
}

const UNARY: UnaryOp[] = [
  "neg",
  "abs",
  "sqrt",
  "square",
  "reciprocal",
  "floor",
  "ceil",
  "trunc",
  "round",
  "relu",
  "sign",
  "exp",
  "log",
  "tanh",
  "sigmoid",
  "sin",
  "cos",
];
const BINARY: BinaryOp[] = ["add", "sub", "mul", "div", "min", "max"];
const COMPARE: CompareOp[] = ["lt", "le", "gt", "ge", "eq", "ne"];

/** Values that exercise edges: signed zeros, halves (rounding ties), infinities, NaN. */
const SPECIALS = [0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 1e-30, -3, 7.25, Infinity, -Infinity, NaN, 1e30, 0.1];

describe("unary ops", () => {
  for (const dtype of DTYPES) {
    for (const op of UNARY) {
      it(`${op} (${dtype}) on random values and on special values`, () => {
        const ulps = dtype === "f64" && INLINE.includes(op) ? 4 : 0;
        for (const n of SIZES) expectSame(mapSet(dtype, n, unary(op, read("a"))), { seed: n, lo: -4, hi: 4 }, ulps);
        expectSame(mapSet(dtype, SPECIALS.length, unary(op, read("a"))), { fill: { a: SPECIALS } }, ulps);
        if (ulps) expectSame(mapSet(dtype, 2001, unary(op, read("a"))), { seed: 3, lo: -750, hi: 750 }, ulps);
      });
    }
  }
});

describe("binary ops", () => {
  for (const dtype of DTYPES) {
    for (const op of BINARY) {
      it(`${op} (${dtype}), buffers, a broadcast scalar and a constant`, () => {
        for (const n of SIZES) {
          expectSame(mapSet(dtype, n, binary(op, read("a"), read("b"))), { seed: n });
          expectSame(mapSet(dtype, n, binary(op, reg("s"), read("b"))), { seed: n, scalars: { s: 0.3 } });
          expectSame(mapSet(dtype, n, binary(op, read("a"), lit(-1.75))), { seed: n });
        }
        // every pair of special values
        const m = SPECIALS.length;
        const a = SPECIALS.flatMap((x) => SPECIALS.map(() => x));
        const b = SPECIALS.flatMap(() => SPECIALS);
        expectSame(mapSet(dtype, m * m, binary(op, read("a"), read("b"))), { fill: { a, b } });
      });
    }
  }

  it("converts an f64 register to f32 once, rounding to nearest", () => {
    // 0.1 is not an f32: the loop must use fround(0.1), as the interpreter does.
    const set = mapSet("f32", 9, binary("mul", reg("s"), read("a")));
    const { native } = runBoth(set, ["map"], { fill: { a: [1] }, scalars: { s: 0.1 } });
    expect([...native.view("out")]).toEqual(new Array(9).fill(Math.fround(0.1)));
  });
});

describe("select (where) on every comparison", () => {
  for (const dtype of DTYPES) {
    it(`${dtype}`, () => {
      for (const op of COMPARE) {
        const e = select(compare(op, read("a"), read("b")), read("a"), binary("mul", read("b"), lit(10)));
        for (const n of SIZES) expectSame(mapSet(dtype, n, e), { seed: 3 * n, lo: -1, hi: 1 });
        // ties and NaN: every comparison with NaN is false except ne
        const m = SPECIALS.length;
        expectSame(mapSet(dtype, m * m, e), {
          fill: { a: SPECIALS.flatMap((x) => SPECIALS.map(() => x)), b: SPECIALS.flatMap(() => SPECIALS) },
        });
      }
    });
  }

  it("guards a division as krylov.iter does: where(den > 0, num / den, 0)", () => {
    const e = select(compare("gt", read("b"), lit(0)), binary("div", read("a"), read("b")), lit(0));
    const { native } = runBoth(mapSet("f64", 5, e), ["map"], { fill: { a: [1, 1, 1, 1, 1], b: [2, 0, -1, NaN, 4] } });
    expect([...native.view("out")]).toEqual([0.5, 0, 0, 0, 0.25]);
  });
});

describe("fused chains with temporaries and several stores", () => {
  it("writes two outputs from shared temporaries in one pass, in place", () => {
    for (const dtype of DTYPES) {
      for (const n of SIZES) {
        const set: KernelSet = {
          buffers: ["x", "y", "z"].map((name) => ({ name, dtype, shape: [n] })),
          scalars: [{ name: "alpha" }],
          kernels: [
            {
              name: "map",
              steps: [
                loop(
                  dtype,
                  [n],
                  [
                    let_("t", binary("add", read("x"), binary("mul", reg("alpha"), read("y")))),
                    store("x", temp("t")),
                    // a read after the store sees the stored value
                    store("z", binary("sub", read("x"), unary("sqrt", unary("abs", temp("t"))))),
                  ],
                ),
              ],
            },
          ],
        };
        const { native, ref } = runBoth(set, ["map"], { seed: n, scalars: { alpha: -0.7 } });
        for (const b of ["x", "z"]) expect(firstMismatch(native.view(b), ref.buffers.get(b)!)).toBe(-1);
        // and z = x' - sqrt|x'| really used the new x
        const x = native.view("x");
        const z = native.view("z");
        const r = dtype === "f32" ? Math.fround : (v: number) => v;
        expect(z[n - 1]).toBe(r(x[n - 1] - r(Math.sqrt(Math.abs(x[n - 1])))));
      }
    }
  });

  it("runs over a rank-3 shape as one flat run", () => {
    for (const dtype of DTYPES)
      expectSame({
        ...mapSet(dtype, 1, lit(0)),
        buffers: ["a", "b", "out"].map((name) => ({ name, dtype, shape: [3, 5, 7] })),
        kernels: [
          { name: "map", steps: [loop(dtype, [3, 5, 7], [store("out", binary("mul", read("a"), read("b")))])] },
        ],
      });
  });
});

/** Random expression trees over two buffers, a register and constants. */
const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom<Expr>(read("a"), read("b"), reg("s")),
    fc.double({ min: -8, max: 8, noNaN: true }).map((v) => lit(v)),
    fc.tuple(fc.constantFrom(...UNARY.filter((u) => !INLINE.includes(u))), tie("e")).map(([op, x]) => unary(op, x)),
    fc.tuple(fc.constantFrom(...BINARY), tie("e"), tie("e")).map(([op, a, b]) => binary(op, a, b)),
    fc
      .tuple(fc.constantFrom(...COMPARE), tie("e"), tie("e"), tie("e"), tie("e"))
      .map(([op, a, b, t, e]) => select(compare(op, a, b), t, e)),
  ),
})).e;

describe("random expression trees", () => {
  for (const dtype of DTYPES) {
    it(`agree with the interpreter bit for bit (${dtype})`, () => {
      fc.assert(
        fc.property(exprArb, fc.constantFrom(1, 3, 4, 6, 9, 13), fc.integer({ min: 1, max: 1000 }), (e, n, seed) => {
          const { native, ref } = runBoth(mapSet(dtype, n, e), ["map"], { seed, lo: -3, hi: 3, scalars: { s: 1.25 } });
          return firstMismatch(native.view("out"), ref.buffers.get("out")!) === -1;
        }),
        { seed: 20240611, numRuns: 150 },
      );
    });
  }
});
