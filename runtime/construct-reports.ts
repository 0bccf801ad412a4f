// The reports of a run's constructs, kept the same way by every executor (the interpreter, a
// generated module): in run order; each one also by its construct's first output, where the
// adjoint that differentiates it finds it; and those of constructs running inside another
// construct's regions (a smoother's loop) collected apart and summarised in the enclosing
// report, so they do not add a row per application while a failure among them is never hidden.
import type { ConstructSpec } from "./construct-spec.js";
import { BackwardFailure, type ConstructHost, runConstruct } from "./constructs.js";
import type { Tensor } from "./drivers/stopping.js";
import type { Report } from "./report.js";

export class ConstructReports {
  /** The reports of the run's top-level constructs, in the order they ran. */
  readonly all: Report[] = [];
  private readonly byOutput = new Map<number, Report>();
  private inner: Report[] | undefined;

  /** The report of the construct that computed the value `id`, once it has run. */
  readonly reportOf = (id: number): Report | undefined => this.byOutput.get(id);

  /**
   * Runs a construct through the one module that says what each construct means, and keeps its
   * report; an adjoint that stops the run (BackwardFailure) still leaves its report among the
   * others, and the failure carries every report so far.
   */
  run<R>(host: Omit<ConstructHost<R>, "reportOf">, op: ConstructSpec<R>, args: Tensor[]): Tensor[] {
    let result: { values: Tensor[]; report: Report };
    try {
      result = this.nested(() => runConstruct({ ...host, reportOf: this.reportOf }, op, args));
    } catch (e) {
      if (e instanceof BackwardFailure) {
        this.record(e.report);
        e.reports = [...this.all];
      }
      throw e;
    }
    this.byOutput.set(op.outputs[0].id, result.report);
    this.record(result.report);
    return result.values;
  }

  private nested<T extends { report: Report }>(run: () => T): T {
    const outer = this.inner;
    this.inner = [];
    try {
      const result = run();
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
