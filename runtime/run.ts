// Compile and run a program on tfjs: what `iterc run` and the `run()` API do.
import { type CompileOptions, compileSource } from "../compiler/compile.js";
import { parse } from "../grammar/parse.js";
import type { Diagnostic } from "../compiler/diagnostics.js";
import { didYouMean } from "../compiler/suggest.js";
import { type TensorT, typeToString } from "../compiler/types.js";
import { type BackendName, selectBackend } from "./backend.js";
import { InputError } from "./inputs.js";
import { TfjsInterpreter } from "./interpreter.js";
import type { NpyArray } from "./npy.js";
import { finalizeReport, type Report } from "./report.js";

export interface RunOptions extends Omit<CompileOptions, "inputShapes"> {
  backend?: BackendName;
  /** Input data by input name. */
  inputs?: ReadonlyMap<string, NpyArray>;
}

export interface ExportedValue {
  name: string;
  dtype: "float32" | "int32" | "bool";
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export interface RunOutput {
  diagnostics: Diagnostic[];
  backend?: { name: string; description: string };
  sizes?: Map<string, number>;
  exports: ExportedValue[];
  reports: Report[];
}

const DTYPE = { f32: "float32", i32: "int32", bool: "bool" } as const;

/**
 * Data given for an input the program does not declare: said first, with a did-you-mean.
 * Returns the inputs declared without a default and given no data.
 */
function checkInputNames(source: string, options: RunOptions, given: ReadonlyMap<string, NpyArray>): string[] {
  const { program, diagnostics } = parse(source, options.file ?? "<input>");
  if (diagnostics.some((d) => d.severity === "error")) return [];
  const inputs = program.decls.flatMap((d) => (d.kind === "Input" ? [d] : []));
  const declared = inputs.map((d) => d.name.name);
  for (const name of given.keys()) {
    if (declared.includes(name)) continue;
    const hint = didYouMean(name, declared);
    throw new InputError(`The program has no input \`${name}\`${hint ? `; ${hint}` : declared.length ? `; its inputs are ${declared.map((d) => `\`${d}\``).join(", ")}.` : " (it declares none)."}`);
  }
  return inputs.filter((d) => d.default === null && !given.has(d.name.name)).map((d) => d.name.name);
}

/**
 * Inputs without data: said with the flag to give, unless the checker found other mistakes
 * first (only what lowering reports, such as a shape without sizes, is the missing data's fault).
 */
function requireInputs(missing: readonly string[], diagnostics: readonly Diagnostic[]): void {
  if (missing.length === 0 || diagnostics.some((d) => d.severity === "error" && d.code !== "specialise")) return;
  throw new InputError(
    `The program needs data for ${missing.length === 1 ? "the input" : "the inputs"} ${missing.map((m) => `\`${m}\``).join(", ")}.`,
    `give ${missing.map((m) => `\`--input ${m}=FILE\``).join(" ")} (a .npy or .json file).`,
  );
}

/**
 * The data for an input in its declared dtype. Whole numbers given as float32 (JSON has no
 * integers) become int32 for an `i32` input; any other difference is the user's to fix.
 */
function conformInput(name: string, arr: NpyArray, type: TensorT): NpyArray {
  const want = DTYPE[type.dtype];
  if (arr.dtype === want) return arr;
  if (want === "int32" && arr.dtype === "float32" && arr.data.every((x) => Number.isInteger(x) && Math.abs(x) < 2 ** 31))
    return { dtype: "int32", shape: arr.shape, data: Int32Array.from(arr.data) };
  throw new InputError(`The data given for \`${name}\` holds ${arr.stored ?? arr.dtype} values, but \`${name}\` is declared as ${typeToString(type)} (${want}).`);
}

export async function runSource(source: string, options: RunOptions = {}): Promise<RunOutput> {
  const given = options.inputs ?? new Map<string, NpyArray>();
  const missing = checkInputNames(source, options, given);
  const inputShapes = new Map([...given].map(([k, v]) => [k, v.shape]));
  const compiled = compileSource(source, { ...options, inputShapes });
  requireInputs(missing, compiled.diagnostics);
  if (!compiled.module || !compiled.lowered) return { diagnostics: compiled.diagnostics, exports: [], reports: [] };
  const data = new Map([...given].map(([name, arr]) => [name, conformInput(name, arr, compiled.lowered!.inputs.find((d) => d.name === name)!.type)]));
  const backend = await selectBackend(options.backend ?? "auto");
  const tf = backend.tf;
  const tensors = new Map([...data].map(([k, v]) => [k, tf.tensor(v.data, v.shape, v.dtype)]));
  try {
    const result = new TfjsInterpreter(tf).run(compiled.module, tensors);
    const exports: ExportedValue[] = [];
    for (const [name, t] of result.exports) {
      const data = t.dataSync();
      exports.push({ name, dtype: t.dtype as ExportedValue["dtype"], shape: [...t.shape], data: data.slice() as ExportedValue["data"] });
    }
    for (const t of new Set(result.exports.values())) if (!t.isDisposed) t.dispose();
    return { diagnostics: compiled.diagnostics, backend: { name: backend.name, description: backend.description }, sizes: compiled.lowered.sizes, exports, reports: result.reports.map(finalizeReport) };
  } finally {
    for (const t of tensors.values()) if (!t.isDisposed) t.dispose();
  }
}

