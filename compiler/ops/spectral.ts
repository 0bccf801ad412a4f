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
import { floatOf } from "../../base/dtype.js";
import { type Dim, dimAdd, dimConst, dimDivConst, dimSub, dimValue } from "../shapes.js";
import { arg, op, show, staticDim, tensor } from "./common.js";
import { linearRules, NoRule, shapeOfValue } from "./rules.js";

function complexArg(name: string, x: ReturnType<typeof arg>): string | undefined {
  const last = x.shape[x.shape.length - 1];
  if (x.shape.length < 2 || last === undefined || dimValue(last) !== 2) {
    return `\`${name}\` needs complex data as [..., n, 2] (re, im in the last axis), got ${show(x)}`;
  }
  if (x.dtype === "bool") return `\`${name}\` needs numbers, got ${show(x)}`;
  return undefined;
}

for (const [name, inverse] of [
  ["fft", false],
  ["ifft", true],
] as const) {
  op({
    name,
    kind: "spectral",
    linear: "joint",
    doc: inverse
      ? "Inverse DFT (divided by n) of complex [..., n, 2] data along n."
      : "DFT of complex [..., n, 2] data (re, im last) along n.",
    params: [{ name: "x", kind: "tensor" }],
    shape(q) {
      const x = arg(q, 0);
      return complexArg(name, x) ?? tensor(floatOf(x.dtype), x.shape);
    },
    // The DFT F is unnormalised, so Fᴴ = n F⁻¹: fft's adjoint is n·ifft, ifft's is fft / n.
    ...linearRules((b, a, c) => {
      const s = shapeOfValue(a.inputs[0]);
      const n = s[s.length - 2];
      return [b.op("mul", [b.op(inverse ? "fft" : "ifft", [c]), b.scalar(inverse ? 1 / n : n)])];
    }),
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

op({
  name: "rfft",
  kind: "spectral",
  linear: "joint",
  doc: "DFT of real [..., n] data: the n//2+1 non-negative frequencies as [..., n//2+1, 2].",
  params: [{ name: "x", kind: "tensor" }],
  shape(q) {
    const x = arg(q, 0);
    if (x.shape.length < 1 || x.dtype === "bool") return `\`rfft\` needs real numbers [..., n], got ${show(x)}`;
    const n = x.shape[x.shape.length - 1];
    return tensor(floatOf(x.dtype), [...x.shape.slice(0, -1), dimAdd(floorHalf(n), dimConst(1)), dimConst(2)]);
  },
  vjp: () => {
    throw new NoRule("the derivative of `rfft` is not written yet (fft and ifft have theirs)");
  },
  jvp: () => {
    throw new NoRule("the derivative of `rfft` is not written yet (fft and ifft have theirs)");
  },
});

op({
  name: "irfft",
  kind: "spectral",
  linear: "joint",
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
    return tensor(floatOf(x.dtype), [...x.shape.slice(0, -2), n]);
  },
  vjp: () => {
    throw new NoRule("the derivative of `irfft` is not written yet (fft and ifft have theirs)");
  },
  jvp: () => {
    throw new NoRule("the derivative of `irfft` is not written yet (fft and ifft have theirs)");
  },
});
