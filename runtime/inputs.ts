// Input data given on the command line or through the API: `.npy` files, or `.json` holding
// nested arrays (`[[1, 2], [3, 4]]`) or `{ "shape": [2, 2], "data": [1, 2, 3, 4] }`.
//
// Nested JSON is measured level by level, without recursion: each level is one pass over its
// items, so the work is linear in the size of the file whatever its depth, and a message says
// where the data broke (`[3][1]`).
import { extname } from "node:path";
import type { FloatDType } from "../base/dtype.js";
import { didYouMean } from "../base/suggest.js";
import { type TensorT, typeToString } from "../compiler/types.js";
import type * as A from "../grammar/ast.js";
import { FileRefusal, MAX_JSON_BYTES, MAX_NPY_BYTES, readRegularFile } from "./fs/read-file.js";
import { indexOf, MAX_RANK, type NpyArray, type NpyDType, NpyError, readNpy } from "./npy.js";

/** A data file iterlang cannot use: a user error whose message names the file (and the input). */
export class InputError extends Error {
  readonly isUserError = true;
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "InputError";
  }
}

/** What is wrong with the data itself; the reader adds the file and the input. */
class DataError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** `[3][1]`: the JSON path of flat item `i` of a level whose arrays so far have shape `shape`. */
function jsonPath(i: number, shape: readonly number[]): string {
  if (shape.length === 0) return "the top level";
  const parts = indexOf(i, shape).replace(/^\[|\]$/g, "").split(", ").map((k) => `[${k}]`);
  return parts.length <= 8 ? parts.join("") : `${parts.slice(0, 3).join("")}…${parts.slice(-2).join("")} (${parts.length} levels)`;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** The shape of regular nested arrays and their leaves in order, level by level. */
function nestedShape(root: unknown): { shape: number[]; leaves: unknown[] } {
  const shape: number[] = [];
  let level: unknown[] = [root];
  while (level.length > 0 && Array.isArray(level[0])) {
    if (shape.length === MAX_RANK)
      throw new DataError(`the arrays nest deeper than ${MAX_RANK} levels (at ${jsonPath(0, shape)})`, "an input has at most 32 axes; is the file what you meant?");
    const len = (level[0] as unknown[]).length;
    const next: unknown[] = [];
    for (let i = 0; i < level.length; i++) {
      const item = level[i];
      if (!Array.isArray(item)) throw new DataError(`at ${jsonPath(i, shape)} I expected an array, as at ${jsonPath(0, shape)}, but found ${describe(item)}`, "the nested arrays must be regular: every row the same length, every entry a number.");
      if (item.length !== len)
        throw new DataError(`the arrays are ragged: ${jsonPath(i, shape)} has ${item.length} item${item.length === 1 ? "" : "s"}, but ${jsonPath(0, shape)} has ${len}`, "every row must have the same length.");
      for (const x of item) next.push(x);
    }
    shape.push(len);
    level = next;
  }
  return { shape, leaves: level };
}

/** Leaves as float32 (numbers) or bool (true/false), never a mix; `where(i)` names leaf i. */
function leavesToData(leaves: readonly unknown[], where: (i: number) => string): Pick<NpyArray, "dtype" | "data"> {
  const bools = leaves.length > 0 && typeof leaves[0] === "boolean";
  // Numbers stay float64 (JSON's own): a float32 run rounds them (conformInput), a float64 run keeps them.
  const data = bools ? new Uint8Array(leaves.length) : new Float64Array(leaves.length);
  for (let i = 0; i < leaves.length; i++) {
    const v = leaves[i];
    if (bools ? typeof v !== "boolean" : typeof v !== "number")
      throw new DataError(
        `at ${where(i)} I expected ${bools ? "true or false, as at the first entry" : "a number"}, but found ${describe(v)}`,
        "entries are all numbers, or all true/false; nested arrays must be regular.",
      );
    data[i] = v === true ? 1 : v === false ? 0 : (v as number);
  }
  return { dtype: bools ? "bool" : "float64", data };
}

/** `{ "shape": [...], "data": [...] }` */
function explicitArray(obj: { shape?: unknown; data?: unknown }): NpyArray {
  const { shape, data } = obj;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new DataError(`"shape" must be a list of whole numbers`, 'write `{"shape": [2, 3], "data": [1, 2, 3, 4, 5, 6]}`.');
  if (shape.length > MAX_RANK) throw new DataError(`"shape" has ${shape.length} axes; I read at most ${MAX_RANK}`);
  if (!Array.isArray(data)) throw new DataError(`"data" must be a flat list of numbers`);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new DataError(`the shape [${shape.join(", ")}] holds ${count} numbers, but "data" has ${data.length}`);
  return { shape: shape as number[], ...leavesToData(data, (i) => `"data"[${i}]`) };
}

/** Decodes the text of a .json input; throws DataError. */
function decodeJson(text: string): NpyArray {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataError(`it is not valid JSON (${(e as Error).message})`);
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return explicitArray(value as { shape?: unknown; data?: unknown });
  const { shape, leaves } = nestedShape(value);
  return { shape, ...leavesToData(leaves, (i) => jsonPath(i, shape)) };
}

/** The array in a .json file's text. Throws InputError naming `path`. */
export function readJsonArray(path: string, text: string): NpyArray {
  try {
    return decodeJson(text);
  } catch (e) {
    if (e instanceof DataError) throw new InputError(`${path}: ${e.message}.`, e.hint);
    throw e;
  }
}

function readData(path: string): NpyArray {
  const ext = extname(path).toLowerCase();
  if (ext === ".npy") return readNpy(readRegularFile(path, MAX_NPY_BYTES, "a .npy input"));
  if (ext === ".json") return decodeJson(readRegularFile(path, MAX_JSON_BYTES, "a .json input").toString("utf8"));
  throw new DataError(`inputs are read from .npy or .json files, not \`${ext || "(no extension)"}\``, "save the array with np.save (`.npy`), or as nested arrays in a `.json` file.");
}

/**
 * The data for the input `name` from `path` (.npy or .json), refused with an InputError that
 * names the input and the file when it cannot be used: unreadable, malformed, truncated,
 * followed by other bytes, ragged, not numbers, or empty. (Float data are kept in float64 until the
 * run knows what it computes the input in: conformInput.)
 */
export function readInput(name: string, path: string): NpyArray {
  const where = `I can't use ${path} for the input \`${name}\``;
  let array: NpyArray;
  try {
    array = readData(path);
  } catch (e) {
    if (e instanceof DataError || e instanceof FileRefusal) throw new InputError(`${where}: ${e.message}.`, e.hint);
    if (e instanceof NpyError) throw new InputError(`${where}: ${e.message}.`);
    throw e;
  }
  if (array.data.length === 0) throw new InputError(`${where}: it holds no values (shape [${array.shape.join(", ")}]).`, "an input needs at least one value.");
  return array;
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

/** Float data rounded to float32; a finite value beyond float32's range would silently become ±Inf. */
function toFloat32(name: string, arr: NpyArray): Float32Array {
  const out = Float32Array.from(arr.data);
  for (let i = 0; i < out.length; i++)
    if (!Number.isFinite(out[i]) && Number.isFinite(arr.data[i]))
      throw new InputError(`The data given for \`${name}\` holds ${arr.data[i]} at ${indexOf(i, arr.shape)}, beyond float32's range (±3.4e38), and \`${name}\` is computed in float32.`, "scale the data, or compute in float64 (declare it `f64`, or run with `--backend native --precision f64`).");
  return out;
}

/**
 * The data for an input in the dtype the run stores it in. Floats convert between float32 and
 * float64 (a float32 run rounds float64 data, as it rounds everything it computes; a float64
 * run keeps it exactly); whole numbers given as floats (JSON has no integers) become int32 for
 * an `i32` input; any other difference is the user's to fix.
 */
export function conformInput(name: string, arr: NpyArray, type: TensorT, precision: FloatDType): NpyArray {
  const want = npyDTypeOf(type, precision);
  if (arr.dtype === want) return arr;
  if (want === "float32" && isFloatData(arr.dtype)) return { dtype: want, shape: arr.shape, data: toFloat32(name, arr) };
  if (want === "float64" && isFloatData(arr.dtype)) return { dtype: want, shape: arr.shape, data: Float64Array.from(arr.data) };
  if (want === "int32" && isFloatData(arr.dtype) && arr.data.every((x) => Number.isInteger(x) && Math.abs(x) < 2 ** 31))
    return { dtype: "int32", shape: arr.shape, data: Int32Array.from(arr.data) };
  throw new InputError(`The data given for \`${name}\` holds ${arr.stored ?? arr.dtype} values, but \`${name}\` is declared as ${typeToString(type)} (${want}).`);
}
