// The reports of a run's constructs, kept the same way by every executor (the interpreters, a
// generated module): in run order; each one also by its construct's first output, where the
// adjoint that differentiates it finds it; each saying which engine ran it; and those of
// constructs running inside another construct's regions (a smoother's loop) collected apart and
// summarised in the enclosing report, so they do not add a row per application while a failure
// among them is never hidden. A run that stops (RunStopped: a gradient not used, a caller's
// abort) leaves the report of the construct where it stopped among the others, and carries
// every report so far.
import type { Region } from "../compiler/ir/ir.js";
import type { ConstructSpec } from "./construct-spec.js";
import { type ConstructHost, type ConstructResult, runConstruct } from "./constructs.js";
import type { Tensor } from "./drivers/tensor-api.js";
import type { InnerSummary, Report } from "./report.js";
import { RunStopped } from "./stopped.js";

/** What an executor gives for a construct: the host, less the report lookup, which is kept here. */
export type ReportsHost<T extends Tensor, R> = Omit<ConstructHost<T, R>, "reportOf">;

export class ConstructReports {
  /** The reports of the run's top-level constructs, in the order they ran. */
  readonly all: Report[] = [];
  private readonly byOutput = new Map<number, Report>();
  private inner: Report[] | undefined;

  /** The report of the construct that computed the value `id`, once it has run. */
  readonly reportOf = (id: number): Report | undefined => this.byOutput.get(id);

  /**
   * Runs a construct through the one module that says what each construct means (regions of
   * type `R`, tensors of type `T`), and keeps its report. `engineOf`, when given, says which
   * engine ran it once it has run (the native backend knows which regions it fused only then);
   * else `host.engine` does.
   */
  run<T extends Tensor, R = Region>(host: ReportsHost<T, R>, op: ConstructSpec<R>, args: T[], engineOf?: () => string): T[] {
    const engine = () => engineOf?.() ?? host.engine;
    let result: ConstructResult<T>;
    try {
      result = this.nested(() => runConstruct<T, R>({ ...host, reportOf: this.reportOf }, op, args));
    } catch (e) {
      if (e instanceof RunStopped) {
        if (e.report) {
          const name = engine();
          if (name) e.report.engine = name;
          this.record(e.report);
        }
        e.reports = [...this.all];
      }
      throw e;
    }
    const name = engine();
    if (name) result.report.engine = name;
    this.byOutput.set(op.outputs[0].id, result.report);
    this.record(result.report);
    return result.values;
  }

  private nested<X extends { report: Report }>(run: () => X): X {
    const outer = this.inner;
    this.inner = [];
    try {
      const result = run();
      // A loop says what ran in its body; a method's own inner loops (a smoother's) stay quiet.
      if (this.inner.length && result.report.kind === "loop") result.report.inner = summarise(this.inner);
      const failed = this.inner.filter((r) => !r.converged);
      if (failed.length) {
        const names = [...new Set(failed.map((r) => `\`${r.name}\``))].join(", ");
        const reasons = [...new Set(failed.map((r) => r.reason))].join(", ");
        const summary = `inner ${names}: ${failed.length} of ${this.inner.length} runs did not converge (${reasons})`;
        result.report.detail = result.report.detail ? `${result.report.detail}; ${summary}` : summary;
      }
      return result;
    } finally {
      this.inner = outer;
    }
  }

  private record(report: Report): void {
    (this.inner ?? this.all).push(report);
  }
}

/** The runs of each inner construct (by name and method), in the order they first ran. */
function summarise(reports: readonly Report[]): InnerSummary[] {
  const out = new Map<string, InnerSummary>();
  for (const r of reports) {
    const key = `${r.kind} ${r.name} ${r.method}`;
    const s = out.get(key) ?? { name: r.name, kind: r.kind, method: r.method, runs: 0, iterations: 0, failed: 0 };
    s.runs++;
    s.iterations += r.iterations;
    if (!r.converged) s.failed++;
    out.set(key, s);
  }
  return [...out.values()];
}
