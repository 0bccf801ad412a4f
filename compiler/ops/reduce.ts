// Reductions and norms. `axis` is an optional static int (negative counts from the end; absent
// = all entries); `keepdims` keeps the reduced axis with size 1. sum and prod of bool count as
// i32; mean and the norms give f32; max and min keep the dtype (bool as i32).
import type { DType } from "../../base/dtype.js";
import { type Dim, dimConst } from "../shapes.js";
import { shapesEqual, type TensorT } from "../types.js";
import { arg, normAxis, op, show, staticInt, tensor } from "./common.js";
import type { Linearity, ParamSpec, ShapeQuery } from "./registry.js";

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
  });
}

export const countable: ReduceDtype = (d) => (d === "bool" ? "i32" : d);
export const float: ReduceDtype = () => "f32";

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
    return tensor("f32", a.shape.slice(0, -2));
  },
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
    return tensor(a.dtype === "f32" || b.dtype === "f32" ? "f32" : "i32", []);
  },
});
