// Spectral checks shared by the cpu run (tfjs FFT kernel) and the wasm run (DFT matmul).
import { expect, it } from "vitest";
import type { Tf } from "../../runtime/tfjs/kernels/common.js";
import { type Arr, rand, run } from "./helpers.js";

/** Naive DFT in float64 of complex vectors laid out [..., n, 2]. */
export function naiveDft(x: ArrayLike<number>, n: number, inverse: boolean): number[] {
  const out: number[] = [];
  const batch = x.length / (2 * n);
  const sg = inverse ? 1 : -1;
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < n; k++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < n; j++) {
        const th = (sg * 2 * Math.PI * ((j * k) % n)) / n;
        const [a, c] = [x[2 * (b * n + j)], x[2 * (b * n + j) + 1]];
        re += a * Math.cos(th) - c * Math.sin(th);
        im += a * Math.sin(th) + c * Math.cos(th);
      }
      out.push(inverse ? re / n : re, inverse ? im / n : im);
    }
  }
  return out;
}

/**
 * float32 error of a length-n transform: FFT errs by O(log n·u·‖x‖), a DFT matmul by at most
 * n·u·Σ|x|; 1e-6·sqrt(n)·Σ|x| (per vector) covers both for n ≤ 277.
 */
export function expectSpectrum(got: number[], want: number[], x: ArrayLike<number>, n: number, scale = 1): void {
  let mag = 0;
  for (let i = 0; i < x.length; i++) mag = Math.max(mag, Math.abs(x[i]));
  const tol = 1e-6 * Math.sqrt(n) * 2 * n * mag * scale;
  expect(got.length).toBe(want.length);
  got.forEach((v, k) => {
    if (Math.abs(v - want[k]) > tol) expect.fail(`entry ${k}: got ${v}, want ${want[k]} ± ${tol}`);
  });
}

export function spectralChecks(getTf: () => Tf): void {
  for (const n of [8, 12, 7]) {
    it(`fft and ifft of [3, ${n}, 2] match a naive DFT`, () => {
      const x = rand(60 + n, [3, n, 2]);
      const f = run(getTf(), "fft", [x]);
      expect(f.shape).toEqual([3, n, 2]);
      expectSpectrum(f.data, naiveDft(x.data, n, false), x.data, n);
      const g = run(getTf(), "ifft", [x]);
      expectSpectrum(g.data, naiveDft(x.data, n, true), x.data, n, 1 / n);
    });
  }

  for (const n of [8, 9]) {
    it(`rfft then irfft round-trips (n = ${n})`, () => {
      const x = rand(70 + n, [2, n]);
      const X = run(getTf(), "rfft", [x]);
      const h = Math.floor(n / 2) + 1;
      expect(X.shape).toEqual([2, h, 2]);
      const cx = Array.from(x.data).flatMap((v) => [v, 0]);
      const full = naiveDft(cx, n, false);
      const want = [0, 1].flatMap((b) => full.slice(2 * n * b, 2 * n * b + 2 * h));
      expectSpectrum(X.data, want, x.data, n);
      const back = run(getTf(), "irfft", [{ shape: X.shape, data: X.data }], { n });
      expect(back.shape).toEqual([2, n]);
      expectSpectrum(back.data, Array.from(x.data), x.data, n);
    });
  }

  it("irfft ignores the imaginary part of DC, defaults n = 2(m-1), zero-pads a short input", () => {
    const X: Arr = { shape: [3, 2], data: [1, 5, 0, 0, 0, 0] };
    const a = run(getTf(), "irfft", [X]);
    expect(a.shape).toEqual([4]);
    expectSpectrum(a.data, [0.25, 0.25, 0.25, 0.25], [1], 4);
    const b = run(getTf(), "irfft", [X], { n: 10 });
    expectSpectrum(b.data, Array(10).fill(0.1), [1], 10);
  });
}

