// Reading and writing one entry (row, slice) of a tensor at an index known only when running:
// `U[k]` with `k` a loop counter is `take(U, k)`, and `put(U, k, v)` is U with that entry
// replaced — how a loop collects one result per iteration in a carried tensor of fixed size.
// The index is an f32 or i32 scalar, rounded down; a negative one counts from the end, as in
// a static subscript; one out of range is clipped into it (NumPy's `take(mode="clip")`: no
// run-time error can be raised from inside a kernel).
//
// Both are linear in the tensors they move (the index held fixed), so their derivatives are
// each other: the adjoint of take scatters the cotangent into row i of zeros (a put), the
// adjoint of put takes row i of the cotangent for v and zeroes it for x.
import { dimConst, dimEq } from "../shapes.js";
import type { TensorT } from "../types.js";
import { arg, normAxis, op, show, staticInt, tensor } from "./common.js";
import type { ShapeQuery } from "./registry.js";

/** The axis the index runs along, or what is wrong with the arguments. */
function takeAxis(name: string, x: TensorT, i: TensorT, q: ShapeQuery): number | string {
  if (x.shape.length === 0) return `\`${name}\` needs a tensor with at least one axis, got ${show(x)}`;
  if (i.shape.length !== 0 || i.dtype === "bool") return `\`${name}\` takes one scalar index, got ${show(i)}`;
  const a = staticInt(q.statics.axis ?? 0);
  return a === undefined ? `\`${name}\` needs a constant integer axis` : normAxis(name, a, x.shape.length);
}

const dropAxis = (x: TensorT, axis: number): TensorT => tensor(x.dtype, x.shape.filter((_, k) => k !== axis));

op({
  name: "take",
  kind: "layout",
  linear: { in: [0] },
  doc: "Entry i of x along an axis (the axis dropped), i a scalar known only when running: `U[k]` with `k` a loop counter.",
  params: [
    { name: "x", kind: "tensor" },
    { name: "i", kind: "tensor", doc: "the index: a scalar, rounded down; negative counts from the end; clipped into range" },
    { name: "axis", kind: "int", default: 0 },
  ],
  shape(q) {
    const [x, i] = [arg(q, 0), arg(q, 1)];
    const axis = takeAxis("take", x, i, q);
    return typeof axis === "string" ? axis : dropAxis(x, axis);
  },
  jvp: (b, a, [t]) => t && b.op("take", [t, a.inputs[1]], { ...a.statics }),
  vjp: (b, a, c) => [b.op("put", [b.zerosLike(a.inputs[0]), a.inputs[1], c], { ...a.statics }), undefined],
});

op({
  name: "put",
  kind: "layout",
  doc: "x with entry i along an axis replaced by v, i a scalar known only when running: how a loop fills a carried tensor one row per iteration.",
  params: [
    { name: "x", kind: "tensor" },
    { name: "i", kind: "tensor", doc: "the index: a scalar, rounded down; negative counts from the end; clipped into range" },
    { name: "v", kind: "tensor", doc: "the new entry: x's shape without the axis (broadcast to it)" },
    { name: "axis", kind: "int", default: 0 },
  ],
  shape(q) {
    const [x, i, v] = [arg(q, 0), arg(q, 1), arg(q, 2)];
    const axis = takeAxis("put", x, i, q);
    if (typeof axis === "string") return axis;
    const row = dropAxis(x, axis).shape;
    const fits = v.shape.length <= row.length && v.shape.every((d, k) => dimEq(d, dimConst(1)) || dimEq(d, row[row.length - v.shape.length + k]));
    if (!fits) return `\`put\` writes an entry of shape ${show(dropAxis(x, axis))} into ${show(x)}, and ${show(v)} does not broadcast to it`;
    return x;
  },
  // Jointly linear in (x, v) with i fixed.
  jvp: (b, a, [tx, , tv]) => {
    if (!tx && !tv) return undefined;
    const [x, i, v] = a.inputs;
    return b.op("put", [tx ?? b.zerosLike(x), i, tv ?? b.zerosLike(v)], { ...a.statics });
  },
  vjp: (b, a, c) => {
    const [, i, v] = a.inputs;
    const cx = b.op("put", [c, i, b.scalar(0)], { ...a.statics });
    return [cx, undefined, b.unbroadcast(b.op("take", [c, i], { ...a.statics }), v)];
  },
});
