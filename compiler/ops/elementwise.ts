// Elementwise builtins: unary maths, binary arithmetic with NumPy broadcasting, comparisons,
// logic, `where` and `cast`.
//
// Dtypes: binary arithmetic promotes bool < i32 < f32 (i32 with f32 gives f32; bool counts as
// i32, so true + true = 2). `div` is true division and always gives f32 (like NumPy's `/`).
// `mod` is the floored modulo (the result has the divisor's sign, like Python and NumPy).
// Transcendental unary ops (sqrt, exp, log, sin, cos, tanh, sigmoid, reciprocal) compute in f32;
// the others keep an i32 argument's dtype. Comparisons give bool. Logical ops take any dtype
// (non-zero is true) and give bool.
import type { DType } from "../../grammar/ast.js";
import { broadcastShapes } from "../types.js";
import { arg, arithmetic, builtin, castTo, input, promote, show, tensor, TF_DTYPE } from "./common.js";
import type { ShapeQuery, Tensor, Tf } from "./registry.js";

type UnaryFn = (tf: Tf, x: Tensor) => Tensor;

/** `float`: computes in f32; `keep`: keeps i32 (and computes in it). */
const UNARY: [string, "float" | "keep", UnaryFn, string][] = [
  ["neg", "keep", (tf, x) => tf.neg(x), "Negation, -x."],
  ["abs", "keep", (tf, x) => tf.abs(x), "Absolute value |x|."],
  ["sqrt", "float", (tf, x) => tf.sqrt(x), "Square root (NaN below zero)."],
  ["exp", "float", (tf, x) => tf.exp(x), "Exponential e^x."],
  ["log", "float", (tf, x) => tf.log(x), "Natural logarithm (-inf at 0, NaN below)."],
  ["sin", "float", (tf, x) => tf.sin(x), "Sine (radians)."],
  ["cos", "float", (tf, x) => tf.cos(x), "Cosine (radians)."],
  ["tanh", "float", (tf, x) => tf.tanh(x), "Hyperbolic tangent."],
  ["sigmoid", "float", (tf, x) => tf.sigmoid(x), "Logistic sigmoid 1/(1 + e^-x)."],
  ["relu", "keep", (tf, x) => tf.relu(x), "Rectifier max(x, 0)."],
  ["sign", "keep", (tf, x) => tf.sign(x), "Sign: -1, 0 or 1."],
  ["floor", "keep", (tf, x) => (x.dtype === "int32" ? x : tf.floor(x)), "Round down to an integer value."],
  ["ceil", "keep", (tf, x) => (x.dtype === "int32" ? x : tf.ceil(x)), "Round up to an integer value."],
  ["round", "keep", (tf, x) => (x.dtype === "int32" ? x : tf.round(x)), "Round to nearest, halves to even."],
  ["square", "keep", (tf, x) => tf.square(x), "Square x*x."],
  ["reciprocal", "float", (tf, x) => tf.reciprocal(x), "Reciprocal 1/x."],
];

for (const [name, kind, fn, doc] of UNARY) {
  builtin({
    name,
    doc,
    params: [{ name: "x", kind: "tensor" }],
    shape(q) {
      const x = arg(q, 0);
      if (x.dtype === "bool") return `\`${name}\` needs numbers, got the bool tensor ${show(x)} (use \`cast(x, "f32")\`)`;
      return tensor(kind === "float" ? "f32" : x.dtype, x.shape);
    },
    impl: (tf, inputs, _s, out) => fn(tf, castTo(tf, input(inputs, 0), out.dtype)),
  });
}

type BinaryFn = (tf: Tf, a: Tensor, b: Tensor) => Tensor;

/** `compute`: the dtype both operands are cast to; `result`: the result's dtype. */
interface BinaryKind {
  compute: (a: DType, b: DType) => DType;
  result: (a: DType, b: DType) => DType;
  numeric: boolean;
}

const ARITH: BinaryKind = { compute: arithmetic, result: arithmetic, numeric: true };
const TRUEDIV: BinaryKind = { compute: () => "f32", result: () => "f32", numeric: true };
const COMPARE: BinaryKind = { compute: promote, result: () => "bool", numeric: false };
const LOGIC: BinaryKind = { compute: () => "bool", result: () => "bool", numeric: false };

const BINARY: [string, BinaryKind, BinaryFn, string][] = [
  ["add", ARITH, (tf, a, b) => tf.add(a, b), "Sum a + b, broadcasting."],
  ["sub", ARITH, (tf, a, b) => tf.sub(a, b), "Difference a - b, broadcasting."],
  ["mul", ARITH, (tf, a, b) => tf.mul(a, b), "Product a * b, broadcasting."],
  ["div", TRUEDIV, (tf, a, b) => tf.div(a, b), "True quotient a / b in f32, broadcasting."],
  ["pow", ARITH, (tf, a, b) => tf.pow(a, b), "Power a ^ b, broadcasting."],
  ["mod", ARITH, (tf, a, b) => tf.mod(a, b), "Floored remainder a % b (sign of b), broadcasting."],
  ["maximum", ARITH, (tf, a, b) => tf.maximum(a, b), "Elementwise larger of a and b."],
  ["minimum", ARITH, (tf, a, b) => tf.minimum(a, b), "Elementwise smaller of a and b."],
  ["lt", COMPARE, (tf, a, b) => tf.less(a, b), "a < b elementwise (bool)."],
  ["le", COMPARE, (tf, a, b) => tf.lessEqual(a, b), "a <= b elementwise (bool)."],
  ["gt", COMPARE, (tf, a, b) => tf.greater(a, b), "a > b elementwise (bool)."],
  ["ge", COMPARE, (tf, a, b) => tf.greaterEqual(a, b), "a >= b elementwise (bool)."],
  ["eq", COMPARE, (tf, a, b) => tf.equal(a, b), "a == b elementwise (bool)."],
  ["ne", COMPARE, (tf, a, b) => tf.notEqual(a, b), "a != b elementwise (bool)."],
  ["logical_and", LOGIC, (tf, a, b) => tf.logicalAnd(a, b), "a and b (non-zero is true), bool."],
  ["logical_or", LOGIC, (tf, a, b) => tf.logicalOr(a, b), "a or b (non-zero is true), bool."],
];

for (const [name, kind, fn, doc] of BINARY) {
  builtin({
    name,
    doc,
    params: [
      { name: "a", kind: "tensor" },
      { name: "b", kind: "tensor" },
    ],
    shape(q) {
      const a = arg(q, 0);
      const b = arg(q, 1);
      const shape = broadcastShapes(a.shape, b.shape);
      if (typeof shape === "string") return `\`${name}\` needs shapes that broadcast: ${shape}`;
      return tensor(kind.result(a.dtype, b.dtype), shape);
    },
    impl(tf, inputs) {
      const a = input(inputs, 0);
      const b = input(inputs, 1);
      const dt = kind.compute(dtypeOf(a), dtypeOf(b));
      return fn(tf, castTo(tf, a, dt), castTo(tf, b, dt));
    },
  });
}

function dtypeOf(t: Tensor): DType {
  return t.dtype === "float32" ? "f32" : t.dtype === "bool" ? "bool" : "i32";
}

builtin({
  name: "logical_not",
  doc: "not x (non-zero is true), bool.",
  params: [{ name: "x", kind: "tensor" }],
  shape: (q) => tensor("bool", arg(q, 0).shape),
  impl: (tf, inputs) => tf.logicalNot(castTo(tf, input(inputs, 0), "bool")),
});

builtin({
  name: "where",
  doc: "Picks a where cond is true and b elsewhere, broadcasting all three.",
  params: [
    { name: "cond", kind: "tensor" },
    { name: "a", kind: "tensor" },
    { name: "b", kind: "tensor" },
  ],
  shape(q: ShapeQuery) {
    const [c, a, b] = [arg(q, 0), arg(q, 1), arg(q, 2)];
    const ab = broadcastShapes(a.shape, b.shape);
    if (typeof ab === "string") return `\`where\` needs shapes that broadcast: ${ab}`;
    const all = broadcastShapes(c.shape, ab);
    if (typeof all === "string") return `\`where\` needs its condition to broadcast with the values: ${all}`;
    return tensor(promote(a.dtype, b.dtype), all);
  },
  impl(tf, inputs, _s, out) {
    const shape = out.shape;
    const grow = (t: Tensor): Tensor => (sameShape(t.shape, shape) ? t : tf.broadcastTo(t, shape));
    const c = castTo(tf, input(inputs, 0), "bool");
    const a = castTo(tf, input(inputs, 1), out.dtype);
    const b = castTo(tf, input(inputs, 2), out.dtype);
    // The wasm backend's select kernel has no bool branches: choose among 0/1 ints instead.
    if (out.dtype === "bool") return tf.cast(tf.where(grow(c), grow(tf.cast(a, "int32")), grow(tf.cast(b, "int32"))), "bool");
    return tf.where(grow(c), grow(a), grow(b));
  },
});

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

builtin({
  name: "cast",
  doc: 'Converts to another dtype: "f32", "i32" (truncates toward zero) or "bool" (non-zero is true).',
  params: [
    { name: "x", kind: "tensor" },
    { name: "dtype", kind: "string", choices: ["f32", "i32", "bool"] },
  ],
  shape(q) {
    const dtype = q.statics.dtype;
    if (dtype !== "f32" && dtype !== "i32" && dtype !== "bool") return `\`cast\` needs dtype "f32", "i32" or "bool"`;
    return tensor(dtype, arg(q, 0).shape);
  },
  impl: (tf, inputs, _s, out) => tf.cast(input(inputs, 0), TF_DTYPE[out.dtype]),
});
