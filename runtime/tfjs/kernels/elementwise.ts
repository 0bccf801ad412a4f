// tfjs kernels of the elementwise ops (compiler/ops/elementwise.ts holds their meaning).
import { binaryComputeDtype } from "../../../compiler/ops/elementwise.js";
import { castTo, dtypeOf, input, sameShape, TF_DTYPE, type Tensor, type Tf, type TfjsKernel } from "./common.js";

type Unary = (tf: Tf, x: Tensor) => Tensor;

const UNARY: Record<string, Unary> = {
  neg: (tf, x) => tf.neg(x),
  abs: (tf, x) => tf.abs(x),
  sqrt: (tf, x) => tf.sqrt(x),
  exp: (tf, x) => tf.exp(x),
  log: (tf, x) => tf.log(x),
  sin: (tf, x) => tf.sin(x),
  cos: (tf, x) => tf.cos(x),
  tanh: (tf, x) => tf.tanh(x),
  sigmoid: (tf, x) => tf.sigmoid(x),
  relu: (tf, x) => tf.relu(x),
  sign: (tf, x) => tf.sign(x),
  floor: (tf, x) => (x.dtype === "int32" ? x : tf.floor(x)),
  ceil: (tf, x) => (x.dtype === "int32" ? x : tf.ceil(x)),
  round: (tf, x) => (x.dtype === "int32" ? x : tf.round(x)),
  square: (tf, x) => tf.square(x),
  reciprocal: (tf, x) => tf.reciprocal(x),
  tan: (tf, x) => tf.tan(x),
  sinh: (tf, x) => tf.sinh(x),
  cosh: (tf, x) => tf.cosh(x),
  arcsin: (tf, x) => tf.asin(x),
  arccos: (tf, x) => tf.acos(x),
  arctan: (tf, x) => tf.atan(x),
  arcsinh: (tf, x) => tf.asinh(x),
  arccosh: (tf, x) => tf.acosh(x),
  arctanh: (tf, x) => tf.atanh(x),
  log1p: (tf, x) => tf.log1p(x),
  expm1: (tf, x) => tf.expm1(x),
  log2: (tf, x) => tf.div(tf.log(x), Math.LN2),
  log10: (tf, x) => tf.div(tf.log(x), Math.LN10),
  exp2: (tf, x) => tf.exp(tf.mul(x, Math.LN2)),
  // sign(x)·|x|^(1/3): pow of a negative base to 1/3 is NaN.
  cbrt: (tf, x) => tf.mul(tf.sign(x), tf.pow(tf.abs(x), 1 / 3)),
  rsqrt: (tf, x) => tf.rsqrt(x),
  softplus: (tf, x) => tf.softplus(x),
  trunc: (tf, x) => (x.dtype === "int32" ? x : tf.mul(tf.sign(x), tf.floor(tf.abs(x)))),
};

type Binary = (tf: Tf, a: Tensor, b: Tensor) => Tensor;

const BINARY: Record<string, Binary> = {
  add: (tf, a, b) => tf.add(a, b),
  sub: (tf, a, b) => tf.sub(a, b),
  mul: (tf, a, b) => tf.mul(a, b),
  div: (tf, a, b) => tf.div(a, b),
  pow: (tf, a, b) => tf.pow(a, b),
  mod: (tf, a, b) => tf.mod(a, b),
  maximum: (tf, a, b) => tf.maximum(a, b),
  minimum: (tf, a, b) => tf.minimum(a, b),
  lt: (tf, a, b) => tf.less(a, b),
  le: (tf, a, b) => tf.lessEqual(a, b),
  gt: (tf, a, b) => tf.greater(a, b),
  ge: (tf, a, b) => tf.greaterEqual(a, b),
  eq: (tf, a, b) => tf.equal(a, b),
  ne: (tf, a, b) => tf.notEqual(a, b),
  logical_and: (tf, a, b) => tf.logicalAnd(a, b),
  logical_or: (tf, a, b) => tf.logicalOr(a, b),
  arctan2: (tf, a, b) => tf.atan2(a, b),
  // max·√(1 + (min/max)²): no overflow for entries near the float32 limit.
  hypot: (tf, a, b) => {
    const [x, y] = [tf.abs(a), tf.abs(b)];
    const big = tf.maximum(x, y);
    const ratio = tf.div(tf.minimum(x, y), tf.where(tf.greater(big, 0), big, tf.onesLike(big)));
    return tf.mul(big, tf.sqrt(tf.add(1, tf.square(ratio))));
  },
};

const unaryKernel = (fn: Unary): TfjsKernel => (tf, inputs, _s, out) => fn(tf, castTo(tf, input(inputs, 0), out.dtype));

function binaryKernel(name: string, fn: Binary): TfjsKernel {
  return (tf, inputs) => {
    const [a, b] = [input(inputs, 0), input(inputs, 1)];
    const dt = binaryComputeDtype(name, dtypeOf(a), dtypeOf(b));
    return fn(tf, castTo(tf, a, dt), castTo(tf, b, dt));
  };
}

const where: TfjsKernel = (tf, inputs, _s, out) => {
  const shape = out.shape;
  const grow = (t: Tensor): Tensor => (sameShape(t.shape, shape) ? t : tf.broadcastTo(t, shape));
  const c = castTo(tf, input(inputs, 0), "bool");
  const a = castTo(tf, input(inputs, 1), out.dtype);
  const b = castTo(tf, input(inputs, 2), out.dtype);
  // The wasm backend's select kernel has no bool branches: choose among 0/1 ints instead.
  if (out.dtype === "bool") return tf.cast(tf.where(grow(c), grow(tf.cast(a, "int32")), grow(tf.cast(b, "int32"))), "bool");
  return tf.where(grow(c), grow(a), grow(b));
};

export const ELEMENTWISE_KERNELS: Record<string, TfjsKernel> = {
  ...Object.fromEntries(Object.entries(UNARY).map(([k, f]) => [k, unaryKernel(f)])),
  ...Object.fromEntries(Object.entries(BINARY).map(([k, f]) => [k, binaryKernel(k, f)])),
  logical_not: (tf, inputs) => tf.logicalNot(castTo(tf, input(inputs, 0), "bool")),
  where,
  cast: (tf, inputs, _s, out) => tf.cast(input(inputs, 0), TF_DTYPE[out.dtype]),
};
