import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../runtime/tfjs/kernels/common.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { type Arr, expectClose, rand, randInt, run, strides, sumTol } from "./helpers.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
});

/** The groups of entries a reduction along `axis` combines (all entries when undefined). */
function groups(x: Arr, axis?: number): number[][] {
  if (axis === undefined) return [Array.from(x.data)];
  const st = strides(x.shape);
  const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = st[axis];
  const out: number[][] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      out.push(Array.from({ length: x.shape[axis] }, (_, k) => x.data[o * x.shape[axis] * inner + k * inner + i]));
    }
  }
  return out;
}

const sum = (g: number[]) => g.reduce((a, b) => a + b, 0);
// Each case: the reference, and the terms whose magnitudes bound the float32 error (sumTol).
const REDUCTIONS: [string, (g: number[]) => number, (g: number[]) => number[]][] = [
  ["sum", sum, (g) => g],
  ["mean", (g) => sum(g) / g.length, (g) => g.map((v) => v / g.length)],
  ["max", (g) => Math.max(...g), () => [0]],
  ["min", (g) => Math.min(...g), () => [0]],
  ["prod", (g) => g.reduce((a, b) => a * b, 1), (g) => [g.reduce((a, b) => a * Math.abs(b), 1) * g.length]],
  ["norm", (g) => Math.sqrt(sum(g.map((v) => v * v))), (g) => g.map((v) => v * v / Math.max(Math.sqrt(sum(g.map((w) => w * w))), 1e-30))],
  ["norm_inf", (g) => Math.max(...g.map(Math.abs)), () => [0]],
];

describe("reductions", () => {
  const x = rand(42, [3, 4, 5], 0.5, 1.5);
  REDUCTIONS.forEach(([name, ref, terms]) => {
    for (const axis of [undefined, 0, 1, 2, -1]) {
      it(`${name} axis=${axis}`, () => {
        const norm = axis === undefined ? undefined : axis < 0 ? axis + 3 : axis;
        const r = run(tf, name, [x], { axis: axis ?? null });
        const gs = groups(x, norm);
        expect(r.data.length).toBe(gs.length);
        gs.forEach((g, k) => {
          const want = ref(g);
          const tol = sumTol(terms(g));
          if (Math.abs(r.data[k] - want) > tol) expect.fail(`${name}[${k}]: got ${r.data[k]}, want ${want} ± ${tol}`);
        });
      });
    }
  });

  it("keepdims keeps a size-1 axis", () => {
    expect(run(tf, "sum", [rand(1, [3, 4])], { axis: 1, keepdims: true }).shape).toEqual([3, 1]);
    expect(run(tf, "max", [rand(1, [3, 4])], { keepdims: true }).shape).toEqual([1, 1]);
  });

  it("dtypes: sum of i32 and bool is i32, mean is f32", () => {
    const i = randInt(3, [6], -4, 4);
    const s = run(tf, "sum", [i]);
    expect(s).toMatchObject({ dtype: "i32", data: [sum(Array.from(i.data))] });
    expect(run(tf, "sum", [{ shape: [4], data: [1, 0, 1, 1], dtype: "bool" }])).toMatchObject({ dtype: "i32", data: [3] });
    expect(run(tf, "mean", [i]).dtype).toBe("f32");
  });

  it("bad axis is a message", () => {
    expect(() => run(tf, "sum", [rand(1, [3, 4])], { axis: 2 })).toThrow(/axis 2.*2 dimensions/);
  });
});

describe("norms and inner products", () => {
  it("fro of a matrix and of a batch", () => {
    const a = rand(7, [4, 6]);
    const want = Math.sqrt(sum(Array.from(a.data, (v) => v * v)));
    expectClose(run(tf, "fro", [a]).data, [want], 1e-6 * Math.sqrt(24));
    const b = rand(8, [2, 3, 3]);
    const r = run(tf, "fro", [b]);
    expect(r.shape).toEqual([2]);
    for (let k = 0; k < 2; k++) {
      const g = Array.from(b.data).slice(9 * k, 9 * k + 9);
      expectClose([r.data[k]], [Math.sqrt(sum(g.map((v) => v * v)))], 1e-6 * 3);
    }
  });

  it("dot is the sum of elementwise products", () => {
    const a = rand(9, [5, 7]);
    const b = rand(10, [5, 7]);
    const prods = Array.from(a.data, (v, k) => v * b.data[k]);
    const r = run(tf, "dot", [a, b]);
    expect(r.shape).toEqual([]);
    expect(Math.abs(r.data[0] - sum(prods))).toBeLessThanOrEqual(sumTol(prods));
  });

  it("dot of different shapes names both", () => {
    expect(() => run(tf, "dot", [rand(1, [3]), rand(2, [4])])).toThrow("`dot` needs two tensors of the same shape: `f32[3]` and `f32[4]`");
  });
});
