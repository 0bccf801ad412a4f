// The live progress line of a program run: the top-level construct now running, its
// iteration, residual and elapsed time, on one line that disappears when the construct ends.
// Nested runs (an inner solve applied thousands of times) are not shown: they would flicker,
// and their parent's iteration already says how far the run is.
import { fmtNum, fmtTime } from "../report.js";
import type { ConstructRun, IterationEvent, RunObserver } from "./events.js";
import { ProgressLine, type ProgressLineOptions, type TerminalLike } from "./progress-line.js";

export class ProgressObserver implements RunObserver {
  private readonly line: ProgressLine;
  private readonly now: () => number;
  /** The top-level run now going, and when it started (by `now`). */
  private current: { run: ConstructRun; started: number } | undefined;

  constructor(stream: TerminalLike, options: ProgressLineOptions = {}) {
    this.line = new ProgressLine(stream, options);
    this.now = options.now ?? (() => performance.now());
  }

  /** Whether the line is on the screen now (tests). */
  get visible(): boolean {
    return this.line.visible;
  }

  onStart(run: ConstructRun): void {
    if (run.depth === 0) this.current = { run, started: this.now() };
  }

  onIteration(e: IterationEvent): void {
    if (e.run.depth !== 0 || this.current?.run.id !== e.run.id) return;
    const { run } = e;
    const max = run.maxIterations !== undefined && Number.isFinite(run.maxIterations) ? ` / ${run.maxIterations}` : "";
    const fields: [string, string][] = [["iteration", `${e.iteration}${max}`]];
    if (!(run.kind === "loop" && Number.isNaN(e.residual))) fields.push(["residual", fmtNum(e.residual)]);
    fields.push(["elapsed", fmtTime((this.now() - this.current.started) / 1000)]);
    this.line.update(`${run.name} (${run.kind} ${run.method})`, fields);
  }

  onEnd(run: ConstructRun): void {
    if (run.depth !== 0) return;
    this.line.clear();
    this.current = undefined;
  }
}
