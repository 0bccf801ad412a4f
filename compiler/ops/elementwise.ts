// Elementwise ops: unary maths, binary arithmetic with NumPy broadcasting, comparisons, logic,
// `where` and `cast` — each with its scalar semantics for folding beside its shape rule.
//
// Dtypes: binary arithmetic promotes bool < i32 < f32 < f64 (i32 with f32 gives f32; bool counts
// as i32, so true + true = 2). `div` is true division and always gives a float (like NumPy's `/`):
// f64 when an operand is f64, else f32.
// `mod` is the floored modulo (the result has the divisor's sign, like Python and NumPy).
// Transcendental unary ops (sqrt, exp, log, sin, cos, tanh, sigmoid, reciprocal) compute in f32
// (f64 for an f64 argument);
// the others keep an i32 argument's dtype. Comparisons give bool. Logical ops take any dtype
// (non-zero is true) and give bool. The scalar functions follow tfjs's float32 semantics once
// the folder has rounded operands and results (compiler/passes/fold.ts).
import { type DType, floatOf, isFloat } from "../../base/dtype.js";
import { broadcastShapes } from "../types.js";
import { arg, arithmetic, op, promote, show, tensor } from "./common.js";
import type { Identity, Linearity, ShapeQuery } from "./registry.js";
import { type AutodiffRules, type JvpRule, linearRules, type RuleBuilder, type VjpRule, ZERO_DERIVATIVE } from "./rules.js";
import type { Value } from "../ir/ir.js";

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

/**
 * A unary op's derivative as a function of its input x and output y (both IR values): the
 * factor f'(x) that multiplies a tangent, and by which a cotangent is multiplied back.
 */
type Derivative = (b: RuleBuilder, x: Value, y: Value) => Value;

interface Unary {
  name: string;
  /** `float`: computes in f32 (f64 for an f64 argument); `keep`: keeps i32 (and computes in it). */
  result: "float" | "keep";
  fold: (x: number) => number;
  doc: string;
  linear?: Linearity;
  /** f'(x); absent with `zero`: the derivative is 0 wherever it exists. */
  d?: Derivative;
  zero?: boolean;
}

const mul = (b: RuleBuilder, x: Value, y: Value) => b.op("mul", [x, y]);

const UNARY: readonly Unary[] = [
  { name: "neg", result: "keep", fold: (x) => -x, doc: "Negation, -x.", linear: "joint" },
  { name: "abs", result: "keep", fold: Math.abs, doc: "Absolute value |x|.", d: (b, x) => b.op("sign", [x]) },
  // d sqrt = 1/(2 sqrt x)
  { name: "sqrt", result: "float", fold: Math.sqrt, doc: "Square root (NaN below zero).", d: (b, _x, y) => b.op("div", [b.scalar(0.5), y]) },
  { name: "exp", result: "float", fold: Math.exp, doc: "Exponential e^x.", d: (_b, _x, y) => y },
  { name: "log", result: "float", fold: Math.log, doc: "Natural logarithm (-inf at 0, NaN below).", d: (b, x) => b.op("reciprocal", [x]) },
  { name: "sin", result: "float", fold: Math.sin, doc: "Sine (radians).", d: (b, x) => b.op("cos", [x]) },
  { name: "cos", result: "float", fold: Math.cos, doc: "Cosine (radians).", d: (b, x) => b.op("neg", [b.op("sin", [x])]) },
  // d tanh = 1 − tanh²
  { name: "tanh", result: "float", fold: Math.tanh, doc: "Hyperbolic tangent.", d: (b, _x, y) => b.op("sub", [b.scalar(1), b.op("square", [y])]) },
  // d σ = σ (1 − σ)
  { name: "sigmoid", result: "float", fold: (x) => 1 / (1 + Math.exp(-x)), doc: "Logistic sigmoid 1/(1 + e^-x).", d: (b, _x, y) => mul(b, y, b.op("sub", [b.scalar(1), y])) },
  // The subgradient 0 at x = 0, as JAX and PyTorch take it.
  { name: "relu", result: "keep", fold: (x) => (x < 0 ? 0 : x), doc: "Rectifier max(x, 0).", d: (b, x) => b.op("cast", [b.op("gt", [x, b.scalar(0)])], { dtype: "f32" }) },
  { name: "sign", result: "keep", fold: Math.sign, doc: "Sign: -1, 0 or 1.", zero: true },
  { name: "floor", result: "keep", fold: Math.floor, doc: "Round down to an integer value.", zero: true },
  { name: "ceil", result: "keep", fold: Math.ceil, doc: "Round up to an integer value.", zero: true },
  { name: "round", result: "keep", fold: roundHalfEven, doc: "Round to nearest, halves to even.", zero: true },
  { name: "square", result: "keep", fold: (x) => x * x, doc: "Square x*x.", d: (b, x) => mul(b, b.scalar(2), x) },
  // d (1/x) = −1/x²
  { name: "reciprocal", result: "float", fold: (x) => 1 / x, doc: "Reciprocal 1/x.", d: (b, _x, y) => b.op("neg", [b.op("square", [y])]) },
  // NumPy's other common elementwise functions (np.tan, np.sinh, np.arcsin, np.log1p, ...).
  // d tan = 1 + tan²
  { name: "tan", result: "float", fold: Math.tan, doc: "Tangent (radians).", d: (b, _x, y) => b.op("add", [b.scalar(1), b.op("square", [y])]) },
  { name: "sinh", result: "float", fold: Math.sinh, doc: "Hyperbolic sine.", d: (b, x) => b.op("cosh", [x]) },
  { name: "cosh", result: "float", fold: Math.cosh, doc: "Hyperbolic cosine.", d: (b, x) => b.op("sinh", [x]) },
  // d arcsin = 1/√(1 − x²), d arccos = −1/√(1 − x²), d arctan = 1/(1 + x²)
  { name: "arcsin", result: "float", fold: Math.asin, doc: "Inverse sine, in [−π/2, π/2] (NaN outside [−1, 1]).", d: (b, x) => b.op("rsqrt", [oneMinusSquare(b, x)]) },
  { name: "arccos", result: "float", fold: Math.acos, doc: "Inverse cosine, in [0, π] (NaN outside [−1, 1]).", d: (b, x) => b.op("neg", [b.op("rsqrt", [oneMinusSquare(b, x)])]) },
  { name: "arctan", result: "float", fold: Math.atan, doc: "Inverse tangent, in (−π/2, π/2).", d: (b, x) => b.op("reciprocal", [onePlusSquare(b, x)]) },
  // d arcsinh = 1/√(x² + 1), d arccosh = 1/√(x² − 1), d arctanh = 1/(1 − x²)
  { name: "arcsinh", result: "float", fold: Math.asinh, doc: "Inverse hyperbolic sine.", d: (b, x) => b.op("rsqrt", [onePlusSquare(b, x)]) },
  { name: "arccosh", result: "float", fold: Math.acosh, doc: "Inverse hyperbolic cosine (NaN below 1).", d: (b, x) => b.op("rsqrt", [b.op("sub", [b.op("square", [x]), b.scalar(1)])]) },
  { name: "arctanh", result: "float", fold: Math.atanh, doc: "Inverse hyperbolic tangent (±inf at ±1, NaN outside).", d: (b, x) => b.op("reciprocal", [oneMinusSquare(b, x)]) },
  // d log1p = 1/(1 + x); d expm1 = eˣ = expm1 + 1
  { name: "log1p", result: "float", fold: Math.log1p, doc: "log(1 + x), accurate for small x.", d: (b, x) => b.op("reciprocal", [b.op("add", [b.scalar(1), x])]) },
  { name: "expm1", result: "float", fold: Math.expm1, doc: "eˣ − 1, accurate for small x.", d: (b, _x, y) => b.op("add", [y, b.scalar(1)]) },
  // d log2 = 1/(x ln 2), d log10 = 1/(x ln 10), d exp2 = 2ˣ ln 2
  { name: "log2", result: "float", fold: Math.log2, doc: "Base-2 logarithm.", d: (b, x) => b.op("reciprocal", [mul(b, x, b.scalar(Math.LN2))]) },
  { name: "log10", result: "float", fold: Math.log10, doc: "Base-10 logarithm.", d: (b, x) => b.op("reciprocal", [mul(b, x, b.scalar(Math.LN10))]) },
  { name: "exp2", result: "float", fold: (x) => 2 ** x, doc: "2 to the power x.", d: (b, _x, y) => mul(b, y, b.scalar(Math.LN2)) },
  // d ∛x = ∛x / (3x) = 1/(3 ∛x²)
  { name: "cbrt", result: "float", fold: Math.cbrt, doc: "Real cube root (negative for negative x).", d: (b, _x, y) => b.op("reciprocal", [mul(b, b.scalar(3), b.op("square", [y]))]) },
  // d x^(−1/2) = −½ x^(−3/2) = −½ y³
  { name: "rsqrt", result: "float", fold: (x) => 1 / Math.sqrt(x), doc: "Reciprocal square root 1/√x.", d: (b, _x, y) => mul(b, b.scalar(-0.5), mul(b, y, b.op("square", [y]))) },
  // d softplus = σ(x)
  { name: "softplus", result: "float", fold: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), doc: "log(1 + eˣ), computed without overflow.", d: (b, x) => b.op("sigmoid", [x]) },
  { name: "trunc", result: "keep", fold: Math.trunc, doc: "Round toward zero to an integer value.", zero: true },
];

function oneMinusSquare(b: RuleBuilder, x: Value): Value {
  return b.op("sub", [b.scalar(1), b.op("square", [x])]);
}

function onePlusSquare(b: RuleBuilder, x: Value): Value {
  return b.op("add", [b.scalar(1), b.op("square", [x])]);
}

/** The rules of a unary op from its derivative: t ↦ f'(x) t forward, c ↦ f'(x) c back. */
function unaryRules(u: Unary): AutodiffRules {
  if (u.zero) return ZERO_DERIVATIVE;
  if (u.linear) return linearRules((b, _a, c) => [b.op(u.name, [c])]);
  const d = u.d!;
  return {
    jvp: (b, a, [t]) => t && mul(b, d(b, a.inputs[0], a.output), t),
    vjp: (b, a, c) => [mul(b, d(b, a.inputs[0], a.output), c)],
  };
}

for (const u of UNARY) {
  op({
    name: u.name,
    doc: u.doc,
    kind: "elementwise",
    params: [{ name: "x", kind: "tensor" }],
    shape(q) {
      const x = arg(q, 0);
      if (x.dtype === "bool") return `\`${u.name}\` needs numbers, got the bool tensor ${show(x)} (use \`cast(x, "f32")\`)`;
      return tensor(u.result === "float" ? floatOf(x.dtype) : x.dtype, x.shape);
    },
    fold: u.fold,
    ...(u.linear ? { linear: u.linear } : {}),
    ...unaryRules(u),
  });
}

/** `result`: the result's dtype from the operands'. */
type DtypeRule = (a: DType, b: DType) => DType;
const TRUEDIV: DtypeRule = (a, b) => floatOf(a, b);
const COMPARE: DtypeRule = () => "bool";

interface Binary {
  name: string;
  result: DtypeRule;
  fold: (a: number, b: number) => number;
  doc: string;
  commutative?: boolean;
  identity?: Identity;
  linear?: Linearity;
  /**
   * ∂out/∂a and ∂out/∂b as IR (absent: no gradient flows to that side); the rules multiply a
   * tangent or cotangent by them and undo broadcasting.
   */
  partials?: (b: RuleBuilder, x: Value, y: Value, out: Value) => [Value | undefined, Value | undefined];
  zero?: boolean;
}

const one = (b: RuleBuilder) => b.scalar(1);
const isGe = (b: RuleBuilder, x: Value, y: Value) => b.op("cast", [b.op("ge", [x, y])], { dtype: "f32" });

/** The rules of a binary op from its partial derivatives. */
function binaryRules(op: Binary): AutodiffRules {
  if (op.zero) return ZERO_DERIVATIVE;
  const partials = op.partials!;
  const jvp: JvpRule = (b, a, [ta, tb]) => {
    const [x, y] = a.inputs;
    const [da, db] = partials(b, x, y, a.output);
    const terms = [ta && da && mul(b, da, ta), tb && db && mul(b, db, tb)].filter((t): t is Value => t !== undefined);
    if (terms.length === 0) return undefined;
    const sum = terms.length === 2 ? b.op("add", terms) : terms[0];
    return b.broadcastTo(sum, a.output);
  };
  const vjp: VjpRule = (b, a, c) => {
    const [x, y] = a.inputs;
    const [da, db] = partials(b, x, y, a.output);
    return [da && b.unbroadcast(mul(b, da, c), x), db && b.unbroadcast(mul(b, db, c), y)];
  };
  return { jvp, vjp };
}

const BINARY: readonly Binary[] = [
  { name: "add", result: arithmetic, fold: (a, b) => a + b, doc: "Sum a + b, broadcasting.", commutative: true, identity: { unit: 0, keeps: ["left", "right"] }, linear: "joint", partials: (b) => [one(b), one(b)] },
  { name: "sub", result: arithmetic, fold: (a, b) => a - b, doc: "Difference a - b, broadcasting.", identity: { unit: 0, keeps: ["left"] }, linear: "joint", partials: (b) => [one(b), b.scalar(-1)] },
  { name: "mul", result: arithmetic, fold: (a, b) => a * b, doc: "Product a * b, broadcasting.", commutative: true, identity: { unit: 1, keeps: ["left", "right"] }, linear: { in: [0, 1] }, partials: (_b, x, y) => [y, x] },
  // ∂(x/y)/∂y = −x/y² = −out/y
  { name: "div", result: TRUEDIV, fold: (a, b) => a / b, doc: "True quotient a / b in f32, broadcasting.", identity: { unit: 1, keeps: ["left"] }, linear: { in: [0] }, partials: (b, _x, y, out) => [b.op("reciprocal", [y]), b.op("neg", [b.op("div", [out, y])])] },
  // ∂(x^y)/∂x = y x^(y−1); ∂/∂y = x^y log x, taken as 0 where x ≤ 0 (the log is undefined there).
  { name: "pow", result: arithmetic, fold: Math.pow, doc: "Power a ^ b, broadcasting.", identity: { unit: 1, keeps: ["left"] }, partials: (b, x, y, out) => [mul(b, y, b.op("pow", [x, b.op("sub", [y, one(b)])])), b.op("where", [b.op("gt", [x, b.scalar(0)]), mul(b, out, b.op("log", [x])), b.scalar(0)])] },
  // x mod y = x − y ⌊x/y⌋
  { name: "mod", result: arithmetic, fold: floorMod, doc: "Floored remainder a % b (sign of b), broadcasting.", partials: (b, x, y) => [one(b), b.op("neg", [b.op("floor", [b.op("div", [x, y])])])] },
  // Ties go to the first operand, as JAX's maximum does.
  { name: "maximum", result: arithmetic, fold: Math.max, doc: "Elementwise larger of a and b.", commutative: true, partials: (b, x, y) => [isGe(b, x, y), b.op("sub", [one(b), isGe(b, x, y)])] },
  { name: "minimum", result: arithmetic, fold: Math.min, doc: "Elementwise smaller of a and b.", commutative: true, partials: (b, x, y) => [isGe(b, y, x), b.op("sub", [one(b), isGe(b, y, x)])] },
  { name: "lt", result: COMPARE, fold: (a, b) => bool(a < b), doc: "a < b elementwise (bool).", zero: true },
  { name: "le", result: COMPARE, fold: (a, b) => bool(a <= b), doc: "a <= b elementwise (bool).", zero: true },
  { name: "gt", result: COMPARE, fold: (a, b) => bool(a > b), doc: "a > b elementwise (bool).", zero: true },
  { name: "ge", result: COMPARE, fold: (a, b) => bool(a >= b), doc: "a >= b elementwise (bool).", zero: true },
  { name: "eq", result: COMPARE, fold: (a, b) => bool(a === b), doc: "a == b elementwise (bool).", commutative: true, zero: true },
  { name: "ne", result: COMPARE, fold: (a, b) => bool(a !== b), doc: "a != b elementwise (bool).", commutative: true, zero: true },
  { name: "logical_and", result: COMPARE, fold: (a, b) => bool(truthy(a) && truthy(b)), doc: "a and b (non-zero is true), bool.", commutative: true, zero: true },
  { name: "logical_or", result: COMPARE, fold: (a, b) => bool(truthy(a) || truthy(b)), doc: "a or b (non-zero is true), bool.", commutative: true, zero: true },
  // ∂ atan2(y, x)/∂y = x/(x² + y²), ∂/∂x = −y/(x² + y²)
  { name: "arctan2", result: TRUEDIV, fold: Math.atan2, doc: "The angle of the point (b, a): atan(a/b) in the right quadrant, in [−π, π].", partials: (b, y, x) => {
    const r2 = b.op("add", [b.op("square", [x]), b.op("square", [y])]);
    return [b.op("div", [x, r2]), b.op("neg", [b.op("div", [y, r2])])];
  } },
  // ∂ hypot/∂a = a/hypot, ∂/∂b = b/hypot
  { name: "hypot", result: TRUEDIV, fold: Math.hypot, doc: "√(a² + b²), without overflow for large entries.", commutative: true, partials: (b, x, y, out) => [b.op("div", [x, out]), b.op("div", [y, out])] },
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
    ...binaryRules(b),
  });
}

/** The dtype binary arithmetic computes in, for kernels: promotion, or f32 for `div`. */
export function binaryComputeDtype(name: string, a: DType, b: DType): DType {
  if (name === "div") return floatOf(a, b);
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
  ...ZERO_DERIVATIVE,
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
  // The branch taken passes its derivative through; the condition has none.
  jvp: (b, a, [, ta, tb]) => {
    if (!ta && !tb) return undefined;
    const z = b.zerosLike(a.output);
    return b.op("where", [a.inputs[0], ta ?? z, tb ?? z]);
  },
  vjp: (b, a, c) => {
    const [cond, x, y] = a.inputs;
    const z = b.zerosLike(c);
    return [undefined, b.unbroadcast(b.op("where", [cond, c, z]), x), b.unbroadcast(b.op("where", [cond, z, c]), y)];
  },
});

/** A tangent or cotangent in the dtype of `like` (a cast between floats is linear). */
function castLike(b: RuleBuilder, v: Value, like: Value): Value {
  return v.type.dtype === like.type.dtype ? v : b.op("cast", [v], { dtype: like.type.dtype });
}

op({
  name: "cast",
  doc: 'Converts to another dtype: "f32", "f64", "i32" (truncates toward zero) or "bool" (non-zero is true).',
  kind: "elementwise",
  params: [
    { name: "x", kind: "tensor" },
    { name: "dtype", kind: "string", choices: ["f32", "f64", "i32", "bool"] },
  ],
  shape(q) {
    const dtype = q.statics.dtype;
    if (dtype !== "f32" && dtype !== "f64" && dtype !== "i32" && dtype !== "bool") return `\`cast\` needs dtype "f32", "f64", "i32" or "bool"`;
    return tensor(dtype, arg(q, 0).shape);
  },
  fold: (x) => x,
  // Between floats a cast is the identity; to or from integers and bools nothing flows.
  jvp: (b, a, [t]) => (t && isFloat(a.output.type.dtype) && isFloat(a.inputs[0].type.dtype) ? castLike(b, t, a.output) : undefined),
  vjp: (b, a, c) => [isFloat(a.output.type.dtype) && isFloat(a.inputs[0].type.dtype) ? castLike(b, c, a.inputs[0]) : undefined],
});
