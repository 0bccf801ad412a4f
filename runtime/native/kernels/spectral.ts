// Native kernels of the Fourier transforms (compiler/ops/spectral.ts holds their meaning):
// radix-2 FFT for power-of-two lengths, the direct O(n²) sum otherwise, in float64.
import type { NativeArray } from "../array.js";
import { input, type NativeKernel, num, output } from "./common.js";

/** In place: the DFT (or the inverse, unscaled) of re + i·im, a power-of-two length. */
function fftPow2(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    for (let k = 0; k < half; k++) {
      const th = (sign * 2 * Math.PI * k) / len;
      const [wr, wi] = [Math.cos(th), Math.sin(th)];
      for (let i = k; i < n; i += len) {
        const j = i + half;
        const tr = re[j] * wr - im[j] * wi;
        const ti = re[j] * wi + im[j] * wr;
        re[j] = re[i] - tr;
        im[j] = im[i] - ti;
        re[i] += tr;
        im[i] += ti;
      }
    }
  }
}

/** The DFT of re + i·im (divided by n when inverse), a new pair. */
export function dft(re: Float64Array, im: Float64Array, inverse: boolean): [Float64Array, Float64Array] {
  const n = re.length;
  let [r, i] = [Float64Array.from(re), Float64Array.from(im)];
  if (n > 0 && (n & (n - 1)) === 0) fftPow2(r, i, inverse);
  else {
    [r, i] = [new Float64Array(n), new Float64Array(n)];
    const sign = inverse ? 1 : -1;
    for (let k = 0; k < n; k++)
      for (let j = 0; j < n; j++) {
        const th = (sign * 2 * Math.PI * ((j * k) % n)) / n;
        r[k] += re[j] * Math.cos(th) - im[j] * Math.sin(th);
        i[k] += re[j] * Math.sin(th) + im[j] * Math.cos(th);
      }
  }
  if (inverse) for (let k = 0; k < n; k++) (r[k] /= n, i[k] /= n);
  return [r, i];
}

/** Complex data [..., n, 2]: each of its vectors transformed. */
const complexTransform =
  (inverse: boolean): NativeKernel =>
  (ctx, inputs, _s, out) => {
    const x = input(inputs, 0);
    const n = x.shape[x.shape.length - 2];
    const y = output(ctx, out);
    for (let b = 0; b < x.data.length / (2 * n); b++) {
      const re = Float64Array.from({ length: n }, (_, j) => x.data[(b * n + j) * 2]);
      const im = Float64Array.from({ length: n }, (_, j) => x.data[(b * n + j) * 2 + 1]);
      const [r, i] = dft(re, im, inverse);
      for (let j = 0; j < n; j++) (y.data[(b * n + j) * 2] = r[j], y.data[(b * n + j) * 2 + 1] = i[j]);
    }
    return y;
  };

/** The first h = n//2 + 1 terms of each real vector's DFT. */
const rfft: NativeKernel = (ctx, inputs, _s, out) => {
  const x = input(inputs, 0);
  const n = x.shape[x.shape.length - 1];
  const h = out.shape[out.shape.length - 2];
  const y = output(ctx, out);
  for (let b = 0; b < x.data.length / n; b++) {
    const [r, i] = dft(Float64Array.from(x.data.subarray(b * n, (b + 1) * n)), new Float64Array(n), false);
    for (let k = 0; k < h; k++) (y.data[(b * h + k) * 2] = r[k], y.data[(b * h + k) * 2 + 1] = i[k]);
  }
  return y;
};

/** The full Hermitian spectrum of length n from the given terms (cropped or zero-padded to n//2 + 1). */
function hermitian(x: NativeArray, b: number, m: number, n: number): [Float64Array, Float64Array] {
  const h = Math.floor(n / 2) + 1;
  const [re, im] = [new Float64Array(n), new Float64Array(n)];
  for (let k = 0; k < Math.min(h, m); k++) (re[k] = x.data[(b * m + k) * 2], im[k] = x.data[(b * m + k) * 2 + 1]);
  for (let k = h; k < n; k++) (re[k] = re[n - k], im[k] = -im[n - k]);
  return [re, im];
}

const irfft: NativeKernel = (ctx, inputs, s, out) => {
  const x = input(inputs, 0);
  const m = x.shape[x.shape.length - 2];
  const n = num(s.n, out.shape[out.shape.length - 1]);
  const y = output(ctx, out);
  for (let b = 0; b < x.data.length / (2 * m); b++) {
    const [re, im] = hermitian(x, b, m, n);
    y.data.set(dft(re, im, true)[0], b * n);
  }
  return y;
};

export const SPECTRAL_KERNELS: Record<string, NativeKernel> = {
  fft: complexTransform(false),
  ifft: complexTransform(true),
  rfft,
  irfft,
};
