// The boundary of a generated module: what its caller gives is checked against its signature
// before anything runs — every input present (or defaulted), none unknown, each of the declared
// dtype, rank and shape — and a mistake is an InputError naming the input, the shape expected
// and the shape given.
import { didYouMean } from "../../base/suggest.js";
import type { ArrayOf, DType, InputSpec, NDArray, Signature, ValueSpec } from "./types.js";

/** Data given to a generated module that does not fit its signature. */
export class InputError extends Error {
  readonly isUserError = true;
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

const ARRAY_CLASS: { [D in DType]: new (n: number) => ArrayOf[D] } = { f32: Float32Array, i32: Int32Array, bool: Uint8Array };

export const typeText = (v: Pick<ValueSpec, "dtype" | "shape">): string => `${v.dtype}[${v.shape.join(", ")}]`;

const shapeText = (shape: readonly unknown[]): string => `[${shape.map((d) => String(d)).join(", ")}]`;

/** The inputs given, by name, each checked; absent optional ones are left out. */
export function checkInputs(sig: Signature, given: unknown): Map<string, NDArray> {
  const where = `the module compiled from ${sig.file}`;
  if (given !== undefined && (given === null || typeof given !== "object" || Array.isArray(given)))
    throw new InputError(`The inputs of ${where} are given as one object keyed by input name, not as ${given === null ? "null" : Array.isArray(given) ? "an array" : typeof given}.`);
  const record = (given ?? {}) as Record<string, unknown>;
  const names = sig.inputs.map((i) => i.name);
  for (const name of Object.keys(record)) {
    if (names.includes(name)) continue;
    const hint = didYouMean(name, names);
    throw new InputError(`${where} has no input \`${name}\`${hint ? `; ${hint}` : names.length ? `; its inputs are ${names.map((n) => `\`${n}\``).join(", ")}.` : " (it takes none)."}`);
  }
  const out = new Map<string, NDArray>();
  for (const spec of sig.inputs) {
    const value = Object.prototype.hasOwnProperty.call(record, spec.name) ? record[spec.name] : undefined;
    if (value === undefined) {
      if (!spec.optional) throw new InputError(`The input \`${spec.name}\` (${typeText(spec)}) of ${where} is missing.`);
      continue;
    }
    out.set(spec.name, checkInput(spec, value));
  }
  return out;
}

function checkInput(spec: InputSpec, value: unknown): NDArray {
  const expected = `\`${spec.name}\` should be ${typeText(spec)}`;
  if (value === null || typeof value !== "object" || !("shape" in value) || !("data" in value))
    throw new InputError(`The input ${expected}, given as { shape: [${spec.shape.join(", ")}], data: ${ARRAY_CLASS[spec.dtype].name} }; it was given ${describe(value)}.`);
  const { shape, data } = value as { shape: unknown; data: unknown };
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new InputError(`The input ${expected}, but its shape is ${describe(shape)}, not a list of sizes.`);
  if (shape.length !== spec.shape.length || shape.some((d, i) => d !== spec.shape[i]))
    throw new InputError(`The input ${expected}, shape [${spec.shape.join(", ")}], but it was given shape ${shapeText(shape)}.`);
  if (!(data instanceof ARRAY_CLASS[spec.dtype]))
    throw new InputError(`The input ${expected}: its data should be a ${ARRAY_CLASS[spec.dtype].name}, but it is ${describe(data)}.`);
  const count = spec.shape.reduce((a, b) => a * b, 1);
  if ((data as ArrayOf[DType]).length !== count)
    throw new InputError(`The input ${expected}: shape [${spec.shape.join(", ")}] holds ${count} values, but its data has ${(data as ArrayOf[DType]).length}.`);
  return { shape: spec.shape, data: data as ArrayOf[DType] };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === "object") return "an object without `shape` and `data`";
  return `a ${typeof v}`;
}
