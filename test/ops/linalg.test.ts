import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../runtime/tfjs/kernels/common.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { type Arr, expectClose, rand, randInt, run, strides } from "./helpers.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
});

/** NumPy matmul in float64, with each entry's error bound sqrt(K)·1e-6·Σ|a_ik b_kj| (see sumTol). */
function matmulRef(a: Arr, b: Arr): { shape: number[]; data: number[]; tol: number[] } {
  const A = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const B = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const [n, k] = A.slice(-2);
  const m = B[B.length - 1];
  const ba = A.slice(0, -2);
  const bb = B.slice(0, -2);
  const r = Math.max(ba.length, bb.length);
  const pa = [...Array(r - ba.length).fill(1), ...ba];
  const pb = [...Array(r - bb.length).fill(1), ...bb];
  const batch = pa.map((d, i) => Math.max(d, pb[i]));
  const [sa, sb, so] = [strides(pa), strides(pb), strides(batch)];
  const count = batch.reduce((p, d) => p * d, 1);
  const data: number[] = [];
  const tol: number[] = [];
  for (let t = 0; t < count; t++) {
    let oa = 0;
    let ob = 0;
    for (let ax = 0; ax < r; ax++) {
      const c = Math.floor(t / so[ax]) % batch[ax];
      oa += (pa[ax] === 1 ? 0 : c) * sa[ax];
      ob += (pb[ax] === 1 ? 0 : c) * sb[ax];
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        let mag = 0;
        for (let q = 0; q < k; q++) {
          const p = a.data[oa * n * k + i * k + q] * b.data[ob * k * m + q * m + j];
          s += p;
          mag += Math.abs(p);
        }
        data.push(s);
        tol.push(Math.sqrt(k) * 1e-6 * mag + 1e-30);
      }
    }
  }
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [n]), ...(b.shape.length === 1 ? [] : [m])];
  return { shape, data, tol };
}

describe("matmul", () => {
  const cases: [number[], number[]][] = [
    [[3, 4], [4, 5]],
    [[4], [4, 5]],
    [[3, 4], [4]],
    [[6], [6]],
    [[2, 3, 4], [4, 5]],
    [[2, 1, 3, 4], [5, 4, 2]],
    [[4], [2, 4, 3]],
  ];
  cases.forEach(([sa, sb], c) => {
    it(`[${sa}] @ [${sb}]`, () => {
      const a = rand(10 + c, sa);
      const b = rand(20 + c, sb);
      const r = run(tf, "matmul", [a, b]);
      const want = matmulRef(a, b);
      expect(r.shape).toEqual(want.shape);
      r.data.forEach((v, i) => {
        if (Math.abs(v - want.data[i]) > want.tol[i]) expect.fail(`entry ${i}: ${v} vs ${want.data[i]}`);
      });
    });
  });

  it("i32 @ i32 stays i32 and exact", () => {
    const a = randInt(1, [3, 4], -5, 5);
    const b = randInt(2, [4, 2], -5, 5);
    const r = run(tf, "matmul", [a, b]);
    expect(r.dtype).toBe("i32");
    expect(r.data).toEqual(matmulRef(a, b).data);
  });

  it("mismatch names both shapes", () => {
    expect(() => run(tf, "matmul", [rand(1, [3, 4]), rand(2, [5, 3])])).toThrow(
      "`@` needs the inner sizes to agree: `f32[3, 4]` @ `f32[5, 3]` has 4 vs 5",
    );
  });
});

describe("transpose, eye, outer, diag, diagonal, trace", () => {
  it("transpose reverses by default and permutes", () => {
    const x = rand(3, [2, 3, 4]);
    const t = run(tf, "transpose", [x]);
    expect(t.shape).toEqual([4, 3, 2]);
    expect(t.data[1 * 6 + 2 * 2 + 1]).toBe(x.data[1 * 12 + 2 * 4 + 1]);
    const p = run(tf, "transpose", [x], { perm: [0, 2, 1] });
    expect(p.shape).toEqual([2, 4, 3]);
    expect(p.data[1 * 12 + 3 * 3 + 2]).toBe(x.data[1 * 12 + 2 * 4 + 3]);
    expect(() => run(tf, "transpose", [x], { perm: [0, 0, 1] })).toThrow(/permutation of 0..2/);
  });

  it("eye", () => {
    expect(run(tf, "eye", [], { n: 3 }).data).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(run(tf, "eye", [], { n: 2, m: 3 })).toMatchObject({ shape: [2, 3], data: [1, 0, 0, 0, 1, 0] });
  });

  it("outer", () => {
    const a = rand(1, [3]);
    const b = rand(2, [4]);
    const r = run(tf, "outer", [a, b]);
    expect(r.shape).toEqual([3, 4]);
    expectClose(r.data, Array.from({ length: 12 }, (_, k) => a.data[Math.floor(k / 4)] * b.data[k % 4]), 1e-7);
  });

  it("diag, diagonal and trace", () => {
    const v = rand(4, [3]);
    const d = run(tf, "diag", [v]);
    expect(d.data).toEqual([v.data[0], 0, 0, 0, v.data[1], 0, 0, 0, v.data[2]]);
    const a = rand(5, [3, 4]);
    const g = run(tf, "diagonal", [a]);
    expect(g.data).toEqual([a.data[0], a.data[5], a.data[10]]);
    const tr = run(tf, "trace", [a]);
    expectClose(tr.data, [a.data[0] + a.data[5] + a.data[10]], 1e-6);
  });
});
