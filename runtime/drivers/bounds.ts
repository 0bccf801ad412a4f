// A-posteriori error bounds for contractive fixed points. If T is L-Lipschitz with L < 1, then
// for any x with r = ‖T x − x‖:  ‖x − x*‖ ≤ ‖x − T x‖ + ‖T x − T x*‖ ≤ r + L‖x − x*‖, so
// ‖x − x*‖ ≤ r / (1 − L)  (for Picard, r_k ≤ L r_{k−1}, which gives the L/(1 − L)·‖x_k − x_{k−1}‖
// form). L is declared (`method picard(lipschitz: 0.9)`) or, for converged Picard runs,
// estimated from the last residual ratios — an estimate from below, so the bound is then
// labelled `estimated`, not a guarantee.
import type { Report } from "../report.js";

/** Residual ratios taken into an estimated Lipschitz constant. */
export const RATIO_WINDOW = 5;

export function errorBound(report: Report, o: { lipschitz?: number; estimate: boolean }): Report["errorBound"] {
  const r = report.residual;
  if (!Number.isFinite(r)) return undefined;
  if (o.lipschitz !== undefined) {
    const L = o.lipschitz;
    return L >= 0 && L < 1 ? { value: r / (1 - L), lipschitz: L, source: "declared" } : undefined;
  }
  const h = report.history;
  if (!o.estimate || !report.converged || report.historyTruncated || h.length < RATIO_WINDOW + 2) return undefined;
  // For Picard r_{k+1} ≤ L r_k: the largest recent ratio estimates L (from below).
  let L = 0;
  for (let i = h.length - RATIO_WINDOW; i < h.length; i++) {
    if (!(h[i - 1] > 0)) return undefined;
    L = Math.max(L, h[i] / h[i - 1]);
  }
  return L < 1 ? { value: r / (1 - L), lipschitz: L, source: "estimated" } : undefined;
}
