// restrict_fw and prolong_bilinear against float64 loop references, the transpose identity
// ⟨R u, v⟩ = ¼ ⟨u, P v⟩, the exact symbolic shape rules and the refusals.
import { dimValue } from "../../compiler/shapes.js";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../runtime/tfjs/kernels/common.js";
import { getOp } from "../../compiler/ops/index.js";
import { dimAdd, dimConst, dimEq, dimMul, dimSym, dimToString } from "../../compiler/shapes.js";
import { tensor, type TensorT } from "../../compiler/types.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { type Arr, rand, run, shapeOfCall } from "./helpers.js";

let cpu: Tf;
let wasm: Tf;
beforeAll(async () => {
  wasm = (await selectBackend("wasm")).tf;
  cpu = (await selectBackend("cpu")).tf;
});

const W = [
  [1, 2, 1],
  [2, 4, 2],
  [1, 2, 1],
];

/** Full weighting in float64, by loops over the batch and coarse points; with |terms| sums. */
function restrictRef(u: Arr): { data: number[]; mag: number[] } {
  const [n, k] = u.shape.slice(-2);
  const [m, l] = [(n - 1) / 2, (k - 1) / 2];
  const batch = u.data.length / (n * k);
  const data: number[] = [];
  const mag: number[] = [];
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < l; j++) {
        let acc = 0;
        let abs = 0;
        for (let a = 0; a < 3; a++)
          for (let c = 0; c < 3; c++) {
            const t = (W[a][c] / 16) * u.data[b * n * k + (2 * i + a) * k + (2 * j + c)];
            acc += t;
            abs += Math.abs(t);
          }
        data.push(acc);
        mag.push(abs);
      }
  return { data, mag };
}

/** Bilinear interpolation in float64, written as interpolation (not as a transpose). */
function prolongRef(v: Arr): { data: number[]; mag: number[] } {
  const [m, l] = v.shape.slice(-2);
  const [n, k] = [2 * m + 1, 2 * l + 1];
  const batch = v.data.length / (m * l);
  const at = (b: number, i: number, j: number): number => (i < 0 || j < 0 || i >= m || j >= l ? 0 : v.data[b * m * l + i * l + j]);
  const data: number[] = [];
  const mag: number[] = [];
  for (let b = 0; b < batch; b++)
    for (let I = 0; I < n; I++)
      for (let J = 0; J < k; J++) {
        // fine I odd sits on coarse (I-1)/2; I even lies between coarse I/2 - 1 and I/2.
        const rows = I % 2 === 1 ? [[(I - 1) / 2, 1]] : [[I / 2 - 1, 0.5], [I / 2, 0.5]];
        const cols = J % 2 === 1 ? [[(J - 1) / 2, 1]] : [[J / 2 - 1, 0.5], [J / 2, 0.5]];
        let acc = 0;
        let abs = 0;
        for (const [i, wi] of rows)
          for (const [j, wj] of cols) {
            const t = wi * wj * at(b, i, j);
            acc += t;
            abs += Math.abs(t);
          }
        data.push(acc);
        mag.push(abs);
      }
  return { data, mag };
}

/** float32 sums of at most 9 terms with exact power-of-two weights: ≤ 9·2⁻²⁴·Σ|t| < 6e-7·Σ|t|. */
function expectWithin(got: number[], want: { data: number[]; mag: number[] }): void {
  expect(got.length).toBe(want.data.length);
  got.forEach((g, i) => {
    if (Math.abs(g - want.data[i]) > 6e-7 * want.mag[i] + 1e-30) expect.fail(`entry ${i}: got ${g}, want ${want.data[i]}`);
  });
}

const backends = (): [string, Tf][] => [
  ["cpu", cpu],
  ["wasm", wasm],
];

describe("restrict_fw", () => {
  it("matches the float64 loop reference on random grids (square, rectangular, batched)", () => {
    const shapes = [[3, 3], [7, 7], [15, 15], [9, 5], [2, 7, 7], [2, 3, 5, 5]];
    for (const [name, tf] of backends())
      shapes.forEach((shape, s) => {
        const u = rand(100 + s, shape);
        const out = run(tf, "restrict_fw", [u]);
        expect(out.shape, name).toEqual([...shape.slice(0, -2), (shape.at(-2)! - 1) / 2, (shape.at(-1)! - 1) / 2]);
        expectWithin(out.data, restrictRef(u));
      });
  });

  it("is exact on constants away from the boundary and averages a bilinear function exactly", () => {
    // Full weighting reproduces linear functions: R(x + 2y) at coarse (i, j) is the fine value there.
    const n = 15;
    const u: Arr = { shape: [n, n], data: Array.from({ length: n * n }, (_, k) => Math.floor(k / n) + 2 * (k % n)) };
    const out = run(cpu, "restrict_fw", [u]);
    const m = 7;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) expect(out.data[i * m + j]).toBe(2 * i + 1 + 2 * (2 * j + 1));
  });
});

describe("prolong_bilinear", () => {
  it("matches the float64 interpolation reference on random grids (square, rectangular, batched)", () => {
    const shapes = [[1, 1], [3, 3], [7, 7], [4, 2], [2, 5, 5], [2, 1, 3, 3]];
    for (const [name, tf] of backends())
      shapes.forEach((shape, s) => {
        const v = rand(200 + s, shape);
        const out = run(tf, "prolong_bilinear", [v]);
        expect(out.shape, name).toEqual([...shape.slice(0, -2), 2 * shape.at(-2)! + 1, 2 * shape.at(-1)! + 1]);
        expectWithin(out.data, prolongRef(v));
      });
  });

  it("interpolates a linear function exactly inside the grid", () => {
    const m = 7;
    const v: Arr = { shape: [m, m], data: Array.from({ length: m * m }, (_, k) => 3 * Math.floor(k / m) - (k % m)) };
    const out = run(cpu, "prolong_bilinear", [v]);
    const n = 15;
    // coarse (i, j) sits at fine (2i+1, 2j+1): the linear function is 3(I-1)/2 - (J-1)/2 there.
    for (let I = 1; I < n - 1; I++) for (let J = 1; J < n - 1; J++) expect(out.data[I * n + J]).toBeCloseTo((3 * (I - 1)) / 2 - (J - 1) / 2, 5);
  });
});

describe("the pair", () => {
  // ⟨R u, v⟩ and ¼⟨u, P v⟩ are the same float64 sum of products u[I,J]·w·v[i,j]/16, computed
  // from two float32 results; each side errs by ≤ 6e-7·Σ|terms| per entry plus the float64
  // summation (negligible), so |lhs − rhs| ≤ 2e-6·Σ|u|·|v|-weighted terms, bounded by
  // 2e-6·(Σ|Ru|·|v| + ¼Σ|u|·|Pv|).
  it("satisfies ⟨R u, v⟩ = ¼ ⟨u, P v⟩ on random inputs (both backends)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 2 ** 30 }), (m, l, seed) => {
        const u = rand(seed, [2 * m + 1, 2 * l + 1]);
        const v = rand(seed + 1, [m, l]);
        for (const [, tf] of backends()) {
          const Ru = run(tf, "restrict_fw", [u]).data;
          const Pv = run(tf, "prolong_bilinear", [v]).data;
          let lhs = 0;
          let lmag = 0;
          Ru.forEach((x, i) => {
            lhs += x * v.data[i];
            lmag += Math.abs(x * v.data[i]);
          });
          let rhs = 0;
          let rmag = 0;
          Pv.forEach((x, i) => {
            rhs += (u.data[i] * x) / 4;
            rmag += Math.abs(u.data[i] * x) / 4;
          });
          expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(2e-6 * (lmag + rmag) + 1e-12);
        }
      }),
      { seed: 7, numRuns: 25 },
    );
  });

  it("R P of a coarse point is a symmetric 3×3 pattern around it that sums to 1", () => {
    // Away from the boundary Σ(R w) = ¼ Σ w on the interior, and Σ(P e_c) = 4, so Σ(R P e_c) = 1.
    const m = 7;
    const e: Arr = { shape: [m, m], data: Array.from({ length: m * m }, (_, k) => (k === 3 * m + 3 ? 1 : 0)) };
    const P = run(cpu, "prolong_bilinear", [e]);
    const RP = run(cpu, "restrict_fw", [{ shape: P.shape, data: P.data }]).data;
    expect(RP.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        expect(RP[i * m + j]).toBeCloseTo(RP[j * m + i], 7);
        expect(RP[i * m + j]).toBeCloseTo(RP[(m - 1 - i) * m + (m - 1 - j)], 7);
        if (Math.abs(i - 3) > 1 || Math.abs(j - 3) > 1) expect(RP[i * m + j]).toBe(0);
      }
  });
});

describe("shape rules", () => {
  const spec = (name: string) => getOp(name)!;
  const sym = (t: TensorT | string): TensorT => {
    if (typeof t === "string") throw new Error(t);
    return t;
  };
  const m = dimSym("m");
  const two_m_1 = dimAdd(dimMul(dimConst(2), m), dimConst(1));

  it("restricts f32[2m + 1, 2m + 1] to exactly f32[m, m] and prolongs it back to f32[2m + 1, 2m + 1]", () => {
    const coarse = sym(spec("restrict_fw").shape({ tensors: [tensor("f32", [dimSym("B"), two_m_1, two_m_1])], statics: {} }));
    expect(coarse.shape.map(dimToString)).toEqual(["B", "m", "m"]);
    const fine = sym(spec("prolong_bilinear").shape({ tensors: [coarse], statics: {} }));
    expect(fine.shape.slice(1).every((d) => dimEq(d, two_m_1))).toBe(true);
  });

  it("gives (n − 1)/2 for a free n, and the round trip 2·(n − 1)/2 + 1 is n again", () => {
    const n = dimSym("n");
    const coarse = sym(spec("restrict_fw").shape({ tensors: [tensor("f32", [n, n])], statics: {} }));
    expect(dimToString(coarse.shape[0])).toBe("n/2 - 1/2");
    const fine = sym(spec("prolong_bilinear").shape({ tensors: [coarse], statics: {} }));
    expect(dimEq(fine.shape[0], n)).toBe(true);
  });

  const sizes = (t: ReturnType<typeof shapeOfCall>) => (typeof t === "string" ? t : t.shape.map(dimValue));

  it("coarsens an even grid 2m to m (the coarse points on the fine points 1, 3, …, 2m − 1); refuses too small, 1D and bool grids with a message", () => {
    expect(sizes(shapeOfCall("restrict_fw", [{ shape: [8, 8], data: [] }]))).toEqual([4, 4]);
    expect(sizes(shapeOfCall("restrict_fw", [{ shape: [8, 7], data: [] }]))).toEqual([4, 3]);
    expect(sizes(shapeOfCall("restrict_fw", [{ shape: [2, 2], data: [] }]))).toEqual([1, 1]);
    expect(sizes(shapeOfCall("prolong_to", [{ shape: [4, 3], data: [] }, { shape: [8, 7], data: [] }]))).toEqual([8, 7]);
    expect(shapeOfCall("prolong_to", [{ shape: [4, 4], data: [] }, { shape: [10, 10], data: [] }])).toMatch(/onto a \(2m\+1\)×\(2m\+1\) or 2m×2m one/);
    expect(shapeOfCall("restrict_fw", [{ shape: [1, 1], data: [] }])).toMatch(/at least 2/);
    expect(shapeOfCall("restrict_fw", [{ shape: [7], data: [] }])).toMatch(/2D grid/);
    expect(shapeOfCall("prolong_bilinear", [{ shape: [7], data: [] }])).toMatch(/2D grid/);
    expect(shapeOfCall("prolong_bilinear", [{ shape: [0, 3], data: [] }])).toMatch(/at least 1×1/);
    expect(shapeOfCall("restrict_fw", [{ shape: [3, 3], data: [], dtype: "bool" }])).toMatch(/numbers/);
  });

  it("accepts an i32 grid and computes in f32", () => {
    const out = run(cpu, "restrict_fw", [{ shape: [3, 3], dtype: "i32", data: [0, 0, 0, 0, 16, 0, 0, 0, 0] }]);
    expect(out.data).toEqual([4]);
  });
});

describe("parity", () => {
  it("is 1 where the indices sum to an even number, for grids of rank 1, 2 and 3", async () => {
    const { runSource } = await import("../../runtime/run.js");
    const out = await runSource("export a = parity(zeros(5))\nexport b = parity(zeros(2, 3))\nexport c = parity(zeros(2, 2, 2))", { file: "t.iter", backend: "cpu" });
    const get = (n: string) => [...out.exports.find((e) => e.name === n)!.data];
    expect(get("a")).toEqual([1, 0, 1, 0, 1]);
    expect(get("b")).toEqual([1, 0, 1, 0, 1, 0]);
    expect(get("c")).toEqual([1, 0, 0, 1, 0, 1, 1, 0]);
  });
});
