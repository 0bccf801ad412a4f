// Layout: reshape, flatten, slice, index (the `a[i, 1:N, ::2]` syntax), concat, stack, pad.
//
// The `index` builtin's statics:
//   spec: string  the subscript as written, with each bound replaced by `#` (an integer literal
//                 may also stand in place). Axes are separated by commas; each axis is
//                   `#` or `k`              a single index: the axis is dropped
//                   `a:b` or `a:b:c`        a slice; a, b, c each `#`, an integer, or empty
//                   `...`                   as many whole axes (`:`) as needed, at most once
//                 Axes not mentioned at the end are taken whole.
//   bounds: dims  the values of the `#`s in order (sizes may be symbolic; a step must be a
//                 non-zero constant).
//   NumPy semantics: negative indices count from the end, a negative step walks backwards,
//   omitted bounds default by the step's sign, concrete slice bounds are clamped.
//   Example: a[i, 1:N, ::2] → spec "#, #:#, ::#", bounds [i, 1, N, 2].
//   On symbolic sizes, a bound counts as negative when its leading coefficient is negative
//   (`-1`, `-k`, not `N - 1`), and a strided length is ceil(len/step) when that is a whole
//   polynomial, else (len + step - 1)/step, which the concrete re-check makes exact.
import { type Dim, dimAdd, dimConst, dimDivConst, dimEq, dimSub, dimToString, dimValue } from "../shapes.js";
import { broadcastShapes, shapeToString, shapesEqual, type TensorT } from "../types.js";
import { arg, dimStr, normAxis, numel, op, promote, show, staticDim, staticDims, staticInt, tensor } from "./common.js";
import type { ShapeQuery } from "./registry.js";
import type { Value } from "../ir/ir.js";
import { linearRules, NoRule, pickSpec, type RuleBuilder, rangeSpec, shapeOfValue } from "./rules.js";
import type { ConcreteStatic } from "./registry.js";

/** A concrete, possibly negative axis made non-negative. */
function concreteAxisOf(v: ConcreteStatic | undefined, rank: number): number {
  const a = typeof v === "number" ? v : 0;
  return a < 0 ? a + rank : a;
}

// ---------------------------------------------------------------------------------------
// reshape, flatten

function reshapeShape(x: TensorT, dims: Dim[]): TensorT | string {
  const total = numel(x.shape);
  const holes = dims.filter((d) => dimValue(d) === -1).length;
  if (holes > 1) return "`reshape` can infer at most one size (-1)";
  if (holes === 1) {
    const known = numel(dims.filter((d) => dimValue(d) !== -1));
    const k = dimValue(known);
    if (k === undefined || k <= 0) return "`reshape` can infer a size (-1) only when the other sizes are positive constants";
    const t = dimValue(total);
    if (t !== undefined && t % k !== 0) return `\`reshape\` cannot fit ${t} entries into a shape with a multiple of ${k}`;
    return tensor(x.dtype, dims.map((d) => (dimValue(d) === -1 ? dimDivConst(total, k) : d)));
  }
  if (!dimEq(total, numel(dims))) {
    return `\`reshape\` needs the same number of entries: ${show(x)} has ${dimToString(total)}, ${shapeToString(dims)} has ${dimToString(numel(dims))}`;
  }
  return tensor(x.dtype, dims);
}

op({
  name: "reshape",
  kind: "layout",
  sameTypeIsIdentity: true,
  linear: "joint",
  doc: "The same entries in another shape (row-major); one size may be -1 (inferred). No sizes: a one-entry tensor as a scalar.",
  params: [
    { name: "x", kind: "tensor" },
    { name: "dims", kind: "dims" },
  ],
  shape(q) {
    const dims = staticDims(q.statics.dims);
    const x = arg(q, 0);
    // No sizes: a scalar, which only a one-entry tensor can become (a derivative's cotangent).
    if (!dims || (dims.length === 0 && dimValue(numel(x.shape)) !== 1)) return "`reshape` needs the new sizes: reshape(x, N, M)";
    return reshapeShape(x, dims);
  },
  ...linearRules((b, a, c) => [reshapeBack(b, c, shapeOfValue(a.inputs[0]))]),
});

/** `c` in the given shape; a scalar is its one entry (`reshape` refuses an empty size list). */
function reshapeBack(b: RuleBuilder, c: Value, dims: number[]): Value {
  if (dims.length > 0) return b.op("reshape", [c], { dims });
  const rank = shapeOfValue(c).length;
  return b.op("index", [c], { spec: Array(rank).fill("#").join(", "), bounds: Array(rank).fill(0) });
}

op({
  name: "flatten",
  kind: "layout",
  sameTypeIsIdentity: true,
  linear: "joint",
  doc: "The entries as a vector, in row-major order.",
  params: [{ name: "x", kind: "tensor" }],
  shape: (q) => tensor(arg(q, 0).dtype, [numel(arg(q, 0).shape)]),
  ...linearRules((b, a, c) => [reshapeBack(b, c, shapeOfValue(a.inputs[0]))]),
});

// ---------------------------------------------------------------------------------------
// index (subscripts) and slice

type AxisSpec =
  | { kind: "index"; at: Dim }
  | { kind: "slice"; start: Dim | null; stop: Dim | null; step: Dim | null }
  | { kind: "ellipsis" };

/** One resolved axis: `count` entries from `start` every `step`; `drop` for single indices. */
interface AxisPlan {
  start: Dim;
  count: Dim;
  step: number;
  drop: boolean;
}

/** Parses the `spec` string, taking `#` values from `bounds` in order. */
export function parseIndexSpec(spec: string, bounds: Dim[]): AxisSpec[] | string {
  let next = 0;
  const part = (text: string): Dim | null | string => {
    const t = text.trim();
    if (t === "") return null;
    if (t === "#") return next < bounds.length ? bounds[next++] : "`index` has more `#` in its spec than bounds";
    if (/^[+-]?\d+$/.test(t)) return dimConst(Number(t));
    return `\`index\` cannot read \`${t}\` in its spec \`${spec}\``;
  };
  const axes: AxisSpec[] = [];
  for (const tok of spec.trim() === "" ? [] : spec.split(",")) {
    if (tok.trim() === "...") {
      axes.push({ kind: "ellipsis" });
      continue;
    }
    const parts = tok.split(":").map(part);
    const bad = parts.find((p): p is string => typeof p === "string");
    if (bad !== undefined) return bad;
    const ds = parts as (Dim | null)[];
    if (ds.length === 1) {
      if (ds[0] === null) return `\`index\` has an empty axis in its spec \`${spec}\``;
      axes.push({ kind: "index", at: ds[0] });
    } else if (ds.length <= 3) axes.push({ kind: "slice", start: ds[0], stop: ds[1], step: ds[2] ?? null });
    else return `\`index\` cannot read \`${tok.trim()}\` in its spec \`${spec}\``;
  }
  if (next !== bounds.length) return `\`index\` has ${bounds.length} bounds but ${next} \`#\` in its spec \`${spec}\``;
  if (axes.filter((a) => a.kind === "ellipsis").length > 1) return "an index can use `...` only once";
  return axes;
}

/** A bound is negative when constant and below zero, or when its leading coefficient is. */
function isNegative(d: Dim): boolean {
  const v = dimValue(d);
  if (v !== undefined) return v < 0;
  const first = d.terms.values().next().value;
  return first !== undefined && first.num < 0;
}

function ceilDiv(len: Dim, k: number): Dim {
  const v = dimValue(len);
  if (v !== undefined) return dimConst(Math.max(0, Math.ceil(v / k)));
  const exact = dimDivConst(len, k);
  if ([...exact.terms.values()].every((c) => c.den === 1)) return exact;
  return dimDivConst(dimAdd(len, dimConst(k - 1)), k);
}

/** Python's slice.indices on concrete values: [start, count]. */
function sliceConcrete(n: number, start: number | null, stop: number | null, step: number): [number, number] {
  const [lower, upper] = step > 0 ? [0, n] : [-1, n - 1];
  const fix = (v: number | null, dflt: number): number =>
    v === null ? dflt : v < 0 ? Math.max(v + n, lower) : Math.min(v, upper);
  const s = fix(start, step > 0 ? lower : upper);
  const e = fix(stop, step > 0 ? upper : lower);
  const count = step > 0 ? Math.ceil((e - s) / step) : Math.ceil((s - e) / -step);
  return [s, Math.max(0, count)];
}

function planSlice(n: Dim, a: { start: Dim | null; stop: Dim | null; step: Dim | null }): AxisPlan | string {
  const step = a.step === null ? 1 : dimValue(a.step);
  if (step === undefined || step === 0 || !Number.isInteger(step)) {
    return `a slice step must be a non-zero constant integer, got ${a.step ? dimStr(a.step) : "?"}`;
  }
  const vals = [n, a.start, a.stop].map((d) => (d === null ? null : dimValue(d)));
  if (vals.every((v) => v !== undefined)) {
    const [s, c] = sliceConcrete(vals[0]!, vals[1] ?? null, vals[2] ?? null, step);
    return { start: dimConst(s), count: dimConst(c), step, drop: false };
  }
  const norm = (d: Dim | null): Dim | null => (d !== null && isNegative(d) ? dimAdd(n, d) : d);
  const s = norm(a.start) ?? (step > 0 ? dimConst(0) : dimSub(n, dimConst(1)));
  const e = norm(a.stop) ?? (step > 0 ? n : dimConst(-1));
  const len = step > 0 ? dimSub(e, s) : dimSub(s, e);
  return { start: s, count: Math.abs(step) === 1 ? len : ceilDiv(len, Math.abs(step)), step, drop: false };
}

function planIndex(n: Dim, at: Dim, axis: number): AxisPlan | string {
  const i = isNegative(at) ? dimAdd(n, at) : at;
  const iv = dimValue(i);
  const nv = dimValue(n);
  if (iv !== undefined && (iv < 0 || (nv !== undefined && iv >= nv) || !Number.isInteger(iv))) {
    return `index ${dimToString(at)} is out of range for axis ${axis} of size ${dimToString(n)}`;
  }
  return { start: i, count: dimConst(1), step: 1, drop: true };
}

/** Resolves a parsed subscript against a shape: one plan per axis of the tensor. */
export function planIndexing(shape: readonly Dim[], axes: AxisSpec[]): AxisPlan[] | string {
  const used = axes.filter((a) => a.kind !== "ellipsis").length;
  if (used > shape.length) return `the index has ${used} axes but the tensor has ${shape.length}`;
  const whole = { kind: "slice", start: null, stop: null, step: null } as const;
  const full: AxisSpec[] = [];
  for (const a of axes) {
    if (a.kind === "ellipsis") for (let k = 0; k < shape.length - used; k++) full.push(whole);
    else full.push(a);
  }
  while (full.length < shape.length) full.push(whole);
  const plans: AxisPlan[] = [];
  for (let i = 0; i < shape.length; i++) {
    const a = full[i];
    const p = a.kind === "index" ? planIndex(shape[i], a.at, i) : a.kind === "slice" ? planSlice(shape[i], a) : "";
    if (typeof p === "string") return p;
    plans.push(p);
  }
  return plans;
}

function indexShape(x: TensorT, q: ShapeQuery): TensorT | string {
  const spec = typeof q.statics.spec === "string" ? q.statics.spec : "";
  const axes = parseIndexSpec(spec, staticDims(q.statics.bounds) ?? []);
  if (typeof axes === "string") return axes;
  const plans = planIndexing(x.shape, axes);
  if (typeof plans === "string") return `${plans} (indexing ${show(x)})`;
  return tensor(x.dtype, plans.filter((p) => !p.drop).map((p) => p.count));
}

op({
  name: "index",
  kind: "layout",
  linear: "joint",
  doc: "Subscript `a[i, 1:N, ::2]` (NumPy semantics); see compiler/ops/layout.ts for the spec.",
  params: [
    { name: "x", kind: "tensor" },
    { name: "spec", kind: "string", doc: 'the subscript with `#` for each bound, e.g. "#, #:#, ::#"' },
    { name: "bounds", kind: "dims", default: null, doc: "the values of the `#`s in order" },
  ],
  shape: (q) => indexShape(arg(q, 0), q),
  ...linearRules((b, a, c) => [b.op("index_scatter", [c], { dims: shapeOfValue(a.inputs[0]), spec: a.statics.spec, bounds: a.statics.bounds ?? [] })]),
});

function sliceShape(x: TensorT, q: ShapeQuery): TensorT | string {
  const axis = axisStatic("slice", q, x.shape.length);
  if (typeof axis === "string") return axis;
  const n = x.shape[axis];
  const start0 = staticDim(q.statics.start);
  const size0 = staticDim(q.statics.size ?? -1);
  if (start0 === undefined || size0 === undefined) return "`slice` needs a constant start and size: slice(x, start: 1, size: N)";
  const s = isNegative(start0) ? dimAdd(n, start0) : start0;
  const z = dimValue(size0) === -1 ? dimSub(n, s) : size0;
  const [sv, zv, nv] = [dimValue(s), dimValue(z), dimValue(n)];
  if ((sv !== undefined && sv < 0) || (zv !== undefined && zv < 0)) return `\`slice\` has a negative start or size on axis ${axis}`;
  if (sv !== undefined && zv !== undefined && nv !== undefined && sv + zv > nv) {
    return `\`slice\` of ${zv} entries from ${sv} does not fit axis ${axis} of size ${nv} (in ${show(x)})`;
  }
  return tensor(x.dtype, x.shape.map((d, i) => (i === axis ? z : d)));
}

op({
  name: "slice",
  kind: "layout",
  linear: "joint",
  doc: "The `size` entries from `start` along one axis (negative start counts from the end; size -1: to the end).",
  params: [
    { name: "x", kind: "tensor" },
    { name: "start", kind: "int" },
    { name: "size", kind: "int", default: -1, doc: "how many entries; -1: to the end" },
    { name: "axis", kind: "int", default: 0 },
  ],
  shape: (q) => sliceShape(arg(q, 0), q),
  ...linearRules((b, a, c) => {
    const x = shapeOfValue(a.inputs[0]);
    const axis = concreteAxisOf(a.statics.axis, x.length);
    const n = x[axis];
    const s0 = Number(a.statics.start ?? 0);
    const start = s0 < 0 ? s0 + n : s0;
    const count = shapeOfValue(a.output)[axis];
    return [b.op("index_scatter", [c], { dims: x, spec: rangeSpec(x.length, axis), bounds: [start, start + count] })];
  }),
});

// ---------------------------------------------------------------------------------------
// concat, stack

function axisStatic(op: string, q: ShapeQuery, rank: number): number | string {
  const a = staticInt(q.statics.axis ?? 0);
  if (a === undefined) return `\`${op}\` needs a constant integer axis`;
  return normAxis(op, a, rank);
}

op({
  name: "concat",
  kind: "layout",
  linear: "joint",
  variadic: true,
  doc: "Joins two or more tensors along an existing axis (`concat(a, b, c, axis: 1)`); the other sizes must agree.",
  params: [
    { name: "a", kind: "tensor" },
    { name: "b", kind: "tensor" },
    { name: "axis", kind: "int", default: 0 },
  ],
  shape(q) {
    const [a, b] = [arg(q, 0), arg(q, 1)];
    if (a.shape.length !== b.shape.length || a.shape.length === 0) {
      return `\`concat\` needs two tensors of the same rank (at least 1): ${show(a)} and ${show(b)}`;
    }
    const axis = axisStatic("concat", q, a.shape.length);
    if (typeof axis === "string") return axis;
    const bad = a.shape.findIndex((d, i) => i !== axis && !dimEq(d, b.shape[i]));
    if (bad >= 0) return `\`concat\` along axis ${axis} needs the other sizes to agree: ${show(a)} and ${show(b)} differ on axis ${bad}`;
    return tensor(promote(a.dtype, b.dtype), a.shape.map((d, i) => (i === axis ? dimAdd(d, b.shape[i]) : d)));
  },
  ...linearRules((b, a, c) => {
    const [x, y] = a.inputs.map(shapeOfValue);
    const axis = concreteAxisOf(a.statics.axis, x.length);
    const spec = rangeSpec(x.length, axis);
    return [b.op("index", [c], { spec, bounds: [0, x[axis]] }), b.op("index", [c], { spec, bounds: [x[axis], x[axis] + y[axis]] })];
  }),
});

op({
  name: "stack",
  kind: "layout",
  linear: "joint",
  doc: "Stacks two same-shape tensors along a new axis.",
  params: [
    { name: "a", kind: "tensor" },
    { name: "b", kind: "tensor" },
    { name: "axis", kind: "int", default: 0 },
  ],
  shape(q) {
    const [a, b] = [arg(q, 0), arg(q, 1)];
    if (!shapesEqual(a.shape, b.shape)) return `\`stack\` needs two tensors of the same shape: ${show(a)} and ${show(b)}`;
    const axis = axisStatic("stack", q, a.shape.length + 1);
    if (typeof axis === "string") return axis;
    const shape = [...a.shape];
    shape.splice(axis, 0, dimConst(2));
    return tensor(promote(a.dtype, b.dtype), shape);
  },
  ...linearRules((b, a, c) => {
    const rank = shapeOfValue(a.output).length;
    const spec = pickSpec(rank, concreteAxisOf(a.statics.axis, rank));
    return [b.op("index", [c], { spec, bounds: [0] }), b.op("index", [c], { spec, bounds: [1] })];
  }),
});

// ---------------------------------------------------------------------------------------
// pad

export type PadMode = "zero" | "reflect" | "periodic";
export const PAD_MODES: readonly PadMode[] = ["zero", "reflect", "periodic"];

/** Checks pad widths against a mode on concrete sizes: reflect needs width < size. */
export function padFits(mode: PadMode, n: Dim, b: Dim, a: Dim): string | undefined {
  const [nv, bv, av] = [dimValue(n), dimValue(b), dimValue(a)];
  if ((bv ?? 0) < 0 || (av ?? 0) < 0) return "pad widths must be non-negative";
  if (nv === undefined || bv === undefined || av === undefined) return undefined;
  if (mode === "reflect" && Math.max(bv, av) > nv - 1) return `"reflect" padding by ${Math.max(bv, av)} needs a size of at least ${Math.max(bv, av) + 1}, got ${nv}`;
  if (mode === "periodic" && Math.max(bv, av) > nv) return `"periodic" padding by ${Math.max(bv, av)} needs a size of at least ${Math.max(bv, av)}, got ${nv}`;
  return undefined;
}

/** Per-axis widths from a list for the trailing axes (leading axes are not padded). */
export function alignWidths<T>(widths: T[], rank: number, zero: T): T[] {
  return [...Array<T>(rank - widths.length).fill(zero), ...widths];
}

op({
  name: "pad",
  kind: "layout",
  linear: "joint",
  doc: 'Pads the last axes on both sides, pad(u, 1, 1, mode: "reflect"): "zero", "reflect" or "periodic".',
  params: [
    { name: "x", kind: "tensor" },
    { name: "width", kind: "dims", doc: "the width on each side, one per trailing axis: pad(u, 1, 1)" },
    { name: "mode", kind: "string", default: "zero", choices: PAD_MODES },
  ],
  shape(q) {
    const x = arg(q, 0);
    const widths = staticDims(q.statics.width) ?? [];
    if (widths.length === 0) return "`pad` needs a width per padded axis: pad(u, 1, 1)";
    if (widths.length > x.shape.length) return `\`pad\` has ${widths.length} widths but ${show(x)} has ${x.shape.length} axes`;
    const mode = (q.statics.mode ?? "zero") as PadMode;
    const w = alignWidths(widths, x.shape.length, dimConst(0));
    for (let i = 0; i < x.shape.length; i++) {
      const bad = padFits(mode, x.shape[i], w[i], w[i]);
      if (bad) return `\`pad\` on axis ${i} of ${show(x)}: ${bad}`;
    }
    return tensor(x.dtype, x.shape.map((d, i) => dimAdd(d, dimAdd(w[i], w[i]))));
  },
  ...linearRules((b, a, c) => {
    if ((a.statics.mode ?? "zero") !== "zero") throw new NoRule(`the adjoint of \`pad\` with mode "${a.statics.mode}" (folding the mirrored or wrapped entries back) is not written yet; pad with "zero" where you differentiate`);
    const x = shapeOfValue(a.inputs[0]);
    const w = alignWidths((a.statics.width as number[]) ?? [], x.length, 0);
    const spec = x.map(() => "#:#").join(", ");
    return [b.op("index", [c], { spec, bounds: x.flatMap((n, i) => [w[i], w[i] + n]) })];
  }),
});

// ---------------------------------------------------------------------------------------
// broadcast, index_scatter: the adjoints of broadcasting and of subscripts, which autodiff
// needs (and which users may call: NumPy's broadcast_to, and a scatter into zeros).

op({
  name: "broadcast",
  kind: "layout",
  sameTypeIsIdentity: true,
  linear: "joint",
  doc: "x repeated to the given sizes by NumPy broadcasting: broadcast(x, N, M).",
  params: [
    { name: "x", kind: "tensor" },
    { name: "dims", kind: "dims", doc: "the sizes of the result" },
  ],
  shape(q) {
    const x = arg(q, 0);
    const dims = staticDims(q.statics.dims) ?? [];
    const out = broadcastShapes(x.shape, dims);
    if (typeof out === "string" || !shapesEqual(out, dims)) return `\`broadcast\` cannot repeat ${show(x)} to ${shapeToString(dims)}`;
    return tensor(x.dtype, dims);
  },
  ...linearRules((b, a, c) => [b.unbroadcast(c, a.inputs[0])]),
});

op({
  name: "index_scatter",
  kind: "layout",
  linear: "joint",
  doc: "Zeros of the given sizes with x placed at the entries a subscript selects: the adjoint of `index`.",
  params: [
    { name: "x", kind: "tensor" },
    { name: "dims", kind: "dims", doc: "the sizes of the result (the indexed tensor's)" },
    { name: "spec", kind: "string", doc: "the subscript, as `index` takes it" },
    { name: "bounds", kind: "dims", default: null, doc: "the values of the `#`s in order" },
  ],
  shape(q) {
    const x = arg(q, 0);
    const dims = staticDims(q.statics.dims) ?? [];
    const selected = indexShape(tensor(x.dtype, dims), { tensors: [], statics: { spec: q.statics.spec ?? "", bounds: q.statics.bounds ?? [] } });
    if (typeof selected === "string") return selected;
    if (!shapesEqual(selected.shape, x.shape)) return `\`index_scatter\` places ${show(x)}, but the subscript selects ${show(selected)}`;
    return tensor(x.dtype, dims);
  },
  ...linearRules((b, a, c) => [b.op("index", [c], { spec: a.statics.spec, bounds: a.statics.bounds ?? [] })]),
});
