import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../runtime/tfjs/kernels/common.js";
import { dimSym } from "../../compiler/shapes.js";
import { shapeOf, tensor, typeToString } from "../../compiler/types.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { expectClose, run, shapeOfCall } from "./helpers.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
});

describe("creation", () => {
  it("zeros / ones / fill from dims", () => {
    expect(run(tf, "zeros", [], { dims: [2, 3] })).toMatchObject({ shape: [2, 3], dtype: "f32", data: [0, 0, 0, 0, 0, 0] });
    expect(run(tf, "ones", [], { dims: [2] }).data).toEqual([1, 1]);
    expect(run(tf, "fill", [], { dims: [2, 2], value: 0.5 }).data).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it("zeros takes the expected type when written without sizes", () => {
    const r = run(tf, "zeros", [], {}, tensor("i32", shapeOf(2, 2)));
    expect(r).toMatchObject({ shape: [2, 2], dtype: "i32" });
    const N = dimSym("N");
    const t = shapeOfCall("ones", [], {}, tensor("f32", [N, N]));
    expect(typeof t !== "string" && typeToString(t)).toBe("f32[N, N]");
    expect(shapeOfCall("zeros", [])).toMatch(/needs sizes here/);
  });

  it("arange and linspace", () => {
    expect(run(tf, "arange", [], { n: 4 })).toMatchObject({ dtype: "i32", data: [0, 1, 2, 3] });
    expect(run(tf, "arange", [], { n: 3, dtype: "f32" }).dtype).toBe("f32");
    const l = run(tf, "linspace", [], { start: 0, stop: 1, num: 5 });
    expect(l.data).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it("grid: interior points and axis meaning", () => {
    // n = 3 interior points on [0, 1]: h = 1/4, coordinates 0.25, 0.5, 0.75.
    const x = run(tf, "grid", [], { n: 3, axis: 1 });
    expectClose(x.data, [0.25, 0.5, 0.75, 0.25, 0.5, 0.75, 0.25, 0.5, 0.75], 1e-7);
    const y = run(tf, "grid", [], { n: 3, axis: 0 });
    expectClose(y.data, [0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.75, 0.75, 0.75], 1e-7);
    const e = run(tf, "grid", [], { n: 3, axis: 1, lo: -1, hi: 1, interior: false });
    expectClose(e.data.slice(0, 3), [-1, 0, 1], 1e-7);
  });
});

describe("random", () => {
  it("same seed, same values; another seed, other values", () => {
    const a = run(tf, "normal", [], { dims: [50], seed: 3 });
    const b = run(tf, "normal", [], { dims: [50], seed: 3 });
    const c = run(tf, "normal", [], { dims: [50], seed: 4 });
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
  });

  it("normal has the asked mean and std (statistically, n = 4000)", () => {
    const r = run(tf, "normal", [], { dims: [4000], mean: 2, std: 0.5, seed: 1 });
    const m = r.data.reduce((p, v) => p + v, 0) / r.data.length;
    const sd = Math.sqrt(r.data.reduce((p, v) => p + (v - m) ** 2, 0) / r.data.length);
    // standard errors: 0.5/sqrt(4000) ≈ 0.008 for the mean, ≈ 0.0056 for the std: 5σ bounds.
    expect(Math.abs(m - 2)).toBeLessThan(0.04);
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.03);
  });

  it("uniform stays in [lo, hi) and covers it", () => {
    const r = run(tf, "uniform", [], { dims: [1000], lo: -2, hi: 3, seed: 7 });
    expect(Math.min(...r.data)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...r.data)).toBeLessThanOrEqual(3);
    expect(Math.min(...r.data)).toBeLessThan(-1.9);
    expect(Math.max(...r.data)).toBeGreaterThan(2.9);
  });

  it("glorot and he scale by the fans of the last two dims, and take the expected shape", () => {
    const g = run(tf, "glorot", [], { seed: 2 }, tensor("f32", shapeOf(40, 60)));
    expect(g.shape).toEqual([40, 60]);
    const limit = Math.sqrt(6 / 100);
    expect(Math.max(...g.data.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...g.data.map(Math.abs))).toBeGreaterThan(0.95 * limit);
    const h = run(tf, "he", [], { dims: [200, 50], seed: 2 });
    const sd = Math.sqrt(h.data.reduce((p, v) => p + v * v, 0) / h.data.length);
    expect(Math.abs(sd - Math.sqrt(2 / 200))).toBeLessThan(0.05 * Math.sqrt(2 / 200));
  });

  it("orthogonal gives orthonormal columns (tall) or rows (wide)", () => {
    for (const [rows, cols] of [
      [6, 4],
      [3, 5],
    ]) {
      const q = run(tf, "orthogonal", [], { dims: [rows, cols], seed: 5 });
      const tall = rows >= cols;
      const k = tall ? cols : rows;
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          let s = 0;
          for (let t = 0; t < (tall ? rows : cols); t++) {
            s += tall ? q.data[t * cols + i] * q.data[t * cols + j] : q.data[i * cols + t] * q.data[j * cols + t];
          }
          expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-6);
        }
      }
    }
  });
});
