// `--history FILE.csv`: every residual history of a run in one long-format table,
// `construct,iteration,residual`, one row per entry, readable by pandas, R and spreadsheets.
// NaN and infinities are written as `NaN`, `Inf` and `-Inf` (what R writes, and what Python's
// float() and pandas read back), never as empty cells that would hide a divergence.
import type { Report } from "../report.js";
import { historyIterations } from "./history.js";

export const CSV_HEADER = "construct,iteration,residual";

/** A CSV field per RFC 4180: quoted when it holds a comma, a quote or a line break. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A number that reads back exactly (shortest round-trip form), or NaN / Inf / -Inf. */
export function csvNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Inf";
  if (x === -Infinity) return "-Inf";
  return String(x);
}

/**
 * The CSV text of the reports' histories, header first, reports in order. A truncated history
 * keeps its true iteration numbers (a jump in the `iteration` column where entries were
 * dropped); a construct without a history (a loop) has no rows.
 */
export function historiesCsv(reports: readonly Report[]): string {
  const rows = [CSV_HEADER];
  for (const r of reports) {
    const name = csvField(r.name);
    const its = historyIterations(r);
    r.history.forEach((x, i) => rows.push(`${name},${its[i]},${csvNumber(x)}`));
  }
  return rows.join("\n") + "\n";
}
