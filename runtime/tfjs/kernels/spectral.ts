// tfjs kernels of the Fourier transforms (compiler/ops/spectral.ts holds their meaning). Where
// the backend has tfjs's FFT kernel (cpu, tensorflow, webgl) it is used through tf.complex;
// elsewhere (wasm has none) the transform is a matmul with the DFT matrix, O(n²) per vector
// but on the fast matmul.
import { castTo, concreteNumber, input, type Tensor, type Tf, type TfjsKernel } from "./common.js";

const dftCache = new Map<string, Float32Array>();

/**
 * The real 2n×2n matrix W with [re, im] @ W = [re', im'] for the DFT of length n
 * (forward: [[C, -S], [S, C]]; inverse: [[C, S], [-S, C]] / n; C, S = cos, sin of 2πjk/n).
 */
function dftMatrix(n: number, inverse: boolean): Float32Array {
  const key = `${n}:${inverse}`;
  const hit = dftCache.get(key);
  if (hit) return hit;
  const w = new Float32Array(4 * n * n);
  const scale = inverse ? 1 / n : 1;
  const sg = inverse ? 1 : -1;
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < n; k++) {
      const th = (2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(th) * scale;
      const s = Math.sin(th) * scale;
      w[j * 2 * n + k] = c;
      w[j * 2 * n + n + k] = sg * s;
      w[(n + j) * 2 * n + k] = -sg * s;
      w[(n + j) * 2 * n + n + k] = c;
    }
  }
  if (dftCache.size > 16) dftCache.delete(dftCache.keys().next().value!);
  dftCache.set(key, w);
  return w;
}

/** The DFT of re + i·im along their last axis; returns [re', im']. */
export function complexDft(tf: Tf, re: Tensor, im: Tensor, inverse: boolean): [Tensor, Tensor] {
  const n = re.shape[re.rank - 1];
  if (tf.getKernel(inverse ? "IFFT" : "FFT", tf.getBackend()) !== undefined) {
    const c = tf.complex(re, im);
    const r = inverse ? tf.spectral.ifft(c) : tf.spectral.fft(c);
    return [tf.real(r), tf.imag(r)];
  }
  const w = tf.tensor2d(dftMatrix(n, inverse), [2 * n, 2 * n], "float32");
  const flat = tf.reshape(tf.concat([re, im], re.rank - 1), [-1, 2 * n]);
  const out = tf.matMul(flat, w);
  const parts = tf.split(out, 2, 1);
  return [tf.reshape(parts[0], re.shape), tf.reshape(parts[1], re.shape)];
}

function splitComplex(tf: Tf, x: Tensor): [Tensor, Tensor] {
  const [re, im] = tf.unstack(castTo(tf, x, "f32"), x.rank - 1);
  return [re, im];
}

const joinComplex = (tf: Tf, re: Tensor, im: Tensor): Tensor => tf.stack([re, im], re.rank);

/** The full Hermitian spectrum of length n from its first n//2+1 terms (cropped or padded). */
function hermitian(tf: Tf, re: Tensor, im: Tensor, n: number): [Tensor, Tensor] {
  const h = Math.floor(n / 2) + 1;
  const m = re.shape[re.rank - 1];
  const fit = (t: Tensor): Tensor => {
    const lead = t.shape.slice(0, -1);
    if (m >= h) return tf.slice(t, t.shape.map(() => 0), [...lead, h]);
    return tf.pad(t, [...lead.map((): [number, number] => [0, 0]), [0, h - m]]);
  };
  const [r, i] = [fit(re), fit(im)];
  const tail = n - h;
  if (tail === 0) return [r, i];
  const mirror = (t: Tensor): Tensor =>
    tf.reverse(tf.slice(t, [...t.shape.slice(0, -1).map(() => 0), 1], [...t.shape.slice(0, -1), tail]), t.rank - 1);
  return [tf.concat([r, mirror(r)], r.rank - 1), tf.concat([i, tf.neg(mirror(i))], i.rank - 1)];
}

const transform =
  (inverse: boolean): TfjsKernel =>
  (tf, inputs) => {
    const [re, im] = splitComplex(tf, input(inputs, 0));
    const [r, i] = complexDft(tf, re, im, inverse);
    return joinComplex(tf, r, i);
  };

export const SPECTRAL_KERNELS: Record<string, TfjsKernel> = {
  fft: transform(false),
  ifft: transform(true),
  rfft: (tf, inputs, _s, out) => {
    const x = castTo(tf, input(inputs, 0), "f32");
    const [r, i] = complexDft(tf, x, tf.zerosLike(x), false);
    const h = out.shape[out.shape.length - 2];
    const keep = (t: Tensor): Tensor => tf.slice(t, t.shape.map(() => 0), [...t.shape.slice(0, -1), h]);
    return joinComplex(tf, keep(r), keep(i));
  },
  irfft: (tf, inputs, s, out) => {
    const [re, im] = splitComplex(tf, input(inputs, 0));
    const n = concreteNumber(s.n, out.shape[out.shape.length - 1]);
    const [fr, fi] = hermitian(tf, re, im, n);
    return complexDft(tf, fr, fi, true)[0];
  },
};
