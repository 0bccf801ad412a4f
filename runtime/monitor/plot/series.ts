// A series' points sorted into what a plot draws: runs of drawable points (the lines), and
// the values a line cannot show, each marked where it happened: NaN and ±Inf, and on a log
// axis zero and negative values (log 0 = −∞). A `null` y is missing data: the line breaks
// there without a mark (a truncated history's dropped entries).
import type { XY } from "./decimate.js";

export type PlotPoint = readonly [x: number, y: number | null];

/** A value the line cannot show, at iteration x. `top`: NaN or +Inf; `bottom`: −Inf, or ≤ 0 on a log axis. */
export interface Mark {
  x: number;
  edge: "top" | "bottom";
  label: "NaN" | "Inf" | "-Inf" | "0" | "< 0";
  /** The drawable point just before it on the line, if any: the line is continued to the mark, dotted. */
  from?: XY;
}

export interface SortedPoints {
  /** Runs of consecutive drawable points, each a separate line. */
  runs: XY[][];
  marks: Mark[];
}

export function sortPoints(points: readonly PlotPoint[], log: boolean): SortedPoints {
  const runs: XY[][] = [];
  const marks: Mark[] = [];
  let run: XY[] = [];
  const flush = () => {
    if (run.length > 0) runs.push(run);
    run = [];
  };
  for (const [x, y] of points) {
    if (!Number.isFinite(x)) continue;
    if (y === null) {
      flush();
      continue;
    }
    const label = markLabel(y, log);
    if (label === undefined) {
      run.push([x, y]);
      continue;
    }
    const from = run.at(-1);
    marks.push({ x, edge: label === "NaN" || label === "Inf" ? "top" : "bottom", label, ...(from ? { from } : {}) });
    flush();
  }
  flush();
  return { runs, marks };
}

function markLabel(y: number, log: boolean): Mark["label"] | undefined {
  if (Number.isNaN(y)) return "NaN";
  if (y === Infinity) return "Inf";
  if (y === -Infinity) return "-Inf";
  if (log && y === 0) return "0";
  if (log && y < 0) return "< 0";
  return undefined;
}
