// Convergence reports as plots: one figure per construct (its residual history, the tolerance,
// the reason in the title) and one figure of several constructs together, to compare methods
// on one problem. Builds PlotSpecs; plot-svg.ts draws them.
import { fmtNum, fmtTime, isConvergedReason, type Report } from "../report.js";
import { historyIterations } from "./history.js";
import { PALETTE, type PlotPoint, type PlotSpec, type Status, type Tone, type XBand } from "./plot-svg.js";

export function reasonTone(r: Pick<Report, "reason">): Tone {
  if (isConvergedReason(r.reason)) return "good";
  return r.reason === "max_iterations" || r.reason === "aborted" ? "warn" : "bad";
}

function status(r: Report): Status {
  return { text: `${r.converged ? "✓" : "✗"} ${r.reason}`, tone: reasonTone(r) };
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** What the history holds, for the y axis. */
function residualLabel(kinds: readonly Report["kind"][]): string {
  const k = new Set(kinds);
  if (k.size === 1 && k.has("fixpoint")) return "residual ‖T(x) − x‖";
  if (k.size === 1 && k.has("solve")) return "residual ‖b − Au‖";
  if (k.size === 1 && k.has("minimize")) return "gradient norm ‖∇f‖";
  if (k.size === 1 && k.has("train")) return "loss";
  return "residual";
}

/**
 * The history as plot points at their true iteration numbers; a truncated history breaks the
 * line (a `null`) where entries were dropped, and says how many in a shaded band.
 */
export function historyPoints(r: Report): { points: PlotPoint[]; dropped?: XBand } {
  const its = historyIterations(r);
  const points: PlotPoint[] = [];
  let dropped: XBand | undefined;
  r.history.forEach((y, i) => {
    if (i > 0 && its[i] > its[i - 1] + 1) {
      points.push([its[i - 1] + 1, null]);
      const n = its[i] - its[i - 1] - 1;
      dropped = { from: its[i - 1], to: its[i], label: `${n.toLocaleString("en")} iterations not kept` };
    }
    points.push([its[i], y]);
  });
  return dropped ? { points, dropped } : { points };
}

/** One construct's figure. */
export function reportPlot(r: Report): PlotSpec {
  const { points, dropped } = historyPoints(r);
  const rel = Number.isNaN(r.relResidual) ? "" : ` (rel. ${fmtNum(r.relResidual)})`;
  const residual = r.kind === "loop" && Number.isNaN(r.residual) ? "" : ` · ${r.kind === "solve" ? "true residual" : r.kind === "train" ? "last batch loss" : r.kind === "minimize" ? "‖∇f‖" : "residual"} ${fmtNum(r.residual)}${rel}`;
  return {
    title: r.name,
    status: status(r),
    subtitle: `${r.method === r.kind ? r.kind : `${r.kind} by ${r.method}`} · ${plural(r.iterations, r.kind === "train" ? "step" : "iteration")}${residual} · ${fmtTime(r.seconds)}`,
    xLabel: r.kind === "train" ? "step" : "iteration",
    yLabel: residualLabel([r.kind]),
    yScale: "log",
    series: [{ name: r.kind === "train" ? "batch loss" : r.name, points, colour: PALETTE[0] }, ...validationSeries(r)],
    hlines: r.tolerance !== undefined && r.tolerance > 0 ? [{ y: r.tolerance, label: `tolerance ${fmtNum(r.tolerance)}` }] : [],
    ...(dropped ? { bands: [dropped] } : {}),
    emptyNote: r.kind === "loop" ? "a loop has no residual history" : "no residual history",
  };
}

/** A training run's validation loss, one point at the end of each epoch (its last step). */
function validationSeries(r: Report): PlotSpec["series"] {
  const v = r.kind === "train" ? r.validationHistory : undefined;
  if (!v?.length) return [];
  const perEpoch = r.iterations / v.length;
  return [{ name: "validation loss", points: v.map((y, e): PlotPoint => [Math.round((e + 1) * perEpoch), y]), colour: PALETTE[1] }];
}

/** Tolerances equal to within a part in a thousand are one line. */
function sameTolerance(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-3 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Several constructs on one figure, one line each (those with a history: loops have none). A
 * tolerance they share is one grey line; different ones are drawn in their series' colours.
 */
export function reportsPlot(reports: readonly Report[], title: string): PlotSpec {
  const shown = reports.filter((r) => r.history.length > 0);
  const failed = shown.filter((r) => !r.converged);
  const worst: Tone = failed.some((r) => reasonTone(r) === "bad") ? "bad" : "warn";
  const colour = (i: number) => PALETTE[i % PALETTE.length];
  const tolerances = shown.map((r) => r.tolerance).filter((t): t is number => t !== undefined && t > 0);
  const shared = tolerances.length === shown.length && tolerances.every((t) => sameTolerance(t, tolerances[0]));
  const hlines = shared && tolerances.length > 0
    ? [{ y: tolerances[0], label: `tolerance ${fmtNum(tolerances[0])}` }]
    : shown.flatMap((r, i) => (r.tolerance !== undefined && r.tolerance > 0 ? [{ y: r.tolerance, colour: colour(i) }] : []));
  return {
    title,
    status: failed.length === 0 ? { text: `✓ all ${shown.length} converged`, tone: "good" } : { text: `✗ ${failed.length} of ${shown.length} did not converge`, tone: worst },
    subtitle: `residual per iteration${hlines.length ? `; dashed: ${shared ? "the tolerance" : "each one's tolerance"}` : ""}`,
    xLabel: "iteration",
    yLabel: residualLabel(shown.map((r) => r.kind)),
    yScale: "log",
    series: shown.map((r, i) => ({
      name: r.name,
      points: historyPoints(r).points,
      colour: colour(i),
      note: `${r.method}, ${plural(r.iterations, "iteration")}${r.historyTruncated ? ", history truncated" : ""}`,
      status: { text: r.converged ? "✓" : `✗ ${r.reason}`, tone: reasonTone(r) },
    })),
    hlines,
    emptyNote: "no construct has a residual history",
    legend: true,
  };
}

/** A file name for a construct's plot: its name, with anything but letters, digits, `_`, `-` and `.` replaced. */
export function plotFileName(name: string): string {
  const safe = name.replace(/[^\p{L}\p{N}_.-]/gu, "_").replace(/^\.+/, "_");
  return `${safe || "construct"}.svg`;
}
