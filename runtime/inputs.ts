// Input data given on the command line or through the API: `.npy` files, or `.json` holding
// nested arrays (`[[1, 2], [3, 4]]`) or `{ "shape": [2, 2], "data": [1, 2, 3, 4] }`.
import { MAX_JSON_BYTES, readRegularFile } from "./fs/read-file.js";
import { extname } from "node:path";
import { type NpyArray, readNpyFile } from "./npy.js";

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
  return { dtype: bools ? "bool" : "float32", shape, data: bools ? Uint8Array.from(data as boolean[], (b) => (b ? 1 : 0)) : Float32Array.from(data as number[]) };
}

export async function readInputFile(path: string): Promise<NpyArray> {
  const ext = extname(path).toLowerCase();
  if (ext === ".npy") return readNpyFile(path);
  if (ext === ".json") {
    let text: string;
    try {
      text = readRegularFile(path, MAX_JSON_BYTES, "a .json input").toString("utf8");
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
