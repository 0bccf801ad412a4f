// The library API's values: what `run` takes and gives back. Plain data only (numbers, strings,
// arrays, typed arrays, plain objects), so that a result can be logged, compared, sent through
// `postMessage` or written as JSON, and so that no tfjs type reaches a user's program.
import type { Diagnostic } from "../../base/diagnostics.js";
import type { IterationEvent, RunObserver } from "../monitor/events.js";
import type { Report } from "../report.js";
import type { BackendName } from "../tfjs/backend-names.js";

export type DType = "float32" | "float64" | "int32" | "bool";

/** The numbers of a tensor, row-major: float32, int32, or bool as 0/1 bytes. */
export type TensorData = Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * Data for an `input`. A bare typed array (or array of numbers or booleans) takes the shape the
 * input is declared with, which must then be known (a 1-D input, or sizes given by `dim` or
 * `sizes`); with `shape`, the data's shape binds the sizes the declaration names first
 * (`input f: f32[n, n]`). Float64Arrays and plain numbers are rounded to float32 when the input
 * is computed in float32, kept when it is computed in float64; whole numbers become int32 for an
 * `i32` input.
 */
export type InputValue = TensorData | Float64Array | readonly number[] | readonly boolean[] | { readonly shape: readonly number[]; readonly data: TensorData | Float64Array | readonly number[] | readonly boolean[] };

export interface RunOptions {
  /** Values for sizes, overriding `dim N = …`: `{ N: 63 }`. */
  sizes?: Readonly<Record<string, number>>;
  /** Data for the program's inputs, by name. */
  inputs?: Readonly<Record<string, InputValue>>;
  /** The backend: a tfjs one, `native` (iterlang's own, float32 or float64), or `auto` (the default), which chooses. */
  backend?: BackendName | "native";
  /** What `f32` values are computed in: `f32` (the default) or `f64` (float64, on the native backend). */
  precision?: "f32" | "f64";
  /** The folder `data` files may come from; the program file's folder by default. */
  dataRoot?: string;
  /** A checkpoint folder a `train` block continues from. */
  resume?: string;
  /** Called with each iteration of each construct as the run goes (nested ones too: see `run.depth`). */
  onIteration?: (event: IterationEvent) => void;
  /** Hears of every construct run's start, iterations and end. */
  observer?: RunObserver;
  /** Stops the run between two iterations: the result then has `stopped.reason` `aborted`. */
  signal?: AbortSignal;
  /** The name diagnostics give the program when it is given as text. Default `<input>`. */
  file?: string;
}

/** An exported value. */
export interface TensorValue {
  dtype: DType;
  /** [] for a scalar. */
  shape: number[];
  data: TensorData;
}

export interface RunResult {
  /** The run went to its end with no error: every export computed. */
  ok: boolean;
  /** Every iterative construct converged (a loop that ran its course counts). */
  converged: boolean;
  exports: Record<string, TensorValue>;
  /**
   * One report per top-level iterative construct, by its name, in run order; a name met twice
   * (an op that solves, called twice) is `u`, then `u#2`.
   */
  reports: Record<string, Report>;
  /** Errors (and warnings) about the program and the data given for it. */
  diagnostics: Diagnostic[];
  /** Set when the run stopped before its end: the caller aborted, or a gradient could not be used. */
  stopped?: { reason: "aborted" | "backward_failed"; message: string };
  /** The backend that ran it: `wasm`, `cpu`, … (absent when nothing ran). */
  backend?: string;
  /** Every size's value, as the run used it. */
  sizes: Record<string, number>;
}

/** What `check` gives back. */
export interface CheckResult {
  /** No errors (warnings may remain). */
  ok: boolean;
  diagnostics: Diagnostic[];
}
