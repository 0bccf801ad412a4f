// Input data given on the command line or through the API: `.npy` files, or `.json` holding
// nested arrays (`[[1, 2], [3, 4]]`) or `{ "shape": [2, 2], "data": [1, 2, 3, 4] }`.
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import type { FloatDType } from "../base/dtype.js";
import { didYouMean } from "../base/suggest.js";
import { type TensorT, typeToString } from "../compiler/types.js";
import type * as A from "../grammar/ast.js";
import { type NpyArray, type NpyDType, readNpyFile } from "./npy.js";

/** A data file iterlang cannot use: a user error whose message names the file. */
export class InputError extends Error {
  readonly isUserError = true;
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

function shapeOfNested(v: unknown, path: string): number[] {
  if (typeof v === "number" || typeof v === "boolean") return [];
  if (!Array.isArray(v)) throw new InputError(`${path}: I expected numbers or nested arrays of numbers, but found ${JSON.stringify(v)?.slice(0, 40)}.`);
  if (v.length === 0) return [0];
  const inner = shapeOfNested(v[0], path);
  for (const item of v)
    if (JSON.stringify(shapeOfNested(item, path)) !== JSON.stringify(inner)) throw new InputError(`${path}: the nested arrays are ragged (rows of different lengths).`);
  return [v.length, ...inner];
}

function flatten(v: unknown): number[] {
  if (typeof v === "number") return [v];
  if (typeof v === "boolean") return [v ? 1 : 0];
  return (v as unknown[]).flatMap(flatten);
}

export function readJsonArray(path: string, text: string): NpyArray {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const obj = value as { shape?: unknown; data?: unknown };
  const explicit = value !== null && typeof value === "object" && !Array.isArray(value);
  const shape = explicit ? obj.shape : shapeOfNested(value, path);
  const data = explicit ? obj.data : flatten(value);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new InputError(`${path}: "shape" must be a list of whole numbers.`);
  if (!Array.isArray(data) || !data.every((x) => typeof x === "number" || typeof x === "boolean"))
    throw new InputError(`${path}: "data" must be a flat list of numbers.`);
  const count = shape.reduce((a: number, b: number) => a * b, 1);
  if (data.length !== count) throw new InputError(`${path}: the shape [${shape.join(", ")}] holds ${count} numbers, but "data" has ${data.length}.`);
  const bools = data.every((x) => typeof x === "boolean");
  // Numbers stay float64 (JSON's own): a float32 run rounds them, a float64 run keeps them.
  return { dtype: bools ? "bool" : "float64", shape, data: bools ? Uint8Array.from(data as boolean[], (b) => (b ? 1 : 0)) : Float64Array.from(data as number[]) };
}

export async function readInputFile(path: string): Promise<NpyArray> {
  const ext = extname(path).toLowerCase();
  if (ext === ".npy") return readNpyFile(path);
  if (ext === ".json") {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new InputError(`I can't read ${path}: ${(e as Error).message}`);
    }
    return readJsonArray(path, text);
  }
  throw new InputError(`${path}: inputs are read from .npy or .json files, not \`${ext || "(no extension)"}\`.`);
}

/** `--input f=path` → ["f", "path"]. */
export function parseInputFlag(item: string): [string, string] {
  const m = /^([A-Za-z_][\w]*)=(.+)$/.exec(item);
  if (!m) throw new InputError(`\`--input ${item}\` is not of the form NAME=FILE (e.g. \`--input f=f.npy\`).`);
  return [m[1], m[2]];
}

/** Data given for an input the program does not declare: said first, with a did-you-mean. */
export function checkInputNames(program: A.Program | undefined, given: ReadonlyMap<string, NpyArray>): void {
  if (given.size === 0 || !program) return;
  const declared = program.decls.flatMap((d) => (d.kind === "Input" ? [d.name.name] : []));
  for (const name of given.keys()) {
    if (declared.includes(name)) continue;
    const hint = didYouMean(name, declared);
    throw new InputError(`The program has no input \`${name}\`${hint ? `; ${hint}` : declared.length ? `; its inputs are ${declared.map((d) => `\`${d}\``).join(", ")}.` : " (it declares none)."}`);
  }
}

/** The .npy dtype a run stores a value of this type in (`f32` at the run's precision). */
export function npyDTypeOf(type: TensorT, precision: FloatDType): NpyDType {
  if (type.dtype === "f64" || (type.dtype === "f32" && precision === "f64")) return "float64";
  return type.dtype === "f32" ? "float32" : type.dtype === "i32" ? "int32" : "bool";
}

const isFloatData = (d: NpyDType) => d === "float32" || d === "float64";

/**
 * The data for an input in the dtype the run stores it in. Floats convert between float32 and
 * float64 (a float32 run rounds float64 data, as it rounds everything it computes; a float64
 * run keeps it exactly); whole numbers given as floats (JSON has no integers) become int32 for
 * an `i32` input; any other difference is the user's to fix.
 */
export function conformInput(name: string, arr: NpyArray, type: TensorT, precision: FloatDType): NpyArray {
  const want = npyDTypeOf(type, precision);
  if (arr.dtype === want) return arr;
  if (want === "float32" && isFloatData(arr.dtype)) return { dtype: want, shape: arr.shape, data: Float32Array.from(arr.data) };
  if (want === "float64" && isFloatData(arr.dtype)) return { dtype: want, shape: arr.shape, data: Float64Array.from(arr.data) };
  if (want === "int32" && isFloatData(arr.dtype) && arr.data.every((x) => Number.isInteger(x) && Math.abs(x) < 2 ** 31))
    return { dtype: "int32", shape: arr.shape, data: Int32Array.from(arr.data) };
  throw new InputError(`The data given for \`${name}\` holds ${arr.dtype} values, but \`${name}\` is declared as ${typeToString(type)} (${want}).`);
}
