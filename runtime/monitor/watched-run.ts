// One construct run as a Watcher hears of it (runtime/constructs.ts calls this when someone
// watches): its start, each residual (through the listener it gives the run's stopping
// rules), its end with the report; and, once the caller has asked to stop, the report said
// `aborted` and the run stopped at the top level.
import type { ConstructSpec } from "../construct-spec.js";
import type { ResidualListener } from "../drivers/stopping.js";
import type { Report } from "../report.js";
import { RunAborted, RunStopped } from "../stopped.js";
import type { RunInfo, Watcher } from "./watcher.js";

/**
 * Runs `run` (given the listener of its open run) between the watcher's start and end. At the
 * top level, a stop asked before it starts, or a run that stopped `aborted`, raises RunAborted
 * (`discard` frees the values no one will use).
 */
export function watchedRun<R extends { report: Report }>(watch: Watcher, op: ConstructSpec<unknown>, run: (listen: ResidualListener) => R, discard: (r: R) => void): R {
  const topLevel = watch.depth === 0;
  if (topLevel && watch.stopRequested) throw new RunAborted(undefined);
  const opened = watch.start(runInfo(op));
  let result: R;
  try {
    result = run(watch.listener(opened));
  } catch (e) {
    watch.end(opened, e instanceof RunStopped ? e.report : undefined);
    throw e;
  }
  const report = result.report;
  if (!report.converged && watch.stopRequested) saidAborted(report);
  watch.end(opened, report);
  if (topLevel && report.reason === "aborted") {
    discard(result);
    throw new RunAborted(report);
  }
  return result;
}

/**
 * A run that ended unconverged once the caller asked to stop is `aborted`, whatever else it
 * hit on the way: a run nested in its step stops early too, so the step it was in may end in
 * NaN or breakdown only because it was cut short. What the driver saw stays in the detail.
 */
function saidAborted(report: Report): void {
  const seen = report.reason === "aborted" ? "" : ` (the last step, cut short, ended in ${report.reason}${report.detail ? `: ${report.detail}` : ""})`;
  const detail = report.reason === "aborted" && report.detail ? `; ${report.detail}` : "";
  report.reason = "aborted";
  report.detail = `stopped by the caller after iteration ${report.iterations}${seen}${detail}`;
}

/** What a watcher is told when a construct starts. */
export function runInfo(op: ConstructSpec<unknown>): RunInfo {
  const info = kindInfo(op);
  return op.adjointOf ? { ...info, adjointOf: op.adjointOf.label } : info;
}

function kindInfo(op: ConstructSpec<unknown>): RunInfo {
  switch (op.kind) {
    case "fixpoint":
    case "solve":
    case "minimize": {
      const { atol, rtol, maxIter } = op.stop;
      // Known before the first residual only when the test is absolute.
      return { name: op.label, kind: op.kind, method: op.method.name, maxIterations: maxIter, ...(rtol === 0 ? { tolerance: atol } : {}) };
    }
    case "loop":
      return { name: op.label, kind: "loop", method: "loop", ...(Number.isFinite(op.maxIter) ? { maxIterations: op.maxIter } : {}) };
    case "unroll":
      return { name: op.label, kind: "loop", method: "unrolled" };
    case "train":
      return { name: op.label, kind: "train", method: op.optimizer.name };
  }
}
