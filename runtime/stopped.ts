// A run that stops before its end: the executor fills in the reports so far, and the report of
// the construct where it stopped, when there is one, is among them. Two causes: a gradient that
// cannot be used (BackwardFailure, runtime/constructs.ts) and a caller that asked to stop.
import type { Report } from "./report.js";

export class RunStopped extends Error {
  /** Every report of the run up to and including this one (the executor fills it in). */
  reports: Report[] = [];

  constructor(
    readonly report: Report | undefined,
    message: string,
  ) {
    super(message);
    this.name = "RunStopped";
  }
}

/**
 * The caller asked the run to stop (an AbortSignal): raised when a top-level construct has
 * stopped with `aborted`, or before the next one starts. Nested runs never raise it: each
 * stops at its next iteration, and its parent with it.
 */
export class RunAborted extends RunStopped {
  constructor(report: Report | undefined) {
    super(report, report ? `stopped by the caller in \`${report.name}\` after ${report.iterations} iteration${report.iterations === 1 ? "" : "s"}` : "stopped by the caller");
    this.name = "RunAborted";
  }
}
