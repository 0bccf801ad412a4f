// Running a generated module: the inputs checked at the boundary and made tensors, omitted
// inputs given their defaults, `main` run, its results read back as plain arrays beside the
// reports, and every tensor freed whatever happens. Constructs run through the one module that
// says what each means (runtime/constructs.ts), with the generated closures as their regions,
// their reports kept as the interpreters keep theirs (runtime/construct-reports.ts), and
// watched, when the caller asks, as `iterc run` and the `run` API watch theirs.
import * as tf from "@tensorflow/tfjs-core";
import { InternalError } from "../../base/diagnostics.js";
import { ConstructReports } from "../construct-reports.js";
import { combineObservers, type IterationEvent, type RunObserver } from "../monitor/events.js";
import { Watcher } from "../monitor/watcher.js";
import type { Report } from "../report.js";
import { RunStopped } from "../stopped.js";
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
  /** Called after every iteration of every construct run (nested ones included), before `observer`'s. */
  onIteration?: (event: IterationEvent) => void;
  /** Hears of every construct run's start, iterations and end, synchronously. */
  observer?: RunObserver;
  /**
   * An AbortSignal (or anything with `aborted`): once aborted, the run stops between two
   * iterations, and `run` rejects with a `RunAborted` whose `reports` say where it stopped.
   */
  signal?: { readonly aborted: boolean };
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

  constructor(
    private readonly inputs: ReadonlyMap<string, tf.Tensor>,
    /** Which engine runs the constructs, for their reports (`tfjs-cpu`), as the interpreter says it. */
    private readonly engine: string,
    private readonly watch: Watcher | undefined,
  ) {}

  input(name: string): Tensor {
    const t = this.inputs.get(name);
    if (!t) throw new InternalError(`the input \`${name}\` has no value`);
    return asHandle(t);
  }

  construct<const O extends readonly OutputName[]>(spec: Construct & { readonly outputs: O }, inputs: Tensor[]): { -readonly [K in keyof O]: Tensor } {
    const before = nextTensorId();
    const run = (region: RegionFn) => (...args: tf.Tensor[]) => region(...args.map(asHandle)).map(asTf);
    const host = { tf, run, engine: this.engine, ...(this.watch ? { watch: this.watch } : {}) };
    const values = owned(this.reports.run(host, spec, inputs.map(asTf)), before).map(asHandle);
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
  const watch = watcherFor(options);
  const engine = `tfjs-${backend}`;
  const inputs = new Map<string, tf.Tensor>();
  const made = new Set<tf.Tensor>();
  const reports: Report[] = [];
  try {
    for (const spec of signature.inputs) {
      const arr = data.get(spec.name);
      const t = arr ? tf.tensor(arr.data, [...arr.shape], TF_DTYPE[spec.dtype]) : defaultOf(program, spec.name, reports, new ModuleRun(inputs, engine, watch));
      inputs.set(spec.name, t);
      made.add(t);
    }
    const run = new ModuleRun(inputs, engine, watch);
    let outs: tf.Tensor[];
    try {
      outs = tf.tidy(() => program.main(run).map(asTf));
    } catch (e) {
      // A run that stopped carries every report so far, the defaults' first.
      if (e instanceof RunStopped) e.reports = [...reports, ...e.reports];
      throw e;
    }
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
function defaultOf(program: Program, name: string, reports: Report[], run: ModuleRun): tf.Tensor {
  const compute = Object.prototype.hasOwnProperty.call(program.defaults, name) ? program.defaults[name] : undefined;
  if (!compute) throw new InternalError(`the input \`${name}\` has no default`);
  try {
    const value = tf.tidy(() => asTf(compute(run)[0]));
    reports.push(...run.reports.all);
    return value;
  } catch (e) {
    if (e instanceof RunStopped) e.reports = [...reports, ...e.reports];
    throw e;
  }
}

/** Who watches the run: nobody (at no cost) unless the caller gave a hook or a signal. */
function watcherFor(options: RunOptions): Watcher | undefined {
  const { onIteration, observer, signal } = options;
  if (!onIteration && !observer && !signal) return undefined;
  const observers = [...(onIteration ? [{ onIteration }] : []), ...(observer ? [observer] : [])];
  return new Watcher({ observer: combineObservers(...observers), ...(signal ? { shouldStop: () => signal.aborted } : {}) });
}
