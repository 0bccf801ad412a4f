import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../runtime/tfjs/kernels/common.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { type Arr, expectClose, rand, run } from "./helpers.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
});

type Mode = "zero" | "periodic" | "reflect";

/** Where index i (possibly outside 0..n-1) reads from, or null for a zero. */
function ghost(i: number, n: number, mode: Mode): number | null {
  if (i >= 0 && i < n) return i;
  if (mode === "zero") return null;
  if (mode === "periodic") return ((i % n) + n) % n;
  return i < 0 ? -i : 2 * (n - 1) - i;
}

/** out[i,j] = Σ w[a,b]·u[i+a-r, j+b-s] with the boundary mode, in float64. */
function correlateRef(u: Arr, w: number[][], mode: Mode): { data: number[]; tol: number[] } {
  const [n, m] = u.shape.slice(-2);
  const batch = u.data.length / (n * m);
  const [r, s] = [(w.length - 1) / 2, (w[0].length - 1) / 2];
  const data: number[] = [];
  const tol: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let acc = 0;
        let mag = 0;
        w.forEach((row, a) =>
          row.forEach((wt, c) => {
            const ii = ghost(i + a - r, n, mode);
            const jj = ghost(j + c - s, m, mode);
            if (ii === null || jj === null) return;
            acc += wt * u.data[b * n * m + ii * m + jj];
            mag += Math.abs(wt * u.data[b * n * m + ii * m + jj]);
          }),
        );
        data.push(acc);
        // float32 accumulation of at most 25 products: 25·u·Σ|terms| < 2e-6·Σ|terms|.
        tol.push(2e-6 * mag + 1e-30);
      }
    }
  }
  return { data, tol };
}

function expectWithin(got: number[], want: { data: number[]; tol: number[] }): void {
  expect(got.length).toBe(want.data.length);
  got.forEach((v, k) => {
    if (Math.abs(v - want.data[k]) > want.tol[k]) expect.fail(`entry ${k}: got ${v}, want ${want.data[k]}`);
  });
}

const MODES: Mode[] = ["zero", "periodic", "reflect"];

describe("stencil5", () => {
  for (const mode of MODES) {
    it(`matches a hand-written loop, boundary ${mode}`, () => {
      const u = rand(11, [7, 9]);
      const r = run(tf, "stencil5", [u], { center: 4, side: -1, boundary: mode });
      expect(r.shape).toEqual([7, 9]);
      const w = [
        [0, -1, 0],
        [-1, 4, -1],
        [0, -1, 0],
      ];
      expectWithin(r.data, correlateRef(u, w, mode));
    });
  }

  it("acts on the last two axes of a batch", () => {
    const u = rand(12, [2, 5, 6]);
    const r = run(tf, "stencil5", [u], { center: 2, side: 0.5, boundary: "periodic" });
    const w = [
      [0, 0.5, 0],
      [0.5, 2, 0.5],
      [0, 0.5, 0],
    ];
    expectWithin(r.data, correlateRef(u, w, "periodic"));
  });

  it("laplacian = stencil5(-4, 1) / h²", () => {
    const u = rand(13, [6, 6]);
    const h = 0.1;
    const r = run(tf, "laplacian", [u], { h });
    const w = [
      [0, 1, 0],
      [1, -4, 1],
      [0, 1, 0],
    ].map((row) => row.map((v) => v / (h * h)));
    expectWithin(r.data, correlateRef(u, w, "zero"));
  });

  it("reflect needs at least 2 points per axis", () => {
    expect(() => run(tf, "stencil5", [rand(1, [1, 5])], { center: 1, side: 1, boundary: "reflect" })).toThrow(/at least 2/);
  });
});

describe("stencil with weights", () => {
  for (const k of [3, 5]) {
    for (const mode of MODES) {
      it(`${k}×${k} weights, boundary ${mode}`, () => {
        const u = rand(20 + k, [8, 7]);
        const wArr = rand(30 + k, [k, k]);
        const w = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => wArr.data[a * k + b]));
        const r = run(tf, "stencil", [u, wArr], { boundary: mode });
        expectWithin(r.data, correlateRef(u, w, mode));
      });
    }
  }

  it("even-sized weights are a message", () => {
    expect(() => run(tf, "stencil", [rand(1, [5, 5]), rand(2, [2, 2])])).toThrow(/odd constant sizes/);
  });
});

/** tfjs/TF "same" padding: total max((ceil(n/s)-1)·s + k - n, 0), the smaller half first. */
function padBefore(n: number, k: number, s: number): number {
  return Math.floor(Math.max((Math.ceil(n / s) - 1) * s + k - n, 0) / 2);
}

describe("conv", () => {
  it("1D NWC, same and valid, stride 1 and 2, with boundary modes", () => {
    const [B, W, C, O, K] = [2, 9, 3, 2, 3];
    const x = rand(40, [B, W, C]);
    const k = rand(41, [K, C, O]);
    for (const [padding, stride, mode] of [
      ["same", 1, "zero"],
      ["valid", 1, "zero"],
      ["same", 2, "zero"],
      ["same", 1, "periodic"],
      ["same", 2, "reflect"],
    ] as const) {
      const r = run(tf, "conv", [x, k], { padding, stride, boundary: mode });
      const outW = padding === "same" ? Math.ceil(W / stride) : Math.floor((W - K) / stride) + 1;
      expect(r.shape).toEqual([B, outW, O]);
      const pb = padding === "same" ? padBefore(W, K, stride) : 0;
      for (let b = 0; b < B; b++) {
        for (let o = 0; o < outW; o++) {
          for (let co = 0; co < O; co++) {
            let acc = 0;
            let mag = 0;
            for (let t = 0; t < K; t++) {
              const src = ghost(o * stride + t - pb, W, mode);
              if (src === null) continue;
              for (let ci = 0; ci < C; ci++) {
                const p = x.data[(b * W + src) * C + ci] * k.data[(t * C + ci) * O + co];
                acc += p;
                mag += Math.abs(p);
              }
            }
            const got = r.data[(b * outW + o) * O + co];
            if (Math.abs(got - acc) > 2e-6 * mag + 1e-30) expect.fail(`${padding}/${stride}/${mode} [${b},${o},${co}]: ${got} vs ${acc}`);
          }
        }
      }
    }
  });

  it("2D NHWC, unbatched, same with periodic boundary", () => {
    const [H, W, C, O] = [5, 6, 2, 3];
    const x = rand(50, [H, W, C]);
    const k = rand(51, [3, 3, C, O]);
    const r = run(tf, "conv", [x, k], { boundary: "periodic" });
    expect(r.shape).toEqual([H, W, O]);
    const want: number[] = [];
    for (let i = 0; i < H; i++)
      for (let j = 0; j < W; j++)
        for (let co = 0; co < O; co++) {
          let acc = 0;
          for (let a = 0; a < 3; a++)
            for (let b = 0; b < 3; b++)
              for (let ci = 0; ci < C; ci++) {
                const ii = ghost(i + a - 1, H, "periodic")!;
                const jj = ghost(j + b - 1, W, "periodic")!;
                acc += x.data[(ii * W + jj) * C + ci] * k.data[((a * 3 + b) * C + ci) * O + co];
              }
          want.push(acc);
        }
    // 18 products of values in [-1, 1): absolute error below 18·u·18 ≈ 2e-5; use 1e-5 rel + 1e-5 abs.
    expectClose(r.data, want, 1e-5, 1e-5);
  });

  it("channel mismatch is a message", () => {
    expect(() => run(tf, "conv", [rand(1, [1, 5, 2]), rand(2, [3, 3, 1])])).toThrow(/channels to match/);
  });
});
