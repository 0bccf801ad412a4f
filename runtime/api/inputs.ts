// The data `run` is given for a program's inputs, as the arrays the executor takes. What does
// not fit (not an array, a shape that does not hold the data, data without a shape for an input
// whose shape is not known yet) is a `bad-input` diagnostic at the input's declaration; whether
// the shape fits the declaration is the checker's to say, as for `iterc run --input`.
import type * as A from "../../grammar/ast.js";
import type { Diagnostic } from "../../base/diagnostics.js";
import type { NpyArray } from "../npy.js";
import type { InputValue } from "./types.js";

export interface ReadInputs {
  arrays: Map<string, NpyArray>;
  diagnostics: Diagnostic[];
}

/** The concrete shape an input is declared with, when every size in it is known. */
export type DeclaredShape = (name: string) => number[] | undefined;

type Flat = Pick<NpyArray, "dtype" | "data">;

export function readInputs(program: A.Program, given: Readonly<Record<string, InputValue>>, declaredShape: DeclaredShape): ReadInputs {
  const arrays = new Map<string, NpyArray>();
  const diagnostics: Diagnostic[] = [];
  for (const [name, value] of Object.entries(given)) {
    const decl = program.decls.find((d): d is A.InputDecl => d.kind === "Input" && d.name.name === name);
    const read = readOne(name, value, decl, declaredShape);
    if (typeof read !== "string") arrays.set(name, read);
    else diagnostics.push({ severity: "error", code: "bad-input", message: read, file: program.file, span: decl?.span ?? program.span });
  }
  return { arrays, diagnostics };
}

/** The array, or what is wrong with the value. */
function readOne(name: string, value: InputValue, decl: A.InputDecl | undefined, declaredShape: DeclaredShape): NpyArray | string {
  const shaped = isShaped(value);
  const flat = flatten(name, shaped ? value.data : value);
  if (typeof flat === "string") return flat;
  const n = flat.data.length;
  if (shaped) {
    const shape = value.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) return `The shape given for \`${name}\` must be a list of whole numbers ≥ 0, not ${JSON.stringify(shape)}.`;
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    if (count !== n) return `The shape [${shape.join(", ")}] given for \`${name}\` holds ${count} number${count === 1 ? "" : "s"}, but its data has ${n}.`;
    return { ...flat, shape: [...shape] };
  }
  // No shape given: the declaration's, when it is known (an undeclared name is the checker's to report).
  const rank = decl?.type.kind === "TensorType" ? (decl.type.shape?.length ?? 0) : 1;
  const shape = rank === 1 ? [n] : rank === 0 ? [] : declaredShape(name);
  if (!shape) return `The data for \`${name}\` came without a shape, and its declared shape is not known before it: give \`{ shape: [...], data }\`.`;
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== n) return `\`${name}\` is declared with shape [${shape.join(", ")}], which holds ${count} number${count === 1 ? "" : "s"}, but its data has ${n}.`;
  return { ...flat, shape };
}

function isShaped(v: InputValue): v is Extract<InputValue, { shape: readonly number[] }> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && "data" in v;
}

/**
 * A typed array or an array of numbers or booleans as float32, float64, int32 or bool data.
 * Float64 data (and plain numbers, JavaScript's float64) stay float64 until the run knows what
 * it computes the input in: a float32 run rounds them, a float64 run keeps them (conformInput).
 */
function flatten(name: string, data: unknown): Flat | string {
  if (data instanceof Float32Array) return { dtype: "float32", data };
  if (data instanceof Int32Array) return { dtype: "int32", data };
  if (data instanceof Float64Array) return { dtype: "float64", data };
  if (data instanceof Uint8Array) {
    if (data.every((b) => b <= 1)) return { dtype: "bool", data };
    return `A Uint8Array is read as bool data (0 or 1), but the one given for \`${name}\` holds other values: give a Float32Array or an Int32Array.`;
  }
  if (Array.isArray(data)) {
    if (data.every((x) => typeof x === "number")) return { dtype: "float64", data: Float64Array.from(data) };
    if (data.every((x) => typeof x === "boolean")) return { dtype: "bool", data: Uint8Array.from(data, (b) => (b ? 1 : 0)) };
    return `The data given for \`${name}\` must be numbers or booleans, all of one kind (a flat array; give nested data as \`{ shape, data }\`).`;
  }
  return `The data given for \`${name}\` must be a Float32Array, an Int32Array, an array of numbers, or \`{ shape, data }\`.`;
}
