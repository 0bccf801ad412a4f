// The report fields a program reads (`u.iterations`, `u.history`), as tensors: the extra
// outputs of a construct (compiler/constructs.ts gives their types), made from its report once
// it has run.
import type { ReportField } from "../compiler/constructs.js";
import type { Tensor, Tf } from "./drivers/stopping.js";
import type { Report } from "./report.js";

/**
 * `history` has maxIter + 1 entries: the residual before the first and after each iteration,
 * then the final residual repeated (the iterate no longer changes), so entry k is always the
 * residual after min(k, iterations) iterations. The middle of a history the report truncated
 * (more than 2000 iterations) is NaN: those residuals were not kept.
 */
export function historyEntries(report: Report, maxIter: number): Float32Array {
  const out = new Float32Array(maxIter + 1);
  const h = report.history;
  const n = report.iterations + 1;
  const last = h.length > 0 ? h[h.length - 1] : report.residual;
  if (report.historyTruncated) {
    const keep = h.length / 2;
    out.fill(NaN, 0, n);
    out.set(h.slice(0, keep), 0);
    out.set(h.slice(keep), n - keep);
  } else out.set(h.slice(0, Math.min(h.length, out.length)), 0);
  out.fill(last, Math.min(n, out.length));
  return out;
}

export function reportValues<T extends Tensor>(tf: Tf<T>, report: Report, fields: readonly ReportField[], maxIter: number): T[] {
  return fields.map((f) => {
    switch (f) {
      case "iterations":
        return tf.scalar(report.iterations);
      case "residual":
        return tf.scalar(report.residual);
      case "rel_residual":
        return tf.scalar(report.relResidual);
      case "converged": {
        const one = tf.scalar(report.converged ? 1 : 0);
        const flag = tf.cast(one, "bool");
        one.dispose();
        return flag;
      }
      case "history": {
        const entries = historyEntries(report, maxIter);
        return tf.tensor(Float32Array.from(entries), [entries.length], "float32");
      }
    }
  });
}
