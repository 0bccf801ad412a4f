// Dense matmul and matvec on odd sizes (every leftover path of the blocked kernels: rows not
// a multiple of 4, columns not a multiple of the two-vector block, k not a multiple of the
// vector width), against plain float64 products.
//
// Tolerances: the kernels accumulate in their dtype, in a different order than the
// reference. The standard bound for a length-k inner product computed in floating point is
// |fl(aᵀb) − aᵀb| ≤ γ_k Σ|aᵢbᵢ|, γ_k = k·u/(1 − k·u), with u = 2⁻²⁴ (f32) or 2⁻⁵³ (f64)
// (Higham, Accuracy and Stability of Numerical Algorithms, §3.1). We check each entry
// against that bound, whatever the order of accumulation.
import { describe, expect, it } from "vitest";
import { matmul, matvec } from "../../compiler/native/build.js";
import type { DType, KernelSet } from "../../compiler/native/kernel-ir.js";
import { verifyKernelSet } from "../../compiler/native/verify.js";
import { runBoth } from "./harness.js";

const unit = (dtype: DType) => (dtype === "f32" ? 2 ** -24 : 2 ** -53);
const gamma = (k: number, u: number) => (k * u) / (1 - k * u);

const MATMUL_SIZES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 1],
  [2, 3, 5],
  [3, 5, 7],
  [4, 4, 4],
  [4, 8, 8],
  [5, 9, 13],
  [8, 16, 9],
  [17, 3, 10],
  [7, 33, 19],
  [1, 20, 30],
  [30, 20, 1],
];

describe("matmul", () => {
  for (const dtype of ["f32", "f64"] as DType[]) {
    it(`out[m,n] = a[m,k] @ b[k,n] within γ_k Σ|a||b| (${dtype})`, () => {
      for (const [m, k, n] of MATMUL_SIZES) {
        const set: KernelSet = {
          buffers: [
            { name: "a", dtype, shape: [m, k] },
            { name: "b", dtype, shape: [k, n] },
            { name: "out", dtype, shape: [m, n] },
          ],
          scalars: [],
          kernels: [{ name: "mm", steps: [matmul("a", "b", "out")] }],
        };
        const { native, ref } = runBoth(set, ["mm"], { seed: m * 1000 + k * 10 + n });
        const [a, b, out] = [native.view("a"), native.view("b"), native.view("out")];
        const want = ref.buffers.get("out")!;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let mag = 0;
            for (let p = 0; p < k; p++) mag += Math.abs(a[i * k + p] * b[p * n + j]);
            const err = Math.abs(out[i * n + j] - want[i * n + j]);
            expect(err, `${m}×${k}×${n} at (${i}, ${j})`).toBeLessThanOrEqual(gamma(k, unit(dtype)) * mag);
          }
        }
      }
    });
  }

  it("computes exactly on small integers (every path adds and multiplies the right entries)", () => {
    for (const [m, k, n] of MATMUL_SIZES) {
      const set: KernelSet = {
        buffers: [
          { name: "a", dtype: "f32", shape: [m, k] },
          { name: "b", dtype: "f32", shape: [k, n] },
          { name: "out", dtype: "f32", shape: [m, n] },
        ],
        scalars: [],
        kernels: [{ name: "mm", steps: [matmul("a", "b", "out")] }],
      };
      const a = Array.from({ length: m * k }, (_, i) => (i % 7) - 3);
      const b = Array.from({ length: k * n }, (_, i) => (i % 5) - 2);
      const { native, ref } = runBoth(set, ["mm"], { fill: { a, b } });
      expect([...native.view("out")]).toEqual([...ref.buffers.get("out")!]);
    }
  });

  it("takes a row vector a[k] as [1, k] (out[n] = a @ b), exactly on small integers", () => {
    for (const [, k, n] of MATMUL_SIZES) {
      const set: KernelSet = {
        buffers: [
          { name: "a", dtype: "f64", shape: [k] },
          { name: "b", dtype: "f64", shape: [k, n] },
          { name: "out", dtype: "f64", shape: [n] },
        ],
        scalars: [],
        kernels: [{ name: "mm", steps: [matmul("a", "b", "out")] }],
      };
      expect(verifyKernelSet(set)).toEqual([]);
      const a = Array.from({ length: k }, (_, i) => (i % 7) - 3);
      const b = Array.from({ length: k * n }, (_, i) => (i % 5) - 2);
      const { native, ref } = runBoth(set, ["mm"], { fill: { a, b } });
      expect([...native.view("out")]).toEqual([...ref.buffers.get("out")!]);
    }
  });
});

describe("matvec", () => {
  for (const dtype of ["f32", "f64"] as DType[]) {
    it(`out[m] = a[m,k] @ x[k] within γ_k Σ|a||x| (${dtype})`, () => {
      for (const [m, k] of [
        [1, 1],
        [1, 9],
        [3, 5],
        [4, 4],
        [5, 7],
        [8, 3],
        [9, 17],
        [13, 100],
        [100, 13],
      ]) {
        const set: KernelSet = {
          buffers: [
            { name: "a", dtype, shape: [m, k] },
            { name: "x", dtype, shape: [k] },
            { name: "out", dtype, shape: [m] },
          ],
          scalars: [],
          kernels: [{ name: "mv", steps: [matvec("a", "x", "out")] }],
        };
        const { native, ref } = runBoth(set, ["mv"], { seed: m + 31 * k });
        const [a, x, out] = [native.view("a"), native.view("x"), native.view("out")];
        const want = ref.buffers.get("out")!;
        for (let i = 0; i < m; i++) {
          let mag = 0;
          for (let p = 0; p < k; p++) mag += Math.abs(a[i * k + p] * x[p]);
          expect(Math.abs(out[i] - want[i]), `${m}×${k} row ${i}`).toBeLessThanOrEqual(gamma(k, unit(dtype)) * mag);
        }
      }
    });
  }
});

describe("products the verifier refuses", () => {
  it("shapes that do not fit, mixed dtypes, and an output that aliases an input", () => {
    const set: KernelSet = {
      buffers: [
        { name: "a", dtype: "f64", shape: [3, 4] },
        { name: "b", dtype: "f64", shape: [5, 2] },
        { name: "x", dtype: "f32", shape: [4] },
        { name: "y", dtype: "f64", shape: [3] },
        { name: "sq", dtype: "f64", shape: [4, 4] },
      ],
      scalars: [],
      kernels: [{ name: "k", steps: [matmul("a", "b", "y"), matvec("a", "x", "y"), matmul("sq", "sq", "sq")] }],
    };
    const errors = verifyKernelSet(set).join("\n");
    expect(errors).toMatch(/\[3,4\] @ \[5,2\] do not fit/);
    expect(errors).toMatch(/mixed dtypes f64, f32, f64/);
    expect(errors).toMatch(/the output `sq` aliases an input/);
  });
});
