// `--monitor`: one line per iteration (or every k-th) of each construct run, as PETSc's
// `-ksp_monitor` prints them, so a user can watch a solve converge. A nested run (a
// preconditioner's inner solve, a smoother's loop) is indented under its parent, two spaces per
// level, and an adjoint (a backward solve) under the forward construct it differentiates; each
// run ends with one line saying why it stopped.
//
//   u_mg cg    0  residual 4.463e+1  rel 1.000e+0
//     smooth loop    1
//   u_mg cg    1  residual 1.122e-1  rel 2.514e-3
//   u_mg ✓ converged_rtol after 4 iterations  residual 1.96e-2  rel 2.19e-4  (204.8 ms)
import { fmtNum, fmtTime, type Report } from "../report.js";
import { PLAIN, type Painter, reasonStyle } from "./colour.js";
import type { ConstructRun, IterationEvent, RunObserver } from "./events.js";

/** Where lines go: a stream, or anything with `write` (tests collect strings). */
export interface LineSink {
  write(text: string): unknown;
}

export interface MonitorLinesOptions {
  /** Print iteration 0, every k-th iteration after it, and always the last. Default 1 (all). */
  every?: number;
  /** Runs nested deeper than this are not printed (0: top-level only). Default: all. */
  maxDepth?: number;
  /**
   * Print the iterations of loops nested in another run (a smoother's sweeps, applied at every
   * iteration of its parent). Default false: a loop has no residual, so its lines would only
   * say that it runs; its end line is printed when it did not complete, so a failure still shows.
   */
  nestedLoops?: boolean;
  painter?: Painter;
}

/** A residual with four significant digits, exponent without padding (`4.463e+1`); NaN as NaN. */
export function monitorNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Inf" : "-Inf";
  if (x === 0) return "0";
  return x.toExponential(3);
}

/** Two spaces per level; an adjoint goes one level under the forward construct it differentiates. */
const indent = (run: ConstructRun) => "  ".repeat(run.depth + (run.adjointOf !== undefined ? 1 : 0));

/** The iteration column is as wide as the largest iteration the run may reach, at least 4. */
function iterationWidth(run: ConstructRun): number {
  return Math.max(4, run.maxIterations !== undefined && Number.isFinite(run.maxIterations) ? String(run.maxIterations).length : 0);
}

export class MonitorLines implements RunObserver {
  private readonly every: number;
  private readonly maxDepth: number;
  private readonly nestedLoops: boolean;
  private readonly painter: Painter;
  /** The latest event of each open run that was not printed (to print it at the end). */
  private readonly pending = new Map<number, IterationEvent>();

  constructor(
    private readonly sink: LineSink,
    options: MonitorLinesOptions = {},
  ) {
    const every = options.every ?? 1;
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`every must be a whole number ≥ 1, got ${every}`);
    this.every = every;
    this.maxDepth = options.maxDepth ?? Infinity;
    this.nestedLoops = options.nestedLoops ?? false;
    this.painter = options.painter ?? PLAIN;
  }

  /** A nested loop, left out unless asked for. */
  private quiet(run: ConstructRun): boolean {
    return !this.nestedLoops && run.depth > 0 && run.kind === "loop";
  }

  onStart(run: ConstructRun): void {
    this.pending.delete(run.id);
  }

  onIteration(event: IterationEvent): void {
    if (event.run.depth > this.maxDepth || this.quiet(event.run)) return;
    if (event.iteration % this.every === 0) {
      this.pending.delete(event.run.id);
      this.sink.write(this.iterationLine(event) + "\n");
    } else this.pending.set(event.run.id, event);
  }

  onEnd(run: ConstructRun, report: Report): void {
    if (run.depth > this.maxDepth || (this.quiet(run) && report.converged)) return;
    const last = this.pending.get(run.id);
    this.pending.delete(run.id);
    if (last) this.sink.write(this.iterationLine(last) + "\n");
    this.sink.write(this.endLine(run, report) + "\n");
  }

  iterationLine(e: IterationEvent): string {
    const { run } = e;
    const head = `${indent(run)}${run.name} ${run.method} ${String(e.iteration).padStart(iterationWidth(run))}`;
    // A loop has no residual: its line is only a heartbeat.
    if (Number.isNaN(e.residual) && run.kind === "loop") return head;
    const rel = Number.isNaN(e.relResidual) ? "" : `  rel ${monitorNumber(e.relResidual)}`;
    return `${head}  residual ${monitorNumber(e.residual)}${rel}`;
  }

  endLine(run: ConstructRun, r: Report): string {
    const mark = this.painter.paint(reasonStyle(r.reason), `${r.converged ? "✓" : "✗"} ${r.reason}`);
    const n = `${r.iterations} iteration${r.iterations === 1 ? "" : "s"}`;
    const residual = Number.isNaN(r.residual) && r.kind === "loop" ? "" : `  residual ${fmtNum(r.residual)}${Number.isNaN(r.relResidual) ? "" : `  rel ${fmtNum(r.relResidual)}`}`;
    const detail = r.detail ? `: ${r.detail}` : "";
    return `${indent(run)}${run.name} ${mark} after ${n}${residual}  (${fmtTime(r.seconds)})${detail}`;
  }
}
