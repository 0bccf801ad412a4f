// Multigrid's kernel-IR pieces against the reference interpreter: the transfers (restrict,
// prolong) from their definitions (a 3×3 weighted sum; a scatter of 4 × the transpose) on grids
// from 1×1 coarse up, including non-square ones; the red–black colour (parity) in every piece
// of loop code (flat rank-1 runs, grid rows, edge columns, simd and scalar lanes, stages); and
// repeat steps.
import { describe, expect, it } from "vitest";
import { add, at, loop, mul, parity, prolong, read, reg, repeat, restrict, scalars, stagedLoop, stencil5, store, sub } from "../../compiler/native/build.js";
import type { DType, KernelSet } from "../../compiler/native/kernel-ir.js";
import { verifyKernelSet } from "../../compiler/native/verify.js";
import { runBoth } from "./harness.js";

const COARSE: [number, number][] = [
  [1, 1],
  [1, 3],
  [2, 2],
  [3, 3],
  [4, 7],
  [7, 7],
  [15, 15],
];

const tolerance = (dtype: DType) => (dtype === "f32" ? 4e-7 : 1e-15);

function transferSet(kind: "restrict" | "prolong", dtype: DType, m: number, l: number): KernelSet {
  const fine = [2 * m + 1, 2 * l + 1];
  const coarse = [m, l];
  return {
    buffers: [
      { name: "fine", dtype, shape: fine },
      { name: "coarse", dtype, shape: coarse },
    ],
    scalars: [],
    kernels: [{ name: "k", steps: [kind === "restrict" ? restrict("fine", "coarse") : prolong("coarse", "fine")] }],
  };
}

describe("grid transfers", () => {
  for (const dtype of ["f32", "f64"] as DType[])
    for (const kind of ["restrict", "prolong"] as const)
      it(`${kind} matches its definition (${dtype})`, () => {
        for (const [m, l] of COARSE) {
          const set = transferSet(kind, dtype, m, l);
          expect(verifyKernelSet(set)).toEqual([]);
          const { native, ref } = runBoth(set, ["k"], { seed: m * 31 + l });
          const out = kind === "restrict" ? "coarse" : "fine";
          const got = native.view(out);
          const want = ref.buffers.get(out)!;
          for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(tolerance(dtype));
        }
      });

  it("refuses grids that do not nest and outputs that alias the input", () => {
    const bad: KernelSet = {
      buffers: [
        { name: "fine", dtype: "f32", shape: [6, 7] },
        { name: "coarse", dtype: "f32", shape: [3, 3] },
      ],
      scalars: [],
      kernels: [{ name: "k", steps: [restrict("fine", "coarse"), prolong("coarse", "coarse")] }],
    };
    const errors = verifyKernelSet(bad).join("\n");
    expect(errors).toMatch(/does not nest/);
    expect(errors).toMatch(/aliases the input/);
  });
});

describe("the red–black colour", () => {
  const shapes = [[1], [7], [13], [1, 1], [2, 3], [5, 7], [8, 8], [9, 11], [3, 17]];
  for (const dtype of ["f32", "f64"] as DType[])
    it(`is 1 where row + column is even, in flat, grid and staged loops (${dtype})`, () => {
      for (const shape of shapes) {
        const grid = shape.length === 2;
        const set: KernelSet = {
          buffers: ["u", "a", "b", "c"].map((name) => ({ name, dtype, shape })),
          scalars: [],
          kernels: [
            { name: "flat", steps: [loop(dtype, shape, [store("a", mul(parity(), read("u")))])] },
            ...(grid
              ? [
                  { name: "stencil", steps: [loop(dtype, shape, [store("b", add(parity(), stencil5("u", 4, -1)))])] },
                  {
                    name: "staged",
                    steps: [
                      stagedLoop(dtype, shape, [
                        { rowLag: 0, body: [store("a", sub(1, parity()))] },
                        { rowLag: 1, body: [store("c", add(mul(parity(), at("a", 1, 0)), at("a", -1, 1)))] },
                      ]),
                    ],
                  },
                ]
              : []),
          ],
        };
        expect(verifyKernelSet(set)).toEqual([]);
        const { native, ref } = runBoth(set, set.kernels.map((k) => k.name), { seed: shape.join().length });
        for (const b of ["a", "b", "c"]) expect([...native.view(b)], `${b} [${shape}]`).toEqual([...ref.buffers.get(b)!]);
      }
    });
});

describe("repeat", () => {
  it("runs its steps count times, each trip seeing the last (Jacobi sweeps and a counter)", () => {
    const shape = [9, 11];
    const set: KernelSet = {
      buffers: ["u", "v", "b"].map((name) => ({ name, dtype: "f64" as const, shape })),
      scalars: [{ name: "k", init: 0 }],
      kernels: [
        {
          name: "sweeps",
          steps: [
            repeat(7, [
              loop("f64", shape, [store("v", mul(0.25, add(read("b"), stencil5("u", 0, 1))))]),
              loop("f64", shape, [store("u", read("v"))]),
              scalars(["k", add(reg("k"), 1)]),
            ]),
          ],
        },
      ],
    };
    expect(verifyKernelSet(set)).toEqual([]);
    const { native, ref } = runBoth(set, ["sweeps"], { seed: 5 });
    expect(native.scalar("k")).toBe(7);
    const [got, want] = [native.view("u"), ref.buffers.get("u")!];
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 14);
  });

  it("refuses a count below 1", () => {
    const set: KernelSet = { buffers: [], scalars: [], kernels: [{ name: "k", steps: [repeat(0, [])] }] };
    expect(verifyKernelSet(set).join()).toMatch(/count 0/);
  });
});
