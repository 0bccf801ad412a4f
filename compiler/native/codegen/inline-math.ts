// exp and tanh computed inside the module, in f64, one lane at a time (an f32 lane promoted
// and the result demoted): a call out to the host's Math costs tens of nanoseconds per lane,
// which dominated x ↦ tanh(Wx + b) at n = 1000 (the matvec takes 0.06 ms, 1000 host calls
// more than that). The algorithms are Cephes's (S. L. Moshier, Cephes Math Library, exp.c and
// tanh.c), accurate to about 2 ulp in f64:
//
//   exp(x): k = round(x log₂e), r = x − k ln2 (in two parts), e^r by the Padé form
//           1 + 2r P(r²) / (Q(r²) − r P(r²)), times 2^k as two powers of two built from their
//           exponent bits (so subnormal results come out right); x is clamped to
//           [−746, 709.78] first, and x > 709.78 gives +inf. NaN propagates.
//   tanh(x): |x| > 0.625: ±(1 − 2 / (e^{2|x|} + 1)); else x + x·x²·P(x²)/Q(x²). Both are
//           computed and one selected (no branch); large |x| gives ±1 exactly.
import type { FunctionCode, Local } from "../wasm/code.js";
import { Op, ValType } from "../wasm/opcodes.js";
import type { ScratchLocals } from "./lane-env.js";

const EXP_P = [1.26177193074810590878e-4, 3.02994407707441961300e-2, 9.99999999999999999910e-1];
const EXP_Q = [3.00198505138664455042e-6, 2.52448340349684104192e-3, 2.27265548208155028766e-1, 2.00000000000000000009e0];
const LN2_HI = 6.93145751953125e-1;
const LN2_LO = 1.42860682030941723212e-6;
const TANH_P = [-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3];
const TANH_Q = [1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3];

/** Horner: pushes c₀·t^{n−1} + … + c_{n−1} with t in a local. */
function polynomial(f: FunctionCode, t: Local, coefficients: readonly number[], monic = false): void {
  if (monic) f.get(t).f64(coefficients[0]).op(Op.f64Add);
  else f.f64(coefficients[0]);
  for (let i = 1; i < coefficients.length; i++) f.get(t).op(Op.f64Mul).f64(coefficients[i]).op(Op.f64Add);
}

/** Pushes 2^k for an integral f64 k in [−1022, 1023] in the local, from its exponent bits. */
function powerOfTwo(f: FunctionCode, k: Local): void {
  f.get(k).i64TruncSatF64().i64(1023).op(Op.i64Add).i64(52).op(Op.i64Shl).op(Op.f64ReinterpretI64);
}

/** exp of the f64 on the stack, leaving an f64. */
export function emitExp(f: FunctionCode, scratch: ScratchLocals): void {
  const [x, k, h, r, rr, px] = [0, 1, 2, 3, 4, 5].map(() => scratch.take(ValType.f64));
  f.set(x);
  // k = round(clamp(x) · log₂e); r = clamp(x) − k ln2 (below −746, e^x rounds to 0 anyway)
  f.get(x).f64(709.782712893384).op(Op.f64Min).f64(-746).op(Op.f64Max).set(r);
  f.get(r).f64(Math.LOG2E).op(Op.f64Mul).op(Op.f64Nearest).set(k);
  f.get(r).get(k).f64(LN2_HI).op(Op.f64Mul).op(Op.f64Sub).get(k).f64(LN2_LO).op(Op.f64Mul).op(Op.f64Sub).set(r);
  f.get(r).get(r).op(Op.f64Mul).set(rr);
  f.get(r);
  polynomial(f, rr, EXP_P);
  f.op(Op.f64Mul).set(px);
  // 1 + 2 px / (Q − px)
  f.f64(1).f64(2).get(px).op(Op.f64Mul);
  polynomial(f, rr, EXP_Q);
  f.get(px).op(Op.f64Sub).op(Op.f64Div).op(Op.f64Add);
  // × 2^k as 2^⌊k/2⌋ · 2^(k − ⌊k/2⌋): both factors normal for k in [−1076, 1024] (the product
  // rounds into the subnormals, or to 0, below k = −1022)
  f.get(k).f64(0.5).op(Op.f64Mul).op(Op.f64Floor).set(h);
  powerOfTwo(f, h);
  f.op(Op.f64Mul);
  f.get(k).get(h).op(Op.f64Sub).set(k);
  powerOfTwo(f, k);
  f.op(Op.f64Mul);
  // above the clamp: +inf (select keeps the value, NaN included, otherwise)
  f.f64(Infinity).get(x).f64(709.782712893384).op(Op.f64Gt).op(Op.i32Eqz).op(Op.select);
  for (const l of [x, k, h, r, rr, px]) scratch.give(l);
}

/** tanh of the f64 on the stack, leaving an f64. */
export function emitTanh(f: FunctionCode, scratch: ScratchLocals): void {
  const [x, z, s] = [0, 1, 2].map(() => scratch.take(ValType.f64));
  f.set(x);
  f.get(x).op(Op.f64Abs).set(z);
  // large: copysign(1 − 2 / (e^{2z} + 1), x)
  f.f64(1).f64(2).get(z).f64(2).op(Op.f64Mul);
  emitExp(f, scratch);
  f.f64(1).op(Op.f64Add).op(Op.f64Div).op(Op.f64Sub).get(x).op(Op.f64Copysign);
  // small: x + x s P(s) / Q(s), s = x²
  f.get(x).get(x).op(Op.f64Mul).set(s);
  f.get(x).get(x).get(s).op(Op.f64Mul);
  polynomial(f, s, TANH_P);
  f.op(Op.f64Mul);
  polynomial(f, s, TANH_Q, true);
  f.op(Op.f64Div).op(Op.f64Add);
  f.get(z).f64(0.625).op(Op.f64Gt).op(Op.select);
  for (const l of [x, z, s]) scratch.give(l);
}
