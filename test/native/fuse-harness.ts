// Shared by the region fuser's tests: the construct regions of an example (compiled at small
// sizes), random arguments for a region, and the comparison of the fused run with the plain-TS
// evaluation of the same region.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileSource } from "../../compiler/compile.js";
import { type Attr, isConstruct, namedRegions, type Region, type Value, walkOps } from "../../compiler/ir/ir.js";
import { freeInRegion } from "../../compiler/ir/free.js";
import { dimValue } from "../../compiler/shapes.js";
import type { NativeArray } from "../../runtime/native/array.js";
import type { Precision } from "../../runtime/native/fused.js";
import { type Arr, evalRegion } from "./ir-eval.js";
import { rng } from "./reference.js";

export interface NamedRegion {
  /** "example.iter: label.region" */
  name: string;
  region: Region;
  constants: Map<number, Attr>;
  /** Every value of main by id (types of captured values). */
  types: Map<number, Value>;
}

const ROOT = join(import.meta.dirname, "..", "..");

export function exampleRegions(file: string, sizes: Record<string, number>): NamedRegion[] {
  const path = join(ROOT, file);
  return sourceRegions(readFileSync(path, "utf8"), path, sizes);
}

/** The construct regions of a program given as source (`file` names it in the regions' names). */
export function sourceRegions(source: string, file: string, sizes: Record<string, number> = {}): NamedRegion[] {
  const c = compileSource(source, { file, sizes: new Map(Object.entries(sizes)) });
  const main = c.module?.funcs.get("main");
  if (!main) throw new Error(`${file}: ${c.diagnostics.map((d) => d.message).join("; ")}`);
  const constants = new Map<number, Attr>();
  const types = new Map<number, Value>();
  for (const op of walkOps(main.body)) {
    if (op.kind === "const") constants.set(op.outputs[0].id, op.value);
    for (const o of op.outputs) types.set(o.id, o);
  }
  const out: NamedRegion[] = [];
  for (const op of walkOps(main.body)) {
    if (!isConstruct(op)) continue;
    for (const [name, region] of namedRegions(op)) {
      for (const p of region.params) types.set(p.id, p);
      out.push({ name: `${file.split("/").pop()}: ${op.label}.${name}`, region, constants, types });
    }
  }
  return out;
}

const shape = (v: Value): number[] => v.type.shape.map((d) => dimValue(d)!);

/** Seeded arguments: tensors uniform in [-1, 1), scalars in [0.5, 1.5) (positive: guards pass), bools 0/1. */
export function randomArgs(values: readonly Value[], seed: number): Arr[] {
  const r = rng(seed);
  return values.map((v) => {
    const s = shape(v);
    const n = s.reduce((a, b) => a * b, 1);
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (v.type.dtype === "bool") data[i] = r() < 0.5 ? 1 : 0;
      else if (v.type.dtype === "i32") data[i] = Math.floor(r() * 4);
      else data[i] = s.length === 0 ? 0.5 + r() : 2 * r() - 1;
    }
    return { shape: s, data };
  });
}

/** The values a region captures that are not constants, in the fuser's order. */
export function capturedValues(nr: NamedRegion, captures: readonly number[]): Value[] {
  return captures.map((id) => {
    const v = nr.types.get(id);
    if (!v) throw new Error(`no type for captured %${id}`);
    return v;
  });
}

export const toNative = (a: Arr, precision: Precision, v: Value): NativeArray => {
  if (v.type.dtype === "bool") return { dtype: "bool", shape: a.shape, data: Uint8Array.from(a.data) };
  if (v.type.dtype === "i32") return { dtype: "i32", shape: a.shape, data: Int32Array.from(a.data) };
  return { dtype: precision, shape: a.shape, data: precision === "f32" ? Float32Array.from(a.data) : Float64Array.from(a.data) };
};

/** The reference evaluation's environment: constants and the captured values given. */
export function referenceEnv(nr: NamedRegion, captures: readonly number[], values: readonly Arr[], round: (x: number) => number): Map<number, Arr> {
  const env = new Map<number, Arr>();
  for (const id of freeInRegion(nr.region)) {
    const c = nr.constants.get(id);
    if (c === undefined) continue;
    const v = nr.types.get(id)!;
    const s = shape(v);
    const flat: number[] = [];
    const walk = (a: Attr): void => {
      if (Array.isArray(a)) a.forEach(walk);
      else if (typeof a === "number") flat.push(a);
      else if (typeof a === "boolean") flat.push(a ? 1 : 0);
    };
    walk(c);
    const n = s.reduce((a, b) => a * b, 1);
    env.set(id, { shape: s, data: (flat.length === 1 && n > 1 ? new Float64Array(n).fill(flat[0]) : Float64Array.from(flat)).map(round) });
  }
  captures.forEach((id, k) => env.set(id, values[k]));
  return env;
}

/** max |a − b| / (1 + max |b|): an error relative to the result's scale (equal non-finite values agree). */
export function scaledError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < want.length; i++) if (Number.isFinite(want[i])) scale = Math.max(scale, Math.abs(want[i]));
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    if (Object.is(got[i], want[i]) || got[i] === want[i] || (Number.isNaN(got[i]) && Number.isNaN(want[i]))) continue;
    const d = Math.abs(got[i] - want[i]);
    err = Math.max(err, Number.isFinite(d) ? d : Infinity);
  }
  return err / (1 + scale);
}

export { evalRegion };
