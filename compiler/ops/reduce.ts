// Reductions and norms. `axis` is an optional static int (negative counts from the end; absent
// = all entries); `keepdims` keeps the reduced axis with size 1. sum and prod of bool count as
// i32; mean and the norms give f32; max and min keep the dtype (bool as i32).
import type { DType } from "../../grammar/ast.js";
import { type Dim, dimConst } from "../shapes.js";
import { shapesEqual, type TensorT } from "../types.js";
import { arg, builtin, castTo, input, normAxis, show, staticInt, tensor } from "./common.js";
import type { ConcreteStatic, ParamSpec, ShapeQuery, Tensor, Tf } from "./registry.js";

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

type ReduceFn = (tf: Tf, x: Tensor, axis: number | undefined, keep: boolean) => Tensor;

function defineReduction(name: string, doc: string, dtype: (d: DType) => DType, fn: ReduceFn): void {
  builtin({
    name,
    doc,
    params: AXIS_PARAMS,
    shape(q) {
      const x = arg(q, 0);
      const axis = axisOf(q, name);
      if (typeof axis === "string") return axis;
      const shape = reducedShape(name, x.shape, axis, q.statics.keepdims === true);
      return typeof shape === "string" ? shape : tensor(dtype(x.dtype), shape);
    },
    impl(tf, inputs, statics) {
      const x = input(inputs, 0);
      const axis = concreteAxis(statics.axis, x.rank);
      return fn(tf, castTo(tf, x, computeDtype(dtype(dtypeOf(x)))), axis, statics.keepdims === true);
    },
  });
}

const dtypeOf = (t: Tensor): DType => (t.dtype === "float32" ? "f32" : t.dtype === "bool" ? "bool" : "i32");
const computeDtype = (d: DType): DType => (d === "bool" ? "i32" : d);

function concreteAxis(v: ConcreteStatic | undefined, rank: number): number | undefined {
  if (typeof v !== "number") return undefined;
  return v < 0 ? v + rank : v;
}

const countable = (d: DType): DType => (d === "bool" ? "i32" : d);
const float = (): DType => "f32";

defineReduction("sum", "Sum of the entries (along `axis`).", countable, (tf, x, a, k) => tf.sum(x, a, k));
defineReduction("mean", "Mean of the entries (along `axis`), f32.", float, (tf, x, a, k) => tf.mean(x, a, k));
defineReduction("max", "Largest entry (along `axis`).", countable, (tf, x, a, k) => tf.max(x, a, k));
defineReduction("min", "Smallest entry (along `axis`).", countable, (tf, x, a, k) => tf.min(x, a, k));
defineReduction("prod", "Product of the entries (along `axis`).", countable, (tf, x, a, k) => tf.prod(x, a, k));
defineReduction("norm", "Euclidean 2-norm of all entries (or along `axis`), f32.", float, (tf, x, a, k) =>
  tf.sqrt(tf.sum(tf.square(x), a, k)),
);
defineReduction("norm_inf", "Max-norm: the largest |entry| (along `axis`), f32.", float, (tf, x, a, k) =>
  tf.max(tf.abs(x), a, k),
);

builtin({
  name: "fro",
  doc: "Frobenius norm of a matrix (of each matrix in a batch: reduces the last two axes), f32.",
  params: [{ name: "A", kind: "tensor" }],
  shape(q) {
    const a = arg(q, 0);
    if (a.shape.length < 2) return `\`fro\` needs a matrix, got ${show(a)} (for a vector use \`norm\`)`;
    return tensor("f32", a.shape.slice(0, -2));
  },
  impl: (tf, inputs) => {
    const a = castTo(tf, input(inputs, 0), "f32");
    return tf.sqrt(tf.sum(tf.square(a), [a.rank - 2, a.rank - 1]));
  },
});

builtin({
  name: "dot",
  doc: "Inner product: the sum of the elementwise products of two same-shape tensors (a scalar).",
  params: [
    { name: "a", kind: "tensor" },
    { name: "b", kind: "tensor" },
  ],
  shape(q) {
    const [a, b]: TensorT[] = [arg(q, 0), arg(q, 1)];
    if (!shapesEqual(a.shape, b.shape)) return `\`dot\` needs two tensors of the same shape: ${show(a)} and ${show(b)}`;
    if (a.dtype === "bool" || b.dtype === "bool") return `\`dot\` needs numbers, got ${show(a)} and ${show(b)}`;
    return tensor(a.dtype === "f32" || b.dtype === "f32" ? "f32" : "i32", []);
  },
  impl: (tf, inputs, _s, out) =>
    tf.sum(tf.mul(castTo(tf, input(inputs, 0), out.dtype), castTo(tf, input(inputs, 1), out.dtype))),
});
