// Compile and run a program: what `iterc run` and the `run()` API do. The engine is a tfjs
// backend or the native one (runtime/engine.ts says which); both run the same specialised IR
// through the same construct drivers.
import { checkSource, compileChecked, type CompileOptions } from "../compiler/compile.js";
import type { Diagnostic } from "../base/diagnostics.js";
import type { FloatDType } from "../base/dtype.js";
import type { Module } from "../compiler/ir/ir.js";
import type { Lowered } from "../compiler/lower/index.js";
import { selectBackend, type SelectedBackend } from "./tfjs/backend.js";
import { checkInputNames, conformInput } from "./inputs.js";
import { backendLimit, memoryLimit } from "./limits.js";
import { formatBytes, type MemoryLimit } from "../compiler/check/memory.js";
import { TfjsInterpreter } from "./tfjs/interpreter.js";
import { RunAborted, RunStopped } from "./stopped.js";
import type { RunObserver } from "./monitor/events.js";
import { Watcher } from "./monitor/watcher.js";
import { chooseAuto, Float64Unsupported, float64Reason, memoFuser, PRECISION_F64, type RunBackend, usesFloat64 } from "./engine.js";
import type { RegionFuser } from "./native/fused.js";
import { runNative } from "./native/execute.js";
import { fuseRegion } from "./native/fuse.js";
import { refusingFuser } from "./native/refusing-fuser.js";
import type { NpyArray } from "./npy.js";
import { finalizeReport, type Report } from "./report.js";
import { resolve } from "node:path";
import { walkOps } from "../compiler/ir/ir.js";
import { hashProgram } from "./checkpoint/index.js";
import { InputError } from "./inputs.js";
import { type TrainingHost, trainingHost } from "./training-host.js";

export interface RunOptions extends Omit<CompileOptions, "inputShapes"> {
  /** A tfjs backend, `native`, or `auto` (the default). */
  backend?: RunBackend;
  /** Input data by input name. */
  inputs?: ReadonlyMap<string, NpyArray>;
  /** Compiles regions to WebAssembly on the native backend (default: none, every op in plain TS). */
  fuser?: RegionFuser;
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
  dtype: "float32" | "float64" | "int32" | "bool";
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | Uint8Array;
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

/** What a run needs once its program is compiled: the engine's result, or the reports of a stopped gradient. */
type Executed = { exports: ExportedValue[]; reports: Report[]; peakBytes: number } | { stopped: string; aborted: boolean; reports: Report[] };

/** Runs the function, turning a run that stopped (a gradient not used, a caller's abort) into its reports. */
function catchStopped(run: () => Executed): Executed {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof RunStopped)) throw e;
    return { stopped: e.message, aborted: e instanceof RunAborted, reports: e.reports };
  }
}

interface Job {
  module: Module;
  lowered: Lowered;
  given: ReadonlyMap<string, NpyArray>;
  precision: FloatDType;
  memory: MemoryLimit;
  watch: Watcher | undefined;
  training: TrainingHost | undefined;
}

/** What watches the run and what `train` blocks need, given to whichever interpreter runs it. */
function attach<I extends { watch?: Watcher; training?: TrainingHost }>(interpreter: I, job: Job): I {
  if (job.watch) interpreter.watch = job.watch;
  if (job.training) interpreter.training = job.training;
  return interpreter;
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

/** The inputs in the dtypes the run stores them in, with their declared types. */
function conformed(job: Job) {
  return new Map(
    [...job.given].map(([name, arr]) => {
      const type = job.lowered.inputs.find((d) => d.name === name)!.type;
      return [name, { data: conformInput(name, arr, type, job.precision), type }] as const;
    }),
  );
}

function onTfjs(job: Job, backend: SelectedBackend): Executed {
  const tf = backend.tf;
  const tensors = new Map([...conformed(job)].map(([k, { data }]) => [k, tf.tensor(data.data, data.shape, data.dtype as "float32" | "int32" | "bool")]));
  try {
    return catchStopped(() => {
      const result = outOfMemoryAsUserError(() => attach(new TfjsInterpreter(tf), job).run(job.module, tensors), backend.name, job.memory);
      const exports: ExportedValue[] = [];
      for (const [name, t] of result.exports) {
        const data = t.dataSync();
        exports.push({ name, dtype: t.dtype as ExportedValue["dtype"], shape: [...t.shape], data: data.slice() as ExportedValue["data"] });
      }
      for (const t of new Set(result.exports.values())) if (!t.isDisposed) t.dispose();
      return { exports, reports: result.reports, peakBytes: result.peakBytes };
    });
  } finally {
    for (const t of tensors.values()) if (!t.isDisposed) t.dispose();
  }
}

function onNative(job: Job, fuser: RegionFuser): Executed {
  return catchStopped(() => {
    const run = outOfMemoryAsUserError(() => runNative(job.module, conformed(job), { precision: job.precision, fuser, attach: (i) => attach(i, job) }), "native", job.memory);
    const exports = [...run.values].map(([name, v]) => ({ name, ...v }) as ExportedValue);
    return { exports, reports: run.result.reports, peakBytes: run.result.peakBytes };
  });
}

function nativeDescription(module: Module, precision: FloatDType, fused: boolean, why?: string): string {
  const kernels = fused ? "fused regions where the fuser compiles them, plain-TS kernels elsewhere" : "plain-TS kernels; no region fuser";
  const floats = precision === "f64" ? "float64" : usesFloat64(module) ? "float32, its f64 values in float64" : "float32";
  return `native, ${floats} (${kernels})${why ? `; auto: ${why}` : ""}`;
}

export async function runSource(source: string, options: RunOptions = {}): Promise<RunOutput> {
  const given = options.inputs ?? new Map<string, NpyArray>();
  const precision = options.precision ?? "f32";
  const requested = options.backend ?? "auto";
  const checked = checkSource(source, options, false);
  checkInputNames(checked.program, given);
  const inputShapes = new Map([...given].map(([k, v]) => [k, v.shape]));
  if (checked.diagnostics.some((d) => d.severity === "error")) return { diagnostics: checked.diagnostics, exports: [], reports: [] };
  if (precision === "f64" && requested !== "native" && requested !== "auto") throw new Float64Unsupported(requested, PRECISION_F64);
  // The backend first: its own memory limit (wasm's 4 GiB) bounds what the program may plan.
  const tfjs = requested === "native" || (requested === "auto" && precision === "f64") ? undefined : await selectBackend(requested);
  const memory = tfjs ? backendLimit(options.memory ?? memoryLimit(), tfjs) : (options.memory ?? memoryLimit());
  const compiled = compileChecked(checked, { ...options, inputShapes, memory });
  if (!compiled.module || !compiled.lowered) return { diagnostics: compiled.diagnostics, exports: [], reports: [] };
  const watch = options.observer || options.shouldStop ? new Watcher({ ...(options.observer ? { observer: options.observer } : {}), ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}) }) : undefined;
  const training = trainingFor(compiled.module, compiled.lowered.sizes, source, options);
  const job: Job = { module: compiled.module, lowered: compiled.lowered, given, precision, memory, watch, training };
  const chosenFuser = options.fuser ?? fuseRegion;
  const fuser = memoFuser(chosenFuser);
  let engine: { backend: SelectedBackend } | { why?: string } = tfjs ? { backend: tfjs } : {};
  if (tfjs && requested === "auto") {
    const choice = chooseAuto(job.module, fuser, precision, tfjs.gpu === true);
    if (choice.engine === "native") engine = { why: choice.why };
  } else if (tfjs) {
    const f64 = float64Reason(job.module, precision);
    if (f64) throw new Float64Unsupported(tfjs.name, f64);
  }
  const ran = "backend" in engine ? onTfjs(job, engine.backend) : onNative(job, fuser);
  const backend =
    "backend" in engine
      ? { name: engine.backend.name, description: engine.backend.description }
      : { name: "native", description: nativeDescription(job.module, precision, chosenFuser !== refusingFuser, engine.why) };
  const common = { diagnostics: compiled.diagnostics, backend, sizes: compiled.lowered.sizes };
  if ("stopped" in ran) return { ...common, exports: [], reports: ran.reports.map(finalizeReport), stopped: ran.stopped, ...(ran.aborted ? { aborted: true } : {}) };
  return { ...common, exports: ran.exports, reports: ran.reports.map(finalizeReport), peakBytes: ran.peakBytes };
}
