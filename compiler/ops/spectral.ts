// Discrete Fourier transforms along the last (complex: second-to-last) axis.
//
// Complex layout: a trailing axis of size 2 holding (re, im); a complex vector of length n is
// f32[n, 2], a batch of them f32[B, n, 2]. fft(x) = Σ_j x_j e^{-2πi jk/n} (unnormalised);
// ifft divides by n (NumPy's convention). rfft(x) of a real f32[..., n] gives the n/2+1
// non-negative frequencies f32[..., n//2+1, 2]; irfft(X, n) inverts it (imag parts of the DC
// and Nyquist terms are ignored, as in NumPy; X is cropped or zero-padded to n//2+1).
//
// Where the backend has tfjs's FFT kernel (cpu, tensorflow, webgl) it is used through
// tf.complex; elsewhere (wasm has none) the transform is a matmul with the DFT matrix, O(n²)
// per vector but on the fast matmul.
import { type Dim, dimAdd, dimConst, dimDivConst, dimSub, dimValue } from "../shapes.js";
import { arg, builtin, castTo, concreteNumber, input, show, staticDim, tensor } from "./common.js";
import type { Tensor, Tf } from "./registry.js";

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

function complexArg(op: string, x: ReturnType<typeof arg>): string | undefined {
  const last = x.shape[x.shape.length - 1];
  if (x.shape.length < 2 || last === undefined || dimValue(last) !== 2) {
    return `\`${op}\` needs complex data as [..., n, 2] (re, im in the last axis), got ${show(x)}`;
  }
  if (x.dtype === "bool") return `\`${op}\` needs numbers, got ${show(x)}`;
  return undefined;
}

for (const [name, inverse] of [
  ["fft", false],
  ["ifft", true],
] as const) {
  builtin({
    name,
    doc: inverse
      ? "Inverse DFT (divided by n) of complex [..., n, 2] data along n."
      : "DFT of complex [..., n, 2] data (re, im last) along n.",
    params: [{ name: "x", kind: "tensor" }],
    shape(q) {
      const x = arg(q, 0);
      return complexArg(name, x) ?? tensor("f32", x.shape);
    },
    impl(tf, inputs) {
      const [re, im] = splitComplex(tf, input(inputs, 0));
      const [r, i] = complexDft(tf, re, im, inverse);
      return joinComplex(tf, r, i);
    },
  });
}

/** floor(n/2) on a Dim: exact for constants and for sizes written as 2k or 2k+1. */
function floorHalf(n: Dim): Dim {
  const v = dimValue(n);
  if (v !== undefined) return dimConst(Math.floor(v / 2));
  const whole = (d: Dim): boolean => [...d.terms.values()].every((c) => c.den === 1);
  const half = dimDivConst(n, 2);
  if (whole(half)) return half;
  const odd = dimDivConst(dimSub(n, dimConst(1)), 2);
  return whole(odd) ? odd : half;
}

builtin({
  name: "rfft",
  doc: "DFT of real [..., n] data: the n//2+1 non-negative frequencies as [..., n//2+1, 2].",
  params: [{ name: "x", kind: "tensor" }],
  shape(q) {
    const x = arg(q, 0);
    if (x.shape.length < 1 || x.dtype === "bool") return `\`rfft\` needs real numbers [..., n], got ${show(x)}`;
    const n = x.shape[x.shape.length - 1];
    return tensor("f32", [...x.shape.slice(0, -1), dimAdd(floorHalf(n), dimConst(1)), dimConst(2)]);
  },
  impl(tf, inputs, _s, out) {
    const x = castTo(tf, input(inputs, 0), "f32");
    const [r, i] = complexDft(tf, x, tf.zerosLike(x), false);
    const h = out.shape[out.shape.length - 2];
    const keep = (t: Tensor): Tensor => tf.slice(t, t.shape.map(() => 0), [...t.shape.slice(0, -1), h]);
    return joinComplex(tf, keep(r), keep(i));
  },
});

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

builtin({
  name: "irfft",
  doc: "Inverse of rfft: real [..., n] from [..., m, 2] (n defaults to 2(m-1)).",
  params: [
    { name: "X", kind: "tensor" },
    { name: "n", kind: "int", default: null, doc: "the output length; default 2(m-1)" },
  ],
  shape(q) {
    const x = arg(q, 0);
    const bad = complexArg("irfft", x);
    if (bad) return bad;
    const m = x.shape[x.shape.length - 2];
    const nv = q.statics.n;
    const n = nv === null || nv === undefined ? dimSub(dimAdd(m, m), dimConst(2)) : staticDim(nv);
    if (n === undefined || (dimValue(n) ?? 1) < 1) return "`irfft` needs a positive output length n";
    return tensor("f32", [...x.shape.slice(0, -2), n]);
  },
  impl(tf, inputs, s, out) {
    const [re, im] = splitComplex(tf, input(inputs, 0));
    const n = concreteNumber(s.n, out.shape[out.shape.length - 1]);
    const [fr, fi] = hermitian(tf, re, im, n);
    return complexDft(tf, fr, fi, true)[0];
  },
});
