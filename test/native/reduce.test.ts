// Reductions: sum, sum of squares (norm²), dot, max and min, in f32 and f64, on sizes around
// the vector width, consuming elementwise chains and stencils in the same loop; NaN and
// infinities wherever they fall (simd lanes, leftover vector, scalar tail, boundary lanes).
//
// Expected agreement: the backend sums in f64 in a different order than the interpreter
// (vector lanes, two chains, then the tail), so sums agree within the f64 summation bound
// n·2⁻⁵³·Σ|terms| (we allow 4n·2⁻⁵³·Σ|terms|, never looser than 1e-12 relative here).
// For f32 data the terms themselves are exact in f64 (a promoted f32, or a product of two),
// so the same bound holds: the result is the f64 sum of the f32 data, not an f32 sum.
// max and min are exact.
import { describe, expect, it } from "vitest";
import { add, dot, fold, loop, mul, read, reg, stencil5, store, unary } from "../../compiler/native/build.js";
import type { DType, FoldOp, KernelSet, LaneStmt } from "../../compiler/native/kernel-ir.js";
import { NativeProgram } from "../../runtime/native/program.js";
import { runBoth } from "./harness.js";

const DTYPES: DType[] = ["f32", "f64"];
const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100, 1001];

const set1 = (dtype: DType, shape: number[], body: LaneStmt[]): KernelSet => ({
  buffers: ["a", "b", "out"].map((name) => ({ name, dtype, shape })),
  scalars: [{ name: "r" }, { name: "s" }],
  kernels: [{ name: "k", steps: [loop(dtype, shape, body)] }],
});

function sumBound(terms: number[]): number {
  const abs = terms.reduce((acc, t) => acc + Math.abs(t), 0);
  return 4 * terms.length * 2 ** -53 * abs;
}

function termsOf(op: FoldOp | "dot", a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  return Array.from({ length: a.length }, (_, i) => (op === "dot" ? a[i] * b[i] : op === "sumsq" ? a[i] * a[i] : a[i]));
}

describe("folds over buffers", () => {
  for (const dtype of DTYPES) {
    for (const op of ["sum", "sumsq", "dot", "max", "min"] as const) {
      it(`${op} (${dtype})`, () => {
        for (const n of SIZES) {
          const stmt = op === "dot" ? dot("r", read("a"), read("b")) : fold(op, "r", read("a"));
          const { native } = runBoth(set1(dtype, [n], [stmt]), ["k"], { seed: n, lo: -2, hi: 3 });
          const [a, b] = [native.view("a"), native.view("b")];
          const got = native.scalar("r");
          if (op === "max") expect(got).toBe(Math.max(...a));
          else if (op === "min") expect(got).toBe(Math.min(...a));
          else {
            const terms = termsOf(op, a, b);
            const want = terms.reduce((x, y) => x + y, 0);
            expect(Math.abs(got - want), `n = ${n}`).toBeLessThanOrEqual(sumBound(terms));
          }
        }
      });
    }
  }

  it("accumulates f32 data in f64: a sum f32 accumulation would lose is exact", () => {
    // 2^24 + 1 + 1 + ... : in f32 every +1 after 2^24 is lost; in f64 none is.
    const n = 1001;
    const values = [2 ** 24, ...new Array(n - 1).fill(1)];
    const { native } = runBoth(set1("f32", [n], [fold("sum", "r", read("a"))]), ["k"], { fill: { a: values } });
    expect(native.scalar("r")).toBe(2 ** 24 + n - 1);
    // and a dot of f32 values is formed from exact f64 products
    const x = Math.fround(1 + 2 ** -20);
    const d = runBoth(set1("f32", [5], [dot("r", read("a"), read("b"))]), ["k"], { fill: { a: [x], b: [x] } });
    expect(d.native.scalar("r")).toBe(5 * x * x);
  });
});

describe("NaN and infinities propagate from any lane", () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: one NaN anywhere makes every fold NaN`, () => {
      for (const n of [1, 5, 9, 17]) {
        for (let pos = 0; pos < n; pos++) {
          const a = Array.from({ length: n }, (_, i) => (i === pos ? NaN : i + 1));
          for (const op of ["sum", "sumsq", "max", "min"] as const) {
            const { native } = runBoth(set1(dtype, [n], [fold(op, "r", read("a"))]), ["k"], { fill: { a } });
            expect(native.scalar("r"), `${op} n=${n} NaN at ${pos}`).toBeNaN();
          }
          const { native } = runBoth(set1(dtype, [n], [dot("r", read("b"), read("a"))]), ["k"], {
            fill: { a, b: [1] },
          });
          expect(native.scalar("r")).toBeNaN();
        }
      }
    });

    it(`${dtype}: +inf and -inf`, () => {
      const a = [1, 2, Infinity, 3, 4, 5, 6];
      const r = runBoth(set1(dtype, [7], [fold("max", "r", read("a")), fold("sum", "s", read("a"))]), ["k"], {
        fill: { a },
      });
      expect(r.native.scalar("r")).toBe(Infinity);
      expect(r.native.scalar("s")).toBe(Infinity);
      const both = runBoth(set1(dtype, [7], [fold("sum", "r", read("a"))]), ["k"], {
        fill: { a: [1, Infinity, 2, 3, -Infinity, 4, 5] },
      });
      expect(both.native.scalar("r")).toBeNaN();
    });

    it(`${dtype}: NaN on a stencil's boundary lane reaches the reduction`, () => {
      for (const [n, m] of [
        [1, 1],
        [3, 3],
        [5, 7],
      ]) {
        for (const pos of [0, m - 1, (n - 1) * m, n * m - 1]) {
          const a = Array.from({ length: n * m }, (_, i) => (i === pos ? NaN : 1));
          const body = [store("out", stencil5("a", 4, -1)), fold("max", "r", stencil5("a", 4, -1))];
          const { native } = runBoth(set1(dtype, [n, m], body), ["k"], { fill: { a } });
          expect(native.scalar("r")).toBeNaN();
        }
      }
    });
  }
});

describe("reductions fused with the work that produces their input", () => {
  it("an elementwise chain: r = ‖a + s·b‖² while storing the chain", () => {
    for (const dtype of DTYPES) {
      for (const n of SIZES) {
        const chain = add(read("a"), mul(reg("s"), read("b")));
        const set = set1(
          dtype,
          [n],
          [store("out", chain), fold("sumsq", "r", read("out")), fold("max", "s2", unary("abs", chain))],
        );
        const withS2 = { ...set, scalars: [...set.scalars, { name: "s2" }] };
        const { native, ref } = runBoth(withS2, ["k"], { seed: n, scalars: { s: -0.5 } });
        const out = native.view("out");
        const terms = termsOf("sumsq", out, out);
        expect(Math.abs(native.scalar("r") - ref.scalars.get("r")!)).toBeLessThanOrEqual(2 * sumBound(terms));
        expect(native.scalar("s2")).toBe(ref.scalars.get("s2"));
      }
    }
  });

  it("a stencil: pq = p·(A p) on odd grids", () => {
    for (const dtype of DTYPES) {
      for (const [n, m] of [
        [1, 1],
        [2, 2],
        [5, 7],
        [9, 9],
        [16, 17],
      ]) {
        const { native, ref } = runBoth(
          set1(dtype, [n, m], [store("out", stencil5("a", 4, -1)), dot("r", read("a"), read("out"))]),
          ["k"],
          { seed: n * m, lo: 0, hi: 1 },
        );
        const terms = termsOf("dot", native.view("a"), native.view("out"));
        expect(Math.abs(native.scalar("r") - ref.scalars.get("r")!)).toBeLessThanOrEqual(2 * sumBound(terms));
      }
    }
  });

  it("overwrites the register on every call (no accumulation across calls)", () => {
    const p = NativeProgram.compile(set1("f64", [10], [fold("sum", "r", read("a"))]));
    p.view("a").fill(0.5);
    p.run("k");
    p.run("k");
    expect(p.scalar("r")).toBe(5);
  });
});
