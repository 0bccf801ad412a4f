// Reductions and norms. `axis` is an optional static int (negative counts from the end; absent
// = all entries); `keepdims` keeps the reduced axis with size 1. sum and prod of bool count as
// i32; mean and the norms give f32; max and min keep the dtype (bool as i32).
import { type DType, floatOf, isFloat } from "../../base/dtype.js";
import { type Dim, dimConst } from "../shapes.js";
import { shapesEqual, type TensorT } from "../types.js";
import { arg, normAxis, op, show, staticInt, tensor } from "./common.js";
import type { Value } from "../ir/ir.js";
import type { ConcreteStatic, Linearity, ParamSpec, ShapeQuery } from "./registry.js";
import { type AutodiffRules, linearRules, type RuleArgs, type RuleBuilder, shapeOfValue } from "./rules.js";

// ---- rules ------------------------------------------------------------------------------

/** The input's shape with the reduced axis (or every axis) kept as 1. */
function keptShape(x: readonly number[], axis: ConcreteStatic | undefined): number[] {
  if (typeof axis !== "number") return x.map(() => 1);
  const a = axis < 0 ? axis + x.length : axis;
  return x.map((d, i) => (i === a ? 1 : d));
}

/** A reduced value (the output, or its cotangent) spread back over the input's shape. */
function spread(b: RuleBuilder, a: RuleArgs, v: Value): Value {
  const x = shapeOfValue(a.inputs[0]);
  return b.op("broadcast", [b.op("reshape", [v], { dims: keptShape(x, a.statics.axis) })], { dims: x });
}

/** Reduces like the op being differentiated (its axis and keepdims), with another reduction. */
function reduceLike(b: RuleBuilder, a: RuleArgs, name: string, v: Value): Value {
  return b.op(name, [v], { axis: a.statics.axis ?? null, keepdims: a.statics.keepdims === true });
}

/**
 * Rules of a reduction from its local derivative ∂out/∂x (IR of the input's shape): the
 * cotangent spreads back times the derivative; a tangent is summed against it.
 */
function reductionRules(local: (b: RuleBuilder, a: RuleArgs) => Value): AutodiffRules {
  return {
    vjp: (b, a, c) => [b.op("mul", [spread(b, a, c), local(b, a)])],
    jvp: (b, a, [t]) => t && reduceLike(b, a, "sum", b.op("mul", [t, local(b, a)])),
  };
}

const f32 = (b: RuleBuilder, v: Value) => b.op("cast", [v], { dtype: "f32" });

/** Where x attains the reduced extreme, shared equally among ties (JAX's convention). */
function argShare(b: RuleBuilder, a: RuleArgs, x: Value): Value {
  const hit = f32(b, b.op("eq", [x, spread(b, a, a.output)]));
  return b.op("div", [hit, spread(b, a, b.op("sum", [hit], { axis: a.statics.axis ?? null, keepdims: false }))]);
}

const RULES: Record<string, AutodiffRules> = {
  sum: linearRules((b, a, c) => [spread(b, a, c)]),
  mean: linearRules((b, a, c) => {
    const x = shapeOfValue(a.inputs[0]);
    const count = x.reduce((p, d) => p * d, 1) / keptShape(x, a.statics.axis).reduce((p, d) => p * d, 1);
    return [b.op("div", [spread(b, a, c), b.scalar(count)])];
  }),
  max: reductionRules((b, a) => argShare(b, a, a.inputs[0])),
  min: reductionRules((b, a) => argShare(b, a, a.inputs[0])),
  // ∂(Π x)/∂x_i = Π x / x_i (undefined where x_i = 0, as everywhere this rule is used)
  prod: reductionRules((b, a) => b.op("div", [spread(b, a, a.output), a.inputs[0]])),
  // ∂‖x‖/∂x = x/‖x‖, taken as 0 at x = 0
  norm: reductionRules((b, a) => {
    const n = spread(b, a, a.output);
    return b.op("where", [b.op("gt", [n, b.scalar(0)]), b.op("div", [a.inputs[0], n]), b.scalar(0)]);
  }),
  norm_inf: reductionRules((b, a) => b.op("mul", [b.op("sign", [a.inputs[0]]), argShare(b, a, b.op("abs", [a.inputs[0]]))])),
};

const AXIS_PARAMS: readonly ParamSpec[] = [
  { name: "x", kind: "tensor" },
  { name: "axis", kind: "int", default: null, doc: "the axis to reduce; absent: all entries" },
  { name: "keepdims", kind: "bool", default: false, doc: "keep the reduced axis with size 1" },
];

/** The reduced shape, or a message; `axis` undefined reduces everything. */
function reducedShape(op: string, shape: readonly Dim[], axis: number | undefined, keep: boolean): Dim[] | string {
  if (axis === undefined) return keep ? shape.map(() => dimConst(1)) : [];
  const a = normAxis(op, axis, shape.length);
  if (typeof a === "string") return a;
  return keep ? shape.map((d, i) => (i === a ? dimConst(1) : d)) : shape.filter((_, i) => i !== a);
}

function axisOf(q: ShapeQuery, op: string): number | undefined | string {
  const v = q.statics.axis;
  if (v === null || v === undefined) return undefined;
  const n = staticInt(v);
  return n === undefined ? `\`${op}\` needs a constant integer axis` : n;
}

/** The dtype a reduction gives, from its argument's. */
export type ReduceDtype = (d: DType) => DType;

function defineReduction(name: string, doc: string, dtype: ReduceDtype, linear?: Linearity): void {
  const rules = RULES[name];
  op({
    name,
    doc,
    kind: "reduction",
    params: AXIS_PARAMS,
    shape(q) {
      const x = arg(q, 0);
      const axis = axisOf(q, name);
      if (typeof axis === "string") return axis;
      const shape = reducedShape(name, x.shape, axis, q.statics.keepdims === true);
      return typeof shape === "string" ? shape : tensor(dtype(x.dtype), shape);
    },
    ...(linear ? { linear } : {}),
    ...rules,
  });
}

/** What a reduction of no entries gives: its identity (NumPy's, where NumPy has one); every backend's kernels give it. */
export const EMPTY_REDUCTION: Readonly<Record<string, number>> = {
  sum: 0,
  mean: NaN,
  max: -Infinity,
  min: Infinity,
  prod: 1,
  norm: 0,
  norm_inf: 0,
  fro: 0,
  dot: 0,
  trace: 0,
  matmul: 0,
};

export const countable: ReduceDtype = (d) => (d === "bool" ? "i32" : d);
export const float: ReduceDtype = (d) => floatOf(d);

defineReduction("sum", "Sum of the entries (along `axis`).", countable, "joint");
defineReduction("mean", "Mean of the entries (along `axis`), f32.", float, "joint");
defineReduction("max", "Largest entry (along `axis`).", countable);
defineReduction("min", "Smallest entry (along `axis`).", countable);
defineReduction("prod", "Product of the entries (along `axis`).", countable);
defineReduction("norm", "Euclidean 2-norm of all entries (or along `axis`), f32.", float);
defineReduction("norm_inf", "Max-norm: the largest |entry| (along `axis`), f32.", float);

op({
  name: "fro",
  kind: "reduction",
  doc: "Frobenius norm of a matrix (of each matrix in a batch: reduces the last two axes), f32.",
  params: [{ name: "A", kind: "tensor" }],
  shape(q) {
    const a = arg(q, 0);
    if (a.shape.length < 2) return `\`fro\` needs a matrix, got ${show(a)} (for a vector use \`norm\`)`;
    return tensor(floatOf(a.dtype), a.shape.slice(0, -2));
  },
  // ∂‖A‖_F/∂A = A/‖A‖_F per matrix, 0 where the matrix is 0
  ...(() => {
    const local = (b: RuleBuilder, a: RuleArgs) => {
      const x = shapeOfValue(a.inputs[0]);
      const n = b.op("broadcast", [b.op("reshape", [a.output], { dims: [...x.slice(0, -2), 1, 1] })], { dims: x });
      return b.op("where", [b.op("gt", [n, b.scalar(0)]), b.op("div", [a.inputs[0], n]), b.scalar(0)]);
    };
    const grow = (b: RuleBuilder, a: RuleArgs, v: Value) => {
      const x = shapeOfValue(a.inputs[0]);
      return b.op("broadcast", [b.op("reshape", [v], { dims: [...x.slice(0, -2), 1, 1] })], { dims: x });
    };
    return {
      vjp: (b: RuleBuilder, a: RuleArgs, c: Value) => [b.op("mul", [grow(b, a, c), local(b, a)])],
      jvp: (b: RuleBuilder, a: RuleArgs, [t]: readonly (Value | undefined)[]) => {
        if (!t) return undefined;
        const x = shapeOfValue(a.inputs[0]);
        return b.op("sum", [b.op("reshape", [b.op("mul", [t, local(b, a)])], { dims: [...x.slice(0, -2), -1] })], { axis: -1, keepdims: false });
      },
    };
  })(),
});

op({
  name: "dot",
  kind: "reduction",
  commutative: true,
  linear: { in: [0, 1] },
  doc: "Inner product: the sum of the elementwise products of two same-shape tensors (a scalar).",
  params: [
    { name: "a", kind: "tensor" },
    { name: "b", kind: "tensor" },
  ],
  shape(q) {
    const [a, b]: TensorT[] = [arg(q, 0), arg(q, 1)];
    if (!shapesEqual(a.shape, b.shape)) return `\`dot\` needs two tensors of the same shape: ${show(a)} and ${show(b)}`;
    if (a.dtype === "bool" || b.dtype === "bool") return `\`dot\` needs numbers, got ${show(a)} and ${show(b)}`;
    return tensor(isFloat(a.dtype) || isFloat(b.dtype) ? floatOf(a.dtype, b.dtype) : "i32", []);
  },
  vjp: (b, a, c) => [b.op("mul", [c, a.inputs[1]]), b.op("mul", [c, a.inputs[0]])],
  jvp: (b, a, [ta, tb]) => {
    const terms = [ta && b.op("dot", [ta, a.inputs[1]]), tb && b.op("dot", [a.inputs[0], tb])].filter((t): t is Value => t !== undefined);
    return terms.length === 2 ? b.op("add", terms) : terms[0];
  },
});
