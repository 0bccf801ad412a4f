// Elementwise ops: unary maths, binary arithmetic with NumPy broadcasting, comparisons, logic,
// `where` and `cast` — each with its scalar semantics for folding beside its shape rule.
//
// Dtypes: binary arithmetic promotes bool < i32 < f32 (i32 with f32 gives f32; bool counts as
// i32, so true + true = 2). `div` is true division and always gives f32 (like NumPy's `/`).
// `mod` is the floored modulo (the result has the divisor's sign, like Python and NumPy).
// Transcendental unary ops (sqrt, exp, log, sin, cos, tanh, sigmoid, reciprocal) compute in f32;
// the others keep an i32 argument's dtype. Comparisons give bool. Logical ops take any dtype
// (non-zero is true) and give bool. The scalar functions follow tfjs's float32 semantics once
// the folder has rounded operands and results (compiler/passes/fold.ts).
import type { DType } from "../../base/dtype.js";
import { broadcastShapes } from "../types.js";
import { arg, arithmetic, op, promote, show, tensor } from "./common.js";
import type { Identity, Linearity, ShapeQuery } from "./registry.js";

const bool = (c: boolean) => (c ? 1 : 0);
const truthy = (x: number) => x !== 0; // NaN is truthy, as in tfjs's cast to bool

/** tfjs's `round`: half to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
}

/** tfjs's floored `mod`: the result has the divisor's sign. */
function floorMod(a: number, b: number): number {
  const r = a % b;
  return (a < 0 && b < 0) || (a >= 0 && b >= 0) ? r : (r + b) % b;
}

interface Unary {
  name: string;
  /** `float`: computes in f32; `keep`: keeps i32 (and computes in it). */
  result: "float" | "keep";
  fold: (x: number) => number;
  doc: string;
  linear?: Linearity;
}

const UNARY: readonly Unary[] = [
  { name: "neg", result: "keep", fold: (x) => -x, doc: "Negation, -x.", linear: "joint" },
  { name: "abs", result: "keep", fold: Math.abs, doc: "Absolute value |x|." },
  { name: "sqrt", result: "float", fold: Math.sqrt, doc: "Square root (NaN below zero)." },
  { name: "exp", result: "float", fold: Math.exp, doc: "Exponential e^x." },
  { name: "log", result: "float", fold: Math.log, doc: "Natural logarithm (-inf at 0, NaN below)." },
  { name: "sin", result: "float", fold: Math.sin, doc: "Sine (radians)." },
  { name: "cos", result: "float", fold: Math.cos, doc: "Cosine (radians)." },
  { name: "tanh", result: "float", fold: Math.tanh, doc: "Hyperbolic tangent." },
  { name: "sigmoid", result: "float", fold: (x) => 1 / (1 + Math.exp(-x)), doc: "Logistic sigmoid 1/(1 + e^-x)." },
  { name: "relu", result: "keep", fold: (x) => (x < 0 ? 0 : x), doc: "Rectifier max(x, 0)." },
  { name: "sign", result: "keep", fold: Math.sign, doc: "Sign: -1, 0 or 1." },
  { name: "floor", result: "keep", fold: Math.floor, doc: "Round down to an integer value." },
  { name: "ceil", result: "keep", fold: Math.ceil, doc: "Round up to an integer value." },
  { name: "round", result: "keep", fold: roundHalfEven, doc: "Round to nearest, halves to even." },
  { name: "square", result: "keep", fold: (x) => x * x, doc: "Square x*x." },
  { name: "reciprocal", result: "float", fold: (x) => 1 / x, doc: "Reciprocal 1/x." },
];

for (const u of UNARY) {
  op({
    name: u.name,
    doc: u.doc,
    kind: "elementwise",
    params: [{ name: "x", kind: "tensor" }],
    shape(q) {
      const x = arg(q, 0);
      if (x.dtype === "bool") return `\`${u.name}\` needs numbers, got the bool tensor ${show(x)} (use \`cast(x, "f32")\`)`;
      return tensor(u.result === "float" ? "f32" : x.dtype, x.shape);
    },
    fold: u.fold,
    ...(u.linear ? { linear: u.linear } : {}),
  });
}

/** `result`: the result's dtype from the operands'. */
type DtypeRule = (a: DType, b: DType) => DType;
const TRUEDIV: DtypeRule = () => "f32";
const COMPARE: DtypeRule = () => "bool";

interface Binary {
  name: string;
  result: DtypeRule;
  fold: (a: number, b: number) => number;
  doc: string;
  commutative?: boolean;
  identity?: Identity;
  linear?: Linearity;
}

const BINARY: readonly Binary[] = [
  { name: "add", result: arithmetic, fold: (a, b) => a + b, doc: "Sum a + b, broadcasting.", commutative: true, identity: { unit: 0, keeps: ["left", "right"] }, linear: "joint" },
  { name: "sub", result: arithmetic, fold: (a, b) => a - b, doc: "Difference a - b, broadcasting.", identity: { unit: 0, keeps: ["left"] }, linear: "joint" },
  { name: "mul", result: arithmetic, fold: (a, b) => a * b, doc: "Product a * b, broadcasting.", commutative: true, identity: { unit: 1, keeps: ["left", "right"] }, linear: { in: [0, 1] } },
  { name: "div", result: TRUEDIV, fold: (a, b) => a / b, doc: "True quotient a / b in f32, broadcasting.", identity: { unit: 1, keeps: ["left"] }, linear: { in: [0] } },
  { name: "pow", result: arithmetic, fold: Math.pow, doc: "Power a ^ b, broadcasting.", identity: { unit: 1, keeps: ["left"] } },
  { name: "mod", result: arithmetic, fold: floorMod, doc: "Floored remainder a % b (sign of b), broadcasting." },
  { name: "maximum", result: arithmetic, fold: Math.max, doc: "Elementwise larger of a and b.", commutative: true },
  { name: "minimum", result: arithmetic, fold: Math.min, doc: "Elementwise smaller of a and b.", commutative: true },
  { name: "lt", result: COMPARE, fold: (a, b) => bool(a < b), doc: "a < b elementwise (bool)." },
  { name: "le", result: COMPARE, fold: (a, b) => bool(a <= b), doc: "a <= b elementwise (bool)." },
  { name: "gt", result: COMPARE, fold: (a, b) => bool(a > b), doc: "a > b elementwise (bool)." },
  { name: "ge", result: COMPARE, fold: (a, b) => bool(a >= b), doc: "a >= b elementwise (bool)." },
  { name: "eq", result: COMPARE, fold: (a, b) => bool(a === b), doc: "a == b elementwise (bool).", commutative: true },
  { name: "ne", result: COMPARE, fold: (a, b) => bool(a !== b), doc: "a != b elementwise (bool).", commutative: true },
  { name: "logical_and", result: COMPARE, fold: (a, b) => bool(truthy(a) && truthy(b)), doc: "a and b (non-zero is true), bool.", commutative: true },
  { name: "logical_or", result: COMPARE, fold: (a, b) => bool(truthy(a) || truthy(b)), doc: "a or b (non-zero is true), bool.", commutative: true },
];

for (const b of BINARY) {
  op({
    name: b.name,
    doc: b.doc,
    kind: "elementwise",
    params: [
      { name: "a", kind: "tensor" },
      { name: "b", kind: "tensor" },
    ],
    shape(q) {
      const [x, y] = [arg(q, 0), arg(q, 1)];
      const shape = broadcastShapes(x.shape, y.shape);
      if (typeof shape === "string") return `\`${b.name}\` needs shapes that broadcast: ${shape}`;
      return tensor(b.result(x.dtype, y.dtype), shape);
    },
    fold: b.fold,
    ...(b.commutative ? { commutative: true } : {}),
    ...(b.identity ? { identity: b.identity } : {}),
    ...(b.linear ? { linear: b.linear } : {}),
  });
}

/** The dtype binary arithmetic computes in, for kernels: promotion, or f32 for `div`. */
export function binaryComputeDtype(name: string, a: DType, b: DType): DType {
  if (name === "div") return "f32";
  if (name === "logical_and" || name === "logical_or") return "bool";
  const rule = BINARY.find((x) => x.name === name)?.result;
  return rule === COMPARE ? promote(a, b) : arithmetic(a, b);
}

op({
  name: "logical_not",
  doc: "not x (non-zero is true), bool.",
  kind: "elementwise",
  params: [{ name: "x", kind: "tensor" }],
  shape: (q) => tensor("bool", arg(q, 0).shape),
  fold: (x) => bool(!truthy(x)),
});

op({
  name: "where",
  doc: "Picks a where cond is true and b elsewhere, broadcasting all three.",
  kind: "elementwise",
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
  fold: (c, a, b) => (truthy(c) ? a : b),
});

op({
  name: "cast",
  doc: 'Converts to another dtype: "f32", "i32" (truncates toward zero) or "bool" (non-zero is true).',
  kind: "elementwise",
  params: [
    { name: "x", kind: "tensor" },
    { name: "dtype", kind: "string", choices: ["f32", "i32", "bool"] },
  ],
  shape(q) {
    const dtype = q.statics.dtype;
    if (dtype !== "f32" && dtype !== "i32" && dtype !== "bool") return `\`cast\` needs dtype "f32", "i32" or "bool"`;
    return tensor(dtype, arg(q, 0).shape);
  },
  fold: (x) => x,
});
