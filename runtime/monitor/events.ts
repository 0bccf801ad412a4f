// What a running program tells whoever watches it: one start, one event per iteration and one
// end per run of an iterative construct. runtime/constructs.ts emits them through a Watcher
// (watcher.ts), fed each residual by the driver's ConvergenceMonitor; the observers in this folder (monitor lines, the live progress line) and the library API's
// `onIteration` consume them. Every type here is plain data, so events can cross a worker
// thread's `postMessage` unchanged.
import type { Report } from "../report.js";

export type ConstructKind = Report["kind"];

/**
 * One run of an iterative construct. A construct nested in another's region (a
 * preconditioner's inner solve, a smoother's loop, later a backward solve) runs once per
 * application, each run with its own `id`.
 */
export interface ConstructRun {
  /** Unique within one program run, increasing in start order: pairs starts, iterations and ends. */
  readonly id: number;
  /** Source name of the construct, as in its report (`u_mg`). */
  readonly name: string;
  readonly kind: ConstructKind;
  /** `cg`, `gmres`, `anderson`, `loop`, ... as in the report. */
  readonly method: string;
  /** 0 at the top level; 1 for a construct run inside a depth-0 construct's region; and so on. */
  readonly depth: number;
  /** The `id` of the enclosing run; absent exactly when `depth` is 0. */
  readonly parent?: number;
  /**
   * The absolute threshold the residual is compared against, max(atol, rtol · reference norm),
   * when the driver knows it when starting (a solve knows ‖b‖); lets a monitor draw or print it.
   */
  readonly tolerance?: number;
  /** The iteration cap, when there is one: lets a progress line show `k / max`. */
  readonly maxIterations?: number;
  /**
   * For the adjoint (or tangent) construct autodiff added: the name of the forward construct it
   * differentiates, as in the report. It runs after that one has ended, so it is not nested in
   * it; a monitor shows it under it.
   */
  readonly adjointOf?: string;
}

/** One iteration of a construct run: the residual after `iteration` updates. */
export interface IterationEvent {
  /** The run this belongs to (its `ConstructRun` came through `onStart` first). */
  readonly run: ConstructRun;
  /** 0 for the initial residual, then 1, 2, ...: the same index as the report's `history`. */
  readonly iteration: number;
  /** The residual the driver tests (a loop has none: NaN). */
  readonly residual: number;
  /** `residual` over the driver's reference norm; NaN when there is none (see Report.relResidual). */
  readonly relResidual: number;
  /** Seconds since the run started. */
  readonly seconds: number;
  /**
   * The threshold this residual was tested against, max(atol, rtol · reference norm), when the
   * construct has one (a fixpoint's changes with ‖x‖; a loop has none).
   */
  readonly tolerance?: number;
}

/**
 * Watches a program run. Every method is optional and called synchronously by the driver, in
 * order: `onStart(run)`, any number of `onIteration`, `onEnd(run, report)`; a nested run's
 * calls fall between its parent's start and end. An observer must be cheap (it runs between
 * iterations) and must not throw: whoever calls it may catch and drop what it throws (see
 * `safeObserver`).
 */
export interface RunObserver {
  onStart?(run: ConstructRun): void;
  onIteration?(event: IterationEvent): void;
  /** The run's report; the same object that ends up among the program's reports (top level). */
  onEnd?(run: ConstructRun, report: Report): void;
}

/** The observer calls as one discriminated union: for recording, replaying, or `postMessage`. */
export type RunEvent =
  | { readonly type: "start"; readonly run: ConstructRun }
  | { readonly type: "iteration"; readonly event: IterationEvent }
  | { readonly type: "end"; readonly run: ConstructRun; readonly report: Report };

/** Calls the observer method that `e` stands for. */
export function dispatch(observer: RunObserver, e: RunEvent): void {
  switch (e.type) {
    case "start":
      observer.onStart?.(e.run);
      return;
    case "iteration":
      observer.onIteration?.(e.event);
      return;
    case "end":
      observer.onEnd?.(e.run, e.report);
      return;
  }
}

/** One observer that forwards every call to each of `observers`, in order. */
export function combineObservers(...observers: readonly RunObserver[]): RunObserver {
  return {
    onStart: (run) => observers.forEach((o) => o.onStart?.(run)),
    onIteration: (event) => observers.forEach((o) => o.onIteration?.(event)),
    onEnd: (run, report) => observers.forEach((o) => o.onEnd?.(run, report)),
  };
}

/**
 * An observer whose exceptions are caught and handed to `onError`, so that a broken monitor
 * (a closed pipe, a user's callback that throws) never stops a solve.
 */
export function safeObserver(observer: RunObserver, onError: (e: unknown) => void): RunObserver {
  const guard =
    <A extends unknown[]>(f: ((...args: A) => void) | undefined) =>
    (...args: A): void => {
      try {
        f?.(...args);
      } catch (e) {
        onError(e);
      }
    };
  return {
    onStart: guard(observer.onStart?.bind(observer)),
    onIteration: guard(observer.onIteration?.bind(observer)),
    onEnd: guard(observer.onEnd?.bind(observer)),
  };
}

/** An observer that keeps every call as a `RunEvent`: for tests, and to replay later. */
export function recordingObserver(): RunObserver & { readonly events: RunEvent[] } {
  const events: RunEvent[] = [];
  return {
    events,
    onStart: (run) => void events.push({ type: "start", run }),
    onIteration: (event) => void events.push({ type: "iteration", event }),
    onEnd: (run, report) => void events.push({ type: "end", run, report }),
  };
}
