// The types the checker infers and the IR carries. Shapes are lists of symbolic Dims; in the
// specialised IR every Dim is a constant.
import type { DType } from "../grammar/ast.js";
import { type Dim, dimConst, dimEq, dimToString, dimValue } from "./shapes.js";

export interface TensorT {
  tag: "tensor";
  dtype: DType;
  shape: Dim[];
}

export interface TupleT {
  tag: "tuple";
  items: Type[];
}

/** An operator value: a declared `op`, a lambda or a builtin, specialised at each call. */
export interface OpT {
  tag: "op";
  name: string;
}

export interface StringT {
  tag: "string";
}

/** The convergence report of a loop, fixpoint, solve or minimize. */
export interface ReportT {
  tag: "report";
}

export type Type = TensorT | TupleT | OpT | StringT | ReportT;

export const tensor = (dtype: DType, shape: Dim[]): TensorT => ({ tag: "tensor", dtype, shape });
export const scalar = (dtype: DType = "f32"): TensorT => tensor(dtype, []);
export const shapeOf = (...sizes: number[]): Dim[] => sizes.map(dimConst);

export function shapeToString(shape: readonly Dim[]): string {
  return `[${shape.map(dimToString).join(", ")}]`;
}

export function typeToString(t: Type): string {
  switch (t.tag) {
    case "tensor":
      return t.shape.length === 0 ? t.dtype : `${t.dtype}${shapeToString(t.shape)}`;
    case "tuple":
      return `(${t.items.map(typeToString).join(", ")})`;
    case "op":
      return `op ${t.name}`;
    case "string":
      return "string";
    case "report":
      return "report";
  }
}

export function shapesEqual(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => dimEq(d, b[i]));
}

export function typesEqual(a: Type, b: Type): boolean {
  if (a.tag === "tensor" && b.tag === "tensor") return a.dtype === b.dtype && shapesEqual(a.shape, b.shape);
  if (a.tag === "tuple" && b.tag === "tuple")
    return a.items.length === b.items.length && a.items.every((t, i) => typesEqual(t, b.items[i]));
  if (a.tag === "op" && b.tag === "op") return a.name === b.name;
  return a.tag === b.tag;
}

/** NumPy broadcasting of two shapes, or an error message naming both. */
export function broadcastShapes(a: readonly Dim[], b: readonly Dim[]): Dim[] | string {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i];
    const db = b[b.length - n + i];
    if (da === undefined) out.push(db);
    else if (db === undefined) out.push(da);
    else if (dimEq(da, db) || dimValue(db) === 1) out.push(da);
    else if (dimValue(da) === 1) out.push(db);
    else return `the shapes ${shapeToString(a)} and ${shapeToString(b)} do not broadcast (${dimToString(da)} vs ${dimToString(db)})`;
  }
  return out;
}

/** The number of elements, when the shape is concrete. */
export function sizeOf(shape: readonly Dim[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    const v = dimValue(d);
    if (v === undefined) return undefined;
    n *= v;
  }
  return n;
}

/** The concrete sizes of a specialised shape; a symbolic size here is a compiler bug. */
export function concreteShape(shape: readonly Dim[]): number[] {
  return shape.map((d) => {
    const v = dimValue(d);
    if (v === undefined) throw new Error(`internal error: shape ${shapeToString(shape)} is not concrete`);
    return v;
  });
}
