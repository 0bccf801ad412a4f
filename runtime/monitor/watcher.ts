// The emitting side of events.ts. `runConstruct` opens a run for every iterative construct it
// starts, the run's ConvergenceMonitor tells it each residual through a listener, and the run
// is closed with its report. The watcher keeps the stack of open runs, which is what gives a
// nested run (a preconditioner's inner solve, a backward solve, a smoother's loop) its depth
// and parent, and it answers whether the caller has asked the program to stop (an AbortSignal,
// or a worker's shared flag), so that every driver stops between two iterations.
import type { Report } from "../report.js";
import type { ResidualListener } from "../drivers/stopping.js";
import type { ConstructKind, ConstructRun, RunObserver } from "./events.js";

/** What `runConstruct` knows of a construct when it starts it. */
export interface RunInfo {
  name: string;
  kind: ConstructKind;
  method: string;
  maxIterations?: number;
  tolerance?: number;
  adjointOf?: string;
}

/** A run that has started and not ended. */
export interface OpenRun {
  readonly run: ConstructRun;
  /** `performance.now()` when it started. */
  readonly t0: number;
}

export interface WatcherOptions {
  observer?: RunObserver;
  /** Polled between iterations: true once the caller wants the program to stop. */
  shouldStop?: () => boolean;
}

const NEVER = () => false;

export class Watcher {
  private readonly observer: RunObserver;
  private readonly shouldStop: () => boolean;
  private readonly open: OpenRun[] = [];
  private nextId = 1;
  private stopped = false;

  constructor(options: WatcherOptions = {}) {
    this.observer = options.observer ?? {};
    this.shouldStop = options.shouldStop ?? NEVER;
  }

  /** How many runs are open: 0 between top-level constructs. */
  get depth(): number {
    return this.open.length;
  }

  /** Whether the caller has asked to stop; once true it stays true. */
  get stopRequested(): boolean {
    if (!this.stopped && this.shouldStop()) this.stopped = true;
    return this.stopped;
  }

  start(info: RunInfo): OpenRun {
    const parent = this.open.at(-1);
    const run: ConstructRun = {
      id: this.nextId++,
      name: info.name,
      kind: info.kind,
      method: info.method,
      depth: this.open.length,
      ...(parent ? { parent: parent.run.id } : {}),
      ...(info.tolerance !== undefined ? { tolerance: info.tolerance } : {}),
      ...(info.maxIterations !== undefined ? { maxIterations: info.maxIterations } : {}),
      ...(info.adjointOf !== undefined ? { adjointOf: info.adjointOf } : {}),
    };
    const opened = { run, t0: performance.now() };
    this.open.push(opened);
    this.observer.onStart?.(run);
    return opened;
  }

  /** Closes `run` (and any run inside it left open by an exception). */
  end(opened: OpenRun, report: Report | undefined): void {
    const at = this.open.lastIndexOf(opened);
    if (at >= 0) this.open.length = at;
    if (report) this.observer.onEnd?.(opened.run, report);
  }

  /** One iteration of `opened`: the residual after `iteration` updates (NaN for a loop). */
  iteration(opened: OpenRun, iteration: number, residual: number, ref: number, tolerance?: number): void {
    if (!this.observer.onIteration) return;
    const relResidual = ref > 0 && Number.isFinite(ref) ? residual / ref : NaN;
    const seconds = (performance.now() - opened.t0) / 1000;
    this.observer.onIteration({ run: opened.run, iteration, residual, relResidual, seconds, ...(tolerance !== undefined && Number.isFinite(tolerance) ? { tolerance } : {}) });
  }

  /** The listener a run's ConvergenceMonitor calls: an event, then whether to stop. */
  listener(opened: OpenRun): ResidualListener {
    return (iteration, residual, ref, tolerance) => {
      this.iteration(opened, iteration, residual, ref, tolerance);
      return this.stopRequested ? "stop" : undefined;
    };
  }
}
