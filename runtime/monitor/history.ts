// The iteration number of each entry of a report's residual history. Usually the index, but a
// truncated history keeps the first HISTORY_KEEP and the last HISTORY_KEEP entries, and the
// latter belong to the iterations just before the end: plots and CSV files must say which.
import { HISTORY_KEEP, type Report } from "../report.js";

/** Iteration numbers for `r.history`, entry by entry (increasing; a jump where entries were dropped). */
export function historyIterations(r: Pick<Report, "history" | "historyTruncated" | "iterations">): number[] {
  const n = r.history.length;
  if (!r.historyTruncated) return Array.from({ length: n }, (_, i) => i);
  // The last entry is the residual after the last iteration: index `iterations`.
  const head = Math.min(HISTORY_KEEP, n);
  const last = Math.max(r.iterations, n - 1);
  return Array.from({ length: n }, (_, i) => (i < head ? i : last - (n - 1 - i)));
}
