// Running a generated module: the inputs checked at the boundary and made tensors, omitted
// inputs given their defaults, `main` run, its results read back as plain arrays beside the
// reports, and every tensor freed whatever happens. Constructs run through the one module that
// says what each means (runtime/constructs.ts), with the generated closures as their regions.
import * as tf from "@tensorflow/tfjs-core";
import { InternalError } from "../../base/diagnostics.js";
import { ConstructReports } from "../construct-reports.js";
import type { Report } from "../report.js";
import { TF_DTYPE } from "../tfjs/kernels/common.js";
import { quietCpu } from "../tfjs/quiet.js";
import { checkInputs } from "./boundary.js";
import { asHandle, asTf } from "./handles.js";
import type { OutputName } from "../construct-spec.js";
import type { ArrayOf, Construct, DType, NDArray, RegionFn, Signature, Tensor } from "./types.js";

/** What generated code runs with: its inputs, and constructs. */
export interface Run {
  input(name: string): Tensor;
  /** Runs a construct (its attributes and its regions as closures) on its inputs; gives one value per output. */
  construct<const O extends readonly OutputName[]>(spec: Construct & { readonly outputs: O }, inputs: Tensor[]): { -readonly [K in keyof O]: Tensor };
}

/** A generated module's program: its signature, its body, and the defaults of its optional inputs. */
export interface Program {
  readonly signature: Signature;
  readonly main: (run: Run) => Tensor[];
  readonly defaults: Readonly<Record<string, (run: Run) => Tensor[]>>;
}

export interface RunOptions {
  /**
   * The tfjs backend to compute with (`cpu`, `wasm`, `webgl`, …); it must be registered (cpu
   * always is). Default: the backend tfjs has chosen (in Node, `selectBackend("wasm")` from
   * `iterlang` sets one up).
   */
  backend?: string;
}

/** The values a module computed, and the report of each of its iterative constructs. */
export interface Result<O> {
  values: O;
  reports: Report[];
  /** The tfjs backend that computed them. */
  backend: string;
}

class ModuleRun implements Run {
  readonly reports = new ConstructReports();

  constructor(private readonly inputs: ReadonlyMap<string, tf.Tensor>) {}

  input(name: string): Tensor {
    const t = this.inputs.get(name);
    if (!t) throw new InternalError(`the input \`${name}\` has no value`);
    return asHandle(t);
  }

  construct<const O extends readonly OutputName[]>(spec: Construct & { readonly outputs: O }, inputs: Tensor[]): { -readonly [K in keyof O]: Tensor } {
    const before = nextTensorId();
    const run = (region: RegionFn) => (...args: tf.Tensor[]) => region(...args.map(asHandle)).map(asTf);
    const values = owned(this.reports.run({ tf, run }, spec, inputs.map(asTf)), before).map(asHandle);
    if (values.length !== spec.outputs.length) throw new InternalError(`the construct \`${spec.label}\` gave ${values.length} values for ${spec.outputs.length} outputs`);
    return values as { -readonly [K in keyof O]: Tensor };
  }
}

/** The id the next tensor will get (ids grow): what exists before a construct runs has a smaller one. */
function nextTensorId(): number {
  const probe = tf.scalar(0);
  probe.dispose();
  return probe.id + 1;
}

/**
 * A construct may give back a tensor that existed before it ran (a loop of no iterations gives
 * its initial value) or the same tensor twice. Generated code frees each value after its last
 * use, so each value must hold a tensor of its own: those are cloned (a new handle on the same
 * data, no copy).
 */
function owned(values: tf.Tensor[], before: number): tf.Tensor[] {
  const seen = new Set<tf.Tensor>();
  return values.map((t) => {
    const shared = t.id < before || seen.has(t);
    seen.add(t);
    return shared ? tf.clone(t) : t;
  });
}

/** The backend asked for (cpu is always there: loaded on the first run), made ready. */
async function useBackend(name: string | undefined): Promise<string> {
  await import("@tensorflow/tfjs-backend-cpu");
  if (name !== undefined && tf.getBackend() !== name) {
    if (!tf.findBackendFactory(name))
      throw new Error(`The tfjs backend \`${name}\` is not registered: import its package first (e.g. \`@tensorflow/tfjs-backend-wasm\`), or in Node call \`selectBackend("${name}")\` from \`iterlang\`.`);
    if (!(await tf.setBackend(name))) throw new Error(`The tfjs backend \`${name}\` failed to start.`);
  }
  await tf.ready();
  quietCpu(tf);
  return tf.getBackend();
}

/** A tensor's values as a plain array of its own (a wasm backend's would be a view of its memory). */
function read(t: tf.Tensor): NDArray {
  return { shape: [...t.shape], data: (t.dataSync() as ArrayOf[DType]).slice() };
}

/** Runs a generated module's program on plain inputs; gives plain outputs and the reports. */
export async function execute<O>(program: Program, given: unknown, options: RunOptions = {}): Promise<Result<O>> {
  const { signature } = program;
  const data = checkInputs(signature, given);
  const backend = await useBackend(options.backend);
  const inputs = new Map<string, tf.Tensor>();
  const made = new Set<tf.Tensor>();
  const reports: Report[] = [];
  try {
    for (const spec of signature.inputs) {
      const arr = data.get(spec.name);
      const t = arr ? tf.tensor(arr.data, [...arr.shape], TF_DTYPE[spec.dtype]) : defaultOf(program, spec.name, inputs, reports);
      inputs.set(spec.name, t);
      made.add(t);
    }
    const run = new ModuleRun(inputs);
    const outs = tf.tidy(() => program.main(run).map(asTf));
    for (const t of outs) made.add(t);
    const values = Object.fromEntries(signature.outputs.map((o, i) => [o.name, read(outs[i])]));
    return { values: values as O, reports: [...reports, ...run.reports.all], backend };
  } finally {
    for (const t of made) if (!t.isDisposed) t.dispose();
  }
}

/**
 * An omitted input's default, from the inputs before it. The constructs it runs report first
 * (never silently: a construct the default needs may be one `main` runs too, and then both
 * runs report).
 */
function defaultOf(program: Program, name: string, inputs: ReadonlyMap<string, tf.Tensor>, reports: Report[]): tf.Tensor {
  const compute = Object.prototype.hasOwnProperty.call(program.defaults, name) ? program.defaults[name] : undefined;
  if (!compute) throw new InternalError(`the input \`${name}\` has no default`);
  const run = new ModuleRun(inputs);
  const value = tf.tidy(() => asTf(compute(run)[0]));
  reports.push(...run.reports.all);
  return value;
}
