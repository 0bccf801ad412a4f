// Compile and run a program on tfjs: what `iterc run` and the `run()` API do.
import type * as A from "../grammar/ast.js";
import { checkSource, compileChecked, type CompileOptions } from "../compiler/compile.js";
import type { Diagnostic } from "../base/diagnostics.js";
import { didYouMean } from "../base/suggest.js";
import { type TensorT, typeToString } from "../compiler/types.js";
import { type BackendName, selectBackend } from "./tfjs/backend.js";
import { InputError } from "./inputs.js";
import { backendLimit, memoryLimit } from "./limits.js";
import { formatBytes, type MemoryLimit } from "../compiler/check/memory.js";
import type { ExecutionResult } from "./interpreter.js";
import { TfjsInterpreter } from "./tfjs/interpreter.js";
import { BackwardFailure } from "./constructs.js";
import type { NpyArray } from "./npy.js";
import type { Report } from "./report.js";

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
  /** Set when the run stopped before its exports: a gradient's adjoint did not converge. */
  stopped?: string;
  backend?: { name: string; description: string };
  sizes?: Map<string, number>;
  exports: ExportedValue[];
  reports: Report[];
  /** The most tensor memory the run held at once (bytes, sampled after every op). */
  peakBytes?: number;
}

const DTYPE = { f32: "float32", i32: "int32", bool: "bool" } as const;

/** Data given for an input the program does not declare: said first, with a did-you-mean. */
function checkInputNames(program: A.Program | undefined, given: ReadonlyMap<string, NpyArray>): void {
  if (given.size === 0 || !program) return;
  const declared = program.decls.flatMap((d) => (d.kind === "Input" ? [d.name.name] : []));
  for (const name of given.keys()) {
    if (declared.includes(name)) continue;
    const hint = didYouMean(name, declared);
    throw new InputError(`The program has no input \`${name}\`${hint ? `; ${hint}` : declared.length ? `; its inputs are ${declared.map((d) => `\`${d}\``).join(", ")}.` : " (it declares none)."}`);
  }
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
  throw new InputError(`The data given for \`${name}\` holds ${arr.dtype} values, but \`${name}\` is declared as ${typeToString(type)} (${want}).`);
}

/** A run that needed more memory than the estimate foresaw (temporaries), said as such. */
export class OutOfMemoryError extends Error {
  readonly isUserError = true;
  constructor(message: string) {
    super(message);
    this.name = "OutOfMemoryError";
  }
}

/** The messages with which tfjs, V8 and WebAssembly report an allocation they could not make. */
const ALLOCATION_FAILED = /Aborted\(\)|Array buffer allocation failed|Invalid typed array length|out of memory|Cannot enlarge memory/i;

function outOfMemoryAsUserError<T>(run: () => T, backend: string, limit: MemoryLimit): T {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof Error) || !ALLOCATION_FAILED.test(e.message)) throw e;
    throw new OutOfMemoryError(
      `The run ran out of memory on the ${backend} backend (${e.message.split("\n")[0]}). The program's values fit the ${formatBytes(limit.bytes)} it may use, but the temporaries of one step did not. ${limit.hint}`,
    );
  }
}

export async function runSource(source: string, options: RunOptions = {}): Promise<RunOutput> {
  const given = options.inputs ?? new Map<string, NpyArray>();
  const checked = checkSource(source, options, false);
  checkInputNames(checked.program, given);
  const inputShapes = new Map([...given].map(([k, v]) => [k, v.shape]));
  if (checked.diagnostics.some((d) => d.severity === "error")) return { diagnostics: checked.diagnostics, exports: [], reports: [] };
  // The backend first: its own memory limit (wasm's 4 GiB) bounds what the program may plan.
  const backend = await selectBackend(options.backend ?? "auto");
  const memory = backendLimit(options.memory ?? memoryLimit(), backend);
  const compiled = compileChecked(checked, { ...options, inputShapes, memory });
  if (!compiled.module || !compiled.lowered) return { diagnostics: compiled.diagnostics, exports: [], reports: [] };
  const data = new Map([...given].map(([name, arr]) => [name, conformInput(name, arr, compiled.lowered!.inputs.find((d) => d.name === name)!.type)]));
  const tf = backend.tf;
  const tensors = new Map([...data].map(([k, v]) => [k, tf.tensor(v.data, v.shape, v.dtype)]));
  try {
    let result: ExecutionResult;
    try {
      result = outOfMemoryAsUserError(() => new TfjsInterpreter(tf).run(compiled.module!, tensors), backend.name, memory);
    } catch (e) {
      if (!(e instanceof BackwardFailure)) throw e;
      return { diagnostics: compiled.diagnostics, backend: { name: backend.name, description: backend.description }, sizes: compiled.lowered.sizes, exports: [], reports: e.reports, stopped: e.message };
    }
    const exports: ExportedValue[] = [];
    for (const [name, t] of result.exports) {
      const data = t.dataSync();
      exports.push({ name, dtype: t.dtype as ExportedValue["dtype"], shape: [...t.shape], data: data.slice() as ExportedValue["data"] });
    }
    for (const t of new Set(result.exports.values())) if (!t.isDisposed) t.dispose();
    return { diagnostics: compiled.diagnostics, backend: { name: backend.name, description: backend.description }, sizes: compiled.lowered.sizes, exports, reports: result.reports, peakBytes: result.peakBytes };
  } finally {
    for (const t of tensors.values()) if (!t.isDisposed) t.dispose();
  }
}

