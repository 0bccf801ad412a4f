// `--plot DIR` and `--history FILE`: the files written after a run, each atomically.
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Report } from "../report.js";
import { writeFileAtomic } from "./atomic-write.js";
import { historiesCsv } from "./history-csv.js";
import { plot } from "./plot-svg.js";
import { plotFileName, reportPlot, reportsPlot } from "./report-plots.js";

/** The figure of every construct together; no construct's own plot takes this name. */
export const ALL_PLOT = "all.svg";

export interface PlotFile {
  file: string;
  svg: string;
}

/**
 * One SVG per report (named after its construct; a clash with another, or with `all.svg`,
 * gets `-2`, `-3`, ...), then `all.svg` with every construct that has a history.
 */
export function plotFiles(reports: readonly Report[], title: string): PlotFile[] {
  const taken = new Set([ALL_PLOT]);
  const out: PlotFile[] = [];
  for (const r of reports) {
    const base = plotFileName(r.name).slice(0, -".svg".length);
    let file = `${base}.svg`;
    for (let k = 2; taken.has(file.toLowerCase()); k++) file = `${base}-${k}.svg`;
    taken.add(file.toLowerCase()); // case-insensitive file systems (macOS, Windows) would clash too
    out.push({ file, svg: plot(reportPlot(r)) });
  }
  out.push({ file: ALL_PLOT, svg: plot(reportsPlot(reports, title)) });
  return out;
}

/** Writes the plots into `dir` (created when missing); returns the paths written. */
export async function writePlots(dir: string, reports: readonly Report[], title: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const { file, svg } of plotFiles(reports, title)) {
    const path = join(dir, file);
    await writeFileAtomic(path, svg);
    paths.push(path);
  }
  return paths;
}

/** Writes the histories as CSV (see history-csv.ts), creating its folder; returns the number of data rows. */
export async function writeHistoryCsv(path: string, reports: readonly Report[]): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, historiesCsv(reports));
  return reports.reduce((n, r) => n + r.history.length, 0);
}
