// Stencil reads at constant offsets with a zero boundary: the 5-point stencil on grid sizes
// that stress the row split (1×1, 2×2, 5×7, odd and even widths around the vector width),
// batches, wider and asymmetric offsets, rank-1 loops, and row-skewed stages. References: a
// hand-written float64 stencil (independent of the interpreter) and the interpreter.
import { describe, expect, it } from "vitest";
import {
  add,
  at,
  dot,
  let_,
  loop,
  mul,
  read,
  reg,
  stagedLoop,
  stencil5,
  store,
  sum,
  temp,
  lit,
} from "../../compiler/native/build.js";
import type { DType, KernelSet } from "../../compiler/native/kernel-ir.js";
import { verifyKernelSet } from "../../compiler/native/verify.js";
import { runBoth } from "./harness.js";
import { firstMismatch } from "./reference.js";

const DTYPES: DType[] = ["f32", "f64"];
const GRIDS: [number, number][] = [
  [1, 1],
  [2, 2],
  [5, 7],
  [7, 5],
  [1, 9],
  [9, 1],
  [3, 3],
  [4, 4],
  [8, 8],
  [6, 10],
  [13, 17],
  [16, 33],
  [31, 31],
];

/** Hand-written 5-point stencil with the kernel's evaluation order, optionally in f32. */
function stencil5Ref(u: ArrayLike<number>, n: number, m: number, center: number, f32: boolean): Float64Array {
  const r = f32 ? Math.fround : (v: number) => v;
  const out = new Float64Array(n * m);
  const get = (i: number, j: number) => (i < 0 || i >= n || j < 0 || j >= m ? 0 : u[i * m + j]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const nb = r(r(r(get(i - 1, j) + get(i + 1, j)) + get(i, j - 1)) + get(i, j + 1));
      out[i * m + j] = r(r(center * u[i * m + j]) - nb);
    }
  }
  return out;
}

const gridSet = (dtype: DType, shape: number[], body: Parameters<typeof loop>[2], names = ["u", "v"]): KernelSet => ({
  buffers: names.map((name) => ({ name, dtype, shape })),
  scalars: [{ name: "s" }, { name: "t" }],
  kernels: [{ name: "k", steps: [loop(dtype, shape, body)] }],
});

describe("the 5-point stencil", () => {
  for (const dtype of DTYPES) {
    it(`matches a hand-written stencil on every grid size (${dtype})`, () => {
      for (const [n, m] of GRIDS) {
        const { native } = runBoth(gridSet(dtype, [n, m], [store("v", stencil5("u", 4, -1))]), ["k"], {
          seed: n * 100 + m,
        });
        const want = stencil5Ref(native.view("u"), n, m, 4, dtype === "f32");
        const at = firstMismatch(native.view("v"), want);
        expect(at, `${n}×${m}: first mismatch at ${at}`).toBe(-1);
      }
    });

    it(`treats leading axes as a batch of independent grids (${dtype})`, () => {
      const [B, n, m] = [3, 5, 6];
      const { native } = runBoth(gridSet(dtype, [B, n, m], [store("v", stencil5("u", 4, -1))]), ["k"], { seed: 4 });
      const u = native.view("u");
      for (let b = 0; b < B; b++) {
        const want = stencil5Ref(u.subarray(b * n * m, (b + 1) * n * m), n, m, 4, dtype === "f32");
        expect(firstMismatch(native.view("v").subarray(b * n * m, (b + 1) * n * m), want)).toBe(-1);
      }
    });
  }

  it("uses the general form for other weights (center·u + side·neighbours)", () => {
    for (const dtype of DTYPES) {
      for (const [n, m] of GRIDS) {
        const { native, ref } = runBoth(gridSet(dtype, [n, m], [store("v", stencil5("u", -2.5, 0.75))]), ["k"], {
          seed: m,
        });
        expect(firstMismatch(native.view("v"), ref.buffers.get("v")!)).toBe(-1);
      }
    }
  });
});

describe("other offsets", () => {
  it("reads two rows and columns away, diagonals and one-sided offsets", () => {
    const body = [
      store(
        "v",
        sum([
          mul(lit(0.5), at("u", -2, 0)),
          at("u", 2, 1),
          mul(reg("s"), at("u", -1, -1)),
          at("u", 0, 3),
          at("u", 1, -2),
          read("u"),
        ]),
      ),
    ];
    for (const dtype of DTYPES) {
      for (const [n, m] of [...GRIDS, [2, 40] as [number, number], [40, 2] as [number, number]]) {
        const { native, ref } = runBoth(gridSet(dtype, [n, m], body), ["k"], { seed: 9, scalars: { s: -1.5 } });
        const i = firstMismatch(native.view("v"), ref.buffers.get("v")!);
        expect(i, `${dtype} ${n}×${m} at ${i}`).toBe(-1);
      }
    }
  });

  it("reads only to the right (no rows or left columns checked)", () => {
    for (const dtype of DTYPES) {
      for (const [n, m] of GRIDS) {
        const { native, ref } = runBoth(
          gridSet(dtype, [n, m], [store("v", add(at("u", 0, 1), at("u", 0, 5)))]),
          ["k"],
          { seed: 2 },
        );
        expect(firstMismatch(native.view("v"), ref.buffers.get("v")!)).toBe(-1);
      }
    }
  });

  it("reads neighbours along a rank-1 loop (a 1-D 3-point stencil)", () => {
    for (const dtype of DTYPES) {
      for (const n of [1, 2, 3, 4, 5, 8, 9, 17]) {
        const body = [store("v", add(mul(lit(2), read("u")), add(at("u", 0, -1), at("u", 0, 1))))];
        const { native, ref } = runBoth(gridSet(dtype, [n], body), ["k"], { seed: n });
        expect(firstMismatch(native.view("v"), ref.buffers.get("v")!)).toBe(-1);
        // and by hand at the ends: u[-1] = u[n] = 0
        const u = native.view("u");
        const r = dtype === "f32" ? Math.fround : (x: number) => x;
        expect(native.view("v")[0]).toBe(r(r(2 * u[0]) + (n > 1 ? u[1] : 0)));
      }
    }
  });
});

describe("row-skewed stages", () => {
  /** Stage 0 writes w = u + s·w; stage 1, `lag` rows behind, applies the stencil to the new w. */
  const staged = (dtype: DType, shape: number[], lag: number): KernelSet => ({
    buffers: ["u", "w", "v"].map((name) => ({ name, dtype, shape })),
    scalars: [{ name: "s" }, { name: "d" }],
    kernels: [
      {
        name: "k",
        steps: [
          stagedLoop(dtype, shape, [
            { rowLag: 0, body: [store("w", add(read("u"), mul(reg("s"), read("w"))))] },
            {
              rowLag: lag,
              body: [let_("a", stencil5("w", 4, -1)), store("v", temp("a")), dot("d", read("w"), temp("a"))],
            },
          ]),
        ],
      },
    ],
  });

  it("equal the unfused sequence: first w everywhere, then the stencil of the new w", () => {
    for (const dtype of DTYPES) {
      for (const [n, m] of GRIDS) {
        for (const lag of [1, 2]) {
          const { native } = runBoth(staged(dtype, [n, m], lag), ["k"], { seed: n + m, scalars: { s: 0.375 } });
          // The two steps done separately with the hand-written stencil.
          const w = native.view("w");
          const want = stencil5Ref(w, n, m, 4, dtype === "f32");
          const i = firstMismatch(native.view("v"), want);
          expect(i, `${dtype} ${n}×${m} lag ${lag} at ${i}`).toBe(-1);
          let d = 0;
          for (let k = 0; k < w.length; k++) d += w[k] * want[k];
          expect(Math.abs(native.scalar("d") - d)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(d)));
        }
      }
    }
  });

  it("also on a batch of grids", () => {
    const { native, ref } = runBoth(staged("f64", [2, 6, 7], 1), ["k"], { seed: 5, scalars: { s: 2 } });
    expect(firstMismatch(native.view("v"), ref.buffers.get("v")!)).toBe(-1);
    expect(firstMismatch(native.view("w"), ref.buffers.get("w")!)).toBe(-1);
  });

  it("are refused when the stencil would read rows the first stage has not written yet", () => {
    const errors = verifyKernelSet(staged("f64", [5, 5], 0));
    expect(errors.join("\n")).toMatch(/reads `w` 1 rows ahead, but runs only 0 rows behind stage 0/);
  });
});
