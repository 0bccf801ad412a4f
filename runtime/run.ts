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
import { type ExecutionResult, TfjsInterpreter } from "./interpreter.js";
import { RunAborted, RunStopped } from "./stopped.js";
import type { RunObserver } from "./monitor/events.js";
import { Watcher } from "./monitor/watcher.js";
import type { NpyArray } from "./npy.js";
import { finalizeReport, type Report } from "./report.js";
import { resolve } from "node:path";
import { type Module, walkOps } from "../compiler/ir/ir.js";
import { hashProgram } from "./checkpoint/index.js";
import { type TrainingHost, trainingHost } from "./training-host.js";

export interface RunOptions extends Omit<CompileOptions, "inputShapes"> {
  backend?: BackendName;
  /** Input data by input name. */
  inputs?: ReadonlyMap<string, NpyArray>;
  /** The folder `data` files may come from (`--data-root`); the .iter file's folder by default. */
  dataRoot?: string;
  /** A checkpoint folder a `train` block continues from (`--resume`). */
  resume?: string;
  /** Called after every training step (a progress display; a throw stops the run there). */
  onTrainStep?: TrainingHost["onStep"];
  /** Hears of every construct run and iteration (runtime/monitor/events.ts), synchronously. */
  observer?: RunObserver;
  /** Polled between iterations: true stops the run there (reason `aborted`), without exports. */
  shouldStop?: () => boolean;
}

export interface ExportedValue {
  name: string;
  dtype: "float32" | "int32" | "bool";
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export interface RunOutput {
  diagnostics: Diagnostic[];
  /**
   * Set when the run stopped before its exports: a gradient's adjoint did not converge, or the
   * caller stopped it (then `aborted` is true too).
   */
  stopped?: string;
  aborted?: boolean;
  backend?: { name: string; description: string };
  sizes?: Map<string, number>;
  exports: ExportedValue[];
  reports: Report[];
  /** The most tensor memory the run held at once (bytes, sampled after every op). */
  peakBytes?: number;
}

const DTYPE = { f32: "float32", i32: "int32", bool: "bool" } as const;

/**
 * Data given for an input the program does not declare: said first, with a did-you-mean.
 * (An input given no data is the checker's located `bad-input` error, with the flag to give.)
 */
function checkInputNames(program: A.Program | undefined, given: ReadonlyMap<string, NpyArray>): void {
  if (!program) return;
  const inputs = program.decls.flatMap((d) => (d.kind === "Input" ? [d] : []));
  const declared = inputs.map((d) => d.name.name);
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
  throw new InputError(`The data given for \`${name}\` holds ${arr.stored ?? arr.dtype} values, but \`${name}\` is declared as ${typeToString(type)} (${want}).`);
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

/** The data and checkpoints of the program's `train` blocks; none without one. */
function trainingFor(module: Module, sizes: ReadonlyMap<string, number>, source: string, options: RunOptions): TrainingHost | undefined {
  const trains = [...walkOps(module.funcs.get("main")!.body)].filter((op) => op.kind === "train");
  if (trains.length === 0) {
    if (options.resume !== undefined) throw new InputError(`\`--resume ${options.resume}\` continues a training run, but this program has no \`train\` block.`);
    return undefined;
  }
  const iterFile = resolve(options.file ?? "program.iter");
  return trainingHost({ iterFile, programHash: hashProgram(source, sizes), ...(options.dataRoot ? { dataRoot: options.dataRoot } : {}), ...(options.resume !== undefined ? { resume: options.resume } : {}), ...(options.onTrainStep ? { onStep: options.onTrainStep } : {}) });
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
  const watch = options.observer || options.shouldStop ? new Watcher({ ...(options.observer ? { observer: options.observer } : {}), ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}) }) : undefined;
  try {
    let result: ExecutionResult;
    try {
      const training = trainingFor(compiled.module, compiled.lowered.sizes, source, options);
      result = outOfMemoryAsUserError(() => new TfjsInterpreter(tf, watch, training).run(compiled.module!, tensors), backend.name, memory);
    } catch (e) {
      if (!(e instanceof RunStopped)) throw e;
      const aborted = e instanceof RunAborted ? { aborted: true } : {};
      return { diagnostics: compiled.diagnostics, backend: { name: backend.name, description: backend.description }, sizes: compiled.lowered.sizes, exports: [], reports: e.reports.map(finalizeReport), stopped: e.message, ...aborted };
    }
    const exports: ExportedValue[] = [];
    for (const [name, t] of result.exports) {
      const data = t.dataSync();
      exports.push({ name, dtype: t.dtype as ExportedValue["dtype"], shape: [...t.shape], data: data.slice() as ExportedValue["data"] });
    }
    for (const t of new Set(result.exports.values())) if (!t.isDisposed) t.dispose();
    return { diagnostics: compiled.diagnostics, backend: { name: backend.name, description: backend.description }, sizes: compiled.lowered.sizes, exports, reports: result.reports.map(finalizeReport), peakBytes: result.peakBytes };
  } finally {
    for (const t of tensors.values()) if (!t.isDisposed) t.dispose();
  }
}

